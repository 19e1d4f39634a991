-- Upsell map v2, versions: every change saves the whole map (the rules as JSON, in priority
-- order), numbered, with who made it and a one-line summary. Rollback and import replace the
-- map with one of these; the diff compares two.
CREATE TABLE map_versions (
    number BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_email TEXT NOT NULL,
    summary TEXT NOT NULL,
    rules_json TEXT NOT NULL
);
