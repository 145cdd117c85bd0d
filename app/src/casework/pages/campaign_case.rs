//! `/staff/campaigns/…`: a release campaign from verification to closing.

use super::*;

/// `/staff/campaigns/:code`: a release campaign through verification, publication, payment to the
/// court, release and closing.
#[component]
pub fn CampaignCasePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let code = move || params.with(|p| p.get("code").unwrap_or_default());
    let me = Resource::new(|| (), |_| current_user());
    let verify = ServerAction::<CampaignVerify>::new();
    let publish = ServerAction::<CampaignPublish>::new();
    let pay = ServerAction::<CampaignPayCourt>::new();
    let release = ServerAction::<CampaignRelease>::new();
    let close = ServerAction::<CampaignClose>::new();
    let consent = ServerAction::<CampaignConsent>::new();
    let forgive = ServerAction::<CampaignForgiveness>::new();
    let case = Resource::new(
        move || {
            (
                code(),
                verify.version().get(),
                publish.version().get(),
                pay.version().get(),
                release.version().get(),
                close.version().get(),
                consent.version().get(),
                forgive.version().get(),
            )
        },
        |(c, ..)| get_campaign_case(c),
    );
    let errors = Signal::derive(move || {
        verify
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| publish.value().get().and_then(|r| r.err()))
            .or_else(|| pay.value().get().and_then(|r| r.err()))
            .or_else(|| release.value().get().and_then(|r| r.err()))
            .or_else(|| close.value().get().and_then(|r| r.err()))
            .or_else(|| consent.value().get().and_then(|r| r.err()))
            .or_else(|| forgive.value().get().and_then(|r| r.err()))
    });
    view! {
        <section class="panel" id="campaign-case">
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || case.get().map(|c| match c {
                    Err(e) => view! { <crate::ui::TitleText text=i18n.t(e.message_key())/><h1>{move || i18n.t(e.message_key())}</h1> }.into_any(),
                    Ok(c) => {
                        let u = me.get().and_then(|r| r.ok()).flatten();
                        let bal = c.balance_rials;
                        let codes = [c.code.clone(), c.code.clone(), c.code.clone(), c.code.clone(), c.code.clone()];
                        let [c1, c2, c3, c4, c5] = codes;
                        let (c6, c7) = (c.code.clone(), c.code.clone());
                        let can_forgive = c.status.takes_forgiveness()
                            && !c.withdrawn && may(&u, Permission::DraftCampaign);
                        let can_consent = c.status != crate::platform::status::CampaignStatus::Closed && may(&u, Permission::RecordConsent);
                        view! {
                            <CampaignFacts c=c.clone()/>
                            {can_consent.then(|| view! { <CampaignConsentForm code=c6.clone() given=c.consent consent/> })}
                            {can_forgive.then(|| view! {
                                <details class="subform" id="forgiveness-details">
                                    <summary>{t("staff.forgiveness_more")}</summary>
                                    <ActionForm action=forgive attr:class="form" attr:id="forgiveness-form">
                                        <input type="hidden" name="code" value=c7.clone()/>
                                        <label>{t("staff.forgiveness_total")}<input name="forgiveness" inputmode="numeric" required/></label>
                                        <label>{t("staff.forgiveness_evidence")}<input name="evidence" required/></label>
                                        <button type="submit" class="button secondary">{t("staff.forgiveness_more")}</button>
                                    </ActionForm>
                                </details>
                            })}
                            {(c.status == crate::platform::status::CampaignStatus::Draft && !c.mine && may(&u, Permission::VerifyCampaign)).then(|| view! {
                                <ActionForm action=verify attr:class="inline-form">
                                    <input type="hidden" name="code" value=c1.clone()/>
                                    <button type="submit" class="button" id="campaign-verify">{t("staff.verify")}</button>
                                </ActionForm>
                            })}
                            {(c.status == crate::platform::status::CampaignStatus::Verified && may(&u, Permission::VerifyCampaign)).then(|| view! {
                                <ActionForm action=publish attr:class="inline-form">
                                    <input type="hidden" name="code" value=c2.clone()/>
                                    <button type="submit" class="button" id="campaign-publish">{t("staff.publish")}</button>
                                </ActionForm>
                            })}
                            {(c.status == crate::platform::status::CampaignStatus::Funded && may(&u, Permission::Fulfil)).then(|| view! {
                                <ActionForm action=pay attr:class="form" attr:id="court-form">
                                    <input type="hidden" name="code" value=c3.clone()/>
                                    <label>{t("staff.court_ref")}<input name="court_ref" required/></label>
                                    <crate::ui::Confirm id="court-confirm" button_id="court-submit"
                                        ask="staff.pay_court" confirm="staff.pay_court_confirm">
                                        <crate::ui::Phrase key="staff.court_warning" args=vec![("amount", crate::ui::Arg::Money(bal))]/>
                                    </crate::ui::Confirm>
                                </ActionForm>
                            })}
                            {(c.status == crate::platform::status::CampaignStatus::PaidToCourt && may(&u, Permission::RecordRelease)).then(|| view! {
                                <ActionForm action=release attr:class="form" attr:id="release-form">
                                    <input type="hidden" name="code" value=c4.clone()/>
                                    <label>{t("staff.release_date")}<crate::ui::DateField name="date" required=true/></label>
                                    <button type="submit" class="button">{t("staff.record_release")}</button>
                                </ActionForm>
                            })}
                            {(c.status == crate::platform::status::CampaignStatus::Released && may(&u, Permission::RecordRelease)).then(|| view! {
                                <ActionForm action=close attr:class="inline-form">
                                    <input type="hidden" name="code" value=c5.clone()/>
                                    <button type="submit" class="button secondary" id="campaign-close">{t("staff.close")}</button>
                                </ActionForm>
                            })}
                        }.into_any()
                    }
                })}
            </Suspense>
            <ErrorNote error=errors/>
            {move || verify.value().get().and_then(|r| r.ok()).map(|o| match o {
                PublishOutcome::Blocked { findings } => view! { <Findings findings/> }.into_any(),
                _ => ().into_any(),
            })}
        </section>
    }
}

