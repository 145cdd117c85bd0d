//! Wage arithmetic, shared by the server (the wage run) and the browser (the payslip): gross pay
//! from minutes or accepted pieces, and the deduction shares under the rule's total cap. Integer
//! rials and basis points only; every share is rounded down, so the worker keeps the remainder.

use serde::{Deserialize, Serialize};

/// 100 % in basis points.
pub const FULL_BP: i64 = 10_000;

/// Shares (basis points of gross) and minimum rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub family_bp: i64,
    pub release_bp: i64,
    pub restitution_bp: i64,
    pub savings_bp: i64,
    /// No more than this share of gross is ever deducted, whatever the shares add up to.
    pub cap_bp: i64,
    pub min_hourly_rials: i64,
    pub min_piece_rials: i64,
}

/// The rule in force when the `wage_rules` table has none: 30 % family, 20 % release, 10 %
/// restitution, 10 % savings, capped at 80 %; 600,000 rials an hour, 50,000 rials a piece.
pub const DEFAULT_RULE: Rule = Rule {
    family_bp: 3000,
    release_bp: 2000,
    restitution_bp: 1000,
    savings_bp: 1000,
    cap_bp: 8000,
    min_hourly_rials: 600_000,
    min_piece_rials: 50_000,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WageModel {
    Hourly,
    Piece,
}

impl WageModel {
    pub fn parse(s: &str) -> Option<WageModel> {
        match s {
            "hourly" => Some(WageModel::Hourly),
            "piece" => Some(WageModel::Piece),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            WageModel::Hourly => "hourly",
            WageModel::Piece => "piece",
        }
    }
}

impl Rule {
    /// The lowest rate a contract may offer under this rule.
    pub fn minimum(&self, model: WageModel) -> i64 {
        match model {
            WageModel::Hourly => self.min_hourly_rials,
            WageModel::Piece => self.min_piece_rials,
        }
    }

    /// A rule is usable when every share is 0–100 % and the cap is too.
    pub fn is_valid(&self) -> bool {
        let in_range = |bp: i64| (0..=FULL_BP).contains(&bp);
        in_range(self.family_bp)
            && in_range(self.release_bp)
            && in_range(self.restitution_bp)
            && in_range(self.savings_bp)
            && in_range(self.cap_bp)
            && self.min_hourly_rials >= 0
            && self.min_piece_rials >= 0
    }
}

/// Gross pay for a period: minutes × hourly rate ÷ 60 (rounded down), or accepted pieces × rate.
/// `None` when it would overflow (no real wage does).
pub fn gross(model: WageModel, rate_rials: i64, minutes: i64, pieces: i64) -> Option<i64> {
    match model {
        WageModel::Hourly => minutes.checked_mul(rate_rials).map(|v| v / 60),
        WageModel::Piece => pieces.checked_mul(rate_rials),
    }
}

/// Where a gross wage goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Split {
    pub gross: i64,
    pub family: i64,
    pub release: i64,
    pub restitution: i64,
    pub savings: i64,
    /// What the worker is paid (gross less every deduction).
    pub net: i64,
    /// The most that could be deducted (gross × cap).
    pub cap: i64,
    /// The shares asked for more than the cap and were cut.
    pub capped: bool,
}

impl Split {
    pub fn deductions(&self) -> i64 {
        self.family + self.release + self.restitution + self.savings
    }
}

fn share(amount: i64, bp: i64) -> i64 {
    ((amount as i128 * bp.clamp(0, FULL_BP) as i128) / FULL_BP as i128) as i64
}

/// Splits `gross` under `rule`. The family share applies only when the worker has a family
/// support fund, the release share only when he has a release campaign; a share that does not
/// apply stays with the worker. Shares are taken in order (family, release, restitution,
/// savings) until the cap is reached, so the family is cut last.
pub fn split(gross: i64, rule: &Rule, has_family: bool, has_campaign: bool) -> Split {
    let gross = gross.max(0);
    let cap = share(gross, rule.cap_bp);
    let mut left = cap;
    let mut take = |bp: i64, applies: bool| {
        if !applies {
            return (0, false);
        }
        let want = share(gross, bp);
        let got = want.min(left);
        left -= got;
        (got, got < want)
    };
    let (family, c1) = take(rule.family_bp, has_family);
    let (release, c2) = take(rule.release_bp, has_campaign);
    let (restitution, c3) = take(rule.restitution_bp, true);
    let (savings, c4) = take(rule.savings_bp, true);
    let deductions = family + release + restitution + savings;
    Split {
        gross,
        family,
        release,
        restitution,
        savings,
        net: gross - deductions,
        cap,
        capped: c1 || c2 || c3 || c4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_rule_splits_a_month() {
        // 160 hours at 600,000 rials = 96,000,000 rials.
        let g = gross(WageModel::Hourly, 600_000, 160 * 60, 0).unwrap();
        assert_eq!(g, 96_000_000);
        let s = split(g, &DEFAULT_RULE, true, true);
        assert_eq!(s.family, 28_800_000);
        assert_eq!(s.release, 19_200_000);
        assert_eq!(s.restitution, 9_600_000);
        assert_eq!(s.savings, 9_600_000);
        assert_eq!(s.net, 28_800_000);
        assert_eq!(s.cap, 76_800_000);
        assert!(!s.capped);
        assert_eq!(s.deductions() + s.net, g);
    }

    #[test]
    fn shares_that_do_not_apply_stay_with_the_worker() {
        let s = split(1_000_000, &DEFAULT_RULE, false, false);
        assert_eq!((s.family, s.release), (0, 0));
        assert_eq!(s.net, 800_000);
    }

    #[test]
    fn the_cap_cuts_the_last_shares_first() {
        let greedy = Rule {
            family_bp: 6000,
            release_bp: 3000,
            restitution_bp: 2000,
            savings_bp: 2000,
            cap_bp: 8000,
            ..DEFAULT_RULE
        };
        let s = split(1_000_000, &greedy, true, true);
        assert_eq!(s.family, 600_000);
        assert_eq!(s.release, 200_000);
        assert_eq!((s.restitution, s.savings), (0, 0));
        assert_eq!(s.net, 200_000);
        assert!(s.capped);
    }

    #[test]
    fn rounding_never_makes_or_loses_a_rial() {
        for g in [0, 1, 7, 99, 12_345, 999_999_999] {
            let s = split(g, &DEFAULT_RULE, true, true);
            assert_eq!(s.deductions() + s.net, g);
            assert!(s.deductions() <= s.cap);
        }
    }

    #[test]
    fn piece_and_hour_pay() {
        assert_eq!(gross(WageModel::Piece, 50_000, 0, 40), Some(2_000_000));
        // 90 minutes at 600,000 an hour.
        assert_eq!(gross(WageModel::Hourly, 600_000, 90, 0), Some(900_000));
        assert_eq!(gross(WageModel::Piece, i64::MAX, 0, 2), None);
        assert!(!Rule {
            cap_bp: 12_000,
            ..DEFAULT_RULE
        }
        .is_valid());
    }
}
