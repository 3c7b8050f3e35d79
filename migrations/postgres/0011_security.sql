-- Security hardening (issue: holes found by probing).

-- An artist sign-up's browser secret mints one session, once: consumed on first use,
-- and ended when the account's password changes.
ALTER TABLE artist_signups ADD COLUMN secret_ended_at BIGINT;

-- Idempotency keys are bound to their parameters: a reuse with other parameters is
-- refused instead of answering with what the first request made.
ALTER TABLE tips ADD COLUMN request_fingerprint TEXT;
-- The payout account a tip's checkout pays, checked again when the payment is confirmed.
ALTER TABLE tips ADD COLUMN destination TEXT;
ALTER TABLE payouts ADD COLUMN request_fingerprint TEXT;

-- The sandbox provider's idempotency keys, as Stripe keeps them: the key, a digest of
-- the request it was first used with, and the object it made (whose id is random).
CREATE TABLE sandbox_idempotency (
    key          TEXT    PRIMARY KEY,
    fingerprint  TEXT    NOT NULL,
    object_id    TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL
);
