//! The knowledge search as the web process runs it: one [`marrakech_search::Index`] per
//! server, kept in step with the database by following `knowledge_index_log`.
//!
//! Every change to what is published appends to that log in the same transaction as the
//! change (see `marrakech_store::knowledge`). [`Search::catch_up`] applies the entries after
//! the last one applied, so the index never misses a change and never needs the database to
//! know which servers exist. Writes made by this process catch up at once (read your own
//! writes); writes made elsewhere (the command line's harvest, another server) are caught up
//! before every search and by [`spawn_follower`] once a second.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::response::{IntoResponse, Response};
use axum::Json;
use marrakech_core::knowledge::{ItemStatus, Language};
use marrakech_core::CompactRef;
use marrakech_search::{
    Area, Cursor, Facet, FacetValue, Filters, Hit, Index, IndexOptions, LanguageVersion,
    Organization, PageSize, SearchDocument, SearchError, SearchRequest, SearchResults, Sort,
};
use marrakech_store::knowledge::Item;
use marrakech_store::Store;
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use tokio::sync::Mutex;
use utoipa::ToSchema;

use crate::error::{ApiResult, AppError};
use crate::params::{Format, Params};
use crate::AppState;

/// The file beside the index that records the last log entry applied to it.
const POSITION_FILE: &str = "applied-seq";
/// Log entries applied per batch (one commit each).
const BATCH: usize = 1_000;
/// The most rows a CSV download of a search holds.
pub const MAX_CSV_ROWS: usize = 10_000;

/// The server's search index and how far along the index log it is.
pub struct Search {
    index: Arc<Index>,
    applied: Mutex<i64>,
    position_file: Option<PathBuf>,
}

/// Why the index directory could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot create the search index directory {path}: {source}")]
    Directory {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Index(#[from] SearchError),
}

/// What a catch-up did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CatchUp {
    /// Items added or replaced in the index.
    pub upserted: usize,
    /// Items taken out (withdrawn, or no longer published).
    pub deleted: usize,
    /// The last log entry now applied.
    pub position: i64,
}

impl Search {
    /// An index in memory, rebuilt from the log on first use: for tests and small instances.
    pub fn in_ram() -> Result<Search, SearchError> {
        let options = IndexOptions {
            writer_memory_bytes: 20_000_000,
            writer_threads: 1,
            search_threads: 1,
        };
        Ok(Search {
            index: Arc::new(Index::in_ram(options)?),
            applied: Mutex::new(0),
            position_file: None,
        })
    }

    /// The index kept in `dir` (created when missing), resuming where it stopped.
    pub fn open(dir: &Path) -> Result<Search, OpenError> {
        std::fs::create_dir_all(dir).map_err(|source| OpenError::Directory {
            path: dir.to_owned(),
            source,
        })?;
        let index = Index::open_in_dir(dir, IndexOptions::default())?;
        let position_file = dir.join(POSITION_FILE);
        let applied = std::fs::read_to_string(&position_file)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            // An index with documents but no position cannot say what it holds: start over.
            .unwrap_or(0);
        Ok(Search {
            index: Arc::new(index),
            applied: Mutex::new(applied),
            position_file: Some(position_file),
        })
    }

    pub fn index(&self) -> &Arc<Index> {
        &self.index
    }

