//! `/staff/sponsorships`: how many consenting families have a sponsor, by province; the families
//! waiting longest for a first one; the sponsored families due their quarterly report; and the
//! two forms (offer a family to sponsors, send a report), each read by the privacy guard.

use super::*;
use crate::giving::CATEGORIES;
use crate::i18n::Locale;
use crate::ui::{Day, Num};

#[component]
pub fn SponsorshipsPage() -> impl IntoView {
    let i18n = use_i18n();
    let me = Resource::new(|| (), |_| current_user());
    let open = ServerAction::<OpenSponsorship>::new();
    let report = ServerAction::<SendSponsorReport>::new();
    let coverage = Resource::new(
        move || (open.version().get(), report.version().get()),
        |_| sponsorship_coverage(),
    );
    let writes = move || {
        me.get()
            .and_then(|r| r.ok())
            .is_some_and(|u| may(&u, Permission::DraftNeed))
    };
    view! {
        <section class="panel" id="staff-sponsorships">
            <crate::ui::PageMeta title="sponsor.staff_title"/>
            <h1>{t("sponsor.staff_title")}</h1>
            <p class="muted">{t("sponsor.staff_help")}</p>
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || coverage.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{move || i18n.t(e.message_key())}</p> }.into_any(),
                    Ok(c) => view! { <CoverageView c/> }.into_any(),
                })}
            </Suspense>
            <Suspense fallback=|| ()>
                {move || writes().then(|| view! { <OfferForm open/> <ReportForm report/> })}
            </Suspense>
        </section>
    }
}

fn province_name(p: &crate::giving::ProvinceName, l: Locale) -> String {
    if l == Locale::Fa {
        p.fa.clone()
    } else {
        p.en.clone()
    }
}

#[component]
fn CoverageView(c: Coverage) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h2>{t("sponsor.coverage")}</h2>
        {if c.provinces.is_empty() {
            view! { <p class="muted">{t("sponsor.no_coverage")}</p> }.into_any()
        } else {
            view! {
                <table class="table" id="sponsor-coverage">
                    <thead><tr>
                        <th>{t("needs.province")}</th><th>{t("sponsor.not_offered")}</th><th>{t("sponsor.waiting")}</th>
                        <th>{t("sponsor.sponsored")}</th><th>{t("sponsor.sponsorships")}</th>
                    </tr></thead>
                    <tbody>
                        {c.provinces.into_iter().map(|r| {
                            let p = r.province.clone();
                            view! {
                                <tr data-province=r.province.code.clone()>
                                    <td>{move || province_name(&p, i18n.get())}</td>
                                    <td><Num n=r.not_offered/></td>
                                    <td data-waiting=r.waiting.to_string()><Num n=r.waiting/></td>
                                    <td data-sponsored=r.sponsored.to_string()><Num n=r.sponsored/></td>
                                    <td><Num n=r.sponsorships/></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
        <h2>{t("sponsor.waiting_list")}</h2>
        <FamilyList rows=c.waiting id="sponsor-waiting" empty="sponsor.none_waiting"/>
        <h2>{t("sponsor.reports_due")}</h2>
        <FamilyList rows=c.reports_due id="sponsor-reports-due" empty="sponsor.none_due"/>
    }
}

#[component]
fn FamilyList(rows: Vec<SponsoredFamily>, id: &'static str, empty: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    if rows.is_empty() {
        return view! { <p class="muted" id=id>{t(empty)}</p> }.into_any();
    }
    view! {
        <ul class="plain" id=id>
            {rows.into_iter().map(|f| {
                let p = f.province.clone();
                let kind = f.kind.clone();
                let href = format!("/staff/families/{}", f.code);
                let (code, shown) = (f.code.clone(), f.code.clone());
                let (sponsors, last_report) = (f.sponsors, f.last_report);
                view! {
                    <li data-family=code>
                        <A href=href><crate::ui::Code code=shown/></A>
                        <Sep/> {move || province_name(&p, i18n.get())}
                        {kind.map(|k| view! { <Sep/> {t(category_key(&k))} })}
                        {(sponsors > 0).then(|| view! {
                            <Sep/> <crate::ui::Phrase key="sponsor.sponsors_now" args=vec![("n", crate::ui::Arg::Num(sponsors as i64))]/>
                        })}
                        {last_report.map(|at| view! { <Sep/> {t("sponsor.last_report")} " " <Day date=at.date_naive()/> })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn OfferForm(open: ServerAction<OpenSponsorship>) -> impl IntoView {
    let error = Signal::derive(move || open.value().get().and_then(|r| r.err()));
    view! {
        <details class="subform" id="offer-family">
            <summary>{t("sponsor.offer")}</summary>
            <ActionForm action=open attr:class="form" attr:id="offer-family-form">
                <label>{t("sponsor.family_code")}<input name="code" dir="ltr" required placeholder="F-…"/></label>
                <label>{t("sponsor.kind")}
                    <select name="kind">
                        {CATEGORIES.into_iter().map(|c| view! { <option value=c>{t(category_key(c))}</option> }).collect_view()}
                    </select>
                </label>
                <label>{t("sponsor.story")}<textarea name="story" rows="4" required maxlength="600"></textarea></label>
                <p class="muted small">{t("sponsor.story_help")}</p>
                <ErrorNote error/>
                {move || open.value().get().and_then(|r| r.ok()).map(|o| match o {
                    DraftOutcome::Blocked { findings } => view! { <Findings findings/> }.into_any(),
                    DraftOutcome::Saved { code } => view! {
                        <p class="notice" id="family-offered">{t("sponsor.offered")} " " <crate::ui::Code code/></p>
                    }.into_any(),
                })}
                <button type="submit" class="button">{t("sponsor.offer")}</button>
            </ActionForm>
        </details>
    }
}

#[component]
fn ReportForm(report: ServerAction<SendSponsorReport>) -> impl IntoView {
    let error = Signal::derive(move || report.value().get().and_then(|r| r.err()));
    view! {
        <details class="subform" id="sponsor-report">
            <summary>{t("sponsor.write_report")}</summary>
            <ActionForm action=report attr:class="form" attr:id="sponsor-report-form">
                <label>{t("sponsor.family_code")}<input name="code" dir="ltr" required placeholder="F-…"/></label>
                <label>{t("sponsor.report_body")}<textarea name="body" rows="5" required maxlength="1200"></textarea></label>
                <label>{t("sponsor.report_thanks")}<textarea name="thanks" rows="2" maxlength="400"></textarea></label>
                <p class="muted small">{t("sponsor.report_help")}</p>
                <ErrorNote error/>
                {move || report.value().get().and_then(|r| r.ok()).map(|o| match o {
                    DraftOutcome::Blocked { findings } => view! { <Findings findings/> }.into_any(),
                    DraftOutcome::Saved { code } => view! {
                        <p class="notice" id="report-sent">{t("sponsor.report_sent")} " " <crate::ui::Code code/></p>
                    }.into_any(),
                })}
                <button type="submit" class="button">{t("sponsor.send_report")}</button>
            </ActionForm>
        </details>
    }
}
