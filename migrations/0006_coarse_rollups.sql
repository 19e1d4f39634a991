-- Four-hour and hour rollups beside the day and quarter ones, and the daily trend per grain.
-- A report's ragged ends (days in the viewer's zone) and its trend's parts of each day are
-- read as a few coarse buckets and only the odd quarter, so what a report reads depends on
-- its range, not on how many events fill each quarter-hour.

CREATE TABLE offer_rollups_h4 (
    h4 BIGINT NOT NULL,
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
    PRIMARY KEY (h4, rule_id, variant, currency)
);

CREATE TABLE decline_rollups_h4 (
    h4 BIGINT NOT NULL,
    rule_id TEXT NOT NULL,
    code TEXT NOT NULL,
    n BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (h4, rule_id, code)
);

CREATE TABLE trend_rollups_h4 (
    h4 BIGINT NOT NULL,
    currency TEXT NOT NULL,
    shown BIGINT NOT NULL DEFAULT 0,
    paid BIGINT NOT NULL DEFAULT 0,
    revenue BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (h4, currency)
);

CREATE TABLE offer_rollups_h (
    h BIGINT NOT NULL,
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
    PRIMARY KEY (h, rule_id, variant, currency)
);

CREATE TABLE decline_rollups_h (
    h BIGINT NOT NULL,
    rule_id TEXT NOT NULL,
    code TEXT NOT NULL,
    n BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (h, rule_id, code)
);

CREATE TABLE trend_rollups_h (
    h BIGINT NOT NULL,
    currency TEXT NOT NULL,
    shown BIGINT NOT NULL DEFAULT 0,
    paid BIGINT NOT NULL DEFAULT 0,
    revenue BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (h, currency)
);

CREATE TABLE trend_rollups (
    day BIGINT NOT NULL,
    currency TEXT NOT NULL,
    shown BIGINT NOT NULL DEFAULT 0,
    paid BIGINT NOT NULL DEFAULT 0,
    revenue BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, currency)
);

-- Existing history: every coarser bucket is the sum of its quarters.

INSERT INTO offer_rollups_h4 (h4, rule_id, variant, currency, created, shown, accepted, paid, declined, failed, expired, fallback, refunds, revenue, refunded, revenue_sq, trigger_paid)
SELECT q / 16, rule_id, variant, currency, SUM(created), SUM(shown), SUM(accepted), SUM(paid), SUM(declined), SUM(failed), SUM(expired), SUM(fallback), SUM(refunds), SUM(revenue), SUM(refunded), SUM(revenue_sq), SUM(trigger_paid)
FROM offer_rollups_q GROUP BY q / 16, rule_id, variant, currency;

INSERT INTO decline_rollups_h4 (h4, rule_id, code, n)
SELECT q / 16, rule_id, code, SUM(n) FROM decline_rollups_q GROUP BY q / 16, rule_id, code;

INSERT INTO offer_rollups_h (h, rule_id, variant, currency, created, shown, accepted, paid, declined, failed, expired, fallback, refunds, revenue, refunded, revenue_sq, trigger_paid)
SELECT q / 4, rule_id, variant, currency, SUM(created), SUM(shown), SUM(accepted), SUM(paid), SUM(declined), SUM(failed), SUM(expired), SUM(fallback), SUM(refunds), SUM(revenue), SUM(refunded), SUM(revenue_sq), SUM(trigger_paid)
FROM offer_rollups_q GROUP BY q / 4, rule_id, variant, currency;

INSERT INTO decline_rollups_h (h, rule_id, code, n)
SELECT q / 4, rule_id, code, SUM(n) FROM decline_rollups_q GROUP BY q / 4, rule_id, code;

INSERT INTO trend_rollups_h4 (h4, currency, shown, paid, revenue)
SELECT q / 16, currency, SUM(shown), SUM(paid), SUM(revenue) FROM trend_rollups_q GROUP BY q / 16, currency;

INSERT INTO trend_rollups_h (h, currency, shown, paid, revenue)
SELECT q / 4, currency, SUM(shown), SUM(paid), SUM(revenue) FROM trend_rollups_q GROUP BY q / 4, currency;

INSERT INTO trend_rollups (day, currency, shown, paid, revenue)
SELECT q / 96, currency, SUM(shown), SUM(paid), SUM(revenue) FROM trend_rollups_q GROUP BY q / 96, currency;
