//! `/employment/jobs`: job posts for released people, their passports and training.

use super::*;

/// `/employment/jobs`: open job posts for released people (public).
#[component]
pub fn JobsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let province = move || query.with(|q| q.get("province").filter(|s| !s.is_empty()));
    let jobs = Resource::new(province, job_posts);
    view! {
        <section class="panel" id="jobs">
            <crate::ui::PageMeta title="employment.jobs"/><h1>{t("employment.jobs")}</h1>
            <p class="muted">{t("employment.jobs_intro")}</p>
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || jobs.get().map(|r| match r {
                    Err(e) => view! { <p class="error">{move || i18n.t(e.message_key())}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="cards" id="job-list">
                            {list.into_iter().map(|j| {
                                let code = j.code.clone();
                                view! {
                                    <li class="card job" data-code=code>
                                        <h2><bdi><crate::ui::DataText text=j.title.clone()/></bdi></h2>
                                        <p class="muted"><bdi><crate::ui::DataText text=j.company.clone()/></bdi> <Sep/> {bilingual(j.province_fa.clone(), j.province_en.clone())}</p>
                                        <p><Skills skills=j.skills.clone()/></p>
                                        <p>{t("employment.monthly_pay_label")} ": " <crate::ui::Money rials={j.pay_rials}/></p>
                                        {j.early_hire_until.clone().map(|d| view! { <p class="muted">{t("employment.early_hire_until")} " " {match crate::validation::parse_date(&d) {
                                            Some(date) => view! { <crate::ui::Day date/> }.into_any(),
                                            None => view! { <bdi>{d.clone()}</bdi> }.into_any(),
                                        }}</p> })}
                                        <p class="muted"><crate::ui::Code code=j.code.clone()/></p>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// The entrepreneur's job posts: a new one, and the applicants (passports) of one.
#[component]
pub(super) fn JobsSection(province: String) -> impl IntoView {
    let post = ServerAction::<PostJob>::new();
    let applicants = ServerAction::<JobApplicants>::new();
    let decide = ServerAction::<DecideApplication>::new();
    // The job whose applicants are shown (the action's input is gone once it answers).
    let job_shown = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(i) = applicants.input().get() {
            job_shown.set(i.job);
        }
    });
    // An answer given: ask again, so the list shows it.
    Effect::new(move |_| {
        if matches!(decide.value().get(), Some(Ok(()))) {
            applicants.dispatch(JobApplicants {
                job: job_shown.get_untracked(),
            });
        }
    });
    let error = Signal::derive(move || {
        post.value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| applicants.value().get().and_then(|r| r.err()))
            .or_else(|| decide.value().get().and_then(|r| r.err()))
    });
    view! {
        <h2>{t("employment.post_job")}</h2>
        <ActionForm action=post attr:class="form" attr:id="job-form">
            <label>{t("employment.job_title")}<input name="form[title]" required/></label>
            <input type="hidden" name="form[province]" value=province/>
            <SkillPicker name="form[skills]"/>
            <label>{t("employment.monthly_pay")}<input name="form[pay]" inputmode="numeric" required/></label>
            <label>{t("employment.early_hire_days")}<input name="form[early_hire_days]" inputmode="numeric"/></label>
            <button type="submit" class="button secondary">{t("employment.post_job")}</button>
        </ActionForm>
        {move || post.value().get().and_then(|r| r.ok()).map(|code| view! { <p class="notice" id="job-posted">{t("employment.job_posted")} " " <crate::ui::Code code=code/></p> })}
        <ErrorNote error/>
        <ActionForm action=applicants attr:class="inline-form" attr:id="applicants-form">
            <input name="job" required placeholder="J-…"/>
            <button type="submit" class="button secondary">{t("employment.applicants")}</button>
        </ActionForm>
        {move || applicants.value().get().and_then(|r| r.ok()).map(|list| view! {
            <ul class="plain" id="applicants">
                {list.into_iter().map(|(status, p)| {
                    let open = status == crate::platform::status::JobApplicationStatus::Applied;
                    let (pa, pb) = (p.code.clone(), p.code.clone());
                    let shown = status.to_string();
                    view! { <li data-status=status.as_str()><PassportCard p/> <Sep/> <Label prefix="application" code=shown/>
                        {open.then(|| view! {
                            <ActionForm action=decide attr:class="inline-form">
                                <input type="hidden" name="job" value=move || job_shown.get()/>
                                <input type="hidden" name="passport" value=pa/>
                                <input type="hidden" name="hire" value="true"/>
                                <button type="submit" class="button">{t("employment.accept")}</button>
                            </ActionForm>
                            <ActionForm action=decide attr:class="inline-form">
                                <input type="hidden" name="job" value=move || job_shown.get()/>
                                <input type="hidden" name="passport" value=pb/>
                                <input type="hidden" name="hire" value="false"/>
                                <button type="submit" class="button secondary">{t("employment.decline")}</button>
                            </ActionForm>
                        })}
                    </li> }
                }).collect_view()}
            </ul>
        })}
    }
}

#[component]
pub(super) fn PassportCard(p: Passport) -> impl IntoView {
    view! {
        <article class="card passport" data-passport=p.code.clone()>
            <h3><crate::ui::Code code=p.code.clone()/></h3>
            <p><Skills skills=p.skills.clone()/></p>
            <p>{t("employment.training_hours")} ": " <crate::ui::Num n={p.training_hours}/></p>
            <ul class="plain">
                {p.certificates.into_iter().map(|(title, _, on)| view! { <li>{t("employment.certificate")} ": " <bdi>{title}</bdi> " (" {on} ")"</li> }).collect_view()}
                {p.work.into_iter().map(|w| view! { <li>{t("employment.workshop_record")} ": " <bdi>{w.product}</bdi> <Sep/> <crate::ui::Num n={w.months}/> " " {t("employment.months")}
                    {w.rating.map(|r| view! { <Sep/> {t("employment.rating")} " " <crate::ui::Num n={r as i64}/> })}</li> }).collect_view()}
            </ul>
        </article>
    }
}

/// Training programmes of the prisons in scope, and a released person's job application.
/// The page that shows it owns its actions and resource (created at the page's top level, so
/// the server-side fetch runs under the page's owner and its context).
#[derive(Clone, Copy)]
pub struct Training {
    create: ServerAction<CreateProgramme>,
    hours: ServerAction<RecordTraining>,
    apply: ServerAction<ApplyForJob>,
    list: Resource<Result<Vec<ProgrammeRow>, AppError>>,
}

impl Default for Training {
    fn default() -> Self {
        Self::new()
    }
}

impl Training {
    pub fn new() -> Self {
        let create = ServerAction::<CreateProgramme>::new();
        let hours = ServerAction::<RecordTraining>::new();
        let apply = ServerAction::<ApplyForJob>::new();
        let list = Resource::new(
            move || create.version().get() + hours.version().get(),
            |_| training_programmes(),
        );
        Training {
            create,
            hours,
            apply,
            list,
        }
    }
}

#[component]
pub(super) fn TrainingSection(training: Training, prisons_hint: bool) -> impl IntoView {
    let i18n = use_i18n();
    let Training {
        create,
        hours,
        apply,
        list,
    } = training;
    let error = Signal::derive(move || {
        [
            create.value().get().and_then(|r| r.err()),
            hours.value().get().and_then(|r| r.err()),
            apply.value().get().and_then(|r| r.err()),
        ]
        .into_iter()
        .flatten()
        .next()
    });
    view! {
        <h2>{t("employment.training")}</h2>
        <ErrorNote error/>
        <Suspense fallback=|| ()>
            {move || list.get().and_then(|r| r.ok()).map(|rows| view! {
                <table class="table" id="programmes">
                    <thead><tr><th>{t("employment.programme")}</th><th>{t("employment.skill")}</th><th>{t("employment.hours")}</th><th>{t("employment.enrolled")}</th><th>{t("employment.certified")}</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|p| view! {
                            <tr data-code=p.code.clone()><td><crate::ui::Code code=p.code.clone()/> " " <bdi><crate::ui::DataText text=p.title.clone()/></bdi> <Sep/> {p.prison.clone()}</td><td><Label prefix="skill" code=p.skill.clone()/></td><td><crate::ui::Num n={p.hours as i64}/></td><td><crate::ui::Num n={p.enrolled}/></td><td><crate::ui::Num n={p.certified}/></td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </Suspense>
        {prisons_hint.then(|| view! {
            <ActionForm action=create attr:class="inline-form" attr:id="programme-form">
                <input name="form[prison]" required placeholder=move || i18n.t("employment.prison_code")/>
                <input name="form[title]" required placeholder=move || i18n.t("employment.programme")/>
                <select name="form[skill]">
                    {SKILLS.iter().map(|s| view! { <option value=*s><Label prefix="skill" code=s.to_string()/></option> }).collect_view()}
                </select>
                <input name="form[hours]" inputmode="numeric" required size="4" placeholder=move || i18n.t("employment.hours")/>
                <button type="submit" class="button secondary">{t("employment.create_programme")}</button>
            </ActionForm>
            <ActionForm action=hours attr:class="inline-form" attr:id="training-form">
                <input name="programme" required placeholder="T-…"/>
                <input name="prisoner" required placeholder="P-…"/>
                <input name="hours" inputmode="numeric" required size="4" placeholder=move || i18n.t("employment.hours")/>
                <button type="submit" class="button secondary">{t("employment.record_hours")}</button>
            </ActionForm>
            {move || hours.value().get().and_then(|r| r.ok()).map(|s| view! {
                <p class="notice" id="training-status"><crate::ui::Num n={s.hours_completed as i64}/> "/" <crate::ui::Num n={s.hours_required as i64}/>
                    {s.certified.then(|| view! { <Sep/> {t("employment.certified")} })}</p>
            })}
            <h2>{t("employment.apply_for")}</h2>
            <ActionForm action=apply attr:class="inline-form" attr:id="apply-form">
                <input name="job" required placeholder="J-…"/>
                <input name="prisoner" required placeholder="P-…"/>
                <button type="submit" class="button secondary">{t("employment.apply")}</button>
            </ActionForm>
            {move || apply.value().get().and_then(|r| r.ok()).map(|code| view! { <p class="notice" id="applied">{t("employment.applied")} " " <crate::ui::Code code=code/></p> })}
        })}
    }
}
