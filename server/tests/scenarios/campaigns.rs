//! Release campaigns: the public list and page (forgiveness shown as a match, no personal
//! data), drafts answering 404, eligibility enforced on gifts, and overflow to the release fund.

use crate::common::*;
use app::giving::{settlement, validate_gift, GiftForm};
use app::ledger::{self, Account};
use app::payments::sandbox;
use axum::http::StatusCode;
use server::seed::{self, Scale};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn campaigns_list_pages_and_gifts() {
    for tdb in databases().await {
        let label = tdb.label;
        let state = app_state(&tdb.url).await;
        let db = state.db.clone();
        seed::run(&db, Scale::Demo, 21).await.unwrap();
        let app = server::http::router(state.clone());

        let res = send(&app, get("/release", None)).await;
        assert_eq!(res.status(), StatusCode::OK, "{label}");
        let html = body_text(res).await;
        assert!(html.contains("campaign-card"), "{label}: cards render");
        let res = send(&app, get("/release?offence=diyeh", None)).await;
        let html = body_text(res).await;
        assert!(html.contains("دیهٔ جرم غیرعمد"), "{label}");
        assert!(
            !html.contains("<span class=\"badge\">مهریه</span>"),
            "{label}: the filter holds"
        );
        assert!(
            html.contains("<span class=\"badge\">دیهٔ جرم غیرعمد</span>"),
            "{label}"
        );
        assert_eq!(
            send(&app, get("/release-rules", None)).await.status(),
            StatusCode::OK,
            "{label}"
        );
        // The home page shows the most urgent needs and the campaigns nearest their goal.
        let home = body_text(send(&app, get("/", None)).await).await;
        let near = home
            .split("id=\"near-goal\"")
            .nth(1)
            .expect("near-goal section");
        assert_eq!(near.matches("campaign-card").count(), 3, "{label}");
        let urgent = home
            .split("id=\"urgent-needs\"")
            .nth(1)
            .unwrap()
            .split("id=\"near-goal\"")
            .next()
            .unwrap();
        assert_eq!(urgent.matches("class=\"need-card\"").count(), 3, "{label}");

        let published = strings(
            &db,
            "SELECT public_code FROM release_campaigns WHERE status = 'published' ORDER BY id",
        )
        .await;
        let draft = strings(&db, "SELECT public_code FROM release_campaigns WHERE status IN ('draft', 'verified') ORDER BY id").await;
        assert!(
            !published.is_empty() && !draft.is_empty(),
            "{label}: the seed has both"
        );
        let res = send(&app, get(&format!("/release/{}", published[0]), None)).await;
        assert_eq!(res.status(), StatusCode::OK, "{label}");
        let html = body_text(res).await;
        assert!(html.contains("id=\"give-button\""), "{label}");
        assert!(
            html.contains("class=\"match\""),
            "{label}: forgiveness shown as a match"
        );
        assert_eq!(
            send(&app, get(&format!("/release/{}", draft[0]), None))
                .await
                .status(),
            StatusCode::NOT_FOUND,
            "{label}: drafts are not public"
        );

        // Eligibility is enforced: a published campaign that no longer meets a rule takes no gift.
        let code = published[0].clone();
        let gift = |n: u32, toman: i64| {
            validate_gift(&GiftForm {
                target_kind: "campaign".into(),
                target_code: Some(code.clone()),
                attempt: format!("campaign{label}{n:016}"),
                amount: Some("other".into()),
                custom: Some(toman.to_string()),
                ..Default::default()
            })
            .unwrap()
        };
        sea_orm::ConnectionTrait::execute_unprepared(&db, &format!(
            "UPDATE release_campaigns SET eligibility = '{{\"eligible_offence\":true}}' WHERE public_code = '{code}'"
        ))
        .await
        .unwrap();
        let err = settlement::start(&state, &gift(1, 100_000), None, "http://x")
            .await
            .unwrap_err();
        assert_eq!(err.message_key(), "give.campaign_closed", "{label}");
        sea_orm::ConnectionTrait::execute_unprepared(&db, &format!(
            "UPDATE release_campaigns SET eligibility = '{{\"eligible_offence\":true,\"no_prior_conviction\":true,\"conduct_certified\":true,\"means_tested\":true}}' WHERE public_code = '{code}'"
        ))
        .await
        .unwrap();

        // A gift larger than what is left: the campaign is met exactly, the rest goes to the
        // release fund, and the campaign is funded.
        let cid: i64 = strings(
            &db,
            &format!("SELECT CAST(id AS TEXT) FROM release_campaigns WHERE public_code = '{code}'"),
        )
        .await[0]
            .parse()
            .unwrap();
        let acct = ledger::account_id(&db, &Account::Campaign(cid))
            .await
            .unwrap();
        let release = ledger::account_id(&db, &Account::Release).await.unwrap();
        let (owed, forgiven): (i64, i64) = {
            let v = strings(&db, &format!("SELECT CAST(total_owed_rials AS TEXT) || ',' || CAST(forgiveness_rials AS TEXT) FROM release_campaigns WHERE id = {cid}")).await;
            let mut it = v[0].split(',').map(|x| x.parse::<i64>().unwrap());
            (it.next().unwrap(), it.next().unwrap())
        };
        let left = owed - forgiven - ledger::fund_balance(&db, acct).await.unwrap();
        assert!(left > 0, "{label}");
        let toman = left / 10 + 50_000;
        let url = settlement::start(&state, &gift(2, toman), None, "http://x")
            .await
            .unwrap();
        let a = url.trim_start_matches(sandbox::PAGE_PREFIX).to_string();
        sandbox::decide(&db, &a, "pay").await.unwrap();
        assert_eq!(
            settlement::settle(&state, "sandbox", &a, true)
                .await
                .unwrap()
                .outcome,
            settlement::Settled::Now,
            "{label}"
        );
        assert_eq!(
            ledger::fund_balance(&db, acct).await.unwrap(),
            owed - forgiven,
            "{label}: met exactly"
        );
        assert_eq!(
            ledger::fund_balance(&db, release).await.unwrap(),
            toman * 10 - left,
            "{label}: overflow to the release fund"
        );
        assert_eq!(
            strings(
                &db,
                &format!("SELECT status FROM release_campaigns WHERE id = {cid}")
            )
            .await,
            vec!["funded".to_string()],
            "{label}"
        );
        assert!(ledger::health(&db).await.unwrap().is_sound(), "{label}");
        tdb.drop_db().await;
    }
}
