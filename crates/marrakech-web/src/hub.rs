//! The connection hub as the server runs it (para 43(a)). Pages and the API both go through
//! the operations here, so they validate, authorize, notify and match alike:
//!
//! - `Hub` keeps one `Matcher` built from the partner registry, the published knowledge items
//!   and the public requests, rebuilt when the hub's revision or the knowledge index log
//!   moves; `match_request` ranks partners and peers for a request and stores them.
//! - `rights` asks the policy what the actor may do with a request.
//! - `RequestInput`/`PartnerForm` and friends: what a form or JSON client sends, validated by
//!   field into the store's values.
//! - The operations (`submit`, `move_request`, `decide`, ...) check rights, write, and owe
//!   their emails.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use marrakech_core::countries::{Reference, M49};
use marrakech_core::hub::{
    check_setup, request_rights, Mover, RequestParties, SetupFinding, SetupNeeds, Stage, TeamRole,
};
use marrakech_core::knowledge::{attachment_type, safe_filename, text_field, Language};
use marrakech_core::policy::{Action, OrganizationKind, Resource};
use marrakech_hub::text::analyze;
use marrakech_hub::{
    Bm25, Candidate, CandidateInput, Capacity, HubError, HubRequest, MatchOptions, Matcher,
    PartnerInput, PartnerProfile, SupportKind, TextHit, TextSimilarity, TrackRecord, Weights,
};
use marrakech_store::hub::{
    Decision, NewFunding, NewSuggestion, NewTeamMember, Partner, PartnerFields, RequestFields,
    SupportRequest, TargetKind, START_UP_FUND,
};
use marrakech_store::knowledge::Item;
use marrakech_store::Store;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::Mutex;
use utoipa::ToSchema;

use crate::auth::Auth;
use crate::error::AppError;
use crate::pages::forms::FormErrors;
use crate::{mail, markdown, AppState};

/// Files a request may carry.
pub const MAX_ATTACHMENTS: usize = 10;
/// Suggestions of each family kept per request.
const SUGGESTIONS: usize = 10;
/// How long a submission waits for a matcher rebuild before using the previous matcher.
const FRESH_WAIT: std::time::Duration = std::time::Duration::from_millis(500);

/// What a matcher was built from: the partner registry's revision, the public requests'
/// revision and the knowledge index log's head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct BuildKey {
    registry: i64,
    peers: i64,
    items: i64,
}

impl BuildKey {
    async fn now(store: &Store) -> Result<BuildKey, AppError> {
        let (registry, peers) = store.hub_revisions().await?;
        Ok(BuildKey {
            registry,
            peers,
            items: store.index_log_head().await?,
        })
    }

    /// Whether only the partner registry moved since `built`: the candidates can be kept.
    fn only_registry_moved_since(&self, built: &BuildKey) -> bool {
        self.peers == built.peers && self.items == built.items
    }
}

struct Built {
    key: BuildKey,
    /// How long its full build took: a rebuild expected to be as quick is simply waited for.
    full_build: std::time::Duration,
    matcher: Matcher,
    /// Each past request's requesting countries, so a country is not offered its own.
    requesters: HashMap<String, Vec<M49>>,
}

pub use marrakech_app::hub::ItemText;
pub use marrakech_app::mail::notices;

/// The server's matcher and the weights it scores with (configuration).
pub struct Hub {
    weights: Weights,
    item_text: ItemText,
    /// The knowledge platform's index, for [`ItemText::SearchIndex`].
    search: Arc<crate::search::Search>,
    current: RwLock<Option<Arc<Built>>>,
    rebuilding: Mutex<()>,
}

impl Hub {
    pub fn new(weights: Weights, item_text: ItemText, search: Arc<crate::search::Search>) -> Hub {
        Hub {
            weights,
            item_text,
            search,
            current: RwLock::new(None),
            rebuilding: Mutex::new(()),
        }
    }

    pub fn weights(&self) -> &Weights {
        &self.weights
    }

    fn current(&self) -> Option<Arc<Built>> {
        self.current.read().ok().and_then(|c| c.clone())
    }

    /// The matcher for the hub as it is now. When the registry changed since the last build,
    /// a rebuild starts. When the last full build took less than `FRESH_WAIT` the submission
    /// waits for it; otherwise (a large registry takes seconds to index) it waits at most
    /// `FRESH_WAIT` and then matches with the previous matcher, so that every request is
    /// answered at once. The very first build is waited for whole.
    async fn matcher(self: &Arc<Self>, store: &Store) -> Result<Arc<Built>, AppError> {
        let key = BuildKey::now(store).await?;
        let current = self.current();
        if let Some(built) = current.as_ref().filter(|b| b.key == key) {
            return Ok(built.clone());
        }
        let hub = self.clone();
        let store = store.clone();
        let rebuild = tokio::spawn(async move { hub.rebuild(&store, key).await });
        let joined = |r: Result<Result<Arc<Built>, AppError>, tokio::task::JoinError>| {
            r.map_err(|e| AppError::Internal(format!("the matcher build failed: {e}")))?
        };
        match current {
            None => joined(rebuild.await),
            Some(previous) if previous.full_build < FRESH_WAIT => joined(rebuild.await),
            Some(stale) => match tokio::time::timeout(FRESH_WAIT, rebuild).await {
                Ok(done) => joined(done),
                Err(_) => {
                    tracing::info!("matching with the previous matcher while a new one builds");
                    Ok(stale)
                }
            },
        }
    }

