//! The application shell: the document, the router, the layout and the pages every visitor sees.

mod account;
mod home;
mod hydration;
mod layout;
mod security;
mod sign_in;

use crate::i18n::{request_locale, I18n, Locale};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    lazy_route, path, Lazy, LazyRoute, SsrMode,
};

pub use home::*;

/// Whether payments go through a test bank (the sandbox): then every page says so. Provided per
/// response by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestPayments(pub bool);

/// The whole HTML document, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let locale = request_locale();
    // After the hydrated app, outside it: the browser never needs to hydrate this notice.
    let test_payments = use_context::<TestPayments>().is_some_and(|t| t.0).then(|| {
        view! {
            <aside class="test-payments-banner" lang=locale.code()
                aria-label=crate::i18n::translate(locale, "site.test_payments_label")>
                {crate::i18n::translate(locale, "site.test_payments")}
            </aside>
        }
    });
    view! {
        <!DOCTYPE html>
        <html lang=locale.code() dir=locale.dir()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                // The page's own script's font, fetched with the stylesheet instead of after the
                // first layout (style/main.css declares it; `font-display: swap` either way).
                <link rel="preload" href=font_file(locale) r#as="font" r#type="font/woff2" crossorigin=""/>
                <AutoReload options=options.clone()/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                // Hydration starts once the page has painted (see hydration.rs): on a slow
                // mobile link the text, the stylesheet and the font come first.
                <hydration::HydrateWhenIdle options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
                {test_payments}
            </body>
        </html>
    }
}

/// The self-hosted Vazirmatn subset (public/fonts, scripts/fonts.sh) a page in `locale` uses most.
fn font_file(locale: Locale) -> &'static str {
    match locale {
        Locale::Fa => "/fonts/vazirmatn-33.0.3-fa.woff2",
        Locale::En => "/fonts/vazirmatn-33.0.3-latin.woff2",
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let i18n = I18n {
        locale: RwSignal::new(request_locale()),
    };
    provide_context(i18n);
    provide_context(crate::auth::AuthEpoch(RwSignal::new(0)));

    // Tells tests (and curious people) that the page came alive in the browser.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = gloo_utils::document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Title text=move || i18n.t("site.title")/>
        <Router>
            <layout::Header/>
            <main id="main" class="main">
                // In-order streaming (or async, for the pages whose title comes from data: the
                // `<head>` must wait for it): every page arrives complete in the HTML, so it reads and its
                // forms work without JavaScript (out-of-order streaming needs a script to place
                // the resolved parts).
                <Routes fallback=|| view! { <layout::NotFound/> }>
                    <Route path=path!("") view=home::HomePage ssr=SsrMode::InOrder/>
                    <Route path=path!("/needs") view=crate::giving::NeedsPage ssr=SsrMode::InOrder/>
                    // Its 404 status for needs that are not public is set by the server's router.
                    <Route path=path!("/needs/:code") view=crate::giving::NeedPage ssr=SsrMode::Async/>
                    <Route path=path!("/release") view=crate::giving::CampaignsPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/release/:code") view=crate::giving::CampaignPage ssr=SsrMode::Async/>
                    <Route path=path!("/release-rules") view=crate::giving::EligibilityPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/transparency") view=crate::transparency::TransparencyPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/give") view=crate::giving::GivePage ssr=SsrMode::InOrder/>
                    <Route path=path!("/give/intentions") view=crate::giving::IntentionRulesPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/receipt") view=crate::giving::ReceiptLookupPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/pledge/cancel") view=crate::giving::PledgeCancelPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/sponsor") view=crate::giving::SponsorPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/sponsorship") view=crate::giving::SponsorshipPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/receipt/:code") view=crate::giving::ReceiptPage ssr=SsrMode::Async/>
                    <Route path=path!("/sandbox-bank/:authority") view=crate::giving::SandboxBankPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/sign-in") view=sign_in::SignInPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/sign-up") view=sign_in::SignUpPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/sign-up/sent") view=sign_in::SignUpSentPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/sign-up/confirm/:token") view=sign_in::ConfirmSignUpPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/account") view={Lazy::<AccountRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/employment/dashboard") view={Lazy::<EmploymentDashboardRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/employment/workshops") view={Lazy::<WorkshopsRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/employment/register") view={Lazy::<EntrepreneurRegisterRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/employment/jobs") view={Lazy::<JobsRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/employment/contracts/:code") view={Lazy::<ContractRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/staff/employment") view={Lazy::<StaffEmploymentRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/staff/admin") view={Lazy::<StaffAdminRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/staff") view={Lazy::<StaffHomeRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/staff/families") view={Lazy::<FamilyListRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/staff/families/new") view={Lazy::<IntakeRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/staff/families/:code") view={Lazy::<FamilyRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/staff/needs/:code") view={Lazy::<NeedCaseRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/staff/campaigns/:code") view={Lazy::<CampaignCaseRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/staff/disbursements/:code") view={Lazy::<ApprovalRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/staff/security") view={Lazy::<SecurityRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/staff/kpis") view={Lazy::<KpiRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/staff/restitution") view={Lazy::<RestitutionRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/staff/matches") view={Lazy::<StaffMatchesRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/staff/sponsorships") view={Lazy::<SponsorshipsRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/staff/audit") view={Lazy::<AuditRoute>::new()} ssr=SsrMode::InOrder/>
                </Routes>
            </main>
            <layout::Footer/>
        </Router>
    }
}

/// A page whose code the browser downloads only when someone goes to it: the wasm split at build
/// time (`cargo leptos build --split`) keeps staff, case-work, admin, employment and account code
/// out of what a donor's phone loads for the public pages. On the server, and on the first load of
/// such a page, the view is simply awaited; the page is still rendered whole for no-JS visitors.
macro_rules! lazy_pages {
    ($($route:ident => $page:path,)*) => {$(
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                $page().into_any()
            }
        }
    )*};
}

lazy_pages! {
    AccountRoute => account::DonorHome,
    EmploymentDashboardRoute => crate::employment::DashboardPage,
    WorkshopsRoute => crate::employment::WorkshopsPage,
    EntrepreneurRegisterRoute => crate::employment::RegisterPage,
    JobsRoute => crate::employment::JobsPage,
    ContractRoute => crate::employment::ContractPage,
    StaffEmploymentRoute => crate::employment::StaffEmploymentPage,
    StaffAdminRoute => crate::admin::StaffAdminPage,
    StaffHomeRoute => crate::casework::StaffHome,
    FamilyListRoute => crate::casework::FamilyListPage,
    IntakeRoute => crate::casework::IntakePage,
    FamilyRoute => crate::casework::FamilyPage,
    NeedCaseRoute => crate::casework::NeedCasePage,
    CampaignCaseRoute => crate::casework::CampaignCasePage,
    ApprovalRoute => crate::casework::ApprovalPage,
    SecurityRoute => security::SecurityPage,
    KpiRoute => crate::casework::KpiPage,
    StaffMatchesRoute => crate::giving::StaffMatchesPage,
    SponsorshipsRoute => crate::casework::SponsorshipsPage,
    RestitutionRoute => crate::employment::RestitutionPage,
    AuditRoute => crate::casework::AuditPage,
}
