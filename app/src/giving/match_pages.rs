//! Matched gifts on the page: the line a matched card shows, and `/staff/matches`, where staff
//! record a sponsor's offer, a second person approves it, and finance records what the sponsor
//! paid in.

use super::matching::*;
use crate::i18n::{t, use_i18n, Locale};
use crate::ui::{Arg, ErrorNote, Phrase};
use leptos::prelude::*;

/// "Doubled by …": who matches gifts here, and how much of the match is left. Kept small: it is
/// on every public card.
#[component]
pub fn MatchLine(badge: MatchBadge) -> impl IntoView {
    let key = if badge.ratio >= 2 {
        "match.line_2"
    } else {
        "match.line_1"
    };
    view! {
        <p class="match-line" data-ratio=badge.ratio.to_string()>
            <Phrase key args=vec![
                ("sponsor", Arg::Text(badge.sponsor)),
                ("left", Arg::Money(badge.remaining_rials)),
                ("until", Arg::Date(badge.ends_on)),
            ]/>
        </p>
    }
}

/// A receipt's line: who matched this gift and by how much (the `<dt>`/`<dd>` of its facts).
#[component]
pub fn ReceiptMatch(sponsor: String, rials: i64) -> impl IntoView {
    view! {
        <dt>{t("match.receipt_label")}</dt>
        <dd id="receipt-match" data-matched=rials.to_string()>
            <Phrase key="match.receipt" args=vec![("sponsor", Arg::Text(sponsor)), ("amount", Arg::Money(rials))]/>
        </dd>
    }
}

fn scope_key(s: MatchScope) -> &'static str {
    match s {
        MatchScope::Occasion => "match.scope_occasion",
        MatchScope::Province => "match.scope_province",
        MatchScope::Category => "match.scope_category",
        MatchScope::Campaign => "match.scope_campaign",
    }
}

fn status_key(s: MatchOfferStatus) -> &'static str {
    match s {
        MatchOfferStatus::Proposed => "match.status_proposed",
        MatchOfferStatus::Active => "match.status_active",
        MatchOfferStatus::Closed => "match.status_closed",
        MatchOfferStatus::Rejected => "match.status_rejected",
    }
}

/// The scope's value as staff read it: an occasion's or a kind's name, else the code.
fn scope_value_view(scope: MatchScope, value: String) -> AnyView {
    match scope {
        MatchScope::Occasion => t(super::occasion_key(&value)).into_any(),
        MatchScope::Category => t(super::category_key(&value)).into_any(),
        _ => view! { <crate::ui::Code code=value/> }.into_any(),
    }
}

