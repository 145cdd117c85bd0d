//! Employment pages: the public workshop catalogue, entrepreneur registration and dashboard, a
//! contract's page (its entrepreneur and the staff in scope see the same record; each sees only
//! the actions the server would allow), and the staff's employment work.

use super::*;
use crate::auth::{current_user, Permission, Role, SessionUser};
use crate::casework::ErrorNote;
use crate::i18n::{format_number, t, use_i18n, Locale};
use crate::ui::Sep;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

fn may(u: &Option<SessionUser>, p: Permission) -> bool {
    u.as_ref().is_some_and(|u| p.allows(u.role))
}

fn key(prefix: &str, code: &str) -> String {
    format!("employment.{prefix}.{code}")
}

/// A label that follows the language: the Persian or the English of a pair.
fn bilingual(fa: String, en: String) -> impl Fn() -> String + Send + Sync + Clone + 'static {
    let i18n = use_i18n();
    move || {
        if i18n.get() == Locale::Fa {
            fa.clone()
        } else {
            en.clone()
        }
    }
}

#[component]
fn Label(prefix: &'static str, code: String) -> impl IntoView {
    let i18n = use_i18n();
    let k = key(prefix, &code);
    move || i18n.t(&k)
}

/// A workshop's shifts, stored as `morning+afternoon`: each translated, joined the language's way.
#[component]
fn Shifts(shifts: String) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        shifts
            .split('+')
            .filter(|s| !s.is_empty())
            .map(|s| i18n.t(&key("shift", s.trim())).to_string())
            .collect::<Vec<_>>()
            .join(crate::ui::separator(i18n.get()))
    }
}

