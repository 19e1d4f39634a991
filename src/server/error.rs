//! Maps internal failures to the public `AppError`: the detail goes to the log (with the
//! request id from the tracing span), the person gets a message that says what to do.
use crate::domain::error::{AppError, ErrorCode};

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        tracing::error!(error = %e, "database error");
        AppError::internal()
    }
}

impl From<dodopayments::Error> for AppError {
    fn from(e: dodopayments::Error) -> Self {
        match &e {
            dodopayments::Error::Api { status, message } => {
                let code = serde_json::from_str::<serde_json::Value>(message)
                    .ok()
                    .and_then(|v| v.get("code").and_then(|c| c.as_str()).map(str::to_string))
                    .unwrap_or_default();
                tracing::warn!(status, dodo_code = %code, "Dodo Payments API error");
                match *status {
                    404 => AppError::new(
                        ErrorCode::NotFound,
                        "Dodo Payments does not know this object; check the id and try again.",
                    ),
                    429 => AppError::new(
                        ErrorCode::RateLimited,
                        "Dodo Payments is rate-limiting us; wait a few seconds and try again.",
                    ),
                    401 | 403 => AppError::new(
                        ErrorCode::Upstream,
                        "Dodo Payments refused our API key. Check DODO_PAYMENTS_API_KEY and its permissions.",
                    ),
                    _ => upstream(),
                }
            }
            other => {
                tracing::warn!(error = %other, "Dodo Payments unreachable");
                upstream()
            }
        }
    }
}

fn upstream() -> AppError {
    AppError::new(
        ErrorCode::Upstream,
        "Dodo Payments could not be reached just now. Nothing was changed; try again in a minute.",
    )
}
