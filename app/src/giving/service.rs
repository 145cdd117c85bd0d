//! Services behind the public giving pages. They read only public columns and aggregates.

use super::*;
use crate::error::AppError;
use crate::platform::entity::status::NeedStatus;
use crate::platform::entity::{need, province};
use crate::validation::normalize_persian;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Statement,
};
use std::collections::HashMap;

/// What the public may see of needs: published onward, unless the family withdrew its consent
/// (a funded card then stays funded for the staff, off every public surface), and only while the
/// family's consent to publish is recorded and current — checked in the query itself, so no
/// list, page, API answer, receipt or gift form can show a card its family has not agreed to.
pub fn visible_need() -> Condition {
    card_is_up().add(Expr::cust(FAMILY_CONSENTS))
}

/// The card's own flags only (published onward, not withdrawn): what staff take down when a
/// family withdraws its consent, in the same transaction that records the withdrawal.
pub fn card_is_up() -> Condition {
    Condition::all()
        .add(need::Column::Status.is_in(NeedStatus::PUBLIC))
        .add(need::Column::WithdrawnAt.is_null())
}

/// The family behind `needs.family_id` consents now (correlated on the unaliased table name).
/// Written as a scalar look-up by primary key rather than `EXISTS`: SQLite 3.51 turns an `EXISTS`
/// into a join with a Bloom filter over all families and then sorts every visible need instead of
/// reading the list's order index (17–400 ms a page at national scale instead of under 1 ms).
pub const FAMILY_CONSENTS: &str = "(SELECT 1 FROM families f WHERE f.id = needs.family_id \
     AND f.consent_publish = TRUE AND f.consent_recorded_at IS NOT NULL AND f.consent_withdrawn_at IS NULL) IS NOT NULL";

/// [`visible_need`] for the public list. On SQLite the status test carries a unary `+`, which
/// keeps the planner from answering it with the status index and sorting every visible need;
/// it reads the index of the list's order instead and stops after a page. Same rows.
fn listed_need(backend: sea_orm::DbBackend) -> Condition {
    match backend {
        sea_orm::DbBackend::Sqlite => Condition::all()
            .add(unindexed_in(
                "needs",
                "status",
                &NeedStatus::PUBLIC.map(NeedStatus::as_str),
            ))
            .add(need::Column::WithdrawnAt.is_null())
            .add(Expr::cust(FAMILY_CONSENTS)),
        _ => visible_need(),
    }
}

/// `table.column IN ('a', 'b')` with a unary `+` on the column, which SQLite reads as "do not answer
/// this with an index" (see [`listed_need`]). `values` are our own constants, safe to inline.
pub(crate) fn unindexed_in(
    table: &str,
    column: &str,
    values: &[&str],
) -> sea_orm::sea_query::SimpleExpr {
    let list = values
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(", ");
    Expr::cust(format!("+{table}.{column} IN ({list})"))
}

/// How many rows `select` matches, counted in the database up to [`COUNT_CAP`]
/// (`SELECT COUNT(*) FROM (… LIMIT cap+1)`), and whether more matched. At national scale an
/// exact count reads every matching card on every page view; nobody pages past a few dozen.
pub(crate) async fn bounded_count<E: EntityTrait>(
    db: &DatabaseConnection,
    select: sea_orm::Select<E>,
    id: impl ColumnTrait,
) -> Result<(u64, bool), AppError> {
    let mut bounded = select
        .select_only()
        .column(id)
        .limit(COUNT_CAP + 1)
        .build(db.get_database_backend());
    bounded.sql = format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM ({}) AS bounded",
        bounded.sql
    );
    let counted = db
        .query_one_raw(bounded)
        .await?
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0) as u64;
    Ok((counted.min(COUNT_CAP), counted > COUNT_CAP))
}

