//! The states a row moves through, as enums stored as the same strings as before (no migration:
//! the column stays text, `DeriveActiveEnum` maps each variant to its word). A status written by
//! hand as a string can be misspelt and compiles; a variant cannot. The browser build has them
//! too (without the database derive): the wire types carry them, and the pages match on them.
//!
//! They serialise as the same word, so audit details and JSON read as before.
//!
//! Raw SQL (reports, the seed's bulk inserts) still names statuses in its text; it binds
//! [`as_str`](NeedStatus::as_str) where a status is a parameter.

#[cfg(feature = "ssr")]
use sea_orm::entity::prelude::*;

/// One status enum: its variants and their stored words, `as_str`, `Display`, and comparison
/// with a string (so a check against a word read from a form or a test still reads naturally).
macro_rules! status {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $value:tt),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "ssr", derive(EnumIter, DeriveActiveEnum))]
        #[cfg_attr(
            feature = "ssr",
            sea_orm(rs_type = "String", db_type = "String(StringLen::None)")
        )]
        pub enum $name {
            $(
                $(#[$vdoc])*
                #[cfg_attr(feature = "ssr", sea_orm(string_value = $value))]
                #[serde(rename = $value)]
                $variant,
            )+
        }

        impl $name {
            /// The word stored in the column (and used in catalogue keys and CSS classes).
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $value,)+ }
            }

            /// The variant stored as `word` (a status named in a form); none for any other word.
            pub fn parse(word: &str) -> Option<Self> {
                match word { $($value => Some(Self::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl From<$name> for String {
            fn from(s: $name) -> String {
                s.as_str().to_string()
            }
        }
    };
}

status! {
    /// A family's need, from the social worker's draft to the donor's "delivered".
    NeedStatus {
        Draft = "draft",
        /// Written, waiting for a second member of staff to verify it.
        AwaitingVerification = "awaiting_verification",
        /// On the public list, raising money.
        Published = "published",
        Funded = "funded",
        /// Bought from a vendor (or rent paid to a landlord) out of its fund.
        Purchased = "purchased",
        Delivered = "delivered",
        /// Its deadline passed unmet; what it held moved by the published rule.
        Expired = "expired",
        /// Consent withdrawn before funding: off every public surface.
        Withdrawn = "withdrawn",
    }
}

status! {
    /// A release campaign, from draft to the prisoner's release and its closing.
    CampaignStatus {
        Draft = "draft",
        Verified = "verified",
        Published = "published",
        Funded = "funded",
        PaidToCourt = "paid_to_court",
        Released = "released",
        Closed = "closed",
        Withdrawn = "withdrawn",
    }
}

status! {
    /// A gift, from the form to the bank's word.
    DonationStatus {
        /// Started; the donor is at the bank (or never came back).
        Pending = "pending",
        Settled = "settled",
        /// The bank said no; still open to the reconciler in case it changes its mind.
        Failed = "failed",
        /// The donor cancelled at the bank; still open to the reconciler.
        Cancelled = "cancelled",
        /// The bank confirmed a different amount: held for finance.
        Flagged = "flagged",
        /// Never confirmed in time.
        Expired = "expired",
    }
}

status! {
    /// A payment out of a fund to a vendor, a landlord or a court.
    DisbursementStatus {
        /// Above the threshold: waits for a manager who did not request it.
        AwaitingApproval = "awaiting_approval",
        Approved = "approved",
        Paid = "paid",
    }
}

status! {
    /// A monthly pledge.
    PledgeStatus {
        /// Waiting for its first month's gift to settle.
        Pending = "pending",
        Active = "active",
        Cancelled = "cancelled",
    }
}

status! {
    /// A family's file.
    FamilyStatus {
        Active = "active",
        Closed = "closed",
    }
}

status! {
    /// A message in the outbox.
    NotificationStatus {
        Pending = "pending",
        /// Claimed by a sender; back to pending if the sender died mid-way.
        Sending = "sending",
        Sent = "sent",
        Failed = "failed",
    }
}

status! {
    /// A payment at the sandbox bank (development and tests only).
    SandboxPaymentStatus {
        Pending = "pending",
        Paid = "paid",
        Failed = "failed",
        Cancelled = "cancelled",
    }
}

status! {
    /// An entrepreneur's registration.
    EntrepreneurStatus {
        /// Registered, waiting for staff to verify the company.
        Pending = "pending",
        Verified = "verified",
        Rejected = "rejected",
        Suspended = "suspended",
    }
}

status! {
    /// A prison workshop in the public catalogue.
    WorkshopStatus {
        Open = "open",
        Closed = "closed",
        Suspended = "suspended",
    }
}

status! {
    /// A production contract, through its two reviews to its end.
    ContractStatus {
        /// Waiting for the prison's officer.
        Proposed = "proposed",
        /// Waiting for the provincial manager (someone other than the officer).
        OfficerApproved = "officer_approved",
        Active = "active",
        Suspended = "suspended",
        Rejected = "rejected",
        Completed = "completed",
        Terminated = "terminated",
    }
}

status! {
    /// A prisoner's place on a contract.
    AssignmentStatus {
        Active = "active",
        Ended = "ended",
    }
}

status! {
    /// A monthly invoice to an entrepreneur.
    InvoiceStatus {
        Issued = "issued",
        Paid = "paid",
    }
}

status! {
    /// A job offered to released people.
    JobPostingStatus {
        Open = "open",
        Closed = "closed",
    }
}

status! {
    /// A released person's application to a job.
    JobApplicationStatus {
        Applied = "applied",
        Accepted = "accepted",
        Declined = "declined",
    }
}

status! {
    /// A prisoner's place in a training programme.
    EnrolmentStatus {
        Enrolled = "enrolled",
        Completed = "completed",
        Withdrawn = "withdrawn",
    }
}

status! {
    /// Not a status but a stored word all the same: the religious intention (نیت) a donor may
    /// name for a gift. Each is spent by its rule (`giving::intention`).
    Intention {
        /// صدقه: any good work.
        Sadaqah = "sadaqah",
        /// کفاره: an expiation, spent on food for the poor.
        Kaffareh = "kaffareh",
        /// نذر: a vow, for the purpose the donor names (shown only to staff).
        Nazr = "nazr",
        /// فطریه: the alms of Eid al-Fitr, on food, around the Eid.
        Fitriyeh = "fitriyeh",
        /// زکات: the poor and the indebted (a release campaign for a debt included).
        Zakat = "zakat",
    }
}

status! {
    /// A sponsor's offer to match gifts, from staff recording it to its close.
    MatchOfferStatus {
        /// Recorded by one staff member; waits for another to approve it (four eyes).
        Proposed = "proposed",
        /// Approved: gifts in its scope are matched until its cap or end date.
        Active = "active",
        /// Its cap was reached, its end date passed, or staff closed it.
        Closed = "closed",
        /// The second staff member refused it; it never matched a gift.
        Rejected = "rejected",
    }
}

status! {
    /// Which gifts a match offer meets (`giving::matching`).
    MatchScope {
        /// Needs tagged with one occasion (Mehr, Yalda, Nowruz).
        Occasion = "occasion",
        /// Needs and release campaigns of one province (never a card whose province is hidden).
        Province = "province",
        /// Needs of one kind.
        Category = "category",
        /// One release campaign.
        Campaign = "campaign",
    }
}

status! {
    /// Why a sponsorship (a family's monthly pledge) ended.
    SponsorshipEnd {
        /// The sponsor stopped it (one click from a reminder or the sponsorship's page).
        Donor = "donor",
        /// The family withdrew its consent.
        Consent = "consent",
        /// The family's prisoner was released (the sponsors got a closing report).
        Released = "released",
        /// Its last month passed.
        Completed = "completed",
    }
}

status! {
    /// A report to a family's sponsors.
    SponsorReportKind {
        /// Every quarter: what was bought, school, the family's own thanks.
        Quarterly = "quarterly",
        /// When the sponsorship ends on release.
        Closing = "closing",
    }
}

status! {
    /// A victim's or creditor's claim on a prisoner (`employment::restitution`).
    ClaimStatus {
        /// Something is still owed.
        Open = "open",
        /// Paid in full.
        Settled = "settled",
    }
}

status! {
    /// A restitution payment from the pooled fund to one claim: one person asks, another decides.
    PayoutStatus {
        /// Requested; waits for a second staff member.
        AwaitingApproval = "awaiting_approval",
        /// Approved and paid to the claimant's account, in one ledger group.
        Paid = "paid",
        /// The second staff member refused it; nothing moved.
        Rejected = "rejected",
    }
}

impl Intention {
    pub const ALL: [Intention; 5] = [
        Intention::Sadaqah,
        Intention::Kaffareh,
        Intention::Nazr,
        Intention::Fitriyeh,
        Intention::Zakat,
    ];
}

impl NeedStatus {
    /// Shown to the public (with current consent): published and every step after it.
    pub const PUBLIC: [NeedStatus; 4] = [
        NeedStatus::Published,
        NeedStatus::Funded,
        NeedStatus::Purchased,
        NeedStatus::Delivered,
    ];
}

impl CampaignStatus {
    /// Shown to the public (with the prisoner's current consent).
    pub const PUBLIC: [CampaignStatus; 4] = [
        CampaignStatus::Published,
        CampaignStatus::Funded,
        CampaignStatus::PaidToCourt,
        CampaignStatus::Released,
    ];

    /// A creditor's forgiveness can still be recorded: until the campaign is funded.
    pub fn takes_forgiveness(self) -> bool {
        matches!(
            self,
            CampaignStatus::Draft | CampaignStatus::Verified | CampaignStatus::Published
        )
    }
}

impl ContractStatus {
    /// Its terms may still be amended (a new version goes back to review): not once it ended.
    pub fn may_be_amended(self) -> bool {
        !matches!(self, ContractStatus::Completed | ContractStatus::Terminated)
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use sea_orm::{ActiveEnum, Iterable};

    /// The stored word, `as_str` and the derive agree for every variant.
    #[test]
    fn words_are_the_stored_values() {
        for s in NeedStatus::iter() {
            assert_eq!(s.to_value(), s.as_str());
            assert_eq!(
                NeedStatus::try_from_value(&s.as_str().to_string()).ok(),
                Some(s)
            );
        }
        for s in CampaignStatus::iter() {
            assert_eq!(s.to_value(), s.as_str());
        }
        for s in DonationStatus::iter() {
            assert_eq!(s.to_value(), s.as_str());
        }
        for s in DisbursementStatus::iter() {
            assert_eq!(s.to_value(), s.as_str());
        }
        for s in PledgeStatus::iter() {
            assert_eq!(s.to_value(), s.as_str());
        }
        for s in ContractStatus::iter() {
            assert_eq!(s.to_value(), s.as_str());
            assert_eq!(ContractStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(ContractStatus::parse("amended"), None);
    }
}
