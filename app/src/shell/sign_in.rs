use crate::auth::{AuthEpoch, ConfirmSignUp, SignIn, SignUp};
use crate::error::AppError;
use crate::i18n::{t, use_i18n};
use leptos::prelude::*;
use leptos_router::components::A;

/// Shows an action's error as a localized sentence, announced to screen readers.
#[component]
pub fn ActionError<T: Clone + Send + Sync + 'static>(
    #[prop(into)] value: Signal<Option<Result<T, AppError>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        value.get().and_then(|r| r.err()).map(|e| {
            view! { <p class="form-error" role="alert">{i18n.t(e.message_key())}</p> }
        })
    }
}

/// After a successful sign-in or confirmed sign-up, tell the rest of the page who is signed in now.
fn refresh_on_success<T: Clone + Send + Sync + 'static>(
    value: Signal<Option<Result<T, AppError>>>,
) {
    let epoch = expect_context::<AuthEpoch>();
    Effect::new(move |_| {
        if let Some(Ok(_)) = value.get() {
            epoch.bump();
        }
    });
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    refresh_on_success(action.value().into());
    view! {
        <section class="panel narrow">
            <crate::ui::PageMeta title="auth.sign_in_title"/><h1>{t("auth.sign_in_title")}</h1>
            <ActionForm action=action attr:class="form" attr:id="sign-in-form">
                <label>
                    <span>{t("auth.email")}</span>
                    <input type="email" name="email" autocomplete="username" required dir="ltr"/>
                </label>
                <label>
                    <span>{t("auth.password")}</span>
                    <input type="password" name="password" autocomplete="current-password" required dir="ltr"/>
                </label>
                <label>
                    <span>{t("auth.code")}</span>
                    <input type="text" name="code" id="sign-in-code" autocomplete="one-time-code" inputmode="numeric" maxlength="12" dir="ltr"/>
                    <small class="muted">{t("auth.code_help")}</small>
                </label>
                <ActionError value=action.value()/>
                <button type="submit" class="button" disabled=move || action.pending().get()>
                    {t("auth.sign_in")}
                </button>
            </ActionForm>
            <p class="muted">
                {t("auth.no_account")} " " <A href="/sign-up">{t("auth.sign_up")}</A>
            </p>
        </section>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    // No session yet: the account is made when the e-mailed link is followed.
    let action = ServerAction::<SignUp>::new();
    view! {
        <section class="panel narrow">
            <crate::ui::PageMeta title="auth.sign_up_title"/><h1>{t("auth.sign_up_title")}</h1>
            <ActionForm action=action attr:class="form" attr:id="sign-up-form">
                <label>
                    <span>{t("auth.display_name")}</span>
                    <input type="text" name="display_name" autocomplete="nickname" required minlength="2" maxlength="80"/>
                </label>
                <label>
                    <span>{t("auth.email")}</span>
                    <input type="email" name="email" autocomplete="email" required dir="ltr"/>
                </label>
                <label>
                    <span>{t("auth.password")}</span>
                    <input type="password" name="password" autocomplete="new-password" required minlength="10" dir="ltr"/>
                    <small class="muted">{t("auth.password_hint")}</small>
                </label>
                <fieldset>
                    <legend>{t("auth.account_kind")}</legend>
                    <label class="choice">
                        <input type="radio" name="role" value="donor" checked/>
                        <span>{t("role.donor")}</span>
                    </label>
                    <label class="choice">
                        <input type="radio" name="role" value="entrepreneur"/>
                        <span>{t("role.entrepreneur")}</span>
                    </label>
                </fieldset>
                <ActionError value=action.value()/>
                <button type="submit" class="button" disabled=move || action.pending().get()>
                    {t("auth.sign_up")}
                </button>
            </ActionForm>
            <p class="muted">
                {t("auth.have_account")} " " <A href="/sign-in">{t("auth.sign_in")}</A>
            </p>
        </section>
    }
}

/// Where the sign-up form leads: the same page whether or not the address was registered.
#[component]
pub fn SignUpSentPage() -> impl IntoView {
    view! {
        <section class="panel narrow">
            <crate::ui::PageMeta title="auth.check_email_title"/><h1>{t("auth.check_email_title")}</h1>
            <p>{t("auth.check_email_body")}</p>
            <p class="muted">{t("auth.check_email_none")}</p>
            <p><A href="/sign-in">{t("auth.sign_in")}</A></p>
        </section>
    }
}

/// The page the e-mailed link opens. Following a link changes nothing (a mail scanner may
/// fetch it); the button posts the token and makes the account.
#[component]
pub fn ConfirmSignUpPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let action = ServerAction::<ConfirmSignUp>::new();
    refresh_on_success(action.value().into());
    view! {
        <section class="panel narrow">
            <crate::ui::PageMeta title="auth.confirm_title"/><h1>{t("auth.confirm_title")}</h1>
            <p>{t("auth.confirm_body")}</p>
            <ActionForm action=action attr:class="form" attr:id="confirm-sign-up-form">
                <input type="hidden" name="token" prop:value=token value=token/>
                <ActionError value=action.value()/>
                <button type="submit" class="button" disabled=move || action.pending().get()>
                    {t("auth.confirm_button")}
                </button>
            </ActionForm>
        </section>
    }
}
