//! Matched gifts (issue 17, part 3), on both databases: a sponsor's offer matches nothing until a
//! second staff member approves it; each matched gift posts the match in its own balanced ledger
//! group; the gift that reaches the cap closes the offer, and the 51st finds it closed, also
//! when the gifts settle at the same time; a match never passes what the need lacks, never meets
//! a card whose province is hidden; the unused cap is never raised; the sponsor's payment clears
//! what it owes; bad offers are refused with nothing written.

use crate::common::*;
use app::auth::Role;
use app::error::AppError;
use app::giving::matching::MatchOfferForm;
use app::giving::matching_service as matching;
use app::giving::settlement;
use app::ledger::{self, Account};
use app::payments::sandbox;
use axum::http::StatusCode;
use chrono::Duration;
use sea_orm::DatabaseConnection;
use server::seed::{self, Scale};

fn form(scope: &str, value: &str, ratio: &str, cap_toman: i64) -> MatchOfferForm {
    let mut f = MatchOfferForm {
        sponsor_name: "شرکت همراه".into(),
        sponsor_contact: Some("09121110000".into()),
        ratio: ratio.into(),
        scope: scope.into(),
        cap: cap_toman.to_string(),
        ends_on: (matching::today() + Duration::days(30)).to_string(),
        ..Default::default()
    };
    let v = Some(value.to_string());
    match scope {
        "occasion" => f.occasion = v,
        "province" => f.province = v,
        "category" => f.category = v,
        _ => f.campaign = v,
    }
    f
}

/// Settles a started gift after the sandbox bank's "pay"; returns its tracking code.
/// A published need of Tehran made a Yalda need with room for far more than the test gives;
/// (id, code).
async fn yalda_need(db: &DatabaseConnection, hide_province: bool, n: usize) -> (i64, String) {
    let id = scalar(
        db,
        &format!(
            "SELECT id FROM needs WHERE status = 'published' AND hide_province = FALSE \
             ORDER BY id LIMIT 1 OFFSET {n}"
        ),
    )
    .await;
    exec(
        db,
        &format!(
            "UPDATE needs SET occasion = 'yalda', goal_rials = goal_rials + 100000000000, \
             hide_province = {} WHERE id = {id}",
            if hide_province { "TRUE" } else { "FALSE" }
        ),
    )
    .await;
    let code = strings(
        db,
        &format!("SELECT public_code FROM needs WHERE id = {id}"),
    )
    .await
    .remove(0);
    (id, code)
}

