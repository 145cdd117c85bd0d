//! Giving end to end through the router and the sandbox bank, and the settlement rules:
//! exactly-once settlement under replayed and concurrent callbacks, overflow by rule when many
//! gifts race for a need with little left, amount mismatches flagged, failures posting nothing.

use crate::common::*;
use app::giving::{settlement, validate_gift, GiftForm};
use app::ledger;
use app::payments::sandbox;
use app::state::AppState;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use server::seed::{self, Scale};

#[derive(Default)]
struct Recorder(std::sync::Mutex<Vec<app::notify::Message>>);

#[async_trait::async_trait]
impl app::notify::Channel for Recorder {
    fn handles(&self, _: &str) -> bool {
        true
    }
    async fn send(&self, m: &app::notify::Message) -> Result<(), String> {
        self.0.lock().unwrap().push(m.clone());
        Ok(())
    }
}

async fn one_i64(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// A published need and what it still needs, in rials.
async fn open_need(db: &DatabaseConnection, at_least: i64) -> (i64, String, i64) {
    let sql = "SELECT n.id, n.public_code, n.goal_rials, \
               CAST(COALESCE((SELECT -SUM(e.amount_rials) FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id WHERE a.need_id = n.id), 0) AS BIGINT) AS raised \
               FROM needs n WHERE n.status = 'published' AND n.hide_province = FALSE ORDER BY n.id";
    for row in db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
    {
        let id: i64 = row.try_get_by_index(0).unwrap();
        let code: String = row.try_get_by_index(1).unwrap();
        let goal: i64 = row.try_get_by_index(2).unwrap();
        let raised: i64 = row.try_get_by_index(3).unwrap();
        if goal - raised >= at_least {
            return (id, code, goal - raised);
        }
    }
    panic!("no published need with {at_least} rials left");
}

fn location(res: &axum::http::Response<Body>) -> String {
    res.headers()
        .get(header::LOCATION)
        .unwrap_or_else(|| panic!("no Location on a {} answer", res.status()))
        .to_str()
        .unwrap()
        .to_string()
}

fn path_of(url: &str) -> String {
    match url.split_once("://") {
        Some((_, rest)) => rest[rest.find('/').unwrap_or(rest.len())..].to_string(),
        None => url.to_string(),
    }
}

fn with_referer(mut req: Request<Body>, referer: &str) -> Request<Body> {
    req.headers_mut()
        .insert(header::REFERER, referer.parse().unwrap());
    req
}

fn attempt_in(html: &str) -> String {
    html.split("name=\"form[attempt]\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the form carries an attempt key")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gift_through_the_sandbox_bank_settles_once_and_can_be_found_again() {
    for tdb in databases().await {
        let label = tdb.label;
        let state = app_state(&tdb.url).await;
        let db = state.db.clone();
        seed::run(&db, Scale::Demo, 11).await.unwrap();
        let app = server::http::router(state.clone());
        let (need_id, code, _) = open_need(&db, 2_500_000).await;
        let fund_before = ledger::fund_balance(
            &db,
            ledger::account_id(&db, &ledger::Account::Need(need_id))
                .await
                .unwrap(),
        )
        .await
        .unwrap();

        // The form.
        let res = send(&app, get(&format!("/give?need={code}"), None)).await;
        assert_eq!(res.status(), StatusCode::OK, "{label}");
        let html = body_text(res).await;
        assert!(
            html.contains("id=\"give-form\""),
            "{label}: the gift form renders"
        );
        let attempt = attempt_in(&html);

        // A plain form post (no script): 302 to the bank's page. The same form twice: one gift.
        let body = format!(
            "form[target_kind]=need&form[target_code]={code}&form[attempt]={attempt}&form[amount]=250000&form[contact]=09121234567&form[dedication_kind]=memory&form[dedication_text]=Maman"
        );
        let res = send(&app, post_form("/api/give/start", &body, None)).await;
        assert_eq!(
            res.status(),
            StatusCode::FOUND,
            "{label}: {}",
            body_text(res).await
        );
        let bank = location(&res);
        assert!(bank.starts_with("/sandbox-bank/SBX"), "{label}: {bank}");
        let again = send(&app, post_form("/api/give/start", &body, None)).await;
        assert_eq!(
            location(&again),
            bank,
            "{label}: a double submit starts one gift"
        );
        assert_eq!(
            one_i64(
                &db,
                &format!("SELECT COUNT(*) FROM donations WHERE idempotency_key = '{attempt}'")
            )
            .await,
            1,
            "{label}"
        );
        let authority = bank.trim_start_matches("/sandbox-bank/").to_string();

        // The bank's page, then "pay".
        let res = send(&app, get(&bank, None)).await;
        assert_eq!(res.status(), StatusCode::OK, "{label}");
        assert!(
            body_text(res).await.contains("id=\"sandbox-form\""),
            "{label}"
        );
        let res = send(
            &app,
            post_form(&format!("{bank}/decide"), "decision=pay", None),
        )
        .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{label}");
        let callback = path_of(&location(&res));
        assert!(
            callback.starts_with("/give/callback/sandbox?Authority=")
                && callback.ends_with("&Status=OK"),
            "{label}: {callback}"
        );

        // The callback replayed three times, then raced five ways: one settlement.
        let mut receipt = String::new();
        for _ in 0..3 {
            let res = send(&app, get(&callback, None)).await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "{label}");
            let r = location(&res);
            assert!(
                receipt.is_empty() || receipt == r,
                "{label}: same receipt each time"
            );
            receipt = r;
        }
        let mut racers = Vec::new();
        for _ in 0..5 {
            let app = app.clone();
            let callback = callback.clone();
            racers.push(tokio::spawn(async move {
                location(&send(&app, get(&callback, None)).await)
            }));
        }
        for r in racers {
            assert_eq!(r.await.unwrap(), receipt, "{label}");
        }
        let did = one_i64(
            &db,
            &format!("SELECT id FROM donations WHERE gateway_authority = '{authority}'"),
        )
        .await;
        assert_eq!(
            one_i64(
                &db,
                &format!("SELECT COUNT(*) FROM ledger_transactions WHERE donation_id = {did}")
            )
            .await,
            1,
            "{label}: exactly one ledger transaction"
        );
        let fund_after = ledger::fund_balance(
            &db,
            ledger::account_id(&db, &ledger::Account::Need(need_id))
                .await
                .unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(
            fund_after - fund_before,
            2_500_000,
            "{label}: 250,000 tomans reached the need"
        );
        let health = ledger::health(&db).await.unwrap();
        assert!(health.is_sound(), "{label}: {health:?}");
        assert_eq!(
            one_i64(&db, &format!("SELECT COUNT(*) FROM notification_outbox WHERE template = 'receipt' AND payload LIKE '%{}%'", receipt.split('/').nth(2).unwrap().split('?').next().unwrap())).await,
            1,
            "{label}: one receipt message queued"
        );

        // The outbox sends it once, in Persian, without the contact in the text.
        let recorder = std::sync::Arc::new(Recorder::default());
        let channels: Vec<std::sync::Arc<dyn app::notify::Channel>> = vec![recorder.clone()];
        let pending = one_i64(
            &db,
            "SELECT COUNT(*) FROM notification_outbox WHERE status = 'pending'",
        )
        .await as usize;
        assert_eq!(
            app::notify::dispatch(&db, &state.sealer, &channels, 100)
                .await
                .unwrap(),
            pending,
            "{label}"
        );
        assert_eq!(
            app::notify::dispatch(&db, &state.sealer, &channels, 100)
                .await
                .unwrap(),
            0,
            "{label}: nothing twice"
        );
        let sent = recorder.0.lock().unwrap().clone();
        let mine = sent
            .iter()
            .find(|m| m.to == "09121234567")
            .expect("the receipt went to the giver's phone");
        assert_eq!(mine.channel, "sms", "{label}");
        assert!(mine.text.contains("/receipt/"), "{label}: {}", mine.text);

        // The receipt, and only with its token.
        assert!(receipt.starts_with("/receipt/"), "{label}: {receipt}");
        let tracking = receipt
            .trim_start_matches("/receipt/")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        let res = send(&app, get(&receipt, None)).await;
        assert_eq!(res.status(), StatusCode::OK, "{label}");
        let html = body_text(res).await;
        assert!(
            html.contains(&format!("data-code=\"{tracking}\"")),
            "{label}: tracking code shown"
        );
        assert!(html.contains("status-settled"), "{label}: settled");
        assert!(html.contains("Maman"), "{label}: the dedication");
        assert!(
            !html.contains("09121234567"),
            "{label}: the phone is never shown whole"
        );
        let res = send(&app, get(&format!("/receipt/{tracking}?t=0000"), None)).await;
        let html = body_text(res).await;
        assert!(
            !html.contains(&format!("data-code=\"{tracking}\"")),
            "{label}: no receipt without its token"
        );

        // Look-up by tracking code and the phone's last four digits (Persian digits welcome).
        let res = send(
            &app,
            post_form(
                "/api/give/find-receipt",
                &format!("code={tracking}&contact=%DB%B4%DB%B5%DB%B6%DB%B7"),
                None,
            ),
        )
        .await;
        assert_eq!(res.status(), StatusCode::FOUND, "{label}");
        assert_eq!(location(&res), receipt, "{label}");
        let res = send(
            &app,
            with_referer(
                post_form(
                    "/api/give/find-receipt",
                    &format!("code={tracking}&contact=1111"),
                    None,
                ),
                "http://127.0.0.1:3000/receipt",
            ),
        )
        .await;
        assert_eq!(
            location(&res),
            "/receipt?error=receipt.not_found&field=code",
            "{label}"
        );
        tdb.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_gifts_change_nothing_and_say_why_without_javascript() {
    for tdb in databases().await {
        let label = tdb.label;
        let state = app_state(&tdb.url).await;
        let db = state.db.clone();
        seed::run(&db, Scale::Demo, 12).await.unwrap();
        let app = server::http::router(state.clone());
        let (_, code, _) = open_need(&db, 1_000_000).await;
        let before = one_i64(&db, "SELECT COUNT(*) FROM donations").await;
        let referer = format!("http://127.0.0.1:3000/give?need={code}");
        for (body, error) in [
            (format!("form[target_kind]=need&form[target_code]={code}&form[attempt]=abcdefghijklmnopqrstu&form[amount]=other&form[custom]=5000"), "give.amount_too_small"),
            (format!("form[target_kind]=need&form[target_code]={code}&form[attempt]=abcdefghijklmnopqrstu&form[amount]=100000&form[contact]=12345"), "validation.contact"),
            ("form[target_kind]=need&form[target_code]=N-NOPE&form[attempt]=abcdefghijklmnopqrstu&form[amount]=100000".to_string(), "error.not_found"),
            (format!("form[target_kind]=need&form[target_code]={code}&form[attempt]=x&form[amount]=100000"), "give.stale_form"),
        ] {
            let res = send(&app, with_referer(post_form("/api/give/start", &body, None), &referer)).await;
            assert_eq!(res.status(), StatusCode::FOUND, "{label}: {error}");
            let loc = location(&res);
            assert!(
                loc.starts_with(&format!("/give?need={code}&error={error}")),
                "{label}: {loc}"
            );
            // The page shows the message from the URL.
            let html = body_text(send(&app, get(&loc, None)).await).await;
            assert!(html.contains("id=\"form-error\""), "{label}: {error} shown");
        }
        assert_eq!(
            one_i64(&db, "SELECT COUNT(*) FROM donations").await,
            before,
            "{label}"
        );
        // An error key that is not ours is never echoed.
        let html = body_text(
            send(
                &app,
                get(&format!("/give?need={code}&error=%3Cscript%3E"), None),
            )
            .await,
        )
        .await;
        assert!(!html.contains("id=\"form-error\""), "{label}");
        tdb.drop_db().await;
    }
}

/// Starts a gift through the service and pays it at the sandbox bank; returns the authority.
async fn paid_gift(
    state: &AppState,
    kind: &str,
    code: Option<&str>,
    toman: i64,
    n: usize,
) -> String {
    let authority = start_gift(state, kind, code, toman, n).await;
    sandbox::decide(&state.db, &authority, "pay")
        .await
        .unwrap()
        .unwrap();
    authority
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_concurrent_gifts_meet_a_need_exactly_and_the_rest_overflows_by_rule() {
    for tdb in databases().await {
        let label = tdb.label;
        let state = app_state(&tdb.url).await;
        let db = state.db.clone();
        seed::run(&db, Scale::Demo, 13).await.unwrap();
        let (need_id, code, left) = open_need(&db, 4_000_000).await;
        let category: String = strings(
            &db,
            &format!("SELECT category FROM needs WHERE id = {need_id}"),
        )
        .await
        .remove(0);
        let cat_acct = ledger::account_id(&db, &ledger::Account::Category(category.clone()))
            .await
            .unwrap();
        let cat_before = ledger::fund_balance(&db, cat_acct).await.unwrap();
        let need_acct = ledger::account_id(&db, &ledger::Account::Need(need_id))
            .await
            .unwrap();
        let need_before = ledger::fund_balance(&db, need_acct).await.unwrap();
        let goal = one_i64(
            &db,
            &format!("SELECT goal_rials FROM needs WHERE id = {need_id}"),
        )
        .await;

        // Twelve gifts of a third of what is left each: four times too much, all in flight at once.
        let each_toman = (left / 3 / 10).max(10_000);
        let mut authorities = Vec::new();
        for n in 0..12 {
            authorities.push(paid_gift(&state, "need", Some(&code), each_toman, n).await);
        }
        let mut tasks = Vec::new();
        for a in authorities {
            let state = state.clone();
            tasks.push(tokio::spawn(async move {
                settlement::settle(&state, "sandbox", &a, true)
                    .await
                    .unwrap()
                    .outcome
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), settlement::Settled::Now, "{label}");
        }
        let total = 12 * each_toman * 10;
        let need_after = ledger::fund_balance(&db, need_acct).await.unwrap();
        assert_eq!(need_after, goal, "{label}: the goal is met exactly");
        assert_eq!(need_after - need_before, left, "{label}");
        let overflow = one_i64(&db, &format!("SELECT CAST(SUM(overflow_rials) AS BIGINT) FROM donations WHERE need_id = {need_id} AND status = 'settled'")).await;
        assert_eq!(
            overflow,
            total - left,
            "{label}: the rest is recorded as overflow"
        );
        assert_eq!(
            ledger::fund_balance(&db, cat_acct).await.unwrap() - cat_before,
            total - left,
            "{label}: and sits in the {category} fund"
        );
        assert_eq!(
            strings(
                &db,
                &format!("SELECT status FROM needs WHERE id = {need_id}")
            )
            .await,
            vec!["funded".to_string()],
            "{label}"
        );
        let health = ledger::health(&db).await.unwrap();
        assert!(health.is_sound(), "{label}: {health:?}");

        // A gift to the now-funded need is refused before any money moves.
        let form = GiftForm {
            target_kind: "need".into(),
            target_code: Some(code.clone()),
            attempt: "late-attempt-0000000000".replace('-', ""),
            amount: Some("100000".into()),
            ..Default::default()
        };
        let err = settlement::start(&state, &validate_gift(&form).unwrap(), None, "http://x")
            .await
            .unwrap_err();
        assert_eq!(err.message_key(), "give.need_closed", "{label}");
        tdb.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mismatches_are_flagged_and_failures_post_nothing() {
    for tdb in databases().await {
        let label = tdb.label;
        let state = app_state(&tdb.url).await;
        let db = state.db.clone();
        seed::run(&db, Scale::Demo, 14).await.unwrap();
        let before = ledger::health(&db).await.unwrap();

        // The bank took one amount, our record says another: flagged for finance, nothing posted.
        let a = paid_gift(&state, "urgent", None, 50_000, 1).await;
        db.execute_unprepared(&format!(
            "UPDATE sandbox_payments SET amount_rials = amount_rials + 10 WHERE authority = '{a}'"
        ))
        .await
        .unwrap();
        let r = settlement::settle(&state, "sandbox", &a, true)
            .await
            .unwrap();
        assert_eq!(r.outcome, settlement::Settled::Flagged, "{label}");
        assert_eq!(
            one_i64(
                &db,
                "SELECT COUNT(*) FROM finance_flags WHERE kind = 'amount_mismatch'"
            )
            .await,
            1,
            "{label}"
        );
        let r = settlement::settle(&state, "sandbox", &a, true)
            .await
            .unwrap();
        assert_eq!(
            r.outcome,
            settlement::Settled::Already("flagged".into()),
            "{label}: stays flagged"
        );

        // Failed at the bank, and cancelled on the way back: nothing posted.
        let f = paid_gift(&state, "category_fund", Some("rent"), 50_000, 2).await;
        db.execute_unprepared(&format!(
            "UPDATE sandbox_payments SET status = 'failed' WHERE authority = '{f}'"
        ))
        .await
        .unwrap();
        assert_eq!(
            settlement::settle(&state, "sandbox", &f, true)
                .await
                .unwrap()
                .outcome,
            settlement::Settled::NotPaid,
            "{label}"
        );
        let c = paid_gift(&state, "urgent", None, 50_000, 3).await;
        db.execute_unprepared(&format!(
            "UPDATE sandbox_payments SET status = 'cancelled' WHERE authority = '{c}'"
        ))
        .await
        .unwrap();
        assert_eq!(
            settlement::settle(&state, "sandbox", &c, false)
                .await
                .unwrap()
                .outcome,
            settlement::Settled::NotPaid,
            "{label}"
        );
        // A paid gift to the general fund settles.
        let ok = paid_gift(&state, "urgent", None, 70_000, 4).await;
        assert_eq!(
            settlement::settle(&state, "sandbox", &ok, true)
                .await
                .unwrap()
                .outcome,
            settlement::Settled::Now,
            "{label}"
        );

        let after = ledger::health(&db).await.unwrap();
        assert_eq!(
            after.transactions,
            before.transactions + 1,
            "{label}: only the paid gift posted"
        );
        assert!(after.is_sound(), "{label}: {after:?}");
        let general = ledger::account_id(&db, &ledger::Account::General)
            .await
            .unwrap();
        assert_eq!(
            ledger::fund_balance(&db, general).await.unwrap(),
            700_000,
            "{label}"
        );
        assert!(after.transactions > 0);
        // Paid at the bank, but the payer closed the browser: reconciliation settles it, and the
        // gateway-settled totals match the ledger.
        let lost = paid_gift(&state, "urgent", None, 30_000, 5).await;
        let r = settlement::reconcile(&state, chrono::Duration::zero())
            .await
            .unwrap();
        assert_eq!(r.settled_now, 1, "{label}: {r:?}");
        assert!(r.balanced(), "{label}: {r:?}");
        assert_eq!(r.open_flags, 1, "{label}");
        let again = settlement::reconcile(&state, chrono::Duration::zero())
            .await
            .unwrap();
        assert_eq!(again.retried, 0, "{label}: nothing left pending");
        assert_eq!(
            settlement::settle(&state, "sandbox", &lost, true)
                .await
                .unwrap()
                .outcome,
            settlement::Settled::Already("settled".into()),
            "{label}: a late callback changes nothing"
        );
        // An unknown authority is not found, and changes nothing.
        assert!(
            settlement::settle(&state, "sandbox", "SBX000", true)
                .await
                .is_err(),
            "{label}"
        );
        tdb.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monthly_pledges_cancel_in_one_click_and_donors_see_their_gifts() {
    for tdb in databases().await {
        let label = tdb.label;
        let state = app_state(&tdb.url).await;
        let db = state.db.clone();
        seed::run(&db, Scale::Demo, 15).await.unwrap();
        let app = server::http::router(state.clone());

        // The demo donor signs in and gives monthly to the rent fund, through the router.
        let body = format!(
            "email=donor%40demo.karamat.ir&password={}",
            app::ui::encode_query_value(server::seed::DEMO_PASSWORD)
        );
        let res = send(&app, post_form("/api/auth/sign-in", &body, None)).await;
        let cookie = set_cookie(&res, "karamat_session").expect("signed in");
        let html = body_text(send(&app, get("/give?category=rent", Some(&cookie))).await).await;
        let attempt = attempt_in(&html);
        let body = format!(
            "form[target_kind]=category_fund&form[target_code]=rent&form[attempt]={attempt}&form[amount]=100000&form[contact]=09120000001&form[monthly]=on&form[intention]=zakat"
        );
        let res = send(&app, post_form("/api/give/start", &body, Some(&cookie))).await;
        assert_eq!(res.status(), StatusCode::FOUND, "{label}");
        let authority = location(&res)
            .trim_start_matches(sandbox::PAGE_PREFIX)
            .to_string();
        sandbox::decide(&db, &authority, "pay").await.unwrap();
        let done = settlement::settle(&state, "sandbox", &authority, true)
            .await
            .unwrap();
        assert_eq!(done.outcome, settlement::Settled::Now, "{label}");
        assert_eq!(
            strings(&db, "SELECT status FROM pledges").await,
            vec!["active".to_string()],
            "{label}"
        );

        // A month on, one reminder is queued (never two), with a link to the one-click cancel page.
        db.execute_unprepared("UPDATE pledges SET next_due_on = '2026-01-01'")
            .await
            .unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        assert_eq!(
            app::giving::pledges::send_reminders(&state, today)
                .await
                .unwrap(),
            1,
            "{label}"
        );
        assert_eq!(
            app::giving::pledges::send_reminders(&state, today)
                .await
                .unwrap(),
            0,
            "{label}: once"
        );
        assert_eq!(
            strings(&db, "SELECT CAST(next_due_on AS TEXT) FROM pledges").await,
            vec!["2026-12-28".to_string()],
            "{label}: next month"
        );
        let payload = strings(
            &db,
            "SELECT payload FROM notification_outbox WHERE template = 'pledge_reminder'",
        )
        .await;
        let cancel_url = serde_json::from_str::<serde_json::Value>(&payload[0]).unwrap()
            ["cancel_url"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            cancel_url.starts_with("/pledge/cancel?code=M-"),
            "{label}: {cancel_url}"
        );
        // The reminder reopens the form as the first gift was given: the fund and its intention.
        let give_url = serde_json::from_str::<serde_json::Value>(&payload[0]).unwrap()["url"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(give_url, "/give?category=rent&intention=zakat", "{label}");
        let form = body_text(send(&app, get(&give_url, None)).await).await;
        assert!(
            form.contains("<option value=\"zakat\" selected"),
            "{label}: zakat chosen"
        );
        let html = body_text(send(&app, get(&cancel_url, None)).await).await;
        assert!(
            html.contains("id=\"cancel-pledge\""),
            "{label}: the page has the button"
        );

        // The receipt offers the one-click cancel; a wrong token changes nothing.
        let token = settlement::receipt_token(&state, &done.tracking_code);
        let receipt = settlement::receipt(&state, &done.tracking_code, &token)
            .await
            .unwrap();
        assert!(receipt.monthly && receipt.pledge_active, "{label}");
        let (code, cancel) = receipt.pledge.clone().unwrap();
        let html = body_text(
            send(
                &app,
                get(&app::giving::receipt_url(&done.tracking_code, &token), None),
            )
            .await,
        )
        .await;
        assert!(html.contains("id=\"cancel-pledge\""), "{label}");
        let mut wrong = post_form(
            "/api/give/cancel-pledge",
            &format!("code={code}&token=00"),
            None,
        );
        wrong
            .headers_mut()
            .insert(header::ACCEPT, "application/json".parse().unwrap());
        assert_eq!(
            send(&app, wrong).await.status(),
            StatusCode::NOT_FOUND,
            "{label}"
        );
        assert_eq!(
            strings(&db, "SELECT status FROM pledges").await,
            vec!["active".to_string()],
            "{label}"
        );
        // Without JavaScript: a plain form post, then a page that says it is done.
        let res = send(
            &app,
            post_form(
                "/api/give/cancel-pledge",
                &format!("code={code}&token={cancel}"),
                None,
            ),
        )
        .await;
        assert_eq!(location(&res), "/pledge/cancel?done=1", "{label}");
        assert_eq!(
            strings(&db, "SELECT status FROM pledges").await,
            vec!["cancelled".to_string()],
            "{label}"
        );

        // The donor's account lists the gift with a link to its receipt; nobody else's.
        let html = body_text(send(&app, get("/account", Some(&cookie))).await).await;
        assert!(html.contains("id=\"my-gifts\""), "{label}");
        assert!(
            html.contains(&format!("/receipt/{}", done.tracking_code)),
            "{label}"
        );
        let mine = settlement::history(
            &state,
            one_i64(
                &db,
                "SELECT id FROM users WHERE email = 'donor@demo.karamat.ir'",
            )
            .await,
        )
        .await
        .unwrap();
        assert!(
            mine.iter().any(|g| g.tracking_code == done.tracking_code),
            "{label}"
        );
        // Anonymous callers cannot ask for anyone's history.
        let mut anon = post_form("/api/give/mine", "", None);
        anon.headers_mut()
            .insert(header::ACCEPT, "application/json".parse().unwrap());
        assert_eq!(
            send(&app, anon).await.status(),
            StatusCode::UNAUTHORIZED,
            "{label}"
        );
        tdb.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_needs_move_their_money_by_the_published_rule_and_donors_are_told() {
    for tdb in databases().await {
        let label = tdb.label;
        let state = app_state(&tdb.url).await;
        let db = state.db.clone();
        seed::run(&db, Scale::Demo, 16).await.unwrap();
        // Two open needs of the same kind and province: one about to expire, one to receive.
        let (a_id, a_code, _) = open_need(&db, 2_000_000).await;
        let (cat, prov) = {
            let v = strings(&db, &format!("SELECT category || '|' || CAST(province_id AS TEXT) FROM needs WHERE id = {a_id}")).await;
            let (c, p) = v[0].split_once('|').unwrap();
            (c.to_string(), p.parse::<i64>().unwrap())
        };
        let b_id = one_i64(&db, &format!("SELECT id FROM needs WHERE status = 'published' AND id <> {a_id} ORDER BY id LIMIT 1")).await;
        db.execute_unprepared(&format!(
            "UPDATE needs SET category = '{cat}', province_id = {prov}, hide_province = FALSE, goal_rials = goal_rials + 100000000 WHERE id = {b_id}"
        ))
        .await
        .unwrap();
        // Any other open need of that kind and province ends later, so b is the most urgent.
        db.execute_unprepared(&format!(
            "UPDATE needs SET deadline = '2030-01-01' WHERE status = 'published' AND category = '{cat}' AND province_id = {prov} AND id NOT IN ({a_id}, {b_id})"
        ))
        .await
        .unwrap();
        db.execute_unprepared(&format!(
            "UPDATE needs SET deadline = '2029-06-01' WHERE id = {b_id}"
        ))
        .await
        .unwrap();
        // A gift with a contact to the need that will expire.
        let a = paid_gift(&state, "need", Some(&a_code), 100_000, 9).await;
        let with_contact = paid_gift_with_contact(&state, &a_code).await;
        assert_eq!(
            settlement::settle(&state, "sandbox", &a, true)
                .await
                .unwrap()
                .outcome,
            settlement::Settled::Now,
            "{label}"
        );
        assert_eq!(
            settlement::settle(&state, "sandbox", &with_contact, true)
                .await
                .unwrap()
                .outcome,
            settlement::Settled::Now,
            "{label}"
        );
        db.execute_unprepared(&format!(
            "UPDATE needs SET deadline = '2020-01-01' WHERE id = {a_id}"
        ))
        .await
        .unwrap();

        let a_acct = ledger::account_id(&db, &ledger::Account::Need(a_id))
            .await
            .unwrap();
        let b_acct = ledger::account_id(&db, &ledger::Account::Need(b_id))
            .await
            .unwrap();
        let held = ledger::fund_balance(&db, a_acct).await.unwrap();
        let b_before = ledger::fund_balance(&db, b_acct).await.unwrap();
        assert!(held >= 2_000_000, "{label}");
        let outbox_before = one_i64(
            &db,
            "SELECT COUNT(*) FROM notification_outbox WHERE template = 'need_reallocated'",
        )
        .await;

        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let moved = settlement::reallocate_expired(&state, today).await.unwrap();
        let mine = moved
            .iter()
            .find(|m| m.from_need == a_code)
            .expect("the expired need was handled");
        let b_code = strings(
            &db,
            &format!("SELECT public_code FROM needs WHERE id = {b_id}"),
        )
        .await
        .remove(0);
        assert_eq!(
            mine.to_need.as_deref(),
            Some(b_code.as_str()),
            "{label}: to the most urgent need of its kind and province"
        );
        assert_eq!(
            mine.to_need_rials + mine.to_fund_rials,
            held,
            "{label}: nothing lost"
        );
        assert_eq!(
            ledger::fund_balance(&db, a_acct).await.unwrap(),
            0,
            "{label}"
        );
        assert_eq!(
            ledger::fund_balance(&db, b_acct).await.unwrap() - b_before,
            mine.to_need_rials,
            "{label}"
        );
        assert_eq!(
            strings(&db, &format!("SELECT status FROM needs WHERE id = {a_id}")).await,
            vec!["expired".to_string()],
            "{label}"
        );
        assert!(mine.donors_told >= 1, "{label}");
        assert_eq!(
            one_i64(
                &db,
                "SELECT COUNT(*) FROM notification_outbox WHERE template = 'need_reallocated'"
            )
            .await
                - outbox_before,
            mine.donors_told as i64,
            "{label}: each donor with a contact is told"
        );
        assert!(ledger::health(&db).await.unwrap().is_sound(), "{label}");
        // Running it again moves nothing twice.
        let again = settlement::reallocate_expired(&state, today).await.unwrap();
        assert!(again.iter().all(|m| m.from_need != a_code), "{label}");
        tdb.drop_db().await;
    }
}

/// A paid gift of 100,000 tomans with a phone number, to a need.
async fn paid_gift_with_contact(state: &AppState, code: &str) -> String {
    let form = GiftForm {
        target_kind: "need".into(),
        target_code: Some(code.to_string()),
        attempt: "withcontact00000000000000".into(),
        amount: Some("100000".into()),
        contact: Some("09127776655".into()),
        ..Default::default()
    };
    let gift = validate_gift(&form).unwrap();
    let url = settlement::start(state, &gift, None, "http://127.0.0.1:3000")
        .await
        .unwrap();
    let authority = url.trim_start_matches(sandbox::PAGE_PREFIX).to_string();
    sandbox::decide(&state.db, &authority, "pay")
        .await
        .unwrap()
        .unwrap();
    authority
}