const MAX_QUERY_CHARS: usize = 100;
/// Lists count matches up to this many (twenty pages); beyond it they say "more than 240".
/// Counting every match read the whole national list on every page view.
pub const COUNT_CAP: u64 = 240;
const MAX_PAGE: u64 = COUNT_CAP.div_ceil(PER_PAGE);

/// Validated filters.
struct Filters {
    /// The search, folded by `validation::search_text`.
    q: Option<String>,
    province_id: Option<i64>,
    category: Option<&'static str>,
    /// Rials: at most this much still to raise.
    left: Option<i64>,
    sort: &'static str,
    page: u64,
}

/// Every province by id (31 rows), to name the provinces of a page of records.
pub(crate) async fn province_map(
    db: &DatabaseConnection,
) -> Result<HashMap<i64, province::Model>, AppError> {
    Ok(province::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect())
}

async fn validate(db: &DatabaseConnection, q: &NeedQuery) -> Result<Filters, AppError> {
    // Kept folded (as the text it is matched against was folded when written); the length
    // limit counts what was typed, normalised.
    let typed = q.q.as_deref().map(normalize_persian).and_then(|t| {
        let folded = crate::validation::search_text(&t);
        (!folded.is_empty()).then_some((t, folded))
    });
    if typed
        .as_ref()
        .is_some_and(|(t, _)| t.chars().count() > MAX_QUERY_CHARS)
    {
        return Err(AppError::invalid("q", "validation.search_too_long"));
    }
    let text = typed.map(|(_, folded)| folded);
    let province_id = match q.province.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(code) => Some(
            province::Entity::find()
                .filter(province::Column::Code.eq(code))
                .one(db)
                .await?
                .ok_or_else(|| AppError::invalid("province", "validation.filter"))?
                .id,
        ),
    };
    let category = match q.category.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(c) => Some(
            *CATEGORIES
                .iter()
                .find(|x| **x == c)
                .ok_or_else(|| AppError::invalid("category", "validation.filter"))?,
        ),
    };
    let left = match q.left.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            let tomans: i64 = crate::validation::latin_digits(s)
                .replace([',', '٬', '،'], "")
                .parse()
                .map_err(|_| AppError::invalid("left", "validation.filter"))?;
            if !(1..=MAX_LEFT_TOMANS).contains(&tomans) {
                return Err(AppError::invalid("left", "validation.filter"));
            }
            Some(tomans * 10)
        }
    };
    let sort = match q.sort.as_deref().unwrap_or("urgent") {
        "" | "urgent" => "urgent",
        "newest" => "newest",
        "smallest" => "smallest",
        _ => return Err(AppError::invalid("sort", "validation.filter")),
    };
    let page = q.page.unwrap_or(1).clamp(1, MAX_PAGE);
    Ok(Filters {
        q: text,
        province_id,
        category,
        left,
        sort,
        page,
    })
}

/// The largest "amount left" filter taken (10 billion tomans: more than any need).
const MAX_LEFT_TOMANS: i64 = 10_000_000_000;

fn card(
    n: &need::Model,
    provinces: &HashMap<i64, province::Model>,
    raised: i64,
    donors: i64,
) -> NeedCard {
    NeedCard {
        code: n.public_code.clone(),
        category: n.category.clone(),
        title: n.public_title.clone(),
        province: (!n.hide_province)
            .then(|| provinces.get(&n.province_id))
            .flatten()
            .map(province_name),
        household_band: n.household_band.clone(),
        goal_rials: n.goal_rials,
        raised_rials: raised,
        donors,
        deadline: n.deadline,
        status: n.status,
        occasion: n.occasion.clone(),
        matched: None,
    }
}

/// What a need or a campaign was given.
#[derive(Clone, Copy)]
pub(crate) enum Owner {
    Need,
    Campaign,
}

