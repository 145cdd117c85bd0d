//! The ZarinPal v4 adapter against a local stub that speaks the documented protocol:
//! request → authority, verify → 100 (now) / 101 (before) / -50 (amount) / -51 (not paid),
//! error envelopes, server errors and timeouts; then a whole gift settled through it once.

use crate::common::*;
use app::giving::{settlement, validate_gift, GiftForm};
use app::payments::zarinpal::ZarinPal;
use app::payments::{GatewayError, Gateways, PaymentGateway, PaymentRequest, Verification};
use axum::{extract::State, routing::post, Json, Router};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const MERCHANT: &str = "00000000-1111-2222-3333-444444444444";

#[derive(Default)]
struct Bank {
    /// authority → (amount, paid, verified)
    payments: HashMap<String, (i64, bool, bool)>,
    next: u64,
    /// Slow answers (seconds) to exercise the client's timeout.
    delay: u64,
    /// Answer every call with HTTP 500.
    broken: bool,
}

type Shared = Arc<Mutex<Bank>>;

async fn request(
    State(bank): State<Shared>,
    Json(body): Json<Value>,
) -> (axum::http::StatusCode, Json<Value>) {
    let delay = bank.lock().unwrap().delay;
    if delay > 0 {
        tokio::time::sleep(Duration::from_secs(delay)).await;
    }
    if bank.lock().unwrap().broken {
        return (
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({})),
        );
    }
    let amount = body["amount"].as_i64().unwrap_or(0);
    if body["merchant_id"] != MERCHANT || body["callback_url"].as_str().unwrap_or("").is_empty() {
        return (
            axum::http::StatusCode::BAD_REQUEST,
            Json(
                json!({"data": [], "errors": {"code": -9, "message": "The input params invalid, validation error.", "validations": []}}),
            ),
        );
    }
    if amount < 10_000 {
        return (
            axum::http::StatusCode::BAD_REQUEST,
            Json(json!({"data": [], "errors": {"code": -9, "message": "amount too small"}})),
        );
    }
    let mut b = bank.lock().unwrap();
    b.next += 1;
    let authority = format!("A{:035}", b.next);
    b.payments.insert(authority.clone(), (amount, false, false));
    (
        axum::http::StatusCode::OK,
        Json(
            json!({"data": {"code": 100, "message": "Success", "authority": authority, "fee_type": "Merchant", "fee": 0}, "errors": []}),
        ),
    )
}

async fn verify(
    State(bank): State<Shared>,
    Json(body): Json<Value>,
) -> (axum::http::StatusCode, Json<Value>) {
    let delay = bank.lock().unwrap().delay;
    if delay > 0 {
        tokio::time::sleep(Duration::from_secs(delay)).await;
    }
    let mut b = bank.lock().unwrap();
    if b.broken {
        return (axum::http::StatusCode::BAD_GATEWAY, Json(json!({})));
    }
    let authority = body["authority"].as_str().unwrap_or("").to_string();
    let amount = body["amount"].as_i64().unwrap_or(0);
    let err = |code: i64, message: &str| {
        (
            axum::http::StatusCode::BAD_REQUEST,
            Json(json!({"data": [], "errors": {"code": code, "message": message}})),
        )
    };
    let Some(p) = b.payments.get_mut(&authority) else {
        return err(-54, "Invalid authority.");
    };
    if !p.1 {
        return err(-51, "Session is not active, paid try is unsuccessful.");
    }
    if p.0 != amount {
        return err(-50, "Session is not valid, amounts values is not the same.");
    }
    let code = if p.2 { 101 } else { 100 };
    p.2 = true;
    // ZarinPal keeps 1 % (the merchant bears it), as its answers say.
    let fee = amount / 100;
    (
        axum::http::StatusCode::OK,
        Json(
            json!({"data": {"code": code, "message": if code == 100 { "Paid" } else { "Verified" }, "card_hash": "X", "card_pan": "502229******5995", "ref_id": 201, "fee_type": "Merchant", "fee": fee}, "errors": []}),
        ),
    )
}