    /// Builds the matcher for `key` unless another task just did: only the partners when
    /// only the registry moved, everything otherwise.
    async fn rebuild(&self, store: &Store, key: BuildKey) -> Result<Arc<Built>, AppError> {
        let _rebuilding = self.rebuilding.lock().await;
        let current = self.current();
        if let Some(built) = current.as_ref().filter(|b| b.key == key) {
            return Ok(built.clone());
        }
        if let Some(current) = current.filter(|b| key.only_registry_moved_since(&b.key)) {
            return self.rebuild_partners(store, key, current).await;
        }
        let started = Instant::now();
        let partners = self.partner_profiles(store).await?;
        let ids = store.published_item_ids().await?;
        let items = store.items_by_ids(&ids).await?;
        let requests: Vec<SupportRequest> = store
            .support_requests()
            .await?
            .into_iter()
            .filter(|r| r.public)
            .collect();
        let mut candidates: Vec<Candidate> = items.iter().filter_map(item_candidate).collect();
        let peers: Vec<Candidate> = requests.iter().filter_map(request_candidate).collect();
        let platform_text = match self.item_text {
            ItemText::Bm25 => None,
            ItemText::SearchIndex => {
                // The index must hold every item the matcher will: it follows the same log.
                self.search.catch_up(store).await?;
                Some(PlatformText::new(
                    self.search.index().clone(),
                    candidates.iter().map(Candidate::id),
                    Bm25::new(peers.iter().map(|c| (c.id(), c.text()))),
                ))
            }
        };
        candidates.extend(peers);
        let requesters = requests
            .iter()
            .map(|r| (r.id.clone(), r.fields.requesters.clone()))
            .collect();
        let (partner_count, candidate_count) = (partners.len(), candidates.len());
        let weights = self.weights.clone();
        let matcher = tokio::task::spawn_blocking(move || {
            let partner_text = Bm25::new(partners.iter().map(|p| (p.id(), p.text())));
            let candidate_text: Box<dyn TextSimilarity> = match platform_text {
                Some(text) => Box::new(text),
                None => Box::new(Bm25::new(candidates.iter().map(|c| (c.id(), c.text())))),
            };
            Matcher::with_text(
                partners,
                candidates,
                weights,
                Box::new(partner_text),
                candidate_text,
            )
        })
        .await
        .map_err(|e| AppError::Internal(format!("the matcher build panicked: {e}")))?
        .map_err(|e| AppError::Internal(format!("the matcher cannot be built: {e}")))?;
        tracing::info!(
            partners = partner_count,
            candidates = candidate_count,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "built the hub's matcher"
        );
        Ok(self.keep(Built {
            key,
            full_build: started.elapsed(),
            matcher,
            requesters,
        }))
    }

    /// A matcher with the registry as it is now and `current`'s candidates.
    async fn rebuild_partners(
        &self,
        store: &Store,
        key: BuildKey,
        current: Arc<Built>,
    ) -> Result<Arc<Built>, AppError> {
        let started = Instant::now();
        let partners = self.partner_profiles(store).await?;
        let count = partners.len();
        let previous = current.clone();
        let matcher = tokio::task::spawn_blocking(move || {
            let text = Bm25::new(partners.iter().map(|p| (p.id(), p.text())));
            previous.matcher.with_partners(partners, Box::new(text))
        })
        .await
        .map_err(|e| AppError::Internal(format!("the matcher build panicked: {e}")))?
        .map_err(|e| AppError::Internal(format!("the matcher cannot be built: {e}")))?;
        tracing::info!(
            partners = count,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "rebuilt the hub matcher's partners"
        );
        Ok(self.keep(Built {
            key,
            full_build: current.full_build,
            matcher,
            requesters: current.requesters.clone(),
        }))
    }

    /// The registry's profiles, as matching reads them.
    async fn partner_profiles(&self, store: &Store) -> Result<Vec<PartnerProfile>, AppError> {
        Ok(store
            .partners()
            .await?
            .iter()
            .filter_map(|p| {
                partner_profile(p)
                    .map_err(|e| tracing::warn!(error = %e, "a stored partner profile is left out"))
                    .ok()
            })
            .collect())
    }

    fn keep(&self, built: Built) -> Arc<Built> {
        let built = Arc::new(built);
        if let Ok(mut current) = self.current.write() {
            *current = Some(built.clone());
        }
        built
    }

    /// Builds the matcher ahead of the first submission (at start-up).
    pub async fn warm(self: &Arc<Self>, store: &Store) -> Result<(), AppError> {
        self.matcher(store).await.map(|_| ())
    }

    /// Ranks partners and peers for a request and stores them as its suggestions. What an
    /// officer already decided on, partners already on the team and the requesting
    /// countries' own past requests are left out.
    pub async fn match_request(
        self: &Arc<Self>,
        store: &Store,
        request: &SupportRequest,
    ) -> Result<(), AppError> {
        let started = Instant::now();
        let built = self.matcher(store).await?;
        let hub_request = hub_request(request)
            .map_err(|e| AppError::Internal(format!("a stored request does not validate: {e}")))?;
        let mut exclude: HashSet<String> = store
            .suggestions(&request.id)
            .await?
            .into_iter()
            .filter(|s| s.decision.is_some())
            .map(|s| s.target_id)
            .collect();
        exclude.extend(request.engaged.iter().cloned());
        exclude.extend(
            built
                .requesters
                .iter()
                .filter(|(_, countries)| {
                    countries
                        .iter()
                        .any(|c| request.fields.requesters.contains(c))
                })
                .map(|(id, _)| id.clone()),
        );
        let options = MatchOptions {
            partners: SUGGESTIONS,
            items: SUGGESTIONS,
            exclude: exclude.into_iter().collect(),
        };
        let matches = built.matcher.suggest(&hub_request, &options);
        let to_new = |kind: TargetKind, rank: usize, s: marrakech_hub::Suggestion| NewSuggestion {
            kind,
            target_id: s.id,
            title: s.name,
            rank: rank as i64 + 1,
            score: s.score,
            factors: serde_json::to_value(&s.factors).unwrap_or_default(),
        };
        let mut suggestions: Vec<NewSuggestion> = matches
            .partners
            .into_iter()
            .enumerate()
            .map(|(rank, s)| to_new(TargetKind::Partner, rank, s))
            .collect();
        suggestions.extend(matches.items.into_iter().enumerate().map(|(rank, s)| {
            let kind = if s.kind == "past-request" {
                TargetKind::Request
            } else {
                TargetKind::Item
            };
            to_new(kind, rank, s)
        }));
        store.replace_suggestions(&request.id, &suggestions).await?;
        tracing::info!(
            request = %request.reference,
            suggestions = suggestions.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "matched a support request"
        );
        Ok(())
    }
}

