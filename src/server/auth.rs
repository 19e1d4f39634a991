//! Sign-in, sessions and the sign-in rate limit. Passwords are argon2 hashes; a session is a
//! random token whose SHA-256 is stored, so a leaked database does not leak live sessions.
use super::db::Db;
use super::ids::{new_id, now_ms};
use crate::domain::error::{AppError, ErrorCode};
use crate::domain::role::{CurrentUser, Role};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;

pub const SESSION_COOKIE: &str = "sid";
pub const SESSION_DAYS: i64 = 7;
const WINDOW_MS: i64 = 15 * 60 * 1000;
/// Failures allowed per account (and per client address) in the window before sign-in is refused.
const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
const MAX_FAILURES_PER_ADDRESS: i64 = 20;

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            AppError::internal()
        })
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn bad_credentials() -> AppError {
    AppError::new(
        ErrorCode::Unauthenticated,
        "That email and password do not match an account. Check both and try again.",
    )
}

async fn failures_since(db: &Db, key: &str, since: i64) -> Result<i64, AppError> {
    let n: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM login_failures WHERE limit_key = $1 AND at > $2")
            .bind(key)
            .bind(since)
            .fetch_one(db)
            .await?
            .try_get("n")?;
    Ok(n)
}

/// Checks the password and opens a session; returns the raw session token for the cookie.
pub async fn sign_in(
    db: &Db,
    email: &str,
    password: &str,
    address: &str,
) -> Result<(String, CurrentUser), AppError> {
    let email = email.trim().to_lowercase();
    if email.is_empty() || password.is_empty() {
        return Err(AppError::new(
            ErrorCode::BadRequest,
            "Enter your email and password.",
        ));
    }
    let now = now_ms();
    let account_key = format!("account:{email}");
    let address_key = format!("address:{address}");
    if failures_since(db, &account_key, now - WINDOW_MS).await? >= MAX_FAILURES_PER_ACCOUNT
        || failures_since(db, &address_key, now - WINDOW_MS).await? >= MAX_FAILURES_PER_ADDRESS
    {
        return Err(AppError::new(
            ErrorCode::RateLimited,
            "Too many failed sign-ins. Wait 15 minutes, or ask a merchant account to reset your password.",
        ));
    }
    let row = sqlx::query("SELECT id, email, password_hash, role FROM users WHERE email = $1")
        .bind(&email)
        .fetch_optional(db)
        .await?;
    let user = match row {
        Some(r) => {
            let hash: String = r.try_get("password_hash")?;
            let role: String = r.try_get("role")?;
            if verify_password(password, &hash) {
                Role::parse(&role).map(|role| CurrentUser {
                    id: r.try_get("id").unwrap_or_default(),
                    email: email.clone(),
                    role,
                })
            } else {
                None
            }
        }
        None => {
            // Spend the same time as a real check, so timing does not reveal which emails exist.
            static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            let dummy = DUMMY.get_or_init(|| hash_password("not a password").unwrap_or_default());
            verify_password(password, dummy);
            None
        }
    };
    let Some(user) = user else {
        for key in [&account_key, &address_key] {
            sqlx::query("INSERT INTO login_failures (id, limit_key, at) VALUES ($1, $2, $3)")
                .bind(new_id("lf"))
                .bind(key)
                .bind(now)
                .execute(db)
                .await?;
        }
        return Err(bad_credentials());
    };
    let mut raw = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut raw);
    let token = hex::encode(raw);
    sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash(&token))
        .bind(&user.id)
        .bind(now)
        .bind(now + SESSION_DAYS * 86_400_000)
        .execute(db)
        .await?;
    sqlx::query("DELETE FROM login_failures WHERE limit_key = $1 OR at < $2")
        .bind(&account_key)
        .bind(now - WINDOW_MS)
        .execute(db)
        .await?;
    Ok((token, user))
}

pub async fn user_for_token(db: &Db, token: &str) -> Result<Option<CurrentUser>, AppError> {
    let row = sqlx::query(
        "SELECT u.id, u.email, u.role FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2",
    )
    .bind(token_hash(token))
    .bind(now_ms())
    .fetch_optional(db)
    .await?;
    Ok(match row {
        Some(r) => {
            let role: String = r.try_get("role")?;
            Role::parse(&role).map(|role| CurrentUser {
                id: r.try_get("id").unwrap_or_default(),
                email: r.try_get("email").unwrap_or_default(),
                role,
            })
        }
        None => None,
    })
}

pub async fn sign_out(db: &Db, token: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash(token))
        .execute(db)
        .await?;
    Ok(())
}

/// The session token from a request's Cookie header, if any.
pub fn session_token(headers: &http::HeaderMap) -> Option<String> {
    cookie_value(headers, SESSION_COOKIE)
}

pub fn cookie_value(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

pub fn session_cookie(token: &str, secure: bool) -> String {
    cookie::Cookie::build((SESSION_COOKIE, token.to_string()))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(cookie::SameSite::Lax)
        .max_age(cookie::time::Duration::days(SESSION_DAYS))
        .build()
        .to_string()
}

pub fn clear_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}
