-- One schema for SQLite and PostgreSQL: only TEXT and BIGINT columns, ids made by the app,
-- timestamps as UTC milliseconds, flags as 0/1. That keeps every query portable.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_failures (
    id TEXT PRIMARY KEY,
    limit_key TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures(limit_key, at);

CREATE TABLE rules (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    parent_rule_id TEXT NULL,
    trigger_product_id TEXT NOT NULL,
    offer_product_id TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    headline TEXT NOT NULL,
    value_prop TEXT NOT NULL,
    badge TEXT NULL,
    timing TEXT NOT NULL,
    expiry_minutes BIGINT NOT NULL,
    priority BIGINT NOT NULL,
    enabled BIGINT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX rules_trigger ON rules(trigger_product_id, priority);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_id TEXT NULL,
    actor_email TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    before_json TEXT NULL,
    after_json TEXT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
