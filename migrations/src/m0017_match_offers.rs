//! Matched gifts: a sponsor (a company or a person) offers to match gifts 1:1 or 2:1 in one scope
//! (an occasion, a province, a kind of need or one release campaign) up to a cap and an end date.
//!
//! * `match_offers`: the sponsor's public name (shown on the cards as "matched by …") and its
//!   contact, sealed like a donor's (only staff open it); ratio, scope, cap, end date; who
//!   recorded and who approved it (two different staff members); `matched_rials`, what gifts
//!   have drawn on it so far, moved in the same transaction as each matched gift, so the cap is
//!   never passed; `received_rials`, what the sponsor has paid in. The unused part of the cap is
//!   a promise, never money raised: only `matched_rials` is posted to the ledger.
//! * `donations.match_offer_id` and `donations.matched_rials`: the offer a gift drew on and how
//!   much (0 for a gift that was not matched).

use crate::dsl::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = table("match_offers");
        t.col(string("public_code"))
            .col(string("sponsor_name"))
            .col(sealed_null("sponsor_contact_enc"))
            .col(string("key_id"))
            .col(int("ratio"))
            .col(string("scope"))
            .col(string("scope_value"))
            .col(bigint_null("province_id"))
            .col(bigint("cap_rials"))
            .col(bigint_default("matched_rials", 0))
            .col(bigint_default("received_rials", 0))
            .col(date("ends_on"))
            .col(string("status"))
            .col(bigint("proposed_by"))
            .col(bigint_null("decided_by"))
            .col(timestamp("created_at"))
            .col(timestamp_null("decided_at"))
            .col(timestamp_null("closed_at"))
            .col(string_null("close_reason"))
            .col(timestamp("updated_at"));
        create(
            m,
            t,
            vec![
                unique("match_offers", &["public_code"]),
                index("match_offers", &["status", "ends_on"]),
                index("match_offers", &["province_id"]),
            ],
        )
        .await?;
        add_column(m, "donations", bigint_null("match_offer_id")).await?;
        add_column(m, "donations", bigint_default("matched_rials", 0)).await?;
        m.create_index(index("donations", &["match_offer_id"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_donations_match_offer_id")
                .table(id("donations"))
                .to_owned(),
        )
        .await?;
        drop_column(m, "donations", "matched_rials").await?;
        drop_column(m, "donations", "match_offer_id").await?;
        drop_all(m, &["match_offers"]).await
    }
}