/// Text similarity for the hub's candidates ([`ItemText::SearchIndex`]): knowledge items
/// from the knowledge platform's search index (every language's analysis, so a request in
/// one language meets every version of every item), other countries' public requests from a
/// BM25 index of their own (they are not in the search index). Both are BM25 scores (k1 1.2,
/// b 0.75) and are merged as they are: dividing each source by its own best ranked worse on
/// the labeled set.
pub struct PlatformText {
    index: Arc<marrakech_search::Index>,
    /// Each item the matcher knows, by its key in the search index.
    items: HashMap<u64, String>,
    requests: Bm25,
}

impl PlatformText {
    pub fn new<'a>(
        index: Arc<marrakech_search::Index>,
        items: impl Iterator<Item = &'a str>,
        requests: Bm25,
    ) -> PlatformText {
        PlatformText {
            index,
            items: items
                .map(|id| (marrakech_search::Index::key_of(id), id.to_owned()))
                .collect(),
            requests,
        }
    }
}

impl TextSimilarity for PlatformText {
    fn most_similar(&self, query: &str, limit: usize) -> Vec<TextHit> {
        let items = match self.index.similar_to_text(query, limit) {
            Ok(hits) => hits,
            Err(error) => {
                tracing::warn!(%error, "the search index could not rank items for matching");
                Vec::new()
            }
        };
        let mut hits: Vec<TextHit> = items
            .into_iter()
            .filter_map(|(key, score)| {
                self.items.get(&key).map(|id| TextHit {
                    id: id.clone(),
                    score,
                })
            })
            .collect();
        hits.extend(self.requests.most_similar(query, limit));
        hits.sort_by(|a, b| b.score.total_cmp(&a.score));
        hits.truncate(limit);
        hits
    }

    fn shared_terms(&self, query: &str, id: &str, max: usize) -> Vec<String> {
        let from_requests = self.requests.shared_terms(query, id, max);
        if !from_requests.is_empty() {
            return from_requests;
        }
        // An item: the request's words (as the hub analyses them) that its text holds too,
        // the longest first as the most telling.
        let Ok(Some(text)) = self.index.document_text(id) else {
            return Vec::new();
        };
        let held: HashSet<String> = analyze(&text).map(|(stem, _)| stem).collect();
        let mut shared: Vec<(String, String)> = analyze(query)
            .filter(|(stem, _)| held.contains(stem))
            .collect();
        shared.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.1.cmp(&b.1)));
        let mut stems: HashSet<String> = HashSet::new();
        shared
            .into_iter()
            .filter(|(stem, _)| stems.insert(stem.clone()))
            .map(|(_, word)| word)
            .take(max)
            .collect()
    }
}

fn codes(values: &[M49]) -> Vec<String> {
    values.iter().map(|c| c.to_string()).collect()
}

fn partner_profile(p: &Partner) -> Result<PartnerProfile, HubError> {
    PartnerProfile::try_from(PartnerInput {
        id: p.organization_id.clone(),
        name: p.name.clone(),
        kind: p.kind.slug().to_owned(),
        description: p.fields.summary.clone(),
        objectives: p.fields.objectives.clone(),
        actions: p.fields.actions.clone(),
        countries: codes(&p.fields.countries),
        regions: codes(&p.fields.regions),
        languages: p.fields.languages.iter().map(|l| l.code().into()).collect(),
        support: p.fields.support.clone(),
        capacity: Capacity {
            staff: p.fields.staff.clamp(0, u32::MAX as i64) as u32,
            engaged: p.engaged.clamp(0, u32::MAX as i64) as u32,
        },
        track_record: TrackRecord {
            requests_served: p.requests_served.clamp(0, u32::MAX as i64) as u32,
            items_implemented: p.items_implemented.clamp(0, u32::MAX as i64) as u32,
        },
    })
}

/// A published item as a candidate for peer exchange: its original text (title, summary and
/// body as plain text) and its taxonomy.
fn item_candidate(item: &Item) -> Option<Candidate> {
    let text = item.content.original()?;
    let content = &item.content;
    Candidate::try_from(CandidateInput {
        id: item.id.clone(),
        kind: content.kind.slug().to_owned(),
        title: text.title.chars().take(300).collect(),
        text: format!("{}\n{}", text.summary, markdown::plain_text(&text.body))
            .chars()
            .take(20_000)
            .collect(),
        objectives: content.objectives.clone(),
        actions: content.actions.clone(),
        countries: codes(&content.countries),
        regions: codes(&content.regions),
        languages: content
            .texts
            .iter()
            .map(|t| t.language.code().into())
            .collect(),
    })
    .map_err(|e| tracing::debug!(error = %e, "an item is not a matching candidate"))
    .ok()
}

fn request_candidate(r: &SupportRequest) -> Option<Candidate> {
    Candidate::try_from(CandidateInput {
        id: r.id.clone(),
        kind: "past-request".into(),
        title: r.fields.title.clone(),
        text: r.fields.description.clone(),
        objectives: r.fields.objectives.clone(),
        actions: r.fields.actions.clone(),
        countries: codes(&r.fields.countries),
        regions: Vec::new(),
        languages: r.fields.languages.iter().map(|l| l.code().into()).collect(),
    })
    .ok()
}

fn hub_request(r: &SupportRequest) -> Result<HubRequest, HubError> {
    HubRequest::try_from(marrakech_hub::RequestInput {
        id: Some(r.id.clone()),
        title: r.fields.title.clone(),
        description: r.fields.description.clone(),
        objectives: r.fields.objectives.clone(),
        actions: r.fields.actions.clone(),
        countries: codes(&r.fields.countries),
        support: r.fields.support.clone(),
        languages: r.fields.languages.iter().map(|l| l.code().into()).collect(),
        urgency: Some(r.fields.urgency.clone()),
    })
}

pub use marrakech_core::hub::RequestRights;

/// The policy's answers for this request and actor (the rule is core's `request_rights`).
pub fn rights(auth: &Auth, r: &SupportRequest) -> RequestRights {
    request_rights(
        &auth.actor,
        RequestParties {
            requesters: &r.fields.requesters,
            invited: &r.fields.invited,
            public: r.public,
            engaged: &r.engaged,
        },
    )
}

