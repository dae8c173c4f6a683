//! Each migration is written once per backend. This test holds the two to one schema: after
//! every migration, SQLite and PostgreSQL have the same tables, the same columns with
//! corresponding types and nullability, the same primary keys, foreign keys and indexes
//! (unique or not, on the same columns). Index and constraint names may differ.

use std::collections::BTreeSet;

use marrakech_store::testing::{TestStore, POSTGRES_URL_VAR};
use marrakech_store::{Backend, Store};
use sqlx::Row;

/// One fact of a schema, comparable across backends.
type Fact = String;

/// The type a column's declared type corresponds to on the other backend.
fn type_class(declared: &str) -> &'static str {
    let t = declared.to_ascii_lowercase();
    if t.contains("int") || t == "boolean" || t == "serial" || t == "bigserial" {
        "integer"
    } else if t.contains("char") || t.contains("text") || t == "uuid" {
        "text"
    } else if t.contains("real")
        || t.contains("double")
        || t.contains("numeric")
        || t.contains("float")
    {
        "real"
    } else if t.contains("blob") || t == "bytea" {
        "blob"
    } else {
        "unknown"
    }
}

async fn sqlite_facts(store: &Store) -> BTreeSet<Fact> {
    let pool = store.pool();
    let mut facts = BTreeSet::new();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for table in &tables {
        facts.insert(format!("table {table}"));
        let columns = sqlx::query(&format!(
            "SELECT name, type, \"notnull\", pk FROM pragma_table_info('{table}')"
        ))
        .fetch_all(pool)
        .await
        .unwrap();
        let mut key = Vec::new();
        for c in &columns {
            let (name, declared, not_null, pk): (String, String, i64, i64) = (
                c.try_get(0).unwrap(),
                c.try_get(1).unwrap(),
                c.try_get(2).unwrap(),
                c.try_get(3).unwrap(),
            );
            // A primary key column is never null, whether or not SQLite was told.
            let nullable = if not_null == 1 || pk > 0 {
                "not null"
            } else {
                "null"
            };
            facts.insert(format!(
                "column {table}.{name} {} {nullable}",
                type_class(&declared)
            ));
            if pk > 0 {
                key.push((pk, name));
            }
        }
        key.sort();
        if !key.is_empty() {
            let names: Vec<String> = key.into_iter().map(|(_, n)| n).collect();
            facts.insert(format!("primary key {table} ({})", names.join(", ")));
        }
        let foreign = sqlx::query(&format!(
            "SELECT id, \"from\", \"table\", \"to\" FROM pragma_foreign_key_list('{table}') ORDER BY id, seq"
        ))
        .fetch_all(pool)
        .await
        .unwrap();
        let mut by_id: std::collections::BTreeMap<i64, (Vec<String>, String, Vec<String>)> =
            Default::default();
        for f in &foreign {
            let id: i64 = f.try_get(0).unwrap();
            let entry = by_id.entry(id).or_default();
            entry.0.push(f.try_get(1).unwrap());
            entry.1 = f.try_get(2).unwrap();
            entry.2.push(
                f.try_get::<Option<String>, _>(3)
                    .unwrap()
                    .unwrap_or_default(),
            );
        }
        for (from, to_table, to) in by_id.into_values() {
            facts.insert(format!(
                "foreign key {table} ({}) -> {to_table} ({})",
                from.join(", "),
                to.join(", ")
            ));
        }
        let indexes = sqlx::query(&format!(
            "SELECT name, \"unique\" FROM pragma_index_list('{table}') WHERE origin <> 'pk'"
        ))
        .fetch_all(pool)
        .await
        .unwrap();
        for index in &indexes {
            let (name, unique): (String, i64) =
                (index.try_get(0).unwrap(), index.try_get(1).unwrap());
            let columns: Vec<String> = sqlx::query_scalar(&format!(
                "SELECT name FROM pragma_index_info('{name}') ORDER BY seqno"
            ))
            .fetch_all(pool)
            .await
            .unwrap();
            let kind = if unique == 1 { "unique index" } else { "index" };
            facts.insert(format!("{kind} {table} ({})", columns.join(", ")));
        }
    }
    facts
}

