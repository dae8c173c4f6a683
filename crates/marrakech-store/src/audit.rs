//! The audit trail: every state change appends an entry, in the same transaction as the
//! change, carrying the hash of the entry before it. `verify_audit` walks the chain and names
//! the first entry that was edited, removed or inserted out of order.
//!
//! Entries name actors and targets by id and describe changes by field names and
//! non-personal values, so that pseudonymizing a deleted account changes no entry.

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{Any, Row, Transaction};

use crate::{now_text, Store, StoreError};

/// The hash the first entry chains to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who acts, as recorded: a user id and the role they act under, or the system itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditContext {
    pub actor_id: Option<String>,
    pub actor_role: Option<String>,
}

impl AuditContext {
    /// The platform acting on its own (start-up, the command line without a user).
    pub fn system() -> AuditContext {
        AuditContext {
            actor_id: None,
            actor_role: Some("system".into()),
        }
    }

    pub fn user(id: &str, role: Option<&str>) -> AuditContext {
        AuditContext {
            actor_id: Some(id.to_owned()),
            actor_role: role.map(str::to_owned),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<String>,
    pub actor_role: Option<String>,
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    /// A JSON object describing what changed.
    pub summary: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor_id: Option<String>,
    /// Entries whose action starts with this (`user.`, `organization.create`).
    pub action: Option<String>,
    pub target_id: Option<String>,
    /// From this time on (inclusive), as stored text or a date `2026-11-28`.
    pub from: Option<String>,
    /// Before this time (exclusive).
    pub until: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditVerification {
    Intact {
        entries: i64,
        head: String,
    },
    /// The entry's content does not produce its stored hash: edited in place.
    Altered {
        seq: i64,
    },
    /// The entry does not chain to the one before it (an entry before it was removed or
    /// replaced).
    Broken {
        seq: i64,
    },
    /// Sequence numbers jump: entries are missing.
    Missing {
        after: i64,
        next: i64,
    },
}

/// The entry's hash: SHA-256 over the previous hash and every field, each length-prefixed so
/// that no two different entries encode alike.
fn entry_hash(prev_hash: &str, fields: [&str; 8]) -> String {
    let mut hasher = Sha256::new();
    for field in std::iter::once(prev_hash).chain(fields) {
        hasher.update(field.len().to_string().as_bytes());
        hasher.update(b":");
        hasher.update(field.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn fields<'a>(seq: &'a str, at: &'a str, e: &'a AuditEntry) -> [&'a str; 8] {
    [
        seq,
        at,
        e.actor_id.as_deref().unwrap_or(""),
        e.actor_role.as_deref().unwrap_or(""),
        &e.action,
        e.target_kind.as_deref().unwrap_or(""),
        e.target_id.as_deref().unwrap_or(""),
        &e.summary,
    ]
}

/// Appends an entry within `tx`. Run inside [`Store::write`], whose isolation makes the read
/// of the chain's head and the insert one step; the primary key on `seq` backs that up.
pub async fn append(
    tx: &mut Transaction<'static, Any>,
    ctx: &AuditContext,
    action: &str,
    target: Option<(&str, &str)>,
    summary: serde_json::Value,
) -> Result<i64, sqlx::Error> {
    let head = sqlx::query("SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut **tx)
        .await?;
    let (prev_seq, prev_hash): (i64, String) = match head {
        Some(row) => (row.try_get("seq")?, row.try_get("hash")?),
        None => (0, GENESIS_HASH.to_owned()),
    };
    let mut entry = AuditEntry {
        seq: prev_seq + 1,
        at: now_text(),
        actor_id: ctx.actor_id.clone(),
        actor_role: ctx.actor_role.clone(),
        action: action.to_owned(),
        target_kind: target.map(|(k, _)| k.to_owned()),
        target_id: target.map(|(_, id)| id.to_owned()),
        summary: summary.to_string(),
        prev_hash,
        hash: String::new(),
    };
    let seq_text = entry.seq.to_string();
    entry.hash = entry_hash(&entry.prev_hash, fields(&seq_text, &entry.at, &entry));
    sqlx::query(
        "INSERT INTO audit_entry (seq, at, actor_id, actor_role, action, target_kind, target_id, \
         summary, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(entry.seq)
    .bind(entry.at.clone())
    .bind(entry.actor_id.clone())
    .bind(entry.actor_role.clone())
    .bind(entry.action.clone())
    .bind(entry.target_kind.clone())
    .bind(entry.target_id.clone())
    .bind(entry.summary.clone())
    .bind(entry.prev_hash.clone())
    .bind(entry.hash.clone())
    .execute(&mut **tx)
    .await?;
    Ok(entry.seq)
}

const ENTRY_COLUMNS: &str =
    "seq, at, actor_id, actor_role, action, target_kind, target_id, summary, prev_hash, hash";

fn entry_from_row(row: &sqlx::any::AnyRow) -> Result<AuditEntry, sqlx::Error> {
    Ok(AuditEntry {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        actor_id: row.try_get("actor_id")?,
        actor_role: row.try_get("actor_role")?,
        action: row.try_get("action")?,
        target_kind: row.try_get("target_kind")?,
        target_id: row.try_get("target_id")?,
        summary: row.try_get("summary")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

impl Store {
    /// Entries matching `filter`, newest first, and how many match in all.
    pub async fn audit_entries(
        &self,
        filter: &AuditFilter,
        limit: usize,
        offset: usize,
    ) -> Result<(Vec<AuditEntry>, usize), StoreError> {
        let mut conditions = Vec::new();
        let mut binds = Vec::new();
        let mut bind = |condition: &str, value: String| {
            binds.push(value);
            conditions.push(condition.replace('?', &format!("${}", binds.len())));
        };
        if let Some(actor) = &filter.actor_id {
            bind("actor_id = ?", actor.clone());
        }
        if let Some(action) = &filter.action {
            bind(
                "action LIKE ?",
                format!("{}%", action.replace(['%', '_'], "")),
            );
        }
        if let Some(target) = &filter.target_id {
            bind("target_id = ?", target.clone());
        }
        if let Some(from) = &filter.from {
            bind("at >= ?", from.clone());
        }
        if let Some(until) = &filter.until {
            bind("at < ?", until.clone());
        }
        let where_sql = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let count_sql = format!("SELECT COUNT(*) FROM audit_entry {where_sql}");
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
        for b in &binds {
            count = count.bind(b.clone());
        }
        let total = count.fetch_one(self.pool()).await? as usize;
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM audit_entry {where_sql} ORDER BY seq DESC LIMIT {} OFFSET {}",
            limit as i64, offset as i64
        );
        let mut query = sqlx::query(&sql);
        for b in &binds {
            query = query.bind(b.clone());
        }
        let rows = query.fetch_all(self.pool()).await?;
        let entries = rows
            .iter()
            .map(entry_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok((entries, total))
    }

    /// Walks the whole chain, oldest first, in pages, and names the first bad entry.
    pub async fn verify_audit(&self) -> Result<AuditVerification, StoreError> {
        const PAGE: i64 = 1000;
        let mut prev_seq = 0_i64;
        let mut prev_hash = GENESIS_HASH.to_owned();
        loop {
            let rows = sqlx::query(&format!(
                "SELECT {ENTRY_COLUMNS} FROM audit_entry WHERE seq > $1 ORDER BY seq LIMIT {PAGE}"
            ))
            .bind(prev_seq)
            .fetch_all(self.pool())
            .await?;
            if rows.is_empty() {
                return Ok(AuditVerification::Intact {
                    entries: prev_seq,
                    head: prev_hash,
                });
            }
            for row in &rows {
                let entry = entry_from_row(row)?;
                if entry.seq != prev_seq + 1 {
                    return Ok(AuditVerification::Missing {
                        after: prev_seq,
                        next: entry.seq,
                    });
                }
                let seq_text = entry.seq.to_string();
                let computed = entry_hash(&entry.prev_hash, fields(&seq_text, &entry.at, &entry));
                if computed != entry.hash {
                    return Ok(AuditVerification::Altered { seq: entry.seq });
                }
                if entry.prev_hash != prev_hash {
                    return Ok(AuditVerification::Broken { seq: entry.seq });
                }
                prev_seq = entry.seq;
                prev_hash = entry.hash;
            }
        }
    }

    /// Appends one entry in a transaction of its own (for events that change nothing else,
    /// such as a sign-in).
    pub async fn record(
        &self,
        ctx: &AuditContext,
        action: &'static str,
        target: Option<(&'static str, String)>,
        summary: serde_json::Value,
    ) -> Result<(), StoreError> {
        let ctx = ctx.clone();
        self.transaction(move |tx| {
            let (ctx, target, summary) = (ctx.clone(), target.clone(), summary.clone());
            Box::pin(async move {
                append(
                    tx,
                    &ctx,
                    action,
                    target.as_ref().map(|(k, id)| (*k, id.as_str())),
                    summary,
                )
                .await?;
                Ok(())
            })
        })
        .await
    }
}
