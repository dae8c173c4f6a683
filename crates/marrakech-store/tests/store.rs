//! The store's behaviour, run on SQLite always and on PostgreSQL when
//! `MARRAKECH_TEST_POSTGRES_URL` is set.

use marrakech_core::countries::{Commission, Reference, M49};
use marrakech_core::Compact;
use marrakech_store::testing::TestStore;
use marrakech_store::{
    backend_tests, Backend, CountryFilter, CountrySort, LoadOutcome, SortDirection, Store, TxError,
};

async fn compact_round_trips_exactly(store: &TestStore) {
    let stored = store.compact().await.unwrap();
    assert_eq!(&stored, Compact::official());
}

async fn loading_again_changes_nothing(store: &TestStore) {
    let outcome = store
        .load_reference(Compact::official(), Reference::official())
        .await
        .unwrap();
    assert_eq!(outcome, LoadOutcome::Unchanged);
    assert!(store.reference_loaded().await.unwrap());
    assert_eq!(
        store.migrate().await.unwrap(),
        0,
        "migrations are applied once"
    );
}

async fn objectives_actions_and_paragraphs(store: &TestStore) {
    let objectives = store.objectives(None).await.unwrap();
    assert_eq!(objectives.len(), 23);
    assert_eq!(
        objectives.iter().map(|o| o.actions.len()).sum::<usize>(),
        187
    );
    let twenty = store.objectives(Some(20)).await.unwrap();
    assert_eq!(twenty.len(), 1);
    assert_eq!(twenty[0].actions.len(), 9);
    let a = store.action("obj-20-a").await.unwrap().unwrap();
    assert!(a
        .text
        .starts_with("Develop a road map to reduce the transaction costs"));
    assert!(store.action("obj-20-z").await.unwrap().is_none());
    let p43 = store.paragraph("para-43").await.unwrap().unwrap();
    assert_eq!(p43.items.len(), 3);
    assert_eq!(p43.items[0].items[2].id, "para-43-a-iii");
    let res1 = store.paragraph("res-1").await.unwrap().unwrap();
    assert_eq!(res1.number, 1);
    assert!(store.paragraph("para-99").await.unwrap().is_none());
    let p7 = store.action("obj-7-c").await.unwrap().unwrap();
    assert!(p7.footnotes.is_empty());
    let l = store.action("obj-6-l").await.unwrap().unwrap();
    assert_eq!(l.footnotes, [21]);
}

async fn countries_filter_sort_and_page(store: &TestStore) {
    let all = |filter: CountryFilter| async move {
        store
            .countries(
                &filter,
                CountrySort::Name,
                SortDirection::Ascending,
                1000,
                0,
            )
            .await
            .unwrap()
    };
    let everyone = all(CountryFilter::default()).await;
    assert_eq!(everyone.total, 249);
    let first: Vec<&str> = everyone.countries[..3]
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(
        first,
        ["Afghanistan", "Åland Islands", "Albania"],
        "accents sort with their letter"
    );
    let members = all(CountryFilter {
        member_state: Some(true),
        ..Default::default()
    })
    .await;
    assert_eq!(members.total, 193);
    assert_eq!(members.countries.len(), 193);
    let eclac = all(CountryFilter {
        commission: Some(Commission::Eclac),
        ..Default::default()
    })
    .await;
    assert_eq!(eclac.total, 60, "46 members and 14 associates");
    let caribbean_members = all(CountryFilter {
        region: Some(M49::new(29).unwrap()),
        member_state: Some(true),
        commission: Some(Commission::Eclac),
    })
    .await;
    assert_eq!(caribbean_members.total, 13);
    assert!(caribbean_members.countries.iter().all(|c| c
        .intermediate_region
        .as_ref()
        .unwrap()
        .name
        == "Caribbean"));

    let page = store
        .countries(
            &CountryFilter::default(),
            CountrySort::M49,
            SortDirection::Descending,
            10,
            5,
        )
        .await
        .unwrap();
    assert_eq!(page.total, 249);
    assert_eq!(page.countries.len(), 10);
    let codes: Vec<u16> = page.countries.iter().map(|c| c.m49.value()).collect();
    let mut expected: Vec<u16> = Reference::official()
        .countries
        .iter()
        .map(|c| c.m49.value())
        .collect();
    expected.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(codes, expected[5..15]);
}

async fn countries_by_any_code(store: &TestStore) {
    for code in ["484", "MEX", "mex", "MX"] {
        let mexico = store.country(code).await.unwrap().unwrap();
        assert_eq!(mexico.name, "Mexico", "{code}");
        assert_eq!(&mexico, Reference::official().country("MEX").unwrap());
    }
    assert!(store.country("ZZZ").await.unwrap().is_none());
    assert!(store.country("nope").await.unwrap().is_none());
    let france = store.country("FRA").await.unwrap().unwrap();
    assert_eq!(france.commissions.len(), 3);
    assert_eq!(
        store.regions().await.unwrap(),
        Reference::official().regions
    );
}

