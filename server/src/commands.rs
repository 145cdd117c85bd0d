//! The `karamat` commands other than `serve`: each one function, called from `main`.

use anyhow::Context;
use app::auth::ssr::{create_user, hash_password, NewUser};
use app::auth::Role;
use app::platform::{db, Config};
use migrations::{Migrator, MigratorTrait};
use server::seed::{self, Scale};
use std::path::Path;

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum MigrateCmd {
    Up,
    Down,
    Status,
}

/// `karamat migrate up|down|status`.
pub async fn migrate(
    config: &Config,
    direction: MigrateCmd,
    steps: Option<u32>,
) -> anyhow::Result<()> {
    let conn = db::connect(&config.database_url).await?;
    match direction {
        MigrateCmd::Up => Migrator::up(&conn, None).await?,
        MigrateCmd::Down => Migrator::down(&conn, steps).await?,
        MigrateCmd::Status => Migrator::status(&conn).await?,
    }
    let applied = db::applied_migrations(&conn).await.unwrap_or(0);
    println!(
        "{} migration(s) applied on {}",
        applied,
        db::backend_name(&conn)
    );
    Ok(())
}

/// `karamat seed`: generated data into an empty database, then the demo accounts.
pub async fn seed(config: &Config, scale: Scale, seed: u64, if_empty: bool) -> anyhow::Result<()> {
    let conn = server::connect_and_migrate(config).await?;
    if if_empty && !seed::is_empty(&conn).await? {
        println!("The database already holds data; nothing loaded.");
        return Ok(());
    }
    let report = seed::run(&conn, scale, seed).await?;
    for (table, n) in &report.rows {
        println!("{table:>22}  {n}");
    }
    println!(
        "Seeded {:?} scale on {}: {} rows in {:.1} s",
        report.scale,
        db::backend_name(&conn),
        report.total_rows(),
        report.seconds
    );
    conn.close().await?;
    if scale == Scale::Demo {
        println!("\nDemo accounts (password: {}):", seed::DEMO_PASSWORD);
        for (role, email, _) in seed::DEMO_ACCOUNTS {
            println!("  {:<20} {email}  → {}", role.as_str(), role.home_path());
        }
    }
    Ok(())
}

