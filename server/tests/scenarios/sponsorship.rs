//! Sponsoring a family (issue 17, part 1), on both databases: staff offer a consenting family
//! past the privacy guard; a donor chooses it by province and kind without learning who it is;
//! a year of months goes through the sandbox gateway into the family's support fund; four
//! quarterly reports pass the guard and reach the sponsor; the release ends it with a closing
//! report. Also: one click stops it, consent withdrawal ends it, a fixed term completes, and the
//! sponsor form works without JavaScript.

use crate::common::*;
use app::auth::Role;
use app::casework::service::sponsorship as staff;
use app::casework::DraftOutcome;
use app::giving::sponsorship_service as sponsor;
use app::giving::{pledges, settlement, validate_sponsor, SponsorForm};
use app::ledger::Account;
use app::platform::entity::{donation, family, pledge};
use app::platform::status::{PledgeStatus, SponsorshipEnd};
use app::state::AppState;
use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use server::seed::{self, Scale};

const STORY: &str = "پدربزرگ و مادربزرگ سرپرستی سه نوهٔ خردسال را پذیرفته‌اند و با حقوق بازنشستگی اندک، اجارهٔ خانه را به سختی می‌پردازند.";
const ORIGIN: &str = "http://127.0.0.1:3000";

/// A consenting family whose prisoner has a release campaign: (family id, family code,
/// campaign code, the family head's name).
async fn family_with_campaign(state: &AppState) -> (i64, String, String, String) {
    let db = &state.db;
    let row = strings(
        db,
        "SELECT f.public_code || ' ' || c.public_code FROM families f \
         JOIN prisoners p ON p.family_id = f.id JOIN release_campaigns c ON c.prisoner_id = p.id \
         WHERE f.consent_publish = TRUE AND f.status = 'active' AND p.released_on IS NULL \
         ORDER BY f.id LIMIT 1",
    )
    .await
    .remove(0);
    let (fcode, ccode) = row.split_once(' ').unwrap();
    let f = family::Entity::find()
        .filter(family::Column::PublicCode.eq(fcode))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let head = state
        .sealer
        .open("families.head_name", &f.head_name_enc)
        .unwrap();
    // Whatever the seed offered, this family starts unoffered.
    exec(
        db,
        &format!("UPDATE families SET sponsor_story = NULL, sponsor_kind = NULL, sponsor_opened_at = NULL WHERE id = {}", f.id),
    )
    .await;
    (f.id, fcode.to_string(), ccode.to_string(), head)
}

fn form(family: &str, months: &str, n: usize) -> SponsorForm {
    SponsorForm {
        family: family.into(),
        attempt: format!("sponsor{n:020}"),
        amount: Some("1000000".into()),
        custom: None,
        months: months.into(),
        contact: "09125550000".into(),
    }
}

/// Starts a sponsorship and pays its first month; the pledge.
async fn sponsor_family(state: &AppState, family: &str, months: &str, n: usize) -> pledge::Model {
    let gift = validate_sponsor(&form(family, months, n)).unwrap();
    let url = settlement::start(state, &gift, None, ORIGIN).await.unwrap();
    pay(
        state,
        url.trim_start_matches(app::payments::sandbox::PAGE_PREFIX),
    )
    .await;
    newest_pledge(&state.db).await
}

async fn newest_pledge(db: &DatabaseConnection) -> pledge::Model {
    pledge::Entity::find()
        .filter(pledge::Column::FamilyId.is_not_null())
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .max_by_key(|p| p.id)
        .unwrap()
}

async fn pledge_by_id(db: &DatabaseConnection, id: i64) -> pledge::Model {
    pledge::Entity::find_by_id(id)
        .one(db)
        .await
        .unwrap()
        .unwrap()
}

async fn sponsors_of(db: &DatabaseConnection, family_id: i64) -> i32 {
    family::Entity::find_by_id(family_id)
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .sponsors
}

/// Moves a sponsorship's settled months a month into the past, as if time had passed.
async fn a_month_passes(db: &DatabaseConnection, pledge_id: i64) {
    donation::Entity::update_many()
        .col_expr(
            donation::Column::SettledAt,
            Expr::value(Utc::now() - Duration::days(31)),
        )
        .filter(donation::Column::PledgeId.eq(pledge_id))
        .exec(db)
        .await
        .unwrap();
}

