//! Staff case work on SQLite and PostgreSQL: intake with sealed personal fields, a need blocked by
//! the privacy guard, four eyes, k-anonymity, consent withdrawal, purchase/approval/delivery
//! through the ledger, the hash-chained audit log, and the access matrix over every staff server
//! function × role × in-scope and out-of-scope records.

use crate::common::*;
use app::auth::ssr::Authed;
use app::auth::{Permission, Role};
use app::casework::service;
use app::casework::{DraftOutcome, FulfilOutcome, IntakeForm, NeedForm, PublishOutcome};
use app::platform::Config;
use app::privacy::pii::PiiKind;
use app::state::AppState;
use axum::http::{header, StatusCode};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use server::seed::{self, Scale, DEMO_ACCOUNTS};

struct World {
    state: AppState,
    app: axum::Router,
    /// Tehran (where the demo social worker and manager work) and another province.
    home: Province,
    away: Province,
}

#[derive(Clone)]
struct Province {
    id: i64,
    code: String,
    prison_code: String,
    prison_id: i64,
}

async fn province(db: &DatabaseConnection, id: i64) -> Province {
    let code = strings(db, &format!("SELECT code FROM provinces WHERE id = {id}")).await[0].clone();
    let prison_code = strings(
        db,
        &format!("SELECT code FROM prisons WHERE province_id = {id} ORDER BY id"),
    )
    .await[0]
        .clone();
    let prison_id = scalar(
        db,
        &format!("SELECT MIN(id) FROM prisons WHERE province_id = {id}"),
    )
    .await;
    Province {
        id,
        code,
        prison_code,
        prison_id,
    }
}

async fn world(url: &str) -> World {
    let state = app_state(url).await;
    seed::run(&state.db, Scale::Demo, 11).await.unwrap();
    let db = &state.db;
    let home_id = scalar(db, "SELECT s.province_id FROM user_scopes s JOIN users u ON u.id = s.user_id WHERE u.role = 'social_worker'").await;
    let away_id = scalar(
        db,
        &format!("SELECT MIN(province_id) FROM prisons WHERE province_id <> {home_id}"),
    )
    .await;
    World {
        home: province(db, home_id).await,
        away: province(db, away_id).await,
        app: server::http::router(state.clone()),
        state,
    }
}

async fn cookie_for(w: &World, email: &str) -> String {
    cookie_of(&w.state, email).await
}

fn intake_form(
    p: &Province,
    head: &str,
    nc: &str,
    phone: &str,
    size: &str,
    offence: &str,
) -> IntakeForm {
    IntakeForm {
        province: p.code.clone(),
        prison: Some(p.prison_code.clone()),
        head_name: head.into(),
        national_code: Some(nc.into()),
        phone: Some(phone.into()),
        address: Some("خیابان نسترن‌زار، کوچهٔ نهم، پلاک ۱۲".into()),
        situation: Some("مادر با سه فرزند، بدون درآمد".into()),
        household_size: size.into(),
        members: Some("نرگس کاظمی\nامیرحسین کاظمی".into()),
        prisoner_name: "بهرام کاظمی".into(),
        prisoner_national_code: None,
        offence: offence.into(),
        consent_publish: Some("yes".into()),
    }
}

/// National codes with valid check digits, distinct per `i`.
fn national_code(i: u32) -> String {
    let first9 = format!("{:09}", 100_000_000 + i * 7919);
    let d: Vec<u32> = first9.chars().map(|c| c.to_digit(10).unwrap()).collect();
    format!("{first9}{}", app::validation::national_code_check_digit(&d))
}

fn need_form(family: &str, category: &str, story: &str) -> NeedForm {
    NeedForm {
        family: family.into(),
        category: category.into(),
        goal: "۲٬۰۰۰٬۰۰۰".into(),
        title: "اجارهٔ سه ماه خانه".into(),
        story: story.into(),
        private_notes: Some("قرارداد اجاره در پرونده است".into()),
        deadline: None,
        occasion: None,
    }
}

