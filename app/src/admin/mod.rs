//! Staff accounts: national admins create staff accounts with a role and a scope (a province, or
//! a prison for prison officers; none = national), change them, reset a lost authenticator and
//! deactivate accounts. Every change is audited; a deactivated account's sessions end at once.

mod pages;
#[cfg(feature = "ssr")]
pub mod service;

pub use pages::*;

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A staff account as the admin page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRow {
    pub public_id: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: String,
    pub active: bool,
    pub two_factor: bool,
    /// Province codes, or `province/prison` codes; empty = national.
    pub scopes: Vec<String>,
}

/// A new staff account, as the form sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffForm {
    pub email: String,
    pub display_name: String,
    pub role: String,
    /// Province code; empty for a national account.
    pub province: Option<String>,
    /// Prison code (prison officers must have one).
    pub prison: Option<String>,
    /// A first password, handed over in person; the account must enrol two-factor before work.
    pub password: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffAdmin {
    pub staff: Vec<StaffRow>,
    /// (code, Persian, English) of every province and prison, for the forms.
    pub provinces: Vec<(String, String, String)>,
    pub prisons: Vec<(String, String, String)>,
}

#[cfg(feature = "ssr")]
async fn admin<T>(
    f: impl AsyncFnOnce(crate::state::AppState, crate::auth::ssr::Authed) -> Result<T, AppError>,
) -> Result<T, AppError> {
    crate::auth::ssr::with_permission(crate::auth::Permission::ManageStaff, f).await
}

#[server(prefix = "/api", endpoint = "admin/staff")]
pub async fn list_staff() -> Result<StaffAdmin, AppError> {
    admin(async |s, _who| service::list(&s).await).await
}

#[server(prefix = "/api", endpoint = "admin/create-staff")]
pub async fn create_staff(form: StaffForm) -> Result<String, AppError> {
    admin(async |s, who| service::create(&s, &who, &form).await).await
}

#[server(prefix = "/api", endpoint = "admin/set-scope")]
pub async fn set_staff_scope(
    user: String,
    role: String,
    province: Option<String>,
    prison: Option<String>,
) -> Result<(), AppError> {
    admin(async |s, who| {
        service::set_role_and_scope(
            &s,
            &who,
            &user,
            &role,
            province.as_deref(),
            prison.as_deref(),
        )
        .await
    })
    .await
}

#[server(prefix = "/api", endpoint = "admin/set-active")]
pub async fn set_staff_active(user: String, active: bool) -> Result<(), AppError> {
    admin(async |s, who| service::set_active(&s, &who, &user, active).await).await
}

#[server(prefix = "/api", endpoint = "admin/reset-two-factor")]
pub async fn reset_staff_two_factor(user: String) -> Result<(), AppError> {
    admin(async |s, who| service::reset_two_factor(&s, &who, &user).await).await
}
