//! The guard over every text the public will read (need cards, campaign stories, impact updates).
//! It runs in the browser while staff type and again on the server before anything publishes.
//!
//! It finds: Iranian national codes (10 digits with a valid check digit, in any digit script and
//! with separators), mobile numbers (09…, +98…, 0098…, 9…), landlines, e-mail addresses, postal
//! codes and address words, and the names it is given (the family's and the prisoner's own names,
//! prison names) as whole words: a name inside a longer word is not a match, a name followed by a
//! zero-width non-joiner and a suffix is.
//!
//! Before it matches it folds away what a person can type to step around it ([`fold`]): kashida,
//! diacritics, zero-width and direction marks, Arabic letter variants, full-width and Persian or
//! Arabic-Indic digits, any dash; digit groups may be split by spaces, dashes, dots, slashes,
//! parentheses or underscores; a name split by a zero-width non-joiner is read both joined and
//! split.

use crate::validation::{fold, national_code_check_digit};
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

/// Words that only appear in an address: one is enough. Whole words, after folding.
const ADDRESS_WORDS: [&str; 24] = [
    "خیابان",
    "خ.",
    "کوچه",
    "پلاک",
    "بلوار",
    "بن‌بست",
    "بنبست",
    "میدان",
    "کدپستی",
    "کد پستی",
    "نشانی",
    "آدرس",
    "بزرگراه",
    "شهرک",
    "street",
    "st.",
    "avenue",
    "ave.",
    "alley",
    "boulevard",
    "blvd",
    "square",
    "postal code",
    "zip code",
];

/// Words that are part of an address only with a number after them («طبقه ۳», «واحد ۱۲») or
/// with another of them («ساختمان … طبقه»): alone they are ordinary words («کارگر ساختمان»,
/// «واحد درسی»).
const ADDRESS_PARTS: [&str; 13] = [
    "طبقه",
    "واحد",
    "ساختمان",
    "مجتمع",
    "بلوک",
    "برج",
    "فاز",
    "ورودی",
    "floor",
    "unit",
    "apt",
    "apartment",
    "building",
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
    let norm = fold(text);
    let lower = norm.to_lowercase();
    // A name split by a zero-width non-joiner («احمد‌ی») reads as one word once joined.
    let joined = lower.replace('\u{200C}', "");
    let found =
        |needle: &str| find_word(&lower, needle).is_some() || find_word(&joined, needle).is_some();
    let mut out = Vec::new();
    numbers(&norm, &mut out);
    emails(&lower, &mut out);
    for w in ADDRESS_WORDS {
        if found(w) {
            out.push(Finding {
                kind: PiiKind::Address,
                excerpt: w.to_string(),
            });
        }
    }
    address_parts(&lower, &mut out);
    let mut seen = std::collections::BTreeSet::new();
    for name in &known.person_names {
        let name = fold(name).to_lowercase().replace('\u{200C}', "");
        for part in name.split_whitespace() {
            if part.chars().filter(|c| c.is_alphabetic()).count() >= 3
                && seen.insert(part.to_string())
                && found(part)
            {
                out.push(Finding {
                    kind: PiiKind::Name,
                    excerpt: part.to_string(),
                });
            }
        }
    }
    for phrase in &known.phrases {
        let p = fold(phrase).to_lowercase();
        if !p.is_empty() && found(&p) {
            out.push(Finding {
                kind: PiiKind::Name,
                excerpt: p,
            });
        }
    }
    for prison in &known.prison_names {
        let p = fold(prison).to_lowercase();
        if !p.is_empty() && found(&p) {
            out.push(Finding {
                kind: PiiKind::Prison,
                excerpt: p,
            });
        }
    }
    out
}