/// Money received for each need (or campaign): what its fund account holds (the balance the
/// ledger keeps with the entries), and the number of settled gifts.
pub(crate) async fn raised_and_donors(
    db: &DatabaseConnection,
    owner: Owner,
    ids: &[i64],
) -> Result<HashMap<i64, (i64, i64)>, AppError> {
    let mut out: HashMap<i64, (i64, i64)> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    // A fixed column name and integers only: safe to inline.
    let col = match owner {
        Owner::Need => "need_id",
        Owner::Campaign => "campaign_id",
    };
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let backend = db.get_database_backend();
    let raised = format!(
        "SELECT a.{col} AS id, CAST(-SUM(a.balance_rials) AS BIGINT) AS raised \
         FROM ledger_accounts a WHERE a.kind = 'fund' AND a.{col} IN ({list}) GROUP BY a.{col}"
    );
    for row in db
        .query_all_raw(Statement::from_string(backend, raised))
        .await?
    {
        let id: i64 = row.try_get("", "id")?;
        out.entry(id).or_default().0 = row.try_get("", "raised")?;
    }
    let donors = format!(
        "SELECT {col} AS id, CAST(COUNT(*) AS BIGINT) AS n FROM donations \
         WHERE status = 'settled' AND {col} IN ({list}) GROUP BY {col}"
    );
    for row in db
        .query_all_raw(Statement::from_string(backend, donors))
        .await?
    {
        let id: i64 = row.try_get("", "id")?;
        out.entry(id).or_default().1 = row.try_get("", "n")?;
    }
    Ok(out)
}

/// Above this many matches a search is "dense" on SQLite (see [`search_condition`]).
const DENSE_MATCHES: i64 = 4_000;

/// The folded query (see `validate`) inside the folded title and story, answered from the
/// trigram index (migration m0013); `%` and `_` typed by the visitor are not wildcards.
///
/// On SQLite a query of three characters or more is an FTS5 phrase of trigrams (`MATCH`), which
/// is a substring match like `LIKE '%…%'` but read from the index alone: `LIKE` on the FTS table
/// checks every candidate row's text again (240 ms for «اجاره» at national scale, 10 ms as a
/// phrase). Shorter queries have no trigram and stay `LIKE`. How the list then reads depends on
/// how many needs match, counted first up to a bound (2–6 ms): a few, and SQLite reads just
/// those and sorts them; thousands (a common word), and it walks the list's own order index,
/// testing each need against the matches (`+needs.id`, as for the status), and stops after a
/// page instead of sorting every match (80 ms → 9 ms for a page of «اجاره»).
async fn search_condition(
    db: &DatabaseConnection,
    text: &str,
) -> Result<sea_orm::sea_query::SimpleExpr, AppError> {
    let backend = db.get_database_backend();
    let pattern = format!("%{}%", text.replace(['%', '_', '\\'], ""));
    if backend == sea_orm::DbBackend::Postgres {
        return Ok(need::Column::SearchText.like(pattern));
    }
    if text.chars().count() < 3 {
        return Ok(Expr::cust_with_values(
            "needs.id IN (SELECT rowid FROM needs_fts WHERE search_text LIKE ?)",
            [pattern],
        ));
    }
    let phrase = format!("\"{}\"", text.replace('"', "\"\""));
    let matches = db
        .query_one_raw(crate::platform::db::stmt(
            backend,
            &format!(
                "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM (SELECT rowid FROM needs_fts \
                 WHERE needs_fts MATCH ? LIMIT {})",
                DENSE_MATCHES + 1
            ),
            [phrase.clone().into()],
        ))
        .await?
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0);
    let id = if matches > DENSE_MATCHES {
        "+needs.id"
    } else {
        "needs.id"
    };
    Ok(Expr::cust_with_values(
        format!("{id} IN (SELECT rowid FROM needs_fts WHERE needs_fts MATCH ?)"),
        [phrase],
    ))
}

