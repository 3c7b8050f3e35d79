-- The revenue gate (SPEC ONB-2..7): paid tiers, payout accounts, provider events.

-- What an artist's profile needs for the gate: the plan, the payout account and its
-- state as the provider last reported it, Kick In, and social links.
ALTER TABLE artist_profiles ADD COLUMN tier TEXT NOT NULL DEFAULT 'starter' CHECK (tier IN ('starter', 'pro', 'label'));
ALTER TABLE artist_profiles ADD COLUMN links TEXT NOT NULL DEFAULT '[]';
ALTER TABLE artist_profiles ADD COLUMN payout_account_id TEXT;
ALTER TABLE artist_profiles ADD COLUMN payouts_enabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE artist_profiles ADD COLUMN payout_details_submitted BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE artist_profiles ADD COLUMN tips_enabled BOOLEAN NOT NULL DEFAULT FALSE;
-- Day-1 activation (ONB-7): when the artist first shared their profile, and earned.
ALTER TABLE artist_profiles ADD COLUMN shared_at INTEGER;
ALTER TABLE artist_profiles ADD COLUMN first_dollar_at INTEGER;
CREATE UNIQUE INDEX artist_profiles_payout_account_key ON artist_profiles (payout_account_id);

-- An artist sign-up waiting on its subscription checkout. The user and the artist
-- profile are created only when the checkout completes; until then this row is all
-- there is, and the browser holding its secret can resume or abandon it.
CREATE TABLE artist_signups (
    id                  INTEGER PRIMARY KEY,
    secret_hash         TEXT    NOT NULL UNIQUE,
    email               TEXT    NOT NULL,
    display_name        TEXT    NOT NULL,
    password_hash       TEXT,
    existing_user_id    INTEGER REFERENCES users (id) ON DELETE CASCADE,
    tier                TEXT    NOT NULL CHECK (tier IN ('starter', 'pro', 'label')),
    checkout_session_id TEXT    UNIQUE,
    state               TEXT    NOT NULL CHECK (state IN ('open', 'complete', 'abandoned')),
    user_id             INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX artist_signups_email_idx ON artist_signups (email, state);

-- Platform subscriptions (an artist's plan), as the provider last reported them.
CREATE TABLE subscriptions (
    id                       INTEGER PRIMARY KEY,
    user_id                  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider_subscription_id TEXT    NOT NULL UNIQUE,
    provider_customer_id     TEXT    NOT NULL,
    tier                     TEXT    NOT NULL CHECK (tier IN ('starter', 'pro', 'label')),
    status                   TEXT    NOT NULL,
    current_period_end       INTEGER,
    cancel_at_period_end     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at               INTEGER NOT NULL,
    updated_at               INTEGER NOT NULL
);
CREATE INDEX subscriptions_user_idx ON subscriptions (user_id, updated_at);

-- Every event the payment provider sent (webhooks) or the sandbox emitted, stored
-- before it is processed; the provider's id is unique, so a redelivery is a no-op.
CREATE TABLE payment_events (
    id            INTEGER PRIMARY KEY,
    provider      TEXT    NOT NULL,
    event_id      TEXT    NOT NULL UNIQUE,
    event_type    TEXT    NOT NULL,
    object_id     TEXT    NOT NULL,
    created       INTEGER NOT NULL,
    payload       TEXT    NOT NULL,
    received_at   INTEGER NOT NULL,
    processed_at  INTEGER
);
CREATE INDEX payment_events_object_idx ON payment_events (object_id, created);

-- The sandbox provider's own records, shaped like the provider's objects (JSON).
CREATE TABLE sandbox_objects (
    id          TEXT    PRIMARY KEY,
    kind        TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
