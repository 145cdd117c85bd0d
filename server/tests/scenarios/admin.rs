//! Staff accounts on SQLite and PostgreSQL: national admins create accounts with a role and a
//! scope (checked: prison officers need a prison of their province, admins are national), the new
//! account must enrol two-factor before any work, scopes change, deactivation ends sessions at
//! once, the last admin cannot be removed; and nobody else reaches any of it.

use crate::common::*;
use app::admin::{service, StaffForm};
use app::auth::Role;
use app::error::AppError;
use axum::http::{header, StatusCode};
use server::seed::{self, Scale, DEMO_ACCOUNTS};

fn key_of(e: AppError) -> String {
    match e {
        AppError::Invalid { key, .. } => key,
        other => format!("{other:?}"),
    }
}

fn form(email: &str, role: &str, province: &str, prison: &str) -> StaffForm {
    StaffForm {
        email: email.into(),
        display_name: "کارمند تازه".into(),
        role: role.into(),
        province: Some(province.into()),
        prison: Some(prison.into()),
        password: "a-long-staff-password".into(),
    }
}

fn json(mut r: axum::http::Request<axum::body::Body>) -> axum::http::Request<axum::body::Body> {
    r.headers_mut()
        .insert(header::ACCEPT, "application/json".parse().unwrap());
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn national_admins_manage_staff_accounts_and_scopes() {
    for tdb in databases().await {
        let l = tdb.label;
        let state = app_state(&tdb.url).await;
        seed::run(&state.db, Scale::Demo, 5).await.unwrap();
        let app = server::http::router(state.clone());
        let db = &state.db;
        let admin = authed(db, email_of(Role::NationalAdmin)).await;
        let (prov, prison, other_prov) = {
            let p = strings(
                db,
                "SELECT p.code FROM provinces p ORDER BY p.sort_order LIMIT 2",
            )
            .await;
            let j = strings(
                db,
                &format!("SELECT j.code FROM prisons j JOIN provinces p ON p.id = j.province_id WHERE p.code = '{}' ORDER BY j.id LIMIT 1", p[0]),
            )
            .await;
            (p[0].clone(), j[0].clone(), p[1].clone())
        };
        let users = scalar(db, "SELECT CAST(COUNT(*) AS BIGINT) FROM users").await;

        // Bad accounts are refused with the reason and create nothing.
        for (f, key) in [
            (
                form("o1@test.karamat.ir", "prison_officer", &prov, ""),
                "admin.prison_required",
            ),
            (
                form("o2@test.karamat.ir", "prison_officer", &other_prov, &prison),
                "staff.prison_invalid",
            ),
            (
                form("a1@test.karamat.ir", "national_admin", &prov, ""),
                "admin.admin_is_national",
            ),
            (
                form("s1@test.karamat.ir", "social_worker", &prov, &prison),
                "admin.prison_only_officers",
            ),
            (
                form("d1@test.karamat.ir", "donor", "", ""),
                "validation.role",
            ),
            (
                form(email_of(Role::Auditor), "auditor", "", ""),
                "validation.email_taken",
            ),
            (form("bad-email", "auditor", "", ""), "validation.email"),
        ] {
            assert_eq!(
                key_of(service::create(&state, &admin, &f).await.unwrap_err()),
                key,
                "{l}"
            );
        }
        assert_eq!(
            scalar(db, "SELECT CAST(COUNT(*) AS BIGINT) FROM users").await,
            users,
            "{l}"
        );

        // A social worker of one province.
        let id = service::create(
            &state,
            &admin,
            &form("new.sw@test.karamat.ir", "social_worker", &prov, ""),
        )
        .await
        .unwrap();
        let listed = service::list(&state).await.unwrap();
        let row = listed.staff.iter().find(|s| s.public_id == id).unwrap();
        assert_eq!(
            (row.role.as_str(), row.scopes.clone(), row.two_factor),
            ("social_worker", vec![prov.clone()], false),
            "{l}"
        );
        let sw = authed(db, "new.sw@test.karamat.ir").await;
        assert!(
            !sw.covers(
                scalar(
                    db,
                    &format!("SELECT id FROM provinces WHERE code = '{other_prov}'")
                )
                .await,
                None
            ),
            "{l}"
        );

        // It signs in with the first password but does no staff work before enrolling two-factor.
        let res = send(
            &app,
            post_form(
                "/api/auth/sign-in",
                "email=new.sw%40test.karamat.ir&password=a-long-staff-password",
                None,
            ),
        )
        .await;
        let cookie = set_cookie(&res, "karamat_session").expect("signed in");
        let res = send(
            &app,
            json(post_form("/api/staff/queues", "", Some(&cookie))),
        )
        .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{l}");
        assert!(body_text(res).await.contains("TwoFactorRequired"), "{l}");

        // Now a prison officer of a prison.
        service::set_role_and_scope(&state, &admin, &id, "prison_officer", None, Some(&prison))
            .await
            .unwrap();
        let row = service::list(&state)
            .await
            .unwrap()
            .staff
            .into_iter()
            .find(|s| s.public_id == id)
            .unwrap();
        assert_eq!(row.role, "prison_officer", "{l}");
        assert_eq!(row.scopes, vec![format!("{prov}/{prison}")], "{l}");

        // Deactivated: signed out everywhere at once, and sign-in refused.
        service::set_active(&state, &admin, &id, false)
            .await
            .unwrap();
        let res = send(
            &app,
            json(post_form("/api/staff/queues", "", Some(&cookie))),
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{l}");
        let res = send(
            &app,
            json(post_form(
                "/api/auth/sign-in",
                "email=new.sw%40test.karamat.ir&password=a-long-staff-password",
                None,
            )),
        )
        .await;
        assert!(set_cookie(&res, "karamat_session").is_none(), "{l}");
        service::set_active(&state, &admin, &id, true)
            .await
            .unwrap();

        // The only national admin can neither leave nor be demoted.
        let admin_public = strings(
            db,
            &format!("SELECT public_id FROM users WHERE id = {}", admin.user_id),
        )
        .await[0]
            .clone();
        assert_eq!(
            key_of(
                service::set_active(&state, &admin, &admin_public, false)
                    .await
                    .unwrap_err()
            ),
            "admin.not_yourself"
        );
        assert_eq!(
            key_of(
                service::set_role_and_scope(&state, &admin, &admin_public, "auditor", None, None)
                    .await
                    .unwrap_err()
            ),
            "admin.last_admin",
            "{l}"
        );
        // Donors and entrepreneurs are not staff accounts to manage.
        let donor = strings(
            db,
            "SELECT public_id FROM users WHERE role = 'donor' ORDER BY id LIMIT 1",
        )
        .await[0]
            .clone();
        assert!(
            matches!(
                service::set_active(&state, &admin, &donor, false).await,
                Err(AppError::NotFound)
            ),
            "{l}"
        );

        // A lost authenticator: reset, sessions end, enrolment needed again.
        let sw_demo = email_of(Role::SocialWorker);
        let demo_cookie = cookie_of(&state, sw_demo).await;
        let sw_public = strings(
            db,
            &format!("SELECT public_id FROM users WHERE email = '{sw_demo}'"),
        )
        .await[0]
            .clone();
        service::reset_two_factor(&state, &admin, &sw_public)
            .await
            .unwrap();
        assert_eq!(
            send(
                &app,
                json(post_form("/api/staff/queues", "", Some(&demo_cookie)))
            )
            .await
            .status(),
            StatusCode::UNAUTHORIZED,
            "{l}"
        );
        assert_eq!(
            scalar(db, &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM users WHERE email = '{sw_demo}' AND totp_enabled")).await,
            0,
            "{l}"
        );
        assert!(
            scalar(
                db,
                "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE action LIKE 'user.%'"
            )
            .await
                >= 5,
            "{l}"
        );
        assert!(app::audit::verify(db).await.unwrap().ok(), "{l}");
        tdb.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_national_admins_reach_staff_administration() {
    for tdb in databases().await {
        let l = tdb.label;
        let state = app_state(&tdb.url).await;
        seed::run(&state.db, Scale::Demo, 6).await.unwrap();
        let app = server::http::router(state.clone());
        let db = &state.db;
        let target =
            strings(db, "SELECT public_id FROM users WHERE role = 'auditor'").await[0].clone();
        let bodies: Vec<(&str, String)> = vec![
            ("/api/admin/staff", String::new()),
            ("/api/admin/create-staff", "form[email]=x%40y.ir&form[display_name]=xx&form[role]=auditor&form[password]=a-long-staff-password".into()),
            ("/api/admin/set-scope", format!("user={target}&role=auditor")),
            ("/api/admin/set-active", format!("user={target}&active=false")),
            ("/api/admin/reset-two-factor", format!("user={target}")),
            ("/api/admin/intention-rules", String::new()),
            (
                "/api/admin/set-intention-rule",
                format!(
                    "form[intention]=zakat&form[categories][]=food&form[effective_from]={}",
                    app::giving::intention::rules::today()
                ),
            ),
        ];
        let registered: std::collections::BTreeSet<String> =
            leptos::server_fn::axum::server_fn_paths()
                .map(|(p, _)| p.to_string())
                .filter(|p| p.starts_with("/api/admin/"))
                .collect();
        assert_eq!(
            registered,
            bodies.iter().map(|(p, _)| p.to_string()).collect(),
            "{l}"
        );
        let state_of = || async {
            format!(
                "{},{},{},{}",
                scalar(db, "SELECT CAST(COUNT(*) AS BIGINT) FROM users").await,
                scalar(
                    db,
                    "SELECT CAST(COUNT(*) AS BIGINT) FROM users WHERE is_active AND totp_enabled"
                )
                .await,
                scalar(db, "SELECT CAST(COUNT(*) AS BIGINT) FROM user_scopes").await,
                scalar(db, "SELECT CAST(COUNT(*) AS BIGINT) FROM intention_rules").await
            )
        };
        let mut people: Vec<(Option<Role>, Option<String>)> = vec![(None, None)];
        for (role, email, _) in DEMO_ACCOUNTS {
            if role != Role::NationalAdmin {
                people.push((Some(role), Some(cookie_of(&state, email).await)));
            }
        }
        for (role, cookie) in &people {
            for (path, body) in &bodies {
                let before = state_of().await;
                let res = send(&app, json(post_form(path, body, cookie.as_deref()))).await;
                let want = if role.is_none() {
                    StatusCode::UNAUTHORIZED
                } else {
                    StatusCode::FORBIDDEN
                };
                assert_eq!(res.status(), want, "{l}: {role:?} {path}");
                assert_eq!(
                    state_of().await,
                    before,
                    "{l}: {role:?} {path} changed something"
                );
            }
        }
        // The admin reaches every one.
        let cookie = cookie_of(&state, email_of(Role::NationalAdmin)).await;
        for (path, body) in &bodies {
            let res = send(&app, json(post_form(path, body, Some(&cookie)))).await;
            assert!(
                res.status().is_success(),
                "{l}: admin {path} → {}",
                res.status()
            );
        }
        tdb.drop_db().await;
    }
}
