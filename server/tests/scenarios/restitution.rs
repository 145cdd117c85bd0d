//! Restitution paid out, on SQLite and PostgreSQL: a month's wages put a worker's restitution
//! share into the pool; finance registers a creditor the court named (name and Sheba sealed);
//! payouts need a second person, never pass what the claim is owed nor what the worker's wages
//! withheld, and two requests at once cannot both spend the same rials; the ledger balances, the
//! worker's record shows what was paid, and only those who pay see who the claimant is.

use crate::common::*;
use crate::employment::{contract_form, fund, key_of, last_month, owner_of, workers, world};
use app::auth::Role;
use app::employment::restitution::ClaimForm;
use app::employment::service::{self, restitution};
use app::employment::{ProductionForm, WorkerDay};
use app::platform::status::{ClaimStatus, PayoutStatus};
use sea_orm::ConnectionTrait;

const SHEBA: &str = "IR06 2960 0000 0010 0324 2000 01";
const CLAIMANT: &str = "بهرام طلبکاری‌نژاد";

fn claim_form(prisoner: &str, kind: &str, owed_tomans: i64) -> ClaimForm {
    ClaimForm {
        prisoner: prisoner.into(),
        kind: kind.into(),
        claimant_name: CLAIMANT.into(),
        claimant_account: SHEBA.into(),
        court_ref: "۱۴۰۵/۰۹۸۷۶".into(),
        owed: owed_tomans.to_string(),
    }
}

async fn counts(db: &sea_orm::DatabaseConnection) -> (i64, i64, i64) {
    (
        count_rows(db, "restitution_claims").await,
        count_rows(db, "restitution_payouts").await,
        count_rows(db, "ledger_entries").await,
    )
}

