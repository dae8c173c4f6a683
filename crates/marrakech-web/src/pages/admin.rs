//! Administration: users and their roles, invitations, the audit trail, the email outbox.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use marrakech_core::accounts::{DisplayName, Email};
use marrakech_core::policy::{Action, Resource, Role, RoleName};
use marrakech_store::{
    from_now, AuditEntry, AuditFilter, NewUser, Organization, OrganizationFilter, OutboxEmail,
    User, UserFilter, UserStatus,
};

use super::forms::{Form, FormErrors};
use super::sign_in::country_choices;
use super::{render, Layout, Section};
use crate::auth::secrets::{random_token, token_hash};
use crate::auth::Auth;
use crate::csv_out::csv_response;
use crate::error::{AppError, PageResult};
use crate::mail;
use crate::params::{Format, Params};
use crate::routes::{Access, Routes};
use crate::AppState;

const PAGE_SIZE: usize = 50;
const INVITATION_DAYS: i64 = 7;

pub fn routes() -> Routes {
    use Access::Can;
    Routes::new()
        .get("/admin", Can(Action::ManageUsers), dashboard)
        .get("/admin/users", Can(Action::ManageUsers), users)
        .get("/admin/users/{id}", Can(Action::ManageUsers), user)
        .post(
            "/admin/users/{id}/roles",
            Can(Action::ManageUsers),
            grant_role,
        )
        .post(
            "/admin/users/{id}/roles/{grant}/revoke",
            Can(Action::ManageUsers),
            revoke_role,
        )
        .post(
            "/admin/users/{id}/status",
            Can(Action::ManageUsers),
            set_status,
        )
        .get(
            "/admin/invitations/new",
            Can(Action::InviteUsers),
            invitation_form,
        )
        .post("/admin/invitations", Can(Action::InviteUsers), invite)
        .get("/admin/audit", Can(Action::ReadAudit), audit)
        .get("/admin/outbox", Can(Action::ReadOutbox), outbox)
}

/// A role from the fields `role`, `reviewer_kind`, `country`, `organization` of a form.
pub fn role_from_form(form: &Form, errors: &mut FormErrors) -> Option<Role> {
    let some = |name: &str| Some(form.get(name)).filter(|v| !v.is_empty());
    let role = form.get("role");
    let binding = |wanted: RoleName, field: &str| {
        (RoleName::parse(&role) == Some(wanted))
            .then(|| some(field))
            .flatten()
    };
    errors.check(
        "role",
        Role::from_parts(
            &role,
            binding(RoleName::Reviewer, "reviewer_kind").as_deref(),
            binding(RoleName::FocalPoint, "country").as_deref(),
            binding(RoleName::Contributor, "organization").as_deref(),
        ),
    )
}

/// Choices for the role form.
pub struct RoleForm {
    pub roles: Vec<(&'static str, &'static str)>,
    pub countries: Vec<(String, String)>,
    pub organizations: Vec<Organization>,
}

async fn role_form(state: &AppState) -> Result<RoleForm, AppError> {
    Ok(RoleForm {
        roles: RoleName::ALL
            .iter()
            .map(|r| (r.as_str(), r.label()))
            .collect(),
        countries: country_choices(state).await?,
        organizations: state
            .store
            .organizations(&OrganizationFilter::default(), 10_000, 0)
            .await?
            .0,
    })
}

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct Dashboard {
    layout: Layout,
    users: usize,
    pending_emails: usize,
    audit_entries: usize,
    unverified: usize,
}

pub async fn dashboard(auth: Auth, State(state): State<AppState>) -> PageResult<Html<String>> {
    let (_, users) = state.store.users(&UserFilter::default(), 1, 0).await?;
    let (_, audit_entries) = state
        .store
        .audit_entries(&AuditFilter::default(), 1, 0)
        .await?;
    let (_, unverified) = state
        .store
        .organizations(
            &OrganizationFilter {
                verified: Some(false),
                ..Default::default()
            },
            1,
            0,
        )
        .await?;
    render(&Dashboard {
        layout: Layout::new("Administration", Some(Section::Admin), &auth),
        users,
        pending_emails: state.store.pending_emails().await?.len(),
        audit_entries,
        unverified,
    })
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    layout: Layout,
    users: Vec<User>,
    total: usize,
    role: String,
    status: String,
    query: String,
    roles: Vec<(&'static str, &'static str)>,
    statuses: Vec<&'static str>,
    previous: Option<String>,
    next: Option<String>,
    csv: String,
}