/// Address parts: flagged when one is followed by a number, or when two different ones appear.
fn address_parts(lower: &str, out: &mut Vec<Finding>) {
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || matches!(c, '،' | ',' | '؛' | ';' | ':' | '(' | ')'))
        .filter(|w| !w.is_empty())
        .collect();
    let mut distinct = std::collections::BTreeSet::new();
    for (i, w) in words.iter().enumerate() {
        let w = w.trim_matches(|c: char| matches!(c, '.' | '-' | '«' | '»' | '"'));
        if let Some(part) = ADDRESS_PARTS.iter().find(|p| **p == w) {
            distinct.insert(*part);
            let numbered = words
                .get(i + 1)
                .is_some_and(|n| n.chars().next().is_some_and(|c| c.is_ascii_digit()))
                || w.chars().any(|c| c.is_ascii_digit());
            if numbered {
                out.push(Finding {
                    kind: PiiKind::Address,
                    excerpt: format!("{part} …"),
                });
                return;
            }
        }
    }
    if distinct.len() >= 2 {
        out.push(Finding {
            kind: PiiKind::Address,
            excerpt: distinct.into_iter().collect::<Vec<_>>().join(" … "),
        });
    }
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

/// Characters that may split a group of digits someone typed («۰۹۳۵ - ۱۲۳ - ۴۵۶۷»,
/// «(0935) 123-4567»). Thousands separators (`,` `٬`) are not among them: amounts stay amounts.
fn splits_digits(c: char) -> bool {
    matches!(c, ' ' | '-' | '.' | '/' | '(' | ')' | '_' | '\\' | '|')
}

/// At most this many splitting characters in a row still join two digit groups.
const MAX_SPLIT: usize = 3;

/// Runs of digits, allowing up to [`MAX_SPLIT`] splitting characters between digits
/// (`0912 123 4567`, `049 - 937 - 0899`), with a `+` in front kept for the country code.
fn digit_runs(s: &str) -> Vec<(String, bool)> {
    let chars: Vec<char> = s.chars().collect();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let plus = chars[..i]
            .iter()
            .rev()
            .find(|c| !matches!(c, ' ' | '('))
            .is_some_and(|c| *c == '+');
        let mut digits = String::new();
        while i < chars.len() {
            if chars[i].is_ascii_digit() {
                digits.push(chars[i]);
                i += 1;
            } else if splits_digits(chars[i]) {
                let gap = chars[i..].iter().take_while(|c| splits_digits(**c)).count();
                if gap <= MAX_SPLIT && chars.get(i + gap).is_some_and(|c| c.is_ascii_digit()) {
                    i += gap;
                } else {
                    break;
                }
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
    fn folded_variants_are_still_found() {
        let known = Known {
            person_names: vec!["مریم احمدی".into()],
            ..Known::default()
        };
        for t in [
            "خانوادهٔ احمـــدی",      // kashida
            "خانوادهٔ احمَدی",         // a diacritic inside
            "خانوادهٔ احمد\u{200C}ی", // split by a zero-width non-joiner
            "خانوادهٔ احم\u{200D}دی", // a zero-width joiner
            "خانوادهٔ اح\u{200F}مدی", // a direction mark
        ] {
            assert_eq!(kinds(t, &known), vec![PiiKind::Name], "{t}");
        }
        for t in [
            "0935 - 123 - 4567",
            "(0935) 123-4567",
            "０９３５１２３４５６７",
            "+98 (935) 123 4567",
            "۰۹۳۵_۱۲۳_۴۵۶۷",
            "0935–123–4567",
        ] {
            assert_eq!(kinds(t, &none()), vec![PiiKind::Mobile], "{t}");
        }
        assert_eq!(
            kinds("کد ملی 049 - 937 - 0899", &none()),
            vec![PiiKind::NationalCode]
        );
        assert!(!kinds("میدان انقلاب، طبقه دوم، واحد شمالی", &none()).is_empty());
        assert_eq!(kinds("طبقه ۳", &none()), vec![PiiKind::Address]);
        // Ordinary words that are address parts only with a number or another part.
        assert!(kinds("پدر کارگر ساختمان بود", &none()).is_empty());
        assert!(kinds("دو واحد درسی مانده است", &none()).is_empty());
        // Amounts, years and dates stay what they are.
        assert!(kinds("۲۰۰ - ۳۰۰ میلیون ریال، سال ۱۴۰۵/۰۶/۰۱", &none()).is_empty());
        assert!(kinds("3,000,000,000 rials", &none()).is_empty());
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
