//! The CKAN Action API, the subset harvesters and `ckanapi` use: `package_search`,
//! `package_show`, `package_list`, `organization_list`, `group_list`, `tag_list` and
//! `status_show`, under `/api/3/action/` and `/api/action/`, by GET or POST (JSON or form),
//! answered in CKAN's envelope (`{"help", "success", "result"}` or `{"success": false,
//! "error": {"__type", ...}}`).
//!
//! Searches run on the same index as the platform's own search, so that the two never
//! disagree; packages are built from the database (see `marrakech_catalogue::ckan`). Unlike
//! CKAN's default, `rows` goes up to [`MAX_ROWS`].

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use marrakech_catalogue::ckan;
use marrakech_catalogue::Site;
use marrakech_core::compact::OBJECTIVE_LABELS;
use marrakech_search::{Facet, FacetCounts, Filters, PageSize, SearchRequest, Sort};
use marrakech_store::knowledge::Item;
use serde_json::{json, Map, Value};

use crate::error::AppError;
use crate::AppState;

/// The most packages one `package_search` returns.
pub const MAX_ROWS: usize = 10_000;
const DEFAULT_ROWS: usize = 10;
/// The CKAN API version whose shapes these answers follow.
const CKAN_VERSION: &str = "2.10.0";

/// A CKAN error: its `__type`, the HTTP status CKAN gives it, and its details.
#[derive(Debug)]
pub enum CkanError {
    NotFound(String),
    /// A parameter refused: CKAN answers `{field: [message]}` with 409.
    Validation {
        field: String,
        message: String,
    },
    /// A filter or sort the index cannot answer.
    SearchQuery(String),
    /// Ours; logged, never shown.
    Internal(AppError),
}

impl From<AppError> for CkanError {
    fn from(error: AppError) -> CkanError {
        match error {
            AppError::BadParameter { field, message } | AppError::Invalid { field, message } => {
                CkanError::Validation { field, message }
            }
            AppError::NotFound { what, id, .. } => {
                CkanError::NotFound(format!("{what} `{id}` not found"))
            }
            other => CkanError::Internal(other),
        }
    }
}

impl From<marrakech_store::StoreError> for CkanError {
    fn from(error: marrakech_store::StoreError) -> CkanError {
        CkanError::Internal(error.into())
    }
}

fn invalid(field: &str, message: impl Into<String>) -> CkanError {
    CkanError::Validation {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// An action's answer in CKAN's envelope.
pub struct Answer {
    action: &'static str,
    result: Result<Value, CkanError>,
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let help = format!("/api/3/action/help_show?name={}", self.action);
        let (status, error) = match self.result {
            Ok(result) => {
                return Json(json!({"help": help, "success": true, "result": result}))
                    .into_response()
            }
            Err(CkanError::NotFound(message)) => (
                StatusCode::NOT_FOUND,
                json!({"__type": "Not Found Error", "message": message}),
            ),
            Err(CkanError::Validation { field, message }) => (
                StatusCode::CONFLICT,
                json!({"__type": "Validation Error", field: [message]}),
            ),
            Err(CkanError::SearchQuery(message)) => (
                StatusCode::CONFLICT,
                json!({"__type": "Search Query Error", "message": message}),
            ),
            Err(CkanError::Internal(error)) => {
                tracing::error!(%error, action = self.action, "CKAN action failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    json!({"__type": "Internal Server Error", "message": "Internal Server Error"}),
                )
            }
        };
        (
            status,
            Json(json!({"help": help, "success": false, "error": error})),
        )
            .into_response()
    }
}

/// An action's parameters, from the query string (GET) or the body (POST, JSON or form).
pub struct ActionParams(Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for ActionParams {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let refuse = |message: String| {
            Answer {
                action: "unknown",
                result: Err(invalid("body", message)),
            }
            .into_response()
        };
        let mut params = Map::new();
        for (key, value) in
            form_urlencoded::parse(request.uri().query().unwrap_or_default().as_bytes())
        {
            params.insert(key.into_owned(), Value::String(value.into_owned()));
        }
        if request.method() == Method::POST {
            let json = request
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|t| t.starts_with("application/json"));
            let body = Bytes::from_request(request, state)
                .await
                .map_err(|e| refuse(format!("the body could not be read: {e}")))?;
            if json {
                match serde_json::from_slice::<Value>(&body) {
                    Ok(Value::Object(map)) => params.extend(map),
                    Ok(_) => return Err(refuse("the body must be a JSON object".into())),
                    Err(e) => return Err(refuse(format!("the body is not JSON: {e}"))),
                }
            } else if !body.is_empty() {
                for (key, value) in form_urlencoded::parse(&body) {
                    params.insert(key.into_owned(), Value::String(value.into_owned()));
                }
            }
        }
        Ok(ActionParams(params))
    }
}

