//! Languages, translations, Persian digits, money and Solar Hijri dates.
//!
//! Every UI string lives in `app/locales/{fa,en}.json`. A test fails when a key is missing from
//! either file or when the code asks for a key neither has.

mod format;
mod locale;

pub use format::*;
pub use locale::*;

use leptos::prelude::*;
use std::collections::HashMap;
use std::sync::LazyLock;

static FA: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| parse(include_str!("../../locales/fa.json")));
static EN: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| parse(include_str!("../../locales/en.json")));

fn parse(src: &str) -> HashMap<String, String> {
    serde_json::from_str(src).unwrap_or_default()
}

pub fn catalogue(locale: Locale) -> &'static HashMap<String, String> {
    match locale {
        Locale::Fa => &FA,
        Locale::En => &EN,
    }
}

/// The translation of `key`; the key itself (and a log line on the server) where none exists.
pub fn translate(locale: Locale, key: &str) -> &'static str {
    match catalogue(locale).get(key) {
        Some(s) => s.as_str(),
        None => {
            #[cfg(feature = "ssr")]
            tracing::warn!(key, ?locale, "missing translation");
            // Leaking is bounded: only keys absent from the catalogue, which a test forbids.
            Box::leak(key.to_string().into_boxed_str())
        }
    }
}

/// Whether `key` is a message of the catalogue: text that arrives in a URL is shown only then.
pub fn is_known(key: &str) -> bool {
    catalogue(Locale::Fa).contains_key(key)
}

/// The visitor's language, shared through context.
#[derive(Clone, Copy)]
pub struct I18n {
    pub locale: RwSignal<Locale>,
}

impl I18n {
    pub fn get(&self) -> Locale {
        self.locale.get()
    }
    pub fn t(&self, key: &str) -> &'static str {
        translate(self.locale.get(), key)
    }
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// A reactive translation for use in `view!`: `{t("nav.home")}`.
pub fn t(key: &'static str) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || translate(i18n.locale.get(), key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(l: Locale) -> BTreeSet<String> {
        catalogue(l).keys().cloned().collect()
    }

    #[test]
    fn both_catalogues_parse_and_are_not_empty() {
        assert!(FA.len() > 20, "fa.json did not parse");
        assert!(EN.len() > 20, "en.json did not parse");
    }

    #[test]
    fn every_key_exists_in_both_languages() {
        let fa = keys(Locale::Fa);
        let en = keys(Locale::En);
        let only_fa: Vec<_> = fa.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&fa).collect();
        assert!(only_fa.is_empty(), "keys missing from en.json: {only_fa:?}");
        assert!(only_en.is_empty(), "keys missing from fa.json: {only_en:?}");
        for (k, v) in catalogue(Locale::Fa)
            .iter()
            .chain(catalogue(Locale::En).iter())
        {
            assert!(!v.trim().is_empty(), "empty translation for {k}");
        }
    }

    /// Scans the sources for `t("…")`, `.t("…")` and `translate(_, "…")` literals and for
    /// `"error.…"`/key strings returned by errors: each must be in both catalogues.
    #[test]
    fn every_key_used_in_code_exists() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut used = BTreeSet::new();
        visit(std::path::Path::new(root), &mut used);
        assert!(used.len() > 20, "scanner found too few keys: {used:?}");
        let fa = keys(Locale::Fa);
        let en = keys(Locale::En);
        let missing: Vec<_> = used
            .iter()
            .filter(|k| !fa.contains(*k) || !en.contains(*k))
            .collect();
        assert!(
            missing.is_empty(),
            "keys used in code but not translated: {missing:?}"
        );
    }

    fn is_key(s: &str) -> bool {
        s.contains('.')
            && !s.ends_with('.')
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
    }

    fn visit(dir: &std::path::Path, used: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                visit(&path, used);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let src = std::fs::read_to_string(&path).unwrap();
                for marker in ["t(\"", "translate(locale, \"", "key: \""] {
                    for piece in src.split(marker).skip(1) {
                        if let Some(end) = piece.find('"') {
                            let key = &piece[..end];
                            if is_key(key) {
                                used.insert(key.to_string());
                            }
                        }
                    }
                }
                // Keys written as string constants in tables, e.g. `"error.internal"`.
                for piece in src.split('"').skip(1).step_by(2) {
                    let prefixes = [
                        "error.",
                        "role.",
                        "nav.",
                        "month.",
                        "validation.",
                        "category.",
                        "need_status.",
                        "needs.",
                        "give.",
                        "receipt.",
                        "sandbox.",
                        "ledger.",
                        "campaign.",
                        "transparency.",
                        "notify.",
                        "occasion.",
                        "staff.",
                        "pii.",
                        "auth.",
                        "security.",
                        "employment.",
                        "admin.",
                    ];
                    if prefixes.iter().any(|p| piece.starts_with(p)) && is_key(piece) {
                        used.insert(piece.to_string());
                    }
                }
            }
        }
    }
}
