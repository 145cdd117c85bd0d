//! The ledger under random flows of gifts, allocations, disbursements and refunds: every group
//! balances, no fund ever holds less than zero, refused movements leave no trace, and the
//! balances derived from entries match a plain model of the same flow. On SQLite and PostgreSQL.

use crate::common::*;
use app::ledger::{self, credit, debit, Account, Posting};
use proptest::prelude::*;
use proptest::test_runner::{Config as PropConfig, TestCaseError, TestRunner};
use sea_orm::{DatabaseConnection, TransactionTrait};
use std::collections::HashMap;

#[derive(Debug, Clone)]
enum Op {
    /// A gift to a need (index) through the gateway.
    Gift { need: usize, amount: i64 },
    /// Staff move money from the category fund to a need.
    Allocate { need: usize, amount: i64 },
    /// Staff pay a vendor out of a need's fund.
    Disburse { need: usize, amount: i64 },
    /// A gift to the category fund.
    FundGift { amount: i64 },
    /// A refund out of the category fund back through the gateway.
    Refund { amount: i64 },
}

fn op() -> impl Strategy<Value = Op> {
    let amount = 1i64..5_000_000;
    prop_oneof![
        (0usize..3, amount.clone()).prop_map(|(need, amount)| Op::Gift { need, amount }),
        (0usize..3, amount.clone()).prop_map(|(need, amount)| Op::Allocate { need, amount }),
        (0usize..3, amount.clone()).prop_map(|(need, amount)| Op::Disburse { need, amount }),
        amount.clone().prop_map(|amount| Op::FundGift { amount }),
        amount.prop_map(|amount| Op::Refund { amount }),
    ]
}

struct Books {
    gateway: i64,
    bank: i64,
    category: i64,
    needs: Vec<i64>,
}

/// Three need-like funds: any fund account behaves the same, and these need no need rows.
async fn books(db: &DatabaseConnection) -> Books {
    Books {
        gateway: ledger::account_id(db, &Account::Gateway("sandbox".into()))
            .await
            .unwrap(),
        bank: ledger::account_id(db, &Account::Bank).await.unwrap(),
        category: ledger::account_id(db, &Account::Category("food".into()))
            .await
            .unwrap(),
        needs: {
            let mut v = Vec::new();
            for c in ["rent", "school", "medical"] {
                v.push(
                    ledger::account_id(db, &Account::Category(c.into()))
                        .await
                        .unwrap(),
                );
            }
            v
        },
    }
}

async fn run_flow(db: &DatabaseConnection, b: &Books, ops: &[Op]) -> Result<(), TestCaseError> {
    // The model: what each fund should hold.
    // The database carries over between cases: start from what the funds hold now.
    let mut model: HashMap<i64, i64> = HashMap::new();
    for f in [b.category, b.needs[0], b.needs[1], b.needs[2]] {
        model.insert(f, ledger::fund_balance(db, f).await.unwrap());
    }
    let start_tx = ledger::health(db).await.unwrap().transactions;
    let mut posted = 0i64;
    for op in ops {
        let (kind, lines) = match *op {
            Op::Gift { need, amount } => (
                "gift",
                vec![debit(b.gateway, amount), credit(b.needs[need], amount)],
            ),
            Op::FundGift { amount } => (
                "gift",
                vec![debit(b.gateway, amount), credit(b.category, amount)],
            ),
            Op::Allocate { need, amount } => (
                "allocation",
                vec![debit(b.category, amount), credit(b.needs[need], amount)],
            ),
            Op::Disburse { need, amount } => (
                "disbursement",
                // Paid to the vendor from the bank, the gateway's clearing settling into the bank:
                // one group of four lines.
                vec![
                    debit(b.needs[need], amount),
                    credit(b.bank, amount),
                    debit(b.bank, amount),
                    credit(b.gateway, amount),
                ],
            ),
            Op::Refund { amount } => (
                "refund",
                vec![debit(b.category, amount), credit(b.gateway, amount)],
            ),
        };
        let txn = db.begin().await.unwrap();
        let res = ledger::post(
            &txn,
            Posting {
                kind,
                memo: "property test",
                donation_id: None,
                created_by: None,
            },
            &lines,
        )
        .await;
        // What the model says should happen: a fund debited below zero is refused.
        let mut next = model.clone();
        for l in &lines {
            // A fund holds the negated sum of its entries.
            *next.entry(l.account_id).or_default() -= l.amount_rials;
        }
        let funds = [b.category, b.needs[0], b.needs[1], b.needs[2]];
        let allowed = funds.iter().all(|f| next.get(f).copied().unwrap_or(0) >= 0);
        match res {
            Ok(_) => {
                prop_assert!(
                    allowed,
                    "the ledger accepted {op:?} that empties a fund below zero"
                );
                txn.commit().await.unwrap();
                model = next;
                posted += 1;
            }
            Err(e) => {
                prop_assert!(!allowed, "the ledger refused a valid {op:?}: {e:?}");
                prop_assert_eq!(e.message_key(), "ledger.insufficient_funds");
                txn.rollback().await.unwrap();
            }
        }
    }
    let h = ledger::health(db).await.unwrap();
    prop_assert!(h.is_sound(), "{h:?}");
    prop_assert_eq!(h.transactions - start_tx, posted);
    for f in [b.category, b.needs[0], b.needs[1], b.needs[2]] {
        prop_assert_eq!(
            ledger::fund_balance(db, f).await.unwrap(),
            model.get(&f).copied().unwrap_or(0),
        );
    }
    Ok(())
}