/// Twenty concurrent withdrawals of 10 from a balance of 100, each reading the balance and
/// refusing to go below zero: exactly ten succeed, whatever the interleaving.
async fn concurrent_writers_never_overdraw(store: &TestStore) {
    sqlx::query("CREATE TABLE test_balance (id BIGINT PRIMARY KEY, amount BIGINT NOT NULL)")
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::query("INSERT INTO test_balance (id, amount) VALUES (1, 100)")
        .execute(store.pool())
        .await
        .unwrap();
    #[derive(Debug)]
    struct Insufficient;
    impl std::fmt::Display for Insufficient {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("insufficient balance")
        }
    }
    let withdraw = |store: Store| async move {
        store
            .write(|tx| {
                Box::pin(async move {
                    let balance: i64 =
                        sqlx::query_scalar("SELECT amount FROM test_balance WHERE id = 1")
                            .fetch_one(&mut **tx)
                            .await?;
                    // Give the other writers every chance to interleave.
                    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                    if balance < 10 {
                        return Err(TxError::Abort(Insufficient));
                    }
                    sqlx::query("UPDATE test_balance SET amount = $1 WHERE id = 1")
                        .bind(balance - 10)
                        .execute(&mut **tx)
                        .await?;
                    Ok(())
                })
            })
            .await
    };
    let tasks: Vec<_> = (0..20)
        .map(|_| tokio::spawn(withdraw(store.store.clone())))
        .collect();
    let mut succeeded = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(()) => succeeded += 1,
            Err(TxError::Abort(Insufficient)) => {}
            Err(e) => panic!("unexpected failure: {e}"),
        }
    }
    let balance: i64 = sqlx::query_scalar("SELECT amount FROM test_balance WHERE id = 1")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!((succeeded, balance), (10, 0));
}

/// The audit trail refuses edits, and `verify_audit` names the first entry edited or removed
/// behind its back (by someone who could drop the guard, as a database owner can).
async fn audit_trail_detects_tampering(store: &TestStore) {
    use marrakech_store::{AuditContext, AuditVerification};
    use serde_json::json;
    let ctx = AuditContext::user("u1", Some("administrator"));
    for i in 0..5 {
        store
            .record(
                &ctx,
                "test.event",
                Some(("thing", format!("t{i}"))),
                json!({"i": i}),
            )
            .await
            .unwrap();
    }
    let intact = store.verify_audit().await.unwrap();
    let AuditVerification::Intact { entries, .. } = intact else {
        panic!("{intact:?}")
    };
    assert_eq!(entries, 5);
    let refused = sqlx::query("UPDATE audit_entry SET summary = '{}' WHERE seq = 3")
        .execute(store.pool())
        .await;
    assert!(refused.unwrap_err().to_string().contains("append-only"));
    let refused = sqlx::query("DELETE FROM audit_entry WHERE seq = 3")
        .execute(store.pool())
        .await;
    assert!(refused.is_err());

    let guard_off = match store.backend() {
        Backend::Sqlite => vec![
            "DROP TRIGGER audit_entry_no_update",
            "DROP TRIGGER audit_entry_no_delete",
        ],
        Backend::Postgres => vec!["ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_no_change"],
    };
    for sql in guard_off {
        sqlx::query(sql).execute(store.pool()).await.unwrap();
    }
    sqlx::query("UPDATE audit_entry SET summary = '{\"i\":99}' WHERE seq = 3")
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(
        store.verify_audit().await.unwrap(),
        AuditVerification::Altered { seq: 3 }
    );
    sqlx::query("DELETE FROM audit_entry WHERE seq IN (3, 4)")
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(
        store.verify_audit().await.unwrap(),
        AuditVerification::Missing { after: 2, next: 5 }
    );
}

/// Appends from many writers at once still form one unbroken chain.
async fn concurrent_audit_appends_chain(store: &TestStore) {
    use marrakech_store::{AuditContext, AuditVerification};
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let store = store.store.clone();
            tokio::spawn(async move {
                store
                    .record(
                        &AuditContext::system(),
                        "test.concurrent",
                        None,
                        serde_json::json!({"i": i}),
                    )
                    .await
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let verdict = store.verify_audit().await.unwrap();
    assert!(
        matches!(verdict, AuditVerification::Intact { entries: 20, .. }),
        "{verdict:?}"
    );
}

backend_tests!(
    audit_trail_detects_tampering,
    concurrent_audit_appends_chain,
    compact_round_trips_exactly,
    loading_again_changes_nothing,
    objectives_actions_and_paragraphs,
    countries_filter_sort_and_page,
    countries_by_any_code,
    concurrent_writers_never_overdraw,
);

#[tokio::test]
async fn an_unreachable_database_is_named_with_its_reason() {
    let err = Store::connect("postgres://marrakech:secret@127.0.0.1:1/marrakech")
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(
            "cannot connect to the database at postgres://marrakech:***@127.0.0.1:1/marrakech: "
        ),
        "{err}"
    );
    assert!(err.to_lowercase().contains("refused"), "{err}");
    assert!(!err.contains('\n'));
    let err = Store::connect("mysql://h/db")
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("unsupported database URL"), "{err}");
}
