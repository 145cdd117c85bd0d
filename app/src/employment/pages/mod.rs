//! Employment pages: the public workshop catalogue, entrepreneur registration and dashboard, a
//! contract's page (its entrepreneur and the staff in scope see the same record; each sees only
//! the actions the server would allow), and the staff's employment work.

use super::*;
use crate::auth::{current_user, Permission, Role, SessionUser};
use crate::i18n::{format_number, t, use_i18n, Locale};
use crate::ui::ErrorNote;
use crate::ui::Sep;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

mod contract;
mod dashboard;
mod jobs;
mod restitution;
mod staff;
mod workshops;

pub use contract::{ContractPage, ContractPageProps};
use dashboard::ContractList;
pub use dashboard::{DashboardPage, DashboardPageProps};
pub use jobs::{JobsPage, JobsPageProps, Training};
use jobs::{JobsSection, TrainingSection};
pub use restitution::{RestitutionPage, RestitutionPageProps};
pub use staff::{StaffEmploymentPage, StaffEmploymentPageProps};
pub use workshops::{RegisterPage, RegisterPageProps, WorkshopsPage, WorkshopsPageProps};

fn may(u: &Option<SessionUser>, p: Permission) -> bool {
    u.as_ref().is_some_and(|u| p.allows(u.role))
}

fn key(prefix: &str, code: &str) -> String {
    format!("employment.{prefix}.{code}")
}

/// A label that follows the language: the Persian or the English of a pair.
fn bilingual(fa: String, en: String) -> impl Fn() -> String + Send + Sync + Clone + 'static {
    let i18n = use_i18n();
    move || {
        if i18n.get() == Locale::Fa {
            fa.clone()
        } else {
            en.clone()
        }
    }
}

#[component]
fn Label(prefix: &'static str, code: String) -> impl IntoView {
    let i18n = use_i18n();
    let k = key(prefix, &code);
    move || i18n.t(&k)
}

/// A workshop's shifts, stored as `morning+afternoon`: each translated, joined the language's way.
#[component]
fn Shifts(shifts: String) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        shifts
            .split('+')
            .filter(|s| !s.is_empty())
            .map(|s| i18n.t(&key("shift", s.trim())).to_string())
            .collect::<Vec<_>>()
            .join(crate::ui::separator(i18n.get()))
    }
}

/// Skills chosen from the list, one box each, in the reader's language (never typed as codes).
/// Submits `name[]=sewing&name[]=…`.
#[component]
fn SkillPicker(name: &'static str, #[prop(optional)] chosen: Vec<String>) -> impl IntoView {
    let field = format!("{name}[]");
    view! {
        <fieldset class="skill-picker">
            <legend>{t("employment.required_skills")}</legend>
            {SKILLS.iter().map(|code| {
                let checked = chosen.iter().any(|c| c == code);
                view! {
                    <label class="check">
                        <input type="checkbox" name=field.clone() value=*code checked=checked/>
                        <Label prefix="skill" code=code.to_string()/>
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
}

#[component]
fn Skills(skills: Vec<String>) -> impl IntoView {
    view! {
        <span class="skills">
            {skills.into_iter().map(|s| view! { <span class="tag"><Label prefix="skill" code=s/></span> }).collect_view()}
        </span>
    }
}

fn hours(minutes: i64) -> impl Fn() -> String + Send + Sync + Clone + 'static {
    let i18n = use_i18n();
    move || {
        let h = format_number(minutes / 60, i18n.get());
        let m = minutes % 60;
        if m == 0 {
            h
        } else {
            format!("{h}:{}", format_number(m, i18n.get()))
        }
    }
}