/// A request the actor may see, with their rights; anything else is a 404 that does not
/// reveal whether it exists.
pub async fn visible(
    auth: &Auth,
    state: &AppState,
    id: &str,
) -> Result<(SupportRequest, RequestRights), AppError> {
    let not_found = || AppError::not_found("support request", id, None);
    let request = state
        .store
        .support_request(id)
        .await?
        .ok_or_else(not_found)?;
    let rights = rights(auth, &request);
    if !rights.see {
        return Err(not_found());
    }
    Ok((request, rights))
}

/// Every request the actor may see, newest first.
pub async fn visible_requests(
    auth: &Auth,
    state: &AppState,
) -> Result<Vec<(SupportRequest, RequestRights)>, AppError> {
    Ok(state
        .store
        .support_requests()
        .await?
        .into_iter()
        .map(|r| {
            let rights = rights(auth, &r);
            (r, rights)
        })
        .filter(|(_, rights)| rights.see)
        .collect())
}

/// A request the actor processes as the secretariat; `what` says what only it may do.
async fn processed(
    auth: &Auth,
    state: &AppState,
    id: &str,
    what: &str,
) -> Result<SupportRequest, AppError> {
    let (request, rights) = visible(auth, state, id).await?;
    if !rights.process {
        return Err(forbidden(&format!("only the secretariat {what}")));
    }
    Ok(request)
}

fn forbidden(message: &str) -> AppError {
    AppError::Forbidden(message.to_owned())
}

/// A support request as a form or a JSON client sends it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestInput {
    pub title: String,
    /// Markdown.
    #[serde(default)]
    pub description: String,
    /// `obj-N` ids.
    #[serde(default)]
    pub objectives: Vec<String>,
    /// `obj-N-x` ids.
    #[serde(default)]
    pub actions: Vec<String>,
    /// Countries concerned (M49, ISO alpha-3 or alpha-2).
    pub countries: Vec<String>,
    /// Other countries making the request jointly (their focal points follow it too).
    #[serde(default)]
    pub joint_with: Vec<String>,
    /// `policy-advice`, `technical-assistance`, `capacity-building`, `data`, `funding`,
    /// `peer-exchange`.
    pub support: Vec<String>,
    /// ISO 639-1 codes of the six UN languages, preferred first.
    pub languages: Vec<String>,
    /// `low`, `normal` (default) or `high`.
    #[serde(default)]
    pub urgency: Option<String>,
    /// Ids of registered organizations the country would like to work with.
    #[serde(default)]
    pub preferred_partners: Vec<String>,
}

/// The field a hub-crate error names, as a form names it (`countries.1` -> `countries`).
fn form_field(field: &str) -> &str {
    field.split('.').next().unwrap_or(field)
}

fn hub_errors(error: HubError, errors: &mut FormErrors) {
    for e in error.field_errors() {
        if errors.get(form_field(&e.field)).is_none() {
            errors.add(form_field(&e.field), e.message.clone());
        }
    }
}

/// Validates a request for the submitter's country, naming every invalid field.
pub async fn request_fields(
    state: &AppState,
    auth: &Auth,
    input: &RequestInput,
    errors: &mut FormErrors,
) -> Result<Option<RequestFields>, AppError> {
    let own = auth.actor.roles.iter().find_map(|r| match r {
        marrakech_core::policy::Role::FocalPoint { country } => Some(*country),
        _ => None,
    });
    let Some(own) = own else {
        return Err(forbidden(
            "only a country's focal point submits its requests",
        ));
    };
    let validated = HubRequest::try_from(marrakech_hub::RequestInput {
        id: None,
        title: input.title.clone(),
        description: input.description.clone(),
        objectives: input.objectives.clone(),
        actions: input.actions.clone(),
        countries: input.countries.clone(),
        support: input.support.clone(),
        languages: input.languages.clone(),
        urgency: input.urgency.clone().filter(|u| !u.trim().is_empty()),
    });
    if input.support.is_empty() {
        errors.add("support", "choose at least one kind of support");
    }
    let reference = Reference::official();
    // The other States are invited: each becomes a requester when its focal point accepts.
    let mut invited: Vec<M49> = Vec::new();
    for (i, code) in input.joint_with.iter().enumerate() {
        match reference.country(code.trim()) {
            Some(c) if c.m49 != own && !invited.contains(&c.m49) => invited.push(c.m49),
            Some(_) => {}
            None => errors.add(
                "joint_with",
                format!("`{code}` (number {}) is not a country", i + 1),
            ),
        }
    }
    let mut preferred = Vec::new();
    for id in input
        .preferred_partners
        .iter()
        .filter(|p| !p.trim().is_empty())
    {
        match state.store.organization(id.trim()).await? {
            Some(org) => preferred.push(org.id),
            None => errors.add(
                "preferred_partners",
                format!("`{id}` is not a registered organization"),
            ),
        }
    }
    let validated = match validated {
        Ok(v) => v,
        Err(e) => {
            hub_errors(e, errors);
            return Ok(None);
        }
    };
    if !errors.is_empty() {
        return Ok(None);
    }
    let (objectives, actions) = validated.topics().ids();
    Ok(Some(RequestFields {
        title: validated.title().to_owned(),
        description: validated.description().to_owned(),
        urgency: input
            .urgency
            .clone()
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| "normal".into())
            .trim()
            .to_owned(),
        requesters: vec![own],
        invited,
        countries: validated.countries().to_vec(),
        objectives,
        actions,
        languages: validated.languages().to_vec(),
        support: validated
            .support()
            .iter()
            .map(|s| s.slug().to_owned())
            .collect(),
        preferred,
    }))
}

/// A partner profile as a form or JSON client sends it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerForm {
    /// What the organization brings: its comparative advantages, in words.
    pub summary: String,
    /// Staff available for hub work.
    pub staff: i64,
    #[serde(default)]
    pub objectives: Vec<String>,
    #[serde(default)]
    pub actions: Vec<String>,
    /// Countries of operational presence.
    #[serde(default)]
    pub countries: Vec<String>,
    /// M49 regions or sub-regions of presence (`001` for the world).
    #[serde(default)]
    pub regions: Vec<String>,
    pub languages: Vec<String>,
    pub support: Vec<String>,
}

