//! `/staff`: what waits for this person, by role.

use super::*;

/// What the staff home shows below the greeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum HomeWork {
    /// Two-factor sign-in is not on yet: nothing else until it is.
    Enrol,
    Queues(Queues),
    /// A role without case work (prison officers: their work is in the employment area).
    Nothing,
}

pub(super) async fn home_work(me: Option<SessionUser>) -> Result<HomeWork, AppError> {
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
    let work = Resource::new(move || me.get().and_then(|r| r.ok()).flatten(), home_work);
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
                                <p class="role-badge" data-role=role.as_str()><crate::auth::RoleName role=role/></p>
                                <nav class="actions">
                                    {may(&u, Permission::IntakeFamily).then(|| view! { <A href="/staff/families/new" attr:class="button">{t("staff.intake")}</A> })}
                                    {may(&u, Permission::ViewCases).then(|| view! { <A href="/staff/families" attr:class="button secondary" attr:id="families-link">{t("staff.families")}</A> })}
                                    {may(&u, Permission::ReadAudit).then(|| view! { <A href="/staff/audit" attr:class="button secondary">{t("staff.audit")}</A> })}
                                    {may(&u, Permission::ViewCases).then(|| view! { <A href="/staff/kpis" attr:class="button secondary">{t("staff.kpis")}</A> })}
                                    {may(&u, Permission::ViewCases).then(|| view! { <A href="/staff/sponsorships" attr:class="button secondary" attr:id="sponsorships-link">{t("sponsor.staff_title")}</A> })}
                                    {may(&u, Permission::Fulfil).then(|| view! { <A href="/staff/matches" attr:class="button secondary" attr:id="matches-link">{t("match.title")}</A> })}
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
