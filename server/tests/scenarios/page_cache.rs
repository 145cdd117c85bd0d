//! The few seconds' cache of public pages (`server::page_cache`): what is kept, for whom, and
//! what empties it, through the whole router on every backend.

use std::time::Duration;

use crate::common::*;
use app::platform::Config;
use app::state::AppState;
use axum::http::{header, Request, StatusCode};
use axum::{body::Body, Router};
use server::seed::{self, Scale};

const TTL: Duration = Duration::from_secs(2);

async fn cached_state(url: &str) -> AppState {
    let mut config = Config::for_tests(url);
    config.page_cache = TTL;
    server::state(server::plain_leptos_options(), migrated(url).await, config)
}

fn get_with(path: &str, cookie: Option<&str>, encoding: Option<&str>) -> Request<Body> {
    let mut req = get(path, cookie);
    if let Some(e) = encoding {
        req.headers_mut()
            .insert(header::ACCEPT_ENCODING, e.parse().unwrap());
    }
    req
}

/// Status, `Content-Encoding` and body bytes of one answer.
async fn fetch(app: &Router, req: Request<Body>) -> (StatusCode, Option<String>, Vec<u8>) {
    use http_body_util::BodyExt;
    let res = send(app, req).await;
    let status = res.status();
    let enc = res
        .headers()
        .get(header::CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap().to_string());
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, enc, body)
}

/// A page with its CSP nonce blanked, to compare what two renders say.
fn without_nonce(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find("nonce=\"") {
        out.push_str(&rest[..i + 7]);
        rest = &rest[i + 7..];
        rest = &rest[rest.find('"').unwrap_or(0)..];
    }
    out.push_str(rest);
    out
}

/// Pays a started gift the way a browser does: the bank's form, then its return to us.
async fn pay_over_http(app: &Router, authority: &str) {
    let res = send(
        app,
        post_form(
            &format!("/sandbox-bank/{authority}/decide"),
            "decision=pay",
            None,
        ),
    )
    .await;
    assert!(res.status().is_redirection(), "{:?}", res.status());
    let to = res.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    let path = to.trim_start_matches("http://127.0.0.1:3000");
    let res = send(app, get(path, None)).await;
    assert!(
        res.status().is_redirection(),
        "callback: {:?}",
        res.status()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_pages_are_kept_briefly_and_any_change_here_shows_at_once() {
    for tdb in databases().await {
        let l = tdb.label;
        let state = cached_state(&tdb.url).await;
        let db = state.db.clone();
        seed::run(&db, Scale::Demo, 3).await.unwrap();
        let app = server::http::router(state.clone());
        let code = strings(
            &db,
            "SELECT public_code FROM needs WHERE status = 'published' ORDER BY id LIMIT 1",
        )
        .await
        .remove(0);
        let page = format!("/needs/{code}");

        // Kept as sent: the same bytes (the CSP nonce included) in the same compression, and a
        // visitor whose browser asks for another compression gets that one.
        let (s, enc, first) = fetch(&app, get_with(&page, None, Some("br"))).await;
        assert_eq!((s, enc.as_deref()), (StatusCode::OK, Some("br")), "{l}");
        let (_, enc, again) = fetch(&app, get_with(&page, None, Some("br"))).await;
        assert_eq!(enc.as_deref(), Some("br"), "{l}");
        assert_eq!(first, again, "{l}: a kept page is sent as it was");
        let (_, enc, plain) = fetch(&app, get_with(&page, None, None)).await;
        assert_eq!(
            enc, None,
            "{l}: no compression for a client that asked for none"
        );
        let plain = String::from_utf8(plain).unwrap();
        assert!(plain.contains("<html"), "{l}");

        // A gift settled behind the router's back (another server, a background job) shows
        // once the page's time is up, not before.
        let a = start_gift(&state, "need", Some(&code), 50_000, 1).await;
        app::payments::sandbox::decide(&db, &a, "pay")
            .await
            .unwrap();
        app::giving::settlement::settle(&state, "sandbox", &a, true)
            .await
            .unwrap();
        let (_, _, kept) = fetch(&app, get_with(&page, None, None)).await;
        assert_eq!(
            String::from_utf8(kept).unwrap(),
            plain,
            "{l}: kept until its time is up"
        );
        tokio::time::sleep(TTL + Duration::from_millis(300)).await;
        let (_, _, later) = fetch(&app, get_with(&page, None, None)).await;
        let later = String::from_utf8(later).unwrap();
        assert_ne!(
            without_nonce(&later),
            without_nonce(&plain),
            "{l}: after its time the page is rendered again, with the gift"
        );

        // A gift paid through this server empties the cache: the donor sees it at once.
        let a = start_gift(&state, "need", Some(&code), 50_000, 2).await;
        pay_over_http(&app, &a).await;
        let (_, _, now) = fetch(&app, get_with(&page, None, None)).await;
        assert_ne!(
            without_nonce(&String::from_utf8(now).unwrap()),
            without_nonce(&later),
            "{l}: a gift paid here shows at once"
        );

        // Withdrawn behind the router's back: the anonymous Persian page is still the kept one
        // for a moment, but a signed-in visitor and another language get it fresh (404).
        let (s, _, _) = fetch(&app, get_with(&page, None, None)).await;
        assert_eq!(s, StatusCode::OK, "{l}");
        exec(
            &db,
            &format!("UPDATE needs SET status = 'withdrawn' WHERE public_code = '{code}'"),
        )
        .await;
        let (s, _, _) = fetch(&app, get_with(&page, None, None)).await;
        assert_eq!(s, StatusCode::OK, "{l}: the kept page");
        let donor = cookie_of(&state, email_of(app::auth::Role::Donor)).await;
        let (s, _, _) = fetch(&app, get_with(&page, Some(&donor), None)).await;
        assert_eq!(
            s,
            StatusCode::NOT_FOUND,
            "{l}: a session is never served a kept page"
        );
        let (s, _, _) = fetch(&app, get_with(&page, Some("karamat_lang=en"), None)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{l}: each language is kept apart");
        tokio::time::sleep(TTL + Duration::from_millis(300)).await;
        let (s, _, _) = fetch(&app, get_with(&page, None, None)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{l}: gone once its time is up");

        // A "not found" is never kept: published again, the page answers at once.
        exec(
            &db,
            &format!("UPDATE needs SET status = 'published' WHERE public_code = '{code}'"),
        )
        .await;
        let (s, _, _) = fetch(&app, get_with(&page, None, None)).await;
        assert_eq!(s, StatusCode::OK, "{l}: a 404 is not kept");

        // Signed-in pages and receipts are never kept, whoever asks.
        let (s, _, a1) = fetch(&app, get_with("/sign-in", None, None)).await;
        assert_eq!(s, StatusCode::OK, "{l}");
        let (_, _, a2) = fetch(&app, get_with("/sign-in", None, None)).await;
        assert_ne!(
            a1, a2,
            "{l}: the sign-in page is rendered each time (a new nonce)"
        );
        tdb.drop_db().await;
    }
}
