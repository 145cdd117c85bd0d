//! `/sponsor`, where a donor chooses a family to sponsor by province and kind of support, and
//! `/sponsorship`, a sponsorship's own page (months paid, reports, pay this month, stop). Real
//! HTML forms: they work without our script.

use super::pages::category_key;
use super::sponsorship::*;
use super::{ProvinceOptions, CATEGORIES};
use crate::i18n::{t, use_i18n, Locale};
use crate::platform::status::{PledgeStatus, SponsorReportKind, SponsorshipEnd};
use crate::ui::{Arg, Day, Money, PageMeta, Phrase, Sep};
use leptos::prelude::*;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

fn household_key(band: &str) -> &'static str {
    match band {
        "1-2" => "needs.household_small",
        "3-4" => "needs.household_medium",
        _ => "needs.household_large",
    }
}

/// A family as a prospective sponsor reads it: code, kind, province, household, story.
#[component]
pub fn FamilyCardView(card: FamilyCard) -> impl IntoView {
    let i18n = use_i18n();
    let kind = category_key(&card.kind);
    let band = household_key(&card.household_band);
    let province = card.province.clone();
    let story = card.story.clone();
    view! {
        <div class="family-card" data-family=card.code.clone()>
            <p class="badges">
                <span class="badge">{move || i18n.t(kind)}</span>
                <crate::ui::Code code=card.code.clone()/>
            </p>
            <p class="muted">
                {move || if i18n.get() == Locale::Fa { province.fa.clone() } else { province.en.clone() }}
                <Sep/> {move || i18n.t(band)}
                <Sep/> <Phrase key="sponsor.sponsors_now" args=vec![("n", Arg::Num(card.sponsors as i64))]/>
            </p>
            {(!story.is_empty()).then(|| view! { <p class="story" dir="auto"><crate::ui::DataText text=story/></p> })}
        </div>
    }
}

/// An error the server put in the URL for a browser without our script.
fn url_error() -> Option<String> {
    use_query_map()
        .with_untracked(|q| q.get("error"))
        .filter(|k| crate::i18n::is_known(k))
}

