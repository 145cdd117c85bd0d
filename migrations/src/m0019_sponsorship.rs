//! Sponsoring a family (کفالت): a donor supports one anonymous family monthly and gets its
//! redacted reports every quarter.
//!
//! * `families.sponsor_kind`, `families.sponsor_story`, `families.sponsor_opened_at`: staff open a
//!   consenting family to sponsorship with the kind of support it most needs and a redacted story
//!   (passed by the privacy guard, like a card's). NULL story: not offered.
//! * `families.sponsors`: how many sponsorships are active, moved in the same transaction as each
//!   one starts or ends, so the chooser can offer the family with the fewest sponsors from an
//!   index instead of counting 64,000 families' pledges per visit.
//! * `pledges.family_id`, `pledges.ends_on`, `pledges.end_reason`: a sponsorship is a monthly
//!   pledge to one family's support fund (`fund:family:{id}`), with its last month (NULL for
//!   open-ended) and why it ended (`donor`, `consent`, `released`, `completed`).
//! * `donations.family_id`: a month's gift to the family it sponsors.
//! * `sponsor_reports`: what staff told the sponsors of a family (quarterly, or the closing report
//!   on release): public text only, passed by the privacy guard before it is stored.

use crate::dsl::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

async fn drop_ix(m: &SchemaManager<'_>, table: &str, cols: &[&str]) -> Result<(), DbErr> {
    m.drop_index(
        Index::drop()
            .name(format!("ix_{table}_{}", cols.join("_")))
            .table(id(table))
            .to_owned(),
    )
    .await
}

const CHOOSER: [&str; 3] = ["sponsor_kind", "province_id", "sponsors"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_column(m, "families", string_null("sponsor_kind")).await?;
        add_column(m, "families", text_null("sponsor_story")).await?;
        add_column(m, "families", timestamp_null("sponsor_opened_at")).await?;
        add_column(m, "families", int_default("sponsors", 0)).await?;
        m.create_index(index("families", &CHOOSER)).await?;
        add_column(m, "pledges", bigint_null("family_id")).await?;
        add_column(m, "pledges", date_null("ends_on")).await?;
        add_column(m, "pledges", string_null("end_reason")).await?;
        m.create_index(index("pledges", &["family_id", "status"]))
            .await?;
        add_column(m, "donations", bigint_null("family_id")).await?;
        m.create_index(index("donations", &["family_id"])).await?;

        let mut t = table("sponsor_reports");
        references(&mut t, "sponsor_reports", "family_id", "families");
        t.col(string("public_code"))
            .col(string("kind"))
            .col(text("body"))
            .col(text_null("thanks"))
            .col(text("bought"))
            .col(int_default("sponsors_told", 0))
            .col(bigint_null("author_id"))
            .col(timestamp("created_at"));
        create(
            m,
            t,
            vec![
                unique("sponsor_reports", &["public_code"]),
                index("sponsor_reports", &["family_id", "created_at"]),
            ],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_all(m, &["sponsor_reports"]).await?;
        drop_ix(m, "donations", &["family_id"]).await?;
        drop_column(m, "donations", "family_id").await?;
        drop_ix(m, "pledges", &["family_id", "status"]).await?;
        for c in ["end_reason", "ends_on", "family_id"] {
            drop_column(m, "pledges", c).await?;
        }
        drop_ix(m, "families", &CHOOSER).await?;
        for c in [
            "sponsors",
            "sponsor_opened_at",
            "sponsor_story",
            "sponsor_kind",
        ] {
            drop_column(m, "families", c).await?;
        }
        Ok(())
    }
}