/// `karamat precompress`: brotli and gzip forms beside the static files.
pub fn precompress(dir: &Path) -> anyhow::Result<()> {
    let t0 = std::time::Instant::now();
    let n = server::assets::precompress(dir)
        .with_context(|| format!("compressing {}", dir.display()))?;
    println!(
        "{n} files compressed in {}  ({:.1} s)",
        dir.display(),
        t0.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `karamat backup --to FILE` (SQLite).
pub async fn backup(config: &Config, to: &Path) -> anyhow::Result<()> {
    let conn = db::connect(&config.database_url).await?;
    let c = server::backup::backup(&conn, to).await?;
    print_checked("backup written", &c);
    Ok(())
}

/// `karamat restore --from FILE` (SQLite).
pub async fn restore(config: &Config, from: &Path, replace: bool) -> anyhow::Result<()> {
    let c = server::backup::restore(from, &config.database_url, replace).await?;
    print_checked("restored", &c);
    println!(
        "next: `karamat reconcile` (gifts pending when the backup was taken), then `karamat serve`"
    );
    Ok(())
}

/// `karamat restore-check`: the database as a restore must leave it.
pub async fn restore_check(config: &Config) -> anyhow::Result<()> {
    let conn = db::connect(&config.database_url).await?;
    let c = server::backup::checked(&conn).await?;
    print_checked("database checked", &c);
    Ok(())
}

/// `karamat audit-verify`: the hash chain, and its head to keep outside the database.
pub async fn audit_verify(config: &Config) -> anyhow::Result<()> {
    let conn = server::connect_and_migrate(config).await?;
    let v = app::audit::verify(&conn)
        .await
        .map_err(|e| anyhow::anyhow!("audit verify: {e}"))?;
    match &v.problem {
        None => {
            let (entries, last) = app::audit::head(&conn)
                .await
                .map_err(|e| anyhow::anyhow!("audit head: {e}"))?;
            println!("audit log verified: {} entries, chain intact", v.entries);
            // Recorded outside the database (a ticket, a printout), the head lets anyone
            // tell later that nothing before it was rewritten.
            println!("head: {entries} {last}");
            Ok(())
        }
        Some((id, what)) => {
            println!(
                "audit log BROKEN at entry {id}: {what} ({} entries read)",
                v.entries
            );
            anyhow::bail!("the audit log does not verify")
        }
    }
}

/// `karamat rotate-keys`: every personal field re-sealed under the current key.
pub async fn rotate_keys(config: &Config) -> anyhow::Result<()> {
    let conn = server::connect_and_migrate(config).await?;
    let sealer =
        app::privacy::Sealer::from_env().map_err(|e| anyhow::anyhow!("field keys: {e}"))?;
    let report = app::privacy::rotation::rotate(&conn, &sealer)
        .await
        .map_err(|e| anyhow::anyhow!("rotate: {e}"))?;
    for (table, n) in &report {
        println!("{table:>22}  {n} re-sealed");
    }
    println!(
        "every personal field is sealed under key {}",
        sealer.key_id()
    );
    Ok(())
}

/// `karamat kpi-refresh`.
pub async fn kpi_refresh(config: &Config) -> anyhow::Result<()> {
    let conn = server::connect_and_migrate(config).await?;
    let started = std::time::Instant::now();
    let rows = app::casework::kpis::refresh(&conn)
        .await
        .map_err(|e| anyhow::anyhow!("kpi-refresh: {e}"))?;
    println!(
        "KPI snapshot: {rows} rows in {} ms",
        started.elapsed().as_millis()
    );
    Ok(())
}

/// `karamat reconcile`: open gifts asked about again, then the gateways' totals against the
/// ledger; an error when they disagree or the books do not balance. With `full`, the running
/// totals are also checked against a count of every gift from scratch.
pub async fn reconcile(config: Config, older_than_minutes: i64, full: bool) -> anyhow::Result<()> {
    let conn = server::connect_and_migrate(&config).await?;
    let state = server::state_from_env(server::plain_leptos_options(), conn, config)?;
    let r =
        app::giving::settlement::reconcile(&state, chrono::Duration::minutes(older_than_minutes))
            .await
            .map_err(|e| anyhow::anyhow!("reconcile: {e}"))?;
    println!(
        "Pending gifts asked about again: {} (settled now: {}, still pending: {}); never reached a bank, closed: {}",
        r.retried, r.settled_now, r.still_pending, r.closed_unstarted
    );
    println!(
        "{:<10} {:>10} {:>22} {:>22}",
        "gateway", "gifts", "settled (rials)", "ledger (rials)"
    );
    for t in &r.totals {
        println!(
            "{:<10} {:>10} {:>22} {:>22}{}",
            t.gateway,
            t.settled_count,
            t.settled_rials,
            t.ledger_rials,
            if t.settled_rials == t.ledger_rials {
                ""
            } else {
                "  ← MISMATCH"
            }
        );
    }
    let health = app::ledger::health(&state.db)
        .await
        .map_err(|e| anyhow::anyhow!("ledger health: {e}"))?;
    println!(
        "Ledger: {} transactions, {} entries, sum {} (unbalanced groups: {}, negative funds: {}, \
         balances not matching their entries: {})",
        health.transactions,
        health.entries,
        health.total,
        health.unbalanced_transactions.len(),
        health.negative_funds.len(),
        health.stale_balances.len()
    );
    for (code, stored, entries) in &health.stale_balances {
        println!("  {code}: stored {stored}, entries {entries}  ← MISMATCH");
    }
    println!("Open finance flags: {}", r.open_flags);
    let mut recount_differs = false;
    if full {
        let all = app::giving::settlement::full_totals(&state.db)
            .await
            .map_err(|e| anyhow::anyhow!("full recount: {e}"))?;
        for t in &all {
            let kept = r.totals.iter().find(|k| k.gateway == t.gateway);
            let same = kept == Some(t);
            recount_differs |= !same;
            println!(
                "Recounted {}: {} gifts, settled {}, ledger {}{}",
                t.gateway,
                t.settled_count,
                t.settled_rials,
                t.ledger_rials,
                if same {
                    ""
                } else {
                    "  ← the running totals differ"
                }
            );
        }
        recount_differs |= r.totals.len() != all.len();
    }
    if !r.balanced() || !health.is_sound() || recount_differs {
        anyhow::bail!("the books do not reconcile");
    }
    Ok(())
}

/// `karamat create-admin`.
pub async fn create_admin(config: &Config, email: &str, name: &str) -> anyhow::Result<()> {
    let conn = server::connect_and_migrate(config).await?;
    let email =
        app::validation::email(email).map_err(|k| anyhow::anyhow!("invalid email ({k})"))?;
    let password = match std::env::var("KARAMAT_ADMIN_PASSWORD") {
        Ok(p) => p,
        Err(_) => rpassword::prompt_password("Password for the new administrator: ")?,
    };
    app::validation::password(&password).map_err(|k| anyhow::anyhow!("password refused ({k})"))?;
    let hash = hash_password(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let user = create_user(
        &conn,
        NewUser {
            email: Some(&email),
            display_name: name,
            password_hash: hash,
            role: Role::NationalAdmin,
            locale: "fa",
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("could not create the administrator: {e}"))?;
    println!(
        "Created national administrator {} ({email})",
        user.public_id
    );
    Ok(())
}

pub fn print_checked(what: &str, c: &server::backup::Checked) {
    if c.bytes > 0 {
        println!("{what}: {} ({} bytes)", c.path.display(), c.bytes);
    } else {
        println!("{what}");
    }
    println!(
        "  {} migrations, {} settled gifts, {} ledger groups (balanced), {} audit entries (chain intact)",
        c.migrations, c.settled_gifts, c.ledger_transactions, c.audit_entries
    );
}
