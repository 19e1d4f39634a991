//! An account's life after it is made: a merchant disables, enables or removes it, or makes a
//! one-time password-reset link for it; its owner changes the password or signs out every
//! other session. One active merchant always remains, and nobody locks themselves out.
use super::audit;
use super::auth::{hash_password, token_hash, verify_password};
use super::db::{begin_write, Db, WriteTx};
use super::ids::now_ms;
use super::users::validate_password;
use crate::domain::error::{AppError, ErrorCode, FieldError};
use crate::domain::role::{CurrentUser, Role, UserRow};
use rand::RngCore;
use sqlx::Row;

/// How long a reset link works (once).
pub const RESET_VALID_MS: i64 = 24 * 3_600_000;

fn gone() -> AppError {
    AppError::new(
        ErrorCode::NotFound,
        "This account no longer exists. Reload the page.",
    )
}

async fn load(tx: &mut WriteTx, id: &str) -> Result<UserRow, AppError> {
    let r = sqlx::query("SELECT email, role, created_at, disabled_at FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(gone)?;
    let role: String = r.try_get("role")?;
    Ok(UserRow {
        id: id.to_string(),
        email: r.try_get("email")?,
        role: Role::parse(&role).unwrap_or(Role::Analyst),
        created_at: r.try_get("created_at")?,
        disabled: r.try_get::<Option<i64>, _>("disabled_at")?.is_some(),
    })
}

/// Refuses to leave the business without an active merchant.
async fn keeps_a_merchant(tx: &mut WriteTx, target: &UserRow) -> Result<(), AppError> {
    if target.role != Role::Merchant || target.disabled {
        return Ok(());
    }
    let others: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE role = 'merchant' AND disabled_at IS NULL AND id <> $1",
    )
    .bind(&target.id)
    .fetch_one(&mut **tx)
    .await?;
    if others == 0 {
        return Err(AppError::new(
            ErrorCode::Conflict,
            "This is the last active merchant account; make another account a merchant first.",
        ));
    }
    Ok(())
}

fn not_yourself(actor: &CurrentUser, id: &str, what: &str) -> Result<(), AppError> {
    if actor.id == id {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!("You cannot {what} your own account; ask another merchant."),
        ));
    }
    Ok(())
}

