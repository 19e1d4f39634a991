-- Subscription offers: what an accept does (one-time charge, new subscription, plan change,
-- free time), the subscription it acts on, the quote the customer was shown, and save offers
-- for subscribers who ask to cancel. Same portability rules as 0001.
ALTER TABLE offers ADD COLUMN action TEXT NOT NULL DEFAULT 'one_time';
ALTER TABLE offers ADD COLUMN subscription_id TEXT NULL;
-- For plan changes: the plan the subscription was on when quoted, the recurring amount after
-- the change, its period, from when, and the change's terms.
ALTER TABLE offers ADD COLUMN from_product_id TEXT NULL;
ALTER TABLE offers ADD COLUMN recurring_amount BIGINT NULL;
ALTER TABLE offers ADD COLUMN billing_interval TEXT NULL;
ALTER TABLE offers ADD COLUMN recurring_from BIGINT NULL;
ALTER TABLE offers ADD COLUMN effective_at TEXT NULL;
ALTER TABLE offers ADD COLUMN proration_mode TEXT NULL;
ALTER TABLE offers ADD COLUMN on_payment_failure TEXT NULL;
ALTER TABLE offers ADD COLUMN free_days BIGINT NULL;
-- When `amount` was last quoted (a plan change's preview, a product's price): the amount on
-- the page is the amount charged, re-quoted when it moves.
ALTER TABLE offers ADD COLUMN quoted_at BIGINT NULL;
ALTER TABLE offers ADD COLUMN plan_change_id TEXT NULL;
CREATE INDEX offers_subscription ON offers(subscription_id, state);

-- Per rule: how a plan change it offers is billed, and for save rules the cancel reason it
-- answers (NULL: any reason) and the free days it gives (0: it offers a plan instead).
ALTER TABLE rules ADD COLUMN proration_mode TEXT NOT NULL DEFAULT 'difference_immediately';
ALTER TABLE rules ADD COLUMN on_payment_failure TEXT NOT NULL DEFAULT 'prevent_change';
ALTER TABLE rules ADD COLUMN cancel_reason TEXT NULL;
ALTER TABLE rules ADD COLUMN free_days BIGINT NOT NULL DEFAULT 0;

-- A subscriber's request to cancel: saved by an accepted save offer, or cancelled at the next
-- billing date (a decline, or no offer). `state`: offered, saved, cancelled.
CREATE TABLE cancellations (
    id TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    comment TEXT NULL,
    offer_id TEXT NULL,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX cancellations_subscription ON cancellations(subscription_id, created_at);

-- A dispute on the payment of an offer (`dispute.opened`, `.won`, `.lost`, …): its last status.
ALTER TABLE offers ADD COLUMN dispute_status TEXT NULL;

-- Payments for an offer that are not its one charge: a second payment for an offer already
-- paid, or a payment made through the fallback checkout link. Recorded and flagged, never
-- dropped. `kind`: second_payment, fallback_payment.
CREATE TABLE offer_payment_flags (
    payment_id TEXT PRIMARY KEY,
    offer_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    amount BIGINT NULL,
    currency TEXT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX offer_payment_flags_offer ON offer_payment_flags(offer_id);
