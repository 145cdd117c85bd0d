//! A released person's skills passport, under a keyed pseudonym.

use super::*;

/// A released, opted-in person's skills passport (no name, no prisoner code).
pub async fn passport(state: &AppState, pr: &prisoner::Model) -> Result<Passport, AppError> {
    let db = &state.db;
    let enrolments = training_enrolment::Entity::find()
        .filter(training_enrolment::Column::PrisonerId.eq(pr.id))
        .all(db)
        .await?;
    let certificates = certificate::Entity::find()
        .filter(certificate::Column::PrisonerId.eq(pr.id))
        .order_by_asc(certificate::Column::IssuedOn)
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.title, c.skill, c.issued_on.to_string()))
        .collect();
    let assignments = worker_assignment::Entity::find()
        .filter(worker_assignment::Column::PrisonerId.eq(pr.id))
        .all(db)
        .await?;
    let products: HashMap<i64, String> = contract::Entity::find()
        .filter(
            contract::Column::Id.is_in(
                assignments
                    .iter()
                    .map(|a| a.contract_id)
                    .collect::<Vec<_>>(),
            ),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.product))
        .collect();
    let work = assignments
        .iter()
        .map(|a| {
            let end = a.ended_at.unwrap_or_else(Utc::now);
            WorkRecord {
                product: products.get(&a.contract_id).cloned().unwrap_or_default(),
                months: ((end - a.created_at).num_days() / 30).max(0),
                rating: a.rating,
            }
        })
        .collect();
    Ok(Passport {
        code: passport_code(state, &pr.public_code),
        skills: service::skills_of(&pr.skills),
        training_hours: enrolments.iter().map(|e| e.hours_completed as i64).sum(),
        certificates,
        work,
    })
}