/// Disables (sessions end at once, sign-in refused) or enables an account.
pub async fn set_disabled(
    db: &Db,
    actor: &CurrentUser,
    id: &str,
    disabled: bool,
) -> Result<UserRow, AppError> {
    not_yourself(actor, id, "disable")?;
    let mut tx = begin_write(db).await?;
    let before = load(&mut tx, id).await?;
    if disabled {
        keeps_a_merchant(&mut tx, &before).await?;
    }
    sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2")
        .bind(disabled.then(now_ms))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if disabled {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    let after = UserRow {
        disabled,
        ..before.clone()
    };
    let action = if disabled { "disable" } else { "enable" };
    audit::record(
        &mut tx,
        actor,
        "user",
        id,
        action,
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    super::session_cache::forget();
    Ok(after)
}

/// Removes an account (its sessions and reset links with it); the audit log keeps its email.
pub async fn remove(db: &Db, actor: &CurrentUser, id: &str) -> Result<(), AppError> {
    not_yourself(actor, id, "remove")?;
    let mut tx = begin_write(db).await?;
    let before = load(&mut tx, id).await?;
    keeps_a_merchant(&mut tx, &before).await?;
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(&mut tx, actor, "user", id, "remove", Some(&before), None).await?;
    tx.commit().await?;
    super::session_cache::forget();
    Ok(())
}

fn password_error(e: FieldError, field: &str) -> AppError {
    AppError::validation(vec![FieldError {
        field: field.into(),
        ..e
    }])
}

/// The owner changes their password (the current one is asked for); every other session of
/// theirs ends, the one they are using stays.
pub async fn change_password(
    db: &Db,
    user: &CurrentUser,
    session_token: &str,
    current: &str,
    new: &str,
) -> Result<(), AppError> {
    if let Some(e) = validate_password(new).into_iter().next() {
        return Err(password_error(e, "new_password"));
    }
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(&user.id)
        .fetch_optional(db)
        .await?
        .ok_or_else(gone)?;
    let current = current.to_string();
    let matches = tokio::task::spawn_blocking(move || verify_password(&current, &hash))
        .await
        .unwrap_or(false);
    if !matches {
        return Err(AppError::validation(vec![FieldError::new(
            "current_password",
            "password_wrong",
            "That is not your current password.",
        )]));
    }
    let new = new.to_string();
    let hash = tokio::task::spawn_blocking(move || hash_password(&new))
        .await
        .map_err(|_| AppError::internal())??;
    let mut tx = begin_write(db).await?;
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(&hash)
        .bind(&user.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(&user.id)
        .bind(token_hash(session_token))
        .execute(&mut *tx)
        .await?;
    audit::record::<()>(
        &mut tx,
        user,
        "user",
        &user.id,
        "change_password",
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    super::session_cache::forget();
    Ok(())
}

/// Ends every session of `user` but the one making the request; returns how many ended.
pub async fn sign_out_others(
    db: &Db,
    user: &CurrentUser,
    session_token: &str,
) -> Result<u64, AppError> {
    let mut tx = begin_write(db).await?;
    let n = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(&user.id)
        .bind(token_hash(session_token))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    audit::record::<()>(
        &mut tx,
        user,
        "user",
        &user.id,
        "sign_out_others",
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    super::session_cache::forget();
    Ok(n)
}

/// A one-time link that sets a new password for `id` (a merchant hands it over). Only its
/// hash is kept; a newer link replaces any older one.
pub async fn reset_link(db: &Db, actor: &CurrentUser, id: &str) -> Result<String, AppError> {
    let mut raw = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut raw);
    let token = format!("rst_{}", hex::encode(raw));
    let now = now_ms();
    let mut tx = begin_write(db).await?;
    let target = load(&mut tx, id).await?;
    sqlx::query("DELETE FROM password_resets WHERE user_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO password_resets (token_hash, user_id, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash(&token))
    .bind(id)
    .bind(&actor.id)
    .bind(now)
    .bind(now + RESET_VALID_MS)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        "user",
        id,
        "reset_link",
        None,
        Some(&target),
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

fn link_invalid() -> AppError {
    AppError::new(
        ErrorCode::NotFound,
        "This reset link is not valid: it was used, replaced by a newer one, or is more than a day old. Ask a merchant for a new link.",
    )
}

/// Whether a reset link still works (the page asks before showing its form).
pub async fn reset_link_valid(db: &Db, token: &str) -> Result<bool, AppError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM password_resets WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(token_hash(token))
    .bind(now_ms())
    .fetch_one(db)
    .await?;
    Ok(n == 1)
}

/// Sets the password through a reset link, once: the link is spent, every session of the
/// account ends and its sign-in throttle is cleared.
pub async fn reset_with(db: &Db, token: &str, new: &str) -> Result<(), AppError> {
    if let Some(e) = validate_password(new).into_iter().next() {
        return Err(password_error(e, "password"));
    }
    let new = new.to_string();
    let hash = tokio::task::spawn_blocking(move || hash_password(&new))
        .await
        .map_err(|_| AppError::internal())??;
    let mut tx = begin_write(db).await?;
    let hashed = token_hash(token);
    let user_id: Option<String> = sqlx::query_scalar(
        "SELECT user_id FROM password_resets WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(&hashed)
    .bind(now_ms())
    .fetch_optional(&mut *tx)
    .await?;
    let Some(user_id) = user_id else {
        return Err(link_invalid());
    };
    // Spent here: of two posts of one link, only the one that deletes it sets a password.
    let spent = sqlx::query("DELETE FROM password_resets WHERE token_hash = $1")
        .bind(&hashed)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if spent != 1 {
        return Err(link_invalid());
    }
    let target = load(&mut tx, &user_id).await?;
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(&hash)
        .bind(&user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(&user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM login_throttle WHERE limit_key = $1")
        .bind(format!("account:{}", target.email))
        .execute(&mut *tx)
        .await?;
    audit::record_as(
        &mut tx,
        (&user_id, &target.email),
        "user",
        &user_id,
        "reset_password",
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    super::session_cache::forget();
    Ok(())
}
