//! The Kavenegar SMS adapter against a local stub speaking its documented API, driven by the real
//! outbox dispatcher: a message is sent once with the right fields; a refusal or an outage leaves
//! it pending for a retry (with backoff) and records why, without the recipient.

use crate::common::*;
use app::notify::{self, sms::Kavenegar, Channel};
use axum::{
    extract::{Path, State},
    routing::post,
    Form, Json, Router,
};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Stub {
    received: Vec<(String, HashMap<String, String>)>,
    /// Kavenegar's `return.status` to answer with (200 = accepted).
    status: i64,
}

type Shared = Arc<Mutex<Stub>>;

async fn send(
    State(stub): State<Shared>,
    Path(key): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Json<Value> {
    let mut s = stub.lock().unwrap();
    s.received.push((key, form));
    let status = s.status;
    Json(
        json!({ "return": { "status": status, "message": if status == 200 { "تایید شد" } else { "خطا" } }, "entries": [] }),
    )
}

async fn stub() -> (String, Shared) {
    let shared: Shared = Arc::new(Mutex::new(Stub {
        status: 200,
        ..Default::default()
    }));
    let app = Router::new()
        .route("/v1/{key}/sms/send.json", post(send))
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), shared)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_goes_out_once_through_kavenegar_and_refusals_are_retried() {
    let (base, shared) = stub().await;
    let tdb = databases().await.remove(0);
    let state = app_state(&tdb.url).await;
    let db = &state.db;
    let channels: Vec<Arc<dyn Channel>> = vec![
        Arc::new(Kavenegar::new(&base, "TEST-KEY", Some("10008663".into()))),
        Arc::new(notify::LogChannel),
    ];
    notify::enqueue(db, &state.sealer, "09121234567", "receipt", app::i18n::Locale::Fa,
        json!({ "tracking_code": "123456789012", "amount_rials": 5_000_000, "url": "/receipt/123456789012?t=x" }))
        .await
        .unwrap();
    assert_eq!(
        notify::dispatch(db, &state.sealer, &channels, 10)
            .await
            .unwrap(),
        1
    );
    {
        let s = shared.lock().unwrap();
        assert_eq!(s.received.len(), 1);
        let (key, form) = &s.received[0];
        assert_eq!(key, "TEST-KEY");
        assert_eq!(form["receptor"], "09121234567");
        assert_eq!(form["sender"], "10008663");
        assert!(
            form["message"].contains("۱۲۳۴۵۶۷۸۹۰۱۲"),
            "{}",
            form["message"]
        );
    }
    // Nothing is sent twice.
    assert_eq!(
        notify::dispatch(db, &state.sealer, &channels, 10)
            .await
            .unwrap(),
        0
    );
    assert_eq!(shared.lock().unwrap().received.len(), 1);
    assert_eq!(
        strings(db, "SELECT status FROM notification_outbox").await,
        vec!["sent"]
    );

    // A refusal (say, credit ran out) leaves the message pending with the reason, not the number.
    shared.lock().unwrap().status = 418;
    notify::enqueue(
        db,
        &state.sealer,
        "09351112233",
        "receipt",
        app::i18n::Locale::Fa,
        json!({ "tracking_code": "2", "amount_rials": 1, "url": "/" }),
    )
    .await
    .unwrap();
    assert_eq!(
        notify::dispatch(db, &state.sealer, &channels, 10)
            .await
            .unwrap(),
        0
    );
    let rows = strings(
        db,
        "SELECT status || '|' || COALESCE(last_error, '') FROM notification_outbox ORDER BY id",
    )
    .await;
    assert_eq!(rows[1].split('|').next(), Some("pending"));
    assert!(
        rows[1].contains("kavenegar refused") && rows[1].contains("418"),
        "{rows:?}"
    );
    assert!(
        !rows[1].contains("0935"),
        "the error names the recipient: {rows:?}"
    );
    // E-mail addresses are not for the SMS adapter: the next adapter (log) takes them.
    notify::enqueue(
        db,
        &state.sealer,
        "donor@example.org",
        "receipt",
        app::i18n::Locale::En,
        json!({ "tracking_code": "3", "amount_rials": 1, "url": "/" }),
    )
    .await
    .unwrap();
    assert_eq!(
        notify::dispatch(db, &state.sealer, &channels, 10)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        shared.lock().unwrap().received.len(),
        2,
        "only the two SMS reached the stub"
    );

    // An outage (nothing listening) is an error too, and nothing is lost.
    let down: Vec<Arc<dyn Channel>> =
        vec![Arc::new(Kavenegar::new("http://127.0.0.1:9", "K", None))];
    let err = down[0]
        .send(&notify::Message {
            channel: "sms".into(),
            to: "09121234567".into(),
            template: "receipt".into(),
            subject: "x".into(),
            text: "x".into(),
        })
        .await
        .unwrap_err();
    assert!(
        err.contains("unreachable") && !err.contains("0912"),
        "{err}"
    );
}
