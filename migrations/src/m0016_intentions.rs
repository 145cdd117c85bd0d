//! Giving by intention (نیت): a gift may name sadaqah, kaffareh, nazr, fitriyeh or zakat, and
//! each is spent as its published rule says.
//!
//! * `donations.intention` and `pledges.intention`: the word, NULL for a gift without one.
//!   `donations.nazr_purpose_enc`: a nazr's purpose in the donor's words, sealed like a contact
//!   (only staff open it).
//! * `intention_rules`: which kinds of need (`categories`, comma-separated; empty for every kind)
//!   and whether release campaigns an intention may reach, optionally only between two dates
//!   (fitriyeh around Eid al-Fitr, which moves every solar year), in force from `effective_from`
//!   like the wage rules. Without a row the built-in rule of `app::giving::intention` applies.
//! * `gift_totals.intention` ('' for none): the running totals by intention, for transparency.
//!   Every gift before this migration had none, so the rows already counted keep ''.

use crate::dsl::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const OLD_KEY: [&str; 4] = ["period", "category", "province_id", "province_hidden"];
const NEW_KEY: [&str; 5] = [
    "period",
    "category",
    "province_id",
    "province_hidden",
    "intention",
];

async fn drop_index(m: &SchemaManager<'_>, table: &str, cols: &[&str]) -> Result<(), DbErr> {
    m.drop_index(
        Index::drop()
            .name(format!("ux_{table}_{}", cols.join("_")))
            .table(id(table))
            .to_owned(),
    )
    .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_column(m, "donations", string_null("intention")).await?;
        add_column(m, "donations", sealed_null("nazr_purpose_enc")).await?;
        add_column(m, "pledges", string_null("intention")).await?;
        add_column(m, "gift_totals", string_default("intention", "")).await?;
        drop_index(m, "gift_totals", &OLD_KEY).await?;
        m.create_index(unique("gift_totals", &NEW_KEY)).await?;

        let mut t = table("intention_rules");
        t.col(string("intention"))
            .col(string_default("categories", ""))
            .col(boolean("campaigns", false))
            .col(date_null("window_from"))
            .col(date_null("window_to"))
            .col(date("effective_from"))
            .col(bigint_null("created_by"))
            .col(timestamp("created_at"));
        create(
            m,
            t,
            vec![index("intention_rules", &["intention", "effective_from"])],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_all(m, &["intention_rules"]).await?;
        drop_index(m, "gift_totals", &NEW_KEY).await?;
        // The running totals are recounted from the gifts without the intention column: the
        // rows and their watermark go (`app::giving::totals` starts again from nothing).
        m.get_connection()
            .execute_unprepared("DELETE FROM gift_totals")
            .await?;
        m.get_connection()
            .execute_unprepared("DELETE FROM settings WHERE key = 'gift_totals.through'")
            .await?;
        drop_column(m, "gift_totals", "intention").await?;
        m.create_index(unique("gift_totals", &OLD_KEY)).await?;
        drop_column(m, "pledges", "intention").await?;
        drop_column(m, "donations", "nazr_purpose_enc").await?;
        drop_column(m, "donations", "intention").await
    }
}
