//! `/employment/contracts/…`: one contract, the same record for its entrepreneur and for the staff
//! in scope, each shown only the actions the server would allow.

use super::*;

/// Every action a contract's page can take. Each is a form that works without JavaScript; the
/// contract is read again after any of them.
#[derive(Clone, Copy)]
pub(super) struct Actions {
    review: ServerAction<ReviewContract>,
    transition: ServerAction<TransitionContract>,
    assign: ServerAction<AssignWorker>,
    log: ServerAction<LogProduction>,
    dispute: ServerAction<DisputeLog>,
    resolve: ServerAction<ResolveDispute>,
    invoice: ServerAction<IssueInvoice>,
    paid: ServerAction<InvoicePaid>,
    find: ServerAction<ContractMatches>,
    slips: ServerAction<Payslips>,
    rate: ServerAction<EndAssignment>,
    amend: ServerAction<AmendContract>,
}

impl Actions {
    fn new() -> Self {
        Actions {
            review: ServerAction::new(),
            transition: ServerAction::new(),
            assign: ServerAction::new(),
            log: ServerAction::new(),
            dispute: ServerAction::new(),
            resolve: ServerAction::new(),
            invoice: ServerAction::new(),
            paid: ServerAction::new(),
            find: ServerAction::new(),
            slips: ServerAction::new(),
            rate: ServerAction::new(),
            amend: ServerAction::new(),
        }
    }

    /// Moves whenever an action that changes the contract completes.
    fn changes(&self) -> usize {
        self.review.version().get()
            + self.transition.version().get()
            + self.assign.version().get()
            + self.log.version().get()
            + self.dispute.version().get()
            + self.resolve.version().get()
            + self.invoice.version().get()
            + self.paid.version().get()
            + self.rate.version().get()
            + self.amend.version().get()
    }

    /// The error of the first action that failed.
    fn first_error(&self) -> Option<AppError> {
        [
            self.review.value().get().and_then(|r| r.err()),
            self.transition.value().get().and_then(|r| r.err()),
            self.assign.value().get().and_then(|r| r.err()),
            self.log.value().get().and_then(|r| r.err()),
            self.dispute.value().get().and_then(|r| r.err()),
            self.resolve.value().get().and_then(|r| r.err()),
            self.invoice.value().get().and_then(|r| r.err()),
            self.paid.value().get().and_then(|r| r.err()),
            self.find.value().get().and_then(|r| r.err()),
            self.slips.value().get().and_then(|r| r.err()),
            self.rate.value().get().and_then(|r| r.err()),
            self.amend.value().get().and_then(|r| r.err()),
        ]
        .into_iter()
        .flatten()
        .next()
    }
}

/// What this person may do on this contract: only what the server would allow is shown.
#[derive(Clone, Copy)]
pub(super) struct Can {
    staff: bool,
    review: bool,
    manage: bool,
    work: bool,
    manage_workers: bool,
    pay: bool,
    dispute: bool,
    resolve: bool,
}

impl Can {
    fn of(u: &Option<SessionUser>, c: &ContractView) -> Self {
        let staff = !c.own;
        Can {
            staff,
            review: staff
                && may(u, Permission::ReviewContract)
                && matches!(
                    c.status,
                    crate::platform::status::ContractStatus::Proposed
                        | crate::platform::status::ContractStatus::OfficerApproved
                ),
            manage: staff
                && may(u, Permission::ManageContract)
                && matches!(
                    c.status,
                    crate::platform::status::ContractStatus::Active
                        | crate::platform::status::ContractStatus::Suspended
                ),
            work: staff
                && may(u, Permission::ManageWorkers)
                && c.status == crate::platform::status::ContractStatus::Active,
            manage_workers: may(u, Permission::ManageWorkers),
            pay: staff && may(u, Permission::PayWages),
            dispute: c.own || may(u, Permission::ManageWorkers),
            resolve: staff && may(u, Permission::ManageContract),
        }
    }
}

