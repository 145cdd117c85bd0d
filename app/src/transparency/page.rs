use super::*;
use crate::giving::category_key;
use crate::i18n::{format_number, format_toman, localize_digits, t, translate, use_i18n, Locale};

const MONTH_KEYS: [&str; 12] = [
    "month.1", "month.2", "month.3", "month.4", "month.5", "month.6", "month.7", "month.8",
    "month.9", "month.10", "month.11", "month.12",
];

/// A horizontal bar chart in SVG. Bars grow from the reading start: right in Persian, left in
/// English (the bars are mirrored, the text is not). The table below each chart is its text
/// alternative, and `aria-describedby` points at it.
#[component]
pub fn BarChart(
    id: &'static str,
    title_key: &'static str,
    labels: Vec<String>,
    values: Vec<i64>,
) -> impl IntoView {
    let i18n = use_i18n();
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    let row_h = 28;
    let label_w = 130;
    let width = 600;
    let bar_w = width - label_w - 120;
    let height = row_h * labels.len().max(1) as i32 + 8;
    let rows: Vec<(usize, String, i64)> = labels
        .into_iter()
        .zip(values)
        .enumerate()
        .map(|(i, (l, v))| (i, l, v))
        .collect();
    let table_id = format!("{id}-table");
    view! {
        <figure class="chart" id=id>
            <figcaption>{move || i18n.t(title_key)}</figcaption>
            <svg viewBox=format!("0 0 {width} {height}") role="img" width="100%"
                aria-labelledby=format!("{id}-title") aria-describedby=table_id.clone()>
                <title id=format!("{id}-title")>{move || i18n.t(title_key)}</title>
                {rows.into_iter().map(|(i, label, v)| {
                    let y = i as i32 * row_h + 4;
                    let w = ((v as i128 * bar_w as i128) / max as i128) as i32;
                    move || {
                        let rtl = i18n.get() == Locale::Fa;
                        // Persian: label at the right edge, bar growing leftwards from it.
                        let (label_x, anchor, bar_x, value_x, value_anchor) = if rtl {
                            (width - 4, "end", width - label_w - w, width - label_w - w - 6, "end")
                        } else {
                            (4, "start", label_w, label_w + w + 6, "start")
                        };
                        let l = i18n.get();
                        view! {
                            <g class="bar-row">
                                <text x=label_x y=y + 18 text-anchor=anchor class="bar-label">{label.clone()}</text>
                                <rect x=bar_x y=y + 4 width=w.max(1) height=row_h - 10 rx="3" class="bar"></rect>
                                <text x=value_x y=y + 18 text-anchor=value_anchor class="bar-value">{format_number(v / 10, l)}</text>
                            </g>
                        }
                    }
                }).collect_view()}
            </svg>
        </figure>
    }
}

/// `Azar 1405` in the locale's words and digits.
pub fn month_label(year: i32, month: u8, l: Locale) -> String {
    localize_digits(
        &format!(
            "{} {}",
            translate(l, MONTH_KEYS[(month.clamp(1, 12) - 1) as usize]),
            year
        ),
        l,
    )
}

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
            <h1>{t("transparency.title")}</h1>
            <p class="lede">{t("transparency.lede")}</p>
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || report.get().map(|r| match r {
                    Ok(r) => {
                        let l = i18n.get();
                        let month_labels: Vec<String> = r.months.iter().map(|m| month_label(m.year, m.month, l)).collect();
                        let month_values: Vec<i64> = r.months.iter().map(|m| m.raised_rials).collect();
                        let mut provinces = r.provinces.clone();
                        provinces.sort_by(|a, b| b.raised_rials.cmp(&a.raised_rials));
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
                                <div class="stat"><dt class="stat-label">{t("transparency.raised")}</dt><dd class="stat-value">{format_toman(s.raised_rials, l)}</dd></div>
                                <div class="stat"><dt class="stat-label">{t("transparency.disbursed")}</dt><dd class="stat-value">{format_toman(r.disbursed_rials, l)}</dd></div>
                                <div class="stat"><dt class="stat-label">{t("home.stat_families")}</dt><dd class="stat-value">{format_number(s.families_supported, l)}</dd></div>
                                <div class="stat"><dt class="stat-label">{t("home.stat_freed")}</dt><dd class="stat-value">{format_number(s.prisoners_freed, l)}</dd></div>
                            </dl>
                            <p class="muted small">{t("transparency.unit_note")}</p>
                            <BarChart id="chart-months" title_key="transparency.by_month" labels=month_labels values=month_values/>
                            <table class="data" id="chart-months-table">
                                <caption>{t("transparency.by_month")}</caption>
                                <thead><tr><th scope="col">{t("transparency.month")}</th><th scope="col">{t("transparency.raised")}</th><th scope="col">{t("transparency.disbursed")}</th><th scope="col">{t("transparency.gifts")}</th></tr></thead>
                                <tbody>
                                    {r.months.iter().map(|m| view! {
                                        <tr><th scope="row">{month_label(m.year, m.month, l)}</th><td>{format_toman(m.raised_rials, l)}</td><td>{format_toman(m.disbursed_rials, l)}</td><td>{format_number(m.gifts, l)}</td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <p><a href="/api/v1/months.csv" download="karamat-months.csv">{t("transparency.csv")}</a></p>
                            <BarChart id="chart-provinces" title_key="transparency.by_province" labels=prov_labels values=prov_values/>
                            <table class="data" id="chart-provinces-table">
                                <caption>{t("transparency.by_province")}</caption>
                                <thead><tr><th scope="col">{t("needs.province")}</th><th scope="col">{t("transparency.raised")}</th><th scope="col">{t("transparency.needs_met")}</th></tr></thead>
                                <tbody>
                                    {r.provinces.iter().map(|p| view! {
                                        <tr><th scope="row">{if l == Locale::Fa { p.name_fa.clone() } else { p.name_en.clone() }}</th><td>{format_toman(p.raised_rials, l)}</td><td>{format_number(p.needs_met, l)}</td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <p><a href="/api/v1/provinces.csv" download="karamat-provinces.csv">{t("transparency.csv")}</a></p>
                            <BarChart id="chart-categories" title_key="transparency.by_category" labels=cat_labels values=cat_values/>
                            <table class="data" id="chart-categories-table">
                                <caption>{t("transparency.by_category")}</caption>
                                <thead><tr><th scope="col">{t("needs.category")}</th><th scope="col">{t("transparency.raised")}</th><th scope="col">{t("transparency.needs_met")}</th></tr></thead>
                                <tbody>
                                    {r.categories.iter().map(|c| view! {
                                        <tr><th scope="row">{translate(l, category_key(&c.category))}</th><td>{format_toman(c.raised_rials, l)}</td><td>{format_number(c.needs_met, l)}</td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <p><a href="/api/v1/categories.csv" download="karamat-categories.csv">{t("transparency.csv")}</a></p>
                            <p class="muted">{t("transparency.api")} " " <a href="/api/v1/openapi.json"><bdi dir="ltr">"/api/v1/openapi.json"</bdi></a></p>
                        }.into_any()
                    }
                    Err(e) => view! { <p class="error" role="alert">{i18n.t(e.message_key())}</p> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
