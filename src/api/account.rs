//! The signed-in user's own account (password, other sessions), and the public reset link.
use super::codec::FormOrJson;
use crate::domain::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn anyone(_: crate::domain::role::Role) -> bool {
    true
}

#[cfg(feature = "ssr")]
fn session_token() -> Result<String, AppError> {
    super::guard::parts()
        .and_then(|p| crate::server::auth::session_token(&p.headers))
        .ok_or_else(AppError::unauthenticated)
}

/// Changes the password (the current one is asked for); every other session ends.
#[server(endpoint = "account/password", input = FormOrJson)]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    super::guard::finish(
        async {
            let (state, user) = super::guard::require(anyone).await?;
            let token = session_token()?;
            crate::server::accounts::change_password(
                &state.db,
                &user,
                &token,
                &current_password,
                &new_password,
            )
            .await?;
            super::guard::form_redirect("/account?done=password");
            Ok(())
        }
        .await,
    )
}

/// Signs out every other session of the signed-in user; returns how many ended.
#[server(endpoint = "account/sign_out_others")]
pub async fn sign_out_others() -> Result<u64, AppError> {
    super::guard::finish(
        async {
            let (state, user) = super::guard::require(anyone).await?;
            let token = session_token()?;
            let n = crate::server::accounts::sign_out_others(&state.db, &user, &token).await?;
            super::guard::form_redirect("/account?done=others");
            Ok(n)
        }
        .await,
    )
}

/// Whether a reset link still works (its page shows the form only then).
#[server(endpoint = "account/reset_valid")]
pub async fn reset_link_valid(token: String) -> Result<bool, AppError> {
    super::guard::finish(
        async {
            let state = super::guard::state();
            crate::server::accounts::reset_link_valid(&state.db, &token).await
        }
        .await,
    )
}

/// Sets a new password through a one-time reset link (no sign-in needed: the link is the proof).
#[server(endpoint = "account/reset", input = FormOrJson)]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    super::guard::finish(
        async {
            let state = super::guard::state();
            crate::server::accounts::reset_with(&state.db, &token, &password).await?;
            super::guard::form_redirect("/login?done=reset");
            Ok(())
        }
        .await,
    )
}
