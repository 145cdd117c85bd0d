use super::*;
use crate::giving::category_key;
use crate::i18n::{localize_digits, t, translate, use_i18n, Locale};
use crate::ui::{BarChart, Money, Num};

/// When the figures were taken, in Tehran time (UTC+03:30; Iran keeps no daylight time since
/// 2022): "Figures as of 9 Azar 1405, 11:20 (Tehran time)", in the locale's words and digits.
pub fn as_of(taken: chrono::DateTime<chrono::Utc>, l: Locale) -> String {
    let tehran = taken + chrono::Duration::minutes(210);
    localize_digits(
        &format!(
            "{} {}{} {}",
            translate(l, "transparency.as_of"),
            crate::i18n::format_date(tehran.date_naive(), l),
            translate(l, "transparency.as_of_time"),
            tehran.format("%H:%M"),
        ),
        l,
    )
}

#[component]
pub fn TransparencyPage() -> impl IntoView {
    let i18n = use_i18n();
    let report = Resource::new(|| (), |_| transparency_report());
    view! {
        <section class="transparency">
            <crate::ui::PageMeta title="transparency.title" description="transparency.lede"/><h1>{t("transparency.title")}</h1>
            <p class="lede">{t("transparency.lede")}</p>
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || report.get().map(|r| match r {
                    Ok(r) => {
                        let l = i18n.get();
                        let month_labels: Vec<String> = r.months.iter().map(|m| crate::i18n::format_month(m.year, m.month, l)).collect();
                        let month_values: Vec<i64> = r.months.iter().map(|m| m.raised_rials).collect();
                        let mut provinces = r.provinces.clone();
                        provinces.sort_by_key(|p| std::cmp::Reverse(p.raised_rials));
                        provinces.truncate(10);
                        let prov_labels: Vec<String> = provinces.iter().map(|p| if l == Locale::Fa { p.name_fa.clone() } else { p.name_en.clone() }).collect();
                        let prov_values: Vec<i64> = provinces.iter().map(|p| p.raised_rials).collect();
                        let cat_labels: Vec<String> = r.categories.iter().map(|c| translate(l, category_key(&c.category)).to_string()).collect();
                        let cat_values: Vec<i64> = r.categories.iter().map(|c| c.raised_rials).collect();
                        let s = r.summary.clone();
                        let taken = r.taken_at.map(|at| as_of(at, l));
                        view! {
                            {taken.map(|text| view! { <p class="muted small" id="figures-as-of">{text}</p> })}
                            <dl class="stats" id="transparency-totals">
                                <div class="stat"><dt class="stat-label">{t("transparency.raised")}</dt><dd class="stat-value"><Money rials=s.raised_rials/></dd></div>
                                <div class="stat"><dt class="stat-label">{t("transparency.disbursed")}</dt><dd class="stat-value"><Money rials=r.disbursed_rials/></dd></div>
                                <div class="stat"><dt class="stat-label">{t("home.stat_families")}</dt><dd class="stat-value"><Num n=s.families_supported/></dd></div>
                                <div class="stat"><dt class="stat-label">{t("home.stat_freed")}</dt><dd class="stat-value"><Num n=s.prisoners_freed/></dd></div>
                            </dl>
                            <p class="muted small">{t("transparency.unit_note")}</p>
                            <BarChart id="chart-months" title_key="transparency.by_month" labels=month_labels values=month_values/>
                            <table class="data stack" id="chart-months-table">
                                <caption>{t("transparency.by_month")}</caption>
                                <thead><tr><th scope="col">{t("transparency.month")}</th><th scope="col">{t("transparency.raised")}</th><th scope="col">{t("transparency.disbursed")}</th><th scope="col">{t("transparency.gifts")}</th></tr></thead>
                                <tbody>
                                    {r.months.iter().map(|m| view! {
                                        <tr><th scope="row">{crate::i18n::format_month(m.year, m.month, l)}</th><td data-label=translate(l, "transparency.raised")><Money rials=m.raised_rials/></td><td data-label=translate(l, "transparency.disbursed")><Money rials=m.disbursed_rials/></td><td data-label=translate(l, "transparency.gifts")><Num n=m.gifts/></td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <p><a href="/api/v1/months.csv" download="karamat-months.csv">{t("transparency.csv")} " " <crate::ui::Code code="CSV"/></a></p>
                            <BarChart id="chart-provinces" title_key="transparency.by_province" labels=prov_labels values=prov_values/>
                            <table class="data stack" id="chart-provinces-table">
                                <caption>{t("transparency.by_province")}</caption>
                                <thead><tr><th scope="col">{t("needs.province")}</th><th scope="col">{t("transparency.raised")}</th><th scope="col">{t("transparency.needs_met")}</th></tr></thead>
                                <tbody>
                                    {r.provinces.iter().map(|p| view! {
                                        <tr><th scope="row">{if l == Locale::Fa { p.name_fa.clone() } else { p.name_en.clone() }}</th><td data-label=translate(l, "transparency.raised")><Money rials=p.raised_rials/></td><td data-label=translate(l, "transparency.needs_met")><Num n=p.needs_met/></td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <p><a href="/api/v1/provinces.csv" download="karamat-provinces.csv">{t("transparency.csv")} " " <crate::ui::Code code="CSV"/></a></p>
                            <BarChart id="chart-categories" title_key="transparency.by_category" labels=cat_labels values=cat_values/>
                            <table class="data stack" id="chart-categories-table">
                                <caption>{t("transparency.by_category")}</caption>
                                <thead><tr><th scope="col">{t("needs.category")}</th><th scope="col">{t("transparency.raised")}</th><th scope="col">{t("transparency.needs_met")}</th></tr></thead>
                                <tbody>
                                    {r.categories.iter().map(|c| view! {
                                        <tr><th scope="row">{translate(l, category_key(&c.category))}</th><td data-label=translate(l, "transparency.raised")><Money rials=c.raised_rials/></td><td data-label=translate(l, "transparency.needs_met")><Num n=c.needs_met/></td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <p><a href="/api/v1/categories.csv" download="karamat-categories.csv">{t("transparency.csv")} " " <crate::ui::Code code="CSV"/></a></p>
                            <table class="data stack" id="intentions-table">
                                <caption>{t("transparency.by_intention")}</caption>
                                <thead><tr><th scope="col">{t("give.intention")}</th><th scope="col">{t("transparency.gifts")}</th><th scope="col">{t("transparency.raised")}</th></tr></thead>
                                <tbody>
                                    {r.intentions.iter().map(|i| view! {
                                        <tr data-intention=i.intention.as_str()><th scope="row">{translate(l, crate::giving::intention_key(i.intention))}</th><td data-label=translate(l, "transparency.gifts")><Num n=i.gifts/></td><td data-label=translate(l, "transparency.raised")><Money rials=i.raised_rials/></td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <p class="muted small">{t("transparency.intention_note")} " " <a href="/give/intentions">{t("give.intention_rules")}</a></p>
                            <p><a href="/api/v1/intentions.csv" download="karamat-intentions.csv">{t("transparency.csv")} " " <crate::ui::Code code="CSV"/></a></p>
                            {(!r.matches.is_empty()).then(|| view! {
                                <table class="data stack" id="matches-table">
                                    <caption>{t("transparency.by_sponsor")}</caption>
                                    <thead><tr><th scope="col">{t("match.sponsor")}</th><th scope="col">{t("transparency.gifts")}</th><th scope="col">{t("match.matched")}</th><th scope="col">{t("match.received")}</th></tr></thead>
                                    <tbody>
                                        {r.matches.iter().map(|m| view! {
                                            <tr><th scope="row"><crate::ui::DataText text=m.sponsor.clone()/></th><td data-label=translate(l, "transparency.gifts")><Num n=m.gifts/></td><td data-label=translate(l, "match.matched")><Money rials=m.matched_rials/></td><td data-label=translate(l, "match.received")><Money rials=m.received_rials/></td></tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                <p class="muted small">{t("transparency.match_note")}</p>
                            })}
                            <p class="muted">{t("transparency.api")} " " <a href="/api/v1/openapi.json"><bdi dir="ltr">"/api/v1/openapi.json"</bdi></a></p>
                        }.into_any()
                    }
                    Err(e) => view! { <p class="error" role="alert">{i18n.t(e.message_key())}</p> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
