use crate::i18n::{t, use_i18n};
use crate::transparency::{campaigns_near_goal, current_occasion, impact_totals};
use crate::ui::{phrase_text, Arg, Money, Num, Phrase, ProgressBar, Sep};
use leptos::prelude::*;
use leptos_meta::Meta;

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let totals = Resource::new(|| (), |_| impact_totals());
    let stat = move |value: AnyView, label: &'static str| {
        view! {
            <div class="stat">
                <span class="stat-value">{value}</span>
                <span class="stat-label">{move || i18n.t(label)}</span>
            </div>
        }
    };
    view! {
        <Meta name="description" content=move || i18n.t("home.meta")/>
        <section class="hero">
            <h1>{t("home.title")}</h1>
            <p class="lede">{t("home.lede")}</p>
        </section>
        <section class="stats" aria-label=move || i18n.t("home.impact")>
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || totals.get().map(|r| match r {
                    Ok(x) => {
                        view! {
                            {stat(view! { <Money rials=x.raised_rials/> }.into_any(), "home.stat_raised")}
                            {stat(view! { <Num n=x.families_supported/> }.into_any(), "home.stat_families")}
                            {stat(view! { <Num n=x.prisoners_freed/> }.into_any(), "home.stat_freed")}
                            {stat(view! { <Num n=x.workers_employed/> }.into_any(), "home.stat_workers")}
                        }.into_any()
                    }
                    Err(e) => view! { <p class="error">{i18n.t(e.message_key())}</p> }.into_any(),
                })}
            </Suspense>
        </section>
        <HomeGiving/>
        <div class="faces">
            <section id="giving" class="face">
                <h2>{t("face.giving.title")}</h2>
                <p>{t("face.giving.body")}</p>
                <p class="actions">
                    <a class="button" href="/needs">{t("face.giving.cta")}</a>
                    <a class="button primary" href="/give" id="give-urgent">{t("give.urgent_cta")}</a>
                </p>
                <p><a href="/sponsor" id="sponsor-link">{t("sponsor.home_cta")}</a></p>
            </section>
            <section id="release" class="face">
                <h2>{t("face.release.title")}</h2>
                <p>{t("face.release.body")}</p>
            </section>
            <section id="employment" class="face">
                <h2>{t("face.employment.title")}</h2>
                <p>{t("face.employment.body")}</p>
                <p><a href="/employment/workshops">{t("employment.workshops")}</a> <Sep/> <a href="/employment/register">{t("employment.register")}</a></p>
            </section>
        </div>
    }
}

/// The current occasion's children's gifts, the most urgent needs and the campaigns nearest
/// their goal.
#[component]
fn HomeGiving() -> impl IntoView {
    use crate::giving::{list_needs, CampaignCardView, NeedCardView};
    let i18n = use_i18n();
    let occasion = Resource::new(|| (), |_| current_occasion());
    let urgent = Resource::new(
        || (),
        |_| list_needs(None, None, None, None, Some("urgent".into()), Some(1)),
    );
    let near = Resource::new(|| (), |_| campaigns_near_goal());
    view! {
        <Suspense fallback=|| ()>
            {move || occasion.get().and_then(|r| r.ok()).flatten().map(|o| {
                let key = crate::giving::occasion_key(&o.key);
                let (raised, goal) = (o.raised_rials, o.goal_rials);
                let amounts = move || vec![("raised", Arg::Money(raised)), ("goal", Arg::Money(goal))];
                let pct = if o.goal_rials > 0 { o.raised_rials.min(o.goal_rials) * 100 / o.goal_rials } else { 0 };
                view! {
                    <section class="face occasion" id="occasion">
                        <h2>{move || i18n.t(key)}</h2>
                        <p>{t("occasion.body")}</p>
                        <ProgressBar percent=pct label=Signal::derive(move || phrase_text(i18n.get(), "needs.progress", &amounts()))/>
                        <p class="progress-text">
                            <Phrase key="needs.progress" args=amounts()/>
                            <Sep/>
                            <Phrase key="occasion.progress" args=vec![("met", Arg::Num(o.needs_met)), ("total", Arg::Num(o.needs))]/>
                        </p>
                        <p><a class="button primary" href="/needs?category=gift">{t("occasion.cta")}</a></p>
                    </section>
                }
            })}
        </Suspense>
        <section class="home-list" id="urgent-needs">
            <h2>{t("home.urgent")}</h2>
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || urgent.get().and_then(|r| r.ok()).map(|p| view! {
                    <ul class="cards">
                        {p.items.into_iter().take(3).map(|c| view! { <li><NeedCardView card=c/></li> }).collect_view()}
                    </ul>
                })}
            </Suspense>
        </section>
        <section class="home-list" id="near-goal">
            <h2>{t("home.near_goal")}</h2>
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || near.get().and_then(|r| r.ok()).map(|list| view! {
                    <ul class="cards">
                        {list.into_iter().map(|c| view! { <li><CampaignCardView card=c/></li> }).collect_view()}
                    </ul>
                })}
            </Suspense>
        </section>
    }
}
