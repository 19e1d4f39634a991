use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::any::{AnyArguments, AnyQueryResult};
use sqlx::{Any, AnyConnection, AnyPool, Executor, Transaction};
use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, LazyLock};
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

pub type Db = AnyPool;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn backend_of(url: &str) -> Result<Backend, String> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        Err("DATABASE_URL must start with sqlite:// or postgres://".into())
    }
}

/// Opens the pool (creating the SQLite file and its folder if needed) and applies migrations.
pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
    install_default_drivers();
    let backend = backend_of(url).map_err(|e| sqlx::Error::Configuration(e.into()))?;
    let url = if backend == Backend::Sqlite {
        prepare_sqlite_url(url)?
    } else {
        url.to_string()
    };
    let opts = AnyPoolOptions::new()
        .acquire_timeout(Duration::from_secs(10))
        .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
        // A SQLite connection is a local file that cannot drop like a socket: pinging it on
        // every acquire was a round trip to its worker thread, a tenth of a cached page's cost.
        .test_before_acquire(backend != Backend::Sqlite);
    let opts = if backend == Backend::Sqlite {
        opts.after_connect(|conn, _| {
            Box::pin(async move {
                // WAL lets readers go on while one writer commits; busy_timeout makes a second
                // writer wait instead of failing at once.
                conn.execute("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")
                    .await?;
                Ok(())
            })
        })
    } else {
        opts.after_connect(|conn, _| {
            Box::pin(async move {
                // Every query here reads a few thousand rows at most; PostgreSQL may still
                // plan one in parallel (say, before autovacuum has analysed a table), and
                // starting the workers then costs more than the query: 7 ms on a 2 ms
                // analytics report, measured on the 10M-event benchmark.
                conn.execute("SET max_parallel_workers_per_gather = 0")
                    .await?;
                Ok(())
            })
        })
    };
    let pool = opts.connect(&url).await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(pool)
}

fn prepare_sqlite_url(url: &str) -> Result<String, sqlx::Error> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    if path != ":memory:" {
        if let Some(dir) = std::path::Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
            }
        }
    }
    Ok(if url.contains('?') {
        url.to_string()
    } else {
        format!("{url}?mode=rwc")
    })
}

/// SQLite: the WAL is folded back into the database by this background task instead of by
/// whichever commit crosses the auto-checkpoint size, so no request pays for a checkpoint.
pub fn spawn_checkpoints(db: &Db) {
    if db.connect_options().database_url.scheme() != "sqlite" {
        return;
    }
    let db = db.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        loop {
            tick.tick().await;
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&db)
                .await
            {
                tracing::warn!(error = %e, "WAL checkpoint failed");
            }
        }
    });
}

/// A unique-constraint violation, on either backend.
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            d.is_unique_violation() || d.message().contains("UNIQUE constraint failed")
        }
        _ => false,
    }
}

/// Counts the write transactions this process has started: a reader's cache (the analytics
/// report) holds only while it has not moved.
static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

pub fn write_generation() -> u64 {
    WRITES.load(std::sync::atomic::Ordering::Acquire)
}

/// One write statement, in a transaction of its own on SQLite so that it queues with the
/// other writers of this process (see `begin_write`).
pub async fn write<'q>(
    db: &Db,
    query: sqlx::query::Query<'q, Any, AnyArguments<'q>>,
) -> Result<AnyQueryResult, sqlx::Error> {
    if db.connect_options().database_url.scheme() != "sqlite" {
        WRITES.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        return query.execute(db).await;
    }
    let mut tx = begin_write(db).await?;
    let done = query.execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(done)
}

/// The inside of `IN (…)` over `values`, its parameters numbered from `$from`, and what to bind
/// to them. A list of parameters, not one JSON array: PostgreSQL plans a JSON set function as
/// 100 rows and then scans a table it should have probed by key.
pub fn in_list(from: usize, values: &[&str]) -> (String, Vec<String>) {
    let marks: Vec<String> = (from..from + values.len())
        .map(|i| format!("${i}"))
        .collect();
    (
        marks.join(", "),
        values.iter().map(|v| v.to_string()).collect(),
    )
}

/// A write transaction. On SQLite it also holds this process's turn to write (see
/// `begin_write`); the turn is given back when the transaction commits or drops.
pub struct WriteTx {
    tx: Transaction<'static, Any>,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    /// For the few statements written differently per backend (batch inserts on PostgreSQL
    /// pass their rows as one JSON argument: one statement text, planned once).
    pub fn is_postgres(&self) -> bool {
        self.tx.backend_name() == "PostgreSQL"
    }
}

impl Deref for WriteTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

const WRITE_TURN_WAIT: Duration = Duration::from_secs(10);

/// One queue of writers per SQLite database in this process.
fn sqlite_turns(url: &str) -> Arc<Mutex<()>> {
    static TURNS: LazyLock<std::sync::Mutex<HashMap<String, Arc<Mutex<()>>>>> =
        LazyLock::new(Default::default);
    let mut turns = TURNS.lock().unwrap_or_else(|e| e.into_inner());
    turns.entry(url.to_string()).or_default().clone()
}

/// Starts a transaction that will write. On SQLite it takes the write lock up front
/// (`BEGIN IMMEDIATE`): a deferred transaction that reads and then writes fails at once with
/// "database is locked" when another writer got there first, instead of waiting its turn.
///
/// Writers of this process first queue on an async mutex, in order. Left to SQLite, a writer
/// that finds the lock taken sleeps 1, 2, 5, 10, 15 … ms between tries (its busy handler), so
/// a wait for a 2 ms commit cost up to 8 ms and put 10–20 ms tails on the accept path.
/// `busy_timeout` still covers a second process on the same file.
pub async fn begin_write(db: &Db) -> Result<WriteTx, sqlx::Error> {
    WRITES.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    let url = &db.connect_options().database_url;
    if url.scheme() == "sqlite" {
        // As long as SQLite's own busy_timeout would have waited, and then an error, never a
        // hang: a writer holding its turn while waiting for another writer is a bug to see.
        let turn = tokio::time::timeout(WRITE_TURN_WAIT, sqlite_turns(url.as_str()).lock_owned())
            .await
            .map_err(|_| {
                tracing::error!("a write waited {WRITE_TURN_WAIT:?} for its turn; refused");
                sqlx::Error::PoolTimedOut
            })?;
        Ok(WriteTx {
            tx: db.begin_with("BEGIN IMMEDIATE").await?,
            _turn: Some(turn),
        })
    } else {
        Ok(WriteTx {
            tx: db.begin().await?,
            _turn: None,
        })
    }
}
