//! The staff area's pages: the work queues, intake, a family's file, a need's case and the audit
//! log. Each page asks the server, which decides; the pages only hide what would be refused.

use super::*;
use crate::auth::{current_user, Permission, SessionUser};
use crate::giving::category_key;
use crate::i18n::{format_toman, t, use_i18n};
use crate::privacy::pii::Finding;
use crate::ui::Sep;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

fn may(u: &Option<SessionUser>, p: Permission) -> bool {
    u.as_ref().is_some_and(|u| p.allows(u.role))
}

#[component]
pub fn ErrorNote(error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        error.get().map(|e| {
            let key = e.message_key().to_string();
            view! { <p class="error" role="alert">{move || i18n.t(&key)}</p> }
        })
    }
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

/// What the staff home shows below the greeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
enum HomeWork {
    /// Two-factor sign-in is not on yet: nothing else until it is.
    Enrol,
    Queues(Queues),
    /// A role without case work (prison officers: their work is in the employment area).
    Nothing,
}

async fn home_work(me: Option<SessionUser>) -> Result<HomeWork, AppError> {
    let Some(me) = me.filter(|u| u.role.is_staff()) else {
        return Ok(HomeWork::Nothing);
    };
    if !crate::auth::get_security_status().await?.enabled {
        return Ok(HomeWork::Enrol);
    }
    if Permission::ViewCases.allows(me.role) {
        Ok(HomeWork::Queues(staff_queues().await?))
    } else {
        Ok(HomeWork::Nothing)
    }
}

