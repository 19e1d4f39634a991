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