pub async fn list_needs(db: &DatabaseConnection, q: &NeedQuery) -> Result<NeedResults, AppError> {
    let f = validate(db, q).await?;
    let backend = db.get_database_backend();
    let mut cond = listed_need(backend);
    if let Some(pid) = f.province_id {
        // A generalised card never answers a province filter: that would reveal it.
        cond = cond
            .add(need::Column::ProvinceId.eq(pid))
            .add(need::Column::HideProvince.eq(false));
    }
    if let Some(c) = f.category {
        cond = cond.add(match backend {
            // As for the status: read in the list's order, not through the category index.
            sea_orm::DbBackend::Sqlite => Expr::cust_with_values("+needs.category = ?", [c]),
            _ => need::Column::Category.eq(c),
        });
    }
    if let Some(text) = &f.q {
        cond = cond.add(search_condition(db, text).await?);
    }
    if let Some(rials) = f.left {
        // What is left = goal − what the need's fund holds (its stored balance, credit-normal
        // so negative); only needs still raising have anything left. `rials` is our own integer.
        cond = cond
            .add(need::Column::Status.eq(NeedStatus::Published))
            .add(Expr::cust(format!(
                "(needs.goal_rials + COALESCE((SELECT SUM(a.balance_rials) FROM ledger_accounts a \
             WHERE a.need_id = needs.id), 0)) <= {rials}"
            )));
    }
    let base = need::Entity::find().filter(cond);
    let (total, more) = bounded_count(db, base.clone(), need::Column::Id).await?;
    let mut select = base;
    select = match f.sort {
        "newest" => select.order_by(need::Column::PublishedAt, Order::Desc),
        "smallest" => select.order_by(need::Column::GoalRials, Order::Asc),
        _ => select
            .order_by(
                Expr::cust("CASE WHEN status = 'published' THEN 0 ELSE 1 END"),
                Order::Asc,
            )
            .order_by(
                Expr::cust("CASE WHEN deadline IS NULL THEN 1 ELSE 0 END"),
                Order::Asc,
            )
            .order_by(need::Column::Deadline, Order::Asc),
    };
    select = select.order_by(need::Column::Id, Order::Asc);
    let rows = select
        .offset((f.page - 1) * PER_PAGE)
        .limit(PER_PAGE)
        .all(db)
        .await?;
    let provinces = province_map(db).await?;
    let ids: Vec<i64> = rows.iter().map(|n| n.id).collect();
    let money = raised_and_donors(db, Owner::Need, &ids).await?;
    let badges = super::matching_service::need_badges(db, &rows.iter().collect::<Vec<_>>()).await?;
    let items = rows
        .iter()
        .map(|n| {
            let (raised, donors) = money.get(&n.id).copied().unwrap_or_default();
            NeedCard {
                matched: badges.get(&n.id).cloned(),
                ..card(n, &provinces, raised, donors)
            }
        })
        .collect();
    Ok(NeedResults {
        items,
        total,
        more,
        page: f.page,
        pages: total.div_ceil(PER_PAGE).max(1),
    })
}

pub async fn get_need(db: &DatabaseConnection, code: &str) -> Result<NeedDetail, AppError> {
    let n = public_need(code)
        .ok_or(AppError::NotFound)?
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let provinces = province_map(db).await?;
    let money = raised_and_donors(db, Owner::Need, &[n.id]).await?;
    let (raised, donors) = money.get(&n.id).copied().unwrap_or_default();
    let matched = super::matching_service::need_badges(db, &[&n])
        .await?
        .remove(&n.id);
    Ok(NeedDetail {
        card: NeedCard {
            matched,
            ..card(&n, &provinces, raised, donors)
        },
        story: n.public_story.clone(),
        published_on: n.published_at.map(|t| t.date_naive()),
        funded_on: n.funded_at.map(|t| t.date_naive()),
        purchased_on: n.purchased_at.map(|t| t.date_naive()),
        delivered_on: n.delivered_at.map(|t| t.date_naive()),
    })
}

