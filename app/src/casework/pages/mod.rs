//! The staff area's pages: the work queues, intake, a family's file, a need's case and the audit
//! log. Each page asks the server, which decides; the pages only hide what would be refused.

use super::*;
use crate::auth::{current_user, Permission, SessionUser};
use crate::giving::category_key;
use crate::i18n::{format_toman, t, use_i18n};
use crate::privacy::pii::Finding;
use crate::ui::{ErrorNote, Sep};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

mod approval;
mod audit_log;
mod campaign_case;
mod family;
mod home;
mod intake;
mod key_figures;
mod need_case;
mod sponsorships;

pub use approval::{ApprovalPage, ApprovalPageProps};
pub use audit_log::{AuditPage, AuditPageProps};
pub use campaign_case::{CampaignCasePage, CampaignCasePageProps};
pub use family::{FamilyPage, FamilyPageProps};
pub use home::{StaffHome, StaffHomeProps};
pub use intake::{IntakePage, IntakePageProps};
pub use key_figures::{KpiPage, KpiPageProps};
pub use need_case::{NeedCasePage, NeedCasePageProps};
pub use sponsorships::{SponsorshipsPage, SponsorshipsPageProps};

fn may(u: &Option<SessionUser>, p: Permission) -> bool {
    u.as_ref().is_some_and(|u| p.allows(u.role))
}

/// Why the privacy guard refused a text: one line per finding, with what matched.
#[component]
pub fn Findings(findings: Vec<Finding>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="error blocked" role="alert" id="pii-blocked">
            <p><strong>{t("staff.blocked")}</strong></p>
            <ul>
                {findings.into_iter().map(|f| {
                    let key = f.kind.message_key();
                    view! { <li data-kind=format!("{:?}", f.kind)>{move || i18n.t(key)} ": " <bdi>{f.excerpt.clone()}</bdi></li> }
                }).collect_view()}
            </ul>
        </div>
    }
}

/// The label of a queue item's kind: a need's category, a campaign's offence, or a court payment.
fn item_kind_key(kind: &str) -> String {
    if crate::giving::CATEGORIES.contains(&kind) {
        category_key(kind).to_string()
    } else if kind == "court" {
        "staff.court_payment".to_string()
    } else {
        format!("campaign.offence_{kind}")
    }
}

#[component]
fn QueueList(
    title: &'static str,
    id: &'static str,
    items: Vec<QueueItem>,
    link: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="queue" id=id>
            <h2>{t(title)} " (" <crate::ui::Num n=items.len() as i64/> ")"</h2>
            {if items.is_empty() {
                view! { <p class="muted">{t("staff.queue_empty")}</p> }.into_any()
            } else {
                view! {
                    <ul class="plain">
                        {items.into_iter().map(|it| {
                            let href = format!("{link}{}", it.code);
                            let amount = it.amount_rials;
                            let cat = item_kind_key(&it.category);
                            view! {
                                <li>
                                    <A href=href><crate::ui::Code code=it.code.clone()/></A> " — " {it.title.clone()} <Sep/>
                                    {move || i18n.t(&cat)} <Sep/> <crate::ui::Money rials=amount/>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}
