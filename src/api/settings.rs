//! Merchant settings: API tokens for the merchant's backend (`/api/v1`).
use super::codec::FormOrJson;
use crate::domain::error::AppError;
use crate::domain::offer::ApiToken;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn merchant(r: crate::domain::role::Role) -> bool {
    r.can_edit_rules()
}

#[server(endpoint = "settings/tokens")]
pub async fn list_api_tokens() -> Result<Vec<ApiToken>, AppError> {
    super::guard::finish(
        async {
            let (state, _) = super::guard::require(merchant).await?;
            crate::server::api_v1::list_tokens(&state.db).await
        }
        .await,
    )
}

/// The short-lived cookie that carries a new token from the form post to the settings page,
/// which shows it once: never in a URL (history, logs), only to the page, and only over the
/// merchant's own connection.
#[cfg(feature = "ssr")]
const NEW_TOKEN_COOKIE: &str = "new_token";

#[cfg(feature = "ssr")]
fn set_new_token_cookie(value: &str, max_age_secs: i64) {
    let secure = super::guard::state().app_url.starts_with("https://");
    let c = cookie::Cookie::build((NEW_TOKEN_COOKIE, value.to_string()))
        .path("/settings")
        .http_only(true)
        .secure(secure)
        .same_site(cookie::SameSite::Strict)
        .max_age(cookie::time::Duration::seconds(max_age_secs))
        .build();
    super::guard::set_cookie(&c.to_string());
}

/// Returns the new token once; it is not stored and cannot be shown again. A plain form post
/// goes on to the settings page, which shows it ([`take_new_token`]).
#[server(endpoint = "settings/tokens/create", input = FormOrJson)]
pub async fn create_api_token(name: String) -> Result<String, AppError> {
    super::guard::finish(
        async {
            let (state, user) = super::guard::require(merchant).await?;
            let token = crate::server::api_v1::create_token(&state.db, &user, &name).await?;
            if super::guard::is_form_post() {
                set_new_token_cookie(&token, 120);
                super::guard::form_redirect("/settings?done=created");
            }
            Ok(token)
        }
        .await,
    )
}

/// The token just created by a form post, once: reading it clears it.
#[server(endpoint = "settings/tokens/new")]
pub async fn take_new_token() -> Result<Option<String>, AppError> {
    super::guard::finish(
        async {
            super::guard::require(merchant).await?;
            let token = super::guard::parts()
                .and_then(|p| crate::server::auth::cookie_value(&p.headers, NEW_TOKEN_COOKIE));
            if token.is_some() {
                set_new_token_cookie("", 0);
            }
            Ok(token.filter(|t| !t.is_empty()))
        }
        .await,
    )
}

#[server(endpoint = "settings/tokens/revoke", input = FormOrJson)]
pub async fn revoke_api_token(id: String) -> Result<(), AppError> {
    super::guard::finish(
        async {
            let (state, user) = super::guard::require(merchant).await?;
            crate::server::api_v1::revoke_token(&state.db, &user, &id).await?;
            super::guard::form_redirect("/settings?done=revoked");
            Ok(())
        }
        .await,
    )
}