impl ActionParams {
    fn text(&self, name: &str) -> Option<String> {
        match self.0.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        }
    }

    fn number(&self, name: &str, default: usize, max: usize) -> Result<usize, CkanError> {
        let Some(value) = self.0.get(name).filter(|v| !v.is_null()) else {
            return Ok(default);
        };
        let n = match value {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
        .ok_or_else(|| invalid(name, "Invalid integer"))?;
        usize::try_from(n)
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(|| invalid(name, format!("Must be less than or equal to {max}")))
    }

    fn boolean(&self, name: &str) -> bool {
        match self.0.get(name) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => {
                matches!(s.to_ascii_lowercase().as_str(), "true" | "1" | "yes" | "on")
            }
            _ => false,
        }
    }

    /// A list parameter: a JSON list, or a string holding one (`'["groups","tags"]'`).
    fn list(&self, name: &str) -> Result<Vec<String>, CkanError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(values)) => Ok(values
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()),
            Some(Value::String(s)) => serde_json::from_str::<Vec<String>>(s)
                .map_err(|_| invalid(name, "Must be a JSON list of strings")),
            Some(_) => Err(invalid(name, "Must be a JSON list of strings")),
        }
    }
}

fn site(state: &AppState) -> Site {
    Site::new(&state.config.public_url)
}

/// The facets a CKAN client may ask for, by CKAN's field names where CKAN has one.
fn facet_for_field(field: &str) -> Option<Facet> {
    Some(match field {
        "groups" => Facet::Objective,
        "tags" => Facet::Principle,
        "kind" | "marrakech_kind" => Facet::Kind,
        "country" => Facet::Country,
        "region" => Facet::Region,
        "language" | "res_language" => Facet::Language,
        "year" => Facet::Year,
        "organization_type" => Facet::OrganizationType,
        _ => return None,
    })
}

const FACET_FIELDS: &str = "groups, tags, kind, country, region, language, year, organization_type";

/// Solr-style filters, as CKAN clients write them: `groups:obj-7 +tags:"gp-a" country:484`,
/// clauses ANDed. What every package satisfies (`dataset_type:dataset`, `state:active`,
/// `capacity:public`) is accepted and ignored.
fn parse_fq(fq: &str) -> Result<Filters, CkanError> {
    let mut filters = Filters::new();
    let mut clauses = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in fq.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => clauses.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    clauses.push(current);
    for clause in clauses
        .iter()
        .map(|c| c.trim_start_matches('+'))
        .filter(|c| !c.is_empty())
    {
        if clause.eq_ignore_ascii_case("AND") {
            continue;
        }
        let Some((field, value)) = clause.split_once(':') else {
            return Err(CkanError::SearchQuery(format!(
                "`{clause}` is not a field:value filter"
            )));
        };
        match (field, value) {
            ("dataset_type" | "type", "dataset") | ("state", "active") | ("capacity", "public") => {
                continue
            }
            _ => {}
        }
        let facet = facet_for_field(field).ok_or_else(|| {
            CkanError::SearchQuery(format!(
                "cannot filter on `{field}`: the filters are {FACET_FIELDS}"
            ))
        })?;
        filters
            .add(facet, value)
            .map_err(|e| CkanError::SearchQuery(format!("{field}: {e}")))?;
    }
    Ok(filters)
}

fn parse_sort(sort: &str) -> Result<Sort, CkanError> {
    let first = sort
        .split(',')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let words: Vec<&str> = first.split_whitespace().collect();
    match words.as_slice() {
        [] | ["score"] | ["score", "desc"] | ["rank"] | ["rank", "desc"] => Ok(Sort::Relevance),
        ["metadata_modified" | "metadata_created", "desc"] => Ok(Sort::Newest),
        ["metadata_modified" | "metadata_created"]
        | ["metadata_modified" | "metadata_created", "asc"] => Ok(Sort::Oldest),
        _ => Err(invalid(
            "sort",
            "Sort by score desc, metadata_created desc or asc, or metadata_modified desc or asc",
        )),
    }
}

