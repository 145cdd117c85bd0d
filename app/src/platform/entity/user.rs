use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub public_id: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub is_active: bool,
    pub totp_secret_enc: Option<Vec<u8>>,
    pub totp_enabled: bool,
    pub locale: String,
    pub created_at: DateTimeUtc,
    pub last_login_at: Option<DateTimeUtc>,
    pub totp_last_step: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
