-- Kick In: fans tipping artists (SPEC BOP-5, MON-3). A tip is pending until the
-- provider confirms the payment; its money moves only through the ledger, once.
CREATE TABLE tips (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    artist_id            BIGINT  NOT NULL REFERENCES users (id),
    fan_id               BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    fan_email            TEXT    NOT NULL,
    -- Who the per-hour limit counts against: the fan's account, or the guest's email.
    fan_key              TEXT    NOT NULL,
    amount_cents         BIGINT  NOT NULL CHECK (amount_cents > 0),
    gross_cents          BIGINT  NOT NULL,
    processing_fee_cents BIGINT  NOT NULL,
    net_cents            BIGINT  NOT NULL,
    currency             TEXT    NOT NULL,
    fan_covers_fee       BOOLEAN NOT NULL DEFAULT FALSE,
    message              TEXT    NOT NULL DEFAULT '',
    idempotency_key      TEXT    NOT NULL UNIQUE,
    checkout_session_id  TEXT    UNIQUE,
    payment_intent_id    TEXT    UNIQUE,
    refunded_cents       BIGINT  NOT NULL DEFAULT 0,
    state                TEXT    NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed', 'refunded')),
    created_at           BIGINT  NOT NULL,
    updated_at           BIGINT  NOT NULL,
    paid_at              BIGINT
);
CREATE INDEX tips_artist_idx ON tips (artist_id, created_at);
CREATE INDEX tips_rate_idx ON tips (artist_id, fan_key, created_at);
