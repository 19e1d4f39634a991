//! Server functions, one module per screen. Each is thin: authorise, validate, call one
//! service, map the error (with its HTTP status).
pub mod account;
pub mod analytics;
pub mod codec;
pub mod offer;
pub mod rules;
pub mod sandbox;
pub mod session;
pub mod settings;
pub mod subscriptions;
pub mod users;

use crate::domain::error::{AppError, ErrorCode};
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let e = Self::classify(value);
        // Bad arguments never reach our functions; give them their honest status here.
        #[cfg(feature = "ssr")]
        guard::set_error_status(&e);
        e
    }
}

impl AppError {
    fn classify(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::Deserialization(_) => AppError::new(
                ErrorCode::BadRequest,
                "The request was not understood (a field is missing or has the wrong type). Reload the page and try again.",
            ),
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::new(
                ErrorCode::Upstream,
                "The server could not be reached. Check your connection and try again.",
            ),
            _ => AppError::internal(),
        }
    }
}

/// The path and query of a Referer, never another site: `http://host/rules?new#x` →
/// `/rules?new`; anything that would leave this site (`//evil.example`) → `/`.
#[cfg(any(feature = "ssr", test))]
pub(crate) fn local_path(referer: &str) -> String {
    let after_host = referer
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or("/");
    let local = after_host.split('#').next().unwrap_or("/");
    if local.starts_with("//") || local.starts_with("/\\") || !local.starts_with('/') {
        return "/".into();
    }
    local.to_string()
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn a_referer_becomes_a_path_on_this_site() {
        assert_eq!(
            local_path("http://127.0.0.1:3000/rules?new#editor"),
            "/rules?new"
        );
        assert_eq!(
            local_path("https://shop.example/subscriptions?q=a%40b"),
            "/subscriptions?q=a%40b"
        );
        assert_eq!(local_path("https://shop.example"), "/");
        assert_eq!(local_path(""), "/");
        assert_eq!(local_path("http://x//evil.example/steal"), "/");
        assert_eq!(local_path("http://x/\\evil.example"), "/");
    }
}

#[cfg(feature = "ssr")]
pub(crate) mod guard {
    use crate::domain::error::AppError;
    use crate::domain::role::{CurrentUser, Role};
    use crate::server::auth;
    use crate::server::state::AppState;
    use leptos::prelude::{expect_context, use_context};
    use leptos_axum::ResponseOptions;

    pub fn state() -> AppState {
        expect_context::<AppState>()
    }

    pub fn parts() -> Option<http::request::Parts> {
        use_context::<http::request::Parts>()
    }

    /// The signed-in user, or `None`.
    pub async fn user() -> Result<Option<CurrentUser>, AppError> {
        let Some(token) = parts().and_then(|p| auth::session_token(&p.headers)) else {
            return Ok(None);
        };
        // A page asks again in each server function it calls while rendering: the second
        // lookup is answered from `server::session_cache`.
        auth::user_for_token(&state().db, &token).await
    }

    /// The signed-in user if their role passes `allowed`: 401 when signed out, 403 otherwise.
    pub async fn require(allowed: fn(Role) -> bool) -> Result<(AppState, CurrentUser), AppError> {
        let user = user().await?.ok_or_else(AppError::unauthenticated)?;
        if !allowed(user.role) {
            return Err(AppError::forbidden());
        }
        Ok((state(), user))
    }

    /// A plain `<form method="post">` from a server-rendered screen (the browser asks for HTML).
    /// Its answer is a redirect, never a JSON body: back to the page with the error in the URL
    /// (leptos does that), or to the page that shows the result ([`form_redirect`]).
    pub fn is_form_post() -> bool {
        parts()
            .and_then(|p| {
                p.headers
                    .get(http::header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .map(|v| v.contains("text/html"))
            })
            .unwrap_or(false)
    }

    /// Where a plain form post goes after success; API clients get the JSON result instead.
    pub fn form_redirect(path: &str) {
        if is_form_post() {
            leptos_axum::redirect(path);
        }
    }

    /// After a plain form post, back to the page it came from with `set` in its query (and
    /// `drop` taken out), so the page shows the result. Only our own path is kept.
    pub fn back_with(set: &[(&str, &str)], drop: &[&str]) {
        if !is_form_post() {
            return;
        }
        let referer = parts()
            .and_then(|p| p.headers.get(http::header::REFERER).cloned())
            .and_then(|v| v.to_str().ok().map(str::to_string))
            .unwrap_or_default();
        let local = super::local_path(&referer);
        let local = local.as_str();
        let (path, query) = local.split_once('?').unwrap_or((local, ""));
        let mut pairs: Vec<String> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .filter(|p| {
                let key = p.split('=').next().unwrap_or("");
                !key.starts_with("__")
                    && !drop.contains(&key)
                    && !set.iter().any(|(k, _)| *k == key)
            })
            .map(str::to_string)
            .collect();
        pairs.push(crate::domain::query_string(set.iter().copied()));
        pairs.retain(|p| !p.is_empty());
        leptos_axum::redirect(&format!("{path}?{}", pairs.join("&")));
    }

    /// Sets the HTTP status of a failed call, so API clients see 401/403/409/422 and not 500.
    /// A form post keeps leptos's redirect back to the page, which shows the error.
    pub fn finish<T>(r: Result<T, AppError>) -> Result<T, AppError> {
        if let Err(e) = &r {
            set_error_status(e);
        }
        r
    }

    /// The error's HTTP status for API clients (a form post keeps leptos's redirect).
    pub fn set_error_status(e: &AppError) {
        if let Some(opts) = use_context::<ResponseOptions>().filter(|_| !is_form_post()) {
            opts.set_status(
                http::StatusCode::from_u16(e.code.http_status())
                    .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
            );
        }
    }

    /// Adds a `Set-Cookie` to the answer.
    pub fn set_cookie(cookie: &str) {
        if let (Some(opts), Ok(v)) = (
            use_context::<ResponseOptions>(),
            http::HeaderValue::from_str(cookie),
        ) {
            opts.append_header(http::header::SET_COOKIE, v);
        }
    }
}
