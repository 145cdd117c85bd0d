//! The reconciler: asks the gateway again about open gifts, closes the ones never started, and
//! compares the ledger with the gateway's totals.

use super::*;

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
/// gateways settled with what the ledger holds.
pub async fn reconcile(
    state: &AppState,
    older_than: chrono::Duration,
) -> Result<Reconciliation, AppError> {
    let db = &state.db;
    let mut report = Reconciliation::default();
    let now = Utc::now();
    let stale = donation::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(donation::Column::Status.eq("pending"))
                .add(
                    sea_orm::Condition::all()
                        .add(donation::Column::Status.is_in(["cancelled", "failed"]))
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
        .col_expr(donation::Column::Status, Expr::value("failed"))
        .col_expr(donation::Column::RecheckedAt, Expr::value(now))
        .filter(donation::Column::Status.eq("pending"))
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
        match settle(state, &d.gateway, &authority, d.status == "pending").await {
            Ok(r) if r.outcome == Settled::Now => report.settled_now += 1,
            Ok(r) if r.outcome == Settled::Pending => report.still_pending += 1,
            Ok(_) if d.status != "pending" => {
                // Asked once more and still not paid: closed for good.
                donation::Entity::update_many()
                    .col_expr(donation::Column::RecheckedAt, Expr::value(Utc::now()))
                    .filter(donation::Column::Id.eq(d.id))
                    .filter(donation::Column::Status.is_in(["cancelled", "failed"]))
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
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            backend,
            "SELECT gateway, CAST(COUNT(*) AS BIGINT) AS n, CAST(COALESCE(SUM(amount_rials), 0) AS BIGINT) AS s \
             FROM donations WHERE status = 'settled' GROUP BY gateway ORDER BY gateway",
        ))
        .await?;
    for r in rows {
        let gateway: String = r.try_get("", "gateway")?;
        let code = Account::Gateway(gateway.clone()).code();
        let ledger_rials = db
            .query_one_raw(crate::platform::db::stmt(
                backend,
                "SELECT CAST(COALESCE(SUM(e.amount_rials), 0) AS BIGINT) AS s FROM ledger_entries e \
                 JOIN ledger_accounts a ON a.id = e.account_id JOIN ledger_transactions t ON t.id = e.transaction_id \
                 WHERE a.code = ? AND t.kind = 'gift' AND e.amount_rials > 0",
                [code.into()],
            ))
            .await?
            .map(|row| row.try_get::<i64>("", "s"))
            .transpose()?
            .unwrap_or(0);
        report.totals.push(GatewayTotals {
            gateway,
            settled_count: r.try_get("", "n")?,
            settled_rials: r.try_get("", "s")?,
            ledger_rials,
        });
    }
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
