//! Release campaign list and page, and the published eligibility rules.

use super::*;
use crate::i18n::{t, use_i18n, Locale};
use crate::platform::status::CampaignStatus;
use crate::ui::{
    donor_count_key, phrase_text, Arg, DataText, Money, Num, PageMeta, Phrase, ProgressBar, Sep,
    TitleText,
};
use leptos::prelude::*;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_params_map, use_query_map};

pub(crate) fn offence_key(o: &str) -> &'static str {
    match o {
        "debt" => "campaign.offence_debt",
        "diyeh" => "campaign.offence_diyeh",
        _ => "campaign.offence_dower",
    }
}

/// A public card's badge: only the public states reach a card.
fn campaign_status_key(s: CampaignStatus) -> &'static str {
    match s {
        CampaignStatus::Funded => "campaign.status_funded",
        CampaignStatus::PaidToCourt => "campaign.status_paid",
        CampaignStatus::Released => "campaign.status_released",
        _ => "campaign.status_published",
    }
}

fn province_name(p: &Option<ProvinceName>, l: Locale) -> String {
    match (p, l) {
        (Some(p), Locale::Fa) => p.fa.clone(),
        (Some(p), Locale::En) => p.en.clone(),
        _ => String::new(),
    }
}

#[component]
fn CampaignProgress(card: CampaignCard) -> impl IntoView {
    let i18n = use_i18n();
    let total = card.total_owed_rials.max(1);
    let forgiven_pct = card.forgiveness_rials.min(total) * 100 / total;
    let c = card.clone();
    let (covered, owed) = (c.total_owed_rials - c.remaining(), c.total_owed_rials);
    let label = Signal::derive(move || {
        phrase_text(
            i18n.get(),
            "needs.progress",
            &[("raised", Arg::Money(covered)), ("goal", Arg::Money(owed))],
        )
    });
    view! {
        <ProgressBar percent=card.percent() forgiven=forgiven_pct label/>
        <dl class="facts campaign-facts">
            <dt>{t("campaign.owed")}</dt><dd><Money rials=c.total_owed_rials/></dd>
            <dt>{t("campaign.forgiven")}</dt><dd class="match"><Money rials=c.forgiveness_rials/></dd>
            <dt>{t("campaign.raised")}</dt><dd><Money rials=c.raised_rials/> <Sep/> <Phrase key=donor_count_key(c.donors) args=vec![("n", Arg::Num(c.donors))]/></dd>
            <dt>{t("campaign.remaining")}</dt><dd class="campaign-remaining"><Money rials=c.remaining()/></dd>
        </dl>
    }
}

#[component]
pub fn CampaignCardView(
    card: CampaignCard,
    /// On the campaign's own page its title is the page's `<h1>`.
    #[prop(optional)]
    detail: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let href = format!("/release/{}", card.code);
    let offence = offence_key(&card.offence);
    let status = campaign_status_key(card.status);
    let status_class = format!("badge status-{}", card.status);
    let province = card.province.clone();
    let code = card.code.clone();
    let title = card.title.clone();
    let matched = card
        .matched
        .clone()
        .map(|badge| view! { <super::MatchLine badge/> });
    view! {
        <article class="need-card campaign-card" data-code=code>
            <p class="badges">
                <span class="badge">{move || i18n.t(offence)}</span>
                <span class=status_class>{move || i18n.t(status)}</span>
                <span class="badge">{move || province_name(&province, i18n.get())}</span>
            </p>
            {if detail {
                view! { <h1 class="need-title"><DataText text=title/></h1> }.into_any()
            } else {
                view! { <h2><A href=href><DataText text=title/></A></h2> }.into_any()
            }}
            <CampaignProgress card=card/>
            {matched}
        </article>
    }
}