/// Skills chosen from the list, one box each, in the reader's language (never typed as codes).
/// Submits `name[]=sewing&name[]=…`.
#[component]
fn SkillPicker(name: &'static str, #[prop(optional)] chosen: Vec<String>) -> impl IntoView {
    let field = format!("{name}[]");
    view! {
        <fieldset class="skill-picker">
            <legend>{t("employment.required_skills")}</legend>
            {SKILLS.iter().map(|code| {
                let checked = chosen.iter().any(|c| c == code);
                view! {
                    <label class="check">
                        <input type="checkbox" name=field.clone() value=*code checked=checked/>
                        <Label prefix="skill" code=code.to_string()/>
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
}

#[component]
fn Skills(skills: Vec<String>) -> impl IntoView {
    view! {
        <span class="skills">
            {skills.into_iter().map(|s| view! { <span class="tag"><Label prefix="skill" code=s/></span> }).collect_view()}
        </span>
    }
}

fn hours(minutes: i64) -> impl Fn() -> String + Send + Sync + Clone + 'static {
    let i18n = use_i18n();
    move || {
        let h = format_number(minutes / 60, i18n.get());
        let m = minutes % 60;
        if m == 0 {
            h
        } else {
            format!("{h}:{}", format_number(m, i18n.get()))
        }
    }
}

// ---------------------------------------------------------------- public

/// `/employment/workshops`: the public catalogue. Filters live in the URL.
#[component]
pub fn WorkshopsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let filter = move || {
        query.with(|q| {
            (
                q.get("province").filter(|s| !s.is_empty()),
                q.get("kind").filter(|s| !s.is_empty()),
            )
        })
    };
    let cards = Resource::new(filter, |(p, k)| workshop_catalogue(p, k));
    let provinces = Resource::new(|| (), |_| crate::giving::provinces());
    view! {
        <section class="panel" id="workshops">
            <crate::ui::PageMeta title="employment.workshops" description="employment.workshops_intro"/><h1>{t("employment.workshops")}</h1>
            <p class="muted">{t("employment.workshops_intro")}</p>
            <form method="get" action="/employment/workshops" class="filters" id="workshop-filters">
                <label>{t("employment.province")}
                    <select name="province">
                        <option value="">{t("employment.all")}</option>
                        <Suspense fallback=|| ()>
                            {move || provinces.get().and_then(|r| r.ok()).map(|ps| {
                                let chosen = filter().0.unwrap_or_default();
                                ps.into_iter().map(|p| {
                                    let selected = p.code == chosen;
                                    view! { <option value=p.code.clone() selected=selected>{bilingual(p.fa, p.en)}</option> }
                                }).collect_view()
                            })}
                        </Suspense>
                    </select>
                </label>
                <label>{t("employment.kind")}
                    <select name="kind">
                        <option value="">{t("employment.all")}</option>
                        {WORKSHOP_KINDS.iter().map(|k| {
                            let selected = move || filter().1.as_deref() == Some(*k);
                            view! { <option value=*k selected=selected><Label prefix="kind" code=k.to_string()/></option> }
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="button secondary">{t("employment.filter")}</button>
            </form>
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || cards.get().map(|r| match r {
                    Err(e) => view! { <p class="error">{move || i18n.t(e.message_key())}</p> }.into_any(),
                    Ok(cards) if cards.is_empty() => view! { <p class="muted" id="no-workshops">{t("employment.no_workshops")}</p> }.into_any(),
                    Ok(cards) => view! {
                        <ul class="cards" id="workshop-list">
                            {cards.into_iter().map(|c| view! {
                                <li class="card workshop" data-code=c.code.clone()>
                                    <h2>{bilingual(c.name_fa.clone(), c.name_en.clone())}</h2>
                                    <p class="muted">{bilingual(c.province_fa.clone(), c.province_en.clone())} <Sep/> <Label prefix="kind" code=c.kind.clone()/></p>
                                    <dl class="facts">
                                        <dt>{t("employment.capacity")}</dt><dd><crate::ui::Num n={c.capacity as i64}/></dd>
                                        <dt>{t("employment.shifts")}</dt><dd><Shifts shifts=c.shifts.clone()/></dd>
                                        <dt>{t("employment.active_contracts")}</dt><dd><crate::ui::Num n={c.active_contracts}/></dd>
                                    </dl>
                                    <p>{t("employment.available_workers")}</p>
                                    <ul class="plain available">
                                        {c.available.into_iter().map(|(s, n)| {
                                            let skill = s.clone();
                                            view! {
                                                <li data-skill=skill><Label prefix="skill" code=s/> ": "
                                                    {if n == 0 { t("employment.fewer_than_three").into_any() } else { view! { <crate::ui::Num n/> }.into_any() }}
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                    <A href=format!("/employment/dashboard?workshop={}", c.code)>{t("employment.propose_here")}</A>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                })}
            </Suspense>
            <p><A href="/employment/register">{t("employment.register")}</A></p>
        </section>
    }
}

/// `/employment/register`: a company and its account in one form.
#[component]
pub fn RegisterPage() -> impl IntoView {
    let action = ServerAction::<RegisterEntrepreneur>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let provinces = Resource::new(|| (), |_| crate::giving::provinces());
    view! {
        <section class="panel narrow" id="register">
            <crate::ui::PageMeta title="employment.register"/><h1>{t("employment.register")}</h1>
            <p class="muted">{t("employment.register_intro")}</p>
            <ActionForm action=action attr:class="form" attr:id="register-form">
                <label>{t("employment.company_name")}<input name="form[company_name]" required/></label>
                <label>{t("employment.national_company_id")}<input name="form[national_company_id]" inputmode="numeric" required/></label>
                <label>{t("employment.economic_code")}<input name="form[economic_code]" inputmode="numeric" required/></label>
                <label>{t("employment.sector")}
                    <select name="form[sector]">
                        {SECTORS.iter().map(|s| view! { <option value=*s><Label prefix="sector" code=s.to_string()/></option> }).collect_view()}
                    </select>
                </label>
                <label>{t("employment.province")}
                    <select name="form[province]" required>
                        <Suspense fallback=|| ()>
                            {move || provinces.get().and_then(|r| r.ok()).map(|ps| ps.into_iter().map(|p| {
                                view! { <option value=p.code.clone()>{bilingual(p.fa, p.en)}</option> }
                            }).collect_view())}
                        </Suspense>
                    </select>
                </label>
                <label>{t("employment.contact_name")}<input name="form[contact_name]" required/></label>
                <label>{t("employment.contact_phone")}<input name="form[contact_phone]" inputmode="tel" required/></label>
                <label>{t("auth.email")}<input type="email" name="form[email]" required autocomplete="email"/></label>
                <label>{t("auth.password")}<input type="password" name="form[password]" required autocomplete="new-password"/></label>
                <ErrorNote error/>
                <button type="submit" class="button">{t("employment.register_submit")}</button>
            </ActionForm>
        </section>
    }
}

// ---------------------------------------------------------------- entrepreneurs

/// `/employment/dashboard`: the entrepreneur's status, contracts, invoices and a proposal form.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let i18n = use_i18n();
    let me = Resource::new(|| (), |_| current_user());
    let query = use_query_map();
    let chosen = move || query.with(|q| q.get("workshop").unwrap_or_default());
    let propose = ServerAction::<ProposeContract>::new();
    let error = Signal::derive(move || propose.value().get().and_then(|r| r.err()));
    // The server decides who may see it; the page shows what it answers.
    let data = Resource::new(|| (), |_| entrepreneur_dashboard());
    view! {
        <section class="panel" id="entrepreneur-home">
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || me.get().map(|u| match u.ok().flatten() {
                    None => view! { <crate::ui::PageMeta title="error.unauthorized"/><h1>{t("error.unauthorized")}</h1> <p><A href="/sign-in">{t("nav.sign_in")}</A></p> }.into_any(),
                    Some(u) if u.role != Role::Entrepreneur => view! { <crate::ui::PageMeta title="error.forbidden"/><h1>{t("error.forbidden")}</h1> }.into_any(),
                    Some(u) => view! {
                        <crate::ui::PageMeta title="account.welcome"/><h1>{t("account.welcome")} " " {u.display_name.clone()}</h1>
                        <p class="role-badge" data-role="entrepreneur"><crate::shell::RoleName role=Role::Entrepreneur/></p>
                    }.into_any(),
                })}
                {move || data.get().map(|d| match d {
                    Err(AppError::Unauthorized | AppError::Forbidden) => ().into_any(),
                    Err(AppError::NotFound) => view! {
                        <p class="notice">{t("employment.no_company")} " " <A href="/employment/register">{t("employment.register")}</A></p>
                    }.into_any(),
                    Err(e) => view! { <p class="error">{move || i18n.t(e.message_key())}</p> }.into_any(),
                    Ok(d) => {
                        let verified = d.me.status == "verified";
                        let workshops = d.workshops.clone();
                        let province = d.province.clone();
                        view! {
                            <h2><bdi><crate::ui::DataText text=d.me.company.clone()/></bdi></h2>
                            <p id="company-status" data-status=d.me.status.clone()><Label prefix="company_status" code=d.me.status.clone()/></p>
                            <h2>{t("employment.contracts")}</h2>
                            <ContractList rows=d.contracts.clone() id="my-contracts"/>
                            <h2>{t("employment.output")}</h2>
                            <table class="table stack" id="my-output">
                                <thead><tr><th>{t("employment.contract")}</th><th>{t("employment.product")}</th><th>{t("employment.output_days")}</th><th>{t("employment.accepted")}</th><th>{t("employment.rejected")}</th><th>{t("employment.output_disputed")}</th><th>{t("employment.output_invoiced")}</th><th>{t("employment.output_paid")}</th></tr></thead>
                                <tbody>
                                    {d.output.into_iter().map(|o| {
                                        let href = format!("/employment/contracts/{}", o.contract);
                                        let (c1, c2) = (o.contract.clone(), o.contract.clone());
                                        view! {
                                        <tr data-contract=c1><td data-label=move || i18n.t("employment.contract")><A href=href>{c2}</A></td><td data-label=move || i18n.t("employment.product")><bdi>{o.product}</bdi></td>
                                        <td data-label=move || i18n.t("employment.output_days")><crate::ui::Num n={o.days}/></td><td class="accepted" data-label=move || i18n.t("employment.accepted")><crate::ui::Num n={o.accepted}/></td><td data-label=move || i18n.t("employment.rejected")><crate::ui::Num n={o.rejected}/></td><td data-label=move || i18n.t("employment.output_disputed")><crate::ui::Num n={o.disputed}/></td>
                                        <td data-label=move || i18n.t("employment.output_invoiced")><crate::ui::Money rials={o.invoiced_rials}/></td><td data-label=move || i18n.t("employment.output_paid")><crate::ui::Money rials={o.paid_rials}/></td></tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <h2>{t("employment.my_jobs")}</h2>
                            <ul class="plain" id="my-jobs">
                                {d.jobs.is_empty().then(|| view! { <li class="muted">{t("employment.no_jobs")}</li> })}
                                {d.jobs.into_iter().map(|j| view! {
                                    <li data-job=j.card.code.clone()><crate::ui::Code code=j.card.code.clone()/> " — " <bdi><crate::ui::DataText text=j.card.title.clone()/></bdi> <Sep/>
                                        {t("employment.applications")} " " <crate::ui::Num n={j.applications}/> <Sep/> {t("employment.awaiting_answer")} " " <crate::ui::Num n={j.awaiting}/></li>
                                }).collect_view()}
                            </ul>
                            <h2>{t("employment.invoices")}</h2>
                            <table class="table stack" id="my-invoices">
                                <thead><tr><th>{t("employment.contract")}</th><th>{t("employment.period")}</th><th>{t("employment.accepted")}</th><th>{t("employment.amount")}</th><th>{t("employment.status")}</th></tr></thead>
                                <tbody>
                                    {d.invoices.into_iter().map(|(c, i)| view! {
                                        <tr><td data-label=move || i18n.t("employment.contract")><A href=format!("/employment/contracts/{c}")>{c.clone()}</A></td><td data-label=move || i18n.t("employment.period")><crate::ui::Period period=i.period.clone()/></td><td data-label=move || i18n.t("employment.accepted")><crate::ui::Num n={i.accepted_units}/></td><td data-label=move || i18n.t("employment.amount")><crate::ui::Money rials={i.amount_rials}/></td><td data-label=move || i18n.t("employment.status")><Label prefix="invoice_status" code=i.status.clone()/></td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            {verified.then(|| view! {
                                <h2>{t("employment.propose")}</h2>
                                <p class="muted">{t("employment.propose_intro")} " " <A href="/employment/workshops">{t("employment.workshops")}</A></p>
                                <ActionForm action=propose attr:class="form" attr:id="propose-form">
                                    <label>{t("employment.workshop")}
                                        <select name="form[workshop]" required>
                                            {move || {
                                                let mut list = workshops.clone();
                                                let c = chosen();
                                                if !c.is_empty() && !list.iter().any(|w| w.0 == c) {
                                                    list.insert(0, (c.clone(), c.clone(), c.clone()));
                                                }
                                                list.into_iter().map(|(code, fa, en)| {
                                                    let selected = code == chosen();
                                                    view! { <option value=code.clone() selected=selected>{bilingual(fa, en)} " (" {code.clone()} ")"</option> }
                                                }).collect_view()
                                            }}
                                        </select>
                                    </label>
                                    <label>{t("employment.product")}<input name="form[product]" required/></label>
                                    <label>{t("employment.quantity")}<input name="form[quantity]" inputmode="numeric" required/></label>
                                    <label>{t("employment.unit_price")}<input name="form[unit_price]" inputmode="numeric" required/></label>
                                    <label>{t("employment.wage_model")}
                                        <select name="form[wage_model]">
                                            <option value="hourly">{t("employment.model.hourly")}</option>
                                            <option value="piece">{t("employment.model.piece")}</option>
                                        </select>
                                    </label>
                                    <label>{t("employment.wage_rate")}<input name="form[wage_rate]" inputmode="numeric" required/></label>
                                    <label>{t("employment.headcount")}<input name="form[headcount]" inputmode="numeric" required/></label>
                                    <SkillPicker name="form[required_skills]"/>
                                    <label>{t("employment.required_certificates")}<input name="form[required_certificates]"/></label>
                                    <label>{t("employment.starts_on")}<crate::ui::DateField name="form[starts_on]" required=true/></label>
                                    <label>{t("employment.ends_on")}<crate::ui::DateField name="form[ends_on]" required=true/></label>
                                    <label class="check"><input type="checkbox" name="form[materials_supplied]" value="yes"/>{t("employment.materials_supplied")}</label>
                                    <ErrorNote error/>
                                    <button type="submit" class="button">{t("employment.propose_submit")}</button>
                                </ActionForm>
                            }.into_any())}
                            {verified.then(|| view! { <JobsSection province=province.clone()/> }.into_any())}
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ContractList(rows: Vec<ContractRow>, id: &'static str) -> impl IntoView {
    view! {
        <ul class="plain" id=id>
            {rows.into_iter().map(|c| {
                let href = format!("/employment/contracts/{}", c.code);
                let code = c.code.clone();
                view! {
                <li data-code=code>
                    <A href=href><crate::ui::Code code=c.code.clone()/></A>
                    " — " <bdi><crate::ui::DataText text=c.product.clone()/></bdi> <Sep/> <bdi><crate::ui::DataText text=c.company.clone()/></bdi> <Sep/> {bilingual(c.workshop_fa.clone(), c.workshop_en.clone())}
                    <Sep/> <span class="status" data-status=c.status.clone()><Label prefix="status" code=c.status.clone()/></span>
                    <Sep/> <crate::ui::Num n={c.workers}/> "/" <crate::ui::Num n={c.headcount as i64}/>
                </li>
                }
            }).collect_view()}
        </ul>
    }
}

// ---------------------------------------------------------------- a contract

/// `/employment/contracts/:code`.
#[component]
pub fn ContractPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let code = move || params.with(|p| p.get("code").unwrap_or_default());
    let me = Resource::new(|| (), |_| current_user());
    let review = ServerAction::<ReviewContract>::new();
    let transition = ServerAction::<TransitionContract>::new();
    let assign = ServerAction::<AssignWorker>::new();
    let log = ServerAction::<LogProduction>::new();
    let dispute = ServerAction::<DisputeLog>::new();
    let resolve = ServerAction::<ResolveDispute>::new();
    let invoice = ServerAction::<IssueInvoice>::new();
    let paid = ServerAction::<InvoicePaid>::new();
    let find = ServerAction::<ContractMatches>::new();
    let slips = ServerAction::<Payslips>::new();
    let rate = ServerAction::<EndAssignment>::new();
    let amend = ServerAction::<AmendContract>::new();
    let contract = Resource::new(
        move || {
            (
                code(),
                review.version().get()
                    + transition.version().get()
                    + assign.version().get()
                    + log.version().get()
                    + dispute.version().get()
                    + resolve.version().get()
                    + invoice.version().get()
                    + paid.version().get()
                    + rate.version().get()
                    + amend.version().get(),
            )
        },
        |(c, _)| get_contract(c),
    );
    let errors = Signal::derive(move || {
        [
            review.value().get().and_then(|r| r.err()),
            transition.value().get().and_then(|r| r.err()),
            assign.value().get().and_then(|r| r.err()),
            log.value().get().and_then(|r| r.err()),
            dispute.value().get().and_then(|r| r.err()),
            resolve.value().get().and_then(|r| r.err()),
            invoice.value().get().and_then(|r| r.err()),
            paid.value().get().and_then(|r| r.err()),
            find.value().get().and_then(|r| r.err()),
            slips.value().get().and_then(|r| r.err()),
            rate.value().get().and_then(|r| r.err()),
            amend.value().get().and_then(|r| r.err()),
        ]
        .into_iter()
        .flatten()
        .next()
    });
    view! {
        <section class="panel" id="contract">
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || contract.get().map(|c| match c {
                    Err(e) => view! { <crate::ui::TitleText text=i18n.t(e.message_key())/><h1>{move || i18n.t(e.message_key())}</h1> }.into_any(),
                    Ok(c) => {
                        let u = me.get().and_then(|r| r.ok()).flatten();
                        let staff = !c.own;
                        let can_review = staff && may(&u, Permission::ReviewContract)
                            && matches!(c.status.as_str(), "proposed" | "officer_approved");
                        let can_manage = staff && may(&u, Permission::ManageContract)
                            && matches!(c.status.as_str(), "active" | "suspended");
                        let can_work = staff && may(&u, Permission::ManageWorkers) && c.status == "active";
                        let can_pay = staff && may(&u, Permission::PayWages);
                        let can_dispute = c.own || may(&u, Permission::ManageWorkers);
                        let can_resolve = staff && may(&u, Permission::ManageContract);
                        let code1 = c.code.clone();
                        let active_workers: Vec<String> = c.workers.iter().filter(|w| w.status == "active").map(|w| w.worker_code.clone()).collect();
                        let piece = c.terms.wage_model == "piece";
                        let period = c.current_period.clone();
                        view! {
                            {view! {
                            <crate::ui::PageMeta title="employment.contract"/><h1>{t("employment.contract")} " " <bdi id="contract-code" class="code" dir="ltr" translate="no">{c.code.clone()}</bdi></h1>
                            <p><span class="status" id="contract-status" data-status=c.status.clone()><Label prefix="status" code=c.status.clone()/></span>
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
                            }.into_any()}
                            {view! {
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
                            {(c.own && matches!(c.status.as_str(), "proposed" | "officer_approved" | "active" | "suspended" | "rejected")).then(|| {
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
                            }.into_any()}
                            {view! {
                            <h2>{t("employment.workers")}</h2>
                            <ul class="plain" id="workers">
                                {c.workers.clone().into_iter().map(|w| {
                                    // The officer ends an assignment with a rating (or rates one ended already).
                                    let can_rate = staff && w.rating.is_none() && may(&u, Permission::ManageWorkers);
                                    let (c1, wc) = (code1.clone(), w.worker_code.clone());
                                    view! {
                                    <li data-worker=w.worker_code.clone()><crate::ui::Code code=w.worker_code.clone()/> " " <Skills skills=w.skills.clone()/> <Sep/> <Label prefix="worker_status" code=w.status.clone()/>
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
                                                <button type="submit" class="button secondary">{if w.status == "active" { t("employment.end_assignment").into_any() } else { t("employment.rate_worker").into_any() }}</button>
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
                                let code = code();
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
                            }.into_any()}
                            {view! {
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
                            }.into_any()}
                            {view! {
                            <h2>{t("employment.invoices")}</h2>
                            <table class="table stack" id="invoices">
                                <thead><tr><th>{t("employment.invoice")}</th><th>{t("employment.period")}</th><th>{t("employment.accepted")}</th><th>{t("employment.amount")}</th><th>{t("employment.status")}</th></tr></thead>
                                <tbody>
                                    {c.invoices.clone().into_iter().map(|i| {
                                        let issued = i.status == "issued";
                                        let ic = i.code.clone();
                                        view! {
                                            <tr data-invoice=i.code.clone()>
                                                <td data-label=move || i18n.t("employment.invoice")><crate::ui::Code code=i.code.clone()/></td><td data-label=move || i18n.t("employment.period")><crate::ui::Period period=i.period.clone()/></td><td data-label=move || i18n.t("employment.accepted")><crate::ui::Num n={i.accepted_units}/></td><td data-label=move || i18n.t("employment.amount")><crate::ui::Money rials={i.amount_rials}/></td>
                                                <td data-label=move || i18n.t("employment.status")><Label prefix="invoice_status" code=i.status.clone()/>
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
                            }.into_any()}
                            {view! {
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
                                                <Sep/> <crate::ui::Phrase key="employment.version_n" args=vec![("n", crate::ui::Arg::Num(r.version as i64))]/> <Sep/> {role.map(|role| view! { <crate::shell::RoleName role/> })}
                                                <Sep/> <Label prefix="decision" code=r.decision.clone()/>
                                                {r.reason.clone().map(|x| view! { " — " <bdi>{x}</bdi> })}</li>
                                        }
                                    }).collect_view()}
                                </ul>
                            })}
                            }.into_any()}
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}

/// A payslip: every line, the cap, and what the worker keeps.
#[component]
fn PayslipCard(p: Payslip) -> impl IntoView {
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

// ---------------------------------------------------------------- staff

/// `/staff/employment`: entrepreneurs to verify, contracts to review, running contracts,
/// disputes, the month's wage run and prisoners' work consent.
#[component]
pub fn StaffEmploymentPage() -> impl IntoView {
    let i18n = use_i18n();
    let me = Resource::new(|| (), |_| current_user());
    let verify = ServerAction::<VerifyEntrepreneur>::new();
    let run = ServerAction::<WageRun>::new();
    let consent = ServerAction::<RecordWorkConsent>::new();
    let payout = ServerAction::<PayWorkers>::new();
    let set_rule = ServerAction::<SetWageRule>::new();
    let rules = Resource::new(move || set_rule.version().get(), |_| wage_rules());
    // The server decides who may see it; the page shows what it answers.
    let queue = Resource::new(move || verify.version().get(), |_| employment_queue());
    let training = Training::new();
    let errors = Signal::derive(move || {
        [
            verify.value().get().and_then(|r| r.err()),
            run.value().get().and_then(|r| r.err()),
            consent.value().get().and_then(|r| r.err()),
            payout.value().get().and_then(|r| r.err()),
            set_rule.value().get().and_then(|r| r.err()),
        ]
        .into_iter()
        .flatten()
        .next()
    });
    view! {
        <section class="panel" id="staff-employment">
            <crate::ui::PageMeta title="employment.staff_title"/><h1>{t("employment.staff_title")}</h1>
            <ErrorNote error=errors/>
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || {
                    let u = me.get().and_then(|r| r.ok()).flatten();
                    queue.get().map(|q| match q {
                        Err(e) => view! { <p class="error">{move || i18n.t(e.message_key())}</p> }.into_any(),
                        Ok(q) => {
                            let period = q.current_period.clone();
                            let can_verify = may(&u, Permission::VerifyEntrepreneur);
                            view! {
                                <h2>{t("employment.entrepreneurs_pending")}</h2>
                                <ul class="plain" id="entrepreneurs-pending">
                                    {q.entrepreneurs_pending.into_iter().map(|e| {
                                        let (c1, c2) = (e.code.clone(), e.code.clone());
                                        view! {
                                            <li data-code=e.code.clone()>
                                                <bdi><crate::ui::DataText text=e.company.clone()/></bdi> <Sep/> <Label prefix="sector" code=e.sector.clone()/> <Sep/> {bilingual(e.province_fa.clone(), e.province_en.clone())}
                                                {can_verify.then(|| view! {
                                                    <ActionForm action=verify attr:class="inline-form">
                                                        <input type="hidden" name="code" value=c1/>
                                                        <input type="hidden" name="approve" value="true"/>
                                                        <button type="submit" class="button">{t("employment.verify")}</button>
                                                    </ActionForm>
                                                    <ActionForm action=verify attr:class="inline-form">
                                                        <input type="hidden" name="code" value=c2/>
                                                        <input type="hidden" name="approve" value="false"/>
                                                        <input name="reason" required placeholder=move || i18n.t("employment.reason")/>
                                                        <button type="submit" class="button secondary">{t("employment.reject")}</button>
                                                    </ActionForm>
                                                })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                                <h2>{t("employment.contracts_to_review")}</h2>
                                <ContractList rows=q.contracts_to_review id="contracts-to-review"/>
                                <h2>{t("employment.active_contracts")}</h2>
                                <ContractList rows=q.active_contracts id="contracts-active"/>
                                <h2>{t("employment.disputes")}</h2>
                                <ul class="plain" id="disputes">
                                    {q.disputes.into_iter().map(|(c, _, d)| view! {
                                        <li><A href=format!("/employment/contracts/{c}")>{c.clone()}</A> <Sep/> {d}</li>
                                    }).collect_view()}
                                </ul>
                                {may(&u, Permission::PayWages).then(|| view! {
                                    <h2>{t("employment.wage_run")}</h2>
                                    <ActionForm action=run attr:class="inline-form" attr:id="wage-run-form">
                                        <crate::ui::PeriodField name="period" current=period.clone()/>
                                        <button type="submit" class="button">{t("employment.run_wages")}</button>
                                    </ActionForm>
                                    {move || run.value().get().and_then(|r| r.ok()).map(|r| view! {
                                        <dl class="facts" id="wage-run-report">
                                            <dt>{t("employment.payments")}</dt><dd data-payments=r.payments><crate::ui::Num n={r.payments}/></dd>
                                            <dt>{t("employment.gross")}</dt><dd><crate::ui::Money rials={r.gross_rials}/></dd>
                                            <dt>{t("employment.family_share")}</dt><dd><crate::ui::Money rials={r.family_rials}/></dd>
                                            <dt>{t("employment.release_share")}</dt><dd><crate::ui::Money rials={r.release_rials}/></dd>
                                            <dt>{t("employment.restitution")}</dt><dd><crate::ui::Money rials={r.restitution_rials}/></dd>
                                            <dt>{t("employment.savings")}</dt><dd><crate::ui::Money rials={r.savings_rials}/></dd>
                                            <dt>{t("employment.net")}</dt><dd><crate::ui::Money rials={r.net_rials}/></dd>
                                            <dt>{t("employment.already_paid")}</dt><dd><crate::ui::Num n={r.already_paid}/></dd>
                                        </dl>
                                    })}
                                    <h2>{t("employment.payout")}</h2>
                                    <p class="muted">{t("employment.payout_intro")}</p>
                                    <ActionForm action=payout attr:class="inline-form" attr:id="payout-form">
                                        <input name="reference" required placeholder=move || i18n.t("employment.payout_reference")/>
                                        <crate::ui::Confirm id="payout-confirm" button_id="payout-submit"
                                            ask="employment.pay_out" confirm="employment.payout_confirm">
                                            {t("employment.payout_warning")}
                                        </crate::ui::Confirm>
                                    </ActionForm>
                                    {move || payout.value().get().and_then(|r| r.ok()).map(|r| view! {
                                        <dl class="facts" id="payout-report">
                                            <dt>{t("employment.payout_workers")}</dt><dd data-workers=r.workers><crate::ui::Num n={r.workers}/> <Sep/> <crate::ui::Money rials={r.wages_rials}/></dd>
                                            <dt>{t("employment.payout_released")}</dt><dd><crate::ui::Num n={r.released}/> <Sep/> <crate::ui::Money rials={r.savings_rials}/></dd>
                                        </dl>
                                    })}
                                })}
                                <h2>{t("employment.wage_rules")}</h2>
                                {move || rules.get().and_then(|r| r.ok()).map(|rows| view! {
                                    <table class="table" id="wage-rules">
                                        <thead><tr><th>{t("employment.rule_name")}</th><th>{t("employment.rule_from")}</th><th>{t("employment.family_share")}</th><th>{t("employment.release_share")}</th><th>{t("employment.restitution")}</th><th>{t("employment.savings")}</th><th>{t("employment.cap")}</th><th>{t("employment.min_hourly")}</th><th>{t("employment.min_piece")}</th></tr></thead>
                                        <tbody>
                                            {rows.into_iter().map(|r| {
                                                let pct = move |bp: i64| move || crate::i18n::format_percent(bp, 100, i18n.get());
                                                let name = r.name.clone();
                                                view! {
                                                    <tr data-in-force=r.in_force.to_string()><td>{if name == "default" { t("employment.rule_default").into_any() } else { view! { <bdi><crate::ui::DataText text=name/></bdi> }.into_any() }}{r.in_force.then(|| view! { " " <span class="status">{t("employment.in_force")}</span> })}</td>
                                                    <td>{match crate::validation::parse_date(&r.effective_from) { Some(date) => view! { <crate::ui::Day date/> }.into_any(), None => view! { <bdi><crate::ui::DataText text=r.effective_from.clone()/></bdi> }.into_any() }}</td><td>{pct(r.family_bp)}</td><td>{pct(r.release_bp)}</td><td>{pct(r.restitution_bp)}</td><td>{pct(r.savings_bp)}</td><td>{pct(r.cap_bp)}</td>
                                                    <td><crate::ui::Money rials={r.min_hourly_rials}/></td><td><crate::ui::Money rials={r.min_piece_rials}/></td></tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                })}
                                {may(&u, Permission::ManageStaff).then(|| view! {
                                    <details class="subform" id="wage-rule-details">
                                        <summary>{t("employment.set_wage_rule")}</summary>
                                        <ActionForm action=set_rule attr:class="form" attr:id="wage-rule-form">
                                            <label>{t("employment.rule_name")}<input name="form[name]" required/></label>
                                            <label>{t("employment.family_share")} " (%)"<input name="form[family]" inputmode="decimal" required value="30"/></label>
                                            <label>{t("employment.release_share")} " (%)"<input name="form[release]" inputmode="decimal" required value="20"/></label>
                                            <label>{t("employment.restitution")} " (%)"<input name="form[restitution]" inputmode="decimal" required value="10"/></label>
                                            <label>{t("employment.savings")} " (%)"<input name="form[savings]" inputmode="decimal" required value="10"/></label>
                                            <label>{t("employment.cap")} " (%)"<input name="form[cap]" inputmode="decimal" required value="80"/></label>
                                            <label>{t("employment.min_hourly")} " (" {t("common.toman")} ")"<input name="form[min_hourly]" inputmode="numeric" required/></label>
                                            <label>{t("employment.min_piece")} " (" {t("common.toman")} ")"<input name="form[min_piece]" inputmode="numeric" required/></label>
                                            <label>{t("employment.rule_from")}<crate::ui::DateField name="form[effective_from]" required=true/></label>
                                            {move || matches!(set_rule.value().get(), Some(Ok(()))).then(|| view! { <p class="notice" id="wage-rule-saved">{t("employment.rule_saved")}</p> })}
                                            <button type="submit" class="button secondary">{t("employment.set_wage_rule")}</button>
                                        </ActionForm>
                                    </details>
                                })}
                                <TrainingSection training prisons_hint=may(&u, Permission::ManageWorkers)/>
                                {may(&u, Permission::ManageWorkers).then(|| view! {
                                    <h2>{t("employment.work_consent")}</h2>
                                    <ActionForm action=consent attr:class="inline-form" attr:id="work-consent-form">
                                        <input name="prisoner" required placeholder="P-…"/>
                                        <select name="consent">
                                            <option value="true">{t("employment.consent_given")}</option>
                                            <option value="false">{t("employment.consent_withdrawn")}</option>
                                        </select>
                                        <button type="submit" class="button secondary">{t("employment.record")}</button>
                                    </ActionForm>
                                })}
                            }.into_any()
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

/// `/employment/jobs`: open job posts for released people (public).
#[component]
pub fn JobsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let province = move || query.with(|q| q.get("province").filter(|s| !s.is_empty()));
    let jobs = Resource::new(province, job_posts);
    view! {
        <section class="panel" id="jobs">
            <crate::ui::PageMeta title="employment.jobs"/><h1>{t("employment.jobs")}</h1>
            <p class="muted">{t("employment.jobs_intro")}</p>
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || jobs.get().map(|r| match r {
                    Err(e) => view! { <p class="error">{move || i18n.t(e.message_key())}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="cards" id="job-list">
                            {list.into_iter().map(|j| {
                                let code = j.code.clone();
                                view! {
                                    <li class="card job" data-code=code>
                                        <h2><bdi><crate::ui::DataText text=j.title.clone()/></bdi></h2>
                                        <p class="muted"><bdi><crate::ui::DataText text=j.company.clone()/></bdi> <Sep/> {bilingual(j.province_fa.clone(), j.province_en.clone())}</p>
                                        <p><Skills skills=j.skills.clone()/></p>
                                        <p>{t("employment.monthly_pay_label")} ": " <crate::ui::Money rials={j.pay_rials}/></p>
                                        {j.early_hire_until.clone().map(|d| view! { <p class="muted">{t("employment.early_hire_until")} " " {match crate::validation::parse_date(&d) {
                                            Some(date) => view! { <crate::ui::Day date/> }.into_any(),
                                            None => view! { <bdi>{d.clone()}</bdi> }.into_any(),
                                        }}</p> })}
                                        <p class="muted"><crate::ui::Code code=j.code.clone()/></p>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// The entrepreneur's job posts: a new one, and the applicants (passports) of one.
#[component]
fn JobsSection(province: String) -> impl IntoView {
    let post = ServerAction::<PostJob>::new();
    let applicants = ServerAction::<JobApplicants>::new();
    let decide = ServerAction::<DecideApplication>::new();
    // The job whose applicants are shown (the action's input is gone once it answers).
    let job_shown = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(i) = applicants.input().get() {
            job_shown.set(i.job);
        }
    });
    // An answer given: ask again, so the list shows it.
    Effect::new(move |_| {
        if matches!(decide.value().get(), Some(Ok(()))) {
            applicants.dispatch(JobApplicants {
                job: job_shown.get_untracked(),
            });
        }
    });
    let error = Signal::derive(move || {
        post.value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| applicants.value().get().and_then(|r| r.err()))
            .or_else(|| decide.value().get().and_then(|r| r.err()))
    });
    view! {
        <h2>{t("employment.post_job")}</h2>
        <ActionForm action=post attr:class="form" attr:id="job-form">
            <label>{t("employment.job_title")}<input name="form[title]" required/></label>
            <input type="hidden" name="form[province]" value=province/>
            <SkillPicker name="form[skills]"/>
            <label>{t("employment.monthly_pay")}<input name="form[pay]" inputmode="numeric" required/></label>
            <label>{t("employment.early_hire_days")}<input name="form[early_hire_days]" inputmode="numeric"/></label>
            <button type="submit" class="button secondary">{t("employment.post_job")}</button>
        </ActionForm>
        {move || post.value().get().and_then(|r| r.ok()).map(|code| view! { <p class="notice" id="job-posted">{t("employment.job_posted")} " " <crate::ui::Code code=code/></p> })}
        <ErrorNote error/>
        <ActionForm action=applicants attr:class="inline-form" attr:id="applicants-form">
            <input name="job" required placeholder="J-…"/>
            <button type="submit" class="button secondary">{t("employment.applicants")}</button>
        </ActionForm>
        {move || applicants.value().get().and_then(|r| r.ok()).map(|list| view! {
            <ul class="plain" id="applicants">
                {list.into_iter().map(|(status, p)| {
                    let open = status == "applied";
                    let (pa, pb) = (p.code.clone(), p.code.clone());
                    let shown = status.clone();
                    view! { <li data-status=status><PassportCard p/> <Sep/> <Label prefix="application" code=shown/>
                        {open.then(|| view! {
                            <ActionForm action=decide attr:class="inline-form">
                                <input type="hidden" name="job" value=move || job_shown.get()/>
                                <input type="hidden" name="passport" value=pa/>
                                <input type="hidden" name="hire" value="true"/>
                                <button type="submit" class="button">{t("employment.accept")}</button>
                            </ActionForm>
                            <ActionForm action=decide attr:class="inline-form">
                                <input type="hidden" name="job" value=move || job_shown.get()/>
                                <input type="hidden" name="passport" value=pb/>
                                <input type="hidden" name="hire" value="false"/>
                                <button type="submit" class="button secondary">{t("employment.decline")}</button>
                            </ActionForm>
                        })}
                    </li> }
                }).collect_view()}
            </ul>
        })}
    }
}

#[component]
fn PassportCard(p: Passport) -> impl IntoView {
    view! {
        <article class="card passport" data-passport=p.code.clone()>
            <h3><crate::ui::Code code=p.code.clone()/></h3>
            <p><Skills skills=p.skills.clone()/></p>
            <p>{t("employment.training_hours")} ": " <crate::ui::Num n={p.training_hours}/></p>
            <ul class="plain">
                {p.certificates.into_iter().map(|(title, _, on)| view! { <li>{t("employment.certificate")} ": " <bdi>{title}</bdi> " (" {on} ")"</li> }).collect_view()}
                {p.work.into_iter().map(|w| view! { <li>{t("employment.workshop_record")} ": " <bdi>{w.product}</bdi> <Sep/> <crate::ui::Num n={w.months}/> " " {t("employment.months")}
                    {w.rating.map(|r| view! { <Sep/> {t("employment.rating")} " " <crate::ui::Num n={r as i64}/> })}</li> }).collect_view()}
            </ul>
        </article>
    }
}

/// Training programmes of the prisons in scope, and a released person's job application.
/// The page that shows it owns its actions and resource (created at the page's top level, so
/// the server-side fetch runs under the page's owner and its context).
#[derive(Clone, Copy)]
pub struct Training {
    create: ServerAction<CreateProgramme>,
    hours: ServerAction<RecordTraining>,
    apply: ServerAction<ApplyForJob>,
    list: Resource<Result<Vec<ProgrammeRow>, AppError>>,
}

impl Training {
    fn new() -> Self {
        let create = ServerAction::<CreateProgramme>::new();
        let hours = ServerAction::<RecordTraining>::new();
        let apply = ServerAction::<ApplyForJob>::new();
        let list = Resource::new(
            move || create.version().get() + hours.version().get(),
            |_| training_programmes(),
        );
        Training {
            create,
            hours,
            apply,
            list,
        }
    }
}

#[component]
fn TrainingSection(training: Training, prisons_hint: bool) -> impl IntoView {
    let i18n = use_i18n();
    let Training {
        create,
        hours,
        apply,
        list,
    } = training;
    let error = Signal::derive(move || {
        [
            create.value().get().and_then(|r| r.err()),
            hours.value().get().and_then(|r| r.err()),
            apply.value().get().and_then(|r| r.err()),
        ]
        .into_iter()
        .flatten()
        .next()
    });
    view! {
        <h2>{t("employment.training")}</h2>
        <ErrorNote error/>
        <Suspense fallback=|| ()>
            {move || list.get().and_then(|r| r.ok()).map(|rows| view! {
                <table class="table" id="programmes">
                    <thead><tr><th>{t("employment.programme")}</th><th>{t("employment.skill")}</th><th>{t("employment.hours")}</th><th>{t("employment.enrolled")}</th><th>{t("employment.certified")}</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|p| view! {
                            <tr data-code=p.code.clone()><td><crate::ui::Code code=p.code.clone()/> " " <bdi><crate::ui::DataText text=p.title.clone()/></bdi> <Sep/> {p.prison.clone()}</td><td><Label prefix="skill" code=p.skill.clone()/></td><td><crate::ui::Num n={p.hours as i64}/></td><td><crate::ui::Num n={p.enrolled}/></td><td><crate::ui::Num n={p.certified}/></td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </Suspense>
        {prisons_hint.then(|| view! {
            <ActionForm action=create attr:class="inline-form" attr:id="programme-form">
                <input name="form[prison]" required placeholder=move || i18n.t("employment.prison_code")/>
                <input name="form[title]" required placeholder=move || i18n.t("employment.programme")/>
                <select name="form[skill]">
                    {SKILLS.iter().map(|s| view! { <option value=*s><Label prefix="skill" code=s.to_string()/></option> }).collect_view()}
                </select>
                <input name="form[hours]" inputmode="numeric" required size="4" placeholder=move || i18n.t("employment.hours")/>
                <button type="submit" class="button secondary">{t("employment.create_programme")}</button>
            </ActionForm>
            <ActionForm action=hours attr:class="inline-form" attr:id="training-form">
                <input name="programme" required placeholder="T-…"/>
                <input name="prisoner" required placeholder="P-…"/>
                <input name="hours" inputmode="numeric" required size="4" placeholder=move || i18n.t("employment.hours")/>
                <button type="submit" class="button secondary">{t("employment.record_hours")}</button>
            </ActionForm>
            {move || hours.value().get().and_then(|r| r.ok()).map(|s| view! {
                <p class="notice" id="training-status"><crate::ui::Num n={s.hours_completed as i64}/> "/" <crate::ui::Num n={s.hours_required as i64}/>
                    {s.certified.then(|| view! { <Sep/> {t("employment.certified")} })}</p>
            })}
            <h2>{t("employment.apply_for")}</h2>
            <ActionForm action=apply attr:class="inline-form" attr:id="apply-form">
                <input name="job" required placeholder="J-…"/>
                <input name="prisoner" required placeholder="P-…"/>
                <button type="submit" class="button secondary">{t("employment.apply")}</button>
            </ActionForm>
            {move || apply.value().get().and_then(|r| r.ok()).map(|code| view! { <p class="notice" id="applied">{t("employment.applied")} " " <crate::ui::Code code=code/></p> })}
        })}
    }
}
