//! Validation shared by the browser and the server, so both say the same thing about bad input.
//! Each check returns the translation key of its message.

/// Persian (۰–۹) and Arabic-Indic (٠–٩) digits to Latin; everything else untouched.
pub fn latin_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '۰'..='۹' => char::from(b'0' + (c as u32 - '۰' as u32) as u8),
            '٠'..='٩' => char::from(b'0' + (c as u32 - '٠' as u32) as u8),
            _ => c,
        })
        .collect()
}

/// A date as a person types it, in either calendar: `1405/09/16` or `۱۴۰۵/۰۹/۱۶` (Solar Hijri,
/// what a Persian form shows) or `2026-12-06` (Gregorian, what an English form's date picker
/// sends); `/`, `-` and `.` separate. The year tells the calendars apart: no Solar Hijri year
/// this system meets is above 1600 and no Gregorian one below 1900.
pub fn parse_date(input: &str) -> Option<chrono::NaiveDate> {
    let latin = latin_digits(input.trim());
    let parts: Vec<&str> = latin.split(['/', '-', '.', '٫']).map(str::trim).collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let all_digits =
        |p: &str| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit());
    if !(all_digits(y) && all_digits(m) && all_digits(d)) {
        return None;
    }
    let (y, m, d): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    match y {
        1300..=1600 => crate::i18n::JalaliDate {
            year: y,
            month: u8::try_from(m).ok().filter(|m| (1..=12).contains(m))?,
            day: u8::try_from(d).ok().filter(|d| (1..=31).contains(d))?,
        }
        .to_gregorian()
        // icu clamps an impossible day (31 Esfand) instead of refusing it: refuse it here.
        .filter(|g| crate::i18n::JalaliDate::from_gregorian(*g).is_some_and(|j| j.day as u32 == d)),
        1900..=2200 => chrono::NaiveDate::from_ymd_opt(y, m, d),
        _ => None,
    }
}

/// A form field as it arrives: nothing, one string, a list (`name[]=a&name[]=b`, ticked boxes) or
/// named parts (`name[d]=…&name[m]=…`). One visitor reads all four, for the fields below.
enum Sent {
    Nothing,
    Text(String),
    List(Vec<String>),
    Parts(std::collections::HashMap<String, String>),
}

fn sent<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Sent, D::Error> {
    struct Visit;
    impl<'de> serde::de::Visitor<'de> for Visit {
        type Value = Sent;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a string, a list of strings or named parts")
        }
        fn visit_none<E>(self) -> Result<Sent, E> {
            Ok(Sent::Nothing)
        }
        fn visit_unit<E>(self) -> Result<Sent, E> {
            Ok(Sent::Nothing)
        }
        fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Sent, D::Error> {
            d.deserialize_any(Visit)
        }
        fn visit_str<E>(self, s: &str) -> Result<Sent, E> {
            Ok(Sent::Text(s.to_string()))
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Sent, A::Error> {
            let mut all = Vec::new();
            while let Some(s) = seq.next_element::<String>()? {
                all.push(s);
            }
            Ok(Sent::List(all))
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Sent, A::Error> {
            let mut parts = std::collections::HashMap::new();
            while let Some((k, v)) = map.next_entry::<String, String>()? {
                parts.insert(k, v);
            }
            Ok(Sent::Parts(parts))
        }
    }
    d.deserialize_option(Visit)
}

/// A date field as a form sends it, as the text [`parse_date`] reads. An English form's date
/// picker (and any API client) sends one string; a Persian form sends its Solar Hijri day, month
/// and year as three fields (`name[d]`, `name[m]`, `name[y]`), joined here as `y/m/d`. Parts left
/// empty give an empty string, which the service refuses as missing.
pub fn date_field<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(opt_date_field(d)?.unwrap_or_default())
}

/// [`date_field`] for an optional date: nothing sent, or every part empty, is `None`.
pub fn opt_date_field<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match sent(d)? {
        Sent::Nothing => None,
        Sent::Text(s) => (!s.trim().is_empty()).then_some(s),
        Sent::Parts(p) => {
            let part = |k: &str| p.get(k).map(|v| v.trim()).unwrap_or("");
            let parts = [part("y"), part("m"), part("d")];
            (!parts.iter().all(|p| p.is_empty())).then(|| parts.join("/"))
        }
        Sent::List(_) => {
            return Err(serde::de::Error::custom("a date is one value, not a list"));
        }
    })
}

