use std::fmt;
use std::net::SocketAddr;

/// A secret value: prints as `[redacted]`, and is deliberately neither `Serialize` nor
/// `Display`, so it cannot end up in a log line, an error message or a server-function reply.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    /// True when DATABASE_URL was unset: SQLite under data/ (and, with the sandbox, demo data).
    pub embedded_default: bool,
    /// Demo accounts (published passwords) and the demo map: only ever with the sandbox.
    pub demo_data: bool,
    /// The first merchant account, created when the database has no user yet
    /// (FIRST_MERCHANT_EMAIL / FIRST_MERCHANT_PASSWORD): how a real deployment gets its first login.
    pub first_merchant: Option<(String, Secret)>,
    /// 90 days of demo offers for the analytics page (DEMO_HISTORY; defaults to DEMO_DATA).
    pub demo_history: bool,
    pub dodo_api_key: Option<Secret>,
    pub dodo_environment: String,
    pub dodo_base_url: Option<String>,
    pub webhook_secret: Option<Secret>,
    pub sandbox_api_key: Secret,
    pub app_url: Option<String>,
    /// Where the built-in sandbox delivers its webhooks (SANDBOX_WEBHOOK_URL); unset, to this
    /// app's own `/webhooks/dodo`. Lets one process play Dodo for other instances (soak test).
    pub sandbox_webhook_url: Option<String>,
    pub site_addr: SocketAddr,
    /// How long a one-click charge call may take before its outcome is left to the webhook.
    pub charge_timeout_ms: u64,
    /// Bearer token for `/metrics` (METRICS_TOKEN); unset, `/metrics` does not exist.
    pub metrics_token: Option<Secret>,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The Dodo environment named, against whether a key is set. `live_mode` without a key would
/// otherwise start the sandbox: a merchant who meant to take real money would take none.
fn check_environment(environment: &str, has_key: bool) -> Result<(), String> {
    match environment {
        "test_mode" => Ok(()),
        "live_mode" if has_key => Ok(()),
        "live_mode" => Err(
            "DODO_PAYMENTS_ENVIRONMENT is live_mode but DODO_PAYMENTS_API_KEY is not set: \
             set the live API key, or unset DODO_PAYMENTS_ENVIRONMENT to use the built-in sandbox"
                .into(),
        ),
        _ => Err("DODO_PAYMENTS_ENVIRONMENT must be test_mode or live_mode".into()),
    }
}

/// Demo data follows the sandbox: its accounts have published passwords, so with a real API key
/// they would be a door anyone can open. Asked for with a key, the start is refused.
fn demo_data(asked: Option<&str>, embedded_default: bool, has_key: bool) -> Result<bool, String> {
    match asked {
        Some("1") | Some("true") if has_key => Err(
            "DEMO_DATA=1 needs the built-in sandbox: demo accounts have published passwords, so \
             they are never created with a real DODO_PAYMENTS_API_KEY. Unset one of the two."
                .into(),
        ),
        Some("1") | Some("true") => Ok(true),
        Some("0") | Some("false") => Ok(false),
        Some(_) => Err("DEMO_DATA must be 1 or 0".into()),
        None => Ok(embedded_default && !has_key),
    }
}

impl Config {
    pub fn from_env() -> Result<Self, String> {
        let database_url = var("DATABASE_URL");
        let embedded_default = database_url.is_none();
        let site_addr = var("LEPTOS_SITE_ADDR")
            .unwrap_or_else(|| "127.0.0.1:3000".into())
            .parse()
            .map_err(|_| "LEPTOS_SITE_ADDR must look like 127.0.0.1:3000".to_string())?;
        let dodo_environment =
            var("DODO_PAYMENTS_ENVIRONMENT").unwrap_or_else(|| "test_mode".into());
        let dodo_api_key = var("DODO_PAYMENTS_API_KEY").map(Secret::new);
        check_environment(&dodo_environment, dodo_api_key.is_some())?;
        let demo_data = demo_data(
            var("DEMO_DATA").as_deref(),
            embedded_default,
            dodo_api_key.is_some(),
        )?;
        let first_merchant = match (var("FIRST_MERCHANT_EMAIL"), var("FIRST_MERCHANT_PASSWORD")) {
            (Some(e), Some(p)) => Some((e, Secret::new(p))),
            (None, None) => None,
            _ => {
                return Err(
                    "set both FIRST_MERCHANT_EMAIL and FIRST_MERCHANT_PASSWORD, or neither".into(),
                )
            }
        };
        let demo_history = match var("DEMO_HISTORY").as_deref() {
            Some("1") | Some("true") => true,
            Some("0") | Some("false") => false,
            Some(_) => return Err("DEMO_HISTORY must be 1 or 0".into()),
            None => demo_data,
        };
        Ok(Self {
            demo_history,
            database_url: database_url.unwrap_or_else(|| "sqlite://data/upsell.db".into()),
            embedded_default,
            demo_data,
            first_merchant,
            dodo_api_key,
            dodo_environment,
            dodo_base_url: var("DODO_PAYMENTS_BASE_URL"),
            webhook_secret: var("DODO_WEBHOOK_SECRET").map(Secret::new),
            metrics_token: var("METRICS_TOKEN").map(Secret::new),
            sandbox_api_key: Secret::new(
                var("DODO_SANDBOX_API_KEY").unwrap_or_else(|| "sandbox_key".into()),
            ),
            app_url: var("APP_URL").map(|u| u.trim_end_matches('/').to_string()),
            sandbox_webhook_url: var("SANDBOX_WEBHOOK_URL"),
            site_addr,
            charge_timeout_ms: match var("DODO_CHARGE_TIMEOUT_MS") {
                Some(v) => v.parse().map_err(|_| {
                    "DODO_CHARGE_TIMEOUT_MS must be a number of milliseconds".to_string()
                })?,
                None => 20_000,
            },
        })
    }

    /// The sandbox runs when no real API key is configured.
    pub fn sandbox_enabled(&self) -> bool {
        self.dodo_api_key.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_mode_needs_a_key() {
        assert!(check_environment("test_mode", false).is_ok());
        assert!(check_environment("test_mode", true).is_ok());
        assert!(check_environment("live_mode", true).is_ok());
        let err = check_environment("live_mode", false).unwrap_err();
        assert!(err.contains("DODO_PAYMENTS_API_KEY"), "{err}");
        assert!(check_environment("prod", true).is_err());
    }

    #[test]
    fn demo_data_only_with_the_sandbox() {
        assert_eq!(demo_data(None, true, false), Ok(true));
        assert_eq!(
            demo_data(None, true, true),
            Ok(false),
            "a real key, no demo logins"
        );
        assert_eq!(demo_data(None, false, false), Ok(false));
        assert_eq!(demo_data(Some("1"), false, false), Ok(true));
        assert!(demo_data(Some("1"), true, true)
            .unwrap_err()
            .contains("sandbox"));
        assert_eq!(demo_data(Some("0"), true, false), Ok(false));
        assert!(demo_data(Some("yes"), true, false).is_err());
    }

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("sk_live_abc");
        assert_eq!(format!("{s:?}"), "[redacted]");
        let c = format!("{:?}", Some(s));
        assert!(!c.contains("sk_live"));
    }
}
