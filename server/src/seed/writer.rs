//! Bulk inserts for seeding: multi-row INSERTs sized under both databases' parameter limits,
//! inside one transaction per table, with explicit ids so rows can reference each other.

use sea_orm::sea_query::{Alias, InsertStatement, Query};
use sea_orm::{ConnectionTrait, DbErr, Value};

/// SQLite allows 32,766 bound parameters per statement, PostgreSQL 65,535.
const MAX_PARAMS: usize = 30_000;

pub struct Batch {
    table: &'static str,
    cols: &'static [&'static str],
    rows: Vec<Vec<Value>>,
    pub written: u64,
    next_id: i64,
}

impl Batch {
    pub fn new(table: &'static str, cols: &'static [&'static str]) -> Batch {
        Batch {
            table,
            cols,
            rows: Vec::new(),
            written: 0,
            next_id: 1,
        }
    }

    /// Appends a row (without its id) and returns the id it will have. Nothing is written until
    /// [`flush`](Self::flush) or [`flush_full`], so the caller controls the order of tables.
    pub fn push(&mut self, values: Vec<Value>) -> i64 {
        debug_assert_eq!(
            values.len(),
            self.cols.len(),
            "{}: column count",
            self.table
        );
        let id = self.next_id;
        self.next_id += 1;
        let mut row = Vec::with_capacity(values.len() + 1);
        row.push(Value::from(id));
        row.extend(values);
        self.rows.push(row);
        id
    }

    pub fn full(&self) -> bool {
        self.rows.len() * (self.cols.len() + 1) >= MAX_PARAMS
    }

    pub async fn flush<C: ConnectionTrait>(&mut self, db: &C) -> Result<(), DbErr> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let mut stmt: InsertStatement = Query::insert();
        stmt.into_table(Alias::new(self.table));
        let mut cols = vec![Alias::new("id")];
        cols.extend(self.cols.iter().map(|c| Alias::new(*c)));
        stmt.columns(cols);
        for row in self.rows.drain(..) {
            stmt.values(row.into_iter().map(Into::into))
                .map_err(|e| DbErr::Custom(e.to_string()))?;
        }
        let n = db.execute(&stmt).await?.rows_affected();
        self.written += n;
        Ok(())
    }
}

/// When any batch is full, writes all of them in the given (parent-first) order.
pub async fn flush_full<C: ConnectionTrait>(
    db: &C,
    batches: &mut [&mut Batch],
) -> Result<(), DbErr> {
    if batches.iter().any(|b| b.full()) {
        for b in batches.iter_mut() {
            b.flush(db).await?;
        }
    }
    Ok(())
}

/// Writes what is left in each batch, parents first, and records each table's row count.
pub async fn finish<C: ConnectionTrait>(
    db: &C,
    batches: &mut [&mut Batch],
    rows: &mut Vec<(&'static str, u64)>,
) -> Result<(), DbErr> {
    for b in batches.iter_mut() {
        b.flush(db).await?;
        rows.push((b.table, b.written));
    }
    Ok(())
}
