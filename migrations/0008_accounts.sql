-- Sign-in throttle: one row per account or client address (policy in domain::throttle).
-- Replaces the per-failure log, whose count-then-check could be raced.
CREATE TABLE login_throttle (
    limit_key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    blocked_until BIGINT NOT NULL,
    last_at BIGINT NOT NULL
);
DROP TABLE login_failures;

-- Sessions end after an idle spell too; purged when expired.
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
UPDATE sessions SET last_seen_at = created_at;
CREATE INDEX sessions_expires ON sessions(expires_at);

-- A disabled user cannot sign in, and their sessions stop working at once.
ALTER TABLE users ADD COLUMN disabled_at BIGINT;

-- One-time password-reset links a merchant makes (only the token's hash is kept).
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX password_resets_user ON password_resets(user_id);