/// `/staff/matches`: sponsors' match offers in this person's scope.
#[component]
pub fn StaffMatchesPage() -> impl IntoView {
    let i18n = use_i18n();
    let propose = ServerAction::<ProposeMatchOffer>::new();
    let decide = ServerAction::<DecideMatchOffer>::new();
    let close = ServerAction::<CloseMatchOffer>::new();
    let pay = ServerAction::<RecordMatchPayment>::new();
    let offers = Resource::new(
        move || {
            (
                propose.version().get(),
                decide.version().get(),
                close.version().get(),
                pay.version().get(),
            )
        },
        |_| match_offers(),
    );
    let error = Signal::derive(move || {
        [
            propose.value().get().and_then(|r| r.err()),
            decide.value().get().and_then(|r| r.err()),
            close.value().get().and_then(|r| r.err()),
            pay.value().get().and_then(|r| r.err()),
        ]
        .into_iter()
        .flatten()
        .next()
    });
    let provinces = Resource::new(|| (), |_| super::provinces());
    view! {
        <section class="panel" id="staff-matches">
            <crate::ui::PageMeta title="match.title"/>
            <h1>{t("match.title")}</h1>
            <p class="muted">{t("match.help")}</p>
            <ErrorNote error/>
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || offers.get().map(|r| match r {
                    Err(e) => view! { <p class="error">{move || i18n.t(e.message_key())}</p> }.into_any(),
                    Ok(rows) if rows.is_empty() => view! { <p class="muted" id="no-offers">{t("match.none")}</p> }.into_any(),
                    Ok(rows) => view! {
                        <table class="table" id="match-offers">
                            <thead><tr>
                                <th>{t("match.sponsor")}</th><th>{t("match.scope")}</th><th>{t("match.ratio")}</th>
                                <th>{t("match.cap")}</th><th>{t("match.matched")}</th><th>{t("match.received")}</th>
                                <th>{t("match.ends_on")}</th><th>{t("match.status")}</th><th></th>
                            </tr></thead>
                            <tbody>
                                {rows.into_iter().map(|o| view! { <OfferRow o decide close pay/> }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                })}
            </Suspense>
            <details class="subform" id="propose-match">
                <summary>{t("match.propose")}</summary>
                <ActionForm action=propose attr:class="form" attr:id="propose-match-form">
                    <label>{t("match.sponsor_name_label")}<input name="form[sponsor_name]" required maxlength="80"/></label>
                    <label>{t("match.sponsor_contact")}<input name="form[sponsor_contact]" dir="ltr" inputmode="email"/></label>
                    <label>{t("match.ratio")}
                        <select name="form[ratio]">
                            {RATIOS.into_iter().map(|r| view! { <option value=r.to_string()>{t(if r == 2 { "match.ratio_2" } else { "match.ratio_1" })}</option> }).collect_view()}
                        </select>
                    </label>
                    <fieldset>
                        <legend>{t("match.scope")}</legend>
                        <label class="check"><input type="radio" name="form[scope]" value="occasion" checked/><span>{t("match.scope_occasion")}</span></label>
                        <select name="form[occasion]" aria-label=move || i18n.t("match.scope_occasion")>
                            {super::OCCASION_KEYS.into_iter().map(|k| view! { <option value=k>{t(super::occasion_key(k))}</option> }).collect_view()}
                        </select>
                        <label class="check"><input type="radio" name="form[scope]" value="category"/><span>{t("match.scope_category")}</span></label>
                        <select name="form[category]" aria-label=move || i18n.t("match.scope_category")>
                            {super::CATEGORIES.into_iter().map(|c| view! { <option value=c>{t(super::category_key(c))}</option> }).collect_view()}
                        </select>
                        <label class="check"><input type="radio" name="form[scope]" value="province"/><span>{t("match.scope_province")}</span></label>
                        <Suspense fallback=|| ()>
                            {move || provinces.get().and_then(|r| r.ok()).map(|ps| view! {
                                <select name="form[province]" aria-label=move || i18n.t("match.scope_province")>
                                    {ps.into_iter().map(|p| {
                                        let label = move || if i18n.get() == Locale::Fa { p.fa.clone() } else { p.en.clone() };
                                        view! { <option value=p.code.clone()>{label}</option> }
                                    }).collect_view()}
                                </select>
                            })}
                        </Suspense>
                        <label class="check"><input type="radio" name="form[scope]" value="campaign"/><span>{t("match.scope_campaign")}</span></label>
                        <input name="form[campaign]" dir="ltr" placeholder="C-…" aria-label=move || i18n.t("match.scope_campaign")/>
                    </fieldset>
                    <label>{t("match.cap_toman")}<input name="form[cap]" inputmode="numeric" required/></label>
                    <label>{t("match.ends_on")}<crate::ui::DateField name="form[ends_on]" required=true/></label>
                    <button type="submit" class="button">{t("match.propose")}</button>
                </ActionForm>
                {move || propose.value().get().and_then(|r| r.ok()).map(|code| view! {
                    <p class="notice" id="match-proposed">{t("match.proposed")} " " <crate::ui::Code code/></p>
                })}
            </details>
        </section>
    }
}

#[component]
fn OfferRow(
    o: MatchOfferRow,
    decide: ServerAction<DecideMatchOffer>,
    close: ServerAction<CloseMatchOffer>,
    pay: ServerAction<RecordMatchPayment>,
) -> impl IntoView {
    let unpaid = o.matched_rials - o.received_rials;
    let c = || o.code.clone();
    let actions = match o.status {
        MatchOfferStatus::Proposed if o.mine => {
            view! { <span class="muted small">{t("staff.four_eyes")}</span> }.into_any()
        }
        MatchOfferStatus::Proposed => {
            let (a, b, r, s) = (c(), c(), c(), c());
            view! {
                <ActionForm action=decide attr:class="inline-form">
                    <input type="hidden" name="code" value=a/>
                    <input type="hidden" name="approve" value="true"/>
                    <button type="submit" class="button" data-approve=b>{t("staff.approve")}</button>
                </ActionForm>
                <ActionForm action=decide attr:class="inline-form">
                    <input type="hidden" name="code" value=r/>
                    <input type="hidden" name="approve" value="false"/>
                    <button type="submit" class="button secondary" data-reject=s>{t("match.reject")}</button>
                </ActionForm>
            }.into_any()
        }
        MatchOfferStatus::Active if !o.ended => {
            let (a, b) = (c(), c());
            view! {
                <ActionForm action=close attr:class="inline-form">
                    <input type="hidden" name="code" value=a/>
                    <button type="submit" class="button secondary" data-close=b>{t("match.close")}</button>
                </ActionForm>
            }.into_any()
        }
        _ => ().into_any(),
    };
    let payment = (unpaid > 0).then(|| {
        let (a, b) = (c(), c());
        view! {
            <ActionForm action=pay attr:class="inline-form">
                <input type="hidden" name="code" value=a/>
                <label>{t("match.payment_toman")}<input name="amount" inputmode="numeric" required size="10"/></label>
                <button type="submit" class="button secondary" data-pay=b>{t("match.record_payment")}</button>
            </ActionForm>
        }
    });
    let status = if o.ended {
        "match.status_ended"
    } else {
        status_key(o.status)
    };
    view! {
        <tr data-offer=o.code.clone() data-status=o.status.as_str()>
            <td>
                <crate::ui::DataText text=o.sponsor_name.clone()/>
                {o.sponsor_contact.clone().map(|c| view! { <br/><bdi dir="ltr" class="small">{c}</bdi> })}
                <br/><crate::ui::Code code=o.code.clone()/>
            </td>
            <td>{t(scope_key(o.scope))} ": " {scope_value_view(o.scope, o.scope_value.clone())}</td>
            <td>{t(if o.ratio == 2 { "match.ratio_2" } else { "match.ratio_1" })}</td>
            <td><crate::ui::Money rials=o.cap_rials/></td>
            <td><crate::ui::Money rials=o.matched_rials/> " (" <Phrase key="match.gifts" args=vec![("n", Arg::Num(o.gifts))]/> ")"</td>
            <td><crate::ui::Money rials=o.received_rials/></td>
            <td><crate::ui::Day date=o.ends_on/></td>
            <td><span class="status">{t(status)}</span></td>
            <td>{actions}{payment}</td>
        </tr>
    }
}
