//! Statements assembled from a varying number of pieces (a report's buckets, a batch's rows).
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyConnection};

/// SQL text with its arguments, numbered `$1, $2, …` in the order they are pushed.
#[derive(Default)]
pub struct Sql {
    text: String,
    args: Vec<Arg>,
}

pub enum Arg {
    Int(i64),
    Text(String),
    /// Nullable values keep their SQL type: PostgreSQL refuses an untyped NULL for a BIGINT.
    OptInt(Option<i64>),
    OptText(Option<String>),
}

impl Sql {
    pub fn push(&mut self, s: &str) {
        self.text.push_str(s);
    }

    pub fn arg(&mut self, a: Arg) {
        self.args.push(a);
        self.text.push_str(&format!("${}", self.args.len()));
    }

    /// `a, b, c` as arguments.
    pub fn list<T>(&mut self, items: impl IntoIterator<Item = T>, to_arg: impl Fn(T) -> Arg) {
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.arg(to_arg(item));
        }
    }

    fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for a in &self.args {
            q = match a {
                Arg::Int(v) => q.bind(*v),
                Arg::Text(v) => q.bind(v.as_str()),
                Arg::OptInt(v) => q.bind(*v),
                Arg::OptText(v) => q.bind(v.as_deref()),
            };
        }
        q
    }

    pub async fn fetch(self, conn: &mut AnyConnection) -> Result<Vec<AnyRow>, sqlx::Error> {
        self.query().fetch_all(conn).await
    }
}

/// Adds `rows` to `table` in one statement per 100 rows: each row is its key columns then
/// its counters, inserted, or added to the stored row with the same key. Rows are written in
/// the order given, so transactions that give them in the same order lock them in the same
/// order. The keys of `rows` must differ (one statement cannot update a row twice).
pub async fn upsert(
    conn: &mut AnyConnection,
    table: &str,
    keys: &[&str],
    counters: &[&str],
    rows: Vec<Vec<Arg>>,
) -> Result<(), sqlx::Error> {
    let set = counters
        .iter()
        .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let columns = format!("{}, {}", keys.join(", "), counters.join(", "));
    let tail = format!(" ON CONFLICT ({}) DO UPDATE SET {set}", keys.join(", "));
    write_rows(conn, table, &columns, &tail, rows)
        .await
        .map(|_| ())
}

/// Inserts `rows` (values in the order of `columns`: name and PostgreSQL type).
pub async fn insert(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[(&str, &str)],
    rows: Vec<Vec<Arg>>,
) -> Result<(), sqlx::Error> {
    insert_with(conn, table, columns, "", rows)
        .await
        .map(|_| ())
}

/// Inserts `rows` with `tail` after the rows (`ON CONFLICT …`, `RETURNING …`) and returns
/// what the statements return. On PostgreSQL the rows travel as one JSON argument, so the
/// statement's text is the same for any number of rows and is planned once per connection;
/// elsewhere, one VALUES statement per 100 rows.
pub async fn insert_with(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[(&str, &str)],
    tail: &str,
    rows: Vec<Vec<Arg>>,
) -> Result<Vec<AnyRow>, sqlx::Error> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let names: Vec<&str> = columns.iter().map(|c| c.0).collect();
    if conn.backend_name() != "PostgreSQL" {
        return write_rows(conn, table, &names.join(", "), tail, rows).await;
    }
    let json: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|row| {
            let object = names.iter().zip(row).map(|(name, a)| {
                let v = match a {
                    Arg::Int(v) => serde_json::Value::from(v),
                    Arg::Text(v) => serde_json::Value::from(v),
                    Arg::OptInt(v) => serde_json::Value::from(v),
                    Arg::OptText(v) => serde_json::Value::from(v),
                };
                (name.to_string(), v)
            });
            serde_json::Value::Object(object.collect())
        })
        .collect();
    let typed: Vec<String> = columns.iter().map(|(n, t)| format!("{n} {t}")).collect();
    let sql = format!(
        "INSERT INTO {table} ({names}) SELECT {names} FROM json_to_recordset($1::json) AS x({typed}){tail}",
        names = names.join(", "),
        typed = typed.join(", ")
    );
    sqlx::query(&sql)
        .bind(serde_json::Value::Array(json).to_string())
        .fetch_all(conn)
        .await
}

async fn write_rows(
    conn: &mut AnyConnection,
    table: &str,
    columns: &str,
    tail: &str,
    rows: Vec<Vec<Arg>>,
) -> Result<Vec<AnyRow>, sqlx::Error> {
    let mut out = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut sql = Sql::default();
        sql.push(&format!("INSERT INTO {table} ({columns}) VALUES "));
        for (i, row) in rows.by_ref().take(100).enumerate() {
            sql.push(if i > 0 { ", (" } else { "(" });
            sql.list(row, |a| a);
            sql.push(")");
        }
        sql.push(tail);
        out.extend(sql.fetch(conn).await?);
    }
    Ok(out)
}
