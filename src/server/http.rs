//! Builds the router and runs the server. `start` is what `main` and the integration tests
//! both call, so the tests exercise the real server over real HTTP.
use super::config::Config;
use super::config::Secret;
use super::db;
use super::dodo::Dodo;
use super::ids::new_id;
use super::sandbox;
use super::seed;
use super::state::AppState;
use super::{analytics, api_v1, history, webhooks};
use crate::app::{shell, App};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

pub struct Running {
    pub addr: SocketAddr,
    pub app_url: String,
    pub state: AppState,
    /// Set when the sandbox generated the webhook secret on this start (printed once).
    pub generated_webhook_secret: Option<String>,
    shutdown: Option<oneshot::Sender<()>>,
    handle: JoinHandle<()>,
}

impl Running {
    /// Stops accepting, lets in-flight requests finish, and waits.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = self.handle.await;
    }

    pub async fn wait(self) {
        let _ = self.handle.await;
    }
}

#[derive(Clone, Default)]
struct MakeId;

impl MakeRequestId for MakeId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&new_id("req"))
            .ok()
            .map(RequestId::new)
    }
}

async fn healthz(State(state): State<AppState>) -> Response {
    match sqlx::query("SELECT 1").execute(&state.db).await {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// Server functions refuse cross-site calls: SameSite cookies are the first line, this is the
/// second (browsers always send Origin on POST; a mismatch means another site's page).
async fn same_origin(req: Request, next: Next) -> Response {
    if req.method() == Method::POST && req.uri().path().starts_with("/api/") {
        let headers = req.headers();
        let cross_fetch = headers
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == "cross-site" || v == "same-site");
        let host = headers
            .get("host")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let bad_origin = headers
            .get("origin")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|o| {
                let rest = o
                    .strip_prefix("http://")
                    .or_else(|| o.strip_prefix("https://"));
                rest != Some(host)
            });
        if cross_fetch || bad_origin {
            tracing::warn!(path = %req.uri().path(), "cross-site server function call refused");
            let body = serde_json::json!({
                "code": "forbidden",
                "message": "This request came from another site and was refused. Use the dashboard itself.",
                "fields": []
            });
            return (StatusCode::FORBIDDEN, axum::Json(body)).into_response();
        }
    }
    next.run(req).await
}

fn dodo_base_url(config: &Config, app_url: &str) -> String {
    if let Some(url) = &config.dodo_base_url {
        return url.clone();
    }
    if config.sandbox_enabled() {
        return format!("{app_url}{}", sandbox::MOUNT);
    }
    if config.dodo_environment == "live_mode" {
        "https://live.dodopayments.com".into()
    } else {
        "https://test.dodopayments.com".into()
    }
}

/// The webhook secret: from DODO_WEBHOOK_SECRET, else (sandbox only) the one generated on
/// the first start and kept in the database. The second value is set when generated now.
async fn webhook_secret(
    db: &db::Db,
    config: &Config,
) -> Result<(Option<Secret>, Option<String>), String> {
    if let Some(s) = &config.webhook_secret {
        return Ok((Some(s.clone()), None));
    }
    if !config.sandbox_enabled() {
        return Ok((None, None));
    }
    let err = |e: sqlx::Error| format!("cannot read settings: {e}");
    let stored: Option<String> =
        sqlx::query_scalar("SELECT value FROM settings WHERE key = 'sandbox_webhook_secret'")
            .fetch_optional(db)
            .await
            .map_err(err)?;
    if let Some(s) = stored {
        return Ok((Some(Secret::new(s)), None));
    }
    let fresh = webhooks::new_secret();
    // Two instances starting at once: the first insert wins and both read it back.
    sqlx::query("INSERT INTO settings (key, value) VALUES ('sandbox_webhook_secret', $1) ON CONFLICT (key) DO NOTHING")
        .bind(&fresh)
        .execute(db)
        .await
        .map_err(err)?;
    let kept: String =
        sqlx::query_scalar("SELECT value FROM settings WHERE key = 'sandbox_webhook_secret'")
            .fetch_one(db)
            .await
            .map_err(err)?;
    let generated = (kept == fresh).then(|| fresh.clone());
    Ok((Some(Secret::new(kept)), generated))
}