/// A list chosen from ticked boxes arrives as a sequence (`name[]=a&name[]=b`); an API client
/// may send one comma-separated string. Both become the comma-separated string the services read.
pub fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match sent(d)? {
        Sent::Nothing => None,
        Sent::Text(s) => Some(s),
        Sent::List(all) => Some(all.join(",")),
        Sent::Parts(_) => return Err(serde::de::Error::custom("a list, not named parts")),
    })
}

/// The one-field form of [`date_field`], for a server function's own argument (an argument
/// cannot carry `deserialize_with`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct DateInput(pub String);

impl<'de> serde::Deserialize<'de> for DateInput {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        date_field(d).map(DateInput)
    }
}

/// Normalises Persian text for storage and search: Arabic ي/ى/ك to Persian ی/ک, digits to Latin,
/// runs of white space folded; the zero-width non-joiner (U+200C) is kept.
pub fn normalize_persian(s: &str) -> String {
    let mapped: String = latin_digits(s)
        .chars()
        .map(|c| match c {
            'ي' | 'ى' => 'ی',
            'ك' => 'ک',
            _ => c,
        })
        .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text as the privacy guard (and search) reads it: Persian normalisation ([`normalize_persian`]) after removing
/// what is invisible or decorative and mapping look-alikes, so a name with a kashida or a
/// diacritic inside, a number in full-width digits or split by a dash reads as what it is. The
/// zero-width non-joiner is kept (see `privacy::pii::scan` for how names around it are read).
pub fn fold(text: &str) -> String {
    let mapped: String = text
        .chars()
        .filter_map(|c| match c {
            // Kashida, harakat and Quranic marks, superscript alef.
            '\u{0640}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}' => None,
            // Zero-width space/joiner, word joiner, BOM, soft hyphen, direction marks.
            '\u{200B}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' | '\u{061C}' => None,
            '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => None,
            // Full-width ASCII (digits, letters, punctuation) to ASCII.
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
            '\u{3000}' | '\u{00A0}' | '\u{202F}' | '\u{2007}' | '\u{2009}' => Some(' '),
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' => Some('-'),
            'أ' | 'إ' | 'ٱ' => Some('ا'),
            'ة' | 'ۀ' => Some('ه'),
            'ؤ' => Some('و'),
            _ => Some(c),
        })
        .collect();
    normalize_persian(&mapped)
}

/// The form in which needs are indexed and searched, on both databases: Persian-normalised
/// (Arabic ي/ك, any digit script), folded like the privacy guard folds (kashida, diacritics,
/// invisible marks, full-width forms), the zero-width non-joiner read as a space (so «اجاره‌بها»
/// is found by «اجاره» and by «اجاره بها»), lower case, single spaces. A search matches when the
/// folded query occurs in the folded text.
pub fn search_text(s: &str) -> String {
    fold(&normalize_persian(s))
        .replace('\u{200C}', " ")
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// An Iranian national code: ten digits (any script) with a valid check digit.
pub fn national_code(input: &str) -> Result<String, &'static str> {
    let s: String = latin_digits(input)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if s.len() != 10 || !s.chars().all(|c| c.is_ascii_digit()) {
        return Err("validation.national_code_format");
    }
    let d: Vec<u32> = s.chars().map(|c| c.to_digit(10).unwrap_or(0)).collect();
    if d.iter().all(|x| *x == d[0]) {
        return Err("validation.national_code_check");
    }
    if national_code_check_digit(&d[..9]) != d[9] {
        return Err("validation.national_code_check");
    }
    Ok(s)
}

/// The check digit for the first nine digits of a national code.
pub fn national_code_check_digit(first9: &[u32]) -> u32 {
    let sum: u32 = first9
        .iter()
        .enumerate()
        .map(|(i, d)| d * (10 - i as u32))
        .sum();
    let r = sum % 11;
    if r < 2 {
        r
    } else {
        11 - r
    }
}

/// An Iranian national company id (شناسهٔ ملی اشخاص حقوقی): eleven digits, any script, with its
/// check digit (the tenth digit plus two added to each of the first ten, weighted 29, 27, 23, 19,
/// 17 in turn, modulo 11, where 10 counts as 0).
pub fn national_company_id(input: &str) -> Result<String, &'static str> {
    let s: String = latin_digits(input)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if s.len() != 11 || !s.chars().all(|c| c.is_ascii_digit()) {
        return Err("validation.company_id_format");
    }
    let d: Vec<u32> = s.chars().map(|c| c.to_digit(10).unwrap_or(0)).collect();
    if d[..10].iter().all(|x| *x == 0) || company_id_check_digit(&d[..10]) != d[10] {
        return Err("validation.company_id_check");
    }
    Ok(s)
}

