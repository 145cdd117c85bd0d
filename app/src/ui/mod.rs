//! Shared pieces of every page: numbers, money, dates and codes as a reader of either language
//! expects them, sentences with values in them, separators, the page's title and the bar chart.
//!
//! The rule these exist to keep: a number, an amount or a code is one isolated, unbreakable run
//! (`<bdi class="num">`; CSS keeps it on one line), in Persian digits on a Persian page; codes
//! stay Latin and left-to-right (`<bdi class="code">`); a sentence with values in it is one
//! catalogue entry with `{name}` placeholders, so each language keeps its own word order.

use crate::i18n::{format_date, format_number, format_toman, translate, use_i18n, Locale};
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

/// A whole number in the page's digits, e.g. `۱۲٬۳۴۵`.
#[component]
pub fn Num(n: i64) -> impl IntoView {
    let i18n = use_i18n();
    view! { <bdi class="num">{move || format_number(n, i18n.get())}</bdi> }
}

/// An amount in tomans with its unit, never broken across lines: `۱۲٬۵۰۰ تومان`. Where space is
/// short (a statistic's box) CSS may move the unit under the number; the number never breaks.
#[component]
pub fn Money(rials: i64) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <bdi class="num money">
            <span class="amount">{move || format_number(rials / 10, i18n.get())}</span>
            " "
            <span class="unit">{move || i18n.t("money.toman")}</span>
        </bdi>
    }
}

/// Text that came from data (a need's title or story), with its digits in the page's: staff
/// type either, and storage keeps Latin ones (`validation::normalize_persian`).
#[component]
pub fn DataText(#[prop(into)] text: String) -> impl IntoView {
    let i18n = use_i18n();
    move || crate::i18n::localize_digits(&text, i18n.get())
}

/// A Solar Hijri date in words: `۷ آذر ۱۴۰۵` / `7 Azar 1405`.
#[component]
pub fn Day(date: NaiveDate) -> impl IntoView {
    let i18n = use_i18n();
    view! { <time class="num" datetime=date.to_string()>{move || format_date(date, i18n.get())}</time> }
}

/// A date a person types. In Persian, the Solar Hijri day, month (by name) and year as three
/// fields (`name[d]`, `name[m]`, `name[y]`; digits in either script), laid out right to left as a
/// Persian date is written («۱۶ آذر ۱۴۰۵»); in English, the browser's date picker (Gregorian).
/// Plain form fields either way, so it works without JavaScript; the server reads both shapes
/// with `validation::date_field` and one parser, `validation::parse_date`.
#[component]
pub fn DateField(
    name: &'static str,
    #[prop(default = None)] value: Option<NaiveDate>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    move || match i18n.get() {
        Locale::Fa => {
            let fa = Locale::Fa;
            let j = value.and_then(crate::i18n::JalaliDate::from_gregorian);
            let part = |n: Option<i64>| n.map(|n| crate::i18n::localize_digits(&n.to_string(), fa));
            view! {
                <span class="date-parts">
                    <input type="text" inputmode="numeric" name=format!("{name}[d]") class="date-d"
                        maxlength="2" autocomplete="off" required=required
                        aria-label=translate(fa, "form.day") placeholder=translate(fa, "form.day")
                        value=part(j.map(|j| j.day as i64))/>
                    <select name=format!("{name}[m]") class="date-m" required=required
                        aria-label=translate(fa, "form.month")>
                        <option value="">{translate(fa, "form.month")}</option>
                        {(1..=12u8).map(|m| view! {
                            <option value=m.to_string() selected=j.is_some_and(|j| j.month == m)>
                                {translate(fa, crate::i18n::MONTH_KEYS[m as usize - 1])}
                            </option>
                        }).collect_view()}
                    </select>
                    <input type="text" inputmode="numeric" name=format!("{name}[y]") class="date-y"
                        maxlength="4" autocomplete="off" required=required
                        aria-label=translate(fa, "form.year") placeholder=translate(fa, "form.year")
                        value=part(j.map(|j| j.year as i64))/>
                </span>
            }
            .into_any()
        }
        Locale::En => view! {
            <input type="date" name=name required=required value=value.map(|d| d.to_string())/>
        }
        .into_any(),
    }
}

