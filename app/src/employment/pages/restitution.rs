//! `/staff/restitution`: who is owed by which prisoner, payouts with four eyes, and a worker's
//! restitution record. Every form works without JavaScript.

use super::*;
use crate::employment::restitution::*;
use crate::platform::status::{ClaimStatus, PayoutStatus};
use crate::ui::{Code, Money};

/// `/staff/restitution` (`?prisoner=P-…` opens that worker's record).
#[component]
pub fn RestitutionPage() -> impl IntoView {
    let i18n = use_i18n();
    let me = Resource::new(|| (), |_| current_user());
    let claim = ServerAction::<RegisterClaim>::new();
    let request = ServerAction::<RequestPayout>::new();
    let decide = ServerAction::<DecidePayout>::new();
    let versions = move || {
        (
            claim.version().get(),
            request.version().get(),
            decide.version().get(),
        )
    };
    let register = Resource::new(versions, |_| restitution_book());
    let query = use_query_map();
    let prisoner = move || {
        query
            .with(|q| q.get("prisoner"))
            .filter(|p| !p.trim().is_empty())
    };
    let record = Resource::new(
        move || (prisoner(), versions()),
        |(p, _)| async move {
            match p {
                Some(p) => Some(restitution_worker(p).await),
                None => None,
            }
        },
    );
    let error = Signal::derive(move || {
        [
            claim.value().get().and_then(|r| r.err()),
            request.value().get().and_then(|r| r.err()),
            decide.value().get().and_then(|r| r.err()),
        ]
        .into_iter()
        .flatten()
        .next()
    });
    view! {
        <section class="panel" id="restitution">
            <crate::ui::PageMeta title="restitution.title"/>
            <h1>{t("restitution.title")}</h1>
            <p class="muted">{t("restitution.help")}</p>
            <ErrorNote error/>
            {move || request.value().get().and_then(|r| r.ok()).map(|code| view! {
                <p class="notice" id="payout-requested">{t("restitution.requested")} " " <Code code/></p>
            })}
            {move || claim.value().get().and_then(|r| r.ok()).map(|code| view! {
                <p class="notice" id="claim-registered">{t("restitution.registered")} " " <Code code/></p>
            })}
            <form method="get" action="/staff/restitution" class="inline-form" id="worker-lookup">
                <label>{t("restitution.worker")}
                    <input name="prisoner" dir="ltr" required placeholder="P-…" value=prisoner/>
                </label>
                <button type="submit" class="button secondary">{t("restitution.show_record")}</button>
            </form>
            <Suspense fallback=|| ()>
                {move || record.get().flatten().map(|r| match r {
                    Err(e) => view! { <p class="error">{move || i18n.t(e.message_key())}</p> }.into_any(),
                    Ok(w) => view! { <WorkerRecord w/> }.into_any(),
                })}
            </Suspense>
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || {
                    let u = me.get().and_then(|r| r.ok()).flatten();
                    let can_pay = may(&u, Permission::PayWages);
                    let can_decide = may(&u, Permission::ApproveDisbursement);
                    register.get().map(|r| match r {
                        Err(e) => view! { <p class="error">{move || i18n.t(e.message_key())}</p> }.into_any(),
                        Ok(b) => view! {
                            {b.fund_rials.map(|rials| view! {
                                <p id="restitution-fund">{t("restitution.fund")} " " <Money rials/></p>
                            })}
                            <h2>{t("restitution.awaiting")}</h2>
                            <Payouts rows=b.awaiting id="payouts-awaiting" decide=can_decide.then_some(decide)/>
                            <h2>{t("restitution.claims")}</h2>
                            <Claims rows=b.claims request=can_pay.then_some(request)/>
                            <h2>{t("restitution.decided")}</h2>
                            <Payouts rows=b.decided id="payouts-decided" decide=None/>
                        }.into_any(),
                    })
                }}
            </Suspense>
            <ClaimFormView claim/>
        </section>
    }
}

