//! `/staff/families`: the families in the person's scope, found by file code, province, status and
//! consent. Only what a file's header shows (code, province, household size, status, consent, open
//! needs): the sealed fields stay sealed, and reading one is still a recorded act on the file itself.

use crate::error::AppError;
use crate::i18n::{t, use_i18n, Locale};
use crate::platform::status::FamilyStatus;
use crate::ui::{Code, Day, Num, PageMeta};
use leptos::prelude::*;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

/// Family file statuses a search may ask for.
pub const FAMILY_STATUSES: [FamilyStatus; 2] = [FamilyStatus::Active, FamilyStatus::Closed];

/// Rows per page.
pub const FAMILIES_PER_PAGE: u64 = 50;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyQuery {
    /// The start of a file code (`F-THR`, `F-THR-0001`), any digits.
    pub code: Option<String>,
    /// A province code.
    pub province: Option<String>,
    pub status: Option<String>,
    /// `given` or `none`.
    pub consent: Option<String>,
    pub page: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyRow {
    pub code: String,
    pub province_fa: String,
    pub province_en: String,
    pub household_size: i64,
    pub status: FamilyStatus,
    pub consent: bool,
    /// Needs still on their way (drafted, published, funded or bought, not yet delivered).
    pub open_needs: i64,
    pub opened_on: chrono::NaiveDate,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyList {
    pub items: Vec<FamilyRow>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
}

#[server(prefix = "/api", endpoint = "staff/families")]
pub async fn list_families(#[server(default)] query: FamilyQuery) -> Result<FamilyList, AppError> {
    crate::auth::ssr::with_permission(crate::auth::Permission::ViewCases, async |s, who| {
        find_families(&s, &who, &query).await
    })
    .await
}

#[cfg(feature = "ssr")]
pub use ssr::find_families;

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::auth::ssr::Authed;
    use crate::platform::entity::{family, province};
    use crate::state::AppState;
    use sea_orm::{
        ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
        QueryOrder, QuerySelect, Statement,
    };

    /// A filter's value, or `None` when the form left it empty.
    fn some(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }

    fn bad() -> AppError {
        AppError::invalid("query", "validation.filter")
    }

    /// The families a person's scopes reach, as a condition (`None`: every family). The same rule
    /// as `Authed::covers`: a prison scope reaches that prison's families, a province scope the
    /// province's.
    fn scope(who: &Authed) -> Option<Condition> {
        if who.scopes.is_empty()
            || who
                .scopes
                .iter()
                .any(|s| s.province_id.is_none() && s.prison_id.is_none())
        {
            return None;
        }
        Some(who.scopes.iter().fold(Condition::any(), |any, s| {
            match (s.prison_id, s.province_id) {
                (Some(p), _) => any.add(family::Column::PrisonId.eq(p)),
                (None, Some(pr)) => any.add(family::Column::ProvinceId.eq(pr)),
                (None, None) => any,
            }
        }))
    }

    pub async fn find_families(
        state: &AppState,
        who: &Authed,
        q: &FamilyQuery,
    ) -> Result<FamilyList, AppError> {
        let db = &state.db;
        let mut cond = Condition::all();
        if let Some(s) = scope(who) {
            cond = cond.add(s);
        }
        if let Some(code) = some(&q.code) {
            let code = crate::validation::latin_digits(code).to_ascii_uppercase();
            if code.len() > 32 || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return Err(AppError::invalid("code", "staff.family_code_invalid"));
            }
            cond = cond.add(family::Column::PublicCode.starts_with(code));
        }
        if let Some(p) = some(&q.province) {
            let p = province::Entity::find()
                .filter(province::Column::Code.eq(p))
                .one(db)
                .await?
                .ok_or_else(bad)?;
            cond = cond.add(family::Column::ProvinceId.eq(p.id));
        }
        if let Some(s) = some(&q.status) {
            let s = FamilyStatus::parse(s).ok_or_else(bad)?;
            cond = cond.add(family::Column::Status.eq(s));
        }
        match some(&q.consent) {
            None => {}
            Some("given") => cond = cond.add(family::Column::ConsentPublish.eq(true)),
            Some("none") => cond = cond.add(family::Column::ConsentPublish.eq(false)),
            Some(_) => return Err(bad()),
        }
        let found = family::Entity::find().filter(cond);
        let total = found.clone().count(db).await?;
        let pages = total.div_ceil(FAMILIES_PER_PAGE).max(1);
        let page = q.page.unwrap_or(1).clamp(1, pages);
        let rows = found
            .order_by_desc(family::Column::Id)
            .offset((page - 1) * FAMILIES_PER_PAGE)
            .limit(FAMILIES_PER_PAGE)
            .all(db)
            .await?;
        let provinces = crate::giving::service::province_map(db).await?;
        // One grouped query for the page's open needs (the ids are our own integers).
        let mut open = std::collections::HashMap::<i64, i64>::new();
        if !rows.is_empty() {
            let ids = rows
                .iter()
                .map(|f| f.id.to_string())
                .collect::<Vec<_>>()
                .join(",");
            let sql = format!(
                "SELECT family_id, CAST(COUNT(*) AS BIGINT) AS n FROM needs WHERE family_id IN ({ids}) \
                 AND status IN ('awaiting_verification','published','funded','purchased') GROUP BY family_id"
            );
            for r in db
                .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
                .await?
            {
                open.insert(r.try_get("", "family_id")?, r.try_get("", "n")?);
            }
        }
        tracing::info!(user = who.user_id, total, page, "family list");
        Ok(FamilyList {
            items: rows
                .into_iter()
                .map(|f| {
                    let p = provinces.get(&f.province_id);
                    FamilyRow {
                        province_fa: p.map(|p| p.name_fa.clone()).unwrap_or_default(),
                        province_en: p.map(|p| p.name_en.clone()).unwrap_or_default(),
                        household_size: f.household_size as i64,
                        status: f.status,
                        consent: f.consent_publish,
                        open_needs: open.get(&f.id).copied().unwrap_or(0),
                        opened_on: f.created_at.date_naive(),
                        code: f.public_code,
                    }
                })
                .collect(),
            total,
            page,
            pages,
        })
    }
}

