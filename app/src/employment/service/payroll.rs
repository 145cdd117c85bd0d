//! Wages: the monthly run that splits each worker's pay by the rule in force, payslips, and
//! paying out what the association holds for workers.

use super::*;

/// One worker's month, as the wage run reads it.
#[derive(Debug, Clone)]
pub(super) struct Due {
    assignment_id: i64,
    prisoner_id: i64,
    family_id: Option<i64>,
    model: WageModel,
    rate: i64,
    minutes: i64,
    pieces: i64,
}

/// How many workers a wage-run transaction pays.
pub(super) const WAGE_CHUNK: usize = 200;

/// Pays every worker's month in scope (all of it for the system itself, `who = None`), once:
/// gross from the logged minutes or accepted pieces (logs under an open dispute wait: their
/// contract's workers are left for a later run), split under the rule in force on the month's
/// first day, each wage one balanced ledger group — workshop wages → the family's support fund,
/// the worker's release campaign (never past its goal; the rest to his savings), restitution,
/// his savings, and what he is owed. A second run pays nobody twice (a unique row per worker and
/// month is claimed before posting).
pub async fn wage_run(
    state: &AppState,
    who: Option<&Authed>,
    period: &str,
) -> Result<WageRunReport, AppError> {
    crate::platform::metrics::timed("wage_run", run_wages(state, who, period)).await
}

pub(super) async fn run_wages(
    state: &AppState,
    who: Option<&Authed>,
    period: &str,
) -> Result<WageRunReport, AppError> {
    let (period, from, to) = period_range(period)?;
    if from > today() {
        return Err(AppError::invalid("period", "employment.period_future"));
    }
    let db = &state.db;
    let due = dues(db, who, &period, from, to).await?;
    let mut campaigns = campaigns_taking(db, &due).await?;
    let mut report = WageRunReport {
        period: period.clone(),
        already_paid: already_paid(db, &period).await?,
        ..Default::default()
    };
    let actor = who.map(|w| w.user_id);
    for chunk in due.chunks(WAGE_CHUNK) {
        let txn = audit::begin(db).await?;
        let (rule_id, rule) = rule_row(&txn, from).await?;
        let run = Run {
            period: &period,
            rule_id,
            rule,
            wages_acct: ledger::account_id(&txn, &Account::Wages).await?,
            restitution_acct: ledger::account_id(&txn, &Account::Restitution).await?,
            actor,
        };
        let mut paid = 0i64;
        for d in chunk {
            if pay_one(&txn, &run, d, &mut campaigns, &mut report).await? {
                paid += 1;
            }
        }
        if paid > 0 {
            audit::record(
                &txn,
                Entry::new(
                    actor,
                    "wages.paid",
                    "period",
                    &period,
                    serde_json::json!({ "workers": paid }),
                ),
            )
            .await?;
        }
        txn.commit().await?;
    }
    tracing::info!(period = %report.period, payments = report.payments, gross = report.gross_rials, "wage run");
    Ok(report)
}

