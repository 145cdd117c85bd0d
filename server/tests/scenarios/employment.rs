//! Employment on SQLite and PostgreSQL: an entrepreneur registers and is verified, proposes a
//! contract (a rate below the minimum refused), two reviews activate it, amendments are versioned,
//! invalid transitions change nothing; matching proposes only eligible, consenting prisoners with
//! reasons that add up to their rank; production, disputes, the month's invoice and the wage run,
//! whose shares land in the family's fund and the worker's release campaign as balanced ledger
//! groups, never past the cap or the campaign's goal, and never twice; and the access matrix over
//! every employment server function × role × own/other and in-scope/out-of-scope records, with no
//! prisoner's personal field in any answer.

use crate::common::*;
use app::auth::ssr::Authed;
use app::auth::{Permission, Role};
use app::employment::service::{self, Owner, Viewer};
use app::employment::wages::{self, Rule, DEFAULT_RULE};
use app::employment::{ContractForm, ProductionForm, RegisterForm, WorkerDay};
use app::error::AppError;
use app::platform::entity::status::{ContractStatus, EntrepreneurStatus, InvoiceStatus};
use app::platform::entity::{contract, entrepreneur, invoice, production_log};
use app::state::AppState;
use axum::http::{header, StatusCode};
use chrono::{Duration, NaiveDate, Utc};
use proptest::prelude::*;
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};
use server::seed::{self, Scale, DEMO_ACCOUNTS};

/// A place work happens: a workshop in a prison (and that prison's province).
#[derive(Clone)]
pub(crate) struct Place {
    pub(crate) workshop: String,
    pub(crate) workshop_id: i64,
    pub(crate) prison_id: i64,
    pub(crate) province_id: i64,
    pub(crate) province_code: String,
}

pub(crate) struct World {
    pub(crate) state: AppState,
    pub(crate) app: axum::Router,
    /// The demo prison officer's prison (Tehran), and a prison of another province.
    pub(crate) home: Place,
    pub(crate) away: Place,
}

async fn place(db: &DatabaseConnection, prison_id: i64) -> Place {
    let workshop_id = scalar(
        db,
        &format!("SELECT MIN(id) FROM workshops WHERE prison_id = {prison_id}"),
    )
    .await;
    // Room for any test contract, whatever the seed put there.
    exec(
        db,
        &format!("UPDATE workshops SET capacity = 1000, status = 'open' WHERE id = {workshop_id}"),
    )
    .await;
    let province_id = scalar(
        db,
        &format!("SELECT province_id FROM prisons WHERE id = {prison_id}"),
    )
    .await;
    Place {
        workshop: strings(
            db,
            &format!("SELECT public_code FROM workshops WHERE id = {workshop_id}"),
        )
        .await[0]
            .clone(),
        workshop_id,
        prison_id,
        province_id,
        province_code: strings(
            db,
            &format!("SELECT code FROM provinces WHERE id = {province_id}"),
        )
        .await[0]
            .clone(),
    }
}

pub(crate) async fn world(url: &str) -> World {
    let state = app_state(url).await;
    seed::run(&state.db, Scale::Demo, 17).await.unwrap();
    let db = &state.db;
    let home_prison = scalar(
        db,
        "SELECT s.prison_id FROM user_scopes s JOIN users u ON u.id = s.user_id WHERE u.role = 'prison_officer'",
    )
    .await;
    let home = place(db, home_prison).await;
    let away_prison = scalar(
        db,
        &format!(
            "SELECT MIN(p.id) FROM prisons p WHERE p.province_id <> {} AND EXISTS (SELECT 1 FROM workshops w WHERE w.prison_id = p.id)",
            home.province_id
        ),
    )
    .await;
    let away = place(db, away_prison).await;
    World {
        app: server::http::router(state.clone()),
        home,
        away,
        state,
    }
}

