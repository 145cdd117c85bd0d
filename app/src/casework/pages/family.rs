//! `/staff/families/…`: a family's file without personal fields, consent, and a need's draft.

use super::*;

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
    view! {
        <section class="panel" id="family-file">
            <Suspense fallback=move || view! { <p class="muted">{t("common.loading")}</p> }>
                {move || file.get().map(|f| match f {
                    Err(e) => view! { <crate::ui::TitleText text=i18n.t(e.message_key())/><h1>{move || i18n.t(e.message_key())}</h1> }.into_any(),
                    Ok(f) => {
                        let campaign_prisoner = f.prisoner_code.clone().filter(|_| {
                            f.offence.as_deref().is_some_and(|o| crate::giving::OFFENCES.contains(&o))
                        });
                        let code = f.code.clone();
                        view! {
                            <FamilyFacts f=f.clone()/>
                            <ConsentForm code=code.clone() given=f.consent_publish consent/>
                            <Personal code=code.clone() reveal/>
                            <MemberForm code=code.clone() member/>
                            <DocumentForm code=code.clone() document/>
                            <FamilyNeeds f/>
                            <DraftNeedForm code draft/>
                            {campaign_prisoner.map(|pc| view! { <DraftCampaignForm prisoner=pc campaign/> })}
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The family's code and what may be shown of it without opening personal fields.
#[component]
fn FamilyFacts(f: FamilyFile) -> impl IntoView {
    let i18n = use_i18n();
    view! {
    <crate::ui::PageMeta title="staff.family"/><h1>{t("staff.family")} " " <bdi id="family-code" class="code" dir="ltr" translate="no">{f.code.clone()}</bdi></h1>
    <dl class="facts">
        <dt>{t("staff.household_size")}</dt><dd><crate::ui::Num n=f.household_size as i64/></dd>
        <dt>{t("employment.support_fund")}</dt><dd id="support-fund">{move || crate::i18n::format_toman(f.support_fund_rials, i18n.get())}</dd>
        <dt>{t("sponsor.staff_title")}</dt><dd id="family-sponsorship"><SponsorshipLine s=f.sponsorship.clone()/></dd>
        <dt>{t("staff.offence")}</dt><dd>{f.offence.clone().map(|o| { let k = format!("campaign.offence_{o}"); move || i18n.t(&k) })}</dd>
        <dt>{t("staff.consent")}</dt>
        <dd id="consent-state">{if f.consent_publish { t("staff.consent_given").into_any() } else { t("staff.consent_none").into_any() }}</dd>
    </dl>    }
}

/// Whether the family is offered to sponsors, under which kind, by how many sponsored, and when
/// they last had a report.
#[component]
fn SponsorshipLine(s: FamilySponsorship) -> impl IntoView {
    let Some(kind) = s.kind else {
        return view! { <span data-sponsors="0">{t("sponsor.not_offered_family")}</span> }
            .into_any();
    };
    view! {
        <span data-sponsors=s.sponsors.to_string()>
            {t(category_key(&kind))} <Sep/>
            <crate::ui::Phrase key="sponsor.sponsors_now" args=vec![("n", crate::ui::Arg::Num(s.sponsors as i64))]/>
            {s.last_report.map(|at| view! { <Sep/> {t("sponsor.last_report")} " " <crate::ui::Day date=at.date_naive()/> })}
        </span>
    }
    .into_any()
}

/// Recording consent, or withdrawing it (which takes the family's cards down).
#[component]
fn ConsentForm(code: String, given: bool, consent: ServerAction<RecordConsent>) -> impl IntoView {
    let consent_error = Signal::derive(move || consent.value().get().and_then(|r| r.err()));
    let (fcode1, f_consent_publish) = (code, given);
    view! {
    <ActionForm action=consent attr:class="inline-form">
        <input type="hidden" name="code" value=fcode1/>
        <input type="hidden" name="publish" value=(!f_consent_publish).to_string()/>
        // Withdrawing takes the family's cards down at once: it asks first (a
        // second, red button; it works without JavaScript).
        {if f_consent_publish {
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
    <ErrorNote error=consent_error/>    }
}

/// Opening the sealed personal fields on purpose (the server audits every reading).
#[component]
fn Personal(code: String, reveal: ServerAction<ReadPersonal>) -> impl IntoView {
    let i18n = use_i18n();
    let fcode2 = code;
    view! {
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
    })}    }
}

#[component]
fn MemberForm(code: String, member: ServerAction<AddMember>) -> impl IntoView {
    let i18n = use_i18n();
    let member_error = Signal::derive(move || member.value().get().and_then(|r| r.err()));
    let fcode4 = code;
    view! {
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
    </details>    }
}

#[component]
fn DocumentForm(code: String, document: ServerAction<AddDocument>) -> impl IntoView {
    let i18n = use_i18n();
    let document_error = Signal::derive(move || document.value().get().and_then(|r| r.err()));
    let fcode5 = code;
    view! {
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
    </details>    }
}

/// The family's needs, each linked to its case.
#[component]
fn FamilyNeeds(f: FamilyFile) -> impl IntoView {
    let i18n = use_i18n();
    view! {
    <h2>{t("staff.needs")}</h2>
    <ul class="plain" id="family-needs">
        {f.needs.into_iter().map(|n| {
            let key = format!("need_status.{}", n.status);
            view! { <li><A href=format!("/staff/needs/{}", n.code)><crate::ui::Code code=n.code.clone()/></A> " — " <crate::ui::DataText text=n.title.clone()/> <Sep/> <span class="status">{move || i18n.t(&key)}</span>
                {n.withdrawn.then(|| view! { <Sep/> <span class="muted">{t("staff.card_withdrawn")}</span> })}</li> }
        }).collect_view()}
    </ul>    }
}

/// A need's draft: its private notes and a separately written public text.
#[component]
fn DraftNeedForm(code: String, draft: ServerAction<DraftNeed>) -> impl IntoView {
    let i18n = use_i18n();
    let draft_error = Signal::derive(move || draft.value().get().and_then(|r| r.err()));
    let fcode3 = code;
    view! {
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
    </ActionForm>    }
}

/// A release campaign's draft, for a prisoner held for debt, diyeh or dower.
#[component]
fn DraftCampaignForm(prisoner: String, campaign: ServerAction<CampaignDraft>) -> impl IntoView {
    let campaign_error = Signal::derive(move || campaign.value().get().and_then(|r| r.err()));
    let pc = prisoner;
    view! {
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
    }
}
