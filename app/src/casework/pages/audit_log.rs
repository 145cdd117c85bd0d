//! `/staff/audit`: the audit log, newest first, filtered by action prefix.

use super::*;

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
                        Some(a) => format!("/staff/audit.csv?action={}", crate::ui::encode_query_value(&a)),
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
