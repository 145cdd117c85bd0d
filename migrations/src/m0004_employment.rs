//! Entrepreneurs, prison workshops, contracts and their versions, worker assignments, production,
//! invoices, wage rules and payments, training and certificates, job posts and applications.

use crate::dsl::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &[
    "entrepreneurs",
    "workshops",
    "contracts",
    "contract_versions",
    "worker_assignments",
    "production_logs",
    "invoices",
    "wage_rules",
    "wage_payments",
    "training_programmes",
    "training_enrolments",
    "certificates",
    "job_postings",
    "job_applications",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = table("entrepreneurs");
        t.col(string("public_code"));
        references(&mut t, "entrepreneurs", "user_id", "users");
        references(&mut t, "entrepreneurs", "province_id", "provinces");
        t.col(string("company_name"))
            .col(string("national_company_id"))
            .col(string("economic_code"))
            .col(string("contact_name"))
            .col(string("contact_phone"))
            .col(string("sector"))
            .col(string("status"));
        references_null(&mut t, "entrepreneurs", "verified_by", "users");
        t.col(timestamp_null("verified_at"))
            .col(timestamp("created_at"));
        create(
            m,
            t,
            vec![
                unique("entrepreneurs", &["public_code"]),
                unique("entrepreneurs", &["national_company_id"]),
                index("entrepreneurs", &["user_id"]),
            ],
        )
        .await?;

        let mut t = table("workshops");
        t.col(string("public_code"));
        references(&mut t, "workshops", "prison_id", "prisons");
        t.col(string("kind"))
            .col(string("name_fa"))
            .col(string("name_en"))
            .col(int("capacity"))
            .col(text("equipment"))
            .col(string("shifts"))
            .col(string("status"))
            .col(timestamp("created_at"));
        create(
            m,
            t,
            vec![
                unique("workshops", &["public_code"]),
                index("workshops", &["prison_id"]),
            ],
        )
        .await?;

        let mut t = table("contracts");
        t.col(string("public_code"));
        references(&mut t, "contracts", "entrepreneur_id", "entrepreneurs");
        references(&mut t, "contracts", "workshop_id", "workshops");
        t.col(string("product"))
            .col(bigint("quantity"))
            .col(bigint("unit_price_rials"))
            .col(string("wage_model"))
            .col(bigint("wage_rate_rials"))
            .col(int("headcount"))
            .col(text("required_skills"))
            .col(text("required_certificates"))
            .col(date("starts_on"))
            .col(date("ends_on"))
            .col(boolean("materials_supplied", false))
            .col(string("status"))
            .col(text_null("status_reason"))
            .col(int_default("version", 1))
            .col(timestamp("created_at"))
            .col(timestamp("updated_at"));
        create(
            m,
            t,
            vec![
                unique("contracts", &["public_code"]),
                index("contracts", &["entrepreneur_id"]),
                index("contracts", &["workshop_id", "status"]),
            ],
        )
        .await?;

        let mut t = table("contract_versions");
        references(&mut t, "contract_versions", "contract_id", "contracts");
        t.col(int("version")).col(text("snapshot"));
        references_null(&mut t, "contract_versions", "created_by", "users");
        t.col(timestamp("created_at"));
        create(
            m,
            t,
            vec![unique("contract_versions", &["contract_id", "version"])],
        )
        .await?;

        let mut t = table("worker_assignments");
        references(&mut t, "worker_assignments", "contract_id", "contracts");
        references(&mut t, "worker_assignments", "prisoner_id", "prisoners");
        t.col(string("worker_code"))
            .col(string("status"))
            .col(timestamp("consent_at"));
        references_null(&mut t, "worker_assignments", "assigned_by", "users");
        t.col(int_null("rating"))
            .col(timestamp("created_at"))
            .col(timestamp_null("ended_at"));
        create(
            m,
            t,
            vec![
                unique("worker_assignments", &["worker_code"]),
                index("worker_assignments", &["contract_id"]),
                index("worker_assignments", &["prisoner_id"]),
            ],
        )
        .await?;

        let mut t = table("production_logs");
        references(&mut t, "production_logs", "contract_id", "contracts");
        t.col(date("work_date"))
            .col(bigint("quantity"))
            .col(bigint("accepted"))
            .col(bigint("rejected"))
            .col(text("hours_by_worker"));
        references_null(&mut t, "production_logs", "logged_by", "users");
        t.col(boolean("disputed", false))
            .col(text_null("dispute_note"))
            .col(timestamp_null("resolved_at"))
            .col(timestamp("created_at"));
        create(
            m,
            t,
            vec![index("production_logs", &["contract_id", "work_date"])],
        )
        .await?;

        let mut t = table("invoices");
        t.col(string("public_code"));
        references(&mut t, "invoices", "contract_id", "contracts");
        t.col(string("period"))
            .col(bigint("accepted_units"))
            .col(bigint("amount_rials"))
            .col(string("status"));
        references_null(&mut t, "invoices", "transaction_id", "ledger_transactions");
        t.col(timestamp_null("paid_at"))
            .col(timestamp("created_at"));
        create(
            m,
            t,
            vec![
                unique("invoices", &["public_code"]),
                unique("invoices", &["contract_id", "period"]),
            ],
        )
        .await?;

        // Shares are basis points (1/100 of a percent) so no float ever touches money.
        let mut t = table("wage_rules");
        t.col(string("name"))
            .col(int("family_share_bp"))
            .col(int("release_share_bp"))
            .col(int("restitution_bp"))
            .col(int("savings_bp"))
            .col(int_default("cap_bp", 8000))
            .col(bigint("min_hourly_rials"))
            .col(bigint("min_piece_rials"))
            .col(date("effective_from"))
            .col(timestamp("created_at"));
        create(m, t, vec![index("wage_rules", &["effective_from"])]).await?;

        let mut t = table("wage_payments");
        references(
            &mut t,
            "wage_payments",
            "assignment_id",
            "worker_assignments",
        );
        references(&mut t, "wage_payments", "prisoner_id", "prisoners");
        references(&mut t, "wage_payments", "rule_id", "wage_rules");
        t.col(string("period"))
            .col(bigint("gross_rials"))
            .col(bigint("family_rials"))
            .col(bigint("release_rials"))
            .col(bigint("restitution_rials"))
            .col(bigint("savings_rials"))
            .col(bigint("net_rials"));
        references_null(
            &mut t,
            "wage_payments",
            "transaction_id",
            "ledger_transactions",
        );
        t.col(timestamp("created_at"));
        create(
            m,
            t,
            vec![
                unique("wage_payments", &["assignment_id", "period"]),
                index("wage_payments", &["prisoner_id"]),
            ],
        )
        .await?;

        let mut t = table("training_programmes");
        t.col(string("public_code"));
        references(&mut t, "training_programmes", "prison_id", "prisons");
        t.col(string("title"))
            .col(string("skill"))
            .col(int("hours"))
            .col(timestamp("created_at"));
        create(m, t, vec![unique("training_programmes", &["public_code"])]).await?;

        let mut t = table("training_enrolments");
        references(
            &mut t,
            "training_enrolments",
            "programme_id",
            "training_programmes",
        );
        references(&mut t, "training_enrolments", "prisoner_id", "prisoners");
        t.col(int_default("hours_completed", 0))
            .col(string("status"))
            .col(timestamp("created_at"));
        create(
            m,
            t,
            vec![unique(
                "training_enrolments",
                &["programme_id", "prisoner_id"],
            )],
        )
        .await?;

        let mut t = table("certificates");
        references(&mut t, "certificates", "prisoner_id", "prisoners");
        references_null(
            &mut t,
            "certificates",
            "programme_id",
            "training_programmes",
        );
        t.col(string("title"))
            .col(string("skill"))
            .col(date("issued_on"))
            .col(timestamp("created_at"));
        create(m, t, vec![index("certificates", &["prisoner_id"])]).await?;

        let mut t = table("job_postings");
        t.col(string("public_code"));
        references(&mut t, "job_postings", "entrepreneur_id", "entrepreneurs");
        references(&mut t, "job_postings", "province_id", "provinces");
        t.col(string("title"))
            .col(text("skills"))
            .col(bigint("pay_rials"))
            .col(string("status"))
            .col(date_null("early_hire_until"))
            .col(timestamp("created_at"));
        create(
            m,
            t,
            vec![
                unique("job_postings", &["public_code"]),
                index("job_postings", &["status", "province_id"]),
            ],
        )
        .await?;

        let mut t = table("job_applications");
        references(&mut t, "job_applications", "posting_id", "job_postings");
        references(&mut t, "job_applications", "prisoner_id", "prisoners");
        t.col(string("status")).col(timestamp("created_at"));
        create(
            m,
            t,
            vec![unique("job_applications", &["posting_id", "prisoner_id"])],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_all(m, TABLES).await
    }
}
