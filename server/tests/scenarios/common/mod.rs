//! Test databases: a fresh SQLite file always, and a fresh PostgreSQL database when
//! `TEST_DATABASE_URL` points at a server (CI sets it; `make test` does when one answers).

#![allow(dead_code)]

use app::platform::{db, Config};
use app::state::AppState;
use axum::body::Body;
use axum::http::{header, Request, Response};
use http_body_util::BodyExt;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use tower::ServiceExt;

pub struct TestDb {
    pub url: String,
    pub label: &'static str,
    cleanup: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn drop_db(self) {
        if let Some((admin_url, name)) = &self.cleanup {
            if let Ok(admin) = Database::connect(admin_url.as_str()).await {
                let _ = admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await;
            }
        }
    }
}

fn unique_name() -> String {
    use rand::Rng;
    format!("karamat_t_{}", rand::thread_rng().gen::<u64>())
}

/// Every backend this run can reach, each one new and empty.
pub async fn databases() -> Vec<TestDb> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("karamat.db");
    let mut out = vec![TestDb {
        url: format!("sqlite://{}?mode=rwc", path.display()),
        label: "sqlite",
        cleanup: None,
        _dir: Some(dir),
    }];
    if let Ok(base) = std::env::var("TEST_DATABASE_URL") {
        if base.starts_with("postgres") {
            let admin = Database::connect(base.as_str()).await.unwrap_or_else(|e| {
                panic!("TEST_DATABASE_URL is set but PostgreSQL does not answer: {e}")
            });
            let name = unique_name();
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create test database");
            let url = match base.rfind('/') {
                Some(i) if base[..i].contains("//") && i > base.find("//").unwrap() + 1 => {
                    let (head, tail) = base.split_at(i);
                    let query = tail.find('?').map(|q| &tail[q..]).unwrap_or("");
                    format!("{head}/{name}{query}")
                }
                _ => format!("{}/{name}", base.trim_end_matches('/')),
            };
            out.push(TestDb {
                url,
                label: "postgresql",
                cleanup: Some((base, name)),
                _dir: None,
            });
        }
    }
    out
}

pub fn pg_required() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok()
}

pub async fn migrated(url: &str) -> DatabaseConnection {
    let config = Config::for_tests(url);
    server::connect_and_migrate(&config).await.expect("migrate")
}

pub async fn app_state(url: &str) -> AppState {
    let conn = migrated(url).await;
    server::state(server::plain_leptos_options(), conn, Config::for_tests(url))
}

pub async fn connect(url: &str) -> DatabaseConnection {
    db::connect(url).await.expect("connect")
}

/// Sends one request through the whole router. A request that has not answered in two minutes
/// fails the test with its path, instead of hanging the suite until CI's timeout.
pub async fn send(app: &axum::Router, req: Request<Body>) -> Response<Body> {
    let what = format!("{} {}", req.method(), req.uri());
    tokio::time::timeout(
        std::time::Duration::from_secs(120),
        app.clone().oneshot(req),
    )
    .await
    .unwrap_or_else(|_| panic!("{what}: no answer in 120 s"))
    .expect("router answers")
}

/// The body of a response as text; a body that has not ended in two minutes fails the test.
pub async fn body_text(res: Response<Body>) -> String {
    let bytes = tokio::time::timeout(
        std::time::Duration::from_secs(120),
        res.into_body().collect(),
    )
    .await
    .expect("the body ended within 120 s")
    .expect("body")
    .to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

pub fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::get(path).header(header::HOST, "127.0.0.1:3000");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::empty()).unwrap()
}

/// A form post as a current browser sends it from this site (it names its origin).
pub fn post_form(path: &str, body: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::post(path)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, "http://127.0.0.1:3000")
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html,application/xhtml+xml");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(body.to_string())).unwrap()
}

/// `name=value` of the first Set-Cookie for `name`.
pub fn set_cookie(res: &Response<Body>, name: &str) -> Option<String> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or_default().to_string())
}

/// The first column of every row of `sql`, as text.
pub async fn strings(db: &DatabaseConnection, sql: &str) -> Vec<String> {
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect()
}

// ---------------------------------------------------------------- staff fixtures

use app::auth::ssr::{Authed, Scope};
use app::auth::{Role, SessionUser};
use server::seed::DEMO_ACCOUNTS;

pub async fn scalar(db: &DatabaseConnection, sql: &str) -> i64 {
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap()
}

pub async fn exec(db: &DatabaseConnection, sql: &str) {
    db.execute_unprepared(sql).await.unwrap();
}

pub async fn user_id(db: &DatabaseConnection, email: &str) -> i64 {
    scalar(db, &format!("SELECT id FROM users WHERE email = '{email}'")).await
}

pub fn email_of(role: Role) -> &'static str {
    DEMO_ACCOUNTS.iter().find(|(r, _, _)| *r == role).unwrap().1
}

/// The person as the server sees them, for calling services directly.
pub async fn authed(db: &DatabaseConnection, email: &str) -> Authed {
    let id = user_id(db, email).await;
    let role = strings(db, &format!("SELECT role FROM users WHERE id = {id}")).await[0].clone();
    let scopes = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT province_id, prison_id FROM user_scopes WHERE user_id = {id}"),
        ))
        .await
        .unwrap()
        .into_iter()
        .map(|r| Scope {
            province_id: r.try_get_by_index(0).unwrap(),
            prison_id: r.try_get_by_index(1).unwrap(),
        })
        .collect();
    Authed {
        user_id: id,
        user: SessionUser {
            public_id: format!("U-{id}"),
            display_name: email.into(),
            role: Role::parse(&role).unwrap(),
        },
        scopes,
        two_factor: true,
    }
}

/// A session cookie for the account with `email`.
pub async fn cookie_of(state: &AppState, email: &str) -> String {
    let id = user_id(&state.db, email).await;
    let token = app::auth::ssr::create_session(&state.db, &state.config, id, None)
        .await
        .unwrap();
    format!("karamat_session={token}")
}

// ---------------------------------------------------------------- gifts

/// Starts a gift through the service (not yet paid) and returns its sandbox authority.
/// `n` makes the form's attempt key unique within a test.
/// Pays a started gift at the sandbox bank and settles it at once; its tracking code.
pub async fn pay(state: &AppState, authority: &str) -> String {
    use app::giving::settlement;
    app::payments::sandbox::decide(&state.db, authority, "pay")
        .await
        .unwrap()
        .unwrap();
    let r = settlement::settle(state, "sandbox", authority, true)
        .await
        .unwrap();
    assert_eq!(r.outcome, settlement::Settled::Now);
    r.tracking_code
}

/// What a fund holds (its balance, credit positive).
pub async fn fund(db: &DatabaseConnection, a: app::ledger::Account) -> i64 {
    use app::ledger;
    ledger::fund_balance(db, ledger::account_id(db, &a).await.unwrap())
        .await
        .unwrap()
}

pub async fn start_gift(
    state: &AppState,
    kind: &str,
    code: Option<&str>,
    toman: i64,
    n: usize,
) -> String {
    use app::giving::{settlement, validate_gift, GiftForm};
    let form = GiftForm {
        target_kind: kind.into(),
        target_code: code.map(str::to_string),
        attempt: format!("attempt{n:020}"),
        amount: Some("other".into()),
        custom: Some(toman.to_string()),
        ..Default::default()
    };
    let gift = validate_gift(&form).unwrap();
    let url = settlement::start(state, &gift, None, "http://127.0.0.1:3000")
        .await
        .unwrap();
    url.trim_start_matches(app::payments::sandbox::PAGE_PREFIX)
        .to_string()
}
