-- Conversion analytics. Same portability rules as 0001.

-- An experiment on a rule: variant B offers another product and/or headline to `variant_b_weight`
-- percent of customers; `holdout_percent` of customers get no offer at all.
ALTER TABLE rules ADD COLUMN variant_b_product_id TEXT NULL;
ALTER TABLE rules ADD COLUMN variant_b_headline TEXT NULL;
ALTER TABLE rules ADD COLUMN variant_b_weight BIGINT NOT NULL DEFAULT 0;
ALTER TABLE rules ADD COLUMN holdout_percent BIGINT NOT NULL DEFAULT 0;

ALTER TABLE offers ADD COLUMN variant TEXT NOT NULL DEFAULT 'a';
CREATE INDEX offers_rule_created ON offers(rule_id, created_at);

-- Customers held out of a rule's experiment: no offer, but their own later purchase of the
-- offered product still counts, so the page can show what the offer adds.
CREATE TABLE holdouts (
    id TEXT PRIMARY KEY,
    rule_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    trigger_payment_id TEXT NOT NULL,
    offer_product_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    converted_payment_id TEXT NULL,
    converted_at BIGINT NULL
);
CREATE UNIQUE INDEX holdouts_purchase_rule ON holdouts(trigger_payment_id, rule_id);
CREATE INDEX holdouts_customer ON holdouts(customer_id, converted_at);

-- Per rule, arm, UTC day and currency: updated in the same transaction as each offer event, so
-- the analytics page reads at most (rules × arms × days) rows whatever the event volume.
CREATE TABLE offer_rollups (
    day BIGINT NOT NULL,
    rule_id TEXT NOT NULL,
    variant TEXT NOT NULL,
    currency TEXT NOT NULL,
    created BIGINT NOT NULL DEFAULT 0,
    shown BIGINT NOT NULL DEFAULT 0,
    accepted BIGINT NOT NULL DEFAULT 0,
    paid BIGINT NOT NULL DEFAULT 0,
    declined BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0,
    expired BIGINT NOT NULL DEFAULT 0,
    fallback BIGINT NOT NULL DEFAULT 0,
    refunds BIGINT NOT NULL DEFAULT 0,
    revenue BIGINT NOT NULL DEFAULT 0,
    refunded BIGINT NOT NULL DEFAULT 0,
    revenue_sq BIGINT NOT NULL DEFAULT 0,
    trigger_paid BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, rule_id, variant, currency)
);

-- Failed charges per rule, UTC day and Dodo decline code.
CREATE TABLE decline_rollups (
    day BIGINT NOT NULL,
    rule_id TEXT NOT NULL,
    code TEXT NOT NULL,
    n BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, rule_id, code)
);