    /// How many items the index holds.
    pub fn len(&self) -> u64 {
        self.index.num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Applies the index log entries written since the last catch-up. From position 0 (a new
    /// index, or a database that was replaced) it rebuilds from the published items instead.
    pub async fn catch_up(&self, store: &Store) -> Result<CatchUp, AppError> {
        let mut applied = self.applied.lock().await;
        // Read the head before the items: a change committed in between is then applied
        // again by the next catch-up, which is harmless, rather than missed.
        let head = store.index_log_head().await?;
        if *applied == 0 || *applied > head {
            let upserted = self.rebuild_locked(store, &|_, _| {}).await?;
            *applied = head;
            self.save_position(head);
            return Ok(CatchUp {
                upserted,
                deleted: 0,
                position: head,
            });
        }
        let mut done = CatchUp {
            position: *applied,
            ..CatchUp::default()
        };
        loop {
            let entries = store.index_log_since(*applied, BATCH).await?;
            let Some(&(last, _)) = entries.last() else {
                break;
            };
            let ids: BTreeSet<String> = entries.into_iter().map(|(_, id)| id).collect();
            let ids: Vec<String> = ids.into_iter().collect();
            let items: HashMap<String, Item> = store
                .items_by_ids(&ids)
                .await?
                .into_iter()
                .map(|item| (item.id.clone(), item))
                .collect();
            let mut upserts = Vec::new();
            let mut deletes = Vec::new();
            for id in ids {
                match items.get(&id) {
                    Some(item) if item.status == ItemStatus::Published => {
                        upserts.push(document(item))
                    }
                    _ => deletes.push(id),
                }
            }
            done.upserted += upserts.len();
            done.deleted += deletes.len();
            let index = self.index.clone();
            blocking(move || {
                for id in &deletes {
                    index.delete(id)?;
                }
                for doc in &upserts {
                    index.upsert(doc)?;
                }
                index.commit()
            })
            .await?;
            *applied = last;
            self.save_position(last);
            done.position = last;
        }
        Ok(done)
    }

    /// Recreates the index from every published item, reporting (done, total) as it goes.
    pub async fn rebuild(
        &self,
        store: &Store,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<usize, AppError> {
        let mut applied = self.applied.lock().await;
        let head = store.index_log_head().await?;
        let count = self.rebuild_locked(store, progress).await?;
        *applied = head;
        self.save_position(head);
        Ok(count)
    }

    async fn rebuild_locked(
        &self,
        store: &Store,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<usize, AppError> {
        let ids = store.published_item_ids().await?;
        let total = ids.len();
        let mut documents = Vec::with_capacity(total);
        for chunk in ids.chunks(500) {
            for item in store.items_by_ids(chunk).await? {
                if item.status == ItemStatus::Published {
                    documents.push(document(&item));
                }
            }
            progress(documents.len(), total);
        }
        let count = documents.len();
        let index = self.index.clone();
        blocking(move || index.rebuild(documents).map(|_| ())).await?;
        Ok(count)
    }

    fn save_position(&self, position: i64) {
        if let Some(path) = &self.position_file {
            if let Err(error) = std::fs::write(path, format!("{position}\n")) {
                // The index is right; only a restart would redo some work.
                tracing::warn!(%error, path = %path.display(), "could not record the search index position");
            }
        }
    }

    /// Runs a search off the async threads.
    pub async fn search(&self, request: SearchRequest) -> Result<SearchResults, AppError> {
        let index = self.index.clone();
        blocking(move || index.search(&request)).await
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, SearchError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::Internal(format!("search task failed: {e}")))?
        .map_err(search_error)
}

/// The index's errors: a bad request parameter is the client's, the rest are ours.
fn search_error(error: SearchError) -> AppError {
    use marrakech_search::ParseError;
    match error {
        SearchError::InvalidParameter(ParseError::Cursor) | SearchError::CursorMismatch => {
            AppError::bad_parameter("cursor", error.to_string())
        }
        SearchError::InvalidParameter(ParseError::PageSize { .. }) => {
            AppError::bad_parameter("limit", error.to_string())
        }
        SearchError::InvalidParameter(e) => AppError::bad_parameter("q", e.to_string()),
        other => AppError::Internal(format!("search index: {other}")),
    }
}

/// Catches the index up after a write in this process. A failure is logged, not returned:
/// the write itself has committed, and the next catch-up applies it.
pub async fn sync(state: &AppState) {
    if let Err(error) = state.search.catch_up(&state.store).await {
        tracing::error!(%error, "search index catch-up failed");
    }
}

/// Catches the index up once a second, for changes other processes make. Stops when the
/// search is dropped.
pub fn spawn_follower(search: &Arc<Search>, store: Store) {
    let search = Arc::downgrade(search);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(search) = search.upgrade() else {
                break;
            };
            match search.catch_up(&store).await {
                Ok(done) if done.upserted + done.deleted > 0 => tracing::info!(
                    upserted = done.upserted,
                    deleted = done.deleted,
                    position = done.position,
                    "search index caught up"
                ),
                Ok(_) => {}
                Err(error) => tracing::error!(%error, "search index catch-up failed"),
            }
        }
    });
}

/// Items like `id`, as (id, title), for an item's page. Empty when the index fails: related
/// items are a courtesy, never a reason to fail the page.
pub async fn related(state: &AppState, id: &str, n: usize) -> Vec<(String, String)> {
    let index = state.search.index.clone();
    let id = id.to_owned();
    match blocking(move || index.more_like_this(&id, n)).await {
        Ok(hits) => hits.into_iter().map(|h| (h.id, h.title)).collect(),
        Err(error) => {
            tracing::warn!(%error, "related items failed");
            Vec::new()
        }
    }
}

/// The newest published items with `value` of `facet`, as (id, title), and how many there
/// are: for the compact's pages and country pages.
pub async fn newest_for(
    state: &AppState,
    facet: Facet,
    value: &str,
    n: usize,
) -> Result<(Vec<(String, String)>, u64), AppError> {
    state.search.catch_up(&state.store).await?;
    let mut request = SearchRequest::new("");
    request
        .filters
        .add(facet, value)
        .map_err(|e| AppError::Internal(format!("facet filter: {e}")))?;
    request.sort = Sort::Newest;
    request.page_size = PageSize::new(n).map_err(|e| AppError::Internal(e.to_string()))?;
    request.facets = false;
    let results = state.search.search(request).await?;
    Ok((
        results.hits.into_iter().map(|h| (h.id, h.title)).collect(),
        results.total,
    ))
}

/// What the index holds of an item: its texts as plain words, its compact references, places,
/// organizations and publication date. Contact details are never indexed.
pub fn document(item: &Item) -> SearchDocument {
    let content = &item.content;
    let refs = |ids: &[String]| -> Vec<CompactRef> {
        ids.iter()
            .filter_map(|id| CompactRef::parse(id).ok())
            .collect()
    };
    let mut areas: Vec<Area> = content.regions.iter().map(|r| Area::Region(*r)).collect();
    if content.global {
        areas.push(Area::Global);
    }
    SearchDocument {
        id: item.id.clone(),
        kind: content.kind,
        versions: content
            .texts
            .iter()
            .map(|t| LanguageVersion {
                language: t.language,
                title: t.title.clone(),
                summary: t.summary.clone(),
                body: join_blocks(&[
                    crate::markdown::plain_text(&t.body),
                    crate::markdown::plain_text(&t.results),
                ]),
                original: t.language == content.original_language,
            })
            .collect(),
        objectives: refs(&content.objectives),
        actions: refs(&content.actions),
        principles: refs(&content.principles),
        countries: content.countries.clone(),
        areas,
        organizations: content
            .parties
            .iter()
            .map(|p| Organization {
                name: p.name.clone(),
                kind: p.kind,
            })
            .collect(),
        published: publication_date(item),
    }
}

fn join_blocks(blocks: &[String]) -> String {
    blocks
        .iter()
        .filter(|b| !b.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The day an item was published (or last changed, for one harvested without a date).
pub fn publication_date(item: &Item) -> time::Date {
    let stamp = item.published_at.as_deref().unwrap_or(&item.updated_at);
    time::OffsetDateTime::parse(stamp, &Rfc3339)
        .map(|t| t.date())
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc().date())
}

/// A search as the API and the pages take it from the query string. Filters take the facet's
/// values comma-separated (OR within a facet, AND across facets).
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: String,
    pub filters: Filters,
    /// Each facet's selected values as given, for links that add or remove one.
    pub selected: Vec<(Facet, Vec<String>)>,
    pub sort: Sort,
    pub limit: usize,
    pub cursor: Option<Cursor>,
    pub language: Option<Language>,
}

impl SearchQuery {
    pub fn from_params(params: &mut Params) -> Result<SearchQuery, AppError> {
        let mut query = SearchQuery {
            text: params.take("q").unwrap_or_default(),
            limit: marrakech_search::DEFAULT_PAGE_SIZE,
            ..SearchQuery::default()
        };
        for facet in Facet::ALL {
            let Some(raw) = params.take(facet.name()) else {
                continue;
            };
            let mut values = Vec::new();
            for value in raw.split(',').map(str::trim).filter(|v| !v.is_empty()) {
                query
                    .filters
                    .add(facet, value)
                    .map_err(|e| AppError::bad_parameter(facet.name(), e.to_string()))?;
                values.push(value.to_owned());
            }
            query.selected.push((facet, values));
        }
        if let Some(sort) = params.take_with("sort", "relevance, newest or oldest", |s| {
            Sort::parse(s).ok()
        })? {
            query.sort = sort;
        }
        if let Some(limit) = params.take_with(
            "limit",
            &format!("a number from 1 to {}", marrakech_search::MAX_PAGE_SIZE),
            |s| {
                s.parse()
                    .ok()
                    .filter(|n| (1..=marrakech_search::MAX_PAGE_SIZE).contains(n))
            },
        )? {
            query.limit = limit;
        }
        query.cursor = params.take_with("cursor", "the next_cursor of a previous page", |s| {
            Cursor::parse(s).ok()
        })?;
        query.language = params.take_with(
            "lang",
            "a UN language code: ar, zh, en, fr, ru or es",
            Language::parse,
        )?;
        Ok(query)
    }