pub fn partner_fields(
    organization: &marrakech_store::Organization,
    form: &PartnerForm,
    errors: &mut FormErrors,
) -> Option<PartnerFields> {
    if !(0..=100_000).contains(&form.staff) {
        errors.add("staff", "staff is a number from 0 to 100,000");
    }
    let profile = PartnerProfile::try_from(PartnerInput {
        id: organization.id.clone(),
        name: organization.name.clone(),
        kind: organization.kind.slug().to_owned(),
        description: form.summary.clone(),
        objectives: form.objectives.clone(),
        actions: form.actions.clone(),
        countries: form.countries.clone(),
        regions: form.regions.clone(),
        languages: form.languages.clone(),
        support: form.support.clone(),
        capacity: Capacity::default(),
        track_record: TrackRecord::default(),
    });
    if form.summary.trim().chars().count() < 10 {
        errors.add(
            "summary",
            "describe the organization's strengths in a sentence or more",
        );
    }
    let profile = match profile {
        Ok(p) => p,
        Err(e) => {
            hub_errors(e, errors);
            return None;
        }
    };
    if !errors.is_empty() {
        return None;
    }
    let (objectives, actions) = profile.topics().ids();
    Some(PartnerFields {
        summary: profile.description().to_owned(),
        staff: form.staff,
        objectives,
        actions,
        countries: profile.presence().countries().to_vec(),
        regions: profile.presence().groupings().to_vec(),
        languages: profile.languages().to_vec(),
        support: profile
            .support()
            .iter()
            .map(|s| s.slug().to_owned())
            .collect(),
    })
}

/// A team member as a form or JSON client sends it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamInput {
    /// `lead`, `participant`, `government-counterpart` or `stakeholder`.
    pub role: String,
    /// A registered organization's id, or none for an institution named in words.
    #[serde(default)]
    pub organization: Option<String>,
    /// The institution's name, when it is not registered (a ministry).
    #[serde(default)]
    pub name: String,
    /// Its organization kind, when it is not registered.
    #[serde(default)]
    pub kind: Option<String>,
    /// Its part in the implementation.
    #[serde(default)]
    pub contribution: String,
}

pub async fn team_member(
    state: &AppState,
    input: &TeamInput,
    errors: &mut FormErrors,
) -> Result<Option<NewTeamMember>, AppError> {
    let role = TeamRole::parse(input.role.trim());
    if role.is_none() {
        errors.add("role", "choose the member's role");
    }
    let organization = match input.organization.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() => match state.store.organization(id).await? {
            Some(o) => Some(o),
            None => {
                errors.add(
                    "organization",
                    format!("`{id}` is not a registered organization"),
                );
                None
            }
        },
        _ => None,
    };
    let kind = match input.kind.as_deref().map(str::trim) {
        Some(k) if !k.is_empty() => {
            let kind = OrganizationKind::parse(k);
            if kind.is_none() {
                errors.add("kind", format!("`{k}` is not an organization kind"));
            }
            kind
        }
        _ => None,
    };
    let name = match &organization {
        Some(o) => o.name.clone(),
        None => match text_field(&input.name, 2, 200, "the institution's name") {
            Ok(n) => n,
            Err(e) => {
                errors.add("name", format!("choose an organization or {}", e.0));
                String::new()
            }
        },
    };
    let contribution = match text_field(&input.contribution, 0, 1_000, "the contribution") {
        Ok(c) => c,
        Err(e) => {
            errors.add("contribution", e.0);
            String::new()
        }
    };
    if !errors.is_empty() {
        return Ok(None);
    }
    Ok(role.map(|role| NewTeamMember {
        role,
        kind: organization.as_ref().map(|o| o.kind).or(kind),
        organization_id: organization.map(|o| o.id),
        name,
        contribution,
    }))
}

/// A funding opportunity as a form or JSON client records it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FundingInput {
    /// `start-up-fund`, or a registered partner's organization id.
    pub source: String,
    /// `identified`, `applied` or `secured`.
    pub status: String,
    /// US dollars.
    #[serde(default)]
    pub amount_usd: Option<i64>,
    #[serde(default)]
    pub note: String,
}

pub async fn funding(
    state: &AppState,
    input: &FundingInput,
    errors: &mut FormErrors,
) -> Result<Option<NewFunding>, AppError> {
    let source = input.source.trim();
    let source_name = if source == START_UP_FUND {
        Some(START_UP_FUND_NAME.to_owned())
    } else {
        state.store.organization(source).await?.map(|o| o.name)
    };
    if source_name.is_none() {
        errors.add(
            "source",
            "choose the start-up fund or a registered organization",
        );
    }
    if !["identified", "applied", "secured"].contains(&input.status.trim()) {
        errors.add("status", "the status is identified, applied or secured");
    }
    if input
        .amount_usd
        .is_some_and(|a| !(0..=1_000_000_000).contains(&a))
    {
        errors.add(
            "amount_usd",
            "the amount is from 0 to 1,000,000,000 US dollars",
        );
    }
    let note = text_field(&input.note, 0, 2_000, "the note").unwrap_or_else(|e| {
        errors.add("note", e.0);
        String::new()
    });
    if !errors.is_empty() {
        return Ok(None);
    }
    Ok(source_name.map(|source_name| NewFunding {
        source: source.to_owned(),
        source_name,
        status: input.status.trim().to_owned(),
        amount_usd: input.amount_usd,
        note,
    }))
}

/// The start-up fund's name as shown.
pub const START_UP_FUND_NAME: &str =
    "Migration Multi-Partner Trust Fund (the start-up fund, para 43(b))";

fn link(state: &AppState, request: &str) -> String {
    format!(
        "{}/hub/requests/{request}",
        state.config.public_url.trim_end_matches('/')
    )
}

