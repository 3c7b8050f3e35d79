-- Daily reconciliation (SPEC MON-5): where the ledger and the payment provider disagree
-- about an artist's balance, one row per artist and day for the operator.
CREATE TABLE reconciliation_issues (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    artist_id       BIGINT  NOT NULL REFERENCES users (id),
    account_id      TEXT    NOT NULL,
    currency        TEXT    NOT NULL,
    ledger_cents    BIGINT  NOT NULL,
    provider_cents  BIGINT  NOT NULL,
    checked_on      BIGINT  NOT NULL,
    created_at      BIGINT  NOT NULL,
    UNIQUE (artist_id, currency, checked_on)
);
CREATE INDEX reconciliation_issues_recent_idx ON reconciliation_issues (created_at);