/// One worker's restitution: withheld, paid, waiting, still available, and what he still owes.
#[component]
fn WorkerRecord(w: WorkerRestitution) -> impl IntoView {
    let available = w.available_rials();
    view! {
        <section class="subpanel" id="worker-restitution" data-prisoner=w.prisoner_code.clone()>
            <h2>{t("restitution.record")} " " <Code code=w.prisoner_code.clone()/></h2>
            <dl class="facts">
                <dt>{t("restitution.withheld")}</dt><dd data-figure="withheld"><Money rials=w.withheld_rials/></dd>
                <dt>{t("restitution.paid")}</dt><dd data-figure="paid"><Money rials=w.paid_rials/></dd>
                <dt>{t("restitution.awaiting_sum")}</dt><dd data-figure="awaiting"><Money rials=w.awaiting_rials/></dd>
                <dt>{t("restitution.available")}</dt><dd data-figure="available"><Money rials=available/></dd>
                <dt>{t("restitution.still_owed")}</dt><dd data-figure="owed"><Money rials=w.owed_rials/></dd>
            </dl>
            <Claims rows=w.claims request=None/>
            <Payouts rows=w.payouts id="worker-payouts" decide=None/>
        </section>
    }
}

fn kind_key(kind: &str) -> &'static str {
    if kind == "victim" {
        "restitution.kind_victim"
    } else {
        "restitution.kind_creditor"
    }
}

