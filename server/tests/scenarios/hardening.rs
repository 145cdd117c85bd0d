//! Safe to deploy: what a hostile visitor tries, on every backend and through the whole router
//! where the behaviour is HTTP. Production refuses unsafe settings; the browser's word never moves
//! a gift; consent is enforced where data is read; the privacy guard folds before it matches;
//! headers, origins, malformed arguments, sign-in limits, idle staff sessions and the audit key.

use crate::common::*;
use app::giving::settlement;
use app::payments::sandbox;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use server::seed::{self, Scale};

async fn status_of(db: &DatabaseConnection, authority: &str) -> String {
    strings(
        db,
        &format!("SELECT status FROM donations WHERE gateway_authority = '{authority}'"),
    )
    .await
    .remove(0)
}

async fn gift_groups(db: &DatabaseConnection, authority: &str) -> i64 {
    scalar(
        db,
        &format!(
            "SELECT COUNT(*) FROM ledger_transactions t JOIN donations d ON d.id = t.donation_id \
             WHERE d.gateway_authority = '{authority}'"
        ),
    )
    .await
}

// ------------------------------------------------------------------ production settings

const SAFE: [(&str, &str); 7] = [
    (
        "KARAMAT_SECRET_KEY",
        "5f1c0e7d9a2b4c6e8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e",
    ),
    (
        "KARAMAT_AUDIT_KEY",
        "0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b",
    ),
    (
        "KARAMAT_FIELD_KEY",
        "1111111111111111111111111111111111111111111111111111111111111111",
    ),
    (
        "KARAMAT_BLIND_INDEX_KEY",
        "2222222222222222222222222222222222222222222222222222222222222222",
    ),
    ("KARAMAT_FIELD_KEY_ID", "2026a"),
    ("KARAMAT_PUBLIC_ORIGIN", "https://karamat.example"),
    ("KARAMAT_GATEWAY", "zarinpal"),
];

/// Runs `karamat kpi-refresh` (any command that opens the database) with exactly these settings.
fn karamat_with(vars: &[(&str, String)]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_karamat"));
    cmd.arg("kpi-refresh").current_dir(dir.path());
    for (k, _) in std::env::vars() {
        if k.starts_with("KARAMAT_") || k == "DATABASE_URL" {
            cmd.env_remove(k);
        }
    }
    cmd.env(
        "DATABASE_URL",
        format!("sqlite://{}/k.db?mode=rwc", dir.path().display()),
    );
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.output().expect("karamat runs")
}

