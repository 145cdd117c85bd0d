//! Needs, release campaigns, donations and pledges, the double-entry ledger, payees,
//! disbursements with their approvals, and impact updates.

use crate::dsl::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &[
    "payees",
    "needs",
    "release_campaigns",
    "pledges",
    "donations",
    "ledger_accounts",
    "ledger_transactions",
    "ledger_entries",
    "disbursements",
    "disbursement_approvals",
    "impact_updates",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = table("payees");
        t.col(string("public_code"))
            .col(string("kind"))
            .col(string("name"));
        references(&mut t, "payees", "province_id", "provinces");
        t.col(sealed_null("account_enc"))
            .col(string("key_id"))
            .col(timestamp("created_at"));
        create(m, t, vec![unique("payees", &["public_code"])]).await?;

        let mut t = table("needs");
        t.col(string("public_code"));
        references(&mut t, "needs", "family_id", "families");
        references(&mut t, "needs", "province_id", "provinces");
        t.col(string("category"))
            .col(string("public_title"))
            .col(text("public_story"))
            .col(sealed_null("private_notes_enc"))
            .col(string("key_id"))
            .col(bigint("goal_rials"))
            .col(string("household_band"))
            .col(string_null("age_band"))
            .col(string_null("occasion"))
            .col(date_null("deadline"))
            .col(string("status"))
            .col(string("fulfilment_method"))
            .col(boolean("hide_province", false));
        references_null(&mut t, "needs", "author_id", "users");
        references_null(&mut t, "needs", "verifier_id", "users");
        t.col(timestamp_null("published_at"))
            .col(timestamp_null("funded_at"))
            .col(timestamp_null("purchased_at"))
            .col(timestamp_null("delivered_at"))
            .col(timestamp("created_at"))
            .col(timestamp("updated_at"));
        create(
            m,
            t,
            vec![
                unique("needs", &["public_code"]),
                index("needs", &["status", "province_id", "category"]),
                index("needs", &["family_id"]),
                index("needs", &["deadline"]),
            ],
        )
        .await?;

        let mut t = table("release_campaigns");
        t.col(string("public_code"));
        references(&mut t, "release_campaigns", "prisoner_id", "prisoners");
        references(&mut t, "release_campaigns", "province_id", "provinces");
        t.col(string("offence_category"))
            .col(bigint("total_owed_rials"))
            .col(bigint_default("forgiveness_rials", 0))
            .col(sealed_null("creditor_enc"))
            .col(string("key_id"))
            .col(text("eligibility"))
            .col(string("public_title"))
            .col(text("public_story"))
            .col(string("status"))
            .col(string_null("court_account_ref"));
        references_null(&mut t, "release_campaigns", "author_id", "users");
        references_null(&mut t, "release_campaigns", "verifier_id", "users");
        t.col(timestamp_null("published_at"))
            .col(timestamp_null("funded_at"))
            .col(timestamp_null("paid_at"))
            .col(date_null("released_on"))
            .col(timestamp("created_at"))
            .col(timestamp("updated_at"));
        create(
            m,
            t,
            vec![
                unique("release_campaigns", &["public_code"]),
                index("release_campaigns", &["status", "province_id"]),
                index("release_campaigns", &["prisoner_id"]),
            ],
        )
        .await?;

        let mut t = table("pledges");
        t.col(string("public_code"));
        references_null(&mut t, "pledges", "donor_user_id", "users");
        t.col(string("target_kind"));
        references_null(&mut t, "pledges", "need_id", "needs");
        references_null(&mut t, "pledges", "campaign_id", "release_campaigns");
        t.col(string_null("category"))
            .col(bigint("amount_rials"))
            .col(int("day_of_month"))
            .col(string("status"))
            .col(string("cancel_token_hash"))
            .col(sealed_null("contact_enc"))
            .col(string("key_id"))
            .col(date("next_due_on"))
            .col(timestamp("created_at"))
            .col(timestamp_null("cancelled_at"));
        create(
            m,
            t,
            vec![
                unique("pledges", &["public_code"]),
                index("pledges", &["status", "next_due_on"]),
            ],
        )
        .await?;

        let mut t = table("donations");
        t.col(string("tracking_code")).col(string("target_kind"));
        references_null(&mut t, "donations", "need_id", "needs");
        references_null(&mut t, "donations", "campaign_id", "release_campaigns");
        t.col(string_null("category"))
            .col(bigint("amount_rials"))
            .col(bigint_default("overflow_rials", 0))
            .col(boolean("anonymous", true))
            .col(string_null("display_name"))
            .col(string_null("dedication_kind"))
            .col(string_null("dedication_text"))
            .col(sealed_null("contact_enc"))
            .col(string_null("contact_hint"))
            .col(string("key_id"));
        references_null(&mut t, "donations", "donor_user_id", "users");
        references_null(&mut t, "donations", "pledge_id", "pledges");
        t.col(string("status"))
            .col(string("gateway"))
            .col(string_null("gateway_authority"))
            .col(string_null("gateway_ref"))
            .col(string("idempotency_key"))
            .col(timestamp("created_at"))
            .col(timestamp_null("settled_at"));
        create(
            m,
            t,
            vec![
                unique("donations", &["tracking_code"]),
                unique("donations", &["idempotency_key"]),
                unique("donations", &["gateway", "gateway_ref"]),
                index("donations", &["need_id", "status"]),
                index("donations", &["campaign_id", "status"]),
                index("donations", &["status", "created_at"]),
            ],
        )
        .await?;

        let mut t = table("ledger_accounts");
        t.col(string("code"))
            .col(string("kind"))
            .col(string("name"));
        references_null(&mut t, "ledger_accounts", "need_id", "needs");
        references_null(
            &mut t,
            "ledger_accounts",
            "campaign_id",
            "release_campaigns",
        );
        references_null(&mut t, "ledger_accounts", "family_id", "families");
        t.col(string_null("category"))
            .col(boolean("may_go_negative", false))
            .col(timestamp("created_at"));
        create(
            m,
            t,
            vec![
                unique("ledger_accounts", &["code"]),
                index("ledger_accounts", &["need_id"]),
                index("ledger_accounts", &["campaign_id"]),
                index("ledger_accounts", &["family_id"]),
            ],
        )
        .await?;

        let mut t = table("ledger_transactions");
        t.col(string("public_code"))
            .col(string("kind"))
            .col(string("memo"));
        references_null(&mut t, "ledger_transactions", "donation_id", "donations");
        references_null(&mut t, "ledger_transactions", "created_by", "users");
        t.col(timestamp("created_at"));
        create(
            m,
            t,
            vec![
                unique("ledger_transactions", &["public_code"]),
                index("ledger_transactions", &["donation_id"]),
                index("ledger_transactions", &["kind", "created_at"]),
            ],
        )
        .await?;

        // amount_rials is signed: debits positive, credits negative; each transaction sums to zero.
        let mut t = table("ledger_entries");
        references(
            &mut t,
            "ledger_entries",
            "transaction_id",
            "ledger_transactions",
        );
        references(&mut t, "ledger_entries", "account_id", "ledger_accounts");
        t.col(bigint("amount_rials")).col(timestamp("created_at"));
        create(
            m,
            t,
            vec![
                index("ledger_entries", &["transaction_id"]),
                index("ledger_entries", &["account_id"]),
            ],
        )
        .await?;

        let mut t = table("disbursements");
        t.col(string("public_code"));
        references_null(&mut t, "disbursements", "need_id", "needs");
        references_null(&mut t, "disbursements", "campaign_id", "release_campaigns");
        references_null(&mut t, "disbursements", "payee_id", "payees");
        t.col(bigint("amount_rials"))
            .col(string("purpose"))
            .col(string_null("reference"))
            .col(string_null("evidence_ref"))
            .col(string("status"));
        references_null(&mut t, "disbursements", "requested_by", "users");
        references_null(
            &mut t,
            "disbursements",
            "transaction_id",
            "ledger_transactions",
        );
        t.col(timestamp("created_at"))
            .col(timestamp_null("paid_at"));
        create(
            m,
            t,
            vec![
                unique("disbursements", &["public_code"]),
                index("disbursements", &["status"]),
                index("disbursements", &["need_id"]),
            ],
        )
        .await?;

        let mut t = table("disbursement_approvals");
        references(
            &mut t,
            "disbursement_approvals",
            "disbursement_id",
            "disbursements",
        );
        references(&mut t, "disbursement_approvals", "approver_id", "users");
        t.col(string("role"))
            .col(string("decision"))
            .col(text_null("note"))
            .col(timestamp("created_at"));
        create(
            m,
            t,
            vec![unique(
                "disbursement_approvals",
                &["disbursement_id", "approver_id"],
            )],
        )
        .await?;

        let mut t = table("impact_updates");
        t.col(string("public_code"));
        references_null(&mut t, "impact_updates", "need_id", "needs");
        references_null(&mut t, "impact_updates", "campaign_id", "release_campaigns");
        t.col(string("kind")).col(text("body_public"));
        references_null(&mut t, "impact_updates", "author_id", "users");
        t.col(timestamp("created_at"));
        create(
            m,
            t,
            vec![
                index("impact_updates", &["need_id"]),
                index("impact_updates", &["campaign_id"]),
            ],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_all(m, TABLES).await
    }
}
