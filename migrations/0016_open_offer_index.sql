-- A customer's open offer is the pending one expiring last (offers::open_for_customer, the
-- offer page's "newest first"). With only (customer_id, state) every pending offer of the
-- customer is read and sorted; with expires_at in the key it is the first entry of a
-- backward index scan, however many offers a customer has.
DROP INDEX offers_customer;
CREATE INDEX offers_customer ON offers(customer_id, state, expires_at);
