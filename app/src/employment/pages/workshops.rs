//! `/employment` and `/employment/register`: the public workshop catalogue and registration.

use super::*;

/// `/employment/workshops`: the public catalogue. Filters live in the URL.
#[component]
pub fn WorkshopsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let filter = move || {
        query.with(|q| {
            (
                q.get("province").filter(|s| !s.is_empty()),
                q.get("kind").filter(|s| !s.is_empty()),
            )
        })
    };
    let cards = Resource::new(filter, |(p, k)| workshop_catalogue(p, k));
    let provinces = Resource::new(|| (), |_| crate::giving::provinces());
    view! {
        <section class="panel" id="workshops">
            <crate::ui::PageMeta title="employment.workshops" description="employment.workshops_intro"/><h1>{t("employment.workshops")}</h1>
            <p class="muted">{t("employment.workshops_intro")}</p>
            <form method="get" action="/employment/workshops" class="filters" id="workshop-filters">
                <label>{t("employment.province")}
                    <select name="province">
                        <option value="">{t("employment.all")}</option>
                        <Suspense fallback=|| ()>
                            {move || provinces.get().and_then(|r| r.ok()).map(|ps| {
                                let chosen = filter().0.unwrap_or_default();
                                ps.into_iter().map(|p| {
                                    let selected = p.code == chosen;
                                    view! { <option value=p.code.clone() selected=selected>{bilingual(p.fa, p.en)}</option> }
                                }).collect_view()
                            })}
                        </Suspense>
                    </select>
                </label>
                <label>{t("employment.kind")}
                    <select name="kind">
                        <option value="">{t("employment.all")}</option>
                        {WORKSHOP_KINDS.iter().map(|k| {
                            let selected = move || filter().1.as_deref() == Some(*k);
                            view! { <option value=*k selected=selected><Label prefix="kind" code=k.to_string()/></option> }
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="button secondary">{t("employment.filter")}</button>
            </form>
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || cards.get().map(|r| match r {
                    Err(e) => view! { <p class="error">{move || i18n.t(e.message_key())}</p> }.into_any(),
                    Ok(cards) if cards.is_empty() => view! { <p class="muted" id="no-workshops">{t("employment.no_workshops")}</p> }.into_any(),
                    Ok(cards) => view! {
                        <ul class="cards" id="workshop-list">
                            {cards.into_iter().map(|c| view! {
                                <li class="card workshop" data-code=c.code.clone()>
                                    <h2>{bilingual(c.name_fa.clone(), c.name_en.clone())}</h2>
                                    <p class="muted">{bilingual(c.province_fa.clone(), c.province_en.clone())} <Sep/> <Label prefix="kind" code=c.kind.clone()/></p>
                                    <dl class="facts">
                                        <dt>{t("employment.capacity")}</dt><dd><crate::ui::Num n={c.capacity as i64}/></dd>
                                        <dt>{t("employment.shifts")}</dt><dd><Shifts shifts=c.shifts.clone()/></dd>
                                        <dt>{t("employment.active_contracts")}</dt><dd><crate::ui::Num n={c.active_contracts}/></dd>
                                    </dl>
                                    <p>{t("employment.available_workers")}</p>
                                    <ul class="plain available">
                                        {c.available.into_iter().map(|(s, n)| {
                                            let skill = s.clone();
                                            view! {
                                                <li data-skill=skill><Label prefix="skill" code=s/> ": "
                                                    {if n == 0 { t("employment.fewer_than_three").into_any() } else { view! { <crate::ui::Num n/> }.into_any() }}
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                    <A href=format!("/employment/dashboard?workshop={}", c.code)>{t("employment.propose_here")}</A>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                })}
            </Suspense>
            <p><A href="/employment/register">{t("employment.register")}</A></p>
        </section>
    }
}

/// `/employment/register`: a company and its account in one form.
#[component]
pub fn RegisterPage() -> impl IntoView {
    let action = ServerAction::<RegisterEntrepreneur>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let provinces = Resource::new(|| (), |_| crate::giving::provinces());
    view! {
        <section class="panel narrow" id="register">
            <crate::ui::PageMeta title="employment.register"/><h1>{t("employment.register")}</h1>
            <p class="muted">{t("employment.register_intro")}</p>
            <ActionForm action=action attr:class="form" attr:id="register-form">
                <label>{t("employment.company_name")}<input name="form[company_name]" required/></label>
                <label>{t("employment.national_company_id")}<input name="form[national_company_id]" inputmode="numeric" required/></label>
                <label>{t("employment.economic_code")}<input name="form[economic_code]" inputmode="numeric" required/></label>
                <label>{t("employment.sector")}
                    <select name="form[sector]">
                        {SECTORS.iter().map(|s| view! { <option value=*s><Label prefix="sector" code=s.to_string()/></option> }).collect_view()}
                    </select>
                </label>
                <label>{t("employment.province")}
                    <select name="form[province]" required>
                        <Suspense fallback=|| ()>
                            {move || provinces.get().and_then(|r| r.ok()).map(|ps| ps.into_iter().map(|p| {
                                view! { <option value=p.code.clone()>{bilingual(p.fa, p.en)}</option> }
                            }).collect_view())}
                        </Suspense>
                    </select>
                </label>
                <label>{t("employment.contact_name")}<input name="form[contact_name]" required/></label>
                <label>{t("employment.contact_phone")}<input name="form[contact_phone]" inputmode="tel" required/></label>
                <label>{t("auth.email")}<input type="email" name="form[email]" required autocomplete="email"/></label>
                <label>{t("auth.password")}<input type="password" name="form[password]" required autocomplete="new-password"/></label>
                <ErrorNote error/>
                <button type="submit" class="button">{t("employment.register_submit")}</button>
            </ActionForm>
        </section>
    }
}
