//! The ledger on real databases: property tests over random sequences of money
//! operations (every transaction balances, no held balance goes negative, replaying
//! any operation changes nothing), the database's own guards, and concurrent payouts.

use boptone::db::query;
use boptone::{
    AppError, both_databases, fees,
    ledger::{
        Account, AccountKind, NewTransaction, Owner, Posting, TransactionKind,
        service::{self, Posted},
    },
    testing::TestDb,
};
use proptest::prelude::*;

const USD: &str = "USD";

fn acct(owner: Owner, kind: AccountKind) -> Account {
    Account::new(owner, kind, USD)
}

fn txn(
    key: String,
    kind: TransactionKind,
    artist: i64,
    postings: Vec<(Account, i64)>,
) -> NewTransaction {
    NewTransaction {
        idempotency_key: key,
        kind,
        memo: String::new(),
        reference: None,
        artist_id: Some(artist),
        postings: postings
            .into_iter()
            .map(|(account, amount)| Posting { account, amount })
            .collect(),
    }
}

/// A money operation, as the services issue them.
#[derive(Debug, Clone)]
enum Op {
    Tip { artist: i64, gross: i64, key: u8 },
    Settle { artist: i64, amount: i64, key: u8 },
    Payout { artist: i64, amount: i64, key: u8 },
    PayoutPaid { artist: i64, amount: i64, key: u8 },
    PayoutFailed { artist: i64, amount: i64, key: u8 },
}

impl Op {
    fn transaction(&self) -> NewTransaction {
        match *self {
            Op::Tip { artist, gross, key } => {
                let b = fees::tip(gross, false);
                txn(
                    format!("tip-{key}"),
                    TransactionKind::Tip,
                    artist,
                    vec![
                        (acct(Owner::External, AccountKind::CardPayments), -b.gross),
                        (
                            acct(Owner::Platform, AccountKind::ProcessorFees),
                            b.processing_fee,
                        ),
                        (acct(Owner::Artist(artist), AccountKind::Pending), b.net),
                    ],
                )
            }
            Op::Settle {
                artist,
                amount,
                key,
            } => txn(
                format!("settle-{key}"),
                TransactionKind::Settlement,
                artist,
                vec![
                    (acct(Owner::Artist(artist), AccountKind::Pending), -amount),
                    (acct(Owner::Artist(artist), AccountKind::Available), amount),
                ],
            ),
            Op::Payout {
                artist,
                amount,
                key,
            } => txn(
                format!("payout-{key}"),
                TransactionKind::Payout,
                artist,
                vec![
                    (acct(Owner::Artist(artist), AccountKind::Available), -amount),
                    (
                        acct(Owner::Artist(artist), AccountKind::PayoutInFlight),
                        amount,
                    ),
                ],
            ),
            Op::PayoutPaid {
                artist,
                amount,
                key,
            } => txn(
                format!("paid-{key}"),
                TransactionKind::PayoutPaid,
                artist,
                vec![
                    (
                        acct(Owner::Artist(artist), AccountKind::PayoutInFlight),
                        -amount,
                    ),
                    (acct(Owner::External, AccountKind::BankPayouts), amount),
                ],
            ),
            Op::PayoutFailed {
                artist,
                amount,
                key,
            } => txn(
                format!("failed-{key}"),
                TransactionKind::PayoutFailed,
                artist,
                vec![
                    (
                        acct(Owner::Artist(artist), AccountKind::PayoutInFlight),
                        -amount,
                    ),
                    (acct(Owner::Artist(artist), AccountKind::Available), amount),
                ],
            ),
        }
    }
}

fn op() -> impl Strategy<Value = Op> {
    let artist = 1i64..=2;
    let key = 0u8..12;
    prop_oneof![
        (artist.clone(), 100i64..20_000, key.clone()).prop_map(|(artist, gross, key)| Op::Tip {
            artist,
            gross,
            key
        }),
        (artist.clone(), 1i64..20_000, key.clone()).prop_map(|(artist, amount, key)| Op::Settle {
            artist,
            amount,
            key
        }),
        (artist.clone(), 1i64..20_000, key.clone()).prop_map(|(artist, amount, key)| Op::Payout {
            artist,
            amount,
            key
        }),
        (artist.clone(), 1i64..20_000, key.clone()).prop_map(|(artist, amount, key)| {
            Op::PayoutPaid {
                artist,
                amount,
                key,
            }
        }),
        (artist, 1i64..20_000, key).prop_map(|(artist, amount, key)| Op::PayoutFailed {
            artist,
            amount,
            key
        }),
    ]
}

