//! `/staff/families/new`: a family's intake.

use super::*;

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
