//! The request a gift arrives in: a browser with or without our script, where to send it back.

use super::*;

pub(super) async fn parts() -> Option<http::request::Parts> {
    leptos_axum::extract::<http::request::Parts>().await.ok()
}

/// A form posted by a browser without our script (it asks for HTML back).
pub async fn is_plain_form_post() -> bool {
    parts().await.is_some_and(|p| {
        p.headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    })
}

/// `scheme://host[:port]` that browsers use to reach us: always the configured public origin
/// (development defaults it to the listening address). The request's `Host` and forwarded headers
/// never decide where the bank sends a payer back.
pub fn public_origin(state: &AppState) -> Result<String, AppError> {
    let o = state.config.public_origin.trim_end_matches('/');
    if o.is_empty() {
        return Err(AppError::internal(
            "origin",
            "KARAMAT_PUBLIC_ORIGIN is not set",
        ));
    }
    Ok(o.to_string())
}

/// Without our script a failed form post would land back on the page with no message. This
/// sends the browser back to the page it came from with the error (and the typed amount) in the
/// query, where the page shows it.
/// Returns whether it redirected.
pub async fn back_with_error(e: &AppError, form: &GiftForm) -> bool {
    let Some(p) = parts().await else { return false };
    let Some(referer) = p
        .headers
        .get(http::header::REFERER)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    // Only a path on this site, never an absolute URL elsewhere.
    let after_scheme = referer.split_once("://").map(|(_, r)| r).unwrap_or(referer);
    let path_and_query = match after_scheme.find('/') {
        Some(i) => &after_scheme[i..],
        None => "/",
    };
    if path_and_query.starts_with("//") {
        return false;
    }
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let mut pairs: Vec<String> = query
        .split('&')
        .filter(|kv| {
            !kv.is_empty()
                && !["error=", "field=", "custom=", "intention="]
                    .iter()
                    .any(|p| kv.starts_with(p))
        })
        .map(str::to_string)
        .collect();
    pairs.push(format!("error={}", e.message_key()));
    if let AppError::Invalid { field, .. } = e {
        pairs.push(format!("field={}", crate::ui::encode_query_value(field)));
    }
    if let Some(c) = form
        .custom
        .as_deref()
        .filter(|c| !c.is_empty() && c.len() < 30)
    {
        pairs.push(format!("custom={}", crate::ui::encode_query_value(c)));
    }
    // The intention stays chosen (the form reads `?intention=`); a purpose is not put in a URL.
    if let Some(i) = form
        .intention
        .as_deref()
        .and_then(crate::giving::Intention::parse)
    {
        pairs.push(format!("intention={i}"));
    }
    leptos_axum::redirect(&format!("{path}?{}", pairs.join("&")));
    true
}

/// The answer to a form that leads on: a redirect to `url` (the gateway's page, a receipt), or,
/// on an error, without our script back to the form with its message (`back_with_error`), with
/// it the error's status for the page's script.
pub async fn go_on(
    result: Result<String, AppError>,
    no_js: bool,
    form: &GiftForm,
) -> Result<String, AppError> {
    match result {
        Ok(url) => {
            leptos_axum::redirect(&url);
            Ok(url)
        }
        Err(e) if no_js && back_with_error(&e, form).await => Err(e),
        Err(e) => Err(e.with_status()),
    }
}
