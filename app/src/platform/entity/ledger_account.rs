use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_accounts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `asset:gateway:<name>`, `fund:need:<id>`, `fund:category:<cat>`, `fund:general`, …
    pub code: String,
    /// `asset`, `fund` or `expense`.
    pub kind: String,
    pub name: String,
    pub need_id: Option<i64>,
    pub campaign_id: Option<i64>,
    pub family_id: Option<i64>,
    pub category: Option<String>,
    pub may_go_negative: bool,
    /// The sum of the account's entries (debit positive), kept by `ledger::post` with them.
    pub balance_rials: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
