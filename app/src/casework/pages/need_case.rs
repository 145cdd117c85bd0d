//! `/staff/needs/…`: verification, purchase and delivery of one need.

use super::*;

/// `/staff/needs/:code`: verification, purchase and delivery of one need.
#[component]
pub fn NeedCasePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let code = move || params.with(|p| p.get("code").unwrap_or_default());
    let me = Resource::new(|| (), |_| current_user());
    let verify = ServerAction::<VerifyNeed>::new();
    let purchase = ServerAction::<RecordPurchase>::new();
    let deliver = ServerAction::<RecordDelivery>::new();
    let edit = ServerAction::<EditNeed>::new();
    // A refused update leaves the form as typed: only a recorded delivery reloads the case.
    let delivered = move || matches!(deliver.value().get(), Some(Ok(DraftOutcome::Saved { .. })));
    let edited = move || {
        edit.version().get() * 2
            + matches!(edit.value().get(), Some(Ok(DraftOutcome::Saved { .. }))) as usize
    };
    let case = Resource::new(
        move || {
            (
                code(),
                verify.version().get(),
                purchase.version().get(),
                delivered(),
                edited(),
            )
        },
        |(c, ..)| need_case(c),
    );
    view! {
        <section class="panel" id="need-case">
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || case.get().map(|c| match c {
                    Err(e) => view! { <crate::ui::TitleText text=i18n.t(e.message_key())/><h1>{move || i18n.t(e.message_key())}</h1> }.into_any(),
                    Ok(n) => {
                        let u = me.get().and_then(|r| r.ok()).flatten();
                        let status_key = format!("need_status.{}", n.status);
                        let cat = category_key(&n.category);
                        let (goal, bal) = (n.goal_rials, n.balance_rials);
                        let (ncode1, ncode2, ncode3) = (n.code.clone(), n.code.clone(), n.code.clone());
                        let can_verify = n.status == crate::platform::status::NeedStatus::AwaitingVerification && !n.mine && may(&u, Permission::VerifyNeed);
                        let can_buy = n.status == crate::platform::status::NeedStatus::Funded && may(&u, Permission::Fulfil);
                        let can_deliver = n.status == crate::platform::status::NeedStatus::Purchased && may(&u, Permission::Fulfil);
                        let can_edit = n.status == crate::platform::status::NeedStatus::AwaitingVerification && may(&u, Permission::DraftNeed);
                        let edit_form = can_edit.then(|| view! { <NeedEditForm n=n.clone() edit/> });
                        view! {
                            <crate::ui::TitleText text=n.title.clone()/><h1 dir="auto">{n.title.clone()}</h1>
                            <p><span class="status" id="case-status" data-status=n.status.as_str()>{move || i18n.t(&status_key)}</span>
                               <Sep/> {move || i18n.t(cat)} <Sep/> <A href=format!("/staff/families/{}", n.family_code)>{n.family_code.clone()}</A></p>
                            <p class="story" dir="auto">{n.story.clone()}</p>
                            <dl class="facts">
                                <dt>{t("staff.goal_toman")}</dt><dd>{move || format_toman(goal, i18n.get())}</dd>
                                <dt>{t("staff.balance")}</dt><dd id="case-balance">{move || format_toman(bal, i18n.get())}</dd>
                            </dl>
                            {n.hide_province.then(|| view! { <p class="notice">{t("staff.province_hidden")}</p> })}
                            {n.withdrawn.then(|| view! { <p class="notice" id="card-withdrawn">{t("staff.card_withdrawn")}</p> })}
                            {(!n.intention_gifts.is_empty()).then(|| view! { <IntentionGifts gifts=n.intention_gifts.clone()/> })}
                            {edit_form}
                            {(n.status == crate::platform::status::NeedStatus::AwaitingVerification && n.mine).then(|| view! { <p class="notice">{t("staff.four_eyes")}</p> })}
                            {can_verify.then(|| view! {
                                <ActionForm action=verify attr:class="inline-form">
                                    <input type="hidden" name="code" value=ncode1.clone()/>
                                    <button type="submit" class="button" id="verify">{t("staff.verify_publish")}</button>
                                </ActionForm>
                            })}
                            {can_buy.then(|| view! { <PurchaseForm code=ncode2.clone() balance=bal purchase/> })}
                            {can_deliver.then(|| view! {
                                <ActionForm action=deliver attr:class="form" attr:id="deliver-form">
                                    <input type="hidden" name="code" value=ncode3.clone()/>
                                    <label>{t("staff.impact_update")}<textarea name="update" rows="3" required></textarea></label>
                                    <button type="submit" class="button">{t("staff.record_delivery")}</button>
                                </ActionForm>
                            })}
                        }.into_any()
                    }
                })}
            </Suspense>
            <NeedCaseOutcomes verify purchase deliver edit/>
        </section>
    }
}

