//! A consistent copy of a live SQLite database (`karamat backup`), and putting one back
//! (`karamat restore`).
//!
//! `VACUUM INTO` writes a new database file from one read transaction. In WAL mode the server
//! keeps reading and writing while it runs; the copy holds exactly what was committed when it
//! began (no half-written page, no WAL file to carry along) and is compacted. Copying the file
//! with `cp` while the server runs is not a backup: the WAL holds the newest commits.
//!
//! Both directions check the copy before it is trusted: SQLite's own integrity check, foreign
//! keys, the ledger's balance and the audit log's hash chain. PostgreSQL has its own tools
//! (`pg_dump`, or a base backup with WAL archiving; see the README's "Backups").

use anyhow::{bail, ensure, Context};
use app::platform::db;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use std::path::{Path, PathBuf};

/// What a backup or a restored database holds, as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub path: PathBuf,
    pub bytes: u64,
    pub migrations: i64,
    pub settled_gifts: i64,
    pub ledger_transactions: i64,
    pub audit_entries: u64,
}

/// Writes a consistent copy of the database behind `db` (SQLite) to `to`, which must not exist.
/// The copy is written under a temporary name beside `to` and renamed only once it has passed
/// [`check`], so a file at `to` is always a whole, checked backup.
pub async fn backup(db: &DatabaseConnection, to: &Path) -> anyhow::Result<Checked> {
    if db.get_database_backend() != DbBackend::Sqlite {
        bail!(
            "`karamat backup` copies a SQLite database; for PostgreSQL use pg_dump or a base \
             backup with WAL archiving (README, Backups), then `karamat restore-check`"
        );
    }
    ensure!(
        !to.exists(),
        "{} already exists: a backup never overwrites a file",
        to.display()
    );
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let partial = partial_name(to);
    let _ = std::fs::remove_file(&partial);
    let started = std::time::Instant::now();
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "VACUUM INTO ?",
        [partial.to_string_lossy().to_string().into()],
    ))
    .await
    .context("VACUUM INTO")?;
    let checked = match check_file(&partial).await {
        Ok(c) => c,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e.context("the copy did not check out; nothing was kept"));
        }
    };
    std::fs::rename(&partial, to).with_context(|| format!("renaming to {}", to.display()))?;
    tracing::info!(
        to = %to.display(),
        bytes = checked.bytes,
        settled_gifts = checked.settled_gifts,
        ms = started.elapsed().as_millis() as u64,
        "backup written"
    );
    Ok(Checked {
        path: to.to_path_buf(),
        ..checked
    })
}

/// Puts the backup `from` in place as the SQLite database of `database_url`. The backup is
/// checked first; an existing database is refused unless `replace`, and is then kept beside it
/// as `<name>.before-restore` (with its WAL), never deleted. The server must be stopped.
pub async fn restore(from: &Path, database_url: &str, replace: bool) -> anyhow::Result<Checked> {
    let Some(target) = db::sqlite_file(database_url) else {
        bail!(
            "`karamat restore` puts back a SQLite database; for PostgreSQL restore with \
             pg_restore or from the base backup (README, Backups), then `karamat restore-check`"
        );
    };
    let target = PathBuf::from(target);
    check_file(from)
        .await
        .with_context(|| format!("{} is not a sound backup", from.display()))?;
    let sidecars =
        |p: &Path| ["-wal", "-shm"].map(|s| PathBuf::from(format!("{}{s}", p.display())));
    if target.exists() {
        ensure!(
            replace,
            "{} exists: restore into a fresh path, or pass --replace (the old database is kept \
             as {}.before-restore)",
            target.display(),
            target.display()
        );
        let kept = PathBuf::from(format!("{}.before-restore", target.display()));
        ensure!(
            !kept.exists(),
            "{} exists from an earlier restore: move it away first",
            kept.display()
        );
        std::fs::rename(&target, &kept)?;
        for (old, new) in sidecars(&target).into_iter().zip(sidecars(&kept)) {
            if old.exists() {
                std::fs::rename(old, new)?;
            }
        }
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    // A WAL left beside the target belongs to another database: SQLite would replay it into
    // this one.
    for s in sidecars(&target) {
        ensure!(
            !s.exists(),
            "{} is left from another database: move it away first",
            s.display()
        );
    }
    let partial = partial_name(&target);
    std::fs::copy(from, &partial).with_context(|| format!("copying {}", from.display()))?;
    std::fs::rename(&partial, &target)?;
    let checked = check_file(&target).await?;
    tracing::info!(from = %from.display(), to = %target.display(), "database restored");
    Ok(checked)
}

/// Checks the SQLite database in `path`: SQLite's integrity check, foreign keys, a balanced
/// ledger and an intact audit chain; counts what it holds.
pub async fn check_file(path: &Path) -> anyhow::Result<Checked> {
    ensure!(path.is_file(), "{} is not a file", path.display());
    let bytes = std::fs::metadata(path)?.len();
    let url = format!("sqlite://{}?mode=ro", path.display());
    let conn = sea_orm::Database::connect(url.as_str())
        .await
        .with_context(|| format!("opening {}", path.display()))?;
    let result = async {
        let one = |sql: &str| Statement::from_string(DbBackend::Sqlite, sql.to_string());
        let integrity: Vec<String> = conn
            .query_all_raw(one("PRAGMA integrity_check"))
            .await?
            .iter()
            .map(|r| r.try_get_by_index::<String>(0))
            .collect::<Result<_, _>>()?;
        ensure!(
            integrity == ["ok"],
            "SQLite integrity check: {}",
            integrity.join("; ")
        );
        let orphans = conn.query_all_raw(one("PRAGMA foreign_key_check")).await?;
        ensure!(
            orphans.is_empty(),
            "{} row(s) point at rows that are not there",
            orphans.len()
        );
        let mut c = checked(&conn).await?;
        c.path = path.to_path_buf();
        c.bytes = bytes;
        Ok(c)
    }
    .await;
    let _ = conn.close().await;
    result
}

/// The database-independent part of the checks (also for a restored PostgreSQL database):
/// migrations applied, a balanced ledger, an intact audit chain, and what it holds.
pub async fn checked(conn: &DatabaseConnection) -> anyhow::Result<Checked> {
    let migrations = db::applied_migrations(conn)
        .await
        .context("no migrations table: not a Karamat database")?;
    let health = app::ledger::health(conn)
        .await
        .map_err(|e| anyhow::anyhow!("ledger: {e}"))?;
    ensure!(health.is_sound(), "the ledger does not balance: {health:?}");
    let audit = app::audit::verify(conn)
        .await
        .map_err(|e| anyhow::anyhow!("audit log: {e}"))?;
    if let Some((id, what)) = &audit.problem {
        bail!("the audit log breaks at entry {id}: {what}");
    }
    let settled = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT CAST(COUNT(*) AS BIGINT) FROM donations WHERE status = 'settled'",
        ))
        .await?
        .map(|r| r.try_get_by_index::<i64>(0))
        .transpose()?
        .unwrap_or(0);
    Ok(Checked {
        path: PathBuf::new(),
        bytes: 0,
        migrations,
        settled_gifts: settled,
        ledger_transactions: health.transactions,
        audit_entries: audit.entries,
    })
}

fn partial_name(p: &Path) -> PathBuf {
    PathBuf::from(format!("{}.partial", p.display()))
}
