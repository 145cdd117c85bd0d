//! The double-entry ledger. Every movement of money is one transaction whose entries sum to zero;
//! each account's balance is the sum of its entries, stored with the account and moved by [`post`]
//! in the same transaction (and checked against the entries by [`health`]); entries are never updated or deleted (a correction is a new
//! transaction); and a fund account can never be left below zero.
//!
//! Sign convention: debits positive, credits negative. Funds (what we owe to a need, a campaign,
//! a category) are credit-normal, so a fund holds `-(sum of its entries)`; assets (gateway
//! clearing, the bank) are debit-normal.
//!
//! [`post`] takes a [`DatabaseTransaction`]: the caller decides what else commits with it.

use crate::error::AppError;
use crate::platform::entity::{ledger_account, ledger_entry, ledger_transaction};
use chrono::Utc;
use sea_orm::{
    sea_query::OnConflict, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction,
    EntityTrait, QueryFilter, Statement,
};
use std::collections::BTreeMap;

mod target;
pub use target::{FundTarget, TargetRow};

/// A well-known account, by its stable code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Account {
    /// Money the gateway has confirmed and will settle to our bank.
    Gateway(String),
    /// The association's bank account that pays vendors and courts.
    Bank,
    /// What donors gave to one need.
    Need(i64),
    /// What donors gave to one release campaign.
    Campaign(i64),
    /// A category's pooled fund (also where a need's overflow goes).
    Category(String),
    /// "Where most urgent": allocated by staff to the most urgent needs.
    General,
    /// The pooled release fund (overflow of campaigns).
    Release,
    /// Money paid out (vendors, landlords, court accounts).
    Disbursed,
    /// One family's support fund (wage shares of its imprisoned member land here).
    Family(i64),
    /// A worker's savings, kept for his release.
    Savings(i64),
    /// A worker's net wages, owed to him (paid into his prison account).
    WorkerPay(i64),
    /// Restitution withheld from wages, for victims and creditors.
    Restitution,
    /// What the workshops pay in wages.
    Wages,
    /// What entrepreneurs pay on their invoices.
    ContractIncome,
    /// What the gateways keep of gifts when the merchant bears their fee: the association's
    /// cost, so the donor's whole gift still reaches the need.
    GatewayFees,
    /// What a match offer's sponsor owes for the gifts it matched (`giving::matching`): debited
    /// as each matched gift settles, credited as the sponsor pays in.
    MatchPledge(i64),
}

impl Account {
    pub fn code(&self) -> String {
        match self {
            Account::Gateway(g) => format!("asset:gateway:{g}"),
            Account::Bank => "asset:bank:operating".into(),
            Account::Need(id) => format!("fund:need:{id}"),
            Account::Campaign(id) => format!("fund:campaign:{id}"),
            Account::Category(c) => format!("fund:category:{c}"),
            Account::General => "fund:general".into(),
            Account::Release => "fund:release".into(),
            Account::Disbursed => "expense:disbursed".into(),
            Account::Family(id) => format!("fund:family:{id}"),
            Account::Savings(id) => format!("fund:savings:{id}"),
            Account::WorkerPay(id) => format!("fund:worker:{id}"),
            Account::Restitution => "fund:restitution".into(),
            Account::Wages => "expense:wages".into(),
            Account::ContractIncome => "income:contracts".into(),
            Account::GatewayFees => "expense:gateway_fees".into(),
            Account::MatchPledge(id) => format!("asset:match:{id}"),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Account::Gateway(_) | Account::Bank | Account::MatchPledge(_) => "asset",
            Account::Disbursed | Account::Wages | Account::GatewayFees => "expense",
            Account::ContractIncome => "income",
            _ => "fund",
        }
    }

    fn name(&self) -> String {
        match self {
            Account::Gateway(g) => format!("{g} gateway clearing"),
            Account::Bank => "Operating bank account".into(),
            Account::Need(id) => format!("Need {id} fund"),
            Account::Campaign(id) => format!("Release campaign {id} fund"),
            Account::Category(c) => format!("{c} fund"),
            Account::General => "Most urgent needs fund".into(),
            Account::Release => "Release fund".into(),
            Account::Disbursed => "Disbursed".into(),
            Account::Family(id) => format!("Family {id} support fund"),
            Account::Savings(id) => format!("Worker {id} savings"),
            Account::WorkerPay(id) => format!("Worker {id} wages owed"),
            Account::Restitution => "Restitution".into(),
            Account::Wages => "Workshop wages".into(),
            Account::ContractIncome => "Contract income".into(),
            Account::GatewayFees => "Gateway fees".into(),
            Account::MatchPledge(id) => format!("Match offer {id}: owed by its sponsor"),
        }
    }
}

