use sea_orm::entity::prelude::*;

/// One province's staff KPIs for one Solar Hijri month (`period` = `1405-09`), or its totals
/// (`period` = `all`). A cache rebuilt by `casework::kpis::refresh`, never a source of truth.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "kpi_snapshots")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `None`: the whole country.
    pub province_id: Option<i64>,
    pub period: String,
    pub families: i64,
    pub needs_published: i64,
    pub needs_funded: i64,
    pub needs_delivered: i64,
    pub raised_rials: i64,
    pub disbursed_rials: i64,
    pub prisoners_freed: i64,
    pub forgiveness_rials: i64,
    pub workers: i64,
    pub wages_rials: i64,
    pub family_share_rials: i64,
    pub prisoners_held: i64,
    pub median_days_to_fund: Option<i64>,
    pub refreshed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
