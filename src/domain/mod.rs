//! Pure types and rules shared by the server and the browser. No I/O here.
pub mod analytics;
pub mod audit;
pub mod error;
pub mod money;
pub mod offer;
pub mod proration;
pub mod role;
pub mod rule;
pub mod subscription;
pub mod time;