/// The id of an account, created on first use (concurrent first uses agree on one row).
pub async fn account_id<C: ConnectionTrait>(db: &C, account: &Account) -> Result<i64, AppError> {
    let code = account.code();
    if let Some(a) = ledger_account::Entity::find()
        .filter(ledger_account::Column::Code.eq(&code))
        .one(db)
        .await?
    {
        return Ok(a.id);
    }
    let row = ledger_account::ActiveModel {
        code: Set(code.clone()),
        kind: Set(account.kind().into()),
        name: Set(account.name()),
        need_id: Set(match account {
            Account::Need(id) => Some(*id),
            _ => None,
        }),
        campaign_id: Set(match account {
            Account::Campaign(id) => Some(*id),
            _ => None,
        }),
        family_id: Set(match account {
            Account::Family(id) => Some(*id),
            _ => None,
        }),
        category: Set(match account {
            Account::Category(c) => Some(c.clone()),
            _ => None,
        }),
        may_go_negative: Set(account.kind() != "fund"),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    ledger_account::Entity::insert(row)
        .on_conflict(
            OnConflict::column(ledger_account::Column::Code)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    ledger_account::Entity::find()
        .filter(ledger_account::Column::Code.eq(&code))
        .one(db)
        .await?
        .map(|a| a.id)
        .ok_or_else(|| AppError::internal("ledger", format!("account {code} vanished")))
}

/// The ids of several accounts in one read, in the order asked; any not yet created is created as
/// [`account_id`] does. A gift's settlement needs three or four: one query where it made as many.
pub async fn account_ids<C: ConnectionTrait>(
    db: &C,
    accounts: &[&Account],
) -> Result<Vec<i64>, AppError> {
    let codes: Vec<String> = accounts.iter().map(|a| a.code()).collect();
    let found: std::collections::HashMap<String, i64> = ledger_account::Entity::find()
        .filter(ledger_account::Column::Code.is_in(codes.iter().cloned()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.code, a.id))
        .collect();
    let mut out = Vec::with_capacity(accounts.len());
    for (a, code) in accounts.iter().zip(&codes) {
        out.push(match found.get(code) {
            Some(id) => *id,
            None => account_id(db, a).await?,
        });
    }
    Ok(out)
}

/// The sum of an account's entries (debit positive), as `post` keeps it.
pub async fn raw_balance<C: ConnectionTrait>(db: &C, account_id: i64) -> Result<i64, AppError> {
    Ok(ledger_account::Entity::find_by_id(account_id)
        .one(db)
        .await?
        .map(|a| a.balance_rials)
        .unwrap_or(0))
}

/// What each need's fund holds now, for many needs in one query (needs without a fund are absent).
pub async fn need_balances<C: ConnectionTrait>(
    db: &C,
    need_ids: &[i64],
) -> Result<std::collections::HashMap<i64, i64>, AppError> {
    if need_ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(ledger_account::Entity::find()
        .filter(ledger_account::Column::NeedId.is_in(need_ids.iter().copied()))
        .filter(ledger_account::Column::Kind.eq("fund"))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|a| Some((a.need_id?, -a.balance_rials)))
        .collect())
}

/// What a fund holds (credit-normal: the negated sum of its entries).
pub async fn fund_balance<C: ConnectionTrait>(db: &C, account_id: i64) -> Result<i64, AppError> {
    Ok(-raw_balance(db, account_id).await?)
}

/// A family's support fund (wage shares of its imprisoned member), for the staff family file.
pub async fn family_fund<C: ConnectionTrait>(db: &C, family_id: i64) -> Result<i64, AppError> {
    match ledger_account::Entity::find()
        .filter(ledger_account::Column::Code.eq(Account::Family(family_id).code()))
        .one(db)
        .await?
    {
        Some(a) => fund_balance(db, a.id).await,
        None => Ok(0),
    }
}

/// One line of a transaction: debit when positive, credit when negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    pub account_id: i64,
    pub amount_rials: i64,
}

