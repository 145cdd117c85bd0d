//! A few seconds' cache of the public pages, for visitors without a session.
//!
//! At national scale most requests are the same few answers: the home page, the needs list and
//! its common filters, a popular need, transparency, the API's lists. Rendering one with Leptos
//! takes 3–10 ms of CPU; two cores then answer a few hundred a second while a static file goes at
//! ten thousand. So an anonymous `GET` of a public page is kept, as sent (compressed, headers and
//! all), for `KARAMAT_PAGE_CACHE_SECS` (5 by default; 0 turns it off), and the same request in
//! that time gets the same bytes. Concurrent misses of one page render it once.
//!
//! What keeps it honest:
//! * Only public pages and `/api/v1`, only `200` answers without `Set-Cookie` or `no-store`, only
//!   requests without a session cookie (a signed-in visitor always gets a fresh page). The key is
//!   the path and query, the language cookie and `Accept-Encoding` (the compression chosen).
//! * Any state change this server answers (a `POST` that succeeds or redirects, a bank's
//!   callback) empties the cache, so whoever changed something — a gift, a withdrawn consent, an
//!   unpublished need — sees the change at once. Changes made by another app server or by a
//!   background job show here within the cache's lifetime: that is the bound on staleness.
//! * A kept page keeps the CSP nonce it was rendered with. That is safe: the body is fixed before
//!   anyone learns the nonce, so nobody can add markup that carries it (the reasoning behind
//!   hash-based CSP for cached pages); every page rendered afresh still gets a new one.
//! * At most 64 MB of pages (weighed by size), whatever the query strings visitors invent.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::i18n::Locale;
use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{header, HeaderMap, Method, StatusCode},
    middleware::Next,
    response::Response,
};
use metrics::counter;
use moka::future::Cache;

/// The largest page kept (a bigger answer is sent, not kept).
const MAX_PAGE_BYTES: usize = 4 << 20;
/// All pages kept, in bytes.
const CAPACITY_BYTES: u64 = 64 << 20;

/// The cache, shared by every request of one server (cheap to clone).
#[derive(Clone)]
pub struct PageCache {
    pages: Option<Cache<Key, Arc<Page>>>,
}

#[derive(Clone, Hash, PartialEq, Eq)]
struct Key {
    uri: String,
    locale: Locale,
    encoding: String,
}

/// One answer as it was sent.
struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Page {
    fn response(&self) -> Response {
        let mut res = Response::new(Body::from(self.body.clone()));
        *res.status_mut() = self.status;
        *res.headers_mut() = self.headers.clone();
        res
    }
}

/// The answer a miss rendered but may not keep.
#[derive(Debug)]
struct NotKept;

impl PageCache {
    /// A cache whose pages live `ttl`; zero: no cache at all.
    pub fn new(ttl: Duration) -> PageCache {
        let pages = (!ttl.is_zero()).then(|| {
            Cache::builder()
                .time_to_live(ttl)
                .max_capacity(CAPACITY_BYTES)
                .weigher(|k: &Key, p: &Arc<Page>| {
                    u32::try_from(k.uri.len() + p.body.len() + 256).unwrap_or(u32::MAX)
                })
                .build()
        });
        PageCache { pages }
    }

    /// Forgets every page (after a state change).
    pub fn clear(&self) {
        if let Some(pages) = &self.pages {
            pages.invalidate_all();
        }
    }
}

/// The public pages and the public API: the same for every visitor of one language.
fn is_public(path: &str) -> bool {
    let one_below = |prefix: &str| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
    };
    matches!(
        path,
        "/" | "/needs" | "/release" | "/release-rules" | "/transparency" | "/give"
    ) || one_below("/needs/")
        || one_below("/release/")
        || path.starts_with("/api/v1/")
}