/// Submits a request, matches it at once, and tells the secretariat. A retry with the same
/// idempotency key returns the request the first attempt made (`false`).
pub async fn submit(
    state: &AppState,
    auth: &Auth,
    fields: &RequestFields,
    idempotency_key: Option<&str>,
) -> Result<(SupportRequest, bool), AppError> {
    let user = auth.user()?;
    let resource = Resource::Request {
        countries: &fields.requesters[..1],
        public: false,
        engaged: &[],
    };
    auth.require(Action::RequestSupport, resource)?;
    if let Some(key) = idempotency_key {
        if key.is_empty() || key.len() > 200 || !key.is_ascii() {
            return Err(AppError::invalid(
                "idempotency_key",
                "an idempotency key is 1 to 200 ASCII characters",
            ));
        }
    }
    let url = format!(
        "{}/hub/requests/{{id}}",
        state.config.public_url.trim_end_matches('/')
    );
    let mut notices = mail::hub_submitted(&fields.title, &url);
    if !fields.invited.is_empty() {
        let filer = fields
            .requesters
            .first()
            .and_then(|c| Reference::official().country(&c.to_string()))
            .map(|c| c.name.clone())
            .unwrap_or_else(|| "A country".into());
        notices.extend(mail::hub_invited(&fields.title, &filer, &url));
    }
    let (request, created) = state
        .store
        .submit_request(
            &auth.audit(Action::RequestSupport),
            &user.id,
            fields,
            idempotency_key,
            &notices,
        )
        .await?;
    if created {
        state.hub.match_request(&state.store, &request).await?;
    }
    Ok((request, created))
}

/// Moves a request: the secretariat advances, serves or declines it; its country withdraws
/// it. Everyone concerned hears of it.
pub async fn move_request(
    state: &AppState,
    auth: &Auth,
    id: &str,
    to: &str,
    note: &str,
) -> Result<SupportRequest, AppError> {
    let (request, rights) = visible(auth, state, id).await?;
    let to = Stage::parse(to.trim())
        .ok_or_else(|| AppError::invalid("to", format!("`{to}` is not a stage of a request")))?;
    let mover = if to == Stage::Withdrawn && rights.requester {
        Mover::Requester
    } else if rights.process {
        Mover::Secretariat
    } else {
        return Err(forbidden(
            "only the secretariat moves a request; its country may withdraw it",
        ));
    };
    let note =
        text_field(note, 0, 2_000, "the note").map_err(|e| AppError::invalid("note", e.0))?;
    let notices = mail::hub_moved(&request, to, &note, &link(state, id));
    let moved = state
        .store
        .move_request(
            &auth.audit(if mover == Mover::Requester {
                Action::RequestSupport
            } else {
                Action::ProcessRequests
            }),
            id,
            to,
            mover,
            &note,
            &notices,
        )
        .await?;
    Ok(moved)
}

pub async fn assign(
    state: &AppState,
    auth: &Auth,
    id: &str,
    officer: &str,
) -> Result<SupportRequest, AppError> {
    let request = processed(auth, state, id, "assigns officers").await?;
    let notices = mail::hub_assigned(&request, officer, &link(state, id));
    Ok(state
        .store
        .assign_request(
            &auth.audit(Action::ProcessRequests),
            id,
            officer.trim(),
            &notices,
        )
        .await?)
}

pub async fn set_public(
    state: &AppState,
    auth: &Auth,
    id: &str,
    public: bool,
) -> Result<SupportRequest, AppError> {
    let (_, rights) = visible(auth, state, id).await?;
    if !rights.requester {
        return Err(forbidden(
            "only the requesting country decides whether its request is public",
        ));
    }
    Ok(state
        .store
        .set_request_public(&auth.audit(Action::RequestSupport), id, public)
        .await?)
}

/// A focal point's answer for their country to the invitation to join a request.
pub async fn answer_invitation(
    state: &AppState,
    auth: &Auth,
    id: &str,
    accept: bool,
) -> Result<SupportRequest, AppError> {
    let (request, rights) = visible(auth, state, id).await?;
    if !rights.invited {
        return Err(forbidden(
            "only the focal point of a country asked to join a request answers for it",
        ));
    }
    let country = auth
        .actor
        .roles
        .iter()
        .find_map(|r| match r {
            marrakech_core::policy::Role::FocalPoint { country }
                if request.fields.invited.contains(country) =>
            {
                Some(*country)
            }
            _ => None,
        })
        .ok_or_else(|| forbidden("your country is not asked to join this request"))?;
    let notices = mail::hub_invitation_answered(&request, country, accept, &link(state, id));
    Ok(state
        .store
        .answer_invitation(
            &auth.audit(Action::RequestSupport),
            id,
            country,
            accept,
            &notices,
        )
        .await?)
}

/// Comments: the country's are shared with the secretariat; the secretariat's and the
/// partners' may be shared with the country or kept internal.
pub async fn comment(
    state: &AppState,
    auth: &Auth,
    id: &str,
    body: &str,
    shared: bool,
) -> Result<(), AppError> {
    let (request, rights) = visible(auth, state, id).await?;
    if !rights.member() {
        return Err(forbidden("only those working on a request comment on it"));
    }
    let body =
        text_field(body, 1, 5_000, "a comment").map_err(|e| AppError::invalid("comment", e.0))?;
    let shared = shared || (rights.requester && !rights.process);
    let notices = mail::hub_commented(&request, shared, &link(state, id));
    let action = if rights.process {
        Action::ProcessRequests
    } else if rights.requester {
        Action::RequestSupport
    } else {
        Action::ReadRequest
    };
    state
        .store
        .add_request_comment(&auth.audit(action), id, &body, shared, &notices)
        .await?;
    Ok(())
}

/// Attaches a file to a request (its country or the secretariat), its type sniffed from its
/// bytes.
pub async fn attach(
    state: &AppState,
    auth: &Auth,
    id: &str,
    filename: &str,
    bytes: Vec<u8>,
) -> Result<marrakech_store::hub::RequestAttachment, AppError> {
    let (_, rights) = visible(auth, state, id).await?;
    if !(rights.requester || rights.process) {
        return Err(forbidden(
            "files are added by the requesting country or the secretariat",
        ));
    }
    let media_type =
        attachment_type(filename, &bytes).map_err(|e| AppError::invalid("file", e.0))?;
    Ok(state
        .store
        .add_request_attachment(
            &auth.audit(Action::RequestSupport),
            id,
            &safe_filename(filename),
            media_type,
            bytes,
            MAX_ATTACHMENTS,
        )
        .await?)
}

