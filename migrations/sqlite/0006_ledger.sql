-- The double-entry ledger (SPEC MON-1). Every movement of money is a transaction whose
-- entries sum to zero per currency. Entries are never updated or deleted; a
-- transaction counts only once posted, and the database refuses to post one that does
-- not balance. Balances are sums of entries.

CREATE TABLE ledger_accounts (
    id          INTEGER PRIMARY KEY,
    owner_kind  TEXT    NOT NULL CHECK (owner_kind IN ('artist', 'fan', 'platform', 'external')),
    owner_id    INTEGER NOT NULL DEFAULT 0,
    kind        TEXT    NOT NULL,
    currency    TEXT    NOT NULL CHECK (length(currency) = 3),
    created_at  INTEGER NOT NULL,
    UNIQUE (owner_kind, owner_id, kind, currency)
);

CREATE TABLE ledger_transactions (
    id               INTEGER PRIMARY KEY,
    idempotency_key  TEXT    NOT NULL UNIQUE,
    kind             TEXT    NOT NULL,
    memo             TEXT    NOT NULL DEFAULT '',
    reference        TEXT,
    artist_id        INTEGER,
    created_at       INTEGER NOT NULL,
    posted_at        INTEGER
);
CREATE INDEX ledger_transactions_artist_idx ON ledger_transactions (artist_id, created_at);

CREATE TABLE ledger_entries (
    id              INTEGER PRIMARY KEY,
    transaction_id  INTEGER NOT NULL REFERENCES ledger_transactions (id),
    account_id      INTEGER NOT NULL REFERENCES ledger_accounts (id),
    amount          INTEGER NOT NULL CHECK (amount <> 0),
    currency        TEXT    NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX ledger_entries_account_idx ON ledger_entries (account_id, transaction_id);
CREATE INDEX ledger_entries_transaction_idx ON ledger_entries (transaction_id);

CREATE TRIGGER ledger_entries_never_updated BEFORE UPDATE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are never updated');
END;

CREATE TRIGGER ledger_entries_never_deleted BEFORE DELETE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are never deleted');
END;

CREATE TRIGGER ledger_entries_only_while_open BEFORE INSERT ON ledger_entries
WHEN (SELECT posted_at FROM ledger_transactions WHERE id = NEW.transaction_id) IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'entries cannot be added to a posted transaction');
END;

CREATE TRIGGER ledger_entries_in_account_currency BEFORE INSERT ON ledger_entries
WHEN NEW.currency IS NOT (SELECT currency FROM ledger_accounts WHERE id = NEW.account_id)
BEGIN
    SELECT RAISE(ABORT, 'an entry must be in its account''s currency');
END;

CREATE TRIGGER ledger_post_only_balanced BEFORE UPDATE OF posted_at ON ledger_transactions
WHEN OLD.posted_at IS NULL AND NEW.posted_at IS NOT NULL AND (
    NOT EXISTS (SELECT 1 FROM ledger_entries WHERE transaction_id = NEW.id)
    OR EXISTS (SELECT 1 FROM ledger_entries WHERE transaction_id = NEW.id GROUP BY currency HAVING SUM(amount) <> 0)
)
BEGIN
    SELECT RAISE(ABORT, 'an unbalanced ledger transaction cannot be posted');
END;

CREATE TRIGGER ledger_posted_never_changed BEFORE UPDATE ON ledger_transactions
WHEN OLD.posted_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'posted ledger transactions are never changed');
END;

CREATE TRIGGER ledger_posted_never_deleted BEFORE DELETE ON ledger_transactions
WHEN OLD.posted_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'posted ledger transactions are never deleted');
END;
