use crate::auth::{current_user, AuthEpoch, SignOut};
use crate::i18n::{t, use_i18n, Locale, LOCALE_COOKIE};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let sign_out = ServerAction::<SignOut>::new();
    let epoch = expect_context::<AuthEpoch>();
    let me = Resource::new(
        move || (sign_out.version().get(), epoch.0.get()),
        |_| current_user(),
    );

    view! {
        <a class="skip-link" href="#main">{t("nav.skip")}</a>
        <header class="site-header">
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true">"ک"</span>
                <span class="brand-name">{t("site.name")}</span>
            </A>
            <nav class="site-nav" aria-label=move || i18n.t("nav.label")>
                <A href="/needs">{t("nav.giving")}</A>
                <A href="/release">{t("nav.release")}</A>
                <a href="/employment/workshops">{t("nav.employment")}</a>
                <A href="/transparency">{t("nav.transparency")}</A>
                <A href="/receipt">{t("nav.receipt")}</A>
            </nav>
            <div class="header-tools">
                <Transition fallback=|| ()>
                    {move || {
                        me.get()
                            .map(|r| match r.ok().flatten() {
                                Some(u) => {
                                    let home = u.role.home_path();
                                    let staff = u.role.is_staff();
                                    view! {
                                        <span class="who">
                                            <A href=home attr:class="who-name">{u.display_name.clone()}</A>
                                            {staff.then(|| view! { <A href="/staff" attr:class="staff-link">{t("nav.staff")}</A> })}
                                            <ActionForm action=sign_out attr:class="inline-form">
                                                <button type="submit" class="link-button">{t("nav.sign_out")}</button>
                                            </ActionForm>
                                        </span>
                                    }
                                        .into_any()
                                }
                                None => view! { <A href="/sign-in" attr:class="button small">{t("nav.sign_in")}</A> }.into_any(),
                            })
                    }}
                </Transition>
                <LanguageSwitch/>
            </div>
        </header>
    }
}

/// Switches Persian ⇄ English. Without JavaScript it posts to `/locale`; with it, the page
/// changes language in place and the choice is remembered in a cookie.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let other = move || i18n.get().other();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let next = i18n.get().other();
        i18n.locale.set(next);
        remember_locale(next);
    };
    view! {
        <form method="post" action="/locale" class="lang-switch" on:submit=on_submit>
            <input type="hidden" name="lang" prop:value=move || other().code()/>
            <button type="submit" id="lang-switch" lang=move || other().code()>
                {move || match other() { Locale::Fa => "فارسی", Locale::En => "English" }}
            </button>
        </form>
    }
}

fn remember_locale(locale: Locale) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let doc = gloo_utils::document();
        if let Some(root) = doc.document_element() {
            let _ = root.set_attribute("lang", locale.code());
            let _ = root.set_attribute("dir", locale.dir());
        }
        if let Ok(html) = doc.dyn_into::<web_sys::HtmlDocument>() {
            let _ = html.set_cookie(&format!(
                "{LOCALE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
                locale.code()
            ));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (locale, LOCALE_COOKIE);
}

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <p>{t("footer.mission")}</p>
            <p class="muted">{t("footer.privacy")}</p>
        </footer>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="panel narrow">
            <crate::ui::PageMeta title="error.not_found"/><h1>{t("error.not_found")}</h1>
            <p><a href="/">{t("nav.home")}</a></p>
        </section>
    }
}
