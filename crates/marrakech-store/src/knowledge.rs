//! Knowledge items: their content in several languages, their workflow, reviews, comments,
//! calls for practices, attachments, harvesting, and the log the search index follows.
//!
//! Every change is one transaction with its audit entry; every change to what is published
//! also appends to `knowledge_index_log`, which each server's search index applies.

use std::collections::{BTreeMap, HashMap};

use marrakech_core::countries::M49;
use marrakech_core::knowledge::{
    next_status, panel_state, ImplementationState, ItemKind, ItemStatus, Language, PanelState,
    Seat, Step, Verdict,
};
use marrakech_core::policy::{OrganizationKind, ReviewerKind};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::audit::{append, AuditContext};
use crate::workflow::{self, Workflow};
use crate::{new_id, now_text, Store, StoreError};

/// Items submitted here carry this source.
pub const LOCAL_SOURCE: &str = "marrakech";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemText {
    pub language: Language,
    pub title: String,
    pub summary: String,
    /// Markdown.
    pub body: String,
    pub results: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PartyRole {
    Implementer,
    Partner,
}

impl PartyRole {
    pub fn as_str(self) -> &'static str {
        match self {
            PartyRole::Implementer => "implementer",
            PartyRole::Partner => "partner",
        }
    }

    pub fn parse(s: &str) -> Option<PartyRole> {
        match s {
            "implementer" => Some(PartyRole::Implementer),
            "partner" => Some(PartyRole::Partner),
            _ => None,
        }
    }
}

/// An organization implementing the item or partnering in it; registered or named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Party {
    pub role: PartyRole,
    pub name: String,
    pub organization_id: Option<String>,
    pub kind: Option<OrganizationKind>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub url: String,
    pub title: String,
    /// A format hint (`PDF`, `CSV`, `HTML`).
    pub format: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentMeta {
    pub id: String,
    pub filename: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
}

/// What a submitter writes: everything about an item but its workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemContent {
    pub kind: ItemKind,
    pub original_language: Language,
    pub texts: Vec<ItemText>,
    /// `obj-7`
    pub objectives: Vec<String>,
    /// `obj-7-c`
    pub actions: Vec<String>,
    /// `gp-a`
    pub principles: Vec<String>,
    pub countries: Vec<M49>,
    pub regions: Vec<M49>,
    /// Global in scope rather than (or beside) countries and regions.
    pub global: bool,
    /// Free thematic tags.
    pub themes: Vec<String>,
    pub parties: Vec<Party>,
    pub period_start: Option<i32>,
    pub period_end: Option<i32>,
    pub implementation_state: Option<ImplementationState>,
    pub licence: String,
    pub links: Vec<Link>,
    pub call_id: Option<String>,
    /// Personal data: never public.
    pub contact_name: Option<String>,
    /// Personal data: never public.
    pub contact_email: Option<String>,
}

impl ItemContent {
    /// The text in the item's original language (or the first one).
    pub fn original(&self) -> Option<&ItemText> {
        self.texts
            .iter()
            .find(|t| t.language == self.original_language)
            .or_else(|| self.texts.first())
    }

    /// The text in `language`, or the original.
    pub fn text_in(&self, language: Language) -> Option<&ItemText> {
        self.texts
            .iter()
            .find(|t| t.language == language)
            .or_else(|| self.original())
    }

    /// Puts lists in their canonical order (the original text first, then the others in the
    /// UN's order; objectives and actions in the compact's order; codes ascending), so that
    /// equal content compares and hashes equal wherever it came from.
    pub fn normalize(&mut self) {
        let original = self.original_language;
        self.texts
            .sort_by_key(|t| (t.language != original, t.language));
        let compact_order = |id: &String| {
            let mut parts = id.split('-').skip(1);
            let number: u32 = parts
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(u32::MAX);
            (
                number,
                parts.next().unwrap_or_default().to_owned(),
                id.clone(),
            )
        };
        for list in [&mut self.objectives, &mut self.actions] {
            list.sort_by_key(compact_order);
            list.dedup();
        }
        self.principles.sort();
        self.principles.dedup();
        self.countries.sort();
        self.countries.dedup();
        self.regions.sort();
        self.regions.dedup();
        self.themes.sort();
        self.themes.dedup();
    }