pub async fn provinces(db: &DatabaseConnection) -> Result<Vec<ProvinceOption>, AppError> {
    Ok(province::Entity::find()
        .order_by(province::Column::SortOrder, Order::Asc)
        .all(db)
        .await?
        .into_iter()
        .map(|p| ProvinceOption {
            code: p.code,
            fa: p.name_fa,
            en: p.name_en,
        })
        .collect())
}

/// The query for a publicly visible need by its code (typed in any digit script, any case);
/// `None` for a code that cannot be one.
fn public_need(code: &str) -> Option<sea_orm::Select<need::Entity>> {
    crate::validation::public_code(code).map(|code| {
        need::Entity::find()
            .filter(need::Column::PublicCode.eq(code))
            .filter(visible_need())
    })
}

/// Whether a need with this public code is visible to the public.
pub async fn is_public(db: &DatabaseConnection, code: &str) -> Result<bool, AppError> {
    match public_need(code) {
        Some(q) => Ok(q.count(db).await? > 0),
        None => Ok(false),
    }
}

/// Children's gifts of one occasion: how many, how many met, goal and raised (from the ledger).
pub async fn occasion_progress(
    db: &DatabaseConnection,
    key: &str,
) -> Result<OccasionProgress, AppError> {
    let backend = db.get_database_backend();
    // CAST: PostgreSQL sums BIGINT into NUMERIC; on SQLite it changes nothing.
    let sql = "SELECT CAST(COUNT(*) AS BIGINT) AS n, \
               CAST(COALESCE(SUM(CASE WHEN n.status IN ('funded','purchased','delivered') THEN 1 ELSE 0 END), 0) AS BIGINT) AS met, \
               CAST(COALESCE(SUM(n.goal_rials), 0) AS BIGINT) AS goal, \
               CAST(COALESCE(SUM((SELECT -SUM(a.balance_rials) FROM ledger_accounts a WHERE a.need_id = n.id)), 0) AS BIGINT) AS raised \
             FROM needs n WHERE n.occasion = ? AND n.status IN ('published','funded','purchased','delivered')";
    let row = db
        .query_one_raw(crate::platform::db::stmt(
            backend,
            sql,
            [key.to_string().into()],
        ))
        .await?
        .ok_or_else(|| AppError::internal("occasion", "no row"))?;
    Ok(OccasionProgress {
        key: key.to_string(),
        needs: row.try_get("", "n")?,
        needs_met: row.try_get("", "met")?,
        goal_rials: row.try_get("", "goal")?,
        raised_rials: row.try_get("", "raised")?,
    })
}

/// Folds the title and story of needs written before `needs.search_text` existed, a thousand at
/// a time (`serve` runs it at start; a no-op once done). Returns how many were folded.
pub async fn fold_missing_search_text(db: &DatabaseConnection) -> Result<u64, AppError> {
    use sea_orm::sea_query::Expr;
    let mut done = 0;
    loop {
        let batch: Vec<(i64, String, String)> = need::Entity::find()
            .select_only()
            .columns([
                need::Column::Id,
                need::Column::PublicTitle,
                need::Column::PublicStory,
            ])
            .filter(need::Column::SearchText.is_null())
            .limit(1_000)
            .into_tuple()
            .all(db)
            .await?;
        if batch.is_empty() {
            return Ok(done);
        }
        // One transaction a batch: a commit per row would take minutes at national scale.
        let txn = sea_orm::TransactionTrait::begin(db).await?;
        for (id, title, story) in batch {
            need::Entity::update_many()
                .col_expr(
                    need::Column::SearchText,
                    Expr::value(crate::validation::search_text(&format!("{title} {story}"))),
                )
                .filter(need::Column::Id.eq(id))
                .exec(&txn)
                .await?;
            done += 1;
        }
        txn.commit().await?;
    }
}

/// A province as cards and staff lists name it.
pub fn province_name(p: &province::Model) -> ProvinceName {
    ProvinceName {
        code: p.code.clone(),
        fa: p.name_fa.clone(),
        en: p.name_en.clone(),
    }
}
