//! Reading restitution: the register in a person's scope and a worker's record. Claimants are
//! opened only for those who pay and approve, and each opening is audited.

use super::*;
use crate::employment::restitution::{
    ClaimRow, Claimant, PayoutRow, RestitutionRegister, WorkerRestitution, BOOK_ROWS,
};

/// Whether this reader is shown claimants' names and accounts: those who pay and approve.
fn opens_claimants(who: &Authed) -> bool {
    Permission::PayWages.allows(who.role()) || Permission::ApproveDisbursement.allows(who.role())
}

/// Claims as rows: their prisoners' codes, what waits on each, and (for those who pay) the
/// claimant opened. Each opening is written to the audit log, like a family's personal fields.
async fn claim_rows(
    state: &AppState,
    who: &Authed,
    claims: Vec<claim::Model>,
) -> Result<Vec<ClaimRow>, AppError> {
    let ids: Vec<i64> = claims.iter().map(|c| c.id).collect();
    let prisoner_ids: Vec<i64> = claims.iter().map(|c| c.prisoner_id).collect();
    let codes: HashMap<i64, String> = prisoner::Entity::find()
        .filter(prisoner::Column::Id.is_in(prisoner_ids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.public_code))
        .collect();
    let mut awaiting: HashMap<i64, i64> = HashMap::new();
    for p in payout::Entity::find()
        .filter(payout::Column::ClaimId.is_in(ids))
        .filter(payout::Column::Status.eq(PayoutStatus::AwaitingApproval))
        .all(&state.db)
        .await?
    {
        *awaiting.entry(p.claim_id).or_default() += p.amount_rials;
    }
    let open = opens_claimants(who);
    let mut opened = Vec::new();
    let mut rows = Vec::with_capacity(claims.len());
    for c in claims {
        let claimant = if open {
            let o = |col: &str, b: &[u8]| {
                state
                    .sealer
                    .open(col, b)
                    .map_err(|e| AppError::internal("open claimant", e))
            };
            opened.push(c.public_code.clone());
            Some(Claimant {
                name: o(NAME, &c.claimant_name_enc)?,
                account: o(ACCOUNT, &c.claimant_account_enc)?,
            })
        } else {
            None
        };
        rows.push(ClaimRow {
            prisoner_code: codes.get(&c.prisoner_id).cloned().unwrap_or_default(),
            kind: c.kind,
            claimant,
            court_ref: c.court_ref,
            owed_rials: c.owed_rials,
            paid_rials: c.paid_rials,
            awaiting_rials: awaiting.get(&c.id).copied().unwrap_or(0),
            status: c.status,
            code: c.public_code,
        });
    }
    if !opened.is_empty() {
        let txn = audit::begin(&state.db).await?;
        audit::record(
            &txn,
            Entry::new(
                Some(who.user_id),
                "restitution.read_claimants",
                "restitution_claim",
                &opened[0],
                serde_json::json!({ "claims": opened }),
            ),
        )
        .await?;
        txn.commit().await?;
    }
    Ok(rows)
}

fn payout_rows(
    who: &Authed,
    payouts: Vec<payout::Model>,
    claims: &HashMap<i64, String>,
    prisoners: &HashMap<i64, String>,
) -> Vec<PayoutRow> {
    payouts
        .into_iter()
        .map(|p| PayoutRow {
            claim_code: claims.get(&p.claim_id).cloned().unwrap_or_default(),
            prisoner_code: prisoners.get(&p.prisoner_id).cloned().unwrap_or_default(),
            amount_rials: p.amount_rials,
            reference: p.reference,
            status: p.status,
            mine: p.requested_by == who.user_id,
            requested_on: p.created_at.date_naive(),
            reject_reason: p.reject_reason,
            code: p.public_code,
        })
        .collect()
}

/// National staff: every province and no prison of their own.
fn national(who: &Authed) -> bool {
    who.province_filter().is_none() && who.scopes.iter().all(|s| s.prison_id.is_none())
}

/// The prisoners whose prisons lie in this person's scope (None: every prisoner).
async fn prisoners_in_scope(state: &AppState, who: &Authed) -> Result<Option<Vec<i64>>, AppError> {
    if national(who) {
        return Ok(None);
    }
    let mut prisons = prison::Entity::find();
    if let Some(ids) = who.province_filter() {
        prisons = prisons.filter(prison::Column::ProvinceId.is_in(ids));
    }
    let prisons: Vec<i64> = prisons
        .all(&state.db)
        .await?
        .into_iter()
        .filter(|p| who.covers(p.province_id, Some(p.id)))
        .map(|p| p.id)
        .collect();
    let ids = claim::Entity::find()
        .select_only()
        .column(claim::Column::PrisonerId)
        .distinct()
        .into_tuple::<i64>()
        .all(&state.db)
        .await?;
    let held: BTreeSet<i64> = prisoner::Entity::find()
        .filter(prisoner::Column::Id.is_in(ids))
        .filter(prisoner::Column::PrisonId.is_in(prisons))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    Ok(Some(held.into_iter().collect()))
}

