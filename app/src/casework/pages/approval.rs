//! `/staff/disbursements/…`: a manager approves a large disbursement (not their own).

use super::*;

/// `/staff/disbursements/:code`: a manager approves a large disbursement (not their own).
#[component]
pub fn ApprovalPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let code = move || params.with(|p| p.get("code").unwrap_or_default());
    let approve = ServerAction::<ApproveDisbursement>::new();
    let error = Signal::derive(move || approve.value().get().and_then(|r| r.err()));
    view! {
        <section class="panel narrow" id="approval">
            <crate::ui::PageMeta title="staff.awaiting_approval"/><h1>{t("staff.awaiting_approval")} " " <bdi class="code" dir="ltr" translate="no">{code}</bdi></h1>
            <ActionForm action=approve attr:class="inline-form">
                <input type="hidden" name="code" value=code/>
                <button type="submit" class="button" id="approve">{t("staff.approve")}</button>
            </ActionForm>
            <ErrorNote error/>
            {move || approve.value().get().and_then(|r| r.ok()).map(|_| view! { <p class="notice" id="paid">{move || i18n.t("staff.paid")}</p> })}
        </section>
    }
}
