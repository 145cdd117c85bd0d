use sea_orm::entity::prelude::*;

/// Where gifts of one intention may go, from a date on (`giving::intention`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "intention_rules")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub intention: super::status::Intention,
    /// Kinds of need, comma-separated; empty: every kind.
    pub categories: String,
    /// Release campaigns too.
    pub campaigns: bool,
    /// Gifts of this intention are taken only from `window_from` to `window_to`, inclusive.
    pub window_from: Option<Date>,
    pub window_to: Option<Date>,
    pub effective_from: Date,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
