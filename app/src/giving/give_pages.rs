//! The gift form, the receipt and the receipt look-up. Every form is a real HTML form: it works
//! without our script (the server answers with redirects) and better with it.

use super::gift::*;
use super::pages::category_key;
use crate::error::AppError;
use crate::i18n::{format_number, is_known, t, use_i18n};
use crate::platform::status::DonationStatus;
use crate::ui::{Arg, Day, Money, PageMeta, Phrase, Sep};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

/// An error the server put in the URL for a browser without our script.
fn url_error() -> impl Fn() -> Option<String> + Copy + Send + Sync {
    let query = use_query_map();
    move || query.with(|q| q.get("error")).filter(|k| is_known(k))
}

#[component]
fn FormError(#[prop(into)] action_error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let from_url = url_error();
    move || {
        let key = action_error
            .get()
            .map(|e| e.message_key().to_string())
            .or_else(from_url);
        key.map(|k| view! { <p class="form-error" role="alert" id="form-error">{i18n.t(&k)}</p> })
    }
}

#[component]
pub fn GivePage() -> impl IntoView {
    let query = use_query_map();
    let target = Resource::new(
        move || {
            query.with(|q| {
                if let Some(c) = q.get("need") {
                    ("need".to_string(), Some(c))
                } else if let Some(c) = q.get("campaign") {
                    ("campaign".to_string(), Some(c))
                } else if let Some(c) = q.get("category") {
                    ("category_fund".to_string(), Some(c))
                } else {
                    ("urgent".to_string(), None)
                }
            })
        },
        |(kind, code)| load_gift_target(kind, code),
    );
    let i18n = use_i18n();
    view! {
        <section class="panel narrow give">
            <PageMeta title="give.title" description="give.meta"/>
            <h1>{t("give.title")}</h1>
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || target.get().map(|r| match r {
                    Ok(tg) => view! { <GiveForm target=tg/> }.into_any(),
                    Err(e) => view! {
                        <p class="error" role="alert">{i18n.t(e.message_key())}</p>
                        <p><A href="/needs">{t("needs.back")}</A></p>
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn GiveForm(target: GiftTarget) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let action = ServerAction::<StartGift>::new();
    let action_error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let custom_prefill = query
        .with_untracked(|q| q.get("custom"))
        .unwrap_or_default();
    let had_custom = !custom_prefill.is_empty();
    let heading = match target.kind.as_str() {
        "need" | "campaign" => target.title.clone(),
        _ => String::new(),
    };
    let kind = target.kind.clone();
    let kind_key = match kind.as_str() {
        "need" => "give.for_need",
        "campaign" => "give.for_campaign",
        "category_fund" => "give.for_category",
        _ => "give.for_urgent",
    };
    let category = target.category.clone();
    let remaining = target.remaining_rials;
    // With a sponsor's match, "all that is left" is the donor's part of it.
    let rest_toman = remaining
        .map(|r| match &target.matched {
            Some(m) => super::matching::donor_share(r, m.ratio, m.remaining_rials),
            None => r,
        })
        .filter(|r| *r >= MIN_GIFT_RIALS)
        .map(|r| (r + 9) / 10);
    let back = match (kind.as_str(), &target.code) {
        ("need", Some(c)) => Some(format!("/needs/{c}")),
        _ => None,
    };
    view! {
        <p class="muted" id="give-target">
            {move || i18n.t(kind_key)}
            {(kind == "category_fund").then(|| {
                let c = category.clone().unwrap_or_default();
                view! { " " <strong>{move || i18n.t(category_key(&c))}</strong> }
            })}
        </p>
        {(!heading.is_empty()).then(|| view! { <h2 class="give-heading">{heading.clone()}</h2> })}
        {remaining.map(|r| view! {
            <p class="remaining" id="give-remaining">
                {t("give.remaining")} " " <Money rials=r/>
            </p>
        })}
        {target.matched.clone().map(|badge| view! { <super::MatchLine badge/> })}
        {target.test_bank.then(|| view! { <p class="notice test-bank" role="note">{t("give.test_bank_notice")}</p> })}
        <ActionForm action=action attr:class="form give-form" attr:id="give-form">
            <input type="hidden" name="form[target_kind]" value=target.kind.clone()/>
            <input type="hidden" name="form[target_code]" value=target.code.clone().unwrap_or_default()/>
            <input type="hidden" name="form[attempt]" value=target.attempt.clone()/>
            <fieldset class="amounts">
                <legend>{t("give.amount")}</legend>
                {PRESETS_TOMAN.iter().enumerate().map(|(i, p)| {
                    let p = *p;
                    view! {
                        <label class="chip">
                            <input type="radio" name="form[amount]" value=p.to_string() checked={i == 1 && !had_custom}/>
                            <Money rials=p * 10/>
                        </label>
                    }
                }).collect_view()}
                {rest_toman.map(|r| view! {
                    <label class="chip">
                        <input type="radio" name="form[amount]" value=r.to_string()/>
                        <span>{t("give.the_rest")} " (" <Money rials=r * 10/> ")"</span>
                    </label>
                })}
                <label class="chip">
                    <input type="radio" name="form[amount]" value="other" checked=had_custom/>
                    <span>{t("give.other_amount")}</span>
                </label>
                <label class="custom-amount">
                    <span>{t("give.custom_amount")}</span>
                    <input type="text" name="form[custom]" inputmode="numeric" autocomplete="off"
                        value=custom_prefill placeholder=move || format_number(150_000, i18n.get())/>
                    <small class="muted">{t("common.toman")}</small>
                </label>
            </fieldset>
            <super::IntentionChoice rules=target.intentions.clone() urgent=target.kind == "urgent"/>
            <AboutYou monthly=matches!(target.kind.as_str(), "category_fund" | "urgent")/>
            <FormError action_error=action_error/>
            <button type="submit" class="button primary" id="give-submit" disabled=move || action.pending().get()>
                {move || if action.pending().get() { i18n.t("give.redirecting") } else { i18n.t("give.pay") }}
            </button>
        </ActionForm>
        <p class="muted small">{t("give.privacy_note")}</p>
        {back.map(|href| view! { <p><A href=href>{t("give.back_to_need")}</A></p> })}
    }
}

/// Who the giver is, as much as they choose: anonymous unless a name is given, an optional
/// dedication, a contact for the receipt, and monthly giving where it is offered.
#[component]
fn AboutYou(monthly: bool) -> impl IntoView {
    let show_name = RwSignal::new(false);
    let dedication = RwSignal::new(String::from("none"));
    view! {
        <fieldset>
            <legend>{t("give.about_you")}</legend>
            <p class="muted">{t("give.anonymous_default")}</p>
            <label class="check">
                <input type="checkbox" name="form[show_name]" value="on"
                    on:change=move |ev| show_name.set(event_target_checked(&ev))/>
                <span>{t("give.show_name")}</span>
            </label>
            <label class="reveal" class:hidden-js=move || !show_name.get()>
                <span>{t("give.display_name")}</span>
                <input type="text" name="form[display_name]" maxlength="40" autocomplete="nickname"/>
            </label>
            <label>
                <span>{t("give.dedication")}</span>
                <select name="form[dedication_kind]" on:change=move |ev| dedication.set(event_target_value(&ev))>
                    <option value="none">{t("give.dedication_none")}</option>
                    <option value="honour">{t("give.dedication_honour")}</option>
                    <option value="memory">{t("give.dedication_memory")}</option>
                </select>
            </label>
            <label class="reveal" class:hidden-js=move || dedication.get() == "none">
                <span>{t("give.dedication_text")}</span>
                <input type="text" name="form[dedication_text]" maxlength="80"/>
            </label>
            <label>
                <span>{t("give.contact")}</span>
                <input type="text" name="form[contact]" dir="ltr" autocomplete="tel" inputmode="email"/>
                <small class="muted">{t("give.contact_help")}</small>
            </label>
            {monthly.then(|| view! {
                <label class="check">
                    <input type="checkbox" name="form[monthly]" value="on"/>
                    <span>{t("give.monthly")}</span>
                </label>
            })}
        </fieldset>
    }
}

fn print_page() {
    #[cfg(feature = "hydrate")]
    {
        let _ = gloo_utils::window().print();
    }
}

pub(super) fn receipt_status_key(s: DonationStatus) -> &'static str {
    match s {
        DonationStatus::Settled => "receipt.status_settled",
        DonationStatus::Pending => "receipt.status_pending",
        DonationStatus::Flagged => "receipt.status_flagged",
        DonationStatus::Cancelled => "receipt.status_cancelled",
        DonationStatus::Failed | DonationStatus::Expired => "receipt.status_failed",
    }
}

#[component]
pub fn ReceiptPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let receipt = Resource::new(
        move || {
            (
                params.with(|p| p.get("code")).unwrap_or_default(),
                query.with(|q| q.get("t")).unwrap_or_default(),
            )
        },
        |(code, token)| get_receipt(code, token),
    );
    view! {
        <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
            {move || receipt.get().map(|r| match r {
                Ok(rc) => view! { <ReceiptView receipt=rc/> }.into_any(),
                Err(e) => view! {
                    <section class="panel narrow">
                        <crate::ui::TitleText text=i18n.t(e.message_key())/><h1>{i18n.t(e.message_key())}</h1>
                        <p><A href="/receipt">{t("receipt.find_title")}</A></p>
                    </section>
                }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn ReceiptView(receipt: Receipt) -> impl IntoView {
    let i18n = use_i18n();
    let r = receipt;
    let status_key = receipt_status_key(r.status);
    let status_class = format!("badge status-{}", r.status);
    let ok = r.status == crate::platform::status::DonationStatus::Settled;
    let code = r.tracking_code.clone();
    let code_attr = code.clone();
    let amount = r.amount_rials;
    let overflow = r.overflow_rials;
    let allocated = amount - overflow;
    let date = r.settled_at.unwrap_or(r.created_at).date_naive();
    let target_link = match (r.target_kind.as_str(), &r.target_code) {
        ("need", Some(c)) => Some(format!("/needs/{c}")),
        _ => None,
    };
    let target_title = r.target_title.clone();
    let kind_key = match r.target_kind.as_str() {
        "need" => "receipt.kind_need",
        "campaign" => "receipt.kind_campaign",
        "category_fund" => "receipt.kind_category",
        "family" => "receipt.kind_family",
        _ => "receipt.kind_urgent",
    };
    let fund_key = r.overflow_fund.as_deref().map(|f| {
        if f == "release" {
            "receipt.release_fund"
        } else {
            category_key(f)
        }
    });
    let is_family = r.target_kind == "family";
    let family_code = r.target_code.clone().filter(|_| is_family);
    let category = (r.target_kind == "category_fund")
        .then(|| r.category.clone())
        .flatten();
    let retry = retry_url(&r);
    view! {
        <article class="panel narrow receipt" id="receipt">
            <PageMeta title="receipt.title"/>
            <p class="muted">{t("receipt.title")}</p>
            <h1>
                {t("receipt.tracking_code")} " "
                <bdi class="tracking" id="tracking-code" data-code=code_attr>
                    {move || crate::i18n::localize_digits(&code, i18n.get())}
                </bdi>
            </h1>
            <p><span class=status_class id="receipt-status">{move || i18n.t(status_key)}</span></p>
            {r.test_bank.then(|| view! { <p class="notice test-bank" role="note">{t("receipt.test_bank")}</p> })}
            <dl class="facts">
                <dt>{t("receipt.amount")}</dt>
                <dd id="receipt-amount"><Money rials=amount/></dd>
                <dt>{t("receipt.for")}</dt>
                <dd>
                    {move || i18n.t(kind_key)} " "
                    {family_code.clone().map(|c| view! { <crate::ui::Code code=c/> })}
                    {category.clone().map(|c| view! { <strong>{move || i18n.t(category_key(&c))}</strong> })}
                    {match target_link.clone() {
                        Some(href) => view! { <A href=href><crate::ui::DataText text=target_title.clone()/></A> }.into_any(),
                        None => view! { <span><crate::ui::DataText text=target_title.clone()/></span> }.into_any(),
                    }}
                </dd>
                <dt>{t("receipt.date")}</dt>
                <dd><Day date/></dd>
                <dt>{t("receipt.giver")}</dt>
                <dd>{match r.display_name.clone() {
                    Some(n) => view! { <span>{n}</span> }.into_any(),
                    None => view! { <span>{t("receipt.anonymous")}</span> }.into_any(),
                }}</dd>
                {r.dedication_text.clone().map(|d| {
                    let k = if r.dedication_kind.as_deref() == Some("memory") { "give.dedication_memory" } else { "give.dedication_honour" };
                    view! { <dt>{move || i18n.t(k)}</dt><dd>{d}</dd> }
                })}
                {r.intention.map(|i| view! {
                    <dt>{t("give.intention")}</dt><dd id="receipt-intention" data-intention=i.as_str()>{t(super::intention_key(i))}</dd>
                })}
                {r.matched.clone().map(|(sponsor, rials)| view! { <super::ReceiptMatch sponsor rials/> })}
                {r.gateway_ref.clone().map(|g| view! {
                    <dt>{t("receipt.bank_ref")}</dt><dd><crate::ui::Code code=g/></dd>
                })}
                {r.contact_hint.clone().map(|c| view! {
                    <dt>{t("receipt.contact")}</dt><dd><bdi dir="ltr">{move || crate::i18n::localize_digits(&c, i18n.get())}</bdi></dd>
                })}
            </dl>
            {(ok && overflow > 0).then(|| view! {
                <p class="notice" id="receipt-overflow">
                    <Phrase key="receipt.overflow" args=vec![
                        ("allocated", Arg::Money(allocated)),
                        ("overflow", Arg::Money(overflow)),
                        ("fund", Arg::Key(fund_key.unwrap_or("receipt.release_fund"))),
                    ]/>
                </p>
            })}
            {(!r.updates.is_empty()).then(|| view! {
                <section class="updates" id="receipt-updates">
                    <h2>{t("receipt.updates")}</h2>
                    <ul class="plain">
                        {r.updates.iter().map(|u| {
                            let d = u.at.date_naive();
                            view! { <li><Day date=d/> " — " {u.body.clone()}</li> }
                        }).collect_view()}
                    </ul>
                </section>
            })}
            {(r.monthly && ok).then(|| view! { <p class="muted">{t("receipt.monthly")}</p> })}
            <PledgeLine pledge=r.pledge.clone() active=r.pledge_active family=is_family/>
            {(!ok && r.status != crate::platform::status::DonationStatus::Pending).then(|| view! {
                <p><A href=retry.clone() attr:class="button">{t("receipt.try_again")}</A></p>
            })}
            {(r.status == crate::platform::status::DonationStatus::Pending).then(|| view! { <p class="muted">{t("receipt.pending_help")}</p> })}
            <p class="muted small">{t("receipt.keep_code")}</p>
            <p class="no-print"><button type="button" class="button" id="print-receipt" on:click=move |_| print_page()>{t("receipt.print")}</button></p>
        </article>
    }
}

/// Where "try again" leads from a receipt whose gift was not paid: the same form.
fn retry_url(r: &Receipt) -> String {
    match (r.target_kind.as_str(), &r.target_code) {
        ("need", Some(c)) => format!("/give?need={c}"),
        ("campaign", Some(c)) => format!("/give?campaign={c}"),
        ("category_fund", Some(c)) => format!("/give?category={c}"),
        ("family", _) => "/sponsor".to_string(),
        _ => "/give".to_string(),
    }
}

/// Under a monthly gift's receipt: a sponsorship's page, or the one-click cancel of a pledge.
#[component]
fn PledgeLine(pledge: Option<(String, String)>, active: bool, family: bool) -> impl IntoView {
    match pledge {
        Some((code, token)) if family => view! {
            <p class="no-print"><A href=super::sponsorship_url(&code, &token) attr:id="sponsorship-link">{t("sponsor.open_page")}</A></p>
        }
        .into_any(),
        Some((code, token)) if active => view! { <CancelPledgeForm code=code token=token/> }.into_any(),
        _ => ().into_any(),
    }
}

#[component]
fn CancelPledgeForm(code: String, token: String) -> impl IntoView {
    let action = ServerAction::<CancelPledge>::new();
    let done = move || matches!(action.value().get(), Some(Ok(())));
    let code = StoredValue::new(code);
    let token = StoredValue::new(token);
    view! {
        <Show when=move || !done() fallback=|| view! { <p class="notice" id="pledge-cancelled">{t("receipt.pledge_cancelled")}</p> }>
            <ActionForm action=action attr:class="inline-form no-print" attr:id="cancel-pledge">
                <input type="hidden" name="code" value=code.get_value()/>
                <input type="hidden" name="token" value=token.get_value()/>
                <button type="submit" class="link-button">{t("receipt.cancel_pledge")}</button>
            </ActionForm>
        </Show>
    }
}

/// The page a reminder's cancel link opens: one button, no account needed.
#[component]
pub fn PledgeCancelPage() -> impl IntoView {
    let query = use_query_map();
    let (code, token, done) = query.with_untracked(|q| {
        (
            q.get("code").unwrap_or_default(),
            q.get("token").unwrap_or_default(),
            q.get("done").is_some(),
        )
    });
    view! {
        <section class="panel narrow">
            <crate::ui::PageMeta title="receipt.cancel_pledge"/><h1>{t("receipt.cancel_pledge")}</h1>
            {if done {
                view! { <p class="notice" id="pledge-cancelled">{t("receipt.pledge_cancelled")}</p> }.into_any()
            } else {
                view! { <CancelPledgeForm code=code token=token/> }.into_any()
            }}
        </section>
    }
}

/// The signed-in donor's giving history, on their account page.
#[component]
pub fn MyGifts() -> impl IntoView {
    let i18n = use_i18n();
    let gifts = Resource::new(|| (), |_| my_gifts());
    view! {
        <h2>{t("account.my_gifts")}</h2>
        <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
            {move || gifts.get().map(|r| match r {
                Ok(list) if list.is_empty() => view! {
                    <p class="muted">{t("account.no_gifts")} " " <A href="/needs">{t("face.giving.cta")}</A></p>
                }.into_any(),
                Ok(list) => view! {
                    <ul class="gift-history" id="my-gifts">
                        {list.into_iter().map(|g| {
                            let status = receipt_status_key(g.status);
                            let date = g.created_at.date_naive();
                            let title = if g.target_title.is_empty() { None } else { Some(g.target_title.clone()) };
                            view! {
                                <li>
                                    <A href=g.receipt_url.clone()><Money rials=g.amount_rials/></A>
                                    <Sep/> <Day date/>
                                    <Sep/> <span>{move || i18n.t(status)}</span>
                                    {title.map(|t| view! { <Sep/> <span>{t}</span> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
                Err(e) => view! { <p class="error">{i18n.t(e.message_key())}</p> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
pub fn ReceiptLookupPage() -> impl IntoView {
    let action = ServerAction::<FindReceipt>::new();
    let action_error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    view! {
        <section class="panel narrow">
            <crate::ui::PageMeta title="receipt.find_title"/><h1>{t("receipt.find_title")}</h1>
            <p class="muted">{t("receipt.find_help")}</p>
            <ActionForm action=action attr:class="form" attr:id="lookup-form">
                <label>
                    <span>{t("receipt.tracking_code")}</span>
                    <input type="text" name="code" inputmode="numeric" required dir="ltr" autocomplete="off"/>
                </label>
                <label>
                    <span>{t("receipt.contact_check")}</span>
                    <input type="text" name="contact" required dir="ltr" autocomplete="off"/>
                </label>
                <FormError action_error=action_error/>
                <button type="submit" class="button" disabled=move || action.pending().get()>{t("receipt.find")}</button>
            </ActionForm>
        </section>
    }
}
