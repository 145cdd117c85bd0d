//! Giving by intention (نیت). A donor may name one of five intentions on the gift form; each is
//! spent as its published rule says: which kinds of need it may reach, whether release campaigns
//! too, and (for fitriyeh, whose Eid moves eleven days each solar year) between which dates gifts
//! of it are taken. National admins set a rule from a date on, like the wage rules; until they
//! do, the built-in rule below applies.
//!
//! Why the rule is by kind of need: every movement of money after a gift keeps its kind. A
//! need's overflow goes to its kind's fund, an expired need's money to the most urgent need of the
//! same kind or to that kind's fund, a withdrawn card's to the kind's fund, a campaign's to the
//! release fund. So a gift allowed at its start stays where its intention allows, without a
//! separate pool per intention. A restricted intention given "where most urgent" goes to the fund
//! of its rule's first kind (kaffareh: food) instead of the general fund, whose money may reach
//! any need.

use crate::error::AppError;
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub use crate::platform::status::Intention;

/// The catalogue key of an intention's name.
pub fn intention_key(i: Intention) -> &'static str {
    match i {
        Intention::Sadaqah => "intention.sadaqah",
        Intention::Kaffareh => "intention.kaffareh",
        Intention::Nazr => "intention.nazr",
        Intention::Fitriyeh => "intention.fitriyeh",
        Intention::Zakat => "intention.zakat",
    }
}

/// A nazr's purpose, in the donor's words: long enough to mean something, short enough to read.
pub const NAZR_PURPOSE_CHARS: std::ops::RangeInclusive<usize> = 3..=200;

/// Where gifts of one intention may go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntentionRule {
    pub intention: Intention,
    /// Kinds of need it may reach (in [`super::CATEGORIES`] order); empty: every kind.
    pub categories: Vec<String>,
    /// Release campaigns too.
    pub campaigns: bool,
    /// Gifts of it are taken only on these days (inclusive), if set.
    pub window: Option<(NaiveDate, NaiveDate)>,
    /// From when it applies; `None` for the built-in rule.
    pub effective_from: Option<NaiveDate>,
}

impl IntentionRule {
    /// The rule that applies while national admins have set none.
    pub fn built_in(intention: Intention) -> Self {
        let (categories, campaigns): (&[&str], bool) = match intention {
            // Any good work.
            Intention::Sadaqah | Intention::Nazr => (&[], true),
            // Food for the poor.
            Intention::Kaffareh | Intention::Fitriyeh => (&["food"], false),
            // The poor and the indebted: every need, and debts through release campaigns.
            Intention::Zakat => (&[], true),
        };
        IntentionRule {
            intention,
            categories: categories.iter().map(|c| c.to_string()).collect(),
            campaigns,
            window: None,
            effective_from: None,
        }
    }

    pub fn every_kind(&self) -> bool {
        self.categories.is_empty()
    }

    pub fn reaches_category(&self, category: &str) -> bool {
        self.every_kind() || self.categories.iter().any(|c| c == category)
    }

    /// Gifts of this intention are taken on `day`.
    pub fn open_on(&self, day: NaiveDate) -> bool {
        self.window
            .is_none_or(|(from, to)| from <= day && day <= to)
    }

    /// Where a gift "where most urgent" of this intention goes: `None` for the general fund (an
    /// intention that may reach every kind), else the fund of the rule's first kind.
    pub fn urgent_fund(&self) -> Option<&str> {
        self.categories.first().map(String::as_str)
    }

    /// May a gift of this intention go to a target of `kind` (`need`, `campaign`,
    /// `category_fund`, `urgent`) of `category`?
    pub fn reaches(&self, kind: &str, category: Option<&str>) -> bool {
        match kind {
            "campaign" => self.campaigns,
            "urgent" => true,
            _ => category.is_some_and(|c| self.reaches_category(c)),
        }
    }
}

