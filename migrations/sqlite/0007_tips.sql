-- Kick In: fans tipping artists (SPEC BOP-5, MON-3). A tip is pending until the
-- provider confirms the payment; its money moves only through the ledger, once.
CREATE TABLE tips (
    id                   INTEGER PRIMARY KEY,
    artist_id            INTEGER NOT NULL REFERENCES users (id),
    fan_id               INTEGER REFERENCES users (id) ON DELETE SET NULL,
    fan_email            TEXT    NOT NULL,
    -- Who the per-hour limit counts against: the fan's account, or the guest's email.
    fan_key              TEXT    NOT NULL,
    amount_cents         INTEGER NOT NULL CHECK (amount_cents > 0),
    gross_cents          INTEGER NOT NULL,
    processing_fee_cents INTEGER NOT NULL,
    net_cents            INTEGER NOT NULL,
    currency             TEXT    NOT NULL,
    fan_covers_fee       BOOLEAN NOT NULL DEFAULT FALSE,
    message              TEXT    NOT NULL DEFAULT '',
    idempotency_key      TEXT    NOT NULL UNIQUE,
    checkout_session_id  TEXT    UNIQUE,
    payment_intent_id    TEXT    UNIQUE,
    refunded_cents       INTEGER NOT NULL DEFAULT 0,
    state                TEXT    NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed', 'refunded')),
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    paid_at              INTEGER
);
CREATE INDEX tips_artist_idx ON tips (artist_id, created_at);
CREATE INDEX tips_rate_idx ON tips (artist_id, fan_key, created_at);
