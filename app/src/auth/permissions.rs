//! What each staff role may do. One table, read by the server's guards, by the pages (to offer
//! only what will be allowed) and by the access-matrix test.

use super::Role;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Permission {
    /// See work queues and a family's file without personal fields.
    ViewCases,
    /// Take in a family (and its prisoner).
    IntakeFamily,
    /// Read names, national codes, phones, addresses and private notes (each read is audited).
    ReadPersonal,
    /// Record or withdraw a family's consent to publish.
    RecordConsent,
    /// Draft a need with its private notes and public text.
    DraftNeed,
    /// Verify someone else's draft and publish it.
    VerifyNeed,
    /// Record a purchase/payment to a payee and the delivery.
    Fulfil,
    /// Approve a disbursement above the threshold (the second pair of eyes).
    ApproveDisbursement,
    /// Browse the audit log.
    ReadAudit,
    /// Draft a release campaign from a prisoner's file (with the private debt details).
    DraftCampaign,
    /// Verify (another person) and publish a release campaign.
    VerifyCampaign,
    /// Record a release (and close the campaign).
    RecordRelease,
    /// See workshops' contracts, workers (by code), production, invoices and wages in scope.
    ViewEmployment,
    /// Verify (or reject) an entrepreneur's registration.
    VerifyEntrepreneur,
    /// Review a contract proposal: the prison officer first, then the provincial manager.
    ReviewContract,
    /// Suspend, resume, complete or terminate a contract; resolve disputed production logs.
    ManageContract,
    /// Match and assign consenting prisoners, record their work consent, log production.
    ManageWorkers,
    /// Issue invoices, record their payment, run the month's wages.
    PayWages,
    /// Create staff accounts, set their role and scope, deactivate them, reset their two-factor.
    ManageStaff,
}

impl Permission {
    pub const ALL: [Permission; 19] = [
        Permission::ViewCases,
        Permission::IntakeFamily,
        Permission::ReadPersonal,
        Permission::RecordConsent,
        Permission::DraftNeed,
        Permission::VerifyNeed,
        Permission::Fulfil,
        Permission::ApproveDisbursement,
        Permission::ReadAudit,
        Permission::DraftCampaign,
        Permission::VerifyCampaign,
        Permission::RecordRelease,
        Permission::ViewEmployment,
        Permission::VerifyEntrepreneur,
        Permission::ReviewContract,
        Permission::ManageContract,
        Permission::ManageWorkers,
        Permission::PayWages,
        Permission::ManageStaff,
    ];

    pub fn roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            Permission::ViewCases => &[
                SocialWorker,
                AssociationManager,
                FinanceOfficer,
                NationalAdmin,
                Auditor,
            ],
            Permission::IntakeFamily
            | Permission::ReadPersonal
            | Permission::RecordConsent
            | Permission::DraftNeed
            | Permission::VerifyNeed => &[SocialWorker, AssociationManager, NationalAdmin],
            Permission::Fulfil => &[FinanceOfficer, AssociationManager, NationalAdmin],
            Permission::ApproveDisbursement => &[AssociationManager, NationalAdmin],
            Permission::ReadAudit => &[Auditor, NationalAdmin],
            Permission::DraftCampaign => &[SocialWorker, AssociationManager, NationalAdmin],
            Permission::VerifyCampaign => &[AssociationManager, NationalAdmin],
            Permission::RecordRelease => &[
                SocialWorker,
                PrisonOfficer,
                AssociationManager,
                NationalAdmin,
            ],
            Permission::ViewEmployment => &[
                PrisonOfficer,
                AssociationManager,
                FinanceOfficer,
                NationalAdmin,
                Auditor,
            ],
            Permission::VerifyEntrepreneur => &[AssociationManager, NationalAdmin],
            Permission::ReviewContract => &[PrisonOfficer, AssociationManager, NationalAdmin],
            Permission::ManageContract => &[PrisonOfficer, AssociationManager, NationalAdmin],
            Permission::ManageWorkers => &[PrisonOfficer, NationalAdmin],
            Permission::PayWages => &[FinanceOfficer, NationalAdmin],
            Permission::ManageStaff => &[NationalAdmin],
        }
    }

    pub fn allows(self, role: Role) -> bool {
        self.roles().contains(&role)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::ViewCases => "view_cases",
            Permission::IntakeFamily => "intake_family",
            Permission::ReadPersonal => "read_personal",
            Permission::RecordConsent => "record_consent",
            Permission::DraftNeed => "draft_need",
            Permission::VerifyNeed => "verify_need",
            Permission::Fulfil => "fulfil",
            Permission::ApproveDisbursement => "approve_disbursement",
            Permission::ReadAudit => "read_audit",
            Permission::DraftCampaign => "draft_campaign",
            Permission::VerifyCampaign => "verify_campaign",
            Permission::RecordRelease => "record_release",
            Permission::ViewEmployment => "view_employment",
            Permission::VerifyEntrepreneur => "verify_entrepreneur",
            Permission::ReviewContract => "review_contract",
            Permission::ManageContract => "manage_contract",
            Permission::ManageWorkers => "manage_workers",
            Permission::PayWages => "pay_wages",
            Permission::ManageStaff => "manage_staff",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auditors_only_read_and_outsiders_get_nothing() {
        for p in Permission::ALL {
            assert!(
                !p.allows(Role::Donor) && !p.allows(Role::Entrepreneur),
                "{p:?}"
            );
            if !matches!(
                p,
                Permission::ViewCases | Permission::ReadAudit | Permission::ViewEmployment
            ) {
                assert!(!p.allows(Role::Auditor), "auditor may not {p:?}");
            }
        }
        assert!(!Permission::ReadPersonal.allows(Role::FinanceOfficer));
        assert!(Permission::Fulfil.allows(Role::FinanceOfficer));
    }
}
