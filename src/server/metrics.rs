//! `/metrics` in Prometheus's text format, through the `prometheus-client` crate: request
//! latency per route, offers by state (counted at scrape), webhook deliveries by outcome and
//! reason, and Dodo calls by operation and outcome. Served only with `METRICS_TOKEN` set, to a
//! bearer of that token (it names routes, volumes and error rates: not for everyone).
use super::db::Db;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::LazyLock;
use std::time::Duration;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DeliveryLabels {
    outcome: String,
    reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    operation: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: String,
}

/// 0.5 ms to about 16 s, doubling.
fn latency() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

struct Metrics {
    registry: Registry,
    requests: Family<RouteLabels, Histogram, fn() -> Histogram>,
    deliveries: Family<DeliveryLabels, Counter>,
    calls: Family<CallLabels, Histogram, fn() -> Histogram>,
    offers: Family<StateLabels, Gauge>,
    inbox: Gauge,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut registry = Registry::default();
    let requests = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
        latency as fn() -> Histogram,
    );
    let calls = Family::<CallLabels, Histogram, fn() -> Histogram>::new_with_constructor(
        latency as fn() -> Histogram,
    );
    let deliveries = Family::<DeliveryLabels, Counter>::default();
    let offers = Family::<StateLabels, Gauge>::default();
    let inbox = Gauge::default();
    registry.register(
        "webhook_inbox_pending",
        "Webhook events stored and not yet applied (all instances), counted at scrape",
        inbox.clone(),
    );
    registry.register(
        "http_request_duration_seconds",
        "Time to answer a request, by route template (never the raw path) and status",
        requests.clone(),
    );
    registry.register(
        "webhook_deliveries",
        "Webhook deliveries: applied, stored (applied shortly by the inbox), duplicate, rejected (with the reason) or retry",
        deliveries.clone(),
    );
    registry.register(
        "dodo_call_duration_seconds",
        "Calls to Dodo Payments by operation and outcome (ok, error)",
        calls.clone(),
    );
    registry.register(
        "offers",
        "Offers by state, counted at scrape",
        offers.clone(),
    );
    Metrics {
        registry,
        requests,
        deliveries,
        calls,
        offers,
        inbox,
    }
});

pub fn request(method: &str, route: &str, status: u16, took: Duration) {
    METRICS
        .requests
        .get_or_create(&RouteLabels {
            method: method.into(),
            route: route.into(),
            status: status.to_string(),
        })
        .observe(took.as_secs_f64());
}

pub fn delivery(outcome: &str, reason: &str) {
    METRICS
        .deliveries
        .get_or_create(&DeliveryLabels {
            outcome: outcome.into(),
            reason: reason.into(),
        })
        .inc();
}

pub fn dodo_call(operation: &str, ok: bool, took: Duration) {
    METRICS
        .calls
        .get_or_create(&CallLabels {
            operation: operation.into(),
            outcome: if ok { "ok" } else { "error" }.into(),
        })
        .observe(took.as_secs_f64());
}

/// A request's operation as a label: the method and the path with its ids (`sub_…`,
/// `cus_…`, anything with a digit) replaced by `{id}`, so the label set stays small.
pub fn operation(method: &str, path: &str) -> String {
    let path: Vec<&str> = path
        .split('/')
        .map(|seg| {
            if seg.contains('_') || seg.bytes().any(|b| b.is_ascii_digit()) {
                "{id}"
            } else {
                seg
            }
        })
        .collect();
    format!("{method} {}", path.join("/"))
}

/// The text exposition, with the offers counted now.
pub async fn render(db: &Db) -> Result<String, sqlx::Error> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT state, COUNT(*) FROM offers GROUP BY state")
            .fetch_all(db)
            .await?;
    let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_events WHERE applied = 0")
        .fetch_one(db)
        .await?;
    METRICS.inbox.set(pending);
    METRICS.offers.clear();
    for (state, n) in rows {
        METRICS.offers.get_or_create(&StateLabels { state }).set(n);
    }
    let mut out = String::new();
    prometheus_client::encoding::text::encode(&mut out, &METRICS.registry)
        .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    Ok(out)
}

/// Times every request by its route template (axum's `MatchedPath`, never the raw path: paths
/// hold offer tokens).
pub async fn track(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("unmatched", |m| m.as_str())
        .to_string();
    let method = req.method().to_string();
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    request(&method, &route, res.status().as_u16(), started.elapsed());
    res
}

/// `GET /metrics`: only with METRICS_TOKEN configured, and only to its bearer.
pub async fn endpoint(
    axum::extract::State(state): axum::extract::State<super::state::AppState>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;
    use sha2::{Digest, Sha256};
    let Some(token) = &state.config.metrics_token else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    // Compared as digests: equal length, so the time taken says nothing about the token.
    if Sha256::digest(given.as_bytes()) != Sha256::digest(token.expose().as_bytes()) {
        return (
            StatusCode::UNAUTHORIZED,
            "Send Authorization: Bearer <METRICS_TOKEN>.",
        )
            .into_response();
    }
    match render(&state.db).await {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "metrics not rendered");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_never_carry_ids() {
        assert_eq!(
            operation("POST", "/subscriptions/sub_9Xk2/change-plan"),
            "POST /subscriptions/{id}/change-plan"
        );
        assert_eq!(
            operation("GET", "/customers/cus_1/payment-methods"),
            "GET /customers/{id}/payment-methods"
        );
        assert_eq!(operation("GET", "/products"), "GET /products");
    }
}