/// Hits `start..start + rows` of a search, in order, walking the index's cursor pages, and
/// the first page's facet counts.
async fn window(
    state: &AppState,
    mut request: SearchRequest,
    start: usize,
    rows: usize,
) -> Result<(u64, Vec<String>, Vec<FacetCounts>), CkanError> {
    let page = marrakech_search::MAX_PAGE_SIZE;
    request.page_size =
        PageSize::new(page).map_err(|e| CkanError::Internal(AppError::Internal(e.to_string())))?;
    let mut skipped = 0;
    let mut ids = Vec::with_capacity(rows);
    let mut total = 0;
    let mut facets = Vec::new();
    loop {
        let results = state.search.search(request.clone()).await?;
        if request.facets {
            facets = results.facets;
            total = results.total;
            request.facets = false;
        } else if total == 0 {
            total = results.total;
        }
        for hit in results.hits {
            if skipped < start {
                skipped += 1;
            } else if ids.len() < rows {
                ids.push(hit.id);
            }
        }
        match results.next_cursor {
            Some(cursor) if ids.len() < rows => request.cursor = Some(cursor),
            _ => break,
        }
    }
    if total == 0 {
        total = (skipped + ids.len()) as u64;
    }
    Ok((total, ids, facets))
}

/// Items by id, in the order of `ids`, published ones only.
async fn published_in_order(state: &AppState, ids: &[String]) -> Result<Vec<Item>, CkanError> {
    let mut by_id: HashMap<String, Item> = state
        .store
        .items_by_ids(ids)
        .await?
        .into_iter()
        .filter(|i| i.status == marrakech_core::knowledge::ItemStatus::Published)
        .map(|i| (i.id.clone(), i))
        .collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

async fn package_search_result(
    state: &AppState,
    params: &ActionParams,
) -> Result<Value, CkanError> {
    let q = params.text("q").unwrap_or_default();
    let q = if q.trim() == "*:*" { String::new() } else { q };
    let filters = parse_fq(&params.text("fq").unwrap_or_default())?;
    let rows = params.number("rows", DEFAULT_ROWS, MAX_ROWS)?;
    let start = params.number("start", 0, usize::MAX)?;
    let sort_text = params
        .text("sort")
        .unwrap_or_else(|| "score desc, metadata_modified desc".into());
    let sort = parse_sort(&sort_text)?;
    let facet_fields = params.list("facet.field")?;
    let facet_limit = match params.text("facet.limit").as_deref().map(str::trim) {
        Some("-1") => usize::MAX,
        _ => params.number("facet.limit", 50, usize::MAX)?,
    };
    let mut wanted = Vec::new();
    for field in &facet_fields {
        let facet = facet_for_field(field).ok_or_else(|| {
            invalid(
                "facet.field",
                format!("`{field}` is not a facet: the facets are {FACET_FIELDS}"),
            )
        })?;
        wanted.push((field.clone(), facet));
    }
    state.search.catch_up(&state.store).await?;
    let mut request = SearchRequest::new(q);
    request.filters = filters;
    request.sort = sort;
    request.facets = !wanted.is_empty();
    let (count, ids, counts) = window(state, request, start, rows).await?;
    let site = site(state);
    let results: Vec<Value> = published_in_order(state, &ids)
        .await?
        .iter()
        .map(|item| ckan::package(&site, item))
        .collect();
    let mut facets = Map::new();
    let mut search_facets = Map::new();
    for (field, facet) in &wanted {
        let values = counts
            .iter()
            .find(|c| c.facet == *facet)
            .map(|c| c.values.as_slice())
            .unwrap_or_default();
        let values = &values[..values.len().min(facet_limit)];
        facets.insert(
            field.clone(),
            Value::Object(
                values
                    .iter()
                    .map(|v| (v.value.clone(), json!(v.count)))
                    .collect(),
            ),
        );
        search_facets.insert(
            field.clone(),
            json!({
                "title": field,
                "items": values.iter().map(|v| json!({"name": v.value, "display_name": v.label, "count": v.count})).collect::<Vec<_>>(),
            }),
        );
    }
    Ok(json!({
        "count": count,
        "sort": sort_text,
        "results": results,
        "facets": facets,
        "search_facets": search_facets,
    }))
}

pub async fn package_search(State(state): State<AppState>, params: ActionParams) -> Answer {
    Answer {
        action: "package_search",
        result: package_search_result(&state, &params).await,
    }
}

async fn package_show_result(state: &AppState, params: &ActionParams) -> Result<Value, CkanError> {
    let id = params
        .text("id")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| invalid("id", "Missing value"))?;
    match state.store.item(&id).await? {
        Some(item) if item.status == marrakech_core::knowledge::ItemStatus::Published => {
            Ok(ckan::package(&site(state), &item))
        }
        _ => Err(CkanError::NotFound("Dataset not found".into())),
    }
}

