//! Families, their household members and prisoners. Personal fields are sealed (`*_enc`).

use crate::dsl::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &["families", "household_members", "prisoners"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = table("families");
        t.col(string("public_code"));
        references(&mut t, "families", "province_id", "provinces");
        references_null(&mut t, "families", "prison_id", "prisons");
        t.col(sealed("head_name_enc"))
            .col(sealed_null("national_code_enc"))
            .col(string_null("national_code_bidx"))
            .col(sealed_null("phone_enc"))
            .col(sealed_null("address_enc"))
            .col(sealed_null("situation_enc"))
            .col(string("key_id"))
            .col(int("household_size"))
            .col(string("status"))
            .col(boolean("consent_publish", false))
            .col(timestamp_null("consent_recorded_at"))
            .col(timestamp_null("consent_withdrawn_at"));
        references_null(&mut t, "families", "created_by", "users");
        t.col(timestamp("created_at")).col(timestamp("updated_at"));
        create(
            m,
            t,
            vec![
                unique("families", &["public_code"]),
                index("families", &["province_id"]),
                index("families", &["national_code_bidx"]),
            ],
        )
        .await?;

        let mut t = table("household_members");
        references(&mut t, "household_members", "family_id", "families");
        t.col(sealed("name_enc"))
            .col(sealed_null("national_code_enc"))
            .col(string_null("national_code_bidx"))
            .col(string("key_id"))
            .col(string("relation"))
            .col(int_null("birth_year"))
            .col(boolean("is_child", false))
            .col(string_null("school_grade"));
        create(m, t, vec![index("household_members", &["family_id"])]).await?;

        let mut t = table("prisoners");
        t.col(string("public_code"));
        references_null(&mut t, "prisoners", "family_id", "families");
        references(&mut t, "prisoners", "prison_id", "prisons");
        t.col(sealed("name_enc"))
            .col(sealed_null("national_code_enc"))
            .col(string_null("national_code_bidx"))
            .col(string("key_id"))
            .col(string("offence_category"))
            .col(date("sentence_start"))
            .col(date_null("sentence_end"))
            .col(string("conduct"))
            .col(text("skills"))
            .col(boolean("prior_conviction", false))
            .col(boolean("consent_work", false))
            .col(timestamp_null("consent_work_at"))
            .col(boolean("consent_campaign", false))
            .col(timestamp_null("consent_campaign_at"))
            .col(boolean("consent_jobs_after_release", false))
            .col(date_null("released_on"))
            .col(timestamp("created_at"))
            .col(timestamp("updated_at"));
        create(
            m,
            t,
            vec![
                unique("prisoners", &["public_code"]),
                index("prisoners", &["prison_id"]),
                index("prisoners", &["family_id"]),
                index("prisoners", &["national_code_bidx"]),
            ],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_all(m, TABLES).await
    }
}
