//! What entrepreneurs and staff read: a contract with its history, the entrepreneur's dashboard,
//! output per contract and the staff queue.

use super::*;

pub async fn contract_view(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
) -> Result<ContractView, AppError> {
    let (c, place) = contract_for(state, viewer, Permission::ViewEmployment, code).await?;
    let db = &state.db;
    let company = entrepreneur::Entity::find_by_id(c.entrepreneur_id)
        .one(db)
        .await?
        .map(|e| e.company_name)
        .unwrap_or_default();
    let workers = workers_of(db, viewer, c.id).await?;
    let logs = recent_logs(db, c.id).await?;
    let invoices = invoice::Entity::find()
        .filter(invoice::Column::ContractId.eq(c.id))
        .order_by_desc(invoice::Column::Period)
        .all(db)
        .await?
        .iter()
        .map(invoice_view)
        .collect();
    let reviews = contract_review::Entity::find()
        .filter(contract_review::Column::ContractId.eq(c.id))
        .order_by_asc(contract_review::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|r| ReviewView {
            version: r.version,
            role: r.reviewer_role,
            decision: r.decision,
            reason: r.reason,
            at: r.created_at.date_naive().to_string(),
        })
        .collect();
    Ok(ContractView {
        code: c.public_code.clone(),
        status: c.status,
        status_reason: c.status_reason.clone(),
        version: c.version,
        workshop_code: place.workshop.public_code.clone(),
        workshop_fa: place.workshop.name_fa.clone(),
        workshop_en: place.workshop.name_en.clone(),
        company,
        terms: terms_of(&c),
        workers,
        logs,
        invoices,
        reviews,
        own: matches!(viewer, Viewer::Owner(_)),
        current_period: period_of(today()),
    })
}

/// The contract's workers by worker code; staff also see the way to each one's family file, an
/// entrepreneur never does.
async fn workers_of(
    db: &sea_orm::DatabaseConnection,
    viewer: &Viewer,
    contract_id: i64,
) -> Result<Vec<WorkerView>, AppError> {
    let assignments = worker_assignment::Entity::find()
        .filter(worker_assignment::Column::ContractId.eq(contract_id))
        .order_by_asc(worker_assignment::Column::Id)
        .all(db)
        .await?;
    let people = prisoner::Entity::find()
        .filter(
            prisoner::Column::Id.is_in(
                assignments
                    .iter()
                    .map(|a| a.prisoner_id)
                    .collect::<Vec<_>>(),
            ),
        )
        .all(db)
        .await?;
    let skills: HashMap<i64, Vec<String>> = people
        .iter()
        .map(|p| (p.id, skills_of(&p.skills)))
        .collect();
    // Staff follow a worker to his family's file; an entrepreneur never learns it.
    let families: HashMap<i64, String> = match viewer {
        Viewer::Owner(_) => HashMap::new(),
        Viewer::Staff(_) => {
            use crate::platform::entity::family;
            let codes: HashMap<i64, String> = family::Entity::find()
                .filter(
                    family::Column::Id.is_in(
                        people
                            .iter()
                            .filter_map(|p| p.family_id)
                            .collect::<Vec<_>>(),
                    ),
                )
                .all(db)
                .await?
                .into_iter()
                .map(|f| (f.id, f.public_code))
                .collect();
            people
                .iter()
                .filter_map(|p| {
                    p.family_id
                        .and_then(|f| codes.get(&f))
                        .map(|c| (p.id, c.clone()))
                })
                .collect()
        }
    };
    Ok(assignments
        .iter()
        .map(|a| WorkerView {
            worker_code: a.worker_code.clone(),
            skills: skills.get(&a.prisoner_id).cloned().unwrap_or_default(),
            status: a.status,
            family_code: families.get(&a.prisoner_id).cloned(),
            rating: a.rating,
        })
        .collect())
}

/// The last two months of daily logs, with each day's hours.
async fn recent_logs(
    db: &sea_orm::DatabaseConnection,
    contract_id: i64,
) -> Result<Vec<LogView>, AppError> {
    let logs = production_log::Entity::find()
        .filter(production_log::Column::ContractId.eq(contract_id))
        .order_by_desc(production_log::Column::WorkDate)
        .limit(62)
        .all(db)
        .await?;
    let mut minutes: HashMap<i64, i64> = HashMap::new();
    for h in production_hour::Entity::find()
        .filter(production_hour::Column::LogId.is_in(logs.iter().map(|l| l.id).collect::<Vec<_>>()))
        .all(db)
        .await?
    {
        *minutes.entry(h.log_id).or_default() += h.minutes;
    }
    Ok(logs
        .into_iter()
        .map(|l| LogView {
            id: l.id,
            date: l.work_date.to_string(),
            quantity: l.quantity,
            accepted: l.accepted,
            rejected: l.rejected,
            minutes: minutes.get(&l.id).copied().unwrap_or(0),
            disputed: l.disputed && l.resolved_at.is_none(),
            dispute_note: l.dispute_note,
            resolution_note: l.resolution_note,
        })
        .collect())
}