const CLEAN_STORY: &str =
    "مادری با سه فرزند که اجارهٔ سه ماه خانه را بدهکار است و صاحبخانه مهلت داده است.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intake_draft_verify_publish_withdraw() {
    for tdb in databases().await {
        let l = tdb.label;
        let w = world(&tdb.url).await;
        let db = &w.state.db;
        let sw = authed(db, email_of(Role::SocialWorker)).await;
        let manager = authed(db, email_of(Role::AssociationManager)).await;

        // Five families with the same public attributes in the home province: k is met.
        let mut families = Vec::new();
        for i in 0..5 {
            let f = intake_form(
                &w.home,
                "مریم کاظمی",
                &national_code(i),
                "09121234567",
                "4",
                "diyeh",
            );
            families.push(service::intake(&w.state, &sw, &f).await.unwrap());
        }
        // The same national code again is refused and nothing is added.
        let before = scalar(db, "SELECT COUNT(*) FROM families").await;
        let dup = intake_form(
            &w.home,
            "کسی دیگر",
            &national_code(0),
            "09121234567",
            "4",
            "diyeh",
        );
        let err = service::intake(&w.state, &sw, &dup).await.unwrap_err();
        assert_eq!(err.message_key(), "staff.family_exists", "{l}");
        assert_eq!(
            scalar(db, "SELECT COUNT(*) FROM families").await,
            before,
            "{l}"
        );
        // Exact look-up by national code goes through the blind index.
        assert_eq!(
            service::find_by_national_code(&w.state, &sw, &national_code(3))
                .await
                .unwrap(),
            Some(families[3].clone()),
            "{l}"
        );
        assert_eq!(
            service::find_by_national_code(&w.state, &sw, &national_code(99))
                .await
                .unwrap(),
            None,
            "{l}"
        );

        // A story with a phone number, or the family's own name, is blocked and nothing saved.
        let needs_before = scalar(db, "SELECT COUNT(*) FROM needs").await;
        for (story, kind) in [
            (
                "برای هماهنگی با ۰۹۱۲ ۱۲۳ ۴۵۶۷ تماس بگیرید؛ خانواده به کمک نیاز دارد.",
                PiiKind::Mobile,
            ),
            (
                "خانم کاظمی با سه فرزند اجارهٔ خانه را بدهکار است و مهلت کوتاه است.",
                PiiKind::Name,
            ),
            (
                "پدر خانواده در زندان مرکزی تهران است و خانواده برای اجاره مانده است.",
                PiiKind::Prison,
            ),
        ] {
            match service::draft_need(&w.state, &sw, &need_form(&families[0], "rent", story))
                .await
                .unwrap()
            {
                DraftOutcome::Blocked { findings } => {
                    assert!(
                        findings.iter().any(|f| f.kind == kind),
                        "{l}: {story}: {findings:?}"
                    )
                }
                other => panic!("{l}: {story}: not blocked: {other:?}"),
            }
        }
        assert_eq!(
            scalar(db, "SELECT COUNT(*) FROM needs").await,
            needs_before,
            "{l}"
        );

        // Fixed, it saves for verification; each family gets the same kind of need.
        let mut codes = Vec::new();
        for f in &families {
            match service::draft_need(&w.state, &sw, &need_form(f, "rent", CLEAN_STORY))
                .await
                .unwrap()
            {
                DraftOutcome::Saved { code } => codes.push(code),
                other => panic!("{l}: {other:?}"),
            }
        }
        let code = codes[0].clone();
        let status = |c: &str| format!("SELECT status FROM needs WHERE public_code = '{c}'");
        assert_eq!(
            strings(db, &status(&code)).await,
            vec!["awaiting_verification"],
            "{l}"
        );
        // Not public yet.
        assert_eq!(
            send(&w.app, get(&format!("/needs/{code}"), None))
                .await
                .status(),
            StatusCode::NOT_FOUND,
            "{l}"
        );

        // Four eyes: the author cannot verify their own draft.
        let err = service::verify_and_publish(&w.state, &sw, &code)
            .await
            .unwrap_err();
        assert_eq!(err.message_key(), "staff.four_eyes", "{l}");
        assert_eq!(
            strings(db, &status(&code)).await,
            vec!["awaiting_verification"],
            "{l}"
        );

        // The manager verifies: five families share the attributes, the province stays.
        match service::verify_and_publish(&w.state, &manager, &code)
            .await
            .unwrap()
        {
            PublishOutcome::Published {
                province_hidden, ..
            } => assert!(!province_hidden, "{l}"),
            other => panic!("{l}: {other:?}"),
        }
        assert_eq!(strings(db, &status(&code)).await, vec!["published"], "{l}");
        // Verifying twice is refused.
        assert!(
            service::verify_and_publish(&w.state, &manager, &code)
                .await
                .is_err(),
            "{l}"
        );

        // It is public and shows nothing personal.
        let res = send(&w.app, get(&format!("/needs/{code}"), None)).await;
        assert_eq!(res.status(), StatusCode::OK, "{l}");
        let html = body_text(res).await;
        assert!(html.contains(CLEAN_STORY), "{l}");
        for secret in [
            "مریم",
            "کاظمی",
            "09121234567",
            "۰۹۱۲",
            &national_code(0),
            "نسترن‌زار",
            "بهرام",
            "نرگس",
            "قرارداد اجاره",
        ] {
            assert!(!html.contains(secret), "{l}: public page shows {secret}");
        }

        // Withdrawing consent takes the card down at once.
        let taken = service::record_consent(&w.state, &sw, &families[0], false)
            .await
            .unwrap();
        assert_eq!(taken, 1, "{l}");
        assert_eq!(strings(db, &status(&code)).await, vec!["withdrawn"], "{l}");
        assert_eq!(
            send(&w.app, get(&format!("/needs/{code}"), None))
                .await
                .status(),
            StatusCode::NOT_FOUND,
            "{l}"
        );
        // Without consent, nothing of the family can publish.
        let other = codes[1].clone();
        service::record_consent(&w.state, &sw, &families[1], false)
            .await
            .unwrap();
        let err = service::verify_and_publish(&w.state, &manager, &other)
            .await
            .unwrap_err();
        assert_eq!(err.message_key(), "staff.no_consent", "{l}");

        // Every step is in the audit log, and the chain verifies.
        let v = app::audit::verify(db).await.unwrap();
        assert!(v.ok(), "{l}: {v:?}");
        assert!(v.entries >= 13, "{l}: {v:?}");
        let actions = strings(db, "SELECT action FROM audit_log ORDER BY id").await;
        for a in [
            "family.intake",
            "need.drafted",
            "need.published",
            "consent.withdrawn",
        ] {
            assert!(
                actions.iter().any(|x| x == a),
                "{l}: {a} missing from {actions:?}"
            );
        }
        tdb.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn k_anonymity_hides_the_province_or_holds_the_card() {
    for tdb in databases().await {
        let l = tdb.label;
        let w = world(&tdb.url).await;
        let db = &w.state.db;
        let admin = authed(db, email_of(Role::NationalAdmin)).await;
        let provinces: Vec<i64> = strings(db, "SELECT CAST(province_id AS TEXT) FROM prisons GROUP BY province_id ORDER BY province_id")
            .await
            .into_iter()
            .map(|s| s.parse().unwrap())
            .take(5)
            .collect();
        // One family per province with a rare attribute (an age band nobody else has).
        let mut needs = Vec::new();
        for (i, pid) in provinces.iter().enumerate() {
            let p = province(db, *pid).await;
            let f = service::intake(
                &w.state,
                &admin,
                &intake_form(
                    &p,
                    "زهرا رحیمی",
                    &national_code(100 + i as u32),
                    "09351234567",
                    "2",
                    "dower",
                ),
            )
            .await
            .unwrap();
            let DraftOutcome::Saved { code } =
                service::draft_need(&w.state, &admin, &need_form(&f, "medical", CLEAN_STORY))
                    .await
                    .unwrap()
            else {
                panic!("{l}: draft blocked");
            };
            exec(
                db,
                &format!("UPDATE needs SET age_band = 'k-test' WHERE public_code = '{code}'"),
            )
            .await;
            needs.push(code);
        }
        // Five nationally, one per province: published with the province hidden.
        let c = colleague_national(&w).await;
        match service::verify_and_publish(&w.state, &c, &needs[0])
            .await
            .unwrap()
        {
            PublishOutcome::Published {
                province_hidden, ..
            } => assert!(province_hidden, "{l}"),
            other => panic!("{l}: {other:?}"),
        }
        let hidden = scalar(
            db,
            &format!(
                "SELECT COUNT(*) FROM needs WHERE hide_province AND public_code = '{}'",
                needs[0]
            ),
        )
        .await;
        assert_eq!(hidden, 1, "{l}");
        // The public card of a hidden-province need does not name the province.
        let html = body_text(send(&w.app, get(&format!("/needs/{}", needs[0]), None)).await).await;
        let pname = strings(
            db,
            &format!("SELECT name_fa FROM provinces WHERE id = {}", provinces[0]),
        )
        .await[0]
            .clone();
        assert!(
            !html.contains(&format!(">{pname}<")),
            "{l}: hidden province shown"
        );

        // A card only four families share even nationally is held: nothing changes.
        exec(db, &format!("UPDATE needs SET age_band = 'k-rare' WHERE public_code IN ('{}', '{}', '{}', '{}')", needs[1], needs[2], needs[3], needs[4])).await;
        match service::verify_and_publish(&w.state, &c, &needs[1])
            .await
            .unwrap()
        {
            PublishOutcome::Held { families } => assert_eq!(families, 4, "{l}"),
            other => panic!("{l}: {other:?}"),
        }
        assert_eq!(
            strings(
                db,
                &format!(
                    "SELECT status FROM needs WHERE public_code = '{}'",
                    needs[1]
                )
            )
            .await,
            vec!["awaiting_verification"],
            "{l}"
        );
        tdb.drop_db().await;
    }
}

/// A national social worker (no scope rows) other than the admin who wrote the drafts.
async fn colleague_national(w: &World) -> Authed {
    let db = &w.state.db;
    if user_id_opt(db, "national.sw@test.karamat.ir")
        .await
        .is_none()
    {
        app::auth::ssr::create_user(
            db,
            app::auth::ssr::NewUser {
                email: Some("national.sw@test.karamat.ir"),
                display_name: "مددکار کشوری",
                password_hash: app::auth::ssr::DISABLED_PASSWORD.into(),
                role: Role::SocialWorker,
                locale: "fa",
            },
        )
        .await
        .unwrap();
    }
    authed(db, "national.sw@test.karamat.ir").await
}

async fn user_id_opt(db: &DatabaseConnection, email: &str) -> Option<i64> {
    strings(
        db,
        &format!("SELECT CAST(id AS TEXT) FROM users WHERE email = '{email}'"),
    )
    .await
    .first()
    .map(|s| s.parse().unwrap())
}

/// Posts a gift to a fund the way settlement does (gateway clearing → the fund), in one group.
async fn test_gift(db: &DatabaseConnection, to: app::ledger::Account, amount: i64) {
    use sea_orm::TransactionTrait;
    let txn = db.begin().await.unwrap();
    let gw = app::ledger::account_id(&txn, &app::ledger::Account::Gateway("sandbox".into()))
        .await
        .unwrap();
    let acct = app::ledger::account_id(&txn, &to).await.unwrap();
    app::ledger::post(
        &txn,
        app::ledger::Posting {
            kind: "gift",
            memo: "test gift",
            donation_id: None,
            created_by: None,
        },
        &[
            app::ledger::debit(gw, amount),
            app::ledger::credit(acct, amount),
        ],
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
}

/// Publishes a need and funds it exactly through the ledger, as a settled gift would.
async fn funded_need(
    w: &World,
    author: &Authed,
    verifier: &Authed,
    p: &Province,
    i: u32,
    goal_toman: &str,
) -> String {
    let f = service::intake(
        &w.state,
        author,
        &intake_form(
            p,
            "فاطمه نوری",
            &national_code(500 + i),
            "09131234567",
            "3",
            "debt",
        ),
    )
    .await
    .unwrap();
    let mut form = need_form(&f, "school", CLEAN_STORY);
    form.goal = goal_toman.into();
    let DraftOutcome::Saved { code } = service::draft_need(&w.state, author, &form).await.unwrap()
    else {
        panic!()
    };
    let db = &w.state.db;
    // Publish past the guards by making the crowd large enough for this test.
    exec(
        db,
        &format!(
            "UPDATE needs SET status = 'published', verifier_id = {} WHERE public_code = '{code}'",
            verifier.user_id
        ),
    )
    .await;
    let (id, goal): (i64, i64) = {
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT id, goal_rials FROM needs WHERE public_code = '{code}'"),
            ))
            .await
            .unwrap()
            .unwrap();
        (
            row.try_get_by_index(0).unwrap(),
            row.try_get_by_index(1).unwrap(),
        )
    };
    test_gift(db, app::ledger::Account::Need(id), goal).await;
    exec(db, &format!("UPDATE needs SET status = 'funded', funded_at = updated_at WHERE public_code = '{code}'")).await;
    code
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purchase_needs_two_people_above_the_threshold_and_delivery_tells_donors() {
    for tdb in databases().await {
        let l = tdb.label;
        let w = world(&tdb.url).await;
        let db = &w.state.db;
        let sw = authed(db, email_of(Role::SocialWorker)).await;
        let manager = authed(db, email_of(Role::AssociationManager)).await;
        let finance = authed(db, email_of(Role::FinanceOfficer)).await;
        // The seed has paid out what it shows as bought: count from here.
        let paid_before = scalar(
            db,
            "SELECT COUNT(*) FROM ledger_transactions WHERE kind = 'disbursement'",
        )
        .await;

        // Small: paid at once, one balanced ledger group from the need's fund.
        let small = funded_need(&w, &sw, &manager, &w.home, 1, "2000000").await;
        // The family's file shows what each need holds (one grouped query for all its needs).
        let fam = strings(db, &format!("SELECT f.public_code FROM families f JOIN needs n ON n.family_id = f.id WHERE n.public_code = '{small}'")).await[0].clone();
        let file = service::family_file(&w.state, &sw, &fam).await.unwrap();
        let held = file.needs.iter().find(|n| n.code == small).unwrap();
        assert_eq!(held.balance_rials, 20_000_000, "{l}");
        assert_eq!(held.balance_rials, held.goal_rials, "{l}");
        let out = service::record_purchase(
            &w.state,
            &finance,
            &small,
            "school",
            "لوازم‌التحریر نمونه",
            "فاکتور ۱۲۳",
        )
        .await
        .unwrap();
        assert!(matches!(out, FulfilOutcome::Paid { .. }), "{l}: {out:?}");
        assert_eq!(
            strings(
                db,
                &format!("SELECT status FROM needs WHERE public_code = '{small}'")
            )
            .await,
            vec!["purchased"],
            "{l}"
        );
        let need_id = scalar(
            db,
            &format!("SELECT id FROM needs WHERE public_code = '{small}'"),
        )
        .await;
        let acct = app::ledger::account_id(db, &app::ledger::Account::Need(need_id))
            .await
            .unwrap();
        assert_eq!(
            app::ledger::fund_balance(db, acct).await.unwrap(),
            0,
            "{l}: the fund was paid out"
        );
        assert_eq!(
            scalar(
                db,
                "SELECT COUNT(*) FROM ledger_transactions WHERE kind = 'disbursement'"
            )
            .await,
            paid_before + 1,
            "{l}"
        );
        let h = app::ledger::health(db).await.unwrap();
        assert!(h.negative_funds.is_empty(), "{l}: {h:?}");

        // Delivery with a text that names the family is blocked; a redacted one goes to donors.
        exec(db, &format!(
            "INSERT INTO donations (tracking_code, target_kind, need_id, amount_rials, overflow_rials, anonymous, contact_enc, key_id, status, gateway, idempotency_key, created_at) \
             SELECT 'T-DELIV', 'need', id, 1000, 0, TRUE, NULL, 'dev', 'settled', 'sandbox', 'idem-deliv', created_at FROM needs WHERE public_code = '{small}'"
        )).await;
        let sealed = w
            .state
            .sealer
            .seal("donations.contact", "donor@example.org");
        let backend = db.get_database_backend();
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            match backend {
                sea_orm::DatabaseBackend::Postgres => {
                    "UPDATE donations SET contact_enc = $1 WHERE tracking_code = 'T-DELIV'"
                }
                _ => "UPDATE donations SET contact_enc = ? WHERE tracking_code = 'T-DELIV'",
            },
            [sealed.into()],
        ))
        .await
        .unwrap();
        match service::record_delivery(
            &w.state,
            &finance,
            &small,
            "لوازم به فاطمه نوری تحویل شد و بچه‌ها خوشحال‌اند",
        )
        .await
        .unwrap()
        {
            DraftOutcome::Blocked { findings } => {
                assert!(findings.iter().any(|f| f.kind == PiiKind::Name), "{l}")
            }
            other => panic!("{l}: {other:?}"),
        }
        assert_eq!(
            scalar(db, "SELECT COUNT(*) FROM impact_updates").await,
            0,
            "{l}"
        );
        let outbox_before = scalar(
            db,
            "SELECT COUNT(*) FROM notification_outbox WHERE template = 'need_delivered'",
        )
        .await;
        let out = service::record_delivery(
            &w.state,
            &finance,
            &small,
            "لوازم‌التحریر سال تحصیلی به خانواده تحویل شد.",
        )
        .await
        .unwrap();
        assert!(matches!(out, DraftOutcome::Saved { .. }), "{l}");
        assert_eq!(
            strings(
                db,
                &format!("SELECT status FROM needs WHERE public_code = '{small}'")
            )
            .await,
            vec!["delivered"],
            "{l}"
        );
        assert_eq!(
            scalar(db, "SELECT COUNT(*) FROM impact_updates").await,
            1,
            "{l}"
        );
        assert_eq!(
            scalar(
                db,
                "SELECT COUNT(*) FROM notification_outbox WHERE template = 'need_delivered'"
            )
            .await,
            outbox_before + 1,
            "{l}"
        );
        // The donor sees the update on their receipt; the public need page does not carry it.
        let token = app::giving::settlement::receipt_token(&w.state, "T-DELIV");
        let receipt =
            body_text(send(&w.app, get(&format!("/receipt/T-DELIV?t={token}"), None)).await).await;
        assert!(
            receipt.contains("لوازم‌التحریر سال تحصیلی به خانواده تحویل شد."),
            "{l}: the donor does not see the update"
        );
        let public = body_text(send(&w.app, get(&format!("/needs/{small}"), None)).await).await;
        assert!(
            !public.contains("لوازم‌التحریر سال تحصیلی به خانواده تحویل شد."),
            "{l}: the update is public"
        );
        // Delivering twice is refused.
        assert!(
            service::record_delivery(&w.state, &finance, &small, "دوباره تحویل شد به خانواده.")
                .await
                .is_err(),
            "{l}"
        );

        // Large: waits for a manager; the requester cannot approve their own.
        let large = funded_need(&w, &sw, &manager, &w.home, 2, "60000000").await;
        let FulfilOutcome::AwaitingApproval { disbursement } = service::record_purchase(
            &w.state,
            &finance,
            &large,
            "vendor",
            "فروشگاه نمونه",
            "فاکتور ۹۹",
        )
        .await
        .unwrap() else {
            panic!("{l}: large disbursement paid without approval");
        };
        assert_eq!(
            scalar(
                db,
                "SELECT COUNT(*) FROM ledger_transactions WHERE kind = 'disbursement'"
            )
            .await,
            paid_before + 1,
            "{l}: nothing paid yet"
        );
        // A second request while one waits is refused.
        assert!(
            service::record_purchase(
                &w.state,
                &finance,
                &large,
                "vendor",
                "فروشگاه نمونه",
                "فاکتور ۱۰۰"
            )
            .await
            .is_err(),
            "{l}"
        );
        let err = service::approve(&w.state, &finance, &disbursement)
            .await
            .unwrap_err();
        assert_eq!(err.message_key(), "staff.four_eyes", "{l}");
        let out = service::approve(&w.state, &manager, &disbursement)
            .await
            .unwrap();
        assert!(matches!(out, FulfilOutcome::Paid { .. }), "{l}");
        assert_eq!(
            scalar(
                db,
                "SELECT COUNT(*) FROM ledger_transactions WHERE kind = 'disbursement'"
            )
            .await,
            paid_before + 2,
            "{l}"
        );
        assert!(
            service::approve(&w.state, &manager, &disbursement)
                .await
                .is_err(),
            "{l}: paid twice"
        );
        assert_eq!(
            strings(
                db,
                &format!("SELECT status FROM needs WHERE public_code = '{large}'")
            )
            .await,
            vec!["purchased"],
            "{l}"
        );
        assert!(app::audit::verify(db).await.unwrap().ok(), "{l}");
        tdb.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personal_values_are_not_in_the_database_in_plain_text() {
    let tdb = databases().await.remove(0); // the SQLite file: its bytes can be read
    let w = world(&tdb.url).await;
    let sw = authed(&w.state.db, email_of(Role::SocialWorker)).await;
    let nc = national_code(4242);
    let mut f = intake_form(&w.home, "شهرزاد یگانه‌پور", &nc, "09187776655", "3", "debt");
    f.address = Some("بلوار نمونه‌آباد، پلاک ۷۷".into());
    f.members = Some("سیاوش یگانه‌پور".into());
    f.prisoner_name = "کیومرث یگانه‌پور".into();
    let code = service::intake(&w.state, &sw, &f).await.unwrap();
    // Reading them back works for a permitted person, and is audited.
    let p = service::read_personal(&w.state, &sw, &code).await.unwrap();
    assert_eq!(p.head_name, "شهرزاد یگانه‌پور");
    assert_eq!(p.national_code.as_deref(), Some(nc.as_str()));
    assert_eq!(
        p.members
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>(),
        ["سیاوش یگانه‌پور"]
    );
    assert_eq!(p.prisoner_name.as_deref(), Some("کیومرث یگانه‌پور"));
    assert!(strings(&w.state.db, "SELECT action FROM audit_log")
        .await
        .contains(&"personal.read".to_string()));
    w.state
        .db
        .execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
        .await
        .unwrap();
    let path = tdb
        .url
        .trim_start_matches("sqlite://")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let mut bytes = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(format!("{path}-wal")) {
        bytes.extend(wal);
    }
    for secret in [
        "یگانه‌پور",
        "شهرزاد",
        &nc,
        "09187776655",
        "نمونه‌آباد",
        "کیومرث",
    ] {
        assert!(
            !bytes
                .windows(secret.len())
                .any(|win| win == secret.as_bytes()),
            "{secret} is in the database file in plain text"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_verify_catches_an_edit_a_deletion_and_a_cut_tail() {
    for tdb in databases().await {
        let l = tdb.label;
        let w = world(&tdb.url).await;
        let db = &w.state.db;
        let sw = authed(db, email_of(Role::SocialWorker)).await;
        for i in 0..4 {
            service::intake(
                &w.state,
                &sw,
                &intake_form(
                    &w.home,
                    "لیلا صالحی",
                    &national_code(900 + i),
                    "09121112233",
                    "2",
                    "debt",
                ),
            )
            .await
            .unwrap();
        }
        assert_eq!(
            app::audit::verify(db).await.unwrap(),
            app::audit::Verification {
                entries: 4,
                problem: None
            },
            "{l}"
        );
        let ids: Vec<i64> = strings(db, "SELECT CAST(id AS TEXT) FROM audit_log ORDER BY id")
            .await
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();

        // The command agrees (run the real binary against this database).
        let run = |url: &str| {
            std::process::Command::new(env!("CARGO_BIN_EXE_karamat"))
                .arg("audit-verify")
                .env("KARAMAT_ENV", "dev")
                .env("DATABASE_URL", url)
                .env("RUST_LOG", "error")
                .output()
                .unwrap()
        };
        let ok = run(&tdb.url);
        assert!(
            ok.status.success(),
            "{l}: {}",
            String::from_utf8_lossy(&ok.stdout)
        );

        // An edited detail.
        exec(
            db,
            &format!("UPDATE audit_log SET detail = '{{}}' WHERE id = {}", ids[1]),
        )
        .await;
        let v = app::audit::verify(db).await.unwrap();
        assert_eq!(v.problem.as_ref().map(|p| p.0), Some(ids[1]), "{l}: {v:?}");
        let out = run(&tdb.url);
        assert!(!out.status.success(), "{l}: the command missed an edit");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(&format!("entry {}", ids[1])),
            "{l}"
        );
        exec(db, &format!("DELETE FROM audit_log WHERE id = {}", ids[1])).await;
        // A deleted middle entry: the next one no longer links.
        let v = app::audit::verify(db).await.unwrap();
        assert_eq!(v.problem.as_ref().map(|p| p.0), Some(ids[2]), "{l}: {v:?}");
        // A cut tail only: the head row notices.
        world_fresh_chain(&w, &sw).await;
        let last = scalar(db, "SELECT MAX(id) FROM audit_log").await;
        exec(db, &format!("DELETE FROM audit_log WHERE id >= {}", ids[1])).await;
        let v = app::audit::verify(db).await.unwrap();
        assert_eq!(
            v.problem.as_ref().map(|p| p.0),
            Some(0),
            "{l}: a cut tail went unnoticed: {v:?} (last was {last})"
        );
        tdb.drop_db().await;
    }
}

async fn world_fresh_chain(w: &World, sw: &Authed) {
    service::record_consent(
        &w.state,
        sw,
        &strings(
            &w.state.db,
            "SELECT public_code FROM families WHERE created_by IS NOT NULL ORDER BY id DESC",
        )
        .await[0],
        true,
    )
    .await
    .unwrap();
}

// ---------------------------------------------------------------- the access matrix

/// Records of one scope that every staff function can be pointed at.
struct Records {
    family: String,
    draft: String,
    funded: String,
    purchased: String,
    disbursement: String,
    province: Province,
    prisoner: String,
    campaign_draft: String,
    campaign_verified: String,
    campaign_funded: String,
    campaign_paid: String,
    campaign_released: String,
    /// Match offers of the province: one waiting for approval, one matching, one whose sponsor
    /// owes for matched gifts.
    offer_proposed: String,
    offer_active: String,
    offer_owing: String,
}

/// A match offer of province `p` in `status`, recorded by the demo social worker (so every
/// approver is a second person), `matched` rials already drawn.
async fn offer_row(
    db: &DatabaseConnection,
    p: &Province,
    i: u32,
    status: app::giving::matching::MatchOfferStatus,
    matched: i64,
) -> String {
    use app::platform::entity::match_offer;
    use sea_orm::{EntityTrait, Set};
    let code = format!("M-T{i}{}", status.as_str().to_uppercase());
    let now = chrono::Utc::now();
    match_offer::Entity::insert(match_offer::ActiveModel {
        public_code: Set(code.clone()),
        sponsor_name: Set("شرکت همراه".into()),
        sponsor_contact_enc: Set(None),
        key_id: Set("dev".into()),
        ratio: Set(1),
        scope: Set(app::giving::matching::MatchScope::Province),
        scope_value: Set(p.code.clone()),
        province_id: Set(Some(p.id)),
        cap_rials: Set(10_000_000_000),
        matched_rials: Set(matched),
        received_rials: Set(0),
        ends_on: Set(app::giving::matching_service::today() + chrono::Duration::days(30)),
        status: Set(status),
        proposed_by: Set(user_id(db, email_of(Role::SocialWorker)).await),
        decided_by: Set(None),
        created_at: Set(now),
        decided_at: Set(None),
        closed_at: Set(None),
        close_reason: Set(None),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await
    .unwrap();
    code
}

async fn records(w: &World, p: &Province, i: u32) -> Records {
    let admin = authed(&w.state.db, email_of(Role::NationalAdmin)).await;
    let verifier = colleague_national(w).await;
    let db = &w.state.db;
    let family = service::intake(
        &w.state,
        &admin,
        &intake_form(
            p,
            "ناهید فراهانی",
            &national_code(700 + i),
            "09121231234",
            "3",
            "debt",
        ),
    )
    .await
    .unwrap();
    let DraftOutcome::Saved { code: draft } =
        service::draft_need(&w.state, &admin, &need_form(&family, "food", CLEAN_STORY))
            .await
            .unwrap()
    else {
        panic!()
    };
    let funded = funded_need(w, &admin, &verifier, p, 710 + i, "2000000").await;
    let purchased = funded_need(w, &admin, &verifier, p, 720 + i, "2000000").await;
    service::record_purchase(
        &w.state,
        &admin,
        &purchased,
        "vendor",
        "فروشگاه",
        "فاکتور ۱",
    )
    .await
    .unwrap();
    let big = funded_need(w, &admin, &verifier, p, 730 + i, "90000000").await;
    let FulfilOutcome::AwaitingApproval { disbursement } =
        service::record_purchase(&w.state, &admin, &big, "vendor", "فروشگاه", "فاکتور ۲")
            .await
            .unwrap()
    else {
        panic!()
    };
    let _ = db;
    let prisoner = prisoner_of(w, &family).await;
    let campaign_draft = campaign_at(w, &admin, &verifier, p, 800 + i, "draft").await;
    let campaign_verified = campaign_at(w, &admin, &verifier, p, 810 + i, "verified").await;
    let campaign_funded = campaign_at(w, &admin, &verifier, p, 820 + i, "funded").await;
    let campaign_paid = campaign_at(w, &admin, &verifier, p, 830 + i, "paid_to_court").await;
    let campaign_released = campaign_at(w, &admin, &verifier, p, 840 + i, "released").await;
    use app::giving::matching::MatchOfferStatus as M;
    let offer_proposed = offer_row(db, p, i, M::Proposed, 0).await;
    let offer_active = offer_row(db, p, i, M::Active, 0).await;
    let offer_owing = offer_row(db, p, 10 + i, M::Closed, 1_000_000_000).await;
    Records {
        family,
        draft,
        funded,
        purchased,
        disbursement,
        province: p.clone(),
        prisoner,
        campaign_draft,
        campaign_verified,
        campaign_funded,
        campaign_paid,
        campaign_released,
        offer_proposed,
        offer_active,
        offer_owing,
    }
}

/// A staff server function, the permission it needs, and its body for a scope's records
/// (`None` for functions without a record).
struct Endpoint {
    path: &'static str,
    permission: Permission,
    body: fn(&Records, u32) -> Option<String>,
}

fn enc(s: &str) -> String {
    app::ui::encode_query_value(s)
}

fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            path: "/api/staff/queues",
            permission: Permission::ViewCases,
            body: |_, _| None,
        },
        Endpoint {
            path: "/api/staff/families",
            permission: Permission::ViewCases,
            body: |_, _| None,
        },
        Endpoint {
            path: "/api/staff/intake-options",
            permission: Permission::IntakeFamily,
            body: |_, _| None,
        },
        Endpoint {
            path: "/api/staff/intake",
            permission: Permission::IntakeFamily,
            body: |r, n| {
                Some(format!(
                    "form[province]={}&form[prison]={}&form[head_name]={}&form[national_code]={}&form[household_size]=3&form[prisoner_name]={}&form[offence]=debt",
                    r.province.code,
                    r.province.prison_code,
                    enc("پروین مرادی"),
                    national_code(10_000 + n),
                    enc("رضا مرادی")
                ))
            },
        },
        Endpoint {
            path: "/api/staff/family",
            permission: Permission::ViewCases,
            body: |r, _| Some(format!("code={}", r.family)),
        },
        Endpoint {
            path: "/api/staff/personal",
            permission: Permission::ReadPersonal,
            body: |r, _| Some(format!("code={}", r.family)),
        },
        Endpoint {
            path: "/api/staff/consent",
            permission: Permission::RecordConsent,
            body: |r, _| Some(format!("code={}&publish=true", r.family)),
        },
        Endpoint {
            path: "/api/staff/draft-need",
            permission: Permission::DraftNeed,
            body: |r, _| {
                Some(format!(
                    "form[family]={}&form[category]=food&form[goal]=1000000&form[title]={}&form[story]={}",
                    r.family,
                    enc("سبد غذای یک ماه"),
                    enc(CLEAN_STORY)
                ))
            },
        },
        Endpoint {
            path: "/api/staff/edit-need",
            permission: Permission::DraftNeed,
            body: |r, n| {
                Some(format!(
                    "form[code]={}&form[goal]={}&form[title]={}&form[story]={}",
                    r.draft,
                    1_000_000 + n,
                    enc("سبد غذای یک ماه"),
                    enc(CLEAN_STORY)
                ))
            },
        },
        Endpoint {
            path: "/api/staff/add-member",
            permission: Permission::IntakeFamily,
            body: |r, _| {
                Some(format!(
                    "form[family]={}&form[name]={}&form[relation]=child&form[birth_year]=1398",
                    r.family,
                    enc("سارا فراهانی")
                ))
            },
        },
        Endpoint {
            path: "/api/staff/add-document",
            permission: Permission::IntakeFamily,
            body: |r, _| {
                Some(format!(
                    "family={}&kind=lease&reference={}",
                    r.family,
                    enc("بایگانی، پروندهٔ ۷۰۱")
                ))
            },
        },
        Endpoint {
            path: "/api/staff/need",
            permission: Permission::ViewCases,
            body: |r, _| Some(format!("code={}", r.draft)),
        },
        Endpoint {
            path: "/api/staff/verify-need",
            permission: Permission::VerifyNeed,
            body: |r, _| Some(format!("code={}", r.draft)),
        },
        Endpoint {
            path: "/api/staff/purchase",
            permission: Permission::Fulfil,
            body: |r, _| {
                Some(format!(
                    "code={}&payee_kind=vendor&payee_name={}&evidence={}",
                    r.funded,
                    enc("فروشگاه"),
                    enc("فاکتور ۳")
                ))
            },
        },
        Endpoint {
            path: "/api/staff/approve",
            permission: Permission::ApproveDisbursement,
            body: |r, _| Some(format!("code={}", r.disbursement)),
        },
        Endpoint {
            path: "/api/staff/deliver",
            permission: Permission::Fulfil,
            body: |r, _| {
                Some(format!(
                    "code={}&update={}",
                    r.purchased,
                    enc("سبد غذا به خانواده تحویل شد.")
                ))
            },
        },
        Endpoint {
            path: "/api/staff/audit",
            permission: Permission::ReadAudit,
            body: |_, _| None,
        },
        Endpoint {
            // One province's months: in scope or "not found".
            path: "/api/staff/kpis",
            permission: Permission::ViewCases,
            body: |r, _| Some(format!("province={}", r.province.code)),
        },
        Endpoint {
            path: "/api/staff/kpis-refresh",
            permission: Permission::ViewCases,
            body: |_, _| None,
        },
        Endpoint {
            path: "/api/staff/campaign-draft",
            permission: Permission::DraftCampaign,
            body: |r, _| Some(campaign_body(&r.prisoner)),
        },
        Endpoint {
            path: "/api/staff/campaign",
            permission: Permission::ViewCases,
            body: |r, _| Some(format!("code={}", r.campaign_draft)),
        },
        Endpoint {
            path: "/api/staff/campaign-verify",
            permission: Permission::VerifyCampaign,
            body: |r, _| Some(format!("code={}", r.campaign_draft)),
        },
        Endpoint {
            path: "/api/staff/campaign-publish",
            permission: Permission::VerifyCampaign,
            body: |r, _| Some(format!("code={}", r.campaign_verified)),
        },
        Endpoint {
            path: "/api/staff/campaign-pay",
            permission: Permission::Fulfil,
            body: |r, _| {
                Some(format!(
                    "code={}&court_ref={}",
                    r.campaign_funded,
                    enc("واریز ۷۷۱")
                ))
            },
        },
        Endpoint {
            path: "/api/staff/campaign-release",
            permission: Permission::RecordRelease,
            body: |r, _| Some(format!("code={}&date=2026-11-01", r.campaign_paid)),
        },
        Endpoint {
            // Recording consent (withdrawal would take the other rows' campaigns down).
            path: "/api/staff/campaign-consent",
            permission: Permission::RecordConsent,
            body: |r, _| Some(format!("code={}&consent=true", r.campaign_draft)),
        },
        Endpoint {
            // A little more each time, so every allowed call changes something.
            path: "/api/staff/campaign-forgiveness",
            permission: Permission::DraftCampaign,
            body: |r, n| {
                Some(format!(
                    "code={}&forgiveness={}&evidence={}",
                    r.campaign_draft,
                    20_000_000 + n,
                    enc("نامهٔ طلبکار ۳")
                ))
            },
        },
        Endpoint {
            path: "/api/staff/campaign-close",
            permission: Permission::RecordRelease,
            body: |r, _| Some(format!("code={}", r.campaign_released)),
        },
        Endpoint {
            path: "/api/staff/match-offers",
            permission: Permission::Fulfil,
            body: |_, _| None,
        },
        Endpoint {
            // A province's offer: in scope of that province's staff only.
            path: "/api/staff/propose-match-offer",
            permission: Permission::Fulfil,
            body: |r, n| {
                Some(format!(
                    "form[sponsor_name]={}&form[ratio]=1&form[scope]=province&form[province]={}&form[cap]={}&form[ends_on]={}",
                    enc("شرکت همراه"),
                    r.province.code,
                    1_000_000 + n,
                    app::giving::matching_service::today() + chrono::Duration::days(30)
                ))
            },
        },
        Endpoint {
            path: "/api/staff/decide-match-offer",
            permission: Permission::ApproveDisbursement,
            body: |r, _| Some(format!("code={}&approve=true", r.offer_proposed)),
        },
        Endpoint {
            path: "/api/staff/close-match-offer",
            permission: Permission::ApproveDisbursement,
            body: |r, _| Some(format!("code={}", r.offer_active)),
        },
        Endpoint {
            path: "/api/staff/sponsorships",
            permission: Permission::ViewCases,
            body: |_, _| None,
        },
        Endpoint {
            path: "/api/staff/open-sponsorship",
            permission: Permission::DraftNeed,
            body: |r, _| {
                Some(format!(
                    "code={}&kind=rent&story={}",
                    r.family,
                    enc(CLEAN_STORY)
                ))
            },
        },
        Endpoint {
            path: "/api/staff/sponsor-report",
            permission: Permission::DraftNeed,
            body: |r, _| Some(format!("code={}&body={}", r.family, enc(CLEAN_STORY))),
        },
        Endpoint {
            path: "/api/staff/match-payment",
            permission: Permission::Fulfil,
            body: |r, _| Some(format!("code={}&amount=1000", r.offer_owing)),
        },
    ]
}

/// A fingerprint of everything a staff function can change (other than the audit log).
async fn fingerprint(db: &DatabaseConnection) -> String {
    let mut out = String::new();
    for sql in [
        "SELECT COUNT(*) FROM families",
        "SELECT COUNT(*) FROM needs",
        "SELECT COUNT(*) FROM needs WHERE status = 'published'",
        "SELECT COUNT(*) FROM needs WHERE status = 'purchased'",
        "SELECT COUNT(*) FROM needs WHERE status = 'delivered'",
        "SELECT COUNT(*) FROM families WHERE consent_publish",
        "SELECT COUNT(*) FROM disbursements",
        "SELECT COUNT(*) FROM disbursements WHERE status = 'paid'",
        "SELECT COUNT(*) FROM ledger_entries",
        "SELECT COUNT(*) FROM impact_updates",
        "SELECT COUNT(*) FROM audit_log WHERE action = 'personal.read'",
        "SELECT COUNT(*) FROM release_campaigns",
        "SELECT COUNT(*) FROM release_campaigns WHERE status IN ('verified', 'published', 'paid_to_court', 'released', 'closed')",
        "SELECT COUNT(*) FROM release_campaigns WHERE status = 'closed'",
        "SELECT COUNT(*) FROM household_members",
        "SELECT COUNT(*) FROM family_documents",
        "SELECT CAST(COALESCE(SUM(goal_rials), 0) AS BIGINT) FROM needs",
        "SELECT CAST(COALESCE(SUM(author_id), 0) AS BIGINT) FROM needs",
        "SELECT CAST(COALESCE(SUM(forgiveness_rials), 0) AS BIGINT) FROM release_campaigns",
        "SELECT COUNT(*) FROM release_campaigns WHERE withdrawn_at IS NOT NULL",
        "SELECT COUNT(*) FROM needs WHERE withdrawn_at IS NOT NULL",
        "SELECT COUNT(*) FROM prisoners WHERE consent_campaign",
        "SELECT COUNT(*) FROM match_offers",
        "SELECT COUNT(*) FROM match_offers WHERE status = 'active'",
        "SELECT CAST(COALESCE(SUM(received_rials), 0) AS BIGINT) FROM match_offers",
        "SELECT COUNT(*) FROM families WHERE sponsor_story IS NOT NULL",
        "SELECT COUNT(*) FROM sponsor_reports",
    ] {
        out.push_str(&scalar(db, sql).await.to_string());
        out.push(',');
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_matrix_every_staff_function_role_and_scope() {
    for tdb in databases().await {
        let l = tdb.label;
        let w = world(&tdb.url).await;
        let db = &w.state.db;
        let home = records(&w, &w.home.clone(), 1).await;
        let away = records(&w, &w.away.clone(), 2).await;
        let eps = endpoints();

        // The matrix covers every staff server function there is.
        let registered: std::collections::BTreeSet<String> =
            leptos::server_fn::axum::server_fn_paths()
                .map(|(p, _)| p.to_string())
                .filter(|p| p.starts_with("/api/staff/"))
                .collect();
        let covered: std::collections::BTreeSet<String> =
            eps.iter().map(|e| e.path.to_string()).collect();
        assert_eq!(
            registered, covered,
            "a staff server function is missing from the access matrix"
        );

        let mut n = 0u32;
        let mut checked = 0;
        for (role, email, _) in DEMO_ACCOUNTS {
            let who = authed(db, email).await;
            let cookie = cookie_for(&w, email).await;
            for ep in &eps {
                for recs in [&home, &away] {
                    n += 1;
                    let in_scope = who.covers(recs.province.id, Some(recs.province.prison_id))
                        && role.is_staff();
                    let body = (ep.body)(recs, n);
                    let has_record = body.is_some()
                        && !matches!(
                            ep.path,
                            "/api/staff/queues"
                                | "/api/staff/intake-options"
                                | "/api/staff/audit"
                                | "/api/staff/kpis-refresh"
                        );
                    let allowed = ep.permission.allows(role) && (!has_record || in_scope);
                    let before = fingerprint(db).await;
                    let mut req = post_form(ep.path, &body.unwrap_or_default(), Some(&cookie));
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
                        "{l}: {role:?} {} on {} records → {status} {text}",
                        ep.path, recs.province.code
                    );
                    if refused {
                        assert_eq!(
                            fingerprint(db).await,
                            before,
                            "{l}: a refused {role:?} {} changed something",
                            ep.path
                        );
                        // Nothing personal in a refusal.
                        assert!(!text.contains("ناهید") && !text.contains("فراهانی"), "{l}");
                    } else {
                        assert!(
                            status.is_success()
                                || status.is_redirection()
                                || status == StatusCode::UNPROCESSABLE_ENTITY,
                            "{l}: {role:?} {} → {status} {text}",
                            ep.path
                        );
                    }
                    // Anyone may read public data, nobody non-staff may see personal fields.
                    if ep.path == "/api/staff/personal" && !allowed {
                        assert!(!text.contains("09121231234"), "{l}");
                    }
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, DEMO_ACCOUNTS.len() * eps.len() * 2);
        // Without a session: 401 everywhere, nothing changed.
        let before = fingerprint(db).await;
        for ep in &eps {
            let mut req = post_form(ep.path, &(ep.body)(&home, 0).unwrap_or_default(), None);
            req.headers_mut()
                .insert(header::ACCEPT, "application/json".parse().unwrap());
            assert_eq!(
                send(&w.app, req).await.status(),
                StatusCode::UNAUTHORIZED,
                "{l}: {}",
                ep.path
            );
        }
        assert_eq!(fingerprint(db).await, before, "{l}");
        // Refusals were written to the audit log, and the chain still verifies.
        assert!(
            scalar(
                db,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'access.denied'"
            )
            .await
                > 20,
            "{l}"
        );
        assert!(app::audit::verify(db).await.unwrap().ok(), "{l}");
        let _ = Config::for_tests(&tdb.url);
        tdb.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_must_enrol_two_factor_before_any_staff_work() {
    for tdb in databases().await {
        let l = tdb.label;
        let w = world(&tdb.url).await;
        let db = &w.state.db;
        let hash = app::auth::ssr::hash_password("a-long-staff-password").unwrap();
        app::auth::ssr::create_user(
            db,
            app::auth::ssr::NewUser {
                email: Some("new.staff@test.karamat.ir"),
                display_name: "کارمند تازه",
                password_hash: hash,
                role: Role::FinanceOfficer,
                locale: "fa",
            },
        )
        .await
        .unwrap();
        let json = |mut r: axum::http::Request<axum::body::Body>| {
            r.headers_mut()
                .insert(header::ACCEPT, "application/json".parse().unwrap());
            r
        };
        // Password alone signs in (so enrolment can happen), but no staff work is allowed.
        let body = "email=new.staff%40test.karamat.ir&password=a-long-staff-password";
        let res = send(&w.app, post_form("/api/auth/sign-in", body, None)).await;
        let cookie = set_cookie(&res, "karamat_session").expect("session");
        let res = send(
            &w.app,
            json(post_form("/api/staff/queues", "", Some(&cookie))),
        )
        .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{l}");
        assert!(body_text(res).await.contains("TwoFactorRequired"), "{l}");

        // Enrol: a secret and its QR code, then a first code confirms and returns recovery codes.
        let res = send(
            &w.app,
            json(post_form("/api/auth/totp-begin", "", Some(&cookie))),
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK, "{l}");
        let en: serde_json::Value = serde_json::from_str(&body_text(res).await).unwrap();
        let secret = en["secret"].as_str().unwrap().to_string();
        assert!(en["qr_svg"].as_str().unwrap().contains("<svg"), "{l}");
        assert!(
            en["url"]
                .as_str()
                .unwrap()
                .starts_with("otpauth://totp/Karamat:"),
            "{l}"
        );
        let sealed = strings(db, "SELECT email FROM users WHERE totp_secret_enc IS NOT NULL AND email = 'new.staff@test.karamat.ir'").await;
        assert_eq!(sealed.len(), 1, "{l}: the secret is stored (sealed)");
        let wrong = send(
            &w.app,
            json(post_form(
                "/api/auth/totp-confirm",
                "code=000000",
                Some(&cookie),
            )),
        )
        .await;
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY, "{l}");
        let now = chrono::Utc::now().timestamp() as u64;
        let code = app::auth::totp::code_at(&secret, now).unwrap();
        let res = send(
            &w.app,
            json(post_form(
                "/api/auth/totp-confirm",
                &format!("code={code}"),
                Some(&cookie),
            )),
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK, "{l}");
        let codes: Vec<String> = serde_json::from_str(&body_text(res).await).unwrap();
        assert_eq!(codes.len(), 10, "{l}");
        assert!(
            strings(db, "SELECT action FROM audit_log")
                .await
                .contains(&"account.two_factor_enabled".to_string()),
            "{l}"
        );

        // Now staff work is allowed on this session.
        let res = send(
            &w.app,
            json(post_form("/api/staff/queues", "", Some(&cookie))),
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK, "{l}");

        // Signing in again needs a code; the code just used for enrolment is spent.
        let res = send(&w.app, json(post_form("/api/auth/sign-in", body, None))).await;
        assert!(body_text(res).await.contains("auth.code_required"), "{l}");
        let res = send(
            &w.app,
            json(post_form(
                "/api/auth/sign-in",
                &format!("{body}&code={code}"),
                None,
            )),
        )
        .await;
        assert!(
            set_cookie(&res, "karamat_session").is_none(),
            "{l}: a spent code worked"
        );
        // A recovery code works once (any case, without the dash).
        let rc = codes[3].to_lowercase().replace('-', "");
        let res = send(
            &w.app,
            json(post_form(
                "/api/auth/sign-in",
                &format!("{body}&code={rc}"),
                None,
            )),
        )
        .await;
        assert!(
            set_cookie(&res, "karamat_session").is_some(),
            "{l}: recovery code refused"
        );
        let res = send(
            &w.app,
            json(post_form(
                "/api/auth/sign-in",
                &format!("{body}&code={rc}"),
                None,
            )),
        )
        .await;
        assert!(
            set_cookie(&res, "karamat_session").is_none(),
            "{l}: a recovery code worked twice"
        );
        tdb.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn field_keys_rotate_and_the_old_key_no_longer_opens() {
    for tdb in databases().await {
        let l = tdb.label;
        let w = world(&tdb.url).await;
        let db = &w.state.db;
        let sw = authed(db, email_of(Role::SocialWorker)).await;
        let code = service::intake(
            &w.state,
            &sw,
            &intake_form(
                &w.home,
                "رعنا شریفی",
                &national_code(3131),
                "09351112233",
                "3",
                "debt",
            ),
        )
        .await
        .unwrap();
        let new_key = [42u8; 32];
        let rotating =
            app::privacy::Sealer::new("k2026", new_key, *b"karamat-dev-blind-key-not-secret")
                .with_old_key("dev", *b"karamat-dev-field-key-not-secret");
        let report = app::privacy::rotation::rotate(db, &rotating).await.unwrap();
        let families = report.iter().find(|(t, _)| t == "families").unwrap().1;
        assert!(families > 10, "{l}: {report:?}");
        assert_eq!(
            scalar(db, "SELECT COUNT(*) FROM families WHERE key_id <> 'k2026'").await,
            0,
            "{l}"
        );
        assert_eq!(
            scalar(db, "SELECT COUNT(*) FROM prisoners WHERE key_id <> 'k2026'").await,
            0,
            "{l}"
        );
        // Running again has nothing left to do (users' secrets are always re-sealed).
        let again = app::privacy::rotation::rotate(db, &rotating).await.unwrap();
        assert!(
            again
                .iter()
                .filter(|(t, _)| t != "users")
                .all(|(_, n)| *n == 0),
            "{l}: {again:?}"
        );
        // Only the new key is needed now: the family's fields and the staff secrets open with it,
        // and the blind index still finds the family.
        let only_new =
            app::privacy::Sealer::new("k2026", new_key, *b"karamat-dev-blind-key-not-secret");
        let mut state = w.state.clone();
        state.sealer = std::sync::Arc::new(only_new.clone());
        let p = service::read_personal(&state, &sw, &code).await.unwrap();
        assert_eq!(p.head_name, "رعنا شریفی", "{l}");
        assert_eq!(
            service::find_by_national_code(&state, &sw, &national_code(3131))
                .await
                .unwrap(),
            Some(code.clone()),
            "{l}"
        );
        // The old key opens nothing any more.
        let old = app::privacy::Sealer::dev();
        let sealed: Vec<u8> = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT head_name_enc FROM families WHERE public_code = '{code}'"),
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index(0)
            .unwrap();
        assert!(old.open("families.head_name", &sealed).is_err(), "{l}");
        let secret: Vec<u8> = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), "SELECT totp_secret_enc FROM users WHERE totp_secret_enc IS NOT NULL ORDER BY id LIMIT 1"))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index(0)
            .unwrap();
        assert_eq!(
            only_new
                .open(app::auth::totp::SECRET_COLUMN, &secret)
                .unwrap(),
            app::auth::totp::DEMO_SECRET,
            "{l}"
        );
        tdb.drop_db().await;
    }
}

fn campaign_body(prisoner: &str) -> String {
    format!(
        "form[prisoner]={prisoner}&form[total_owed]=80000000&form[forgiveness]=20000000&form[creditor]={}&form[conduct_certified]=yes&form[means_tested]=yes&form[prisoner_consent]=yes&form[title]={}&form[story]={}",
        enc("شرکت بازرگانی طلبکار"),
        enc("آزادی پدری بدهکار"),
        enc("پدری که به‌خاطر بدهی مهریه در زندان است؛ طلبکار بخشی از طلب را بخشیده است.")
    )
}

async fn prisoner_of(w: &World, family: &str) -> String {
    strings(&w.state.db, &format!("SELECT p.public_code FROM prisoners p JOIN families f ON f.id = p.family_id WHERE f.public_code = '{family}'")).await[0].clone()
}

fn campaign_form(prisoner: &str) -> app::casework::CampaignForm {
    app::casework::CampaignForm {
        prisoner: prisoner.into(),
        total_owed: "۸۰٬۰۰۰٬۰۰۰".into(),
        forgiveness: Some("20000000".into()),
        creditor: "شرکت بازرگانی طلبکار".into(),
        conduct_certified: Some("yes".into()),
        means_tested: Some("yes".into()),
        prisoner_consent: Some("yes".into()),
        title: "آزادی پدری بدهکار".into(),
        story: "پدری که به‌خاطر بدهی در زندان است؛ طلبکار بخشی از طلب را بخشیده است.".into(),
    }
}

/// A campaign of a new family in province `p`, brought to `status` the way staff would (the
/// gifts that fund it are posted to its ledger fund as settlement would).
async fn campaign_at(
    w: &World,
    author: &Authed,
    verifier: &Authed,
    p: &Province,
    i: u32,
    status: &str,
) -> String {
    use app::casework::campaigns;
    let family = service::intake(
        &w.state,
        author,
        &intake_form(
            p,
            "گلاره فتحی",
            &national_code(i),
            "09121231234",
            "3",
            "debt",
        ),
    )
    .await
    .unwrap();
    let prisoner = prisoner_of(w, &family).await;
    let DraftOutcome::Saved { code } =
        campaigns::draft(&w.state, author, &campaign_form(&prisoner))
            .await
            .unwrap()
    else {
        panic!("campaign draft blocked")
    };
    if status == "draft" {
        return code;
    }
    campaigns::verify(&w.state, verifier, &code).await.unwrap();
    if status == "verified" {
        return code;
    }
    campaigns::publish(&w.state, verifier, &code).await.unwrap();
    let db = &w.state.db;
    let id = scalar(
        db,
        &format!("SELECT id FROM release_campaigns WHERE public_code = '{code}'"),
    )
    .await;
    test_gift(db, app::ledger::Account::Campaign(id), 600_000_000).await;
    exec(
        db,
        &format!("UPDATE release_campaigns SET status = 'funded' WHERE id = {id}"),
    )
    .await;
    if status == "funded" {
        return code;
    }
    // 60M tomans is above the default threshold: a second person approves.
    let FulfilOutcome::AwaitingApproval { disbursement } =
        campaigns::pay_court(&w.state, author, &code, "واریز ۱۲")
            .await
            .unwrap()
    else {
        panic!("court payment without approval");
    };
    service::approve(&w.state, verifier, &disbursement)
        .await
        .unwrap();
    if status == "paid_to_court" {
        return code;
    }
    campaigns::record_release(&w.state, author, &code, "2026-11-01")
        .await
        .unwrap();
    code
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn release_campaign_lifecycle_with_rules_four_eyes_and_ledger() {
    use app::casework::campaigns;
    for tdb in databases().await {
        let l = tdb.label;
        let w = world(&tdb.url).await;
        let db = &w.state.db;
        let sw = authed(db, email_of(Role::SocialWorker)).await;
        let manager = authed(db, email_of(Role::AssociationManager)).await;
        let finance = authed(db, email_of(Role::FinanceOfficer)).await;
        let family = service::intake(
            &w.state,
            &sw,
            &intake_form(
                &w.home,
                "گلاره فتحی",
                &national_code(4400),
                "09121231234",
                "3",
                "debt",
            ),
        )
        .await
        .unwrap();
        let prisoner = prisoner_of(&w, &family).await;
        let status =
            |c: &str| format!("SELECT status FROM release_campaigns WHERE public_code = '{c}'");

        // The creditor's name in the story is blocked; nothing saved.
        let mut named = campaign_form(&prisoner);
        named.story = "پدری که به شرکت بازرگانی طلبکار بدهکار است و در زندان مانده است.".into();
        assert!(
            matches!(
                campaigns::draft(&w.state, &sw, &named).await.unwrap(),
                DraftOutcome::Blocked { .. }
            ),
            "{l}"
        );
        assert_eq!(scalar(db, "SELECT COUNT(*) FROM release_campaigns WHERE author_id IS NOT NULL AND public_title = 'آزادی پدری بدهکار'").await, 0, "{l}");

        // Without the means test a draft saves, but can never be verified or published.
        let mut unchecked = campaign_form(&prisoner);
        unchecked.means_tested = None;
        let DraftOutcome::Saved { code: not_eligible } =
            campaigns::draft(&w.state, &sw, &unchecked).await.unwrap()
        else {
            panic!()
        };
        let err = campaigns::verify(&w.state, &manager, &not_eligible)
            .await
            .unwrap_err();
        assert_eq!(err.message_key(), "staff.not_eligible", "{l}");
        assert_eq!(
            strings(db, &status(&not_eligible)).await,
            vec!["draft"],
            "{l}"
        );

        let DraftOutcome::Saved { code } =
            campaigns::draft(&w.state, &sw, &campaign_form(&prisoner))
                .await
                .unwrap()
        else {
            panic!()
        };
        let creditor_plain = strings(
            db,
            "SELECT CAST(COUNT(*) AS TEXT) FROM release_campaigns WHERE creditor_enc IS NULL",
        )
        .await;
        let _ = creditor_plain;
        // Four eyes; and no step out of order.
        assert_eq!(
            campaigns::verify(&w.state, &sw, &code)
                .await
                .unwrap_err()
                .message_key(),
            "staff.four_eyes",
            "{l}"
        );
        assert_eq!(
            campaigns::publish(&w.state, &manager, &code)
                .await
                .unwrap_err()
                .message_key(),
            "staff.bad_transition",
            "{l}"
        );
        assert_eq!(
            campaigns::record_release(&w.state, &manager, &code, "2026-11-01")
                .await
                .unwrap_err()
                .message_key(),
            "staff.bad_transition",
            "{l}"
        );
        assert_eq!(strings(db, &status(&code)).await, vec!["draft"], "{l}");
        assert!(
            matches!(
                campaigns::verify(&w.state, &manager, &code).await.unwrap(),
                PublishOutcome::Published { .. }
            ),
            "{l}"
        );
        assert_eq!(strings(db, &status(&code)).await, vec!["verified"], "{l}");
        // Not public until published.
        assert_eq!(
            send(&w.app, get(&format!("/release/{code}"), None))
                .await
                .status(),
            StatusCode::NOT_FOUND,
            "{l}"
        );
        campaigns::publish(&w.state, &manager, &code).await.unwrap();
        let res = send(&w.app, get(&format!("/release/{code}"), None)).await;
        assert_eq!(res.status(), StatusCode::OK, "{l}");
        let html = body_text(res).await;
        assert!(
            !html.contains("طلبکار بازرگانی") && !html.contains("گلاره") && !html.contains("فتحی"),
            "{l}: personal data on the public campaign"
        );

        // Paying before it is funded is refused.
        assert_eq!(
            campaigns::pay_court(&w.state, &finance, &code, "واریز ۱")
                .await
                .unwrap_err()
                .message_key(),
            "staff.not_funded",
            "{l}"
        );
        // Funded (as settlement does), large: a manager approves; then one ledger group to the court.
        let id = scalar(
            db,
            &format!("SELECT id FROM release_campaigns WHERE public_code = '{code}'"),
        )
        .await;
        {
            use sea_orm::TransactionTrait;
            let txn = db.begin().await.unwrap();
            let gw =
                app::ledger::account_id(&txn, &app::ledger::Account::Gateway("sandbox".into()))
                    .await
                    .unwrap();
            let acct = app::ledger::account_id(&txn, &app::ledger::Account::Campaign(id))
                .await
                .unwrap();
            app::ledger::post(
                &txn,
                app::ledger::Posting {
                    kind: "gift",
                    memo: "t",
                    donation_id: None,
                    created_by: None,
                },
                &[
                    app::ledger::debit(gw, 600_000_000),
                    app::ledger::credit(acct, 600_000_000),
                ],
            )
            .await
            .unwrap();
            txn.commit().await.unwrap();
        }
        exec(
            db,
            &format!("UPDATE release_campaigns SET status = 'funded' WHERE id = {id}"),
        )
        .await;
        let FulfilOutcome::AwaitingApproval { disbursement } =
            campaigns::pay_court(&w.state, &finance, &code, "واریز ۹۹۱")
                .await
                .unwrap()
        else {
            panic!("{l}: a large court payment went out without approval");
        };
        assert_eq!(
            service::approve(&w.state, &finance, &disbursement)
                .await
                .unwrap_err()
                .message_key(),
            "staff.four_eyes",
            "{l}"
        );
        service::approve(&w.state, &manager, &disbursement)
            .await
            .unwrap();
        assert_eq!(
            strings(db, &status(&code)).await,
            vec!["paid_to_court"],
            "{l}"
        );
        let acct = app::ledger::account_id(db, &app::ledger::Account::Campaign(id))
            .await
            .unwrap();
        assert_eq!(app::ledger::fund_balance(db, acct).await.unwrap(), 0, "{l}");
        assert!(
            app::ledger::health(db)
                .await
                .unwrap()
                .negative_funds
                .is_empty(),
            "{l}"
        );

        // Released: a future date is refused; then donors are told; then closed.
        assert_eq!(
            campaigns::record_release(&w.state, &sw, &code, "2099-01-01")
                .await
                .unwrap_err()
                .message_key(),
            "staff.release_date_invalid",
            "{l}"
        );
        campaigns::record_release(&w.state, &sw, &code, "2026-11-20")
            .await
            .unwrap();
        assert_eq!(strings(db, &status(&code)).await, vec!["released"], "{l}");
        assert_eq!(scalar(db, &format!("SELECT COUNT(*) FROM impact_updates WHERE campaign_id = {id} AND kind = 'released'")).await, 1, "{l}");
        campaigns::close(&w.state, &sw, &code).await.unwrap();
        assert_eq!(strings(db, &status(&code)).await, vec!["closed"], "{l}");
        assert!(campaigns::close(&w.state, &sw, &code).await.is_err(), "{l}");
        assert!(app::audit::verify(db).await.unwrap().ok(), "{l}");
        tdb.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kpis_come_from_a_snapshot_scoped_by_province_and_month_and_export_as_csv() {
    use app::casework::kpis;
    for tdb in databases().await {
        let l = tdb.label;
        let w = world(&tdb.url).await;
        let db = &w.state.db;
        let sw = authed(db, email_of(Role::SocialWorker)).await;
        let admin = authed(db, email_of(Role::NationalAdmin)).await;
        assert!(kpis::refreshed_at(db).await.unwrap().is_none(), "{l}");
        // The first read of an empty snapshot takes the figures there and then.
        let national = service_kpis(&w, &admin, None).await;
        assert!(kpis::refreshed_at(db).await.unwrap().is_some(), "{l}");
        let home = service_kpis(&w, &sw, None).await;
        assert_eq!(
            home.provinces.len(),
            1,
            "{l}: a province's social worker sees their province only"
        );
        let h = &home.provinces[0];
        assert_eq!(h.province, w.home.code, "{l}");
        let all_provinces = scalar(db, "SELECT COUNT(*) FROM provinces").await as usize;
        assert_eq!(national.provinces.len(), all_provinces, "{l}");

        // The figures agree with the source tables.
        let p = w.home.id;
        let direct = |sql: &str| sql.replace("{p}", &p.to_string());
        assert_eq!(
            h.families,
            scalar(
                db,
                &direct("SELECT COUNT(*) FROM families WHERE province_id = {p}")
            )
            .await,
            "{l}"
        );
        assert_eq!(h.needs_published, scalar(db, &direct("SELECT COUNT(*) FROM needs WHERE province_id = {p} AND published_at IS NOT NULL")).await, "{l}");
        assert_eq!(h.needs_delivered, scalar(db, &direct("SELECT COUNT(*) FROM needs WHERE province_id = {p} AND delivered_at IS NOT NULL")).await, "{l}");
        let raised = scalar(db, &direct(
            "SELECT CAST(COALESCE(SUM(d.amount_rials), 0) AS BIGINT) FROM donations d \
             LEFT JOIN needs n ON n.id = d.need_id LEFT JOIN release_campaigns c ON c.id = d.campaign_id \
             WHERE d.status = 'settled' AND COALESCE(n.province_id, c.province_id) = {p}",
        )).await;
        assert!(raised > 0, "{l}: the demo seed gives to the home province");
        assert_eq!(h.raised_rials, raised, "{l}");
        assert_eq!(h.prisoners_held, scalar(db, &direct(
            "SELECT COUNT(*) FROM prisoners pr JOIN prisons pn ON pn.id = pr.prison_id WHERE pn.province_id = {p} AND pr.released_on IS NULL",
        )).await, "{l}");
        assert_eq!(h.workers, scalar(db, &direct(
            "SELECT COUNT(DISTINCT a.prisoner_id) FROM worker_assignments a JOIN prisoners pr ON pr.id = a.prisoner_id \
             JOIN prisons pn ON pn.id = pr.prison_id WHERE pn.province_id = {p} AND a.status = 'active'",
        )).await, "{l}");
        assert_eq!(
            national.provinces.iter().map(|r| r.families).sum::<i64>(),
            scalar(db, "SELECT COUNT(*) FROM families").await,
            "{l}"
        );
        assert!(
            national
                .provinces
                .iter()
                .any(|r| r.median_days_to_fund.is_some()),
            "{l}: no median at all"
        );

        // Months: Solar Hijri, oldest first, at most twelve; the national view is the country's
        // own rows (with medians), and every month's gifts add up to the settled gifts of that month.
        assert!(
            !national.months.is_empty() && national.months.len() <= 12,
            "{l}"
        );
        assert!(
            national
                .months
                .windows(2)
                .all(|m| m[0].period < m[1].period),
            "{l}"
        );
        let months_raised: i64 = national.months.iter().map(|m| m.raised_rials).sum();
        let in_window = national
            .months
            .iter()
            .map(|m| m.period.clone())
            .collect::<Vec<_>>();
        assert!(months_raised > 0, "{l}");
        assert!(
            months_raised
                <= national
                    .provinces
                    .iter()
                    .map(|r| r.raised_rials)
                    .sum::<i64>(),
            "{l}"
        );
        assert!(
            national
                .months
                .iter()
                .any(|m| m.median_days_to_fund.is_some()),
            "{l}"
        );
        // One province's months: only that province's figures.
        let one = service_kpis(&w, &admin, Some(&w.home.code)).await;
        assert_eq!(one.province.as_deref(), Some(w.home.code.as_str()), "{l}");
        let one_families: i64 = one.months.iter().map(|m| m.families).sum();
        assert!(one_families <= h.families, "{l}");
        assert_eq!(
            home.months, one.months,
            "{l}: a one-province scope shows that province's months"
        );
        // Out of scope (or unknown): not found, nothing shown.
        assert!(
            matches!(
                kpis::kpis(&w.state, &sw, Some(&w.away.code)).await,
                Err(app::error::AppError::NotFound)
            ),
            "{l}"
        );
        assert!(
            in_window
                .iter()
                .all(|p| p.len() == 7 && p.as_bytes()[4] == b'-'),
            "{l}"
        );

        // A snapshot, not a live query: a new family shows after the next refresh, not before.
        let before = h.families;
        app::casework::service::intake(
            &w.state,
            &sw,
            &intake_form(
                &w.home,
                "زهره کاظمی",
                &national_code(901),
                "09121234567",
                "3",
                "debt",
            ),
        )
        .await
        .unwrap();
        assert_eq!(
            service_kpis(&w, &sw, None).await.provinces[0].families,
            before,
            "{l}"
        );
        assert!(
            !kpis::refresh_if_older(db, chrono::Duration::minutes(1))
                .await
                .unwrap(),
            "{l}: refreshed twice in a minute"
        );
        let rows = kpis::refresh(db).await.unwrap();
        assert!(rows > all_provinces, "{l}");
        let after = service_kpis(&w, &sw, None).await;
        assert_eq!(after.provinces[0].families, before + 1, "{l}");
        let this_month = after.months.last().unwrap().clone();
        assert_eq!(
            this_month.period,
            app::employment::service::period_of(chrono::Utc::now().date_naive()),
            "{l}"
        );
        assert!(this_month.families >= 1, "{l}");
        // Refreshing again writes the same figures (no row doubled).
        kpis::refresh(db).await.unwrap();
        let again = service_kpis(&w, &sw, None).await;
        assert_eq!(
            (again.provinces, again.months),
            (after.provinces, after.months),
            "{l}"
        );

        // The CSV: the same rows, for staff only, scoped the same way.
        let cookie = cookie_for(&w, email_of(Role::SocialWorker)).await;
        let res = send(&w.app, get("/staff/kpis.csv", Some(&cookie))).await;
        assert_eq!(res.status(), StatusCode::OK, "{l}");
        let csv = body_text(res).await;
        assert_eq!(csv.lines().count(), 2, "{l}: {csv}");
        assert!(csv.lines().nth(1).unwrap().starts_with(&w.home.code), "{l}");
        let donor = cookie_for(&w, email_of(Role::Donor)).await;
        assert_eq!(
            send(&w.app, get("/staff/kpis.csv", Some(&donor)))
                .await
                .status(),
            StatusCode::FORBIDDEN,
            "{l}"
        );
        let officer = cookie_for(&w, email_of(Role::PrisonOfficer)).await;
        assert_eq!(
            send(&w.app, get("/staff/kpis.csv", Some(&officer)))
                .await
                .status(),
            StatusCode::FORBIDDEN,
            "{l}"
        );
        // The page renders the months and the provinces.
        let res = send(&w.app, get("/staff/kpis", Some(&cookie))).await;
        let page = body_text(res).await;
        assert!(
            page.contains("id=\"kpi-months-raised-table\"")
                && page.contains("id=\"kpi-raised-table\""),
            "{l}"
        );
        assert!(
            page.contains(&format!("data-period=\"{}\"", this_month.period)),
            "{l}"
        );
        tdb.drop_db().await;
    }
}

async fn service_kpis(w: &World, who: &Authed, province: Option<&str>) -> app::casework::Kpis {
    app::casework::kpis::kpis(&w.state, who, province)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_childs_gift_is_drafted_for_an_occasion_and_says_whose_name_it_is_given_in() {
    for tdb in databases().await {
        let l = tdb.label;
        let w = world(&tdb.url).await;
        let db = &w.state.db;
        let sw = authed(db, email_of(Role::SocialWorker)).await;
        let fam = service::intake(
            &w.state,
            &sw,
            &intake_form(
                &w.home,
                "مریم کاظمی",
                &national_code(77),
                "09121234567",
                "3",
                "debt",
            ),
        )
        .await
        .unwrap();
        let story = "کودکی هشت‌ساله که برای شب یلدا هدیه‌ای از طرف پدرش می‌خواهد؛ انجمن آن را می‌خرد.";
        let needs_before = scalar(db, "SELECT COUNT(*) FROM needs").await;
        // An occasion only for a gift, and only one of the three.
        for (category, occasion) in [("rent", "yalda"), ("gift", "halloween")] {
            let form = NeedForm {
                occasion: Some(occasion.into()),
                ..need_form(&fam, category, story)
            };
            let err = service::draft_need(&w.state, &sw, &form).await.unwrap_err();
            assert_eq!(
                err.message_key(),
                "staff.occasion_invalid",
                "{l}: {category} {occasion}"
            );
        }
        assert_eq!(
            scalar(db, "SELECT COUNT(*) FROM needs").await,
            needs_before,
            "{l}: nothing saved"
        );
        let form = NeedForm {
            occasion: Some("yalda".into()),
            ..need_form(&fam, "gift", story)
        };
        let DraftOutcome::Saved { code } = service::draft_need(&w.state, &sw, &form).await.unwrap()
        else {
            panic!("{l}: the gift was blocked");
        };
        assert_eq!(
            strings(
                db,
                &format!("SELECT occasion FROM needs WHERE public_code = '{code}'")
            )
            .await,
            vec!["yalda".to_string()],
            "{l}"
        );
        // Published (as the seed's published gifts are), its page names the occasion and says the
        // gift reaches the child in the imprisoned parent's name.
        exec(db, &format!("UPDATE needs SET status = 'published', published_at = created_at WHERE public_code = '{code}'")).await;
        let page = body_text(send(&w.app, get(&format!("/needs/{code}"), None)).await).await;
        assert!(
            page.contains("id=\"need-occasion\"") && page.contains("id=\"in-parents-name\""),
            "{l}"
        );
        let rent = body_text(send(&w.app, get(&format!("/needs/{}", strings(db, "SELECT public_code FROM needs WHERE status = 'published' AND category = 'rent' LIMIT 1").await[0]), None)).await).await;
        assert!(!rent.contains("id=\"in-parents-name\""), "{l}");
        tdb.drop_db().await;
    }
}

/// The balance of a ledger fund (rials).
async fn fund(w: &World, a: app::ledger::Account) -> i64 {
    let id = app::ledger::account_id(&w.state.db, &a).await.unwrap();
    app::ledger::fund_balance(&w.state.db, id).await.unwrap()
}

async fn need_id(db: &DatabaseConnection, code: &str) -> i64 {
    scalar(
        db,
        &format!("SELECT id FROM needs WHERE public_code = '{code}'"),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_family_file_grows_after_intake_and_a_draft_is_corrected_before_verification() {
    use app::casework::{MemberForm, NeedEdit};
    for tdb in databases().await {
        let l = tdb.label;
        let w = world(&tdb.url).await;
        let db = &w.state.db;
        let sw = authed(db, email_of(Role::SocialWorker)).await;
        let manager = authed(db, email_of(Role::AssociationManager)).await;
        let colleague = colleague_national(&w).await;
        let family = service::intake(
            &w.state,
            &sw,
            &intake_form(
                &w.home,
                "مریم صدری",
                &national_code(31),
                "09121112233",
                "3",
                "debt",
            ),
        )
        .await
        .unwrap();
        let size = |f: &str| {
            format!("SELECT CAST(household_size AS BIGINT) FROM families WHERE public_code = '{f}'")
        };

        // Household members: bad input changes nothing, with the field and reason.
        let member = |name: &str, relation: &str, year: Option<&str>| MemberForm {
            family: family.clone(),
            name: name.into(),
            relation: relation.into(),
            birth_year: year.map(str::to_string),
            school_grade: Some("کلاس سوم".into()),
        };
        let before = scalar(db, "SELECT COUNT(*) FROM household_members").await;
        for (form, key) in [
            (member("آوا صدری", "cousin", None), "staff.relation_invalid"),
            (
                member("آوا صدری", "child", Some("۱۲۵۰")),
                "staff.birth_year_invalid",
            ),
            (
                member("آوا صدری", "child", Some("سال")),
                "staff.birth_year_invalid",
            ),
            (member("آ", "child", None), "staff.name_invalid"),
        ] {
            let err = service::add_member(&w.state, &sw, &form).await.unwrap_err();
            assert_eq!(err.message_key(), key, "{l}: {form:?}");
        }
        assert_eq!(
            scalar(db, "SELECT COUNT(*) FROM household_members").await,
            before,
            "{l}"
        );
        // Two named at intake + the head = 3: a third member makes four.
        service::add_member(&w.state, &sw, &member("آوا صدری", "child", Some("۱۳۹۶")))
            .await
            .unwrap();
        assert_eq!(scalar(db, &size(&family)).await, 4, "{l}");
        // A grandparent born long ago is not a child; one born nine years ago is.
        service::add_member(&w.state, &sw, &member("رحیم صدری", "parent", Some("1330")))
            .await
            .unwrap();
        assert_eq!(scalar(db, &size(&family)).await, 5, "{l}");
        // Another province's family: not found, nothing added.
        let away_family = service::intake(
            &w.state,
            &authed(db, email_of(Role::NationalAdmin)).await,
            &intake_form(
                &w.away,
                "سیما راد",
                &national_code(32),
                "09121112234",
                "3",
                "debt",
            ),
        )
        .await
        .unwrap();
        let mut away = member("کاوه راد", "child", None);
        away.family = away_family.clone();
        assert!(matches!(
            service::add_member(&w.state, &sw, &away).await,
            Err(app::error::AppError::NotFound)
        ));

        // Document references: sealed, listed with the personal fields, never in plain text.
        for (kind, reference, key) in [
            ("passport", "پرونده ۱۲", "staff.document_kind_invalid"),
            ("lease", "  ", "staff.document_reference_invalid"),
        ] {
            let err = service::add_document(&w.state, &sw, &family, kind, reference)
                .await
                .unwrap_err();
            assert_eq!(err.message_key(), key, "{l}");
        }
        assert_eq!(
            scalar(db, "SELECT COUNT(*) FROM family_documents").await,
            0,
            "{l}"
        );
        service::add_document(
            &w.state,
            &sw,
            &family,
            "lease",
            "بایگانی انجمن، پروندهٔ ۴۴۱۷",
        )
        .await
        .unwrap();
        service::add_document(&w.state, &sw, &family, "school", "نامهٔ مدرسه ۹۸۲۱")
            .await
            .unwrap();
        let p = service::read_personal(&w.state, &sw, &family)
            .await
            .unwrap();
        let names: Vec<_> = p.members.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            ["نرگس کاظمی", "امیرحسین کاظمی", "آوا صدری", "رحیم صدری"],
            "{l}"
        );
        let ava = &p.members[2];
        assert_eq!(
            (ava.relation.as_str(), ava.birth_year, ava.is_child),
            ("child", Some(1396), true),
            "{l}"
        );
        assert!(!p.members[3].is_child, "{l}");
        assert_eq!(p.documents.len(), 2, "{l}");
        assert_eq!(p.documents[0].kind, "school", "{l}: newest first");
        // Stored as staff type everywhere: Persian letters and digits normalised.
        assert_eq!(
            p.documents[1].reference,
            app::validation::normalize_persian("بایگانی انجمن، پروندهٔ ۴۴۱۷"),
            "{l}"
        );
        for secret in ["آوا صدری", "پروندهٔ ۴۴۱۷"] {
            let hex: String = secret.bytes().map(|b| format!("{b:02x}")).collect();
            let found = if tdb.label == "postgresql" {
                scalar(db, &format!("SELECT COUNT(*) FROM household_members WHERE encode(name_enc, 'hex') LIKE '%{hex}%'")).await
                    + scalar(db, &format!("SELECT COUNT(*) FROM family_documents WHERE encode(reference_enc, 'hex') LIKE '%{hex}%'")).await
            } else {
                scalar(db, &format!("SELECT COUNT(*) FROM household_members WHERE hex(name_enc) LIKE '%{}%'", hex.to_uppercase())).await
                    + scalar(db, &format!("SELECT COUNT(*) FROM family_documents WHERE hex(reference_enc) LIKE '%{}%'", hex.to_uppercase())).await
            };
            assert_eq!(found, 0, "{l}: {secret} in plain text");
        }
        // The new member's name is now something the privacy guard blocks.
        let mut form = need_form(&family, "school", CLEAN_STORY);
        form.story = format!("{CLEAN_STORY} آوا کلاس سوم است و کتاب ندارد.");
        // (The whole name is what the guard knows; a given name alone is too common to block.)
        form.story = format!("{CLEAN_STORY} آوا صدری کتاب ندارد.");
        assert!(
            matches!(
                service::draft_need(&w.state, &sw, &form).await.unwrap(),
                DraftOutcome::Blocked { .. }
            ),
            "{l}"
        );

        // A draft is corrected before verification.
        let DraftOutcome::Saved { code } =
            service::draft_need(&w.state, &sw, &need_form(&family, "rent", CLEAN_STORY))
                .await
                .unwrap()
        else {
            panic!()
        };
        let row = |c: &str| {
            format!("SELECT public_title || '|' || CAST(goal_rials AS TEXT) || '|' || COALESCE(CAST(deadline AS TEXT), '') FROM needs WHERE public_code = '{c}'")
        };
        let original = strings(db, &row(&code)).await;
        let edit = |goal: &str, story: &str, deadline: Option<&str>| NeedEdit {
            code: code.clone(),
            goal: goal.into(),
            title: "اجارهٔ چهار ماه خانه".into(),
            story: story.into(),
            private_notes: None,
            deadline: deadline.map(str::to_string),
        };
        // Refused corrections change nothing: a phone number, a goal out of range, a past date.
        let blocked = service::edit_need(
            &w.state,
            &colleague,
            &edit("3000000", &format!("{CLEAN_STORY} تماس: ۰۹۱۲۱۱۱۲۲۳۳"), None),
        )
        .await
        .unwrap();
        let DraftOutcome::Blocked { findings } = blocked else {
            panic!("{l}")
        };
        assert!(findings.iter().any(|f| f.kind == PiiKind::Mobile), "{l}");
        for (e, key) in [
            (edit("5", CLEAN_STORY, None), "staff.goal_range"),
            (
                edit("3000000", CLEAN_STORY, Some("2020-01-01")),
                "staff.deadline_invalid",
            ),
            (edit("3000000", "کوتاه", None), "staff.story_length"),
        ] {
            let err = service::edit_need(&w.state, &colleague, &e)
                .await
                .unwrap_err();
            assert_eq!(err.message_key(), key, "{l}");
        }
        assert_eq!(strings(db, &row(&code)).await, original, "{l}");
        // Another province's social worker cannot see it at all.
        let mut not_mine = edit("3000000", CLEAN_STORY, None);
        not_mine.code = funded_need(
            &w,
            &authed(db, email_of(Role::NationalAdmin)).await,
            &manager,
            &w.away,
            33,
            "1000000",
        )
        .await;
        assert!(matches!(
            service::edit_need(&w.state, &sw, &not_mine).await,
            Err(app::error::AppError::NotFound)
        ));
        // The colleague corrects it (digits in any script, a deadline in the future): the
        // colleague is now its author and may not verify it; the first author now may.
        let next_year = (chrono::Utc::now().date_naive() + chrono::Days::new(365)).to_string();
        let mut good = edit("۳٬۰۰۰٬۰۰۰", CLEAN_STORY, Some(&next_year));
        good.private_notes = Some("صاحبخانه تا پایان ماه صبر می‌کند".into());
        assert!(matches!(
            service::edit_need(&w.state, &colleague, &good)
                .await
                .unwrap(),
            DraftOutcome::Saved { .. }
        ));
        assert_eq!(
            strings(db, &row(&code)).await,
            vec![format!("اجارهٔ چهار ماه خانه|30000000|{next_year}")],
            "{l}"
        );
        let case = service::need_case(&w.state, &colleague, &code)
            .await
            .unwrap();
        assert!(case.mine, "{l}");
        assert_eq!(case.deadline.as_deref(), Some(next_year.as_str()), "{l}");
        let err = service::verify_and_publish(&w.state, &colleague, &code)
            .await
            .unwrap_err();
        assert_eq!(err.message_key(), "staff.four_eyes", "{l}");
        assert!(
            !service::need_case(&w.state, &sw, &code).await.unwrap().mine,
            "{l}"
        );
        // Published, it can no longer be corrected.
        exec(
            db,
            &format!("UPDATE needs SET status = 'published' WHERE public_code = '{code}'"),
        )
        .await;
        let err = service::edit_need(&w.state, &sw, &edit("3000000", CLEAN_STORY, None))
            .await
            .unwrap_err();
        assert_eq!(err.message_key(), "staff.not_editable", "{l}");
        let edited = strings(
            db,
            "SELECT detail FROM audit_log WHERE action = 'need.edited'",
        )
        .await;
        assert_eq!(edited.len(), 1, "{l}");
        assert!(
            edited[0].contains("\"title_changed\":true")
                && edited[0].contains("\"story_changed\":false"),
            "{l}: {}",
            edited[0]
        );
        let actions = strings(db, "SELECT action FROM audit_log ORDER BY id").await;
        for a in [
            "family.member_added",
            "family.document_added",
            "need.edited",
        ] {
            assert!(actions.iter().any(|x| x == a), "{l}: {a}");
        }
        assert!(app::audit::verify(db).await.unwrap().ok(), "{l}");
        tdb.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_withdrawn_after_funding_hides_the_card_but_the_work_goes_on() {
    use app::casework::campaigns;
    use app::ledger::Account;
    for tdb in databases().await {
        let l = tdb.label;
        let w = world(&tdb.url).await;
        let db = &w.state.db;
        let sw = authed(db, email_of(Role::SocialWorker)).await;
        let manager = authed(db, email_of(Role::AssociationManager)).await;
        let finance = authed(db, email_of(Role::FinanceOfficer)).await;

        // A family's funded need: hidden from the public, still bought and delivered.
        let code = funded_need(&w, &sw, &manager, &w.home, 41, "2000000").await;
        let family = strings(db, &format!("SELECT f.public_code FROM families f JOIN needs n ON n.family_id = f.id WHERE n.public_code = '{code}'")).await[0].clone();
        assert!(
            app::giving::service::is_public(db, &code).await.unwrap(),
            "{l}"
        );
        let held = fund(&w, Account::Need(need_id(db, &code).await)).await;
        assert_eq!(held, 20_000_000, "{l}");
        let taken = service::record_consent(&w.state, &sw, &family, false)
            .await
            .unwrap();
        assert_eq!(taken, 1, "{l}");
        assert!(
            !app::giving::service::is_public(db, &code).await.unwrap(),
            "{l}"
        );
        assert_eq!(
            send(&w.app, get(&format!("/needs/{code}"), None))
                .await
                .status(),
            StatusCode::NOT_FOUND,
            "{l}"
        );
        let listed = app::giving::service::list_needs(db, &Default::default())
            .await
            .unwrap();
        assert!(listed.items.iter().all(|n| n.code != code), "{l}");
        assert_eq!(
            strings(
                db,
                &format!("SELECT status FROM needs WHERE public_code = '{code}'")
            )
            .await,
            vec!["funded"],
            "{l}"
        );
        assert_eq!(
            fund(&w, Account::Need(need_id(db, &code).await)).await,
            held,
            "{l}: the money stays for the family"
        );
        let q = service::queues(&w.state, &sw).await.unwrap();
        assert!(
            q.to_purchase.iter().any(|i| i.code == code),
            "{l}: still in the purchase queue"
        );
        let case = service::need_case(&w.state, &sw, &code).await.unwrap();
        assert!(case.withdrawn, "{l}");
        assert!(matches!(
            service::record_purchase(&w.state, &finance, &code, "vendor", "فروشگاه", "فاکتور ۹")
                .await
                .unwrap(),
            FulfilOutcome::Paid { .. }
        ));
        assert!(matches!(
            service::record_delivery(&w.state, &finance, &code, "وسایل مدرسه به خانواده رسید.")
                .await
                .unwrap(),
            DraftOutcome::Saved { .. }
        ));
        assert_eq!(
            strings(
                db,
                &format!("SELECT status FROM needs WHERE public_code = '{code}'")
            )
            .await,
            vec!["delivered"],
            "{l}"
        );
        assert!(
            !app::giving::service::is_public(db, &code).await.unwrap(),
            "{l}"
        );

        // A prisoner's campaigns: one still raising (with gifts), one funded.
        let verifier = colleague_national(&w).await;
        let raising = campaign_at(&w, &sw, &manager, &w.home, 51, "verified").await;
        campaigns::publish(&w.state, &manager, &raising)
            .await
            .unwrap();
        let cid = scalar(
            db,
            &format!("SELECT id FROM release_campaigns WHERE public_code = '{raising}'"),
        )
        .await;
        test_gift(db, app::ledger::Account::Campaign(cid), 70_000_000).await;
        let funded = campaign_at(&w, &sw, &verifier, &w.home, 52, "funded").await;
        // Same prisoner for both: move the funded campaign onto the first one's prisoner.
        exec(db, &format!("UPDATE release_campaigns SET prisoner_id = (SELECT prisoner_id FROM release_campaigns WHERE id = {cid}) WHERE public_code = '{funded}'")).await;
        assert!(
            app::giving::campaign_service::is_public(db, &raising)
                .await
                .unwrap(),
            "{l}"
        );
        assert!(
            app::giving::campaign_service::is_public(db, &funded)
                .await
                .unwrap(),
            "{l}"
        );
        let release_before = fund(&w, Account::Release).await;

        // (Roles are refused before the service: the access matrix covers both functions.)

        let taken = campaigns::record_consent(&w.state, &sw, &raising, false)
            .await
            .unwrap();
        assert_eq!(taken, 2, "{l}");
        for c in [&raising, &funded] {
            assert!(
                !app::giving::campaign_service::is_public(db, c)
                    .await
                    .unwrap(),
                "{l}: {c}"
            );
            assert_eq!(
                send(&w.app, get(&format!("/campaigns/{c}"), None))
                    .await
                    .status(),
                StatusCode::NOT_FOUND,
                "{l}"
            );
        }
        let st =
            |c: &str| format!("SELECT status FROM release_campaigns WHERE public_code = '{c}'");
        assert_eq!(strings(db, &st(&raising)).await, vec!["withdrawn"], "{l}");
        assert_eq!(strings(db, &st(&funded)).await, vec!["funded"], "{l}");
        // What the raising campaign held went to the release fund; nothing created or lost.
        assert_eq!(fund(&w, Account::Campaign(cid)).await, 0, "{l}");
        assert_eq!(
            fund(&w, Account::Release).await - release_before,
            70_000_000,
            "{l}"
        );
        assert!(app::ledger::health(db).await.unwrap().is_sound(), "{l}");
        // The funded one is still paid to the court.
        assert!(
            campaigns::case(&w.state, &sw, &funded)
                .await
                .unwrap()
                .withdrawn,
            "{l}"
        );
        assert!(
            campaigns::pay_court(&w.state, &finance, &funded, "واریز ۹۹")
                .await
                .is_ok(),
            "{l}"
        );
        // A withdrawn campaign cannot be published again; consent given again does not bring it back.
        campaigns::record_consent(&w.state, &sw, &funded, true)
            .await
            .unwrap();
        assert!(
            !app::giving::campaign_service::is_public(db, &funded)
                .await
                .unwrap(),
            "{l}"
        );
        assert!(
            campaigns::publish(&w.state, &manager, &raising)
                .await
                .is_err(),
            "{l}"
        );
        let actions = strings(db, "SELECT action FROM audit_log ORDER BY id").await;
        assert!(
            actions.iter().any(|a| a == "prisoner.consent_withdrawn"),
            "{l}"
        );
        assert!(app::audit::verify(db).await.unwrap().ok(), "{l}");
        tdb.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgiveness_after_publication_counts_as_a_match_and_can_fund_the_campaign() {
    use app::casework::campaigns;
    use app::ledger::Account;
    for tdb in databases().await {
        let l = tdb.label;
        let w = world(&tdb.url).await;
        let db = &w.state.db;
        let sw = authed(db, email_of(Role::SocialWorker)).await;
        let manager = authed(db, email_of(Role::AssociationManager)).await;
        // Owed 80M tomans, 20M forgiven at drafting: donors are asked for 60M.
        let code = campaign_at(&w, &sw, &manager, &w.home, 61, "verified").await;
        campaigns::publish(&w.state, &manager, &code).await.unwrap();
        let cid = scalar(
            db,
            &format!("SELECT id FROM release_campaigns WHERE public_code = '{code}'"),
        )
        .await;
        test_gift(db, app::ledger::Account::Campaign(cid), 450_000_000).await;
        let forgiven = || async {
            scalar(
                db,
                &format!("SELECT forgiveness_rials FROM release_campaigns WHERE id = {cid}"),
            )
            .await
        };
        // Refused: not more than recorded, the whole debt, no evidence, a campaign elsewhere.
        for (amount, evidence, key) in [
            ("20000000", "نامهٔ ۱۲", "staff.forgiveness_not_more"),
            ("۸۰٬۰۰۰٬۰۰۰", "نامهٔ ۱۲", "staff.forgiveness_too_large"),
            ("30000000", " ", "staff.evidence_invalid"),
            ("سی میلیون", "نامهٔ ۱۲", "validation.amount"),
        ] {
            let err = campaigns::record_forgiveness(&w.state, &sw, &code, amount, evidence)
                .await
                .unwrap_err();
            assert_eq!(err.message_key(), key, "{l}: {amount}");
        }
        assert_eq!(forgiven().await, 200_000_000, "{l}");
        // (Roles are refused before the service: the access matrix covers both functions.)
        // 30M forgiven (Persian digits): the public card shows the larger match, 50M asked.
        campaigns::record_forgiveness(&w.state, &sw, &code, "۳۰٬۰۰۰٬۰۰۰", "نامهٔ دفترخانهٔ ۱۲")
            .await
            .unwrap();
        assert_eq!(forgiven().await, 300_000_000, "{l}");
        let d = app::giving::campaign_service::detail(db, &code)
            .await
            .unwrap();
        assert_eq!(d.card.forgiveness_rials, 300_000_000, "{l}");
        assert_eq!(d.card.to_raise(), 500_000_000, "{l}");
        assert_eq!(
            strings(
                db,
                &format!("SELECT status FROM release_campaigns WHERE id = {cid}")
            )
            .await,
            vec!["published"],
            "{l}"
        );
        // 40M forgiven: 45M raised covers the 40M left; the campaign is funded and the 5M
        // beyond it goes to the release fund in one balanced group.
        let release_before = fund(&w, Account::Release).await;
        campaigns::record_forgiveness(&w.state, &sw, &code, "40000000", "صورت‌جلسهٔ دادگاه ۷")
            .await
            .unwrap();
        assert_eq!(
            strings(
                db,
                &format!("SELECT status FROM release_campaigns WHERE id = {cid}")
            )
            .await,
            vec!["funded"],
            "{l}"
        );
        assert_eq!(fund(&w, Account::Campaign(cid)).await, 400_000_000, "{l}");
        assert_eq!(
            fund(&w, Account::Release).await - release_before,
            50_000_000,
            "{l}"
        );
        assert!(app::ledger::health(db).await.unwrap().is_sound(), "{l}");
        // Funded: forgiveness is no longer recorded here (the court payment is what it is).
        let err = campaigns::record_forgiveness(&w.state, &sw, &code, "50000000", "نامهٔ ۱۳")
            .await
            .unwrap_err();
        assert_eq!(err.message_key(), "staff.bad_transition", "{l}");
        let detail = strings(db, "SELECT detail FROM audit_log WHERE action = 'release_campaign.forgiveness' ORDER BY id").await;
        assert_eq!(detail.len(), 2, "{l}");
        assert!(detail[1].contains("\"funded\":true"), "{l}: {}", detail[1]);
        assert!(app::audit::verify(db).await.unwrap().ok(), "{l}");
        tdb.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queues_and_audit_log_export_as_csv_for_those_who_may_read_them() {
    for tdb in databases().await {
        let l = tdb.label;
        let w = world(&tdb.url).await;
        let db = &w.state.db;
        let sw = authed(db, email_of(Role::SocialWorker)).await;
        let admin = authed(db, email_of(Role::NationalAdmin)).await;
        let manager = authed(db, email_of(Role::AssociationManager)).await;
        let mine = funded_need(&w, &sw, &manager, &w.home, 71, "1000000").await;
        let theirs = funded_need(&w, &admin, &manager, &w.away, 72, "1000000").await;

        let csv = |path: &'static str, email: &'static str| {
            let w = &w;
            async move {
                let cookie = cookie_for(w, email).await;
                let res = send(&w.app, get(path, Some(&cookie))).await;
                (res.status(), body_text(res).await)
            }
        };
        let (status, body) = csv("/staff/queues.csv", email_of(Role::SocialWorker)).await;
        assert_eq!(status, StatusCode::OK, "{l}");
        assert!(
            body.starts_with("\u{feff}queue,code,family,title,category,amount_rials\n"),
            "{l}"
        );
        assert!(
            body.lines()
                .any(|r| r.starts_with(&format!("to_purchase,{mine},"))),
            "{l}: {body}"
        );
        assert!(
            !body.contains(&theirs),
            "{l}: another province's need in the export"
        );
        assert!(!body.contains("فاطمه"), "{l}: a name in the export");

        let (status, body) = csv("/staff/audit.csv?action=need.", email_of(Role::Auditor)).await;
        assert_eq!(status, StatusCode::OK, "{l}");
        let rows: Vec<&str> = body.lines().skip(1).collect();
        assert!(!rows.is_empty(), "{l}");
        assert!(
            rows.iter()
                .all(|r| r.split(',').nth(3).unwrap().starts_with("need.")),
            "{l}: {body}"
        );
        assert_eq!(
            rows.len() as i64,
            scalar(
                db,
                "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'need.%'"
            )
            .await,
            "{l}"
        );
        // The social worker may not read the audit log, the officer has no queues.
        assert_eq!(
            csv("/staff/audit.csv", email_of(Role::SocialWorker))
                .await
                .0,
            StatusCode::FORBIDDEN,
            "{l}"
        );
        assert_eq!(
            csv("/staff/queues.csv", email_of(Role::PrisonOfficer))
                .await
                .0,
            StatusCode::FORBIDDEN,
            "{l}"
        );
        let anonymous = send(&w.app, get("/staff/audit.csv", None)).await.status();
        assert!(
            anonymous.is_redirection() || anonymous == StatusCode::UNAUTHORIZED,
            "{l}: {anonymous}"
        );
        tdb.drop_db().await;
    }
}

/// A Persian form sends a date as its Solar Hijri day, month and year (`ui::DateField`), in
/// either digits; an English form one Gregorian string. Over HTTP both reach the need as the same
/// day; a date with a part missing is refused with a field message and nothing drafted.
#[tokio::test]
async fn a_deadline_typed_in_either_calendar_is_the_same_day() {
    for tdb in crate::common::databases().await {
        let l = tdb.label;
        let w = world(&tdb.url).await;
        let db = &w.state.db;
        let recs = records(&w, &w.home.clone(), 1).await;
        let cookie = cookie_for(&w, email_of(Role::SocialWorker)).await;
        let day = chrono::Utc::now().date_naive() + chrono::Duration::days(40);
        let j = app::i18n::JalaliDate::from_gregorian(day).unwrap();
        let persian = |n: i64| app::i18n::localize_digits(&n.to_string(), app::i18n::Locale::Fa);
        let draft = |deadline: String| {
            let mut req = post_form(
                "/api/staff/draft-need",
                &format!(
                    "form[family]={}&form[category]=food&form[goal]=1000000&form[title]={}&form[story]={}&{deadline}",
                    recs.family,
                    enc("سبد غذای یک ماه"),
                    enc(CLEAN_STORY)
                ),
                Some(&cookie),
            );
            req.headers_mut()
                .insert(header::ACCEPT, "application/json".parse().unwrap());
            req
        };
        let deadlines = || async {
            strings(
                db,
                "SELECT CAST(deadline AS TEXT) FROM needs WHERE deadline IS NOT NULL ORDER BY id DESC LIMIT 2",
            )
            .await
        };
        let before = scalar(db, "SELECT COUNT(*) FROM needs").await;
        for body in [
            format!(
                "form[deadline][d]={}&form[deadline][m]={}&form[deadline][y]={}",
                enc(&persian(j.day as i64)),
                j.month,
                j.year
            ),
            format!("form[deadline]={day}"),
        ] {
            let res = send(&w.app, draft(body.clone())).await;
            let status = res.status();
            assert_eq!(
                status,
                StatusCode::OK,
                "{l}: {body} → {}",
                body_text(res).await
            );
            assert_eq!(deadlines().await[0], day.to_string(), "{l}: {body}");
        }
        assert_eq!(
            scalar(db, "SELECT COUNT(*) FROM needs").await,
            before + 2,
            "{l}"
        );

        let res = send(
            &w.app,
            draft(format!(
                "form[deadline][d]={}&form[deadline][m]=&form[deadline][y]={}",
                j.day, j.year
            )),
        )
        .await;
        let status = res.status();
        let text = body_text(res).await;
        assert!(status.is_client_error(), "{l}: {status} {text}");
        assert!(text.contains("staff.deadline_invalid"), "{l}: {text}");
        assert_eq!(
            scalar(db, "SELECT COUNT(*) FROM needs").await,
            before + 2,
            "{l}: refused, yet drafted"
        );
        tdb.drop_db().await;
    }
}