/// Every account's balance, in a stable order.
async fn snapshot(t: &TestDb) -> Vec<(i64, i64)> {
    let sql = "SELECT a.id, CAST(COALESCE(SUM(e.amount), 0) AS BIGINT) FROM ledger_accounts a \
               LEFT JOIN ledger_entries e ON e.account_id = a.id GROUP BY a.id ORDER BY a.id";
    query(sql)
        .fetch_all::<(i64, i64)>(&t.db)
        .await
        .expect("snapshot")
}

async fn unbalanced_transactions(t: &TestDb) -> i64 {
    let sql = "SELECT COUNT(*) FROM (SELECT transaction_id FROM ledger_entries GROUP BY transaction_id, currency \
               HAVING SUM(amount) <> 0) x";
    query(sql).scalar_one::<i64>(&t.db).await.expect("count")
}

async fn negative_held_balances(t: &TestDb) -> i64 {
    let sql = "SELECT COUNT(*) FROM (SELECT a.id FROM ledger_accounts a JOIN ledger_entries e ON e.account_id = a.id \
               WHERE a.kind IN ('available', 'pending', 'payout_in_flight', 'wallet') GROUP BY a.id HAVING SUM(e.amount) < 0) x";
    query(sql).scalar_one::<i64>(&t.db).await.expect("count")
}

/// Accounts whose daily sums (what balances and earnings read) differ from their
/// entries.
async fn daily_sums_off(t: &TestDb) -> i64 {
    let sql = "SELECT COUNT(*) FROM ledger_accounts a WHERE \
               (SELECT COALESCE(SUM(e.amount), 0) FROM ledger_entries e WHERE e.account_id = a.id) <> \
               (SELECT COALESCE(SUM(d.amount), 0) FROM ledger_daily d WHERE d.account_id = a.id)";
    query(sql).scalar_one::<i64>(&t.db).await.expect("count")
}

/// Applies `op` in its own database transaction; a refusal writes nothing.
async fn apply(t: &TestDb, op: &Op) -> Result<Posted, AppError> {
    let mut tx = t.db.begin_write().await?;
    let posted = service::post(&mut tx, &op.transaction()).await?;
    tx.commit().await?;
    Ok(posted)
}

