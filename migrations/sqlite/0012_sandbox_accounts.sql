-- The sandbox's money movements name the payout account they touch, so an account's
-- balance reads its own rows through an index instead of scanning every object.
ALTER TABLE sandbox_objects ADD COLUMN account TEXT;
ALTER TABLE sandbox_objects ADD COLUMN counterparty TEXT;

UPDATE sandbox_objects SET
    account = CASE kind
        WHEN 'payment_intent' THEN json_extract(data, '$.transfer_data.destination')
        WHEN 'payout' THEN json_extract(data, '$._sandbox.account')
        WHEN 'transfer' THEN json_extract(data, '$._sandbox.from')
    END,
    counterparty = CASE kind WHEN 'transfer' THEN json_extract(data, '$.destination') END
WHERE kind IN ('payment_intent', 'payout', 'transfer');

CREATE INDEX sandbox_objects_account_idx ON sandbox_objects (account) WHERE account IS NOT NULL;
CREATE INDEX sandbox_objects_counterparty_idx ON sandbox_objects (counterparty) WHERE counterparty IS NOT NULL;
