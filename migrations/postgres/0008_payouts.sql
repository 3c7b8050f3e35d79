-- Payouts (SPEC MON-4): money from an artist's available balance to their bank, and
-- the schedule that requests them automatically.
CREATE TABLE payouts (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    artist_id           BIGINT  NOT NULL REFERENCES users (id),
    -- Taken from the available balance; the bank receives amount - fee.
    amount_cents        BIGINT  NOT NULL CHECK (amount_cents > 0),
    fee_cents           BIGINT  NOT NULL CHECK (fee_cents >= 0),
    currency            TEXT    NOT NULL,
    speed               TEXT    NOT NULL CHECK (speed IN ('standard', 'instant')),
    state               TEXT    NOT NULL CHECK (state IN ('pending', 'in_transit', 'paid', 'failed')),
    idempotency_key     TEXT    NOT NULL UNIQUE,
    provider_payout_id  TEXT    UNIQUE,
    failure_message     TEXT,
    requested_by        TEXT    NOT NULL CHECK (requested_by IN ('artist', 'schedule')),
    arrival_at          BIGINT,
    created_at          BIGINT  NOT NULL,
    updated_at          BIGINT  NOT NULL
);
CREATE INDEX payouts_artist_idx ON payouts (artist_id, created_at);

CREATE TABLE payout_schedules (
    artist_id   BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    frequency   TEXT    NOT NULL CHECK (frequency IN ('manual', 'daily', 'weekly', 'monthly')),
    updated_at  BIGINT  NOT NULL
);
