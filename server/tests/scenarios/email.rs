//! The SMTP e-mail adapter against a local stub speaking SMTP (RFC 5321: greeting, EHLO, MAIL,
//! RCPT, DATA, QUIT), driven by the real outbox dispatcher: a receipt goes out once, from the
//! configured sender to the donor, with a subject and a Persian body that survive the wire; a
//! refused recipient leaves the message pending for a retry with a reason that does not name
//! the address; a server that is down is an error, and nothing is lost.

use crate::common::*;
use app::notify::{self, email::Smtp, Channel};
use base64::Engine;
use serde_json::json;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

#[derive(Default)]
struct Stub {
    /// (MAIL FROM, RCPT TO, DATA) of each accepted message.
    received: Vec<(String, String, String)>,
    /// Refuse every recipient with 550.
    refuse: bool,
}

type Shared = Arc<Mutex<Stub>>;

async fn session(stream: tokio::net::TcpStream, stub: Shared) {
    let (r, mut w) = stream.into_split();
    let mut lines = BufReader::new(r).lines();
    let _ = w.write_all(b"220 stub.test ESMTP\r\n").await;
    let (mut from, mut to) = (String::new(), String::new());
    while let Ok(Some(line)) = lines.next_line().await {
        let upper = line.to_ascii_uppercase();
        let reply: String = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            "250-stub.test\r\n250 8BITMIME\r\n".into()
        } else if upper.starts_with("MAIL FROM:") {
            from = line[10..].trim().to_string();
            "250 OK\r\n".into()
        } else if upper.starts_with("RCPT TO:") {
            to = line[8..].trim().to_string();
            if stub.lock().unwrap().refuse {
                format!("550 5.1.1 {to}: mailbox unavailable\r\n")
            } else {
                "250 OK\r\n".into()
            }
        } else if upper == "DATA" {
            let _ = w.write_all(b"354 go ahead\r\n").await;
            let mut data = String::new();
            while let Ok(Some(l)) = lines.next_line().await {
                if l == "." {
                    break;
                }
                data.push_str(&l);
                data.push('\n');
            }
            stub.lock()
                .unwrap()
                .received
                .push((from.clone(), to.clone(), data));
            "250 queued\r\n".into()
        } else if upper == "QUIT" {
            let _ = w.write_all(b"221 bye\r\n").await;
            return;
        } else if upper == "RSET" || upper == "NOOP" {
            "250 OK\r\n".into()
        } else {
            "502 not implemented\r\n".into()
        };
        if w.write_all(reply.as_bytes()).await.is_err() {
            return;
        }
    }
}

async fn stub() -> (u16, Shared) {
    let shared: Shared = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let s = shared.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(session(stream, s.clone()));
        }
    });
    (port, shared)
}

/// The body of a single-part message sent base64-encoded, decoded.
fn body_of(data: &str) -> String {
    let (headers, body) = data.split_once("\n\n").expect("headers, then a body");
    assert!(
        headers.contains("Content-Transfer-Encoding: base64"),
        "{headers}"
    );
    let b64: String = body.split_whitespace().collect();
    String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_goes_out_once_over_smtp_and_refusals_are_retried() {
    let (port, shared) = stub().await;
    let tdb = databases().await.remove(0);
    let state = app_state(&tdb.url).await;
    let db = &state.db;
    let smtp = Smtp::new(
        &format!("smtp://127.0.0.1:{port}"),
        "Karamat <no-reply@karamat.test>",
    )
    .unwrap();
    let channels: Vec<Arc<dyn Channel>> = vec![Arc::new(smtp), Arc::new(notify::LogChannel)];
    notify::enqueue(db, &state.sealer, "donor@example.org", "receipt", app::i18n::Locale::Fa,
        json!({ "tracking_code": "123456789012", "amount_rials": 5_000_000, "url": "https://karamat.test/receipt/123456789012?t=x" }))
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
        let (from, to, data) = &s.received[0];
        assert_eq!(from, "<no-reply@karamat.test>");
        assert_eq!(to, "<donor@example.org>");
        assert!(data.contains("To: donor@example.org"), "{data}");
        assert!(
            data.contains("From: Karamat <no-reply@karamat.test>"),
            "{data}"
        );
        // The Persian subject travels encoded (RFC 2047).
        assert!(data.contains("Subject: =?utf-8?"), "{data}");
        let body = body_of(data);
        assert!(body.contains("۱۲۳۴۵۶۷۸۹۰۱۲"), "{body}");
        assert!(
            body.contains("https://karamat.test/receipt/123456789012?t=x"),
            "{body}"
        );
        assert!(body.contains("کرامت"), "{body}");
    }
    // Nothing is sent twice.
    assert_eq!(
        notify::dispatch(db, &state.sealer, &channels, 10)
            .await
            .unwrap(),
        0
    );
    assert_eq!(shared.lock().unwrap().received.len(), 1);

    // A refused recipient: pending for a retry, the reason kept without the address.
    shared.lock().unwrap().refuse = true;
    notify::enqueue(
        db,
        &state.sealer,
        "someone.else@example.org",
        "receipt",
        app::i18n::Locale::En,
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
    assert_eq!(rows[1].split('|').next(), Some("pending"), "{rows:?}");
    assert!(
        rows[1].contains("smtp") && rows[1].contains("550"),
        "{rows:?}"
    );
    assert!(
        !rows[1].contains("someone.else"),
        "the error names the recipient: {rows:?}"
    );
    // SMS numbers are not for the e-mail adapter: the log adapter takes them.
    shared.lock().unwrap().refuse = false;
    notify::enqueue(
        db,
        &state.sealer,
        "09121234567",
        "receipt",
        app::i18n::Locale::Fa,
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
        1,
        "no SMS went by e-mail"
    );

    // A server that is down is an error, without the address.
    let down = Smtp::new("smtp://127.0.0.1:9", "no-reply@karamat.test").unwrap();
    let err = down
        .send(&notify::Message {
            channel: "email".into(),
            to: "donor@example.org".into(),
            template: "receipt".into(),
            subject: "s".into(),
            text: "x".into(),
        })
        .await
        .unwrap_err();
    assert!(err.contains("smtp") && !err.contains("donor@"), "{err}");
    // A setting that does not parse is refused with a reason.
    assert!(Smtp::new("gopher://x", "no-reply@karamat.test").is_err());
    assert!(Smtp::new("smtp://127.0.0.1:25", "not an address").is_err());
    tdb.drop_db().await;
}
