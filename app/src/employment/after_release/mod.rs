//! Training and life after release: staff run vocational programmes (hours completed turn into a
//! certificate, which matching reads); released people who opted in have a skills passport
//! (training hours, certificates, workshop record and ratings) under a keyed pseudonym; entrepreneurs
//! post jobs (with an early-hire window for workers they had under contract), staff apply on a
//! released person's behalf, and the entrepreneur sees the passport, never the person.

use super::*;
use crate::audit::{self, Entry};
use crate::auth::ssr::{check_scope, Authed};
use crate::auth::Permission;
use crate::platform::entity::status::*;
use crate::platform::entity::{
    certificate, contract, entrepreneur, job_application, job_posting, prison, prisoner, province,
    training_enrolment, training_programme, worker_assignment,
};
use crate::state::AppState;
use crate::validation::{self, normalize_persian};
use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::collections::HashMap;

mod jobs;
mod passports;
mod training;

pub use jobs::{applicants, apply, decide, jobs, own_jobs, post_job};
pub use passports::passport;
pub use training::{create_programme, programmes, record_training};

/// The pseudonym a released person's passport carries: keyed, stable, not reversible without the
/// server's key, and unrelated to any code staff use.
pub fn passport_code(state: &AppState, prisoner_code: &str) -> String {
    let h = state.sealer.blind_index("passport", prisoner_code);
    format!("R-{}", h[..10].to_ascii_uppercase())
}

async fn prisoner_in_scope(
    state: &AppState,
    who: &Authed,
    p: Permission,
    code: &str,
) -> Result<(prisoner::Model, prison::Model), AppError> {
    let pr = prisoner::Entity::find()
        .filter(prisoner::Column::PublicCode.eq(code.trim()))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let jail = prison::Entity::find_by_id(pr.prison_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::internal("prisoner", "prison missing"))?;
    check_scope(who, p, &pr.public_code, jail.province_id, Some(jail.id)).await?;
    Ok((pr, jail))
}
