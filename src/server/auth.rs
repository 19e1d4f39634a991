//! Sign-in, sessions and the sign-in rate limit. Passwords are argon2 hashes; a session is a
//! random token whose SHA-256 is stored, so a leaked database does not leak live sessions.
use super::db::Db;
use super::ids::now_ms;
use super::throttle;
use crate::domain::error::{AppError, ErrorCode};
use crate::domain::role::{CurrentUser, Role};
use crate::domain::throttle::{wait_text, FREE_PER_ACCOUNT, FREE_PER_ADDRESS};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;

pub const SESSION_COOKIE: &str = "sid";
pub const SESSION_DAYS: i64 = 7;
/// A session unused this long is over, whatever its expiry.
pub const SESSION_IDLE_MS: i64 = 12 * 3_600_000;
/// How stale `last_seen_at` may get before a request refreshes it (one write per session per
/// few minutes, not per request).
const SEEN_EVERY_MS: i64 = 5 * 60_000;

/// Password checks running at once. Each argon2 check takes 19 MiB and a core for tens of
/// milliseconds: a burst of sign-ins beyond this is refused at once rather than queued into
/// the memory of the whole machine.
pub fn password_checks() -> tokio::sync::Semaphore {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    tokio::sync::Semaphore::new(cores * 2)
}

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

pub(super) fn verify_password(password: &str, hash: &str) -> bool {
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

/// Checks the password and opens a session; returns the raw session token for the cookie.
pub async fn sign_in(
    db: &Db,
    password_checks: &tokio::sync::Semaphore,
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
    let keys = [
        (account_key.as_str(), FREE_PER_ACCOUNT),
        (address_key.as_str(), FREE_PER_ADDRESS),
    ];
    if let Some(wait) = throttle::take(db, &keys, now).await? {
        return Err(AppError::new(
            ErrorCode::RateLimited,
            format!(
                "Too many failed sign-ins for this account or from this network. Try again in {}.",
                wait_text(wait)
            ),
        ));
    }
    let Ok(_permit) = password_checks.try_acquire() else {
        // Counted as a try: a flood cannot test passwords for free by hitting the cap.
        return Err(AppError::new(
            ErrorCode::RateLimited,
            "Sign-in is busy right now. Try again in a few seconds.",
        ));
    };
    let row = sqlx::query(
        "SELECT id, email, password_hash, role FROM users WHERE email = $1 AND disabled_at IS NULL",
    )
    .bind(&email)
    .fetch_optional(db)
    .await?;
    // Spend the same time whether or not the account exists, so timing reveals nothing.
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = match &row {
        Some(r) => r.try_get::<String, _>("password_hash")?,
        None => DUMMY
            .get_or_init(|| hash_password("not a password").unwrap_or_default())
            .clone(),
    };
    let password = password.to_string();
    // Off the async workers: a check holds a core for tens of milliseconds.
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    let user = match row {
        Some(r) if matches => {
            let role: String = r.try_get("role")?;
            Role::parse(&role).map(|role| CurrentUser {
                id: r.try_get("id").unwrap_or_default(),
                email: email.clone(),
                role,
            })
        }
        _ => None,
    };
    let Some(user) = user else {
        return Err(bad_credentials());
    };
    throttle::forgive(db, &account_key, (&address_key, FREE_PER_ADDRESS)).await?;
    let mut raw = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut raw);
    let token = hex::encode(raw);
    crate::server::db::write(db, sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $3)")
        .bind(token_hash(&token))
        .bind(&user.id)
        .bind(now)
        .bind(now + SESSION_DAYS * 86_400_000)
        )
        .await?;
    Ok((token, user))
}

pub async fn user_for_token(db: &Db, token: &str) -> Result<Option<CurrentUser>, AppError> {
    let hash = token_hash(token);
    let generation = match super::session_cache::get(&hash) {
        Ok(user) => return Ok(Some(user)),
        Err(generation) => generation,
    };
    let now = now_ms();
    let row = sqlx::query(
        "SELECT u.id, u.email, u.role, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND u.disabled_at IS NULL",
    )
    .bind(&hash)
    .bind(now)
    .bind(now - SESSION_IDLE_MS)
    .fetch_optional(db)
    .await?;
    Ok(match row {
        Some(r) => {
            let seen: i64 = r.try_get("last_seen_at")?;
            if now - seen > SEEN_EVERY_MS {
                crate::server::db::write(
                    db,
                    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                        .bind(now)
                        .bind(&hash),
                )
                .await?;
            }
            let role: String = r.try_get("role")?;
            let user = Role::parse(&role).map(|role| CurrentUser {
                id: r.try_get("id").unwrap_or_default(),
                email: r.try_get("email").unwrap_or_default(),
                role,
            });
            if let Some(u) = &user {
                super::session_cache::keep(&hash, u, generation);
            }
            user
        }
        None => None,
    })
}

pub async fn sign_out(db: &Db, token: &str) -> Result<(), AppError> {
    crate::server::db::write(
        db,
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash(token)),
    )
    .await?;
    super::session_cache::forget();
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

/// Expired and idle sessions, forgotten sign-in failures and old kept drafts, removed
/// hourly.
pub fn spawn_purge(db: Db) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let now = now_ms();
            let sessions = crate::server::db::write(
                &db,
                sqlx::query("DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2")
                    .bind(now)
                    .bind(now - SESSION_IDLE_MS),
            )
            .await;
            if let Err(e) = sessions {
                tracing::warn!(error = %e, "expired sessions not purged");
            }
            if let Err(e) = throttle::purge(&db, now).await {
                tracing::warn!(error = %e.message, "old sign-in failures not purged");
            }
            if let Err(e) = crate::server::drafts::purge(&db, now).await {
                tracing::warn!(error = %e.message, "old kept drafts not purged");
            }
        }
    });
}
