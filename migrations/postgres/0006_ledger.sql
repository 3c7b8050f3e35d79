-- The double-entry ledger (SPEC MON-1). Every movement of money is a transaction whose
-- entries sum to zero per currency. Entries are never updated or deleted; a
-- transaction counts only once posted, and the database refuses to post one that does
-- not balance. Balances are sums of entries.

CREATE TABLE ledger_accounts (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_kind  TEXT    NOT NULL CHECK (owner_kind IN ('artist', 'fan', 'platform', 'external')),
    owner_id    BIGINT  NOT NULL DEFAULT 0,
    kind        TEXT    NOT NULL,
    currency    TEXT    NOT NULL CHECK (length(currency) = 3),
    created_at  BIGINT  NOT NULL,
    UNIQUE (owner_kind, owner_id, kind, currency)
);

CREATE TABLE ledger_transactions (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idempotency_key  TEXT    NOT NULL UNIQUE,
    kind             TEXT    NOT NULL,
    memo             TEXT    NOT NULL DEFAULT '',
    reference        TEXT,
    artist_id        BIGINT,
    created_at       BIGINT  NOT NULL,
    posted_at        BIGINT
);
CREATE INDEX ledger_transactions_artist_idx ON ledger_transactions (artist_id, created_at);

CREATE TABLE ledger_entries (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id  BIGINT  NOT NULL REFERENCES ledger_transactions (id),
    account_id      BIGINT  NOT NULL REFERENCES ledger_accounts (id),
    amount          BIGINT  NOT NULL CHECK (amount <> 0),
    currency        TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL
);
CREATE INDEX ledger_entries_account_idx ON ledger_entries (account_id, transaction_id);
CREATE INDEX ledger_entries_transaction_idx ON ledger_entries (transaction_id);

CREATE FUNCTION ledger_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0];
END;
$$;

CREATE TRIGGER ledger_entries_never_updated BEFORE UPDATE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse('ledger entries are never updated');
CREATE TRIGGER ledger_entries_never_deleted BEFORE DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse('ledger entries are never deleted');

CREATE FUNCTION ledger_entry_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT posted_at FROM ledger_transactions WHERE id = NEW.transaction_id) IS NOT NULL THEN
        RAISE EXCEPTION 'entries cannot be added to a posted transaction';
    END IF;
    IF NEW.currency IS DISTINCT FROM (SELECT currency FROM ledger_accounts WHERE id = NEW.account_id) THEN
        RAISE EXCEPTION 'an entry must be in its account''s currency';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER ledger_entries_checked BEFORE INSERT ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_check();

CREATE FUNCTION ledger_transaction_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.posted_at IS NOT NULL THEN
            RAISE EXCEPTION 'posted ledger transactions are never deleted';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.posted_at IS NOT NULL THEN
        RAISE EXCEPTION 'posted ledger transactions are never changed';
    END IF;
    IF NEW.posted_at IS NOT NULL AND (
        NOT EXISTS (SELECT 1 FROM ledger_entries WHERE transaction_id = NEW.id)
        OR EXISTS (SELECT 1 FROM ledger_entries WHERE transaction_id = NEW.id GROUP BY currency HAVING SUM(amount) <> 0)
    ) THEN
        RAISE EXCEPTION 'an unbalanced ledger transaction cannot be posted';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER ledger_transactions_checked BEFORE UPDATE OR DELETE ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION ledger_transaction_check();