#[component]
pub fn CampaignsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let key = move || {
        query.with(|q| {
            (
                q.get("offence").filter(|s| !s.is_empty()),
                q.get("page").and_then(|p| p.parse::<u64>().ok()),
            )
        })
    };
    let results = Resource::new(key, |(o, p)| list_campaigns(o, p));
    let selected = move |o: &str| query.with(|q| q.get("offence").as_deref() == Some(o));
    view! {
        <section>
            <PageMeta title="campaign.list_title" description="campaign.meta"/>
            <h1>{t("campaign.list_title")}</h1>
            <p class="lede">{t("campaign.list_lede")} " " <A href="/release-rules">{t("campaign.rules_link")}</A></p>
            <Form method="GET" action="/release" attr:class="filters" attr:id="campaign-filters">
                <label>
                    <span>{t("campaign.offence")}</span>
                    <select name="offence">
                        <option value="">{t("campaign.all_offences")}</option>
                        {OFFENCES.iter().map(|o| view! {
                            <option value=*o selected=move || selected(o)>{t(offence_key(o))}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="button">{t("needs.filter")}</button>
            </Form>
            <Transition fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || results.get().map(|r| match r {
                    Ok(p) => {
                        let offence = key().0;
                        let link = move |page: u64| match &offence {
                            Some(o) => format!("/release?offence={o}&page={page}"),
                            None => format!("/release?page={page}"),
                        };
                        view! {
                            <p class="muted" id="campaigns-count">{p.more.then(|| view! { {t("needs.more_than")} " " })}<Num n=p.total as i64/> " " {t("campaign.count")}</p>
                            <ul class="cards">
                                {p.items.into_iter().map(|c| view! { <li><CampaignCardView card=c/></li> }).collect_view()}
                            </ul>
                            <nav class="pager" aria-label=move || i18n.t("needs.pages")>
                                {(p.page > 1).then(|| view! { <A href=link(p.page - 1) attr:rel="prev">{t("needs.prev")}</A> })}
                                <span><Num n=p.page as i64/> " / " <Num n=p.pages as i64/></span>
                                {(p.page < p.pages).then(|| view! { <A href=link(p.page + 1) attr:rel="next">{t("needs.next")}</A> })}
                            </nav>
                        }.into_any()
                    }
                    Err(e) => view! { <p class="error" role="alert">{i18n.t(e.message_key())}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
pub fn CampaignPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let detail = Resource::new(
        move || params.with(|p| p.get("code")).unwrap_or_default(),
        get_campaign,
    );
    view! {
        <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
            {move || detail.get().map(|r| match r {
                Ok(d) => {
                    let steps = [
                        ("campaign.status_published", d.published_on),
                        ("campaign.status_funded", d.funded_on),
                        ("campaign.status_paid", d.paid_on),
                        ("campaign.status_released", d.released_on),
                    ];
                    let open = d.card.status == crate::platform::status::CampaignStatus::Published;
                    let give = format!("/give?campaign={}", d.card.code);
                    view! {
                        <article class="panel need-detail campaign-detail">
                            <TitleText text=d.card.title.clone() description=d.story.clone()/>
                            <p><A href="/release">{t("campaign.back")}</A></p>
                            <CampaignCardView card=d.card.clone() detail=true/>
                            {open.then(|| view! {
                                <p class="give-cta"><A href=give attr:class="button primary" attr:id="give-button">{t("campaign.give")}</A></p>
                            })}
                            <p class="story" dir="auto"><DataText text=d.story.clone()/></p>
                            <p class="muted">{t("campaign.court_note")}</p>
                            <super::pages::Timeline heading="campaign.timeline" steps=steps.to_vec()/>
                        </article>
                    }.into_any()
                }
                Err(e) => view! { <section class="panel narrow"><TitleText text=i18n.t(e.message_key())/><h1>{i18n.t(e.message_key())}</h1></section> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
pub fn EligibilityPage() -> impl IntoView {
    view! {
        <article class="panel">
            <PageMeta title="campaign.rules_title" description="campaign.rules_intro"/>
            <h1>{t("campaign.rules_title")}</h1>
            <p>{t("campaign.rules_intro")}</p>
            <ol class="rules">
                <li>{t("campaign.rule_eligible_offence")}</li>
                <li>{t("campaign.rule_no_prior_conviction")}</li>
                <li>{t("campaign.rule_conduct_certified")}</li>
                <li>{t("campaign.rule_means_tested")}</li>
            </ol>
            <h2>{t("campaign.money_rules_title")}</h2>
            <ul>
                <li>{t("campaign.money_rule_court")}</li>
                <li>{t("campaign.money_rule_overflow")}</li>
                <li>{t("campaign.money_rule_need_overflow")}</li>
                <li>{t("campaign.money_rule_expired")}</li>
            </ul>
            <p><A href="/release">{t("campaign.back")}</A></p>
        </article>
    }
}
