//! Giving by intention (issue 17, part 2), on both databases: each intention reaches only what
//! its rule allows, before anything is written; a restricted intention given "where most urgent"
//! goes to its kind's fund; an expired need's money keeps its intention; receipts and
//! transparency state it; a nazr's purpose is sealed and reaches staff only; national admins set
//! rules from a date on, and nobody else can.

use crate::common::*;
use app::error::AppError;
use app::giving::intention::rules;
use app::giving::{settlement, validate_gift, GiftForm, Intention};
use app::ledger::{self, Account};
use app::payments::sandbox;
use app::state::AppState;
use axum::http::{header, StatusCode};
use chrono::Duration;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use server::seed::{self, Scale};

struct Gift<'a> {
    kind: &'a str,
    code: Option<&'a str>,
    toman: i64,
    intention: Option<&'a str>,
    purpose: Option<&'a str>,
}

impl<'a> Gift<'a> {
    fn to(kind: &'a str, code: Option<&'a str>, intention: &'a str) -> Self {
        Gift {
            kind,
            code,
            toman: 10_000,
            intention: Some(intention),
            purpose: None,
        }
    }
}

/// Starts the gift through the service (as the form would); the sandbox authority, or the refusal.
async fn start(state: &AppState, g: &Gift<'_>, n: usize) -> Result<String, AppError> {
    let form = GiftForm {
        target_kind: g.kind.into(),
        target_code: g.code.map(str::to_string),
        attempt: format!("intention{n:016}"),
        amount: Some("other".into()),
        custom: Some(g.toman.to_string()),
        intention: g.intention.map(str::to_string),
        nazr_purpose: g.purpose.map(str::to_string),
        ..Default::default()
    };
    let gift = validate_gift(&form).map_err(|(f, k)| AppError::invalid(f, k))?;
    let url = settlement::start(state, &gift, None, "http://127.0.0.1:3000").await?;
    Ok(url.trim_start_matches(sandbox::PAGE_PREFIX).to_string())
}

/// Starts, pays at the sandbox bank and settles; returns the tracking code.
async fn give(state: &AppState, g: &Gift<'_>, n: usize) -> String {
    pay(state, &start(state, g, n).await.unwrap()).await
}

async fn counts(db: &DatabaseConnection) -> (i64, i64) {
    (
        scalar(db, "SELECT CAST(COUNT(*) AS BIGINT) FROM donations").await,
        scalar(db, "SELECT CAST(COUNT(*) AS BIGINT) FROM pledges").await,
    )
}

