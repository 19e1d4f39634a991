//! The sign-in throttle's bookkeeping (see `domain::throttle` for the policy). A try is counted
//! as a failure *before* the password is checked and forgiven when it was right: concurrent
//! guesses each take their own count in one write transaction (a row lock on PostgreSQL, the
//! single writer on SQLite), so none slips past the limit while another is being checked.
use super::db::{begin_write, write, Db};
use crate::domain::error::AppError;
use crate::domain::throttle::{wait_ms, FORGET_AFTER_MS};

/// Takes one try for every `(key, free failures)`: `Ok(None)` to go on, `Ok(Some(ms))` when a
/// key must wait that long first (then nothing was counted).
pub async fn take(db: &Db, keys: &[(&str, i64)], now: i64) -> Result<Option<i64>, AppError> {
    let mut tx = begin_write(db).await?;
    let mut wait = 0;
    for (key, free) in keys {
        sqlx::query(
            "INSERT INTO login_throttle (limit_key, failures, blocked_until, last_at) \
             VALUES ($1, 0, 0, $2) ON CONFLICT (limit_key) DO NOTHING",
        )
        .bind(key)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        // No RETURNING: read back in the same transaction (the row is this transaction's now).
        let counted = sqlx::query(
            "UPDATE login_throttle SET failures = CASE WHEN last_at < $3 THEN 1 ELSE failures + 1 END, \
             last_at = $2 WHERE limit_key = $1 AND blocked_until <= $2",
        )
        .bind(key)
        .bind(now)
        .bind(now - FORGET_AFTER_MS)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        match counted {
            true => {
                let failures: i64 =
                    sqlx::query_scalar("SELECT failures FROM login_throttle WHERE limit_key = $1")
                        .bind(key)
                        .fetch_one(&mut *tx)
                        .await?;
                let hold = wait_ms(failures, *free);
                if hold > 0 {
                    sqlx::query(
                        "UPDATE login_throttle SET blocked_until = $2 WHERE limit_key = $1",
                    )
                    .bind(key)
                    .bind(now + hold)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            false => {
                let until: i64 = sqlx::query_scalar(
                    "SELECT blocked_until FROM login_throttle WHERE limit_key = $1",
                )
                .bind(key)
                .fetch_one(&mut *tx)
                .await?;
                wait = wait.max(until - now);
            }
        }
    }
    if wait > 0 {
        // Dropped, not committed: a refused try counts for nothing.
        return Ok(Some(wait));
    }
    tx.commit().await?;
    Ok(None)
}

/// The try was right: the account starts afresh; the address gets its count back.
pub async fn forgive(db: &Db, account: &str, address: (&str, i64)) -> Result<(), AppError> {
    let mut tx = begin_write(db).await?;
    sqlx::query("DELETE FROM login_throttle WHERE limit_key = $1")
        .bind(account)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE login_throttle SET failures = failures - 1, \
         blocked_until = CASE WHEN failures - 1 <= $2 THEN 0 ELSE blocked_until END \
         WHERE limit_key = $1 AND failures > 0",
    )
    .bind(address.0)
    .bind(address.1)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Forgotten failures (quiet for `FORGET_AFTER_MS`, no wait pending).
pub async fn purge(db: &Db, now: i64) -> Result<u64, AppError> {
    Ok(write(
        db,
        sqlx::query("DELETE FROM login_throttle WHERE last_at < $1 AND blocked_until < $2")
            .bind(now - FORGET_AFTER_MS)
            .bind(now),
    )
    .await?
    .rows_affected())
}