/// An action that cannot be taken back (paying out, taking a family's cards down) asks first:
/// its button only opens the warning (`children`, with the amounts) and a second button, which
/// submits the form it sits in. A `<details>`, so it works without JavaScript.
#[component]
pub fn Confirm(
    /// The `<details>`' id.
    id: &'static str,
    /// The submitting button's id.
    button_id: &'static str,
    /// Catalogue key of the first button.
    ask: &'static str,
    /// Catalogue key of the button that submits.
    confirm: &'static str,
    /// Red: it takes something down rather than pays.
    #[prop(optional)]
    danger: bool,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let (first, second) = if danger {
        ("button danger-outline", "button danger")
    } else {
        ("button", "button")
    };
    view! {
        <details class="confirm" id=id>
            <summary class=first>{move || i18n.t(ask)}</summary>
            <p class="notice">{children()}</p>
            <button type="submit" class=second id=button_id>{move || i18n.t(confirm)}</button>
        </details>
    }
}

/// A Solar Hijri month as stored (`1405-09`) in words: `آذر ۱۴۰۵`.
#[component]
pub fn Period(#[prop(into)] period: String) -> impl IntoView {
    let i18n = use_i18n();
    view! { <span class="num">{move || crate::i18n::format_period(&period, i18n.get())}</span> }
}

/// Choosing a month for a wage run, an invoice or payslips: the twelve Solar Hijri months up to
/// `current`, by name, `current` chosen. A plain `<select>` sending `1405-09`.
#[component]
pub fn PeriodField(name: &'static str, #[prop(into)] current: String) -> impl IntoView {
    let i18n = use_i18n();
    let months = crate::i18n::recent_periods(&current, 12);
    view! {
        <select name=name class="period" aria-label=move || i18n.t("employment.period")>
            {months.into_iter().map(|p| {
                let selected = p == current;
                let shown = p.clone();
                view! { <option value=p selected=selected>{move || crate::i18n::format_period(&shown, i18n.get())}</option> }
            }).collect_view()}
        </select>
    }
}

/// A public code (`N-THR-00012`): Latin, left to right, kept whole, in any language.
#[component]
pub fn Code(#[prop(into)] code: String) -> impl IntoView {
    view! { <bdi class="code" dir="ltr" translate="no">{code}</bdi> }
}

/// Between items of a line: the Persian comma in Persian, a middle dot in English. Never a dot in
/// Persian: «۱۶ · نیکوکار» reads as ۱۶۰.
#[component]
pub fn Sep() -> impl IntoView {
    let i18n = use_i18n();
    view! { <span class="sep">{move || separator(i18n.get())}</span> }
}

/// The separator text of [`Sep`], for text that is not a view (an `aria-label`, a title).
pub fn separator(locale: Locale) -> &'static str {
    match locale {
        Locale::Fa => "، ",
        Locale::En => " · ",
    }
}

/// A value placed into a sentence of the catalogue.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Money(i64),
    Num(i64),
    Date(NaiveDate),
    /// Text from data (a title, a name): isolated so its direction cannot reorder the sentence.
    Text(String),
    /// Another catalogue entry (a category, a status).
    Key(&'static str),
}

impl Arg {
    fn text(&self, locale: Locale) -> String {
        match self {
            Arg::Money(r) => format_toman(*r, locale),
            Arg::Num(n) => format_number(*n, locale),
            Arg::Date(d) => format_date(*d, locale),
            Arg::Text(s) => s.clone(),
            Arg::Key(k) => translate(locale, k).to_string(),
        }
    }
}

/// One piece of a catalogue sentence: literal text, or the name of a placeholder.
#[derive(Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Slot(&'a str),
}

