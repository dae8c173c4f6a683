//! SQLite FTS5: the embedded database the platform already ships (rusqlite's bundled
//! SQLite). FTS5's only stemmer is Porter (English); other languages are matched as written
//! (case and accents folded), Chinese through bigrams made before indexing and querying.
//! Ranking is FTS5's `bm25()` with the same field weights as the index (titles 2, names 1.5).

use std::path::PathBuf;

use rusqlite::{params, Connection, OpenFlags};

use super::{
    cjk_bigrams, coded_filters, facet_rows, BenchError, BenchQuery, Client, Engine, Outcome,
};
use crate::document::SearchDocument;

/// Page cache per connection, in KiB (negative `cache_size` is KiB in SQLite).
const CACHE_KIB: i64 = 262_144;

pub struct SqliteEngine {
    path: PathBuf,
}

impl SqliteEngine {
    pub fn new(path: PathBuf) -> SqliteEngine {
        SqliteEngine { path }
    }
}

/// Every version's titles, texts, and the names, as FTS5 columns.
pub(crate) fn columns(doc: &SearchDocument) -> (String, String, String) {
    let mut title = String::new();
    let mut body = String::new();
    for v in &doc.versions {
        let zh = v.language == crate::Language::Zh;
        let prep = |s: &str| if zh { cjk_bigrams(s) } else { s.to_owned() };
        title.push_str(&prep(&v.title));
        title.push('\n');
        body.push_str(&prep(&v.summary));
        body.push('\n');
        body.push_str(&prep(&v.body));
        body.push('\n');
    }
    let mut names = String::new();
    for o in &doc.organizations {
        names.push_str(&o.name);
        names.push('\n');
    }
    for c in &doc.countries {
        if let Some(country) = crate::document::country(*c) {
            names.push_str(&country.name);
            names.push('\n');
        }
    }
    (title, body, names)
}

impl Engine for SqliteEngine {
    fn name(&self) -> &'static str {
        "sqlite-fts5"
    }

    fn build(&mut self, docs: &mut dyn Iterator<Item = SearchDocument>) -> Result<(), BenchError> {
        for suffix in ["", "-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{suffix}", self.path.display()));
            if p.exists() {
                std::fs::remove_file(p)?;
            }
        }
        let mut conn = Connection::open(&self.path)?;
        conn.execute_batch(&format!(
            "PRAGMA journal_mode=WAL;
             PRAGMA synchronous=OFF;
             PRAGMA cache_size=-{CACHE_KIB};
             CREATE TABLE items(id INTEGER PRIMARY KEY, ext_id TEXT NOT NULL, published TEXT NOT NULL);
             CREATE VIRTUAL TABLE fts USING fts5(title, body, names, tokenize='porter unicode61 remove_diacritics 2');
             CREATE TABLE facets(item INTEGER NOT NULL, facet INTEGER NOT NULL, value INTEGER NOT NULL,
                                 PRIMARY KEY(item, facet, value)) WITHOUT ROWID;"
        ))?;
        let mut n: i64 = 0;
        let mut tx = conn.transaction()?;
        loop {
            {
                let mut item = tx.prepare_cached(
                    "INSERT INTO items(id, ext_id, published) VALUES (?1, ?2, ?3)",
                )?;
                let mut fts = tx.prepare_cached(
                    "INSERT INTO fts(rowid, title, body, names) VALUES (?1, ?2, ?3, ?4)",
                )?;
                let mut facet = tx.prepare_cached(
                    "INSERT OR IGNORE INTO facets(item, facet, value) VALUES (?1, ?2, ?3)",
                )?;
                let mut batch = 0;
                for doc in &mut *docs {
                    n += 1;
                    item.execute(params![n, doc.id, doc.published.to_string()])?;
                    let (title, body, names) = columns(&doc);
                    fts.execute(params![n, title, body, names])?;
                    for (f, v) in facet_rows(&doc) {
                        facet.execute(params![n, f, v])?;
                    }
                    batch += 1;
                    if batch == 50_000 {
                        break;
                    }
                }
                if batch < 50_000 {
                    break;
                }
            }
            tx.commit()?;
            tx = conn.transaction()?;
        }
        tx.commit()?;
        conn.execute_batch(
            "CREATE INDEX facets_by_value ON facets(facet, value, item);
             INSERT INTO fts(fts) VALUES('optimize');
             ANALYZE;
             PRAGMA wal_checkpoint(TRUNCATE);",
        )?;
        Ok(())
    }

    fn client(&self) -> Result<Box<dyn Client + '_>, BenchError> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.execute_batch(&format!("PRAGMA cache_size=-{CACHE_KIB};"))?;
        Ok(Box::new(SqliteClient { conn }))
    }

    fn notes(&self) -> Vec<(String, String)> {
        let size = std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0);
        vec![(
            "disk_mib".into(),
            format!("{:.0}", size as f64 / 1_048_576.0),
        )]
    }
}

