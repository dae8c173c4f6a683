//! One's own account: profile, password, sessions, API tokens, data download, deletion.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use marrakech_core::accounts::{check_password, DisplayName};
use marrakech_core::policy::{role_may, Action, Role, RoleName};
use marrakech_store::{
    from_now, new_id, ApiTokenRecord, AuditFilter, NewApiToken, User, UserFilter, UserStatus,
};
use serde_json::json;

use super::forms::{Form, FormErrors};
use super::{render, Layout, Section};
use crate::auth::secrets::{hash_password, random_token, token_hash, verify_password};
use crate::auth::{clear_session_cookie, Auth};
use crate::error::{AppError, PageResult};
use crate::routes::{Access, Routes};
use crate::AppState;

/// The longest an API token may live.
pub const MAX_TOKEN_DAYS: i64 = 365;

pub fn routes() -> Routes {
    use Access::Can;
    let account = Can(Action::UseAccount);
    // Credentials and personal data: a session has this action, a token only if made with it.
    let manage = Can(Action::ManageAccount);
    Routes::new()
        .get("/account", account, account_page)
        .post("/account/profile", account, update_profile)
        .post("/account/password", manage, change_password)
        .post("/account/tokens", manage, create_token)
        .post("/account/tokens/{id}/revoke", account, revoke_token)
        .get("/account/data", manage, download_data)
        .post("/account/delete", manage, delete_account)
}

/// An action a token may be scoped to, offered when the user's roles allow it.
pub struct ActionChoice {
    pub value: &'static str,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    user: User,
    sessions: Vec<marrakech_store::SessionRecord>,
    tokens: Vec<ApiTokenRecord>,
    /// The names of the tokens still working, which signing out everywhere revokes.
    active_tokens: Vec<String>,
    actions: Vec<ActionChoice>,
    errors: FormErrors,
    notice: Option<String>,
    /// A token just created, shown this once.
    new_token: Option<String>,
    now: String,
}

/// The actions a user's roles may take, which a token can be scoped to.
fn token_actions(user: &User) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|a| *a != Action::ReadPublic && user.roles.iter().any(|g| role_may(&g.role, *a)))
        .collect()
}

async fn page(
    auth: &Auth,
    state: &AppState,
    errors: FormErrors,
    notice: Option<String>,
    new_token: Option<String>,
) -> PageResult<Html<String>> {
    let user = auth.user()?.clone();
    let sessions = state.store.sessions(&user.id).await?;
    let tokens = state.store.api_tokens(&user.id).await?;
    let now = marrakech_store::now_text();
    let actions = token_actions(&user)
        .into_iter()
        .map(|a| ActionChoice {
            value: a.as_str(),
            checked: false,
        })
        .collect();
    render(&AccountPage {
        layout: Layout::new("Your account", Some(Section::Account), auth),
        user,
        sessions,
        active_tokens: tokens
            .iter()
            .filter(|t| t.revoked_at.is_none() && t.expires_at > now)
            .map(|t| t.name.clone())
            .collect(),
        tokens,
        actions,
        errors,
        notice,
        new_token,
        now,
    })
}

fn with_status(status: StatusCode, html: Html<String>) -> Response {
    (status, html).into_response()
}

pub async fn account_page(auth: Auth, State(state): State<AppState>) -> PageResult<Html<String>> {
    page(&auth, &state, FormErrors::new(), None, None).await
}

pub async fn update_profile(
    auth: Auth,
    State(state): State<AppState>,
    body: Bytes,
) -> PageResult<Response> {
    let form = Form::parse(&body);
    let mut errors = FormErrors::new();
    let Some(name) = errors.check(
        "display_name",
        DisplayName::parse(&form.get("display_name")),
    ) else {
        return Ok(with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            page(&auth, &state, errors, None, None).await?,
        ));
    };
    let user = auth.user()?;
    state
        .store
        .update_display_name(&auth.audit(Action::UseAccount), &user.id, name.as_str())
        .await?;
    let mut auth = auth.clone();
    if let Some(u) = auth.user.as_mut() {
        u.display_name = name.as_str().to_owned();
    }
    Ok(page(
        &auth,
        &state,
        FormErrors::new(),
        Some("Your name is saved.".into()),
        None,
    )
    .await?
    .into_response())
}

pub async fn change_password(
    auth: Auth,
    State(state): State<AppState>,
    body: Bytes,
) -> PageResult<Response> {
    let form = Form::parse(&body);
    let user = auth.user()?;
    let mut errors = FormErrors::new();
    let current = state
        .store
        .password_hash(&user.id)
        .await?
        .unwrap_or_default();
    if !verify_password(&form.raw("current_password"), &current).await {
        errors.add("current_password", "this is not your current password");
    }
    let new = form.raw("new_password");
    errors.check(
        "new_password",
        check_password(&new, &[&user.email, &user.display_name]),
    );
    if new != form.raw("new_password_confirmation") {
        errors.add("new_password_confirmation", "the two passwords differ");
    }
    if !errors.is_empty() {
        return Ok(with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            page(&auth, &state, errors, None, None).await?,
        ));
    }
    let hash = hash_password(&new).await?;
    state
        .store
        .change_password(
            &auth.audit(Action::UseAccount),
            &user.id,
            &hash,
            auth.session_hash.as_deref(),
        )
        .await?;
    Ok(page(
        &auth,
        &state,
        FormErrors::new(),
        Some("Your password is changed; your other sessions were signed out.".into()),
        None,
    )
    .await?
    .into_response())
}

