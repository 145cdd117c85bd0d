//! `/staff/security`: turning on two-factor sign-in (scan the QR code, confirm a first code, keep
//! the recovery codes). Staff can do no staff work until it is on.

use crate::auth::{get_security_status, TotpBegin, TotpConfirm};
use crate::i18n::{t, use_i18n};
use leptos::prelude::*;

#[component]
pub fn SecurityPage() -> impl IntoView {
    let i18n = use_i18n();
    let begin = ServerAction::<TotpBegin>::new();
    let confirm = ServerAction::<TotpConfirm>::new();
    let status = Resource::new(move || confirm.version().get(), |_| get_security_status());
    view! {
        <section class="panel narrow" id="security">
            <crate::ui::PageMeta title="security.title"/><h1>{t("security.title")}</h1>
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || status.get().map(|s| match s {
                    Err(e) => view! { <p class="error">{move || i18n.t(e.message_key())}</p> }.into_any(),
                    Ok(s) if s.enabled => view! {
                        <p class="notice" id="two-factor-on">{t("security.enabled")}</p>
                        <p class="muted">{t("security.recovery_left")} " " {s.recovery_codes_left}</p>
                    }.into_any(),
                    Ok(_) => view! {
                        <p id="two-factor-off">{t("security.intro")}</p>
                        <ActionForm action=begin attr:class="inline-form">
                            <button type="submit" class="button" id="totp-begin">{t("security.begin")}</button>
                        </ActionForm>
                    }.into_any(),
                })}
            </Suspense>
            {move || begin.value().get().map(|r| match r {
                Err(e) => view! { <p class="error">{move || i18n.t(e.message_key())}</p> }.into_any(),
                Ok(en) => view! {
                    <div class="qr" inner_html=en.qr_svg.clone() role="img" aria-label=move || i18n.t("security.qr_label")></div>
                    <p class="muted">{t("security.secret")} " " <code dir="ltr" id="totp-secret">{en.secret.clone()}</code></p>
                    <ActionForm action=confirm attr:class="form" attr:id="totp-confirm">
                        <label>{t("auth.code")}<input name="code" autocomplete="one-time-code" inputmode="numeric" required dir="ltr"/></label>
                        <button type="submit" class="button">{t("security.confirm")}</button>
                    </ActionForm>
                }.into_any(),
            })}
            {move || confirm.value().get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{move || i18n.t(e.message_key())}</p> }.into_any(),
                Ok(codes) => view! {
                    <div class="notice" id="recovery-codes">
                        <p><strong>{t("security.recovery_title")}</strong></p>
                        <ul class="plain codes" dir="ltr">{codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}</ul>
                    </div>
                }.into_any(),
            })}
        </section>
    }
}
