use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Everyone who signs in has exactly one role. Staff roles also carry scopes (province or prison).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    Donor,
    Entrepreneur,
    SocialWorker,
    PrisonOfficer,
    AssociationManager,
    FinanceOfficer,
    NationalAdmin,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Donor,
        Role::Entrepreneur,
        Role::SocialWorker,
        Role::PrisonOfficer,
        Role::AssociationManager,
        Role::FinanceOfficer,
        Role::NationalAdmin,
        Role::Auditor,
    ];

    pub const STAFF: [Role; 6] = [
        Role::SocialWorker,
        Role::PrisonOfficer,
        Role::AssociationManager,
        Role::FinanceOfficer,
        Role::NationalAdmin,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Donor => "donor",
            Role::Entrepreneur => "entrepreneur",
            Role::SocialWorker => "social_worker",
            Role::PrisonOfficer => "prison_officer",
            Role::AssociationManager => "association_manager",
            Role::FinanceOfficer => "finance_officer",
            Role::NationalAdmin => "national_admin",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn is_staff(self) -> bool {
        Role::STAFF.contains(&self)
    }

    /// Auditors read everything in scope and change nothing.
    pub fn is_read_only(self) -> bool {
        matches!(self, Role::Auditor)
    }

    /// Where this role lands after signing in.
    pub fn home_path(self) -> &'static str {
        match self {
            Role::Donor => "/account",
            Role::Entrepreneur => "/employment/dashboard",
            _ => "/staff",
        }
    }

    /// The translation key of the role's name.
    pub fn label_key(self) -> &'static str {
        match self {
            Role::Donor => "role.donor",
            Role::Entrepreneur => "role.entrepreneur",
            Role::SocialWorker => "role.social_worker",
            Role::PrisonOfficer => "role.prison_officer",
            Role::AssociationManager => "role.association_manager",
            Role::FinanceOfficer => "role.finance_officer",
            Role::NationalAdmin => "role.national_admin",
            Role::Auditor => "role.auditor",
        }
    }

    /// Roles a visitor may choose when signing up; staff accounts are made by admins.
    pub fn self_service(self) -> bool {
        matches!(self, Role::Donor | Role::Entrepreneur)
    }
}

/// What the interface knows about the signed-in person. Never personal data of others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub public_id: String,
    pub display_name: String,
    pub role: Role,
}

/// Bumped whenever the signed-in person changes, so everything showing "who am I" refetches.
#[derive(Clone, Copy)]
pub struct AuthEpoch(pub leptos::prelude::RwSignal<u32>);

impl AuthEpoch {
    pub fn bump(&self) {
        use leptos::prelude::Update;
        self.0.update(|n| *n = n.wrapping_add(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_staff_split() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
        assert!(!Role::Donor.is_staff() && !Role::Entrepreneur.is_staff());
        assert!(Role::STAFF
            .iter()
            .all(|r| r.is_staff() && r.home_path() == "/staff"));
        assert!(Role::Auditor.is_read_only() && !Role::NationalAdmin.is_read_only());
    }
}

/// A role's name, translated.
#[component]
pub fn RoleName(role: Role) -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    move || i18n.t(role.label_key())
}