pub async fn package_show(State(state): State<AppState>, params: ActionParams) -> Answer {
    Answer {
        action: "package_show",
        result: package_show_result(&state, &params).await,
    }
}

async fn package_list_result(state: &AppState, params: &ActionParams) -> Result<Value, CkanError> {
    let ids = state.store.published_item_ids().await?;
    let offset = params.number("offset", 0, usize::MAX)?;
    let limit = params.number("limit", usize::MAX, usize::MAX)?;
    Ok(json!(ids
        .into_iter()
        .skip(offset)
        .take(limit)
        .collect::<Vec<_>>()))
}

pub async fn package_list(State(state): State<AppState>, params: ActionParams) -> Answer {
    Answer {
        action: "package_list",
        result: package_list_result(&state, &params).await,
    }
}

/// Sorts (name, count) rows as CKAN's `sort` asks: `name asc` (default), `name desc`,
/// `package_count desc` or `asc`.
fn sort_rows<T>(rows: &mut [(String, usize, T)], sort: Option<String>) -> Result<(), CkanError> {
    let sort = sort
        .unwrap_or_else(|| "name asc".into())
        .to_ascii_lowercase();
    match sort.split_whitespace().collect::<Vec<_>>().as_slice() {
        ["name"] | ["name", "asc"] | ["title"] | ["title", "asc"] => {
            rows.sort_by(|a, b| a.0.cmp(&b.0))
        }
        ["name", "desc"] | ["title", "desc"] => rows.sort_by(|a, b| b.0.cmp(&a.0)),
        ["package_count"] | ["package_count", "desc"] => {
            rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)))
        }
        ["package_count", "asc"] => rows.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0))),
        _ => {
            return Err(invalid(
                "sort",
                "Sort by name or package_count, asc or desc",
            ))
        }
    }
    Ok(())
}

fn paged<T>(rows: Vec<T>, params: &ActionParams) -> Result<Vec<T>, CkanError> {
    let offset = params.number("offset", 0, usize::MAX)?;
    let limit = params.number("limit", usize::MAX, usize::MAX)?;
    Ok(rows.into_iter().skip(offset).take(limit).collect())
}

async fn organization_list_result(
    state: &AppState,
    params: &ActionParams,
) -> Result<Value, CkanError> {
    let mut rows: Vec<(String, usize, Value)> = state
        .store
        .published_implementers()
        .await?
        .into_iter()
        .map(|(name, kind, count)| {
            let party = marrakech_store::knowledge::Party {
                role: marrakech_store::knowledge::PartyRole::Implementer,
                name,
                organization_id: None,
                kind,
            };
            let mut organization = ckan::organization(&party);
            organization["package_count"] = json!(count);
            (ckan::ckan_name(&party.name), count, organization)
        })
        .collect();
    sort_rows(&mut rows, params.text("sort"))?;
    let all_fields = params.boolean("all_fields");
    Ok(json!(paged(rows, params)?
        .into_iter()
        .map(|(name, _, organization)| if all_fields {
            organization
        } else {
            json!(name)
        })
        .collect::<Vec<_>>()))
}

pub async fn organization_list(State(state): State<AppState>, params: ActionParams) -> Answer {
    Answer {
        action: "organization_list",
        result: organization_list_result(&state, &params).await,
    }
}

