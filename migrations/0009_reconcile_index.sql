-- The reconciliation round (server::reconcile) looks every 10 s for offers still charging:
-- without this index that is a scan of every offer ever made. Partial, so it stays as small
-- as the number of charges in flight.
CREATE INDEX offers_charging ON offers(updated_at) WHERE state = 'charging';
