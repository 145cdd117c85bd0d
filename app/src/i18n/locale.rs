use serde::{Deserialize, Serialize};

/// The two interface languages. Persian is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    Fa,
    En,
}

/// The cookie that remembers a visitor's language.
pub const LOCALE_COOKIE: &str = "karamat_lang";

impl Locale {
    pub fn code(self) -> &'static str {
        match self {
            Locale::Fa => "fa",
            Locale::En => "en",
        }
    }
    pub fn dir(self) -> &'static str {
        match self {
            Locale::Fa => "rtl",
            Locale::En => "ltr",
        }
    }
    pub fn other(self) -> Locale {
        match self {
            Locale::Fa => Locale::En,
            Locale::En => Locale::Fa,
        }
    }
    pub fn from_code(code: &str) -> Option<Locale> {
        match code.trim().to_ascii_lowercase().as_str() {
            "fa" | "fa-ir" => Some(Locale::Fa),
            "en" | "en-us" | "en-gb" => Some(Locale::En),
            _ => None,
        }
    }
    /// The locale remembered in a `Cookie:` header, if any.
    pub fn from_cookie_header(header: &str) -> Option<Locale> {
        header.split(';').find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == LOCALE_COOKIE)
                .then(|| Locale::from_code(value))
                .flatten()
        })
    }
}

/// The visitor's language for this request: the remembered cookie, else Persian.
pub fn request_locale() -> Locale {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<axum::http::request::Parts>()
            .and_then(|p| {
                p.headers
                    .get_all(axum::http::header::COOKIE)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .find_map(Locale::from_cookie_header)
            })
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        initial_browser_locale()
    }
}

/// In the browser the server already decided: it is written on `<html lang>`.
#[cfg(not(feature = "ssr"))]
fn initial_browser_locale() -> Locale {
    #[cfg(feature = "hydrate")]
    {
        gloo_utils::document()
            .document_element()
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|l| Locale::from_code(&l))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Locale::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_header_parsing() {
        assert_eq!(
            Locale::from_cookie_header("a=1; karamat_lang=en"),
            Some(Locale::En)
        );
        assert_eq!(
            Locale::from_cookie_header("karamat_lang=fa"),
            Some(Locale::Fa)
        );
        assert_eq!(Locale::from_cookie_header("karamat_lang=xx"), None);
        assert_eq!(Locale::from_cookie_header(""), None);
    }
}
