//! `/staff/employment`: the staff's employment work in their scope.

use super::*;

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
            <p><A href="/staff/restitution" attr:class="button secondary" attr:id="restitution-link">{t("restitution.link")}</A></p>
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
                                <EntrepreneursPending rows=q.entrepreneurs_pending can_verify verify/>
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
                                {may(&u, Permission::PayWages).then(|| view! { <WagePayment period=period.clone() run payout/> })}
                                <WageRules rules set_rule can_set=may(&u, Permission::ManageStaff)/>
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

/// Entrepreneurs waiting to be verified.
#[component]
fn EntrepreneursPending(
    rows: Vec<EntrepreneurRow>,
    can_verify: bool,
    verify: ServerAction<VerifyEntrepreneur>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h2>{t("employment.entrepreneurs_pending")}</h2>
        <ul class="plain" id="entrepreneurs-pending">
            {rows.into_iter().map(|e| {
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
    }
}

/// The month's wage run and paying out what the association holds for workers.
#[component]
fn WagePayment(
    period: String,
    run: ServerAction<WageRun>,
    payout: ServerAction<PayWorkers>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
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
    }
}

/// The wage rules in force and to come, and a national admin setting the next one.
#[component]
fn WageRules(
    rules: Resource<Result<Vec<WageRuleRow>, AppError>>,
    set_rule: ServerAction<SetWageRule>,
    can_set: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
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
        {can_set.then(|| view! {
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
    }
}
