//! Server entry: configuration, logging, start, graceful shutdown.
use leptos::config::get_configuration;
use tracing_subscriber::EnvFilter;
use upsell_dashboard::server::{config::Config, seed, seed::DEMO_ACCOUNTS, start};

#[cfg(feature = "ssr")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Worker threads get 8 MiB of stack rather than tokio's 2 MiB: rendering a large page (the
/// rules screen: map, picture, preview, replay, versions) walks a deep tree of views on the
/// stack, and a release build overflowed 2 MiB there.
fn main() {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(8 << 20)
        .build()
        .expect("the async runtime starts")
        .block_on(serve());
}

async fn serve() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    // LOG_FORMAT=json: one JSON object per line, for a log collector.
    match std::env::var("LOG_FORMAT").as_deref() {
        Ok("json") => tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init(),
        Ok("text") | Err(_) => tracing_subscriber::fmt().with_env_filter(filter).init(),
        Ok(other) => {
            eprintln!("configuration error: LOG_FORMAT must be text or json, not {other:?}");
            std::process::exit(2);
        }
    }
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("configuration error: {e}");
            std::process::exit(2);
        }
    };
    // cargo-leptos passes the options as environment variables; a plain run reads Cargo.toml.
    let file = std::env::var("LEPTOS_OUTPUT_NAME")
        .is_err()
        .then_some("Cargo.toml");
    let mut options = match get_configuration(file) {
        Ok(c) => c.leptos_options,
        Err(e) => {
            eprintln!("cannot read the Leptos configuration: {e}");
            std::process::exit(2);
        }
    };
    options.site_addr = config.site_addr;
    let demo = config.demo_data;
    let sandbox = config.sandbox_enabled();
    let running = match start(config, options).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start: {e}");
            std::process::exit(1);
        }
    };
    println!("Upsell Dashboard is ready at {}", running.app_url);
    if sandbox {
        println!(
            "Dodo Payments: built-in sandbox at {}/sandbox/dodo",
            running.app_url
        );
    }
    if let Some(secret) = &running.generated_webhook_secret {
        println!("Sandbox webhook secret (generated once, kept in the database): {secret}");
    }
    if demo {
        println!("Demo logins:");
        for (email, password, role) in DEMO_ACCOUNTS {
            println!("  {:<9} {email} / {password}", role.as_str());
        }
    }
    if !demo && seed::user_count(&running.state.db).await.unwrap_or(1) == 0 {
        println!(
            "No account yet. Set FIRST_MERCHANT_EMAIL and FIRST_MERCHANT_PASSWORD (10+ characters) \
             and restart: the first merchant is created once, then the variables are ignored."
        );
    }
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {
            tracing::info!("shutting down");
        }
        _ = terminate() => {
            tracing::info!("terminated; shutting down");
        }
    }
    running.stop().await;
}

#[cfg(unix)]
async fn terminate() {
    if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        s.recv().await;
    }
}

#[cfg(not(unix))]
async fn terminate() {
    std::future::pending::<()>().await
}
