use crate::domain::error::AppError;
use crate::domain::role::{CurrentUser, Role};
use leptos::prelude::*;

/// Where each role starts after signing in.
pub fn landing(role: Role) -> &'static str {
    match role {
        Role::Merchant => "/rules",
        Role::Analyst | Role::Support => "/",
    }
}

/// The cookie that remembers the chosen language.
pub const LANG_COOKIE: &str = "lang";

/// The language switch, a plain form post: the page comes back in the chosen language.
#[server(endpoint = "session/lang")]
pub async fn set_lang(lang: String) -> Result<(), AppError> {
    use crate::domain::error::ErrorCode;
    if !matches!(lang.as_str(), "en" | "zh-CN") {
        return super::guard::finish(Err(AppError::new(
            ErrorCode::BadRequest,
            "Unknown language. Choose English (en) or 简体中文 (zh-CN).",
        )));
    }
    super::guard::set_cookie(&format!(
        "{LANG_COOKIE}={lang}; Path=/; Max-Age=31536000; SameSite=Lax"
    ));
    Ok(())
}

#[server(endpoint = "session/me")]
pub async fn get_session() -> Result<Option<CurrentUser>, AppError> {
    super::guard::finish(super::guard::user().await)
}

/// A plain form post: works with JavaScript off too (the server redirects).
#[server(endpoint = "session/login")]
pub async fn login(email: String, password: String) -> Result<CurrentUser, AppError> {
    use crate::server::auth;
    let r = async {
        let state = super::guard::state();
        let address = super::guard::parts()
            .and_then(|p| {
                p.extensions
                    .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                    .map(|c| c.0.ip().to_string())
            })
            .unwrap_or_default();
        let (token, user) = auth::sign_in(
            &state.db,
            &state.password_checks,
            &email,
            &password,
            &address,
        )
        .await?;
        let secure = state.app_url.starts_with("https://");
        super::guard::set_cookie(&auth::session_cookie(&token, secure));
        tracing::info!(user_id = %user.id, "signed in");
        leptos_axum::redirect(landing(user.role));
        Ok(user)
    }
    .await;
    super::guard::finish(r)
}

#[server(endpoint = "session/logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::server::auth;
    let state = super::guard::state();
    if let Some(token) = super::guard::parts().and_then(|p| auth::session_token(&p.headers)) {
        super::guard::finish(auth::sign_out(&state.db, &token).await)?;
    }
    super::guard::set_cookie(&auth::clear_session_cookie());
    leptos_axum::redirect("/login");
    Ok(())
}