#[test]
fn production_refuses_to_start_naming_each_unsafe_setting() {
    // Nothing set: every secret, the origin and the sandbox bank are named, and it stops.
    let out = karamat_with(&[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    for name in [
        "KARAMAT_SECRET_KEY",
        "KARAMAT_AUDIT_KEY",
        "KARAMAT_FIELD_KEY ",
        "KARAMAT_BLIND_INDEX_KEY",
        "KARAMAT_FIELD_KEY_ID",
        "KARAMAT_PUBLIC_ORIGIN",
        "KARAMAT_GATEWAY",
    ] {
        assert!(err.contains(name), "{name} not named: {err}");
    }
    // One setting missing or set to the development value at a time: refused, naming it.
    let dev_field_key = hex_of(b"karamat-dev-field-key-not-secret");
    let cases: Vec<(&str, Option<String>)> = vec![
        ("KARAMAT_SECRET_KEY", None),
        (
            "KARAMAT_SECRET_KEY",
            Some("karamat-dev-secret-change-me-in-production-000000".into()),
        ),
        ("KARAMAT_AUDIT_KEY", None),
        ("KARAMAT_FIELD_KEY", None),
        ("KARAMAT_FIELD_KEY", Some(dev_field_key.clone())),
        ("KARAMAT_BLIND_INDEX_KEY", Some(dev_field_key)),
        ("KARAMAT_FIELD_KEY_ID", Some("dev".into())),
        ("KARAMAT_PUBLIC_ORIGIN", None),
        (
            "KARAMAT_PUBLIC_ORIGIN",
            Some("http://karamat.example".into()),
        ),
        ("KARAMAT_GATEWAY", Some("sandbox".into())),
    ];
    for (name, value) in cases {
        let mut vars: Vec<(&str, String)> = SAFE
            .iter()
            .filter(|(k, _)| *k != name)
            .map(|(k, v)| (*k, v.to_string()))
            .collect();
        if let Some(v) = &value {
            vars.push((name, v.clone()));
        }
        let out = karamat_with(&vars);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{name}={value:?} started");
        assert!(err.contains(name), "{name}={value:?}: {err}");
    }
    // A test installation may use the sandbox bank when it says so.
    let mut vars: Vec<(&str, String)> = SAFE.iter().map(|(k, v)| (*k, v.to_string())).collect();
    vars.retain(|(k, _)| *k != "KARAMAT_GATEWAY");
    vars.push(("KARAMAT_TEST_PAYMENTS", "1".into()));
    let out = karamat_with(&vars);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Development needs nothing.
    let out = karamat_with(&[("KARAMAT_ENV", "dev".into())]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

// ------------------------------------------------------------------ forged callbacks

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_cancel_moves_nothing_and_a_late_payment_settles_once() {
    for tdb in databases().await {
        let label = tdb.label;
        let state = app_state(&tdb.url).await;
        let db = state.db.clone();
        seed::run(&db, Scale::Demo, 3).await.unwrap();
        let app = server::http::router(state.clone());

        // A forged "not OK" sent cross-site with no cookie, before the payer pays.
        let a = start_gift(&state, "urgent", None, 80_000, 1).await;
        let res = send(
            &app,
            get(
                &format!("/give/callback/sandbox?Authority={a}&Status=NOK"),
                None,
            ),
        )
        .await;
        assert!(res.status().is_redirection(), "{label}: {:?}", res.status());
        assert_ne!(status_of(&db, &a).await, "settled", "{label}");
        // The payer pays after all; the bank's callback says OK: settled once.
        sandbox::decide(&db, &a, "pay").await.unwrap();
        for _ in 0..3 {
            send(
                &app,
                get(
                    &format!("/give/callback/sandbox?Authority={a}&Status=OK"),
                    None,
                ),
            )
            .await;
        }
        assert_eq!(status_of(&db, &a).await, "settled", "{label}");
        assert_eq!(gift_groups(&db, &a).await, 1, "{label}: one ledger group");

        // Paid at the bank, but only a forged NOK ever arrives: the gateway is asked and says
        // paid, so it settles at once; a replayed NOK changes nothing.
        let b = start_gift(&state, "urgent", None, 90_000, 2).await;
        sandbox::decide(&db, &b, "pay").await.unwrap();
        send(
            &app,
            get(
                &format!("/give/callback/sandbox?Authority={b}&Status=NOK"),
                None,
            ),
        )
        .await;
        assert_eq!(status_of(&db, &b).await, "settled", "{label}");

        // Cancelled in the browser, paid later, and the payer never comes back: the reconciler
        // covers gifts left cancelled and settles it, once.
        let c = start_gift(&state, "urgent", None, 70_000, 3).await;
        send(
            &app,
            get(
                &format!("/give/callback/sandbox?Authority={c}&Status=NOK"),
                None,
            ),
        )
        .await;
        assert_eq!(status_of(&db, &c).await, "cancelled", "{label}");
        sandbox::decide(&db, &c, "pay").await.unwrap();
        let r = settlement::reconcile(&state, chrono::Duration::zero())
            .await
            .unwrap();
        assert!(r.settled_now >= 1, "{label}: {r:?}");
        assert!(r.balanced(), "{label}: {r:?}");
        assert_eq!(status_of(&db, &c).await, "settled", "{label}");
        let again = settlement::reconcile(&state, chrono::Duration::zero())
            .await
            .unwrap();
        assert_eq!(again.settled_now, 0, "{label}");
        for x in [&a, &b, &c] {
            assert_eq!(gift_groups(&db, x).await, 1, "{label}: {x}");
        }
        assert!(
            app::ledger::health(&db).await.unwrap().is_sound(),
            "{label}"
        );
        tdb.drop_db().await;
    }
}

// ------------------------------------------------------------------ consent where data is read

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_public_without_current_consent() {
    for tdb in databases().await {
        let label = tdb.label;
        let state = app_state(&tdb.url).await;
        let db = state.db.clone();
        seed::run(&db, Scale::Demo, 5).await.unwrap();
        // The seed never attaches a card to a family or prisoner who did not consent.
        assert_eq!(
            scalar(
                &db,
                "SELECT COUNT(*) FROM needs n JOIN families f ON f.id = n.family_id \
                 WHERE n.status IN ('published','funded','purchased','delivered') \
                   AND (f.consent_publish = FALSE OR f.consent_withdrawn_at IS NOT NULL)"
            )
            .await,
            0,
            "{label}"
        );
        assert_eq!(
            scalar(
                &db,
                "SELECT COUNT(*) FROM release_campaigns c JOIN prisoners p ON p.id = c.prisoner_id \
                 WHERE c.status IN ('published','funded','paid_to_court','released','closed') \
                   AND (p.consent_campaign = FALSE OR p.consent_campaign_at IS NULL)"
            )
            .await,
            0,
            "{label}"
        );
        // Take consent away behind the application's back (as a direct database edit would):
        // the reads themselves refuse the card everywhere.
        let code = strings(
            &db,
            "SELECT public_code FROM needs WHERE status = 'published' ORDER BY id LIMIT 1",
        )
        .await
        .remove(0);
        let campaign = strings(
            &db,
            "SELECT public_code FROM release_campaigns WHERE status = 'published' ORDER BY id LIMIT 1",
        )
        .await
        .remove(0);
        let app = server::http::router(state.clone());
        assert_eq!(
            send(&app, get(&format!("/needs/{code}"), None))
                .await
                .status(),
            StatusCode::OK,
            "{label}"
        );
        let api = body_text(send(&app, get("/api/v1/needs?per_page=100", None)).await).await;
        let before_in_api = api.contains(&code);
        exec(
            &db,
            &format!(
                "UPDATE families SET consent_publish = FALSE WHERE id = \
                 (SELECT family_id FROM needs WHERE public_code = '{code}')"
            ),
        )
        .await;
        exec(
            &db,
            &format!(
                "UPDATE prisoners SET consent_campaign = FALSE WHERE id = \
                 (SELECT prisoner_id FROM release_campaigns WHERE public_code = '{campaign}')"
            ),
        )
        .await;
        assert_eq!(
            send(&app, get(&format!("/needs/{code}"), None))
                .await
                .status(),
            StatusCode::NOT_FOUND,
            "{label}"
        );
        assert_eq!(
            send(&app, get(&format!("/release/{campaign}"), None))
                .await
                .status(),
            StatusCode::NOT_FOUND,
            "{label}"
        );
        let api = body_text(send(&app, get("/api/v1/needs?per_page=100", None)).await).await;
        assert!(
            !api.contains(&code),
            "{label}: API (listed before: {before_in_api})"
        );
        let campaigns = body_text(send(&app, get("/api/v1/campaigns", None)).await).await;
        assert!(!campaigns.contains(&campaign), "{label}");
        // The gift form will not take it.
        let html = body_text(send(&app, get(&format!("/give?need={code}"), None)).await).await;
        assert!(!html.contains(&format!("value=\"{code}\"")), "{label}");
        tdb.drop_db().await;
    }
}

// ------------------------------------------------------------------ the privacy guard

mod guard {
    use app::privacy::pii::{scan, Known};
    use proptest::prelude::*;
    use server::seed::reference::{FIRST_NAMES_F, FIRST_NAMES_M, LAST_NAMES};

    /// Ways a person can write a word so that a plain comparison misses it.
    fn disguise(word: &str, how: u8, at: usize) -> String {
        let chars: Vec<char> = word.chars().collect();
        let i = 1 + at % (chars.len().max(2) - 1);
        let (a, b) = chars.split_at(i.min(chars.len()));
        let (a, b): (String, String) = (a.iter().collect(), b.iter().collect());
        match how % 6 {
            0 => format!("{a}\u{0640}\u{0640}{b}"),        // kashida
            1 => format!("{a}\u{064E}{b}"),                // a diacritic inside
            2 => format!("{a}\u{200C}{b}"),                // split by a ZWNJ
            3 => format!("{a}\u{200D}{b}"),                // a ZWJ
            4 => word.replace('ی', "ي").replace('ک', "ك"), // Arabic letters
            _ => format!("{a}\u{200F}{b}"),                // a direction mark
        }
    }

    fn digits_in(script: u8, s: &str) -> String {
        s.chars()
            .map(|c| match (script % 4, c.to_digit(10)) {
                (1, Some(d)) => char::from_u32('۰' as u32 + d).unwrap(),
                (2, Some(d)) => char::from_u32('٠' as u32 + d).unwrap(),
                (3, Some(d)) => char::from_u32(0xFF10 + d).unwrap(),
                _ => c,
            })
            .collect()
    }

    /// Splits a digit string into groups with separators, as people type them.
    fn grouped(d: &str, cuts: &[usize], sep: u8) -> String {
        let sep = [" ", "-", " - ", ".", "/", ") ", "_", "–", " — "][(sep % 9) as usize];
        let mut out = String::new();
        for (i, c) in d.chars().enumerate() {
            if i > 0 && cuts.contains(&i) {
                out.push_str(sep);
            }
            out.push(c);
        }
        out
    }

    fn national_code(seed: u64) -> String {
        let mut x = seed;
        loop {
            let d: Vec<u32> = (0..9)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((x >> 33) % 10) as u32
                })
                .collect();
            if d.iter().all(|v| *v == d[0]) {
                continue;
            }
            let c = app::validation::national_code_check_digit(&d);
            return d
                .iter()
                .chain(std::iter::once(&c))
                .map(|v| char::from(b'0' + *v as u8))
                .collect();
        }
    }

    #[test]
    fn every_seeded_name_in_every_disguise_is_found() {
        let mut missed = Vec::new();
        let mut tried = 0;
        for first in FIRST_NAMES_F.iter().chain(FIRST_NAMES_M) {
            for last in LAST_NAMES {
                let known = Known {
                    person_names: vec![format!("{first} {last}")],
                    ..Known::default()
                };
                for how in 0..6u8 {
                    for target in [*first, *last] {
                        if target.chars().count() < 3 {
                            continue;
                        }
                        let text = format!(
                            "مادری با سه فرزند، خانوادهٔ {} ، اجارهٔ خانه بدهکار است.",
                            disguise(target, how, tried)
                        );
                        tried += 1;
                        if scan(&text, &known).is_empty() {
                            missed.push(text);
                        }
                    }
                }
            }
        }
        assert!(tried > 1000);
        assert!(
            missed.is_empty(),
            "{} of {tried} missed: {:?}",
            missed.len(),
            &missed[..missed.len().min(5)]
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn phones_in_any_digits_and_grouping_are_found(
            n in 0u32..10_000_000, op in 10u32..40, script in 0u8..4, sep in 0u8..9,
            cut1 in 2usize..6, cut2 in 6usize..10, prefix in 0u8..4,
        ) {
            let local = format!("9{op:02}{n:07}");
            let written = match prefix { 0 => format!("0{local}"), 1 => format!("+98{local}"), 2 => format!("0098{local}"), _ => local.clone() };
            let shift = written.len() - 10;
            let text = format!("برای تماس: {}", digits_in(script, &grouped(&written, &[cut1 + shift, cut2 + shift], sep)));
            prop_assert!(!scan(&text, &Known::default()).is_empty(), "{}", text);
        }

        #[test]
        fn national_codes_in_any_digits_and_grouping_are_found(
            seed in any::<u64>(), script in 0u8..4, sep in 0u8..9, cut1 in 1usize..5, cut2 in 5usize..9,
        ) {
            let code = national_code(seed);
            let text = format!("کد ملی {} است", digits_in(script, &grouped(&code, &[cut1, cut2], sep)));
            prop_assert!(!scan(&text, &Known::default()).is_empty(), "{}", text);
        }
    }

    #[test]
    fn addresses_in_the_fuller_vocabulary_are_found() {
        for t in [
            "میدان آزادی، طبقه سوم، واحد ۴",
            "ساختمان نور طبقه دوم",
            "بن‌بست یاس",
            "بلوار کشاورز",
            "کد پستی را نوشت",
            "ساختمان ۱۲",
            "شهرک غرب",
        ] {
            assert!(!scan(t, &Known::default()).is_empty(), "{t}");
        }
    }
}

/// The false-positive rate on the demo's public stories: every published text passes the guard
/// (with no names to look for, only the patterns).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_public_stories_pass_the_guard() {
    let tdb = databases().await.remove(0);
    let state = app_state(&tdb.url).await;
    seed::run(&state.db, Scale::Demo, 1405).await.unwrap();
    let texts = strings(
        &state.db,
        "SELECT public_title || ' ' || public_story FROM needs \
         UNION ALL SELECT public_title || ' ' || public_story FROM release_campaigns",
    )
    .await;
    let flagged: Vec<_> = texts
        .iter()
        .filter(|t| !app::privacy::pii::scan(t, &Default::default()).is_empty())
        .collect();
    println!(
        "privacy guard on the demo's public texts: {} of {} flagged",
        flagged.len(),
        texts.len()
    );
    assert!(flagged.is_empty(), "{flagged:?}");
}

// ------------------------------------------------------------------ headers and origins

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_a_fresh_nonce_and_personal_answers_are_not_stored() {
    let tdb = databases().await.remove(0);
    let state = app_state(&tdb.url).await;
    seed::run(&state.db, Scale::Demo, 2).await.unwrap();
    let app = server::http::router(state.clone());
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let res = send(&app, get("/", None)).await;
        let csp = res.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            !csp.contains("'unsafe-inline' 'wasm") && csp.contains("'wasm-unsafe-eval'"),
            "{csp}"
        );
        let script_src = csp
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap();
        assert!(!script_src.contains("unsafe-inline"), "{csp}");
        let nonce = script_src
            .split_whitespace()
            .find_map(|w| w.strip_prefix("'nonce-"))
            .unwrap()
            .trim_end_matches('\'')
            .to_string();
        let html = body_text(res).await;
        // Every script on the page carries this response's nonce.
        let scripts = html.matches("<script").count();
        assert!(scripts > 0);
        assert_eq!(
            html.matches(&format!("nonce=\"{nonce}\"")).count(),
            scripts,
            "{html}"
        );
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "a fresh nonce per response");
    // No HSTS in development; the public home page may be cached, a personal page may not.
    let home = send(&app, get("/", None)).await;
    assert!(home
        .headers()
        .get(header::STRICT_TRANSPORT_SECURITY)
        .is_none());
    assert!(home.headers().get(header::CACHE_CONTROL).is_none());
    let cookie = cookie_of(&state, "donor@demo.karamat.ir").await;
    let staff = cookie_of(&state, "social.worker@demo.karamat.ir").await;
    for (path, c) in [
        ("/account", Some(cookie.as_str())),
        ("/", Some(cookie.as_str())),
        ("/staff", Some(staff.as_str())),
        ("/staff/queues.csv", Some(staff.as_str())),
        ("/sign-in", None),
        ("/receipt", None),
    ] {
        let res = send(&app, get(path, c)).await;
        assert_eq!(
            res.headers()
                .get(header::CACHE_CONTROL)
                .map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{path}"
        );
    }
    let res = send(&app, post_form("/api/auth/me", "", Some(&cookie))).await;
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
    // Outside development: HSTS.
    let mut prod = state.clone();
    let mut config = (*prod.config).clone();
    config.environment = "production".into();
    prod.config = std::sync::Arc::new(config);
    let res = send(&server::http::router(prod), get("/healthz", None)).await;
    assert!(res
        .headers()
        .get(header::STRICT_TRANSPORT_SECURITY)
        .is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookie_posts_must_say_where_they_come_from_and_host_decides_no_url() {
    let tdb = databases().await.remove(0);
    let state = app_state(&tdb.url).await;
    seed::run(&state.db, Scale::Demo, 4).await.unwrap();
    let db = state.db.clone();
    let app = server::http::router(state.clone());
    let cookie = cookie_of(&state, "donor@demo.karamat.ir").await;
    let bare = |referer: Option<&str>| {
        let mut b = Request::post("/api/auth/sign-out")
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, cookie.as_str());
        if let Some(r) = referer {
            b = b.header(header::REFERER, r);
        }
        b.body(Body::empty()).unwrap()
    };
    let sessions = || scalar(&db, "SELECT COUNT(*) FROM sessions");
    let before = sessions().await;
    // A cookie and neither Origin nor Sec-Fetch-Site: refused, even with a foreign Referer.
    assert_eq!(send(&app, bare(None)).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        send(&app, bare(Some("https://evil.example/x")))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(sessions().await, before, "nothing changed");
    // A same-origin Referer may stand in.
    let res = send(&app, bare(Some("http://127.0.0.1:3000/account"))).await;
    assert!(
        res.status().is_redirection() || res.status().is_success(),
        "{:?}",
        res.status()
    );
    assert_eq!(sessions().await, before - 1);

    // `Host: evil.example` (and a forwarded proto) change no URL: the bank's callback is built
    // from the configured origin.
    let need = strings(
        &db,
        "SELECT public_code FROM needs WHERE status = 'published' ORDER BY id LIMIT 1",
    )
    .await
    .remove(0);
    let page = body_text(send(&app, get(&format!("/give?need={need}"), None)).await).await;
    let attempt = page
        .split("name=\"form[attempt]\"")
        .nth(1)
        .and_then(|s| s.split("value=\"").nth(1))
        .and_then(|s| s.split('"').next())
        .expect("the form's attempt key")
        .to_string();
    let mut req = post_form(
        "/api/give/start",
        &format!(
            "form[target_kind]=need&form[target_code]={need}&form[attempt]={attempt}&form[amount]=250000"
        ),
        None,
    );
    req.headers_mut()
        .insert(header::HOST, "evil.example".parse().unwrap());
    req.headers_mut()
        .insert("x-forwarded-proto", "https".parse().unwrap());
    req.headers_mut().remove(header::ORIGIN);
    req.headers_mut().remove("sec-fetch-site");
    let res = send(&app, req).await;
    let location = res
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    assert!(!location.contains("evil.example"), "{location}");
    let callbacks = strings(&db, "SELECT callback_url FROM sandbox_payments").await;
    assert!(!callbacks.is_empty(), "a gift started: {location}");
    for c in callbacks {
        assert!(c.starts_with("http://127.0.0.1:3000/give/callback/"), "{c}");
    }
}

/// Every server function, given an empty body, answers 4xx (or 2xx for one that takes no
/// arguments) with our own error body: never a 500, never serde's words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_server_function_refuses_an_empty_body_cleanly() {
    let tdb = databases().await.remove(0);
    let state = app_state(&tdb.url).await;
    seed::run(&state.db, Scale::Demo, 6).await.unwrap();
    let app = server::http::router(state.clone());
    let staff = cookie_of(&state, "admin@demo.karamat.ir").await;
    let paths: Vec<_> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.to_string())
        .collect();
    assert!(paths.len() > 40, "{paths:?}");
    for path in &paths {
        for cookie in [None, Some(staff.as_str())] {
            for accept in ["application/json", "text/html"] {
                let mut req = post_form(path, "", cookie);
                req.headers_mut()
                    .insert(header::ACCEPT, accept.parse().unwrap());
                let res = send(&app, req).await;
                let status = res.status();
                let body = body_text(res).await;
                assert!(
                    !status.is_server_error(),
                    "{path} ({accept}, cookie: {}): {status} {body}",
                    cookie.is_some()
                );
                assert!(
                    !body.contains("missing field") && !body.contains("Args("),
                    "{path}: {body}"
                );
            }
        }
    }
    // Malformed values too: a boolean that is not one, a number that is not one.
    for (path, body) in [
        ("/api/give/start", "target_kind=need&publish=maybe"),
        ("/api/auth/sign-in", "email=a%40b.ir"),
        ("/api/auth/sign-up", "email=a%40b.ir&password=x"),
    ] {
        let res = send(&app, {
            let mut r = post_form(path, body, None);
            r.headers_mut()
                .insert(header::ACCEPT, "application/json".parse().unwrap());
            r
        })
        .await;
        assert!(res.status().is_client_error(), "{path}: {:?}", res.status());
        let text = body_text(res).await;
        assert!(
            text.contains("error.bad_request") || text.contains("validation."),
            "{path}: {text}"
        );
    }
}

