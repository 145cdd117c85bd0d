//! The transparency page and the public API: every path the OpenAPI document lists answers, the
//! numbers agree with each other, CSV downloads are well formed, and any origin may read.

use crate::common::*;
use axum::http::{header, StatusCode};
use serde_json::Value;
use server::seed::{self, Scale};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_api_and_transparency_page() {
    for tdb in databases().await {
        let label = tdb.label;
        let state = app_state(&tdb.url).await;
        let db = state.db.clone();
        seed::run(&db, Scale::Demo, 31).await.unwrap();
        let app = server::http::router(state.clone());

        let doc = server::api_v1::openapi_document();
        let res = send(&app, get("/api/v1/openapi.json", None)).await;
        assert_eq!(res.status(), StatusCode::OK, "{label}");
        let served: Value = serde_json::from_str(&body_text(res).await).unwrap();
        assert_eq!(served, doc, "{label}");
        assert_eq!(doc["openapi"], "3.1.0");
        let mut json = std::collections::HashMap::new();
        for path in doc["paths"].as_object().unwrap().keys() {
            let res = send(&app, get(path, None)).await;
            assert_eq!(res.status(), StatusCode::OK, "{label}: {path}");
            assert_eq!(
                res.headers()
                    .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                    .map(|v| v.to_str().unwrap()),
                Some("*"),
                "{label}: {path}"
            );
            let ctype = res
                .headers()
                .get(header::CONTENT_TYPE)
                .unwrap()
                .to_str()
                .unwrap()
                .to_string();
            let body = body_text(res).await;
            if path.ends_with(".csv") {
                assert!(ctype.starts_with("text/csv"), "{label}: {path}");
                let first = body
                    .trim_start_matches('\u{feff}')
                    .lines()
                    .next()
                    .unwrap()
                    .to_string();
                let cols = first.split(',').count();
                for line in body.trim_start_matches('\u{feff}').lines().skip(1) {
                    assert_eq!(line.split(',').count(), cols, "{label}: {path}: {line}");
                }
            } else {
                json.insert(path.clone(), serde_json::from_str::<Value>(&body).unwrap());
            }
        }
        let summary = &json["/api/v1/summary"];
        let raised = summary["raised_rials"].as_i64().unwrap();
        assert!(raised > 0, "{label}");
        let provinces = json["/api/v1/provinces"].as_array().unwrap();
        assert_eq!(provinces.len(), 31, "{label}: every province");
        let by_province: i64 = provinces
            .iter()
            .map(|p| p["raised_rials"].as_i64().unwrap())
            .sum();
        assert!(
            by_province > 0 && by_province <= raised,
            "{label}: {by_province} of {raised}"
        );
        let months = json["/api/v1/months"].as_array().unwrap();
        assert!(!months.is_empty() && months.len() <= 12, "{label}");
        assert!(
            months
                .iter()
                .all(|m| (1390..1500).contains(&m["year"].as_i64().unwrap())),
            "{label}: Solar Hijri years"
        );
        let by_month: i64 = months
            .iter()
            .map(|m| m["raised_rials"].as_i64().unwrap())
            .sum();
        assert!(by_month > 0 && by_month <= raised, "{label}");
        assert_eq!(
            json["/api/v1/categories"].as_array().unwrap().len(),
            app::giving::CATEGORIES.len(),
            "{label}"
        );
        assert_eq!(json["/api/v1/needs"]["page"], 1, "{label}");
        assert!(
            !json["/api/v1/campaigns"]["items"]
                .as_array()
                .unwrap()
                .is_empty(),
            "{label}"
        );
        // Bad filters answer 422 with a message key, not a 500.
        let res = send(&app, get("/api/v1/needs?category=nope", None)).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{label}");
        assert!(
            body_text(res).await.contains("validation.filter"),
            "{label}"
        );

        // The page: three charts, each with its table.
        let res = send(&app, get("/transparency", None)).await;
        assert_eq!(res.status(), StatusCode::OK, "{label}");
        let html = body_text(res).await;
        for id in ["chart-months", "chart-provinces", "chart-categories"] {
            assert!(html.contains(&format!("id=\"{id}\"")), "{label}: {id}");
            assert!(
                html.contains(&format!("aria-describedby=\"{id}-table\"")),
                "{label}: {id} described"
            );
            assert!(
                html.contains(&format!("id=\"{id}-table\"")),
                "{label}: {id} table"
            );
        }
        tdb.drop_db().await;
    }
}

/// The public figures are a stored snapshot: a read answers from it, a stale one is refreshed in
/// the background, and the refreshed figures count the gifts settled meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_figures_are_a_snapshot_refreshed_in_the_background() {
    use app::transparency::{service, snapshot};
    for tdb in databases().await {
        let label = tdb.label;
        let state = app_state(&tdb.url).await;
        let db = state.db.clone();
        seed::run(&db, Scale::Demo, 32).await.unwrap();
        let app = server::http::router(state.clone());
        // The seed took the snapshot; it equals the figures computed from the tables.
        let stored = snapshot::report(&db).await.unwrap();
        assert!(stored.taken_at.is_some(), "{label}");
        let computed = service::compute(&db).await.unwrap();
        assert_eq!(
            app::transparency::Report {
                taken_at: None,
                ..stored.clone()
            },
            computed,
            "{label}"
        );
        // A gift settles: the stored figures do not move until they are refreshed.
        let authority = start_gift(&state, "urgent", None, 70_000, 1).await;
        app::payments::sandbox::decide(&db, &authority, "pay")
            .await
            .unwrap()
            .unwrap();
        app::giving::settlement::settle(&state, "sandbox", &authority, true)
            .await
            .unwrap();
        let before = stored.summary.raised_rials;
        assert_eq!(
            snapshot::report(&db).await.unwrap().summary.raised_rials,
            before,
            "{label}"
        );
        // Once stale, a read answers at once with the old figures and refreshes them behind.
        exec(
            &db,
            "UPDATE public_snapshots SET taken_at = '2020-01-01 00:00:00+00:00'",
        )
        .await;
        let res = send(&app, get("/api/v1/summary", None)).await;
        let json: Value = serde_json::from_str(&body_text(res).await).unwrap();
        assert_eq!(json["raised_rials"].as_i64().unwrap(), before, "{label}");
        let mut now = before;
        for _ in 0..100 {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            now = snapshot::report(&db).await.unwrap().summary.raised_rials;
            if now != before {
                break;
            }
        }
        assert_eq!(now, before + 700_000, "{label}");
        // The page says when its figures were taken.
        let html = body_text(send(&app, get("/transparency", None)).await).await;
        assert!(html.contains("id=\"figures-as-of\""), "{label}");
        tdb.drop_db().await;
    }
}
