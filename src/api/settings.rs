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

/// Returns the new token once; it is not stored and cannot be shown again.
#[server(endpoint = "settings/tokens/create", input = FormOrJson)]
pub async fn create_api_token(name: String) -> Result<String, AppError> {
    super::guard::finish(
        async {
            let (state, user) = super::guard::require(merchant).await?;
            crate::server::api_v1::create_token(&state.db, &user, &name).await
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