/// Runs matching again on demand (the secretariat).
pub async fn rematch(state: &AppState, auth: &Auth, id: &str) -> Result<SupportRequest, AppError> {
    let request = processed(auth, state, id, "runs the matching again").await?;
    state.hub.match_request(&state.store, &request).await?;
    Ok(request)
}

/// Accepts or dismisses a suggestion (the secretariat); an accepted partner joins the team
/// and is told.
pub async fn decide(
    state: &AppState,
    auth: &Auth,
    id: &str,
    suggestion: &str,
    decision: &str,
) -> Result<(), AppError> {
    let request = processed(auth, state, id, "accepts or dismisses suggestions").await?;
    let decision = Decision::parse(decision.trim())
        .ok_or_else(|| AppError::invalid("decision", "the decision is accept or dismiss"))?;
    let target = state
        .store
        .suggestions(id)
        .await?
        .into_iter()
        .find(|s| s.id == suggestion)
        .ok_or_else(|| AppError::not_found("suggestion", suggestion, None))?;
    let notices = if decision == Decision::Accepted && target.kind == TargetKind::Partner {
        mail::hub_engaged(&request, &target.target_id, &link(state, id))
    } else {
        Vec::new()
    };
    state
        .store
        .decide_suggestion(
            &auth.audit(Action::ProcessRequests),
            id,
            suggestion,
            decision,
            &notices,
        )
        .await?;
    Ok(())
}

pub async fn add_member(
    state: &AppState,
    auth: &Auth,
    id: &str,
    member: &NewTeamMember,
) -> Result<(), AppError> {
    let request = processed(auth, state, id, "sets up the team").await?;
    let notices = match &member.organization_id {
        Some(org) => mail::hub_engaged(&request, org, &link(state, id)),
        None => Vec::new(),
    };
    state
        .store
        .add_team_member(&auth.audit(Action::ProcessRequests), id, member, &notices)
        .await?;
    Ok(())
}

pub async fn remove_member(
    state: &AppState,
    auth: &Auth,
    id: &str,
    member: &str,
) -> Result<(), AppError> {
    processed(auth, state, id, "sets up the team").await?;
    Ok(state
        .store
        .remove_team_member(&auth.audit(Action::ProcessRequests), id, member)
        .await?)
}

pub async fn record_funding(
    state: &AppState,
    auth: &Auth,
    id: &str,
    funding: &NewFunding,
) -> Result<(), AppError> {
    processed(auth, state, id, "records funding").await?;
    Ok(state
        .store
        .save_funding(&auth.audit(Action::ProcessRequests), id, funding)
        .await?)
}

/// The set-up check for a request's team.
pub fn setup_findings(
    request: &SupportRequest,
    team: &[marrakech_store::hub::TeamMember],
) -> Vec<SetupFinding> {
    let objectives: HashSet<&str> = request
        .fields
        .objectives
        .iter()
        .map(String::as_str)
        .chain(
            request
                .fields
                .actions
                .iter()
                .filter_map(|a| a.rfind('-').map(|i| &a[..i])),
        )
        .collect();
    check_setup(
        SetupNeeds {
            objectives: objectives.len(),
            support_kinds: request.fields.support.len(),
            countries: request.fields.countries.len(),
        },
        &team.iter().map(|m| (m.role, m.kind)).collect::<Vec<_>>(),
    )
}

/// Funding opportunities for a request: the start-up fund first, then registered partners
/// that offer funding, those present where the request is before the others.
pub async fn funding_opportunities(
    state: &AppState,
    request: &SupportRequest,
) -> Result<Vec<(String, String, String)>, AppError> {
    let mut out = vec![(
        START_UP_FUND.to_owned(),
        START_UP_FUND_NAME.to_owned(),
        "Seed funding to jump-start projects that implement the compact (para 43(b)); a \
         concept note drafted from this request starts the application."
            .to_owned(),
    )];
    let reference = Reference::official();
    let mut funders: Vec<(bool, Partner)> = state
        .store
        .partners()
        .await?
        .into_iter()
        .filter(|p| {
            p.fields
                .support
                .iter()
                .any(|s| s == SupportKind::Funding.slug())
        })
        .map(|p| {
            let present = p
                .fields
                .countries
                .iter()
                .any(|c| request.fields.countries.contains(c))
                || p.fields.regions.iter().any(|g| {
                    request.fields.countries.iter().any(|c| {
                        reference
                            .country(&c.to_string())
                            .is_some_and(|country| country.areas().any(|a| a.code == *g))
                    }) || g.value() == 1
                });
            (present, p)
        })
        .collect();
    funders.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    out.extend(funders.into_iter().map(|(present, p)| {
        (
            p.organization_id,
            p.name,
            if present {
                "Offers funding and works where the request is.".to_owned()
            } else {
                "Offers funding.".to_owned()
            },
        )
    }));
    Ok(out)
}