pub(crate) async fn owner_of(state: &AppState, email: &str) -> Owner {
    service::owner(state, &authed(&state.db, email).await)
        .await
        .unwrap()
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

pub(crate) fn contract_form(workshop: &str, rate_tomans: &str, model: &str) -> ContractForm {
    ContractForm {
        workshop: workshop.into(),
        product: "پیراهن کار".into(),
        quantity: "۱۰۰۰".into(),
        unit_price: "250000".into(),
        wage_model: model.into(),
        wage_rate: rate_tomans.into(),
        headcount: "3".into(),
        required_skills: Some("sewing".into()),
        required_certificates: None,
        starts_on: (today() - Duration::days(75)).to_string(),
        ends_on: (today() + Duration::days(150)).to_string(),
        materials_supplied: Some("yes".into()),
    }
}

pub(crate) fn key_of(e: AppError) -> String {
    match e {
        AppError::Invalid { key, .. } => key,
        other => format!("{other:?}"),
    }
}

async fn register_company(w: &World, email: &str, company_id: &str) -> (String, String) {
    let form = RegisterForm {
        company_name: "تولیدی نمونهٔ آزمون".into(),
        national_company_id: company_id.into(),
        economic_code: "411122223333".into(),
        contact_name: "رابط آزمون".into(),
        contact_phone: "۰۹۱۲۳۴۵۶۷۸۹".into(),
        sector: "textile".into(),
        province: w.home.province_code.clone(),
        email: email.into(),
        password: "a-long-enough-password".into(),
    };
    let body = format!(
        "form[company_name]={}&form[national_company_id]={}&form[economic_code]={}&form[contact_name]={}&form[contact_phone]={}&form[sector]={}&form[province]={}&form[email]={}&form[password]={}",
        enc(&form.company_name),
        enc(&form.national_company_id),
        enc(&form.economic_code),
        enc(&form.contact_name),
        enc(&form.contact_phone),
        form.sector,
        form.province,
        enc(&form.email),
        enc(&form.password)
    );
    let res = send(&w.app, post_form("/api/employment/register", &body, None)).await;
    assert!(res.status().is_redirection(), "register: {}", res.status());
    assert_eq!(
        res.headers().get(header::LOCATION).unwrap(),
        "/employment/dashboard"
    );
    let cookie = set_cookie(&res, "karamat_session").expect("signed in");
    let code = strings(
        &w.state.db,
        &format!(
            "SELECT public_code FROM entrepreneurs WHERE national_company_id = '{company_id}'"
        ),
    )
    .await[0]
        .clone();
    (code, cookie)
}

fn enc(s: &str) -> String {
    app::ui::encode_query_value(s)
}

/// A valid national company id from ten leading digits.
fn company_id(head: &str) -> String {
    let d: Vec<u32> = head.chars().map(|c| c.to_digit(10).unwrap()).collect();
    format!("{head}{}", app::validation::company_id_check_digit(&d))
}

async fn count(db: &DatabaseConnection, table: &str, filter: &str) -> i64 {
    scalar(
        db,
        &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table} WHERE {filter}"),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contract_lifecycle_reviews_amendments_and_invalid_transitions() {
    for tdb in databases().await {
        let l = tdb.label;
        let w = world(&tdb.url).await;
        let db = &w.state.db;
        let s = &w.state;

        // Registration: a bad company id is refused and creates nothing.
        let before = count(db, "users", "1 = 1").await;
        let res = send(
            &w.app,
            post_form(
                "/api/employment/register",
                "form[company_name]=x&form[national_company_id]=10100384001&form[economic_code]=1&form[contact_name]=a&form[contact_phone]=1&form[sector]=textile&form[province]=THR&form[email]=a%40b.ir&form[password]=short",
                None,
            ),
        )
        .await;
        assert!(
            res.status().is_redirection() || res.status().is_client_error(),
            "{l}"
        );
        assert_eq!(count(db, "users", "1 = 1").await, before, "{l}");

        let (ent_code, cookie) =
            register_company(&w, "new.company@test.karamat.ir", &company_id("1010038400")).await;
        // Registering the same company again is refused.
        let again = RegisterForm {
            company_name: "دیگری".into(),
            national_company_id: company_id("1010038400"),
            economic_code: "411122223333".into(),
            contact_name: "رابط دیگر".into(),
            contact_phone: "09123456780".into(),
            sector: "textile".into(),
            province: w.home.province_code.clone(),
            email: "other@test.karamat.ir".into(),
            password: "a-long-enough-password".into(),
        };
        assert_eq!(
            key_of(service::register(s, &again).await.unwrap_err()),
            "employment.company_taken",
            "{l}"
        );
        let me = owner_of(s, "new.company@test.karamat.ir").await;
        assert_eq!(me.entrepreneur.status, "pending", "{l}");

        // Not verified yet: no proposal.
        let form = contract_form(&w.home.workshop, "70000", "hourly");
        assert_eq!(
            key_of(service::propose(s, &me, &form).await.unwrap_err()),
            "employment.not_verified",
            "{l}"
        );
        // A manager of the entrepreneur's province verifies it (a reason is needed to reject).
        let manager = authed(db, email_of(Role::AssociationManager)).await;
        assert_eq!(
            key_of(
                service::verify_entrepreneur(s, &manager, &ent_code, false, None)
                    .await
                    .unwrap_err()
            ),
            "employment.reason_required",
            "{l}"
        );
        service::verify_entrepreneur(s, &manager, &ent_code, true, None)
            .await
            .unwrap();
        assert!(
            service::verify_entrepreneur(s, &manager, &ent_code, true, None)
                .await
                .is_err(),
            "{l}: verified twice"
        );
        let me = owner_of(s, "new.company@test.karamat.ir").await;

        // A rate below the minimum wage is refused and nothing is saved.
        let contracts = count(db, "contracts", "1 = 1").await;
        let low = contract_form(&w.home.workshop, "50000", "hourly");
        assert_eq!(
            key_of(service::propose(s, &me, &low).await.unwrap_err()),
            "employment.below_minimum",
            "{l}"
        );
        let low_piece = contract_form(&w.home.workshop, "4000", "piece");
        assert_eq!(
            key_of(service::propose(s, &me, &low_piece).await.unwrap_err()),
            "employment.below_minimum",
            "{l}"
        );
        let mut bad = contract_form(&w.home.workshop, "70000", "hourly");
        bad.required_skills = Some("juggling".into());
        assert_eq!(
            key_of(service::propose(s, &me, &bad).await.unwrap_err()),
            "employment.unknown_skill",
            "{l}"
        );
        bad = contract_form(&w.home.workshop, "70000", "hourly");
        bad.ends_on = bad.starts_on.clone();
        assert_eq!(
            key_of(service::propose(s, &me, &bad).await.unwrap_err()),
            "employment.schedule_invalid",
            "{l}"
        );
        assert_eq!(count(db, "contracts", "1 = 1").await, contracts, "{l}");

        // Proposed through the router (the form works without JavaScript).
        let body = format!(
            "form[workshop]={}&form[product]={}&form[quantity]=1000&form[unit_price]=250000&form[wage_model]=hourly&form[wage_rate]=70000&form[headcount]=3&form[required_skills]=sewing&form[starts_on]={}&form[ends_on]={}",
            form.workshop,
            enc(&form.product),
            form.starts_on,
            form.ends_on
        );
        let res = send(
            &w.app,
            post_form("/api/employment/propose", &body, Some(&cookie)),
        )
        .await;
        assert!(res.status().is_redirection(), "{l}: {}", res.status());
        let location = res
            .headers()
            .get(header::LOCATION)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let code = location
            .trim_start_matches("/employment/contracts/")
            .to_string();
        assert!(code.starts_with("K-"), "{l}: {location}");
        let page = body_text(send(&w.app, get(&location, Some(&cookie))).await).await;
        assert!(page.contains(&code) && page.contains("پیراهن کار"), "{l}");

        // Reviews: the manager cannot take the officer's step; the officer approves; the
        // officer's second approval is an invalid transition; the manager approves.
        let officer = authed(db, email_of(Role::PrisonOfficer)).await;
        let status = |c: &str| {
            let c = c.to_string();
            async move {
                strings(
                    db,
                    &format!("SELECT status FROM contracts WHERE public_code = '{c}'"),
                )
                .await[0]
                    .clone()
            }
        };
        assert_eq!(
            key_of(
                service::review(s, &manager, &code, true, None)
                    .await
                    .unwrap_err()
            ),
            "employment.review_step",
            "{l}"
        );
        assert_eq!(
            service::review(s, &officer, &code, true, None)
                .await
                .unwrap(),
            "officer_approved"
        );
        assert_eq!(
            key_of(
                service::review(s, &officer, &code, true, None)
                    .await
                    .unwrap_err()
            ),
            "employment.review_step",
            "{l}"
        );
        assert_eq!(
            key_of(
                service::review(s, &manager, &code, false, Some(" "))
                    .await
                    .unwrap_err()
            ),
            "employment.reason_required",
            "{l}"
        );
        assert_eq!(status(&code).await, "officer_approved", "{l}");
        assert_eq!(
            service::review(s, &manager, &code, true, None)
                .await
                .unwrap(),
            "active"
        );
        assert_eq!(
            key_of(
                service::review(s, &manager, &code, true, None)
                    .await
                    .unwrap_err()
            ),
            "employment.bad_transition",
            "{l}"
        );

        // Transitions: a suspension needs a reason; resume; invalid ones change nothing.
        assert_eq!(
            key_of(
                service::transition(s, &officer, &code, "suspended", "")
                    .await
                    .unwrap_err()
            ),
            "employment.reason_required",
            "{l}"
        );
        service::transition(s, &officer, &code, "suspended", "کمبود مواد اولیه")
            .await
            .unwrap();
        assert_eq!(status(&code).await, "suspended", "{l}");
        assert_eq!(
            key_of(
                service::transition(s, &officer, &code, "suspended", "دوباره")
                    .await
                    .unwrap_err()
            ),
            "employment.bad_transition",
            "{l}"
        );
        assert_eq!(
            key_of(
                service::transition(s, &officer, &code, "proposed", "x")
                    .await
                    .unwrap_err()
            ),
            "employment.bad_transition",
            "{l}"
        );
        service::transition(s, &officer, &code, "active", "")
            .await
            .unwrap();
        assert_eq!(status(&code).await, "active", "{l}");

        // Amendment: version 2 with the old terms kept, back to review; a bad amendment changes
        // nothing.
        let mut amended = contract_form(&w.home.workshop, "80000", "hourly");
        amended.quantity = "2000".into();
        assert_eq!(
            service::amend(s, &me, &code, &amended).await.unwrap(),
            2,
            "{l}"
        );
        assert_eq!(status(&code).await, "proposed", "{l}");
        let versions = strings(
            db,
            &format!("SELECT v.snapshot FROM contract_versions v JOIN contracts c ON c.id = v.contract_id WHERE c.public_code = '{code}' ORDER BY v.version"),
        )
        .await;
        assert_eq!(versions.len(), 2, "{l}");
        assert!(
            versions[0].contains("700000") && versions[1].contains("800000"),
            "{l}: {versions:?}"
        );
        let low = contract_form(&w.home.workshop, "1000", "hourly");
        assert!(service::amend(s, &me, &code, &low).await.is_err(), "{l}");
        assert_eq!(
            scalar(
                db,
                &format!(
                    "SELECT CAST(version AS BIGINT) FROM contracts WHERE public_code = '{code}'"
                )
            )
            .await,
            2,
            "{l}"
        );
        // Four eyes on the manager step: a national admin who took the officer step cannot also
        // take the manager's.
        let admin = authed(db, email_of(Role::NationalAdmin)).await;
        service::review(s, &admin, &code, true, None).await.unwrap();
        assert_eq!(
            key_of(
                service::review(s, &admin, &code, true, None)
                    .await
                    .unwrap_err()
            ),
            "staff.four_eyes",
            "{l}"
        );
        service::review(s, &manager, &code, true, None)
            .await
            .unwrap();

        // Another entrepreneur sees nothing of this contract.
        let demo = owner_of(s, email_of(Role::Entrepreneur)).await;
        assert!(matches!(
            service::contract_view(s, &Viewer::Owner(demo.clone()), &code).await,
            Err(AppError::NotFound)
        ));
        assert!(
            service::amend(s, &demo, &code, &amended).await.is_err(),
            "{l}"
        );

        // Completion ends the contract for good.
        service::transition(s, &manager, &code, "completed", "")
            .await
            .unwrap();
        assert_eq!(
            key_of(
                service::transition(s, &manager, &code, "active", "")
                    .await
                    .unwrap_err()
            ),
            "employment.bad_transition",
            "{l}"
        );
        assert!(
            service::amend(s, &me, &code, &amended).await.is_err(),
            "{l}"
        );
        assert!(app::audit::verify(db).await.unwrap().ok(), "{l}");
        tdb.drop_db().await;
    }
}

/// Three prisoners of the home prison fit to work on a sewing contract (with families).
pub(crate) async fn workers(db: &DatabaseConnection, prison_id: i64) -> Vec<(i64, String, i64)> {
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT id, public_code, family_id FROM prisoners WHERE prison_id = {prison_id} AND family_id IS NOT NULL ORDER BY id LIMIT 4"
            ),
        ))
        .await
        .unwrap();
    let far = (today() + Duration::days(2000)).to_string();
    let mut out = Vec::new();
    for r in rows {
        let id: i64 = r.try_get_by_index(0).unwrap();
        exec(
            db,
            &format!(
                "UPDATE prisoners SET consent_work = TRUE, conduct = 'good', released_on = NULL, sentence_end = '{far}', skills = '[\"sewing\"]' WHERE id = {id}"
            ),
        )
        .await;
        out.push((
            id,
            r.try_get_by_index(1).unwrap(),
            r.try_get_by_index(2).unwrap(),
        ));
    }
    assert_eq!(
        out.len(),
        4,
        "the demo seed has families in the home prison"
    );
    out
}

use sea_orm::ConnectionTrait;

pub(crate) async fn fund(db: &DatabaseConnection, code: &str) -> i64 {
    scalar(
        db,
        &format!(
            "SELECT CAST(-COALESCE(SUM(e.amount_rials), 0) AS BIGINT) FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id WHERE a.code = '{code}'"
        ),
    )
    .await
}