/// The check digit of a national company id from its first ten digits.
pub fn company_id_check_digit(first10: &[u32]) -> u32 {
    const WEIGHTS: [u32; 5] = [29, 27, 23, 19, 17];
    let plus = first10[9] + 2;
    let sum: u32 = first10
        .iter()
        .enumerate()
        .map(|(i, d)| (d + plus) * WEIGHTS[i % 5])
        .sum();
    match sum % 11 {
        10 => 0,
        r => r,
    }
}

/// An economic code (کد اقتصادی): twelve digits, or since 1399 the eleven-digit national id.
pub fn economic_code(input: &str) -> Result<String, &'static str> {
    let s: String = latin_digits(input)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if !(s.len() == 11 || s.len() == 12) || !s.chars().all(|c| c.is_ascii_digit()) {
        return Err("validation.economic_code");
    }
    Ok(s)
}

/// A Sheba (شبا), Iran's IBAN: `IR`, two check digits and 22 digits, in any digit script, with
/// or without spaces and dashes; returned as `IR` and 24 digits. The check digits are the
/// ISO 13616 ones (the number with `IR` and the check moved to its end, mod 97, is 1), so a
/// mistyped digit is caught before money is sent to it.
pub fn sheba(input: &str) -> Result<String, &'static str> {
    let s: String = latin_digits(input)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '\u{200c}'))
        .collect::<String>()
        .to_uppercase();
    let digits = s.strip_prefix("IR").unwrap_or(&s);
    if digits.len() != 24 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("validation.sheba");
    }
    // The 22 account digits, then I = 18 and R = 27, then the two check digits.
    let rearranged = format!("{}1827{}", &digits[2..], &digits[..2]);
    let rem = rearranged
        .bytes()
        .fold(0u32, |acc, b| (acc * 10 + u32::from(b - b'0')) % 97);
    if rem != 1 {
        return Err("validation.sheba");
    }
    Ok(format!("IR{digits}"))
}

/// An Iranian mobile number in any of its usual forms, returned as `09xxxxxxxxx`.
pub fn mobile(input: &str) -> Result<String, &'static str> {
    let s: String = latin_digits(input)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '(' && *c != ')')
        .collect();
    let rest = if let Some(r) = s.strip_prefix("+98") {
        r.to_string()
    } else if let Some(r) = s.strip_prefix("0098") {
        r.to_string()
    } else if let Some(r) = s.strip_prefix('0') {
        r.to_string()
    } else {
        s.clone()
    };
    if rest.len() == 10 && rest.starts_with('9') && rest.chars().all(|c| c.is_ascii_digit()) {
        Ok(format!("0{rest}"))
    } else {
        Err("validation.mobile")
    }
}

/// A plausible e-mail address, trimmed and lower-cased.
pub fn email(input: &str) -> Result<String, &'static str> {
    let s = input.trim().to_lowercase();
    let ok = s.len() <= 254
        && s.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
                && s.matches('@').count() == 1
        });
    if ok {
        Ok(s)
    } else {
        Err("validation.email")
    }
}

pub const PASSWORD_MIN_CHARS: usize = 10;

/// Passwords: at least ten characters and at most 128 (OWASP: length over composition rules).
pub fn password(input: &str) -> Result<(), &'static str> {
    let n = input.chars().count();
    if n < PASSWORD_MIN_CHARS {
        Err("validation.password_short")
    } else if n > 128 {
        Err("validation.password_long")
    } else {
        Ok(())
    }
}

/// A person's or company's display name: 2–80 characters after normalisation.
pub fn display_name(input: &str) -> Result<String, &'static str> {
    let s = normalize_persian(input);
    let n = s.chars().count();
    if (2..=80).contains(&n) {
        Ok(s)
    } else {
        Err("validation.display_name")
    }
}

/// A public code (`N-…`, `C-…`) as typed: any digit script, any case, spaces around; `None` when it
/// is too long to be one.
pub fn public_code(input: &str) -> Option<String> {
    let code = latin_digits(input.trim()).to_uppercase();
    (code.len() <= 32).then_some(code)
}