pub async fn create_token(
    auth: Auth,
    State(state): State<AppState>,
    body: Bytes,
) -> PageResult<Response> {
    let form = Form::parse(&body);
    let user = auth.user()?.clone();
    let mut errors = FormErrors::new();
    let name = form.get("token_name");
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        errors.add(
            "token_name",
            "name the token (up to 100 characters), e.g. the script that uses it",
        );
    }
    let allowed = token_actions(&user);
    // A token used to make a token passes on at most what it may do itself.
    let acting_through = auth.actor.token_actions.as_ref();
    let mut actions = Vec::new();
    for value in form.all("actions") {
        match Action::parse(&value).filter(|a| allowed.contains(a)) {
            Some(a) if acting_through.is_some_and(|own| !own.contains(&a)) => errors.add(
                "actions",
                format!("`{value}` is beyond what the API token you are using may do"),
            ),
            Some(a) => actions.push(a),
            None => errors.add(
                "actions",
                format!("`{value}` is not an action your roles allow"),
            ),
        }
    }
    if actions.is_empty() {
        errors.add("actions", "choose at least one action the token may take");
    }
    let days = form
        .get("days")
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=MAX_TOKEN_DAYS).contains(d));
    if days.is_none() {
        errors.add(
            "days",
            format!("a token lives from 1 to {MAX_TOKEN_DAYS} days"),
        );
    }
    let (Some(days), true) = (days, errors.is_empty()) else {
        return Ok(with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            page(&auth, &state, errors, None, None).await?,
        ));
    };
    let (id, secret) = (new_id(), random_token());
    // A token acts with its user's roles at most; the actions narrow it further.
    let roles: Vec<Role> = user.role_list();
    state
        .store
        .create_api_token(
            &auth.audit(Action::UseAccount),
            &NewApiToken {
                id: id.clone(),
                secret_hash: token_hash(&secret),
                user_id: user.id.clone(),
                name,
                roles,
                actions,
                expires_at: from_now(time::Duration::days(days)),
            },
        )
        .await?;
    let token = format!("mk_{id}_{secret}");
    Ok(page(
        &auth,
        &state,
        FormErrors::new(),
        Some("The token is created. Copy it now: it is shown this once.".into()),
        Some(token),
    )
    .await?
    .into_response())
}

pub async fn revoke_token(
    auth: Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> PageResult<Response> {
    let user = auth.user()?;
    state
        .store
        .revoke_api_token(&auth.audit(Action::UseAccount), &user.id, &id)
        .await?;
    Ok(page(
        &auth,
        &state,
        FormErrors::new(),
        Some("The token is revoked.".into()),
        None,
    )
    .await?
    .into_response())
}

/// Everything the platform holds about the user, as JSON.
pub async fn user_data(state: &AppState, user: &User) -> Result<serde_json::Value, AppError> {
    let sessions = state.store.sessions(&user.id).await?;
    let tokens = state.store.api_tokens(&user.id).await?;
    let mut actions = Vec::new();
    let mut offset = 0;
    loop {
        let (page, total) = state
            .store
            .audit_entries(
                &AuditFilter {
                    actor_id: Some(user.id.clone()),
                    ..Default::default()
                },
                500,
                offset,
            )
            .await?;
        offset += page.len();
        actions.extend(page);
        if offset >= total || offset == 0 {
            break;
        }
    }
    Ok(json!({
        "exported_at": marrakech_store::now_text(),
        "account": {
            "id": user.id,
            "email": user.email,
            "display_name": user.display_name,
            "status": user.status,
            "created_at": user.created_at,
            "updated_at": user.updated_at,
        },
        "roles": user.roles,
        "sessions": sessions,
        "api_tokens": tokens,
        "actions_recorded": actions,
    }))
}

pub async fn download_data(auth: Auth, State(state): State<AppState>) -> PageResult<Response> {
    let user = auth.user()?;
    let data = user_data(&state, user).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"marrakech-my-data.json\"".to_owned(),
            ),
        ],
        serde_json::to_string_pretty(&data).map_err(|e| AppError::Internal(e.to_string()))?,
    )
        .into_response())
}

/// Refuses to remove the last active administrator, who alone could invite another.
pub async fn ensure_not_last_administrator(state: &AppState, user: &User) -> Result<(), AppError> {
    if !user
        .roles
        .iter()
        .any(|g| g.role.name() == RoleName::Administrator)
    {
        return Ok(());
    }
    let (_, admins) = state
        .store
        .users(
            &UserFilter {
                role: Some(RoleName::Administrator),
                status: Some(UserStatus::Active),
                query: None,
            },
            1,
            0,
        )
        .await?;
    if admins <= 1 {
        return Err(AppError::invalid(
            "account",
            "this is the last active administrator: invite another administrator first",
        ));
    }
    Ok(())
}

pub async fn delete_account(
    auth: Auth,
    State(state): State<AppState>,
    body: Bytes,
) -> PageResult<Response> {
    let form = Form::parse(&body);
    let user = auth.user()?.clone();
    let mut errors = FormErrors::new();
    let current = state
        .store
        .password_hash(&user.id)
        .await?
        .unwrap_or_default();
    if !verify_password(&form.raw("confirm_password"), &current).await {
        errors.add("confirm_password", "confirm with your current password");
    }
    if errors.is_empty() {
        if let Err(e) = ensure_not_last_administrator(&state, &user).await {
            errors.from_app_error(e)?;
        }
    }
    if !errors.is_empty() {
        return Ok(with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            page(&auth, &state, errors, None, None).await?,
        ));
    }
    state
        .store
        .delete_user(&auth.audit(Action::UseAccount), &user.id)
        .await?;
    tracing::info!(user = %user.id, "account deleted and pseudonymized");
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, clear_session_cookie(state.config.https));
    Ok(response)
}
