//! `/staff/admin`: staff accounts, their roles and scopes (national admins only; the server
//! refuses everyone else whatever this page shows).

use super::*;
use crate::auth::Role;
use crate::i18n::{t, use_i18n, Locale};
use crate::ui::ErrorNote;
use crate::ui::Sep;
use leptos::prelude::*;

#[component]
fn Places(
    options: Vec<(String, String, String)>,
    name: &'static str,
    blank: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <select name=name>
            <option value="">{t(blank)}</option>
            {options.into_iter().map(|(c, fa, en)| {
                let label = move || if i18n.get() == Locale::Fa { fa.clone() } else { en.clone() };
                view! { <option value=c.clone()>{label} " (" {c.clone()} ")"</option> }
            }).collect_view()}
        </select>
    }
}

#[component]
fn Roles(name: &'static str, selected: String) -> impl IntoView {
    view! {
        <select name=name>
            {Role::STAFF.into_iter().map(|r| {
                let chosen = r.as_str() == selected;
                view! { <option value=r.as_str() selected=chosen><crate::auth::RoleName role=r/></option> }
            }).collect_view()}
        </select>
    }
}

#[component]
pub fn StaffAdminPage() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateStaff>::new();
    let scope = ServerAction::<SetStaffScope>::new();
    let active = ServerAction::<SetStaffActive>::new();
    let reset = ServerAction::<ResetStaffTwoFactor>::new();
    let data = Resource::new(
        move || {
            create.version().get()
                + scope.version().get()
                + active.version().get()
                + reset.version().get()
        },
        |_| list_staff(),
    );
    let error = Signal::derive(move || {
        [
            create.value().get().and_then(|r| r.err()),
            scope.value().get().and_then(|r| r.err()),
            active.value().get().and_then(|r| r.err()),
            reset.value().get().and_then(|r| r.err()),
        ]
        .into_iter()
        .flatten()
        .next()
    });
    view! {
        <section class="panel" id="staff-admin">
            <crate::ui::PageMeta title="admin.title"/><h1>{t("admin.title")}</h1>
            <ErrorNote error/>
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || data.get().map(|d| match d {
                    Err(e) => view! { <p class="error">{move || i18n.t(e.message_key())}</p> }.into_any(),
                    Ok(d) => {
                        let (provinces, prisons) = (d.provinces.clone(), d.prisons.clone());
                        view! {
                            <table class="table" id="staff-accounts">
                                <thead><tr><th>{t("admin.name")}</th><th>{t("auth.email")}</th><th>{t("admin.role_scope")}</th><th>{t("admin.state")}</th><th></th></tr></thead>
                                <tbody>
                                    {d.staff.into_iter().map(|s| {
                                        let role = Role::parse(&s.role);
                                        let (u1, u2, u3) = (s.public_id.clone(), s.public_id.clone(), s.public_id.clone());
                                        let (pv, pj) = (provinces.clone(), prisons.clone());
                                        view! {
                                            <tr data-user=s.public_id.clone() data-active=s.active.to_string()>
                                                <td><bdi>{s.display_name.clone()}</bdi></td>
                                                <td><bdi>{s.email.clone()}</bdi></td>
                                                <td>{role.map(|role| view! { <crate::auth::RoleName role/> })} <Sep/>
                                                    {if s.scopes.is_empty() { t("admin.national").into_any() } else { s.scopes.join(", ").into_any() }}
                                                    <details>
                                                        <summary>{t("admin.change_scope")}</summary>
                                                        <ActionForm action=scope attr:class="inline-form">
                                                            <input type="hidden" name="user" value=u1/>
                                                            <Roles name="role" selected=s.role.clone()/>
                                                            <Places options=pv name="province" blank="admin.national"/>
                                                            <Places options=pj name="prison" blank="admin.no_prison"/>
                                                            <button type="submit" class="button secondary">{t("admin.save")}</button>
                                                        </ActionForm>
                                                    </details>
                                                </td>
                                                <td>{if s.active { t("admin.active").into_any() } else { t("admin.inactive").into_any() }}
                                                    <Sep/> {if s.two_factor { t("admin.two_factor_on").into_any() } else { t("admin.two_factor_off").into_any() }}</td>
                                                <td>
                                                    <ActionForm action=active attr:class="inline-form">
                                                        <input type="hidden" name="user" value=u2/>
                                                        <input type="hidden" name="active" value=(!s.active).to_string()/>
                                                        <button type="submit" class="link-button">{if s.active { t("admin.deactivate").into_any() } else { t("admin.activate").into_any() }}</button>
                                                    </ActionForm>
                                                    <ActionForm action=reset attr:class="inline-form">
                                                        <input type="hidden" name="user" value=u3/>
                                                        <button type="submit" class="link-button">{t("admin.reset_two_factor")}</button>
                                                    </ActionForm>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <h2>{t("admin.new_staff")}</h2>
                            <ActionForm action=create attr:class="form" attr:id="new-staff-form">
                                <label>{t("admin.name")}<input name="form[display_name]" required/></label>
                                <label>{t("auth.email")}<input type="email" name="form[email]" required autocomplete="off"/></label>
                                <label>{t("admin.role")}<Roles name="form[role]" selected=String::new()/></label>
                                <label>{t("employment.province")}<Places options=d.provinces name="form[province]" blank="admin.national"/></label>
                                <label>{t("admin.prison")}<Places options=d.prisons name="form[prison]" blank="admin.no_prison"/></label>
                                <label>{t("admin.first_password")}<input type="password" name="form[password]" required autocomplete="new-password"/></label>
                                <p class="muted">{t("admin.first_password_note")}</p>
                                <button type="submit" class="button">{t("admin.create")}</button>
                            </ActionForm>
                            {move || create.value().get().and_then(|r| r.ok()).map(|id| view! { <p class="notice" id="staff-created">{t("admin.created")} " " <bdi>{id}</bdi></p> })}
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
        <IntentionRulesAdmin/>
    }
}

/// Where gifts of each intention may go: the rules in force, those set to start later, and the
/// form that sets the next one (national admins; the server refuses everyone else).
#[component]
fn IntentionRulesAdmin() -> impl IntoView {
    use crate::giving::intention::{intention_rules, SetIntentionRule};
    use crate::giving::{category_key, intention_key, Intention, RuleSummary, CATEGORIES};
    let i18n = use_i18n();
    let set = ServerAction::<SetIntentionRule>::new();
    let rules = Resource::new(move || set.version().get(), |_| intention_rules());
    let error = Signal::derive(move || set.value().get().and_then(|r| r.err()));
    view! {
        <section class="panel" id="intention-rules-admin">
            <h2>{t("admin.intention_rules")}</h2>
            <p class="muted">{t("admin.intention_rules_help")}</p>
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || rules.get().map(|r| match r {
                    Err(e) => view! { <p class="error">{move || i18n.t(e.message_key())}</p> }.into_any(),
                    Ok(rows) => view! {
                        <table class="table" id="intention-rules-table">
                            <thead><tr><th>{t("give.intention")}</th><th>{t("admin.rule_reaches")}</th><th>{t("employment.rule_from")}</th></tr></thead>
                            <tbody>
                                {rows.into_iter().map(|row| {
                                    let r = row.rule;
                                    view! {
                                        <tr data-intention=r.intention.as_str() data-in-force=row.in_force.to_string()>
                                            <td>{t(intention_key(r.intention))}{row.in_force.then(|| view! { " " <span class="status">{t("employment.in_force")}</span> })}</td>
                                            <td><RuleSummary rule=r.clone()/></td>
                                            <td>{match r.effective_from {
                                                Some(date) => view! { <crate::ui::Day date/> }.into_any(),
                                                None => t("admin.rule_built_in").into_any(),
                                            }}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                })}
            </Suspense>
            <details class="subform" id="intention-rule-details">
                <summary>{t("admin.set_intention_rule")}</summary>
                <ErrorNote error/>
                <ActionForm action=set attr:class="form" attr:id="intention-rule-form">
                    <label>{t("give.intention")}
                        <select name="form[intention]">
                            {Intention::ALL.into_iter().map(|i| view! { <option value=i.as_str()>{t(intention_key(i))}</option> }).collect_view()}
                        </select>
                    </label>
                    <fieldset>
                        <legend>{t("admin.rule_kinds")}</legend>
                        <p class="muted small">{t("admin.rule_kinds_help")}</p>
                        {CATEGORIES.into_iter().map(|c| view! {
                            <label class="check"><input type="checkbox" name="form[categories][]" value=c/><span>{t(category_key(c))}</span></label>
                        }).collect_view()}
                        <label class="check"><input type="checkbox" name="form[campaigns]" value="on"/><span>{t("admin.rule_campaigns")}</span></label>
                    </fieldset>
                    <label>{t("admin.rule_window_from")}<crate::ui::DateField name="form[window_from]"/></label>
                    <label>{t("admin.rule_window_to")}<crate::ui::DateField name="form[window_to]"/></label>
                    <label>{t("employment.rule_from")}<crate::ui::DateField name="form[effective_from]" required=true/></label>
                    <button type="submit" class="button">{t("admin.save")}</button>
                </ActionForm>
                {move || matches!(set.value().get(), Some(Ok(()))).then(|| view! { <p class="notice" id="intention-rule-saved">{t("admin.saved")}</p> })}
            </details>
        </section>
    }
}
