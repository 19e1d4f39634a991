-- The last rule draft the server refused each user, so the editor comes back with what they
-- typed (with or without JavaScript) and the error beside it. Removed on their next good save
-- and by the hourly purge.
CREATE TABLE refused_drafts (
    user_id TEXT PRIMARY KEY,
    draft TEXT NOT NULL,
    refused_at BIGINT NOT NULL
);