async fn group_list_result(state: &AppState, params: &ActionParams) -> Result<Value, CkanError> {
    state.search.catch_up(&state.store).await?;
    let mut request = SearchRequest::new("");
    request.page_size =
        PageSize::new(1).map_err(|e| CkanError::Internal(AppError::Internal(e.to_string())))?;
    let results = state.search.search(request).await?;
    let counts: HashMap<String, u64> = results
        .facets
        .iter()
        .filter(|f| f.facet == Facet::Objective)
        .flat_map(|f| f.values.iter().map(|v| (v.value.clone(), v.count)))
        .collect();
    let site = site(state);
    let mut rows: Vec<(String, usize, Value)> = (1..=OBJECTIVE_LABELS.len() as u8)
        .map(|n| {
            let name = format!("obj-{n}");
            let count = counts.get(&name).copied().unwrap_or(0) as usize;
            let mut group = ckan::objective_group(&site, n);
            group["package_count"] = json!(count);
            (name, count, group)
        })
        .collect();
    // Objectives come in the compact's order unless another is asked for.
    if params.text("sort").is_some() {
        sort_rows(&mut rows, params.text("sort"))?;
    }
    let all_fields = params.boolean("all_fields");
    Ok(json!(paged(rows, params)?
        .into_iter()
        .map(|(name, _, group)| if all_fields { group } else { json!(name) })
        .collect::<Vec<_>>()))
}

pub async fn group_list(State(state): State<AppState>, params: ActionParams) -> Answer {
    Answer {
        action: "group_list",
        result: group_list_result(&state, &params).await,
    }
}

async fn tag_list_result(state: &AppState, params: &ActionParams) -> Result<Value, CkanError> {
    let query = params.text("query").unwrap_or_default().to_lowercase();
    let tags: Vec<(String, usize)> = state
        .store
        .published_tags()
        .await?
        .into_iter()
        .filter(|(tag, _)| tag.to_lowercase().contains(&query))
        .collect();
    let all_fields = params.boolean("all_fields");
    Ok(json!(paged(tags, params)?
        .into_iter()
        .map(|(tag, _)| if all_fields {
            json!({"id": tag, "name": tag, "display_name": tag, "vocabulary_id": null})
        } else {
            json!(tag)
        })
        .collect::<Vec<_>>()))
}

pub async fn tag_list(State(state): State<AppState>, params: ActionParams) -> Answer {
    Answer {
        action: "tag_list",
        result: tag_list_result(&state, &params).await,
    }
}

pub async fn status_show(State(state): State<AppState>) -> Answer {
    let site = site(&state);
    Answer {
        action: "status_show",
        result: Ok(json!({
            "ckan_version": CKAN_VERSION,
            "site_url": site.base,
            "site_title": site.title,
            "site_description": site.description,
            "locale_default": "en",
            "error_emails_to": null,
            "extensions": ["marrakech"],
        })),
    }
}

/// Any other action: CKAN's answer to a name it does not know.
pub async fn unknown_action(Path(action): Path<String>) -> Response {
    let help = "/api/3/action/help_show";
    (
        StatusCode::BAD_REQUEST,
        Json(json!({
            "help": help,
            "success": false,
            "error": {"__type": "Bad Request", "message": format!("Action name not known: {action}. This server answers package_search, package_show, package_list, organization_list, group_list, tag_list and status_show.")},
        })),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_read_as_ckan_clients_write_them() {
        let f =
            parse_fq(r#"groups:obj-7 +tags:"gp-a" AND country:484 dataset_type:dataset"#).unwrap();
        let facets: Vec<Facet> = f.iter().map(|(facet, _)| facet).collect();
        assert_eq!(facets, [Facet::Objective, Facet::Principle, Facet::Country]);
        assert!(matches!(
            parse_fq("metadata_modified:[2020 TO *]"),
            Err(CkanError::SearchQuery(_))
        ));
        assert!(matches!(
            parse_fq("groups:obj-99"),
            Err(CkanError::SearchQuery(_))
        ));
        assert!(parse_fq("").unwrap().is_empty());
    }

    #[test]
    fn sorts_map_to_the_index_orders() {
        assert_eq!(
            parse_sort("score desc, metadata_modified desc").unwrap(),
            Sort::Relevance
        );
        assert_eq!(parse_sort("metadata_modified desc").unwrap(), Sort::Newest);
        assert_eq!(parse_sort("metadata_created asc").unwrap(), Sort::Oldest);
        assert!(matches!(
            parse_sort("title_string asc"),
            Err(CkanError::Validation { .. })
        ));
    }
}