/// Splits `"{raised} of {goal}"` into text and placeholders. A `{` without its `}` is text.
pub fn pieces(template: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        if open > 0 {
            out.push(Piece::Text(&rest[..open]));
        }
        out.push(Piece::Slot(&rest[open + 1..close]));
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// A catalogue sentence with its values put in, as plain text (for attributes and titles).
pub fn phrase_text(locale: Locale, key: &str, args: &[(&str, Arg)]) -> String {
    pieces(translate(locale, key))
        .into_iter()
        .map(|p| match p {
            Piece::Text(t) => t.to_string(),
            Piece::Slot(name) => args
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, a)| a.text(locale))
                .unwrap_or_default(),
        })
        .collect()
}

/// A catalogue sentence with its values put in, each value in its own isolated, unbreakable run.
/// `<Phrase key="needs.progress" args=vec![("raised", Arg::Money(r)), ("goal", Arg::Money(g))]/>`
#[component]
pub fn Phrase(key: &'static str, args: Vec<(&'static str, Arg)>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let locale = i18n.get();
        pieces(translate(locale, key))
            .into_iter()
            .map(|p| match p {
                Piece::Text(t) => t.to_string().into_any(),
                Piece::Slot(name) => match args.iter().find(|(n, _)| *n == name) {
                    Some((_, a @ (Arg::Money(_) | Arg::Num(_) | Arg::Date(_)))) => {
                        view! { <bdi class="num">{a.text(locale)}</bdi> }.into_any()
                    }
                    Some((_, a)) => view! { <bdi>{a.text(locale)}</bdi> }.into_any(),
                    None => ().into_any(),
                },
            })
            .collect_view()
    }
}

/// The key of "{n} donors": English counts its noun ("1 donor"), Persian never does.
pub fn donor_count_key(n: i64) -> &'static str {
    if n == 1 {
        "needs.donor_count_one"
    } else {
        "needs.donor_count"
    }
}

/// A progress bar with a name for screen readers (`label`, e.g. "125,000 tomans of 500,000
/// tomans"). `forgiven` (percent) is drawn first in the accent colour: a creditor's forgiveness
/// shown as a match.
#[component]
pub fn ProgressBar(
    percent: i64,
    label: Signal<String>,
    #[prop(optional)] forgiven: i64,
) -> impl IntoView {
    let percent = percent.clamp(0, 100);
    let forgiven = forgiven.clamp(0, percent);
    view! {
        <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100"
            aria-valuenow=percent aria-label=move || label.get()>
            {(forgiven > 0).then(|| view! {
                <div class="progress-bar forgiven" style=format!("inline-size: {forgiven}%")></div>
            })}
            <div class="progress-bar" style=format!("inline-size: {}%", percent - forgiven)></div>
        </div>
    }
}

/// The page's own `<title>` ("Needs | Karamat") and meta description, in the page's language.
/// `title` is a catalogue key; `TitleText` below takes text from data (a need's title).
/// Without a `description`, the site's own ("home.meta").
#[component]
pub fn PageMeta(
    title: &'static str,
    #[prop(optional)] description: Option<&'static str>,
) -> impl IntoView {
    let description = description.unwrap_or("home.meta");
    let i18n = use_i18n();
    view! {
        <Title text=move || page_title(i18n.get(), i18n.t(title))/>
        <Meta name="description" content=move || i18n.t(description)/>
    }
}

/// A page title from data, with the site's name after it, and its description (a need's public
/// story, cut to what a search result shows). A route that sets these from data renders with
/// `SsrMode::Async`: with in-order streaming the `<head>` leaves before a resource resolves.
#[component]
pub fn TitleText(
    #[prop(into)] text: String,
    #[prop(optional, into)] description: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let description = description.map(|d| {
        let cut: String = d.chars().take(160).collect();
        if cut.len() < d.len() {
            format!("{}…", cut.trim_end())
        } else {
            cut
        }
    });
    let title = text.clone();
    view! {
        <Title text=move || page_title(i18n.get(), &crate::i18n::localize_digits(&title, i18n.get()))/>
        <Meta name="description" content=move || match &description {
            Some(d) => crate::i18n::localize_digits(d, i18n.get()),
            None => i18n.t("home.meta").to_string(),
        }/>
    }
}

