//! PostgreSQL full-text search: one `tsvector` per item combining every language version,
//! each with its own text search configuration (english, french, spanish, russian, arabic;
//! `simple` over bigrams for Chinese and for names), titles weighted A, names B; a GIN index;
//! `ts_rank` for ranking and `ts_headline` for the snippet of the top 20. Each word of a
//! query may match in any configuration, and all words must match, as in the index.
//!
//! Session settings a deployment would use for this workload: `jit = off` (compiling plans
//! costs more than it saves on sub-second queries), `work_mem = 64MB` for the facet
//! aggregates, and `maintenance_work_mem = 1GB` while building the GIN index.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use postgres::{Client as PgClient, NoTls};

use super::{
    cjk_bigrams, coded_filters, facet_rows, BenchError, BenchQuery, Client, Engine, Outcome,
};
use crate::document::{Language, SearchDocument};

pub struct PostgresEngine {
    config: postgres::Config,
}

impl PostgresEngine {
    /// An engine using the database `config` names (its tables are replaced).
    pub fn new(config: postgres::Config) -> PostgresEngine {
        PostgresEngine { config }
    }
}

/// Whether a server answers at `url`.
pub fn available(url: &str) -> Result<(), String> {
    PgClient::connect(url, NoTls)
        .and_then(|mut c| c.simple_query("SELECT 1").map(|_| ()))
        .map_err(|e| e.to_string())
}

/// Creates the benchmark database if needed, connecting through `admin_url`.
pub fn ensure_database(admin_url: &str, name: &str) -> Result<(), BenchError> {
    let mut c = PgClient::connect(admin_url, NoTls)?;
    let exists = c
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])?
        .is_some();
    if !exists {
        c.batch_execute(&format!("CREATE DATABASE \"{name}\""))?;
    }
    Ok(())
}

