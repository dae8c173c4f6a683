//! `/api/v1/hub/...`: the connection hub for machine clients. Every operation goes through
//! `crate::hub`, as the pages do; what a response holds depends on the caller's rights on
//! the request (people's names and comments only for those who work on it).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use marrakech_core::countries::Reference;
use marrakech_store::hub::{
    ConceptNote, Funding, Partner, RequestComment, RequestTransition, Suggestion, SupportRequest,
    TeamMember,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::accounts::ApiJson;
use super::dto::List;
use super::MAX_PAGE_SIZE;
use crate::auth::Auth;
use crate::csv_out::csv_response;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::hub::{self as ops, HubStatistics, RequestRights};

// The API's description of core's `RequestRights`, which knows nothing of OpenAPI.
/// What the policy lets the actor do with a request.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = RequestRights)]
pub struct RightsDto {
    /// See it at all.
    pub see: bool,
    /// Act for a requesting country: follow it, comment, attach, withdraw, make it public.
    pub requester: bool,
    /// Process it as the secretariat.
    pub process: bool,
    /// Work on it as a partner on its team.
    pub engaged: bool,
    /// Act for a country asked to join it: see it, and accept or decline.
    pub invited: bool,
}

impl From<RequestRights> for RightsDto {
    fn from(r: RequestRights) -> RightsDto {
        RightsDto {
            see: r.see,
            requester: r.requester,
            process: r.process,
            engaged: r.engaged,
            invited: r.invited,
        }
    }
}
use crate::pages::forms::FormErrors;
use crate::params::{Format, Page, Params};
use crate::AppState;

/// The header a retrying client repeats so its request is stored once.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

fn iso3(code: &marrakech_core::countries::M49) -> String {
    Reference::official()
        .country(&code.to_string())
        .map(|c| c.iso3.clone())
        .unwrap_or_else(|| code.to_string())
}

/// A support request. `officer` and `history` actors are people: given only to those who
/// work on the request.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestDto {
    pub id: String,
    /// `HUB-2026-0001`
    pub reference: String,
    pub title: String,
    /// Markdown.
    pub description: String,
    /// ISO alpha-3 codes of the countries making the request: the filing State, and the
    /// other States of a joint request once each has accepted.
    pub requesting_countries: Vec<String>,
    /// ISO alpha-3 codes of the States asked to join it that have not answered yet; given to
    /// those who work on the request and to the invited States.
    pub invited_countries: Vec<String>,
    /// ISO alpha-3 codes of the countries it concerns.
    pub countries: Vec<String>,
    pub objectives: Vec<String>,
    pub actions: Vec<String>,
    pub support: Vec<String>,
    pub languages: Vec<String>,
    pub urgency: String,
    pub preferred_partners: Vec<String>,
    /// The stage's slug (`submitted` ... `served`, `declined`, `withdrawn`).
    pub stage: String,
    pub stage_since: String,
    pub stage_due: Option<String>,
    pub overdue: bool,
    pub public: bool,
    pub officer: Option<String>,
    /// Organizations on the team.
    pub engaged_organizations: Vec<String>,
    pub created_at: String,
    pub closed_at: Option<String>,
    pub rights: RightsDto,
}