// ------------------------------------------------------------------ sign-in limits

fn sign_in_from(ip: &str, email: &str) -> Request<Body> {
    let mut req = post_form(
        "/api/auth/sign-in",
        &format!(
            "email={}&password=wrong-password-123",
            email.replace('@', "%40")
        ),
        None,
    );
    req.headers_mut()
        .insert(header::ACCEPT, "application/json".parse().unwrap());
    req.extensions_mut().insert(axum::extract::ConnectInfo(
        format!("{ip}:40000")
            .parse::<std::net::SocketAddr>()
            .unwrap(),
    ));
    req
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_limits_hold_across_two_app_instances() {
    for tdb in databases().await {
        let label = tdb.label;
        let one = app_state(&tdb.url).await;
        seed::run(&one.db, Scale::Demo, 8).await.unwrap();
        // A second app server on the same database (its own connection pool and memory).
        let two = app_state(&tdb.url).await;
        let apps = [server::http::router(one), server::http::router(two)];
        // One account, many clients, alternating instances: the eleventh attempt in a minute is
        // refused whichever instance it reaches.
        let (window, max) = app::auth::ssr::SIGN_IN_PER_ACCOUNT;
        assert_eq!(window, 60);
        let mut statuses = Vec::new();
        for i in 0..(max + 2) {
            let ip = format!("198.51.100.{}", i + 1);
            let res = send(
                &apps[(i % 2) as usize],
                sign_in_from(&ip, "donor@demo.karamat.ir"),
            )
            .await;
            statuses.push(res.status());
        }
        assert!(
            statuses[..max as usize]
                .iter()
                .all(|s| *s == StatusCode::UNPROCESSABLE_ENTITY),
            "{label}: {statuses:?}"
        );
        assert_eq!(
            statuses[max as usize],
            StatusCode::TOO_MANY_REQUESTS,
            "{label}"
        );
        // One client, many accounts: refused past the per-client limit on either instance.
        let (_, per_client) = app::auth::ssr::SIGN_IN_PER_CLIENT;
        let mut limited = 0;
        for i in 0..(per_client + 3) {
            let res = send(
                &apps[(i % 2) as usize],
                sign_in_from("203.0.113.50", &format!("nobody{i}@example.ir")),
            )
            .await;
            if res.status() == StatusCode::TOO_MANY_REQUESTS {
                limited += 1;
            }
        }
        assert_eq!(limited, 3, "{label}");
        tdb.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attempt_windows_open_at_the_first_attempt_and_are_pruned() {
    use app::platform::rate_limit::{hit, prune};
    for tdb in databases().await {
        let label = tdb.label;
        let state = app_state(&tdb.url).await;
        let db = &state.db;
        // Three allowed in a two-second window, the fourth refused, another bucket untouched.
        for _ in 0..3 {
            assert!(hit(db, "t:a", 2, 3).await.unwrap(), "{label}");
        }
        assert!(!hit(db, "t:a", 2, 3).await.unwrap(), "{label}");
        assert!(hit(db, "t:b", 2, 3).await.unwrap(), "{label}");
        // Once the window has run out the count starts again from one.
        tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
        assert!(hit(db, "t:a", 2, 3).await.unwrap(), "{label}");
        assert_eq!(
            scalar(db, "SELECT hits FROM rate_limits WHERE bucket = 't:a'").await,
            1,
            "{label}"
        );
        // Pruning removes the windows that ended before the cut-off, and only those.
        assert_eq!(prune(db, 2).await.unwrap(), 1, "{label}: t:b ended");
        assert_eq!(
            scalar(db, "SELECT COUNT(*) FROM rate_limits").await,
            1,
            "{label}"
        );
        tdb.drop_db().await;
    }
}

// ------------------------------------------------------------------ sign-up by e-mail link

fn sign_up_form(email: &str, role: &str) -> Request<Body> {
    let body = format!(
        "display_name=Sara&email={}&password=long+enough+pw&role={role}",
        email.replace('@', "%40")
    );
    post_form("/api/auth/sign-up", &body, None)
}

/// The outbox's messages of one template, newest last: (payload URL).
async fn outbox_urls(db: &DatabaseConnection, template: &str) -> Vec<String> {
    strings(
        db,
        &format!(
            "SELECT payload FROM notification_outbox WHERE template = '{template}' ORDER BY id"
        ),
    )
    .await
    .into_iter()
    .map(|p| {
        serde_json::from_str::<serde_json::Value>(&p).unwrap()["url"]
            .as_str()
            .unwrap()
            .to_string()
    })
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_answers_alike_and_only_the_link_makes_the_account() {
    for tdb in databases().await {
        let label = tdb.label;
        let state = app_state(&tdb.url).await;
        seed::run(&state.db, Scale::Demo, 10).await.unwrap();
        let db = state.db.clone();
        let app = server::http::router(state);
        let users = scalar(&db, "SELECT COUNT(*) FROM users").await;

        // A registered address and a new one get the same answer, and no session.
        let taken = send(&app, sign_up_form("donor@demo.karamat.ir", "donor")).await;
        let fresh = send(&app, sign_up_form("sara@example.ir", "donor")).await;
        for res in [&taken, &fresh] {
            assert!(res.status().is_redirection(), "{label}: {:?}", res.status());
            assert_eq!(res.headers()[header::LOCATION], "/sign-up/sent", "{label}");
            assert!(set_cookie(res, "karamat_session").is_none(), "{label}");
        }
        assert_eq!(body_text(taken).await, body_text(fresh).await, "{label}");
        assert_eq!(
            scalar(&db, "SELECT COUNT(*) FROM users").await,
            users,
            "{label}"
        );
        // The owner of the registered address is told; the new address gets its link.
        assert_eq!(
            outbox_urls(&db, "sign_up_exists").await,
            ["http://127.0.0.1:3000/sign-in"],
            "{label}"
        );
        let links = outbox_urls(&db, "sign_up_confirm").await;
        assert_eq!(links.len(), 1, "{label}");
        let path = links[0]
            .strip_prefix("http://127.0.0.1:3000")
            .unwrap()
            .to_string();
        let token = path.rsplit('/').next().unwrap().to_string();
        // The token is not stored; only its keyed hash is.
        assert_eq!(
            scalar(
                &db,
                &format!("SELECT COUNT(*) FROM pending_sign_ups WHERE token_hash = '{token}'")
            )
            .await,
            0,
            "{label}"
        );

        // Opening the link (a mail scanner may) changes nothing.
        let page = send(&app, get(&path, None)).await;
        assert_eq!(page.status(), StatusCode::OK, "{label}");
        assert_eq!(
            scalar(&db, "SELECT COUNT(*) FROM users").await,
            users,
            "{label}"
        );

        // The button makes the account and signs it in, once.
        let confirm = |t: &str| post_form("/api/auth/confirm-sign-up", &format!("token={t}"), None);
        let res = send(&app, confirm(&token)).await;
        assert!(res.status().is_redirection(), "{label}: {:?}", res.status());
        assert_eq!(res.headers()[header::LOCATION], "/account", "{label}");
        assert!(set_cookie(&res, "karamat_session").is_some(), "{label}");
        assert_eq!(
            strings(
                &db,
                "SELECT role FROM users WHERE email = 'sara@example.ir'"
            )
            .await,
            ["donor"],
            "{label}"
        );
        let mut again = confirm(&token);
        again
            .headers_mut()
            .insert(header::ACCEPT, "application/json".parse().unwrap());
        let res = send(&app, again).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{label}");
        assert!(
            body_text(res).await.contains("auth.link_invalid"),
            "{label}"
        );
        assert_eq!(
            scalar(&db, "SELECT COUNT(*) FROM users").await,
            users + 1,
            "{label}"
        );

        // An expired link makes nothing; a forged one neither.
        send(&app, sign_up_form("late@example.ir", "entrepreneur")).await;
        let past = if label == "sqlite" {
            "datetime('now', '-1 hour')"
        } else {
            "NOW() - INTERVAL '1 hour'"
        };
        exec(
            &db,
            &format!("UPDATE pending_sign_ups SET expires_at = {past}"),
        )
        .await;
        let late = outbox_urls(&db, "sign_up_confirm").await.pop().unwrap();
        let late_token = late.rsplit('/').next().unwrap();
        for t in [late_token, &"0".repeat(64), "x"] {
            let res = send(&app, confirm(t)).await;
            assert!(
                res.status().is_client_error(),
                "{label}: {t}: {:?}",
                res.status()
            );
        }
        assert_eq!(
            scalar(&db, "SELECT COUNT(*) FROM users").await,
            users + 1,
            "{label}"
        );

        // Three requests an hour for one address: a stranger cannot flood an inbox.
        let (_, per_address) = app::auth::sign_up::SIGN_UP_PER_ADDRESS;
        let mut statuses = Vec::new();
        for _ in 0..per_address + 1 {
            statuses.push(
                send(&app, sign_up_form("inbox@example.ir", "donor"))
                    .await
                    .status(),
            );
        }
        assert_eq!(
            statuses.last(),
            Some(&StatusCode::TOO_MANY_REQUESTS),
            "{label}: {statuses:?}"
        );
        assert_eq!(
            scalar(
                &db,
                "SELECT COUNT(*) FROM pending_sign_ups WHERE email = 'inbox@example.ir'"
            )
            .await,
            per_address,
            "{label}"
        );
        tdb.drop_db().await;
    }
}

// ------------------------------------------------------------------ staff sessions and audit

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_staff_sessions_end_and_csv_refusals_are_audited() {
    for tdb in databases().await {
        let label = tdb.label;
        let state = app_state(&tdb.url).await;
        seed::run(&state.db, Scale::Demo, 9).await.unwrap();
        let db = state.db.clone();
        let app = server::http::router(state.clone());
        let staff = cookie_of(&state, "social.worker@demo.karamat.ir").await;
        assert_eq!(
            send(&app, get("/staff", Some(&staff))).await.status(),
            StatusCode::OK
        );
        // 31 minutes without a request: the session is over.
        let past = if label == "sqlite" {
            "datetime('now', '-31 minutes')"
        } else {
            "NOW() - INTERVAL '31 minutes'"
        };
        exec(&db, &format!("UPDATE sessions SET last_seen_at = {past}")).await;
        let res = send(&app, get("/staff", Some(&staff))).await;
        assert!(res.status().is_redirection(), "{label}: {:?}", res.status());
        // A donor's session has no idle limit.
        let donor = cookie_of(&state, "donor@demo.karamat.ir").await;
        exec(&db, &format!("UPDATE sessions SET last_seen_at = {past}")).await;
        assert_eq!(
            send(&app, get("/account", Some(&donor))).await.status(),
            StatusCode::OK
        );

        // A social worker asking for the audit log's CSV is refused, and the refusal audited.
        let sw = cookie_of(&state, "social.worker@demo.karamat.ir").await;
        let before = scalar(
            &db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'access.denied'",
        )
        .await;
        let res = send(&app, get("/staff/audit.csv", Some(&sw))).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{label}");
        let after = scalar(
            &db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'access.denied'",
        )
        .await;
        assert_eq!(after, before + 1, "{label}");
        assert!(app::audit::verify(&db).await.unwrap().ok(), "{label}");
        tdb.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_audit_entry_cannot_be_hidden_without_the_key() {
    use sha2::{Digest, Sha256};
    let tdb = databases().await.remove(0);
    let state = app_state(&tdb.url).await;
    let db = state.db.clone();
    for i in 0..3 {
        app::audit::record_now(
            &db,
            app::audit::Entry::new(
                None,
                "test.entry",
                "test",
                &format!("T-{i}"),
                serde_json::json!({}),
            ),
        )
        .await
        .unwrap();
    }
    assert!(app::audit::verify(&db).await.unwrap().ok());
    // Someone with write access to the database edits the last entry and recomputes its hash
    // the way an unkeyed chain would allow (plain SHA-256), head included.
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT id, prev_hash FROM audit_log ORDER BY id DESC LIMIT 1",
        ))
        .await
        .unwrap()
        .unwrap();
    let id: i64 = row.try_get_by_index(0).unwrap();
    let prev: String = row.try_get_by_index(1).unwrap();
    let forged = hex_of(&Sha256::digest(format!("{prev}forged").as_bytes()));
    exec(
        &db,
        &format!("UPDATE audit_log SET subject_id = 'T-forged', hash = '{forged}' WHERE id = {id}"),
    )
    .await;
    exec(
        &db,
        &format!("UPDATE audit_head SET last_hash = '{forged}'"),
    )
    .await;
    let v = app::audit::verify(&db).await.unwrap();
    assert_eq!(v.problem.map(|p| p.0), Some(id));
    // And the intact chain does not verify under another key either.
    assert!(!app::audit::verify_with_key(&db, b"another key")
        .await
        .unwrap()
        .ok());
}