/// Claims, with a payout request for each one still owed (for finance).
#[component]
fn Claims(rows: Vec<ClaimRow>, request: Option<ServerAction<RequestPayout>>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">{t("restitution.no_claims")}</p> }.into_any();
    }
    view! {
        <table class="table" data-list="claims">
            <thead><tr>
                <th>{t("restitution.claim")}</th><th>{t("restitution.claimant")}</th>
                <th>{t("restitution.court_ref")}</th><th>{t("restitution.owed")}</th>
                <th>{t("restitution.paid")}</th><th>{t("restitution.awaiting_sum")}</th><th></th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|c| {
                    let kind = kind_key(&c.kind);
                    let open = c.open_rials();
                    let status = if c.status == ClaimStatus::Settled { "restitution.settled_status" } else { "restitution.open_status" };
                    let form = request.filter(|_| open > 0 && c.status == ClaimStatus::Open).map(|request| {
                        let (a, b) = (c.code.clone(), c.code.clone());
                        view! {
                            <ActionForm action=request attr:class="inline-form">
                                <input type="hidden" name="claim" value=a/>
                                <label>{t("restitution.amount_toman")}<input name="amount" inputmode="numeric" required size="10"/></label>
                                <label>{t("restitution.reference")}<input name="reference" dir="ltr" required size="12"/></label>
                                <button type="submit" class="button secondary" data-request=b>{t("restitution.request")}</button>
                            </ActionForm>
                        }
                    });
                    view! {
                        <tr data-claim=c.code.clone() data-status=c.status.as_str()>
                            <td><Code code=c.code.clone()/><br/>{t(kind)} <Sep/> <Code code=c.prisoner_code.clone()/></td>
                            <td>{c.claimant.clone().map(|p| view! {
                                <crate::ui::DataText text=p.name/><br/><bdi dir="ltr" class="small code">{p.account}</bdi>
                            })}</td>
                            <td><bdi dir="ltr"><crate::ui::DataText text=c.court_ref.clone()/></bdi></td>
                            <td><Money rials=c.owed_rials/></td>
                            <td><Money rials=c.paid_rials/></td>
                            <td><Money rials=c.awaiting_rials/></td>
                            <td><p class="status">{t(status)}</p>{form}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// Payouts; waiting ones with approve and reject for a second person.
#[component]
fn Payouts(
    rows: Vec<PayoutRow>,
    id: &'static str,
    decide: Option<ServerAction<DecidePayout>>,
) -> impl IntoView {
    let i18n = use_i18n();
    if rows.is_empty() {
        return view! { <p class="muted" id=id>{t("restitution.no_payouts")}</p> }.into_any();
    }
    view! {
        <table class="table" id=id>
            <thead><tr>
                <th>{t("restitution.payout")}</th><th>{t("restitution.claim")}</th>
                <th>{t("restitution.amount")}</th><th>{t("restitution.reference")}</th>
                <th>{t("restitution.requested_on")}</th><th></th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|p| {
                    let c = || p.code.clone();
                    let status = match p.status {
                        PayoutStatus::AwaitingApproval => "restitution.status_awaiting",
                        PayoutStatus::Paid => "restitution.status_paid",
                        PayoutStatus::Rejected => "restitution.status_rejected",
                    };
                    let actions = match decide.filter(|_| p.status == PayoutStatus::AwaitingApproval) {
                        None => ().into_any(),
                        Some(_) if p.mine => view! { <span class="muted small">{t("staff.four_eyes")}</span> }.into_any(),
                        Some(decide) => {
                            let (a, b, r, s) = (c(), c(), c(), c());
                            view! {
                                <ActionForm action=decide attr:class="inline-form">
                                    <input type="hidden" name="code" value=a/>
                                    <input type="hidden" name="approve" value="true"/>
                                    <button type="submit" class="button" data-approve=b>{t("restitution.approve")}</button>
                                </ActionForm>
                                <ActionForm action=decide attr:class="inline-form">
                                    <input type="hidden" name="code" value=r/>
                                    <input type="hidden" name="approve" value="false"/>
                                    <input name="reason" required placeholder=move || i18n.t("restitution.reason")/>
                                    <button type="submit" class="button secondary" data-reject=s>{t("restitution.reject")}</button>
                                </ActionForm>
                            }.into_any()
                        }
                    };
                    view! {
                        <tr data-payout=p.code.clone() data-status=p.status.as_str()>
                            <td><Code code=p.code.clone()/></td>
                            <td><Code code=p.claim_code.clone()/> <Sep/> <Code code=p.prisoner_code.clone()/></td>
                            <td><Money rials=p.amount_rials/></td>
                            <td><bdi dir="ltr">{p.reference.clone()}</bdi></td>
                            <td><crate::ui::Day date=p.requested_on/></td>
                            <td>
                                <p class="status">{t(status)}</p>
                                {p.reject_reason.clone().map(|r| view! { <br/><span class="small"><crate::ui::DataText text=r/></span> })}
                                {actions}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// Registering a claim from the court's judgment (finance; the server refuses anyone else).
#[component]
fn ClaimFormView(claim: ServerAction<RegisterClaim>) -> impl IntoView {
    view! {
        <details class="subform" id="register-claim">
            <summary>{t("restitution.register")}</summary>
            <ActionForm action=claim attr:class="form" attr:id="claim-form">
                <label>{t("restitution.worker")}<input name="form[prisoner]" dir="ltr" required placeholder="P-…"/></label>
                <label>{t("restitution.kind")}
                    <select name="form[kind]">
                        {CLAIM_KINDS.into_iter().map(|k| view! { <option value=k>{t(kind_key(k))}</option> }).collect_view()}
                    </select>
                </label>
                <label>{t("restitution.claimant_name")}<input name="form[claimant_name]" required maxlength="120"/></label>
                <label>{t("restitution.claimant_account")}<input name="form[claimant_account]" dir="ltr" required placeholder="IR…" maxlength="40"/></label>
                <label>{t("restitution.court_ref")}<input name="form[court_ref]" dir="ltr" required maxlength="40"/></label>
                <label>{t("restitution.owed_toman")}<input name="form[owed]" inputmode="numeric" required/></label>
                <button type="submit" class="button">{t("restitution.register")}</button>
            </ActionForm>
        </details>
    }
}
