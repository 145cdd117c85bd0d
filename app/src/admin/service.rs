//! Staff accounts on the server. Only national admins reach these functions (the caller checks
//! [`crate::auth::Permission::ManageStaff`]); each change and its audit entry commit together.

use super::*;
use crate::audit::{self, Entry};
use crate::auth::ssr::Authed;
use crate::auth::Role;
use crate::platform::entity::{prison, province, recovery_code, session, user, user_scope};
use crate::state::AppState;
use crate::validation;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set,
};
use std::collections::HashMap;

pub async fn list(state: &AppState) -> Result<StaffAdmin, AppError> {
    let db = &state.db;
    let staff_roles: Vec<&str> = Role::STAFF.iter().map(|r| r.as_str()).collect();
    let users = user::Entity::find()
        .filter(user::Column::Role.is_in(staff_roles))
        .order_by_asc(user::Column::Role)
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?;
    let provinces = province::Entity::find()
        .order_by_asc(province::Column::SortOrder)
        .all(db)
        .await?;
    let prisons = prison::Entity::find()
        .order_by_asc(prison::Column::Code)
        .all(db)
        .await?;
    let pcode: HashMap<i64, String> = provinces.iter().map(|p| (p.id, p.code.clone())).collect();
    let jcode: HashMap<i64, String> = prisons.iter().map(|p| (p.id, p.code.clone())).collect();
    let mut scopes: HashMap<i64, Vec<String>> = HashMap::new();
    for s in user_scope::Entity::find()
        .filter(user_scope::Column::UserId.is_in(users.iter().map(|u| u.id).collect::<Vec<_>>()))
        .all(db)
        .await?
    {
        let label = match (
            s.province_id.and_then(|p| pcode.get(&p)),
            s.prison_id.and_then(|p| jcode.get(&p)),
        ) {
            (Some(p), Some(j)) => format!("{p}/{j}"),
            (Some(p), None) => p.clone(),
            (None, Some(j)) => j.clone(),
            (None, None) => continue,
        };
        scopes.entry(s.user_id).or_default().push(label);
    }
    Ok(StaffAdmin {
        staff: users
            .into_iter()
            .map(|u| StaffRow {
                scopes: scopes.remove(&u.id).unwrap_or_default(),
                public_id: u.public_id,
                display_name: u.display_name,
                email: u.email,
                role: u.role,
                active: u.is_active,
                two_factor: u.totp_enabled,
            })
            .collect(),
        provinces: provinces
            .into_iter()
            .map(|p| (p.code, p.name_fa, p.name_en))
            .collect(),
        prisons: prisons
            .into_iter()
            .map(|p| (p.code, p.name_fa, p.name_en))
            .collect(),
    })
}

fn staff_role(input: &str) -> Result<Role, AppError> {
    Role::parse(input.trim())
        .filter(|r| r.is_staff())
        .ok_or_else(|| AppError::invalid("role", "validation.role"))
}

/// The scope row a role and the chosen province/prison make: `None` = national.
async fn scope_for(
    state: &AppState,
    role: Role,
    province_code: Option<&str>,
    prison_code: Option<&str>,
) -> Result<Option<(i64, Option<i64>)>, AppError> {
    let province_code = province_code.map(str::trim).filter(|s| !s.is_empty());
    let prison_code = prison_code.map(str::trim).filter(|s| !s.is_empty());
    let prison = match prison_code {
        None => None,
        Some(c) => Some(
            prison::Entity::find()
                .filter(prison::Column::Code.eq(c))
                .one(&state.db)
                .await?
                .ok_or_else(|| AppError::invalid("prison", "staff.prison_invalid"))?,
        ),
    };
    let province = match province_code {
        None => None,
        Some(c) => Some(
            province::Entity::find()
                .filter(province::Column::Code.eq(c))
                .one(&state.db)
                .await?
                .ok_or_else(|| AppError::invalid("province", "staff.province_invalid"))?,
        ),
    };
    match (role, province, prison) {
        // A prison officer works in one prison.
        (Role::PrisonOfficer, _, None) => Err(AppError::invalid("prison", "admin.prison_required")),
        (Role::PrisonOfficer, Some(p), Some(j)) if j.province_id != p.id => {
            Err(AppError::invalid("prison", "staff.prison_invalid"))
        }
        (Role::PrisonOfficer, _, Some(j)) => Ok(Some((j.province_id, Some(j.id)))),
        // National admins are national; others may be national or of one province.
        (Role::NationalAdmin, Some(_), _) => {
            Err(AppError::invalid("province", "admin.admin_is_national"))
        }
        (_, _, Some(_)) => Err(AppError::invalid("prison", "admin.prison_only_officers")),
        (_, Some(p), None) => Ok(Some((p.id, None))),
        (_, None, None) => Ok(None),
    }
}

