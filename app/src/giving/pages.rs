use super::*;
use crate::i18n::{format_toman, t, use_i18n, Locale};
use crate::platform::status::NeedStatus;
use crate::ui::encode_query_value;
use crate::ui::{
    donor_count_key, phrase_text, Arg, DataText, Day, Num, PageMeta, Phrase, ProgressBar, Sep,
    TitleText,
};
use leptos::prelude::*;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_params_map, use_query_map};

/// The URL of the needs list with these filters, so a search can be shared.
pub fn needs_url(q: &NeedQuery) -> String {
    let mut parts = Vec::new();
    for (k, v) in [
        ("q", &q.q),
        ("province", &q.province),
        ("category", &q.category),
        ("left", &q.left),
        ("sort", &q.sort),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={}", encode_query_value(v)));
        }
    }
    if let Some(p) = q.page.filter(|p| *p > 1) {
        parts.push(format!("page={p}"));
    }
    if parts.is_empty() {
        "/needs".into()
    } else {
        format!("/needs?{}", parts.join("&"))
    }
}

pub(crate) fn category_key(c: &str) -> &'static str {
    match c {
        "rent" => "category.rent",
        "food" => "category.food",
        "school" => "category.school",
        "medical" => "category.medical",
        "livelihood" => "category.livelihood",
        "gift" => "category.gift",
        _ => "category.utilities",
    }
}

/// The household band a card shows (never the exact size), in words.
fn household_key(band: &str) -> &'static str {
    match band {
        "1-2" => "needs.household_small",
        "3-4" => "needs.household_medium",
        _ => "needs.household_large",
    }
}

/// A public card's badge: only the public states reach a card.
fn status_key(s: NeedStatus) -> &'static str {
    match s {
        NeedStatus::Funded => "need_status.funded",
        NeedStatus::Purchased => "need_status.purchased",
        NeedStatus::Delivered => "need_status.delivered",
        _ => "need_status.published",
    }
}

fn province_label(p: &Option<ProvinceName>, locale: Locale) -> String {
    match (p, locale) {
        (Some(p), Locale::Fa) => p.fa.clone(),
        (Some(p), Locale::En) => p.en.clone(),
        (None, l) => crate::i18n::translate(l, "needs.hidden_province").to_string(),
    }
}

#[component]
fn Progress(card: NeedCard) -> impl IntoView {
    let i18n = use_i18n();
    let (raised, goal, donors) = (card.raised_rials, card.goal_rials, card.donors);
    let amounts = move || vec![("raised", Arg::Money(raised)), ("goal", Arg::Money(goal))];
    let label = Signal::derive(move || phrase_text(i18n.get(), "needs.progress", &amounts()));
    view! {
        <ProgressBar percent=card.percent() label/>
        <p class="progress-text">
            <Phrase key="needs.progress" args=amounts()/>
            <Sep/>
            <Phrase key=donor_count_key(donors) args=vec![("n", Arg::Num(donors))]/>
        </p>
    }
}

#[component]
pub fn NeedCardView(
    card: NeedCard,
    /// On the need's own page its title is the page's `<h1>`, not a link to itself.
    #[prop(optional)]
    detail: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let href = format!("/needs/{}", card.code);
    let category = category_key(&card.category);
    let status = status_key(card.status);
    let status_class = format!("badge status-{}", card.status);
    let province = card.province.clone();
    let band = card.household_band.clone();
    let deadline = card.deadline;
    let code = card.code.clone();
    let title = card.title.clone();
    let matched = card
        .matched
        .clone()
        .map(|badge| view! { <super::MatchLine badge/> });
    view! {
        <article class="need-card" data-code=code>
            <p class="badges">
                <span class="badge">{move || i18n.t(category)}</span>
                <span class=status_class>{move || i18n.t(status)}</span>
            </p>
            {if detail {
                view! { <h1 class="need-title"><DataText text=title/></h1> }.into_any()
            } else {
                view! { <h2><A href=href><DataText text=title/></A></h2> }.into_any()
            }}
            <p class="muted">
                {move || province_label(&province, i18n.get())}
                <Sep/>
                {move || i18n.t(household_key(&band))}
                {deadline.map(|d| view! {
                    <Sep/> {move || i18n.t("needs.deadline")} " " <Day date=d/>
                })}
            </p>
            <Progress card=card/>
            {matched}
        </article>
    }
}