async fn count_rows(db: &sea_orm::DatabaseConnection, table: &str) -> i64 {
    scalar(db, &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table}")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restitution_reaches_a_registered_creditor_with_four_eyes() {
    for tdb in databases().await {
        let l = tdb.label;
        let w = world(&tdb.url).await;
        let s = &w.state;
        let db = &s.db;
        let demo = owner_of(s, email_of(Role::Entrepreneur)).await;
        let officer = authed(db, email_of(Role::PrisonOfficer)).await;
        let manager = authed(db, email_of(Role::AssociationManager)).await;
        let finance = authed(db, email_of(Role::FinanceOfficer)).await;
        let admin = authed(db, email_of(Role::NationalAdmin)).await;
        let auditor = authed(db, email_of(Role::Auditor)).await;

        // A month of work for one worker: a contract, its reviews, one day's log, the invoice
        // paid, the wage run.
        let code = service::propose(
            s,
            &demo,
            &contract_form(&w.home.workshop, "70000", "hourly"),
        )
        .await
        .unwrap();
        service::review(s, &officer, &code, true, None)
            .await
            .unwrap();
        service::review(s, &manager, &code, true, None)
            .await
            .unwrap();
        let ws = workers(db, w.home.prison_id).await;
        let p = ws[0].1.clone();
        let wk = service::assign(s, &officer, &code, &p).await.unwrap();
        let (period, first) = last_month();
        service::log_production(
            s,
            &officer,
            &ProductionForm {
                contract: code.clone(),
                date: first.to_string(),
                quantity: "40".into(),
                accepted: "40".into(),
                rejected: "0".into(),
                entries: vec![WorkerDay {
                    worker: wk,
                    hours: "8".into(),
                    pieces: None,
                }],
            },
        )
        .await
        .unwrap();
        let inv = service::issue_invoice(s, &finance, &code, &period)
            .await
            .unwrap();
        service::invoice_paid(s, &finance, &inv.code).await.unwrap();
        let before = restitution::worker(s, &finance, &p).await.unwrap();
        let pool_before = fund(db, "fund:restitution").await;
        let run = service::wage_run(s, Some(&finance), &period).await.unwrap();
        assert_eq!(run.payments, 1, "{l}");
        assert!(run.restitution_rials > 0, "{l}: {run:?}");
        let rec = restitution::worker(s, &finance, &p).await.unwrap();
        let withheld = rec.withheld_rials;
        assert_eq!(
            withheld - before.withheld_rials,
            run.restitution_rials,
            "{l}"
        );
        assert_eq!(
            fund(db, "fund:restitution").await - pool_before,
            run.restitution_rials,
            "{l}"
        );
        assert_eq!((rec.paid_rials, rec.awaiting_rials), (0, 0), "{l}");
        assert!(
            withheld % 10 == 0,
            "{l}: whole tomans keep the arithmetic below exact"
        );

        // Bad claims: each refused with its key, nothing written.
        let was = counts(db).await;
        let mut bad = claim_form(&p, "neighbour", 1_000_000);
        assert_eq!(
            key_of(restitution::register(s, &finance, &bad).await.unwrap_err()),
            "restitution.bad_kind"
        );
        bad = claim_form(&p, "creditor", 1_000_000);
        bad.claimant_name = "ب".into();
        assert_eq!(
            key_of(restitution::register(s, &finance, &bad).await.unwrap_err()),
            "restitution.bad_name"
        );
        bad = claim_form(&p, "creditor", 1_000_000);
        bad.claimant_account = "IR062960000000100324200002".into();
        assert_eq!(
            key_of(restitution::register(s, &finance, &bad).await.unwrap_err()),
            "validation.sheba"
        );
        bad = claim_form(&p, "creditor", 1_000_000);
        bad.court_ref = "۱".into();
        assert_eq!(
            key_of(restitution::register(s, &finance, &bad).await.unwrap_err()),
            "restitution.bad_court_ref"
        );
        bad = claim_form(&p, "creditor", 0);
        assert_eq!(
            key_of(restitution::register(s, &finance, &bad).await.unwrap_err()),
            "restitution.bad_owed"
        );
        bad = claim_form("P-NOBODY99", "creditor", 1_000_000);
        assert!(
            matches!(
                restitution::register(s, &finance, &bad).await,
                Err(app::error::AppError::NotFound)
            ),
            "{l}"
        );
        // A prisoner of another province is out of the manager's and the officer's scope.
        let away_prisoner = strings(
            db,
            &format!(
                "SELECT public_code FROM prisoners WHERE prison_id = {} ORDER BY id LIMIT 1",
                w.away.prison_id
            ),
        )
        .await[0]
            .clone();
        assert!(
            matches!(
                restitution::worker(s, &officer, &away_prisoner).await,
                Err(app::error::AppError::NotFound)
            ),
            "{l}"
        );
        assert!(
            matches!(
                restitution::register(s, &manager, &claim_form(&away_prisoner, "victim", 1_000))
                    .await,
                Err(app::error::AppError::NotFound)
            ),
            "{l}"
        );
        assert_eq!(
            counts(db).await,
            was,
            "{l}: a refused claim wrote something"
        );

        // A victim owed 1,000 tomans, and a creditor owed more than the worker's wages withheld.
        let victim = restitution::register(s, &finance, &claim_form(&p, "victim", 1_000))
            .await
            .unwrap();
        let owed_tomans = withheld / 10 + 500_000;
        let creditor = restitution::register(s, &finance, &claim_form(&p, "creditor", owed_tomans))
            .await
            .unwrap();
        assert!(
            victim.starts_with("RC-") && creditor.starts_with("RC-"),
            "{l}"
        );
        // Sealed at rest: the name and the Sheba are nowhere in the row's bytes.
        let raw = strings(
            db,
            &format!("SELECT court_ref FROM restitution_claims WHERE public_code = '{creditor}'"),
        )
        .await;
        assert_eq!(
            raw,
            vec!["1405/09876".to_string()],
            "{l}: the court reference is kept in Latin digits"
        );
        let sealed = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                format!("SELECT claimant_name_enc, claimant_account_enc FROM restitution_claims WHERE public_code = '{creditor}'"),
            ))
            .await
            .unwrap()
            .unwrap();
        for i in 0..2 {
            let bytes: Vec<u8> = sealed.try_get_by_index(i).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains("بهرام") && !text.contains("0324200001"),
                "{l}: a claimant field is not sealed"
            );
        }

        // The victim is paid in full by one person asking and another approving.
        let was = counts(db).await;
        assert_eq!(
            key_of(
                restitution::request(s, &finance, &victim, "1001", "TR-1")
                    .await
                    .unwrap_err()
            ),
            "restitution.more_than_owed"
        );
        assert_eq!(
            key_of(
                restitution::request(s, &finance, &victim, "0", "TR-1")
                    .await
                    .unwrap_err()
            ),
            "validation.amount"
        );
        assert_eq!(
            key_of(
                restitution::request(s, &finance, &victim, "1000", "x")
                    .await
                    .unwrap_err()
            ),
            "restitution.bad_reference"
        );
        assert_eq!(
            counts(db).await,
            was,
            "{l}: a refused request wrote something"
        );
        let pv = restitution::request(s, &finance, &victim, "۱٬۰۰۰", "TR-1001")
            .await
            .unwrap();
        assert_eq!(
            key_of(
                restitution::decide(s, &finance, &pv, true, None)
                    .await
                    .unwrap_err()
            ),
            "staff.four_eyes",
            "{l}: the one who asked approved it"
        );
        let bank_before = fund(db, "asset:bank:operating").await;
        restitution::decide(s, &manager, &pv, true, None)
            .await
            .unwrap();
        assert_eq!(
            key_of(
                restitution::decide(s, &admin, &pv, true, None)
                    .await
                    .unwrap_err()
            ),
            "restitution.not_awaiting",
            "{l}: paid twice"
        );
        // The bank is an asset: paying out lowers it (its "fund" figure, the negated balance, rises).
        assert_eq!(
            fund(db, "asset:bank:operating").await - bank_before,
            10_000,
            "{l}"
        );
        assert_eq!(
            key_of(
                restitution::request(s, &finance, &victim, "1", "TR-1002")
                    .await
                    .unwrap_err()
            ),
            "restitution.settled"
        );

        // The creditor: no more than what the wages withheld, less what was paid.
        let left = withheld - 10_000;
        let too_much = (left / 10 + 1).to_string();
        assert_eq!(
            key_of(
                restitution::request(s, &finance, &creditor, &too_much, "TR-2")
                    .await
                    .unwrap_err()
            ),
            "restitution.more_than_withheld"
        );
        // Two requests for everything that is left, at once: exactly one is taken.
        let all = (left / 10).to_string();
        let (x, y) = tokio::join!(
            restitution::request(s, &finance, &creditor, &all, "TR-2001"),
            restitution::request(s, &admin, &creditor, &all, "TR-2002"),
        );
        assert_eq!(x.is_ok() as u8 + y.is_ok() as u8, 1, "{l}: {x:?} {y:?}");
        let (taken, by_admin) = match (x, y) {
            (Ok(c), _) => (c, false),
            (_, Ok(c)) => (c, true),
            _ => unreachable!(),
        };
        let rec = restitution::worker(s, &finance, &p).await.unwrap();
        assert_eq!(
            (rec.paid_rials, rec.awaiting_rials, rec.available_rials()),
            (10_000, left, 0),
            "{l}"
        );
        // Rejected (a reason is required): the rials are free again.
        let decider = if by_admin { &manager } else { &admin };
        assert_eq!(
            key_of(
                restitution::decide(s, decider, &taken, false, Some(""))
                    .await
                    .unwrap_err()
            ),
            "restitution.bad_reason"
        );
        restitution::decide(
            s,
            decider,
            &taken,
            false,
            Some("شبا با نام دادنامه نمی‌خواند"),
        )
        .await
        .unwrap();
        // Asked again, and approved by a second person.
        let half = (left / 20).to_string();
        let p1 = restitution::request(s, &finance, &creditor, &half, "TR-3001")
            .await
            .unwrap();
        restitution::decide(s, &admin, &p1, true, None)
            .await
            .unwrap();
        let paid_creditor = left / 20 * 10;

        let rec = restitution::worker(s, &finance, &p).await.unwrap();
        assert_eq!(rec.prisoner_code, p, "{l}");
        assert_eq!(rec.withheld_rials, withheld, "{l}");
        assert_eq!(
            rec.paid_rials,
            10_000 + paid_creditor,
            "{l}: the record shows what was paid"
        );
        assert_eq!(rec.awaiting_rials, 0, "{l}");
        assert_eq!(rec.owed_rials, owed_tomans * 10 - paid_creditor, "{l}");
        let by_code = |code: &str| rec.claims.iter().find(|c| c.code == code).unwrap().clone();
        assert_eq!(
            (by_code(&victim).status, by_code(&victim).paid_rials),
            (ClaimStatus::Settled, 10_000),
            "{l}"
        );
        assert_eq!(
            (by_code(&creditor).status, by_code(&creditor).paid_rials),
            (ClaimStatus::Open, paid_creditor),
            "{l}"
        );
        let statuses: Vec<PayoutStatus> = rec.payouts.iter().map(|p| p.status).collect();
        assert_eq!(
            statuses,
            vec![
                PayoutStatus::Paid,
                PayoutStatus::Rejected,
                PayoutStatus::Paid
            ],
            "{l}"
        );
        // The ledger: the pool paid out exactly what was approved, one group per payout.
        assert_eq!(
            fund(db, "fund:restitution").await,
            pool_before + run.restitution_rials - 10_000 - paid_creditor,
            "{l}"
        );
        assert_eq!(
            scalar(db, "SELECT CAST(COUNT(*) AS BIGINT) FROM ledger_transactions WHERE kind = 'restitution'").await,
            2,
            "{l}"
        );
        assert_eq!(
            scalar(db, "SELECT CAST(COUNT(*) AS BIGINT) FROM restitution_payouts WHERE status = 'paid' AND transaction_id IS NOT NULL").await,
            2,
            "{l}"
        );
        let health = app::ledger::health(db).await.unwrap();
        assert!(
            health.unbalanced_transactions.is_empty() && health.total == 0,
            "{l}: {health:?}"
        );

        // Who sees the claimant: finance and the approvers (audited), not the auditor or the
        // prison officer.
        let book = restitution::book(s, &finance).await.unwrap();
        let row = book.claims.iter().find(|c| c.code == creditor).unwrap();
        let who = row.claimant.clone().expect("finance sees the claimant");
        assert_eq!(
            (who.name.as_str(), who.account.as_str()),
            (CLAIMANT, "IR062960000000100324200001"),
            "{l}"
        );
        assert!(book.fund_rials.is_some(), "{l}");
        for reader in [&auditor, &officer] {
            let book = restitution::book(s, reader).await.unwrap();
            assert!(book.claims.iter().any(|c| c.code == creditor), "{l}");
            assert!(book.claims.iter().all(|c| c.claimant.is_none()), "{l}");
            assert!(
                !serde_json::to_string(&book).unwrap().contains("بهرام"),
                "{l}"
            );
        }
        assert_eq!(
            restitution::book(s, &officer).await.unwrap().fund_rials,
            None,
            "{l}: the national pool is for national staff"
        );
        assert!(
            scalar(db, "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE action = 'restitution.read_claimants'").await >= 1,
            "{l}"
        );
        // The staff page renders the worker's record, and a donor's session never reaches it.
        let html = body_text(
            send(
                &w.app,
                get(
                    &format!("/staff/restitution?prisoner={p}"),
                    Some(&cookie_of(s, email_of(Role::FinanceOfficer)).await),
                ),
            )
            .await,
        )
        .await;
        assert!(
            html.contains("worker-restitution") && html.contains(&creditor),
            "{l}"
        );
        // Without JavaScript: the register form posts and lands back on the page, the claim kept.
        let was = count_rows(db, "restitution_claims").await;
        let enc = app::ui::encode_query_value;
        let mut req = post_form(
            "/api/employment/restitution-claim",
            &format!(
                "form[prisoner]={p}&form[kind]=victim&form[claimant_name]={}&form[claimant_account]={}&form[court_ref]=1405-55&form[owed]={}",
                enc("سیمین زیان‌دیده"),
                enc(SHEBA),
                enc("۲٬۰۰۰"),
            ),
            Some(&cookie_of(s, email_of(Role::FinanceOfficer)).await),
        );
        req.headers_mut().insert(
            axum::http::header::REFERER,
            "http://127.0.0.1:3000/staff/restitution".parse().unwrap(),
        );
        let res = send(&w.app, req).await;
        assert!(res.status().is_redirection(), "{l}: {}", res.status());
        assert_eq!(count_rows(db, "restitution_claims").await, was + 1, "{l}");
        assert_eq!(
            scalar(
                db,
                "SELECT owed_rials FROM restitution_claims ORDER BY id DESC LIMIT 1"
            )
            .await,
            20_000,
            "{l}: ۲٬۰۰۰ tomans typed in Persian digits"
        );
        let donor = send(
            &w.app,
            get(
                "/staff/restitution",
                Some(&cookie_of(s, email_of(Role::Donor)).await),
            ),
        )
        .await;
        assert!(!body_text(donor).await.contains(&creditor), "{l}");
        assert!(app::audit::verify(db).await.unwrap().ok(), "{l}");
        tdb.drop_db().await;
    }
}