fn user_filter(params: &mut Params) -> Result<UserFilter, AppError> {
    Ok(UserFilter {
        role: params.take_with("role", "a role such as focal-point", RoleName::parse)?,
        status: params.take_with(
            "status",
            "invited, pending, active, disabled or deleted",
            UserStatus::parse,
        )?,
        query: params.take("q"),
    })
}

fn filter_query(filter: &UserFilter, extra: &[(&str, String)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    if let Some(r) = filter.role {
        out.append_pair("role", r.as_str());
    }
    if let Some(s) = filter.status {
        out.append_pair("status", s.as_str());
    }
    if let Some(q) = &filter.query {
        out.append_pair("q", q);
    }
    for (k, v) in extra {
        out.append_pair(k, v);
    }
    out.finish()
}

pub const USER_CSV_HEADER: [&str; 6] = ["id", "name", "email", "status", "roles", "created_at"];

pub fn user_csv_row(u: &User) -> Vec<String> {
    vec![
        u.id.clone(),
        u.display_name.clone(),
        u.email.clone(),
        u.status.as_str().to_owned(),
        u.roles
            .iter()
            .map(|g| g.role.to_string())
            .collect::<Vec<_>>()
            .join("; "),
        u.created_at.clone(),
    ]
}

pub async fn users(
    auth: Auth,
    State(state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> PageResult<Response> {
    let format = Format::negotiate(&mut params, &headers)?;
    let filter = user_filter(&mut params)?;
    let page = params
        .take_with("page", "a page number from 1", |v| {
            v.parse::<usize>().ok().filter(|n| *n >= 1)
        })?
        .unwrap_or(1);
    if format == Format::Csv {
        let (all, _) = state.store.users(&filter, usize::MAX >> 1, 0).await?;
        return Ok(csv_response(
            "users.csv",
            &USER_CSV_HEADER,
            all.iter().map(user_csv_row),
        )?);
    }
    let (users, total) = state
        .store
        .users(&filter, PAGE_SIZE, (page - 1) * PAGE_SIZE)
        .await?;
    let link = |n: usize| {
        format!(
            "/admin/users?{}",
            filter_query(&filter, &[("page", n.to_string())])
        )
    };
    Ok(render(&UsersPage {
        layout: Layout::new("Users", Some(Section::Admin), &auth),
        total,
        previous: (page > 1).then(|| link(page - 1)),
        next: (page * PAGE_SIZE < total).then(|| link(page + 1)),
        csv: format!(
            "/admin/users?{}",
            filter_query(&filter, &[("format", "csv".into())])
        ),
        role: filter
            .role
            .map(|r| r.as_str().to_owned())
            .unwrap_or_default(),
        status: filter
            .status
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        query: filter.query.clone().unwrap_or_default(),
        roles: RoleName::ALL
            .iter()
            .map(|r| (r.as_str(), r.label()))
            .collect(),
        statuses: vec!["invited", "pending", "active", "disabled", "deleted"],
        users,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "admin/user.html")]
struct UserPage {
    layout: Layout,
    user: User,
    form: RoleForm,
    form_values: Form,
    errors: FormErrors,
    notice: Option<String>,
    entries: Vec<AuditEntry>,
    is_self: bool,
}

async fn user_page(
    auth: &Auth,
    state: &AppState,
    id: &str,
    errors: FormErrors,
    notice: Option<String>,
) -> PageResult<Html<String>> {
    let user = state
        .store
        .user(id)
        .await?
        .ok_or_else(|| AppError::not_found("user", id, None))?;
    let (entries, _) = state
        .store
        .audit_entries(
            &AuditFilter {
                target_id: Some(user.id.clone()),
                ..Default::default()
            },
            20,
            0,
        )
        .await?;
    render(&UserPage {
        layout: Layout::new(user.display_name.clone(), Some(Section::Admin), auth),
        is_self: auth.actor.user_id.as_deref() == Some(user.id.as_str()),
        form: role_form(state).await?,
        form_values: Form::default(),
        user,
        errors,
        notice,
        entries,
    })
}

pub async fn user(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> PageResult<Html<String>> {
    user_page(&auth, &state, &id, FormErrors::new(), None).await
}

pub async fn grant_role(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult<Response> {
    auth.require(Action::ManageUsers, Resource::AuthoredBy(&id))?;
    let form = Form::parse(&body);
    let mut errors = FormErrors::new();
    if let Some(role) = role_from_form(&form, &mut errors) {
        match state
            .store
            .grant_role(&auth.audit(Action::ManageUsers), &id, &role)
            .await
        {
            Ok(_) => {
                return Ok(user_page(
                    &auth,
                    &state,
                    &id,
                    errors,
                    Some(format!("Granted: {role}.")),
                )
                .await?
                .into_response())
            }
            Err(e) => errors.from_app_error(e.into())?,
        }
    }
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        user_page(&auth, &state, &id, errors, None).await?,
    )
        .into_response())
}

pub async fn revoke_role(
    auth: Auth,
    State(state): State<AppState>,
    Path((id, grant)): Path<(String, String)>,
) -> PageResult<Response> {
    auth.require(Action::ManageUsers, Resource::AuthoredBy(&id))?;
    state
        .store
        .revoke_role(&auth.audit(Action::ManageUsers), &id, &grant)
        .await?;
    Ok(user_page(
        &auth,
        &state,
        &id,
        FormErrors::new(),
        Some("The role is revoked.".into()),
    )
    .await?
    .into_response())
}

pub async fn set_status(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult<Response> {
    auth.require(Action::ManageUsers, Resource::AuthoredBy(&id))?;
    let form = Form::parse(&body);
    let enable = match form.get("status").as_str() {
        "active" => true,
        "disabled" => false,
        _ => return Err(AppError::invalid("status", "choose active or disabled").into()),
    };
    if !enable {
        let target = state
            .store
            .user(&id)
            .await?
            .ok_or_else(|| AppError::not_found("user", &id, None))?;
        super::account::ensure_not_last_administrator(&state, &target).await?;
    }
    state
        .store
        .set_user_enabled(&auth.audit(Action::ManageUsers), &id, enable)
        .await?;
    let message = if enable {
        "The account is enabled."
    } else {
        "The account is disabled and signed out."
    };
    Ok(
        user_page(&auth, &state, &id, FormErrors::new(), Some(message.into()))
            .await?
            .into_response(),
    )
}

#[derive(Template)]
#[template(path = "admin/invite.html")]
struct InvitePage {
    layout: Layout,
    form_values: Form,
    form: RoleForm,
    errors: FormErrors,
    notice: Option<String>,
    days: i64,
}

async fn invite_page(
    auth: &Auth,
    state: &AppState,
    values: Form,
    errors: FormErrors,
    notice: Option<String>,
) -> PageResult<Html<String>> {
    render(&InvitePage {
        layout: Layout::new("Invite someone", Some(Section::Admin), auth),
        form_values: values,
        form: role_form(state).await?,
        errors,
        notice,
        days: INVITATION_DAYS,
    })
}

pub async fn invitation_form(
    auth: Auth,
    State(state): State<AppState>,
) -> PageResult<Html<String>> {
    invite_page(&auth, &state, Form::default(), FormErrors::new(), None).await
}

/// Invites someone by email into a role; the message carries a single-use link.
pub async fn send_invitation(
    auth: &Auth,
    state: &AppState,
    email: &Email,
    name: &DisplayName,
    role: Role,
) -> Result<User, AppError> {
    let token = random_token();
    let base = state.config.public_url.clone();
    let to = email.as_str().to_owned();
    let roles = vec![role.clone()];
    let user = state
        .store
        .invite_user(
            &auth.audit(Action::InviteUsers),
            &NewUser {
                email: email.as_str().to_owned(),
                display_name: name.as_str().to_owned(),
                password_hash: None,
                status: UserStatus::Invited,
                roles: vec![role],
            },
            &token_hash(&token),
            &from_now(time::Duration::days(INVITATION_DAYS)),
            move |_| {
                let (subject, body) = mail::invitation(&base, &roles, &token, INVITATION_DAYS);
                (to.clone(), subject, body)
            },
        )
        .await?;
    tracing::info!(user = %user.id, "invited a user");
    Ok(user)
}

pub async fn invite(
    auth: Auth,
    State(state): State<AppState>,
    body: Bytes,
) -> PageResult<Response> {
    let form = Form::parse(&body);
    let mut errors = FormErrors::new();
    let email = errors.check("email", Email::parse(&form.get("email")));
    let name = errors.check(
        "display_name",
        DisplayName::parse(&form.get("display_name")),
    );
    let role = role_from_form(&form, &mut errors);
    if let (Some(email), Some(name), Some(role)) = (email, name, role) {
        match send_invitation(&auth, &state, &email, &name, role).await {
            Ok(user) => {
                return Ok(invite_page(
                    &auth,
                    &state,
                    Form::default(),
                    FormErrors::new(),
                    Some(format!(
                        "{} is invited; the link is on its way (see the outbox).",
                        user.display_name
                    )),
                )
                .await?
                .into_response())
            }
            Err(e) => errors.from_app_error(e)?,
        }
    }
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        invite_page(&auth, &state, form, errors, None).await?,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    layout: Layout,
    entries: Vec<AuditEntry>,
    total: usize,
    filter: AuditFilterView,
    previous: Option<String>,
    next: Option<String>,
    csv: String,
}

#[derive(Default)]
pub struct AuditFilterView {
    pub actor: String,
    pub action: String,
    pub target: String,
    pub from: String,
    pub until: String,
}

fn date(v: &str) -> Option<String> {
    let ok = v.len() == 10
        && time::Date::parse(v, time::macros::format_description!("[year]-[month]-[day]")).is_ok();
    ok.then(|| v.to_owned())
}

pub fn audit_filter(params: &mut Params) -> Result<AuditFilter, AppError> {
    Ok(AuditFilter {
        actor_id: params.take("actor"),
        action: params.take("action"),
        target_id: params.take("target"),
        from: params.take_with("from", "a date such as 2026-11-28", date)?,
        until: params
            .take_with("until", "a date such as 2026-11-28", date)?
            .map(|d| format!("{d}T23:59:59.999999Z")),
    })
}

pub async fn audit(
    auth: Auth,
    State(state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> PageResult<Response> {
    let format = Format::negotiate(&mut params, &headers)?;
    let filter = audit_filter(&mut params)?;
    let page = params
        .take_with("page", "a page number from 1", |v| {
            v.parse::<usize>().ok().filter(|n| *n >= 1)
        })?
        .unwrap_or(1);
    if format == Format::Csv {
        let (all, _) = state
            .store
            .audit_entries(&filter, usize::MAX >> 1, 0)
            .await?;
        return Ok(csv_response(
            "audit.csv",
            &marrakech_app::accounts::AUDIT_CSV_HEADER,
            all.iter().map(marrakech_app::accounts::audit_csv_row),
        )?);
    }
    let (entries, total) = state
        .store
        .audit_entries(&filter, PAGE_SIZE, (page - 1) * PAGE_SIZE)
        .await?;
    let view = AuditFilterView {
        actor: filter.actor_id.clone().unwrap_or_default(),
        action: filter.action.clone().unwrap_or_default(),
        target: filter.target_id.clone().unwrap_or_default(),
        from: filter.from.clone().unwrap_or_default(),
        until: filter
            .until
            .clone()
            .map(|u| u[..10].to_owned())
            .unwrap_or_default(),
    };
    let query = |extra: &[(&str, String)]| {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("actor", &view.actor),
            ("action", &view.action),
            ("target", &view.target),
            ("from", &view.from),
            ("until", &view.until),
        ] {
            if !v.is_empty() {
                out.append_pair(k, v);
            }
        }
        for (k, v) in extra {
            out.append_pair(k, v);
        }
        out.finish()
    };
    Ok(render(&AuditPage {
        layout: Layout::new("Audit trail", Some(Section::Admin), &auth),
        previous: (page > 1).then(|| {
            format!(
                "/admin/audit?{}",
                query(&[("page", (page - 1).to_string())])
            )
        }),
        next: (page * PAGE_SIZE < total).then(|| {
            format!(
                "/admin/audit?{}",
                query(&[("page", (page + 1).to_string())])
            )
        }),
        csv: format!("/admin/audit?{}", query(&[("format", "csv".into())])),
        entries,
        total,
        filter: view,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "admin/outbox.html")]
struct OutboxPage {
    layout: Layout,
    emails: Vec<OutboxEmail>,
}

pub async fn outbox(auth: Auth, State(state): State<AppState>) -> PageResult<Html<String>> {
    render(&OutboxPage {
        layout: Layout::new("Email outbox", Some(Section::Admin), &auth),
        emails: state.store.emails(200).await?,
    })
}
