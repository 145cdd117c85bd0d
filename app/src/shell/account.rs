//! Each role's landing page after sign-in. The staff area is also refused at the HTTP layer;
//! these pages check again, since every render is an entry point.

use crate::auth::RoleName;
use crate::auth::{current_user, Role, SessionUser};
use crate::i18n::{t, use_i18n};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
fn Guarded(allowed: &'static [Role], children: ChildrenFn) -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
            {move || me.get().map(|r| match r.ok().flatten() {
                None => view! {
                    <section class="panel narrow">
                        <crate::ui::PageMeta title="error.unauthorized"/><h1>{t("error.unauthorized")}</h1>
                        <p><A href="/sign-in">{t("nav.sign_in")}</A></p>
                    </section>
                }.into_any(),
                Some(u) if allowed.contains(&u.role) => {
                    provide_context(u);
                    children.with_value(|c| c()).into_any()
                }
                Some(_) => view! {
                    <section class="panel narrow">
                        <crate::ui::PageMeta title="error.forbidden"/><h1>{t("error.forbidden")}</h1>
                    </section>
                }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn Welcome() -> impl IntoView {
    let i18n = use_i18n();
    let u = expect_context::<SessionUser>();
    view! {
        <crate::ui::PageMeta title="account.welcome"/><h1>{move || i18n.t("account.welcome")} " " {u.display_name.clone()}</h1>
        <p class="role-badge" data-role=u.role.as_str()><RoleName role=u.role/></p>
    }
}

#[component]
pub fn DonorHome() -> impl IntoView {
    view! {
        <Guarded allowed=&[Role::Donor]>
            <section class="panel" id="donor-home">
                <Welcome/>
                <p>{t("account.donor_intro")}</p>
                <crate::giving::MyGifts/>
            </section>
        </Guarded>
    }
}
