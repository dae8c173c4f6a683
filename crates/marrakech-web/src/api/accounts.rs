//! `/api/v1/me`, `/api/v1/organizations`, `/api/v1/users`, `/api/v1/invitations`,
//! `/api/v1/audit`: accounts, organizations and the audit trail for machine clients.
//!
//! Authenticate with `Authorization: Bearer mk_…` (an API token from the account page) or a
//! session cookie plus the `X-CSRF-Token` header for state changes.

use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use marrakech_core::accounts::{check_markdown, DisplayName, Email, OrganizationName, Website};
use marrakech_core::countries::M49;
use marrakech_core::policy::{Action, OrganizationKind, Resource, Role};
use marrakech_store::{ApiTokenRecord, AuditEntry, NewOrganization, Organization, RoleGrant, User};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::List;
use super::MAX_PAGE_SIZE;
use crate::auth::{Auth, Via};
use crate::csv_out::csv_response;
use crate::error::{ApiError, ApiResult, AppError, ErrorBody};
use crate::markdown;
use crate::pages::account::user_data;
use crate::pages::admin::{audit_filter, send_invitation, user_csv_row, USER_CSV_HEADER};
use crate::pages::organizations::{
    organization_csv_row, organization_filter, MAX_DESCRIPTION_CHARS, ORGANIZATION_CSV_HEADER,
};
use crate::params::{Format, Page, Params};
use crate::AppState;
use marrakech_app::accounts::{audit_csv_row, AUDIT_CSV_HEADER};

/// A JSON body: refused with 415 when not sent as JSON, and with the field named when a
/// field is wrong or unknown.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        use axum::extract::rejection::JsonRejection;
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => {
                Err(ApiError(AppError::UnsupportedMediaType))
            }
            Err(JsonRejection::JsonDataError(e)) => {
                let text = e.body_text();
                let detail = text
                    .split_once("target type: ")
                    .map(|(_, d)| d.to_owned())
                    .unwrap_or(text);
                let unknown = detail
                    .split("unknown field `")
                    .nth(1)
                    .and_then(|rest| rest.split('`').next())
                    .map(str::to_owned);
                let field = unknown.clone().unwrap_or_else(|| {
                    detail
                        .split_once(": ")
                        .map(|(path, _)| path.trim_start_matches('.').to_owned())
                        .filter(|p| !p.is_empty())
                        .unwrap_or_else(|| "body".to_owned())
                });
                let message = match unknown {
                    Some(name) => format!("unknown field `{name}`"),
                    None => detail,
                };
                Err(ApiError(AppError::Invalid { field, message }))
            }
            Err(JsonRejection::JsonSyntaxError(e)) => Err(ApiError(AppError::invalid(
                "body",
                format!(
                    "the body is not valid JSON: {}",
                    e.body_text().rsplit(": ").next().unwrap_or_default()
                ),
            ))),
            Err(other) => Err(ApiError(AppError::invalid("body", other.body_text()))),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoleDto {
    /// The grant's id (to revoke it).
    pub id: String,
    /// `administrator`, `secretariat`, `reviewer`, `fund-manager`, `steering-committee`,
    /// `focal-point` or `contributor`.
    pub role: String,
    /// For reviewers: `internal` or `external`.
    pub reviewer_kind: Option<String>,
    /// For focal points: the country's M49 code.
    pub country: Option<String>,
    /// For contributors: the organization's id.
    pub organization: Option<String>,
    pub granted_at: String,
}

impl From<&RoleGrant> for RoleDto {
    fn from(g: &RoleGrant) -> Self {
        let (reviewer_kind, country, organization) = match &g.role {
            Role::Reviewer { kind } => (Some(kind.as_str().to_owned()), None, None),
            Role::FocalPoint { country } => (None, Some(country.to_string()), None),
            Role::Contributor { organization } => (None, None, Some(organization.clone())),
            _ => (None, None, None),
        };
        RoleDto {
            id: g.id.clone(),
            role: g.role.name().as_str().to_owned(),
            reviewer_kind,
            country,
            organization,
            granted_at: g.created_at.clone(),
        }
    }
}

/// A user as administrators (and the user themselves) see them: personal data included.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    pub id: String,
    pub email: String,
    pub display_name: String,
    /// `invited`, `pending`, `active`, `disabled` or `deleted`.
    pub status: String,
    pub roles: Vec<RoleDto>,
    pub created_at: String,
}