/// Pays this month from the sponsorship's page, as the reminder's link leads to it.
async fn pay_month(
    state: &AppState,
    p: &pledge::Model,
    n: usize,
) -> Result<String, app::error::AppError> {
    let token = pledges::cancel_token(state, &p.public_code);
    let url = sponsor::pay(
        state,
        &p.public_code,
        &token,
        &format!("month{n:020}"),
        ORIGIN,
    )
    .await?;
    Ok(pay(
        state,
        url.trim_start_matches(app::payments::sandbox::PAGE_PREFIX),
    )
    .await)
}

async fn outbox(db: &DatabaseConnection, template: &str) -> i64 {
    scalar(
        db,
        &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM notification_outbox WHERE template = '{template}'"),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_year_of_sponsorship_with_four_reports_ends_on_release() {
    for tdb in databases().await {
        let l = tdb.label;
        let state = app_state(&tdb.url).await;
        let db = &state.db.clone();
        seed::run(db, Scale::Demo, 17).await.unwrap();
        let admin = authed(db, email_of(Role::NationalAdmin)).await;
        let auditor = authed(db, email_of(Role::Auditor)).await;
        let (fid, fcode, campaign, head) = family_with_campaign(&state).await;
        let province = strings(
            db,
            &format!("SELECT p.code FROM provinces p JOIN families f ON f.province_id = p.id WHERE f.id = {fid}"),
        )
        .await
        .remove(0);

        // Staff offer the family: bad input is refused with nothing written, a story naming the
        // family head is blocked by the guard, a redacted one is stored.
        for (kind, story, key) in [
            ("rent", "کوتاه", "sponsor.story_length"),
            ("yachts", STORY, "sponsor.bad_filter"),
        ] {
            let e = staff::open(&state, &admin, &fcode, kind, story)
                .await
                .unwrap_err();
            assert_eq!(e.message_key(), key, "{l}");
        }
        let named = format!("{STORY} {head} سپاسگزار است.");
        match staff::open(&state, &admin, &fcode, "rent", &named)
            .await
            .unwrap()
        {
            DraftOutcome::Blocked { findings } => assert!(!findings.is_empty(), "{l}"),
            other => panic!("{l}: the guard let a name through: {other:?}"),
        }
        assert!(
            sponsor::choices(&state, Some(&province), Some("rent"))
                .await
                .unwrap()
                .families
                .iter()
                .all(|c| c.code != fcode),
            "{l}: not offered yet"
        );
        let waiting = |c: app::casework::Coverage| {
            c.provinces
                .iter()
                .find(|r| r.province.code == province)
                .map_or(0, |r| r.waiting)
        };
        let was = waiting(staff::coverage(&state, &auditor).await.unwrap());
        assert!(
            matches!(
                staff::open(&state, &admin, &fcode, "rent", STORY)
                    .await
                    .unwrap(),
                DraftOutcome::Saved { .. }
            ),
            "{l}"
        );
        // Coverage counts it as waiting for a first sponsor (the auditor reads it too).
        assert_eq!(
            waiting(staff::coverage(&state, &auditor).await.unwrap()),
            was + 1,
            "{l}"
        );

        // The donor chooses by province and kind and sees the code and the story, nothing else.
        let choice = sponsor::choices(&state, Some(&province), Some("rent"))
            .await
            .unwrap();
        let card = choice
            .families
            .iter()
            .find(|c| c.code == fcode)
            .expect("offered")
            .clone();
        assert_eq!((card.story.as_str(), card.sponsors), (STORY, 0), "{l}");
        assert!(
            !serde_json::to_string(&choice).unwrap().contains(&head),
            "{l}"
        );
        let e = sponsor::choices(&state, Some("XXX"), None)
            .await
            .unwrap_err();
        assert_eq!(e.message_key(), "sponsor.bad_filter", "{l}");

        // Month 1: signing up pays it. The family's fund holds it; the family counts a sponsor.
        let before = fund(db, Account::Family(fid)).await;
        let p = sponsor_family(&state, &fcode, "12", 1).await;
        assert_eq!(
            (p.status, p.family_id),
            (PledgeStatus::Active, Some(fid)),
            "{l}"
        );
        assert_eq!(
            p.ends_on,
            p.created_at
                .date_naive()
                .checked_add_months(chrono::Months::new(11)),
            "{l}"
        );
        assert_eq!(
            fund(db, Account::Family(fid)).await,
            before + 10_000_000,
            "{l}"
        );
        assert_eq!(sponsors_of(db, fid).await, 1, "{l}");
        // A second tap the same month is not a second month.
        let e = pay_month(&state, &p, 99).await.unwrap_err();
        assert_eq!(e.message_key(), "sponsor.paid_this_month", "{l}");

        // Months 2–12: each reminder leads to the page, each month is a gateway payment; a
        // report every three months, one blocked by the guard first.
        let reminders = outbox(db, "sponsor_reminder").await;
        let e = staff::report(&state, &admin, &fcode, "کوتاه", None)
            .await
            .unwrap_err();
        assert_eq!(e.message_key(), "sponsor.report_length", "{l}");
        let leak = format!("این فصل {head} به مدرسه رفت و نمره‌های خوبی گرفت.");
        assert!(
            matches!(
                staff::report(&state, &admin, &fcode, &leak, None)
                    .await
                    .unwrap(),
                DraftOutcome::Blocked { .. }
            ),
            "{l}"
        );
        assert_eq!(
            outbox(db, "sponsor_report").await,
            0,
            "{l}: nothing sent past the guard"
        );
        let mut reports = Vec::new();
        for month in 2..=12usize {
            a_month_passes(db, p.id).await;
            let due = pledge_by_id(db, p.id).await.next_due_on;
            pledges::send_reminders(&state, due).await.unwrap();
            assert_eq!(
                outbox(db, "sponsor_reminder").await,
                reminders + month as i64 - 1,
                "{l}: month {month}"
            );
            pay_month(&state, &p, month).await.unwrap();
            if month % 3 == 0 {
                if month == 6 {
                    // A need of the family delivered this season: the report lists it.
                    exec(db, &format!("UPDATE needs SET status = 'delivered' WHERE family_id = {fid} AND id = (SELECT MIN(id) FROM needs WHERE family_id = {fid})")).await;
                    app::platform::entity::need::Entity::update_many()
                        .col_expr(
                            app::platform::entity::need::Column::DeliveredAt,
                            Expr::value(Utc::now()),
                        )
                        .filter(app::platform::entity::need::Column::FamilyId.eq(fid))
                        .filter(app::platform::entity::need::Column::Status.eq("delivered"))
                        .exec(db)
                        .await
                        .unwrap();
                }
                let body = format!(
                    "فصل {month}: فرزندان این خانواده امتحان‌های مدرسه را با موفقیت گذراندند."
                );
                match staff::report(
                    &state,
                    &admin,
                    &fcode,
                    &body,
                    Some("از حامی مهربان سپاسگزاریم."),
                )
                .await
                .unwrap()
                {
                    DraftOutcome::Saved { code } => reports.push(code),
                    other => panic!("{l}: {other:?}"),
                }
            }
        }
        assert_eq!(reports.len(), 4, "{l}");
        // The family's file tells staff who sponsors it, by count, and when it was last told.
        let file = app::casework::service::family_file(&state, &admin, &fcode)
            .await
            .unwrap();
        assert_eq!(
            (file.sponsorship.kind.as_deref(), file.sponsorship.sponsors),
            (Some("rent"), 1),
            "{l}"
        );
        assert!(file.sponsorship.last_report.is_some(), "{l}");
        assert_eq!(outbox(db, "sponsor_report").await, 4, "{l}");
        assert_eq!(
            fund(db, Account::Family(fid)).await,
            before + 12 * 10_000_000,
            "{l}"
        );
        assert_eq!(
            scalar(db, &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM donations WHERE pledge_id = {} AND status = 'settled' AND family_id = {fid}", p.id)).await,
            12,
            "{l}"
        );

        // The sponsor's page: four reports, the delivered need listed, twelve months, no name.
        let token = pledges::cancel_token(&state, &p.public_code);
        let v = sponsor::view(&state, &p.public_code, &token).await.unwrap();
        assert_eq!((v.reports.len(), v.months.len()), (4, 12), "{l}");
        assert!(
            v.reports.iter().any(|r| !r.bought.is_empty()),
            "{l}: what was bought"
        );
        assert!(
            sponsor::view(&state, &p.public_code, "0000").await.is_err(),
            "{l}"
        );
        let app = server::http::router(state.clone());
        let html = body_text(
            send(
                &app,
                get(&app::giving::sponsorship_url(&p.public_code, &token), None),
            )
            .await,
        )
        .await;
        assert!(
            html.contains("sponsor-reports") && html.contains(&reports[0]),
            "{l}"
        );
        assert!(
            !html.contains(&head),
            "{l}: the family's name never reaches the sponsor"
        );

        // Release: a closing report, the sponsorship ends, the family leaves the chooser.
        exec(db, &format!("UPDATE release_campaigns SET status = 'paid_to_court' WHERE public_code = '{campaign}'")).await;
        app::casework::campaigns::record_release(
            &state,
            &admin,
            &campaign,
            &Utc::now().date_naive().to_string(),
        )
        .await
        .unwrap();
        let p = pledge_by_id(db, p.id).await;
        assert_eq!(
            (p.status, p.end_reason),
            (PledgeStatus::Cancelled, Some(SponsorshipEnd::Released)),
            "{l}"
        );
        assert_eq!(sponsors_of(db, fid).await, 0, "{l}");
        assert_eq!(outbox(db, "sponsorship_ended").await, 1, "{l}");
        let v = sponsor::view(&state, &p.public_code, &token).await.unwrap();
        assert_eq!(v.reports.len(), 5, "{l}");
        assert_eq!(
            v.reports[0].kind,
            app::platform::status::SponsorReportKind::Closing,
            "{l}"
        );
        assert!(
            sponsor::choices(&state, Some(&province), None)
                .await
                .unwrap()
                .families
                .iter()
                .all(|c| c.code != fcode),
            "{l}"
        );
        let e = pay_month(&state, &p, 50).await.unwrap_err();
        assert_eq!(e.message_key(), "sponsor.ended", "{l}");
        let health = app::ledger::health(db).await.unwrap();
        assert!(
            health.unbalanced_transactions.is_empty() && health.total == 0,
            "{l}: {health:?}"
        );
        assert!(app::audit::verify(db).await.unwrap().ok(), "{l}");
        tdb.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sponsorship_stops_in_one_click_ends_with_consent_and_completes_its_term() {
    for tdb in databases().await {
        let l = tdb.label;
        let state = app_state(&tdb.url).await;
        let db = &state.db.clone();
        seed::run(db, Scale::Demo, 18).await.unwrap();
        let admin = authed(db, email_of(Role::NationalAdmin)).await;
        let (fid, fcode, _, _) = family_with_campaign(&state).await;
        staff::open(&state, &admin, &fcode, "school", STORY)
            .await
            .unwrap();
        let app = server::http::router(state.clone());

        // Without JavaScript: the form post goes to the bank's page; a bad one comes back with
        // its message and nothing written.
        let pledges_before = scalar(db, "SELECT CAST(COUNT(*) AS BIGINT) FROM pledges").await;
        let mut bad = post_form("/api/sponsor/start", &format!("form[family]={fcode}&form[attempt]={}&form[amount]=1000000&form[months]=7&form[contact]=09125550000", "b".repeat(24)), None);
        bad.headers_mut().insert(
            axum::http::header::REFERER,
            "http://127.0.0.1:3000/sponsor".parse().unwrap(),
        );
        let res = send(&app, bad).await;
        assert!(res.status().is_redirection(), "{l}");
        let back = res.headers()[axum::http::header::LOCATION]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            back.starts_with("/sponsor?") && back.contains("error=sponsor.bad_months"),
            "{l}: {back}"
        );
        assert_eq!(
            scalar(db, "SELECT CAST(COUNT(*) AS BIGINT) FROM pledges").await,
            pledges_before,
            "{l}"
        );
        let res = send(&app, post_form("/api/sponsor/start", &format!("form[family]={fcode}&form[attempt]={}&form[amount]=500000&form[months]=6&form[contact]=09125550000", "c".repeat(24)), None)).await;
        assert!(res.status().is_redirection(), "{l}");
        let to = res.headers()[axum::http::header::LOCATION]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            to.starts_with(app::payments::sandbox::PAGE_PREFIX),
            "{l}: {to}"
        );
        pay(
            &state,
            to.trim_start_matches(app::payments::sandbox::PAGE_PREFIX),
        )
        .await;
        let six = newest_pledge(db).await;
        assert_eq!(
            (six.amount_rials, six.status),
            (5_000_000, PledgeStatus::Active),
            "{l}"
        );

        // An open-ended one, stopped in one click from its page (no account): once.
        let open = sponsor_family(&state, &fcode, "0", 2).await;
        assert_eq!((open.ends_on, sponsors_of(db, fid).await), (None, 2), "{l}");
        let token = pledges::cancel_token(&state, &open.public_code);
        let res = send(
            &app,
            post_form(
                "/api/sponsor/stop",
                &format!("code={}&token={token}", open.public_code),
                None,
            ),
        )
        .await;
        assert!(res.status().is_redirection(), "{l}");
        sponsor::stop(&state, &open.public_code, &token)
            .await
            .unwrap();
        assert_eq!(
            pledge_by_id(db, open.id).await.end_reason,
            Some(SponsorshipEnd::Donor),
            "{l}"
        );
        assert_eq!(
            sponsors_of(db, fid).await,
            1,
            "{l}: stopping twice counts once"
        );
        assert!(
            sponsor::stop(&state, &open.public_code, "wrong")
                .await
                .is_err(),
            "{l}"
        );

        // The six-month term: five reminders, then it completes and thanks the sponsor.
        for month in 2..=6 {
            a_month_passes(db, six.id).await;
            let due = pledge_by_id(db, six.id).await.next_due_on;
            pledges::send_reminders(&state, due).await.unwrap();
            pay_month(&state, &six, month).await.unwrap();
        }
        let due = pledge_by_id(db, six.id).await.next_due_on;
        pledges::send_reminders(&state, due).await.unwrap();
        let done = pledge_by_id(db, six.id).await;
        assert_eq!(
            (done.status, done.end_reason),
            (PledgeStatus::Cancelled, Some(SponsorshipEnd::Completed)),
            "{l}"
        );
        assert_eq!(sponsors_of(db, fid).await, 0, "{l}");

        // Consent withdrawn: the running sponsorship ends, its sponsor is told, the family's
        // story leaves every public page.
        let last = sponsor_family(&state, &fcode, "12", 3).await;
        let told = scalar(db, "SELECT CAST(COUNT(*) AS BIGINT) FROM notification_outbox WHERE template = 'sponsorship_ended'").await;
        app::casework::service::record_consent(&state, &admin, &fcode, false)
            .await
            .unwrap();
        let last = pledge_by_id(db, last.id).await;
        assert_eq!(last.end_reason, Some(SponsorshipEnd::Consent), "{l}");
        assert_eq!(scalar(db, "SELECT CAST(COUNT(*) AS BIGINT) FROM notification_outbox WHERE template = 'sponsorship_ended'").await, told + 1, "{l}");
        let v = sponsor::view(
            &state,
            &last.public_code,
            &pledges::cancel_token(&state, &last.public_code),
        )
        .await
        .unwrap();
        assert!(v.family.is_none() && v.reports.is_empty(), "{l}");
        let html = body_text(send(&app, get("/sponsor", None)).await).await;
        assert!(!html.contains(STORY), "{l}");
        let e = settlement::start(
            &state,
            &validate_sponsor(&form(&fcode, "12", 4)).unwrap(),
            None,
            ORIGIN,
        )
        .await
        .unwrap_err();
        assert_eq!(e.message_key(), "sponsor.family_unavailable", "{l}");
        let health = app::ledger::health(db).await.unwrap();
        assert!(
            health.unbalanced_transactions.is_empty() && health.total == 0,
            "{l}: {health:?}"
        );
        tdb.drop_db().await;
    }
}
