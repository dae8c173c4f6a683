//! The connection hub (para 43(a)): the partner registry, support requests and their
//! workflow, matching suggestions and the officers' decisions on them, teams, funding,
//! concept notes, and the emails each change owes people.
//!
//! Every change is one transaction with its audit entry and its emails (queued in the
//! outbox, so a message is sent only if the change happened, and never lost). Changes that
//! matching reads bump `hub_revision`, so each server knows what to rebuild: its `seq` for
//! the partner registry (profiles, teams, closing a request: load and track record), its
//! `peers` for a request's visibility (public requests are peers). Submitting and moving
//! between open stages bump neither, so matching a new request never waits for a rebuild.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use marrakech_core::countries::M49;
use marrakech_core::hub::{check_move, Mover, Stage, TeamRole};
use marrakech_core::knowledge::Language;
use marrakech_core::policy::OrganizationKind;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::audit::{append, AuditContext};
use crate::workflow::{self, Workflow};
use crate::{new_id, now_text, outbox, time_text, Store, StoreError};

/// An organization's comparative-advantage profile as the secretariat (or the organization)
/// writes it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct PartnerFields {
    pub summary: String,
    /// Staff available for hub work.
    pub staff: i64,
    pub objectives: Vec<String>,
    pub actions: Vec<String>,
    pub countries: Vec<M49>,
    /// M49 regions and sub-regions; `001` for the world.
    pub regions: Vec<M49>,
    pub languages: Vec<Language>,
    /// Kinds of support offered (slugs).
    pub support: Vec<String>,
}

/// A partner in the registry: its organization, its profile, and what the data says of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Partner {
    pub organization_id: String,
    pub name: String,
    pub kind: OrganizationKind,
    pub website: Option<String>,
    pub fields: PartnerFields,
    /// Open requests it is on the team of (its current load).
    pub engaged: i64,
    /// Requests served with it on the team.
    pub requests_served: i64,
    /// Published knowledge items it implements.
    pub items_implemented: i64,
    pub updated_at: String,
}

/// What a requesting country writes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct RequestFields {
    pub title: String,
    pub description: String,
    /// `low`, `normal` or `high`.
    pub urgency: String,
    /// The countries making the request: the submitter's, and the others of a joint
    /// request once each has accepted.
    pub requesters: Vec<M49>,
    /// Countries asked to join a joint request: not requesters, and never shown as such,
    /// until their focal point accepts.
    pub invited: Vec<M49>,
    /// The countries it concerns.
    pub countries: Vec<M49>,
    pub objectives: Vec<String>,
    pub actions: Vec<String>,
    pub languages: Vec<Language>,
    /// Kinds of support sought (slugs).
    pub support: Vec<String>,
    /// Registered organizations the country would like to work with.
    pub preferred: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupportRequest {
    pub id: String,
    pub reference: String,
    pub fields: RequestFields,
    pub stage: Stage,
    pub public: bool,
    pub submitter_id: String,
    pub officer_id: Option<String>,
    pub officer_name: Option<String>,
    /// Organizations on the team (the partners engaged on it).
    pub engaged: Vec<String>,
    pub stage_since: String,
    /// When the stage's target time runs out (open stages).
    pub stage_due: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub closed_at: Option<String>,
}

impl SupportRequest {
    /// Whether its stage has run past its target time at `now` (a stored time text).
    pub fn is_overdue(&self, now: &str) -> bool {
        self.stage.is_open() && self.stage_due.as_deref().is_some_and(|due| due < now)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestTransition {
    pub from: Option<Stage>,
    pub to: Stage,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub actor_role: Option<String>,
    pub note: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestComment {
    pub id: String,
    pub author_id: String,
    pub author_name: String,
    pub body: String,
    pub shared: bool,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestAttachment {
    pub id: String,
    pub request_id: String,
    pub filename: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_at: String,
}

/// What a suggestion points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    Partner,
    /// A knowledge item.
    Item,
    /// Another country's (public) request.
    Request,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Partner => "partner",
            TargetKind::Item => "item",
            TargetKind::Request => "request",
        }
    }

    pub fn parse(s: &str) -> Option<TargetKind> {
        match s {
            "partner" => Some(TargetKind::Partner),
            "item" => Some(TargetKind::Item),
            "request" => Some(TargetKind::Request),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Accepted,
    Dismissed,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Accepted => "accepted",
            Decision::Dismissed => "dismissed",
        }
    }

    pub fn parse(s: &str) -> Option<Decision> {
        match s {
            "accepted" | "accept" => Some(Decision::Accepted),
            "dismissed" | "dismiss" => Some(Decision::Dismissed),
            _ => None,
        }
    }
}

/// A suggestion as matching made it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewSuggestion {
    pub kind: TargetKind,
    pub target_id: String,
    pub title: String,
    pub rank: i64,
    pub score: f64,
    /// The factors as JSON, exactly as shown.
    pub factors: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub id: String,
    pub kind: TargetKind,
    pub target_id: String,
    pub title: String,
    pub rank: i64,
    pub score: f64,
    pub factors: serde_json::Value,
    pub computed_at: String,
    pub decision: Option<Decision>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewTeamMember {
    pub role: TeamRole,
    pub organization_id: Option<String>,
    /// The institution's name when it is not registered (a ministry).
    pub name: String,
    pub kind: Option<OrganizationKind>,
    pub contribution: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamMember {
    pub id: String,
    pub role: TeamRole,
    pub organization_id: Option<String>,
    pub name: String,
    pub kind: Option<OrganizationKind>,
    pub contribution: String,
    pub added_at: String,
}

/// M49's code for the world.
const WORLD: u16 = 1;

/// The start-up fund's source id in `hub_funding`.
pub const START_UP_FUND: &str = "start-up-fund";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewFunding {
    /// [`START_UP_FUND`] or a registered organization's id.
    pub source: String,
    pub source_name: String,
    /// `identified`, `applied` or `secured`.
    pub status: String,
    pub amount_usd: Option<i64>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Funding {
    pub id: String,
    pub fields: NewFunding,
    pub added_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConceptNote {
    pub request_id: String,
    pub content: serde_json::Value,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
}

/// Who an email goes to; resolved to addresses inside the transaction that causes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Every active member of the secretariat.
    Secretariat,
    /// One user.
    User(String),
    /// The focal points of the request's requesting countries, and its submitter.
    Requesters,
    /// The focal points of the countries asked to join the request.
    Invited,
    /// The contributors of an organization.
    Organization(String),
}

/// An email a change owes people. The web writes the words; the store finds the addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub audience: Audience,
    pub subject: String,
    pub body: String,
}

/// Counts for public statistics: no titles, no descriptions, nothing confidential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestFacts {
    pub id: String,
    pub stage: Stage,
    pub requesters: Vec<M49>,
    pub objectives: Vec<String>,
    pub actions: Vec<String>,
    pub created_at: String,
    pub closed_at: Option<String>,
}

/// How a list keeps its values: a set (sorted), or a preference order as given (languages,
/// preferred partners), first mention kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListOrder {
    Set,
    Preference,
}

