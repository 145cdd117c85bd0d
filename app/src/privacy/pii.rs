//! The guard over every text the public will read (need cards, campaign stories, impact updates).
//! It runs in the browser while staff type and again on the server before anything publishes.
//!
//! It finds: Iranian national codes (10 digits with a valid check digit, in any digit script and
//! with separators), mobile numbers (09…, +98…, 0098…, 9…), landlines, e-mail addresses, postal
//! codes and address words, and the names it is given (the family's and the prisoner's own names,
//! prison names) as whole words: a name inside a longer word is not a match, a name followed by a
//! zero-width non-joiner and a suffix is.

use crate::validation::{national_code_check_digit, normalize_persian};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PiiKind {
    NationalCode,
    Mobile,
    Phone,
    Email,
    PostalCode,
    Address,
    Name,
    Prison,
}

impl PiiKind {
    /// The translation key of the reason shown to staff.
    pub fn message_key(self) -> &'static str {
        match self {
            PiiKind::NationalCode => "pii.national_code",
            PiiKind::Mobile => "pii.mobile",
            PiiKind::Phone => "pii.phone",
            PiiKind::Email => "pii.email",
            PiiKind::PostalCode => "pii.postal_code",
            PiiKind::Address => "pii.address",
            PiiKind::Name => "pii.name",
            PiiKind::Prison => "pii.prison",
        }
    }
}

/// One thing found: what kind and the text that matched (as normalised), so staff see where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: PiiKind,
    pub excerpt: String,
}

/// Words that only appear in an address. Whole words, after normalisation.
const ADDRESS_WORDS: [&str; 16] = [
    "خیابان",
    "خ.",
    "کوچه",
    "پلاک",
    "بلوار",
    "بن‌بست",
    "بنبست",
    "کدپستی",
    "نشانی",
    "آدرس",
    "street",
    "st.",
    "avenue",
    "alley",
    "boulevard",
    "blvd",
];

/// Names the detector must not let through, besides the patterns it always looks for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Known {
    /// Full names of the family's members and the prisoner; each word of three or more letters
    /// counts on its own (a surname alone identifies).
    pub person_names: Vec<String>,
    /// Prison names, matched as whole phrases.
    pub prison_names: Vec<String>,
    /// Other names matched only as whole phrases (a creditor "Tehran Trading Co." should not
    /// block the word "trading" on its own).
    pub phrases: Vec<String>,
}

/// Everything in `text` that must not be published. Empty means the text may go out.
pub fn scan(text: &str, known: &Known) -> Vec<Finding> {
    let norm = normalize_persian(text);
    let lower = norm.to_lowercase();
    let mut out = Vec::new();
    numbers(&norm, &mut out);
    emails(&lower, &mut out);
    for w in ADDRESS_WORDS {
        if find_word(&lower, w).is_some() {
            out.push(Finding {
                kind: PiiKind::Address,
                excerpt: w.to_string(),
            });
        }
    }
    if find_word(&lower, "کد پستی").is_some() || find_word(&lower, "postal code").is_some() {
        out.push(Finding {
            kind: PiiKind::Address,
            excerpt: "کد پستی".into(),
        });
    }
    let mut seen = std::collections::BTreeSet::new();
    for name in &known.person_names {
        for part in normalize_persian(name).to_lowercase().split_whitespace() {
            if part.chars().filter(|c| c.is_alphabetic()).count() >= 3
                && seen.insert(part.to_string())
                && find_word(&lower, part).is_some()
            {
                out.push(Finding {
                    kind: PiiKind::Name,
                    excerpt: part.to_string(),
                });
            }
        }
    }
    for phrase in &known.phrases {
        let p = normalize_persian(phrase).to_lowercase();
        if !p.is_empty() && find_word(&lower, &p).is_some() {
            out.push(Finding {
                kind: PiiKind::Name,
                excerpt: p,
            });
        }
    }
    for prison in &known.prison_names {
        let p = normalize_persian(prison).to_lowercase();
        if !p.is_empty() && find_word(&lower, &p).is_some() {
            out.push(Finding {
                kind: PiiKind::Prison,
                excerpt: p,
            });
        }
    }
    out
}

