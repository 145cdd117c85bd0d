//! Numbers, money and dates as a Persian or English reader expects them.

use super::{translate, Locale};
use chrono::{Datelike, NaiveDate};
use icu_calendar::{cal::Persian, Date, Iso};

const FA_DIGITS: [char; 10] = ['۰', '۱', '۲', '۳', '۴', '۵', '۶', '۷', '۸', '۹'];

/// Replaces Latin digits with Persian ones for `fa`; leaves `en` text alone.
pub fn localize_digits(s: &str, locale: Locale) -> String {
    match locale {
        Locale::En => s.to_string(),
        Locale::Fa => s
            .chars()
            .map(|c| match c.to_digit(10) {
                Some(d) if c.is_ascii_digit() => FA_DIGITS[d as usize],
                _ => c,
            })
            .collect(),
    }
}

/// A whole number with thousands grouped (`۱۲٬۳۴۵` / `12,345`).
pub fn format_number(n: i64, locale: Locale) -> String {
    let digits = n.unsigned_abs().to_string();
    let sep = match locale {
        Locale::Fa => '٬',
        Locale::En => ',',
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    localize_digits(&out, locale)
}

/// Money is stored in rials and shown in tomans (1 toman = 10 rials), rounded down.
pub fn format_toman(rials: i64, locale: Locale) -> String {
    format!(
        "{} {}",
        format_number(rials / 10, locale),
        translate(locale, "money.toman")
    )
}

/// A percentage given as `value / scale` percent (basis points: `scale` 100; per mille of a
/// hundred: 10), at most two decimals, trailing zeros dropped: `۱۲٫۵٪` / `12.5%`.
pub fn format_percent(value: i64, scale: i64, locale: Locale) -> String {
    let scale = scale.max(1);
    let whole = value / scale;
    let mut frac = format!("{:02}", (value % scale).abs() * 100 / scale);
    while frac.ends_with('0') {
        frac.pop();
    }
    let (point, sign) = match locale {
        Locale::Fa => ('٫', '٪'),
        Locale::En => ('.', '%'),
    };
    let n = format_number(whole, locale);
    if frac.is_empty() {
        format!("{n}{sign}")
    } else {
        format!("{n}{point}{}{sign}", localize_digits(&frac, locale))
    }
}

/// A Solar Hijri date (year, month 1–12, day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JalaliDate {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl JalaliDate {
    pub fn from_gregorian(date: NaiveDate) -> Option<JalaliDate> {
        let iso = Date::try_new_iso(date.year(), date.month() as u8, date.day() as u8).ok()?;
        let p = iso.to_calendar(Persian);
        Some(JalaliDate {
            year: p.era_year().year,
            month: p.month().ordinal,
            day: p.day_of_month().0,
        })
    }

    pub fn to_gregorian(self) -> Option<NaiveDate> {
        let p = Date::try_new_persian(self.year, self.month, self.day).ok()?;
        let iso = p.to_calendar(Iso);
        NaiveDate::from_ymd_opt(
            iso.era_year().extended_year,
            iso.month().ordinal as u32,
            iso.day_of_month().0 as u32,
        )
    }
}

/// The catalogue keys of the Solar Hijri months, Farvardin first.
pub const MONTH_KEYS: [&str; 12] = [
    "month.1", "month.2", "month.3", "month.4", "month.5", "month.6", "month.7", "month.8",
    "month.9", "month.10", "month.11", "month.12",
];

/// A date in the Solar Hijri calendar, in words: `۷ آذر ۱۴۰۵` / `7 Azar 1405`.
/// Today's date in Iran (UTC+03:30; Iran keeps no daylight time since 2022): what "today" means
/// for a rule's start, an occasion's window or a deadline.
pub fn tehran_today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::minutes(210)).date_naive()
}

pub fn format_date(date: NaiveDate, locale: Locale) -> String {
    match JalaliDate::from_gregorian(date) {
        Some(j) => {
            let month = translate(locale, MONTH_KEYS[(j.month - 1) as usize]);
            localize_digits(&format!("{} {} {}", j.day, month, j.year), locale)
        }
        None => localize_digits(&date.to_string(), locale),
    }
}

/// A Solar Hijri month in words: `آذر ۱۴۰۵` / `Azar 1405`, in the locale's digits.
pub fn format_month(year: i32, month: u8, locale: Locale) -> String {
    localize_digits(
        &format!(
            "{} {}",
            translate(locale, MONTH_KEYS[(month.clamp(1, 12) - 1) as usize]),
            year
        ),
        locale,
    )
}

/// A Solar Hijri month as stored (`1405-09`, the period of a wage run or an invoice): year and
/// month 1–12.
pub fn parse_period(period: &str) -> Option<(i32, u8)> {
    let (y, m) = period.split_once('-')?;
    let m = m.parse::<u8>().ok().filter(|m| (1..=12).contains(m))?;
    Some((y.parse().ok()?, m))
}