fn status_key(s: FamilyStatus) -> &'static str {
    match s {
        FamilyStatus::Closed => "staff.family_status_closed",
        FamilyStatus::Active => "staff.family_status_active",
    }
}

/// `/staff/families?code=&province=&status=&consent=&page=`: filters live in the URL.
#[component]
pub fn FamilyListPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let q = Memo::new(move |_| {
        query.with(|m| {
            let get = |k: &str| m.get(k).filter(|v| !v.is_empty());
            FamilyQuery {
                code: get("code"),
                province: get("province"),
                status: get("status"),
                consent: get("consent"),
                page: get("page").and_then(|p| crate::validation::latin_digits(&p).parse().ok()),
            }
        })
    });
    let list = Resource::new(move || q.get(), list_families);
    let chosen =
        move |f: fn(&FamilyQuery) -> Option<String>, v: &str| f(&q.get()).as_deref() == Some(v);
    let page_link = move |page: u64| {
        let cur = q.get_untracked();
        let mut parts = vec![format!("page={page}")];
        for (k, v) in [
            ("code", cur.code),
            ("province", cur.province),
            ("status", cur.status),
            ("consent", cur.consent),
        ] {
            if let Some(v) = v {
                parts.push(format!("{k}={}", crate::ui::encode_query_value(&v)));
            }
        }
        format!("/staff/families?{}", parts.join("&"))
    };
    view! {
        <section class="panel wide" id="family-list">
            <PageMeta title="staff.families"/>
            <h1>{t("staff.families")}</h1>
            <p class="muted">{t("staff.families_intro")}</p>
            <Form method="GET" action="/staff/families" attr:class="filters" attr:role="search" attr:id="family-filters">
                <label>
                    <span>{t("staff.family_code")}</span>
                    <input type="search" name="code" dir="ltr" maxlength="32" autocomplete="off" prop:value=move || q.get().code.unwrap_or_default()/>
                </label>
                <label>
                    <span>{t("needs.province")}</span>
                    <select name="province">
                        <option value="">{t("needs.all_provinces")}</option>
                        <crate::giving::ProvinceOptions selected=Signal::derive(move || q.get().province)/>
                    </select>
                </label>
                <label>
                    <span>{t("staff.family_status")}</span>
                    <select name="status">
                        <option value="">{t("staff.any")}</option>
                        {FAMILY_STATUSES.iter().map(|s| view! {
                            <option value=s.as_str() selected=move || chosen(|q| q.status.clone(), s.as_str())>{t(status_key(*s))}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    <span>{t("staff.consent")}</span>
                    <select name="consent">
                        <option value="">{t("staff.any")}</option>
                        <option value="given" selected=move || chosen(|q| q.consent.clone(), "given")>{t("staff.consent_given")}</option>
                        <option value="none" selected=move || chosen(|q| q.consent.clone(), "none")>{t("staff.consent_none")}</option>
                    </select>
                </label>
                <button type="submit" class="button">{t("needs.filter")}</button>
            </Form>
            <Transition fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || list.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{move || i18n.t(e.message_key())}</p> }.into_any(),
                    Ok(l) => view! {
                        <p class="muted" id="families-count"><Num n=l.total as i64/> " " {t("staff.families_count")}</p>
                        {l.items.is_empty().then(|| view! { <p class="empty">{t("staff.families_none")}</p> })}
                        <table class="data stack" id="families">
                            <thead><tr>
                                <th scope="col">{t("staff.family_code")}</th><th scope="col">{t("needs.province")}</th>
                                <th scope="col">{t("staff.household_size")}</th><th scope="col">{t("staff.family_status")}</th>
                                <th scope="col">{t("staff.consent")}</th><th scope="col">{t("staff.open_needs")}</th>
                                <th scope="col">{t("staff.opened_on")}</th>
                            </tr></thead>
                            <tbody>
                                {l.items.into_iter().map(|f| {
                                    let l = i18n.get();
                                    let label = move |k: &'static str| crate::i18n::translate(l, k);
                                    let status = status_key(f.status);
                                    let href = format!("/staff/families/{}", f.code);
                                    let (code, row_code) = (f.code.clone(), f.code.clone());
                                    let province = if l == Locale::Fa { f.province_fa.clone() } else { f.province_en.clone() };
                                    view! {
                                        <tr data-code=row_code>
                                            <th scope="row"><A href=href><Code code=code/></A></th>
                                            <td data-label=label("needs.province")>{province}</td>
                                            <td data-label=label("staff.household_size")><Num n=f.household_size/></td>
                                            <td data-label=label("staff.family_status")>{move || i18n.t(status)}</td>
                                            <td data-label=label("staff.consent")>{if f.consent { t("staff.consent_given").into_any() } else { t("staff.consent_none").into_any() }}</td>
                                            <td data-label=label("staff.open_needs")><Num n=f.open_needs/></td>
                                            <td data-label=label("staff.opened_on")><Day date=f.opened_on/></td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        <nav class="pager" aria-label=move || i18n.t("needs.pages")>
                            {(l.page > 1).then(|| view! { <A href=page_link(l.page - 1) attr:rel="prev">{t("needs.prev")}</A> })}
                            <span><Num n=l.page as i64/> " / " <Num n=l.pages as i64/></span>
                            {(l.page < l.pages).then(|| view! { <A href=page_link(l.page + 1) attr:rel="next">{t("needs.next")}</A> })}
                        </nav>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}
