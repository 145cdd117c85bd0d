//! What the server counts for `/metrics`, named in one place. The `karamat serve` binary installs
//! a Prometheus recorder; without one (commands, most tests) every call here does nothing.
//!
//! Labels are closed sets (an event, a job, an outcome), never a code, an amount or a person: a
//! label value per gift would grow the scrape without bound and could identify someone.

use metrics::{counter, gauge, histogram};
use std::future::Future;
use std::time::Instant;

/// Gifts by what happened to them: `started`, `settled`, `not_paid`, `flagged`, `pending`
/// (the gateway could not be asked; the reconciler will).
pub fn gift(event: &'static str) {
    counter!("karamat_gifts_total", "event" => event).increment(1);
}

/// Seconds from a gift's start to its settlement (the payer's time at the bank included).
pub fn gift_settled_after(seconds: f64) {
    histogram!("karamat_gift_settlement_seconds").record(seconds.max(0.0));
}

/// Notifications handed to an adapter (`sent`) or refused by it (`failed`).
pub fn notifications(outcome: &'static str, n: usize) {
    counter!("karamat_notifications_total", "outcome" => outcome).increment(n as u64);
}

/// One reconciler pass: gifts asked about again, settled by it, and gateways whose settled total
/// disagrees with the ledger (any value above zero is an alert).
pub fn reconciled(retried: usize, settled_now: usize, mismatched_gateways: usize, open_flags: i64) {
    counter!("karamat_reconcile_retried_total").increment(retried as u64);
    counter!("karamat_reconcile_settled_total").increment(settled_now as u64);
    gauge!("karamat_reconcile_mismatched_gateways").set(mismatched_gateways as f64);
    gauge!("karamat_finance_flags_open").set(open_flags as f64);
}

/// Runs one background job (or a long staff action such as a wage run), recording its duration
/// and whether it failed, under `job`.
pub async fn timed<T, E>(
    job: &'static str,
    work: impl Future<Output = Result<T, E>>,
) -> Result<T, E> {
    let started = Instant::now();
    let result = work.await;
    histogram!("karamat_job_duration_seconds", "job" => job)
        .record(started.elapsed().as_secs_f64());
    let outcome = if result.is_ok() { "ok" } else { "error" };
    counter!("karamat_job_runs_total", "job" => job, "outcome" => outcome).increment(1);
    result
}