/// Requests that change state without being a `POST`: the bank's return to us.
fn changes_state(method: &Method, path: &str) -> bool {
    (*method != Method::GET && *method != Method::HEAD && *method != Method::OPTIONS
        // The language switch only sets the visitor's cookie.
        && path != "/locale")
        || path.starts_with("/give/callback/")
}

/// The middleware (see the module's comment).
pub async fn layer(State(cache): State<PageCache>, req: Request, next: Next) -> Response {
    let Some(pages) = &cache.pages else {
        return next.run(req).await;
    };
    let path = req.uri().path().to_string();
    if changes_state(req.method(), &path) {
        let res = next.run(req).await;
        if res.status().is_success() || res.status().is_redirection() {
            pages.invalidate_all();
        }
        return res;
    }
    let headers = req.headers();
    if req.method() != Method::GET
        || !is_public(&path)
        || app::auth::ssr::cookie_value(headers, app::auth::ssr::SESSION_COOKIE).is_some()
    {
        return next.run(req).await;
    }
    let key = Key {
        uri: req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or(path),
        locale: headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(Locale::from_cookie_header)
            .unwrap_or_default(),
        encoding: headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string(),
    };
    let (parts, _) = req.into_parts();
    // A miss renders here; an answer that may not be kept is handed back through this slot.
    let rendered: Mutex<Option<Response>> = Mutex::new(None);
    let mut missed = false;
    let got = pages
        .try_get_with(key, async {
            missed = true;
            let res = next
                .clone()
                .run(Request::from_parts(parts.clone(), Body::empty()))
                .await;
            match keep(res).await {
                Ok(page) => Ok(Arc::new(page)),
                Err(res) => {
                    *rendered.lock().unwrap_or_else(|e| e.into_inner()) = Some(res);
                    Err(NotKept)
                }
            }
        })
        .await;
    counter!("karamat_page_cache_total", "result" => if missed { "miss" } else { "hit" })
        .increment(1);
    if let Ok(page) = got {
        return page.response();
    }
    let ours = rendered.lock().unwrap_or_else(|e| e.into_inner()).take();
    match ours {
        Some(res) => res,
        // Waited on someone else's render that could not be kept: render our own.
        None => next.run(Request::from_parts(parts, Body::empty())).await,
    }
}

/// The whole answer, if it may be kept; otherwise the answer untouched.
async fn keep(res: Response) -> Result<Page, Response> {
    let h = res.headers();
    let no_store = h
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-store") || v.contains("private"));
    if res.status() != StatusCode::OK || h.contains_key(header::SET_COOKIE) || no_store {
        return Err(res);
    }
    let (parts, body) = res.into_parts();
    match axum::body::to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(body) => Ok(Page {
            status: parts.status,
            headers: parts.headers,
            body,
        }),
        Err(e) => {
            tracing::error!(error = %e, "a public page could not be read whole");
            Err(Response::builder()
                .status(StatusCode::INTERNAL_SERVER_ERROR)
                .body(Body::from("internal error"))
                .unwrap_or_default())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_pages_are_kept() {
        for p in [
            "/",
            "/needs",
            "/needs/N-PM7BYHQH8B",
            "/release",
            "/release/C-ABC",
            "/transparency",
            "/give",
            "/api/v1/needs",
        ] {
            assert!(is_public(p), "{p}");
        }
        for p in [
            "/needs/",
            "/needs/a/b",
            "/staff",
            "/account",
            "/receipt/G-1",
            "/receipt",
            "/sign-in",
            "/pledge/cancel",
            "/sandbox-bank/x",
            "/pkg/karamat.css",
        ] {
            assert!(!is_public(p), "{p}");
        }
    }

    #[test]
    fn posts_and_bank_returns_change_state() {
        assert!(changes_state(&Method::POST, "/api/give"));
        assert!(changes_state(&Method::GET, "/give/callback/sandbox"));
        assert!(!changes_state(&Method::POST, "/locale"));
        assert!(!changes_state(&Method::GET, "/needs"));
    }
}