/// The list tables of a partner profile and a request: (table, value column, order).
const PARTNER_LISTS: [(&str, &str, ListOrder); 6] = [
    ("hub_partner_objective", "objective_id", ListOrder::Set),
    ("hub_partner_action", "action_id", ListOrder::Set),
    ("hub_partner_country", "m49", ListOrder::Set),
    ("hub_partner_region", "region_code", ListOrder::Set),
    ("hub_partner_language", "language", ListOrder::Preference),
    ("hub_partner_support", "kind", ListOrder::Set),
];
const REQUEST_LISTS: [(&str, &str, ListOrder); 8] = [
    ("hub_request_requester", "m49", ListOrder::Set),
    ("hub_request_country", "m49", ListOrder::Set),
    ("hub_request_objective", "objective_id", ListOrder::Set),
    ("hub_request_action", "action_id", ListOrder::Set),
    ("hub_request_language", "language", ListOrder::Preference),
    ("hub_request_support", "kind", ListOrder::Set),
    (
        "hub_request_preferred",
        "organization_id",
        ListOrder::Preference,
    ),
    ("hub_request_invited", "m49", ListOrder::Set),
];

fn corrupt(what: &'static str, value: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        what,
        value: value.into(),
    }
}

fn codes(values: &[M49]) -> Vec<String> {
    values.iter().map(|c| c.to_string()).collect()
}

fn languages(values: &[Language]) -> Vec<String> {
    values.iter().map(|l| l.code().to_owned()).collect()
}

fn parse_codes(values: Vec<String>) -> Result<Vec<M49>, StoreError> {
    values
        .into_iter()
        .map(|v| v.parse().map_err(|_| corrupt("M49 code", v)))
        .collect()
}

fn parse_languages(values: Vec<String>) -> Result<Vec<Language>, StoreError> {
    values
        .into_iter()
        .map(|v| Language::parse(&v).ok_or_else(|| corrupt("language", v)))
        .collect()
}