async fn offers(db: &DatabaseConnection) -> i64 {
    scalar(db, "SELECT CAST(COUNT(*) AS BIGINT) FROM match_offers").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_matched_occasion_closes_at_its_cap_and_the_51st_gift_is_not_matched() {
    for tdb in databases().await {
        let l = tdb.label;
        let state = app_state(&tdb.url).await;
        let db = state.db.clone();
        seed::run(&db, Scale::Demo, 31).await.unwrap();
        exec(
            &db,
            "UPDATE needs SET occasion = NULL WHERE occasion = 'yalda'",
        )
        .await;
        let (need_id, need) = yalda_need(&db, false, 0).await;
        let finance = authed(&db, email_of(Role::FinanceOfficer)).await;
        let admin = authed(&db, email_of(Role::NationalAdmin)).await;
        let manager = authed(&db, email_of(Role::AssociationManager)).await;

        // Fifty gifts of 10,000 tomans, matched 1:1: a cap of 500,000 tomans.
        let code = matching::propose(&state, &finance, &form("occasion", "yalda", "1", 500_000))
            .await
            .unwrap();
        // Four eyes, and a national offer is not a provincial manager's to approve.
        let e = matching::decide(&state, &manager, &code, true)
            .await
            .unwrap_err();
        assert_eq!(e.message_key(), "match.scope_national", "{l}");
        let own = matching::propose(&state, &admin, &form("category", "food", "2", 100_000))
            .await
            .unwrap();
        let e = matching::decide(&state, &admin, &own, true)
            .await
            .unwrap_err();
        assert_eq!(e.message_key(), "staff.four_eyes", "{l}");
        matching::decide(&state, &manager, &own, false)
            .await
            .unwrap_err();

        // Until approved, nothing is matched and no card says so.
        let before = fund(&db, Account::Need(need_id)).await;
        let first = pay(
            &state,
            &start_gift(&state, "need", Some(&need), 10_000, 1).await,
        )
        .await;
        assert_eq!(
            fund(&db, Account::Need(need_id)).await,
            before + 100_000,
            "{l}"
        );
        let detail = app::giving::service::get_need(&db, &need).await.unwrap();
        assert_eq!(detail.card.matched, None, "{l}");

        matching::decide(&state, &admin, &code, true).await.unwrap();
        let detail = app::giving::service::get_need(&db, &need).await.unwrap();
        let badge = detail.card.matched.expect("the card shows its sponsor");
        assert_eq!(
            (badge.sponsor.as_str(), badge.ratio, badge.remaining_rials),
            ("شرکت همراه", 1, 5_000_000),
            "{l}"
        );
        let app = server::http::router(state.clone());
        let page = body_text(send(&app, get(&format!("/needs/{need}"), None)).await).await;
        assert!(
            page.contains("class=\"match-line\""),
            "{l}: the need page names the match"
        );
        assert!(page.contains("شرکت همراه"), "{l}");

        // The form's "all that is left" is the donor's part: what the match does not cover.
        let goal = scalar(
            &db,
            &format!("SELECT goal_rials FROM needs WHERE id = {need_id}"),
        )
        .await;
        let room = goal - fund(&db, Account::Need(need_id)).await;
        let form_html = body_text(send(&app, get(&format!("/give?need={need}"), None)).await).await;
        assert!(form_html.contains("class=\"match-line\""), "{l}");
        assert!(
            form_html.contains(&format!("value=\"{}\"", (room - 5_000_000 + 9) / 10)),
            "{l}: the rest less the match left"
        );

        // 51 gifts, started one by one and settled eight at a time: the gifts that settle first
        // draw on the offer until its cap, whichever they are.
        let mut authorities = Vec::new();
        for n in 0..51 {
            authorities.push(start_gift(&state, "need", Some(&need), 10_000, 100 + n).await);
        }
        let mut codes = Vec::new();
        for chunk in authorities.chunks(8) {
            let settled =
                futures_util::future::join_all(chunk.iter().map(|a| pay(&state, a))).await;
            codes.extend(settled);
        }
        let offer = strings(
            &db,
            &format!(
                "SELECT status || ':' || CAST(matched_rials AS TEXT) || ':' || COALESCE(close_reason, '') \
                 FROM match_offers WHERE public_code = '{code}'"
            ),
        )
        .await;

        assert_eq!(offer, vec!["closed:5000000:cap_reached".to_string()], "{l}");
        let matched = strings(
            &db,
            "SELECT CAST(matched_rials AS TEXT) FROM donations WHERE status = 'settled' AND need_id IS NOT NULL \
             AND matched_rials > 0",
        )
        .await;
        assert_eq!(matched.len(), 50, "{l}: fifty gifts matched");
        assert!(matched.iter().all(|m| m == "100000"), "{l}: {matched:?}");
        // The need holds 52 gifts and 50 matches; the sponsor owes exactly the cap.
        assert_eq!(
            fund(&db, Account::Need(need_id)).await,
            before + 52 * 100_000 + 50 * 100_000,
            "{l}"
        );
        let owed = ledger::account_id(
            &db,
            &Account::MatchPledge(
                scalar(
                    &db,
                    &format!("SELECT id FROM match_offers WHERE public_code = '{code}'"),
                )
                .await,
            ),
        )
        .await
        .unwrap();
        assert_eq!(
            ledger::raw_balance(&db, owed).await.unwrap(),
            5_000_000,
            "{l}"
        );
        let health = ledger::health(&db).await.unwrap();
        assert!(
            health.unbalanced_transactions.is_empty() && health.total == 0,
            "{l}: {health:?}"
        );
        assert!(
            health.stale_balances.is_empty() && health.negative_funds.is_empty(),
            "{l}"
        );

        // Closed: the card no longer says so; the unmatched gift's receipt says nothing of a match,
        // a matched one names its sponsor and amount.
        let detail = app::giving::service::get_need(&db, &need).await.unwrap();
        assert_eq!(detail.card.matched, None, "{l}");
        let receipt = |c: String| {
            let state = state.clone();
            async move {
                let token = settlement::receipt_token(&state, &c);
                settlement::receipt(&state, &c, &token).await.unwrap()
            }
        };
        assert_eq!(receipt(first).await.matched, None, "{l}");
        let mut seen = (0, 0);
        for c in codes {
            match receipt(c).await.matched {
                Some((sponsor, rials)) => {
                    assert_eq!((sponsor.as_str(), rials), ("شرکت همراه", 100_000), "{l}");
                    seen.0 += 1;
                }
                None => seen.1 += 1,
            }
        }
        assert_eq!(seen, (50, 1), "{l}: the 51st found the cap reached");

        // Transparency counts what gifts drew on the offer, never its unused cap.
        let report = app::transparency::service::compute(&db).await.unwrap();
        let m = report
            .matches
            .iter()
            .find(|m| m.sponsor == "شرکت همراه")
            .unwrap();
        assert_eq!(
            (m.gifts, m.matched_rials, m.ratio),
            (50, 5_000_000, 1),
            "{l}"
        );
        assert_eq!(
            report.matches.len(),
            1,
            "{l}: an offer nothing drew on is not listed"
        );

        // The sponsor pays in: never more than it owes.
        let bank = ledger::account_id(&db, &Account::Bank).await.unwrap();
        let bank_before = ledger::raw_balance(&db, bank).await.unwrap();
        matching::record_payment(&state, &finance, &code, "۳۰۰٬۰۰۰")
            .await
            .unwrap();
        let e = matching::record_payment(&state, &finance, &code, "300000")
            .await
            .unwrap_err();
        assert_eq!(e.message_key(), "match.payment_too_much", "{l}");
        assert_eq!(
            ledger::raw_balance(&db, bank).await.unwrap(),
            bank_before + 3_000_000,
            "{l}"
        );
        assert_eq!(
            ledger::raw_balance(&db, owed).await.unwrap(),
            2_000_000,
            "{l}"
        );
        let rows = matching::listed(&state, &finance).await.unwrap();
        let row = rows.iter().find(|r| r.code == code).unwrap();
        assert_eq!(
            (
                row.gifts,
                row.received_rials,
                row.sponsor_contact.as_deref()
            ),
            (50, 3_000_000, Some("09121110000")),
            "{l}: staff see the sealed contact"
        );
        // Nothing of the sponsor's contact on a public surface; the contact is sealed at rest.
        assert!(!page.contains("09121110000"), "{l}");
        assert_eq!(
            scalar(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM match_offers WHERE sponsor_contact_enc IS NOT NULL").await,
            2,
            "{l}"
        );
        assert!(app::audit::verify(&db).await.unwrap().ok(), "{l}");
        tdb.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_match_stays_within_what_the_need_lacks_and_its_scope() {
    for tdb in databases().await {
        let l = tdb.label;
        let state = app_state(&tdb.url).await;
        let db = state.db.clone();
        seed::run(&db, Scale::Demo, 32).await.unwrap();
        let finance = authed(&db, email_of(Role::FinanceOfficer)).await;
        let admin = authed(&db, email_of(Role::NationalAdmin)).await;
        let manager = authed(&db, email_of(Role::AssociationManager)).await;

        // Bad offers are refused with their key, nothing written.
        let before = offers(&db).await;
        let mut past = form("category", "food", "1", 500_000);
        past.ends_on = (matching::today() - Duration::days(1)).to_string();
        let mut nameless = form("category", "food", "1", 500_000);
        nameless.sponsor_name = "ش".into();
        for (f, key) in [
            (form("category", "food", "3", 500_000), "match.bad_ratio"),
            (
                form("category", "jewels", "1", 500_000),
                "match.bad_scope_value",
            ),
            (
                form("campaign", "C-NOTHERE", "1", 500_000),
                "match.bad_scope_value",
            ),
            (form("galaxy", "food", "1", 500_000), "match.bad_scope"),
            (form("category", "food", "1", 99_999), "match.bad_cap"),
            (past, "match.bad_ends_on"),
            (nameless, "match.bad_sponsor_name"),
        ] {
            let e: AppError = matching::propose(&state, &finance, &f).await.unwrap_err();
            assert_eq!(e.message_key(), key, "{l}");
        }
        // A provincial manager may not record a national offer, nor one of another province.
        let e = matching::propose(&state, &manager, &form("occasion", "yalda", "1", 500_000))
            .await
            .unwrap_err();
        assert_eq!(e.message_key(), "match.scope_national", "{l}");
        let e = matching::propose(&state, &manager, &form("province", "ISF", "1", 500_000))
            .await
            .unwrap_err();
        assert_eq!(e, AppError::NotFound, "{l}");
        assert_eq!(offers(&db).await, before, "{l}: a refusal wrote something");

        // Tehran's offer, 2:1, approved by the manager (a second person, in scope).
        let code = matching::propose(&state, &finance, &form("province", "THR", "2", 10_000_000))
            .await
            .unwrap();
        matching::decide(&state, &manager, &code, true)
            .await
            .unwrap();

        // A Tehran need 150,000 tomans short: a gift of 100,000 is matched with the 50,000 left,
        // not 200,000, and the need is funded by the two together.
        let id = scalar(
            &db,
            "SELECT n.id FROM needs n JOIN provinces p ON p.id = n.province_id \
             WHERE n.status = 'published' AND p.code = 'THR' AND n.hide_province = FALSE ORDER BY n.id LIMIT 1",
        )
        .await;
        let held = fund(&db, Account::Need(id)).await;
        exec(
            &db,
            &format!(
                "UPDATE needs SET goal_rials = {} WHERE id = {id}",
                held + 1_500_000
            ),
        )
        .await;
        let need = strings(
            &db,
            &format!("SELECT public_code FROM needs WHERE id = {id}"),
        )
        .await
        .remove(0);
        let t = pay(
            &state,
            &start_gift(&state, "need", Some(&need), 100_000, 1).await,
        )
        .await;
        assert_eq!(fund(&db, Account::Need(id)).await, held + 1_500_000, "{l}");
        assert_eq!(
            strings(&db, &format!("SELECT status FROM needs WHERE id = {id}")).await,
            vec!["funded".to_string()],
            "{l}"
        );
        let token = settlement::receipt_token(&state, &t);
        let r = settlement::receipt(&state, &t, &token).await.unwrap();
        assert_eq!(r.matched.map(|m| m.1), Some(500_000), "{l}");

        // A Tehran card that hides its province is not matched (the match would reveal it).
        let hidden = scalar(
            &db,
            "SELECT n.id FROM needs n JOIN provinces p ON p.id = n.province_id \
             WHERE n.status = 'published' AND p.code = 'THR' ORDER BY n.id DESC LIMIT 1",
        )
        .await;
        exec(&db, &format!("UPDATE needs SET hide_province = TRUE, goal_rials = goal_rials + 100000000 WHERE id = {hidden}")).await;
        let hidden_code = strings(
            &db,
            &format!("SELECT public_code FROM needs WHERE id = {hidden}"),
        )
        .await
        .remove(0);
        let t = pay(
            &state,
            &start_gift(&state, "need", Some(&hidden_code), 10_000, 2).await,
        )
        .await;
        let token = settlement::receipt_token(&state, &t);
        assert_eq!(
            settlement::receipt(&state, &t, &token)
                .await
                .unwrap()
                .matched,
            None,
            "{l}"
        );
        let listed = app::giving::service::list_needs(&db, &Default::default())
            .await
            .unwrap();
        assert!(
            listed.items.iter().all(
                |c| c.matched.is_none() || c.province.as_ref().is_some_and(|p| p.code == "THR")
            ),
            "{l}: only Tehran's visible cards show Tehran's sponsor"
        );

        // Closed early by staff: nothing more is matched; ended offers close by themselves.
        matching::close(&state, &admin, &code).await.unwrap();
        let e = matching::close(&state, &admin, &code).await.unwrap_err();
        assert_eq!(e.message_key(), "match.not_active", "{l}");
        let other = matching::propose(&state, &finance, &form("category", "rent", "1", 500_000))
            .await
            .unwrap();
        matching::decide(&state, &admin, &other, true)
            .await
            .unwrap();
        assert_eq!(
            matching::close_ended(&db, matching::today()).await.unwrap(),
            0,
            "{l}"
        );
        assert_eq!(
            matching::close_ended(&db, matching::today() + Duration::days(31))
                .await
                .unwrap(),
            1,
            "{l}"
        );
        // Never a promise as money: only what gifts drew is in the ledger.
        let unused = scalar(
            &db,
            "SELECT CAST(SUM(cap_rials - matched_rials) AS BIGINT) FROM match_offers",
        )
        .await;
        assert!(unused > 0, "{l}");
        let health = ledger::health(&db).await.unwrap();
        assert!(
            health.unbalanced_transactions.is_empty() && health.total == 0,
            "{l}"
        );

        // The staff page lists them for staff with the permission.
        let app = server::http::router(state.clone());
        let res = send(
            &app,
            get(
                "/staff/matches",
                Some(&cookie_of(&state, email_of(Role::FinanceOfficer)).await),
            ),
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK, "{l}");
        let html = body_text(res).await;
        assert!(
            html.contains("id=\"match-offers\"") && html.contains(&code),
            "{l}"
        );
        tdb.drop_db().await;
    }
}

/// Every sealed column of the schema is re-sealed by `karamat rotate-keys` (a column left out
/// would be lost with the old key): the sponsor's contact and a nazr's purpose included, which
/// open with the new key alone afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_sealed_column_rotates_with_the_rest() {
    for tdb in databases().await {
        let l = tdb.label;
        let state = app_state(&tdb.url).await;
        let db = state.db.clone();
        seed::run(&db, Scale::Demo, 33).await.unwrap();
        let sql = if l == "sqlite" {
            "SELECT m.name || '.' || p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND p.name LIKE '%_enc' ORDER BY 1"
        } else {
            "SELECT table_name || '.' || column_name FROM information_schema.columns \
             WHERE table_schema = current_schema() AND column_name LIKE '%_enc' ORDER BY 1"
        };
        let mut in_schema = strings(&db, sql).await;
        in_schema.sort();
        let mut rotated: Vec<String> = app::privacy::rotation::SEALED
            .iter()
            .flat_map(|(t, cols)| cols.iter().map(move |c| format!("{t}.{c}")))
            .chain([format!(
                "{}_enc",
                app::privacy::rotation::TOTP_SECRET_COLUMN
            )])
            .collect();
        rotated.sort();
        assert_eq!(in_schema, rotated, "{l}: a sealed column is not rotated");

        // A sponsor's contact and a nazr's purpose, sealed under the development key.
        let finance = authed(&db, email_of(Role::FinanceOfficer)).await;
        let code = matching::propose(&state, &finance, &form("category", "food", "1", 500_000))
            .await
            .unwrap();
        let campaign = strings(
            &db,
            "SELECT public_code FROM release_campaigns WHERE status = 'published' ORDER BY id LIMIT 1",
        )
        .await
        .remove(0);
        let gift = app::giving::GiftForm {
            target_kind: "campaign".into(),
            target_code: Some(campaign.clone()),
            attempt: "rotationnazr000000000001".into(),
            amount: Some("100000".into()),
            intention: Some("nazr".into()),
            nazr_purpose: Some("نذر شفای مادرم".into()),
            ..Default::default()
        };
        let gift = app::giving::validate_gift(&gift).unwrap();
        let url = settlement::start(&state, &gift, None, "http://127.0.0.1:3000")
            .await
            .unwrap();
        pay(&state, url.trim_start_matches(sandbox::PAGE_PREFIX)).await;

        let new_key = [7u8; 32];
        let rotating =
            app::privacy::Sealer::new("k2027", new_key, *b"karamat-dev-blind-key-not-secret")
                .with_old_key("dev", *b"karamat-dev-field-key-not-secret");
        app::privacy::rotation::rotate(&db, &rotating)
            .await
            .unwrap();
        let mut fresh = state.clone();
        fresh.sealer = std::sync::Arc::new(app::privacy::Sealer::new(
            "k2027",
            new_key,
            *b"karamat-dev-blind-key-not-secret",
        ));
        let rows = matching::listed(&fresh, &finance).await.unwrap();
        let row = rows.iter().find(|r| r.code == code).unwrap();
        assert_eq!(row.sponsor_contact.as_deref(), Some("09121110000"), "{l}");
        let admin = authed(&db, email_of(Role::NationalAdmin)).await;
        let gifts = app::casework::campaigns::case(&fresh, &admin, &campaign)
            .await
            .unwrap()
            .intention_gifts;
        assert_eq!(
            gifts[0].nazr_purpose.as_deref(),
            Some("نذر شفای مادرم"),
            "{l}"
        );
        tdb.drop_db().await;
    }
}
