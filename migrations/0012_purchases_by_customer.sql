-- What each customer bought before, kept by the ingest as purchases arrive (server::purchases):
-- a row per customer and product, and one per customer with product '*' (any purchase). The
-- first payment seen and one other are enough to tell "bought before, other than this one".
CREATE TABLE customer_products (
    customer_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    first_payment_id TEXT NOT NULL,
    other_payment_id TEXT NULL,
    PRIMARY KEY (customer_id, product_id)
);