/// Replaces the owner's rows of each list table, each value with its position.
async fn write_lists(
    tx: &mut Transaction<'static, Any>,
    tables: &[(&str, &str, ListOrder)],
    owner_column: &str,
    owner: &str,
    values: Vec<Vec<String>>,
) -> Result<(), sqlx::Error> {
    for ((table, column, order), mut values) in tables.iter().zip(values) {
        sqlx::query(&format!("DELETE FROM {table} WHERE {owner_column} = $1"))
            .bind(owner.to_owned())
            .execute(&mut **tx)
            .await?;
        match order {
            ListOrder::Set => {
                values.sort();
                values.dedup();
            }
            ListOrder::Preference => {
                let mut seen = std::collections::HashSet::new();
                values.retain(|v| seen.insert(v.clone()));
            }
        }
        for (position, value) in values.into_iter().enumerate() {
            sqlx::query(&format!(
                "INSERT INTO {table} ({owner_column}, {column}, position) VALUES ($1, $2, $3)"
            ))
            .bind(owner.to_owned())
            .bind(value)
            .bind(position as i64)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// Every list table's values by owner (or only `only`'s), in one query per table, each
/// list in its stored order.
async fn read_lists(
    store: &Store,
    tables: &[(&str, &str, ListOrder)],
    owner_column: &str,
    only: Option<&str>,
) -> Result<Vec<HashMap<String, Vec<String>>>, StoreError> {
    let filter = if only.is_some() {
        format!("WHERE {owner_column} = $1")
    } else {
        String::new()
    };
    let mut out = Vec::with_capacity(tables.len());
    for (table, column, _) in tables {
        let sql = format!(
            "SELECT {owner_column}, {column} FROM {table} {filter} \
             ORDER BY {owner_column}, position, {column}"
        );
        let mut query = sqlx::query(&sql);
        if let Some(owner) = only {
            query = query.bind(owner.to_owned());
        }
        let rows = query.fetch_all(store.pool()).await?;
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for row in rows {
            map.entry(row.try_get(0)?)
                .or_default()
                .push(row.try_get(1)?);
        }
        out.push(map);
    }
    Ok(out)
}

/// The partner registry changed (a profile, a team, a closed request).
async fn bump_revision(tx: &mut Transaction<'static, Any>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE hub_revision SET seq = seq + 1 WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The set of public requests offered as peers changed.
async fn bump_peers(tx: &mut Transaction<'static, Any>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE hub_revision SET peers = peers + 1 WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The addresses of an audience, without the actor's own (nobody is told of what they did).
async fn addresses(
    tx: &mut Transaction<'static, Any>,
    request_id: &str,
    audience: &Audience,
    actor: Option<&str>,
) -> Result<Vec<String>, sqlx::Error> {
    let active = "u.status = 'active' AND g.revoked_at IS NULL";
    let (sql, bind) = match audience {
        Audience::Secretariat => (
            format!(
                "SELECT DISTINCT u.id, u.email FROM app_user u JOIN role_grant g ON g.user_id = u.id \
                 WHERE g.role = 'secretariat' AND {active}"
            ),
            None,
        ),
        Audience::User(id) => (
            "SELECT u.id, u.email FROM app_user u WHERE u.id = $1 AND u.status = 'active'".into(),
            Some(id.clone()),
        ),
        Audience::Organization(id) => (
            format!(
                "SELECT DISTINCT u.id, u.email FROM app_user u JOIN role_grant g ON g.user_id = u.id \
                 WHERE g.role = 'contributor' AND g.organization_id = $1 AND {active}"
            ),
            Some(id.clone()),
        ),
        Audience::Invited => (
            format!(
                "SELECT DISTINCT u.id, u.email FROM app_user u JOIN role_grant g ON g.user_id = u.id \
                 JOIN hub_request_invited i ON i.m49 = g.country_m49 \
                 WHERE g.role = 'focal-point' AND i.request_id = $1 AND {active}"
            ),
            Some(request_id.to_owned()),
        ),
        Audience::Requesters => (
            format!(
                "SELECT DISTINCT u.id, u.email FROM app_user u JOIN role_grant g ON g.user_id = u.id \
                 JOIN hub_request_requester r ON r.m49 = g.country_m49 \
                 WHERE g.role = 'focal-point' AND r.request_id = $1 AND {active} \
                 UNION SELECT u.id, u.email FROM app_user u JOIN hub_request q ON q.submitter_id = u.id \
                 WHERE q.id = $1 AND u.status = 'active'"
            ),
            Some(request_id.to_owned()),
        ),
    };
    let mut query = sqlx::query(&sql);
    if let Some(bind) = bind {
        query = query.bind(bind);
    }
    let rows = query.fetch_all(&mut **tx).await?;
    let mut out = Vec::new();
    for row in rows {
        let id: String = row.try_get(0)?;
        if Some(id.as_str()) != actor {
            out.push(row.try_get::<String, _>(1)?);
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Queues each notice to each of its addresses.
async fn queue_notices(
    tx: &mut Transaction<'static, Any>,
    ctx: &AuditContext,
    request_id: &str,
    notices: &[Notice],
) -> Result<(), sqlx::Error> {
    for notice in notices {
        for to in addresses(tx, request_id, &notice.audience, ctx.actor_id.as_deref()).await? {
            outbox::queue(tx, &to, &notice.subject, &notice.body).await?;
        }
    }
    Ok(())
}

async fn stage_of(tx: &mut Transaction<'static, Any>, id: &str) -> Result<Stage, StoreError> {
    let stage: Option<String> = sqlx::query_scalar("SELECT stage FROM hub_request WHERE id = $1")
        .bind(id.to_owned())
        .fetch_optional(&mut **tx)
        .await?;
    let stage = stage.ok_or_else(|| StoreError::NotFound {
        what: "support request",
        id: id.to_owned(),
    })?;
    Stage::parse(&stage).ok_or_else(|| corrupt("request stage", stage))
}

/// The stage of a request that must still be open: a closed one refuses the change, named by
/// `field`.
async fn open_stage_of(
    tx: &mut Transaction<'static, Any>,
    id: &str,
    field: &'static str,
) -> Result<Stage, StoreError> {
    let stage = stage_of(tx, id).await?;
    if !stage.is_open() {
        return Err(StoreError::Refused {
            field,
            message: "the request is closed".into(),
        });
    }
    Ok(stage)
}

/// When a stage entered now runs out of its target time.
fn due_from_now(stage: Stage) -> Option<String> {
    stage
        .target_days()
        .map(|days| time_text(time::OffsetDateTime::now_utc() + time::Duration::days(days)))
}

/// Records a move of this workflow (see `crate::workflow`).
async fn record_transition(
    tx: &mut Transaction<'static, Any>,
    ctx: &AuditContext,
    id: &str,
    from: Option<Stage>,
    to: Stage,
    note: &str,
) -> Result<(), sqlx::Error> {
    workflow::record_transition(
        tx,
        ctx,
        Workflow::Hub,
        id,
        from.map(|s| s.slug()),
        to.slug(),
        note,
    )
    .await
}

async fn touch(tx: &mut Transaction<'static, Any>, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE hub_request SET updated_at = $1 WHERE id = $2")
        .bind(now_text())
        .bind(id.to_owned())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

const REQUEST_COLUMNS: &str = "r.id, r.reference, r.title, r.description, r.urgency, r.stage, \
     r.public, r.submitter_id, r.officer_id, o.display_name AS officer_name, r.stage_since, \
     r.stage_due, r.created_at, r.updated_at, r.closed_at";

fn request_from_row(
    row: &AnyRow,
    lists: &[HashMap<String, Vec<String>>],
    engaged: &HashMap<String, Vec<String>>,
) -> Result<SupportRequest, StoreError> {
    let id: String = row.try_get("id")?;
    let list = |i: usize| lists[i].get(&id).cloned().unwrap_or_default();
    let stage: String = row.try_get("stage")?;
    let public: i64 = row.try_get("public")?;
    Ok(SupportRequest {
        fields: RequestFields {
            title: row.try_get("title")?,
            description: row.try_get("description")?,
            urgency: row.try_get("urgency")?,
            requesters: parse_codes(list(0))?,
            countries: parse_codes(list(1))?,
            objectives: list(2),
            actions: list(3),
            languages: parse_languages(list(4))?,
            support: list(5),
            preferred: list(6),
            invited: parse_codes(list(7))?,
        },
        reference: row.try_get("reference")?,
        stage: Stage::parse(&stage).ok_or_else(|| corrupt("request stage", stage))?,
        public: public != 0,
        submitter_id: row.try_get("submitter_id")?,
        officer_id: row.try_get("officer_id")?,
        officer_name: row.try_get("officer_name")?,
        engaged: engaged.get(&id).cloned().unwrap_or_default(),
        stage_since: row.try_get("stage_since")?,
        stage_due: row.try_get("stage_due")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        closed_at: row.try_get("closed_at")?,
        id,
    })
}

async fn existing_request(
    tx: &mut Transaction<'static, Any>,
    submitter: &str,
    key: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM hub_request WHERE submitter_id = $1 AND idempotency_key = $2",
    )
    .bind(submitter.to_owned())
    .bind(key.to_owned())
    .fetch_optional(&mut **tx)
    .await
}

fn request_lists(fields: &RequestFields) -> Vec<Vec<String>> {
    vec![
        codes(&fields.requesters),
        codes(&fields.countries),
        fields.objectives.clone(),
        fields.actions.clone(),
        languages(&fields.languages),
        fields.support.clone(),
        fields.preferred.clone(),
        codes(&fields.invited),
    ]
}

impl Store {
    /// The revision of the partner registry as matching reads it.
    pub async fn hub_revision(&self) -> Result<i64, StoreError> {
        Ok(self.hub_revisions().await?.0)
    }

    /// The revisions of the partner registry and of the set of public requests.
    pub async fn hub_revisions(&self) -> Result<(i64, i64), StoreError> {
        let row = sqlx::query("SELECT seq, peers FROM hub_revision WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }

    /// Creates or replaces an organization's partner profile.
    pub async fn save_partner(
        &self,
        ctx: &AuditContext,
        organization_id: &str,
        fields: &PartnerFields,
    ) -> Result<Partner, StoreError> {
        let args = (ctx.clone(), organization_id.to_owned(), fields.clone());
        self.transaction(move |tx| {
            let (ctx, id, fields) = args.clone();
            Box::pin(async move {
                let exists: Option<String> =
                    sqlx::query_scalar("SELECT id FROM organization WHERE id = $1")
                        .bind(id.clone())
                        .fetch_optional(&mut **tx)
                        .await?;
                if exists.is_none() {
                    return Err(StoreError::NotFound {
                        what: "organization",
                        id,
                    });
                }
                let now = now_text();
                let (world, regions): (Vec<M49>, Vec<M49>) =
                    fields.regions.iter().partition(|r| r.value() == WORLD);
                sqlx::query(
                    "INSERT INTO hub_partner (organization_id, summary, staff, global, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (organization_id) DO UPDATE \
                     SET summary = excluded.summary, staff = excluded.staff, global = excluded.global, \
                     updated_at = excluded.updated_at",
                )
                .bind(id.clone())
                .bind(fields.summary.clone())
                .bind(fields.staff)
                .bind(i64::from(!world.is_empty()))
                .bind(now)
                .execute(&mut **tx)
                .await?;
                write_lists(
                    tx,
                    &PARTNER_LISTS,
                    "organization_id",
                    &id,
                    vec![
                        fields.objectives.clone(),
                        fields.actions.clone(),
                        codes(&fields.countries),
                        codes(&regions),
                        languages(&fields.languages),
                        fields.support.clone(),
                    ],
                )
                .await?;
                bump_revision(tx).await?;
                append(tx, &ctx, "hub.partner.save", Some(("organization", &id)), json!({}))
                    .await?;
                Ok(())
            })
        })
        .await?;
        self.partner(organization_id)
            .await?
            .ok_or_else(|| corrupt("partner", organization_id))
    }

    pub async fn partner(&self, organization_id: &str) -> Result<Option<Partner>, StoreError> {
        Ok(self
            .partners_of(Some(organization_id))
            .await?
            .into_iter()
            .next())
    }

    /// How many organizations have a partner profile.
    pub async fn partner_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM hub_partner")
            .fetch_one(self.pool())
            .await?)
    }

    /// The whole registry, by name, each partner with its load and track record.
    pub async fn partners(&self) -> Result<Vec<Partner>, StoreError> {
        self.partners_of(None).await
    }

    /// The registry, or one organization's profile in it.
    async fn partners_of(&self, only: Option<&str>) -> Result<Vec<Partner>, StoreError> {
        let (filter, and, party_and) = match only {
            Some(_) => (
                "WHERE p.organization_id = $1",
                "AND t.organization_id = $1",
                "AND p.organization_id = $1",
            ),
            None => ("", "", ""),
        };
        let sql = format!(
            "SELECT p.organization_id, o.name, o.kind, o.website, p.summary, p.staff, p.updated_at, p.global \
             FROM hub_partner p JOIN organization o ON o.id = p.organization_id {filter} ORDER BY o.name_key"
        );
        let mut query = sqlx::query(&sql);
        if let Some(id) = only {
            query = query.bind(id.to_owned());
        }
        let rows = query.fetch_all(self.pool()).await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let lists = read_lists(self, &PARTNER_LISTS, "organization_id", only).await?;
        let count_by = |sql: String| async move {
            let mut query = sqlx::query(&sql);
            if let Some(id) = only {
                query = query.bind(id.to_owned());
            }
            let rows = query.fetch_all(self.pool()).await?;
            let mut map = HashMap::new();
            for row in rows {
                map.insert(row.try_get::<String, _>(0)?, row.try_get::<i64, _>(1)?);
            }
            Ok::<_, StoreError>(map)
        };
        let open: Vec<String> = Stage::OPEN
            .iter()
            .map(|s| format!("'{}'", s.slug()))
            .collect();
        let engaged = count_by(format!(
            "SELECT t.organization_id, COUNT(DISTINCT t.request_id) FROM hub_team_member t \
             JOIN hub_request r ON r.id = t.request_id WHERE t.organization_id IS NOT NULL \
             AND t.role IN ('lead', 'participant') AND r.stage IN ({}) {and} GROUP BY t.organization_id",
            open.join(", ")
        ))
        .await?;
        let served = count_by(format!(
            "SELECT t.organization_id, COUNT(DISTINCT t.request_id) FROM hub_team_member t \
             JOIN hub_request r ON r.id = t.request_id WHERE t.organization_id IS NOT NULL \
             AND t.role IN ('lead', 'participant') AND r.stage = 'served' {and} GROUP BY t.organization_id"
        ))
        .await?;
        let implemented = count_by(format!(
            "SELECT p.organization_id, COUNT(DISTINCT p.item_id) FROM knowledge_party p \
             JOIN knowledge_item i ON i.id = p.item_id WHERE p.organization_id IS NOT NULL \
             AND i.status = 'published' {party_and} GROUP BY p.organization_id"
        ))
        .await?;
        rows.iter()
            .map(|row| {
                let id: String = row.try_get(0)?;
                let list = |i: usize| lists[i].get(&id).cloned().unwrap_or_default();
                let kind: String = row.try_get(2)?;
                let global: i64 = row.try_get(7)?;
                let mut regions = parse_codes(list(3))?;
                if global != 0 {
                    regions.insert(0, M49::new(WORLD).map_err(|_| corrupt("M49 code", "001"))?);
                }
                Ok(Partner {
                    name: row.try_get(1)?,
                    kind: OrganizationKind::parse(&kind)
                        .ok_or_else(|| corrupt("organization kind", kind))?,
                    website: row.try_get(3)?,
                    fields: PartnerFields {
                        summary: row.try_get(4)?,
                        staff: row.try_get(5)?,
                        objectives: list(0),
                        actions: list(1),
                        countries: parse_codes(list(2))?,
                        regions,
                        languages: parse_languages(list(4))?,
                        support: list(5),
                    },
                    engaged: engaged.get(&id).copied().unwrap_or(0),
                    requests_served: served.get(&id).copied().unwrap_or(0),
                    items_implemented: implemented.get(&id).copied().unwrap_or(0),
                    updated_at: row.try_get(6)?,
                    organization_id: id,
                })
            })
            .collect()
    }

    /// Stores a new request, or, when `idempotency_key` names one this submitter already
    /// made, finds that one (`false`: nothing new was stored, no email sent twice).
    pub async fn submit_request(
        &self,
        ctx: &AuditContext,
        submitter_id: &str,
        fields: &RequestFields,
        idempotency_key: Option<&str>,
        notices: &[Notice],
    ) -> Result<(SupportRequest, bool), StoreError> {
        let args = Arc::new((
            ctx.clone(),
            submitter_id.to_owned(),
            fields.clone(),
            idempotency_key.map(str::to_owned),
            notices.to_vec(),
        ));
        let (id, created) = self
            .transaction(move |tx| {
                let args = args.clone();
                Box::pin(async move {
                    let (ctx, submitter, fields, key, notices) = &*args;
                    if let Some(key) = key {
                        if let Some(id) = existing_request(tx, submitter, key).await? {
                            return Ok((id, false));
                        }
                    }
                    let now = now_text();
                    let year = &now[..4];
                    let made: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM hub_request WHERE reference LIKE $1",
                    )
                    .bind(format!("HUB-{year}-%"))
                    .fetch_one(&mut **tx)
                    .await?;
                    let id = new_id();
                    let reference = format!("HUB-{year}-{:04}", made + 1);
                    sqlx::query(
                        "INSERT INTO hub_request (id, reference, title, description, urgency, stage, public, \
                         submitter_id, idempotency_key, stage_since, stage_due, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9, $10, $9, $9)",
                    )
                    .bind(id.clone())
                    .bind(reference.clone())
                    .bind(fields.title.clone())
                    .bind(fields.description.clone())
                    .bind(fields.urgency.clone())
                    .bind(Stage::Submitted.slug())
                    .bind(submitter.clone())
                    .bind(key.clone())
                    .bind(now)
                    .bind(due_from_now(Stage::Submitted))
                    .execute(&mut **tx)
                    .await?;
                    write_lists(tx, &REQUEST_LISTS, "request_id", &id, request_lists(fields))
                        .await?;
                    // A new request is confidential, so matching's inputs do not change.
                    record_transition(tx, ctx, &id, None, Stage::Submitted, "").await?;
                    append(
                        tx,
                        ctx,
                        "hub.request.submit",
                        Some(("support-request", &id)),
                        json!({"reference": reference}),
                    )
                    .await?;
                    let notices: Vec<Notice> = notices
                        .iter()
                        .map(|n| Notice {
                            subject: n.subject.replace("{reference}", &reference),
                            body: n
                                .body
                                .replace("{reference}", &reference)
                                .replace("{id}", &id),
                            audience: n.audience.clone(),
                        })
                        .collect();
                    queue_notices(tx, ctx, &id, &notices).await?;
                    Ok((id, true))
                })
            })
            .await?;
        let request = self.stored_request(&id).await?;
        Ok((request, created))
    }

    /// A request a write just stored: its absence means the database is not what we wrote.
    async fn stored_request(&self, id: &str) -> Result<SupportRequest, StoreError> {
        self.support_request(id)
            .await?
            .ok_or_else(|| corrupt("support request", id))
    }

    pub async fn support_request(&self, id: &str) -> Result<Option<SupportRequest>, StoreError> {
        Ok(self
            .support_requests_where(Some(id))
            .await?
            .into_iter()
            .next())
    }

    /// Every request, newest first. Callers filter by what the actor may see.
    pub async fn support_requests(&self) -> Result<Vec<SupportRequest>, StoreError> {
        self.support_requests_where(None).await
    }

    /// Every request, or only `only`.
    async fn support_requests_where(
        &self,
        only: Option<&str>,
    ) -> Result<Vec<SupportRequest>, StoreError> {
        let (filter, and) = match only {
            Some(_) => ("WHERE r.id = $1", "AND request_id = $1"),
            None => ("", ""),
        };
        let sql = format!(
            "SELECT {REQUEST_COLUMNS} FROM hub_request r LEFT JOIN app_user o ON o.id = r.officer_id \
             {filter} ORDER BY r.created_at DESC, r.id"
        );
        let team_sql = format!(
            "SELECT DISTINCT request_id, organization_id FROM hub_team_member \
             WHERE organization_id IS NOT NULL {and} ORDER BY request_id, organization_id"
        );
        let (mut query, mut team_query) = (sqlx::query(&sql), sqlx::query(&team_sql));
        if let Some(id) = only {
            query = query.bind(id.to_owned());
            team_query = team_query.bind(id.to_owned());
        }
        let rows = query.fetch_all(self.pool()).await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let lists = read_lists(self, &REQUEST_LISTS, "request_id", only).await?;
        let team = team_query.fetch_all(self.pool()).await?;
        let mut engaged: HashMap<String, Vec<String>> = HashMap::new();
        for row in team {
            engaged
                .entry(row.try_get(0)?)
                .or_default()
                .push(row.try_get(1)?);
        }
        rows.iter()
            .map(|row| request_from_row(row, &lists, &engaged))
            .collect()
    }

    /// Moves a request to another stage, if `mover` may (see `check_move`).
    pub async fn move_request(
        &self,
        ctx: &AuditContext,
        id: &str,
        to: Stage,
        mover: Mover,
        note: &str,
        notices: &[Notice],
    ) -> Result<SupportRequest, StoreError> {
        let args = Arc::new((
            ctx.clone(),
            id.to_owned(),
            note.to_owned(),
            notices.to_vec(),
        ));
        self.transaction(move |tx| {
            let args = args.clone();
            Box::pin(async move {
                let (ctx, id, note, notices) = &*args;
                let from = stage_of(tx, id).await?;
                check_move(from, to, mover).map_err(|e| StoreError::Refused {
                    field: "stage",
                    message: e.0,
                })?;
                let now = now_text();
                sqlx::query(
                    "UPDATE hub_request SET stage = $1, stage_since = $2, stage_due = $3, \
                     overdue_notice = NULL, updated_at = $2, closed_at = $4 WHERE id = $5",
                )
                .bind(to.slug())
                .bind(now.clone())
                .bind(due_from_now(to))
                .bind((!to.is_open()).then_some(now))
                .bind(id.clone())
                .execute(&mut **tx)
                .await?;
                record_transition(tx, ctx, id, Some(from), to, note).await?;
                // Closing frees the team's capacity and, when served, adds to its record.
                if !to.is_open() {
                    bump_revision(tx).await?;
                }
                append(
                    tx,
                    ctx,
                    "hub.request.move",
                    Some(("support-request", id)),
                    json!({"from": from.slug(), "to": to.slug()}),
                )
                .await?;
                queue_notices(tx, ctx, id, notices).await?;
                Ok(())
            })
        })
        .await?;
        self.stored_request(id).await
    }

    /// Assigns the officer who holds the request.
    pub async fn assign_request(
        &self,
        ctx: &AuditContext,
        id: &str,
        officer_id: &str,
        notices: &[Notice],
    ) -> Result<SupportRequest, StoreError> {
        let args = Arc::new((
            ctx.clone(),
            id.to_owned(),
            officer_id.to_owned(),
            notices.to_vec(),
        ));
        self.transaction(move |tx| {
            let args = args.clone();
            Box::pin(async move {
                let (ctx, id, officer, notices) = &*args;
                open_stage_of(tx, id, "officer").await?;
                let is_officer: Option<String> = sqlx::query_scalar(
                    "SELECT u.id FROM app_user u JOIN role_grant g ON g.user_id = u.id \
                     WHERE u.id = $1 AND g.role = 'secretariat' AND g.revoked_at IS NULL \
                     AND u.status = 'active'",
                )
                .bind(officer.clone())
                .fetch_optional(&mut **tx)
                .await?;
                if is_officer.is_none() {
                    return Err(StoreError::Refused {
                        field: "officer",
                        message: "an officer is an active member of the secretariat".into(),
                    });
                }
                sqlx::query(
                    "UPDATE hub_request SET officer_id = $1, updated_at = $2 WHERE id = $3",
                )
                .bind(officer.clone())
                .bind(now_text())
                .bind(id.clone())
                .execute(&mut **tx)
                .await?;
                append(
                    tx,
                    ctx,
                    "hub.request.assign",
                    Some(("support-request", id)),
                    json!({"officer": officer}),
                )
                .await?;
                queue_notices(tx, ctx, id, notices).await?;
                Ok(())
            })
        })
        .await?;
        self.stored_request(id).await
    }

    /// Makes a request public, or confidential again.
    pub async fn set_request_public(
        &self,
        ctx: &AuditContext,
        id: &str,
        public: bool,
    ) -> Result<SupportRequest, StoreError> {
        let args = (ctx.clone(), id.to_owned());
        self.transaction(move |tx| {
            let (ctx, id) = args.clone();
            Box::pin(async move {
                stage_of(tx, &id).await?;
                sqlx::query("UPDATE hub_request SET public = $1, updated_at = $2 WHERE id = $3")
                    .bind(i64::from(public))
                    .bind(now_text())
                    .bind(id.clone())
                    .execute(&mut **tx)
                    .await?;
                bump_peers(tx).await?;
                append(
                    tx,
                    &ctx,
                    "hub.request.visibility",
                    Some(("support-request", &id)),
                    json!({"public": public}),
                )
                .await?;
                Ok(())
            })
        })
        .await?;
        self.stored_request(id).await
    }

    /// A country's answer to the invitation to join a request: accepted, it becomes one of
    /// the requesting countries (and is shown as such); declined, the invitation is gone.
    /// Either way everyone already on the request hears of it.
    pub async fn answer_invitation(
        &self,
        ctx: &AuditContext,
        id: &str,
        country: M49,
        accept: bool,
        notices: &[Notice],
    ) -> Result<SupportRequest, StoreError> {
        let args = Arc::new((ctx.clone(), id.to_owned(), notices.to_vec()));
        self.transaction(move |tx| {
            let args = args.clone();
            Box::pin(async move {
                let (ctx, id, notices) = &*args;
                open_stage_of(tx, id, "accept").await?;
                let invited = sqlx::query(
                    "DELETE FROM hub_request_invited WHERE request_id = $1 AND m49 = $2",
                )
                .bind(id.clone())
                .bind(country.to_string())
                .execute(&mut **tx)
                .await?
                .rows_affected();
                if invited == 0 {
                    return Err(StoreError::Refused {
                        field: "accept",
                        message: format!("{country} has no open invitation to join this request"),
                    });
                }
                if accept {
                    sqlx::query(
                        "INSERT INTO hub_request_requester (request_id, m49, position) \
                         SELECT $1, $2, COALESCE(MAX(position), 0) + 1 FROM hub_request_requester \
                         WHERE request_id = $1",
                    )
                    .bind(id.clone())
                    .bind(country.to_string())
                    .execute(&mut **tx)
                    .await?;
                    // A public request's requesters are what peers see.
                    bump_peers(tx).await?;
                }
                touch(tx, id).await?;
                append(
                    tx,
                    ctx,
                    if accept {
                        "hub.request.joint-accept"
                    } else {
                        "hub.request.joint-decline"
                    },
                    Some(("support-request", id)),
                    json!({"country": country.to_string()}),
                )
                .await?;
                queue_notices(tx, ctx, id, notices).await?;
                Ok(())
            })
        })
        .await?;
        self.stored_request(id).await
    }

    pub async fn request_transitions(
        &self,
        id: &str,
    ) -> Result<Vec<RequestTransition>, StoreError> {
        let rows = sqlx::query(
            "SELECT t.from_stage, t.to_stage, t.actor_id, u.display_name, t.actor_role, t.note, t.at \
             FROM hub_transition t LEFT JOIN app_user u ON u.id = t.actor_id \
             WHERE t.request_id = $1 ORDER BY t.at, t.id",
        )
        .bind(id.to_owned())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let from: Option<String> = row.try_get(0)?;
                let to: String = row.try_get(1)?;
                Ok(RequestTransition {
                    from: from
                        .map(|s| Stage::parse(&s).ok_or_else(|| corrupt("request stage", s)))
                        .transpose()?,
                    to: Stage::parse(&to).ok_or_else(|| corrupt("request stage", to))?,
                    actor_id: row.try_get(2)?,
                    actor_name: row.try_get(3)?,
                    actor_role: row.try_get(4)?,
                    note: row.try_get(5)?,
                    at: row.try_get(6)?,
                })
            })
            .collect()
    }

    pub async fn add_request_comment(
        &self,
        ctx: &AuditContext,
        id: &str,
        body: &str,
        shared: bool,
        notices: &[Notice],
    ) -> Result<(), StoreError> {
        let author = ctx.actor_id.clone().ok_or_else(|| StoreError::Refused {
            field: "comment",
            message: "a comment has an author".into(),
        })?;
        let args = Arc::new((
            ctx.clone(),
            id.to_owned(),
            body.to_owned(),
            notices.to_vec(),
        ));
        self.transaction(move |tx| {
            let args = args.clone();
            let author = author.clone();
            Box::pin(async move {
                let (ctx, id, body, notices) = &*args;
                stage_of(tx, id).await?;
                sqlx::query(
                    "INSERT INTO hub_comment (id, request_id, author_id, body, shared, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(new_id())
                .bind(id.clone())
                .bind(author)
                .bind(body.clone())
                .bind(i64::from(shared))
                .bind(now_text())
                .execute(&mut **tx)
                .await?;
                touch(tx, id).await?;
                append(
                    tx,
                    ctx,
                    "hub.request.comment",
                    Some(("support-request", id)),
                    json!({"shared": shared}),
                )
                .await?;
                queue_notices(tx, ctx, id, notices).await?;
                Ok(())
            })
        })
        .await
    }

    pub async fn request_comments(&self, id: &str) -> Result<Vec<RequestComment>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.id, c.author_id, u.display_name, c.body, c.shared, c.created_at \
             FROM hub_comment c JOIN app_user u ON u.id = c.author_id \
             WHERE c.request_id = $1 ORDER BY c.created_at, c.id",
        )
        .bind(id.to_owned())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let shared: i64 = row.try_get(4)?;
                Ok(RequestComment {
                    id: row.try_get(0)?,
                    author_id: row.try_get(1)?,
                    author_name: row.try_get(2)?,
                    body: row.try_get(3)?,
                    shared: shared != 0,
                    created_at: row.try_get(5)?,
                })
            })
            .collect()
    }

    /// Attaches a file (its type already checked by the caller), at most `max` per request.
    pub async fn add_request_attachment(
        &self,
        ctx: &AuditContext,
        request_id: &str,
        filename: &str,
        media_type: &str,
        content: Vec<u8>,
        max: usize,
    ) -> Result<RequestAttachment, StoreError> {
        let uploader = ctx.actor_id.clone().unwrap_or_default();
        let attachment = RequestAttachment {
            id: new_id(),
            request_id: request_id.to_owned(),
            filename: filename.to_owned(),
            media_type: media_type.to_owned(),
            size_bytes: content.len() as i64,
            sha256: Sha256::digest(&content)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            created_at: now_text(),
        };
        let args = Arc::new((ctx.clone(), attachment.clone(), content, uploader));
        self.transaction(move |tx| {
            let args = args.clone();
            Box::pin(async move {
                let (ctx, a, content, uploader) = &*args;
                stage_of(tx, &a.request_id).await?;
                let count: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM hub_attachment WHERE request_id = $1")
                        .bind(a.request_id.clone())
                        .fetch_one(&mut **tx)
                        .await?;
                if count as usize >= max {
                    return Err(StoreError::Refused {
                        field: "file",
                        message: format!("a request has at most {max} files"),
                    });
                }
                sqlx::query(
                    "INSERT INTO hub_attachment (id, request_id, filename, media_type, size_bytes, sha256, \
                     content, uploader_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(a.id.clone())
                .bind(a.request_id.clone())
                .bind(a.filename.clone())
                .bind(a.media_type.clone())
                .bind(a.size_bytes)
                .bind(a.sha256.clone())
                .bind(content.clone())
                .bind(uploader.clone())
                .bind(a.created_at.clone())
                .execute(&mut **tx)
                .await?;
                append(
                    tx,
                    ctx,
                    "hub.request.attach",
                    Some(("support-request", &a.request_id)),
                    json!({"attachment": a.id, "media_type": a.media_type, "bytes": a.size_bytes}),
                )
                .await?;
                Ok(())
            })
        })
        .await?;
        Ok(attachment)
    }

    pub async fn request_attachments(
        &self,
        request_id: &str,
    ) -> Result<Vec<RequestAttachment>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, request_id, filename, media_type, size_bytes, sha256, created_at \
             FROM hub_attachment WHERE request_id = $1 ORDER BY created_at, id",
        )
        .bind(request_id.to_owned())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(attachment_from_row).collect()
    }

    /// A file and its bytes.
    pub async fn request_attachment(
        &self,
        id: &str,
    ) -> Result<Option<(RequestAttachment, Vec<u8>)>, StoreError> {
        let row = sqlx::query(
            "SELECT id, request_id, filename, media_type, size_bytes, sha256, created_at, content \
             FROM hub_attachment WHERE id = $1",
        )
        .bind(id.to_owned())
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| Ok((attachment_from_row(&row)?, row.try_get(7)?)))
            .transpose()
    }

    /// Stores what matching proposed: undecided suggestions are replaced, decided ones keep
    /// their decision (and are not proposed again).
    pub async fn replace_suggestions(
        &self,
        request_id: &str,
        suggestions: &[NewSuggestion],
    ) -> Result<(), StoreError> {
        let args = Arc::new((request_id.to_owned(), suggestions.to_vec()));
        self.transaction(move |tx| {
            let args = args.clone();
            Box::pin(async move {
                let (id, suggestions) = &*args;
                stage_of(tx, id).await?;
                sqlx::query("DELETE FROM hub_suggestion WHERE request_id = $1 AND decision IS NULL")
                    .bind(id.clone())
                    .execute(&mut **tx)
                    .await?;
                let now = now_text();
                for s in suggestions {
                    sqlx::query(
                        "INSERT INTO hub_suggestion (id, request_id, target_kind, target_id, title, rank, \
                         score, factors, computed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                         ON CONFLICT (request_id, target_kind, target_id) DO NOTHING",
                    )
                    .bind(new_id())
                    .bind(id.clone())
                    .bind(s.kind.as_str())
                    .bind(s.target_id.clone())
                    .bind(s.title.clone())
                    .bind(s.rank)
                    .bind(s.score)
                    .bind(s.factors.to_string())
                    .bind(now.clone())
                    .execute(&mut **tx)
                    .await?;
                }
                Ok(())
            })
        })
        .await
    }

    /// A request's suggestions: by kind, then rank.
    pub async fn suggestions(&self, request_id: &str) -> Result<Vec<Suggestion>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, target_kind, target_id, title, rank, score, factors, computed_at, decision, \
             decided_by, decided_at FROM hub_suggestion WHERE request_id = $1 \
             ORDER BY target_kind, rank, id",
        )
        .bind(request_id.to_owned())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get(1)?;
                let factors: String = row.try_get(6)?;
                let decision: Option<String> = row.try_get(8)?;
                Ok(Suggestion {
                    id: row.try_get(0)?,
                    kind: TargetKind::parse(&kind)
                        .ok_or_else(|| corrupt("suggestion kind", kind))?,
                    target_id: row.try_get(2)?,
                    title: row.try_get(3)?,
                    rank: row.try_get(4)?,
                    score: row.try_get(5)?,
                    factors: serde_json::from_str(&factors)
                        .map_err(|_| corrupt("suggestion factors", factors))?,
                    computed_at: row.try_get(7)?,
                    decision: decision
                        .map(|d| Decision::parse(&d).ok_or_else(|| corrupt("decision", d)))
                        .transpose()?,
                    decided_by: row.try_get(9)?,
                    decided_at: row.try_get(10)?,
                })
            })
            .collect()
    }

    /// Records an officer's decision on a suggestion. Accepting a partner puts it on the
    /// team as a participating organization (it then sees the request).
    pub async fn decide_suggestion(
        &self,
        ctx: &AuditContext,
        request_id: &str,
        suggestion_id: &str,
        decision: Decision,
        notices: &[Notice],
    ) -> Result<(), StoreError> {
        let args = Arc::new((
            ctx.clone(),
            request_id.to_owned(),
            suggestion_id.to_owned(),
            notices.to_vec(),
        ));
        self.transaction(move |tx| {
            let args = args.clone();
            Box::pin(async move {
                let (ctx, id, suggestion, notices) = &*args;
                open_stage_of(tx, id, "decision").await?;
                let row = sqlx::query(
                    "SELECT target_kind, target_id, title FROM hub_suggestion WHERE id = $1 AND request_id = $2",
                )
                .bind(suggestion.clone())
                .bind(id.clone())
                .fetch_optional(&mut **tx)
                .await?
                .ok_or_else(|| StoreError::NotFound {
                    what: "suggestion",
                    id: suggestion.clone(),
                })?;
                let kind: String = row.try_get(0)?;
                let target: String = row.try_get(1)?;
                let title: String = row.try_get(2)?;
                let now = now_text();
                sqlx::query(
                    "UPDATE hub_suggestion SET decision = $1, decided_by = $2, decided_at = $3 WHERE id = $4",
                )
                .bind(decision.as_str())
                .bind(ctx.actor_id.clone())
                .bind(now.clone())
                .bind(suggestion.clone())
                .execute(&mut **tx)
                .await?;
                if decision == Decision::Accepted && kind == "partner" {
                    let on_team: Option<String> = sqlx::query_scalar(
                        "SELECT id FROM hub_team_member WHERE request_id = $1 AND organization_id = $2",
                    )
                    .bind(id.clone())
                    .bind(target.clone())
                    .fetch_optional(&mut **tx)
                    .await?;
                    if on_team.is_none() {
                        let kind: Option<String> =
                            sqlx::query_scalar("SELECT kind FROM organization WHERE id = $1")
                                .bind(target.clone())
                                .fetch_optional(&mut **tx)
                                .await?;
                        insert_member(
                            tx,
                            id,
                            &NewTeamMember {
                                role: TeamRole::Participant,
                                organization_id: Some(target.clone()),
                                name: title,
                                kind: kind.as_deref().and_then(OrganizationKind::parse),
                                contribution: String::new(),
                            },
                        )
                        .await?;
                        bump_revision(tx).await?;
                    }
                }
                touch(tx, id).await?;
                append(
                    tx,
                    ctx,
                    &format!("hub.suggestion.{}", decision.as_str()),
                    Some(("support-request", id)),
                    json!({"kind": kind, "target": target}),
                )
                .await?;
                queue_notices(tx, ctx, id, notices).await?;
                Ok(())
            })
        })
        .await
    }

    pub async fn add_team_member(
        &self,
        ctx: &AuditContext,
        request_id: &str,
        member: &NewTeamMember,
        notices: &[Notice],
    ) -> Result<TeamMember, StoreError> {
        let args = Arc::new((
            ctx.clone(),
            request_id.to_owned(),
            member.clone(),
            notices.to_vec(),
        ));
        self.transaction(move |tx| {
            let args = args.clone();
            Box::pin(async move {
                let (ctx, id, member, notices) = &*args;
                open_stage_of(tx, id, "role").await?;
                if let Some(org) = &member.organization_id {
                    let on_team: Option<String> = sqlx::query_scalar(
                        "SELECT id FROM hub_team_member WHERE request_id = $1 AND organization_id = $2",
                    )
                    .bind(id.clone())
                    .bind(org.clone())
                    .fetch_optional(&mut **tx)
                    .await?;
                    if on_team.is_some() {
                        return Err(StoreError::Conflict {
                            field: "organization",
                            message: "this organization is already on the team".into(),
                        });
                    }
                }
                let added = insert_member(tx, id, member).await?;
                bump_revision(tx).await?;
                touch(tx, id).await?;
                append(
                    tx,
                    ctx,
                    "hub.team.add",
                    Some(("support-request", id)),
                    json!({"role": member.role.slug(), "organization": member.organization_id}),
                )
                .await?;
                queue_notices(tx, ctx, id, notices).await?;
                Ok(added)
            })
        })
        .await
    }

    pub async fn remove_team_member(
        &self,
        ctx: &AuditContext,
        request_id: &str,
        member_id: &str,
    ) -> Result<(), StoreError> {
        let args = (ctx.clone(), request_id.to_owned(), member_id.to_owned());
        self.transaction(move |tx| {
            let (ctx, id, member) = args.clone();
            Box::pin(async move {
                let removed =
                    sqlx::query("DELETE FROM hub_team_member WHERE id = $1 AND request_id = $2")
                        .bind(member.clone())
                        .bind(id.clone())
                        .execute(&mut **tx)
                        .await?;
                if removed.rows_affected() == 0 {
                    return Err(StoreError::NotFound {
                        what: "team member",
                        id: member,
                    });
                }
                bump_revision(tx).await?;
                touch(tx, &id).await?;
                append(
                    tx,
                    &ctx,
                    "hub.team.remove",
                    Some(("support-request", &id)),
                    json!({"member": member}),
                )
                .await?;
                Ok(())
            })
        })
        .await
    }

    pub async fn team(&self, request_id: &str) -> Result<Vec<TeamMember>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, role, organization_id, name, kind, contribution, added_at FROM hub_team_member \
             WHERE request_id = $1 ORDER BY added_at, id",
        )
        .bind(request_id.to_owned())
        .fetch_all(self.pool())
        .await?;
        let mut team: Vec<TeamMember> = rows
            .iter()
            .map(|row| {
                let role: String = row.try_get(1)?;
                let kind: Option<String> = row.try_get(4)?;
                Ok(TeamMember {
                    id: row.try_get(0)?,
                    role: TeamRole::parse(&role).ok_or_else(|| corrupt("team role", role))?,
                    organization_id: row.try_get(2)?,
                    name: row.try_get(3)?,
                    kind: kind.as_deref().and_then(OrganizationKind::parse),
                    contribution: row.try_get(5)?,
                    added_at: row.try_get(6)?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        team.sort_by_key(|m| m.role);
        Ok(team)
    }

    /// Records a funding opportunity (one per source; recording it again updates it).
    pub async fn save_funding(
        &self,
        ctx: &AuditContext,
        request_id: &str,
        funding: &NewFunding,
    ) -> Result<(), StoreError> {
        let args = (ctx.clone(), request_id.to_owned(), funding.clone());
        self.transaction(move |tx| {
            let (ctx, id, f) = args.clone();
            Box::pin(async move {
                stage_of(tx, &id).await?;
                sqlx::query(
                    "INSERT INTO hub_funding (id, request_id, source, source_name, status, amount_usd, note, added_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (request_id, source) DO UPDATE \
                     SET status = excluded.status, amount_usd = excluded.amount_usd, note = excluded.note",
                )
                .bind(new_id())
                .bind(id.clone())
                .bind(f.source.clone())
                .bind(f.source_name.clone())
                .bind(f.status.clone())
                .bind(f.amount_usd)
                .bind(f.note.clone())
                .bind(now_text())
                .execute(&mut **tx)
                .await?;
                touch(tx, &id).await?;
                append(tx, &ctx, "hub.funding.save", Some(("support-request", &id)), json!({"source": f.source, "status": f.status}))
                    .await?;
                Ok(())
            })
        })
        .await
    }

    pub async fn funding(&self, request_id: &str) -> Result<Vec<Funding>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, source, source_name, status, amount_usd, note, added_at FROM hub_funding \
             WHERE request_id = $1 ORDER BY added_at, id",
        )
        .bind(request_id.to_owned())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Funding {
                    id: row.try_get(0)?,
                    fields: NewFunding {
                        source: row.try_get(1)?,
                        source_name: row.try_get(2)?,
                        status: row.try_get(3)?,
                        amount_usd: row.try_get(4)?,
                        note: row.try_get(5)?,
                    },
                    added_at: row.try_get(6)?,
                })
            })
            .collect()
    }

    /// Saves the concept-note draft for the start-up fund (created, or replaced).
    pub async fn save_concept_note(
        &self,
        ctx: &AuditContext,
        request_id: &str,
        content: &serde_json::Value,
    ) -> Result<ConceptNote, StoreError> {
        let author = ctx.actor_id.clone().unwrap_or_default();
        let args = (
            ctx.clone(),
            request_id.to_owned(),
            content.to_string(),
            author,
        );
        self.transaction(move |tx| {
            let (ctx, id, content, author) = args.clone();
            Box::pin(async move {
                stage_of(tx, &id).await?;
                sqlx::query(
                    "INSERT INTO hub_concept_note (request_id, content, created_by, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $4) ON CONFLICT (request_id) DO UPDATE \
                     SET content = excluded.content, updated_at = excluded.updated_at",
                )
                .bind(id.clone())
                .bind(content)
                .bind(author)
                .bind(now_text())
                .execute(&mut **tx)
                .await?;
                append(tx, &ctx, "hub.concept-note.save", Some(("support-request", &id)), json!({}))
                    .await?;
                Ok(())
            })
        })
        .await?;
        self.concept_note(request_id)
            .await?
            .ok_or_else(|| corrupt("concept note", request_id))
    }

    pub async fn concept_note(&self, request_id: &str) -> Result<Option<ConceptNote>, StoreError> {
        let row = sqlx::query(
            "SELECT request_id, content, created_by, created_at, updated_at FROM hub_concept_note \
             WHERE request_id = $1",
        )
        .bind(request_id.to_owned())
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            let content: String = row.try_get(1)?;
            Ok(ConceptNote {
                request_id: row.try_get(0)?,
                content: serde_json::from_str(&content)
                    .map_err(|_| corrupt("concept note", content))?,
                created_by: row.try_get(2)?,
                created_at: row.try_get(3)?,
                updated_at: row.try_get(4)?,
            })
        })
        .transpose()
    }

    /// Open requests whose stage ran past its target at `now` and whose holders have not been
    /// told of it yet.
    pub async fn overdue_unnoticed(&self, now: &str) -> Result<Vec<SupportRequest>, StoreError> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM hub_request WHERE stage_due IS NOT NULL AND stage_due < $1 \
             AND closed_at IS NULL AND (overdue_notice IS NULL OR overdue_notice <> stage)",
        )
        .bind(now.to_owned())
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::new();
        for id in ids {
            out.extend(self.support_request(&id).await?);
        }
        Ok(out)
    }

    /// Queues the overdue notices of a request's current stage, once: a second call for the
    /// same stage sends nothing (`false`).
    pub async fn notify_overdue(
        &self,
        id: &str,
        stage: Stage,
        notices: &[Notice],
    ) -> Result<bool, StoreError> {
        let args = Arc::new((id.to_owned(), notices.to_vec()));
        self.transaction(move |tx| {
            let args = args.clone();
            Box::pin(async move {
                let (id, notices) = &*args;
                let marked = sqlx::query(
                    "UPDATE hub_request SET overdue_notice = stage WHERE id = $1 AND stage = $2 \
                     AND (overdue_notice IS NULL OR overdue_notice <> stage)",
                )
                .bind(id.clone())
                .bind(stage.slug())
                .execute(&mut **tx)
                .await?;
                if marked.rows_affected() == 0 {
                    return Ok(false);
                }
                queue_notices(tx, &AuditContext::system(), id, notices).await?;
                Ok(true)
            })
        })
        .await
    }

    /// What public statistics count, for every request: no text of any.
    pub async fn request_facts(&self) -> Result<Vec<RequestFacts>, StoreError> {
        Ok(self
            .support_requests()
            .await?
            .into_iter()
            .map(|r| RequestFacts {
                id: r.id,
                stage: r.stage,
                requesters: r.fields.requesters,
                objectives: r.fields.objectives,
                actions: r.fields.actions,
                created_at: r.created_at,
                closed_at: r.closed_at,
            })
            .collect())
    }

    /// Requests per stage (for dashboards).
    pub async fn requests_by_stage(&self) -> Result<BTreeMap<Stage, i64>, StoreError> {
        let rows = sqlx::query("SELECT stage, COUNT(*) FROM hub_request GROUP BY stage")
            .fetch_all(self.pool())
            .await?;
        let mut out = BTreeMap::new();
        for row in rows {
            let stage: String = row.try_get(0)?;
            out.insert(
                Stage::parse(&stage).ok_or_else(|| corrupt("request stage", stage))?,
                row.try_get(1)?,
            );
        }
        Ok(out)
    }
}

