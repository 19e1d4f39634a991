-- Upsell map v2, targeting: a rule's conditions and schedule (JSON, read whole by the engine
-- and the editor; `domain::rule::target`), and the purchases they are checked against (first
-- purchase or returning, products already held), which the replay reads too.
ALTER TABLE rules ADD COLUMN targeting TEXT NOT NULL DEFAULT '{}';

CREATE TABLE purchases (
    payment_id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    -- JSON array of product ids
    products TEXT NOT NULL,
    total BIGINT NOT NULL,
    currency TEXT NOT NULL,
    country TEXT NULL,
    quantity BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX purchases_customer ON purchases(customer_id);
CREATE INDEX purchases_at ON purchases(created_at);