/// The concept note for the start-up fund, prefilled from the request, its team and its
/// funding: the fields the fund's template asks for, with what is still missing named.
pub async fn draft_concept_note(
    state: &AppState,
    auth: &Auth,
    id: &str,
) -> Result<marrakech_store::hub::ConceptNote, AppError> {
    let request = processed(auth, state, id, "drafts the concept note").await?;
    let team = state.store.team(id).await?;
    let reference = Reference::official();
    let name = |c: &M49| {
        reference
            .country(&c.to_string())
            .map(|c| c.name.clone())
            .unwrap_or_else(|| c.to_string())
    };
    let by_role = |role: TeamRole| -> Vec<serde_json::Value> {
        team.iter()
            .filter(|m| m.role == role)
            .map(|m| {
                json!({
                    "name": m.name,
                    "organization_id": m.organization_id,
                    "kind": m.kind.map(|k| k.slug()),
                    "contribution": m.contribution,
                })
            })
            .collect()
    };
    let un_organizations = team
        .iter()
        .filter(|m| {
            matches!(m.role, TeamRole::Lead | TeamRole::Participant)
                && m.kind == Some(OrganizationKind::UnEntity)
        })
        .count();
    let mut missing = Vec::new();
    if un_organizations < 2 {
        missing.push("two or more participating UN organizations (the fund's rule)");
    }
    if !team
        .iter()
        .any(|m| m.role == TeamRole::GovernmentCounterpart)
    {
        missing.push("government endorsement: a government counterpart on the team");
    }
    missing.push("budget by outcome and the 7 % indirect cost");
    missing.push("gender and human-rights markers");
    let content = json!({
        "template": "Migration MPTF concept note",
        "status": "draft",
        "source_request": {"id": request.id, "reference": request.reference},
        "title": request.fields.title,
        "countries": request.fields.countries.iter().map(name).collect::<Vec<_>>(),
        "requesting_countries": request.fields.requesters.iter().map(name).collect::<Vec<_>>(),
        "objectives": request.fields.objectives,
        "actions": request.fields.actions,
        "summary": request.fields.description,
        "support_sought": request.fields.support,
        "lead_organization": by_role(TeamRole::Lead),
        "participating_organizations": by_role(TeamRole::Participant),
        "government_counterparts": by_role(TeamRole::GovernmentCounterpart),
        "stakeholders": by_role(TeamRole::Stakeholder),
        "still_missing": missing,
    });
    Ok(state
        .store
        .save_concept_note(&auth.audit(Action::ProcessRequests), id, &content)
        .await?)
}

/// Tells the holders of every newly overdue stage, once per stage. Returns how many
/// requests were noticed.
pub async fn remind_overdue(store: &Store, public_url: &str) -> Result<usize, AppError> {
    let now = marrakech_store::now_text();
    let mut noticed = 0;
    for request in store.overdue_unnoticed(&now).await? {
        let url = format!(
            "{}/hub/requests/{}",
            public_url.trim_end_matches('/'),
            request.id
        );
        if store
            .notify_overdue(
                &request.id,
                request.stage,
                &mail::hub_overdue(&request, &url),
            )
            .await?
        {
            noticed += 1;
        }
    }
    if noticed > 0 {
        tracing::info!(requests = noticed, "told officers of overdue hub requests");
    }
    Ok(noticed)
}

/// Public statistics: counts only, never a title or a description, whatever the request's
/// confidentiality.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct HubStatistics {
    pub requests: usize,
    pub open: usize,
    pub served: usize,
    /// Requests by stage slug, in workflow order.
    pub by_stage: Vec<Count>,
    /// Requests by objective id (`obj-N`), by the objectives they address directly or
    /// through an action.
    pub by_objective: Vec<Count>,
    /// Requests by the M49 region of their requesting countries.
    pub by_region: Vec<Count>,
    /// Median days from submission to served, when any was served.
    pub median_days_to_serve: Option<f64>,
    /// Requests submitted per year.
    pub by_year: Vec<Count>,
}

/// How many requests fall under a key (a stage, an objective, a region, a year).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Count {
    pub key: String,
    pub requests: usize,
}

fn counts(pairs: impl IntoIterator<Item = (String, usize)>) -> Vec<Count> {
    pairs
        .into_iter()
        .map(|(key, requests)| Count { key, requests })
        .collect()
}

pub async fn statistics(store: &Store) -> Result<HubStatistics, AppError> {
    let facts = store.request_facts().await?;
    let reference = Reference::official();
    let mut by_stage: BTreeMap<Stage, usize> = BTreeMap::new();
    let mut by_objective: BTreeMap<u32, usize> = BTreeMap::new();
    let mut by_region: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_year: BTreeMap<String, usize> = BTreeMap::new();
    let mut days = Vec::new();
    for f in &facts {
        *by_stage.entry(f.stage).or_default() += 1;
        let objectives: HashSet<u32> = f
            .objectives
            .iter()
            .chain(f.actions.iter())
            .filter_map(|id| id.split('-').nth(1)?.parse().ok())
            .collect();
        for o in objectives {
            *by_objective.entry(o).or_default() += 1;
        }
        let regions: HashSet<String> = f
            .requesters
            .iter()
            .filter_map(|c| {
                Some(
                    reference
                        .country(&c.to_string())?
                        .region
                        .as_ref()?
                        .name
                        .clone(),
                )
            })
            .collect();
        for r in regions {
            *by_region.entry(r).or_default() += 1;
        }
        *by_year.entry(f.created_at[..4].to_owned()).or_default() += 1;
        if f.stage == Stage::Served {
            if let (Some(start), Some(end)) = (
                parse_time(&f.created_at),
                f.closed_at.as_deref().and_then(parse_time),
            ) {
                days.push((end - start).as_seconds_f64() / 86_400.0);
            }
        }
    }
    days.sort_by(|a, b| a.total_cmp(b));
    let median = match days.len() {
        0 => None,
        n if n % 2 == 1 => Some(days[n / 2]),
        n => Some((days[n / 2 - 1] + days[n / 2]) / 2.0),
    };
    Ok(HubStatistics {
        requests: facts.len(),
        open: facts.iter().filter(|f| f.stage.is_open()).count(),
        served: by_stage.get(&Stage::Served).copied().unwrap_or(0),
        by_stage: counts(
            Stage::ALL
                .iter()
                .map(|s| (s.slug().to_owned(), by_stage.get(s).copied().unwrap_or(0))),
        ),
        by_objective: counts(
            by_objective
                .into_iter()
                .map(|(o, n)| (format!("obj-{o}"), n)),
        ),
        by_region: counts(by_region),
        median_days_to_serve: median.map(|d| (d * 10.0).round() / 10.0),
        by_year: counts(by_year),
    })
}

/// A stored time text as a time.
pub fn parse_time(text: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
}

/// The languages a form offers.
pub fn language_choices() -> Vec<(&'static str, &'static str)> {
    Language::ALL
        .iter()
        .map(|l| (l.code(), l.label()))
        .collect()
}

/// The kinds of support a form offers.
pub fn support_choices() -> Vec<(&'static str, &'static str)> {
    SupportKind::ALL
        .iter()
        .map(|k| (k.slug(), k.label()))
        .collect()
}