/// COPY text format escaping.
fn copy_field(out: &mut Vec<u8>, value: Option<&str>) {
    match value {
        None => out.extend_from_slice(b"\\N"),
        Some(s) => {
            for b in s.bytes() {
                match b {
                    b'\\' => out.extend_from_slice(b"\\\\"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    _ => out.push(b),
                }
            }
        }
    }
}

/// Column order of `items_raw`'s language columns.
const LANGS: [(Language, &str); 6] = [
    (Language::En, "english"),
    (Language::Fr, "french"),
    (Language::Es, "spanish"),
    (Language::Ru, "russian"),
    (Language::Ar, "arabic"),
    (Language::Zh, "simple"),
];

fn connect(config: &postgres::Config) -> Result<PgClient, BenchError> {
    let mut c = config.connect(NoTls)?;
    c.batch_execute("SET jit = off; SET work_mem = '64MB';")?;
    Ok(c)
}

impl Engine for PostgresEngine {
    fn name(&self) -> &'static str {
        "postgresql-fts"
    }

    fn build(&mut self, docs: &mut dyn Iterator<Item = SearchDocument>) -> Result<(), BenchError> {
        let mut c = connect(&self.config)?;
        c.batch_execute("SET maintenance_work_mem = '1GB';")?;
        let lang_cols: Vec<String> = LANGS
            .iter()
            .map(|(l, _)| format!("title_{0} text, text_{0} text", l.code()))
            .collect();
        c.batch_execute(&format!(
            "DROP TABLE IF EXISTS items, items_raw, facets;
             CREATE UNLOGGED TABLE items_raw(id int, ext_id text, published date, summary text, {}, names text);
             CREATE TABLE facets(item int NOT NULL, facet smallint NOT NULL, value int NOT NULL);",
            lang_cols.join(", ")
        ))?;
        {
            let mut items = c.copy_in("COPY items_raw FROM STDIN")?;
            let mut facets_buf: Vec<u8> = Vec::with_capacity(1 << 20);
            let mut facet_rows_all: Vec<Vec<u8>> = Vec::new();
            let mut line: Vec<u8> = Vec::with_capacity(8192);
            for (n, doc) in docs.enumerate() {
                let id = (n + 1).to_string();
                line.clear();
                copy_field(&mut line, Some(&id));
                line.push(b'\t');
                copy_field(&mut line, Some(&doc.id));
                line.push(b'\t');
                copy_field(&mut line, Some(&doc.published.to_string()));
                line.push(b'\t');
                copy_field(&mut line, doc.original().map(|v| v.summary.as_str()));
                for (l, _) in LANGS {
                    let v = doc.version(l);
                    let prep = |s: &str| {
                        if l == Language::Zh {
                            cjk_bigrams(s)
                        } else {
                            s.to_owned()
                        }
                    };
                    line.push(b'\t');
                    copy_field(&mut line, v.map(|v| prep(&v.title)).as_deref());
                    line.push(b'\t');
                    copy_field(
                        &mut line,
                        v.map(|v| prep(&format!("{}\n{}", v.summary, v.body)))
                            .as_deref(),
                    );
                }
                let (_, _, names) = super::sqlite_engine::columns(&doc);
                line.push(b'\t');
                copy_field(&mut line, Some(&names));
                line.push(b'\n');
                items.write_all(&line)?;
                for (f, v) in facet_rows(&doc) {
                    writeln!(facets_buf, "{id}\t{f}\t{v}")?;
                }
                if facets_buf.len() > 16 << 20 {
                    facet_rows_all.push(std::mem::take(&mut facets_buf));
                }
            }
            items.finish()?;
            facet_rows_all.push(facets_buf);
            let mut facets = c.copy_in("COPY facets FROM STDIN")?;
            for chunk in facet_rows_all {
                facets.write_all(&chunk)?;
            }
            facets.finish()?;
        }
        let mut tsv = Vec::new();
        for (l, config) in LANGS {
            tsv.push(format!(
                "setweight(to_tsvector('{config}', coalesce(title_{0}, '')), 'A') || to_tsvector('{config}', coalesce(text_{0}, ''))",
                l.code()
            ));
        }
        tsv.push("setweight(to_tsvector('simple', coalesce(names, '')), 'B')".into());
        c.batch_execute(&format!(
            "CREATE TABLE items AS SELECT id, ext_id, published, summary, {} AS tsv FROM items_raw;
             DROP TABLE items_raw;
             ALTER TABLE items ADD PRIMARY KEY (id);
             CREATE INDEX items_tsv ON items USING GIN (tsv);
             CREATE INDEX facets_by_item ON facets(item, facet, value);
             CREATE INDEX facets_by_value ON facets(facet, value, item);",
            tsv.join(" || ")
        ))?;
        // VACUUM refuses to run in the implicit transaction of a multi-statement batch.
        c.batch_execute("VACUUM ANALYZE items")?;
        c.batch_execute("VACUUM ANALYZE facets")?;
        Ok(())
    }

    fn client(&self) -> Result<Box<dyn Client + '_>, BenchError> {
        Ok(Box::new(PostgresClient {
            conn: connect(&self.config)?,
        }))
    }

    fn notes(&self) -> Vec<(String, String)> {
        let size = connect(&self.config).and_then(|mut c| {
            Ok(c.query_one(
                "SELECT (pg_total_relation_size('items') + pg_total_relation_size('facets'))::bigint",
                &[],
            )?
            .get::<_, i64>(0))
        });
        match size {
            Ok(bytes) => vec![(
                "disk_mib".into(),
                format!("{:.0}", bytes as f64 / 1_048_576.0),
            )],
            Err(_) => Vec::new(),
        }
    }
}

struct PostgresClient {
    conn: PgClient,
}

/// The tsquery: per word, the disjunction of its parse in every configuration; words ANDed.
/// Returns the SQL expression and its parameters.
fn tsquery(q: &BenchQuery) -> (String, Vec<String>) {
    let mut parts = Vec::new();
    let mut params = Vec::new();
    for word in q.words() {
        if word.chars().any(crate::analysis::is_cjk) {
            params.push(cjk_bigrams(word));
            parts.push(format!("plainto_tsquery('simple', ${})", params.len()));
        } else {
            params.push(word.to_owned());
            let k = params.len();
            let alts: Vec<String> = [
                "english", "french", "spanish", "russian", "arabic", "simple",
            ]
            .iter()
            .map(|c| format!("plainto_tsquery('{c}', ${k})"))
            .collect();
            parts.push(format!("({})", alts.join(" || ")));
        }
    }
    (parts.join(" && "), params)
}

