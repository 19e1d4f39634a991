-- Upsell map v2, discounts: a rule's percentage off (and, for a new subscription, how many
-- billing cycles it lasts); an offer keeps what it was made with — the price before the
-- discount, to show struck through — and the single-use Dodo code its charge applied.
ALTER TABLE rules ADD COLUMN discount_percent BIGINT NOT NULL DEFAULT 0;
ALTER TABLE rules ADD COLUMN discount_cycles BIGINT NOT NULL DEFAULT 0;
ALTER TABLE offers ADD COLUMN discount_percent BIGINT NOT NULL DEFAULT 0;
ALTER TABLE offers ADD COLUMN discount_cycles BIGINT NOT NULL DEFAULT 0;
ALTER TABLE offers ADD COLUMN full_amount BIGINT NULL;
ALTER TABLE offers ADD COLUMN discount_code TEXT NULL;
