-- Quarter-hour rollups, so analytics days can run midnight to midnight in the viewer's time
-- zone (every zone in use is a whole number of quarter-hours from UTC). The day tables stay:
-- a report reads whole UTC days from them and only the ragged ends from these.

CREATE TABLE offer_rollups_q (
    q BIGINT NOT NULL,
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
    PRIMARY KEY (q, rule_id, variant, currency)
);

CREATE TABLE decline_rollups_q (
    q BIGINT NOT NULL,
    rule_id TEXT NOT NULL,
    code TEXT NOT NULL,
    n BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (q, rule_id, code)
);

-- The daily trend's three series over every rule (hold-out excluded), per quarter-hour: the
-- trend of an unfiltered report reads this narrow table instead of every rule's quarters.
CREATE TABLE trend_rollups_q (
    q BIGINT NOT NULL,
    currency TEXT NOT NULL,
    shown BIGINT NOT NULL DEFAULT 0,
    paid BIGINT NOT NULL DEFAULT 0,
    revenue BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (q, currency)
);
