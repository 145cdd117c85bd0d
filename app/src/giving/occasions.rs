//! Occasion campaigns: school start (Mehr), Yalda and Nowruz. Each is a window of Solar Hijri
//! dates, configurable with `KARAMAT_OCCASIONS` (e.g. `mehr=06-01..07-15,yalda=09-01..09-30,
//! nowruz=12-10..01-13`). Children's gifts are needs of kind `gift` tagged with the occasion,
//! bought and delivered by staff in the imprisoned parent's name.

use serde::{Deserialize, Serialize};

pub const OCCASION_KEYS: [&str; 3] = ["mehr", "yalda", "nowruz"];

/// The catalogue key naming an occasion's children's gifts.
pub fn occasion_key(key: &str) -> &'static str {
    match key {
        "mehr" => "occasion.mehr",
        "yalda" => "occasion.yalda",
        _ => "occasion.nowruz",
    }
}

/// A window of (month, day) pairs in the Solar Hijri calendar, inclusive; it may wrap the year end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub key: &'static str,
    pub from: (u8, u8),
    pub to: (u8, u8),
}

impl Window {
    pub fn contains(&self, month: u8, day: u8) -> bool {
        let d = (month, day);
        if self.from <= self.to {
            self.from <= d && d <= self.to
        } else {
            d >= self.from || d <= self.to
        }
    }
}

pub const DEFAULT_WINDOWS: [Window; 3] = [
    Window {
        key: "mehr",
        from: (6, 1),
        to: (7, 15),
    },
    Window {
        key: "yalda",
        from: (9, 1),
        to: (9, 30),
    },
    Window {
        key: "nowruz",
        from: (12, 10),
        to: (1, 13),
    },
];

fn parse_md(s: &str) -> Option<(u8, u8)> {
    let (m, d) = s.trim().split_once('-')?;
    let (m, d) = (m.parse::<u8>().ok()?, d.parse::<u8>().ok()?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((m, d))
}

/// Parses `key=MM-DD..MM-DD,…`; unknown keys and malformed parts are refused as a whole.
pub fn parse_windows(spec: &str) -> Option<Vec<Window>> {
    let mut out = Vec::new();
    for part in spec.split(',').filter(|p| !p.trim().is_empty()) {
        let (key, range) = part.split_once('=')?;
        let key = *OCCASION_KEYS.iter().find(|k| **k == key.trim())?;
        let (from, to) = range.split_once("..")?;
        out.push(Window {
            key,
            from: parse_md(from)?,
            to: parse_md(to)?,
        });
    }
    (!out.is_empty()).then_some(out)
}

/// The occasion whose window holds this Solar Hijri date.
pub fn current(windows: &[Window], month: u8, day: u8) -> Option<&'static str> {
    windows
        .iter()
        .find(|w| w.contains(month, day))
        .map(|w| w.key)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OccasionProgress {
    pub key: String,
    pub needs: i64,
    pub needs_met: i64,
    pub goal_rials: i64,
    pub raised_rials: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_wrap_the_year_and_parse() {
        let w = DEFAULT_WINDOWS;
        assert_eq!(current(&w, 9, 7), Some("yalda"));
        assert_eq!(current(&w, 6, 20), Some("mehr"));
        assert_eq!(current(&w, 12, 29), Some("nowruz"));
        assert_eq!(current(&w, 1, 5), Some("nowruz"));
        assert_eq!(current(&w, 3, 1), None);
        let p = parse_windows("yalda=09-20..10-02").unwrap();
        assert_eq!(current(&p, 10, 1), Some("yalda"));
        assert!(parse_windows("birthday=01-01..01-02").is_none());
        assert!(parse_windows("yalda=13-01..01-01").is_none());
    }
}