async fn insert_member(
    tx: &mut Transaction<'static, Any>,
    request_id: &str,
    member: &NewTeamMember,
) -> Result<TeamMember, sqlx::Error> {
    let added = TeamMember {
        id: new_id(),
        role: member.role,
        organization_id: member.organization_id.clone(),
        name: member.name.clone(),
        kind: member.kind,
        contribution: member.contribution.clone(),
        added_at: now_text(),
    };
    sqlx::query(
        "INSERT INTO hub_team_member (id, request_id, role, organization_id, name, kind, contribution, added_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(added.id.clone())
    .bind(request_id.to_owned())
    .bind(added.role.slug())
    .bind(added.organization_id.clone())
    .bind(added.name.clone())
    .bind(added.kind.map(|k| k.slug()))
    .bind(added.contribution.clone())
    .bind(added.added_at.clone())
    .execute(&mut **tx)
    .await?;
    Ok(added)
}

fn attachment_from_row(row: &AnyRow) -> Result<RequestAttachment, StoreError> {
    Ok(RequestAttachment {
        id: row.try_get(0)?,
        request_id: row.try_get(1)?,
        filename: row.try_get(2)?,
        media_type: row.try_get(3)?,
        size_bytes: row.try_get(4)?,
        sha256: row.try_get(5)?,
        created_at: row.try_get(6)?,
    })
}
