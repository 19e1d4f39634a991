//! Components and pages, one module per screen, plus small shared widgets.
pub mod analytics;
pub mod errors;
pub mod home;
pub mod i18n;
pub mod layout;
pub mod login;
pub mod offer;
#[cfg(feature = "hydrate")]
pub mod pending;
pub mod rules;
pub mod sandbox;
pub mod settings;
pub mod subscriptions;
pub mod users;
pub mod widgets;
