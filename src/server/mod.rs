//! Everything that only runs on the server: configuration, database, Dodo access, the sandbox,
//! authentication and the services the server functions call.
pub mod accounts;
pub mod analytics;
pub mod api_v1;
pub mod audit;
pub mod auth;
pub mod config;
pub mod db;
pub mod dispatch;
pub mod dodo;
pub mod drafts;
pub mod error;
pub mod headers;
pub mod history;
pub mod http;
pub mod ids;
pub mod ingest;
pub mod metrics;
pub mod offers;
pub mod purchases;
pub mod reconcile;
pub mod replay;
pub mod rollups;
pub mod rules;
pub mod sandbox;
pub mod schedule;
pub mod seed;
pub mod session_cache;
pub mod sql;
pub mod state;
pub mod subscriptions;
pub mod targeting;
pub mod throttle;
pub mod users;
pub mod versions;
pub mod webhooks;

pub use http::{start, Running};