async fn postgres_facts(store: &Store) -> BTreeSet<Fact> {
    let pool = store.pool();
    let mut facts = BTreeSet::new();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' \
         AND table_name <> '_sqlx_migrations' ORDER BY table_name",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for table in &tables {
        facts.insert(format!("table {table}"));
        let columns = sqlx::query(
            "SELECT column_name::text, data_type::text, is_nullable::text \
             FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
        )
        .bind(table)
        .fetch_all(pool)
        .await
        .unwrap();
        for c in &columns {
            let (name, declared, nullable): (String, String, String) = (
                c.try_get(0).unwrap(),
                c.try_get(1).unwrap(),
                c.try_get(2).unwrap(),
            );
            let nullable = if nullable == "NO" { "not null" } else { "null" };
            facts.insert(format!(
                "column {table}.{name} {} {nullable}",
                type_class(&declared)
            ));
        }
        // Keys and indexes, each with its columns in order.
        let indexes = sqlx::query(
            "SELECT i.indisprimary, i.indisunique, \
                    (SELECT string_agg(a.attname::text, ', ' ORDER BY k.n) \
                     FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) \
                     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum) \
             FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid \
             JOIN pg_namespace s ON s.oid = c.relnamespace \
             WHERE s.nspname = 'public' AND c.relname = $1",
        )
        .bind(table)
        .fetch_all(pool)
        .await
        .unwrap();
        for index in &indexes {
            let (primary, unique, columns): (bool, bool, String) = (
                index.try_get(0).unwrap(),
                index.try_get(1).unwrap(),
                index.try_get(2).unwrap(),
            );
            let kind = match (primary, unique) {
                (true, _) => "primary key",
                (false, true) => "unique index",
                (false, false) => "index",
            };
            facts.insert(format!("{kind} {table} ({columns})"));
        }
        let foreign = sqlx::query(
            "SELECT (SELECT string_agg(a.attname::text, ', ' ORDER BY k.n) \
                     FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, n) \
                     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum), \
                    t.relname::text, \
                    (SELECT string_agg(a.attname::text, ', ' ORDER BY k.n) \
                     FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, n) \
                     JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) \
             FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid \
             JOIN pg_class t ON t.oid = c.confrelid \
             JOIN pg_namespace s ON s.oid = r.relnamespace \
             WHERE c.contype = 'f' AND s.nspname = 'public' AND r.relname = $1",
        )
        .bind(table)
        .fetch_all(pool)
        .await
        .unwrap();
        for f in &foreign {
            let (from, to_table, to): (String, String, String) = (
                f.try_get(0).unwrap(),
                f.try_get(1).unwrap(),
                f.try_get(2).unwrap(),
            );
            facts.insert(format!("foreign key {table} ({from}) -> {to_table} ({to})"));
        }
    }
    facts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_backends_have_the_same_schema_after_every_migration() {
    // The README's test command runs without PostgreSQL; CI's PostgreSQL suite runs this.
    if std::env::var_os(POSTGRES_URL_VAR).is_none() {
        eprintln!("schema parity: skipped ({POSTGRES_URL_VAR} is not set)");
        return;
    }
    let sqlite = TestStore::empty(Backend::Sqlite).await.unwrap();
    let postgres = TestStore::empty(Backend::Postgres).await.unwrap();
    let (lite, pg) = (sqlite_facts(&sqlite).await, postgres_facts(&postgres).await);
    assert!(
        lite.iter().filter(|f| f.starts_with("table ")).count() > 30,
        "the schema was not read: {lite:?}"
    );
    for kind in [
        "table ",
        "column ",
        "primary key ",
        "foreign key ",
        "unique index ",
        "index ",
    ] {
        let count = |facts: &BTreeSet<Fact>| facts.iter().filter(|f| f.starts_with(kind)).count();
        eprintln!("{kind}: SQLite {}, PostgreSQL {}", count(&lite), count(&pg));
    }
    let only_sqlite: Vec<_> = lite.difference(&pg).collect();
    let only_postgres: Vec<_> = pg.difference(&lite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "the schemas differ.\nonly on SQLite:\n  {}\nonly on PostgreSQL:\n  {}",
        only_sqlite
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n  "),
        only_postgres
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}