#[component]
pub fn SponsorPage() -> impl IntoView {
    let query = use_query_map();
    let filters = move || {
        query.with(|q| {
            (
                q.get("province").filter(|v| !v.is_empty()),
                q.get("kind").filter(|v| !v.is_empty()),
            )
        })
    };
    let choice = Resource::new(filters, |(p, k)| sponsor_families(p, k));
    let i18n = use_i18n();
    view! {
        <section class="panel narrow sponsor" id="sponsor">
            <PageMeta title="sponsor.title" description="sponsor.meta"/>
            <h1>{t("sponsor.title")}</h1>
            <p>{t("sponsor.lead")}</p>
            <Form method="GET" action="/sponsor" attr:class="filters" attr:id="sponsor-filters">
                <label>
                    <span>{t("needs.province")}</span>
                    <select name="province">
                        <option value="">{t("needs.all_provinces")}</option>
                        <ProvinceOptions selected=Signal::derive(move || filters().0)/>
                    </select>
                </label>
                <label>
                    <span>{t("sponsor.kind")}</span>
                    <select name="kind">
                        <option value="">{t("sponsor.any_kind")}</option>
                        {CATEGORIES.into_iter().map(|c| {
                            let sel = move || filters().1.as_deref() == Some(c);
                            view! { <option value=c selected=sel>{t(category_key(c))}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="button secondary">{t("sponsor.show")}</button>
            </Form>
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || choice.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{i18n.t(e.message_key())}</p> }.into_any(),
                    Ok(c) if c.families.is_empty() => view! {
                        <p class="notice" id="no-families">{t("sponsor.none_here")}</p>
                    }.into_any(),
                    Ok(c) => view! { <SponsorForm choice=c/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn SponsorForm(choice: SponsorChoice) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<StartSponsorship>::new();
    let error = move || {
        action
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.message_key().to_string())
            .or_else(url_error)
    };
    view! {
        {choice.test_bank.then(|| view! { <p class="notice test-bank" role="note">{t("give.test_bank_notice")}</p> })}
        <ActionForm action=action attr:class="form sponsor-form" attr:id="sponsor-form">
            <input type="hidden" name="form[attempt]" value=choice.attempt.clone()/>
            <fieldset class="families">
                <legend>{t("sponsor.choose")}</legend>
                {choice.families.into_iter().enumerate().map(|(i, card)| view! {
                    <label class="family-choice">
                        <input type="radio" name="form[family]" value=card.code.clone() checked={i == 0}/>
                        <FamilyCardView card/>
                    </label>
                }).collect_view()}
            </fieldset>
            <fieldset class="amounts">
                <legend>{t("sponsor.monthly_amount")}</legend>
                {SPONSOR_PRESETS_TOMAN.iter().enumerate().map(|(i, p)| view! {
                    <label class="chip">
                        <input type="radio" name="form[amount]" value=p.to_string() checked={i == 1}/>
                        <Money rials=p * 10/>
                    </label>
                }).collect_view()}
                <label class="chip">
                    <input type="radio" name="form[amount]" value="other"/>
                    <span>{t("give.other_amount")}</span>
                </label>
                <label class="custom-amount">
                    <span>{t("give.custom_amount")}</span>
                    <input type="text" name="form[custom]" inputmode="numeric" autocomplete="off" maxlength="20"
                        placeholder=move || crate::i18n::format_number(1_000_000, i18n.get())/>
                    <small class="muted">{t("common.toman")}</small>
                </label>
            </fieldset>
            <fieldset class="durations">
                <legend>{t("sponsor.duration")}</legend>
                {DURATIONS.into_iter().map(|m| {
                    let label = if m == 0 {
                        view! { <span>{t("sponsor.until_stop")}</span> }.into_any()
                    } else {
                        view! { <Phrase key="sponsor.months" args=vec![("n", Arg::Num(m as i64))]/> }.into_any()
                    };
                    view! {
                        <label class="chip">
                            <input type="radio" name="form[months]" value=m.to_string() checked={m == 12}/>
                            {label}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <label>
                {t("sponsor.contact")}
                <input name="form[contact]" required dir="ltr" inputmode="email" autocomplete="tel" maxlength="120"/>
                <span class="muted small">{t("sponsor.contact_help")}</span>
            </label>
            <p class="muted small">{t("sponsor.privacy")}</p>
            {move || error().map(|k| view! { <p class="form-error" role="alert" id="form-error">{i18n.t(&k)}</p> })}
            <button type="submit" class="button primary" id="sponsor-submit">{t("sponsor.submit")}</button>
        </ActionForm>
    }
}

fn end_key(r: Option<SponsorshipEnd>) -> &'static str {
    match r {
        Some(SponsorshipEnd::Consent) => "sponsor.ended_consent",
        Some(SponsorshipEnd::Released) => "sponsor.ended_released",
        Some(SponsorshipEnd::Completed) => "sponsor.ended_completed",
        _ => "sponsor.ended_donor",
    }
}

/// `/sponsorship?code=…&token=…`: the sponsor's own page.
#[component]
pub fn SponsorshipPage() -> impl IntoView {
    let query = use_query_map();
    let (code, token) = query.with_untracked(|q| {
        (
            q.get("code").unwrap_or_default(),
            q.get("token").unwrap_or_default(),
        )
    });
    let stop = ServerAction::<StopSponsorship>::new();
    let view_of = Resource::new(
        move || stop.version().get(),
        move |_| sponsorship(code.clone(), token.clone()),
    );
    let i18n = use_i18n();
    view! {
        <section class="panel narrow sponsorship" id="sponsorship">
            <PageMeta title="sponsor.page_title"/>
            <h1>{t("sponsor.page_title")}</h1>
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || view_of.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{i18n.t(e.message_key())}</p> }.into_any(),
                    Ok(v) => view! { <SponsorshipBody v stop/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn SponsorshipBody(v: SponsorshipView, stop: ServerAction<StopSponsorship>) -> impl IntoView {
    let i18n = use_i18n();
    let pay = ServerAction::<PaySponsorship>::new();
    let running = v.status != PledgeStatus::Cancelled;
    let status_key = match v.status {
        PledgeStatus::Active => "sponsor.status_active",
        PledgeStatus::Pending => "sponsor.status_pending",
        PledgeStatus::Cancelled => end_key(v.end_reason),
    };
    let error = move || {
        pay.value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.message_key().to_string())
            .or_else(url_error)
    };
    let (code, token) = (v.code.clone(), v.token.clone());
    view! {
        <p id="sponsorship-status" data-status=v.status.as_str()><strong>{t(status_key)}</strong></p>
        {match v.family.clone() {
            Some(card) => view! { <FamilyCardView card/> }.into_any(),
            None => view! { <p class="muted">{t("sponsor.family_private")}</p> }.into_any(),
        }}
        <dl class="facts">
            <dt>{t("sponsor.code")}</dt><dd><crate::ui::Code code=v.code.clone()/></dd>
            <dt>{t("sponsor.monthly_amount")}</dt><dd><Money rials=v.amount_rials/></dd>
            <dt>{t("sponsor.started")}</dt><dd><Day date=v.started_on/></dd>
            {v.ends_on.map(|d| view! { <dt>{t("sponsor.last_month")}</dt><dd><Day date=d/></dd> })}
            {running.then(|| view! { <dt>{t("sponsor.next_due")}</dt><dd><Day date=v.next_due_on/></dd> })}
        </dl>
        {v.test_bank.then(|| view! { <p class="notice test-bank" role="note">{t("give.test_bank_notice")}</p> })}
        {move || error().map(|k| view! { <p class="form-error" role="alert" id="form-error">{i18n.t(&k)}</p> })}
        {running.then(|| {
            let (c1, t1, c2, t2) = (code.clone(), token.clone(), code.clone(), token.clone());
            view! {
                <div class="actions no-print">
                    <ActionForm action=pay attr:class="inline-form" attr:id="pay-month">
                        <input type="hidden" name="code" value=c1/>
                        <input type="hidden" name="token" value=t1/>
                        <input type="hidden" name="attempt" value=v.attempt.clone()/>
                        <button type="submit" class="button">{t("sponsor.pay_month")}</button>
                    </ActionForm>
                    <ActionForm action=stop attr:class="inline-form" attr:id="stop-sponsorship">
                        <input type="hidden" name="code" value=c2/>
                        <input type="hidden" name="token" value=t2/>
                        <button type="submit" class="link-button">{t("sponsor.stop")}</button>
                    </ActionForm>
                </div>
            }
        })}
        <h2>{t("sponsor.reports")}</h2>
        {if v.reports.is_empty() {
            view! { <p class="muted" id="no-reports">{t("sponsor.no_reports")}</p> }.into_any()
        } else {
            view! {
                <ul class="plain reports" id="sponsor-reports">
                    {v.reports.into_iter().map(|r| view! { <ReportItem r/> }).collect_view()}
                </ul>
            }.into_any()
        }}
        <h2>{t("sponsor.months_paid")}</h2>
        <ul class="plain gift-history" id="sponsored-months">
            {v.months.into_iter().map(|m| {
                let status = super::give_pages::receipt_status_key(m.status);
                view! {
                    <li>
                        <A href=m.receipt_url.clone()><Money rials=m.amount_rials/></A>
                        <Sep/> <Day date=m.at.date_naive()/>
                        <Sep/> <span>{move || i18n.t(status)}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
fn ReportItem(r: ReportNote) -> impl IntoView {
    let closing = r.kind == SponsorReportKind::Closing;
    view! {
        <li class="report" data-report=r.code.clone() data-kind=r.kind.as_str()>
            <p><strong>{t(if closing { "sponsor.closing_report" } else { "sponsor.quarterly_report" })}</strong> " " <Day date=r.at.date_naive()/></p>
            {closing.then(|| view! { <p>{t("sponsor.closing_text")}</p> })}
            {(!r.body.is_empty()).then(|| view! { <p dir="auto"><crate::ui::DataText text=r.body.clone()/></p> })}
            {(!r.bought.is_empty()).then(|| view! {
                <p class="muted">{t("sponsor.bought")}</p>
                <ul>{r.bought.iter().map(|b| view! { <li dir="auto"><crate::ui::DataText text=b.clone()/></li> }).collect_view()}</ul>
            })}
            {r.thanks.clone().map(|th| view! { <blockquote class="thanks" dir="auto"><crate::ui::DataText text=th/></blockquote> })}
        </li>
    }
}
