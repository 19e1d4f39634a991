-- Offers and what happens to them. Same portability rules as 0001.
CREATE TABLE webhook_events (
    webhook_id TEXT PRIMARY KEY,
    event_type TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    body TEXT NOT NULL
);

CREATE TABLE offers (
    id TEXT PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    rule_id TEXT NOT NULL,
    parent_offer_id TEXT NULL,
    customer_id TEXT NOT NULL,
    trigger_payment_id TEXT NULL,
    trigger_product_id TEXT NOT NULL,
    trigger_amount BIGINT NOT NULL,
    offer_product_id TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    headline TEXT NOT NULL,
    value_prop TEXT NOT NULL,
    badge TEXT NULL,
    billing_country TEXT NULL,
    billing_zipcode TEXT NULL,
    state TEXT NOT NULL,
    payment_id TEXT NULL,
    checkout_session_id TEXT NULL,
    failure_code TEXT NULL,
    failure_message TEXT NULL,
    fallback_url TEXT NULL,
    shown_at BIGINT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- One offer per rule per purchase: a redelivered or replayed purchase cannot make a second.
CREATE UNIQUE INDEX offers_purchase_rule ON offers(trigger_payment_id, rule_id);
CREATE INDEX offers_customer ON offers(customer_id, state);

CREATE TABLE offer_events (
    id TEXT PRIMARY KEY,
    offer_id TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    at BIGINT NOT NULL,
    amount BIGINT NULL,
    currency TEXT NULL,
    detail TEXT NULL
);
CREATE INDEX offer_events_offer ON offer_events(offer_id, at);
CREATE INDEX offer_events_rule_at ON offer_events(rule_id, at);

-- A customer who declined a rule's offer is never offered that rule again.
CREATE TABLE declines (
    customer_id TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (customer_id, rule_id)
);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT NULL
);