pub(super) async fn contract_rows(
    state: &AppState,
    contracts: Vec<contract::Model>,
) -> Result<Vec<ContractRow>, AppError> {
    let db = &state.db;
    let ws: HashMap<i64, workshop::Model> = workshop::Entity::find()
        .filter(
            workshop::Column::Id.is_in(contracts.iter().map(|c| c.workshop_id).collect::<Vec<_>>()),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|w| (w.id, w))
        .collect();
    let es: HashMap<i64, String> = entrepreneur::Entity::find()
        .filter(
            entrepreneur::Column::Id.is_in(
                contracts
                    .iter()
                    .map(|c| c.entrepreneur_id)
                    .collect::<Vec<_>>(),
            ),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e.company_name))
        .collect();
    let mut workers: HashMap<i64, i64> = HashMap::new();
    for a in worker_assignment::Entity::find()
        .filter(
            worker_assignment::Column::ContractId
                .is_in(contracts.iter().map(|c| c.id).collect::<Vec<_>>()),
        )
        .filter(worker_assignment::Column::Status.eq(AssignmentStatus::Active))
        .all(db)
        .await?
    {
        *workers.entry(a.contract_id).or_default() += 1;
    }
    Ok(contracts
        .into_iter()
        .map(|c| {
            let w = ws.get(&c.workshop_id);
            ContractRow {
                code: c.public_code,
                product: c.product,
                company: es.get(&c.entrepreneur_id).cloned().unwrap_or_default(),
                workshop_fa: w.map(|w| w.name_fa.clone()).unwrap_or_default(),
                workshop_en: w.map(|w| w.name_en.clone()).unwrap_or_default(),
                status: c.status,
                headcount: c.headcount,
                workers: workers.get(&c.id).copied().unwrap_or(0),
            }
        })
        .collect())
}

