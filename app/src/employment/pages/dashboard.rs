//! `/employment/dashboard`: the entrepreneur's contracts, output and invoices.

use super::*;

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
                        <p class="role-badge" data-role="entrepreneur"><crate::auth::RoleName role=Role::Entrepreneur/></p>
                    }.into_any(),
                })}
                {move || data.get().map(|d| match d {
                    Err(AppError::Unauthorized | AppError::Forbidden) => ().into_any(),
                    Err(AppError::NotFound) => view! {
                        <p class="notice">{t("employment.no_company")} " " <A href="/employment/register">{t("employment.register")}</A></p>
                    }.into_any(),
                    Err(e) => view! { <p class="error">{move || i18n.t(e.message_key())}</p> }.into_any(),
                    Ok(d) => {
                        let verified = d.me.status == crate::platform::status::EntrepreneurStatus::Verified;
                        let workshops = d.workshops.clone();
                        let province = d.province.clone();
                        view! {
                            <h2><bdi><crate::ui::DataText text=d.me.company.clone()/></bdi></h2>
                            <p id="company-status" data-status=d.me.status.as_str()><Label prefix="company_status" code=d.me.status.to_string()/></p>
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
                                        <tr><td data-label=move || i18n.t("employment.contract")><A href=format!("/employment/contracts/{c}")>{c.clone()}</A></td><td data-label=move || i18n.t("employment.period")><crate::ui::Period period=i.period.clone()/></td><td data-label=move || i18n.t("employment.accepted")><crate::ui::Num n={i.accepted_units}/></td><td data-label=move || i18n.t("employment.amount")><crate::ui::Money rials={i.amount_rials}/></td><td data-label=move || i18n.t("employment.status")><Label prefix="invoice_status" code=i.status.to_string()/></td></tr>
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
pub(super) fn ContractList(rows: Vec<ContractRow>, id: &'static str) -> impl IntoView {
    view! {
        <ul class="plain" id=id>
            {rows.into_iter().map(|c| {
                let href = format!("/employment/contracts/{}", c.code);
                let code = c.code.clone();
                view! {
                <li data-code=code>
                    <A href=href><crate::ui::Code code=c.code.clone()/></A>
                    " — " <bdi><crate::ui::DataText text=c.product.clone()/></bdi> <Sep/> <bdi><crate::ui::DataText text=c.company.clone()/></bdi> <Sep/> {bilingual(c.workshop_fa.clone(), c.workshop_en.clone())}
                    <Sep/> <span class="status" data-status=c.status.as_str()><Label prefix="status" code=c.status.to_string()/></span>
                    <Sep/> <crate::ui::Num n={c.workers}/> "/" <crate::ui::Num n={c.headcount as i64}/>
                </li>
                }
            }).collect_view()}
        </ul>
    }
}