/// The app's routes, listed once per process. Listing them runs the app with resource loads
/// suppressed by a process-wide flag (`leptos_server`'s `SuppressResourceLoad`), and a page
/// whose resource first polls meanwhile never finishes (leptos-rs/leptos#4773): with a second
/// server in the process (the integration tests start dozens), listing again while the first
/// renders left a page hanging now and then.
fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Binds, migrates, seeds (when asked) and serves. Returns once the server accepts requests.
pub async fn start(config: Config, mut leptos_options: LeptosOptions) -> Result<Running, String> {
    let listener = TcpListener::bind(config.site_addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.site_addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    leptos_options.site_addr = addr;
    let app_url = config
        .app_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));

    let db = db::connect(&config.database_url)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    // Rollup tables added after a database's first start are filled from its events once.
    super::rollups::backfill_quarters(
        &db,
        db::backend_of(&config.database_url) == Ok(db::Backend::Postgres),
    )
    .await
    .map_err(|e| format!("cannot fill the analytics rollups: {e}"))?;
    super::purchases::backfill(&db)
        .await
        .map_err(|e| format!("cannot fill the customers' purchase summaries: {e}"))?;
    if config.demo_data {
        seed::demo_accounts(&db).await.map_err(|e| e.message)?;
    }
    if let Some((email, password)) = &config.first_merchant {
        if seed::first_merchant(&db, email, password.expose())
            .await
            .map_err(|e| e.message)?
        {
            tracing::info!("first merchant account created from FIRST_MERCHANT_EMAIL");
        }
    }
    let key = config
        .dodo_api_key
        .clone()
        .unwrap_or_else(|| config.sandbox_api_key.clone());
    let dodo = Dodo::new(
        &dodo_base_url(&config, &app_url),
        key.expose(),
        Duration::from_millis(config.charge_timeout_ms),
    )
    .map_err(|e| format!("cannot set up the Dodo Payments client: {e}"))?;
    let (webhook_secret, generated_webhook_secret) = webhook_secret(&db, &config).await?;
    let verifier = webhooks::verifier(webhook_secret.as_ref().map(|s| s.expose()))?;

    let dodo = Arc::new(dodo);
    // SQLite has one writer anyway; PostgreSQL commits batches side by side.
    let postgres = db::backend_of(&config.database_url) == Ok(db::Backend::Postgres);
    let workers = if postgres { 4 } else { 1 };
    let state = AppState {
        leptos_options: Arc::new(leptos_options.clone()),
        ingest: super::ingest::Ingest::start(
            db.clone(),
            dodo.clone(),
            workers,
            postgres,
            super::dispatch::apply,
        ),
        db,
        dodo,
        config: Arc::new(config),
        app_url: app_url.clone().into(),
        webhook: verifier.map(Arc::new),
        password_checks: Arc::new(super::auth::password_checks()),
    };
    let headers = super::headers::Policy {
        hashed_assets: leptos_options.hash_files,
        https: app_url.starts_with("https://"),
    };
    let routes = routes();
    let ctx_state = state.clone();
    let mut router: Router<AppState> = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(super::metrics::endpoint))
        // Where a merchant expects the editor (the editor lives on the map's page).
        .route(
            "/rules/new",
            get(|| async { axum::response::Redirect::permanent("/rules?new#editor") }),
        )
        .route("/analytics/export.csv", get(analytics::export_csv))
        .route(
            "/webhooks/dodo",
            axum::routing::post(webhooks::receive)
                .layer(axum::extract::DefaultBodyLimit::max(webhooks::MAX_BODY)),
        )
        .nest("/api/v1", api_v1::router(state.clone()))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(ctx_state.clone()),
            {
                let options = leptos_options.clone();
                move || shell(options.clone())
            },
        )
        // The bundle: brotli or gzip files made at build time (scripts/precompress.sh),
        // chosen by the browser's Accept-Encoding, never compressed per request.
        .nest_service(
            &format!("/{}", leptos_options.site_pkg_dir),
            ServeDir::new(
                std::path::Path::new(leptos_options.site_root.as_ref())
                    .join(leptos_options.site_pkg_dir.as_ref()),
            )
            .precompressed_br()
            .precompressed_gzip(),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell));
    if state.config.sandbox_enabled() {
        let signer = webhooks::verifier(webhook_secret.as_ref().map(|s| s.expose()))?
            .ok_or("the sandbox needs a webhook secret")?;
        router = router.nest_service(
            sandbox::MOUNT,
            sandbox::router(
                state.config.sandbox_api_key.clone(),
                signer,
                &app_url,
                state.config.sandbox_webhook_url.clone(),
            ),
        );
    }
    let app = router
        .layer(middleware::from_fn(super::metrics::track))
        .layer(middleware::from_fn(same_origin))
        .layer(middleware::from_fn(move |req, next| {
            super::headers::security_headers(headers, req, next)
        }))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<Body>| {
                let id = req
                    .extensions()
                    .get::<RequestId>()
                    .and_then(|r| r.header_value().to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                // The path only (query strings may carry tokens), offer tokens cut.
                let path = super::ids::log_path(req.uri().path());
                tracing::info_span!("request", request_id = %id, method = %req.method(), path = %path)
            }),
        )
        // Pages and API answers, compressed as they go (a quick level: they are small and
        // made per request); files already compressed (the bundle) pass through untouched.
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeId))
        .with_state(state.clone());

    let (tx, rx) = oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        // TCP_NODELAY: without it, a small response written in two pieces on a keep-alive
        // connection waits for the client's delayed ACK (Nagle): about 40 ms per static file.
        let listener = listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "TCP_NODELAY not set on an accepted connection");
            }
        });
        let serve = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = rx.await;
        });
        if let Err(e) = serve.await {
            tracing::error!(error = %e, "server stopped with an error");
        }
    });
    db::spawn_checkpoints(&state.db);
    super::offers::spawn_sweeper(state.clone());
    super::reconcile::spawn(state.clone());
    super::auth::spawn_purge(state.db.clone());
    if state.config.demo_data && state.config.sandbox_enabled() {
        let (db, dodo) = (state.db.clone(), state.dodo.clone());
        let history = state.config.demo_history;
        tokio::spawn(async move {
            // The sandbox answers over HTTP on this very server, which is now accepting.
            tokio::time::sleep(Duration::from_millis(10)).await;
            if let Err(e) = seed::demo_rules(&db, &dodo).await {
                tracing::warn!(error = %e.message, "demo rules not seeded");
                return;
            }
            if history {
                let products = dodo
                    .products()
                    .await
                    .map(|p| p.to_vec())
                    .unwrap_or_default();
                if let Err(e) = history::seed(&db, &products).await {
                    tracing::warn!(error = %e.message, "demo history not seeded");
                }
            }
        });
    }
    Ok(Running {
        addr,
        app_url,
        state,
        generated_webhook_secret,
        shutdown: Some(tx),
        handle,
    })
}