/// The 31 provinces as `<option>`s (codes as values, names in the reader's language), `selected`
/// chosen; for every filter that narrows by province.
#[component]
pub fn ProvinceOptions(selected: Signal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let list = Resource::new(|| (), |_| provinces());
    view! {
        <Suspense fallback=|| ()>
            {move || list.get().and_then(|r| r.ok()).map(|list| {
                list.into_iter().map(|p| {
                    let code = p.code.clone();
                    let is_sel = move || selected.get().as_deref() == Some(code.as_str());
                    view! {
                        <option value=p.code.clone() selected=is_sel>
                            {move || if i18n.get() == Locale::Fa { p.fa.clone() } else { p.en.clone() }}
                        </option>
                    }
                }).collect_view()
            })}
        </Suspense>
    }
}

fn query_from_url() -> Memo<NeedQuery> {
    let query = use_query_map();
    Memo::new(move |_| {
        let m = query.get();
        let get = |k: &str| m.get(k).filter(|v| !v.is_empty());
        NeedQuery {
            q: get("q"),
            province: get("province"),
            category: get("category"),
            left: get("left"),
            sort: get("sort"),
            page: get("page").and_then(|p| crate::validation::latin_digits(&p).parse().ok()),
        }
    })
}

#[component]
pub fn NeedsPage() -> impl IntoView {
    let i18n = use_i18n();
    let nq = query_from_url();
    let results = Resource::new(
        move || nq.get(),
        |q| list_needs(q.q, q.province, q.category, q.left, q.sort, q.page),
    );
    let selected = move |field: fn(&NeedQuery) -> Option<String>, value: &'static str| {
        move || field(&nq.get()).as_deref() == Some(value)
    };

    view! {
        <section class="needs">
            // A filtered list says what it lists: «نیازهای اجاره | کرامت».
            {move || match nq.get().category.filter(|c| CATEGORIES.contains(&c.as_str())) {
                Some(c) => {
                    let text = phrase_text(i18n.get(), "needs.title_category", &[("category", Arg::Key(category_key(&c)))]);
                    view! { <TitleText text description=i18n.t("needs.meta").to_string()/> }.into_any()
                }
                None => view! { <PageMeta title="needs.title" description="needs.meta"/> }.into_any(),
            }}
            <h1>{t("needs.title")}</h1>
            <Form method="GET" action="/needs" attr:class="filters" attr:role="search" attr:id="needs-filters">
                <label>
                    <span>{t("needs.search")}</span>
                    <input type="search" name="q" maxlength="100" prop:value=move || nq.get().q.unwrap_or_default()/>
                </label>
                <label>
                    <span>{t("needs.province")}</span>
                    <select name="province">
                        <option value="">{t("needs.all_provinces")}</option>
                        <ProvinceOptions selected=Signal::derive(move || nq.get().province)/>
                    </select>
                </label>
                <label>
                    <span>{t("needs.category")}</span>
                    <select name="category">
                        <option value="">{t("needs.all_categories")}</option>
                        {CATEGORIES.iter().map(|c| view! {
                            <option value=*c selected=selected(|q| q.category.clone(), c)>{t(category_key(c))}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    <span>{t("needs.left")}</span>
                    <select name="left">
                        <option value="">{t("needs.left_any")}</option>
                        {LEFT_PRESETS.iter().map(|tomans| {
                            let value = tomans.to_string();
                            let v2 = value.clone();
                            let is_sel = move || nq.get().left.map(|l| crate::validation::latin_digits(&l)) == Some(v2.clone());
                            view! {
                                <option value=value selected=is_sel>
                                    {move || format!("{} {}", i18n.t("needs.left_up_to"), format_toman(tomans * 10, i18n.get()))}
                                </option>
                            }
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    <span>{t("needs.sort")}</span>
                    <select name="sort">
                        <option value="urgent" selected=selected(|q| q.sort.clone(), "urgent")>{t("needs.sort_urgent")}</option>
                        <option value="newest" selected=selected(|q| q.sort.clone(), "newest")>{t("needs.sort_newest")}</option>
                        <option value="smallest" selected=selected(|q| q.sort.clone(), "smallest")>{t("needs.sort_smallest")}</option>
                    </select>
                </label>
                <button type="submit" class="button">{t("needs.filter")}</button>
            </Form>
            <Transition fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || results.get().map(|r| match r {
                    Ok(p) => {
                        let q = nq.get_untracked();
                        view! {
                            <p class="muted" id="needs-count">
                                {p.more.then(|| view! { {t("needs.more_than")} " " })}
                                <Num n=p.total as i64/> " " {t("needs.count")}
                            </p>
                            {p.items.is_empty().then(|| view! { <p class="empty">{t("needs.empty")}</p> })}
                            // Never a dead end: when nothing here is still raising, the kind's fund
                            // (or the most urgent needs) takes the gift instead.
                            {(!p.items.iter().any(|c| c.status == crate::platform::status::NeedStatus::Published)).then(|| {
                                let fund = q.category.clone().filter(|c| CATEGORIES.contains(&c.as_str()));
                                let href = fund.as_ref().map_or("/give".to_string(), |c| format!("/give?category={c}"));
                                view! {
                                    <p class="notice" id="needs-fund-offer">
                                        {match fund {
                                            Some(c) => view! { <Phrase key="needs.none_open_fund" args=vec![("fund", Arg::Key(category_key(&c)))]/> }.into_any(),
                                            None => view! { {t("needs.none_open")} }.into_any(),
                                        }}
                                        " " <A href=href attr:class="button small primary" attr:id="give-fund">{t("needs.give_fund")}</A>
                                    </p>
                                }
                            })}
                            <ul class="cards">
                                {p.items.into_iter().map(|c| view! { <li><NeedCardView card=c/></li> }).collect_view()}
                            </ul>
                            <Pager query=q page=p.page pages=p.pages/>
                        }.into_any()
                    }
                    Err(e) => view! { <p class="error" role="alert">{i18n.t(e.message_key())}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Pager(query: NeedQuery, page: u64, pages: u64) -> impl IntoView {
    let i18n = use_i18n();
    let link = move |p: u64| {
        needs_url(&NeedQuery {
            page: Some(p),
            ..query.clone()
        })
    };
    view! {
        <nav class="pager" aria-label=move || i18n.t("needs.pages")>
            {(page > 1).then(|| view! { <A href=link(page - 1) attr:rel="prev">{t("needs.prev")}</A> })}
            <span><Num n=page as i64/> " / " <Num n=pages as i64/></span>
            {(page < pages).then(|| view! { <A href=link(page + 1) attr:rel="next">{t("needs.next")}</A> })}
        </nav>
    }
}

/// A public timeline (published → … → delivered/released): each step and the date it happened.
#[component]
pub(crate) fn Timeline(
    /// "The need's path" or "The campaign's path".
    heading: &'static str,
    steps: Vec<(&'static str, Option<chrono::NaiveDate>)>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h2>{move || i18n.t(heading)}</h2>
        <ol class="timeline">
            {steps.into_iter().map(|(key, date)| view! {
                <li class:done=date.is_some()>
                    <span>{move || i18n.t(key)}</span>
                    {date.map(|d| view! { " — " <Day date=d/> })}
                </li>
            }).collect_view()}
        </ol>
    }
}

#[component]
pub fn NeedPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let detail = Resource::new(
        move || params.get().get("code").unwrap_or_default(),
        get_need,
    );
    view! {
        <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
            {move || detail.get().map(|r| match r {
                Ok(d) => {
                    let steps = [
                        ("need_status.published", d.published_on),
                        ("need_status.funded", d.funded_on),
                        ("need_status.purchased", d.purchased_on),
                        ("need_status.delivered", d.delivered_on),
                    ];
                    view! {
                        <article class="panel need-detail">
                            <TitleText text=d.card.title.clone() description=d.story.clone()/>
                            <p><A href="/needs">{t("needs.back")}</A></p>
                            <NeedCardView card=d.card.clone() detail=true/>
                            {(d.card.status == crate::platform::status::NeedStatus::Published).then(|| view! {
                                <p class="give-cta">
                                    <A href=format!("/give?need={}", d.card.code) attr:class="button primary" attr:id="give-button">
                                        {t("give.cta")}
                                    </A>
                                </p>
                            })}
                            {d.card.occasion.clone().map(|o| {
                                let k = occasion_key(&o);
                                view! { <p class="badge occasion" id="need-occasion">{move || i18n.t(k)}</p> }
                            })}
                            <p class="story" dir="auto"><DataText text=d.story.clone()/></p>
                            {(d.card.category == "gift").then(|| view! { <p class="muted" id="in-parents-name">{t("occasion.body")}</p> })}
                            <Timeline heading="needs.timeline" steps=steps.to_vec()/>
                        </article>
                    }.into_any()
                }
                Err(e) => {
                    view! { <section class="panel narrow"><TitleText text=i18n.t(e.message_key())/><h1>{i18n.t(e.message_key())}</h1></section> }.into_any()
                }
            })}
        </Suspense>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_urls_round_trip_the_state() {
        assert_eq!(needs_url(&NeedQuery::default()), "/needs");
        let q = NeedQuery {
            q: Some("اجاره خانه".into()),
            province: Some("THR".into()),
            category: None,
            left: Some("2000000".into()),
            sort: Some("newest".into()),
            page: Some(3),
        };
        assert_eq!(
            needs_url(&q),
            "/needs?q=%D8%A7%D8%AC%D8%A7%D8%B1%D9%87%20%D8%AE%D8%A7%D9%86%D9%87&province=THR&left=2000000&sort=newest&page=3"
        );
    }
}