fn filter_sql(filters: &[(i64, Vec<i64>)], column: &str, except: Option<i64>) -> String {
    filters
        .iter()
        .filter(|(f, _)| Some(*f) != except)
        .map(|(f, values)| {
            let list: Vec<String> = values.iter().map(|v| v.to_string()).collect();
            format!(
                " AND {column} IN (SELECT item FROM facets WHERE facet = {f} AND value IN ({}))",
                list.join(",")
            )
        })
        .collect()
}

impl Client for PostgresClient {
    fn search(&mut self, q: &BenchQuery) -> Result<Outcome, BenchError> {
        let (expr, params) = tsquery(q);
        if params.is_empty() {
            return Ok(Outcome::default());
        }
        let filters = coded_filters(q)?;
        let filtered: Vec<String> = filters.iter().map(|(f, _)| f.to_string()).collect();
        let mut sql = format!(
            "WITH q AS (SELECT {expr} AS q),
                  m AS MATERIALIZED (SELECT i.id FROM items i, q WHERE i.tsv @@ q.q),
                  mf AS MATERIALIZED (SELECT id FROM m WHERE true{}),
                  top AS (SELECT i.id, i.summary, ts_rank(i.tsv, q.q) AS r
                          FROM items i JOIN mf USING (id), q ORDER BY r DESC LIMIT 20)
             SELECT 0 AS part, count(*)::bigint AS a, 0::bigint AS b, 0::bigint AS c, NULL::text AS t FROM mf
             UNION ALL
             SELECT 1, top.id::bigint, 0, 0, ts_headline('english', top.summary, q.q) FROM top, q
             UNION ALL
             SELECT 2, f.facet::bigint, f.value::bigint, count(*)::bigint, NULL
             FROM mf JOIN facets f ON f.item = mf.id
             WHERE f.facet NOT IN ({}) GROUP BY f.facet, f.value",
            filter_sql(&filters, "id", None),
            if filtered.is_empty() { "-1".to_owned() } else { filtered.join(",") }
        );
        for (f, _) in &filters {
            sql.push_str(&format!(
                "
             UNION ALL
             SELECT 2, f.facet::bigint, f.value::bigint, count(*)::bigint, NULL
             FROM m JOIN facets f ON f.item = m.id AND f.facet = {f}
             WHERE true{} GROUP BY f.facet, f.value",
                filter_sql(&filters, "m.id", Some(*f))
            ));
        }
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = params
            .iter()
            .map(|p| p as &(dyn postgres::types::ToSql + Sync))
            .collect();
        let rows = self.conn.query(&sql, &refs)?;
        let mut out = Outcome::default();
        for row in rows {
            match row.get::<_, i32>(0) {
                0 => out.total = row.get::<_, i64>(1) as u64,
                1 => out.hits += 1,
                _ => out.facet_values += 1,
            }
        }
        Ok(out)
    }
}

/// Samples the PostgreSQL server's memory while a run goes on: the sum of the proportional
/// set size (PSS, which splits shared buffers fairly between processes) of every process
/// named `postgres` on this machine. Meaningful only for a local server.
pub struct PssSampler {
    stop: Arc<AtomicBool>,
    peak: Arc<Mutex<f64>>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl PssSampler {
    pub fn start() -> PssSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(Mutex::new(0.0));
        let handle = {
            let stop = stop.clone();
            let peak = peak.clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let now = postgres_pss_mib();
                    if let Ok(mut p) = peak.lock() {
                        if now > *p {
                            *p = now;
                        }
                    }
                    std::thread::sleep(Duration::from_millis(200));
                }
            })
        };
        PssSampler {
            stop,
            peak,
            handle: Some(handle),
        }
    }

    pub fn peak_mib(&self) -> Option<f64> {
        self.peak.lock().ok().map(|p| *p).filter(|p| *p > 0.0)
    }
}

impl Drop for PssSampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn postgres_pss_mib() -> f64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    let mut kb = 0.0;
    for e in entries.flatten() {
        let path = e.path();
        let is_pid = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()));
        if !is_pid {
            continue;
        }
        let comm = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        if comm.trim() != "postgres" {
            continue;
        }
        if let Ok(rollup) = std::fs::read_to_string(path.join("smaps_rollup")) {
            if let Some(v) = rollup
                .lines()
                .find_map(|l| l.strip_prefix("Pss:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            {
                kb += v;
            }
        }
    }
    kb / 1024.0
}