/// Every worker's month still to pay in the person's scope: hours and pieces of the month,
/// leaving out contracts with an open dispute in it and workers already paid for it.
async fn dues(
    db: &sea_orm::DatabaseConnection,
    who: Option<&Authed>,
    period: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Due>, AppError> {
    let scope = match who.and_then(|w| w.province_filter()) {
        None => String::new(),
        Some(ids) if ids.is_empty() => " AND 1 = 0".into(),
        Some(ids) => format!(
            " AND pz.province_id IN ({})",
            ids.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let open =
        "SELECT d.contract_id FROM production_logs d WHERE d.work_date >= ? AND d.work_date < ? \
                AND d.disputed = ? AND d.resolved_at IS NULL";
    let sql = format!(
        "SELECT a.id, a.prisoner_id, pr.family_id, c.wage_model, c.wage_rate_rials, \
         CAST(SUM(h.minutes) AS BIGINT), CAST(SUM(h.pieces) AS BIGINT) \
         FROM production_hours h \
         JOIN production_logs l ON l.id = h.log_id \
         JOIN worker_assignments a ON a.id = h.assignment_id \
         JOIN contracts c ON c.id = a.contract_id \
         JOIN workshops w ON w.id = c.workshop_id \
         JOIN prisons pz ON pz.id = w.prison_id \
         JOIN prisoners pr ON pr.id = a.prisoner_id \
         WHERE l.work_date >= ? AND l.work_date < ?{scope} \
         AND c.id NOT IN ({open}) \
         AND NOT EXISTS (SELECT 1 FROM wage_payments wp WHERE wp.assignment_id = a.id AND wp.period = ?) \
         GROUP BY a.id, a.prisoner_id, pr.family_id, c.wage_model, c.wage_rate_rials \
         ORDER BY a.id"
    );
    let rows = db
        .query_all_raw(stmt(
            db.get_database_backend(),
            &sql,
            vec![
                from.into(),
                to.into(),
                from.into(),
                to.into(),
                true.into(),
                period.into(),
            ],
        ))
        .await?;
    let mut due = Vec::with_capacity(rows.len());
    for r in rows {
        let model: String = r.try_get_by_index(3)?;
        due.push(Due {
            assignment_id: r.try_get_by_index(0)?,
            prisoner_id: r.try_get_by_index(1)?,
            family_id: r.try_get_by_index(2)?,
            model: WageModel::parse(&model).unwrap_or(WageModel::Hourly),
            rate: r.try_get_by_index(4)?,
            minutes: r.try_get_by_index(5)?,
            pieces: r.try_get_by_index(6)?,
        });
    }
    Ok(due)
}

async fn already_paid(db: &sea_orm::DatabaseConnection, period: &str) -> Result<i64, AppError> {
    Ok(db
        .query_one_raw(stmt(
            db.get_database_backend(),
            "SELECT CAST(COUNT(*) AS BIGINT) FROM wage_payments WHERE period = ?",
            vec![period.into()],
        ))
        .await?
        .map(|r| r.try_get_by_index::<i64>(0))
        .transpose()?
        .unwrap_or(0))
}

/// Release campaigns taking money, by prisoner: the campaign's id (what it still lacks is read
/// under the run's transaction, [`FundTarget::lacks`]).
async fn campaigns_taking(
    db: &sea_orm::DatabaseConnection,
    due: &[Due],
) -> Result<HashMap<i64, i64>, AppError> {
    let prisoner_ids: Vec<i64> = due.iter().map(|d| d.prisoner_id).collect();
    let mut campaigns = HashMap::new();
    for chunk in prisoner_ids.chunks(500) {
        for c in release_campaign::Entity::find()
            .filter(release_campaign::Column::PrisonerId.is_in(chunk.to_vec()))
            .filter(release_campaign::Column::Status.eq(CampaignStatus::Published))
            .all(db)
            .await?
        {
            campaigns.insert(c.prisoner_id, c.id);
        }
    }
    Ok(campaigns)
}

/// What one transaction of a wage run pays with.
struct Run<'a> {
    period: &'a str,
    rule_id: i64,
    rule: Rule,
    wages_acct: i64,
    restitution_acct: i64,
    actor: Option<i64>,
}

/// Pays one worker's month inside the run's transaction; false when there was nothing to pay or
/// another run paid it first.
async fn pay_one(
    txn: &DatabaseTransaction,
    run: &Run<'_>,
    d: &Due,
    campaigns: &mut HashMap<i64, i64>,
    report: &mut WageRunReport,
) -> Result<bool, AppError> {
    let Some(gross) = wages::gross(d.model, d.rate, d.minutes, d.pieces) else {
        tracing::error!(assignment = d.assignment_id, "wage overflow; left unpaid");
        return Ok(false);
    };
    if gross <= 0 {
        return Ok(false);
    }
    let campaign = campaigns.get(&d.prisoner_id).copied();
    let mut split = wages::split(gross, &run.rule, d.family_id.is_some(), campaign.is_some());
    // A campaign takes no more than it lacks; the rest is the worker's savings.
    let mut campaign_met = None;
    if let Some(cid) = campaign {
        let acct = ledger::account_id(txn, &Account::Campaign(cid)).await?;
        let lacks = FundTarget::Campaign(cid).lacks(txn, acct).await?;
        if split.release >= lacks {
            split.savings += split.release - lacks;
            split.release = lacks;
            campaign_met = Some(cid);
        }
    }
    if !claim(txn, run, d, &split).await? {
        report.already_paid += 1;
        return Ok(false);
    }
    let tid = post_wages(txn, run, d, &split, campaign).await?;
    wage_payment::Entity::update_many()
        .col_expr(wage_payment::Column::TransactionId, Expr::value(tid))
        .filter(wage_payment::Column::AssignmentId.eq(d.assignment_id))
        .filter(wage_payment::Column::Period.eq(run.period))
        .exec(txn)
        .await?;
    if let Some(cid) = campaign_met {
        FundTarget::Campaign(cid)
            .mark_funded(txn, Utc::now())
            .await?;
        campaigns.remove(&d.prisoner_id);
    }
    report.payments += 1;
    report.gross_rials += split.gross;
    report.family_rials += split.family;
    report.release_rials += split.release;
    report.restitution_rials += split.restitution;
    report.savings_rials += split.savings;
    report.net_rials += split.net;
    Ok(true)
}

/// Claims the worker's month first: a concurrent run finds it taken and skips (false).
async fn claim(
    txn: &DatabaseTransaction,
    run: &Run<'_>,
    d: &Due,
    split: &wages::Split,
) -> Result<bool, AppError> {
    let claimed = wage_payment::Entity::insert(wage_payment::ActiveModel {
        assignment_id: Set(d.assignment_id),
        prisoner_id: Set(d.prisoner_id),
        rule_id: Set(run.rule_id),
        period: Set(run.period.to_string()),
        gross_rials: Set(split.gross),
        family_rials: Set(split.family),
        release_rials: Set(split.release),
        restitution_rials: Set(split.restitution),
        savings_rials: Set(split.savings),
        net_rials: Set(split.net),
        transaction_id: Set(None),
        created_at: Set(Utc::now()),
        minutes: Set(d.minutes),
        pieces: Set(d.pieces),
        rate_rials: Set(d.rate),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            wage_payment::Column::AssignmentId,
            wage_payment::Column::Period,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    Ok(claimed > 0)
}

/// The wage's one ledger group: the wage bill to the family's fund, the release campaign, the
/// pooled restitution, the worker's savings and his pay.
async fn post_wages(
    txn: &DatabaseTransaction,
    run: &Run<'_>,
    d: &Due,
    split: &wages::Split,
    campaign: Option<i64>,
) -> Result<i64, AppError> {
    let mut lines = vec![debit(run.wages_acct, split.gross)];
    if let Some(fid) = d.family_id.filter(|_| split.family > 0) {
        lines.push(credit(
            ledger::account_id(txn, &Account::Family(fid)).await?,
            split.family,
        ));
    }
    if let Some(cid) = campaign.filter(|_| split.release > 0) {
        lines.push(credit(
            ledger::account_id(txn, &Account::Campaign(cid)).await?,
            split.release,
        ));
    }
    if split.restitution > 0 {
        lines.push(credit(run.restitution_acct, split.restitution));
    }
    if split.savings > 0 {
        lines.push(credit(
            ledger::account_id(txn, &Account::Savings(d.prisoner_id)).await?,
            split.savings,
        ));
    }
    if split.net > 0 {
        lines.push(credit(
            ledger::account_id(txn, &Account::WorkerPay(d.prisoner_id)).await?,
            split.net,
        ));
    }
    ledger::post(
        txn,
        Posting {
            kind: "wages",
            memo: &format!("wages {}", run.period),
            donation_id: None,
            created_by: run.actor,
        },
        &lines,
    )
    .await
}

pub async fn payslips(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
    period: &str,
) -> Result<Vec<Payslip>, AppError> {
    let (c, _) = contract_for(state, viewer, Permission::ViewEmployment, code).await?;
    let (period, _, _) = period_range(period)?;
    let assignments: HashMap<i64, String> = worker_assignment::Entity::find()
        .filter(worker_assignment::Column::ContractId.eq(c.id))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.worker_code))
        .collect();
    let pays = wage_payment::Entity::find()
        .filter(
            wage_payment::Column::AssignmentId
                .is_in(assignments.keys().copied().collect::<Vec<_>>()),
        )
        .filter(wage_payment::Column::Period.eq(&period))
        .all(&state.db)
        .await?;
    let rules: HashMap<i64, wage_rule::Model> = wage_rule::Entity::find()
        .filter(wage_rule::Column::Id.is_in(pays.iter().map(|p| p.rule_id).collect::<Vec<_>>()))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let mut out: Vec<Payslip> = pays
        .into_iter()
        .map(|p| {
            let cap_bp = rules
                .get(&p.rule_id)
                .map(|r| r.cap_bp as i64)
                .unwrap_or(DEFAULT_RULE.cap_bp);
            Payslip {
                worker_code: assignments
                    .get(&p.assignment_id)
                    .cloned()
                    .unwrap_or_default(),
                contract_code: c.public_code.clone(),
                period: p.period.clone(),
                wage_model: c.wage_model.clone(),
                rate_rials: p.rate_rials,
                minutes: p.minutes,
                pieces: p.pieces,
                cap_bp,
                split: wages::Split {
                    gross: p.gross_rials,
                    family: p.family_rials,
                    release: p.release_rials,
                    restitution: p.restitution_rials,
                    savings: p.savings_rials,
                    net: p.net_rials,
                    cap: (p.gross_rials as i128 * cap_bp as i128 / wages::FULL_BP as i128) as i64,
                    capped: false,
                },
            }
        })
        .collect();
    out.sort_by(|a, b| a.worker_code.cmp(&b.worker_code));
    Ok(out)
}

/// Pays out what the association holds for the workers in the person's scope: each worker's net
/// wages (`fund:worker:*`) into his prison account, and the savings kept for release
/// (`fund:savings:*`) to those released (savings of people still inside stay). One ledger group
/// per person and kind, from the fund to the bank, under the bank transfer's reference. Balances
/// are read after the audit lock is taken, so two officers paying at once pay once.
pub async fn pay_workers(
    state: &AppState,
    who: &Authed,
    reference: &str,
) -> Result<PayoutReport, AppError> {
    if !Permission::PayWages.allows(who.role()) {
        return Err(AppError::Forbidden);
    }
    let reference = validation::normalize_persian(reference);
    if !(3..=60).contains(&reference.chars().count()) {
        return Err(AppError::invalid(
            "reference",
            "employment.reference_invalid",
        ));
    }
    let db = &state.db;
    let txn = audit::begin(db).await?;
    let held = txn
        .query_all_raw(Statement::from_string(
            txn.get_database_backend(),
            "SELECT a.id, a.code, CAST(SUM(e.amount_rials) AS BIGINT) FROM ledger_accounts a \
             JOIN ledger_entries e ON e.account_id = a.id \
             WHERE a.code LIKE 'fund:worker:%' OR a.code LIKE 'fund:savings:%' \
             GROUP BY a.id, a.code HAVING SUM(e.amount_rials) < 0"
                .to_string(),
        ))
        .await?;
    // (account, prisoner, amount, is savings)
    let mut due = Vec::new();
    for row in held {
        let (acct, code, sum): (i64, String, i64) = (
            row.try_get_by_index(0)?,
            row.try_get_by_index(1)?,
            row.try_get_by_index(2)?,
        );
        let savings = code.starts_with("fund:savings:");
        if let Some(pid) = code.rsplit(':').next().and_then(|s| s.parse::<i64>().ok()) {
            due.push((acct, pid, -sum, savings));
        }
    }
    let people: HashMap<i64, prisoner::Model> = prisoner::Entity::find()
        .filter(prisoner::Column::Id.is_in(due.iter().map(|d| d.1).collect::<BTreeSet<_>>()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let prisons: HashMap<i64, prison::Model> = prison::Entity::find()
        .all(&txn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let bank = ledger::account_id(&txn, &Account::Bank).await?;
    let mut report = PayoutReport::default();
    for (acct, pid, amount, savings) in due {
        let Some(p) = people.get(&pid) else { continue };
        let Some(pr) = prisons.get(&p.prison_id) else {
            continue;
        };
        if !who.covers(pr.province_id, Some(pr.id)) || (savings && p.released_on.is_none()) {
            continue;
        }
        ledger::post(
            &txn,
            ledger::Posting {
                kind: "payout",
                memo: if savings {
                    "savings paid to the released worker"
                } else {
                    "net wages paid into the worker's prison account"
                },
                donation_id: None,
                created_by: Some(who.user_id),
            },
            &[ledger::debit(acct, amount), ledger::credit(bank, amount)],
        )
        .await?;
        if savings {
            report.released += 1;
            report.savings_rials += amount;
        } else {
            report.workers += 1;
            report.wages_rials += amount;
        }
    }
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            "wages.paid_out",
            "payout",
            &reference,
            serde_json::json!({
                "workers": report.workers, "wages_rials": report.wages_rials,
                "released": report.released, "savings_rials": report.savings_rials,
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(report)
}
