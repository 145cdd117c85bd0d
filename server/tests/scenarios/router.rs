//! The whole router, as a browser or a script meets it, on every backend.

use migrations::MigratorTrait;

use crate::common::*;
use axum::http::{header, StatusCode};
use server::seed::{self, Scale, DEMO_ACCOUNTS, DEMO_PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_reports_backend_and_migrations() {
    for tdb in databases().await {
        let state = app_state(&tdb.url).await;
        let app = server::http::router(state);
        let res = send(&app, get("/healthz", None)).await;
        assert_eq!(res.status(), StatusCode::OK, "{}", tdb.label);
        let json: serde_json::Value = serde_json::from_str(&body_text(res).await).unwrap();
        assert_eq!(json["status"], "ok");
        assert_eq!(json["database"], tdb.label);
        assert_eq!(
            json["migrations_applied"],
            migrations::Migrator::migrations().len() as i64
        );
        tdb.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_is_persian_rtl_and_switches_to_english() {
    for tdb in databases().await {
        let app = server::http::router(app_state(&tdb.url).await);
        let res = send(&app, get("/", None)).await;
        assert_eq!(res.status(), StatusCode::OK);
        let html = body_text(res).await;
        assert!(html.contains(r#"<html lang="fa" dir="rtl""#), "{html}");
        assert!(html.contains("همراهی آبرومندانه"));
        assert!(html.contains("آزادی زندانیان واجد شرایط"));

        // The no-JavaScript language switch remembers English and goes back.
        let res = send(&app, {
            let mut r = post_form("/locale", "lang=en", None);
            r.headers_mut().insert(
                header::REFERER,
                "http://127.0.0.1:3000/sign-in".parse().unwrap(),
            );
            r
        })
        .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers()[header::LOCATION], "/sign-in");
        let cookie = set_cookie(&res, "karamat_lang").expect("language cookie");
        assert_eq!(cookie, "karamat_lang=en");
        let html = body_text(send(&app, get("/", Some(&cookie))).await).await;
        assert!(html.contains(r#"<html lang="en" dir="ltr""#));
        assert!(html.contains("Dignified help"));
        tdb.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_pages_are_404() {
    let tdb = databases().await.remove(0);
    let app = server::http::router(app_state(&tdb.url).await);
    let res = send(&app, get("/no-such-page", None)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_posts_are_refused_and_change_nothing() {
    let tdb = databases().await.remove(0);
    let state = app_state(&tdb.url).await;
    let db = state.db.clone();
    let app = server::http::router(state);
    let body = "display_name=Eve&email=eve%40x.ir&password=long+enough+pw&role=donor";
    let mut req = post_form("/api/auth/sign-up", body, None);
    req.headers_mut()
        .insert(header::ORIGIN, "https://evil.example".parse().unwrap());
    assert_eq!(send(&app, req).await.status(), StatusCode::FORBIDDEN);
    let mut req = post_form("/api/auth/sign-up", body, None);
    req.headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    assert_eq!(send(&app, req).await.status(), StatusCode::FORBIDDEN);
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(
        app::platform::entity::user::Entity::find()
            .count(&db)
            .await
            .unwrap(),
        0
    );

    // The same post from this site works.
    let mut req = post_form("/api/auth/sign-up", body, None);
    req.headers_mut()
        .insert(header::ORIGIN, "http://127.0.0.1:3000".parse().unwrap());
    let res = send(&app, req).await;
    assert!(res.status().is_redirection(), "{:?}", res.status());
    // The account waits for the e-mailed link; the request itself was recorded.
    assert_eq!(
        app::platform::entity::pending_sign_up::Entity::find()
            .count(&db)
            .await
            .unwrap(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_demo_role_signs_in_and_lands_on_its_home() {
    for tdb in databases().await {
        let state = app_state(&tdb.url).await;
        let report = seed::run(&state.db, Scale::Demo, 7)
            .await
            .expect("demo seed");
        assert!(report.total_rows() > 1000, "{}: {report:?}", tdb.label);
        let app = server::http::router(state);

        for (role, email, name) in DEMO_ACCOUNTS {
            let mut body = format!(
                "email={}&password={}",
                app::ui::encode_query_value(email),
                app::ui::encode_query_value(DEMO_PASSWORD)
            );
            if role.is_staff() {
                // Staff need their second factor: without it, or with a wrong one, no session.
                for (extra, key) in [
                    ("", "auth.code_required"),
                    ("&code=000000", "auth.bad_code"),
                ] {
                    let mut req = post_form("/api/auth/sign-in", &format!("{body}{extra}"), None);
                    req.headers_mut()
                        .insert(header::ACCEPT, "application/json".parse().unwrap());
                    let res = send(&app, req).await;
                    assert!(set_cookie(&res, "karamat_session").is_none(), "{email}");
                    let text = body_text(res).await;
                    assert!(text.contains(key), "{email}: {text}");
                }
                let now = chrono::Utc::now().timestamp() as u64;
                let code = app::auth::totp::code_at(app::auth::totp::DEMO_SECRET, now).unwrap();
                body = format!("{body}&code={code}");
            }
            let res = send(&app, post_form("/api/auth/sign-in", &body, None)).await;
            if role.is_staff() {
                // The same code a second time is a replay: refused.
                let mut again = post_form("/api/auth/sign-in", &body, None);
                again
                    .headers_mut()
                    .insert(header::ACCEPT, "application/json".parse().unwrap());
                let replay = send(&app, again).await;
                assert!(
                    set_cookie(&replay, "karamat_session").is_none(),
                    "{email}: a code worked twice"
                );
            }
            assert!(
                res.status().is_redirection(),
                "{}: {email}: {:?}",
                tdb.label,
                res.status()
            );
            assert_eq!(res.headers()[header::LOCATION], role.home_path(), "{email}");
            let cookie = set_cookie(&res, "karamat_session").expect("session cookie");
            let raw = res
                .headers()
                .get_all(header::SET_COOKIE)
                .iter()
                .map(|v| v.to_str().unwrap().to_string())
                .collect::<Vec<_>>()
                .join("\n");
            assert!(
                raw.contains("HttpOnly") && raw.contains("SameSite=Lax"),
                "{raw}"
            );

            let res = send(&app, get(role.home_path(), Some(&cookie))).await;
            assert_eq!(res.status(), StatusCode::OK, "{email} home");
            let html = body_text(res).await;
            assert!(
                html.contains(name),
                "{}: {email}: home does not greet {name}",
                tdb.label
            );
            assert!(
                html.contains(&format!(r#"data-role="{}""#, role.as_str())),
                "{email}"
            );

            // The staff area: staff in, others refused.
            let res = send(&app, get("/staff", Some(&cookie))).await;
            if role.is_staff() {
                assert_eq!(res.status(), StatusCode::OK, "{email} /staff");
            } else {
                assert_eq!(res.status(), StatusCode::FORBIDDEN, "{email} /staff");
            }

            // Signing out ends the session on the server, not only in the browser.
            let res = send(&app, post_form("/api/auth/sign-out", "", Some(&cookie))).await;
            assert!(res.status().is_redirection());
            let res = send(&app, get("/staff", Some(&cookie))).await;
            assert_eq!(
                res.status(),
                StatusCode::SEE_OTHER,
                "{email}: old cookie still works"
            );
        }

        // Wrong password: refused with the localized message, no session.
        let body = format!(
            "email={}&password=wrong-password-1",
            app::ui::encode_query_value(DEMO_ACCOUNTS[0].1)
        );
        let mut req = post_form("/api/auth/sign-in", &body, None);
        req.headers_mut()
            .insert(header::ACCEPT, "application/json".parse().unwrap());
        let res = send(&app, req).await;
        assert!(set_cookie(&res, "karamat_session").is_none());
        let text = body_text(res).await;
        assert!(text.contains("auth.bad_credentials"), "{text}");

        // Anonymous visitors are sent to sign in.
        let res = send(&app, get("/staff", None)).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers()[header::LOCATION], "/sign-in");
        tdb.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_validates_and_refuses_staff_roles() {
    let tdb = databases().await.remove(0);
    let state = app_state(&tdb.url).await;
    let db = state.db.clone();
    let app = server::http::router(state);
    let cases = [
        (
            "display_name=A&email=a%40b.ir&password=long+enough+pw&role=donor",
            "validation.display_name",
        ),
        (
            "display_name=Ali&email=not-an-email&password=long+enough+pw&role=donor",
            "validation.email",
        ),
        (
            "display_name=Ali&email=a%40b.ir&password=short&role=donor",
            "validation.password_short",
        ),
        (
            "display_name=Ali&email=a%40b.ir&password=long+enough+pw&role=national_admin",
            "validation.role",
        ),
    ];
    for (body, key) in cases {
        let mut req = post_form("/api/auth/sign-up", body, None);
        req.headers_mut()
            .insert(header::ACCEPT, "application/json".parse().unwrap());
        let res = send(&app, req).await;
        assert!(!res.status().is_success(), "{body} accepted");
        let text = body_text(res).await;
        assert!(text.contains(key), "{body}: {text}");
    }
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(
        app::platform::entity::user::Entity::find()
            .count(&db)
            .await
            .unwrap(),
        0
    );
}

/// Keep-alive responses do not wait for the client's delayed ACK: the listener `serve` uses sets
/// TCP_NODELAY. Forty sequential requests for a static file on one connection take a few
/// milliseconds each; with Nagle's algorithm back they take about 40 ms each (1.6 s in all).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_responses_have_no_nagle_floor() {
    use axum::serve::Listener;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.css"), "a{}".repeat(3_400)).unwrap();
    let listener = server::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().fallback_service(tower_http::services::ServeDir::new(dir.path()));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    let started = std::time::Instant::now();
    let mut buf = vec![0u8; 64 * 1024];
    for _ in 0..40 {
        conn.write_all(b"GET /main.css HTTP/1.1\r\nHost: t\r\n\r\n")
            .await
            .unwrap();
        let mut got = Vec::new();
        loop {
            let n = conn.read(&mut buf).await.unwrap();
            assert!(n > 0);
            got.extend_from_slice(&buf[..n]);
            if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
                if got.len() >= end + 4 + 10_200 {
                    break;
                }
            }
        }
    }
    let took = started.elapsed();
    assert!(
        took < std::time::Duration::from_millis(800),
        "40 keep-alive requests took {took:?}"
    );
}

/// The bundle and style sheet go out in the compressed form made at build time, kept a year
/// under their hashed names; the favicon is kept a day; an old browser gets the plain file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_files_come_precompressed_and_cached_by_their_hash() {
    let tdb = databases().await.remove(0);
    let mut state = app_state(&tdb.url).await;
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let css = "body { color: #0f6b5c }\n".repeat(400);
    std::fs::write(pkg.join("karamat.a1b2c3d4e5.css"), &css).unwrap();
    std::fs::write(pkg.join("plain.css"), &css).unwrap();
    std::fs::write(site.path().join("favicon.svg"), "<svg/>").unwrap();
    assert_eq!(server::assets::precompress(&pkg).unwrap(), 2);
    state.leptos_options = leptos::prelude::LeptosOptions::builder()
        .output_name("karamat")
        .site_root(site.path().to_str().unwrap())
        .site_pkg_dir("pkg")
        .build();
    let app = server::http::router(state);
    let fetch = |path: &str, accept: Option<&str>| {
        let mut req = get(path, None);
        if let Some(a) = accept {
            req.headers_mut()
                .insert(header::ACCEPT_ENCODING, a.parse().unwrap());
        }
        req
    };
    for (accept, encoding, file) in [
        (
            Some("gzip, deflate, br"),
            Some("br"),
            Some("karamat.a1b2c3d4e5.css.br"),
        ),
        (
            Some("gzip"),
            Some("gzip"),
            Some("karamat.a1b2c3d4e5.css.gz"),
        ),
        (None, None, None),
    ] {
        let res = send(&app, fetch("/pkg/karamat.a1b2c3d4e5.css", accept)).await;
        assert_eq!(res.status(), StatusCode::OK, "{accept:?}");
        assert_eq!(
            res.headers()
                .get(header::CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap()),
            encoding,
            "{accept:?}"
        );
        assert_eq!(
            res.headers()[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        let body = http_body_util::BodyExt::collect(res.into_body())
            .await
            .unwrap()
            .to_bytes();
        match file {
            Some(f) => assert_eq!(body, std::fs::read(pkg.join(f)).unwrap(), "{f}"),
            None => assert_eq!(body, css.as_bytes()),
        }
    }
    // An unhashed file is revalidated; the favicon is kept a day.
    let res = send(&app, fetch("/pkg/plain.css", Some("br"))).await;
    assert_eq!(res.headers()[header::CACHE_CONTROL], "public, no-cache");
    let res = send(&app, fetch("/favicon.svg", None)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()[header::CACHE_CONTROL],
        "public, max-age=86400"
    );
    tdb.drop_db().await;
}
