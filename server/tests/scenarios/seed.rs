//! The demo seed is deterministic, covers every lifecycle state, keeps the ledger balanced and
//! stores personal fields sealed.

use crate::common::strings;
use app::privacy::Sealer;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use server::seed::{self, Scale};

async fn int(db: &DatabaseConnection, sql: &str) -> i64 {
    let r = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    r.try_get_by_index::<i64>(0).unwrap()
}

#[tokio::test]
async fn demo_seed_is_complete_balanced_and_sealed() {
    for tdb in crate::common::databases().await {
        let db = crate::common::migrated(&tdb.url).await;
        seed::run(&db, Scale::Demo, 42).await.expect("seed");
        let l = tdb.label;

        // Every province, every need and campaign state.
        assert_eq!(int(&db, "SELECT COUNT(*) FROM provinces").await, 31, "{l}");
        let need_states = strings(&db, "SELECT DISTINCT status FROM needs ORDER BY status").await;
        assert_eq!(need_states.len(), 8, "{l}: {need_states:?}");
        let campaign_states = strings(
            &db,
            "SELECT DISTINCT status FROM release_campaigns ORDER BY status",
        )
        .await;
        assert_eq!(campaign_states.len(), 7, "{l}: {campaign_states:?}");

        // Every ledger transaction sums to zero; settled gifts all have one.
        let unbalanced = int(
            &db,
            "SELECT COUNT(*) FROM (SELECT transaction_id FROM ledger_entries GROUP BY transaction_id HAVING SUM(amount_rials) <> 0) t",
        )
        .await;
        assert_eq!(unbalanced, 0, "{l}");
        let settled = int(
            &db,
            "SELECT COUNT(*) FROM donations WHERE status = 'settled'",
        )
        .await;
        let gifts = int(
            &db,
            "SELECT COUNT(*) FROM ledger_transactions WHERE kind = 'gift'",
        )
        .await;
        assert_eq!(settled, gifts, "{l}");
        // Funded needs are met exactly, never over.
        let off = int(
            &db,
            "SELECT COUNT(*) FROM needs n WHERE n.status IN ('funded','purchased','delivered') AND \
             n.goal_rials <> (SELECT COALESCE(SUM(d.amount_rials), 0) FROM donations d WHERE d.need_id = n.id AND d.status = 'settled')",
        )
        .await;
        assert_eq!(
            off, 0,
            "{l}: funded needs whose gifts do not meet the goal exactly"
        );
        let negative = int(
            &db,
            "SELECT COUNT(*) FROM (SELECT a.id FROM ledger_accounts a JOIN ledger_entries e ON e.account_id = a.id \
             WHERE a.kind = 'fund' GROUP BY a.id HAVING SUM(e.amount_rials) > 0) t",
        )
        .await;
        assert_eq!(negative, 0, "{l}: a fund account went negative");

        // What the seed shows as bought, delivered or paid to a court was paid out, once, from its
        // own fund: public "paid out" (the ledger) and the staff KPIs (paid disbursements) agree.
        let unpaid = int(
            &db,
            // Where gifts reached the fund: the demo's gift plan is cut at its size, so the last
            // campaigns may have none.
            "SELECT (SELECT COUNT(*) FROM needs n WHERE n.status IN ('purchased','delivered') \
               AND EXISTS (SELECT 1 FROM donations d WHERE d.need_id = n.id AND d.status = 'settled') \
               AND (SELECT COUNT(*) FROM disbursements x WHERE x.need_id = n.id AND x.status = 'paid') <> 1) + \
             (SELECT COUNT(*) FROM release_campaigns c WHERE c.status IN ('paid_to_court','released','closed') \
               AND EXISTS (SELECT 1 FROM donations d WHERE d.campaign_id = c.id AND d.status = 'settled') \
               AND (SELECT COUNT(*) FROM disbursements x WHERE x.campaign_id = c.id AND x.status = 'paid') <> 1)",
        )
        .await;
        assert_eq!(
            unpaid, 0,
            "{l}: shown as paid out without a paid disbursement"
        );
        let emptied = int(
            &db,
            "SELECT COUNT(*) FROM needs n JOIN ledger_accounts a ON a.need_id = n.id \
             WHERE n.status IN ('purchased','delivered') AND \
             (SELECT COALESCE(SUM(e.amount_rials), 0) FROM ledger_entries e WHERE e.account_id = a.id) <> 0",
        )
        .await;
        assert_eq!(emptied, 0, "{l}: a bought need's fund still holds money");
        let paid = int(
            &db,
            "SELECT CAST(COALESCE(SUM(amount_rials), 0) AS BIGINT) FROM disbursements WHERE status = 'paid'",
        )
        .await;
        assert!(paid > 0, "{l}: nothing paid out");
        assert_eq!(
            app::transparency::service::disbursed(&db).await.unwrap(),
            paid,
            "{l}: public paid out and staff paid out differ"
        );
        // Running contracts employ someone, only consenting prisoners, each on one contract at a
        // time; the home page's "prisoners employed" is that number.
        let employed = app::transparency::service::impact_summary(&db)
            .await
            .unwrap()
            .workers_employed;
        assert!(employed > 0, "{l}: the home page would say 0 employed");
        let stray = int(
            &db,
            "SELECT COUNT(*) FROM worker_assignments a JOIN contracts c ON c.id = a.contract_id \
             JOIN prisoners p ON p.id = a.prisoner_id JOIN workshops w ON w.id = c.workshop_id \
             WHERE (a.status = 'active' AND c.status NOT IN ('active','suspended')) \
                OR NOT p.consent_work OR p.prison_id <> w.prison_id",
        )
        .await;
        assert_eq!(stray, 0, "{l}: a worker on a contract he may not be on");
        let twice = int(
            &db,
            "SELECT COUNT(*) FROM (SELECT prisoner_id FROM worker_assignments WHERE status = 'active' \
             GROUP BY prisoner_id HAVING COUNT(*) > 1) t",
        )
        .await;
        assert_eq!(twice, 0, "{l}: a prisoner on two running contracts");

        // Personal fields open with the key and do not appear in plain text anywhere.
        let sealer = Sealer::dev();
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT head_name_enc, national_code_enc, national_code_bidx FROM families ORDER BY id LIMIT 1",
            ))
            .await
            .unwrap()
            .unwrap();
        let name = sealer
            .open(
                "families.head_name",
                &row.try_get_by_index::<Vec<u8>>(0).unwrap(),
            )
            .unwrap();
        let nc = sealer
            .open(
                "families.national_code",
                &row.try_get_by_index::<Vec<u8>>(1).unwrap(),
            )
            .unwrap();
        assert!(app::validation::national_code(&nc).is_ok(), "{l}: {nc}");
        assert_eq!(
            row.try_get_by_index::<String>(2).unwrap(),
            sealer.blind_index("national_code", &nc)
        );
        let hits = db
            .query_all_raw(Statement::from_sql_and_values(
                db.get_database_backend(),
                match db.get_database_backend() {
                    sea_orm::DbBackend::Postgres => {
                        "SELECT id FROM needs WHERE public_story LIKE $1 OR public_title LIKE $1"
                    }
                    _ => "SELECT id FROM needs WHERE public_story LIKE ? OR public_title LIKE ?",
                },
                match db.get_database_backend() {
                    sea_orm::DbBackend::Postgres => vec![format!("%{nc}%").into()],
                    _ => vec![format!("%{nc}%").into(), format!("%{nc}%").into()],
                },
            ))
            .await
            .unwrap();
        assert!(hits.is_empty(), "{l}: national code in public text");
        if let Some(path) = app::platform::db::sqlite_file(&tdb.url) {
            drop(db);
            let mut bytes = std::fs::read(&path).unwrap();
            if let Ok(wal) = std::fs::read(format!("{path}-wal")) {
                bytes.extend(wal);
            }
            for secret in [name.as_bytes(), nc.as_bytes()] {
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret),
                    "{l}: a personal value is stored in plain text"
                );
            }
        }
        tdb.drop_db().await;
    }
}

#[tokio::test]
async fn the_same_seed_makes_the_same_world() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let tdb = crate::common::databases().await.remove(0);
        let db = crate::common::migrated(&tdb.url).await;
        seed::run(&db, Scale::Demo, 9).await.unwrap();
        runs.push((
            strings(&db, "SELECT public_code FROM needs ORDER BY id").await,
            strings(&db, "SELECT tracking_code FROM donations ORDER BY id").await,
        ));
    }
    assert_eq!(runs[0], runs[1]);
    // And it refuses to load twice.
    let tdb = crate::common::databases().await.remove(0);
    let db = crate::common::migrated(&tdb.url).await;
    seed::run(&db, Scale::Demo, 9).await.unwrap();
    assert!(seed::run(&db, Scale::Demo, 9).await.is_err());
}