/// The Solar Hijri month before this one: wholly in the past, whatever today is.
pub(crate) fn last_month() -> (String, NaiveDate) {
    let this = service::period_of(today());
    let (_, from, _) = service::period_range(&this).unwrap();
    let prev = service::period_of(from - Duration::days(1));
    let (p, f, _) = service::period_range(&prev).unwrap();
    (p, f)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn matching_production_invoice_and_wages_into_family_funds_and_campaigns() {
    for tdb in databases().await {
        let l = tdb.label;
        let w = world(&tdb.url).await;
        let db = &w.state.db;
        let s = &w.state;
        let demo = owner_of(s, email_of(Role::Entrepreneur)).await;
        let officer = authed(db, email_of(Role::PrisonOfficer)).await;
        let manager = authed(db, email_of(Role::AssociationManager)).await;
        let finance = authed(db, email_of(Role::FinanceOfficer)).await;

        let code = service::propose(
            s,
            &demo,
            &contract_form(&w.home.workshop, "70000", "hourly"),
        )
        .await
        .unwrap();
        // Matching before activation of an unreviewed contract is refused.
        assert!(service::matches(s, &officer, &code).await.is_err(), "{l}");
        service::review(s, &officer, &code, true, None)
            .await
            .unwrap();
        service::review(s, &manager, &code, true, None)
            .await
            .unwrap();

        let ws = workers(db, w.home.prison_id).await;
        let (a, b, c, d) = (&ws[0], &ws[1], &ws[2], &ws[3]);
        // C withdraws consent; D is busy on another contract (assigned below); A holds a sewing
        // certificate.
        exec(
            db,
            &format!(
                "UPDATE prisoners SET consent_work = FALSE WHERE id = {}",
                c.0
            ),
        )
        .await;
        exec(
            db,
            &format!(
                "INSERT INTO certificates (prisoner_id, programme_id, title, skill, issued_on, created_at) VALUES ({}, NULL, 'خیاطی درجه ۲', 'sewing', '2025-01-01', CURRENT_TIMESTAMP)",
                a.0
            ),
        )
        .await;
        let other = service::propose(
            s,
            &demo,
            &contract_form(&w.home.workshop, "70000", "hourly"),
        )
        .await
        .unwrap();
        service::review(s, &officer, &other, true, None)
            .await
            .unwrap();
        service::review(s, &manager, &other, true, None)
            .await
            .unwrap();
        service::assign(s, &officer, &other, &d.1).await.unwrap();

        let cands = service::matches(s, &officer, &code).await.unwrap();
        let codes: Vec<&str> = cands.iter().map(|c| c.prisoner_code.as_str()).collect();
        assert!(
            codes.contains(&a.1.as_str()) && codes.contains(&b.1.as_str()),
            "{l}"
        );
        assert!(
            !codes.contains(&c.1.as_str()),
            "{l}: a prisoner without consent was proposed"
        );
        assert!(
            !codes.contains(&d.1.as_str()),
            "{l}: a busy prisoner was proposed"
        );
        for (i, cand) in cands.iter().enumerate() {
            assert_eq!(
                cand.score,
                cand.reasons.iter().map(|r| r.points).sum::<i64>(),
                "{l}"
            );
            if i > 0 {
                assert!(
                    cands[i - 1].score >= cand.score,
                    "{l}: ranking out of order"
                );
            }
        }
        let rank_a = cands.iter().position(|x| x.prisoner_code == a.1).unwrap();
        let rank_b = cands.iter().position(|x| x.prisoner_code == b.1).unwrap();
        assert!(rank_a < rank_b, "{l}: the certificate must rank A above B");
        assert!(cands[rank_a]
            .reasons
            .iter()
            .any(|r| r.key == "employment.reason.certificate"));
        // Every candidate is of this prison and has consented.
        for cand in &cands {
            let row = strings(
                db,
                &format!("SELECT CAST(prison_id AS TEXT) || ':' || CAST(consent_work AS TEXT) FROM prisoners WHERE public_code = '{}'", cand.prisoner_code),
            )
            .await;
            assert!(
                row[0].starts_with(&format!("{}:", w.home.prison_id)),
                "{l}: {row:?}"
            );
            assert!(
                row[0].ends_with("true") || row[0].ends_with('1'),
                "{l}: {row:?}"
            );
        }
        // Assignment refuses the ineligible with the reason, and changes nothing.
        assert_eq!(
            key_of(service::assign(s, &officer, &code, &c.1).await.unwrap_err()),
            "employment.no_consent"
        );
        assert_eq!(
            key_of(service::assign(s, &officer, &code, &d.1).await.unwrap_err()),
            "employment.already_assigned"
        );
        let wa = service::assign(s, &officer, &code, &a.1).await.unwrap();
        let wb = service::assign(s, &officer, &code, &b.1).await.unwrap();
        assert!(wa.starts_with("WK-") && wb.starts_with("WK-"), "{l}");
        // The entrepreneur sees worker codes and skills, never who they are.
        let view = service::contract_view(s, &Viewer::Owner(demo.clone()), &code)
            .await
            .unwrap();
        let json = serde_json::to_string(&view).unwrap();
        assert!(
            json.contains(&wa) && !json.contains(&a.1) && !json.contains(&b.1),
            "{l}"
        );

        // A has a release campaign that lacks much; B one that lacks 500,000 rials.
        let campaigns = strings(db, "SELECT CAST(id AS TEXT) FROM release_campaigns WHERE status = 'published' ORDER BY id LIMIT 2").await;
        let (ca, cb): (i64, i64) = (campaigns[0].parse().unwrap(), campaigns[1].parse().unwrap());
        exec(
            db,
            &format!(
                "UPDATE release_campaigns SET prisoner_id = 200 WHERE prisoner_id IN ({}, {})",
                a.0, b.0
            ),
        )
        .await;
        exec(db, &format!("UPDATE release_campaigns SET prisoner_id = {}, total_owed_rials = 1000000000000, forgiveness_rials = 0 WHERE id = {ca}", a.0)).await;
        let held_b = fund(db, &format!("fund:campaign:{cb}")).await;
        exec(db, &format!("UPDATE release_campaigns SET prisoner_id = {}, total_owed_rials = {}, forgiveness_rials = 0 WHERE id = {cb}", b.0, held_b + 500_000)).await;

        // Two production days of last month (the contract started 75 days ago).
        let (period, first) = last_month();
        let log = |date: NaiveDate, hours_a: &str, hours_b: &str| ProductionForm {
            contract: code.clone(),
            date: date.to_string(),
            quantity: "50".into(),
            accepted: "46".into(),
            rejected: "4".into(),
            entries: vec![
                WorkerDay {
                    worker: wa.clone(),
                    hours: hours_a.into(),
                    pieces: None,
                },
                WorkerDay {
                    worker: wb.clone(),
                    hours: hours_b.into(),
                    pieces: None,
                },
            ],
        };
        // Bad logs change nothing.
        let mut wrong = log(first, "8", "7.5");
        wrong.accepted = "40".into();
        assert_eq!(
            key_of(
                service::log_production(s, &officer, &wrong)
                    .await
                    .unwrap_err()
            ),
            "employment.quality_mismatch"
        );
        wrong = log(first, "13", "7.5");
        assert_eq!(
            key_of(
                service::log_production(s, &officer, &wrong)
                    .await
                    .unwrap_err()
            ),
            "employment.hours_invalid"
        );
        wrong = log(first, "8", "7.5");
        wrong.entries[1].worker = d.1.clone();
        assert_eq!(
            key_of(
                service::log_production(s, &officer, &wrong)
                    .await
                    .unwrap_err()
            ),
            "employment.unknown_worker"
        );
        wrong = log(today() + Duration::days(1), "8", "7.5");
        assert_eq!(
            key_of(
                service::log_production(s, &officer, &wrong)
                    .await
                    .unwrap_err()
            ),
            "employment.log_date"
        );
        assert_eq!(count(db, "production_logs", "1 = 1").await, 0, "{l}");

        let day1 = service::log_production(s, &officer, &log(first, "8", "۷٫۵"))
            .await
            .unwrap();
        assert_eq!(
            key_of(
                service::log_production(s, &officer, &log(first, "8", "8"))
                    .await
                    .unwrap_err()
            ),
            "employment.log_exists"
        );
        let day2 = service::log_production(s, &officer, &log(first + Duration::days(1), "4", "4"))
            .await
            .unwrap();
        let _ = day1;

        // The entrepreneur disputes day 2: no invoice and no wages for the month until resolved.
        service::dispute(
            s,
            &Viewer::Owner(demo.clone()),
            &code,
            day2,
            "تعداد پذیرفته کمتر بود",
        )
        .await
        .unwrap();
        assert_eq!(
            key_of(
                service::issue_invoice(s, &finance, &code, &period)
                    .await
                    .unwrap_err()
            ),
            "employment.open_disputes"
        );
        let held = service::wage_run(s, Some(&finance), &period).await.unwrap();
        assert_eq!(held.payments, 0, "{l}: wages paid over an open dispute");
        assert!(held.gross_rials == 0, "{l}");
        service::resolve(s, &officer, &code, day2, "بازشماری شد؛ همان درست است")
            .await
            .unwrap();
        assert!(
            service::resolve(s, &officer, &code, day2, "دوباره")
                .await
                .is_err(),
            "{l}"
        );

        // The month's invoice: 92 accepted × 2,500,000 rials; issuing again returns the same.
        let inv = service::issue_invoice(s, &finance, &code, &period)
            .await
            .unwrap();
        assert_eq!(
            (inv.accepted_units, inv.amount_rials),
            (92, 92 * 2_500_000),
            "{l}"
        );
        assert_eq!(
            service::issue_invoice(s, &finance, &code, &period)
                .await
                .unwrap()
                .code,
            inv.code
        );
        service::invoice_paid(s, &finance, &inv.code).await.unwrap();
        assert!(
            service::invoice_paid(s, &finance, &inv.code).await.is_err(),
            "{l}: paid twice"
        );
        assert_eq!(fund(db, "income:contracts").await, 92 * 2_500_000, "{l}");
        // The entrepreneur's dashboard: this contract's output and invoicing equal the logs.
        let dash = service::dashboard(s, &demo).await.unwrap();
        let row = dash
            .output
            .iter()
            .find(|o| o.contract == code)
            .expect("output row");
        let kid = scalar(
            db,
            &format!("SELECT id FROM contracts WHERE public_code = '{code}'"),
        )
        .await;
        let sums = |what: &str| {
            format!("SELECT CAST(COALESCE(SUM({what}), 0) AS BIGINT) FROM production_logs WHERE contract_id = {kid}")
        };
        assert_eq!(
            (row.days, row.accepted, row.rejected, row.disputed),
            (
                count(db, "production_logs", &format!("contract_id = {kid}")).await,
                scalar(db, &sums("accepted")).await,
                scalar(db, &sums("rejected")).await,
                count(
                    db,
                    "production_logs",
                    &format!("contract_id = {kid} AND disputed AND resolved_at IS NULL")
                )
                .await,
            ),
            "{l}"
        );
        assert!(row.accepted >= 92 && row.days >= 2, "{l}: {row:?}");
        assert_eq!(
            (row.invoiced_rials, row.paid_rials),
            (92 * 2_500_000, 92 * 2_500_000),
            "{l}"
        );

        // Wages: A 12 h, B 11.5 h at 700,000 rials an hour.
        let family_a_before = fund(db, &format!("fund:family:{}", a.2)).await;
        let campaign_a_before = fund(db, &format!("fund:campaign:{ca}")).await;
        let entries_before = count(db, "ledger_entries", "1 = 1").await;
        let run = service::wage_run(s, Some(&finance), &period).await.unwrap();
        assert_eq!(run.payments, 2, "{l}");
        let gross_a = 12 * 700_000;
        let gross_b = 11 * 700_000 + 350_000;
        assert_eq!(run.gross_rials, gross_a + gross_b, "{l}");
        let split_a = wages::split(gross_a, &DEFAULT_RULE, true, true);
        assert_eq!(
            fund(db, &format!("fund:family:{}", a.2)).await - family_a_before,
            split_a.family,
            "{l}"
        );
        assert_eq!(
            fund(db, &format!("fund:campaign:{ca}")).await - campaign_a_before,
            split_a.release,
            "{l}"
        );
        // B's campaign took only the 500,000 it lacked; the rest went to his savings; it is funded.
        assert_eq!(
            fund(db, &format!("fund:campaign:{cb}")).await,
            held_b + 500_000,
            "{l}"
        );
        assert_eq!(
            strings(
                db,
                &format!("SELECT status FROM release_campaigns WHERE id = {cb}")
            )
            .await[0],
            "funded",
            "{l}"
        );
        let split_b = wages::split(gross_b, &DEFAULT_RULE, true, true);
        assert_eq!(
            fund(db, &format!("fund:savings:{}", b.0)).await,
            split_b.savings + split_b.release - 500_000,
            "{l}"
        );
        // Every wage is one balanced group; the books are sound; nothing is paid twice.
        assert_eq!(
            count(db, "ledger_transactions", "kind = 'wages'").await,
            2,
            "{l}"
        );
        let health = app::ledger::health(db).await.unwrap();
        assert!(health.is_sound(), "{l}: {health:?}");
        let again = service::wage_run(s, Some(&finance), &period).await.unwrap();
        assert_eq!((again.payments, again.already_paid), (0, 2), "{l}");
        assert!(
            count(db, "ledger_entries", "1 = 1").await > entries_before,
            "{l}"
        );
        let entries_after = count(db, "ledger_entries", "1 = 1").await;
        service::wage_run(s, Some(&finance), &period).await.unwrap();
        assert_eq!(
            count(db, "ledger_entries", "1 = 1").await,
            entries_after,
            "{l}"
        );

        // The staff KPIs count the month's wages and the families' share once the figures are
        // taken again (the snapshot is not a live query).
        app::casework::kpis::refresh(db).await.unwrap();
        let admin = authed(db, email_of(Role::NationalAdmin)).await;
        let k = app::casework::kpis::kpis(s, &admin, None).await.unwrap();
        let month = k
            .months
            .iter()
            .find(|m| m.period == period)
            .expect("the wage month");
        assert_eq!(
            (month.wages_rials, month.family_share_rials, month.workers),
            (
                scalar(db, &format!("SELECT CAST(SUM(gross_rials) AS BIGINT) FROM wage_payments WHERE period = '{period}'")).await,
                scalar(db, &format!("SELECT CAST(SUM(family_rials) AS BIGINT) FROM wage_payments WHERE period = '{period}'")).await,
                scalar(db, &format!("SELECT COUNT(DISTINCT prisoner_id) FROM wage_payments WHERE period = '{period}'")).await,
            ),
            "{l}"
        );
        assert_eq!(
            k.provinces.iter().map(|r| r.wages_rials).sum::<i64>(),
            scalar(
                db,
                "SELECT CAST(SUM(gross_rials) AS BIGINT) FROM wage_payments"
            )
            .await,
            "{l}"
        );

        // Payslips: every line, totals match, deductions within the cap.
        let slips = service::payslips(s, &Viewer::Owner(demo.clone()), &code, &period)
            .await
            .unwrap();
        assert_eq!(slips.len(), 2, "{l}");
        for p in &slips {
            let sp = p.split;
            assert_eq!(
                sp.family + sp.release + sp.restitution + sp.savings + sp.net,
                sp.gross,
                "{l}"
            );
            assert!(sp.deductions() <= sp.cap, "{l}");
            assert_eq!(p.cap_bp, 8000, "{l}");
        }
        let slip_a = slips.iter().find(|p| p.worker_code == wa).unwrap();
        assert_eq!(
            (slip_a.minutes, slip_a.split.family),
            (720, split_a.family),
            "{l}"
        );

        // Paying out: each worker's net wages into his prison account; savings stay until he is
        // released. A bad reference or a role without the right pays nothing.
        let sum_of = |prefix: &'static str| async move {
            -scalar(db, &format!("SELECT CAST(COALESCE(SUM(e.amount_rials), 0) AS BIGINT) FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id WHERE a.code LIKE '{prefix}%'")).await
        };
        let (net_held, savings_held) =
            (sum_of("fund:worker:").await, sum_of("fund:savings:").await);
        assert!(net_held > 0 && savings_held > 0, "{l}");
        assert_eq!(
            key_of(service::pay_workers(s, &finance, " ").await.unwrap_err()),
            "employment.reference_invalid",
            "{l}"
        );
        assert!(matches!(
            service::pay_workers(s, &officer, "واریز ۴۴").await,
            Err(AppError::Forbidden)
        ));
        assert_eq!(sum_of("fund:worker:").await, net_held, "{l}");
        // (The national admin's payout covers every prison, so it pays all that is held.)
        let paid = service::pay_workers(s, &admin, "واریز ۴۴").await.unwrap();
        assert_eq!(
            (paid.wages_rials, paid.released, paid.savings_rials),
            (net_held, 0, 0),
            "{l}"
        );
        assert!(paid.workers >= 2, "{l}: {paid:?}");
        assert_eq!(sum_of("fund:worker:").await, 0, "{l}");
        assert_eq!(sum_of("fund:savings:").await, savings_held, "{l}");
        // One who saved is released: his savings go to him; nothing is paid twice.
        let saver: i64 = strings(db, "SELECT a.code FROM ledger_accounts a JOIN ledger_entries e ON e.account_id = a.id WHERE a.code LIKE 'fund:savings:%' GROUP BY a.code HAVING SUM(e.amount_rials) < 0 ORDER BY a.code LIMIT 1").await[0]
            .rsplit(':').next().unwrap().parse().unwrap();
        exec(
            db,
            &format!("UPDATE prisoners SET released_on = '2026-11-01' WHERE id = {saver}"),
        )
        .await;
        let saved = -scalar(db, &format!("SELECT CAST(COALESCE(SUM(e.amount_rials), 0) AS BIGINT) FROM ledger_entries e JOIN ledger_accounts x ON x.id = e.account_id WHERE x.code = 'fund:savings:{saver}'")).await;
        assert!(saved > 0, "{l}");
        let second = service::pay_workers(s, &admin, "واریز ۴۵").await.unwrap();
        assert_eq!(second.workers, 0, "{l}");
        assert!(
            second.released >= 1 && second.savings_rials >= saved,
            "{l}: {second:?}"
        );
        assert_eq!(-scalar(db, &format!("SELECT CAST(COALESCE(SUM(e.amount_rials), 0) AS BIGINT) FROM ledger_entries e JOIN ledger_accounts x ON x.id = e.account_id WHERE x.code = 'fund:savings:{saver}'")).await, 0, "{l}");
        assert_eq!(
            service::pay_workers(s, &admin, "واریز ۴۶").await.unwrap(),
            Default::default(),
            "{l}"
        );
        exec(
            db,
            &format!("UPDATE prisoners SET released_on = NULL WHERE id = {saver}"),
        )
        .await;
        assert!(app::ledger::health(db).await.unwrap().is_sound(), "{l}");

        // The staff family file shows the family's fund.
        assert_eq!(
            app::ledger::family_fund(db, a.2).await.unwrap(),
            family_a_before + split_a.family,
            "{l}"
        );

        // Withdrawing consent ends B's assignment at once.
        assert_eq!(
            service::work_consent(s, &officer, &b.1, false)
                .await
                .unwrap(),
            1,
            "{l}"
        );
        assert_eq!(
            count(
                db,
                "worker_assignments",
                &format!("prisoner_id = {} AND status = 'active'", b.0)
            )
            .await,
            0,
            "{l}"
        );
        assert!(app::audit::verify(db).await.unwrap().ok(), "{l}");
        tdb.drop_db().await;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    /// Whatever the rule and the wage: deductions never exceed the cap, nothing is created or
    /// lost, and no share exceeds what its rule asks.
    #[test]
    fn wage_splits_respect_the_cap(
        gross in 0i64..10_000_000_000,
        family in 0i64..=10_000, release in 0i64..=10_000,
        restitution in 0i64..=10_000, savings in 0i64..=10_000, cap in 0i64..=10_000,
        has_family: bool, has_campaign: bool,
    ) {
        let rule = Rule { family_bp: family, release_bp: release, restitution_bp: restitution, savings_bp: savings, cap_bp: cap, ..DEFAULT_RULE };
        let s = wages::split(gross, &rule, has_family, has_campaign);
        prop_assert!(s.deductions() <= s.cap);
        prop_assert_eq!(s.deductions() + s.net, gross);
        prop_assert!(s.net >= 0);
        prop_assert!(s.family <= gross * family / 10_000 + 1);
        prop_assert!(has_family || s.family == 0);
        prop_assert!(has_campaign || s.release == 0);
        let asked = [family * has_family as i64, release * has_campaign as i64, restitution, savings].iter().sum::<i64>();
        if asked <= cap {
            prop_assert!(!s.capped);
        }
    }
}

// ---------------------------------------------------------------- the access matrix

/// One side's records: a contract with a worker, a day's log and a paid invoice, owned by an
/// entrepreneur (the demo one at home, another away), a pending entrepreneur and a prisoner.
struct Records {
    place: Place,
    contract: String,
    log: i64,
    invoice: String,
    pending: String,
    prisoner: String,
    prison_code: String,
    programme: String,
    job: String,
    /// A restitution claim on the prisoner, and a payout to it waiting for approval (asked for by
    /// the national admin, so the admin's own approval is refused).
    claim: String,
    payout: String,
    /// The demo entrepreneur owns it.
    demo_owns: bool,
}

async fn records(w: &World, p: &Place, owner_id: i64, tag: &str) -> Records {
    let db = &w.state.db;
    let now = Utc::now();
    let c = contract::ActiveModel {
        public_code: Set(format!("K-M{tag}")),
        entrepreneur_id: Set(owner_id),
        workshop_id: Set(p.workshop_id),
        product: Set("میز".into()),
        quantity: Set(100),
        unit_price_rials: Set(1_000_000),
        wage_model: Set("hourly".into()),
        wage_rate_rials: Set(700_000),
        headcount: Set(5),
        required_skills: Set("[]".into()),
        required_certificates: Set("[]".into()),
        starts_on: Set(today() - Duration::days(90)),
        ends_on: Set(today() + Duration::days(90)),
        materials_supplied: Set(false),
        status: Set(ContractStatus::Active),
        status_reason: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let log = production_log::ActiveModel {
        contract_id: Set(c.id),
        work_date: Set(today() - Duration::days(3)),
        quantity: Set(10),
        accepted: Set(10),
        rejected: Set(0),
        hours_by_worker: Set("{}".into()),
        logged_by: Set(None),
        disputed: Set(false),
        dispute_note: Set(None),
        resolved_at: Set(None),
        created_at: Set(now),
        resolution_note: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    invoice::ActiveModel {
        public_code: Set(format!("INV-M{tag}")),
        contract_id: Set(c.id),
        period: Set("1300-01".into()),
        accepted_units: Set(10),
        amount_rials: Set(10_000_000),
        status: Set(InvoiceStatus::Paid),
        transaction_id: Set(None),
        paid_at: Set(Some(now)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let user = app::auth::ssr::create_user(
        db,
        app::auth::ssr::NewUser {
            email: Some(&format!("pending{tag}@test.karamat.ir")),
            display_name: "در انتظار",
            password_hash: app::auth::ssr::DISABLED_PASSWORD.into(),
            role: Role::Entrepreneur,
            locale: "fa",
        },
    )
    .await
    .unwrap();
    entrepreneur::ActiveModel {
        public_code: Set(format!("E-P{tag}")),
        user_id: Set(user.id),
        province_id: Set(p.province_id),
        company_name: Set("در انتظار".into()),
        national_company_id: Set(company_id(&format!("20200{tag:0>5}"))),
        economic_code: Set("411122223333".into()),
        contact_name: Set("رابط".into()),
        contact_phone: Set("09120000000".into()),
        sector: Set("food".into()),
        status: Set(EntrepreneurStatus::Pending),
        verified_by: Set(None),
        verified_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    // A prisoner of this prison (one without a family, moved here so the prison has one).
    let pid = 150 + tag.parse::<i64>().unwrap();
    exec(
        db,
        &format!(
            "UPDATE prisoners SET prison_id = {} WHERE id = {pid}",
            p.prison_id
        ),
    )
    .await;
    let prisoner = strings(
        db,
        &format!("SELECT public_code FROM prisoners WHERE id = {pid}"),
    )
    .await[0]
        .clone();
    let prison_code = strings(
        db,
        &format!("SELECT code FROM prisons WHERE id = {}", p.prison_id),
    )
    .await[0]
        .clone();
    let programme = format!("T-M{tag}");
    exec(
        db,
        &format!(
            "INSERT INTO training_programmes (public_code, prison_id, title, skill, hours, created_at) VALUES ('{programme}', {}, 'دوره', 'sewing', 10, CURRENT_TIMESTAMP)",
            p.prison_id
        ),
    )
    .await;
    let job = format!("J-M{tag}");
    exec(
        db,
        &format!(
            "INSERT INTO job_postings (public_code, entrepreneur_id, province_id, title, skills, pay_rials, status, early_hire_until, created_at) VALUES ('{job}', {owner_id}, {}, 'کار', '[]', 1000000, 'open', NULL, CURRENT_TIMESTAMP)",
            p.province_id
        ),
    )
    .await;
    let (claim, payout) = restitution_records(w, &prisoner, tag).await;
    Records {
        claim,
        payout,
        job,
        prison_code,
        programme,
        place: p.clone(),
        contract: c.public_code,
        log: log.id,
        invoice: format!("INV-M{tag}"),
        pending: format!("E-P{tag}"),
        prisoner,
        demo_owns: false,
    }
}

async fn restitution_records(w: &World, prisoner: &str, tag: &str) -> (String, String) {
    use app::platform::entity::{restitution_claim, restitution_payout};
    use app::platform::status::{ClaimStatus, PayoutStatus};
    let db = &w.state.db;
    let now = Utc::now();
    let pid = scalar(
        db,
        &format!("SELECT id FROM prisoners WHERE public_code = '{prisoner}'"),
    )
    .await;
    let admin = authed(db, email_of(Role::NationalAdmin)).await;
    let c = restitution_claim::ActiveModel {
        public_code: Set(format!("RC-M{tag}")),
        prisoner_id: Set(pid),
        kind: Set("creditor".into()),
        claimant_name_enc: Set(w
            .state
            .sealer
            .seal("restitution_claims.claimant_name", "طلبکار")),
        claimant_account_enc: Set(w.state.sealer.seal(
            "restitution_claims.claimant_account",
            "IR062960000000100324200001",
        )),
        key_id: Set(w.state.sealer.key_id().into()),
        court_ref: Set("1405/1".into()),
        owed_rials: Set(10_000_000),
        paid_rials: Set(0),
        status: Set(ClaimStatus::Open),
        created_by: Set(admin.user_id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    restitution_payout::ActiveModel {
        public_code: Set(format!("RP-M{tag}")),
        claim_id: Set(c.id),
        prisoner_id: Set(pid),
        amount_rials: Set(10_000),
        reference: Set("TR-1".into()),
        status: Set(PayoutStatus::AwaitingApproval),
        requested_by: Set(admin.user_id),
        decided_by: Set(None),
        reject_reason: Set(None),
        transaction_id: Set(None),
        created_at: Set(now),
        decided_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    (format!("RC-M{tag}"), format!("RP-M{tag}"))
}

/// Who may call an endpoint.
#[derive(Clone, Copy)]
enum Rule2 {
    Anyone,
    Entrepreneur,
    /// The record's own entrepreneur.
    Owner,
    /// The record's own entrepreneur, or staff with the permission in scope.
    OwnerOrStaff(Permission),
    /// Staff with the permission (no record).
    Staff(Permission),
    /// Staff with the permission, the record in scope (`by_province`: an entrepreneur's).
    StaffInScope(Permission, bool),
}

struct Endpoint {
    path: &'static str,
    rule: Rule2,
    body: fn(&Records) -> String,
}

fn endpoints() -> Vec<Endpoint> {
    use Permission::*;
    use Rule2::*;
    vec![
        Endpoint {
            path: "/api/employment/workshops",
            rule: Anyone,
            body: |_| String::new(),
        },
        Endpoint {
            path: "/api/employment/register",
            rule: Anyone,
            body: |_| {
                "form[company_name]=&form[national_company_id]=&form[economic_code]=&form[contact_name]=&form[contact_phone]=&form[sector]=&form[province]=&form[email]=&form[password]=".into()
            },
        },
        Endpoint {
            path: "/api/employment/dashboard",
            rule: Entrepreneur,
            body: |_| String::new(),
        },
        Endpoint {
            path: "/api/employment/propose",
            rule: Entrepreneur,
            body: |r| {
                format!("form[workshop]={}&form[product]=&form[quantity]=&form[unit_price]=&form[wage_model]=&form[wage_rate]=&form[headcount]=&form[starts_on]=&form[ends_on]=", r.place.workshop)
            },
        },
        Endpoint {
            path: "/api/employment/amend",
            rule: Owner,
            body: |r| {
                format!("code={}&form[workshop]=&form[product]=&form[quantity]=&form[unit_price]=&form[wage_model]=&form[wage_rate]=&form[headcount]=&form[starts_on]=&form[ends_on]=", r.contract)
            },
        },
        Endpoint {
            path: "/api/employment/contract",
            rule: OwnerOrStaff(ViewEmployment),
            body: |r| format!("code={}", r.contract),
        },
        Endpoint {
            path: "/api/employment/payslips",
            rule: OwnerOrStaff(ViewEmployment),
            body: |r| format!("code={}&period=1300-01", r.contract),
        },
        Endpoint {
            path: "/api/employment/dispute",
            rule: OwnerOrStaff(ManageWorkers),
            body: |r| format!("code={}&log={}&note=x", r.contract, r.log),
        },
        Endpoint {
            path: "/api/employment/queue",
            rule: Staff(ViewEmployment),
            body: |_| String::new(),
        },
        Endpoint {
            path: "/api/employment/verify-entrepreneur",
            rule: StaffInScope(VerifyEntrepreneur, true),
            body: |r| format!("code={}&approve=false", r.pending),
        },
        Endpoint {
            path: "/api/employment/review",
            rule: StaffInScope(ReviewContract, false),
            body: |r| format!("code={}&approve=true", r.contract),
        },
        Endpoint {
            path: "/api/employment/transition",
            rule: StaffInScope(ManageContract, false),
            body: |r| format!("code={}&to=proposed&reason=x", r.contract),
        },
        Endpoint {
            path: "/api/employment/matches",
            rule: StaffInScope(ManageWorkers, false),
            body: |r| format!("code={}", r.contract),
        },
        Endpoint {
            path: "/api/employment/assign",
            rule: StaffInScope(ManageWorkers, false),
            body: |r| format!("code={}&prisoner=P-NOBODY", r.contract),
        },
        Endpoint {
            path: "/api/employment/work-consent",
            rule: StaffInScope(ManageWorkers, false),
            body: |r| format!("prisoner={}&consent=true", r.prisoner),
        },
        Endpoint {
            path: "/api/employment/log",
            rule: StaffInScope(ManageWorkers, false),
            body: |r| {
                format!(
                    "form[contract]={}&form[date]=&form[quantity]=&form[accepted]=&form[rejected]=",
                    r.contract
                )
            },
        },
        Endpoint {
            path: "/api/employment/resolve",
            rule: StaffInScope(ManageContract, false),
            body: |r| format!("code={}&log={}&note=xyz", r.contract, r.log),
        },
        Endpoint {
            path: "/api/employment/invoice",
            rule: StaffInScope(PayWages, false),
            body: |r| format!("code={}&period=bad", r.contract),
        },
        Endpoint {
            path: "/api/employment/invoice-paid",
            rule: StaffInScope(PayWages, false),
            body: |r| format!("invoice={}", r.invoice),
        },
        Endpoint {
            path: "/api/employment/wage-run",
            rule: Staff(PayWages),
            body: |_| "period=bad".into(),
        },
        Endpoint {
            path: "/api/employment/programmes",
            rule: Staff(ViewEmployment),
            body: |_| String::new(),
        },
        Endpoint {
            path: "/api/employment/programme",
            rule: StaffInScope(ManageWorkers, false),
            body: |r| {
                format!(
                    "form[prison]={}&form[title]=&form[skill]=x&form[hours]=0",
                    r.prison_code
                )
            },
        },
        Endpoint {
            path: "/api/employment/training",
            rule: StaffInScope(ManageWorkers, false),
            body: |r| format!("programme={}&prisoner={}&hours=-1", r.programme, r.prisoner),
        },
        Endpoint {
            path: "/api/employment/jobs",
            rule: Anyone,
            body: |_| String::new(),
        },
        Endpoint {
            path: "/api/employment/post-job",
            rule: Entrepreneur,
            body: |_| "form[title]=&form[province]=&form[pay]=".into(),
        },
        Endpoint {
            path: "/api/employment/apply",
            rule: StaffInScope(ManageWorkers, false),
            body: |r| format!("job={}&prisoner={}", r.job, r.prisoner),
        },
        Endpoint {
            path: "/api/employment/applicants",
            rule: Owner,
            body: |r| format!("job={}", r.job),
        },
        Endpoint {
            path: "/api/employment/pay-workers",
            rule: Staff(PayWages),
            body: |_| "reference=".into(),
        },
        Endpoint {
            path: "/api/employment/wage-rules",
            rule: Staff(ViewEmployment),
            body: |_| String::new(),
        },
        Endpoint {
            path: "/api/employment/set-wage-rule",
            rule: Staff(ManageStaff),
            body: |_| {
                "form[name]=&form[family]=&form[release]=&form[restitution]=&form[savings]=&form[cap]=&form[min_hourly]=&form[min_piece]=&form[effective_from]=".into()
            },
        },
        Endpoint {
            path: "/api/employment/decide-application",
            rule: Owner,
            body: |r| format!("job={}&passport=R-0000000000&hire=true", r.job),
        },
        Endpoint {
            path: "/api/employment/restitution",
            rule: Staff(ViewEmployment),
            body: |_| String::new(),
        },
        Endpoint {
            path: "/api/employment/restitution-worker",
            rule: StaffInScope(ViewEmployment, false),
            body: |r| format!("prisoner={}", r.prisoner),
        },
        Endpoint {
            path: "/api/employment/restitution-claim",
            rule: StaffInScope(PayWages, false),
            body: |r| {
                format!("form[prisoner]={}&form[kind]=x&form[claimant_name]=&form[claimant_account]=&form[court_ref]=&form[owed]=", r.prisoner)
            },
        },
        Endpoint {
            path: "/api/employment/restitution-payout",
            rule: StaffInScope(PayWages, false),
            body: |r| format!("claim={}&amount=0&reference=x", r.claim),
        },
        Endpoint {
            // No reason: an allowed caller is refused for that (or for four eyes), so the
            // payout stays waiting for every call.
            path: "/api/employment/restitution-decide",
            rule: StaffInScope(ApproveDisbursement, false),
            body: |r| format!("code={}&approve=false&reason=", r.payout),
        },
        Endpoint {
            path: "/api/employment/end-assignment",
            rule: StaffInScope(ManageWorkers, false),
            body: |r| format!("code={}&worker=WK-NOBODY01&rating=4", r.contract),
        },
    ]
}

async fn fingerprint(db: &DatabaseConnection) -> String {
    let mut out = String::new();
    for sql in [
        "SELECT CAST(COUNT(*) AS BIGINT) FROM contracts WHERE status = 'active'",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM contracts",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM contract_versions",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM worker_assignments",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM production_logs WHERE disputed",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM production_logs",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM invoices",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM wage_payments",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM ledger_entries",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM entrepreneurs WHERE status = 'pending'",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM users",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM training_programmes",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM training_enrolments",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM job_postings",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM job_applications",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM job_applications WHERE status <> 'applied'",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM worker_assignments WHERE rating IS NOT NULL",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM wage_rules",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM restitution_claims",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM restitution_payouts",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM restitution_payouts WHERE status <> 'awaiting_approval'",
    ] {
        out.push_str(&scalar(db, sql).await.to_string());
        out.push(',');
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_matrix_every_employment_function_role_and_record() {
    for tdb in databases().await {
        let l = tdb.label;
        let w = world(&tdb.url).await;
        let db = &w.state.db;
        let demo = owner_of(&w.state, email_of(Role::Entrepreneur)).await;
        let other_owner = scalar(
            db,
            &format!(
                "SELECT MIN(id) FROM entrepreneurs WHERE id <> {}",
                demo.entrepreneur.id
            ),
        )
        .await;
        let mut home = records(&w, &w.home.clone(), demo.entrepreneur.id, "1").await;
        home.demo_owns = true;
        let away = records(&w, &w.away.clone(), other_owner, "2").await;
        let eps = endpoints();

        // The matrix covers every employment server function there is.
        let registered: std::collections::BTreeSet<String> =
            leptos::server_fn::axum::server_fn_paths()
                .map(|(p, _)| p.to_string())
                .filter(|p| p.starts_with("/api/employment/"))
                .collect();
        let covered: std::collections::BTreeSet<String> =
            eps.iter().map(|e| e.path.to_string()).collect();
        assert_eq!(
            registered, covered,
            "an employment server function is missing from the matrix"
        );

        // Personal values of every prisoner in both prisons: none may appear in any answer.
        let mut secrets = Vec::new();
        for r in db
            .query_all_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                format!(
                    "SELECT name_enc FROM prisoners WHERE prison_id IN ({}, {})",
                    w.home.prison_id, w.away.prison_id
                ),
            ))
            .await
            .unwrap()
        {
            let sealed: Vec<u8> = r.try_get_by_index(0).unwrap();
            secrets.push(w.state.sealer.open("prisoners.name", &sealed).unwrap());
        }
        assert!(!secrets.is_empty());

        let mut people: Vec<(Option<Role>, Option<String>, Option<Authed>)> =
            vec![(None, None, None)];
        for (role, email, _) in DEMO_ACCOUNTS {
            people.push((
                Some(role),
                Some(cookie_of(&w.state, email).await),
                Some(authed(db, email).await),
            ));
        }
        let mut checked = 0;
        for (role, cookie, who) in &people {
            for ep in &eps {
                for recs in [&home, &away] {
                    let staff_in_scope = |p: Permission, by_province: bool| {
                        who.as_ref().is_some_and(|a| {
                            p.allows(a.role())
                                && if by_province {
                                    a.covers(recs.place.province_id, None)
                                } else {
                                    a.covers(recs.place.province_id, Some(recs.place.prison_id))
                                }
                        })
                    };
                    let is_ent = *role == Some(Role::Entrepreneur);
                    let allowed = match ep.rule {
                        Rule2::Anyone => true,
                        Rule2::Entrepreneur => is_ent,
                        Rule2::Owner => is_ent && recs.demo_owns,
                        Rule2::OwnerOrStaff(p) => {
                            (is_ent && recs.demo_owns) || (!is_ent && staff_in_scope(p, false))
                        }
                        Rule2::Staff(p) => role.is_some_and(|r| p.allows(r)),
                        Rule2::StaffInScope(p, by_province) => staff_in_scope(p, by_province),
                    };
                    let before = fingerprint(db).await;
                    let mut req = post_form(ep.path, &(ep.body)(recs), cookie.as_deref());
                    req.headers_mut()
                        .insert(header::ACCEPT, "application/json".parse().unwrap());
                    let res = send(&w.app, req).await;
                    let status = res.status();
                    let text = body_text(res).await;
                    let refused = matches!(
                        status,
                        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
                    );
                    assert_eq!(
                        !refused, allowed,
                        "{l}: {role:?} {} on {} → {status} {text}",
                        ep.path, recs.contract
                    );
                    if refused {
                        assert_eq!(
                            fingerprint(db).await,
                            before,
                            "{l}: a refused {role:?} {} changed something",
                            ep.path
                        );
                    } else {
                        assert!(
                            status.is_success()
                                || status.is_redirection()
                                || status == StatusCode::UNPROCESSABLE_ENTITY,
                            "{l}: {role:?} {} → {status} {text}",
                            ep.path
                        );
                    }
                    for secret in &secrets {
                        assert!(
                            !text.contains(secret.as_str()),
                            "{l}: {role:?} {} returned a prisoner's name",
                            ep.path
                        );
                    }
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, people.len() * eps.len() * 2);
        assert!(app::audit::verify(db).await.unwrap().ok(), "{l}");
        tdb.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn training_certifies_and_released_people_apply_with_a_passport() {
    use app::employment::after_release;
    use app::employment::{JobForm, ProgrammeForm};
    for tdb in databases().await {
        let l = tdb.label;
        let w = world(&tdb.url).await;
        let db = &w.state.db;
        let s = &w.state;
        let officer = authed(db, email_of(Role::PrisonOfficer)).await;
        let demo = owner_of(s, email_of(Role::Entrepreneur)).await;
        let prison_code = strings(
            db,
            &format!("SELECT code FROM prisons WHERE id = {}", w.home.prison_id),
        )
        .await[0]
            .clone();
        let away_prison = strings(
            db,
            &format!("SELECT code FROM prisons WHERE id = {}", w.away.prison_id),
        )
        .await[0]
            .clone();
        let form = |prison: &str, hours: &str| ProgrammeForm {
            prison: prison.into(),
            title: "جوشکاری صنعتی".into(),
            skill: "welding".into(),
            hours: hours.into(),
        };
        assert!(
            matches!(
                after_release::create_programme(s, &officer, &form(&away_prison, "40")).await,
                Err(AppError::NotFound)
            ),
            "{l}"
        );
        assert_eq!(
            key_of(
                after_release::create_programme(s, &officer, &form(&prison_code, "0"))
                    .await
                    .unwrap_err()
            ),
            "employment.programme_hours"
        );
        let prog = after_release::create_programme(s, &officer, &form(&prison_code, "40"))
            .await
            .unwrap();

        let ws = workers(db, w.home.prison_id).await;
        let (p, q, r) = (&ws[0], &ws[1], &ws[2]);
        let st = after_release::record_training(s, &officer, &prog, &p.1, "30")
            .await
            .unwrap();
        assert!(!st.certified && st.hours_completed == 30, "{l}");
        let st = after_release::record_training(s, &officer, &prog, &p.1, "۱۵")
            .await
            .unwrap();
        assert!(st.certified && st.hours_completed == 40, "{l}");
        after_release::record_training(s, &officer, &prog, &p.1, "10")
            .await
            .unwrap();
        assert_eq!(
            count(
                db,
                "certificates",
                &format!("prisoner_id = {} AND skill = 'welding'", p.0)
            )
            .await,
            1,
            "{l}"
        );
        // The certificate feeds matching: a welding contract proposes P and ranks him for it.
        let mut f = contract_form(&w.home.workshop, "70000", "hourly");
        f.required_certificates = Some("welding".into());
        let code = service::propose(s, &demo, &f).await.unwrap();
        service::review(s, &officer, &code, true, None)
            .await
            .unwrap();
        service::review(
            s,
            &authed(db, email_of(Role::AssociationManager)).await,
            &code,
            true,
            None,
        )
        .await
        .unwrap();
        let cands = service::matches(s, &officer, &code).await.unwrap();
        assert!(cands.iter().any(|c| c.prisoner_code == p.1), "{l}");
        assert!(
            cands
                .iter()
                .all(|c| c.certificates.contains(&"welding".to_string())),
            "{l}"
        );

        // Job posts: one with a 30-day early-hire window, one open to everyone.
        let job = |days: &str| JobForm {
            title: "جوشکار".into(),
            province: w.home.province_code.clone(),
            skills: Some("welding".into()),
            pay: "150000000".into(),
            early_hire_days: Some(days.into()),
        };
        let early = after_release::post_job(s, &demo, &job("30")).await.unwrap();
        let open = after_release::post_job(s, &demo, &job("0")).await.unwrap();
        let listed = after_release::jobs(s, Some(&w.home.province_code))
            .await
            .unwrap();
        assert!(
            listed.iter().any(|j| j.code == early) && listed.iter().any(|j| j.code == open),
            "{l}"
        );

        // Q was released, opted in, and once worked on one of the demo entrepreneur's contracts;
        // R was released and opted in but never worked for him; P is still inside.
        let yesterday = (today() - Duration::days(1)).to_string();
        for who in [q, r] {
            exec(db, &format!("UPDATE prisoners SET released_on = '{yesterday}', consent_jobs_after_release = TRUE WHERE id = {}", who.0)).await;
        }
        exec(
            db,
            &format!(
                "UPDATE prisoners SET consent_jobs_after_release = TRUE WHERE id = {}",
                p.0
            ),
        )
        .await;
        let kid = scalar(
            db,
            &format!("SELECT id FROM contracts WHERE public_code = '{code}'"),
        )
        .await;
        exec(db, &format!("INSERT INTO worker_assignments (contract_id, prisoner_id, worker_code, status, consent_at, assigned_by, rating, created_at, ended_at) VALUES ({kid}, {}, 'WK-PAST0001', 'ended', CURRENT_TIMESTAMP, NULL, NULL, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)", q.0)).await;
        // The officer rates the work he did (late: the assignment had ended); bad ratings, an
        // unknown worker and a second rating change nothing.
        for (worker, rating, key) in [
            ("WK-PAST0001", "6", "employment.rating_invalid"),
            ("WK-PAST0001", "خوب", "employment.rating_invalid"),
            ("WK-NOBODY01", "4", "employment.worker_invalid"),
        ] {
            assert_eq!(
                key_of(
                    service::end_assignment(s, &officer, &code, worker, rating)
                        .await
                        .unwrap_err()
                ),
                key,
                "{l}"
            );
        }
        assert_eq!(
            scalar(
                db,
                "SELECT COUNT(*) FROM worker_assignments WHERE worker_code = 'WK-PAST0001' AND rating IS NOT NULL"
            )
            .await,
            0,
            "{l}"
        );
        service::end_assignment(s, &officer, &code, "wk-past0001", "۴")
            .await
            .unwrap();
        assert_eq!(
            key_of(
                service::end_assignment(s, &officer, &code, "WK-PAST0001", "5")
                    .await
                    .unwrap_err()
            ),
            "employment.already_rated",
            "{l}"
        );
        let ended = strings(db, "SELECT status || ':' || CAST(rating AS TEXT) FROM worker_assignments WHERE worker_code = 'WK-PAST0001'").await;
        assert_eq!(ended, vec!["ended:4"], "{l}");
        assert_eq!(
            key_of(
                after_release::apply(s, &officer, &early, &r.1)
                    .await
                    .unwrap_err()
            ),
            "employment.early_hire_only"
        );
        let passport_q = after_release::apply(s, &officer, &early, &q.1)
            .await
            .unwrap();
        assert!(passport_q.starts_with("R-"), "{l}");
        assert_eq!(
            key_of(
                after_release::apply(s, &officer, &early, &q.1)
                    .await
                    .unwrap_err()
            ),
            "employment.already_applied"
        );
        assert_eq!(
            key_of(
                after_release::apply(s, &officer, &open, &p.1)
                    .await
                    .unwrap_err()
            ),
            "employment.not_released"
        );
        after_release::apply(s, &officer, &open, &r.1)
            .await
            .unwrap();
        exec(
            db,
            &format!(
                "UPDATE prisoners SET consent_jobs_after_release = FALSE WHERE id = {}",
                r.0
            ),
        )
        .await;
        let other_job = after_release::post_job(s, &demo, &job("0")).await.unwrap();
        assert_eq!(
            key_of(
                after_release::apply(s, &officer, &other_job, &r.1)
                    .await
                    .unwrap_err()
            ),
            "employment.no_job_consent"
        );

        // The entrepreneur sees passports: skills, training, certificates, work record; no code or
        // name of the person.
        let apps = after_release::applicants(s, &demo, &early).await.unwrap();
        assert_eq!(apps.len(), 1, "{l}");
        let (status, passport) = &apps[0];
        assert_eq!(
            (status.as_str(), passport.code.as_str()),
            ("applied", passport_q.as_str()),
            "{l}"
        );
        assert_eq!(passport.work.len(), 1, "{l}");
        assert_eq!(passport.work[0].rating, Some(4), "{l}");
        let json = serde_json::to_string(&apps).unwrap();
        assert!(
            !json.contains(&q.1),
            "{l}: a prisoner code reached the employer"
        );
        let sealed: Vec<u8> = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                format!("SELECT name_enc FROM prisoners WHERE id = {}", q.0),
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index(0)
            .unwrap();
        let name = s.sealer.open("prisoners.name", &sealed).unwrap();
        assert!(!json.contains(&name), "{l}: a name reached the employer");
        // Another entrepreneur's posts are not theirs to read.
        let other = scalar(db, &format!("SELECT user_id FROM entrepreneurs WHERE id <> {} AND status = 'verified' ORDER BY id LIMIT 1", demo.entrepreneur.id)).await;
        let other_email =
            strings(db, &format!("SELECT email FROM users WHERE id = {other}")).await[0].clone();
        let other_owner = owner_of(s, &other_email).await;
        assert!(
            matches!(
                after_release::applicants(s, &other_owner, &early).await,
                Err(AppError::NotFound)
            ),
            "{l}"
        );
        assert!(
            matches!(
                after_release::decide(s, &other_owner, &early, &passport_q, true).await,
                Err(AppError::NotFound)
            ),
            "{l}"
        );
        // The employer answers by passport code, once.
        assert_eq!(
            key_of(
                after_release::decide(s, &demo, &early, "R-0000000000", true)
                    .await
                    .unwrap_err()
            ),
            "employment.application_invalid",
            "{l}"
        );
        after_release::decide(s, &demo, &early, &passport_q.to_lowercase(), true)
            .await
            .unwrap();
        assert_eq!(
            key_of(
                after_release::decide(s, &demo, &early, &passport_q, false)
                    .await
                    .unwrap_err()
            ),
            "employment.already_decided",
            "{l}"
        );
        let apps = after_release::applicants(s, &demo, &early).await.unwrap();
        assert_eq!(apps[0].0, "accepted", "{l}");
        assert!(
            strings(db, "SELECT action FROM audit_log")
                .await
                .iter()
                .any(|a| a == "job.accepted"),
            "{l}"
        );
        tdb.drop_db().await;
    }
}

#[test]
fn percentages_are_read_in_any_digits_to_basis_points() {
    use app::employment::service::percent_bp;
    for (input, bp) in [
        ("30", Some(3000)),
        ("12.5", Some(1250)),
        ("۱۲٫۵", Some(1250)),
        ("30%", Some(3000)),
        ("0", Some(0)),
        ("100", Some(10_000)),
        ("7.05", Some(705)),
        ("100.01", None),
        ("1.234", None),
        ("", None),
        ("-1", None),
        ("سی", None),
        (".5", None),
    ] {
        assert_eq!(percent_bp(input), bp, "{input}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wage_rules_are_set_by_national_admins_from_a_date_on() {
    use app::employment::WageRuleForm;
    for tdb in databases().await {
        let l = tdb.label;
        let w = world(&tdb.url).await;
        let db = &w.state.db;
        let s = &w.state;
        let admin = authed(db, email_of(Role::NationalAdmin)).await;
        let manager = authed(db, email_of(Role::AssociationManager)).await;
        let demo = owner_of(s, email_of(Role::Entrepreneur)).await;
        let rule = |min_hourly: &str, from: NaiveDate| WageRuleForm {
            name: "قاعدهٔ ۱۴۰۵".into(),
            family: "35".into(),
            release: "۲۰".into(),
            restitution: "7.5".into(),
            savings: "10".into(),
            cap: "80".into(),
            min_hourly: min_hourly.into(),
            min_piece: "6000".into(),
            effective_from: from.to_string(),
        };
        let before = service::wage_rules(s).await.unwrap();
        assert_eq!(before.iter().filter(|r| r.in_force).count(), 1, "{l}");
        let rules = count(db, "wage_rules", "1 = 1").await;
        assert!(matches!(
            service::set_wage_rule(s, &manager, &rule("80000", today())).await,
            Err(AppError::Forbidden)
        ));
        let bad = |f: fn(&mut WageRuleForm)| {
            let mut r = rule("80000", today());
            f(&mut r);
            r
        };
        for (form, key) in [
            (
                bad(|r| r.family = "120".into()),
                "employment.percent_invalid",
            ),
            (bad(|r| r.cap = "0".into()), "employment.percent_invalid"),
            (
                bad(|r| r.savings = "ده".into()),
                "employment.percent_invalid",
            ),
            (bad(|r| r.min_hourly = "0".into()), "validation.amount"),
            (
                bad(|r| r.min_piece = "200000000".into()),
                "employment.minimum_invalid",
            ),
            (bad(|r| r.name = "x".into()), "employment.rule_name_invalid"),
            (
                bad(|r| r.effective_from = (today() - Duration::days(1)).to_string()),
                "employment.rule_date_invalid",
            ),
        ] {
            assert_eq!(
                key_of(service::set_wage_rule(s, &admin, &form).await.unwrap_err()),
                key,
                "{l}: {form:?}"
            );
        }
        assert_eq!(count(db, "wage_rules", "1 = 1").await, rules, "{l}");

        // A rule from tomorrow is listed but not in force: 70,000 tomans an hour still passes.
        service::set_wage_rule(s, &admin, &rule("80000", today() + Duration::days(1)))
            .await
            .unwrap();
        let listed = service::wage_rules(s).await.unwrap();
        let next = listed
            .iter()
            .find(|r| !r.in_force)
            .expect("tomorrow's rule");
        assert_eq!(
            (
                next.family_bp,
                next.release_bp,
                next.restitution_bp,
                next.min_hourly_rials
            ),
            (3500, 2000, 750, 800_000),
            "{l}"
        );
        service::propose(
            s,
            &demo,
            &contract_form(&w.home.workshop, "70000", "hourly"),
        )
        .await
        .unwrap();
        // A rule from today is in force at once for new proposals.
        service::set_wage_rule(s, &admin, &rule("۹۰٬۰۰۰", today()))
            .await
            .unwrap();
        let now = service::wage_rules(s).await.unwrap();
        let in_force = now.iter().find(|r| r.in_force).unwrap();
        assert_eq!(in_force.min_hourly_rials, 900_000, "{l}");
        assert_eq!(
            key_of(
                service::propose(
                    s,
                    &demo,
                    &contract_form(&w.home.workshop, "70000", "hourly")
                )
                .await
                .unwrap_err()
            ),
            "employment.below_minimum",
            "{l}"
        );
        service::propose(
            s,
            &demo,
            &contract_form(&w.home.workshop, "95000", "hourly"),
        )
        .await
        .unwrap();
        assert!(
            strings(db, "SELECT action FROM audit_log")
                .await
                .iter()
                .filter(|a| *a == "wage_rule.set")
                .count()
                == 2,
            "{l}"
        );
        tdb.drop_db().await;
    }
}