async fn replace_scope(
    txn: &DatabaseTransaction,
    user_id: i64,
    scope: Option<(i64, Option<i64>)>,
) -> Result<(), AppError> {
    user_scope::Entity::delete_many()
        .filter(user_scope::Column::UserId.eq(user_id))
        .exec(txn)
        .await?;
    if let Some((province_id, prison_id)) = scope {
        user_scope::ActiveModel {
            user_id: Set(user_id),
            province_id: Set(Some(province_id)),
            prison_id: Set(prison_id),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

pub async fn create(state: &AppState, who: &Authed, form: &StaffForm) -> Result<String, AppError> {
    let email = validation::email(&form.email).map_err(|k| AppError::invalid("email", k))?;
    let name = validation::display_name(&form.display_name)
        .map_err(|k| AppError::invalid("display_name", k))?;
    let role = staff_role(&form.role)?;
    validation::password(&form.password).map_err(|k| AppError::invalid("password", k))?;
    let scope = scope_for(
        state,
        role,
        form.province.as_deref(),
        form.prison.as_deref(),
    )
    .await?;
    let password = form.password.clone();
    let hash =
        crate::auth::ssr::hashing(move || crate::auth::ssr::hash_password(&password)).await??;
    let txn = audit::begin(&state.db).await?;
    let u = crate::auth::ssr::create_user(
        &txn,
        crate::auth::ssr::NewUser {
            email: Some(&email),
            display_name: &name,
            password_hash: hash,
            role,
            locale: "fa",
        },
    )
    .await?;
    replace_scope(&txn, u.id, scope).await?;
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            "user.staff_created",
            "user",
            &u.public_id,
            serde_json::json!({ "role": role.as_str(), "scope": scope }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(u.public_id)
}

async fn staff_user(state: &AppState, public_id: &str) -> Result<user::Model, AppError> {
    user::Entity::find()
        .filter(user::Column::PublicId.eq(public_id.trim()))
        .one(&state.db)
        .await?
        .filter(|u| Role::parse(&u.role).is_some_and(|r| r.is_staff()))
        .ok_or(AppError::NotFound)
}

/// Refuses a change that would leave no active national admin.
async fn keeps_an_admin(txn: &DatabaseTransaction, changing: &user::Model) -> Result<(), AppError> {
    if changing.role != Role::NationalAdmin.as_str() {
        return Ok(());
    }
    let others = user::Entity::find()
        .filter(user::Column::Role.eq(Role::NationalAdmin.as_str()))
        .filter(user::Column::IsActive.eq(true))
        .filter(user::Column::Id.ne(changing.id))
        .all(txn)
        .await?
        .len();
    if others == 0 {
        return Err(AppError::invalid("user", "admin.last_admin"));
    }
    Ok(())
}

pub async fn set_role_and_scope(
    state: &AppState,
    who: &Authed,
    public_id: &str,
    role: &str,
    province: Option<&str>,
    prison: Option<&str>,
) -> Result<(), AppError> {
    let u = staff_user(state, public_id).await?;
    let role = staff_role(role)?;
    let scope = scope_for(state, role, province, prison).await?;
    let txn = audit::begin(&state.db).await?;
    if role != Role::NationalAdmin {
        keeps_an_admin(&txn, &u).await?;
    }
    user::Entity::update_many()
        .col_expr(user::Column::Role, Expr::value(role.as_str()))
        .filter(user::Column::Id.eq(u.id))
        .exec(&txn)
        .await?;
    replace_scope(&txn, u.id, scope).await?;
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            "user.scope_changed",
            "user",
            &u.public_id,
            serde_json::json!({ "from": u.role, "role": role.as_str(), "scope": scope }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn set_active(
    state: &AppState,
    who: &Authed,
    public_id: &str,
    active: bool,
) -> Result<(), AppError> {
    let u = staff_user(state, public_id).await?;
    if u.id == who.user_id && !active {
        return Err(AppError::invalid("user", "admin.not_yourself"));
    }
    let txn = audit::begin(&state.db).await?;
    if !active {
        keeps_an_admin(&txn, &u).await?;
    }
    user::Entity::update_many()
        .col_expr(user::Column::IsActive, Expr::value(active))
        .filter(user::Column::Id.eq(u.id))
        .exec(&txn)
        .await?;
    if !active {
        // Signed out everywhere at once.
        session::Entity::delete_many()
            .filter(session::Column::UserId.eq(u.id))
            .exec(&txn)
            .await?;
    }
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            if active {
                "user.activated"
            } else {
                "user.deactivated"
            },
            "user",
            &u.public_id,
            serde_json::json!({}),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A lost authenticator: the secret and recovery codes go, the account's sessions end, and it
/// must enrol again before any staff work.
pub async fn reset_two_factor(
    state: &AppState,
    who: &Authed,
    public_id: &str,
) -> Result<(), AppError> {
    let u = staff_user(state, public_id).await?;
    let txn = audit::begin(&state.db).await?;
    user::Entity::update_many()
        .col_expr(user::Column::TotpEnabled, Expr::value(false))
        .col_expr(
            user::Column::TotpSecretEnc,
            Expr::value(Option::<Vec<u8>>::None),
        )
        .col_expr(user::Column::TotpLastStep, Expr::value(Option::<i64>::None))
        .filter(user::Column::Id.eq(u.id))
        .exec(&txn)
        .await?;
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(u.id))
        .exec(&txn)
        .await?;
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(u.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        Entry::new(
            Some(who.user_id),
            "user.two_factor_reset",
            "user",
            &u.public_id,
            serde_json::json!({}),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