/// The register in scope: claims (open first), payouts waiting for a second person, and the
/// latest decided; the pool's balance for national staff.
pub async fn book(state: &AppState, who: &Authed) -> Result<RestitutionRegister, AppError> {
    let scope = prisoners_in_scope(state, who).await?;
    let mut claims = claim::Entity::find()
        .order_by_desc(claim::Column::Status.eq(ClaimStatus::Open))
        .order_by_desc(claim::Column::Id)
        .limit(BOOK_ROWS);
    let mut payouts = payout::Entity::find();
    if let Some(ids) = &scope {
        claims = claims.filter(claim::Column::PrisonerId.is_in(ids.clone()));
        payouts = payouts.filter(payout::Column::PrisonerId.is_in(ids.clone()));
    }
    let claims = claims.all(&state.db).await?;
    let awaiting = payouts
        .clone()
        .filter(payout::Column::Status.eq(PayoutStatus::AwaitingApproval))
        .order_by_asc(payout::Column::Id)
        .limit(BOOK_ROWS)
        .all(&state.db)
        .await?;
    let decided = payouts
        .filter(payout::Column::Status.ne(PayoutStatus::AwaitingApproval))
        .order_by_desc(payout::Column::Id)
        .limit(20)
        .all(&state.db)
        .await?;
    let (claim_codes, prisoner_codes) = codes_of(state, awaiting.iter().chain(&decided)).await?;
    let fund_rials = if national(who) {
        let acct = ledger::account_id(&state.db, &Account::Restitution).await?;
        Some(ledger::fund_balance(&state.db, acct).await?)
    } else {
        None
    };
    Ok(RestitutionRegister {
        fund_rials,
        claims: claim_rows(state, who, claims).await?,
        awaiting: payout_rows(who, awaiting, &claim_codes, &prisoner_codes),
        decided: payout_rows(who, decided, &claim_codes, &prisoner_codes),
    })
}

/// The public codes of the claims and prisoners these payouts name.
async fn codes_of<'a>(
    state: &AppState,
    payouts: impl Iterator<Item = &'a payout::Model>,
) -> Result<(HashMap<i64, String>, HashMap<i64, String>), AppError> {
    let (cids, pids): (Vec<i64>, Vec<i64>) = payouts.map(|p| (p.claim_id, p.prisoner_id)).unzip();
    let claims = claim::Entity::find()
        .filter(claim::Column::Id.is_in(cids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.public_code))
        .collect();
    let prisoners = prisoner::Entity::find()
        .filter(prisoner::Column::Id.is_in(pids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.public_code))
        .collect();
    Ok((claims, prisoners))
}

/// A worker's restitution record: withheld from his wages, paid to those he owes, waiting, and
/// his claims with their payouts.
pub async fn worker(
    state: &AppState,
    who: &Authed,
    code: &str,
) -> Result<WorkerRestitution, AppError> {
    let pr = prisoner_in_scope(state, who, Permission::ViewEmployment, code).await?;
    let (withheld, paid, awaiting) = pool_of(&state.db, pr.id).await?;
    let claims = claim::Entity::find()
        .filter(claim::Column::PrisonerId.eq(pr.id))
        .order_by_asc(claim::Column::Id)
        .all(&state.db)
        .await?;
    let owed = claims.iter().map(|c| c.owed_rials - c.paid_rials).sum();
    let claim_codes: HashMap<i64, String> = claims
        .iter()
        .map(|c| (c.id, c.public_code.clone()))
        .collect();
    let payouts = payout::Entity::find()
        .filter(payout::Column::PrisonerId.eq(pr.id))
        .order_by_desc(payout::Column::Id)
        .all(&state.db)
        .await?;
    let prisoners = HashMap::from([(pr.id, pr.public_code.clone())]);
    Ok(WorkerRestitution {
        withheld_rials: withheld,
        paid_rials: paid,
        awaiting_rials: awaiting,
        owed_rials: owed,
        claims: claim_rows(state, who, claims).await?,
        payouts: payout_rows(who, payouts, &claim_codes, &prisoners),
        prisoner_code: pr.public_code,
    })
}