/// The Solar Hijri month (`1405-09`) of a day as the databases give it (`YYYY-MM-DD…`).
pub fn period_of_day(day: &str) -> Option<String> {
    let d = NaiveDate::parse_from_str(day.get(..10)?, "%Y-%m-%d").ok()?;
    let j = JalaliDate::from_gregorian(d)?;
    Some(format!("{:04}-{:02}", j.year, j.month))
}

/// A stored period (`1405-09`) in words, [`format_month`]; anything else is shown as it is, in
/// the locale's digits.
pub fn format_period(period: &str, locale: Locale) -> String {
    match parse_period(period) {
        Some((y, m)) => format_month(y, m, locale),
        None => localize_digits(period, locale),
    }
}

/// The `n` Solar Hijri months up to and including `current` (`1405-09`), newest first.
pub fn recent_periods(current: &str, n: usize) -> Vec<String> {
    let Some((mut y, mut m)) = parse_period(current) else {
        return vec![current.to_string()];
    };
    (0..n)
        .map(|_| {
            let p = format!("{y:04}-{m:02}");
            (y, m) = if m <= 1 { (y - 1, 12) } else { (y, m - 1) };
            p
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_read_as_months_and_step_back_over_the_new_year() {
        assert_eq!(format_period("1405-09", Locale::Fa), "آذر ۱۴۰۵");
        assert_eq!(format_period("1405-09", Locale::En), "Azar 1405");
        assert_eq!(format_period("x", Locale::Fa), "x");
        assert_eq!(
            recent_periods("1405-02", 3),
            vec!["1405-02", "1405-01", "1404-12"]
        );
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn nowruz_and_known_days_convert() {
        // Nowruz 1403 was 20 March 2024; 1 Farvardin 1404 was 21 March 2025.
        assert_eq!(
            JalaliDate::from_gregorian(d(2024, 3, 20)),
            Some(JalaliDate {
                year: 1403,
                month: 1,
                day: 1
            })
        );
        assert_eq!(
            JalaliDate::from_gregorian(d(2025, 3, 21)),
            Some(JalaliDate {
                year: 1404,
                month: 1,
                day: 1
            })
        );
        // Yalda: 30 Azar 1404 = 21 December 2025.
        assert_eq!(
            JalaliDate::from_gregorian(d(2025, 12, 21)),
            Some(JalaliDate {
                year: 1404,
                month: 9,
                day: 30
            })
        );
        assert_eq!(
            JalaliDate {
                year: 1404,
                month: 7,
                day: 1
            }
            .to_gregorian(),
            Some(d(2025, 9, 23))
        );
    }

    #[test]
    fn round_trip_over_years() {
        let mut day = d(2020, 1, 1);
        while day < d(2031, 1, 1) {
            let j = JalaliDate::from_gregorian(day).unwrap();
            assert_eq!(j.to_gregorian(), Some(day));
            day = day.succ_opt().unwrap();
        }
    }

    #[test]
    fn digits_numbers_and_money() {
        assert_eq!(localize_digits("1405/09/07", Locale::Fa), "۱۴۰۵/۰۹/۰۷");
        assert_eq!(localize_digits("1405", Locale::En), "1405");
        assert_eq!(format_number(1234567, Locale::En), "1,234,567");
        assert_eq!(format_number(1234567, Locale::Fa), "۱٬۲۳۴٬۵۶۷");
        assert_eq!(format_number(-1000, Locale::En), "-1,000");
        assert_eq!(format_number(999, Locale::En), "999");
        assert_eq!(format_number(0, Locale::Fa), "۰");
        assert_eq!(format_toman(5_000_000, Locale::En), "500,000 tomans");
        assert_eq!(format_toman(5_000_000, Locale::Fa), "۵۰۰٬۰۰۰ تومان");
    }

    #[test]
    fn percentages() {
        assert_eq!(format_percent(3000, 100, Locale::Fa), "۳۰٪");
        assert_eq!(format_percent(3000, 100, Locale::En), "30%");
        assert_eq!(format_percent(1250, 100, Locale::Fa), "۱۲٫۵٪");
        assert_eq!(format_percent(1205, 100, Locale::En), "12.05%");
        assert_eq!(format_percent(125, 10, Locale::En), "12.5%");
        assert_eq!(format_percent(0, 10, Locale::Fa), "۰٪");
    }

    #[test]
    fn dates_in_words() {
        assert_eq!(format_date(d(2025, 12, 21), Locale::En), "30 Azar 1404");
        assert_eq!(format_date(d(2025, 12, 21), Locale::Fa), "۳۰ آذر ۱۴۰۴");
        // Nowruz 1403: the first day of the year.
        assert_eq!(format_date(d(2024, 3, 20), Locale::Fa), "۱ فروردین ۱۴۰۳");
    }
}