impl RequestDto {
    fn new(r: &SupportRequest, rights: RequestRights) -> RequestDto {
        RequestDto {
            id: r.id.clone(),
            reference: r.reference.clone(),
            title: r.fields.title.clone(),
            description: r.fields.description.clone(),
            requesting_countries: r.fields.requesters.iter().map(iso3).collect(),
            invited_countries: if rights.member() || rights.invited {
                r.fields.invited.iter().map(iso3).collect()
            } else {
                Vec::new()
            },
            countries: r.fields.countries.iter().map(iso3).collect(),
            objectives: r.fields.objectives.clone(),
            actions: r.fields.actions.clone(),
            support: r.fields.support.clone(),
            languages: r
                .fields
                .languages
                .iter()
                .map(|l| l.code().to_owned())
                .collect(),
            urgency: r.fields.urgency.clone(),
            preferred_partners: r.fields.preferred.clone(),
            stage: r.stage.slug().to_owned(),
            stage_since: r.stage_since.clone(),
            stage_due: r.stage_due.clone(),
            overdue: r.is_overdue(&marrakech_store::now_text()),
            public: r.public,
            officer: r.officer_name.clone().filter(|_| rights.member()),
            engaged_organizations: r.engaged.clone(),
            created_at: r.created_at.clone(),
            closed_at: r.closed_at.clone(),
            rights: rights.into(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransitionDto {
    pub from: Option<String>,
    pub to: String,
    /// Given to those who work on the request.
    pub by: Option<String>,
    pub role: Option<String>,
    pub note: String,
    pub at: String,
}

impl TransitionDto {
    fn new(t: &RequestTransition, rights: RequestRights) -> TransitionDto {
        TransitionDto {
            from: t.from.map(|s| s.slug().to_owned()),
            to: t.to.slug().to_owned(),
            by: t.actor_name.clone().filter(|_| rights.member()),
            role: t.actor_role.clone(),
            note: if rights.member() {
                t.note.clone()
            } else {
                String::new()
            },
            at: t.at.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TeamMemberDto {
    pub id: String,
    pub role: String,
    pub organization_id: Option<String>,
    pub name: String,
    pub kind: Option<String>,
    pub contribution: String,
}

impl From<&TeamMember> for TeamMemberDto {
    fn from(m: &TeamMember) -> TeamMemberDto {
        TeamMemberDto {
            id: m.id.clone(),
            role: m.role.slug().to_owned(),
            organization_id: m.organization_id.clone(),
            name: m.name.clone(),
            kind: m.kind.map(|k| k.slug().to_owned()),
            contribution: m.contribution.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FundingDto {
    pub source: String,
    pub source_name: String,
    pub status: String,
    pub amount_usd: Option<i64>,
    pub note: String,
}

impl From<&Funding> for FundingDto {
    fn from(f: &Funding) -> FundingDto {
        FundingDto {
            source: f.fields.source.clone(),
            source_name: f.fields.source_name.clone(),
            status: f.fields.status.clone(),
            amount_usd: f.fields.amount_usd,
            note: f.fields.note.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SetupCheckDto {
    pub check: String,
    pub holds: bool,
    pub required: bool,
    pub explanation: String,
}

/// A request with its timeline, team, set-up check and funding.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestDetailDto {
    pub request: RequestDto,
    pub history: Vec<TransitionDto>,
    pub team: Vec<TeamMemberDto>,
    /// Given to those who work on the request.
    pub setup_check: Vec<SetupCheckDto>,
    /// Given to those who work on the request.
    pub funding: Vec<FundingDto>,
}

async fn detail(
    state: &AppState,
    r: SupportRequest,
    rights: RequestRights,
) -> Result<RequestDetailDto, AppError> {
    let history = state.store.request_transitions(&r.id).await?;
    let team = state.store.team(&r.id).await?;
    let member = rights.member();
    Ok(RequestDetailDto {
        history: history
            .iter()
            .map(|t| TransitionDto::new(t, rights))
            .collect(),
        setup_check: if member {
            ops::setup_findings(&r, &team)
                .into_iter()
                .map(|f| SetupCheckDto {
                    check: f.check.to_owned(),
                    holds: f.holds,
                    required: f.required,
                    explanation: f.explanation,
                })
                .collect()
        } else {
            Vec::new()
        },
        funding: if member {
            state
                .store
                .funding(&r.id)
                .await?
                .iter()
                .map(FundingDto::from)
                .collect()
        } else {
            Vec::new()
        },
        team: team.iter().map(TeamMemberDto::from).collect(),
        request: RequestDto::new(&r, rights),
    })
}

/// The requests the caller may see, newest first: its country's, those its organization is
/// engaged on, the public ones (and all of them for the secretariat).
#[utoipa::path(
    get, path = "/api/v1/hub/requests", tag = "hub",
    params(
        ("stage" = Option<String>, Query, description = "Only requests in this stage"),
        ("limit" = Option<usize>, Query, description = "Page size, 1 to 250 (default 50)"),
        ("cursor" = Option<String>, Query, description = "From a previous page's next_cursor"),
        ("format" = Option<String>, Query, description = "`json` (default) or `csv`")
    ),
    responses((status = 200, body = List<RequestDto>), (status = 400, body = ErrorBody))
)]
pub async fn requests(
    auth: Auth,
    State(state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> ApiResult<Response> {
    let format = Format::negotiate(&mut params, &headers)?;
    let stage = params.take_with(
        "stage",
        "a stage of a request",
        marrakech_core::hub::Stage::parse,
    )?;
    let page = Page::from_params(&mut params, 50, MAX_PAGE_SIZE)?;
    params.finish()?;
    let all: Vec<RequestDto> = ops::visible_requests(&auth, &state)
        .await?
        .iter()
        .filter(|(r, _)| stage.is_none_or(|s| r.stage == s))
        .map(|(r, rights)| RequestDto::new(r, *rights))
        .collect();
    if format == Format::Csv {
        return Ok(csv_response(
            "hub-requests.csv",
            &[
                "reference",
                "title",
                "requesting_countries",
                "countries",
                "objectives",
                "stage",
                "stage_due",
                "overdue",
                "public",
                "created_at",
            ],
            all.iter().map(|r| {
                vec![
                    r.reference.clone(),
                    r.title.clone(),
                    r.requesting_countries.join(" "),
                    r.countries.join(" "),
                    r.objectives.join(" "),
                    r.stage.clone(),
                    r.stage_due.clone().unwrap_or_default(),
                    r.overdue.to_string(),
                    r.public.to_string(),
                    r.created_at.clone(),
                ]
            }),
        )?);
    }
    let total = all.len();
    Ok(Json(List {
        next_cursor: page.next_cursor(total),
        items: all.into_iter().skip(page.offset).take(page.limit).collect(),
        total,
        limit: Some(page.limit),
    })
    .into_response())
}

/// What a submission answers: the request and the suggestions matching made for it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmittedDto {
    pub request: RequestDto,
    pub suggestions: Vec<SuggestionDto>,
}

fn invalid(errors: FormErrors) -> AppError {
    match errors.0.into_iter().next() {
        Some((field, message)) => AppError::Invalid { field, message },
        None => AppError::invalid("body", "the request is not valid"),
    }
}

/// Submits a support request for the caller's country (focal points). Matching runs at once;
/// the answer carries its suggestions. A retry with the same `Idempotency-Key` header answers
/// the request the first attempt stored, with 200 instead of 201.
#[utoipa::path(
    post, path = "/api/v1/hub/requests", tag = "hub",
    request_body = ops::RequestInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat it when retrying: the request is stored once")),
    responses((status = 201, body = SubmittedDto), (status = 200, body = SubmittedDto, description = "A retry: the request stored before"),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn submit(
    auth: Auth,
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<ops::RequestInput>,
) -> ApiResult<(StatusCode, Json<SubmittedDto>)> {
    let key = headers
        .get(IDEMPOTENCY_KEY)
        .map(|v| {
            v.to_str()
                .map(str::to_owned)
                .map_err(|_| AppError::invalid("idempotency_key", "an idempotency key is ASCII"))
        })
        .transpose()?;
    let mut errors = FormErrors::new();
    let fields = ops::request_fields(&state, &auth, &input, &mut errors)
        .await?
        .ok_or_else(|| invalid(errors))?;
    let (request, created) = ops::submit(&state, &auth, &fields, key.as_deref()).await?;
    let rights = ops::rights(&auth, &request);
    let suggestions = state.store.suggestions(&request.id).await?;
    Ok((
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(SubmittedDto {
            request: RequestDto::new(&request, rights),
            suggestions: suggestions.iter().map(SuggestionDto::from).collect(),
        }),
    ))
}

/// One request, with its timeline and team: to its country, the secretariat, the partners
/// engaged on it, or anyone once public. Others get 404.
#[utoipa::path(
    get, path = "/api/v1/hub/requests/{id}", tag = "hub",
    params(("id" = String, Path, description = "The request's id")),
    responses((status = 200, body = RequestDetailDto), (status = 404, body = ErrorBody))
)]
pub async fn request(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<RequestDetailDto>> {
    params.finish()?;
    let (r, rights) = ops::visible(&auth, &state, &id).await?;
    Ok(Json(detail(&state, r, rights).await?))
}

/// A move of a request's stage.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionInput {
    /// The stage to go to: the next one, `served`, `declined` (the secretariat) or
    /// `withdrawn` (the requesting country).
    pub to: String,
    #[serde(default)]
    pub note: String,
}

/// Moves a request to another stage.
#[utoipa::path(
    post, path = "/api/v1/hub/requests/{id}/transitions", tag = "hub",
    params(("id" = String, Path, description = "The request's id")),
    request_body = TransitionInput,
    responses((status = 200, body = RequestDetailDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn transition(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<TransitionInput>,
) -> ApiResult<Json<RequestDetailDto>> {
    let moved = ops::move_request(&state, &auth, &id, &input.to, &input.note).await?;
    let rights = ops::rights(&auth, &moved);
    Ok(Json(detail(&state, moved, rights).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentInput {
    /// The user id of a member of the secretariat.
    pub officer: String,
}

/// Assigns the officer who holds a request (the secretariat).
#[utoipa::path(
    post, path = "/api/v1/hub/requests/{id}/assignment", tag = "hub",
    params(("id" = String, Path, description = "The request's id")),
    request_body = AssignmentInput,
    responses((status = 200, body = RequestDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn assignment(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<AssignmentInput>,
) -> ApiResult<Json<RequestDto>> {
    let r = ops::assign(&state, &auth, &id, &input.officer).await?;
    let rights = ops::rights(&auth, &r);
    Ok(Json(RequestDto::new(&r, rights)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisibilityInput {
    pub public: bool,
}

/// Makes a request public or confidential (its country).
#[utoipa::path(
    post, path = "/api/v1/hub/requests/{id}/visibility", tag = "hub",
    params(("id" = String, Path, description = "The request's id")),
    request_body = VisibilityInput,
    responses((status = 200, body = RequestDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn visibility(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<VisibilityInput>,
) -> ApiResult<Json<RequestDto>> {
    let r = ops::set_public(&state, &auth, &id, input.public).await?;
    let rights = ops::rights(&auth, &r);
    Ok(Json(RequestDto::new(&r, rights)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationAnswer {
    /// `true` to join the request as one of its requesting countries, `false` to decline.
    pub accept: bool,
}

/// Answers, for one's country, the invitation to join a joint request (an invited State's
/// focal point). Until it accepts, the State is not named as a requester anywhere.
#[utoipa::path(
    post, path = "/api/v1/hub/requests/{id}/invitation", tag = "hub",
    params(("id" = String, Path, description = "The request's id")),
    request_body = InvitationAnswer,
    responses((status = 200, body = RequestDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn answer_invitation(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<InvitationAnswer>,
) -> ApiResult<Json<RequestDto>> {
    let r = ops::answer_invitation(&state, &auth, &id, input.accept).await?;
    let rights = ops::rights(&auth, &r);
    Ok(Json(RequestDto::new(&r, rights)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommentDto {
    pub id: String,
    pub author: String,
    pub body: String,
    pub shared: bool,
    pub created_at: String,
}

impl From<&RequestComment> for CommentDto {
    fn from(c: &RequestComment) -> CommentDto {
        CommentDto {
            id: c.id.clone(),
            author: c.author_name.clone(),
            body: c.body.clone(),
            shared: c.shared,
            created_at: c.created_at.clone(),
        }
    }
}

/// A request's comments: the shared ones for its country, all for the secretariat and the
/// partners engaged on it.
#[utoipa::path(
    get, path = "/api/v1/hub/requests/{id}/comments", tag = "hub",
    params(("id" = String, Path, description = "The request's id")),
    responses((status = 200, body = List<CommentDto>), (status = 404, body = ErrorBody))
)]
pub async fn comments(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<List<CommentDto>>> {
    params.finish()?;
    let (_, rights) = ops::visible(&auth, &state, &id).await?;
    if !rights.member() {
        return Err(AppError::not_found("support request", &id, None).into());
    }
    Ok(Json(List::whole(
        state
            .store
            .request_comments(&id)
            .await?
            .iter()
            .filter(|c| c.shared || rights.process || rights.engaged)
            .map(CommentDto::from)
            .collect(),
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentInput {
    pub body: String,
    /// Shared with the requesting country (the requesting country's own are always shared).
    #[serde(default)]
    pub shared: bool,
}

/// Adds a comment.
#[utoipa::path(
    post, path = "/api/v1/hub/requests/{id}/comments", tag = "hub",
    params(("id" = String, Path, description = "The request's id")),
    request_body = CommentInput,
    responses((status = 201), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn add_comment(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<CommentInput>,
) -> ApiResult<StatusCode> {
    ops::comment(&state, &auth, &id, &input.body, input.shared).await?;
    Ok(StatusCode::CREATED)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FactorDto {
    /// `topics`, `text`, `geography`, `language`, `support`, `capacity`, `track-record`.
    pub name: String,
    pub weight: f64,
    pub value: f64,
    pub contribution: f64,
    pub explanation: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionDto {
    pub id: String,
    /// `partner`, `item` (a knowledge item) or `request` (another country's public request).
    pub kind: String,
    /// The organization, item or request id.
    pub target_id: String,
    pub title: String,
    pub rank: i64,
    /// In [0, 1]: the sum of the factors' contributions.
    pub score: f64,
    pub factors: Vec<FactorDto>,
    /// `accepted` or `dismissed`, once an officer decided.
    pub decision: Option<String>,
    pub computed_at: String,
}

impl From<&Suggestion> for SuggestionDto {
    fn from(s: &Suggestion) -> SuggestionDto {
        let factors = s
            .factors
            .as_array()
            .map(|factors| {
                factors
                    .iter()
                    .map(|f| FactorDto {
                        name: f["name"].as_str().unwrap_or_default().to_owned(),
                        weight: f["weight"].as_f64().unwrap_or_default(),
                        value: f["value"].as_f64().unwrap_or_default(),
                        contribution: f["contribution"].as_f64().unwrap_or_default(),
                        explanation: f["explanation"].as_str().unwrap_or_default().to_owned(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        SuggestionDto {
            id: s.id.clone(),
            kind: s.kind.as_str().to_owned(),
            target_id: s.target_id.clone(),
            title: s.title.clone(),
            rank: s.rank,
            score: s.score,
            factors,
            decision: s.decision.map(|d| d.as_str().to_owned()),
            computed_at: s.computed_at.clone(),
        }
    }
}

async fn suggestion_list(
    state: &AppState,
    auth: &Auth,
    id: &str,
) -> Result<List<SuggestionDto>, AppError> {
    let (_, rights) = ops::visible(auth, state, id).await?;
    if !rights.sees_matching() {
        return Err(AppError::Forbidden(
            "the matching is for the requesting country and the secretariat".into(),
        ));
    }
    Ok(List::whole(
        state
            .store
            .suggestions(id)
            .await?
            .iter()
            .map(SuggestionDto::from)
            .collect(),
    ))
}

/// The partners and peers matching proposed, with their factors and any decision.
#[utoipa::path(
    get, path = "/api/v1/hub/requests/{id}/suggestions", tag = "hub",
    params(("id" = String, Path, description = "The request's id")),
    responses((status = 200, body = List<SuggestionDto>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn suggestions(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<List<SuggestionDto>>> {
    params.finish()?;
    Ok(Json(suggestion_list(&state, &auth, &id).await?))
}

/// Runs matching again (the secretariat).
#[utoipa::path(
    post, path = "/api/v1/hub/requests/{id}/suggestions", tag = "hub",
    params(("id" = String, Path, description = "The request's id")),
    responses((status = 200, body = List<SuggestionDto>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn rematch(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<List<SuggestionDto>>> {
    ops::rematch(&state, &auth, &id).await?;
    Ok(Json(suggestion_list(&state, &auth, &id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// `accept` or `dismiss`.
    pub decision: String,
}

/// Accepts or dismisses a suggestion (the secretariat); an accepted partner joins the team.
#[utoipa::path(
    post, path = "/api/v1/hub/requests/{id}/suggestions/{suggestion}", tag = "hub",
    params(("id" = String, Path, description = "The request's id"), ("suggestion" = String, Path, description = "The suggestion's id")),
    request_body = DecisionInput,
    responses((status = 200, body = List<SuggestionDto>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn decide(
    auth: Auth,
    State(state): State<AppState>,
    Path((id, suggestion)): Path<(String, String)>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> ApiResult<Json<List<SuggestionDto>>> {
    ops::decide(&state, &auth, &id, &suggestion, &input.decision).await?;
    Ok(Json(suggestion_list(&state, &auth, &id).await?))
}

/// Adds an organization or institution to a request's team (the secretariat).
#[utoipa::path(
    post, path = "/api/v1/hub/requests/{id}/team", tag = "hub",
    params(("id" = String, Path, description = "The request's id")),
    request_body = ops::TeamInput,
    responses((status = 201, body = RequestDetailDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn add_member(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ops::TeamInput>,
) -> ApiResult<(StatusCode, Json<RequestDetailDto>)> {
    let mut errors = FormErrors::new();
    let member = ops::team_member(&state, &input, &mut errors)
        .await?
        .ok_or_else(|| invalid(errors))?;
    ops::add_member(&state, &auth, &id, &member).await?;
    let (r, rights) = ops::visible(&auth, &state, &id).await?;
    Ok((StatusCode::CREATED, Json(detail(&state, r, rights).await?)))
}

/// Takes a member off a request's team (the secretariat).
#[utoipa::path(
    delete, path = "/api/v1/hub/requests/{id}/team/{member}", tag = "hub",
    params(("id" = String, Path, description = "The request's id"), ("member" = String, Path, description = "The team member's id")),
    responses((status = 204), (status = 404, body = ErrorBody))
)]
pub async fn remove_member(
    auth: Auth,
    State(state): State<AppState>,
    Path((id, member)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    ops::remove_member(&state, &auth, &id, &member).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records a funding opportunity for a request (the secretariat): the start-up fund or a
/// registered partner. Recording the same source again updates it.
#[utoipa::path(
    post, path = "/api/v1/hub/requests/{id}/funding", tag = "hub",
    params(("id" = String, Path, description = "The request's id")),
    request_body = ops::FundingInput,
    responses((status = 200, body = RequestDetailDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn funding(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ops::FundingInput>,
) -> ApiResult<Json<RequestDetailDto>> {
    let mut errors = FormErrors::new();
    let funding = ops::funding(&state, &input, &mut errors)
        .await?
        .ok_or_else(|| invalid(errors))?;
    ops::record_funding(&state, &auth, &id, &funding).await?;
    let (r, rights) = ops::visible(&auth, &state, &id).await?;
    Ok(Json(detail(&state, r, rights).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConceptNoteDto {
    pub request_id: String,
    /// The draft: the fund's template fields, prefilled, and what is still missing.
    #[schema(value_type = Object)]
    pub content: serde_json::Value,
    pub created_at: String,
    pub updated_at: String,
}

impl From<ConceptNote> for ConceptNoteDto {
    fn from(n: ConceptNote) -> ConceptNoteDto {
        ConceptNoteDto {
            request_id: n.request_id,
            content: n.content,
            created_at: n.created_at,
            updated_at: n.updated_at,
        }
    }
}

/// The concept note drafted for the start-up fund, to those who work on the request.
#[utoipa::path(
    get, path = "/api/v1/hub/requests/{id}/concept-note", tag = "hub",
    params(("id" = String, Path, description = "The request's id")),
    responses((status = 200, body = ConceptNoteDto), (status = 404, body = ErrorBody))
)]
pub async fn concept_note(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<ConceptNoteDto>> {
    params.finish()?;
    let (_, rights) = ops::visible(&auth, &state, &id).await?;
    let not_found = || AppError::not_found("concept note", &id, None);
    if !rights.member() {
        return Err(not_found().into());
    }
    let note = state.store.concept_note(&id).await?.ok_or_else(not_found)?;
    Ok(Json(note.into()))
}

/// Drafts (or drafts again) the concept note from the request, its team and its funding
/// (the secretariat).
#[utoipa::path(
    post, path = "/api/v1/hub/requests/{id}/concept-note", tag = "hub",
    params(("id" = String, Path, description = "The request's id")),
    responses((status = 201, body = ConceptNoteDto), (status = 404, body = ErrorBody))
)]
pub async fn draft_concept_note(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<ConceptNoteDto>)> {
    let note = ops::draft_concept_note(&state, &auth, &id).await?;
    Ok((StatusCode::CREATED, Json(note.into())))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerDto {
    pub organization_id: String,
    pub name: String,
    pub kind: String,
    pub website: Option<String>,
    pub summary: String,
    pub objectives: Vec<String>,
    pub actions: Vec<String>,
    /// ISO alpha-3 codes.
    pub countries: Vec<String>,
    /// M49 codes of regions (`001` for the world).
    pub regions: Vec<String>,
    pub languages: Vec<String>,
    pub support: Vec<String>,
    pub staff: i64,
    /// Open requests it is on the team of.
    pub engaged: i64,
    pub requests_served: i64,
    pub items_implemented: i64,
    pub updated_at: String,
}

impl From<&Partner> for PartnerDto {
    fn from(p: &Partner) -> PartnerDto {
        PartnerDto {
            organization_id: p.organization_id.clone(),
            name: p.name.clone(),
            kind: p.kind.slug().to_owned(),
            website: p.website.clone(),
            summary: p.fields.summary.clone(),
            objectives: p.fields.objectives.clone(),
            actions: p.fields.actions.clone(),
            countries: p.fields.countries.iter().map(iso3).collect(),
            regions: p.fields.regions.iter().map(|r| r.to_string()).collect(),
            languages: p
                .fields
                .languages
                .iter()
                .map(|l| l.code().to_owned())
                .collect(),
            support: p.fields.support.clone(),
            staff: p.fields.staff,
            engaged: p.engaged,
            requests_served: p.requests_served,
            items_implemented: p.items_implemented,
            updated_at: p.updated_at.clone(),
        }
    }
}

/// The partner registry, filtered as the directory filters it.
#[utoipa::path(
    get, path = "/api/v1/hub/partners", tag = "hub",
    params(
        ("name" = Option<String>, Query, description = "Part of the name"),
        ("objective" = Option<String>, Query, description = "An objective id, `obj-7`"),
        ("country" = Option<String>, Query, description = "Present in this country (M49 or ISO)"),
        ("support" = Option<String>, Query, description = "Offers this kind of support"),
        ("kind" = Option<String>, Query, description = "An organization kind"),
        ("sort" = Option<String>, Query, description = "`name` (default), `capacity` or `served`"),
        ("limit" = Option<usize>, Query, description = "Page size, 1 to 250 (default 100)"),
        ("cursor" = Option<String>, Query, description = "From a previous page's next_cursor"),
        ("format" = Option<String>, Query, description = "`json` (default) or `csv`")
    ),
    responses((status = 200, body = List<PartnerDto>), (status = 400, body = ErrorBody))
)]
pub async fn partners(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> ApiResult<Response> {
    let format = Format::negotiate(&mut params, &headers)?;
    let query = crate::pages::hub::PartnerQuery::from_params(&mut params)?;
    let page = Page::from_params(&mut params, 100, MAX_PAGE_SIZE)?;
    params.finish()?;
    let all: Vec<PartnerDto> = query
        .apply(state.store.partners().await?)
        .iter()
        .map(PartnerDto::from)
        .collect();
    if format == Format::Csv {
        return Ok(csv_response(
            "hub-partners.csv",
            &[
                "organization_id",
                "name",
                "kind",
                "objectives",
                "countries",
                "regions",
                "languages",
                "support",
                "staff",
                "engaged",
                "requests_served",
                "items_implemented",
            ],
            all.iter().map(|p| {
                vec![
                    p.organization_id.clone(),
                    p.name.clone(),
                    p.kind.clone(),
                    p.objectives.join(" "),
                    p.countries.join(" "),
                    p.regions.join(" "),
                    p.languages.join(" "),
                    p.support.join(" "),
                    p.staff.to_string(),
                    p.engaged.to_string(),
                    p.requests_served.to_string(),
                    p.items_implemented.to_string(),
                ]
            }),
        )?);
    }
    let total = all.len();
    Ok(Json(List {
        next_cursor: page.next_cursor(total),
        items: all.into_iter().skip(page.offset).take(page.limit).collect(),
        total,
        limit: Some(page.limit),
    })
    .into_response())
}

/// One partner's profile.
#[utoipa::path(
    get, path = "/api/v1/hub/partners/{id}", tag = "hub",
    params(("id" = String, Path, description = "The organization's id")),
    responses((status = 200, body = PartnerDto), (status = 404, body = ErrorBody))
)]
pub async fn partner(
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<PartnerDto>> {
    params.finish()?;
    let p = state
        .store
        .partner(&id)
        .await?
        .ok_or_else(|| AppError::not_found("partner", &id, None))?;
    Ok(Json(PartnerDto::from(&p)))
}

/// Creates or replaces an organization's partner profile (the secretariat, or the
/// organization's own contributor).
#[utoipa::path(
    put, path = "/api/v1/hub/partners/{id}", tag = "hub",
    params(("id" = String, Path, description = "The organization's id")),
    request_body = ops::PartnerForm,
    responses((status = 200, body = PartnerDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn save_partner(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ops::PartnerForm>,
) -> ApiResult<Json<PartnerDto>> {
    let organization = state
        .store
        .organization(&id)
        .await?
        .ok_or_else(|| AppError::not_found("organization", &id, None))?;
    auth.require(
        marrakech_core::policy::Action::EditOrganization,
        marrakech_core::policy::Resource::Organization(&id),
    )?;
    let mut errors = FormErrors::new();
    let fields =
        ops::partner_fields(&organization, &input, &mut errors).ok_or_else(|| invalid(errors))?;
    let p = state
        .store
        .save_partner(
            &auth.audit(marrakech_core::policy::Action::EditOrganization),
            &id,
            &fields,
        )
        .await?;
    Ok(Json(PartnerDto::from(&p)))
}

/// Public statistics: requests by stage, objective, region and year, and the median time to
/// serve. Counts only; no request's content.
#[utoipa::path(
    get, path = "/api/v1/hub/statistics", tag = "hub",
    responses((status = 200, body = HubStatistics))
)]
pub async fn statistics(
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<Json<HubStatistics>> {
    params.finish()?;
    Ok(Json(ops::statistics(&state.store).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardDto {
    pub statistics: HubStatistics,
    /// Open requests whose stage ran past its target.
    pub overdue: Vec<RequestDto>,
    /// Open requests no officer holds.
    pub unassigned: Vec<RequestDto>,
}

/// The secretariat's dashboard: the statistics, the overdue stages and the unassigned
/// requests.
#[utoipa::path(
    get, path = "/api/v1/hub/dashboard", tag = "hub",
    responses((status = 200, body = DashboardDto), (status = 403, body = ErrorBody))
)]
pub async fn dashboard(
    auth: Auth,
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<Json<DashboardDto>> {
    params.finish()?;
    let now = marrakech_store::now_text();
    let requests = ops::visible_requests(&auth, &state).await?;
    Ok(Json(DashboardDto {
        statistics: ops::statistics(&state.store).await?,
        overdue: requests
            .iter()
            .filter(|(r, _)| r.is_overdue(&now))
            .map(|(r, rights)| RequestDto::new(r, *rights))
            .collect(),
        unassigned: requests
            .iter()
            .filter(|(r, _)| r.stage.is_open() && r.officer_id.is_none())
            .map(|(r, rights)| RequestDto::new(r, *rights))
            .collect(),
    }))
}