/// Three published needs of one province, made two food needs and a rent need for the test:
/// (id, code) each, the rent need's deadline the soonest (the most urgent of the three).
async fn three_needs(db: &DatabaseConnection) -> [(i64, String); 3] {
    let province = scalar(
        db,
        "SELECT province_id FROM needs WHERE status = 'published' GROUP BY province_id \
         HAVING COUNT(*) >= 3 ORDER BY COUNT(*) DESC, province_id LIMIT 1",
    )
    .await;
    let ids: Vec<i64> = strings(
        db,
        &format!(
            "SELECT CAST(id AS TEXT) FROM needs WHERE status = 'published' AND province_id = {province} \
             ORDER BY id LIMIT 3"
        ),
    )
    .await
    .into_iter()
    .map(|s| s.parse().unwrap())
    .collect();
    let today = rules::today();
    let plan = [
        ("food", today + Duration::days(20)),
        ("food", today + Duration::days(30)),
        ("rent", today + Duration::days(2)),
    ];
    let mut out = Vec::new();
    for (id, (category, deadline)) in ids.iter().zip(plan) {
        exec(
            db,
            &format!(
                "UPDATE needs SET category = '{category}', deadline = '{deadline}', \
                 goal_rials = goal_rials + 1000000000 WHERE id = {id}"
            ),
        )
        .await;
        let code = strings(
            db,
            &format!("SELECT public_code FROM needs WHERE id = {id}"),
        )
        .await
        .remove(0);
        out.push((*id, code));
    }
    out.try_into().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_intention_reaches_only_what_its_rule_allows() {
    for tdb in databases().await {
        let l = tdb.label;
        let state = app_state(&tdb.url).await;
        let db = state.db.clone();
        seed::run(&db, Scale::Demo, 17).await.unwrap();
        let [(food_id, food), _, (rent_id, rent)] = three_needs(&db).await;
        let campaign = strings(
            &db,
            "SELECT public_code FROM release_campaigns WHERE status = 'published' ORDER BY id LIMIT 1",
        )
        .await
        .remove(0);

        // Refused before anything is written: kaffareh on rent or a campaign, an unknown word,
        // a nazr without its purpose, a monthly kaffareh to the general fund without a contact.
        let before = counts(&db).await;
        for (g, key) in [
            (
                Gift::to("need", Some(&rent), "kaffareh"),
                "give.intention_not_here",
            ),
            (
                Gift::to("campaign", Some(&campaign), "kaffareh"),
                "give.intention_not_here",
            ),
            (
                Gift::to("campaign", Some(&campaign), "fitriyeh"),
                "give.intention_not_here",
            ),
            (Gift::to("need", Some(&food), "tithe"), "give.bad_intention"),
            (
                Gift::to("need", Some(&food), "nazr"),
                "give.nazr_purpose_invalid",
            ),
        ] {
            let e = start(&state, &g, 900).await.unwrap_err();
            assert_eq!(e.message_key(), key, "{l}: {:?}", g.intention);
        }
        assert_eq!(counts(&db).await, before, "{l}: a refusal wrote something");

        // Allowed: kaffareh on food, zakat on a campaign, sadaqah on rent.
        let rent_before = fund(&db, Account::Need(rent_id)).await;
        let food_before = fund(&db, Account::Need(food_id)).await;
        let food_fund_before = fund(&db, Account::Category("food".into())).await;
        let general_before = fund(&db, Account::General).await;
        let k1 = give(&state, &Gift::to("need", Some(&food), "kaffareh"), 1).await;
        give(
            &state,
            &Gift {
                purpose: Some("نذر آزادی یک پدر"),
                ..Gift::to("campaign", Some(&campaign), "zakat")
            },
            2,
        )
        .await;
        give(&state, &Gift::to("need", Some(&rent), "sadaqah"), 3).await;
        assert_eq!(
            fund(&db, Account::Need(food_id)).await,
            food_before + 100_000,
            "{l}"
        );
        assert_eq!(
            fund(&db, Account::Need(rent_id)).await,
            rent_before + 100_000,
            "{l}"
        );

        // Staff see the campaign's gifts by intention; a purpose belongs to a nazr only.
        let admin = authed(&db, email_of(app::auth::Role::NationalAdmin)).await;
        let case = app::casework::campaigns::case(&state, &admin, &campaign)
            .await
            .unwrap();
        assert_eq!(case.intention_gifts.len(), 1, "{l}");
        assert_eq!(case.intention_gifts[0].intention, Intention::Zakat, "{l}");
        assert_eq!(case.intention_gifts[0].nazr_purpose, None, "{l}");

        // Kaffareh "where most urgent" goes to the food fund, not the general fund (whose money
        // may reach any need); zakat there stays in the general fund.
        let k2 = give(&state, &Gift::to("urgent", None, "kaffareh"), 4).await;
        give(&state, &Gift::to("urgent", None, "zakat"), 5).await;
        assert_eq!(
            fund(&db, Account::Category("food".into())).await,
            food_fund_before + 100_000,
            "{l}: kaffareh to the food fund"
        );
        assert_eq!(
            fund(&db, Account::General).await,
            general_before + 100_000,
            "{l}: only zakat to the general fund"
        );
        assert_eq!(
            strings(
                &db,
                &format!("SELECT target_kind || ':' || category || ':' || intention FROM donations WHERE tracking_code = '{k2}'")
            )
            .await,
            vec!["category_fund:food:kaffareh".to_string()],
            "{l}"
        );

        // The receipt states the intention, on the page too.
        let token = settlement::receipt_token(&state, &k1);
        let r = settlement::receipt(&state, &k1, &token).await.unwrap();
        assert_eq!(r.intention, Some(Intention::Kaffareh), "{l}");
        let app = server::http::router(state.clone());
        let res = send(&app, get(&app::giving::receipt_url(&k1, &token), None)).await;
        assert_eq!(res.status(), StatusCode::OK, "{l}");
        let html = body_text(res).await;
        assert!(
            html.contains("id=\"receipt-intention\" data-intention=\"kaffareh\""),
            "{l}: the receipt page names the intention"
        );
        assert!(html.contains("کفاره"), "{l}: in Persian");

        // The form offers only what the target can take: kaffareh on a food need, not on rent.
        let form_for = |code: String| {
            let app = app.clone();
            async move { body_text(send(&app, get(&format!("/give?need={code}"), None)).await).await }
        };
        let food_form = form_for(food.clone()).await;
        let rent_form = form_for(rent.clone()).await;
        assert!(food_form.contains("<option value=\"kaffareh\""), "{l}");
        assert!(!rent_form.contains("<option value=\"kaffareh\""), "{l}");
        assert!(rent_form.contains("<option value=\"sadaqah\""), "{l}");

        // Transparency by intention, from the running totals, equal to a count from scratch.
        let now = chrono::Utc::now();
        let current = app::giving::totals::current(&db, now).await.unwrap();
        let rows = app::transparency::service::intentions(&current);
        assert_eq!(
            rows,
            app::transparency::service::intentions(
                &app::giving::totals::recount(&db).await.unwrap()
            ),
            "{l}"
        );
        let by = |i: Intention| rows.iter().find(|r| r.intention == i).unwrap().clone();
        assert_eq!(
            (
                by(Intention::Kaffareh).gifts,
                by(Intention::Kaffareh).raised_rials
            ),
            (2, 200_000),
            "{l}"
        );
        assert_eq!(by(Intention::Zakat).gifts, 2, "{l}");
        assert_eq!(by(Intention::Nazr).gifts, 0, "{l}");
        // The API reads the public figures' snapshot (at most a minute old): take it now.
        app::transparency::snapshot::refresh(&db).await.unwrap();
        let res = send(&app, get("/api/v1/intentions", None)).await;
        assert_eq!(res.status(), StatusCode::OK, "{l}");
        let json: serde_json::Value = serde_json::from_str(&body_text(res).await).unwrap();
        assert_eq!(json.as_array().map(Vec::len), Some(5), "{l}: {json}");
        assert_eq!(json[1]["intention"], "kaffareh", "{l}");
        assert_eq!(json[1]["gifts"], 2, "{l}");
        let csv = body_text(send(&app, get("/api/v1/intentions.csv", None)).await).await;
        assert!(
            csv.starts_with(
                "\u{feff}intention,gifts,raised_rials\r\nsadaqah,1,100000\r\nkaffareh,2,200000\r\n"
            ),
            "{l}: {csv}"
        );
        let page = body_text(send(&app, get("/transparency", None)).await).await;
        assert!(
            page.contains("id=\"intentions-table\""),
            "{l}: {}",
            &page[page.len().saturating_sub(3000)..]
        );
        let rules_page = body_text(send(&app, get("/give/intentions", None)).await).await;
        assert!(rules_page.contains("data-intention=\"fitriyeh\""), "{l}");

        assert!(ledger::health(&db).await.unwrap().is_sound(), "{l}: ledger");
        tdb.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_need_passes_its_kaffareh_to_a_food_need_and_a_nazr_purpose_reaches_staff_only()
{
    for tdb in databases().await {
        let l = tdb.label;
        let state = app_state(&tdb.url).await;
        let db = state.db.clone();
        seed::run(&db, Scale::Demo, 19).await.unwrap();
        let [(n1, food1), (n2, _food2), (n3, _rent)] = three_needs(&db).await;
        give(&state, &Gift::to("need", Some(&food1), "kaffareh"), 1).await;
        let purpose = "نذر شفای مادرم ۱۴۰۵";
        let nazr = give(
            &state,
            &Gift {
                purpose: Some(purpose),
                ..Gift::to("need", Some(&food1), "nazr")
            },
            2,
        )
        .await;

        // Sealed at rest; not on the receipt; read by staff on the need's case page.
        let sealed = scalar(
            &db,
            &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM donations WHERE tracking_code = '{nazr}' AND nazr_purpose_enc IS NOT NULL"),
        )
        .await;
        assert_eq!(sealed, 1, "{l}");
        let raw = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                format!("SELECT nazr_purpose_enc FROM donations WHERE tracking_code = '{nazr}'"),
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index::<Vec<u8>>(0)
            .unwrap();
        assert!(
            !raw.windows(purpose.len()).any(|w| w == purpose.as_bytes()),
            "{l}: the purpose is stored in clear"
        );
        let app = server::http::router(state.clone());
        let token = settlement::receipt_token(&state, &nazr);
        let receipt =
            body_text(send(&app, get(&app::giving::receipt_url(&nazr, &token), None)).await).await;
        assert!(
            !receipt.contains(purpose),
            "{l}: the receipt shows the purpose"
        );
        let public = body_text(send(&app, get(&format!("/needs/{food1}"), None)).await).await;
        assert!(!public.contains(purpose), "{l}");
        let admin = authed(&db, email_of(app::auth::Role::NationalAdmin)).await;
        let case = app::casework::service::need_case(&state, &admin, &food1)
            .await
            .unwrap();
        assert_eq!(case.intention_gifts.len(), 2, "{l}");
        assert_eq!(
            case.intention_gifts[0].nazr_purpose,
            Some(app::validation::normalize_persian(purpose)),
            "{l}: newest first, the purpose opened for staff"
        );
        assert_eq!(
            case.intention_gifts[1].intention,
            Intention::Kaffareh,
            "{l}"
        );

        // The need expires: its money goes to the other food need, not to the more urgent rent
        // need of the same province.
        let held = fund(&db, Account::Need(n1)).await;
        let n2_before = fund(&db, Account::Need(n2)).await;
        let n3_before = fund(&db, Account::Need(n3)).await;
        let today = rules::today();
        exec(
            &db,
            &format!(
                "UPDATE needs SET deadline = '{}' WHERE id = {n1}",
                today - Duration::days(1)
            ),
        )
        .await;
        let moved = settlement::reallocate_expired(&state, today).await.unwrap();
        let mine = moved.iter().find(|r| r.from_need == food1).unwrap();
        let to = mine.to_need.clone().expect("a food need received it");
        assert_eq!(
            strings(
                &db,
                &format!("SELECT category FROM needs WHERE public_code = '{to}'")
            )
            .await,
            vec!["food".to_string()],
            "{l}: the receiving need is a food need"
        );
        assert_eq!(mine.to_need_rials + mine.to_fund_rials, held, "{l}");
        assert_eq!(
            fund(&db, Account::Need(n3)).await,
            n3_before,
            "{l}: the rent need got none of it"
        );
        if mine.to_need_rials > 0 && to == _food2 {
            assert_eq!(
                fund(&db, Account::Need(n2)).await,
                n2_before + mine.to_need_rials,
                "{l}"
            );
        }
        assert!(ledger::health(&db).await.unwrap().is_sound(), "{l}: ledger");
        tdb.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn national_admins_set_intention_rules_from_a_date_on() {
    use app::giving::intention::IntentionRuleForm;
    for tdb in databases().await {
        let l = tdb.label;
        let state = app_state(&tdb.url).await;
        let db = state.db.clone();
        seed::run(&db, Scale::Demo, 23).await.unwrap();
        let [(_, food), (school_id, school), _] = three_needs(&db).await;
        exec(
            &db,
            &format!("UPDATE needs SET category = 'school' WHERE id = {school_id}"),
        )
        .await;
        let today = rules::today();
        let admin = authed(&db, email_of(app::auth::Role::NationalAdmin)).await;
        let rows =
            || async { scalar(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM intention_rules").await };
        let form = |intention: &str, kinds: &str, from: String| IntentionRuleForm {
            intention: intention.into(),
            categories: Some(kinds.into()),
            campaigns: None,
            window_from: None,
            window_to: None,
            effective_from: from,
        };

        // Nobody but a national admin; bad rules refused; nothing written.
        for role in [
            app::auth::Role::SocialWorker,
            app::auth::Role::FinanceOfficer,
            app::auth::Role::Auditor,
        ] {
            let who = authed(&db, email_of(role)).await;
            let e = rules::set(
                &state,
                &who,
                &form("kaffareh", "food,school", today.to_string()),
            )
            .await
            .unwrap_err();
            assert!(matches!(e, AppError::Forbidden), "{l}: {role:?}");
        }
        for (f, key) in [
            (
                form("kaffareh", "food", (today - Duration::days(1)).to_string()),
                "employment.rule_date_invalid",
            ),
            (
                form("kaffareh", "caviar", today.to_string()),
                "intention.bad_category",
            ),
            (
                form("tithe", "food", today.to_string()),
                "give.bad_intention",
            ),
            (
                IntentionRuleForm {
                    window_from: Some((today + Duration::days(5)).to_string()),
                    window_to: Some(today.to_string()),
                    ..form("fitriyeh", "food", today.to_string())
                },
                "intention.bad_window",
            ),
            (
                IntentionRuleForm {
                    window_from: Some(today.to_string()),
                    ..form("fitriyeh", "food", today.to_string())
                },
                "intention.bad_window",
            ),
        ] {
            let e = rules::set(&state, &admin, &f).await.unwrap_err();
            assert_eq!(e.message_key(), key, "{l}: {f:?}");
        }
        assert_eq!(rows().await, 0, "{l}");

        // Before: kaffareh cannot reach a school need.
        assert_eq!(
            start(&state, &Gift::to("need", Some(&school), "kaffareh"), 1)
                .await
                .unwrap_err()
                .message_key(),
            "give.intention_not_here",
            "{l}"
        );
        // A rule from today (in Persian digits and the Solar Hijri calendar, as the form sends
        // it) lets kaffareh reach school needs too; a rule from next month changes nothing yet.
        let j = app::i18n::JalaliDate::from_gregorian(today).unwrap();
        let persian = app::i18n::localize_digits(
            &format!("{}/{}/{}", j.year, j.month, j.day),
            app::i18n::Locale::Fa,
        );
        rules::set(&state, &admin, &form("kaffareh", "school food", persian))
            .await
            .unwrap();
        rules::set(
            &state,
            &admin,
            &form("zakat", "food", (today + Duration::days(30)).to_string()),
        )
        .await
        .unwrap();
        start(&state, &Gift::to("need", Some(&school), "kaffareh"), 2)
            .await
            .unwrap();
        let k = rules::rule_in_force(&db, Intention::Kaffareh, today)
            .await
            .unwrap();
        assert_eq!(k.categories, vec!["food", "school"], "{l}: catalogue order");
        let z = rules::rule_in_force(&db, Intention::Zakat, today)
            .await
            .unwrap();
        assert!(
            z.every_kind() && z.campaigns,
            "{l}: next month's rule waits"
        );
        let listed = rules::listed(&db).await.unwrap();
        assert_eq!(listed.len(), 6, "{l}: five in force and one to come");
        assert!(listed
            .iter()
            .any(|r| !r.in_force && r.rule.intention == Intention::Zakat));

        // Fitriyeh only within its window: a window that ended yesterday refuses it today.
        rules::set(
            &state,
            &admin,
            &IntentionRuleForm {
                window_from: Some((today - Duration::days(10)).to_string()),
                window_to: Some((today - Duration::days(1)).to_string()),
                ..form("fitriyeh", "food", today.to_string())
            },
        )
        .await
        .unwrap();
        let before = counts(&db).await;
        assert_eq!(
            start(&state, &Gift::to("need", Some(&food), "fitriyeh"), 3)
                .await
                .unwrap_err()
                .message_key(),
            "give.intention_out_of_season",
            "{l}"
        );
        assert_eq!(counts(&db).await, before, "{l}");
        // The form no longer offers it.
        let app = server::http::router(state.clone());
        let html = body_text(send(&app, get(&format!("/give?need={food}"), None)).await).await;
        assert!(!html.contains("<option value=\"fitriyeh\""), "{l}");
        assert!(html.contains("<option value=\"kaffareh\""), "{l}");

        // Through the router: the admin's form post works, anyone else's is refused.
        let body = format!(
            "form[intention]=sadaqah&form[categories][]=food&form[categories][]=rent&form[campaigns]=on&form[effective_from]={today}"
        );
        for (email, want) in [
            (None, StatusCode::UNAUTHORIZED),
            (
                Some(email_of(app::auth::Role::SocialWorker)),
                StatusCode::FORBIDDEN,
            ),
            (
                Some(email_of(app::auth::Role::NationalAdmin)),
                StatusCode::OK,
            ),
        ] {
            let cookie = match email {
                Some(e) => Some(cookie_of(&state, e).await),
                None => None,
            };
            let mut req = post_form("/api/admin/set-intention-rule", &body, cookie.as_deref());
            req.headers_mut()
                .insert(header::ACCEPT, "application/json".parse().unwrap());
            assert_eq!(send(&app, req).await.status(), want, "{l}: {email:?}");
        }
        let s = rules::rule_in_force(&db, Intention::Sadaqah, today)
            .await
            .unwrap();
        assert_eq!((s.categories.len(), s.campaigns), (2, true), "{l}");
        assert_eq!(
            scalar(
                &db,
                "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE action = 'intention_rule.set'"
            )
            .await,
            4,
            "{l}: each rule audited"
        );
        assert!(app::audit::verify(&db).await.unwrap().ok(), "{l}");
        tdb.drop_db().await;
    }
}