    /// The public content's fingerprint: contact details are left out, so that they never
    /// make a harvested item look changed, and never leak through the hash.
    pub fn fingerprint(&self) -> String {
        let mut public = self.clone();
        public.normalize();
        public.contact_name = None;
        public.contact_email = None;
        let bytes = serde_json::to_vec(&public).unwrap_or_default();
        Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub id: String,
    pub status: ItemStatus,
    pub submitter_id: Option<String>,
    pub owner_organization: Option<String>,
    pub owner_country: Option<M49>,
    /// `marrakech`, or the URL of the source it was harvested from.
    pub source: String,
    pub source_id: Option<String>,
    pub source_url: Option<String>,
    pub content: ItemContent,
    pub attachments: Vec<AttachmentMeta>,
    pub content_hash: String,
    pub created_at: String,
    pub updated_at: String,
    pub submitted_at: Option<String>,
    pub published_at: Option<String>,
    pub withdrawn_at: Option<String>,
}

impl Item {
    pub fn is_harvested(&self) -> bool {
        self.source != LOCAL_SOURCE
    }
}

/// Who an item is submitted for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Owner {
    pub submitter_id: Option<String>,
    pub organization: Option<String>,
    pub country: Option<M49>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemFilter {
    pub status: Option<ItemStatus>,
    pub submitter_id: Option<String>,
    pub owner_organization: Option<String>,
    pub owner_country: Option<M49>,
    pub call_id: Option<String>,
    /// Items tagged with this objective (`obj-7`).
    pub objective: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transition {
    pub from: Option<ItemStatus>,
    pub to: ItemStatus,
    pub actor_id: Option<String>,
    pub actor_role: Option<String>,
    pub note: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    pub id: String,
    pub item_id: String,
    pub reviewer_id: String,
    pub reviewer_kind: ReviewerKind,
    pub assigned_at: String,
    pub conflict: bool,
    pub conflict_note: String,
    pub verdict: Option<Verdict>,
    /// Shared with the submitter.
    pub comment: String,
    pub completed_at: Option<String>,
}

impl Review {
    pub fn seat(&self) -> Seat {
        Seat {
            kind: self.reviewer_kind,
            recused: self.conflict,
            verdict: self.verdict,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    pub id: String,
    pub author_id: Option<String>,
    pub body: String,
    pub visible_to_submitter: bool,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Call {
    pub id: String,
    pub title: String,
    /// Markdown.
    pub theme: String,
    pub opens_on: String,
    pub closes_on: String,
    pub objectives: Vec<String>,
    pub created_at: String,
}

impl Call {
    /// Open on `today` (`YYYY-MM-DD`), both ends included.
    pub fn is_open(&self, today: &str) -> bool {
        self.opens_on.as_str() <= today && today <= self.closes_on.as_str()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCall {
    pub title: String,
    pub theme: String,
    pub opens_on: String,
    pub closes_on: String,
    pub objectives: Vec<String>,
}

/// An item as another catalogue published it, for harvesting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HarvestedItem {
    pub source_id: String,
    pub source_url: Option<String>,
    pub published_at: String,
    pub content: ItemContent,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HarvestReport {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Items the source no longer lists, withdrawn here.
    pub withdrawn: usize,
}

fn corrupt(what: &'static str, value: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        what,
        value: value.into(),
    }
}

const ITEM_COLUMNS: &str = "id, kind, status, original_language, submitter_id, owner_organization, \
     owner_country, call_id, scope_global, period_start, period_end, implementation_state, licence, \
     source, source_id, source_url, content_hash, contact_name, contact_email, created_at, updated_at, \
     submitted_at, published_at, withdrawn_at";

/// The taxonomy tables, each with its value column, in the order `write_content` fills them.
const TAXONOMY_TABLES: [(&str, &str); 6] = [
    ("knowledge_objective", "objective_id"),
    ("knowledge_action", "action_id"),
    ("knowledge_principle", "principle_id"),
    ("knowledge_country", "m49"),
    ("knowledge_region", "region_code"),
    ("knowledge_theme", "theme"),
];

/// Appends to the index log within `tx`: the item's published state changed.
async fn log_for_index(
    tx: &mut Transaction<'static, Any>,
    item_id: &str,
) -> Result<(), sqlx::Error> {
    let next: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM knowledge_index_log")
        .fetch_one(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO knowledge_index_log (seq, item_id, at) VALUES ($1, $2, $3)")
        .bind(next)
        .bind(item_id.to_owned())
        .bind(now_text())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Writes an item's content rows (replacing the previous ones).
async fn write_content(
    tx: &mut Transaction<'static, Any>,
    id: &str,
    content: &ItemContent,
) -> Result<(), StoreError> {
    let tables = TAXONOMY_TABLES.iter().map(|(t, _)| *t).chain([
        "knowledge_text",
        "knowledge_party",
        "knowledge_link",
    ]);
    for table in tables {
        sqlx::query(&format!("DELETE FROM {table} WHERE item_id = $1"))
            .bind(id.to_owned())
            .execute(&mut **tx)
            .await?;
    }
    for t in &content.texts {
        sqlx::query(
            "INSERT INTO knowledge_text (item_id, language, title, summary, body, results) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.to_owned())
        .bind(t.language.code())
        .bind(t.title.clone())
        .bind(t.summary.clone())
        .bind(t.body.clone())
        .bind(t.results.clone())
        .execute(&mut **tx)
        .await?;
    }
    let values: [Vec<String>; 6] = [
        content.objectives.clone(),
        content.actions.clone(),
        content.principles.clone(),
        content.countries.iter().map(|c| c.to_string()).collect(),
        content.regions.iter().map(|c| c.to_string()).collect(),
        content.themes.clone(),
    ];
    for ((table, column), mut values) in TAXONOMY_TABLES.iter().zip(values) {
        values.sort();
        values.dedup();
        for value in values {
            sqlx::query(&format!(
                "INSERT INTO {table} (item_id, {column}) VALUES ($1, $2)"
            ))
            .bind(id.to_owned())
            .bind(value)
            .execute(&mut **tx)
            .await?;
        }
    }
    for (position, p) in content.parties.iter().enumerate() {
        sqlx::query(
            "INSERT INTO knowledge_party (item_id, position, role, name, organization_id, kind) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.to_owned())
        .bind(position as i64)
        .bind(p.role.as_str())
        .bind(p.name.clone())
        .bind(p.organization_id.clone())
        .bind(p.kind.map(|k| k.slug()))
        .execute(&mut **tx)
        .await?;
    }
    for (position, l) in content.links.iter().enumerate() {
        sqlx::query("INSERT INTO knowledge_link (item_id, position, url, title, format) VALUES ($1, $2, $3, $4, $5)")
            .bind(id.to_owned())
            .bind(position as i64)
            .bind(l.url.clone())
            .bind(l.title.clone())
            .bind(l.format.clone())
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query(
        "UPDATE knowledge_item SET kind = $1, original_language = $2, call_id = $3, scope_global = $4, \
         period_start = $5, period_end = $6, implementation_state = $7, licence = $8, contact_name = $9, \
         contact_email = $10, content_hash = $11, updated_at = $12 WHERE id = $13",
    )
    .bind(content.kind.slug())
    .bind(content.original_language.code())
    .bind(content.call_id.clone())
    .bind(i64::from(content.global))
    .bind(content.period_start.map(i64::from))
    .bind(content.period_end.map(i64::from))
    .bind(content.implementation_state.map(|s| s.slug()))
    .bind(content.licence.clone())
    .bind(content.contact_name.clone())
    .bind(content.contact_email.clone())
    .bind(content.fingerprint())
    .bind(now_text())
    .bind(id.to_owned())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_item(
    tx: &mut Transaction<'static, Any>,
    id: &str,
    owner: &Owner,
    source: (&str, Option<&str>, Option<&str>),
    status: ItemStatus,
    content: &ItemContent,
) -> Result<(), StoreError> {
    let now = now_text();
    sqlx::query(
        "INSERT INTO knowledge_item (id, kind, status, original_language, submitter_id, owner_organization, \
         owner_country, licence, source, source_id, source_url, content_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, '', $12, $12)",
    )
    .bind(id.to_owned())
    .bind(content.kind.slug())
    .bind(status.slug())
    .bind(content.original_language.code())
    .bind(owner.submitter_id.clone())
    .bind(owner.organization.clone())
    .bind(owner.country.map(|c| c.to_string()))
    .bind(content.licence.clone())
    .bind(source.0.to_owned())
    .bind(source.1.map(str::to_owned))
    .bind(source.2.map(str::to_owned))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    write_content(tx, id, content).await
}

/// Records a move of this workflow (see `crate::workflow`).
async fn record_transition(
    tx: &mut Transaction<'static, Any>,
    ctx: &AuditContext,
    id: &str,
    from: Option<ItemStatus>,
    to: ItemStatus,
    note: &str,
) -> Result<(), sqlx::Error> {
    workflow::record_transition(
        tx,
        ctx,
        Workflow::Knowledge,
        id,
        from.map(|s| s.slug()),
        to.slug(),
        note,
    )
    .await
}

async fn status_of(tx: &mut Transaction<'static, Any>, id: &str) -> Result<ItemStatus, StoreError> {
    let status: Option<String> =
        sqlx::query_scalar("SELECT status FROM knowledge_item WHERE id = $1")
            .bind(id.to_owned())
            .fetch_optional(&mut **tx)
            .await?;
    let status = status.ok_or_else(|| StoreError::NotFound {
        what: "knowledge item",
        id: id.to_owned(),
    })?;
    ItemStatus::parse(&status).ok_or_else(|| corrupt("item status", status))
}

async fn reviews_in(
    tx: &mut Transaction<'static, Any>,
    item_id: &str,
) -> Result<Vec<Review>, StoreError> {
    let rows =
        sqlx::query("SELECT * FROM knowledge_review WHERE item_id = $1 ORDER BY assigned_at, id")
            .bind(item_id.to_owned())
            .fetch_all(&mut **tx)
            .await?;
    rows.iter().map(review_from_row).collect()
}

fn review_from_row(row: &AnyRow) -> Result<Review, StoreError> {
    let kind: String = row.try_get("reviewer_kind")?;
    let verdict: Option<String> = row.try_get("verdict")?;
    let conflict: i64 = row.try_get("conflict")?;
    Ok(Review {
        id: row.try_get("id")?,
        item_id: row.try_get("item_id")?,
        reviewer_id: row.try_get("reviewer_id")?,
        reviewer_kind: ReviewerKind::parse(&kind).ok_or_else(|| corrupt("reviewer kind", &kind))?,
        assigned_at: row.try_get("assigned_at")?,
        conflict: conflict != 0,
        conflict_note: row.try_get("conflict_note")?,
        verdict: verdict
            .map(|v| Verdict::parse(&v).ok_or_else(|| corrupt("verdict", v)))
            .transpose()?,
        comment: row.try_get("comment")?,
        completed_at: row.try_get("completed_at")?,
    })
}

impl Store {
    /// A new draft.
    pub async fn create_item(
        &self,
        ctx: &AuditContext,
        owner: &Owner,
        content: &ItemContent,
    ) -> Result<Item, StoreError> {
        let args = (ctx.clone(), owner.clone(), content.clone());
        let id = self
            .transaction(move |tx| {
                let (ctx, owner, content) = args.clone();
                Box::pin(async move {
                    let id = new_id();
                    insert_item(
                        tx,
                        &id,
                        &owner,
                        (LOCAL_SOURCE, None, None),
                        ItemStatus::Draft,
                        &content,
                    )
                    .await?;
                    record_transition(tx, &ctx, &id, None, ItemStatus::Draft, "").await?;
                    append(
                        tx,
                        &ctx,
                        "knowledge.create",
                        Some(("knowledge-item", &id)),
                        json!({"kind": content.kind.slug()}),
                    )
                    .await?;
                    Ok(id)
                })
            })
            .await?;
        self.item(&id)
            .await?
            .ok_or_else(|| corrupt("knowledge item", id))
    }

    /// Replaces an item's content. A published item's change reaches the index at once.
    pub async fn update_item(
        &self,
        ctx: &AuditContext,
        id: &str,
        content: &ItemContent,
    ) -> Result<Item, StoreError> {
        let args = (ctx.clone(), id.to_owned(), content.clone());
        self.transaction(move |tx| {
            let (ctx, id, content) = args.clone();
            Box::pin(async move {
                let status = status_of(tx, &id).await?;
                if matches!(status, ItemStatus::Withdrawn | ItemStatus::Rejected) {
                    return Err(StoreError::Refused {
                        field: "status",
                        message: format!(
                            "an item {} cannot be edited",
                            status.label().to_lowercase()
                        ),
                    });
                }
                write_content(tx, &id, &content).await?;
                if status == ItemStatus::Published {
                    log_for_index(tx, &id).await?;
                }
                append(
                    tx,
                    &ctx,
                    "knowledge.update",
                    Some(("knowledge-item", &id)),
                    json!({"status": status.slug()}),
                )
                .await?;
                Ok(())
            })
        })
        .await?;
        self.item(id)
            .await?
            .ok_or_else(|| corrupt("knowledge item", id))
    }

    /// Takes a workflow step. Starting the review needs a full panel; publishing, returning
    /// and rejecting must follow the panel's concluded recommendation. Publishing and
    /// withdrawing reach the index at once (through the index log).
    pub async fn step_item(
        &self,
        ctx: &AuditContext,
        id: &str,
        step: Step,
        note: &str,
    ) -> Result<Item, StoreError> {
        let args = (ctx.clone(), id.to_owned(), note.to_owned());
        self.transaction(move |tx| {
            let (ctx, id, note) = args.clone();
            Box::pin(async move {
                let from = status_of(tx, &id).await?;
                let to = next_status(from, step).map_err(|e| StoreError::Refused { field: "step", message: e.0 })?;
                let reviews = reviews_in(tx, &id).await?;
                let seats: Vec<Seat> = reviews.iter().map(Review::seat).collect();
                match step {
                    Step::StartReview => {
                        if let PanelState::NeedsReviewers { internal, external } = panel_state(&seats) {
                            return Err(StoreError::Refused {
                                field: "reviewers",
                                message: format!(
                                    "assign the panel first: {internal} more internal and {external} more external reviewer(s)"
                                ),
                            });
                        }
                    }
                    Step::Publish | Step::Return | Step::Reject => match panel_state(&seats) {
                        PanelState::Concluded(verdict) if verdict.step() == step => {}
                        PanelState::Concluded(verdict) => {
                            return Err(StoreError::Refused {
                                field: "step",
                                message: format!("the panel recommends to {}", verdict.step().slug()),
                            })
                        }
                        _ => {
                            return Err(StoreError::Refused {
                                field: "step",
                                message: "the review panel has not concluded".into(),
                            })
                        }
                    },
                    _ => {}
                }
                let now = now_text();
                let column = match to {
                    ItemStatus::Submitted => Some("submitted_at"),
                    ItemStatus::Published => Some("published_at"),
                    ItemStatus::Withdrawn => Some("withdrawn_at"),
                    _ => None,
                };
                if let Some(column) = column {
                    sqlx::query(&format!("UPDATE knowledge_item SET {column} = $1 WHERE id = $2"))
                        .bind(now.clone())
                        .bind(id.clone())
                        .execute(&mut **tx)
                        .await?;
                }
                sqlx::query("UPDATE knowledge_item SET status = $1, updated_at = $2 WHERE id = $3")
                    .bind(to.slug())
                    .bind(now)
                    .bind(id.clone())
                    .execute(&mut **tx)
                    .await?;
                // A returned item goes back to its submitter; its panel starts afresh.
                if to == ItemStatus::Submitted && from == ItemStatus::Returned {
                    sqlx::query("DELETE FROM knowledge_review WHERE item_id = $1")
                        .bind(id.clone())
                        .execute(&mut **tx)
                        .await?;
                }
                record_transition(tx, &ctx, &id, Some(from), to, &note).await?;
                if from == ItemStatus::Published || to == ItemStatus::Published {
                    log_for_index(tx, &id).await?;
                }
                append(
                    tx,
                    &ctx,
                    &format!("knowledge.{}", step.slug()),
                    Some(("knowledge-item", &id)),
                    json!({"from": from.slug(), "to": to.slug()}),
                )
                .await?;
                Ok(())
            })
        })
        .await?;
        self.item(id)
            .await?
            .ok_or_else(|| corrupt("knowledge item", id))
    }

    pub async fn item(&self, id: &str) -> Result<Option<Item>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {ITEM_COLUMNS} FROM knowledge_item WHERE id = $1"
        ))
        .bind(id.to_owned())
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(row) => Ok(self.items_from_rows(&[row]).await?.into_iter().next()),
            None => Ok(None),
        }
    }

    /// Items matching `filter`, most recently updated first, and how many match.
    pub async fn items(
        &self,
        filter: &ItemFilter,
        limit: usize,
        offset: usize,
    ) -> Result<(Vec<Item>, usize), StoreError> {
        let mut conditions = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        let mut bind = |sql: &str, value: String| {
            binds.push(value);
            conditions.push(sql.replace('?', &format!("${}", binds.len())));
        };
        if let Some(s) = filter.status {
            bind("i.status = ?", s.slug().to_owned());
        }
        if let Some(v) = &filter.submitter_id {
            bind("i.submitter_id = ?", v.clone());
        }
        if let Some(v) = &filter.owner_organization {
            bind("i.owner_organization = ?", v.clone());
        }
        if let Some(v) = filter.owner_country {
            bind("i.owner_country = ?", v.to_string());
        }
        if let Some(v) = &filter.call_id {
            bind("i.call_id = ?", v.clone());
        }
        if let Some(v) = &filter.objective {
            bind(
                "EXISTS (SELECT 1 FROM knowledge_objective o WHERE o.item_id = i.id AND o.objective_id = ?)",
                v.clone(),
            );
        }
        let where_sql = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let count_sql = format!("SELECT COUNT(*) FROM knowledge_item i {where_sql}");
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
        for b in &binds {
            count = count.bind(b.clone());
        }
        let total = count.fetch_one(self.pool()).await? as usize;
        let columns = ITEM_COLUMNS
            .split(", ")
            .map(|c| format!("i.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {columns} FROM knowledge_item i {where_sql} ORDER BY i.updated_at DESC, i.id LIMIT {} OFFSET {}",
            limit as i64, offset as i64
        );
        let mut query = sqlx::query(&sql);
        for b in &binds {
            query = query.bind(b.clone());
        }
        let rows = query.fetch_all(self.pool()).await?;
        Ok((self.items_from_rows(&rows).await?, total))
    }

    async fn items_from_rows(&self, rows: &[AnyRow]) -> Result<Vec<Item>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = rows
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<_, _>>()?;
        let placeholders = (1..=ids.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let fetch = |sql: String| {
            let ids = ids.clone();
            async move {
                let mut q = sqlx::query(&sql);
                for id in &ids {
                    q = q.bind(id.clone());
                }
                q.fetch_all(self.pool()).await
            }
        };
        let texts = fetch(format!("SELECT * FROM knowledge_text WHERE item_id IN ({placeholders}) ORDER BY item_id, language")).await?;
        let mut tags: HashMap<String, BTreeMap<&'static str, Vec<String>>> = HashMap::new();
        for (table, column) in TAXONOMY_TABLES {
            let rows = fetch(format!(
                "SELECT item_id, {column} AS value FROM {table} WHERE item_id IN ({placeholders})"
            ))
            .await?;
            for row in rows {
                tags.entry(row.try_get("item_id")?)
                    .or_default()
                    .entry(table)
                    .or_default()
                    .push(row.try_get("value")?);
            }
        }
        let parties = fetch(format!("SELECT * FROM knowledge_party WHERE item_id IN ({placeholders}) ORDER BY item_id, position")).await?;
        let links = fetch(format!("SELECT * FROM knowledge_link WHERE item_id IN ({placeholders}) ORDER BY item_id, position")).await?;
        let attachments = fetch(format!(
            "SELECT id, item_id, filename, media_type, size_bytes, sha256 FROM knowledge_attachment \
             WHERE item_id IN ({placeholders}) ORDER BY item_id, created_at, id"
        ))
        .await?;

        let mut text_map: HashMap<String, Vec<ItemText>> = HashMap::new();
        for row in &texts {
            let language: String = row.try_get("language")?;
            text_map
                .entry(row.try_get("item_id")?)
                .or_default()
                .push(ItemText {
                    language: Language::parse(&language)
                        .ok_or_else(|| corrupt("language", &language))?,
                    title: row.try_get("title")?,
                    summary: row.try_get("summary")?,
                    body: row.try_get("body")?,
                    results: row.try_get("results")?,
                });
        }
        let mut party_map: HashMap<String, Vec<Party>> = HashMap::new();
        for row in &parties {
            let role: String = row.try_get("role")?;
            let kind: Option<String> = row.try_get("kind")?;
            party_map
                .entry(row.try_get("item_id")?)
                .or_default()
                .push(Party {
                    role: PartyRole::parse(&role).ok_or_else(|| corrupt("party role", &role))?,
                    name: row.try_get("name")?,
                    organization_id: row.try_get("organization_id")?,
                    kind: kind.as_deref().and_then(OrganizationKind::parse),
                });
        }
        let mut link_map: HashMap<String, Vec<Link>> = HashMap::new();
        for row in &links {
            link_map
                .entry(row.try_get("item_id")?)
                .or_default()
                .push(Link {
                    url: row.try_get("url")?,
                    title: row.try_get("title")?,
                    format: row.try_get("format")?,
                });
        }
        let mut attachment_map: HashMap<String, Vec<AttachmentMeta>> = HashMap::new();
        for row in &attachments {
            attachment_map
                .entry(row.try_get("item_id")?)
                .or_default()
                .push(AttachmentMeta {
                    id: row.try_get("id")?,
                    filename: row.try_get("filename")?,
                    media_type: row.try_get("media_type")?,
                    size_bytes: row.try_get("size_bytes")?,
                    sha256: row.try_get("sha256")?,
                });
        }

        let m49s = |values: Option<&Vec<String>>| -> Result<Vec<M49>, StoreError> {
            values
                .into_iter()
                .flatten()
                .map(|v| v.parse::<M49>().map_err(|_| corrupt("M49 code", v.clone())))
                .collect()
        };
        let mut items = Vec::with_capacity(rows.len());
        for row in rows {
            let id: String = row.try_get("id")?;
            let tags = tags.remove(&id).unwrap_or_default();
            let strings = |facet: &str| tags.get(facet).cloned().unwrap_or_default();
            let kind: String = row.try_get("kind")?;
            let status: String = row.try_get("status")?;
            let language: String = row.try_get("original_language")?;
            let state: Option<String> = row.try_get("implementation_state")?;
            let owner_country: Option<String> = row.try_get("owner_country")?;
            let global: i64 = row.try_get("scope_global")?;
            let start: Option<i64> = row.try_get("period_start")?;
            let end: Option<i64> = row.try_get("period_end")?;
            items.push(Item {
                status: ItemStatus::parse(&status)
                    .ok_or_else(|| corrupt("item status", &status))?,
                submitter_id: row.try_get("submitter_id")?,
                owner_organization: row.try_get("owner_organization")?,
                owner_country: owner_country
                    .map(|c| c.parse().map_err(|_| corrupt("M49 code", c)))
                    .transpose()?,
                source: row.try_get("source")?,
                source_id: row.try_get("source_id")?,
                source_url: row.try_get("source_url")?,
                content: ItemContent {
                    kind: ItemKind::parse(&kind).ok_or_else(|| corrupt("item kind", &kind))?,
                    original_language: Language::parse(&language)
                        .ok_or_else(|| corrupt("language", &language))?,
                    texts: text_map.remove(&id).unwrap_or_default(),
                    objectives: strings("knowledge_objective"),
                    actions: strings("knowledge_action"),
                    principles: strings("knowledge_principle"),
                    countries: m49s(tags.get("knowledge_country"))?,
                    regions: m49s(tags.get("knowledge_region"))?,
                    global: global != 0,
                    themes: strings("knowledge_theme"),
                    parties: party_map.remove(&id).unwrap_or_default(),
                    period_start: start.map(|v| v as i32),
                    period_end: end.map(|v| v as i32),
                    implementation_state: state.as_deref().and_then(ImplementationState::parse),
                    licence: row.try_get("licence")?,
                    links: link_map.remove(&id).unwrap_or_default(),
                    call_id: row.try_get("call_id")?,
                    contact_name: row.try_get("contact_name")?,
                    contact_email: row.try_get("contact_email")?,
                },
                attachments: attachment_map.remove(&id).unwrap_or_default(),
                content_hash: row.try_get("content_hash")?,
                created_at: row.try_get("created_at")?,
                updated_at: row.try_get("updated_at")?,
                submitted_at: row.try_get("submitted_at")?,
                published_at: row.try_get("published_at")?,
                withdrawn_at: row.try_get("withdrawn_at")?,
                id,
            });
        }
        for item in &mut items {
            item.content.normalize();
        }
        Ok(items)
    }

    pub async fn transitions(&self, item_id: &str) -> Result<Vec<Transition>, StoreError> {
        let rows =
            sqlx::query("SELECT * FROM knowledge_transition WHERE item_id = $1 ORDER BY at, id")
                .bind(item_id.to_owned())
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|row| {
                let from: Option<String> = row.try_get("from_status")?;
                let to: String = row.try_get("to_status")?;
                Ok(Transition {
                    from: from.as_deref().and_then(ItemStatus::parse),
                    to: ItemStatus::parse(&to).ok_or_else(|| corrupt("item status", &to))?,
                    actor_id: row.try_get("actor_id")?,
                    actor_role: row.try_get("actor_role")?,
                    note: row.try_get("note")?,
                    at: row.try_get("at")?,
                })
            })
            .collect()
    }

    // --- Attachments ---------------------------------------------------------------------

    pub async fn add_attachment(
        &self,
        ctx: &AuditContext,
        item_id: &str,
        filename: &str,
        media_type: &str,
        content: Vec<u8>,
        max_per_item: usize,
    ) -> Result<AttachmentMeta, StoreError> {
        let sha256: String = Sha256::digest(&content)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let meta = AttachmentMeta {
            id: new_id(),
            filename: filename.to_owned(),
            media_type: media_type.to_owned(),
            size_bytes: content.len() as i64,
            sha256,
        };
        let args = (
            ctx.clone(),
            item_id.to_owned(),
            meta.clone(),
            std::sync::Arc::new(content),
        );
        self.transaction(move |tx| {
            let (ctx, item_id, meta, content) = args.clone();
            Box::pin(async move {
                let status = status_of(tx, &item_id).await?;
                let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM knowledge_attachment WHERE item_id = $1")
                    .bind(item_id.clone())
                    .fetch_one(&mut **tx)
                    .await?;
                if count as usize >= max_per_item {
                    return Err(StoreError::Refused { field: "attachment", message: format!("an item has at most {max_per_item} files") });
                }
                sqlx::query(
                    "INSERT INTO knowledge_attachment (id, item_id, filename, media_type, size_bytes, sha256, content, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(meta.id.clone())
                .bind(item_id.clone())
                .bind(meta.filename.clone())
                .bind(meta.media_type.clone())
                .bind(meta.size_bytes)
                .bind(meta.sha256.clone())
                .bind(content.as_ref().clone())
                .bind(now_text())
                .execute(&mut **tx)
                .await?;
                if status == ItemStatus::Published {
                    log_for_index(tx, &item_id).await?;
                }
                append(tx, &ctx, "knowledge.attach", Some(("knowledge-item", &item_id)), json!({"attachment": meta.id, "media_type": meta.media_type, "bytes": meta.size_bytes}))
                    .await?;
                Ok(meta)
            })
        })
        .await
    }

    pub async fn attachment(
        &self,
        id: &str,
    ) -> Result<Option<(AttachmentMeta, String, Vec<u8>)>, StoreError> {
        let row = sqlx::query("SELECT * FROM knowledge_attachment WHERE id = $1")
            .bind(id.to_owned())
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some((
            AttachmentMeta {
                id: row.try_get("id")?,
                filename: row.try_get("filename")?,
                media_type: row.try_get("media_type")?,
                size_bytes: row.try_get("size_bytes")?,
                sha256: row.try_get("sha256")?,
            },
            row.try_get("item_id")?,
            row.try_get("content")?,
        )))
    }

    // --- Reviews and comments ------------------------------------------------------------

    /// Seats a reviewer on an item's panel. The reviewer must hold the reviewer role of that
    /// kind and must not be the submitter.
    pub async fn assign_reviewer(
        &self,
        ctx: &AuditContext,
        item_id: &str,
        reviewer_id: &str,
    ) -> Result<Review, StoreError> {
        let args = (ctx.clone(), item_id.to_owned(), reviewer_id.to_owned());
        self.transaction(move |tx| {
            let (ctx, item_id, reviewer_id) = args.clone();
            Box::pin(async move {
                let status = status_of(tx, &item_id).await?;
                if !matches!(status, ItemStatus::Submitted | ItemStatus::InReview) {
                    return Err(StoreError::Refused { field: "status", message: "reviewers are assigned to submitted items".into() });
                }
                let kind: Option<String> = sqlx::query_scalar(
                    "SELECT g.reviewer_kind FROM role_grant g JOIN app_user u ON u.id = g.user_id \
                     WHERE g.user_id = $1 AND g.role = 'reviewer' AND g.revoked_at IS NULL AND u.status = 'active'",
                )
                .bind(reviewer_id.clone())
                .fetch_optional(&mut **tx)
                .await?;
                let kind = kind
                    .as_deref()
                    .and_then(ReviewerKind::parse)
                    .ok_or(StoreError::Refused { field: "reviewer", message: "this person is not an active peer reviewer".into() })?;
                let submitter: Option<String> = sqlx::query_scalar("SELECT submitter_id FROM knowledge_item WHERE id = $1")
                    .bind(item_id.clone())
                    .fetch_one(&mut **tx)
                    .await?;
                if submitter.as_deref() == Some(reviewer_id.as_str()) {
                    return Err(StoreError::Refused { field: "reviewer", message: "nobody reviews their own submission".into() });
                }
                let taken: Option<String> = sqlx::query_scalar("SELECT id FROM knowledge_review WHERE item_id = $1 AND reviewer_id = $2")
                    .bind(item_id.clone())
                    .bind(reviewer_id.clone())
                    .fetch_optional(&mut **tx)
                    .await?;
                if taken.is_some() {
                    return Err(StoreError::Conflict { field: "reviewer", message: "this reviewer is on the panel already".into() });
                }
                let review = Review {
                    id: new_id(),
                    item_id: item_id.clone(),
                    reviewer_id: reviewer_id.clone(),
                    reviewer_kind: kind,
                    assigned_at: now_text(),
                    conflict: false,
                    conflict_note: String::new(),
                    verdict: None,
                    comment: String::new(),
                    completed_at: None,
                };
                sqlx::query(
                    "INSERT INTO knowledge_review (id, item_id, reviewer_id, reviewer_kind, assigned_by, assigned_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(review.id.clone())
                .bind(item_id.clone())
                .bind(reviewer_id.clone())
                .bind(kind.as_str())
                .bind(ctx.actor_id.clone())
                .bind(review.assigned_at.clone())
                .execute(&mut **tx)
                .await?;
                append(tx, &ctx, "knowledge.assign-reviewer", Some(("knowledge-item", &item_id)), json!({"review": review.id, "reviewer": reviewer_id, "kind": kind.as_str()}))
                    .await?;
                Ok(review)
            })
        })
        .await
    }

    /// A reviewer's verdict, or their declared conflict of interest (which recuses them).
    pub async fn complete_review(
        &self,
        ctx: &AuditContext,
        review_id: &str,
        reviewer_id: &str,
        outcome: Result<Verdict, String>,
        comment: &str,
    ) -> Result<Review, StoreError> {
        let args = (
            ctx.clone(),
            review_id.to_owned(),
            reviewer_id.to_owned(),
            outcome,
            comment.to_owned(),
        );
        self.transaction(move |tx| {
            let (ctx, review_id, reviewer_id, outcome, comment) = args.clone();
            Box::pin(async move {
                let row = sqlx::query("SELECT * FROM knowledge_review WHERE id = $1 AND reviewer_id = $2")
                    .bind(review_id.clone())
                    .bind(reviewer_id.clone())
                    .fetch_optional(&mut **tx)
                    .await?;
                let review = row
                    .as_ref()
                    .map(review_from_row)
                    .transpose()?
                    .ok_or(StoreError::NotFound { what: "review", id: review_id.clone() })?;
                if review.completed_at.is_some() {
                    return Err(StoreError::Refused { field: "review", message: "this review is complete already".into() });
                }
                if status_of(tx, &review.item_id).await? != ItemStatus::InReview {
                    return Err(StoreError::Refused { field: "status", message: "the item is not in review".into() });
                }
                let now = now_text();
                match &outcome {
                    Ok(verdict) => {
                        sqlx::query("UPDATE knowledge_review SET verdict = $1, comment = $2, completed_at = $3 WHERE id = $4")
                            .bind(verdict.slug())
                            .bind(comment.clone())
                            .bind(now)
                            .bind(review_id.clone())
                            .execute(&mut **tx)
                            .await?;
                    }
                    Err(note) => {
                        sqlx::query("UPDATE knowledge_review SET conflict = 1, conflict_note = $1, completed_at = $2 WHERE id = $3")
                            .bind(note.clone())
                            .bind(now)
                            .bind(review_id.clone())
                            .execute(&mut **tx)
                            .await?;
                    }
                }
                append(
                    tx,
                    &ctx,
                    "knowledge.review",
                    Some(("knowledge-item", &review.item_id)),
                    json!({"review": review_id, "verdict": outcome.as_ref().ok().map(|v| v.slug()), "conflict": outcome.is_err()}),
                )
                .await?;
                let updated = sqlx::query("SELECT * FROM knowledge_review WHERE id = $1").bind(review_id).fetch_one(&mut **tx).await?;
                review_from_row(&updated)
            })
        })
        .await
    }

    pub async fn reviews(&self, item_id: &str) -> Result<Vec<Review>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM knowledge_review WHERE item_id = $1 ORDER BY assigned_at, id",
        )
        .bind(item_id.to_owned())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(review_from_row).collect()
    }

    /// A reviewer's assignments, open ones first.
    pub async fn reviewer_queue(&self, reviewer_id: &str) -> Result<Vec<Review>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM knowledge_review WHERE reviewer_id = $1 \
             ORDER BY CASE WHEN completed_at IS NULL THEN 0 ELSE 1 END, assigned_at DESC",
        )
        .bind(reviewer_id.to_owned())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(review_from_row).collect()
    }

    pub async fn add_comment(
        &self,
        ctx: &AuditContext,
        item_id: &str,
        body: &str,
        visible_to_submitter: bool,
    ) -> Result<Comment, StoreError> {
        let args = (ctx.clone(), item_id.to_owned(), body.to_owned());
        self.transaction(move |tx| {
            let (ctx, item_id, body) = args.clone();
            Box::pin(async move {
                status_of(tx, &item_id).await?;
                let comment = Comment {
                    id: new_id(),
                    author_id: ctx.actor_id.clone(),
                    body,
                    visible_to_submitter,
                    created_at: now_text(),
                };
                sqlx::query(
                    "INSERT INTO knowledge_comment (id, item_id, author_id, body, visible_to_submitter, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(comment.id.clone())
                .bind(item_id.clone())
                .bind(comment.author_id.clone())
                .bind(comment.body.clone())
                .bind(i64::from(visible_to_submitter))
                .bind(comment.created_at.clone())
                .execute(&mut **tx)
                .await?;
                append(tx, &ctx, "knowledge.comment", Some(("knowledge-item", &item_id)), json!({"comment": comment.id, "shared": visible_to_submitter}))
                    .await?;
                Ok(comment)
            })
        })
        .await
    }

    pub async fn comments(&self, item_id: &str) -> Result<Vec<Comment>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM knowledge_comment WHERE item_id = $1 ORDER BY created_at, id",
        )
        .bind(item_id.to_owned())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let visible: i64 = row.try_get("visible_to_submitter")?;
                Ok(Comment {
                    id: row.try_get("id")?,
                    author_id: row.try_get("author_id")?,
                    body: row.try_get("body")?,
                    visible_to_submitter: visible != 0,
                    created_at: row.try_get("created_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    // --- Calls for practices -------------------------------------------------------------

    pub async fn create_call(&self, ctx: &AuditContext, new: &NewCall) -> Result<Call, StoreError> {
        let args = (ctx.clone(), new.clone());
        let id = self
            .transaction(move |tx| {
                let (ctx, new) = args.clone();
                Box::pin(async move {
                    let id = new_id();
                    let now = now_text();
                    sqlx::query(
                        "INSERT INTO call_for_practices (id, title, theme, opens_on, closes_on, created_by, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                    )
                    .bind(id.clone())
                    .bind(new.title.clone())
                    .bind(new.theme.clone())
                    .bind(new.opens_on.clone())
                    .bind(new.closes_on.clone())
                    .bind(ctx.actor_id.clone())
                    .bind(now)
                    .execute(&mut **tx)
                    .await?;
                    for objective in &new.objectives {
                        sqlx::query("INSERT INTO call_objective (call_id, objective_id) VALUES ($1, $2)")
                            .bind(id.clone())
                            .bind(objective.clone())
                            .execute(&mut **tx)
                            .await?;
                    }
                    append(tx, &ctx, "call.create", Some(("call", &id)), json!({"objectives": new.objectives, "opens_on": new.opens_on, "closes_on": new.closes_on}))
                        .await?;
                    Ok(id)
                })
            })
            .await?;
        self.call(&id).await?.ok_or_else(|| corrupt("call", id))
    }

    pub async fn calls(&self) -> Result<Vec<Call>, StoreError> {
        let rows = sqlx::query("SELECT * FROM call_for_practices ORDER BY closes_on DESC, id")
            .fetch_all(self.pool())
            .await?;
        let objectives = sqlx::query(
            "SELECT call_id, objective_id FROM call_objective ORDER BY call_id, objective_id",
        )
        .fetch_all(self.pool())
        .await?;
        let mut by_call: HashMap<String, Vec<String>> = HashMap::new();
        for row in objectives {
            by_call
                .entry(row.try_get("call_id")?)
                .or_default()
                .push(row.try_get("objective_id")?);
        }
        rows.iter()
            .map(|row| {
                let id: String = row.try_get("id")?;
                Ok(Call {
                    objectives: by_call.remove(&id).unwrap_or_default(),
                    title: row.try_get("title")?,
                    theme: row.try_get("theme")?,
                    opens_on: row.try_get("opens_on")?,
                    closes_on: row.try_get("closes_on")?,
                    created_at: row.try_get("created_at")?,
                    id,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    pub async fn call(&self, id: &str) -> Result<Option<Call>, StoreError> {
        Ok(self.calls().await?.into_iter().find(|c| c.id == id))
    }

    // --- Harvesting and the index log ----------------------------------------------------

    /// Brings in a catalogue's items as it published them, in one transaction: new ones are
    /// added (published), changed ones updated, the rest left alone; with `withdraw_missing`,
    /// items of this source that it no longer lists are withdrawn. A failure changes nothing.
    pub async fn harvest(
        &self,
        ctx: &AuditContext,
        source: &str,
        items: Vec<HarvestedItem>,
        withdraw_missing: bool,
    ) -> Result<HarvestReport, StoreError> {
        let args = (ctx.clone(), source.to_owned(), std::sync::Arc::new(items));
        self.transaction(move |tx| {
            let (ctx, source, items) = args.clone();
            Box::pin(async move {
                let mut report = HarvestReport::default();
                let existing = sqlx::query("SELECT id, source_id, content_hash, status FROM knowledge_item WHERE source = $1")
                    .bind(source.clone())
                    .fetch_all(&mut **tx)
                    .await?;
                let mut known: HashMap<String, (String, String, String)> = HashMap::new();
                for row in &existing {
                    let source_id: Option<String> = row.try_get("source_id")?;
                    if let Some(sid) = source_id {
                        known.insert(sid, (row.try_get("id")?, row.try_get("content_hash")?, row.try_get("status")?));
                    }
                }
                let mut seen = std::collections::HashSet::new();
                for item in items.iter() {
                    seen.insert(item.source_id.clone());
                    match known.get(&item.source_id) {
                        None => {
                            let id = new_id();
                            insert_item(
                                tx,
                                &id,
                                &Owner::default(),
                                (&source, Some(&item.source_id), item.source_url.as_deref()),
                                ItemStatus::Published,
                                &item.content,
                            )
                            .await?;
                            sqlx::query("UPDATE knowledge_item SET published_at = $1 WHERE id = $2")
                                .bind(item.published_at.clone())
                                .bind(id.clone())
                                .execute(&mut **tx)
                                .await?;
                            record_transition(tx, &ctx, &id, None, ItemStatus::Published, "harvested").await?;
                            log_for_index(tx, &id).await?;
                            report.added += 1;
                        }
                        Some((id, hash, status)) => {
                            let republish = status != ItemStatus::Published.slug();
                            if *hash == item.content.fingerprint() && !republish {
                                report.unchanged += 1;
                                continue;
                            }
                            write_content(tx, id, &item.content).await?;
                            sqlx::query("UPDATE knowledge_item SET status = 'published', source_url = $1, withdrawn_at = NULL WHERE id = $2")
                                .bind(item.source_url.clone())
                                .bind(id.clone())
                                .execute(&mut **tx)
                                .await?;
                            log_for_index(tx, id).await?;
                            report.updated += 1;
                        }
                    }
                }
                if withdraw_missing {
                    for (sid, (id, _, status)) in &known {
                        if !seen.contains(sid) && status == ItemStatus::Published.slug() {
                            sqlx::query("UPDATE knowledge_item SET status = 'withdrawn', withdrawn_at = $1 WHERE id = $2")
                                .bind(now_text())
                                .bind(id.clone())
                                .execute(&mut **tx)
                                .await?;
                            record_transition(tx, &ctx, id, Some(ItemStatus::Published), ItemStatus::Withdrawn, "no longer listed by the source").await?;
                            log_for_index(tx, id).await?;
                            report.withdrawn += 1;
                        }
                    }
                }
                append(tx, &ctx, "knowledge.harvest", Some(("source", &source)), json!(report)).await?;
                Ok(report)
            })
        })
        .await
    }

    /// Index log entries after `seq`: (seq, item id), in order.
    pub async fn index_log_since(
        &self,
        seq: i64,
        limit: usize,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT seq, item_id FROM knowledge_index_log WHERE seq > $1 ORDER BY seq LIMIT {}",
            limit as i64
        ))
        .bind(seq)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("seq")?, r.try_get("item_id")?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    pub async fn index_log_head(&self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM knowledge_index_log")
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// The ids of every published item, for rebuilding an index.
    pub async fn published_item_ids(&self) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM knowledge_item WHERE status = 'published' ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Published items, many at once (for indexing), by id.
    pub async fn items_by_ids(&self, ids: &[String]) -> Result<Vec<Item>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let placeholders = (1..=chunk.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql =
                format!("SELECT {ITEM_COLUMNS} FROM knowledge_item WHERE id IN ({placeholders})");
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(id.clone());
            }
            let rows = q.fetch_all(self.pool()).await?;
            out.extend(self.items_from_rows(&rows).await?);
        }
        Ok(out)
    }

    /// A page of the published items for a catalogue, in a stable order (by id), optionally
    /// only those changed at or after `updated_since`; and how many there are in all.
    pub async fn published_page(
        &self,
        updated_since: Option<&str>,
        limit: usize,
        offset: usize,
    ) -> Result<(Vec<Item>, usize), StoreError> {
        let since = updated_since.unwrap_or("");
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM knowledge_item WHERE status = 'published' AND updated_at >= $1",
        )
        .bind(since.to_owned())
        .fetch_one(self.pool())
        .await?;
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM knowledge_item WHERE status = 'published' AND updated_at >= $1 \
             ORDER BY id LIMIT {} OFFSET {}",
            limit as i64, offset as i64
        );
        let rows = sqlx::query(&sql)
            .bind(since.to_owned())
            .fetch_all(self.pool())
            .await?;
        Ok((self.items_from_rows(&rows).await?, total as usize))
    }

    /// The organizations that implement published items: (name, kind, how many items), by
    /// name.
    pub async fn published_implementers(
        &self,
    ) -> Result<Vec<(String, Option<OrganizationKind>, usize)>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.name, MAX(p.kind) AS kind, COUNT(DISTINCT p.item_id) AS items \
             FROM knowledge_party p JOIN knowledge_item i ON i.id = p.item_id \
             WHERE i.status = 'published' AND p.role = 'implementer' GROUP BY p.name ORDER BY p.name",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let kind: Option<String> = r.try_get("kind")?;
                let items: i64 = r.try_get("items")?;
                Ok((
                    r.try_get("name")?,
                    kind.as_deref().and_then(OrganizationKind::parse),
                    items as usize,
                ))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// The guiding principles and free themes of published items: (tag, how many items), by tag.
    pub async fn published_tags(&self) -> Result<Vec<(String, usize)>, StoreError> {
        let rows = sqlx::query(
            "SELECT tag, COUNT(*) AS items FROM ( \
                 SELECT p.principle_id AS tag, p.item_id FROM knowledge_principle p \
                 JOIN knowledge_item i ON i.id = p.item_id WHERE i.status = 'published' \
                 UNION \
                 SELECT t.theme AS tag, t.item_id FROM knowledge_theme t \
                 JOIN knowledge_item i ON i.id = t.item_id WHERE i.status = 'published' \
             ) tags GROUP BY tag ORDER BY tag",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let items: i64 = r.try_get("items")?;
                Ok((r.try_get("tag")?, items as usize))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }
}