/// One gift given with an intention, as staff see it on a need's case page: a nazr's purpose in
/// the donor's words (opened from its seal for staff only; never on a public or donor surface).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntentionGift {
    pub intention: Intention,
    pub amount_rials: i64,
    pub nazr_purpose: Option<String>,
}

/// A rule as the admin page lists it (the ones in force and those set to start later).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntentionRuleRow {
    pub rule: IntentionRule,
    pub in_force: bool,
}

/// A new rule for one intention, as the admin form sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntentionRuleForm {
    pub intention: String,
    /// Ticked kinds of need (`form[categories][]=food`); none ticked: every kind.
    #[serde(default, deserialize_with = "crate::validation::one_or_many")]
    pub categories: Option<String>,
    pub campaigns: Option<String>,
    /// Optional window, in either calendar.
    #[serde(default, deserialize_with = "crate::validation::opt_date_field")]
    pub window_from: Option<String>,
    #[serde(default, deserialize_with = "crate::validation::opt_date_field")]
    pub window_to: Option<String>,
    /// Today or later: gifts already taken keep the rule they were taken under.
    #[serde(deserialize_with = "crate::validation::date_field")]
    pub effective_from: String,
}

/// The rule each intention is spent by today: public (the gift form and `/give` explain them).
#[server(prefix = "/api", endpoint = "public/intentions")]
pub async fn intentions_in_force() -> Result<Vec<IntentionRule>, AppError> {
    async move {
        let state = crate::state::use_state()?;
        rules::in_force(&state.db, rules::today()).await
    }
    .await
    .map_err(AppError::with_status)
}

