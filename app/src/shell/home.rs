use crate::error::AppError;
use crate::i18n::{format_number, format_toman, t, use_i18n};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Public aggregates for the home page: no record, only totals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpactSummary {
    pub raised_rials: i64,
    pub families_supported: i64,
    pub prisoners_freed: i64,
    pub workers_employed: i64,
}

#[server(prefix = "/api", endpoint = "public/impact")]
pub async fn impact_totals() -> Result<ImpactSummary, AppError> {
    let state = crate::platform::use_state()?;
    impact_totals_from(&state.db).await
}

#[cfg(feature = "ssr")]
pub async fn impact_totals_from(
    db: &sea_orm::DatabaseConnection,
) -> Result<ImpactSummary, AppError> {
    use sea_orm::{ConnectionTrait, Statement};
    let sql = "SELECT \
        (SELECT CAST(COALESCE(SUM(amount_rials), 0) AS BIGINT) FROM donations WHERE status = 'settled') AS raised, \
        (SELECT COUNT(DISTINCT family_id) FROM needs WHERE status IN ('funded','purchased','delivered')) AS families, \
        (SELECT COUNT(*) FROM release_campaigns WHERE status IN ('released','closed')) AS freed, \
        (SELECT COUNT(DISTINCT prisoner_id) FROM worker_assignments WHERE status = 'active') AS workers";
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .ok_or(AppError::Internal)?;
    Ok(ImpactSummary {
        raised_rials: row.try_get("", "raised")?,
        families_supported: row.try_get("", "families")?,
        prisoners_freed: row.try_get("", "freed")?,
        workers_employed: row.try_get("", "workers")?,
    })
}

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let totals = Resource::new(|| (), |_| impact_totals());
    let stat = move |value: String, label: &'static str| {
        view! {
            <div class="stat">
                <span class="stat-value">{value}</span>
                <span class="stat-label">{move || i18n.t(label)}</span>
            </div>
        }
    };
    view! {
        <section class="hero">
            <h1>{t("home.title")}</h1>
            <p class="lede">{t("home.lede")}</p>
        </section>
        <section class="stats" aria-label=move || i18n.t("home.impact")>
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || totals.get().map(|r| match r {
                    Ok(x) => {
                        let l = i18n.get();
                        view! {
                            {stat(format_toman(x.raised_rials, l), "home.stat_raised")}
                            {stat(format_number(x.families_supported, l), "home.stat_families")}
                            {stat(format_number(x.prisoners_freed, l), "home.stat_freed")}
                            {stat(format_number(x.workers_employed, l), "home.stat_workers")}
                        }.into_any()
                    }
                    Err(e) => view! { <p class="error">{i18n.t(e.message_key())}</p> }.into_any(),
                })}
            </Suspense>
        </section>
        <div class="faces">
            <section id="giving" class="face">
                <h2>{t("face.giving.title")}</h2>
                <p>{t("face.giving.body")}</p>
                <p class="actions">
                    <a class="button" href="/needs">{t("face.giving.cta")}</a>
                    <a class="button primary" href="/give" id="give-urgent">{t("give.urgent_cta")}</a>
                </p>
            </section>
            <section id="release" class="face">
                <h2>{t("face.release.title")}</h2>
                <p>{t("face.release.body")}</p>
            </section>
            <section id="employment" class="face">
                <h2>{t("face.employment.title")}</h2>
                <p>{t("face.employment.body")}</p>
            </section>
        </div>
    }
}
