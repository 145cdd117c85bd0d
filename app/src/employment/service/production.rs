//! Production: daily logs, disputes and their resolution, the month's invoice and its payment.

use super::*;

/// Hours as typed (`8`, `7.5`, `۷٫۵`, `7:30`) in minutes; 0 < h ≤ 12.
pub fn parse_hours(input: &str) -> Result<i64, AppError> {
    let s = validation::latin_digits(input.trim()).replace(['٫', '/'], ".");
    let bad = || AppError::invalid("hours", "employment.hours_invalid");
    let minutes = if let Some((h, m)) = s.split_once(':') {
        let h: i64 = h.trim().parse().map_err(|_| bad())?;
        let m: i64 = m.trim().parse().map_err(|_| bad())?;
        if !(0..60).contains(&m) {
            return Err(bad());
        }
        h * 60 + m
    } else if let Some((h, frac)) = s.split_once('.') {
        let h: i64 = if h.is_empty() {
            0
        } else {
            h.trim().parse().map_err(|_| bad())?
        };
        let frac = frac.trim();
        if frac.is_empty() || frac.len() > 2 || !frac.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        let hundredths: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
        h * 60 + hundredths * 60 / 100
    } else {
        s.parse::<i64>().map_err(|_| bad())? * 60
    };
    if minutes <= 0 || minutes > 12 * 60 {
        return Err(bad());
    }
    Ok(minutes)
}