/// Every intention's rule in force and those set to start later (national admins).
#[server(prefix = "/api", endpoint = "admin/intention-rules")]
pub async fn intention_rules() -> Result<Vec<IntentionRuleRow>, AppError> {
    crate::auth::ssr::with_permission(crate::auth::Permission::ManageStaff, async |s, _who| {
        rules::listed(&s.db).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "admin/set-intention-rule")]
pub async fn set_intention_rule(form: IntentionRuleForm) -> Result<(), AppError> {
    crate::auth::ssr::with_permission(crate::auth::Permission::ManageStaff, async |s, who| {
        rules::set(&s, &who, &form).await
    })
    .await
}

#[cfg(feature = "ssr")]
pub mod rules {
    //! The rules as stored, and national admins setting the next one.

    use super::*;
    use crate::audit::{self, Entry};
    use crate::auth::ssr::Authed;
    use crate::platform::entity::intention_rule;
    use crate::state::AppState;
    use chrono::Utc;
    use sea_orm::{
        ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    };

    /// The day in Iran (UTC+03:30): a rule "from 1 Farvardin" starts at Tehran's midnight.
    pub fn today() -> NaiveDate {
        crate::i18n::tehran_today()
    }

    fn of(r: &intention_rule::Model) -> IntentionRule {
        IntentionRule {
            intention: r.intention,
            categories: r
                .categories
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect(),
            campaigns: r.campaigns,
            window: r.window_from.zip(r.window_to),
            effective_from: Some(r.effective_from),
        }
    }

    /// The rule of `intention` in force on `on`: the latest set from that day or before, else the
    /// built-in one.
    pub async fn rule_in_force<C: ConnectionTrait>(
        db: &C,
        intention: Intention,
        on: NaiveDate,
    ) -> Result<IntentionRule, AppError> {
        Ok(intention_rule::Entity::find()
            .filter(intention_rule::Column::Intention.eq(intention))
            .filter(intention_rule::Column::EffectiveFrom.lte(on))
            .order_by_desc(intention_rule::Column::EffectiveFrom)
            .order_by_desc(intention_rule::Column::Id)
            .one(db)
            .await?
            .map(|r| of(&r))
            .unwrap_or_else(|| IntentionRule::built_in(intention)))
    }

    /// Every intention's rule in force on `on`, in [`Intention::ALL`] order (one short read: the
    /// table holds a handful of rows a year).
    pub async fn in_force<C: ConnectionTrait>(
        db: &C,
        on: NaiveDate,
    ) -> Result<Vec<IntentionRule>, AppError> {
        let rows = intention_rule::Entity::find()
            .filter(intention_rule::Column::EffectiveFrom.lte(on))
            .order_by_desc(intention_rule::Column::EffectiveFrom)
            .order_by_desc(intention_rule::Column::Id)
            .all(db)
            .await?;
        Ok(Intention::ALL
            .iter()
            .map(|i| {
                rows.iter()
                    .find(|r| r.intention == *i)
                    .map(of)
                    .unwrap_or_else(|| IntentionRule::built_in(*i))
            })
            .collect())
    }

    /// The rules in force today and those set to start later, for the admin page.
    pub async fn listed<C: ConnectionTrait>(db: &C) -> Result<Vec<IntentionRuleRow>, AppError> {
        let today = today();
        let mut out: Vec<IntentionRuleRow> = in_force(db, today)
            .await?
            .into_iter()
            .map(|rule| IntentionRuleRow {
                rule,
                in_force: true,
            })
            .collect();
        for r in intention_rule::Entity::find()
            .filter(intention_rule::Column::EffectiveFrom.gt(today))
            .order_by_asc(intention_rule::Column::EffectiveFrom)
            .order_by_asc(intention_rule::Column::Id)
            .all(db)
            .await?
        {
            out.push(IntentionRuleRow {
                rule: of(&r),
                in_force: false,
            });
        }
        Ok(out)
    }

    /// The form's rule, checked: a known intention, known kinds, a window that is a window, and
    /// a start today or later.
    pub fn checked(form: &IntentionRuleForm, today: NaiveDate) -> Result<IntentionRule, AppError> {
        let intention = Intention::parse(form.intention.trim())
            .ok_or_else(|| AppError::invalid("intention", "give.bad_intention"))?;
        let mut categories = Vec::new();
        for c in form
            .categories
            .as_deref()
            .unwrap_or("")
            .split([',', ' '])
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            let known = crate::giving::CATEGORIES
                .iter()
                .find(|k| k.eq_ignore_ascii_case(c))
                .ok_or_else(|| AppError::invalid("categories", "intention.bad_category"))?;
            if !categories.iter().any(|x: &String| x == known) {
                categories.push(known.to_string());
            }
        }
        // In the catalogue's order, so the first (where "most urgent" gifts go) is predictable.
        categories.sort_by_key(|c| {
            crate::giving::CATEGORIES
                .iter()
                .position(|k| k == c)
                .unwrap_or(usize::MAX)
        });
        let date =
            |field: &'static str, v: &Option<String>| -> Result<Option<NaiveDate>, AppError> {
                match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    None => Ok(None),
                    Some(s) => crate::validation::parse_date(s)
                        .map(Some)
                        .ok_or_else(|| AppError::invalid(field, "intention.bad_window")),
                }
            };
        let window = match (
            date("window_from", &form.window_from)?,
            date("window_to", &form.window_to)?,
        ) {
            (None, None) => None,
            (Some(from), Some(to)) if from <= to && (to - from).num_days() <= 366 => {
                Some((from, to))
            }
            _ => return Err(AppError::invalid("window_to", "intention.bad_window")),
        };
        let effective_from = crate::validation::parse_date(&form.effective_from)
            .filter(|d| *d >= today)
            .ok_or_else(|| AppError::invalid("effective_from", "employment.rule_date_invalid"))?;
        Ok(IntentionRule {
            intention,
            categories,
            campaigns: matches!(form.campaigns.as_deref(), Some("on" | "true" | "1" | "yes")),
            window,
            effective_from: Some(effective_from),
        })
    }

    /// A need's or campaign's settled gifts that named an intention, newest first, each nazr's
    /// purpose opened from its seal: for its staff case page only (a target takes a few hundred
    /// gifts at most; the list stops at 200).
    pub(crate) async fn gifts_with(
        state: &AppState,
        owner: crate::giving::service::Owner,
        id: i64,
    ) -> Result<Vec<IntentionGift>, AppError> {
        use crate::platform::entity::{donation, status::DonationStatus};
        use sea_orm::QuerySelect;
        let by = match owner {
            crate::giving::service::Owner::Need => donation::Column::NeedId.eq(id),
            crate::giving::service::Owner::Campaign => donation::Column::CampaignId.eq(id),
        };
        let rows = donation::Entity::find()
            .filter(by)
            .filter(donation::Column::Status.eq(DonationStatus::Settled))
            .filter(donation::Column::Intention.is_not_null())
            .order_by_desc(donation::Column::Id)
            .limit(200)
            .all(&state.db)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for d in rows {
            let Some(intention) = d.intention else {
                continue;
            };
            let nazr_purpose = match &d.nazr_purpose_enc {
                Some(sealed) => Some(
                    state
                        .sealer
                        .open(crate::giving::settlement::NAZR_PURPOSE, sealed)
                        .map_err(|e| AppError::internal("open nazr purpose", e))?,
                ),
                None => None,
            };
            out.push(IntentionGift {
                intention,
                amount_rials: d.amount_rials - d.overflow_rials,
                nazr_purpose,
            });
        }
        Ok(out)
    }

    /// A national admin sets an intention's rule from a date on; the change and its audit entry
    /// commit together.
    pub async fn set(
        state: &AppState,
        who: &Authed,
        form: &IntentionRuleForm,
    ) -> Result<(), AppError> {
        if !crate::auth::Permission::ManageStaff.allows(who.role()) {
            return Err(AppError::Forbidden);
        }
        let rule = checked(form, today())?;
        let from = rule.effective_from.unwrap_or_else(today);
        let txn = audit::begin(&state.db).await?;
        intention_rule::ActiveModel {
            intention: Set(rule.intention),
            categories: Set(rule.categories.join(",")),
            campaigns: Set(rule.campaigns),
            window_from: Set(rule.window.map(|w| w.0)),
            window_to: Set(rule.window.map(|w| w.1)),
            effective_from: Set(from),
            created_by: Set(Some(who.user_id)),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        audit::record(
            &txn,
            Entry::new(
                Some(who.user_id),
                "intention_rule.set",
                "intention_rule",
                rule.intention.as_str(),
                serde_json::json!({
                    "categories": rule.categories, "campaigns": rule.campaigns,
                    "window": rule.window.map(|(a, b)| [a.to_string(), b.to_string()]),
                    "effective_from": from.to_string(),
                }),
            ),
        )
        .await?;
        txn.commit().await?;
        tracing::info!(intention = %rule.intention, from = %from, by = who.user_id, "intention rule set");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_rules_keep_kaffareh_and_fitriyeh_on_food() {
        let k = IntentionRule::built_in(Intention::Kaffareh);
        assert!(k.reaches("need", Some("food")));
        assert!(k.reaches("category_fund", Some("food")));
        assert!(!k.reaches("need", Some("rent")));
        assert!(!k.reaches("campaign", None));
        assert_eq!(k.urgent_fund(), Some("food"));
        let z = IntentionRule::built_in(Intention::Zakat);
        assert!(z.reaches("campaign", None) && z.reaches("need", Some("rent")));
        assert_eq!(z.urgent_fund(), None);
        assert!(IntentionRule::built_in(Intention::Fitriyeh).reaches("need", Some("food")));
    }

    #[test]
    fn a_window_is_inclusive() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let mut f = IntentionRule::built_in(Intention::Fitriyeh);
        assert!(f.open_on(d("2027-03-01")));
        f.window = Some((d("2027-03-01"), d("2027-03-12")));
        assert!(f.open_on(d("2027-03-01")) && f.open_on(d("2027-03-12")));
        assert!(!f.open_on(d("2027-02-28")) && !f.open_on(d("2027-03-13")));
    }
}
