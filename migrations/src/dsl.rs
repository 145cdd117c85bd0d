//! A small vocabulary for table definitions, so each migration reads like the schema it makes.

use sea_orm_migration::prelude::*;

pub fn id(name: &str) -> Alias {
    Alias::new(name)
}

/// A table with a `bigint` auto-increment primary key `id`.
pub fn table(name: &str) -> TableCreateStatement {
    Table::create()
        .table(id(name))
        .if_not_exists()
        .col(
            ColumnDef::new(id("id"))
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
        .to_owned()
}

pub fn text(name: &str) -> ColumnDef {
    ColumnDef::new(id(name)).text().not_null().to_owned()
}
pub fn text_null(name: &str) -> ColumnDef {
    ColumnDef::new(id(name)).text().null().to_owned()
}
pub fn string(name: &str) -> ColumnDef {
    ColumnDef::new(id(name))
        .string_len(255)
        .not_null()
        .to_owned()
}
pub fn string_null(name: &str) -> ColumnDef {
    ColumnDef::new(id(name)).string_len(255).null().to_owned()
}
pub fn string_default(name: &str, default: &str) -> ColumnDef {
    ColumnDef::new(id(name))
        .string_len(255)
        .not_null()
        .default(default)
        .to_owned()
}
pub fn bigint(name: &str) -> ColumnDef {
    ColumnDef::new(id(name)).big_integer().not_null().to_owned()
}
pub fn bigint_default(name: &str, default: i64) -> ColumnDef {
    ColumnDef::new(id(name))
        .big_integer()
        .not_null()
        .default(default)
        .to_owned()
}
pub fn bigint_null(name: &str) -> ColumnDef {
    ColumnDef::new(id(name)).big_integer().null().to_owned()
}
pub fn int(name: &str) -> ColumnDef {
    ColumnDef::new(id(name)).integer().not_null().to_owned()
}
pub fn int_default(name: &str, default: i32) -> ColumnDef {
    ColumnDef::new(id(name))
        .integer()
        .not_null()
        .default(default)
        .to_owned()
}
pub fn int_null(name: &str) -> ColumnDef {
    ColumnDef::new(id(name)).integer().null().to_owned()
}
pub fn boolean(name: &str, default: bool) -> ColumnDef {
    ColumnDef::new(id(name))
        .boolean()
        .not_null()
        .default(default)
        .to_owned()
}
pub fn timestamp(name: &str) -> ColumnDef {
    ColumnDef::new(id(name))
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}
pub fn timestamp_null(name: &str) -> ColumnDef {
    ColumnDef::new(id(name))
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}
pub fn date(name: &str) -> ColumnDef {
    ColumnDef::new(id(name)).date().not_null().to_owned()
}
pub fn date_null(name: &str) -> ColumnDef {
    ColumnDef::new(id(name)).date().null().to_owned()
}
/// An encrypted personal field (AEAD envelope bytes).
pub fn sealed(name: &str) -> ColumnDef {
    ColumnDef::new(id(name)).blob().not_null().to_owned()
}
pub fn sealed_null(name: &str) -> ColumnDef {
    ColumnDef::new(id(name)).blob().null().to_owned()
}

fn fk_name(from: &str, col: &str) -> String {
    format!("fk_{from}_{col}")
}

/// Adds a non-null reference column `col` to `to.id`, with its foreign key.
pub fn references(t: &mut TableCreateStatement, from: &str, col: &str, to: &str) {
    t.col(bigint(col));
    t.foreign_key(
        ForeignKey::create()
            .name(fk_name(from, col))
            .from(id(from), id(col))
            .to(id(to), id("id"))
            .on_delete(ForeignKeyAction::Restrict)
            .on_update(ForeignKeyAction::Cascade),
    );
}

/// Adds a nullable reference column `col` to `to.id`, with its foreign key.
pub fn references_null(t: &mut TableCreateStatement, from: &str, col: &str, to: &str) {
    t.col(bigint_null(col));
    t.foreign_key(
        ForeignKey::create()
            .name(fk_name(from, col))
            .from(id(from), id(col))
            .to(id(to), id("id"))
            .on_delete(ForeignKeyAction::SetNull)
            .on_update(ForeignKeyAction::Cascade),
    );
}

pub fn index(table: &str, cols: &[&str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(format!("ix_{table}_{}", cols.join("_")))
        .table(id(table))
        .if_not_exists();
    for c in cols {
        i.col(id(c));
    }
    i.to_owned()
}

pub fn unique(table: &str, cols: &[&str]) -> IndexCreateStatement {
    let mut i = index(table, cols);
    i.name(format!("ux_{table}_{}", cols.join("_"))).unique();
    i
}

pub async fn create(
    m: &SchemaManager<'_>,
    t: TableCreateStatement,
    indexes: Vec<IndexCreateStatement>,
) -> Result<(), DbErr> {
    m.create_table(t).await?;
    for i in indexes {
        m.create_index(i).await?;
    }
    Ok(())
}

pub async fn drop_all(m: &SchemaManager<'_>, tables: &[&str]) -> Result<(), DbErr> {
    for t in tables.iter().rev() {
        m.drop_table(Table::drop().table(id(t)).if_exists().to_owned())
            .await?;
    }
    Ok(())
}

/// Adds one column to a table (one per statement: SQLite's ALTER TABLE adds one at a time).
pub async fn add_column(m: &SchemaManager<'_>, table: &str, col: ColumnDef) -> Result<(), DbErr> {
    m.alter_table(Table::alter().table(id(table)).add_column(col).to_owned())
        .await
}

/// Drops one column (a `down` step; any index on it must go first).
pub async fn drop_column(m: &SchemaManager<'_>, table: &str, col: &str) -> Result<(), DbErr> {
    m.alter_table(
        Table::alter()
            .table(id(table))
            .drop_column(id(col))
            .to_owned(),
    )
    .await
}
