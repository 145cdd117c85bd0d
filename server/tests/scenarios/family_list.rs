//! The staff family list on SQLite and PostgreSQL: a province-scoped social worker finds only
//! her province's families, by file code, province, status and consent; a national admin finds
//! every province's; bad filters are refused without a 5xx; the page itself shows no sealed field.

use crate::common::*;
use app::auth::Role;
use app::casework::{find_families as list, FamilyQuery};
use axum::http::StatusCode;
use server::seed::{self, Scale};

#[tokio::test]
async fn staff_find_families_in_their_scope_and_nothing_sealed() {
    for tdb in databases().await {
        let l = tdb.label;
        let state = app_state(&tdb.url).await;
        seed::run(&state.db, Scale::Demo, 7).await.unwrap();
        let db = &state.db;
        let app = server::http::router(state.clone());
        let worker = authed(db, email_of(Role::SocialWorker)).await;
        let admin = authed(db, email_of(Role::NationalAdmin)).await;
        let home = scalar(
            db,
            &format!(
                "SELECT province_id FROM user_scopes WHERE user_id = {}",
                worker.user_id
            ),
        )
        .await;

        // In scope only: every row the worker gets is in her province, and all of them are there.
        let mine = list(&state, &worker, &FamilyQuery::default())
            .await
            .unwrap();
        let in_home = scalar(
            db,
            &format!("SELECT COUNT(*) FROM families WHERE province_id = {home}"),
        )
        .await;
        assert_eq!(mine.total as i64, in_home, "{l}");
        assert!(
            in_home > 0,
            "{l}: the demo has families in the worker's province"
        );
        let home_code =
            strings(db, &format!("SELECT code FROM provinces WHERE id = {home}")).await[0].clone();
        let home_fa = strings(
            db,
            &format!("SELECT name_fa FROM provinces WHERE id = {home}"),
        )
        .await[0]
            .clone();
        assert!(mine.items.iter().all(|f| f.province_fa == home_fa), "{l}");
        let everyone = list(&state, &admin, &FamilyQuery::default()).await.unwrap();
        assert_eq!(
            everyone.total as i64,
            scalar(db, "SELECT COUNT(*) FROM families").await,
            "{l}"
        );
        assert!(everyone.total > mine.total, "{l}");

        // Another province: nothing for the worker, its families for the admin.
        let away_code = strings(
            db,
            &format!("SELECT p.code FROM provinces p JOIN families f ON f.province_id = p.id WHERE p.id <> {home} ORDER BY p.id LIMIT 1"),
        )
        .await[0]
            .clone();
        let away = FamilyQuery {
            province: Some(away_code.clone()),
            ..Default::default()
        };
        assert_eq!(list(&state, &worker, &away).await.unwrap().total, 0, "{l}");
        assert!(list(&state, &admin, &away).await.unwrap().total > 0, "{l}");

        // By the start of a file code, in Persian digits too; by consent.
        let code = mine.items[0].code.clone();
        let persian: String = code
            .chars()
            .map(|c| {
                c.to_digit(10)
                    .map_or(c, |d| char::from_u32('۰' as u32 + d).unwrap())
            })
            .collect();
        let by_code = list(
            &state,
            &worker,
            &FamilyQuery {
                code: Some(persian.to_lowercase()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            by_code
                .items
                .iter()
                .map(|f| f.code.clone())
                .collect::<Vec<_>>(),
            vec![code.clone()],
            "{l}"
        );
        let given = list(
            &state,
            &worker,
            &FamilyQuery {
                consent: Some("given".into()),
                province: Some(home_code),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(given.items.iter().all(|f| f.consent), "{l}");
        assert_eq!(
            given.total as i64,
            scalar(db, &format!("SELECT COUNT(*) FROM families WHERE province_id = {home} AND consent_publish = TRUE")).await,
            "{l}"
        );

        // Bad filters: a clear refusal, never a 5xx, whoever asks.
        for bad in [
            FamilyQuery {
                code: Some("F'; DROP TABLE families; --".into()),
                ..Default::default()
            },
            FamilyQuery {
                province: Some("XXX".into()),
                ..Default::default()
            },
            FamilyQuery {
                status: Some("deleted".into()),
                ..Default::default()
            },
            FamilyQuery {
                consent: Some("maybe".into()),
                ..Default::default()
            },
        ] {
            let e = list(&state, &admin, &bad).await.unwrap_err();
            assert_eq!(e.status(), StatusCode::UNPROCESSABLE_ENTITY, "{l}: {bad:?}");
        }

        // The page, rendered for the worker: her families, no sealed value, no one else's code.
        let cookie = cookie_of(&state, email_of(Role::SocialWorker)).await;
        let res = send(&app, get("/staff/families", Some(&cookie))).await;
        assert_eq!(res.status(), StatusCode::OK, "{l}");
        let html = body_text(res).await;
        assert!(html.contains(&code), "{l}");
        let sealer = app::privacy::Sealer::dev();
        let head: Vec<u8> = {
            use sea_orm::{ConnectionTrait, Statement};
            db.query_one_raw(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT head_name_enc FROM families WHERE public_code = '{code}'"),
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index(0)
            .unwrap()
        };
        let name = sealer.open("families.head_name", &head).unwrap();
        assert!(!html.contains(&name), "{l}: a sealed name on the list");
        let foreign = strings(
            db,
            &format!(
                "SELECT public_code FROM families WHERE province_id <> {home} ORDER BY id LIMIT 1"
            ),
        )
        .await[0]
            .clone();
        assert!(
            !html.contains(&foreign),
            "{l}: another province's family on the worker's list"
        );
        // Without a session: refused, nothing listed.
        let res = send(&app, post_form("/api/staff/families", "", None)).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{l}");
        tdb.drop_db().await;
    }
}