struct SqliteClient {
    conn: Connection,
}

/// The FTS5 query: every word quoted (so nothing in it is FTS5 syntax), implicitly ANDed.
pub(crate) fn match_expression(q: &BenchQuery) -> String {
    let mut parts = Vec::new();
    for word in q.words() {
        let prepared = if word.chars().any(crate::analysis::is_cjk) {
            cjk_bigrams(word)
        } else {
            word.to_owned()
        };
        for token in prepared
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
        {
            parts.push(format!("\"{}\"", token.replace('"', "\"\"")));
        }
    }
    parts.join(" ")
}

fn filter_sql(filters: &[(i64, Vec<i64>)], column: &str, except: Option<i64>) -> String {
    filters
        .iter()
        .filter(|(f, _)| Some(*f) != except)
        .map(|(f, values)| {
            let list: Vec<String> = values.iter().map(|v| v.to_string()).collect();
            format!(
                " AND +{column} IN (SELECT item FROM facets WHERE facet = {f} AND value IN ({}))",
                list.join(",")
            )
        })
        .collect()
}

impl Client for SqliteClient {
    fn search(&mut self, q: &BenchQuery) -> Result<Outcome, BenchError> {
        let expr = match_expression(q);
        if expr.is_empty() {
            return Ok(Outcome::default());
        }
        let filters = coded_filters(q)?;
        let top_sql = format!(
            "SELECT items.ext_id, bm25(fts, 2.0, 1.0, 1.5) AS r, snippet(fts, 1, '<mark>', '</mark>', '…', 24)
             FROM fts JOIN items ON items.id = fts.rowid
             WHERE fts MATCH ?1{}
             ORDER BY r LIMIT 20",
            filter_sql(&filters, "fts.rowid", None)
        );
        let mut hits = 0;
        {
            let mut stmt = self.conn.prepare_cached(&top_sql)?;
            let mut rows = stmt.query(params![expr])?;
            while let Some(row) = rows.next()? {
                let _id: String = row.get(0)?;
                let _snippet: String = row.get(2)?;
                hits += 1;
            }
        }
        let filtered: Vec<String> = filters.iter().map(|(f, _)| f.to_string()).collect();
        let mut counts_sql = format!(
            "WITH m AS MATERIALIZED (SELECT rowid AS id FROM fts WHERE fts MATCH ?1),
                  mf AS MATERIALIZED (SELECT id FROM m WHERE 1{})
             SELECT -1, 0, count(*) FROM mf
             UNION ALL
             SELECT f.facet, f.value, count(*) FROM mf JOIN facets f ON f.item = mf.id
             WHERE f.facet NOT IN ({}) GROUP BY f.facet, f.value",
            filter_sql(&filters, "id", None),
            if filtered.is_empty() {
                "-1".to_owned()
            } else {
                filtered.join(",")
            }
        );
        for (f, _) in &filters {
            counts_sql.push_str(&format!(
                "
             UNION ALL
             SELECT f.facet, f.value, count(*) FROM m JOIN facets f ON f.item = m.id AND f.facet = {f}
             WHERE 1{} GROUP BY f.facet, f.value",
                filter_sql(&filters, "m.id", Some(*f))
            ));
        }
        let mut total = 0u64;
        let mut facet_values = 0;
        let mut stmt = self.conn.prepare_cached(&counts_sql)?;
        let mut rows = stmt.query(params![expr])?;
        while let Some(row) = rows.next()? {
            let facet: i64 = row.get(0)?;
            let count: i64 = row.get(2)?;
            if facet < 0 {
                total = count as u64;
            } else {
                facet_values += 1;
            }
        }
        Ok(Outcome {
            total,
            hits,
            facet_values,
        })
    }
}