/// Correcting a need still awaiting verification (a refused text stays as typed).
#[component]
fn NeedEditForm(n: CaseNeed, edit: ServerAction<EditNeed>) -> impl IntoView {
    let goal_tomans = (n.goal_rials / 10).to_string();
    let (title, story, deadline, ncode) = (
        n.title.clone(),
        n.story.clone(),
        n.deadline.clone().unwrap_or_default(),
        n.code.clone(),
    );
    view! {
        <details class="subform" id="edit-details">
            <summary>{t("staff.edit_need")}</summary>
            <ActionForm action=edit attr:class="form" attr:id="edit-form">
                <p class="muted">{t("staff.edit_need_hint")}</p>
                <input type="hidden" name="form[code]" value=ncode/>
                <label>{t("staff.goal_toman")}<input name="form[goal]" inputmode="numeric" required value=goal_tomans/></label>
                <label>{t("staff.public_title")}<input name="form[title]" required value=title/></label>
                <label>{t("staff.public_story")}<textarea name="form[story]" rows="4" required>{story}</textarea></label>
                <label>{t("staff.private_notes_replace")}<textarea name="form[private_notes]" rows="3"></textarea></label>
                <label>{t("staff.deadline")}<crate::ui::DateField name="form[deadline]" value=crate::validation::parse_date(&deadline)/></label>
                <button type="submit" class="button secondary">{t("staff.save_changes")}</button>
            </ActionForm>
        </details>
    }
}

/// Recording the purchase: staff pay a vendor, landlord or school, never the family in cash.
#[component]
fn PurchaseForm(
    code: String,
    balance: i64,
    purchase: ServerAction<RecordPurchase>,
) -> impl IntoView {
    let i18n = use_i18n();
    let (ncode2, bal) = (code, balance);
    view! {
        <ActionForm action=purchase attr:class="form" attr:id="purchase-form">
            <input type="hidden" name="code" value=ncode2.clone()/>
            <label>{t("staff.payee_kind")}
                <select name="payee_kind">
                    {["vendor", "landlord", "school", "pharmacy", "utility"].into_iter().map(|k| {
                        let key = format!("staff.payee_{k}");
                        view! { <option value=k>{move || i18n.t(&key)}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>{t("staff.payee_name")}<input name="payee_name" required/></label>
            <label>{t("staff.evidence")}<input name="evidence" required/></label>
            <crate::ui::Confirm id="purchase-confirm" button_id="purchase-submit"
                ask="staff.record_purchase" confirm="staff.purchase_confirm">
                <crate::ui::Phrase key="staff.purchase_warning" args=vec![("amount", crate::ui::Arg::Money(bal))]/>
            </crate::ui::Confirm>
        </ActionForm>
    }
}

/// What each action answered: its error, or what it did.
#[component]
fn NeedCaseOutcomes(
    verify: ServerAction<VerifyNeed>,
    purchase: ServerAction<RecordPurchase>,
    deliver: ServerAction<RecordDelivery>,
    edit: ServerAction<EditNeed>,
) -> impl IntoView {
    let edit_error = Signal::derive(move || edit.value().get().and_then(|r| r.err()));
    let verify_error = Signal::derive(move || verify.value().get().and_then(|r| r.err()));
    let purchase_error = Signal::derive(move || purchase.value().get().and_then(|r| r.err()));
    let deliver_error = Signal::derive(move || deliver.value().get().and_then(|r| r.err()));
    view! {
        <ErrorNote error=verify_error/>
        <ErrorNote error=purchase_error/>
        <ErrorNote error=deliver_error/>
        <ErrorNote error=edit_error/>
        {move || edit.value().get().and_then(|r| r.ok()).map(|o| match o {
            DraftOutcome::Blocked { findings } => view! { <Findings findings/> }.into_any(),
            DraftOutcome::Saved { .. } => view! { <p class="notice" id="need-saved">{t("staff.need_saved")}</p> }.into_any(),
        })}
        {move || verify.value().get().and_then(|r| r.ok()).map(|o| match o {
            PublishOutcome::Published { code, province_hidden } => view! {
                <p class="notice" id="published">{t("staff.published")} " " <A href=format!("/needs/{code}")>{code.clone()}</A>
                {province_hidden.then(|| view! { " — " {t("staff.province_hidden")} })}</p>
            }.into_any(),
            PublishOutcome::Blocked { findings } => view! { <Findings findings/> }.into_any(),
            PublishOutcome::Held { .. } => view! { <p class="error" id="held">{t("staff.held")}</p> }.into_any(),
        })}
        {move || purchase.value().get().and_then(|r| r.ok()).map(|o| match o {
            FulfilOutcome::Paid { disbursement } => view! { <p class="notice" id="paid">{t("staff.paid")} " " {disbursement}</p> }.into_any(),
            FulfilOutcome::AwaitingApproval { disbursement } => view! { <p class="notice" id="awaiting-approval">{t("staff.awaiting_approval")} " " {disbursement}</p> }.into_any(),
        })}
        {move || deliver.value().get().and_then(|r| r.ok()).map(|o| match o {
            DraftOutcome::Blocked { findings } => view! { <Findings findings/> }.into_any(),
            DraftOutcome::Saved { .. } => view! { <p class="notice" id="delivered">{t("staff.delivered")}</p> }.into_any(),
        })}
    }
}

/// Gifts given with an intention: staff spend them as it requires, and read a nazr's purpose.
#[component]
pub(super) fn IntentionGifts(gifts: Vec<crate::giving::intention::IntentionGift>) -> impl IntoView {
    view! {
        <h2>{t("staff.intention_gifts")}</h2>
        <ul class="plain" id="intention-gifts">
            {gifts.into_iter().map(|g| view! {
                <li data-intention=g.intention.as_str()>
                    <strong>{t(crate::giving::intention_key(g.intention))}</strong> <Sep/> <crate::ui::Money rials=g.amount_rials/>
                    {g.nazr_purpose.map(|p| view! { <Sep/> <q class="nazr-purpose" dir="auto">{p}</q> })}
                </li>
            }).collect_view()}
        </ul>
    }
}