pub fn page_title(locale: Locale, page: &str) -> String {
    format!("{page} | {}", translate(locale, "site.name"))
}

/// A bar per row, drawn in HTML so it follows the page's direction: in Persian the label is on
/// the right and the bar grows leftwards, in English the other way; labels wrap instead of being
/// clipped, and on a phone each label sits above its bar. Values are tomans (`values` in rials)
/// unless `counts`. The table that follows each chart is its text alternative: the chart is an
/// image with a name for screen readers.
#[component]
pub fn BarChart(
    id: &'static str,
    title_key: &'static str,
    labels: Vec<String>,
    values: Vec<i64>,
    #[prop(optional)] counts: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    let rows: Vec<(String, i64, i64)> = labels
        .into_iter()
        .zip(values)
        .map(|(l, v)| (l, v, (v.max(0) as i128 * 1000 / max as i128) as i64))
        .collect();
    view! {
        <figure class="chart" id=id>
            <figcaption id=format!("{id}-title")>{move || i18n.t(title_key)}</figcaption>
            <div class="bars" role="img" aria-labelledby=format!("{id}-title") aria-describedby=format!("{id}-table")>
                {rows.into_iter().map(|(label, v, permille)| view! {
                    <div class="bar-row" aria-hidden="true">
                        <span class="bar-label">{label}</span>
                        // The bar takes its share of the row less room for the value, which
                        // follows the bar's end.
                        <span class="bar-track">
                            <span class="bar" style=format!("inline-size: calc((100% - 7.5rem) * {})", permille as f64 / 1000.0)></span>
                            <bdi class="bar-value num">{move || {
                                let l = i18n.get();
                                if counts { format_number(v, l) } else { format_number(v / 10, l) }
                            }}</bdi>
                        </span>
                    </div>
                }).collect_view()}
            </div>
        </figure>
    }
}

/// The message of a server function's error, announced to screen readers.
#[component]
pub fn ErrorNote(error: Signal<Option<crate::error::AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        error.get().map(|e| {
            let key = e.message_key().to_string();
            view! { <p class="error" role="alert">{move || i18n.t(&key)}</p> }
        })
    }
}

/// Percent-encodes a URL query or form value (RFC 3986 unreserved characters stay as they are).
pub fn encode_query_value(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_split_into_text_and_slots() {
        assert_eq!(
            pieces("{raised} of {goal}"),
            vec![
                Piece::Slot("raised"),
                Piece::Text(" of "),
                Piece::Slot("goal")
            ]
        );
        assert_eq!(pieces("no values"), vec![Piece::Text("no values")]);
        assert_eq!(pieces("open { only"), vec![Piece::Text("open { only")]);
    }

    #[test]
    fn phrases_keep_each_languages_word_order_and_digits() {
        let args = [
            ("raised", Arg::Money(1_250_000)),
            ("goal", Arg::Money(5_000_000)),
        ];
        assert_eq!(
            phrase_text(Locale::Fa, "needs.progress", &args),
            "۱۲۵٬۰۰۰ تومان از ۵۰۰٬۰۰۰ تومان"
        );
        assert_eq!(
            phrase_text(Locale::En, "needs.progress", &args),
            "125,000 tomans of 500,000 tomans"
        );
    }

    #[test]
    fn every_placeholder_in_one_language_is_in_the_other() {
        use std::collections::BTreeSet;
        let slots = |l: Locale, k: &str| -> BTreeSet<String> {
            pieces(translate(l, k))
                .into_iter()
                .filter_map(|p| match p {
                    Piece::Slot(s) => Some(s.to_string()),
                    Piece::Text(_) => None,
                })
                .collect()
        };
        for key in crate::i18n::catalogue(Locale::Fa).keys() {
            assert_eq!(
                slots(Locale::Fa, key),
                slots(Locale::En, key),
                "placeholders of {key} differ between fa.json and en.json"
            );
        }
    }
}