pub fn debit(account_id: i64, amount: i64) -> Line {
    Line {
        account_id,
        amount_rials: amount,
    }
}

pub fn credit(account_id: i64, amount: i64) -> Line {
    Line {
        account_id,
        amount_rials: -amount,
    }
}

/// Why the ledger refused a transaction. Callers roll back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("a transaction needs at least two lines")]
    TooFewLines,
    #[error("a line of zero rials")]
    ZeroLine,
    #[error("entries sum to {0}, not zero")]
    Unbalanced(i128),
    #[error("fund account {account_id} would hold {balance} rials")]
    FundNegative { account_id: i64, balance: i64 },
    #[error("unknown account {0}")]
    UnknownAccount(i64),
}

impl From<LedgerError> for AppError {
    fn from(e: LedgerError) -> Self {
        match e {
            LedgerError::FundNegative { .. } => {
                tracing::warn!(error = %e, "ledger refused a transaction");
                AppError::invalid("amount", "ledger.insufficient_funds")
            }
            other => AppError::internal("ledger", other),
        }
    }
}

/// Checks the shape of a transaction before anything is written.
pub fn check_lines(lines: &[Line]) -> Result<(), LedgerError> {
    if lines.len() < 2 {
        return Err(LedgerError::TooFewLines);
    }
    if lines.iter().any(|l| l.amount_rials == 0) {
        return Err(LedgerError::ZeroLine);
    }
    let sum: i128 = lines.iter().map(|l| l.amount_rials as i128).sum();
    if sum != 0 {
        return Err(LedgerError::Unbalanced(sum));
    }
    Ok(())
}

/// What a posted transaction is about.
pub struct Posting<'a> {
    pub kind: &'a str,
    pub memo: &'a str,
    pub donation_id: Option<i64>,
    pub created_by: Option<i64>,
}

/// Writes one balanced transaction inside the caller's database transaction and checks that no
/// fund it touches ends below zero. On any error the caller must roll back (dropping the
/// transaction does).
pub async fn post(
    txn: &DatabaseTransaction,
    what: Posting<'_>,
    lines: &[Line],
) -> Result<i64, AppError> {
    check_lines(lines)?;
    let now = Utc::now();
    let header = ledger_transaction::ActiveModel {
        public_code: Set(crate::platform::public_code("L", 10)),
        kind: Set(what.kind.into()),
        memo: Set(what.memo.into()),
        donation_id: Set(what.donation_id),
        created_by: Set(what.created_by),
        created_at: Set(now),
        ..Default::default()
    };
    let tid = ledger_transaction::Entity::insert(header)
        .exec(txn)
        .await?
        .last_insert_id;
    let entries = lines.iter().map(|l| ledger_entry::ActiveModel {
        transaction_id: Set(tid),
        account_id: Set(l.account_id),
        amount_rials: Set(l.amount_rials),
        created_at: Set(now),
        ..Default::default()
    });
    ledger_entry::Entity::insert_many(entries)
        .exec_without_returning(txn)
        .await?;
    // Each account's balance moves with its entries, in the same transaction and in the order of
    // the account ids (two postings that share accounts lock them in one order: no deadlock). A
    // fund that may not go negative is checked on the balance the update returns: debits only
    // ever take from a fund, so only an account debited on net can have gone below zero.
    let mut touched: BTreeMap<i64, i64> = BTreeMap::new();
    for l in lines {
        *touched.entry(l.account_id).or_default() += l.amount_rials;
    }
    let backend = txn.get_database_backend();
    for (&account_id, &net) in &touched {
        if net == 0 {
            continue;
        }
        let row = txn
            .query_one_raw(crate::platform::db::stmt(
                backend,
                "UPDATE ledger_accounts SET balance_rials = balance_rials + ? WHERE id = ? \
                 RETURNING kind, may_go_negative, balance_rials",
                [net.into(), account_id.into()],
            ))
            .await?
            .ok_or(LedgerError::UnknownAccount(account_id))?;
        let kind: String = row.try_get("", "kind")?;
        let may_go_negative: bool = row.try_get("", "may_go_negative")?;
        let balance = -row.try_get::<i64>("", "balance_rials")?;
        if net > 0 && kind == "fund" && !may_go_negative && balance < 0 {
            return Err(LedgerError::FundNegative {
                account_id,
                balance,
            }
            .into());
        }
    }
    Ok(tid)
}

