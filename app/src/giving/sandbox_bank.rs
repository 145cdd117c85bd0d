//! The sandbox bank's card page, the bank a donor meets when no real gateway is configured (it
//! reads the sandbox's payments, so it stands above the assembled state, with giving). It is plainly a test bank: no card number is stored or checked,
//! and the three buttons decide the payment's fate.

use crate::error::AppError;
use crate::i18n::{format_toman, t, use_i18n};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxPayment {
    pub authority: String,
    pub amount_rials: i64,
    pub description: String,
    pub status: crate::platform::status::SandboxPaymentStatus,
}

#[server(prefix = "/api", endpoint = "sandbox-bank/payment")]
pub async fn load_sandbox_payment(authority: String) -> Result<SandboxPayment, AppError> {
    async move {
        let state = crate::state::use_state()?;
        let p = crate::payments::sandbox::find(&state.db, authority.trim())
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(SandboxPayment {
            authority: p.authority,
            amount_rials: p.amount_rials,
            description: p.description,
            status: p.status,
        })
    }
    .await
    .map_err(AppError::with_status)
}

#[component]
pub fn SandboxBankPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let payment = Resource::new(
        move || params.with(|p| p.get("authority")).unwrap_or_default(),
        load_sandbox_payment,
    );
    view! {
        <section class="panel narrow sandbox-bank">
            <p class="notice test-bank" role="note"><strong>{t("sandbox.banner")}</strong></p>
            <crate::ui::PageMeta title="sandbox.title"/><h1>{t("sandbox.title")}</h1>
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || payment.get().map(|r| match r {
                    Ok(p) => {
                        let action = format!("/sandbox-bank/{}/decide", p.authority);
                        let amount = p.amount_rials;
                        let open = p.status == crate::platform::status::SandboxPaymentStatus::Pending;
                        view! {
                            <dl class="facts">
                                <dt>{t("sandbox.merchant")}</dt><dd>{p.description.clone()}</dd>
                                <dt>{t("receipt.amount")}</dt>
                                <dd id="sandbox-amount">{move || format_toman(amount, i18n.get())}</dd>
                            </dl>
                            // A plain form: the bank's page is not part of our app's navigation.
                            <form method="post" action=action class="form" id="sandbox-form">
                                <label>
                                    <span>{t("sandbox.card")}</span>
                                    <input type="text" inputmode="numeric" dir="ltr" autocomplete="off"
                                        value="6037 9975 9999 9999" aria-describedby="sandbox-card-help"/>
                                    <small class="muted" id="sandbox-card-help">{t("sandbox.card_help")}</small>
                                </label>
                                <div class="actions">
                                    <button type="submit" name="decision" value="pay" class="button primary" id="sandbox-pay" disabled=!open>{t("sandbox.pay")}</button>
                                    <button type="submit" name="decision" value="fail" class="button" id="sandbox-fail" disabled=!open>{t("sandbox.fail")}</button>
                                    <button type="submit" name="decision" value="cancel" class="button" id="sandbox-cancel" disabled=!open>{t("sandbox.cancel")}</button>
                                </div>
                            </form>
                        }.into_any()
                    }
                    Err(e) => view! { <p class="error" role="alert">{i18n.t(e.message_key())}</p> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
