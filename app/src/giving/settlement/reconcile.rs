//! The reconciler: asks the gateway again about open gifts, closes the ones never started, and
//! compares the ledger with the gateway's totals.

use super::*;
use crate::platform::watermark;
use chrono::DateTime;
use std::collections::BTreeMap;

/// Gateway-settled totals against the ledger, per gateway.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GatewayTotals {
    pub gateway: String,
    /// Settled donations, as recorded.
    pub settled_count: i64,
    pub settled_rials: i64,
    /// Debits to the gateway's clearing account from gift transactions.
    pub ledger_rials: i64,
}

impl GatewayTotals {
    /// A row with the columns `gateway`, `settled_count`, `settled_rials` and `ledger_rials`.
    fn from_row(r: &sea_orm::QueryResult) -> Result<Self, AppError> {
        Ok(GatewayTotals {
            gateway: r.try_get("", "gateway")?,
            settled_count: r.try_get("", "settled_count")?,
            settled_rials: r.try_get("", "settled_rials")?,
            ledger_rials: r.try_get("", "ledger_rials")?,
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reconciliation {
    /// Pending gifts asked about again (their callback never came, or verify failed).
    pub retried: usize,
    pub settled_now: usize,
    /// Gifts that never reached a bank (the server stopped between recording the gift and the
    /// bank's answer, so the donor was never sent to pay): closed as `failed`.
    pub closed_unstarted: usize,
    pub still_pending: usize,
    pub totals: Vec<GatewayTotals>,
    pub open_flags: i64,
    /// The watermark: gifts settled before it are in the running totals (`reconciled_totals`).
    pub folded_through: Option<DateTime<Utc>>,
}

impl Reconciliation {
    /// Gateways whose settled total differs from what the ledger holds for them.
    pub fn mismatched(&self) -> usize {
        self.totals
            .iter()
            .filter(|t| t.settled_rials != t.ledger_rials)
            .count()
    }

    pub fn balanced(&self) -> bool {
        self.mismatched() == 0
    }
}

/// How far back the reconciler looks for gifts left `cancelled` or `failed`: a gateway's payment
/// page expires long before this, so a gift not paid by then never will be.
pub const RECHECK_WINDOW_HOURS: i64 = 48;

/// Asks the gateways again about every gift still open (pending, or cancelled/failed within
/// [`RECHECK_WINDOW_HOURS`]) and older than `older_than`: a payer who closed the browser after
/// paying, or paid after a forged "cancelled", still has the gift settled. Then compares what
/// gateways settled with what the ledger holds: the running totals up to the watermark plus the
/// gifts settled since (`watermark::fold`), never a sum over every gift.
pub async fn reconcile(
    state: &AppState,
    older_than: chrono::Duration,
) -> Result<Reconciliation, AppError> {
    reconcile_at(state, older_than, Utc::now()).await
}

/// [`reconcile`] as if the clock said `now` (the tests move time forward to see gifts folded).
pub async fn reconcile_at(
    state: &AppState,
    older_than: chrono::Duration,
    now: DateTime<Utc>,
) -> Result<Reconciliation, AppError> {
    let db = &state.db;
    let mut report = Reconciliation::default();
    let stale = donation::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(donation::Column::Status.eq(DonationStatus::Pending))
                .add(
                    sea_orm::Condition::all()
                        .add(
                            donation::Column::Status
                                .is_in([DonationStatus::Cancelled, DonationStatus::Failed]),
                        )
                        .add(donation::Column::RecheckedAt.is_null())
                        .add(
                            donation::Column::CreatedAt
                                .gt(now - chrono::Duration::hours(RECHECK_WINDOW_HOURS)),
                        ),
                ),
        )
        .filter(donation::Column::GatewayAuthority.is_not_null())
        .filter(donation::Column::CreatedAt.lt(now - older_than))
        .all(db)
        .await?;
    // Recorded, but the bank's authority never stored: the donor was never redirected to pay,
    // and nothing can settle it. Left alone they would stay pending for ever.
    report.closed_unstarted = donation::Entity::update_many()
        .col_expr(
            donation::Column::Status,
            Expr::value(DonationStatus::Failed),
        )
        .col_expr(donation::Column::RecheckedAt, Expr::value(now))
        .filter(donation::Column::Status.eq(DonationStatus::Pending))
        .filter(donation::Column::GatewayAuthority.is_null())
        .filter(donation::Column::CreatedAt.lt(now - older_than))
        .exec(db)
        .await?
        .rows_affected as usize;
    if report.closed_unstarted > 0 {
        tracing::info!(
            gifts = report.closed_unstarted,
            "gifts that never reached a bank closed"
        );
    }
    for d in stale {
        let Some(authority) = d.gateway_authority.clone() else {
            continue;
        };
        report.retried += 1;
        match settle(
            state,
            &d.gateway,
            &authority,
            d.status == DonationStatus::Pending,
        )
        .await
        {
            Ok(r) if r.outcome == Settled::Now => report.settled_now += 1,
            Ok(r) if r.outcome == Settled::Pending => report.still_pending += 1,
            Ok(_) if d.status != DonationStatus::Pending => {
                // Asked once more and still not paid: closed for good.
                donation::Entity::update_many()
                    .col_expr(donation::Column::RecheckedAt, Expr::value(Utc::now()))
                    .filter(donation::Column::Id.eq(d.id))
                    .filter(
                        donation::Column::Status
                            .is_in([DonationStatus::Cancelled, DonationStatus::Failed]),
                    )
                    .exec(db)
                    .await?;
            }
            Ok(_) => {}
            Err(e) => {
                report.still_pending += 1;
                tracing::warn!(tracking = %d.tracking_code, error = %e, "reconcile: settle failed");
            }
        }
    }
    report.folded_through = watermark::fold::<Gateways>(db, now).await?;
    report.totals = watermark::current::<Gateways>(db)
        .await?
        .into_values()
        .collect();
    report.open_flags = finance_flag::Entity::find()
        .filter(finance_flag::Column::ResolvedAt.is_null())
        .count(db)
        .await? as i64;
    crate::platform::metrics::reconciled(
        report.retried,
        report.settled_now,
        report.mismatched(),
        report.open_flags,
    );
    Ok(report)
}

/// Gifts settled longer ago than this are folded into the running totals.
pub const FOLD_AFTER_MINUTES: i64 = watermark::MARGIN_MINUTES;
/// The `settings` key of the watermark (RFC 3339; absent until the first pass).
pub const THROUGH_KEY: &str = "reconcile.through";

/// The reconciler's running totals (`reconciled_totals`), per gateway.
struct Gateways;

impl watermark::RunningTotals for Gateways {
    const KEY: &'static str = THROUGH_KEY;
    type Sums = BTreeMap<String, GatewayTotals>;

    /// What the gateways settled and what the ledger holds for them, for the gifts settled in
    /// `[from, to)` (either end open), per gateway:
    /// * each settled gift with the gateway debits of its own gift transactions, so a gift posted
    ///   twice, not at all or for another amount shows as a difference;
    /// * gift transactions written in the same span whose gift is not settled (or missing): money in
    ///   the ledger no gateway confirmed.
    ///
    /// Both read through indexes (`donations(status, settled_at)`, `ledger_transactions(donation_id)`
    /// and `(kind, created_at)`), so a span of minutes costs milliseconds.
    async fn span<C: ConnectionTrait + Sync>(
        db: &C,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Self::Sums, AppError> {
        let backend = db.get_database_backend();
        let prefix = Account::Gateway(String::new()).code();
        let mut values = Vec::new();
        let within = watermark::span_sql("d.settled_at", from, to, &mut values);
        let settled = db
            .query_all_raw(crate::platform::db::stmt(
                backend,
                &format!(
                    "SELECT d.gateway AS gateway, CAST(COUNT(*) AS BIGINT) AS settled_count, \
                     CAST(COALESCE(SUM(d.amount_rials), 0) AS BIGINT) AS settled_rials, \
                     CAST(COALESCE(SUM((SELECT COALESCE(SUM(e.amount_rials), 0) FROM ledger_transactions t \
                       JOIN ledger_entries e ON e.transaction_id = t.id JOIN ledger_accounts a ON a.id = e.account_id \
                       WHERE t.donation_id = d.id AND t.kind = 'gift' AND e.amount_rials > 0 \
                       AND a.code = '{prefix}' || d.gateway)), 0) AS BIGINT) AS ledger_rials \
                     FROM donations d WHERE d.status = 'settled'{within} GROUP BY d.gateway"
                ),
                values,
            ))
            .await?;
        let mut out = BTreeMap::new();
        for r in settled {
            let t = GatewayTotals::from_row(&r)?;
            out.insert(t.gateway.clone(), t);
        }
        let mut values = Vec::new();
        let within = watermark::span_sql("t.created_at", from, to, &mut values);
        let unconfirmed = db
            .query_all_raw(crate::platform::db::stmt(
                backend,
                &format!(
                    "SELECT a.code AS code, CAST(COALESCE(SUM(e.amount_rials), 0) AS BIGINT) AS l \
                     FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_id = t.id \
                     JOIN ledger_accounts a ON a.id = e.account_id LEFT JOIN donations d ON d.id = t.donation_id \
                     WHERE t.kind = 'gift'{within} AND e.amount_rials > 0 AND a.code LIKE '{prefix}%' \
                     AND (d.id IS NULL OR d.status <> 'settled') GROUP BY a.code"
                ),
                values,
            ))
            .await?;
        for r in unconfirmed {
            let code: String = r.try_get("", "code")?;
            let gateway = code.trim_start_matches(prefix.as_str()).to_string();
            tracing::error!(%gateway, "gift entries in the ledger for gifts no gateway settled");
            out.entry(gateway.clone())
                .or_insert_with(|| GatewayTotals {
                    gateway,
                    ..Default::default()
                })
                .ledger_rials += r.try_get::<i64>("", "l")?;
        }
        Ok(out)
    }

    async fn store(txn: &DatabaseTransaction, sums: &Self::Sums) -> Result<(), AppError> {
        let now = Utc::now();
        for t in sums.values() {
            txn.execute_raw(crate::platform::db::stmt(
                txn.get_database_backend(),
                "INSERT INTO reconciled_totals (gateway, settled_count, settled_rials, ledger_rials, updated_at) \
                 VALUES (?, ?, ?, ?, ?) ON CONFLICT (gateway) DO UPDATE SET \
                 settled_count = reconciled_totals.settled_count + excluded.settled_count, \
                 settled_rials = reconciled_totals.settled_rials + excluded.settled_rials, \
                 ledger_rials = reconciled_totals.ledger_rials + excluded.ledger_rials, \
                 updated_at = excluded.updated_at",
                [
                    t.gateway.clone().into(),
                    t.settled_count.into(),
                    t.settled_rials.into(),
                    t.ledger_rials.into(),
                    now.into(),
                ],
            ))
            .await?;
        }
        Ok(())
    }

    async fn stored(txn: &DatabaseTransaction) -> Result<Self::Sums, AppError> {
        let mut totals = BTreeMap::new();
        for r in txn
            .query_all_raw(sea_orm::Statement::from_string(
                txn.get_database_backend(),
                "SELECT gateway, settled_count, settled_rials, ledger_rials FROM reconciled_totals",
            ))
            .await?
        {
            let t = GatewayTotals::from_row(&r)?;
            totals.insert(t.gateway.clone(), t);
        }
        Ok(totals)
    }

    fn merge(into: &mut Self::Sums, more: Self::Sums) {
        for (g, t) in more {
            let e = into.entry(g).or_insert_with(|| GatewayTotals {
                gateway: t.gateway.clone(),
                ..Default::default()
            });
            e.settled_count += t.settled_count;
            e.settled_rials += t.settled_rials;
            e.ledger_rials += t.ledger_rials;
        }
    }
}

/// Every settled gift against every gift entry, counted from scratch (`karamat reconcile
/// --full`, and the tests that check the running totals against it).
pub async fn full_totals(db: &DatabaseConnection) -> Result<Vec<GatewayTotals>, AppError> {
    use watermark::RunningTotals;
    Ok(Gateways::span(db, None, None)
        .await?
        .into_values()
        .collect())
}