/// The state of the books: every transaction balanced, no fund below zero.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Health {
    pub transactions: i64,
    pub entries: i64,
    pub unbalanced_transactions: Vec<i64>,
    pub negative_funds: Vec<(String, i64)>,
    /// Accounts whose stored balance is not the sum of their entries (code, stored, entries).
    pub stale_balances: Vec<(String, i64, i64)>,
    /// The sum of every entry: zero when the books balance.
    pub total: i64,
}

impl Health {
    pub fn is_sound(&self) -> bool {
        self.unbalanced_transactions.is_empty()
            && self.negative_funds.is_empty()
            && self.stale_balances.is_empty()
            && self.total == 0
    }
}

pub async fn health<C: ConnectionTrait>(db: &C) -> Result<Health, AppError> {
    let backend = db.get_database_backend();
    let q = |sql: &str| Statement::from_string(backend, sql.to_string());
    let mut h = Health::default();
    let row = db
        .query_one_raw(q(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n, CAST(COALESCE(SUM(amount_rials), 0) AS BIGINT) AS s FROM ledger_entries",
        ))
        .await?
        .ok_or_else(|| AppError::internal("ledger", "no row"))?;
    h.entries = row.try_get("", "n")?;
    h.total = row.try_get("", "s")?;
    let row = db
        .query_one_raw(q(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM ledger_transactions",
        ))
        .await?
        .ok_or_else(|| AppError::internal("ledger", "no row"))?;
    h.transactions = row.try_get("", "n")?;
    for r in db
        .query_all_raw(q(
            "SELECT transaction_id FROM ledger_entries GROUP BY transaction_id HAVING SUM(amount_rials) <> 0 LIMIT 100",
        ))
        .await?
    {
        h.unbalanced_transactions.push(r.try_get("", "transaction_id")?);
    }
    for r in db
        .query_all_raw(q(
            "SELECT a.code AS code, CAST(-SUM(e.amount_rials) AS BIGINT) AS held FROM ledger_entries e \
             JOIN ledger_accounts a ON a.id = e.account_id \
             WHERE a.kind = 'fund' AND a.may_go_negative = FALSE \
             GROUP BY a.code HAVING SUM(e.amount_rials) > 0 LIMIT 100",
        ))
        .await?
    {
        h.negative_funds.push((r.try_get("", "code")?, r.try_get("", "held")?));
    }
    for r in db
        .query_all_raw(q(
            "SELECT a.code AS code, a.balance_rials AS stored, s.total AS total FROM ledger_accounts a \
             JOIN (SELECT a2.id AS id, CAST(COALESCE(SUM(e.amount_rials), 0) AS BIGINT) AS total \
                   FROM ledger_accounts a2 LEFT JOIN ledger_entries e ON e.account_id = a2.id \
                   GROUP BY a2.id) s ON s.id = a.id \
             WHERE a.balance_rials <> s.total ORDER BY a.code LIMIT 100",
        ))
        .await?
    {
        h.stale_balances.push((
            r.try_get("", "code")?,
            r.try_get("", "stored")?,
            r.try_get("", "total")?,
        ));
    }
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_must_balance_and_be_nonzero() {
        assert_eq!(check_lines(&[debit(1, 10)]), Err(LedgerError::TooFewLines));
        assert_eq!(
            check_lines(&[debit(1, 10), credit(2, 9)]),
            Err(LedgerError::Unbalanced(1))
        );
        assert_eq!(
            check_lines(&[debit(1, 10), credit(2, 10), debit(3, 0)]),
            Err(LedgerError::ZeroLine)
        );
        assert_eq!(check_lines(&[debit(1, 10), credit(2, 10)]), Ok(()));
        // No overflow trick: two huge debits against one credit cannot wrap to zero.
        assert!(check_lines(&[debit(1, i64::MAX), debit(1, i64::MAX), credit(2, 2)]).is_err());
    }

    #[test]
    fn account_codes_are_stable() {
        assert_eq!(Account::Need(7).code(), "fund:need:7");
        assert_eq!(
            Account::Category("rent".into()).code(),
            "fund:category:rent"
        );
        assert_eq!(
            Account::Gateway("sandbox".into()).code(),
            "asset:gateway:sandbox"
        );
        assert_eq!(Account::General.kind(), "fund");
        assert_eq!(Account::Bank.kind(), "asset");
    }
}
