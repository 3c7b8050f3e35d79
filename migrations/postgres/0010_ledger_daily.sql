-- Daily sums of the ledger (SPEC MON-2: the dashboard stays fast as years of data
-- accumulate): per account, UTC day and transaction kind, the sum of posted entries.
-- Kept in the transaction that posts the entries, so it always equals them; balances
-- and earnings read these rows instead of every entry.
CREATE TABLE ledger_daily (
    account_id  BIGINT  NOT NULL REFERENCES ledger_accounts (id),
    day         BIGINT  NOT NULL,
    kind        TEXT    NOT NULL,
    amount      BIGINT  NOT NULL,
    PRIMARY KEY (account_id, day, kind)
) WITH (fillfactor = 70); -- room on each page, so the many updates of a day stay HOT

INSERT INTO ledger_daily (account_id, day, kind, amount)
SELECT e.account_id, (t.created_at / 86400000) * 86400000, t.kind, SUM(e.amount)
FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id
WHERE t.posted_at IS NOT NULL
GROUP BY e.account_id, (t.created_at / 86400000) * 86400000, t.kind;