/// The campaign's public text, what is owed and forgiven, and its eligibility checklist.
#[component]
fn CampaignFacts(c: CampaignCase) -> impl IntoView {
    let i18n = use_i18n();
    let status_key = format!("campaign.status_{}", c.status);
    let (owed, forgiven, bal) = (c.total_owed_rials, c.forgiveness_rials, c.balance_rials);
    view! {
        <crate::ui::TitleText text=c.title.clone()/><h1 dir="auto">{c.title.clone()}</h1>
        <p><span class="status" id="campaign-status" data-status=c.status.as_str()>{move || i18n.t(&status_key)}</span></p>
        <p class="story" dir="auto">{c.story.clone()}</p>
        <dl class="facts">
            <dt>{t("staff.total_owed")}</dt><dd>{move || format_toman(owed, i18n.get())}</dd>
            <dt>{t("staff.forgiveness")}</dt><dd>{move || format_toman(forgiven, i18n.get())}</dd>
            <dt>{t("staff.balance")}</dt><dd id="campaign-balance">{move || format_toman(bal, i18n.get())}</dd>
        </dl>
        <ul class="plain checklist" id="eligibility">
            {c.eligibility.iter().map(|(rule, ok)| {
                let key = format!("campaign.rule_{rule}");
                let mark = if *ok { "✓" } else { "✗" };
                view! { <li data-ok=ok.to_string()>{mark} " " {move || i18n.t(&key)}</li> }
            }).collect_view()}
            <li data-ok=c.consent.to_string()>{if c.consent { "✓" } else { "✗" }} " " {t("staff.prisoner_consent")}</li>
        </ul>
        {c.withdrawn.then(|| view! { <p class="notice" id="campaign-withdrawn">{t("staff.campaign_withdrawn")}</p> })}
        {(!c.intention_gifts.is_empty()).then(|| view! { <super::need_case::IntentionGifts gifts=c.intention_gifts.clone()/> })}
    }
}

/// The prisoner's consent to a public campaign, recorded or withdrawn (withdrawing asks first).
#[component]
fn CampaignConsentForm(
    code: String,
    given: bool,
    consent: ServerAction<CampaignConsent>,
) -> impl IntoView {
    let c6 = code;
    view! {
        <ActionForm action=consent attr:class="inline-form">
            <input type="hidden" name="code" value=c6.clone()/>
            <input type="hidden" name="consent" value=(!given).to_string()/>
            {if given {
                view! {
                    <crate::ui::Confirm id="campaign-consent-confirm" button_id="campaign-consent" danger=true
                        ask="staff.campaign_consent_withdraw" confirm="staff.withdraw_consent_confirm">
                        {t("staff.campaign_withdraw_warning")}
                    </crate::ui::Confirm>
                }.into_any()
            } else {
                view! { <button type="submit" class="button secondary" id="campaign-consent">{t("staff.campaign_consent_record")}</button> }.into_any()
            }}
        </ActionForm>
    }
}
