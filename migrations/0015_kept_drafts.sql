-- The last rule draft each user sent from the editor that was not saved: one the server
-- refused, or one sent to be replayed. The editor comes back with it (with or without
-- JavaScript). Removed on the user's next good save and by the hourly purge.
CREATE TABLE kept_drafts (
    user_id TEXT PRIMARY KEY,
    draft TEXT NOT NULL,
    kept_at BIGINT NOT NULL
);
