//! Restitution paid out: the pooled restitution share of wages (`fund:restitution`) reaches the
//! victims and creditors a court named.
//!
//! * `restitution_claims`: who is owed by which prisoner. The claimant's name and bank account
//!   (Sheba) are a third party's personal data, sealed like a family's
//!   (`restitution_claims.claimant_name`, `restitution_claims.claimant_account`); the court's
//!   reference, the kind (a victim's diyeh or damages, or a creditor), what is owed and what has
//!   been paid are plain, for staff in the prisoner's prison and province only.
//! * `restitution_payouts`: a payment to one claim. One staff member requests it, another
//!   approves or rejects it (four eyes, always: the money goes to an outsider's account). An
//!   approved payout is one ledger group (`fund:restitution` to the bank) with its transaction.
//!   A payout never passes what its claim is still owed, nor what the prisoner's wages have put
//!   into the pool less what has already been paid or asked for in his name.

use crate::dsl::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = table("restitution_claims");
        t.col(string("public_code"));
        references(&mut t, "restitution_claims", "prisoner_id", "prisoners");
        t.col(string("kind"))
            .col(sealed("claimant_name_enc"))
            .col(sealed("claimant_account_enc"))
            .col(string("key_id"))
            .col(string("court_ref"))
            .col(bigint("owed_rials"))
            .col(bigint_default("paid_rials", 0))
            .col(string("status"))
            .col(bigint("created_by"))
            .col(timestamp("created_at"))
            .col(timestamp("updated_at"));
        create(
            m,
            t,
            vec![
                unique("restitution_claims", &["public_code"]),
                index("restitution_claims", &["prisoner_id"]),
            ],
        )
        .await?;

        let mut t = table("restitution_payouts");
        t.col(string("public_code"));
        references(
            &mut t,
            "restitution_payouts",
            "claim_id",
            "restitution_claims",
        );
        references(&mut t, "restitution_payouts", "prisoner_id", "prisoners");
        t.col(bigint("amount_rials"))
            .col(string("reference"))
            .col(string("status"))
            .col(bigint("requested_by"))
            .col(bigint_null("decided_by"))
            .col(string_null("reject_reason"))
            .col(bigint_null("transaction_id"))
            .col(timestamp("created_at"))
            .col(timestamp_null("decided_at"));
        create(
            m,
            t,
            vec![
                unique("restitution_payouts", &["public_code"]),
                index("restitution_payouts", &["claim_id"]),
                index("restitution_payouts", &["prisoner_id", "status"]),
                index("restitution_payouts", &["status"]),
            ],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_all(m, &["restitution_claims", "restitution_payouts"]).await
    }
}