/// A letter that continues a word. The zero-width non-joiner ends one for matching purposes
/// (`مریم‌ها` contains the name `مریم`); other letters and digits do not (`quality` ≠ `ali`).
fn continues_word(c: Option<char>) -> bool {
    c.is_some_and(|c| {
        c.is_alphanumeric() && c != '\u{200c}' && !matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}')
    })
}

/// The byte offset of the first whole-word occurrence of `needle` in `hay`.
fn find_word(hay: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    let mut from = 0;
    while let Some(i) = hay[from..].find(needle) {
        let at = from + i;
        let end = at + needle.len();
        let before = hay[..at].chars().next_back();
        let after = hay[end..].chars().next();
        // A needle that ends in punctuation ("st.") has its own boundary on that side.
        let needle_last_is_word = needle
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric);
        if !continues_word(before) && (!needle_last_is_word || !continues_word(after)) {
            return Some(at);
        }
        from = at + needle.chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// Runs of digits, allowing one space, hyphen, dot or slash between digits (`0912 123 4567`,
/// `049-937089-9`), with a `+` in front kept for the country code.
fn digit_runs(s: &str) -> Vec<(String, bool)> {
    let chars: Vec<char> = s.chars().collect();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let plus = i > 0 && chars[i - 1] == '+';
        let mut digits = String::new();
        while i < chars.len() {
            if chars[i].is_ascii_digit() {
                digits.push(chars[i]);
                i += 1;
            } else if matches!(chars[i], ' ' | '-' | '.' | '/')
                && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit())
            {
                i += 1;
            } else {
                break;
            }
        }
        runs.push((digits, plus));
    }
    runs
}

fn is_national_code(d: &str) -> bool {
    if d.len() != 10 {
        return false;
    }
    let v: Vec<u32> = d.chars().filter_map(|c| c.to_digit(10)).collect();
    v.len() == 10 && !v.iter().all(|x| *x == v[0]) && national_code_check_digit(&v[..9]) == v[9]
}

fn numbers(norm: &str, out: &mut Vec<Finding>) {
    for (d, plus) in digit_runs(norm) {
        let mobile_rest = if let Some(r) = d.strip_prefix("0098") {
            Some(r)
        } else if let Some(r) = d.strip_prefix("98").filter(|r| plus || r.len() == 10) {
            Some(r)
        } else if let Some(r) = d.strip_prefix('0') {
            Some(r)
        } else {
            Some(d.as_str())
        };
        let kind = if is_national_code(&d) {
            Some(PiiKind::NationalCode)
        } else if mobile_rest.is_some_and(|r| r.len() == 10 && r.starts_with('9')) {
            Some(PiiKind::Mobile)
        } else if d.len() == 10 {
            Some(PiiKind::PostalCode)
        } else if d.starts_with('0') && (8..=12).contains(&d.len()) {
            Some(PiiKind::Phone)
        } else if d.len() > 10 {
            // A long run may hide a code inside (`code:0499370899123`).
            (0..=d.len() - 10)
                .any(|i| is_national_code(&d[i..i + 10]))
                .then_some(PiiKind::NationalCode)
        } else {
            None
        };
        if let Some(kind) = kind {
            out.push(Finding { kind, excerpt: d });
        }
    }
}