/// An amount in rials typed in any digit script, with optional separators.
pub fn amount_rials(input: &str) -> Result<i64, &'static str> {
    let s: String = latin_digits(input)
        .chars()
        .filter(|c| !matches!(c, ',' | '٬' | '،' | ' ' | '_'))
        .collect();
    match s.parse::<i64>() {
        Ok(v) if v > 0 => Ok(v),
        _ => Err("validation.amount"),
    }
}

/// An amount typed in tomans (as [`amount_rials`] reads it), in rials; none when it is not a
/// number above zero or too large to hold in rials.
pub fn toman_rials(input: &str) -> Option<i64> {
    amount_rials(input).ok()?.checked_mul(10)
}

#[cfg(test)]
mod tests {
    #[derive(Debug, serde::Deserialize)]
    struct DateForm {
        #[serde(deserialize_with = "super::date_field")]
        on: String,
        #[serde(default, deserialize_with = "super::opt_date_field")]
        until: Option<String>,
    }

    #[test]
    fn a_date_arrives_as_one_string_or_as_day_month_year() {
        // The reader server functions use for forms (server_fn's `PostUrl`): brackets may come
        // percent-encoded, as a browser sends them.
        let qs = |body: &str| -> DateForm {
            serde_qs::Config::new(5, false)
                .deserialize_str(body)
                .unwrap()
        };
        // A Persian form's three parts (the order a browser sends them in RTL markup: d, m, y).
        let f =
            qs("on%5Bd%5D=%DB%B1%DB%B6&on%5Bm%5D=9&on%5By%5D=1405&until[d]=&until[m]=&until[y]=");
        assert_eq!(f.on, "1405/9/۱۶");
        assert_eq!(
            parse_date(&f.on),
            chrono::NaiveDate::from_ymd_opt(2026, 12, 7)
        );
        assert_eq!(f.until, None, "every part empty is no date");
        // An English date picker's one string.
        let f = qs("on=2026-12-07&until=2027-01-01");
        assert_eq!(
            parse_date(&f.on),
            chrono::NaiveDate::from_ymd_opt(2026, 12, 7)
        );
        assert_eq!(f.until.as_deref(), Some("2027-01-01"));
        // A part missing reads as a date that does not parse (the service's "invalid date").
        let f = qs("on[d]=&on[m]=9&on[y]=1405");
        // A date is one value: a list is refused (a bad request, not a guess).
        assert!(serde_qs::Config::new(5, false)
            .deserialize_str::<DateForm>("on[]=1&on[]=2")
            .is_err());
        assert_eq!(parse_date(&f.on), None);
        assert_eq!(f.until, None, "absent is no date");
        // The argument form.
        let d: DateInput = serde_json::from_str("\"1405/09/16\"").unwrap();
        assert_eq!(d.0, "1405/09/16");
    }

