//! Every staff dashboard and work queue runs a fixed number of queries, whatever the row counts:
//! each page is requested through the whole router with a statement counter on the connection,
//! the work behind it is multiplied, and the page asked again. SQLite and PostgreSQL.

use crate::common::*;
use app::auth::Role;
use app::platform::entity::status::{ContractStatus, EntrepreneurStatus, NeedStatus};
use app::platform::entity::{contract, entrepreneur, need};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use server::seed::{self, Scale};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

struct Counted {
    app: axum::Router,
    count: Arc<AtomicUsize>,
}

async fn counted(url: &str) -> Counted {
    let count = Arc::new(AtomicUsize::new(0));
    let mut conn = connect(url).await;
    let c = count.clone();
    conn.set_metric_callback(move |_| {
        c.fetch_add(1, Ordering::SeqCst);
    });
    let state = server::state(
        server::plain_leptos_options(),
        conn,
        app::platform::Config::for_tests(url),
    );
    Counted {
        app: server::http::router(state),
        count,
    }
}

async fn queries(c: &Counted, path: &str, cookie: &str, post: bool) -> usize {
    let before = c.count.load(Ordering::SeqCst);
    let req = if post {
        let mut r = post_form(path, "", Some(cookie));
        r.headers_mut().insert(
            axum::http::header::ACCEPT,
            "application/json".parse().unwrap(),
        );
        r
    } else {
        get(path, Some(cookie))
    };
    let res = send(&c.app, req).await;
    assert!(res.status().is_success(), "{path}: {}", res.status());
    let _ = body_text(res).await;
    c.count.load(Ordering::SeqCst) - before
}

/// More of everything the queues list: needs awaiting verification and funded, pending
/// entrepreneurs, contracts awaiting review, in the demo staff's province and prison.
async fn multiply(db: &sea_orm::DatabaseConnection, times: usize) {
    let tehran = scalar(db, "SELECT s.province_id FROM user_scopes s JOIN users u ON u.id = s.user_id WHERE u.role = 'social_worker'").await;
    let needs = need::Entity::find()
        .filter(need::Column::ProvinceId.eq(tehran))
        .all(db)
        .await
        .unwrap();
    let mut n = 0;
    for (i, base) in needs.iter().cycle().take(times).enumerate() {
        let mut row = base.clone().into_active_model();
        row.id = sea_orm::ActiveValue::NotSet;
        row.public_code = Set(format!("N-QC{i:06}"));
        row.status = Set(if i % 2 == 0 {
            NeedStatus::AwaitingVerification
        } else {
            NeedStatus::Funded
        });
        row.insert(db).await.unwrap();
        n += 1;
    }
    assert_eq!(n, times);
    let base = entrepreneur::Entity::find().one(db).await.unwrap().unwrap();
    let users: Vec<i64> = strings(db, "SELECT CAST(id AS TEXT) FROM users ORDER BY id")
        .await
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    for i in 0..times {
        let mut row = base.clone().into_active_model();
        row.id = sea_orm::ActiveValue::NotSet;
        row.public_code = Set(format!("E-QC{i:06}"));
        row.national_company_id = Set(format!("QC{i:09}"));
        row.user_id = Set(users[i % users.len()]);
        row.province_id = Set(tehran);
        row.status = Set(EntrepreneurStatus::Pending);
        row.insert(db).await.unwrap();
    }
    let officer_prison = scalar(db, "SELECT s.prison_id FROM user_scopes s JOIN users u ON u.id = s.user_id WHERE u.role = 'prison_officer'").await;
    let workshop = scalar(
        db,
        &format!("SELECT MIN(id) FROM workshops WHERE prison_id = {officer_prison}"),
    )
    .await;
    let base = contract::Entity::find().one(db).await.unwrap().unwrap();
    for i in 0..times {
        let mut row = base.clone().into_active_model();
        row.id = sea_orm::ActiveValue::NotSet;
        row.public_code = Set(format!("K-QC{i:06}"));
        row.workshop_id = Set(workshop);
        row.status = Set(if i % 2 == 0 {
            ContractStatus::Proposed
        } else {
            ContractStatus::Active
        });
        row.insert(db).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboards_and_queues_run_a_fixed_number_of_queries() {
    for tdb in databases().await {
        let l = tdb.label;
        let state = app_state(&tdb.url).await;
        seed::run(&state.db, Scale::Demo, 9).await.unwrap();
        let c = counted(&tdb.url).await;
        let pages: Vec<(Role, &str, bool)> = vec![
            (Role::SocialWorker, "/staff", false),
            (Role::SocialWorker, "/api/staff/queues", true),
            (Role::NationalAdmin, "/api/staff/queues", true),
            (Role::AssociationManager, "/staff/employment", false),
            (Role::AssociationManager, "/api/employment/queue", true),
            (Role::PrisonOfficer, "/api/employment/queue", true),
            (Role::NationalAdmin, "/api/employment/queue", true),
            (Role::SocialWorker, "/staff/kpis", false),
            (Role::Auditor, "/staff/audit", false),
            (Role::NationalAdmin, "/api/admin/staff", true),
        ];
        let mut cookies = std::collections::HashMap::new();
        for (role, _, _) in &pages {
            if !cookies.contains_key(role) {
                cookies.insert(*role, cookie_of(&state, email_of(*role)).await);
            }
        }
        let mut before = Vec::new();
        for (role, path, post) in &pages {
            // The first request warms caches (accounts created on first use, …).
            queries(&c, path, &cookies[role], *post).await;
            before.push(queries(&c, path, &cookies[role], *post).await);
        }
        multiply(&state.db, 40).await;
        for ((role, path, post), n) in pages.iter().zip(before) {
            let after = queries(&c, path, &cookies[role], *post).await;
            assert_eq!(
                after, n,
                "{l}: {role:?} {path} ran {n} queries, then {after} with more rows"
            );
            assert!(
                n > 0,
                "{l}: {path} ran no query at all (counter not wired?)"
            );
        }
        tdb.drop_db().await;
    }
}