pub(super) async fn entrepreneur_rows(
    state: &AppState,
    es: Vec<entrepreneur::Model>,
) -> Result<Vec<EntrepreneurRow>, AppError> {
    let ps: HashMap<i64, province::Model> = province::Entity::find()
        .all(&state.db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    Ok(es
        .into_iter()
        .map(|e| {
            let p = ps.get(&e.province_id);
            EntrepreneurRow {
                code: e.public_code,
                company: e.company_name,
                sector: e.sector,
                province_fa: p.map(|p| p.name_fa.clone()).unwrap_or_default(),
                province_en: p.map(|p| p.name_en.clone()).unwrap_or_default(),
                status: e.status,
            }
        })
        .collect())
}

pub async fn dashboard(state: &AppState, me: &Owner) -> Result<Dashboard, AppError> {
    let db = &state.db;
    let contracts = contract::Entity::find()
        .filter(contract::Column::EntrepreneurId.eq(me.entrepreneur.id))
        .order_by_desc(contract::Column::UpdatedAt)
        .limit(100)
        .all(db)
        .await?;
    let codes: HashMap<i64, String> = contracts
        .iter()
        .map(|c| (c.id, c.public_code.clone()))
        .collect();
    let invoices = invoice::Entity::find()
        .filter(invoice::Column::ContractId.is_in(codes.keys().copied().collect::<Vec<_>>()))
        .order_by_desc(invoice::Column::Period)
        .limit(100)
        .all(db)
        .await?
        .iter()
        .map(|i| {
            (
                codes.get(&i.contract_id).cloned().unwrap_or_default(),
                invoice_view(i),
            )
        })
        .collect();
    let prisons: Vec<i64> = prison::Entity::find()
        .filter(prison::Column::ProvinceId.eq(me.entrepreneur.province_id))
        .all(db)
        .await?
        .iter()
        .map(|p| p.id)
        .collect();
    let workshops = workshop::Entity::find()
        .filter(workshop::Column::PrisonId.is_in(prisons))
        .filter(workshop::Column::Status.eq(WorkshopStatus::Open))
        .order_by_asc(workshop::Column::Id)
        .limit(100)
        .all(db)
        .await?
        .into_iter()
        .map(|w| (w.public_code, w.name_fa, w.name_en))
        .collect();
    let province = province::Entity::find_by_id(me.entrepreneur.province_id)
        .one(db)
        .await?
        .map(|p| p.code)
        .unwrap_or_default();
    let output = output_rows(db, &contracts).await?;
    Ok(Dashboard {
        output,
        jobs: crate::employment::after_release::own_jobs(state, me.entrepreneur.id).await?,
        province,
        me: entrepreneur_rows(state, vec![me.entrepreneur.clone()])
            .await?
            .remove(0),
        contracts: contract_rows(state, contracts).await?,
        invoices,
        workshops,
    })
}

/// Output and invoicing per contract, two grouped queries for all of them.
pub(super) async fn output_rows(
    db: &impl ConnectionTrait,
    contracts: &[contract::Model],
) -> Result<Vec<OutputRow>, AppError> {
    if contracts.is_empty() {
        return Ok(Vec::new());
    }
    let ids = contracts
        .iter()
        .map(|c| c.id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let backend = db.get_database_backend();
    let mut made: HashMap<i64, [i64; 4]> = HashMap::new();
    for row in db
        .query_all_raw(Statement::from_string(
            backend,
            format!(
                "SELECT contract_id, CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(accepted), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(rejected), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(CASE WHEN disputed AND resolved_at IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) \
                 FROM production_logs WHERE contract_id IN ({ids}) GROUP BY contract_id"
            ),
        ))
        .await?
    {
        made.insert(
            row.try_get_by_index(0)?,
            [
                row.try_get_by_index(1)?,
                row.try_get_by_index(2)?,
                row.try_get_by_index(3)?,
                row.try_get_by_index(4)?,
            ],
        );
    }
    let mut billed: HashMap<i64, [i64; 2]> = HashMap::new();
    for row in db
        .query_all_raw(Statement::from_string(
            backend,
            format!(
                "SELECT contract_id, CAST(COALESCE(SUM(amount_rials), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(CASE WHEN status = 'paid' THEN amount_rials ELSE 0 END), 0) AS BIGINT) \
                 FROM invoices WHERE contract_id IN ({ids}) GROUP BY contract_id"
            ),
        ))
        .await?
    {
        billed.insert(
            row.try_get_by_index(0)?,
            [row.try_get_by_index(1)?, row.try_get_by_index(2)?],
        );
    }
    Ok(contracts
        .iter()
        .map(|c| {
            let [days, accepted, rejected, disputed] = made.get(&c.id).copied().unwrap_or_default();
            let [invoiced_rials, paid_rials] = billed.get(&c.id).copied().unwrap_or_default();
            OutputRow {
                contract: c.public_code.clone(),
                product: c.product.clone(),
                days,
                accepted,
                rejected,
                disputed,
                invoiced_rials,
                paid_rials,
            }
        })
        .collect())
}

/// Staff work in employment, limited to the person's scope (prison officers: their prison).
pub async fn queue(state: &AppState, who: &Authed) -> Result<StaffQueue, AppError> {
    let db = &state.db;
    let mut q = StaffQueue {
        current_period: period_of(today()),
        ..Default::default()
    };
    let mut pending = entrepreneur::Entity::find()
        .filter(entrepreneur::Column::Status.eq(EntrepreneurStatus::Pending))
        .order_by_asc(entrepreneur::Column::Id);
    if let Some(ids) = who.province_filter() {
        pending = pending.filter(entrepreneur::Column::ProvinceId.is_in(ids));
    }
    let pending: Vec<entrepreneur::Model> = pending
        .limit(50)
        .all(db)
        .await?
        .into_iter()
        .filter(|e| who.covers(e.province_id, None))
        .collect();
    q.entrepreneurs_pending = entrepreneur_rows(state, pending).await?;
    // Workshops in scope, then their contracts.
    let prisons: HashMap<i64, prison::Model> = {
        let mut f = prison::Entity::find();
        if let Some(ids) = who.province_filter() {
            f = f.filter(prison::Column::ProvinceId.is_in(ids));
        }
        f.all(db)
            .await?
            .into_iter()
            .filter(|p| who.covers(p.province_id, Some(p.id)))
            .map(|p| (p.id, p))
            .collect()
    };
    let shops: Vec<i64> = workshop::Entity::find()
        .filter(workshop::Column::PrisonId.is_in(prisons.keys().copied().collect::<Vec<_>>()))
        .all(db)
        .await?
        .iter()
        .map(|w| w.id)
        .collect();
    let to_review = contract::Entity::find()
        .filter(contract::Column::WorkshopId.is_in(shops.clone()))
        .filter(
            contract::Column::Status
                .is_in([ContractStatus::Proposed, ContractStatus::OfficerApproved]),
        )
        .order_by_asc(contract::Column::UpdatedAt)
        .limit(50)
        .all(db)
        .await?;
    q.contracts_to_review = contract_rows(state, to_review).await?;
    let active = contract::Entity::find()
        .filter(contract::Column::WorkshopId.is_in(shops.clone()))
        .filter(contract::Column::Status.is_in([ContractStatus::Active, ContractStatus::Suspended]))
        .order_by_desc(contract::Column::UpdatedAt)
        .limit(50)
        .all(db)
        .await?;
    q.active_contracts = contract_rows(state, active).await?;
    let open = production_log::Entity::find()
        .filter(production_log::Column::Disputed.eq(true))
        .filter(production_log::Column::ResolvedAt.is_null())
        .order_by_asc(production_log::Column::WorkDate)
        .limit(200)
        .all(db)
        .await?;
    let cs: HashMap<i64, contract::Model> = contract::Entity::find()
        .filter(contract::Column::Id.is_in(open.iter().map(|l| l.contract_id).collect::<Vec<_>>()))
        .filter(contract::Column::WorkshopId.is_in(shops))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    q.disputes = open
        .into_iter()
        .filter_map(|l| {
            cs.get(&l.contract_id)
                .map(|c| (c.public_code.clone(), l.id, l.work_date.to_string()))
        })
        .take(50)
        .collect();
    Ok(q)
}