    pub fn request(&self, facets: bool) -> Result<SearchRequest, AppError> {
        let mut request = SearchRequest::new(self.text.clone());
        request.filters = self.filters.clone();
        request.sort = self.sort;
        request.page_size = PageSize::new(self.limit)
            .map_err(|e| AppError::bad_parameter("limit", e.to_string()))?;
        request.cursor = self.cursor;
        request.facets = facets;
        request.language = self.language;
        Ok(request)
    }

    /// Whether `value` of `facet` is selected.
    pub fn is_selected(&self, facet: Facet, value: &str) -> bool {
        self.selected
            .iter()
            .any(|(f, values)| *f == facet && values.iter().any(|v| v == value))
    }

    /// The query string of this search with `value` of `facet` toggled, from the first page.
    pub fn toggled(&self, facet: Facet, value: &str) -> String {
        let mut selected = self.selected.clone();
        match selected.iter_mut().find(|(f, _)| *f == facet) {
            Some((_, values)) => {
                if let Some(at) = values.iter().position(|v| v == value) {
                    values.remove(at);
                } else {
                    values.push(value.to_owned());
                }
            }
            None => selected.push((facet, vec![value.to_owned()])),
        }
        self.query_string(&selected, None, None)
    }

    /// The query string of this search's next page.
    pub fn next_page(&self, cursor: &Cursor) -> String {
        self.query_string(&self.selected, Some(cursor), None)
    }

