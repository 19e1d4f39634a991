-- Plan changes made from the support console. Same portability rules as 0001.
CREATE TABLE plan_changes (
    id TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    from_product_id TEXT NOT NULL,
    from_product_name TEXT NOT NULL,
    from_quantity BIGINT NOT NULL,
    from_amount BIGINT NOT NULL,
    to_product_id TEXT NOT NULL,
    to_product_name TEXT NOT NULL,
    to_quantity BIGINT NOT NULL,
    to_amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    on_payment_failure TEXT NOT NULL,
    -- The three modes' previews as Dodo gave them (JSON), so execution charges what was shown.
    quotes TEXT NOT NULL,
    mode TEXT NULL,
    previewed_amount BIGINT NULL,
    previewed_credit BIGINT NULL,
    charged_amount BIGINT NULL,
    payment_id TEXT NULL,
    state TEXT NOT NULL,
    reason_code TEXT NULL,
    reason_note TEXT NULL,
    requested_by_id TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    approved_by TEXT NULL,
    executed_by TEXT NULL,
    failure_code TEXT NULL,
    failure_message TEXT NULL,
    on_hold BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    executed_at BIGINT NULL,
    settled_at BIGINT NULL
);
CREATE INDEX plan_changes_subscription ON plan_changes(subscription_id, created_at);
CREATE INDEX plan_changes_state ON plan_changes(state, updated_at);
-- One change in flight per subscription, whichever instance or tab asks: a second
-- `→ executing` move fails on this index instead of calling Dodo again.
CREATE UNIQUE INDEX plan_changes_one_in_flight ON plan_changes(subscription_id)
    WHERE state IN ('executing', 'scheduled');
