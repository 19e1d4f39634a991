-- The webhook inbox: a delivery is stored (durable) before its 2xx. Under a burst it is
-- answered once stored and applied shortly after by the inbox's applier (`server::ingest`),
-- also after a crash; otherwise it is applied in the same transaction, as before.
ALTER TABLE webhook_events ADD COLUMN applied BIGINT NOT NULL DEFAULT 1;
CREATE INDEX webhook_events_unapplied ON webhook_events(received_at) WHERE applied = 0;