#[test]
fn random_flows_keep_the_books_balanced_and_no_fund_negative() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dbs = rt.block_on(databases());
    for tdb in dbs {
        let (db, b) = rt.block_on(async {
            let db = migrated(&tdb.url).await;
            let b = books(&db).await;
            (db, b)
        });
        let cases = if tdb.label == "sqlite" { 48 } else { 24 };
        let mut runner = TestRunner::new(PropConfig {
            cases,
            failure_persistence: None,
            ..PropConfig::default()
        });
        let result = runner.run(&proptest::collection::vec(op(), 1..40), |ops| {
            rt.block_on(run_flow(&db, &b, &ops))
        });
        if let Err(e) = result {
            panic!("{}: {e}", tdb.label);
        }
        rt.block_on(tdb.drop_db());
    }
}

/// Each account's stored balance is the sum of its entries; the health check compares the two
/// and names an account whose stored balance was changed behind the ledger's back; the
/// migration's recomputation (also the seed's) restores it from the entries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_balances_follow_the_entries_and_the_check_sees_a_tampered_one() {
    use sea_orm::ConnectionTrait;
    for tdb in databases().await {
        let l = tdb.label;
        let db = migrated(&tdb.url).await;
        let b = books(&db).await;
        let ops = [
            Op::FundGift { amount: 900_000 },
            Op::Gift {
                need: 0,
                amount: 250_000,
            },
            Op::Allocate {
                need: 1,
                amount: 400_000,
            },
            Op::Disburse {
                need: 1,
                amount: 150_000,
            },
            Op::Disburse {
                need: 1,
                amount: 300_000,
            },
        ];
        run_flow(&db, &b, &ops).await.unwrap();
        // Refused (the last disbursement): nothing of it in the stored balance either.
        assert_eq!(
            ledger::fund_balance(&db, b.needs[1]).await.unwrap(),
            250_000,
            "{l}"
        );
        assert_eq!(
            ledger::fund_balance(&db, b.category).await.unwrap(),
            500_000
        );
        assert_eq!(
            ledger::raw_balance(&db, b.gateway).await.unwrap(),
            1_000_000
        );
        assert!(ledger::health(&db).await.unwrap().is_sound(), "{l}");

        exec(
            &db,
            &format!(
                "UPDATE ledger_accounts SET balance_rials = balance_rials + 1 WHERE id = {}",
                b.needs[0]
            ),
        )
        .await;
        let h = ledger::health(&db).await.unwrap();
        assert!(!h.is_sound(), "{l}: a tampered balance passed the check");
        assert_eq!(
            h.stale_balances,
            vec![("fund:category:rent".to_string(), -249_999, -250_000)],
            "{l}"
        );
        exec(&db, "UPDATE ledger_accounts SET balance_rials = 0").await;
        db.execute_unprepared(migrations::RECOMPUTE_BALANCES)
            .await
            .unwrap();
        assert!(ledger::health(&db).await.unwrap().is_sound(), "{l}");
        assert_eq!(
            ledger::fund_balance(&db, b.needs[0]).await.unwrap(),
            250_000,
            "{l}"
        );
        tdb.drop_db().await;
    }
}
