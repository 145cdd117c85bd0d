//! Intentions on the public side: the choice on the gift form, and `/give/intentions`, where each
//! intention's rule in force is published.

use super::intention::*;
use super::pages::category_key;
use crate::i18n::{t, translate, use_i18n, Locale};
use crate::ui::{Day, PageMeta};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// What a rule lets a gift reach, in words: "food needs", "every kind of need and release
/// campaigns", and the days it is taken, if the rule sets them.
#[component]
pub fn RuleSummary(rule: IntentionRule) -> impl IntoView {
    let i18n = use_i18n();
    let kinds = rule.categories.clone();
    let every = rule.every_kind();
    let campaigns = rule.campaigns;
    let reach = move || {
        let l = i18n.get();
        let mut s = String::from(translate(l, "intention.reaches"));
        s.push(' ');
        if every {
            s.push_str(translate(l, "intention.every_kind"));
        } else {
            let sep = if l == Locale::Fa { "، " } else { ", " };
            let names: Vec<&str> = kinds
                .iter()
                .map(|c| translate(l, category_key(c)))
                .collect();
            s.push_str(&names.join(sep));
        }
        if campaigns {
            s.push_str(translate(l, "intention.and_campaigns"));
        }
        s
    };
    view! {
        <span class="rule-reach">{reach}</span>
        {rule.window.map(|(from, to)| view! {
            " " <span class="rule-window">{t("intention.window_from")} " " <Day date=from/> " " {t("intention.window_to")} " " <Day date=to/></span>
        })}
    }
}

/// The intention choice on the gift form: only the intentions this target can take today, a
/// nazr's purpose when nazr is chosen, and what the chosen one's rule allows.
#[component]
pub fn IntentionChoice(rules: Vec<IntentionRule>, urgent: bool) -> impl IntoView {
    let query = use_query_map();
    // A monthly reminder opens the form with the first gift's intention chosen.
    let preset = query
        .with_untracked(|q| q.get("intention"))
        .filter(|w| rules.iter().any(|r| r.intention == w.as_str()))
        .unwrap_or_else(|| "none".to_string());
    let chosen = RwSignal::new(preset.clone());
    let offers_nazr = rules.iter().any(|r| r.intention == Intention::Nazr);
    (!rules.is_empty()).then(|| {
        let options = rules
            .iter()
            .map(|r| {
                let w = r.intention.as_str();
                view! { <option value=w selected=preset == w>{t(intention_key(r.intention))}</option> }
            })
            .collect_view();
        let hints = rules
            .iter()
            .cloned()
            .map(|r| {
                let w = r.intention.as_str();
                let fund = urgent.then(|| r.urgent_fund().map(category_key)).flatten();
                view! {
                    <li class:hidden-js=move || chosen.get() != w data-intention=w>
                        <strong>{t(intention_key(r.intention))}</strong> ": " <RuleSummary rule=r/>
                        {fund.map(|k| view! { " " {t("intention.urgent_goes_to")} " " <strong>{t(k)}</strong> })}
                    </li>
                }
            })
            .collect_view();
        view! {
            <fieldset class="intention" id="give-intention">
                <legend>{t("give.intention")}</legend>
                <p class="muted">{t("give.intention_help")}</p>
                <label>
                    <span>{t("give.intention_label")}</span>
                    <select name="form[intention]" id="intention" on:change=move |ev| chosen.set(event_target_value(&ev))>
                        <option value="none" selected=preset == "none">{t("give.intention_none")}</option>
                        {options}
                    </select>
                </label>
                <ul class="plain muted small intention-rules" class:hidden-js=move || chosen.get() == "none">{hints}</ul>
                {offers_nazr.then(|| view! {
                    <label class="reveal" class:hidden-js=move || chosen.get() != "nazr">
                        <span>{t("give.nazr_purpose")}</span>
                        <input type="text" name="form[nazr_purpose]" maxlength="200"/>
                        <small class="muted">{t("give.nazr_purpose_help")}</small>
                    </label>
                })}
                <p class="small"><a href="/give/intentions">{t("give.intention_rules")}</a></p>
            </fieldset>
        }
    })
}

/// `/give/intentions`: each intention's rule in force, as published.
#[component]
pub fn IntentionRulesPage() -> impl IntoView {
    let i18n = use_i18n();
    let rules = Resource::new(|| (), |_| intentions_in_force());
    view! {
        <section class="panel narrow" id="intention-rules">
            <PageMeta title="give.intention_rules" description="intention.page_lede"/>
            <h1>{t("give.intention_rules")}</h1>
            <p class="lede">{t("intention.page_lede")}</p>
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || rules.get().map(|r| match r {
                    Ok(rules) => view! {
                        {rules.into_iter().map(|r| {
                            let w = r.intention.as_str();
                            let about = match r.intention {
                                Intention::Sadaqah => "intention.about_sadaqah",
                                Intention::Kaffareh => "intention.about_kaffareh",
                                Intention::Nazr => "intention.about_nazr",
                                Intention::Fitriyeh => "intention.about_fitriyeh",
                                Intention::Zakat => "intention.about_zakat",
                            };
                            view! {
                                <section class="intention-rule" data-intention=w>
                                    <h2>{t(intention_key(r.intention))}</h2>
                                    <p>{t(about)}</p>
                                    <p class="muted"><RuleSummary rule=r.clone()/></p>
                                    {r.effective_from.map(|date| view! { <p class="muted small">{t("intention.since")} " " <Day date/></p> })}
                                </section>
                            }
                        }).collect_view()}
                        <p><a class="button primary" href="/give">{t("give.title")}</a></p>
                    }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{i18n.t(e.message_key())}</p> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
