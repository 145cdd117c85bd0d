//! Collecting the figures: every count and sum by province and day (or Solar Hijri month), from
//! the source tables, in a handful of grouped queries.

use super::*;

/// What one snapshot row counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Counters {
    pub(super) families: i64,
    pub(super) needs_published: i64,
    pub(super) needs_funded: i64,
    pub(super) needs_delivered: i64,
    pub(super) raised_rials: i64,
    pub(super) disbursed_rials: i64,
    pub(super) prisoners_freed: i64,
    pub(super) forgiveness_rials: i64,
    pub(super) workers: i64,
    pub(super) wages_rials: i64,
    pub(super) family_share_rials: i64,
    pub(super) prisoners_held: i64,
    pub(super) days_to_fund: Vec<i64>,
}

pub(super) type Key = (Option<i64>, String);

/// A day (`YYYY-MM-DD…`) → its Solar Hijri month, remembered (a national refresh sees ~1,000 days).
#[derive(Default)]
pub(super) struct Periods(pub(super) HashMap<String, Option<String>>);

impl Periods {
    pub(super) fn of(&mut self, day: &str) -> Option<String> {
        self.0
            .entry(day.to_string())
            .or_insert_with(|| crate::i18n::period_of_day(day))
            .clone()
    }
}

pub(super) struct Collector {
    pub(super) rows: BTreeMap<Key, Counters>,
    pub(super) periods: Periods,
}

impl Collector {
    /// Adds to the province's month and totals and to the country's month and totals.
    pub(super) fn add(&mut self, province: i64, period: Option<&str>, f: impl Fn(&mut Counters)) {
        let mut keys = vec![(Some(province), ALL.to_string()), (None, ALL.to_string())];
        if let Some(p) = period {
            keys.push((Some(province), p.to_string()));
            keys.push((None, p.to_string()));
        }
        for k in keys {
            f(self.rows.entry(k).or_default());
        }
    }

    pub(super) fn add_on_day(&mut self, province: i64, day: &str, f: impl Fn(&mut Counters)) {
        let period = self.periods.of(day);
        self.add(province, period.as_deref(), f);
    }
}

/// `(province, day, value)` rows of one grouped query.
pub(super) async fn by_day(
    db: &DatabaseConnection,
    sql: String,
) -> Result<Vec<(i64, String, i64)>, AppError> {
    let mut out = Vec::new();
    for r in query(db, sql).await? {
        out.push((
            r.try_get_by_index::<i64>(0)?,
            r.try_get_by_index::<String>(1)?,
            r.try_get_by_index::<i64>(2)?,
        ));
    }
    Ok(out)
}