pub async fn log_production(
    state: &AppState,
    who: &Authed,
    form: &ProductionForm,
) -> Result<i64, AppError> {
    let (c, _) = staff_contract(state, who, Permission::ManageWorkers, &form.contract).await?;
    if c.status != ContractStatus::Active {
        return Err(AppError::invalid("status", "employment.not_active"));
    }
    let date = parse_date(&form.date, "date")?;
    if date < c.starts_on || date > c.ends_on || date > today() {
        return Err(AppError::invalid("date", "employment.log_date"));
    }
    let quantity = parse_count(&form.quantity, "quantity", 10_000_000)?;
    let accepted = parse_count(&form.accepted, "accepted", 10_000_000)?;
    let rejected = parse_count(&form.rejected, "rejected", 10_000_000)?;
    if accepted + rejected != quantity {
        return Err(AppError::invalid("quantity", "employment.quality_mismatch"));
    }
    let workers: HashMap<String, worker_assignment::Model> = worker_assignment::Entity::find()
        .filter(worker_assignment::Column::ContractId.eq(c.id))
        .filter(worker_assignment::Column::Status.eq(AssignmentStatus::Active))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|a| (a.worker_code.clone(), a))
        .collect();
    let mut lines: Vec<(i64, i64, i64)> = Vec::new();
    let mut seen = BTreeSet::new();
    for e in form.entries.iter().filter(|e| !e.hours.trim().is_empty()) {
        let a = workers
            .get(e.worker.trim())
            .ok_or_else(|| AppError::invalid("entries", "employment.unknown_worker"))?;
        if !seen.insert(a.id) {
            return Err(AppError::invalid("entries", "employment.unknown_worker"));
        }
        let minutes = parse_hours(&e.hours)?;
        let pieces = match e.pieces.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) => parse_count(p, "pieces", 10_000_000)?,
            None => 0,
        };
        lines.push((a.id, minutes, pieces));
    }
    if lines.is_empty() {
        return Err(AppError::invalid("entries", "employment.no_hours"));
    }
    let pieces: i64 = lines.iter().map(|l| l.2).sum();
    if pieces > accepted {
        return Err(AppError::invalid(
            "entries",
            "employment.pieces_over_accepted",
        ));
    }
    if c.wage_model == "piece" && pieces != accepted {
        return Err(AppError::invalid("entries", "employment.pieces_unassigned"));
    }
    let txn = audit::begin(&state.db).await?;
    let exists = production_log::Entity::find()
        .filter(production_log::Column::ContractId.eq(c.id))
        .filter(production_log::Column::WorkDate.eq(date))
        .one(&txn)
        .await?
        .is_some();
    if exists {
        return Err(AppError::invalid("date", "employment.log_exists"));
    }
    let by_code: BTreeMap<String, i64> = lines
        .iter()
        .filter_map(|(id, m, _)| {
            workers
                .values()
                .find(|a| a.id == *id)
                .map(|a| (a.worker_code.clone(), *m))
        })
        .collect();
    let log = production_log::ActiveModel {
        contract_id: Set(c.id),
        work_date: Set(date),
        quantity: Set(quantity),
        accepted: Set(accepted),
        rejected: Set(rejected),
        hours_by_worker: Set(serde_json::to_string(&by_code).unwrap_or_default()),
        logged_by: Set(Some(who.user_id)),
        disputed: Set(false),
        dispute_note: Set(None),
        resolved_at: Set(None),
        created_at: Set(Utc::now()),
        resolution_note: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    production_hour::Entity::insert_many(lines.iter().map(|(a, m, p)| {
        production_hour::ActiveModel {
            log_id: Set(log.id),
            assignment_id: Set(*a),
            minutes: Set(*m),
            pieces: Set(*p),
            ..Default::default()
        }
    }))
    .exec_without_returning(&txn)
    .await?;
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            "production.logged",
            "contract",
            &c.public_code,
            serde_json::json!({ "date": date.to_string(), "accepted": accepted, "rejected": rejected, "workers": lines.len() }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(log.id)
}

/// Either side flags a day's log; it is then left out of invoices and wages until resolved.
pub async fn dispute(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
    log_id: i64,
    note: &str,
) -> Result<(), AppError> {
    let (c, _) = contract_for(state, viewer, Permission::ManageWorkers, code).await?;
    let note = normalize_persian(note);
    if !(3..=500).contains(&note.chars().count()) {
        return Err(AppError::invalid("note", "employment.note"));
    }
    let actor = match viewer {
        Viewer::Owner(o) => o.user_id,
        Viewer::Staff(a) => a.user_id,
    };
    let txn = audit::begin(&state.db).await?;
    let res = production_log::Entity::update_many()
        .col_expr(production_log::Column::Disputed, Expr::value(true))
        .col_expr(
            production_log::Column::DisputeNote,
            Expr::value(note.clone()),
        )
        .col_expr(
            production_log::Column::ResolvedAt,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .filter(production_log::Column::Id.eq(log_id))
        .filter(production_log::Column::ContractId.eq(c.id))
        .filter(production_log::Column::Disputed.eq(false))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(AppError::invalid("log", "employment.bad_transition"));
    }
    // Once wages of that month are paid, the dispute is settled by correction, not by reopening.
    audit::record(
        &txn,
        Entry::new(
            Some(actor),
            "production.disputed",
            "contract",
            &c.public_code,
            serde_json::json!({ "log": log_id }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn resolve(
    state: &AppState,
    who: &Authed,
    code: &str,
    log_id: i64,
    note: &str,
) -> Result<(), AppError> {
    let (c, _) = staff_contract(state, who, Permission::ManageContract, code).await?;
    let note = normalize_persian(note);
    if !(3..=500).contains(&note.chars().count()) {
        return Err(AppError::invalid("note", "employment.note"));
    }
    let txn = audit::begin(&state.db).await?;
    let res = production_log::Entity::update_many()
        .col_expr(production_log::Column::ResolvedAt, Expr::value(Utc::now()))
        .col_expr(production_log::Column::ResolutionNote, Expr::value(note))
        .filter(production_log::Column::Id.eq(log_id))
        .filter(production_log::Column::ContractId.eq(c.id))
        .filter(production_log::Column::Disputed.eq(true))
        .filter(production_log::Column::ResolvedAt.is_null())
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(AppError::invalid("log", "employment.bad_transition"));
    }
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            "production.resolved",
            "contract",
            &c.public_code,
            serde_json::json!({ "log": log_id }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub(super) fn invoice_view(i: &invoice::Model) -> InvoiceView {
    InvoiceView {
        code: i.public_code.clone(),
        period: i.period.clone(),
        accepted_units: i.accepted_units,
        amount_rials: i.amount_rials,
        status: i.status,
    }
}

pub(super) async fn open_disputes<C: ConnectionTrait>(
    db: &C,
    contract_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<bool, AppError> {
    Ok(production_log::Entity::find()
        .filter(production_log::Column::ContractId.eq(contract_id))
        .filter(production_log::Column::WorkDate.gte(from))
        .filter(production_log::Column::WorkDate.lt(to))
        .filter(production_log::Column::Disputed.eq(true))
        .filter(production_log::Column::ResolvedAt.is_null())
        .one(db)
        .await?
        .is_some())
}

/// The month's invoice: accepted units × unit price. Issuing twice returns the same invoice.
pub async fn issue_invoice(
    state: &AppState,
    who: &Authed,
    code: &str,
    period: &str,
) -> Result<InvoiceView, AppError> {
    let (c, _) = staff_contract(state, who, Permission::PayWages, code).await?;
    let (period, from, to) = period_range(period)?;
    if from > today() {
        return Err(AppError::invalid("period", "employment.period_future"));
    }
    if let Some(i) = invoice::Entity::find()
        .filter(invoice::Column::ContractId.eq(c.id))
        .filter(invoice::Column::Period.eq(&period))
        .one(&state.db)
        .await?
    {
        return Ok(invoice_view(&i));
    }
    if open_disputes(&state.db, c.id, from, to).await? {
        return Err(AppError::invalid("period", "employment.open_disputes"));
    }
    let accepted: i64 = production_log::Entity::find()
        .filter(production_log::Column::ContractId.eq(c.id))
        .filter(production_log::Column::WorkDate.gte(from))
        .filter(production_log::Column::WorkDate.lt(to))
        .all(&state.db)
        .await?
        .iter()
        .map(|l| l.accepted)
        .sum();
    if accepted == 0 {
        return Err(AppError::invalid("period", "employment.nothing_to_invoice"));
    }
    let amount = accepted
        .checked_mul(c.unit_price_rials)
        .ok_or_else(|| AppError::invalid("period", "validation.amount"))?;
    let txn = audit::begin(&state.db).await?;
    let row = invoice::ActiveModel {
        public_code: Set(crate::platform::public_code("INV", 8)),
        contract_id: Set(c.id),
        period: Set(period.clone()),
        accepted_units: Set(accepted),
        amount_rials: Set(amount),
        status: Set(InvoiceStatus::Issued),
        transaction_id: Set(None),
        paid_at: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    invoice::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([invoice::Column::ContractId, invoice::Column::Period])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    let i = invoice::Entity::find()
        .filter(invoice::Column::ContractId.eq(c.id))
        .filter(invoice::Column::Period.eq(&period))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::internal("invoice", "vanished"))?;
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            "invoice.issued",
            "contract",
            &c.public_code,
            serde_json::json!({ "invoice": i.public_code, "period": period, "amount": amount }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(invoice_view(&i))
}

/// The entrepreneur paid: one ledger group, bank ← contract income.
pub async fn invoice_paid(state: &AppState, who: &Authed, code: &str) -> Result<(), AppError> {
    let i = invoice::Entity::find()
        .filter(invoice::Column::PublicCode.eq(code.trim()))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let c = contract::Entity::find_by_id(i.contract_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::internal("invoice", "contract missing"))?;
    staff_contract(state, who, Permission::PayWages, &c.public_code).await?;
    let txn = audit::begin(&state.db).await?;
    let bank = ledger::account_id(&txn, &Account::Bank).await?;
    let income = ledger::account_id(&txn, &Account::ContractIncome).await?;
    let tid = ledger::post(
        &txn,
        Posting {
            kind: "invoice_payment",
            memo: &format!("invoice {} ({})", i.public_code, i.period),
            donation_id: None,
            created_by: Some(who.user_id),
        },
        &[debit(bank, i.amount_rials), credit(income, i.amount_rials)],
    )
    .await?;
    let res = invoice::Entity::update_many()
        .col_expr(invoice::Column::Status, Expr::value(InvoiceStatus::Paid))
        .col_expr(invoice::Column::TransactionId, Expr::value(tid))
        .col_expr(invoice::Column::PaidAt, Expr::value(Utc::now()))
        .filter(invoice::Column::Id.eq(i.id))
        .filter(invoice::Column::Status.eq(InvoiceStatus::Issued))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        // Already paid: the posting above rolls back with the transaction.
        return Err(AppError::invalid("status", "employment.bad_transition"));
    }
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            "invoice.paid",
            "contract",
            &c.public_code,
            serde_json::json!({ "invoice": i.public_code, "amount": i.amount_rials }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
