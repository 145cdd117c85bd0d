//! Background work reads only what is new: running totals of the gifts settled before a
//! watermark, plus the gifts settled since. The reconciler (`reconciled_totals`) and the public
//! and KPI figures (`gift_totals`) must agree with a count from scratch, never count a gift twice,
//! and the reconciler must still find a gift posted wrongly, old or new.

use crate::common::*;
use app::giving::settlement::{self, FOLD_AFTER_MINUTES};
use app::ledger::{self, credit, debit, Account, Posting};
use chrono::{Duration, Utc};
use sea_orm::TransactionTrait;
use server::seed::{self, Scale};
use std::collections::BTreeMap;

const FOLDED: &str =
    "SELECT CAST(COALESCE(SUM(settled_count), 0) AS BIGINT) FROM reconciled_totals";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reconciler_keeps_running_totals_and_still_finds_a_wrong_posting() {
    for tdb in databases().await {
        let label = tdb.label;
        let state = app_state(&tdb.url).await;
        let db = state.db.clone();
        seed::run(&db, Scale::Demo, 21).await.unwrap();
        let settled = "SELECT COUNT(*) FROM donations WHERE status = 'settled'";
        let all_settled = scalar(&db, settled).await;
        assert!(all_settled > 0, "{label}");

        // First pass: the seeded gifts (months old) are folded into the running totals.
        let r = settlement::reconcile(&state, Duration::zero())
            .await
            .unwrap();
        assert!(r.balanced(), "{label}: {r:?}");
        let through = r.folded_through.expect("a watermark");
        assert!(
            through <= Utc::now() - Duration::minutes(FOLD_AFTER_MINUTES),
            "{label}"
        );
        assert_eq!(
            scalar(&db, FOLDED).await,
            all_settled,
            "{label}: every old gift folded"
        );
        assert_eq!(
            r.totals,
            settlement::full_totals(&db).await.unwrap(),
            "{label}"
        );

        // Gifts paid now are counted (after the watermark), but not folded yet.
        for n in 0..3 {
            let a = start_gift(&state, "urgent", None, 20_000 + n as i64, 700 + n).await;
            app::payments::sandbox::decide(&db, &a, "pay")
                .await
                .unwrap();
            settlement::settle(&state, "sandbox", &a, true)
                .await
                .unwrap();
        }
        let r = settlement::reconcile(&state, Duration::zero())
            .await
            .unwrap();
        assert!(r.balanced(), "{label}: {r:?}");
        assert!(
            r.folded_through >= Some(through),
            "{label}: the watermark only moves on"
        );
        assert_eq!(scalar(&db, FOLDED).await, all_settled, "{label}");
        let full = settlement::full_totals(&db).await.unwrap();
        assert_eq!(r.totals, full, "{label}");
        assert_eq!(
            full.iter().map(|t| t.settled_count).sum::<i64>(),
            all_settled + 3,
            "{label}"
        );

        // A gift entry no gateway settled (posted for a gift still pending) is found while new.
        let pending = start_gift(&state, "urgent", None, 50_000, 800).await;
        let donation_id = scalar(
            &db,
            &format!("SELECT id FROM donations WHERE gateway_authority = '{pending}'"),
        )
        .await;
        let gateway = ledger::account_id(&db, &Account::Gateway("sandbox".into()))
            .await
            .unwrap();
        let general = ledger::account_id(&db, &Account::General).await.unwrap();
        let txn = db.begin().await.unwrap();
        ledger::post(
            &txn,
            Posting {
                kind: "gift",
                memo: "posted without a settled gift",
                donation_id: Some(donation_id),
                created_by: None,
            },
            &[debit(gateway, 500_000), credit(general, 500_000)],
        )
        .await
        .unwrap();
        txn.commit().await.unwrap();
        let r = settlement::reconcile(&state, Duration::minutes(30))
            .await
            .unwrap();
        assert_eq!(r.mismatched(), 1, "{label}: {r:?}");
        let sandbox = r.totals.iter().find(|t| t.gateway == "sandbox").unwrap();
        assert_eq!(
            sandbox.ledger_rials - sandbox.settled_rials,
            500_000,
            "{label}"
        );
        // An hour later all of it is folded, once: two passes, the same totals, and the wrong
        // entry still found.
        let full = settlement::full_totals(&db).await.unwrap();
        let later = Utc::now() + Duration::hours(1);
        for _ in 0..2 {
            let r = settlement::reconcile_at(&state, Duration::minutes(30), later)
                .await
                .unwrap();
            assert_eq!(r.mismatched(), 1, "{label}: still found once folded: {r:?}");
            assert_eq!(scalar(&db, FOLDED).await, all_settled + 3, "{label}");
            assert_eq!(r.totals, full, "{label}: nothing counted twice");
        }
        tdb.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gift_totals_count_every_settled_gift_once_and_the_public_figures_stay_the_same() {
    use app::giving::totals;
    const GIFTS: &str = "SELECT CAST(COALESCE(SUM(gifts), 0) AS BIGINT) FROM gift_totals";
    for tdb in databases().await {
        let label = tdb.label;
        let state = app_state(&tdb.url).await;
        let db = state.db.clone();
        seed::run(&db, Scale::Demo, 22).await.unwrap();
        let settled = scalar(
            &db,
            "SELECT COUNT(*) FROM donations WHERE status = 'settled'",
        )
        .await;
        let t = totals::current(&db, Utc::now()).await.unwrap();
        assert_eq!(t, totals::recount(&db).await.unwrap(), "{label}");
        assert_eq!(
            scalar(&db, GIFTS).await,
            settled,
            "{label}: the seeded gifts folded"
        );

        // Gifts of now, to the general fund and to a need: counted at once, folded later, once.
        let need: String = strings(
            &db,
            "SELECT public_code FROM needs WHERE status = 'published' ORDER BY id LIMIT 1",
        )
        .await
        .remove(0);
        for n in 0..4 {
            let code = (n % 2 == 1).then_some(need.as_str());
            let kind = if code.is_some() { "need" } else { "urgent" };
            let a = start_gift(&state, kind, code, 10_000, 900 + n).await;
            app::payments::sandbox::decide(&db, &a, "pay")
                .await
                .unwrap();
            settlement::settle(&state, "sandbox", &a, true)
                .await
                .unwrap();
        }
        let now = totals::current(&db, Utc::now()).await.unwrap();
        let recount = totals::recount(&db).await.unwrap();
        assert_eq!(now, recount, "{label}: new gifts counted at once");
        assert_eq!(
            scalar(&db, GIFTS).await,
            settled,
            "{label}: and not folded yet"
        );
        let later = Utc::now() + Duration::hours(1);
        for _ in 0..2 {
            assert_eq!(
                totals::current(&db, later).await.unwrap(),
                recount,
                "{label}"
            );
            assert_eq!(
                scalar(&db, GIFTS).await,
                settled + 4,
                "{label}: folded once"
            );
        }

        // The public figures from the totals are what the old passes over every gift gave.
        let report = app::transparency::service::compute(&db).await.unwrap();
        assert_eq!(
            report.summary.raised_rials,
            scalar(
                &db,
                "SELECT CAST(COALESCE(SUM(amount_rials), 0) AS BIGINT) FROM donations WHERE status = 'settled'"
            )
            .await,
            "{label}"
        );
        let sums_by = |sql: &'static str| {
            let db = db.clone();
            async move {
                let mut m: BTreeMap<String, i64> = BTreeMap::new();
                for r in app::platform::db::rows(&db, sql.to_string()).await.unwrap() {
                    *m.entry(r.try_get::<String>("", "k").unwrap()).or_default() +=
                        r.try_get::<i64>("", "s").unwrap();
                }
                m
            }
        };
        let mut expected = sums_by(
            "SELECT p.code AS k, CAST(SUM(d.amount_rials) AS BIGINT) AS s FROM donations d \
             JOIN needs n ON n.id = d.need_id JOIN provinces p ON p.id = n.province_id \
             WHERE d.status = 'settled' AND n.hide_province = FALSE GROUP BY p.code",
        )
        .await;
        for (k, v) in sums_by(
            "SELECT p.code AS k, CAST(SUM(d.amount_rials) AS BIGINT) AS s FROM donations d \
             JOIN release_campaigns c ON c.id = d.campaign_id JOIN provinces p ON p.id = c.province_id \
             WHERE d.status = 'settled' GROUP BY p.code",
        )
        .await
        {
            *expected.entry(k).or_default() += v;
        }
        let shown: BTreeMap<String, i64> = report
            .provinces
            .iter()
            .filter(|p| p.raised_rials != 0)
            .map(|p| (p.code.clone(), p.raised_rials))
            .collect();
        assert_eq!(shown, expected, "{label}: raised by province");
        let expected = sums_by(
            "SELECT category AS k, CAST(SUM(amount_rials) AS BIGINT) AS s FROM donations \
             WHERE status = 'settled' AND category IS NOT NULL GROUP BY category",
        )
        .await;
        let shown: BTreeMap<String, i64> = report
            .categories
            .iter()
            .filter(|c| c.raised_rials != 0)
            .map(|c| (c.category.clone(), c.raised_rials))
            .collect();
        assert_eq!(shown, expected, "{label}: raised by category");
        // This month holds the four gifts of today.
        let this_month = report.months.last().expect("months");
        assert!(this_month.gifts >= 4, "{label}: {this_month:?}");
        tdb.drop_db().await;
    }
}
