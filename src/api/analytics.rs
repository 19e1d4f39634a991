use super::codec::FormOrJson;
use crate::domain::analytics::{Filters, RecentOffer, Report};
use crate::domain::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn can_read(r: crate::domain::role::Role) -> bool {
    r.can_read_analytics()
}

#[server(endpoint = "analytics/report", input = FormOrJson)]
pub async fn analytics_report(filters: Filters) -> Result<std::sync::Arc<Report>, AppError> {
    use crate::server::analytics;
    super::guard::finish(
        async {
            let (state, _) = super::guard::require(can_read).await?;
            let cookie = super::guard::parts()
                .and_then(|p| crate::server::auth::cookie_value(&p.headers, analytics::TZ_COOKIE));
            let window = analytics::check(&filters, cookie.as_deref())?;
            analytics::report(&state, &window).await
        }
        .await,
    )
}

#[server(endpoint = "analytics/recent", input = FormOrJson)]
pub async fn analytics_recent(rule_id: String) -> Result<Vec<RecentOffer>, AppError> {
    super::guard::finish(
        async {
            let (state, _) = super::guard::require(can_read).await?;
            if rule_id.is_empty() || rule_id.len() > 64 {
                return Err(AppError::new(
                    crate::domain::error::ErrorCode::BadRequest,
                    "Pick an offer from the table to see its recent offers.",
                ));
            }
            crate::server::analytics::recent(&state, &rule_id).await
        }
        .await,
    )
}
