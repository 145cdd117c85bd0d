//! `/staff/kpis`: key figures by province, month and kind, with charts, tables and a CSV.

use super::*;

/// `/staff/kpis`: key figures by province for the provinces this person may see, the last twelve
/// Solar Hijri months (of everything in scope, or of one province: `?province=THR`), charts with
/// their tables, a CSV of the provinces, when the figures were taken and a button to take them
/// again.
#[component]
pub fn KpiPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let province = move || query.with(|q| q.get("province").filter(|p| !p.is_empty()));
    let refresh = ServerAction::<StaffKpisRefresh>::new();
    let data = Resource::new(
        move || (province(), refresh.version().get()),
        |(p, _)| staff_kpis(p),
    );
    let refresh_error = Signal::derive(move || refresh.value().get().and_then(|r| r.err()));
    view! {
        <section class="panel wide" id="kpis">
            <crate::ui::PageMeta title="staff.kpis"/><h1>{t("staff.kpis")}</h1>
            <div class="kpi-actions">
                <a href="/staff/kpis.csv" class="button secondary" download>{t("transparency.csv")} " " <crate::ui::Code code="CSV"/></a>
                <ActionForm action=refresh attr:class="inline-form" attr:id="kpi-refresh">
                    <button type="submit" class="button secondary">{t("staff.kpi_refresh")}</button>
                </ActionForm>
            </div>
            <ErrorNote error=refresh_error/>
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || data.get().map(|r| match (i18n.get(), r).1 {
                    Err(e) => view! { <p class="error">{move || i18n.t(e.message_key())}</p> }.into_any(),
                    Ok(k) => view! { <KpiBody k/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// When the figures were taken, in Tehran time.
pub(super) fn taken_at(rfc3339: &str, l: crate::i18n::Locale) -> String {
    match chrono::DateTime::parse_from_rfc3339(rfc3339) {
        Ok(t) => {
            let tehran = t.naive_utc() + chrono::Duration::minutes(210);
            crate::i18n::localize_digits(
                &format!(
                    "{} {}",
                    crate::i18n::format_date(tehran.date(), l),
                    tehran.format("%H:%M")
                ),
                l,
            )
        }
        Err(_) => String::new(),
    }
}

/// The figures themselves; the locale is read once (the page re-renders on a language switch).
#[component]
pub(super) fn KpiBody(k: Kpis) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.locale.get_untracked();
    let fa = l == crate::i18n::Locale::Fa;
    let name = move |r: &KpiRow| {
        if fa {
            r.name_fa.clone()
        } else {
            r.name_en.clone()
        }
    };
    let active: Vec<KpiRow> = k
        .provinces
        .iter()
        .filter(|r| r.families > 0 || r.raised_rials > 0)
        .cloned()
        .collect();
    let labels = active.iter().map(name).collect::<Vec<_>>();
    let raised = active.iter().map(|r| r.raised_rials).collect::<Vec<_>>();
    let months_title = match k
        .province
        .as_ref()
        .and_then(|c| k.provinces.iter().find(|r| &r.province == c))
    {
        Some(r) => name(r),
        None => crate::i18n::translate(l, "staff.kpi_all_in_scope").to_string(),
    };
    let month_labels: Vec<String> = k
        .months
        .iter()
        .map(|m| crate::i18n::format_period(&m.period, l))
        .collect();
    let month_raised: Vec<i64> = k.months.iter().map(|m| m.raised_rials).collect();
    let month_wages: Vec<i64> = k.months.iter().map(|m| m.wages_rials).collect();
    let taken = taken_at(&k.refreshed_at, l);
    let narrowed = k.provinces.len() > 1 && k.province.is_some();
    let per_mille = move |v: Option<i64>| match v {
        Some(v) => crate::i18n::format_percent(v, 10, l),
        None => "—".to_string(),
    };
    let num = move |v: i64| crate::i18n::format_number(v, l);
    let dash = move |v: Option<i64>| v.map(num).unwrap_or_else(|| "—".into());
    view! {
        <p class="muted" id="kpi-taken">{t("staff.kpi_taken_at")}" "<time datetime=k.refreshed_at.clone()>{taken}</time></p>
        <h2 id="kpi-months-title">{t("staff.kpi_months")}" — "{months_title}</h2>
        {narrowed.then(|| view! { <p><a href="/staff/kpis" id="kpi-all">{t("staff.kpi_all_in_scope")}</a></p> })}
        <crate::ui::BarChart id="kpi-months-raised" title_key="staff.kpi_raised" labels=month_labels.clone() values=month_raised/>
        <crate::ui::BarChart id="kpi-months-wages" title_key="staff.kpi_wages" labels=month_labels values=month_wages/>
        <div class="table-scroll" id="kpi-months-wages-table">
        <table class="data" id="kpi-months-raised-table">
            <caption>{t("staff.kpi_months")}</caption>
            <thead><tr>
                <th scope="col">{t("transparency.month")}</th><th scope="col">{t("staff.kpi_families_new")}</th><th scope="col">{t("staff.kpi_published")}</th>
                <th scope="col">{t("staff.kpi_funded")}</th><th scope="col">{t("staff.kpi_delivered")}</th><th scope="col">{t("staff.kpi_median_days_month")}</th>
                <th scope="col">{t("staff.kpi_raised")}</th><th scope="col">{t("staff.kpi_disbursed")}</th><th scope="col">{t("staff.kpi_freed")}</th>
                <th scope="col">{t("staff.kpi_forgiveness")}</th><th scope="col">{t("staff.kpi_workers_paid")}</th>
                <th scope="col">{t("staff.kpi_wages")}</th><th scope="col">{t("staff.kpi_family_share")}</th>
            </tr></thead>
            <tbody>
                {k.months.iter().map(|m| view! {
                    <tr data-period=m.period.clone()>
                        <th scope="row">{crate::i18n::format_period(&m.period, l)}</th><td>{num(m.families)}</td><td>{num(m.needs_published)}</td>
                        <td>{num(m.needs_funded)}</td><td>{num(m.needs_delivered)}</td><td>{dash(m.median_days_to_fund)}</td>
                        <td>{format_toman(m.raised_rials, l)}</td><td>{format_toman(m.disbursed_rials, l)}</td><td>{num(m.prisoners_freed)}</td>
                        <td>{format_toman(m.forgiveness_rials, l)}</td><td>{num(m.workers)}</td>
                        <td>{format_toman(m.wages_rials, l)}</td><td>{format_toman(m.family_share_rials, l)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        </div>
        <h2>{t("staff.kpi_provinces")}</h2>
        <crate::ui::BarChart id="kpi-raised" title_key="staff.kpi_raised" labels=labels values=raised/>
        <div class="table-scroll">
        <table class="data" id="kpi-raised-table">
            <caption>{t("staff.kpi_provinces")}</caption>
            <thead><tr>
                <th scope="col">{t("staff.province")}</th><th scope="col">{t("staff.kpi_families")}</th><th scope="col">{t("staff.kpi_published")}</th>
                <th scope="col">{t("staff.kpi_funded")}</th><th scope="col">{t("staff.kpi_delivered")}</th><th scope="col">{t("staff.kpi_median_days")}</th>
                <th scope="col">{t("staff.kpi_raised")}</th><th scope="col">{t("staff.kpi_disbursed")}</th><th scope="col">{t("staff.kpi_freed")}</th>
                <th scope="col">{t("staff.kpi_forgiveness")}</th><th scope="col">{t("staff.kpi_prisoners")}</th><th scope="col">{t("staff.kpi_workers")}</th>
                <th scope="col">{t("staff.kpi_employment")}</th><th scope="col">{t("staff.kpi_wages")}</th><th scope="col">{t("staff.kpi_family_share")}</th>
            </tr></thead>
            <tbody>
                {k.provinces.iter().map(|r| view! {
                    <tr data-province=r.province.clone()>
                        <th scope="row"><a href=format!("/staff/kpis?province={}", r.province)>{name(r)}</a></th>
                        <td>{num(r.families)}</td><td>{num(r.needs_published)}</td><td>{num(r.needs_funded)}</td>
                        <td>{num(r.needs_delivered)}</td><td>{dash(r.median_days_to_fund)}</td>
                        <td>{format_toman(r.raised_rials, l)}</td><td>{format_toman(r.disbursed_rials, l)}</td>
                        <td>{num(r.prisoners_freed)}</td><td>{format_toman(r.forgiveness_rials, l)}</td>
                        <td>{num(r.prisoners_held)}</td><td>{num(r.workers)}</td><td>{per_mille(r.employment_per_mille())}</td>
                        <td>{format_toman(r.wages_rials, l)}</td><td>{format_toman(r.family_share_rials, l)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}