/// `/employment/contracts/:code`.
#[component]
pub fn ContractPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let code = move || params.with(|p| p.get("code").unwrap_or_default());
    let me = Resource::new(|| (), |_| current_user());
    let a = Actions::new();
    let contract = Resource::new(move || (code(), a.changes()), |(c, _)| get_contract(c));
    let errors = Signal::derive(move || a.first_error());
    view! {
        <section class="panel" id="contract">
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || contract.get().map(|c| match c {
                    Err(e) => view! { <crate::ui::TitleText text=i18n.t(e.message_key())/><h1>{move || i18n.t(e.message_key())}</h1> }.into_any(),
                    Ok(c) => {
                        let u = me.get().and_then(|r| r.ok()).flatten();
                        let can = Can::of(&u, &c);
                        view! {
                            <ContractTerms c=c.clone()/>
                            <ContractDecisions c=c.clone() a can errors/>
                            <ContractWorkers c=c.clone() a can/>
                            <ContractProduction c=c.clone() a can/>
                            <ContractInvoices c=c.clone() a can/>
                            <ContractPayslips c a/>
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The contract's terms.
#[component]
fn ContractTerms(c: ContractView) -> impl IntoView {
    view! {
        <crate::ui::PageMeta title="employment.contract"/><h1>{t("employment.contract")} " " <bdi id="contract-code" class="code" dir="ltr" translate="no">{c.code.clone()}</bdi></h1>
        <p><span class="status" id="contract-status" data-status=c.status.as_str()><Label prefix="status" code=c.status.to_string()/></span>
           {c.status_reason.clone().map(|r| view! { " — " <bdi>{r}</bdi> })}</p>
        <dl class="facts" id="contract-terms">
            <dt>{t("employment.company_name")}</dt><dd><bdi><crate::ui::DataText text=c.company.clone()/></bdi></dd>
            <dt>{t("employment.workshop")}</dt><dd>{bilingual(c.workshop_fa.clone(), c.workshop_en.clone())}</dd>
            <dt>{t("employment.product")}</dt><dd><bdi><crate::ui::DataText text=c.terms.product.clone()/></bdi></dd>
            <dt>{t("employment.quantity")}</dt><dd><crate::ui::Num n={c.terms.quantity}/></dd>
            <dt>{t("employment.unit_price")}</dt><dd><crate::ui::Money rials={c.terms.unit_price_rials}/></dd>
            <dt>{t("employment.wage_model")}</dt><dd><Label prefix="model" code=c.terms.wage_model.clone()/></dd>
            <dt>{t("employment.wage_rate")}</dt><dd><crate::ui::Money rials={c.terms.wage_rate_rials}/></dd>
            <dt>{t("employment.headcount")}</dt><dd><crate::ui::Num n={c.terms.headcount as i64}/></dd>
            <dt>{t("employment.required_skills")}</dt><dd><Skills skills=c.terms.required_skills.clone()/></dd>
            <dt>{t("employment.required_certificates")}</dt><dd><Skills skills=c.terms.required_certificates.clone()/></dd>
            <dt>{t("employment.schedule")}</dt><dd>{match (crate::validation::parse_date(&c.terms.starts_on), crate::validation::parse_date(&c.terms.ends_on)) {
                (Some(from), Some(to)) => view! { <crate::ui::Phrase key="employment.schedule_range" args=vec![("from", crate::ui::Arg::Date(from)), ("to", crate::ui::Arg::Date(to))]/> }.into_any(),
                _ => view! { <bdi><crate::ui::DataText text=c.terms.starts_on.clone()/></bdi> }.into_any(),
            }}</dd>
            <dt>{t("employment.version")}</dt><dd><crate::ui::Num n={c.version as i64}/></dd>
        </dl>
    }
}

/// Review, status changes and the entrepreneur's amendment.
#[component]
fn ContractDecisions(
    c: ContractView,
    a: Actions,
    can: Can,
    errors: Signal<Option<AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let Actions {
        review,
        transition,
        amend,
        ..
    } = a;
    let (can_review, can_manage) = (can.review, can.manage);
    let code1 = c.code.clone();
    view! {
        <ErrorNote error=errors/>
        {can_review.then(|| {
            let (c1, c2) = (code1.clone(), code1.clone());
            view! {
                <h2>{t("employment.review")}</h2>
                <ActionForm action=review attr:class="inline-form">
                    <input type="hidden" name="code" value=c1/>
                    <input type="hidden" name="approve" value="true"/>
                    <button type="submit" class="button" id="approve-contract">{t("employment.approve")}</button>
                </ActionForm>
                <ActionForm action=review attr:class="inline-form">
                    <input type="hidden" name="code" value=c2/>
                    <input type="hidden" name="approve" value="false"/>
                    <input name="reason" required placeholder=move || i18n.t("employment.reason")/>
                    <button type="submit" class="button secondary" id="reject-contract">{t("employment.reject")}</button>
                </ActionForm>
            }
        })}
        {can_manage.then(|| {
            let c1 = code1.clone();
            view! {
                <ActionForm action=transition attr:class="inline-form" attr:id="transition-form">
                    <input type="hidden" name="code" value=c1/>
                    <select name="to">
                        {["suspended", "active", "completed", "terminated"].into_iter().map(|s| view! { <option value=s><Label prefix="status" code=s.to_string()/></option> }).collect_view()}
                    </select>
                    <input name="reason" placeholder=move || i18n.t("employment.reason")/>
                    <button type="submit" class="button secondary">{t("employment.change_status")}</button>
                </ActionForm>
            }
        })}
        {(c.own && c.status.may_be_amended()).then(|| {
            let tm = c.terms.clone();
            let (c1, ws) = (code1.clone(), c.workshop_code.clone());
            let hourly = tm.wage_model == "hourly";
            view! {
                <details class="subform" id="amend-details">
                    <summary>{t("employment.amend")}</summary>
                    <ActionForm action=amend attr:class="form" attr:id="amend-form">
                        <p class="muted">{t("employment.amend_intro")}</p>
                        <input type="hidden" name="code" value=c1/>
                        <input type="hidden" name="form[workshop]" value=ws/>
                        <label>{t("employment.product")}<input name="form[product]" required value=tm.product.clone()/></label>
                        <label>{t("employment.quantity")}<input name="form[quantity]" inputmode="numeric" required value=tm.quantity.to_string()/></label>
                        <label>{t("employment.unit_price")}<input name="form[unit_price]" inputmode="numeric" required value=(tm.unit_price_rials / 10).to_string()/></label>
                        <label>{t("employment.wage_model")}
                            <select name="form[wage_model]">
                                <option value="hourly" selected=hourly>{t("employment.model.hourly")}</option>
                                <option value="piece" selected=!hourly>{t("employment.model.piece")}</option>
                            </select>
                        </label>
                        <label>{t("employment.wage_rate")}<input name="form[wage_rate]" inputmode="numeric" required value=(tm.wage_rate_rials / 10).to_string()/></label>
                        <label>{t("employment.headcount")}<input name="form[headcount]" inputmode="numeric" required value=tm.headcount.to_string()/></label>
                        <SkillPicker name="form[required_skills]" chosen=tm.required_skills.clone()/>
                        <label>{t("employment.required_certificates")}<input name="form[required_certificates]" value=tm.required_certificates.join(", ")/></label>
                        <label>{t("employment.starts_on")}<crate::ui::DateField name="form[starts_on]" required=true value=crate::validation::parse_date(&tm.starts_on.clone())/></label>
                        <label>{t("employment.ends_on")}<crate::ui::DateField name="form[ends_on]" required=true value=crate::validation::parse_date(&tm.ends_on.clone())/></label>
                        <label class="check"><input type="checkbox" name="form[materials_supplied]" value="yes" checked=tm.materials_supplied/>{t("employment.materials_supplied")}</label>
                        <button type="submit" class="button secondary">{t("employment.amend")}</button>
                    </ActionForm>
                </details>
            }
        })}
        {move || amend.value().get().and_then(|r| r.ok()).map(|v| view! { <p class="notice" id="amended">{t("employment.amended")} " " <crate::ui::Num n={v as i64}/></p> })}
    }
}

/// The workers, finding and assigning more, and the day's production log.
#[component]
fn ContractWorkers(c: ContractView, a: Actions, can: Can) -> impl IntoView {
    let i18n = use_i18n();
    let Actions {
        rate,
        find,
        assign,
        log,
        ..
    } = a;
    let (staff, can_work) = (can.staff, can.work);
    let code1 = c.code.clone();
    let contract_code = c.code.clone();
    let active_workers: Vec<String> = c
        .workers
        .iter()
        .filter(|w| w.status == crate::platform::status::AssignmentStatus::Active)
        .map(|w| w.worker_code.clone())
        .collect();
    let piece = c.terms.wage_model == "piece";
    view! {
        <h2>{t("employment.workers")}</h2>
        <ul class="plain" id="workers">
            {c.workers.clone().into_iter().map(|w| {
                // The officer ends an assignment with a rating (or rates one ended already).
                let can_rate = staff && w.rating.is_none() && can.manage_workers;
                let (c1, wc) = (code1.clone(), w.worker_code.clone());
                view! {
                <li data-worker=w.worker_code.clone()><crate::ui::Code code=w.worker_code.clone()/> " " <Skills skills=w.skills.clone()/> <Sep/> <Label prefix="worker_status" code=w.status.to_string()/>
                    {w.rating.map(|r| view! { <Sep/> {t("employment.rating")} " " <span class="rating"><crate::ui::Num n={r as i64}/></span> "/5" })}
                    {w.family_code.clone().map(|f| view! { <Sep/> <A href=format!("/staff/families/{f}") attr:class="family-link">{t("employment.family_file")}</A> })}
                    {can_rate.then(|| view! {
                        <ActionForm action=rate attr:class="inline-form rate-form">
                            <input type="hidden" name="code" value=c1/>
                            <input type="hidden" name="worker" value=wc/>
                            <label>{t("employment.rating")}
                                <select name="rating">
                                    {(1..=5).rev().map(|r| view! { <option value=r.to_string()><crate::ui::Num n={r}/></option> }).collect_view()}
                                </select>
                            </label>
                            <button type="submit" class="button secondary">{if w.status == crate::platform::status::AssignmentStatus::Active { t("employment.end_assignment").into_any() } else { t("employment.rate_worker").into_any() }}</button>
                        </ActionForm>
                    })}
                </li>
                }
            }).collect_view()}
        </ul>
        {can_work.then(|| {
            let c1 = code1.clone();
            view! {
                <ActionForm action=find attr:class="inline-form">
                    <input type="hidden" name="code" value=c1/>
                    <button type="submit" class="button secondary" id="find-workers">{t("employment.find_workers")}</button>
                </ActionForm>
            }
        })}
        {move || find.value().get().and_then(|r| r.ok()).map(|cands| {
            let code = contract_code.clone();
            view! {
                <ol class="candidates" id="candidates">
                    {cands.into_iter().map(|cand| {
                        let code = code.clone();
                        let pc = cand.prisoner_code.clone();
                        view! {
                            <li data-prisoner=pc data-score=cand.score>
                                <crate::ui::Code code=cand.prisoner_code.clone()/> <Sep/> <crate::ui::Num n={cand.score}/> " " <Skills skills=cand.skills.clone()/>
                                <ul class="reasons">
                                    {cand.reasons.into_iter().map(|r| {
                                        let k = r.key.clone();
                                        view! { <li>{move || i18n.t(&k)} " " <bdi><crate::ui::DataText text=r.detail.clone()/></bdi> " (+" <crate::ui::Num n={r.points}/> ")"</li> }
                                    }).collect_view()}
                                </ul>
                                <ActionForm action=assign attr:class="inline-form">
                                    <input type="hidden" name="code" value=code/>
                                    <input type="hidden" name="prisoner" value=cand.prisoner_code.clone()/>
                                    <button type="submit" class="button">{t("employment.assign")}</button>
                                </ActionForm>
                            </li>
                        }
                    }).collect_view()}
                </ol>
            }
        })}
        {(can_work && !active_workers.is_empty()).then(|| {
            let c1 = code1.clone();
            view! {
                <h2>{t("employment.log_day")}</h2>
                <ActionForm action=log attr:class="form" attr:id="log-form">
                    <input type="hidden" name="form[contract]" value=c1/>
                    <label>{t("employment.date")}<crate::ui::DateField name="form[date]" required=true/></label>
                    <label>{t("employment.produced")}<input name="form[quantity]" inputmode="numeric" required/></label>
                    <label>{t("employment.accepted")}<input name="form[accepted]" inputmode="numeric" required/></label>
                    <label>{t("employment.rejected")}<input name="form[rejected]" inputmode="numeric" required/></label>
                    <table class="table">
                        <thead><tr><th>{t("employment.worker")}</th><th>{t("employment.hours")}</th>{piece.then(|| view! { <th>{t("employment.pieces")}</th> })}</tr></thead>
                        <tbody>
                            {active_workers.iter().enumerate().map(|(i, w)| view! {
                                <tr>
                                    <td><bdi><crate::ui::DataText text=w.clone()/></bdi><input type="hidden" name=format!("form[entries][{i}][worker]") value=w.clone()/></td>
                                    <td><input name=format!("form[entries][{i}][hours]") inputmode="decimal" size="4"/></td>
                                    {piece.then(|| view! { <td><input name=format!("form[entries][{i}][pieces]") inputmode="numeric" size="5"/></td> })}
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    <button type="submit" class="button">{t("employment.save_log")}</button>
                </ActionForm>
            }
        })}
    }
}

/// The production log, with disputes and their resolution.
#[component]
fn ContractProduction(c: ContractView, a: Actions, can: Can) -> impl IntoView {
    let i18n = use_i18n();
    let Actions {
        dispute, resolve, ..
    } = a;
    let (can_dispute, can_resolve) = (can.dispute, can.resolve);
    let code1 = c.code.clone();
    view! {
        <h2>{t("employment.production")}</h2>
        <table class="table stack" id="production">
            <thead><tr><th>{t("employment.date")}</th><th>{t("employment.produced")}</th><th>{t("employment.accepted")}</th><th>{t("employment.rejected")}</th><th>{t("employment.hours")}</th><th></th></tr></thead>
            <tbody>
                {c.logs.clone().into_iter().map(|l| {
                    let (c1, c2) = (code1.clone(), code1.clone());
                    let disputed = l.disputed;
                    view! {
                        <tr data-log=l.id data-disputed=disputed.to_string()>
                            <td data-label=move || i18n.t("employment.date")>{match l.date.parse::<chrono::NaiveDate>() { Ok(d) => view! { <crate::ui::Day date=d/> }.into_any(), Err(_) => l.date.clone().into_any() }}</td><td data-label=move || i18n.t("employment.produced")><crate::ui::Num n={l.quantity}/></td><td data-label=move || i18n.t("employment.accepted")><crate::ui::Num n={l.accepted}/></td><td data-label=move || i18n.t("employment.rejected")><crate::ui::Num n={l.rejected}/></td><td data-label=move || i18n.t("employment.hours")><bdi class="num">{hours(l.minutes)}</bdi></td>
                            <td class="actions">
                                {l.dispute_note.clone().map(|n| view! { <span class="muted">{t("employment.disputed")} ": " <bdi>{n}</bdi></span> })}
                                {l.resolution_note.clone().map(|n| view! { <span class="muted">" " {t("employment.resolved")} ": " <bdi>{n}</bdi></span> })}
                                {(can_dispute && !disputed && l.dispute_note.is_none()).then(|| view! {
                                    <ActionForm action=dispute attr:class="inline-form">
                                        <input type="hidden" name="code" value=c1/>
                                        <input type="hidden" name="log" value=l.id/>
                                        <input name="note" required placeholder=move || i18n.t("employment.dispute_note")/>
                                        <button type="submit" class="link-button">{t("employment.dispute")}</button>
                                    </ActionForm>
                                })}
                                {(can_resolve && disputed).then(|| view! {
                                    <ActionForm action=resolve attr:class="inline-form">
                                        <input type="hidden" name="code" value=c2/>
                                        <input type="hidden" name="log" value=l.id/>
                                        <input name="note" required placeholder=move || i18n.t("employment.resolution_note")/>
                                        <button type="submit" class="link-button">{t("employment.resolve")}</button>
                                    </ActionForm>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The invoices, marking one paid, and issuing the month's.
#[component]
fn ContractInvoices(c: ContractView, a: Actions, can: Can) -> impl IntoView {
    let i18n = use_i18n();
    let Actions { paid, invoice, .. } = a;
    let can_pay = can.pay;
    let code1 = c.code.clone();
    let period = c.current_period.clone();
    view! {
        <h2>{t("employment.invoices")}</h2>
        <table class="table stack" id="invoices">
            <thead><tr><th>{t("employment.invoice")}</th><th>{t("employment.period")}</th><th>{t("employment.accepted")}</th><th>{t("employment.amount")}</th><th>{t("employment.status")}</th></tr></thead>
            <tbody>
                {c.invoices.clone().into_iter().map(|i| {
                    let issued = i.status == crate::platform::status::InvoiceStatus::Issued;
                    let ic = i.code.clone();
                    view! {
                        <tr data-invoice=i.code.clone()>
                            <td data-label=move || i18n.t("employment.invoice")><crate::ui::Code code=i.code.clone()/></td><td data-label=move || i18n.t("employment.period")><crate::ui::Period period=i.period.clone()/></td><td data-label=move || i18n.t("employment.accepted")><crate::ui::Num n={i.accepted_units}/></td><td data-label=move || i18n.t("employment.amount")><crate::ui::Money rials={i.amount_rials}/></td>
                            <td data-label=move || i18n.t("employment.status")><Label prefix="invoice_status" code=i.status.to_string()/>
                                {(can_pay && issued).then(|| view! {
                                    <ActionForm action=paid attr:class="inline-form">
                                        <input type="hidden" name="invoice" value=ic/>
                                        <button type="submit" class="link-button">{t("employment.mark_paid")}</button>
                                    </ActionForm>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {can_pay.then(|| {
            let c1 = code1.clone();
            let p = period.clone();
            view! {
                <ActionForm action=invoice attr:class="inline-form" attr:id="invoice-form">
                    <input type="hidden" name="code" value=c1/>
                    <crate::ui::PeriodField name="period" current=p/>
                    <button type="submit" class="button secondary">{t("employment.issue_invoice")}</button>
                </ActionForm>
            }
        })}
    }
}

/// Payslips for a month, and the contract's review history.
#[component]
fn ContractPayslips(c: ContractView, a: Actions) -> impl IntoView {
    let slips = a.slips;
    let code1 = c.code.clone();
    let period = c.current_period.clone();
    view! {
        <h2>{t("employment.payslips")}</h2>
        <ActionForm action=slips attr:class="inline-form" attr:id="payslip-form">
            <input type="hidden" name="code" value=code1.clone()/>
            <crate::ui::PeriodField name="period" current=period.clone()/>
            <button type="submit" class="button secondary">{t("employment.show_payslips")}</button>
        </ActionForm>
        {move || slips.value().get().and_then(|r| r.ok()).map(|list| view! {
            <div id="payslips">
                {list.is_empty().then(|| view! { <p class="muted">{t("employment.no_payslips")}</p> })}
                {list.into_iter().map(|p| view! { <PayslipCard p/> }).collect_view()}
            </div>
        })}
        {(!c.reviews.is_empty()).then(|| view! {
            <h2>{t("employment.reviews")}</h2>
            <ul class="plain" id="reviews">
                {c.reviews.clone().into_iter().map(|r| {
                    let role = Role::parse(&r.role);
                    view! {
                        <li>{r.at.get(..10).and_then(crate::validation::parse_date).map(|date| view! { <crate::ui::Day date/> })}
                            <Sep/> <crate::ui::Phrase key="employment.version_n" args=vec![("n", crate::ui::Arg::Num(r.version as i64))]/> <Sep/> {role.map(|role| view! { <crate::auth::RoleName role/> })}
                            <Sep/> <Label prefix="decision" code=r.decision.clone()/>
                            {r.reason.clone().map(|x| view! { " — " <bdi>{x}</bdi> })}</li>
                    }
                }).collect_view()}
            </ul>
        })}
    }
}

/// A payslip: every line, the cap, and what the worker keeps.
#[component]
pub(super) fn PayslipCard(p: Payslip) -> impl IntoView {
    let s = p.split;
    let i18n = use_i18n();
    let cap_bp = p.cap_bp;
    view! {
        <article class="card payslip" data-worker=p.worker_code.clone()>
            <h3><crate::ui::Code code=p.worker_code.clone()/> <Sep/> <crate::ui::Period period=p.period.clone()/></h3>
            <table class="table">
                <tbody>
                    {if p.wage_model == "piece" {
                        view! { <tr><th>{t("employment.pieces")}</th><td><crate::ui::Num n={p.pieces}/> " × " <crate::ui::Money rials={p.rate_rials}/></td></tr> }.into_any()
                    } else {
                        view! { <tr><th>{t("employment.hours")}</th><td><bdi class="num">{hours(p.minutes)}</bdi> " × " <crate::ui::Money rials={p.rate_rials}/></td></tr> }.into_any()
                    }}
                    <tr class="gross"><th>{t("employment.gross")}</th><td data-line="gross"><crate::ui::Money rials={s.gross}/></td></tr>
                    <tr><th>{t("employment.family_share")}</th><td data-line="family"><crate::ui::Money rials={s.family}/></td></tr>
                    <tr><th>{t("employment.release_share")}</th><td data-line="release"><crate::ui::Money rials={s.release}/></td></tr>
                    <tr><th>{t("employment.restitution")}</th><td data-line="restitution"><crate::ui::Money rials={s.restitution}/></td></tr>
                    <tr><th>{t("employment.savings")}</th><td data-line="savings"><crate::ui::Money rials={s.savings}/></td></tr>
                    <tr><th>{t("employment.cap")} " (" <bdi class="num">{move || crate::i18n::format_percent(cap_bp, 100, i18n.get())}</bdi> ")"</th><td data-line="cap"><crate::ui::Money rials={s.cap}/></td></tr>
                    <tr class="net"><th>{t("employment.net")}</th><td data-line="net"><crate::ui::Money rials={s.net}/></td></tr>
                </tbody>
            </table>
        </article>
    }
}
