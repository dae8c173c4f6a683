//! `/api/v1/knowledge`, `/api/v1/reviews`, `/api/v1/calls`: the knowledge platform for
//! machine clients. Reading published items is open; writing goes through the same workflow
//! and policy as the pages.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use marrakech_core::knowledge::Step;
use marrakech_core::policy::Action;
use marrakech_store::knowledge::{Call, Item, Review};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::accounts::ApiJson;
use super::dto::List;
use crate::auth::Auth;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::knowledge_input::ItemInput;
use crate::pages::forms::FormErrors;
use crate::pages::knowledge::{
    answer_review, call_from, owner_of, rights, take_step, validate_input, ItemRights,
};
use crate::params::Params;
use crate::search::{self, SearchQuery};
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct TextDto {
    pub language: String,
    pub title: String,
    pub summary: String,
    /// Markdown.
    pub body: String,
    pub results: String,
    pub original: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartyDto {
    pub name: String,
    /// `implementer` or `partner`.
    pub role: String,
    /// The organization in the directory, when it is one.
    pub organization: Option<String>,
    pub organization_kind: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkDto {
    pub url: String,
    pub title: String,
    pub format: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentDto {
    pub id: String,
    pub filename: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub href: String,
}

/// A knowledge item. `contact` appears only to its submitter and the secretariat.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemDto {
    pub id: String,
    /// `practice`, `initiative`, `evidence`, `policy-tool` or `dataset`.
    pub kind: String,
    /// `draft`, `submitted`, `in-review`, `published`, `returned`, `rejected` or `withdrawn`.
    pub status: String,
    pub original_language: String,
    pub texts: Vec<TextDto>,
    pub objectives: Vec<String>,
    pub actions: Vec<String>,
    pub principles: Vec<String>,
    pub countries: Vec<String>,
    pub regions: Vec<String>,
    pub global: bool,
    pub themes: Vec<String>,
    pub parties: Vec<PartyDto>,
    pub period_start: Option<i32>,
    pub period_end: Option<i32>,
    pub implementation_state: Option<String>,
    pub licence: String,
    pub links: Vec<LinkDto>,
    pub attachments: Vec<AttachmentDto>,
    pub call: Option<String>,
    /// `marrakech`, or the catalogue it was harvested from.
    pub source: String,
    pub source_id: Option<String>,
    pub source_url: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub published_at: Option<String>,
    pub contact: Option<ContactDto>,
    pub href: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactDto {
    pub name: Option<String>,
    pub email: Option<String>,
}

impl ItemDto {
    pub fn from_item(item: &Item, rights: &ItemRights) -> ItemDto {
        let c = &item.content;
        ItemDto {
            id: item.id.clone(),
            kind: c.kind.slug().into(),
            status: item.status.slug().into(),
            original_language: c.original_language.code().into(),
            texts: c
                .texts
                .iter()
                .map(|t| TextDto {
                    language: t.language.code().into(),
                    title: t.title.clone(),
                    summary: t.summary.clone(),
                    body: t.body.clone(),
                    results: t.results.clone(),
                    original: t.language == c.original_language,
                })
                .collect(),
            objectives: c.objectives.clone(),
            actions: c.actions.clone(),
            principles: c.principles.clone(),
            countries: c.countries.iter().map(|m| m.to_string()).collect(),
            regions: c.regions.iter().map(|m| m.to_string()).collect(),
            global: c.global,
            themes: c.themes.clone(),
            parties: c
                .parties
                .iter()
                .map(|p| PartyDto {
                    name: p.name.clone(),
                    role: p.role.as_str().into(),
                    organization: p.organization_id.clone(),
                    organization_kind: p.kind.map(|k| k.slug().into()),
                })
                .collect(),
            period_start: c.period_start,
            period_end: c.period_end,
            implementation_state: c.implementation_state.map(|s| s.slug().into()),
            licence: c.licence.clone(),
            links: c
                .links
                .iter()
                .map(|l| LinkDto {
                    url: l.url.clone(),
                    title: l.title.clone(),
                    format: l.format.clone(),
                })
                .collect(),
            attachments: item
                .attachments
                .iter()
                .map(|a| AttachmentDto {
                    id: a.id.clone(),
                    filename: a.filename.clone(),
                    media_type: a.media_type.clone(),
                    size_bytes: a.size_bytes,
                    sha256: a.sha256.clone(),
                    href: format!("/files/{}", a.id),
                })
                .collect(),
            call: c.call_id.clone(),
            source: item.source.clone(),
            source_id: item.source_id.clone(),
            source_url: item.source_url.clone(),
            created_at: item.created_at.clone(),
            updated_at: item.updated_at.clone(),
            published_at: item.published_at.clone(),
            contact: rights.see_contact.then(|| ContactDto {
                name: c.contact_name.clone(),
                email: c.contact_email.clone(),
            }),
            href: format!("/knowledge/{}", item.id),
        }
    }
}

fn invalid(errors: FormErrors) -> AppError {
    match errors.0.into_iter().next() {
        Some((field, message)) => AppError::Invalid { field, message },
        None => AppError::invalid("body", "the item is not valid"),
    }
}

async fn item_for(auth: &Auth, state: &AppState, id: &str) -> Result<(Item, ItemRights), AppError> {
    let item = state
        .store
        .item(id)
        .await?
        .ok_or_else(|| AppError::not_found("knowledge item", id, None))?;
    let reviews = state.store.reviews(id).await?;
    let rights = rights(auth, &item, &reviews);
    if !rights.see {
        return Err(AppError::not_found("knowledge item", id, None));
    }
    Ok((item, rights))
}

/// Searches the published items: full text in any of the six UN languages, facets as
/// filters, sorted by relevance or date, a page at a time. `format=csv` downloads the whole
/// result (up to 10,000 rows).
#[utoipa::path(
    get, path = "/api/v1/knowledge", tag = "knowledge",
    params(
        ("q" = Option<String>, Query, description = "Words (all must match), \"a phrase\", prefix*, -excluded"),
        ("kind" = Option<String>, Query, description = "Filter: practice, initiative, evidence, policy-tool, dataset; comma-separated for any of several"),
        ("objective" = Option<String>, Query, description = "Filter: obj-1 to obj-23, comma-separated for any of several"),
        ("principle" = Option<String>, Query, description = "Filter: gp-a to gp-j"),
        ("region" = Option<String>, Query, description = "Filter: an M49 region or sub-region code (002), or global"),
        ("country" = Option<String>, Query, description = "Filter: an M49 country code (484)"),
        ("organization-type" = Option<String>, Query, description = "Filter: the kind of an implementing or partner organization (civil-society)"),
        ("language" = Option<String>, Query, description = "Filter: available in this UN language (fr)"),
        ("year" = Option<String>, Query, description = "Filter: published in this year (2024)"),
        ("sort" = Option<String>, Query, description = "relevance (default), newest or oldest"),
        ("limit" = Option<usize>, Query, description = "1 to 100, default 20"),
        ("cursor" = Option<String>, Query, description = "The next_cursor of the previous page"),
        ("lang" = Option<String>, Query, description = "The reader's language: titles and snippets in it where they exist"),
        ("format" = Option<String>, Query, description = "json (default) or csv"),
    ),
    responses((status = 200, description = "Hits, facet counts and the next cursor", body = search::SearchAnswer), (status = 400, body = ErrorBody))
)]
pub async fn search_items(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> ApiResult<Response> {
    let format = crate::params::Format::negotiate(&mut params, &headers)?;
    let query = SearchQuery::from_params(&mut params)?;
    params.finish()?;
    search::respond(&state, query, format).await
}

/// One item: published ones to everyone, others to those who may see them.
#[utoipa::path(
    get, path = "/api/v1/knowledge/{id}", tag = "knowledge",
    params(("id" = String, Path, description = "The item's id")),
    responses((status = 200, body = ItemDto), (status = 404, body = ErrorBody))
)]
pub async fn item(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<ItemDto>> {
    params.finish()?;
    let (item, rights) = item_for(&auth, &state, &id).await?;
    Ok(Json(ItemDto::from_item(&item, &rights)))
}

/// Creates a draft for the caller's organization (contributors) or country (focal points).
#[utoipa::path(
    post, path = "/api/v1/knowledge", tag = "knowledge",
    request_body = ItemInput,
    responses((status = 201, body = ItemDto), (status = 403, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn create(
    auth: Auth,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<ItemInput>,
) -> ApiResult<(StatusCode, Json<ItemDto>)> {
    let mut errors = FormErrors::new();
    let content = validate_input(&state, &input, &mut errors)
        .await?
        .ok_or_else(|| invalid(errors))?;
    let item = state
        .store
        .create_item(
            &auth.audit(Action::SubmitKnowledge),
            &owner_of(&auth),
            &content,
        )
        .await?;
    let reviews = Vec::new();
    Ok((
        StatusCode::CREATED,
        Json(ItemDto::from_item(&item, &rights(&auth, &item, &reviews))),
    ))
}

/// Replaces an item's content (its owner while it is a draft or returned; the secretariat
/// until it is withdrawn or rejected). A published item's change reaches search at once.
#[utoipa::path(
    put, path = "/api/v1/knowledge/{id}", tag = "knowledge",
    params(("id" = String, Path, description = "The item's id")),
    request_body = ItemInput,
    responses((status = 200, body = ItemDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn update(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ItemInput>,
) -> ApiResult<Json<ItemDto>> {
    let (_, rights) = item_for(&auth, &state, &id).await?;
    if !rights.edit {
        return Err(
            AppError::Forbidden("this item cannot be edited now, or not by you".into()).into(),
        );
    }
    let mut errors = FormErrors::new();
    let content = validate_input(&state, &input, &mut errors)
        .await?
        .ok_or_else(|| invalid(errors))?;
    let action = if rights.moderate && !rights.submit {
        Action::ModerateKnowledge
    } else {
        Action::SubmitKnowledge
    };
    let item = state
        .store
        .update_item(&auth.audit(action), &id, &content)
        .await?;
    search::sync(&state).await;
    Ok(Json(ItemDto::from_item(&item, &rights)))
}

/// A note with a workflow step.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    #[serde(default)]
    pub note: String,
}

macro_rules! api_steps {
    ($($name:ident => $step:expr, $path:literal, $doc:literal;)+) => {$(
        #[doc = $doc]
        #[utoipa::path(
            post, path = $path, tag = "knowledge",
            params(("id" = String, Path, description = "The item's id")),
            request_body = StepInput,
            responses((status = 200, body = ItemDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
        )]
        pub async fn $name(auth: Auth, State(state): State<AppState>, Path(id): Path<String>, ApiJson(input): ApiJson<StepInput>) -> ApiResult<Json<ItemDto>> {
            let note = marrakech_core::knowledge::text_field(&input.note, 0, 2_000, "the note").map_err(|e| AppError::invalid("note", e.0))?;
            let item = take_step(&auth, &state, &id, $step, &note).await?;
            let reviews = state.store.reviews(&id).await?;
            Ok(Json(ItemDto::from_item(&item, &rights(&auth, &item, &reviews))))
        }
    )+};
}

api_steps! {
    submit => Step::Submit, "/api/v1/knowledge/{id}/submit", "Submits a draft (or a returned item) for review.";
    withdraw => Step::Withdraw, "/api/v1/knowledge/{id}/withdraw", "Withdraws an item, at any time: it leaves search and the catalogues at once.";
    start_review => Step::StartReview, "/api/v1/knowledge/{id}/start-review", "Opens the review once the panel is complete (the secretariat).";
    publish => Step::Publish, "/api/v1/knowledge/{id}/publish", "Publishes what the panel approved (the secretariat).";
    return_item => Step::Return, "/api/v1/knowledge/{id}/return", "Returns it for changes, as the panel advised (the secretariat).";
    reject => Step::Reject, "/api/v1/knowledge/{id}/reject", "Rejects it, as the panel advised (the secretariat).";
}

/// A reviewer to seat on an item's panel.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewerInput {
    /// The reviewer's user id.
    pub reviewer: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewDto {
    pub id: String,
    pub item: String,
    pub reviewer: String,
    /// `internal` or `external`.
    pub reviewer_kind: String,
    pub assigned_at: String,
    pub conflict: bool,
    /// `publish`, `revise` or `reject`, once given.
    pub verdict: Option<String>,
    pub comment: String,
    pub completed_at: Option<String>,
}

impl From<&Review> for ReviewDto {
    fn from(r: &Review) -> Self {
        ReviewDto {
            id: r.id.clone(),
            item: r.item_id.clone(),
            reviewer: r.reviewer_id.clone(),
            reviewer_kind: r.reviewer_kind.as_str().into(),
            assigned_at: r.assigned_at.clone(),
            conflict: r.conflict,
            verdict: r.verdict.map(|v| v.slug().into()),
            comment: r.comment.clone(),
            completed_at: r.completed_at.clone(),
        }
    }
}

/// Seats a peer reviewer on an item's panel (the secretariat; not on its own submissions).
#[utoipa::path(
    post, path = "/api/v1/knowledge/{id}/reviewers", tag = "knowledge",
    params(("id" = String, Path, description = "The item's id")),
    request_body = ReviewerInput,
    responses((status = 201, body = ReviewDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn assign_reviewer(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ReviewerInput>,
) -> ApiResult<(StatusCode, Json<ReviewDto>)> {
    let (_, rights) = item_for(&auth, &state, &id).await?;
    if !rights.moderate {
        return Err(AppError::Forbidden(
            "only the secretariat assigns reviewers, and not on its own submissions".into(),
        )
        .into());
    }
    let review = state
        .store
        .assign_reviewer(&auth.audit(Action::ModerateKnowledge), &id, &input.reviewer)
        .await?;
    Ok((StatusCode::CREATED, Json(ReviewDto::from(&review))))
}

/// The caller's review assignments, open ones first.
#[utoipa::path(
    get, path = "/api/v1/reviews", tag = "knowledge",
    responses((status = 200, body = List<ReviewDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn my_reviews(
    auth: Auth,
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<Json<List<ReviewDto>>> {
    params.finish()?;
    let reviews = state.store.reviewer_queue(&auth.user()?.id).await?;
    Ok(Json(List::whole(
        reviews.iter().map(ReviewDto::from).collect(),
    )))
}

/// A reviewer's answer: a verdict, or a declared conflict of interest.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    /// `publish`, `revise` or `reject`.
    pub verdict: Option<String>,
    /// Declares a conflict of interest (and leaves the panel) instead of a verdict.
    pub conflict: Option<String>,
    /// Shared with the submitter and the secretariat.
    #[serde(default)]
    pub comment: String,
}

/// Gives a verdict on an assigned item in review, or declares a conflict of interest.
#[utoipa::path(
    post, path = "/api/v1/reviews/{id}", tag = "knowledge",
    params(("id" = String, Path, description = "The review's id")),
    request_body = ReviewInput,
    responses((status = 200, body = ReviewDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn review(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ReviewInput>,
) -> ApiResult<Json<ReviewDto>> {
    let review = answer_review(
        &auth,
        &state,
        &id,
        input.verdict.as_deref(),
        input.conflict.as_deref(),
        &input.comment,
    )
    .await?;
    Ok(Json(ReviewDto::from(&review)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallDto {
    pub id: String,
    pub title: String,
    /// Markdown.
    pub theme: String,
    pub opens_on: String,
    pub closes_on: String,
    pub objectives: Vec<String>,
    pub open: bool,
    pub href: String,
}

impl CallDto {
    fn from_call(c: &Call, today: &str) -> CallDto {
        CallDto {
            id: c.id.clone(),
            title: c.title.clone(),
            theme: c.theme.clone(),
            opens_on: c.opens_on.clone(),
            closes_on: c.closes_on.clone(),
            objectives: c.objectives.clone(),
            open: c.is_open(today),
            href: format!("/calls/{}", c.id),
        }
    }
}

/// Calls for practices, latest closing first.
#[utoipa::path(get, path = "/api/v1/calls", tag = "knowledge", responses((status = 200, body = List<CallDto>)))]
pub async fn calls(
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<Json<List<CallDto>>> {
    params.finish()?;
    let today = crate::pages::knowledge::today();
    Ok(Json(List::whole(
        state
            .store
            .calls()
            .await?
            .iter()
            .map(|c| CallDto::from_call(c, &today))
            .collect(),
    )))
}

/// One call for practices.
#[utoipa::path(
    get, path = "/api/v1/calls/{id}", tag = "knowledge",
    params(("id" = String, Path, description = "The call's id")),
    responses((status = 200, body = CallDto), (status = 404, body = ErrorBody))
)]
pub async fn call(
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<CallDto>> {
    params.finish()?;
    let call = state
        .store
        .call(&id)
        .await?
        .ok_or_else(|| AppError::not_found("call for practices", &id, None))?;
    Ok(Json(CallDto::from_call(
        &call,
        &crate::pages::knowledge::today(),
    )))
}

/// A new call for practices.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallInput {
    pub title: String,
    /// Markdown.
    pub theme: String,
    /// `YYYY-MM-DD`
    pub opens_on: String,
    /// `YYYY-MM-DD`
    pub closes_on: String,
    pub objectives: Vec<String>,
}

/// Opens a call for practices (the secretariat).
#[utoipa::path(
    post, path = "/api/v1/calls", tag = "knowledge",
    request_body = CallInput,
    responses((status = 201, body = CallDto), (status = 422, body = ErrorBody))
)]
pub async fn create_call(
    auth: Auth,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<CallInput>,
) -> ApiResult<(StatusCode, Json<CallDto>)> {
    let mut errors = FormErrors::new();
    let new = call_from(
        (
            &input.title,
            &input.theme,
            &input.opens_on,
            &input.closes_on,
            &input.objectives,
        ),
        &mut errors,
    )
    .ok_or_else(|| invalid(errors))?;
    let call = state
        .store
        .create_call(&auth.audit(Action::ModerateKnowledge), &new)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CallDto::from_call(&call, &crate::pages::knowledge::today())),
    ))
}