/// `/staff`: what waits for this person, by role.
#[component]
pub fn StaffHome() -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
    let work = Resource::new(
        move || me.get().and_then(|r| r.ok()).flatten(),
        |u| home_work(u),
    );
    view! {
        <section class="panel" id="staff-home">
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || me.get().map(|u| {
                    let u = u.ok().flatten();
                    match &u {
                        None => view! { <crate::ui::PageMeta title="error.unauthorized"/><h1>{t("error.unauthorized")}</h1> <p><A href="/sign-in">{t("nav.sign_in")}</A></p> }.into_any(),
                        Some(s) if !s.role.is_staff() => view! { <crate::ui::PageMeta title="error.forbidden"/><h1>{t("error.forbidden")}</h1> }.into_any(),
                        Some(s) => {
                            let name = s.display_name.clone();
                            let role = s.role;
                            view! {
                                <crate::ui::PageMeta title="account.welcome"/><h1>{t("account.welcome")} " " {name}</h1>
                                <p class="role-badge" data-role=role.as_str()><crate::shell::RoleName role=role/></p>
                                <nav class="actions">
                                    {may(&u, Permission::IntakeFamily).then(|| view! { <A href="/staff/families/new" attr:class="button">{t("staff.intake")}</A> })}
                                    {may(&u, Permission::ViewCases).then(|| view! { <A href="/staff/families" attr:class="button secondary" attr:id="families-link">{t("staff.families")}</A> })}
                                    {may(&u, Permission::ReadAudit).then(|| view! { <A href="/staff/audit" attr:class="button secondary">{t("staff.audit")}</A> })}
                                    {may(&u, Permission::ViewCases).then(|| view! { <A href="/staff/kpis" attr:class="button secondary">{t("staff.kpis")}</A> })}
                                    {may(&u, Permission::ManageStaff).then(|| view! { <A href="/staff/admin" attr:class="button secondary">{t("admin.title")}</A> })}
                                    {may(&u, Permission::ViewEmployment).then(|| view! { <A href="/staff/employment" attr:class="button secondary">{t("employment.staff_title")}</A> })}
                                    <A href="/staff/security" attr:class="button secondary">{t("security.title")}</A>
                                </nav>
                            }.into_any()
                        }
                    }
                })}
                {move || work.get().map(|w| match w {
                    Ok(HomeWork::Enrol) => view! {
                        <p class="notice" id="enrol-two-factor">{t("error.two_factor_required")} " " <A href="/staff/security">{t("security.title")}</A></p>
                    }.into_any(),
                    Ok(HomeWork::Queues(q)) => view! {
                        <p><a href="/staff/queues.csv" class="button secondary" id="queues-csv" download>{t("staff.csv_queues")} " " <crate::ui::Code code="CSV"/></a></p>
                        <QueueList title="staff.awaiting_verification" id="queue-verify" items=q.awaiting_verification link="/staff/needs/"/>
                        <QueueList title="staff.to_purchase" id="queue-purchase" items=q.to_purchase link="/staff/needs/"/>
                        <QueueList title="staff.to_deliver" id="queue-deliver" items=q.to_deliver link="/staff/needs/"/>
                        <QueueList title="staff.awaiting_approval" id="queue-approve" items=q.awaiting_approval link="/staff/disbursements/"/>
                        <QueueList title="staff.campaigns_to_verify" id="queue-campaigns-verify" items=q.campaigns_to_verify link="/staff/campaigns/"/>
                        <QueueList title="staff.campaigns_to_pay" id="queue-campaigns-pay" items=q.campaigns_to_pay link="/staff/campaigns/"/>
                    }.into_any(),
                    Ok(HomeWork::Nothing) | Err(_) => ().into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// `/staff/families/new`: a family's intake.
#[component]
pub fn IntakePage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<IntakeFamily>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let options = Resource::new(|| (), |_| get_intake_options());
    view! {
        <section class="panel" id="intake">
            <crate::ui::PageMeta title="staff.intake"/><h1>{t("staff.intake")}</h1>
            <p class="muted">{t("staff.intake_intro")}</p>
            <ActionForm action=action attr:class="form" attr:id="intake-form">
                <Suspense fallback=|| ()>
                    {move || options.get().map(|o| match o {
                        Err(e) => view! { <p class="error">{move || i18n.t(e.message_key())}</p> }.into_any(),
                        Ok(o) => view! {
                            <label>{t("staff.province")}
                                <select name="form[province]" required>
                                    {o.provinces.into_iter().map(|(c, fa, en)| {
                                        let label = move || if i18n.get() == crate::i18n::Locale::Fa { fa.clone() } else { en.clone() };
                                        view! { <option value=c>{label}</option> }
                                    }).collect_view()}
                                </select>
                            </label>
                            <label>{t("staff.prison")}
                                <select name="form[prison]" required>
                                    {o.prisons.into_iter().map(|(c, fa, en)| {
                                        let label = move || if i18n.get() == crate::i18n::Locale::Fa { fa.clone() } else { en.clone() };
                                        view! { <option value=c>{label}</option> }
                                    }).collect_view()}
                                </select>
                            </label>
                        }.into_any(),
                    })}
                </Suspense>
                <fieldset>
                    <legend>{t("staff.private_fields")}</legend>
                    <label>{t("staff.head_name")}<input name="form[head_name]" required autocomplete="off"/></label>
                    <label>{t("staff.national_code")}<input name="form[national_code]" inputmode="numeric" autocomplete="off"/></label>
                    <label>{t("staff.phone")}<input name="form[phone]" inputmode="tel" autocomplete="off"/></label>
                    <label>{t("staff.address")}<input name="form[address]" autocomplete="off"/></label>
                    <label>{t("staff.situation")}<textarea name="form[situation]" rows="3"></textarea></label>
                    <label>{t("staff.members")}<textarea name="form[members]" rows="3"></textarea></label>
                    <label>{t("staff.prisoner_name")}<input name="form[prisoner_name]" required autocomplete="off"/></label>
                    <label>{t("staff.prisoner_national_code")}<input name="form[prisoner_national_code]" inputmode="numeric" autocomplete="off"/></label>
                </fieldset>
                <label>{t("staff.household_size")}<input name="form[household_size]" inputmode="numeric" required/></label>
                <label>{t("staff.offence")}
                    <select name="form[offence]">
                        {OFFENCES.iter().map(|o| {
                            let key = format!("campaign.offence_{o}");
                            view! { <option value=*o>{move || i18n.t(&key)}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="check"><input type="checkbox" name="form[consent_publish]" value="yes"/>{t("staff.consent_publish")}</label>
                <ErrorNote error/>
                <button type="submit" class="button">{t("staff.intake_submit")}</button>
            </ActionForm>
        </section>
    }
}

/// `/staff/families/:code`: the file without personal fields, consent, and a need's draft.
#[component]
pub fn FamilyPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let code = move || params.with(|p| p.get("code").unwrap_or_default());
    let consent = ServerAction::<RecordConsent>::new();
    let draft = ServerAction::<DraftNeed>::new();
    let reveal = ServerAction::<ReadPersonal>::new();
    let member = ServerAction::<AddMember>::new();
    let document = ServerAction::<AddDocument>::new();
    let member_error = Signal::derive(move || member.value().get().and_then(|r| r.err()));
    let document_error = Signal::derive(move || document.value().get().and_then(|r| r.err()));
    // Reload the file when consent changes or a draft is saved, not when one is refused (the
    // form keeps what was typed, so a refused text can be corrected in place).
    let saved = move || {
        draft
            .value()
            .get()
            .and_then(|r| r.ok())
            .and_then(|o| match o {
                DraftOutcome::Saved { code } => Some(code),
                DraftOutcome::Blocked { .. } => None,
            })
    };
    let file = Resource::new(
        move || {
            (
                code(),
                consent.version().get(),
                saved(),
                member.version().get(),
            )
        },
        |(c, ..)| get_family_file(c),
    );
    let campaign = ServerAction::<CampaignDraft>::new();
    let campaign_error = Signal::derive(move || campaign.value().get().and_then(|r| r.err()));
    let draft_error = Signal::derive(move || draft.value().get().and_then(|r| r.err()));
    let consent_error = Signal::derive(move || consent.value().get().and_then(|r| r.err()));
    view! {
        <section class="panel" id="family-file">
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || file.get().map(|f| match f {
                    Err(e) => view! { <crate::ui::TitleText text=i18n.t(e.message_key())/><h1>{move || i18n.t(e.message_key())}</h1> }.into_any(),
                    Ok(f) => {
                        let (fcode1, fcode2, fcode3) = (f.code.clone(), f.code.clone(), f.code.clone());
                        let (fcode4, fcode5) = (f.code.clone(), f.code.clone());
                        let campaign_prisoner = f.prisoner_code.clone().filter(|_| {
                            f.offence.as_deref().is_some_and(|o| crate::giving::OFFENCES.contains(&o))
                        });
                        view! {
                            <crate::ui::PageMeta title="staff.family"/><h1>{t("staff.family")} " " <bdi id="family-code" class="code" dir="ltr" translate="no">{f.code.clone()}</bdi></h1>
                            <dl class="facts">
                                <dt>{t("staff.household_size")}</dt><dd><crate::ui::Num n=f.household_size as i64/></dd>
                                <dt>{t("employment.support_fund")}</dt><dd id="support-fund">{move || crate::i18n::format_toman(f.support_fund_rials, i18n.get())}</dd>
                                <dt>{t("staff.offence")}</dt><dd>{f.offence.clone().map(|o| { let k = format!("campaign.offence_{o}"); move || i18n.t(&k) })}</dd>
                                <dt>{t("staff.consent")}</dt>
                                <dd id="consent-state">{if f.consent_publish { t("staff.consent_given").into_any() } else { t("staff.consent_none").into_any() }}</dd>
                            </dl>
                            <ActionForm action=consent attr:class="inline-form">
                                <input type="hidden" name="code" value=fcode1/>
                                <input type="hidden" name="publish" value=(!f.consent_publish).to_string()/>
                                // Withdrawing takes the family's cards down at once: it asks first (a
                                // second, red button; it works without JavaScript).
                                {if f.consent_publish {
                                    view! {
                                        <crate::ui::Confirm id="consent-confirm" button_id="consent-toggle" danger=true
                                            ask="staff.withdraw_consent" confirm="staff.withdraw_consent_confirm">
                                            {t("staff.withdraw_consent_warning")}
                                        </crate::ui::Confirm>
                                    }.into_any()
                                } else {
                                    view! { <button type="submit" class="button secondary" id="consent-toggle">{t("staff.record_consent")}</button> }.into_any()
                                }}
                            </ActionForm>
                            <ErrorNote error=consent_error/>
                            <ActionForm action=reveal attr:class="inline-form">
                                <input type="hidden" name="code" value=fcode2/>
                                <button type="submit" class="link-button" id="reveal">{t("staff.reveal")}</button>
                            </ActionForm>
                            {move || reveal.value().get().map(|r| match r {
                                Err(e) => view! { <p class="error">{move || i18n.t(e.message_key())}</p> }.into_any(),
                                Ok(p) => view! {
                                    <dl class="facts personal" id="personal">
                                        <dt>{t("staff.head_name")}</dt><dd>{p.head_name}</dd>
                                        <dt>{t("staff.national_code")}</dt><dd>{p.national_code}</dd>
                                        <dt>{t("staff.phone")}</dt><dd>{p.phone}</dd>
                                        <dt>{t("staff.address")}</dt><dd>{p.address}</dd>
                                        <dt>{t("staff.prisoner_name")}</dt><dd>{p.prisoner_name}</dd>
                                    </dl>
                                    <h3>{t("staff.household")}</h3>
                                    <ul class="plain" id="members">
                                        {p.members.into_iter().map(|m| {
                                            let rel = format!("staff.relation_{}", m.relation);
                                            let year = m.birth_year.map(|y| move || crate::i18n::localize_digits(&y.to_string(), i18n.get()));
                                            view! { <li>{m.name} <Sep/> {move || i18n.t(&rel)}
                                                {year.map(|y| view! { <Sep/> {y} })}
                                                {m.is_child.then(|| view! { <Sep/> {t("staff.child")} })}
                                                {m.school_grade.map(|g| view! { <Sep/> {g} })}</li> }
                                        }).collect_view()}
                                    </ul>
                                    <h3>{t("staff.documents")}</h3>
                                    <ul class="plain" id="documents">
                                        {p.documents.is_empty().then(|| view! { <li class="muted">{t("staff.no_documents")}</li> })}
                                        {p.documents.into_iter().map(|d| {
                                            let k = format!("staff.doc_{}", d.kind);
                                            view! { <li data-kind=d.kind.clone()>{move || i18n.t(&k)} ": " <bdi>{d.reference}</bdi> <Sep/> {match crate::validation::parse_date(&d.added_on) { Some(date) => view! { <crate::ui::Day date/> }.into_any(), None => view! { <bdi>{d.added_on}</bdi> }.into_any() }}</li> }
                                        }).collect_view()}
                                    </ul>
                                }.into_any(),
                            })}
                            <details class="subform" id="member-details" open=move || member.value().get().is_some()>
                                <summary>{t("staff.add_member")}</summary>
                                <ActionForm action=member attr:class="form" attr:id="member-form">
                                    <input type="hidden" name="form[family]" value=fcode4/>
                                    <label>{t("staff.member_name")}<input name="form[name]" required autocomplete="off"/></label>
                                    <label>{t("staff.relation")}
                                        <select name="form[relation]">
                                            {RELATIONS.iter().map(|r| {
                                                let k = format!("staff.relation_{r}");
                                                view! { <option value=*r>{move || i18n.t(&k)}</option> }
                                            }).collect_view()}
                                        </select>
                                    </label>
                                    <label>{t("staff.birth_year")}<input name="form[birth_year]" inputmode="numeric"/></label>
                                    <label>{t("staff.school_grade")}<input name="form[school_grade]"/></label>
                                    <ErrorNote error=member_error/>
                                    {move || matches!(member.value().get(), Some(Ok(()))).then(|| view! { <p class="notice" id="member-added">{t("staff.member_added")}</p> })}
                                    <button type="submit" class="button secondary">{t("staff.add_member")}</button>
                                </ActionForm>
                            </details>
                            <details class="subform" id="document-details" open=move || document.value().get().is_some()>
                                <summary>{t("staff.add_document")}</summary>
                                <ActionForm action=document attr:class="form" attr:id="document-form">
                                    <input type="hidden" name="family" value=fcode5/>
                                    <label>{t("staff.document_kind")}
                                        <select name="kind">
                                            {DOCUMENT_KINDS.iter().map(|k| {
                                                let key = format!("staff.doc_{k}");
                                                view! { <option value=*k>{move || i18n.t(&key)}</option> }
                                            }).collect_view()}
                                        </select>
                                    </label>
                                    <label>{t("staff.document_reference")}<input name="reference" required autocomplete="off"/></label>
                                    <ErrorNote error=document_error/>
                                    {move || matches!(document.value().get(), Some(Ok(()))).then(|| view! { <p class="notice" id="document-added">{t("staff.document_added")}</p> })}
                                    <button type="submit" class="button secondary">{t("staff.add_document")}</button>
                                </ActionForm>
                            </details>
                            <h2>{t("staff.needs")}</h2>
                            <ul class="plain" id="family-needs">
                                {f.needs.into_iter().map(|n| {
                                    let key = format!("need_status.{}", n.status);
                                    view! { <li><A href=format!("/staff/needs/{}", n.code)><crate::ui::Code code=n.code.clone()/></A> " — " <crate::ui::DataText text=n.title.clone()/> <Sep/> <span class="status">{move || i18n.t(&key)}</span>
                                        {n.withdrawn.then(|| view! { <Sep/> <span class="muted">{t("staff.card_withdrawn")}</span> })}</li> }
                                }).collect_view()}
                            </ul>
                            <h2>{t("staff.draft_need")}</h2>
                            <ActionForm action=draft attr:class="form" attr:id="draft-form">
                                <input type="hidden" name="form[family]" value=fcode3/>
                                <label>{t("staff.category")}
                                    <select name="form[category]">
                                        {crate::giving::CATEGORIES.iter().map(|c| {
                                            let k = category_key(c);
                                            view! { <option value=*c>{move || i18n.t(k)}</option> }
                                        }).collect_view()}
                                    </select>
                                </label>
                                <label>{t("staff.goal_toman")}<input name="form[goal]" inputmode="numeric" required/></label>
                                <label>{t("staff.public_title")}<input name="form[title]" required/></label>
                                <label>{t("staff.public_story")}<textarea name="form[story]" rows="4" required></textarea></label>
                                <label>{t("staff.private_notes")}<textarea name="form[private_notes]" rows="3"></textarea></label>
                                <label>{t("staff.deadline")}<crate::ui::DateField name="form[deadline]"/></label>
                                <label>{t("staff.occasion")}
                                    <select name="form[occasion]">
                                        <option value="">{t("staff.occasion_none")}</option>
                                        {crate::giving::OCCASION_KEYS.iter().map(|o| {
                                            let k = crate::giving::occasion_key(o);
                                            view! { <option value=*o>{move || i18n.t(k)}</option> }
                                        }).collect_view()}
                                    </select>
                                </label>
                                <ErrorNote error=draft_error/>
                                {move || draft.value().get().and_then(|r| r.ok()).map(|o| match o {
                                    DraftOutcome::Blocked { findings } => view! { <Findings findings/> }.into_any(),
                                    DraftOutcome::Saved { code } => view! {
                                        <p class="notice" id="draft-saved">{t("staff.draft_saved")} " " <A href=format!("/staff/needs/{code}")>{code.clone()}</A></p>
                                    }.into_any(),
                                })}
                                <button type="submit" class="button">{t("staff.submit_for_verification")}</button>
                            </ActionForm>
                            {campaign_prisoner.map(|pc| view! {
                                <h2>{t("staff.draft_campaign")}</h2>
                                <ActionForm action=campaign attr:class="form" attr:id="campaign-form">
                                    <input type="hidden" name="form[prisoner]" value=pc/>
                                    <label>{t("staff.total_owed")}<input name="form[total_owed]" inputmode="numeric" required/></label>
                                    <label>{t("staff.forgiveness")}<input name="form[forgiveness]" inputmode="numeric"/></label>
                                    <label>{t("staff.creditor")}<input name="form[creditor]" required autocomplete="off"/></label>
                                    <label class="check"><input type="checkbox" name="form[conduct_certified]" value="yes"/>{t("staff.conduct_certified")}</label>
                                    <label class="check"><input type="checkbox" name="form[means_tested]" value="yes"/>{t("staff.means_tested")}</label>
                                    <label class="check"><input type="checkbox" name="form[prisoner_consent]" value="yes"/>{t("staff.prisoner_consent")}</label>
                                    <label>{t("staff.public_title")}<input name="form[title]" required/></label>
                                    <label>{t("staff.public_story")}<textarea name="form[story]" rows="4" required></textarea></label>
                                    <ErrorNote error=campaign_error/>
                                    {move || campaign.value().get().and_then(|r| r.ok()).map(|o| match o {
                                        DraftOutcome::Blocked { findings } => view! { <Findings findings/> }.into_any(),
                                        DraftOutcome::Saved { code } => view! {
                                            <p class="notice" id="campaign-saved">{t("staff.draft_saved")} " " <A href=format!("/staff/campaigns/{code}")>{code.clone()}</A></p>
                                        }.into_any(),
                                    })}
                                    <button type="submit" class="button">{t("staff.submit_for_verification")}</button>
                                </ActionForm>
                            })}
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}

/// `/staff/needs/:code`: verification, purchase and delivery of one need.
#[component]
pub fn NeedCasePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let code = move || params.with(|p| p.get("code").unwrap_or_default());
    let me = Resource::new(|| (), |_| current_user());
    let verify = ServerAction::<VerifyNeed>::new();
    let purchase = ServerAction::<RecordPurchase>::new();
    let deliver = ServerAction::<RecordDelivery>::new();
    let edit = ServerAction::<EditNeed>::new();
    // A refused update leaves the form as typed: only a recorded delivery reloads the case.
    let delivered = move || matches!(deliver.value().get(), Some(Ok(DraftOutcome::Saved { .. })));
    let edited = move || {
        edit.version().get() * 2
            + matches!(edit.value().get(), Some(Ok(DraftOutcome::Saved { .. }))) as usize
    };
    let case = Resource::new(
        move || {
            (
                code(),
                verify.version().get(),
                purchase.version().get(),
                delivered(),
                edited(),
            )
        },
        |(c, ..)| need_case(c),
    );
    let edit_error = Signal::derive(move || edit.value().get().and_then(|r| r.err()));
    let verify_error = Signal::derive(move || verify.value().get().and_then(|r| r.err()));
    let purchase_error = Signal::derive(move || purchase.value().get().and_then(|r| r.err()));
    let deliver_error = Signal::derive(move || deliver.value().get().and_then(|r| r.err()));
    view! {
        <section class="panel" id="need-case">
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || case.get().map(|c| match c {
                    Err(e) => view! { <crate::ui::TitleText text=i18n.t(e.message_key())/><h1>{move || i18n.t(e.message_key())}</h1> }.into_any(),
                    Ok(n) => {
                        let u = me.get().and_then(|r| r.ok()).flatten();
                        let status_key = format!("need_status.{}", n.status);
                        let cat = category_key(&n.category);
                        let (goal, bal) = (n.goal_rials, n.balance_rials);
                        let (ncode1, ncode2, ncode3) = (n.code.clone(), n.code.clone(), n.code.clone());
                        let can_verify = n.status == "awaiting_verification" && !n.mine && may(&u, Permission::VerifyNeed);
                        let can_buy = n.status == "funded" && may(&u, Permission::Fulfil);
                        let can_deliver = n.status == "purchased" && may(&u, Permission::Fulfil);
                        let can_edit = n.status == "awaiting_verification" && may(&u, Permission::DraftNeed);
                        let edit_form = can_edit.then(|| {
                            let goal_tomans = (n.goal_rials / 10).to_string();
                            let (title, story, deadline, ncode) = (n.title.clone(), n.story.clone(), n.deadline.clone().unwrap_or_default(), n.code.clone());
                            view! {
                                <details class="subform" id="edit-details">
                                    <summary>{t("staff.edit_need")}</summary>
                                    <ActionForm action=edit attr:class="form" attr:id="edit-form">
                                        <p class="muted">{t("staff.edit_need_hint")}</p>
                                        <input type="hidden" name="form[code]" value=ncode/>
                                        <label>{t("staff.goal_toman")}<input name="form[goal]" inputmode="numeric" required value=goal_tomans/></label>
                                        <label>{t("staff.public_title")}<input name="form[title]" required value=title/></label>
                                        <label>{t("staff.public_story")}<textarea name="form[story]" rows="4" required>{story}</textarea></label>
                                        <label>{t("staff.private_notes_replace")}<textarea name="form[private_notes]" rows="3"></textarea></label>
                                        <label>{t("staff.deadline")}<crate::ui::DateField name="form[deadline]" value=crate::validation::parse_date(&deadline)/></label>
                                        <button type="submit" class="button secondary">{t("staff.save_changes")}</button>
                                    </ActionForm>
                                </details>
                            }
                        });
                        view! {
                            <h1>{n.title.clone()}</h1>
                            <p><span class="status" id="case-status" data-status=n.status.clone()>{move || i18n.t(&status_key)}</span>
                               <Sep/> {move || i18n.t(cat)} <Sep/> <A href=format!("/staff/families/{}", n.family_code)>{n.family_code.clone()}</A></p>
                            <p class="story">{n.story.clone()}</p>
                            <dl class="facts">
                                <dt>{t("staff.goal_toman")}</dt><dd>{move || format_toman(goal, i18n.get())}</dd>
                                <dt>{t("staff.balance")}</dt><dd id="case-balance">{move || format_toman(bal, i18n.get())}</dd>
                            </dl>
                            {n.hide_province.then(|| view! { <p class="notice">{t("staff.province_hidden")}</p> })}
                            {n.withdrawn.then(|| view! { <p class="notice" id="card-withdrawn">{t("staff.card_withdrawn")}</p> })}
                            {edit_form}
                            {(n.status == "awaiting_verification" && n.mine).then(|| view! { <p class="notice">{t("staff.four_eyes")}</p> })}
                            {can_verify.then(|| view! {
                                <ActionForm action=verify attr:class="inline-form">
                                    <input type="hidden" name="code" value=ncode1.clone()/>
                                    <button type="submit" class="button" id="verify">{t("staff.verify_publish")}</button>
                                </ActionForm>
                            })}
                            {can_buy.then(|| view! {
                                <ActionForm action=purchase attr:class="form" attr:id="purchase-form">
                                    <input type="hidden" name="code" value=ncode2.clone()/>
                                    <label>{t("staff.payee_kind")}
                                        <select name="payee_kind">
                                            {["vendor", "landlord", "school", "pharmacy", "utility"].into_iter().map(|k| {
                                                let key = format!("staff.payee_{k}");
                                                view! { <option value=k>{move || i18n.t(&key)}</option> }
                                            }).collect_view()}
                                        </select>
                                    </label>
                                    <label>{t("staff.payee_name")}<input name="payee_name" required/></label>
                                    <label>{t("staff.evidence")}<input name="evidence" required/></label>
                                    <crate::ui::Confirm id="purchase-confirm" button_id="purchase-submit"
                                        ask="staff.record_purchase" confirm="staff.purchase_confirm">
                                        <crate::ui::Phrase key="staff.purchase_warning" args=vec![("amount", crate::ui::Arg::Money(bal))]/>
                                    </crate::ui::Confirm>
                                </ActionForm>
                            })}
                            {can_deliver.then(|| view! {
                                <ActionForm action=deliver attr:class="form" attr:id="deliver-form">
                                    <input type="hidden" name="code" value=ncode3.clone()/>
                                    <label>{t("staff.impact_update")}<textarea name="update" rows="3" required></textarea></label>
                                    <button type="submit" class="button">{t("staff.record_delivery")}</button>
                                </ActionForm>
                            })}
                        }.into_any()
                    }
                })}
            </Suspense>
            <ErrorNote error=verify_error/>
            <ErrorNote error=purchase_error/>
            <ErrorNote error=deliver_error/>
            <ErrorNote error=edit_error/>
            {move || edit.value().get().and_then(|r| r.ok()).map(|o| match o {
                DraftOutcome::Blocked { findings } => view! { <Findings findings/> }.into_any(),
                DraftOutcome::Saved { .. } => view! { <p class="notice" id="need-saved">{t("staff.need_saved")}</p> }.into_any(),
            })}
            {move || verify.value().get().and_then(|r| r.ok()).map(|o| match o {
                PublishOutcome::Published { code, province_hidden } => view! {
                    <p class="notice" id="published">{t("staff.published")} " " <A href=format!("/needs/{code}")>{code.clone()}</A>
                    {province_hidden.then(|| view! { " — " {t("staff.province_hidden")} })}</p>
                }.into_any(),
                PublishOutcome::Blocked { findings } => view! { <Findings findings/> }.into_any(),
                PublishOutcome::Held { .. } => view! { <p class="error" id="held">{t("staff.held")}</p> }.into_any(),
            })}
            {move || purchase.value().get().and_then(|r| r.ok()).map(|o| match o {
                FulfilOutcome::Paid { disbursement } => view! { <p class="notice" id="paid">{t("staff.paid")} " " {disbursement}</p> }.into_any(),
                FulfilOutcome::AwaitingApproval { disbursement } => view! { <p class="notice" id="awaiting-approval">{t("staff.awaiting_approval")} " " {disbursement}</p> }.into_any(),
            })}
            {move || deliver.value().get().and_then(|r| r.ok()).map(|o| match o {
                DraftOutcome::Blocked { findings } => view! { <Findings findings/> }.into_any(),
                DraftOutcome::Saved { .. } => view! { <p class="notice" id="delivered">{t("staff.delivered")}</p> }.into_any(),
            })}
        </section>
    }
}

/// `/staff/campaigns/:code`: a release campaign through verification, publication, payment to the
/// court, release and closing.
#[component]
pub fn CampaignCasePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let code = move || params.with(|p| p.get("code").unwrap_or_default());
    let me = Resource::new(|| (), |_| current_user());
    let verify = ServerAction::<CampaignVerify>::new();
    let publish = ServerAction::<CampaignPublish>::new();
    let pay = ServerAction::<CampaignPayCourt>::new();
    let release = ServerAction::<CampaignRelease>::new();
    let close = ServerAction::<CampaignClose>::new();
    let consent = ServerAction::<CampaignConsent>::new();
    let forgive = ServerAction::<CampaignForgiveness>::new();
    let case = Resource::new(
        move || {
            (
                code(),
                verify.version().get(),
                publish.version().get(),
                pay.version().get(),
                release.version().get(),
                close.version().get(),
                consent.version().get(),
                forgive.version().get(),
            )
        },
        |(c, ..)| get_campaign_case(c),
    );
    let errors = Signal::derive(move || {
        verify
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| publish.value().get().and_then(|r| r.err()))
            .or_else(|| pay.value().get().and_then(|r| r.err()))
            .or_else(|| release.value().get().and_then(|r| r.err()))
            .or_else(|| close.value().get().and_then(|r| r.err()))
            .or_else(|| consent.value().get().and_then(|r| r.err()))
            .or_else(|| forgive.value().get().and_then(|r| r.err()))
    });
    view! {
        <section class="panel" id="campaign-case">
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || case.get().map(|c| match c {
                    Err(e) => view! { <crate::ui::TitleText text=i18n.t(e.message_key())/><h1>{move || i18n.t(e.message_key())}</h1> }.into_any(),
                    Ok(c) => {
                        let u = me.get().and_then(|r| r.ok()).flatten();
                        let status_key = format!("campaign.status_{}", c.status);
                        let (owed, forgiven, bal) = (c.total_owed_rials, c.forgiveness_rials, c.balance_rials);
                        let codes = [c.code.clone(), c.code.clone(), c.code.clone(), c.code.clone(), c.code.clone()];
                        let [c1, c2, c3, c4, c5] = codes;
                        let (c6, c7) = (c.code.clone(), c.code.clone());
                        let can_forgive = ["draft", "verified", "published"].contains(&c.status.as_str())
                            && !c.withdrawn && may(&u, Permission::DraftCampaign);
                        let can_consent = c.status != "closed" && may(&u, Permission::RecordConsent);
                        view! {
                            <h1>{c.title.clone()}</h1>
                            <p><span class="status" id="campaign-status" data-status=c.status.clone()>{move || i18n.t(&status_key)}</span></p>
                            <p class="story">{c.story.clone()}</p>
                            <dl class="facts">
                                <dt>{t("staff.total_owed")}</dt><dd>{move || format_toman(owed, i18n.get())}</dd>
                                <dt>{t("staff.forgiveness")}</dt><dd>{move || format_toman(forgiven, i18n.get())}</dd>
                                <dt>{t("staff.balance")}</dt><dd id="campaign-balance">{move || format_toman(bal, i18n.get())}</dd>
                            </dl>
                            <ul class="plain checklist" id="eligibility">
                                {c.eligibility.iter().map(|(rule, ok)| {
                                    let key = format!("campaign.rule_{rule}");
                                    let mark = if *ok { "✓" } else { "✗" };
                                    view! { <li data-ok=ok.to_string()>{mark} " " {move || i18n.t(&key)}</li> }
                                }).collect_view()}
                                <li data-ok=c.consent.to_string()>{if c.consent { "✓" } else { "✗" }} " " {t("staff.prisoner_consent")}</li>
                            </ul>
                            {c.withdrawn.then(|| view! { <p class="notice" id="campaign-withdrawn">{t("staff.campaign_withdrawn")}</p> })}
                            {can_consent.then(|| view! {
                                <ActionForm action=consent attr:class="inline-form">
                                    <input type="hidden" name="code" value=c6.clone()/>
                                    <input type="hidden" name="consent" value=(!c.consent).to_string()/>
                                    {if c.consent {
                                        view! {
                                            <crate::ui::Confirm id="campaign-consent-confirm" button_id="campaign-consent" danger=true
                                                ask="staff.campaign_consent_withdraw" confirm="staff.withdraw_consent_confirm">
                                                {t("staff.campaign_withdraw_warning")}
                                            </crate::ui::Confirm>
                                        }.into_any()
                                    } else {
                                        view! { <button type="submit" class="button secondary" id="campaign-consent">{t("staff.campaign_consent_record")}</button> }.into_any()
                                    }}
                                </ActionForm>
                            })}
                            {can_forgive.then(|| view! {
                                <details class="subform" id="forgiveness-details">
                                    <summary>{t("staff.forgiveness_more")}</summary>
                                    <ActionForm action=forgive attr:class="form" attr:id="forgiveness-form">
                                        <input type="hidden" name="code" value=c7.clone()/>
                                        <label>{t("staff.forgiveness_total")}<input name="forgiveness" inputmode="numeric" required/></label>
                                        <label>{t("staff.forgiveness_evidence")}<input name="evidence" required/></label>
                                        <button type="submit" class="button secondary">{t("staff.forgiveness_more")}</button>
                                    </ActionForm>
                                </details>
                            })}
                            {(c.status == "draft" && !c.mine && may(&u, Permission::VerifyCampaign)).then(|| view! {
                                <ActionForm action=verify attr:class="inline-form">
                                    <input type="hidden" name="code" value=c1.clone()/>
                                    <button type="submit" class="button" id="campaign-verify">{t("staff.verify")}</button>
                                </ActionForm>
                            })}
                            {(c.status == "verified" && may(&u, Permission::VerifyCampaign)).then(|| view! {
                                <ActionForm action=publish attr:class="inline-form">
                                    <input type="hidden" name="code" value=c2.clone()/>
                                    <button type="submit" class="button" id="campaign-publish">{t("staff.publish")}</button>
                                </ActionForm>
                            })}
                            {(c.status == "funded" && may(&u, Permission::Fulfil)).then(|| view! {
                                <ActionForm action=pay attr:class="form" attr:id="court-form">
                                    <input type="hidden" name="code" value=c3.clone()/>
                                    <label>{t("staff.court_ref")}<input name="court_ref" required/></label>
                                    <crate::ui::Confirm id="court-confirm" button_id="court-submit"
                                        ask="staff.pay_court" confirm="staff.pay_court_confirm">
                                        <crate::ui::Phrase key="staff.court_warning" args=vec![("amount", crate::ui::Arg::Money(bal))]/>
                                    </crate::ui::Confirm>
                                </ActionForm>
                            })}
                            {(c.status == "paid_to_court" && may(&u, Permission::RecordRelease)).then(|| view! {
                                <ActionForm action=release attr:class="form" attr:id="release-form">
                                    <input type="hidden" name="code" value=c4.clone()/>
                                    <label>{t("staff.release_date")}<crate::ui::DateField name="date" required=true/></label>
                                    <button type="submit" class="button">{t("staff.record_release")}</button>
                                </ActionForm>
                            })}
                            {(c.status == "released" && may(&u, Permission::RecordRelease)).then(|| view! {
                                <ActionForm action=close attr:class="inline-form">
                                    <input type="hidden" name="code" value=c5.clone()/>
                                    <button type="submit" class="button secondary" id="campaign-close">{t("staff.close")}</button>
                                </ActionForm>
                            })}
                        }.into_any()
                    }
                })}
            </Suspense>
            <ErrorNote error=errors/>
            {move || verify.value().get().and_then(|r| r.ok()).map(|o| match o {
                PublishOutcome::Blocked { findings } => view! { <Findings findings/> }.into_any(),
                _ => ().into_any(),
            })}
        </section>
    }
}

/// `/staff/disbursements/:code`: a manager approves a large disbursement (not their own).
#[component]
pub fn ApprovalPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let code = move || params.with(|p| p.get("code").unwrap_or_default());
    let approve = ServerAction::<ApproveDisbursement>::new();
    let error = Signal::derive(move || approve.value().get().and_then(|r| r.err()));
    view! {
        <section class="panel narrow" id="approval">
            <crate::ui::PageMeta title="staff.awaiting_approval"/><h1>{t("staff.awaiting_approval")} " " <bdi class="code" dir="ltr" translate="no">{code}</bdi></h1>
            <ActionForm action=approve attr:class="inline-form">
                <input type="hidden" name="code" value=code/>
                <button type="submit" class="button" id="approve">{t("staff.approve")}</button>
            </ActionForm>
            <ErrorNote error/>
            {move || approve.value().get().and_then(|r| r.ok()).map(|_| view! { <p class="notice" id="paid">{move || i18n.t("staff.paid")}</p> })}
        </section>
    }
}

/// `/staff/kpis`: key figures by province for the provinces this person may see, the last twelve
/// Solar Hijri months (of everything in scope, or of one province: `?province=THR`), charts with
/// their tables, a CSV of the provinces, when the figures were taken and a button to take them
/// again.
#[component]
pub fn KpiPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let province = move || query.with(|q| q.get("province").filter(|p| !p.is_empty()));
    let refresh = ServerAction::<StaffKpisRefresh>::new();
    let data = Resource::new(
        move || (province(), refresh.version().get()),
        |(p, _)| staff_kpis(p),
    );
    let refresh_error = Signal::derive(move || refresh.value().get().and_then(|r| r.err()));
    view! {
        <section class="panel wide" id="kpis">
            <crate::ui::PageMeta title="staff.kpis"/><h1>{t("staff.kpis")}</h1>
            <div class="kpi-actions">
                <a href="/staff/kpis.csv" class="button secondary" download>{t("transparency.csv")} " " <crate::ui::Code code="CSV"/></a>
                <ActionForm action=refresh attr:class="inline-form" attr:id="kpi-refresh">
                    <button type="submit" class="button secondary">{t("staff.kpi_refresh")}</button>
                </ActionForm>
            </div>
            <ErrorNote error=refresh_error/>
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || data.get().map(|r| match (i18n.get(), r).1 {
                    Err(e) => view! { <p class="error">{move || i18n.t(e.message_key())}</p> }.into_any(),
                    Ok(k) => view! { <KpiBody k/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// When the figures were taken, in Tehran time.
fn taken_at(rfc3339: &str, l: crate::i18n::Locale) -> String {
    match chrono::DateTime::parse_from_rfc3339(rfc3339) {
        Ok(t) => {
            let tehran = t.naive_utc() + chrono::Duration::minutes(210);
            crate::i18n::localize_digits(
                &format!(
                    "{} {}",
                    crate::i18n::format_date(tehran.date(), l),
                    tehran.format("%H:%M")
                ),
                l,
            )
        }
        Err(_) => String::new(),
    }
}

/// The figures themselves; the locale is read once (the page re-renders on a language switch).
#[component]
fn KpiBody(k: Kpis) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.locale.get_untracked();
    let fa = l == crate::i18n::Locale::Fa;
    let name = move |r: &KpiRow| {
        if fa {
            r.name_fa.clone()
        } else {
            r.name_en.clone()
        }
    };
    let active: Vec<KpiRow> = k
        .provinces
        .iter()
        .filter(|r| r.families > 0 || r.raised_rials > 0)
        .cloned()
        .collect();
    let labels = active.iter().map(name).collect::<Vec<_>>();
    let raised = active.iter().map(|r| r.raised_rials).collect::<Vec<_>>();
    let months_title = match k
        .province
        .as_ref()
        .and_then(|c| k.provinces.iter().find(|r| &r.province == c))
    {
        Some(r) => name(r),
        None => crate::i18n::translate(l, "staff.kpi_all_in_scope").to_string(),
    };
    let month_labels: Vec<String> = k
        .months
        .iter()
        .map(|m| crate::i18n::format_period(&m.period, l))
        .collect();
    let month_raised: Vec<i64> = k.months.iter().map(|m| m.raised_rials).collect();
    let month_wages: Vec<i64> = k.months.iter().map(|m| m.wages_rials).collect();
    let taken = taken_at(&k.refreshed_at, l);
    let narrowed = k.provinces.len() > 1 && k.province.is_some();
    let per_mille = move |v: Option<i64>| match v {
        Some(v) => crate::i18n::format_percent(v, 10, l),
        None => "—".to_string(),
    };
    let num = move |v: i64| crate::i18n::format_number(v, l);
    let dash = move |v: Option<i64>| v.map(num).unwrap_or_else(|| "—".into());
    view! {
        <p class="muted" id="kpi-taken">{t("staff.kpi_taken_at")}" "<time datetime=k.refreshed_at.clone()>{taken}</time></p>
        <h2 id="kpi-months-title">{t("staff.kpi_months")}" — "{months_title}</h2>
        {narrowed.then(|| view! { <p><a href="/staff/kpis" id="kpi-all">{t("staff.kpi_all_in_scope")}</a></p> })}
        <crate::ui::BarChart id="kpi-months-raised" title_key="staff.kpi_raised" labels=month_labels.clone() values=month_raised/>
        <crate::ui::BarChart id="kpi-months-wages" title_key="staff.kpi_wages" labels=month_labels values=month_wages/>
        <div class="table-scroll" id="kpi-months-wages-table">
        <table class="data" id="kpi-months-raised-table">
            <caption>{t("staff.kpi_months")}</caption>
            <thead><tr>
                <th scope="col">{t("transparency.month")}</th><th scope="col">{t("staff.kpi_families_new")}</th><th scope="col">{t("staff.kpi_published")}</th>
                <th scope="col">{t("staff.kpi_funded")}</th><th scope="col">{t("staff.kpi_delivered")}</th><th scope="col">{t("staff.kpi_median_days_month")}</th>
                <th scope="col">{t("staff.kpi_raised")}</th><th scope="col">{t("staff.kpi_disbursed")}</th><th scope="col">{t("staff.kpi_freed")}</th>
                <th scope="col">{t("staff.kpi_forgiveness")}</th><th scope="col">{t("staff.kpi_workers_paid")}</th>
                <th scope="col">{t("staff.kpi_wages")}</th><th scope="col">{t("staff.kpi_family_share")}</th>
            </tr></thead>
            <tbody>
                {k.months.iter().map(|m| view! {
                    <tr data-period=m.period.clone()>
                        <th scope="row">{crate::i18n::format_period(&m.period, l)}</th><td>{num(m.families)}</td><td>{num(m.needs_published)}</td>
                        <td>{num(m.needs_funded)}</td><td>{num(m.needs_delivered)}</td><td>{dash(m.median_days_to_fund)}</td>
                        <td>{format_toman(m.raised_rials, l)}</td><td>{format_toman(m.disbursed_rials, l)}</td><td>{num(m.prisoners_freed)}</td>
                        <td>{format_toman(m.forgiveness_rials, l)}</td><td>{num(m.workers)}</td>
                        <td>{format_toman(m.wages_rials, l)}</td><td>{format_toman(m.family_share_rials, l)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        </div>
        <h2>{t("staff.kpi_provinces")}</h2>
        <crate::ui::BarChart id="kpi-raised" title_key="staff.kpi_raised" labels=labels values=raised/>
        <div class="table-scroll">
        <table class="data" id="kpi-raised-table">
            <caption>{t("staff.kpi_provinces")}</caption>
            <thead><tr>
                <th scope="col">{t("staff.province")}</th><th scope="col">{t("staff.kpi_families")}</th><th scope="col">{t("staff.kpi_published")}</th>
                <th scope="col">{t("staff.kpi_funded")}</th><th scope="col">{t("staff.kpi_delivered")}</th><th scope="col">{t("staff.kpi_median_days")}</th>
                <th scope="col">{t("staff.kpi_raised")}</th><th scope="col">{t("staff.kpi_disbursed")}</th><th scope="col">{t("staff.kpi_freed")}</th>
                <th scope="col">{t("staff.kpi_forgiveness")}</th><th scope="col">{t("staff.kpi_prisoners")}</th><th scope="col">{t("staff.kpi_workers")}</th>
                <th scope="col">{t("staff.kpi_employment")}</th><th scope="col">{t("staff.kpi_wages")}</th><th scope="col">{t("staff.kpi_family_share")}</th>
            </tr></thead>
            <tbody>
                {k.provinces.iter().map(|r| view! {
                    <tr data-province=r.province.clone()>
                        <th scope="row"><a href=format!("/staff/kpis?province={}", r.province)>{name(r)}</a></th>
                        <td>{num(r.families)}</td><td>{num(r.needs_published)}</td><td>{num(r.needs_funded)}</td>
                        <td>{num(r.needs_delivered)}</td><td>{dash(r.median_days_to_fund)}</td>
                        <td>{format_toman(r.raised_rials, l)}</td><td>{format_toman(r.disbursed_rials, l)}</td>
                        <td>{num(r.prisoners_freed)}</td><td>{format_toman(r.forgiveness_rials, l)}</td>
                        <td>{num(r.prisoners_held)}</td><td>{num(r.workers)}</td><td>{per_mille(r.employment_per_mille())}</td>
                        <td>{format_toman(r.wages_rials, l)}</td><td>{format_toman(r.family_share_rials, l)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}

/// `/staff/audit`: the audit log, newest first, filtered by action prefix (`?action=need.`).
#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let action = move || query.with(|q| q.get("action"));
    let before = move || query.with(|q| q.get("before").and_then(|b| b.parse::<i64>().ok()));
    let rows = Resource::new(move || (action(), before()), |(a, b)| audit_log(a, b));
    view! {
        <section class="panel" id="audit">
            <crate::ui::PageMeta title="staff.audit"/><h1>{t("staff.audit")}</h1>
            <form method="get" action="/staff/audit" class="inline-form">
                <label>{t("staff.audit_action")}<input name="action" value=action/></label>
                <button type="submit" class="button secondary">{t("staff.filter")}</button>
                <a class="button secondary" id="audit-csv" download
                    href=move || match action() {
                        Some(a) => format!("/staff/audit.csv?action={}", crate::giving::encode_query_value(&a)),
                        None => "/staff/audit.csv".to_string(),
                    }>{t("staff.csv_audit")}</a>
            </form>
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || rows.get().map(|r| match r {
                    Err(e) => view! { <p class="error">{move || i18n.t(e.message_key())}</p> }.into_any(),
                    Ok(rows) => view! {
                        <table class="data" id="audit-rows">
                            <thead><tr><th>"#"</th><th>{t("staff.audit_at")}</th><th>{t("staff.audit_actor")}</th><th>{t("staff.audit_action")}</th><th>{t("staff.audit_subject")}</th><th>{t("staff.audit_detail")}</th></tr></thead>
                            <tbody>
                                {rows.into_iter().map(|r| view! {
                                    <tr><td>{r.id}</td><td dir="ltr">{r.at}</td><td>{r.actor}</td><td>{r.action}</td>
                                    <td>{r.subject_kind} " " {r.subject_id}</td><td dir="ltr"><code>{r.detail}</code></td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