    /// The query string of this search with another format (`csv`).
    pub fn with_format(&self, format: &str) -> String {
        self.query_string(&self.selected, None, Some(format))
    }

    fn query_string(
        &self,
        selected: &[(Facet, Vec<String>)],
        cursor: Option<&Cursor>,
        format: Option<&str>,
    ) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        if !self.text.is_empty() {
            out.append_pair("q", &self.text);
        }
        for (facet, values) in selected {
            if !values.is_empty() {
                out.append_pair(facet.name(), &values.join(","));
            }
        }
        if self.sort != Sort::Relevance {
            out.append_pair("sort", self.sort.name());
        }
        if self.limit != marrakech_search::DEFAULT_PAGE_SIZE {
            out.append_pair("limit", &self.limit.to_string());
        }
        if let Some(language) = self.language {
            out.append_pair("lang", language.code());
        }
        if let Some(cursor) = cursor {
            out.append_pair("cursor", &cursor.to_string());
        }
        if let Some(format) = format {
            out.append_pair("format", format);
        }
        out.finish()
    }
}

/// One search hit.
#[derive(Debug, Serialize, ToSchema)]
pub struct HitDto {
    pub id: String,
    /// `practice`, `initiative`, `evidence`, `policy-tool` or `dataset`.
    pub kind: String,
    /// In `language`; plain text.
    pub title: String,
    /// The title escaped as HTML, matched words in `<mark>`.
    pub title_html: String,
    /// An escaped excerpt of the summary and body, matched words in `<mark>`.
    pub snippet_html: String,
    /// The language of `title` and the snippet.
    pub language: String,
    /// Every language the item is available in.
    pub languages: Vec<String>,
    /// `YYYY-MM-DD`
    pub published: String,
    /// BM25 relevance (absent when sorted by date).
    pub score: Option<f32>,
    pub href: String,
}

