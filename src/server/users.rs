//! Accounts: merchants add users and set roles. At least one merchant must always remain.
use super::audit;
use super::auth::hash_password;
use super::db::{begin_write, is_unique_violation, Db};
use super::ids::{new_id, now_ms};
use crate::domain::error::{AppError, ErrorCode, FieldError};
use crate::domain::role::{CurrentUser, Role, UserRow};
use sqlx::Row;

pub const PASSWORD_MIN: usize = 10;

pub fn validate_new_user(email: &str, password: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let email = email.trim();
    let at = email.find('@');
    let valid = email.len() <= 254
        && !email.contains(char::is_whitespace)
        && at.is_some_and(|i| {
            i > 0
                && email[i + 1..].contains('.')
                && !email[i + 1..].starts_with('.')
                && !email.ends_with('.')
        });
    if !valid {
        errs.push(FieldError::new(
            "email",
            "email_invalid",
            "Enter an email address like name@example.com.",
        ));
    }
    errs.extend(validate_password(password));
    errs
}

/// A new password's length (the field is `password`; callers rename it for their form).
pub fn validate_password(password: &str) -> Vec<FieldError> {
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        vec![FieldError::new(
            "password",
            "password_short",
            format!("Use at least {PASSWORD_MIN} characters."),
        )]
    } else if n > 200 {
        vec![FieldError::new(
            "password",
            "too_long",
            "Keep the password under 200 characters.",
        )]
    } else {
        Vec::new()
    }
}

pub async fn list(db: &Db) -> Result<Vec<UserRow>, AppError> {
    let rows =
        sqlx::query("SELECT id, email, role, created_at, disabled_at FROM users ORDER BY email")
            .fetch_all(db)
            .await?;
    rows.iter()
        .map(|r| {
            let role: String = r.try_get("role")?;
            Ok(UserRow {
                id: r.try_get("id")?,
                email: r.try_get("email")?,
                role: Role::parse(&role).unwrap_or(Role::Analyst),
                created_at: r.try_get("created_at")?,
                disabled: r.try_get::<Option<i64>, _>("disabled_at")?.is_some(),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}

/// Inserts without an audit entry; used by the seed and by `create`.
pub async fn insert(db: &Db, email: &str, password: &str, role: Role) -> Result<UserRow, AppError> {
    let hash = hash_password(password)?;
    insert_hashed(db, email, &hash, role).await
}

/// The insert itself, on any executor (a pool, or the caller's transaction). The hash is made
/// beforehand so no database lock is held while argon2 works.
async fn insert_hashed<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    exec: E,
    email: &str,
    hash: &str,
    role: Role,
) -> Result<UserRow, AppError> {
    let row = UserRow {
        id: new_id("usr"),
        email: email.trim().to_lowercase(),
        role,
        created_at: now_ms(),
        disabled: false,
    };
    sqlx::query("INSERT INTO users (id, email, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&row.id)
        .bind(&row.email)
        .bind(hash)
        .bind(role.as_str())
        .bind(row.created_at)
        .execute(exec)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                AppError::validation(vec![FieldError::new("email", "email_taken", "An account with this email already exists.")])
            } else {
                AppError::from(e)
            }
        })?;
    Ok(row)
}

pub async fn create(
    db: &Db,
    actor: &CurrentUser,
    email: &str,
    password: &str,
    role: Role,
) -> Result<UserRow, AppError> {
    let errs = validate_new_user(email, password);
    if !errs.is_empty() {
        return Err(AppError::validation(errs));
    }
    let hash = hash_password(password)?;
    // The account and its audit entry land together or not at all.
    let mut tx = begin_write(db).await?;
    let row = insert_hashed(&mut *tx, email, &hash, role).await?;
    audit::record(&mut tx, actor, "user", &row.id, "create", None, Some(&row)).await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn set_role(
    db: &Db,
    actor: &CurrentUser,
    id: &str,
    role: Role,
) -> Result<UserRow, AppError> {
    let mut tx = begin_write(db).await?;
    let row =
        sqlx::query("SELECT id, email, role, created_at, disabled_at FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::NotFound,
                    "This account no longer exists. Reload the page.",
                )
            })?;
    let old: String = row.try_get("role")?;
    let before = UserRow {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        role: Role::parse(&old).unwrap_or(Role::Analyst),
        created_at: row.try_get("created_at")?,
        disabled: row.try_get::<Option<i64>, _>("disabled_at")?.is_some(),
    };
    if before.role == Role::Merchant && role != Role::Merchant {
        let merchants: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM users WHERE role = 'merchant' AND disabled_at IS NULL",
        )
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        if merchants <= 1 {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "This is the last merchant account; make another account a merchant first.",
            ));
        }
    }
    sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
        .bind(role.as_str())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let after = UserRow {
        role,
        ..before.clone()
    };
    audit::record(
        &mut tx,
        actor,
        "user",
        id,
        "set_role",
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    super::session_cache::forget();
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_email_and_password() {
        assert!(validate_new_user("ana@example.com", "long enough pw").is_empty());
        for bad in [
            "",
            "ana",
            "@example.com",
            "ana@",
            "ana@example",
            "a na@example.com",
            "ana@.com",
        ] {
            assert_eq!(
                validate_new_user(bad, "long enough pw")[0].code,
                "email_invalid",
                "{bad}"
            );
        }
        assert_eq!(
            validate_new_user("ana@example.com", "short")[0].code,
            "password_short"
        );
    }
}