/// Reads every source table once (a dozen grouped queries) into snapshot rows.
pub(super) async fn collect(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<Collector, AppError> {
    let mut c = Collector {
        rows: BTreeMap::new(),
        periods: Periods::default(),
    };
    collect_case_work(db, &mut c).await?;
    collect_money(db, &mut c, now).await?;
    collect_employment(db, &mut c).await?;
    collect_days_to_fund(db, &mut c, now).await?;
    Ok(c)
}

/// Families taken in, and needs published, funded and delivered, by day.
pub(super) async fn collect_case_work(
    db: &DatabaseConnection,
    c: &mut Collector,
) -> Result<(), AppError> {
    let b = db.get_database_backend();
    let day = |col: &str| day_expr(b, col);
    let d = day("created_at");
    for (p, dd, n) in by_day(
        db,
        format!(
        "SELECT province_id, {d}, CAST(COUNT(*) AS BIGINT) FROM families GROUP BY province_id, {d}"
    ),
    )
    .await?
    {
        c.add_on_day(p, &dd, |r| r.families += n);
    }
    for (col, which) in [("published_at", 0), ("funded_at", 1), ("delivered_at", 2)] {
        let d = day(col);
        for (p, dd, n) in by_day(db, format!(
            "SELECT province_id, {d}, CAST(COUNT(*) AS BIGINT) FROM needs WHERE {col} IS NOT NULL GROUP BY province_id, {d}"
        )).await? {
            c.add_on_day(p, &dd, |r| match which {
                0 => r.needs_published += n,
                1 => r.needs_funded += n,
                _ => r.needs_delivered += n,
            });
        }
    }
    Ok(())
}

/// Money raised and paid out, prisoners freed and creditors' forgiveness, by day.
pub(super) async fn collect_money(
    db: &DatabaseConnection,
    c: &mut Collector,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let b = db.get_database_backend();
    let day = |col: &str| day_expr(b, col);
    // Gifts and payments count in the province of the need or campaign they were for; what was
    // raised comes from the running gift totals (`giving::totals`), not a pass over every gift.
    for (k, s) in crate::giving::totals::current(db, now).await? {
        if k.province_id != 0 {
            c.add(k.province_id, Some(&k.period), |r| {
                r.raised_rials += s.rials
            });
        }
    }
    let d = day("x.paid_at");
    for (p, dd, n) in by_day(db, format!(
        "SELECT COALESCE(n.province_id, c.province_id) AS p, {d}, CAST(SUM(x.amount_rials) AS BIGINT) FROM disbursements x \
         LEFT JOIN needs n ON n.id = x.need_id LEFT JOIN release_campaigns c ON c.id = x.campaign_id \
         WHERE x.status = 'paid' AND x.paid_at IS NOT NULL AND (n.id IS NOT NULL OR c.id IS NOT NULL) \
         GROUP BY COALESCE(n.province_id, c.province_id), {d}"
    )).await? {
        c.add_on_day(p, &dd, |r| r.disbursed_rials += n);
    }
    let d = day("released_on");
    for (p, dd, n) in by_day(db, format!(
        "SELECT province_id, {d}, CAST(COUNT(*) AS BIGINT) FROM release_campaigns \
         WHERE status IN ('released', 'closed') AND released_on IS NOT NULL GROUP BY province_id, {d}"
    )).await? {
        c.add_on_day(p, &dd, |r| r.prisoners_freed += n);
    }
    // Forgiveness is recorded with the campaign; it counts once the campaign left the draft.
    let d = day("created_at");
    for (p, dd, n) in by_day(
        db,
        format!(
        "SELECT province_id, {d}, CAST(SUM(forgiveness_rials) AS BIGINT) FROM release_campaigns \
         WHERE status <> 'draft' AND forgiveness_rials > 0 GROUP BY province_id, {d}"
    ),
    )
    .await?
    {
        c.add_on_day(p, &dd, |r| r.forgiveness_rials += n);
    }
    Ok(())
}

/// Wages by Solar Hijri month, and who works and who is held now.
pub(super) async fn collect_employment(
    db: &DatabaseConnection,
    c: &mut Collector,
) -> Result<(), AppError> {
    // Wages are per Solar Hijri month already; a prisoner counts in his prison's province.
    for r in query(db, String::from(
        "SELECT pn.province_id, w.period, CAST(COUNT(DISTINCT w.prisoner_id) AS BIGINT), \
         CAST(SUM(w.gross_rials) AS BIGINT), CAST(SUM(w.family_rials) AS BIGINT) FROM wage_payments w \
         JOIN prisoners pr ON pr.id = w.prisoner_id JOIN prisons pn ON pn.id = pr.prison_id \
         GROUP BY pn.province_id, w.period",
    )).await? {
        let (p, period): (i64, String) = (r.try_get_by_index(0)?, r.try_get_by_index(1)?);
        let (workers, gross, family): (i64, i64, i64) =
            (r.try_get_by_index(2)?, r.try_get_by_index(3)?, r.try_get_by_index(4)?);
        c.add(p, Some(&period), |r| {
            r.wages_rials += gross;
            r.family_share_rials += family;
        });
        // People paid in a month; the totals' `workers` are those at work now (below).
        for k in [(Some(p), period.clone()), (None, period.clone())] {
            c.rows.entry(k).or_default().workers += workers;
        }
    }
    for (sql, at_work) in [
        ("SELECT pn.province_id, CAST(COUNT(DISTINCT a.prisoner_id) AS BIGINT) FROM worker_assignments a \
          JOIN prisoners pr ON pr.id = a.prisoner_id JOIN prisons pn ON pn.id = pr.prison_id \
          WHERE a.status = 'active' GROUP BY pn.province_id", true),
        ("SELECT pn.province_id, CAST(COUNT(*) AS BIGINT) FROM prisoners pr JOIN prisons pn ON pn.id = pr.prison_id \
          WHERE pr.released_on IS NULL GROUP BY pn.province_id", false),
    ] {
        for r in query(db, sql.to_string()).await? {
            let (p, n): (i64, i64) = (r.try_get_by_index(0)?, r.try_get_by_index(1)?);
            c.add(p, None, |r| if at_work { r.workers += n } else { r.prisoners_held += n });
        }
    }
    Ok(())
}

/// Days from publication to funded, for the medians.
pub(super) async fn collect_days_to_fund(
    db: &DatabaseConnection,
    c: &mut Collector,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let b = db.get_database_backend();
    let day = |col: &str| day_expr(b, col);
    // Days from publication to funded: every funded need once, for the month it was funded in;
    // the totals' median is over the last year.
    let days = if b == DbBackend::Postgres {
        "CAST(EXTRACT(EPOCH FROM (funded_at - published_at)) / 86400 AS BIGINT)"
    } else {
        "CAST(julianday(funded_at) - julianday(published_at) AS INTEGER)"
    };
    let d = day("funded_at");
    let year_ago = (now - chrono::Duration::days(365))
        .format("%Y-%m-%d")
        .to_string();
    for (p, dd, n) in by_day(db, format!(
        "SELECT province_id, {d}, {days} FROM needs WHERE funded_at IS NOT NULL AND published_at IS NOT NULL"
    )).await? {
        let n = n.max(0);
        let period = c.periods.of(&dd);
        let recent = dd.as_str() >= year_ago.as_str();
        let mut keys = Vec::new();
        if recent {
            keys.extend([(Some(p), ALL.to_string()), (None, ALL.to_string())]);
        }
        if let Some(per) = period {
            keys.extend([(Some(p), per.clone()), (None, per)]);
        }
        for k in keys {
            c.rows.entry(k).or_default().days_to_fund.push(n);
        }
    }
    Ok(())
}
