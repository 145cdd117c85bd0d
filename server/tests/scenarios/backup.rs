//! `karamat backup` copies a live SQLite database while gifts settle; the copy, restored into a
//! fresh directory, holds every gift settled before the backup began, each once, a balanced
//! ledger and an intact audit chain. Restore refuses what would lose data.

use crate::common::*;
use app::giving::settlement;
use app::payments::sandbox;
use server::backup;
use server::seed::{self, Scale};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_gift_load_restores_with_every_settled_gift_and_a_balanced_ledger() {
    let tdb = databases().await.remove(0);
    assert_eq!(tdb.label, "sqlite");
    let state = app_state(&tdb.url).await;
    seed::run(&state.db, Scale::Demo, 23).await.unwrap();

    // Donors give to the most urgent needs the whole time, each gift paid and settled.
    let stop = Arc::new(AtomicBool::new(false));
    let settled = Arc::new(AtomicUsize::new(0));
    let mut load = Vec::new();
    for worker in 0..2 {
        let (state, stop, settled) = (state.clone(), stop.clone(), settled.clone());
        load.push(tokio::spawn(async move {
            let mut n = worker * 100_000;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let authority = start_gift(&state, "urgent", None, 10_000 + n as i64, n).await;
                sandbox::decide(&state.db, &authority, "pay")
                    .await
                    .unwrap()
                    .unwrap();
                settlement::settle(&state, "sandbox", &authority, true)
                    .await
                    .unwrap();
                settled.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    while settled.load(Ordering::Relaxed) < 10 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let before = strings(
        &state.db,
        "SELECT CAST(id AS TEXT) FROM donations WHERE status = 'settled' ORDER BY id",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backups/karamat-1405-09-16.db");
    let taken = backup::backup(&state.db, &file).await.expect("backup");
    let during = settled.load(Ordering::Relaxed);
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    for t in load {
        t.await.unwrap();
    }
    assert!(
        settled.load(Ordering::Relaxed) > during,
        "gifts went on settling after the backup"
    );
    assert!(taken.settled_gifts >= before.len() as i64);
    assert!(
        file.is_file()
            && !dir
                .path()
                .join("backups/karamat-1405-09-16.db.partial")
                .exists()
    );
    // A backup never overwrites one.
    assert!(backup::backup(&state.db, &file).await.is_err());

    // Restored into a fresh directory: every gift settled before the backup, settled once.
    let fresh = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        fresh.path().join("data/karamat.db").display()
    );
    let restored = backup::restore(&file, &url, false).await.expect("restore");
    assert_eq!(restored.settled_gifts, taken.settled_gifts);
    let db = connect(&url).await;
    let after: std::collections::HashSet<String> = strings(
        &db,
        "SELECT CAST(id AS TEXT) FROM donations WHERE status = 'settled'",
    )
    .await
    .into_iter()
    .collect();
    let lost: Vec<_> = before.iter().filter(|id| !after.contains(*id)).collect();
    assert!(
        lost.is_empty(),
        "settled gifts missing from the backup: {lost:?}"
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM donations d WHERE d.status = 'settled' AND \
             (SELECT COUNT(*) FROM ledger_transactions t WHERE t.kind = 'gift' AND t.donation_id = d.id) <> 1"
        )
        .await,
        0,
        "each settled gift has exactly one ledger group"
    );
    assert!(app::ledger::health(&db).await.unwrap().is_sound());
    assert!(app::audit::verify(&db).await.unwrap().problem.is_none());
    // The restored database serves: the public figures read from it.
    assert!(
        app::transparency::service::impact_summary(&db)
            .await
            .unwrap()
            .raised_rials
            > 0
    );
    db.close().await.unwrap();

    // Restoring over a database is refused unless asked; asked, the old one is kept.
    let err = backup::restore(&file, &url, false).await.unwrap_err();
    assert!(err.to_string().contains("--replace"), "{err}");
    backup::restore(&file, &url, true).await.expect("replace");
    assert!(fresh
        .path()
        .join("data/karamat.db.before-restore")
        .is_file());

    // A damaged backup is refused and nothing is put in place.
    let bytes = std::fs::read(&file).unwrap();
    let broken = dir.path().join("broken.db");
    std::fs::write(&broken, &bytes[..bytes.len() / 2]).unwrap();
    let elsewhere = fresh.path().join("other/karamat.db");
    let url2 = format!("sqlite://{}?mode=rwc", elsewhere.display());
    assert!(backup::restore(&broken, &url2, false).await.is_err());
    assert!(!elsewhere.exists(), "a broken backup was put in place");
    tdb.drop_db().await;
}