async fn run_sequence(t: &TestDb, ops: &[Op]) {
    for op in ops {
        let result = apply(t, op).await;
        if let Err(err) = &result {
            assert!(
                matches!(err, AppError::Conflict(m) if m.contains("insufficient")),
                "{op:?}: {err:?}"
            );
        }
        assert_eq!(unbalanced_transactions(t).await, 0, "after {op:?}");
        assert_eq!(negative_held_balances(t).await, 0, "after {op:?}");
        assert_eq!(daily_sums_off(t).await, 0, "after {op:?}");
        // Replaying the operation with the same key changes nothing.
        let before = snapshot(t).await;
        let again = apply(t, op).await;
        if let Ok(posted) = &again {
            assert!(posted.replayed || result.is_err(), "{op:?} posted twice");
        }
        if result.is_ok() {
            assert_eq!(
                snapshot(t).await,
                before,
                "replaying {op:?} changed balances"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_operations_keep_the_books_straight(ops in proptest::collection::vec(op(), 1..40)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async {
            let t = TestDb::sqlite().await;
            run_sequence(&t, &ops).await;
        });
    }
}

proptest! {
    // The same properties on PostgreSQL (fewer cases: each creates a database).
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn random_operations_keep_the_books_straight_on_postgres(ops in proptest::collection::vec(op(), 1..40)) {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        rt.block_on(async {
            let t = TestDb::postgres().await;
            run_sequence(&t, &ops).await;
        });
    }
}

/// A fixed busy sequence, on both databases.
async fn a_day_of_money_balances(t: TestDb) {
    let mut ops = Vec::new();
    for key in 0..10u8 {
        let artist = i64::from(key % 2) + 1;
        ops.push(Op::Tip {
            artist,
            gross: 500 + i64::from(key) * 137,
            key,
        });
        ops.push(Op::Settle {
            artist,
            amount: 400,
            key,
        });
        ops.push(Op::Payout {
            artist,
            amount: 300 + i64::from(key) * 50,
            key,
        });
        if key % 3 == 0 {
            ops.push(Op::PayoutFailed {
                artist,
                amount: 300 + i64::from(key) * 50,
                key,
            });
        } else {
            ops.push(Op::PayoutPaid {
                artist,
                amount: 300 + i64::from(key) * 50,
                key,
            });
        }
    }
    run_sequence(&t, &ops).await;
    let balances = service::artist_balances(&t.db, 1, USD)
        .await
        .expect("balances");
    assert!(balances.available >= 0 && balances.pending >= 0 && balances.in_payout >= 0);
    let total: i64 = snapshot(&t).await.iter().map(|(_, b)| b).sum();
    assert_eq!(total, 0, "the books sum to zero");
}

async fn the_database_refuses_unbalanced_or_edited_books(t: TestDb) {
    let tip = Op::Tip {
        artist: 1,
        gross: 1_000,
        key: 1,
    };
    apply(&t, &tip).await.expect("posted");
    // Bypassing the service: an unbalanced transaction cannot be posted.
    query("INSERT INTO ledger_transactions (idempotency_key, kind, created_at) VALUES ('raw', 'raw', 0)")
        .execute(&t.db).await
    .expect("open transaction");
    let raw: i64 = query("SELECT id FROM ledger_transactions WHERE idempotency_key = 'raw'")
        .scalar_one(&t.db)
        .await
        .expect("id");
    let account: i64 = query("SELECT MIN(id) FROM ledger_accounts")
        .scalar_one(&t.db)
        .await
        .expect("account");
    query("INSERT INTO ledger_entries (transaction_id, account_id, amount, currency, created_at) VALUES ($1, $2, 500, 'USD', 0)")
        .bind(raw).bind(account).execute(&t.db).await
    .expect("one-sided entry");
    let post = refusal(
        &t,
        &format!("UPDATE ledger_transactions SET posted_at = 1 WHERE id = {raw}"),
    )
    .await;
    assert!(
        post.contains("an unbalanced ledger transaction cannot be posted"),
        "{post}"
    );
    // Entries are never updated or deleted; posted transactions never change.
    let update = refusal(&t, "UPDATE ledger_entries SET amount = amount + 1").await;
    assert!(
        update.contains("ledger entries are never updated"),
        "{update}"
    );
    let delete = refusal(&t, "DELETE FROM ledger_entries").await;
    assert!(
        delete.contains("ledger entries are never deleted"),
        "{delete}"
    );
    let edit = refusal(
        &t,
        "UPDATE ledger_transactions SET memo = 'x' WHERE idempotency_key = 'tip-1'",
    )
    .await;
    assert!(
        edit.contains("posted ledger transactions are never changed"),
        "{edit}"
    );
    // The unposted one counts for nothing.
    let pending = service::artist_balances(&t.db, 1, USD)
        .await
        .expect("balances")
        .pending;
    assert_eq!(pending, fees::tip(1_000, false).net);
}

async fn two_payouts_of_one_balance_pay_once(t: TestDb) {
    apply(
        &t,
        &Op::Tip {
            artist: 1,
            gross: 5_000,
            key: 1,
        },
    )
    .await
    .expect("tip");
    let net = fees::tip(5_000, false).net;
    apply(
        &t,
        &Op::Settle {
            artist: 1,
            amount: net,
            key: 1,
        },
    )
    .await
    .expect("settle");
    let a = Op::Payout {
        artist: 1,
        amount: net,
        key: 1,
    };
    let b = Op::Payout {
        artist: 1,
        amount: net,
        key: 2,
    };
    let (ra, rb) = tokio::join!(apply(&t, &a), apply(&t, &b));
    assert_eq!(
        [ra.is_ok(), rb.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{ra:?} {rb:?}"
    );
    let balances = service::artist_balances(&t.db, 1, USD)
        .await
        .expect("balances");
    assert_eq!((balances.available, balances.in_payout), (0, net));
}

/// Runs `sql` straight on the database and returns its refusal's message.
async fn refusal(t: &TestDb, sql: &str) -> String {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    let result = match t.db.pool() {
        boptone::db::Pool::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
        boptone::db::Pool::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
    };
    result.expect_err("the database refuses").to_string()
}

both_databases!(
    a_day_of_money_balances,
    the_database_refuses_unbalanced_or_edited_books,
    two_payouts_of_one_balance_pay_once,
);
