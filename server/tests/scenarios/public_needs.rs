//! The public needs list and need pages: filters, search, pagination, and no personal data.

use crate::common::*;
use app::privacy::Sealer;
use axum::http::{header, StatusCode};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use server::seed::{self, Scale};

async fn codes_in(html: &str) -> Vec<String> {
    html.split("data-code=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_string)
        .collect()
}

/// Every personal value the seed sealed, opened: what must never appear publicly.
/// Bytes as a literal each database reads as a blob.
fn hex_literal(db: &DatabaseConnection, bytes: &[u8]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => format!("'\\x{hex}'::bytea"),
        _ => format!("X'{hex}'"),
    }
}

async fn personal_values(db: &DatabaseConnection) -> Vec<String> {
    let s = Sealer::dev();
    let mut out = Vec::new();
    let sets = [
        ("SELECT head_name_enc FROM families", "families.head_name"),
        (
            "SELECT national_code_enc FROM families",
            "families.national_code",
        ),
        ("SELECT phone_enc FROM families", "families.phone"),
        ("SELECT address_enc FROM families", "families.address"),
        ("SELECT name_enc FROM prisoners", "prisoners.name"),
        (
            "SELECT creditor_enc FROM release_campaigns WHERE creditor_enc IS NOT NULL",
            "release_campaigns.creditor",
        ),
        (
            "SELECT national_code_enc FROM prisoners",
            "prisoners.national_code",
        ),
        (
            "SELECT name_enc FROM household_members",
            "household_members.name",
        ),
    ];
    for (sql, col) in sets {
        for row in db
            .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap()
        {
            let bytes: Vec<u8> = row.try_get_by_index(0).unwrap();
            out.push(s.open(col, &bytes).unwrap());
        }
    }
    out.extend(strings(db, "SELECT name_fa FROM prisons").await);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn needs_list_filters_search_and_pages() {
    for tdb in databases().await {
        let state = app_state(&tdb.url).await;
        let db = state.db.clone();
        seed::run(&db, Scale::Demo, 3).await.unwrap();
        let app = server::http::router(state);
        let l = tdb.label;

        let res = send(&app, get("/needs", None)).await;
        assert_eq!(res.status(), StatusCode::OK);
        let html = body_text(res).await;
        let first = codes_in(&html).await;
        assert_eq!(first.len(), 12, "{l}: a page holds 12 cards");
        // Only public states are listed.
        let public = strings(&db, "SELECT public_code FROM needs WHERE status IN ('published','funded','purchased','delivered')").await;
        assert!(
            first.iter().all(|c| public.contains(c)),
            "{l}: a non-public need is listed"
        );

        // Page 2 is different and the filter state lives in the URL.
        let html2 = body_text(send(&app, get("/needs?page=2", None)).await).await;
        let second = codes_in(&html2).await;
        assert!(
            !second.is_empty() && second.iter().all(|c| !first.contains(c)),
            "{l}"
        );
        assert!(
            html.contains("href=\"/needs?page=2\""),
            "{l}: no link to page 2"
        );

        // Province and category filters.
        let html =
            body_text(send(&app, get("/needs?province=THR&category=rent", None)).await).await;
        let codes = codes_in(&html).await;
        let expected = strings(
            &db,
            "SELECT n.public_code FROM needs n JOIN provinces p ON p.id = n.province_id WHERE p.code = 'THR' \
             AND n.category = 'rent' AND n.hide_province = false AND n.status IN ('published','funded','purchased','delivered')",
        )
        .await;
        assert!(!expected.is_empty(), "{l}: the demo has Tehran rent needs");
        assert_eq!(codes.len(), expected.len().min(12), "{l}");
        assert!(codes.iter().all(|c| expected.contains(c)), "{l}");

        // A card generalised to hide its province never answers a province filter.
        let hidden = &expected[0];
        db.execute_unprepared(&format!(
            "UPDATE needs SET hide_province = true WHERE public_code = '{hidden}'"
        ))
        .await
        .unwrap();
        let html =
            body_text(send(&app, get("/needs?province=THR&category=rent", None)).await).await;
        assert!(
            !codes_in(&html).await.contains(hidden),
            "{l}: hidden province leaked through the filter"
        );

        // Search normalises Arabic letters: «كمك» finds «کمک».
        let html = body_text(send(&app, get("/needs?q=%D9%83%D9%85%D9%83", None)).await).await;
        assert!(
            !codes_in(&html).await.is_empty(),
            "{l}: Arabic kaf search found nothing"
        );

        // The browser's call with no filter at all.
        let mut req = post_form("/api/public/needs", "", None);
        req.headers_mut()
            .insert(header::ACCEPT, "application/json".parse().unwrap());
        let res = send(&app, req).await;
        assert_eq!(res.status(), StatusCode::OK, "{l}: unfiltered API call");
        assert_eq!(
            codes_in(&body_text(res).await).await.len(),
            0,
            "the API answers JSON, not HTML"
        );

        // "Still to raise": only needs still raising whose goal minus their fund's balance is at
        // most that many tomans (Persian digits too), from the ledger.
        let left_of = |limit_rials: i64| {
            format!(
                "SELECT n.public_code FROM needs n WHERE n.status = 'published' AND n.goal_rials + COALESCE((SELECT SUM(e.amount_rials) \
                 FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id WHERE a.need_id = n.id), 0) <= {limit_rials}"
            )
        };
        let mut lefts: Vec<i64> = strings(&db, "SELECT CAST(n.goal_rials + COALESCE((SELECT SUM(e.amount_rials) FROM ledger_entries e \
             JOIN ledger_accounts a ON a.id = e.account_id WHERE a.need_id = n.id), 0) AS TEXT) FROM needs n WHERE n.status = 'published'")
            .await
            .iter()
            .map(|v| v.parse().unwrap())
            .collect();
        lefts.sort_unstable();
        // A limit in whole tomans between the smallest and the largest amount left.
        let tomans = (lefts[lefts.len() / 2] + 9) / 10;
        let some_left = strings(&db, &left_of(tomans * 10)).await;
        assert!(
            !some_left.is_empty() && some_left.len() < lefts.len(),
            "{l}: {tomans} splits the needs"
        );
        let persian: String = tomans
            .to_string()
            .chars()
            .map(|c| char::from_u32(0x06F0 + c.to_digit(10).unwrap()).unwrap())
            .collect();
        let json = |body: &str| {
            let mut req = post_form("/api/public/needs", body, None);
            req.headers_mut()
                .insert(header::ACCEPT, "application/json".parse().unwrap());
            req
        };
        let res = send(
            &app,
            json(&format!("left={}", app::ui::encode_query_value(&persian))),
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK, "{l}");
        let v: serde_json::Value = serde_json::from_str(&body_text(res).await).unwrap();
        assert_eq!(
            v["total"].as_u64().unwrap() as usize,
            some_left.len(),
            "{l}"
        );
        for item in v["items"].as_array().unwrap() {
            assert!(
                some_left.contains(&item["code"].as_str().unwrap().to_string()),
                "{l}: {item}"
            );
            assert!(
                item["goal_rials"].as_i64().unwrap() - item["raised_rials"].as_i64().unwrap()
                    <= tomans * 10,
                "{l}: {item}"
            );
        }
        let html = body_text(send(&app, get(&format!("/needs?left={tomans}"), None)).await).await;
        let listed = codes_in(&html).await;
        assert!(
            !listed.is_empty() && listed.iter().all(|c| some_left.contains(c)),
            "{l}"
        );
        // A preset shows as chosen in the form.
        let html = body_text(send(&app, get("/needs?left=2000000", None)).await).await;
        assert!(
            html.contains("<option value=\"2000000\" selected"),
            "{l}: the filter shows as chosen"
        );
        for bad in ["left=0", "left=-5", "left=many"] {
            let res = send(&app, json(bad)).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{l}: {bad}");
        }

        // Bad filters: a clear localized error, 422.
        let mut req = post_form("/api/public/needs", "category=jewels", None);
        req.headers_mut()
            .insert(header::ACCEPT, "application/json".parse().unwrap());
        let res = send(&app, req).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{l}");
        assert!(body_text(res).await.contains("validation.filter"));
        tdb.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn need_pages_show_progress_and_hide_drafts() {
    for tdb in databases().await {
        let state = app_state(&tdb.url).await;
        let db = state.db.clone();
        seed::run(&db, Scale::Demo, 4).await.unwrap();
        let app = server::http::router(state);
        let l = tdb.label;

        let funded = strings(
            &db,
            "SELECT public_code FROM needs WHERE status = 'funded' ORDER BY id LIMIT 1",
        )
        .await;
        let res = send(&app, get(&format!("/needs/{}", funded[0]), None)).await;
        assert_eq!(res.status(), StatusCode::OK, "{l}");
        let html = body_text(res).await;
        assert!(
            html.contains(r#"aria-valuenow="100""#),
            "{l}: a funded need shows 100%"
        );
        assert!(html.contains("تأمین شد"), "{l}: timeline");

        for status in ["draft", "awaiting_verification", "withdrawn"] {
            let code = strings(
                &db,
                &format!("SELECT public_code FROM needs WHERE status = '{status}' LIMIT 1"),
            )
            .await;
            let res = send(&app, get(&format!("/needs/{}", code[0]), None)).await;
            assert_eq!(
                res.status(),
                StatusCode::NOT_FOUND,
                "{l}: {status} need is public"
            );
        }
        let res = send(&app, get("/needs/N-NOSUCHCODE", None)).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        tdb.drop_db().await;
    }
}

/// Seeds recognisable personal values and scans every public page and API answer for them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_public_route_reveals_personal_data() {
    let tdb = databases().await.remove(0);
    let state = app_state(&tdb.url).await;
    let db = state.db.clone();
    seed::run(&db, Scale::Demo, 5).await.unwrap();
    let mut secrets = personal_values(&db).await;
    assert!(secrets.len() > 500);
    // A nazr's purpose is the donor's own words, for staff only: settled to a public need here,
    // then looked for everywhere below.
    let purpose = "نذر سلامتی پسرم علی‌رضا";
    let nazr = {
        let need = strings(
            &db,
            "SELECT public_code FROM needs WHERE status = 'published' ORDER BY id LIMIT 1",
        )
        .await
        .remove(0);
        let form = app::giving::GiftForm {
            target_kind: "need".into(),
            target_code: Some(need),
            attempt: "privacycrawlnazr00000001".into(),
            amount: Some("100000".into()),
            intention: Some("nazr".into()),
            nazr_purpose: Some(purpose.into()),
            ..Default::default()
        };
        let gift = app::giving::validate_gift(&form).unwrap();
        let url = app::giving::settlement::start(&state, &gift, None, "http://127.0.0.1:3000")
            .await
            .unwrap();
        let authority = url.trim_start_matches(app::payments::sandbox::PAGE_PREFIX);
        app::payments::sandbox::decide(&db, authority, "pay")
            .await
            .unwrap()
            .unwrap();
        app::giving::settlement::settle(&state, "sandbox", authority, true)
            .await
            .unwrap()
            .tracking_code
    };
    secrets.push(app::validation::normalize_persian(purpose));
    // A sponsor's match offer on food needs, its contact for staff only, and a gift it matched:
    // the cards, the need pages and the receipt name the sponsor, never its contact.
    let sponsor_contact = "09127770001";
    let matched_gift = {
        use app::giving::matching_service as m;
        let finance = authed(&db, email_of(app::auth::Role::FinanceOfficer)).await;
        let admin = authed(&db, email_of(app::auth::Role::NationalAdmin)).await;
        let form = app::giving::matching::MatchOfferForm {
            sponsor_name: "شرکت همراه نمونه".into(),
            sponsor_contact: Some(sponsor_contact.into()),
            ratio: "1".into(),
            scope: "category".into(),
            category: Some("food".into()),
            cap: "1000000".into(),
            ends_on: (m::today() + chrono::Duration::days(10)).to_string(),
            ..Default::default()
        };
        let code = m::propose(&state, &finance, &form).await.unwrap();
        m::decide(&state, &admin, &code, true).await.unwrap();
        let food = strings(
            &db,
            "SELECT public_code FROM needs WHERE status = 'published' AND category = 'food' ORDER BY id LIMIT 1",
        )
        .await
        .remove(0);
        let authority = start_gift(&state, "need", Some(&food), 10_000, 77).await;
        app::payments::sandbox::decide(&db, &authority, "pay")
            .await
            .unwrap()
            .unwrap();
        let done = app::giving::settlement::settle(&state, "sandbox", &authority, true)
            .await
            .unwrap()
            .tracking_code;
        assert!(
            scalar(
                &db,
                &format!("SELECT matched_rials FROM donations WHERE tracking_code = '{done}'")
            )
            .await
                > 0
        );
        done
    };
    secrets.push(sponsor_contact.to_string());
    // A creditor a court named, owed by a prisoner (restitution): the name and Sheba are sealed
    // and only finance opens them; no public page may show either.
    let (claimant, sheba) = ("رستم بستانکارنیا", "IR580540105180021273113007");
    exec(
        &db,
        &format!(
            "INSERT INTO restitution_claims (public_code, prisoner_id, kind, claimant_name_enc, claimant_account_enc, key_id, court_ref, owed_rials, paid_rials, status, created_by, created_at, updated_at) \
             VALUES ('RC-CRAWL001', (SELECT MIN(id) FROM prisoners), 'creditor', {}, {}, '{}', '1405/77', 1000000, 0, 'open', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            hex_literal(&db, &state.sealer.seal("restitution_claims.claimant_name", claimant)),
            hex_literal(&db, &state.sealer.seal("restitution_claims.claimant_account", sheba)),
            state.sealer.key_id(),
        ),
    )
    .await;
    secrets.extend([claimant.to_string(), sheba.to_string()]);
    // A family offered to sponsors and sponsored: the chooser, the sponsorship's page and its
    // receipt show the family's code and redacted story, never a name, nor the sponsor's contact.
    let sponsor_mobile = "09127770002";
    let sponsorship = {
        let admin = authed(&db, email_of(app::auth::Role::NationalAdmin)).await;
        let family = strings(
            &db,
            "SELECT public_code FROM families WHERE consent_publish = TRUE AND status = 'active' ORDER BY id LIMIT 1",
        )
        .await
        .remove(0);
        let story =
            "مادر خانواده با دو فرزند دبستانی زندگی می‌کند و اجارهٔ خانه بزرگ‌ترین دغدغهٔ اوست.";
        let saved =
            app::casework::service::sponsorship::open(&state, &admin, &family, "rent", story)
                .await
                .unwrap();
        assert!(matches!(saved, app::casework::DraftOutcome::Saved { .. }));
        let gift = app::giving::validate_sponsor(&app::giving::SponsorForm {
            family,
            attempt: "privacycrawlsponsor00001".into(),
            amount: Some("500000".into()),
            custom: None,
            months: "12".into(),
            contact: sponsor_mobile.into(),
        })
        .unwrap();
        let url = app::giving::settlement::start(&state, &gift, None, "http://127.0.0.1:3000")
            .await
            .unwrap();
        let tracking = pay(
            &state,
            url.trim_start_matches(app::payments::sandbox::PAGE_PREFIX),
        )
        .await;
        let pledge = strings(
            &db,
            "SELECT public_code FROM pledges WHERE family_id IS NOT NULL",
        )
        .await
        .remove(0);
        let token = app::giving::pledges::cancel_token(&state, &pledge);
        (
            app::giving::sponsorship_url(&pledge, &token),
            app::giving::receipt_url(
                &tracking,
                &app::giving::settlement::receipt_token(&state, &tracking),
            ),
        )
    };
    secrets.push(sponsor_mobile.to_string());
    app::transparency::snapshot::refresh(&db).await.unwrap();
    let app = server::http::router(state);

    let mut paths = vec![
        "/".to_string(),
        "/needs".to_string(),
        "/sign-in".to_string(),
        "/sign-up".to_string(),
    ];
    for p in 2..=8 {
        paths.push(format!("/needs?page={p}"));
    }
    for code in strings(&db, "SELECT public_code FROM needs WHERE status IN ('published','funded','purchased','delivered')").await {
        paths.push(format!("/needs/{code}"));
    }
    // The giving pages and a receipt of each kind of gift.
    let state2 = app_state(&tdb.url).await;
    paths.push("/give".into());
    paths.push("/give?category=rent".into());
    paths.push("/receipt".into());
    paths.push("/release".into());
    paths.push("/transparency".into());
    for p in [
        "summary",
        "months",
        "months.csv",
        "provinces",
        "provinces.csv",
        "categories",
        "categories.csv",
        "needs",
        "campaigns",
    ] {
        paths.push(format!("/api/v1/{p}"));
    }
    paths.push("/release-rules".into());
    paths.push("/give/intentions".into());
    for p in ["intentions", "intentions.csv"] {
        paths.push(format!("/api/v1/{p}"));
    }
    paths.push(app::giving::receipt_url(
        &matched_gift,
        &app::giving::settlement::receipt_token(&state2, &matched_gift),
    ));
    paths.push(app::giving::receipt_url(
        &nazr,
        &app::giving::settlement::receipt_token(&state2, &nazr),
    ));
    paths.extend([
        "/sponsor".to_string(),
        "/sponsor?kind=rent".to_string(),
        sponsorship.0.clone(),
        sponsorship.1.clone(),
    ]);
    for code in strings(&db, "SELECT public_code FROM release_campaigns WHERE status IN ('published','funded','paid_to_court','released')").await {
        paths.push(format!("/release/{code}"));
    }
    for code in strings(
        &db,
        "SELECT public_code FROM needs WHERE status = 'published' LIMIT 5",
    )
    .await
    {
        paths.push(format!("/give?need={code}"));
    }
    for code in strings(&db, "SELECT tracking_code FROM donations WHERE need_id IS NOT NULL OR campaign_id IS NOT NULL LIMIT 20").await {
        let token = app::giving::settlement::receipt_token(&state2, &code);
        paths.push(app::giving::receipt_url(&code, &token));
    }
    let mut bodies = Vec::new();
    for p in &paths {
        let res = send(&app, get(p, None)).await;
        assert_eq!(res.status(), StatusCode::OK, "{p}");
        bodies.push((p.clone(), body_text(res).await));
    }
    for (api, body) in [
        ("/api/public/needs", "page=1"),
        ("/api/public/impact", ""),
        ("/api/public/intentions", ""),
        ("/api/public/provinces", ""),
        ("/api/public/campaigns", "page=1"),
        ("/api/sponsor/families", ""),
    ] {
        let mut req = post_form(api, body, None);
        req.headers_mut()
            .insert(header::ACCEPT, "application/json".parse().unwrap());
        let res = send(&app, req).await;
        assert_eq!(res.status(), StatusCode::OK, "{api}");
        bodies.push((api.to_string(), body_text(res).await));
    }
    assert!(
        bodies
            .iter()
            .any(|(p, b)| p == "/sponsor" && b.contains("family-card")),
        "the chooser offers the sponsored family"
    );
    assert!(
        bodies.iter().any(|(_, b)| b.contains("شرکت همراه نمونه")),
        "the sponsor's name shows where it matches"
    );
    for (path, body) in &bodies {
        for secret in &secrets {
            assert!(
                !body.contains(secret.as_str()),
                "{path} reveals a personal value: {secret}"
            );
        }
    }
}

/// Search finds the folded query inside the folded title and story, from the index, on both
/// databases: the same needs as reading every visible card and comparing, whatever the letters
/// (Arabic ي/ك), digits, ZWNJ or kashida the visitor types; edits and old rows are found too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_matches_folded_text_from_the_index() {
    use app::validation::search_text;
    for tdb in databases().await {
        let l = tdb.label;
        let state = app_state(&tdb.url).await;
        let db = state.db.clone();
        seed::run(&db, Scale::Demo, 21).await.unwrap();
        let app = server::http::router(state);
        let statuses = app::platform::entity::status::NeedStatus::PUBLIC
            .iter()
            .map(|s| format!("'{s}'"))
            .collect::<Vec<_>>()
            .join(",");
        let visible = |extra: &str| {
            format!(
                "SELECT public_code, public_title || ' ' || public_story FROM needs \
                 WHERE status IN ({statuses}) AND withdrawn_at IS NULL AND {} {extra}",
                app::giving::service::FAMILY_CONSENTS
            )
        };
        let rows = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                visible(""),
            ))
            .await
            .unwrap();
        let cards: Vec<(String, String)> = rows
            .iter()
            .map(|r| {
                (
                    r.try_get_by_index(0).unwrap(),
                    search_text(&r.try_get_by_index::<String>(1).unwrap()),
                )
            })
            .collect();
        let search = |q: &str| {
            let app = app.clone();
            let q = q.to_string();
            async move {
                let url = format!(
                    "/api/v1/needs?q={}",
                    q.bytes().map(|b| format!("%{b:02X}")).collect::<String>()
                );
                let res = send(&app, get(&url, None)).await;
                assert_eq!(res.status(), StatusCode::OK, "{q}");
                let json: serde_json::Value = serde_json::from_str(&body_text(res).await).unwrap();
                let codes: Vec<String> = json["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i["code"].as_str().unwrap().to_string())
                    .collect();
                (json["total"].as_u64().unwrap(), codes)
            }
        };
        let queries = [
            "اجاره",
            "اجـاره",
            "كمك",
            "نفره",
            "۳ نفره",
            "3 نفره",
            "خانواده‌ای",
            "خانواده ای",
            "زندان",
            "مدرسه",
            // Two letters: no trigram, so SQLite reads them with LIKE rather than as a phrase.
            "ای",
            // Quotes are text, not FTS5 syntax.
            "\"مدرسه\"",
            "nothing-like-this",
        ];
        let mut found_any = 0;
        for q in queries {
            let folded = search_text(q);
            let expected: Vec<&String> = cards
                .iter()
                .filter(|(_, text)| text.contains(&folded))
                .map(|(code, _)| code)
                .collect();
            let (total, codes) = search(q).await;
            assert_eq!(total as usize, expected.len(), "{l}: {q}");
            assert!(codes.iter().all(|c| expected.contains(&c)), "{l}: {q}");
            if total > 0 {
                found_any += 1;
            }
        }
        assert!(
            found_any >= 6,
            "{l}: the demo's stories answer most queries"
        );
        // An edited text is found by its new words at once (SQLite: the trigger feeds the index).
        let code = &cards[0].0;
        exec(
            &db,
            &format!(
                "UPDATE needs SET search_text = 'گلدان فیروزه ای برای آشپزخانه' WHERE public_code = '{code}'"
            ),
        )
        .await;
        assert_eq!(search("فيروزه").await.1, vec![code.clone()], "{l}");
        // Rows from before the column existed are folded at start and then found.
        exec(
            &db,
            &format!("UPDATE needs SET search_text = NULL WHERE public_code = '{code}'"),
        )
        .await;
        let q = cards[0].1.split(' ').take(3).collect::<Vec<_>>().join(" ");
        let expected = cards.iter().filter(|(_, t)| t.contains(&q)).count() as u64;
        assert_eq!(search(&q).await.0, expected - 1, "{l}");
        assert_eq!(
            app::giving::service::fold_missing_search_text(&db)
                .await
                .unwrap(),
            1,
            "{l}"
        );
        assert_eq!(search(&q).await.0, expected, "{l}");
        tdb.drop_db().await;
    }
}

/// With `DATABASE_READ_URL`, the lists and the API's lists read the replica; a need page (where a
/// donor lands after giving) and the gift itself stay on the primary. The "replica" here is a
/// second database seeded differently, so every answer shows which one it came from.
#[tokio::test]
async fn public_lists_read_the_replica_and_need_pages_and_gifts_the_primary() {
    let replicas = databases().await;
    for (tdb, replica) in databases().await.into_iter().zip(replicas) {
        let label = tdb.label;
        let primary = app_state(&tdb.url).await;
        seed::run(&primary.db, Scale::Demo, 51).await.unwrap();
        let read = migrated(&replica.url).await;
        seed::run(&read, Scale::Demo, 52).await.unwrap();
        let sql = "SELECT public_code FROM needs ORDER BY CASE WHEN status = 'published' THEN 0 ELSE 1 END, id";
        let on_primary = strings(&primary.db, sql).await;
        let on_replica = strings(&read, sql).await;
        assert!(
            on_primary.iter().all(|c| !on_replica.contains(c)),
            "{label}: seeds differ"
        );
        let state = primary.clone().with_read(read.clone());
        let app = server::http::router(state.clone());

        // The list page and the API list: the replica's needs.
        let html = body_text(send(&app, get("/needs?sort=newest", None)).await).await;
        let listed = codes_in(&html).await;
        assert!(!listed.is_empty(), "{label}");
        assert!(
            listed.iter().all(|c| on_replica.contains(c)),
            "{label}: {listed:?}"
        );
        let api = body_text(send(&app, get("/api/v1/needs?sort=newest", None)).await).await;
        let v: serde_json::Value = serde_json::from_str(&api).unwrap();
        let items = v["items"].as_array().unwrap();
        assert!(!items.is_empty());
        assert!(
            items
                .iter()
                .all(|i| on_replica.contains(&i["code"].as_str().unwrap().to_string())),
            "{label}: {api}"
        );

        // A need page reads the primary: its own need answers, the replica's does not exist there.
        let res = send(&app, get(&format!("/needs/{}", on_primary[0]), None)).await;
        assert_eq!(res.status(), StatusCode::OK, "{label}");
        let res = send(&app, get(&format!("/needs/{}", on_replica[0]), None)).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{label}");

        // A gift is written to the primary, never to the replica.
        let before = scalar(&read, "SELECT CAST(COUNT(*) AS BIGINT) FROM donations").await;
        let body = format!(
            "form[target_kind]=need&form[target_code]={}&form[attempt]=replica{:016}&form[amount]=other&form[custom]=25000",
            on_primary[0],
            std::process::id()
        );
        let res = send(&app, post_form("/api/give/start", &body, None)).await;
        assert_eq!(res.status(), StatusCode::FOUND, "{label}");
        assert_eq!(
            scalar(&read, "SELECT CAST(COUNT(*) AS BIGINT) FROM donations").await,
            before,
            "{label}"
        );
        assert_eq!(
            scalar(
                &primary.db,
                "SELECT CAST(COUNT(*) AS BIGINT) FROM donations WHERE idempotency_key LIKE 'replica%'"
            )
            .await,
            1,
            "{label}"
        );
        read.close().await.unwrap();
        replica.drop_db().await;
        tdb.drop_db().await;
    }
}
