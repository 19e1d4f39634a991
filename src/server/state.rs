use super::config::Config;
use super::db::Db;
use super::dodo::Dodo;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// Shared by the router and, through Leptos context, by every server function.
#[derive(Clone)]
pub struct AppState {
    /// Behind an `Arc`: the state is cloned for every request (axum's `State`), and the options
    /// are a dozen reference-counted strings that only page renders read.
    pub leptos_options: Arc<LeptosOptions>,
    pub db: Db,
    pub dodo: Arc<Dodo>,
    pub config: Arc<Config>,
    /// Public base URL (offer links, webhook target, sandbox base URL).
    pub app_url: Arc<str>,
    /// Verifies incoming webhooks; `None` when no secret is configured (real API, no secret).
    pub webhook: Option<Arc<standardwebhooks::Webhook>>,
    /// Applies verified webhooks in batches (group commit).
    pub ingest: super::ingest::Ingest,
    /// Password checks allowed at once (see `auth::sign_in`).
    pub password_checks: Arc<tokio::sync::Semaphore>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(s: &AppState) -> Self {
        (*s.leptos_options).clone()
    }
}

impl AppState {
    /// The customer's page of the offer with this token.
    pub fn offer_url(&self, token: &str) -> String {
        format!("{}/offer/{token}", self.app_url)
    }
}
