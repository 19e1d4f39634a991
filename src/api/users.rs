use super::codec::FormOrJson;
use crate::domain::error::AppError;
use crate::domain::role::{Role, UserRow};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn can_manage(r: Role) -> bool {
    r.can_manage_users()
}

#[server(endpoint = "users/list")]
pub async fn list_users() -> Result<Vec<UserRow>, AppError> {
    super::guard::finish(
        async {
            let (state, _) = super::guard::require(can_manage).await?;
            crate::server::users::list(&state.db).await
        }
        .await,
    )
}

#[server(endpoint = "users/create", input = FormOrJson)]
pub async fn create_user(email: String, password: String, role: Role) -> Result<UserRow, AppError> {
    super::guard::finish(
        async {
            let (state, user) = super::guard::require(can_manage).await?;
            let row =
                crate::server::users::create(&state.db, &user, &email, &password, role).await?;
            super::guard::form_redirect(&format!("/users?done=added&user={}", row.id));
            Ok(row)
        }
        .await,
    )
}

#[server(endpoint = "users/role", input = FormOrJson)]
pub async fn set_user_role(id: String, role: Role) -> Result<UserRow, AppError> {
    super::guard::finish(
        async {
            let (state, user) = super::guard::require(can_manage).await?;
            let row = crate::server::users::set_role(&state.db, &user, &id, role).await?;
            super::guard::form_redirect(&format!("/users?done=role&user={}", row.id));
            Ok(row)
        }
        .await,
    )
}

/// Disables (`disabled = true`: sessions end, sign-in refused) or enables an account.
#[server(endpoint = "users/disable", input = FormOrJson)]
pub async fn set_user_disabled(id: String, disabled: bool) -> Result<UserRow, AppError> {
    super::guard::finish(
        async {
            let (state, user) = super::guard::require(can_manage).await?;
            let row =
                crate::server::accounts::set_disabled(&state.db, &user, &id, disabled).await?;
            let done = if disabled { "disabled" } else { "enabled" };
            super::guard::form_redirect(&format!("/users?done={done}&user={id}"));
            Ok(row)
        }
        .await,
    )
}

/// Removes an account for good; `confirm` must be set (the form's checkbox).
#[server(endpoint = "users/remove", input = FormOrJson)]
pub async fn remove_user(id: String, confirm: Option<String>) -> Result<(), AppError> {
    super::guard::finish(
        async {
            let (state, user) = super::guard::require(can_manage).await?;
            if confirm.is_none() {
                return Err(AppError::validation(vec![
                    crate::domain::error::FieldError::new(
                        "confirm",
                        "confirm_required",
                        "Tick the box to confirm: removing an account cannot be undone.",
                    ),
                ]));
            }
            crate::server::accounts::remove(&state.db, &user, &id).await?;
            super::guard::form_redirect("/users?done=removed");
            Ok(())
        }
        .await,
    )
}

/// Makes a one-time password-reset link for an account and returns it once. A plain form
/// post goes on to the users page, which shows it ([`take_reset_link`]).
#[server(endpoint = "users/reset_link", input = FormOrJson)]
pub async fn make_reset_link(id: String) -> Result<String, AppError> {
    super::guard::finish(
        async {
            let (state, user) = super::guard::require(can_manage).await?;
            let token = crate::server::accounts::reset_link(&state.db, &user, &id).await?;
            let link = format!("{}/reset/{token}", state.app_url);
            if super::guard::is_form_post() {
                super::guard::set_cookie(&reset_cookie(&link, 120));
                super::guard::form_redirect(&format!("/users?done=reset&user={id}"));
            }
            Ok(link)
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
const RESET_COOKIE: &str = "new_reset_link";

#[cfg(feature = "ssr")]
fn reset_cookie(value: &str, max_age: i64) -> String {
    let secure = super::guard::state().app_url.starts_with("https://");
    cookie::Cookie::build((RESET_COOKIE, value.to_string()))
        .path("/users")
        .http_only(true)
        .secure(secure)
        .same_site(cookie::SameSite::Strict)
        .max_age(cookie::time::Duration::seconds(max_age))
        .build()
        .to_string()
}

/// The reset link just made by a form post, once: reading it clears it.
#[server(endpoint = "users/new_reset_link")]
pub async fn take_reset_link() -> Result<Option<String>, AppError> {
    super::guard::finish(
        async {
            super::guard::require(can_manage).await?;
            let link = super::guard::parts()
                .and_then(|p| crate::server::auth::cookie_value(&p.headers, RESET_COOKIE));
            if link.is_some() {
                super::guard::set_cookie(&reset_cookie("", 0));
            }
            Ok(link.filter(|l| !l.is_empty()))
        }
        .await,
    )
}