    #[test]
    fn dates_parse_in_either_calendar_and_either_digits() {
        use super::parse_date;
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day);
        assert_eq!(parse_date("2026-12-06"), d(2026, 12, 6));
        assert_eq!(parse_date("1405/09/15"), d(2026, 12, 6));
        assert_eq!(parse_date("۱۴۰۵/۰۹/۱۵"), d(2026, 12, 6));
        assert_eq!(parse_date(" 1405-9-15 "), d(2026, 12, 6));
        assert_eq!(parse_date("1404/01/01"), d(2025, 3, 21));
        // 1403 is a leap year in the Solar Hijri calendar (30 Esfand exists), 1404 is not.
        assert_eq!(parse_date("1403/12/30"), d(2025, 3, 20));
        assert_eq!(parse_date("1404/12/30"), None);
        assert_eq!(parse_date("1405/07/31"), None);
        assert_eq!(parse_date("1405/13/01"), None);
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("06/12/2026"), None);
        assert_eq!(parse_date("1405/09"), None);
        assert_eq!(parse_date("fourteen"), None);
        assert_eq!(parse_date(""), None);
    }

    #[test]
    fn search_text_folds_what_a_reader_would_not_tell_apart() {
        use super::search_text;
        assert_eq!(search_text("اجاره‌بهای  خانه"), "اجاره بهای خانه");
        assert_eq!(search_text("كيف مدرسه"), "کیف مدرسه");
        assert_eq!(search_text("اجـــاره ۱۲"), search_text("اجاره 12"));
        assert_eq!(search_text("Rent  FOR\u{200F} me"), "rent for me");
        assert_eq!(search_text("دَرمان"), "درمان");
    }

    #[test]
    fn company_ids_need_their_check_digit() {
        let first: Vec<u32> = "1010038400"
            .chars()
            .map(|c| c.to_digit(10).unwrap())
            .collect();
        let good = format!("1010038400{}", company_id_check_digit(&first));
        assert_eq!(national_company_id(&good), Ok(good.clone()));
        let persian: String = good
            .chars()
            .map(|c| char::from_u32('۰' as u32 + c.to_digit(10).unwrap()).unwrap())
            .collect();
        assert_eq!(national_company_id(&persian), Ok(good.clone()));
        let last = good.chars().last().unwrap().to_digit(10).unwrap();
        let bad = format!("1010038400{}", (last + 1) % 10);
        assert_eq!(
            national_company_id(&bad),
            Err("validation.company_id_check")
        );
        assert_eq!(
            national_company_id("123"),
            Err("validation.company_id_format")
        );
        assert_eq!(
            national_company_id("00000000000"),
            Err("validation.company_id_check")
        );
        assert_eq!(economic_code("۴۱۱۱۱۱۱۱۱۱۱۱"), Ok("411111111111".into()));
        assert!(economic_code("41").is_err());
    }

    use super::*;

    #[test]
    fn sheba_numbers_are_checked() {
        assert_eq!(
            super::sheba("IR06 2960 0000 0010 0324 2000 01").unwrap(),
            "IR062960000000100324200001"
        );
        assert_eq!(
            super::sheba("ir۵۸۰۵۴۰۱۰۵۱۸۰۰۲۱۲۷۳۱۱۳۰۰۷").unwrap(),
            "IR580540105180021273113007"
        );
        assert_eq!(
            super::sheba("580540105180021273113007").unwrap(),
            "IR580540105180021273113007"
        );
        for bad in [
            "IR580540105180021273113008",
            "IR58054010518002127311300",
            "DE89370400440532013000",
            "IR58054010518002127311300A",
            "",
        ] {
            assert_eq!(super::sheba(bad), Err("validation.sheba"), "{bad}");
        }
    }

    #[test]
    fn national_codes_in_every_script() {
        assert_eq!(national_code("0499370899"), Ok("0499370899".into()));
        assert_eq!(national_code("۰۴۹۹۳۷۰۸۹۹"), Ok("0499370899".into()));
        assert_eq!(national_code("٠٤٩٩٣٧٠٨٩٩"), Ok("0499370899".into()));
        assert_eq!(
            national_code("0499370898"),
            Err("validation.national_code_check")
        );
        assert_eq!(
            national_code("1111111111"),
            Err("validation.national_code_check")
        );
        assert_eq!(
            national_code("12345"),
            Err("validation.national_code_format")
        );
        assert_eq!(
            national_code("04993708a9"),
            Err("validation.national_code_format")
        );
    }

    #[test]
    fn mobiles() {
        for ok in [
            "09121234567",
            "+989121234567",
            "00989121234567",
            "۰۹۱۲۱۲۳۴۵۶۷",
            "0912 123 4567",
        ] {
            assert_eq!(mobile(ok), Ok("09121234567".into()), "{ok}");
        }
        for bad in ["0212345678", "0912123456", "+1 555 1234", ""] {
            assert!(mobile(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn persian_normalisation_keeps_zwnj() {
        assert_eq!(normalize_persian("علي  كريمي"), "علی کریمی");
        assert_eq!(
            normalize_persian("خانواده\u{200c}ها ۱۲"),
            "خانواده\u{200c}ها 12"
        );
    }

    #[test]
    fn emails_passwords_amounts() {
        assert_eq!(email(" A@B.ir "), Ok("a@b.ir".into()));
        assert!(email("a@b").is_err());
        assert!(email("a b@c.ir").is_err());
        assert!(password("short").is_err());
        assert!(password("long enough pass").is_ok());
        assert_eq!(amount_rials("۱٬۰۰۰٬۰۰۰"), Ok(1_000_000));
        assert_eq!(amount_rials("0"), Err("validation.amount"));
        assert_eq!(amount_rials("-5"), Err("validation.amount"));
        assert_eq!(amount_rials("abc"), Err("validation.amount"));
    }
}