impl From<&Hit> for HitDto {
    fn from(hit: &Hit) -> HitDto {
        HitDto {
            id: hit.id.clone(),
            kind: hit.kind.slug().to_owned(),
            title: hit.title.clone(),
            title_html: hit.title_html.clone(),
            snippet_html: hit.snippet_html.clone(),
            language: hit.language.code().to_owned(),
            languages: hit.languages.iter().map(|l| l.code().to_owned()).collect(),
            published: hit.published.to_string(),
            score: hit.score,
            href: format!("/knowledge/{}", hit.id),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FacetValueDto {
    /// The value as a filter takes it: `obj-7`, `404`, `fr`.
    pub value: String,
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FacetDto {
    /// `kind`, `objective`, `principle`, `region`, `country`, `organization-type`,
    /// `language` or `year`.
    pub facet: String,
    /// Largest first. A facet's own filter is left out when counting it, so that its other
    /// values stay selectable.
    pub values: Vec<FacetValueDto>,
}

/// A page of search results with facet counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchAnswer {
    pub items: Vec<HitDto>,
    /// Items matching the query and filters, over all pages.
    pub total: u64,
    pub limit: usize,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
    pub facets: Vec<FacetDto>,
}

impl SearchAnswer {
    pub fn new(results: &SearchResults, limit: usize) -> SearchAnswer {
        SearchAnswer {
            items: results.hits.iter().map(HitDto::from).collect(),
            total: results.total,
            limit,
            next_cursor: results.next_cursor.as_ref().map(ToString::to_string),
            facets: results
                .facets
                .iter()
                .map(|f| FacetDto {
                    facet: f.facet.name().to_owned(),
                    values: f
                        .values
                        .iter()
                        .map(|v| FacetValueDto {
                            value: v.value.clone(),
                            label: v.label.clone(),
                            count: v.count,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// Answers a search as JSON (a page) or CSV (the whole result, up to [`MAX_CSV_ROWS`]).
pub async fn respond(state: &AppState, query: SearchQuery, format: Format) -> ApiResult<Response> {
    state.search.catch_up(&state.store).await?;
    match format {
        Format::Json => {
            let results = state.search.search(query.request(true)?).await?;
            Ok(Json(SearchAnswer::new(&results, query.limit)).into_response())
        }
        Format::Csv => Ok(csv(state, query).await?),
    }
}

/// Every hit of `query` (from its cursor on, up to [`MAX_CSV_ROWS`]) as CSV.
pub async fn csv(state: &AppState, mut query: SearchQuery) -> Result<Response, AppError> {
    query.limit = marrakech_search::MAX_PAGE_SIZE;
    let mut rows = Vec::new();
    loop {
        let results = state.search.search(query.request(false)?).await?;
        for hit in &results.hits {
            rows.push(vec![
                hit.id.clone(),
                hit.kind.slug().to_owned(),
                hit.title.clone(),
                hit.published.to_string(),
                hit.languages
                    .iter()
                    .map(|l| l.code())
                    .collect::<Vec<_>>()
                    .join(" "),
                format!("{}/knowledge/{}", state.config.public_url, hit.id),
            ]);
        }
        match results.next_cursor {
            Some(cursor) if rows.len() < MAX_CSV_ROWS => query.cursor = Some(cursor),
            _ => break,
        }
    }
    rows.truncate(MAX_CSV_ROWS);
    crate::csv_out::csv_response(
        "knowledge.csv",
        &["id", "kind", "title", "published", "languages", "url"],
        rows,
    )
}

/// A facet value's label for a selected filter the results no longer count.
pub fn facet_label(facet: Facet, value: &str) -> String {
    FacetValue::parse(facet, value)
        .map(|v| v.label())
        .unwrap_or_else(|_| value.to_owned())
}