fn emails(lower: &str, out: &mut Vec<Finding>) {
    for word in lower.split(|c: char| c.is_whitespace() || matches!(c, '،' | ',' | ';' | '(' | ')'))
    {
        let w = word.trim_matches(|c: char| !c.is_alphanumeric());
        if let Some((user, host)) = w.split_once('@') {
            if !user.is_empty() && host.contains('.') && !host.starts_with('.') {
                out.push(Finding {
                    kind: PiiKind::Email,
                    excerpt: w.to_string(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str, known: &Known) -> Vec<PiiKind> {
        scan(text, known).into_iter().map(|f| f.kind).collect()
    }

    fn none() -> Known {
        Known::default()
    }

    #[test]
    fn national_codes_need_a_valid_check_digit_in_any_script() {
        for t in [
            "کد ملی ۰۴۹۹۳۷۰۸۹۹ است",
            "کد ملی ٠٤٩٩٣٧٠٨٩٩ است",
            "code 0499370899.",
            "049-937089-9",
            "0499 3708 99",
            "ref0499370899x", // letters around still hide nothing
        ] {
            assert_eq!(kinds(t, &none()), vec![PiiKind::NationalCode], "{t}");
        }
        // Wrong check digit: a 10-digit number, still flagged, but as a possible postal code.
        assert_eq!(kinds("0499370898", &none()), vec![PiiKind::PostalCode]);
        // Inside a longer run.
        assert_eq!(
            kinds("شماره 04993708991234", &none()),
            vec![PiiKind::NationalCode]
        );
        // Amounts and years are fine.
        assert!(kinds("۵۰٬۰۰۰٬۰۰۰ ریال برای سال ۱۴۰۵ و ۳ فرزند", &none()).is_empty());
        assert!(kinds("50,000,000 rials", &none()).is_empty());
    }

    #[test]
    fn phones_in_every_form() {
        for t in [
            "09121234567",
            "۰۹۱۲۱۲۳۴۵۶۷",
            "0912 123 4567",
            "0912-123-4567",
            "+98 912 123 4567",
            "+989121234567",
            "00989121234567",
            "تماس: ۹۱۲۱۲۳۴۵۶۷",
        ] {
            assert_eq!(kinds(t, &none()), vec![PiiKind::Mobile], "{t}");
        }
        assert_eq!(kinds("تلفن ۰۲۱-۸۸۷۷۶۶۵۵", &none()), vec![PiiKind::Phone]);
        assert_eq!(
            kinds("write to a.b@example.org", &none()),
            vec![PiiKind::Email]
        );
    }

    #[test]
    fn addresses() {
        assert_eq!(
            kinds("منزل در خیابان آزادی است", &none()),
            vec![PiiKind::Address]
        );
        assert_eq!(kinds("کوچهٔ سوم", &none()), vec![PiiKind::Address]);
        assert_eq!(
            kinds("lives on Azadi Street", &none()),
            vec![PiiKind::Address]
        );
        // "Streetwise" is not an address word.
        assert!(kinds("a streetwise kid", &none()).is_empty());
    }

    #[test]
    fn names_as_whole_words_only() {
        let known = Known {
            person_names: vec!["مریم احمدی".into(), "Ali Rezaei".into(), "رضا".into()],
            prison_names: vec!["زندان قزلحصار".into()],
            phrases: vec!["شرکت بازرگانی امید".into()],
        };
        assert_eq!(
            kinds("بدهی به شرکت بازرگانی امید", &known),
            vec![PiiKind::Name]
        );
        assert!(kinds("امید به بازرگانی", &known).is_empty());
        assert_eq!(
            kinds("مادر، مریم، سه فرزند دارد", &known),
            vec![PiiKind::Name]
        );
        // Arabic letters and a zero-width non-joiner suffix still match.
        assert_eq!(kinds("خانوادهٔ احمدي‌ها", &known), vec![PiiKind::Name]);
        // Inside another word: no match (رضایت contains رضا, quality contains ali).
        assert!(kinds("با رضایت کامل و quality", &known).is_empty());
        assert_eq!(kinds("ALI needs tools", &known), vec![PiiKind::Name]);
        assert_eq!(
            kinds("پدر در زندان قزلحصار است", &known),
            vec![PiiKind::Prison]
        );
        // "زندان" alone says nothing about which one.
        assert!(kinds("پدر در زندان است", &known).is_empty());
        // Short parts (two letters) are not matched on their own.
        let short = Known {
            person_names: vec!["Al Bo".into()],
            ..Known::default()
        };
        assert!(kinds("al bo", &short).is_empty());
    }

    #[test]
    fn a_clean_story_passes() {
        let known = Known {
            person_names: vec!["مریم احمدی".into()],
            prison_names: vec!["زندان مرکزی تبریز".into()],
            ..Known::default()
        };
        assert!(scan(
            "مادری با سه فرزند که اجارهٔ سه ماه خانه را بدهکار است. هزینهٔ ۳۰٬۰۰۰٬۰۰۰ ریال.",
            &known
        )
        .is_empty());
    }
}