async fn stub() -> (String, Shared) {
    let bank: Shared = Arc::default();
    let app = Router::new()
        .route("/pg/v4/payment/request.json", post(request))
        .route("/pg/v4/payment/verify.json", post(verify))
        .with_state(bank.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), bank)
}

fn req(amount: i64) -> PaymentRequest {
    PaymentRequest {
        amount_rials: amount,
        callback_url: "http://127.0.0.1:3000/give/callback/zarinpal".into(),
        description: "Karamat test".into(),
        mobile: Some("09121234567".into()),
        email: None,
    }
}

fn pay(bank: &Shared, authority: &str) {
    bank.lock().unwrap().payments.get_mut(authority).unwrap().1 = true;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zarinpal_protocol_success_repeat_failure_mismatch() {
    let (base, bank) = stub().await;
    let z = ZarinPal::with_timeout(&base, MERCHANT, Duration::from_millis(800)).unwrap();
    assert_eq!(z.name(), "zarinpal");

    let started = z.request(&req(1_000_000)).await.unwrap();
    assert_eq!(
        started.redirect_url,
        format!("{base}/pg/StartPay/{}", started.authority)
    );
    // Not paid yet: -51.
    assert!(matches!(
        z.verify(&started.authority, 1_000_000).await.unwrap(),
        Verification::NotPaid { code: -51, .. }
    ));
    pay(&bank, &started.authority);
    // The wrong amount: -50, flagged by the caller.
    assert!(matches!(
        z.verify(&started.authority, 999_990).await.unwrap(),
        Verification::AmountMismatch { .. }
    ));
    // Paid: 100, then 101 for the same payment.
    assert_eq!(
        z.verify(&started.authority, 1_000_000).await.unwrap(),
        Verification::Paid {
            ref_id: "201".into(),
            fee_rials: 10_000
        }
    );
    assert_eq!(
        z.verify(&started.authority, 1_000_000).await.unwrap(),
        Verification::AlreadyVerified {
            ref_id: "201".into(),
            fee_rials: 10_000
        }
    );
    // An authority the bank never issued.
    assert!(matches!(
        z.verify("A000", 1_000_000).await.unwrap(),
        Verification::NotPaid { code: -54, .. }
    ));
    // A refused request (the bank's -9 envelope).
    assert!(matches!(
        z.request(&req(5)).await,
        Err(GatewayError::Refused { code: -9, .. })
    ));
    let wrong =
        ZarinPal::with_timeout(&base, "not-our-merchant", Duration::from_millis(800)).unwrap();
    assert!(matches!(
        wrong.request(&req(1_000_000)).await,
        Err(GatewayError::Refused { code: -9, .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zarinpal_timeouts_and_outages_are_unavailable_not_failures() {
    let (base, bank) = stub().await;
    let z = ZarinPal::with_timeout(&base, MERCHANT, Duration::from_millis(300)).unwrap();
    let started = z.request(&req(1_000_000)).await.unwrap();
    pay(&bank, &started.authority);
    bank.lock().unwrap().delay = 2;
    assert!(matches!(
        z.verify(&started.authority, 1_000_000).await,
        Err(GatewayError::Unavailable(_))
    ));
    assert!(matches!(
        z.request(&req(1_000_000)).await,
        Err(GatewayError::Unavailable(_))
    ));
    bank.lock().unwrap().delay = 0;
    bank.lock().unwrap().broken = true;
    assert!(matches!(
        z.verify(&started.authority, 1_000_000).await,
        Err(GatewayError::Unavailable(_))
    ));
    bank.lock().unwrap().broken = false;
    // Nothing was lost: once the bank answers, the payment verifies.
    assert!(matches!(
        z.verify(&started.authority, 1_000_000).await.unwrap(),
        Verification::Paid { .. }
    ));
    // Nobody listening at all.
    let dead =
        ZarinPal::with_timeout("http://127.0.0.1:9", MERCHANT, Duration::from_millis(300)).unwrap();
    assert!(matches!(
        dead.request(&req(1_000_000)).await,
        Err(GatewayError::Unavailable(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gift_through_zarinpal_settles_once_even_when_the_bank_was_slow() {
    let (base, bank) = stub().await;
    for tdb in databases().await {
        let label = tdb.label;
        let z = ZarinPal::with_timeout(&base, MERCHANT, Duration::from_millis(500)).unwrap();
        let state = app_state(&tdb.url).await;
        let state = state.with_gateways(Gateways::new(Arc::new(z)));
        let gift = validate_gift(&GiftForm {
            target_kind: "urgent".into(),
            attempt: format!("zarinpal{}", label).repeat(3),
            amount: Some("100000".into()),
            ..Default::default()
        })
        .unwrap();
        let url = settlement::start(&state, &gift, None, "http://127.0.0.1:3000")
            .await
            .unwrap();
        let authority = url.rsplit('/').next().unwrap().to_string();
        assert!(
            url.starts_with(&format!("{base}/pg/StartPay/A")),
            "{label}: {url}"
        );
        pay(&bank, &authority);

        // The bank is slow: the gift stays pending, nothing posted.
        bank.lock().unwrap().delay = 2;
        let r = settlement::settle(&state, "zarinpal", &authority, true)
            .await
            .unwrap();
        assert_eq!(r.outcome, settlement::Settled::Pending, "{label}");
        bank.lock().unwrap().delay = 0;
        // Then the callback is repeated three times and raced: one settlement.
        let mut outcomes = Vec::new();
        for _ in 0..3 {
            outcomes.push(
                settlement::settle(&state, "zarinpal", &authority, true)
                    .await
                    .unwrap()
                    .outcome,
            );
        }
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let state = state.clone();
            let a = authority.clone();
            tasks.push(tokio::spawn(async move {
                settlement::settle(&state, "zarinpal", &a, true)
                    .await
                    .unwrap()
                    .outcome
            }));
        }
        for t in tasks {
            outcomes.push(t.await.unwrap());
        }
        assert_eq!(
            outcomes
                .iter()
                .filter(|o| **o == settlement::Settled::Now)
                .count(),
            1,
            "{label}: {outcomes:?}"
        );
        let db = &state.db;
        let posted = strings(db, &format!(
            "SELECT CAST(COUNT(*) AS TEXT) FROM ledger_transactions t JOIN donations d ON d.id = t.donation_id WHERE d.gateway_authority = '{authority}'"
        )).await;
        assert_eq!(posted, vec!["1".to_string()], "{label}");
        assert!(app::ledger::health(db).await.unwrap().is_sound(), "{label}");
        // The bank kept its 1 %: the association bears it, the whole gift reached the fund, and
        // the clearing account expects what the bank will actually pay out.
        let balance = |code: &str| {
            format!(
                "SELECT CAST(COALESCE(SUM(e.amount_rials), 0) AS BIGINT) FROM ledger_entries e \
                 JOIN ledger_accounts a ON a.id = e.account_id WHERE a.code = '{code}'"
            )
        };
        // (100,000 tomans = 1,000,000 rials.)
        assert_eq!(
            scalar(db, &balance("expense:gateway_fees")).await.abs(),
            10_000,
            "{label}"
        );
        assert_eq!(
            scalar(db, &balance("fund:general")).await.abs(),
            1_000_000,
            "{label}"
        );
        assert_eq!(
            scalar(db, &balance("asset:gateway:zarinpal")).await.abs(),
            990_000,
            "{label}"
        );
        // Reconciliation compares what was given with what the gateway confirmed: still equal.
        let report = settlement::reconcile(&state, chrono::Duration::minutes(30))
            .await
            .unwrap();
        assert!(report.balanced(), "{label}: {report:?}");
        tdb.drop_db().await;
    }
}