impl From<&User> for UserDto {
    fn from(u: &User) -> Self {
        UserDto {
            id: u.id.clone(),
            email: u.email.clone(),
            display_name: u.display_name.clone(),
            status: u.status.as_str().to_owned(),
            roles: u.roles.iter().map(RoleDto::from).collect(),
            created_at: u.created_at.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeDto {
    #[serde(flatten)]
    pub user: UserDto,
    /// `session` or `token`.
    pub authenticated_by: String,
    /// With a token: the actions it is scoped to.
    pub token_actions: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationDto {
    pub id: String,
    pub name: String,
    /// One of the kinds of paras 43(b)(iii) and 44, e.g. `civil-society`.
    pub kind: String,
    pub kind_label: String,
    /// M49 code of the country it is based in.
    pub country: Option<String>,
    pub website: Option<String>,
    /// Markdown as written.
    pub description: String,
    /// The description rendered and sanitized.
    pub description_html: String,
    pub verified: bool,
    pub created_at: String,
    pub updated_at: String,
    pub href: String,
}

impl From<&Organization> for OrganizationDto {
    fn from(o: &Organization) -> Self {
        OrganizationDto {
            id: o.id.clone(),
            name: o.name.clone(),
            kind: o.kind.slug().to_owned(),
            kind_label: o.kind.label().to_owned(),
            country: o.country.map(|c| c.to_string()),
            website: o.website.clone(),
            description: o.description.clone(),
            description_html: markdown::render(&o.description),
            verified: o.verified,
            created_at: o.created_at.clone(),
            updated_at: o.updated_at.clone(),
            href: format!("/organizations/{}", o.id),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenDto {
    pub id: String,
    pub name: String,
    pub actions: Vec<String>,
    pub created_at: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
}

impl From<&ApiTokenRecord> for TokenDto {
    fn from(t: &ApiTokenRecord) -> Self {
        TokenDto {
            id: t.id.clone(),
            name: t.name.clone(),
            actions: t.actions.iter().map(|a| a.as_str().to_owned()).collect(),
            created_at: t.created_at.clone(),
            expires_at: t.expires_at.clone(),
            revoked_at: t.revoked_at.clone(),
            last_used_at: t.last_used_at.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryDto {
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<String>,
    pub actor_role: Option<String>,
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    /// A JSON object: ids, field names and non-personal values.
    pub summary: String,
    pub prev_hash: String,
    pub hash: String,
}

impl From<&AuditEntry> for AuditEntryDto {
    fn from(e: &AuditEntry) -> Self {
        AuditEntryDto {
            seq: e.seq,
            at: e.at.clone(),
            actor_id: e.actor_id.clone(),
            actor_role: e.actor_role.clone(),
            action: e.action.clone(),
            target_kind: e.target_kind.clone(),
            target_id: e.target_id.clone(),
            summary: e.summary.clone(),
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
        }
    }
}

/// Who the request acts as.
#[utoipa::path(
    get, path = "/api/v1/me", tag = "accounts",
    responses(
        (status = 200, description = "The signed-in user, with roles", body = MeDto),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn me(auth: Auth, params: Params) -> ApiResult<Json<MeDto>> {
    params.finish()?;
    let user = auth.user()?;
    Ok(Json(MeDto {
        user: UserDto::from(user),
        authenticated_by: if auth.via == Via::Token {
            "token"
        } else {
            "session"
        }
        .into(),
        token_actions: auth
            .actor
            .token_actions
            .as_ref()
            .map(|a| a.iter().map(|x| x.as_str().to_owned()).collect()),
    }))
}

/// Everything the platform holds about the user.
#[utoipa::path(
    get, path = "/api/v1/me/data", tag = "accounts",
    responses((status = 200, description = "Account, roles, sessions, tokens, actions recorded (JSON)"), (status = 401, body = ErrorBody))
)]
pub async fn my_data(
    auth: Auth,
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<Json<serde_json::Value>> {
    params.finish()?;
    Ok(Json(user_data(&state, auth.user()?).await?))
}

/// The user's API tokens (never their secrets).
#[utoipa::path(
    get, path = "/api/v1/me/tokens", tag = "accounts",
    responses((status = 200, description = "The tokens", body = List<TokenDto>), (status = 401, body = ErrorBody))
)]
pub async fn my_tokens(
    auth: Auth,
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<Json<List<TokenDto>>> {
    params.finish()?;
    let tokens = state.store.api_tokens(&auth.user()?.id).await?;
    Ok(Json(List::whole(
        tokens.iter().map(TokenDto::from).collect(),
    )))
}

/// Revokes one of the user's API tokens.
#[utoipa::path(
    delete, path = "/api/v1/me/tokens/{id}", tag = "accounts",
    params(("id" = String, Path, description = "The token's id")),
    responses((status = 204, description = "Revoked"), (status = 404, body = ErrorBody))
)]
pub async fn revoke_my_token(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let user = auth.user()?;
    state
        .store
        .revoke_api_token(&auth.audit(Action::UseAccount), &user.id, &id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Organizations, filtered and paginated.
#[utoipa::path(
    get, path = "/api/v1/organizations", tag = "accounts",
    params(
        ("kind" = Option<String>, Query, description = "An organization kind, e.g. civil-society"),
        ("verified" = Option<bool>, Query, description = "Verified by the secretariat or not"),
        ("name" = Option<String>, Query, description = "Part of the name"),
        ("limit" = Option<usize>, Query, description = "1 to 250, default 100"),
        ("cursor" = Option<String>, Query, description = "The next_cursor of the previous page"),
        ("format" = Option<String>, Query, description = "json (default) or csv"),
    ),
    responses((status = 200, description = "A page of organizations", body = List<OrganizationDto>), (status = 400, body = ErrorBody))
)]
pub async fn organizations(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> ApiResult<Response> {
    let format = Format::negotiate(&mut params, &headers)?;
    let filter = organization_filter(&mut params)?;
    let page = Page::from_params(&mut params, 100, MAX_PAGE_SIZE)?;
    params.finish()?;
    if format == Format::Csv {
        let (all, _) = state
            .store
            .organizations(&filter, usize::MAX >> 1, 0)
            .await?;
        return Ok(csv_response(
            "organizations.csv",
            &ORGANIZATION_CSV_HEADER,
            all.iter().map(organization_csv_row),
        )?);
    }
    let (list, total) = state
        .store
        .organizations(&filter, page.limit, page.offset)
        .await?;
    Ok(Json(List {
        items: list.iter().map(OrganizationDto::from).collect(),
        total,
        limit: Some(page.limit),
        next_cursor: page.next_cursor(total),
    })
    .into_response())
}

/// One organization.
#[utoipa::path(
    get, path = "/api/v1/organizations/{id}", tag = "accounts",
    params(("id" = String, Path, description = "The organization's id")),
    responses((status = 200, body = OrganizationDto), (status = 404, body = ErrorBody))
)]
pub async fn organization(
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<OrganizationDto>> {
    params.finish()?;
    let o = state
        .store
        .organization(&id)
        .await?
        .ok_or_else(|| AppError::not_found("organization", &id, None))?;
    Ok(Json(OrganizationDto::from(&o)))
}

/// A new organization, or all the fields of an existing one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationInput {
    pub name: String,
    /// One of the kinds of paras 43(b)(iii) and 44, e.g. `civil-society`.
    pub kind: String,
    /// M49 code.
    pub country: Option<String>,
    /// http(s) URL.
    pub website: Option<String>,
    /// Markdown, at most 5,000 characters.
    pub description: Option<String>,
}

impl OrganizationInput {
    fn validate(self) -> Result<NewOrganization, AppError> {
        let name =
            OrganizationName::parse(&self.name).map_err(|e| AppError::invalid("name", e.0))?;
        let kind = OrganizationKind::parse(&self.kind).ok_or_else(|| {
            AppError::invalid(
                "kind",
                format!("`{}` is not an organization kind", self.kind),
            )
        })?;
        let country =
            match self.country.filter(|c| !c.is_empty()) {
                Some(c) => Some(c.parse::<M49>().map_err(|_| {
                    AppError::invalid("country", format!("`{c}` is not an M49 code"))
                })?),
                None => None,
            };
        let website = match self.website.filter(|w| !w.is_empty()) {
            Some(w) => Some(
                Website::parse(&w)
                    .map_err(|e| AppError::invalid("website", e.0))?
                    .as_str()
                    .to_owned(),
            ),
            None => None,
        };
        let description =
            check_markdown(&self.description.unwrap_or_default(), MAX_DESCRIPTION_CHARS)
                .map_err(|e| AppError::invalid("description", e.0))?;
        Ok(NewOrganization {
            name: name.as_str().to_owned(),
            kind,
            country,
            website,
            description,
        })
    }
}

/// Adds an organization (the secretariat; verified from the start).
#[utoipa::path(
    post, path = "/api/v1/organizations", tag = "accounts",
    request_body = OrganizationInput,
    responses((status = 201, body = OrganizationDto), (status = 409, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn create_organization(
    auth: Auth,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<OrganizationInput>,
) -> ApiResult<(StatusCode, Json<OrganizationDto>)> {
    let new = input.validate()?;
    let ctx = auth.audit(Action::ManageOrganizations);
    let created = state.store.create_organization(&ctx, &new).await?;
    state
        .store
        .set_organization_verified(&ctx, &created.id, true)
        .await?;
    let created = state
        .store
        .organization(&created.id)
        .await?
        .unwrap_or(created);
    Ok((StatusCode::CREATED, Json(OrganizationDto::from(&created))))
}

/// Replaces an organization's fields (the secretariat, or the organization's contributors).
#[utoipa::path(
    patch, path = "/api/v1/organizations/{id}", tag = "accounts",
    params(("id" = String, Path, description = "The organization's id")),
    request_body = OrganizationInput,
    responses((status = 200, body = OrganizationDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn update_organization(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<OrganizationInput>,
) -> ApiResult<Json<OrganizationDto>> {
    auth.require(Action::EditOrganization, Resource::Organization(&id))?;
    let update = input.validate()?;
    let updated = state
        .store
        .update_organization(&auth.audit(Action::EditOrganization), &id, &update)
        .await?;
    Ok(Json(OrganizationDto::from(&updated)))
}

/// Users, for administrators.
#[utoipa::path(
    get, path = "/api/v1/users", tag = "accounts",
    params(
        ("role" = Option<String>, Query, description = "Holding this role"),
        ("status" = Option<String>, Query, description = "invited, pending, active, disabled or deleted"),
        ("q" = Option<String>, Query, description = "Part of the name or email"),
        ("limit" = Option<usize>, Query, description = "1 to 250, default 100"),
        ("cursor" = Option<String>, Query, description = "The next_cursor of the previous page"),
        ("format" = Option<String>, Query, description = "json (default) or csv"),
    ),
    responses((status = 200, body = List<UserDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn users(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> ApiResult<Response> {
    let format = Format::negotiate(&mut params, &headers)?;
    let filter = marrakech_store::UserFilter {
        role: params.take_with(
            "role",
            "a role such as focal-point",
            marrakech_core::policy::RoleName::parse,
        )?,
        status: params.take_with(
            "status",
            "invited, pending, active, disabled or deleted",
            marrakech_store::UserStatus::parse,
        )?,
        query: params.take("q"),
    };
    let page = Page::from_params(&mut params, 100, MAX_PAGE_SIZE)?;
    params.finish()?;
    if format == Format::Csv {
        let (all, _) = state.store.users(&filter, usize::MAX >> 1, 0).await?;
        return Ok(csv_response(
            "users.csv",
            &USER_CSV_HEADER,
            all.iter().map(user_csv_row),
        )?);
    }
    let (list, total) = state.store.users(&filter, page.limit, page.offset).await?;
    Ok(Json(List {
        items: list.iter().map(UserDto::from).collect(),
        total,
        limit: Some(page.limit),
        next_cursor: page.next_cursor(total),
    })
    .into_response())
}

/// One user, for administrators.
#[utoipa::path(
    get, path = "/api/v1/users/{id}", tag = "accounts",
    params(("id" = String, Path, description = "The user's id")),
    responses((status = 200, body = UserDto), (status = 404, body = ErrorBody))
)]
pub async fn user(
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<UserDto>> {
    params.finish()?;
    let user = state
        .store
        .user(&id)
        .await?
        .ok_or_else(|| AppError::not_found("user", &id, None))?;
    Ok(Json(UserDto::from(&user)))
}

/// A role and the binding it takes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleInput {
    /// `administrator`, `secretariat`, `reviewer`, `fund-manager`, `steering-committee`,
    /// `focal-point` or `contributor`.
    pub role: String,
    /// For a reviewer: `internal` or `external`.
    pub reviewer_kind: Option<String>,
    /// For a focal point: the country's M49 code.
    pub country: Option<String>,
    /// For a contributor: the organization's id.
    pub organization: Option<String>,
}

impl RoleInput {
    fn role(&self) -> Result<Role, AppError> {
        Role::from_parts(
            &self.role,
            self.reviewer_kind.as_deref(),
            self.country.as_deref(),
            self.organization.as_deref(),
        )
        .map_err(|e| AppError::invalid("role", e.0))
    }
}

/// Grants a role (administrators; not to themselves).
#[utoipa::path(
    post, path = "/api/v1/users/{id}/roles", tag = "accounts",
    params(("id" = String, Path, description = "The user's id")),
    request_body = RoleInput,
    responses((status = 201, body = RoleDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn grant_role(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<RoleInput>,
) -> ApiResult<(StatusCode, Json<RoleDto>)> {
    auth.require(Action::ManageUsers, Resource::AuthoredBy(&id))?;
    let grant = state
        .store
        .grant_role(&auth.audit(Action::ManageUsers), &id, &input.role()?)
        .await?;
    Ok((StatusCode::CREATED, Json(RoleDto::from(&grant))))
}

/// Revokes a role grant (administrators; not their own).
#[utoipa::path(
    delete, path = "/api/v1/users/{id}/roles/{grant}", tag = "accounts",
    params(("id" = String, Path, description = "The user's id"), ("grant" = String, Path, description = "The grant's id")),
    responses((status = 204, description = "Revoked"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn revoke_role(
    auth: Auth,
    State(state): State<AppState>,
    Path((id, grant)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    auth.require(Action::ManageUsers, Resource::AuthoredBy(&id))?;
    state
        .store
        .revoke_role(&auth.audit(Action::ManageUsers), &id, &grant)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An invitation into a role.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationInput {
    pub email: String,
    pub display_name: String,
    #[serde(flatten)]
    pub role: RoleInput,
}

/// Invites someone into a role: the email with a single-use link is queued in the outbox.
#[utoipa::path(
    post, path = "/api/v1/invitations", tag = "accounts",
    request_body = InvitationInput,
    responses((status = 201, body = UserDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn invite(
    auth: Auth,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<InvitationInput>,
) -> ApiResult<(StatusCode, Json<UserDto>)> {
    let email = Email::parse(&input.email).map_err(|e| AppError::invalid("email", e.0))?;
    let name = DisplayName::parse(&input.display_name)
        .map_err(|e| AppError::invalid("display_name", e.0))?;
    let user = send_invitation(&auth, &state, &email, &name, input.role.role()?).await?;
    Ok((StatusCode::CREATED, Json(UserDto::from(&user))))
}

/// The audit trail, newest first (administrators).
#[utoipa::path(
    get, path = "/api/v1/audit", tag = "accounts",
    params(
        ("actor" = Option<String>, Query, description = "The acting user's id"),
        ("action" = Option<String>, Query, description = "Actions starting with this, e.g. user."),
        ("target" = Option<String>, Query, description = "The target's id"),
        ("from" = Option<String>, Query, description = "From this date (YYYY-MM-DD)"),
        ("until" = Option<String>, Query, description = "Until this date, inclusive"),
        ("limit" = Option<usize>, Query, description = "1 to 250, default 100"),
        ("cursor" = Option<String>, Query, description = "The next_cursor of the previous page"),
        ("format" = Option<String>, Query, description = "json (default) or csv"),
    ),
    responses((status = 200, body = List<AuditEntryDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn audit(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> ApiResult<Response> {
    let format = Format::negotiate(&mut params, &headers)?;
    let filter = audit_filter(&mut params)?;
    let page = Page::from_params(&mut params, 100, MAX_PAGE_SIZE)?;
    params.finish()?;
    if format == Format::Csv {
        let (all, _) = state
            .store
            .audit_entries(&filter, usize::MAX >> 1, 0)
            .await?;
        return Ok(csv_response(
            "audit.csv",
            &AUDIT_CSV_HEADER,
            all.iter().map(audit_csv_row),
        )?);
    }
    let (entries, total) = state
        .store
        .audit_entries(&filter, page.limit, page.offset)
        .await?;
    Ok(Json(List {
        items: entries.iter().map(AuditEntryDto::from).collect(),
        total,
        limit: Some(page.limit),
        next_cursor: page.next_cursor(total),
    })
    .into_response())
}
