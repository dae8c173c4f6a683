//! Signing in and out, registering, confirming an email, resetting a password, accepting an
//! invitation.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use marrakech_core::accounts::sign_in_throttle as throttle;
use marrakech_core::accounts::{check_password, DisplayName, Email, OrganizationName};
use marrakech_core::countries::M49;
use marrakech_core::policy::{Action, OrganizationKind};
use marrakech_store::{
    from_now, LoginFailures, NewOrganization, Organization, OrganizationFilter, TokenPurpose,
    UserStatus,
};
use time::format_description::well_known::Rfc3339;

use super::forms::{Form, FormErrors};
use super::{render, Layout};
use crate::auth::secrets::{burn_time, hash_password, random_token, token_hash, verify_password};
use crate::auth::{clear_session_cookie, session_cookie, Auth, SESSION_DAYS};
use crate::error::{AppError, PageResult};
use crate::mail;
use crate::params::Params;
use crate::routes::{Access, Routes};
use crate::AppState;

/// Failed sign-ins tolerated in the window, per account and per client network.
const CONFIRM_DAYS: i64 = 3;

pub fn routes() -> Routes {
    use Access::{Can, Public};
    Routes::new()
        .get("/login", Public, login_form)
        .post("/login", Public, login)
        .post("/logout", Public, logout)
        .post(
            "/logout/everywhere",
            Can(Action::UseAccount),
            logout_everywhere,
        )
        .get("/register", Public, register_form)
        .post("/register", Public, register)
        .get("/confirm-email/{token}", Public, confirm_form)
        .post("/confirm-email/{token}", Public, confirm)
        .get("/password/forgot", Public, forgot_form)
        .post("/password/forgot", Public, forgot)
        .get("/password/reset/{token}", Public, reset_form)
        .post("/password/reset/{token}", Public, reset)
        .get("/invitations/{token}", Public, invitation_form)
        .post("/invitations/{token}", Public, accept_invitation)
}

/// Where to go after signing in: a path on this site, never elsewhere.
fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains(['\\', '\r', '\n']) {
        next.to_owned()
    } else {
        "/account".to_owned()
    }
}

fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_owned())],
    )
        .into_response()
}

/// A page that says one thing and offers a next step.
#[derive(Template)]
#[template(path = "notice.html")]
struct Notice {
    layout: Layout,
    heading: String,
    message: String,
    link: Option<(String, String)>,
}

fn notice(
    auth: &Auth,
    heading: &str,
    message: &str,
    link: Option<(&str, &str)>,
) -> PageResult<Html<String>> {
    render(&Notice {
        layout: Layout::new(heading, None, auth),
        heading: heading.to_owned(),
        message: message.to_owned(),
        link: link.map(|(h, l)| (h.to_owned(), l.to_owned())),
    })
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    email: String,
    next: String,
    errors: FormErrors,
}

pub async fn login_form(auth: Auth, mut params: Params) -> PageResult<Response> {
    let next = safe_next(&params.take("next").unwrap_or_default());
    if auth.is_signed_in() {
        return Ok(see_other(&next));
    }
    Ok(render(&LoginPage {
        layout: Layout::new("Sign in", None, &auth),
        email: String::new(),
        next,
        errors: FormErrors::new(),
    })?
    .into_response())
}

pub async fn login(auth: Auth, State(state): State<AppState>, body: Bytes) -> PageResult<Response> {
    let form = Form::parse(&body);
    let (email, password, next) = (
        form.get("email"),
        form.raw("password"),
        safe_next(&form.get("next")),
    );
    let page = |status: StatusCode, field: &str, message: String| -> PageResult<Response> {
        let mut errors = FormErrors::new();
        errors.add(field, message);
        Ok((
            status,
            render(&LoginPage {
                layout: Layout::new("Sign in", None, &auth),
                email: email.clone(),
                next: next.clone(),
                errors,
            })?,
        )
            .into_response())
    };
    if email.is_empty() || password.is_empty() {
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "email",
            "enter your email address and password".into(),
        );
    }
    let since = from_now(time::Duration::minutes(-throttle::WINDOW_MINUTES));
    let failures = state
        .store
        .login_failures_since(&email, &auth.client_key, &since)
        .await?;
    let wait = throttle_wait(&failures);
    if wait > 0 {
        tracing::warn!(
            pair = failures.pair,
            network = failures.network,
            wait,
            "sign-in throttled"
        );
        return page(
            StatusCode::TOO_MANY_REQUESTS,
            "email",
            AppError::TooManyAttempts { seconds: wait }.to_string(),
        );
    }
    let found = state.store.user_by_email(&email).await?;
    let verified = match &found {
        Some((_, Some(hash))) => verify_password(&password, hash).await,
        _ => {
            burn_time(&password).await;
            false
        }
    };
    let user = match (found, verified) {
        (Some((user, _)), true) => user,
        _ => {
            state
                .store
                .record_login_failure(&email, &auth.client_key)
                .await?;
            alert_on_threshold(&state, &email, &auth.client_key, &failures).await?;
            tracing::info!("sign-in refused: wrong email or password");
            return page(
                StatusCode::UNAUTHORIZED,
                "email",
                "the email address or the password is wrong".into(),
            );
        }
    };
    let refusal = match user.status {
        UserStatus::Active => None,
        UserStatus::Pending => {
            Some("confirm your email address first: we sent you a link when you registered")
        }
        UserStatus::Invited => {
            Some("accept your invitation first: follow the link in the invitation email")
        }
        UserStatus::Disabled | UserStatus::Deleted => Some("this account is disabled"),
    };
    if let Some(message) = refusal {
        return page(StatusCode::FORBIDDEN, "email", message.into());
    }
    let token = random_token();
    state
        .store
        .create_session(
            &user.id,
            &token_hash(&token),
            &from_now(time::Duration::days(SESSION_DAYS)),
        )
        .await?;
    state
        .store
        .clear_login_failures(&email, &auth.client_key, &since)
        .await?;
    tracing::info!(user = %user.id, "signed in");
    let mut response = see_other(&next);
    response.headers_mut().append(
        header::SET_COOKIE,
        session_cookie(&token, state.config.https),
    );
    Ok(response)
}

/// Seconds this (account, network) pair must still wait before another attempt.
fn throttle_wait(failures: &LoginFailures) -> i64 {
    let now = time::OffsetDateTime::now_utc();
    let left = |last: &Option<String>, delay: i64| {
        if delay == 0 {
            return 0;
        }
        last.as_deref()
            .and_then(|t| time::OffsetDateTime::parse(t, &Rfc3339).ok())
            .map(|t| (t + time::Duration::seconds(delay) - now).whole_seconds() + 1)
            .unwrap_or(0)
            .max(0)
    };
    let pair = throttle::delay_seconds(failures.pair, throttle::PAIR_FREE_FAILURES);
    let network = throttle::delay_seconds(failures.network, throttle::NETWORK_FREE_FAILURES);
    left(&failures.pair_last, pair).max(left(&failures.network_last, network))
}

/// Tells the administrators, once per window, when a failure just crossed a threshold:
/// `failures` are the counts before it.
async fn alert_on_threshold(
    state: &AppState,
    email: &str,
    client_key: &str,
    failures: &LoginFailures,
) -> Result<(), AppError> {
    let subject = if failures.pair + 1 == throttle::PAIR_FREE_FAILURES {
        format!("Repeated failed sign-ins for {email}")
    } else if failures.network + 1 == throttle::NETWORK_FREE_FAILURES {
        "Repeated failed sign-ins from one network".to_owned()
    } else {
        return Ok(());
    };
    let body = format!(
        "{subject}: {pair} for this account from one client network, {network} from that \
         network for any account, in the last {window} minutes. Further attempts from that \
         network now wait, longer after each failure; the account still signs in from \
         elsewhere. Network fingerprint: {key}.\n",
        pair = failures.pair + 1,
        network = failures.network + 1,
        window = throttle::WINDOW_MINUTES,
        key = client_key.get(..12).unwrap_or(client_key),
    );
    let told = state.store.alert_administrators(&subject, &body).await?;
    tracing::warn!(
        administrators = told,
        "sign-in failures crossed a threshold"
    );
    Ok(())
}

pub async fn logout(auth: Auth, State(state): State<AppState>) -> PageResult<Response> {
    if let (Some(user), Some(hash)) = (&auth.user, &auth.session_hash) {
        state.store.end_session(&user.id, hash).await?;
    }
    let mut response = see_other("/");
    response
        .headers_mut()
        .append(header::SET_COOKIE, clear_session_cookie(state.config.https));
    Ok(response)
}

/// Ends every session and, unless the person chose to keep them (`tokens=keep`), revokes
/// every API token too; the page says what was ended and names the tokens revoked.
pub async fn logout_everywhere(
    auth: Auth,
    State(state): State<AppState>,
    body: Bytes,
) -> PageResult<Response> {
    let user = auth.user()?;
    let revoke_tokens = Form::parse(&body).get("tokens") != "keep";
    let (ended, revoked) = state
        .store
        .sign_out_everywhere(&user.id, revoke_tokens)
        .await?;
    tracing::info!(user = %user.id, ended, tokens_revoked = revoked.len(), "signed out everywhere");
    let sessions = match ended {
        1 => "1 session ended".to_owned(),
        n => format!("{n} sessions ended"),
    };
    let tokens = match (revoke_tokens, revoked.as_slice()) {
        (false, _) => "Your API tokens were kept.".to_owned(),
        (true, []) => "You had no active API token.".to_owned(),
        (true, names) => format!(
            "API tokens revoked ({}): {}.",
            names.len(),
            names
                .iter()
                .map(|n| format!("\u{201c}{n}\u{201d}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let signed_out = Auth {
        csrf: auth.csrf.clone(),
        ..Auth::anonymous()
    };
    let mut response = notice(
        &signed_out,
        "Signed out everywhere",
        &format!("{sessions}. {tokens}"),
        Some(("/login", "Sign in again")),
    )?
    .into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, clear_session_cookie(state.config.https));
    Ok(response)
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    layout: Layout,
    form: Form,
    errors: FormErrors,
    organizations: Vec<Organization>,
    kinds: Vec<(&'static str, &'static str)>,
    countries: Vec<(String, String)>,
}

async fn register_page(
    auth: &Auth,
    state: &AppState,
    form: Form,
    errors: FormErrors,
) -> PageResult<Html<String>> {
    let (organizations, _) = state
        .store
        .organizations(&OrganizationFilter::default(), 10_000, 0)
        .await?;
    render(&RegisterPage {
        layout: Layout::new("Register as a contributor", None, auth),
        form,
        errors,
        organizations,
        kinds: OrganizationKind::ALL
            .iter()
            .filter(|k| {
                **k != OrganizationKind::MemberStateGovernment && **k != OrganizationKind::UnEntity
            })
            .map(|k| (k.slug(), k.label()))
            .collect(),
        countries: country_choices(state).await?,
    })
}

pub async fn country_choices(state: &AppState) -> Result<Vec<(String, String)>, AppError> {
    let page = state
        .store
        .countries(
            &Default::default(),
            Default::default(),
            Default::default(),
            1_000,
            0,
        )
        .await?;
    Ok(page
        .countries
        .into_iter()
        .map(|c| (c.m49.to_string(), c.name))
        .collect())
}

pub async fn register_form(auth: Auth, State(state): State<AppState>) -> PageResult<Html<String>> {
    register_page(&auth, &state, Form::default(), FormErrors::new()).await
}

/// Reads the organization part of a form: an existing one chosen, or a new one described.
pub fn organization_choice(
    form: &Form,
    errors: &mut FormErrors,
) -> Option<Result<String, NewOrganization>> {
    let new_name = form.get("new_organization_name");
    if new_name.is_empty() {
        let existing = form.get("organization");
        if existing.is_empty() {
            errors.add(
                "organization",
                "choose your organization, or name a new one below",
            );
            return None;
        }
        return Some(Ok(existing));
    }
    let name = errors.check("new_organization_name", OrganizationName::parse(&new_name));
    let kind = OrganizationKind::parse(&form.get("new_organization_kind"));
    if kind.is_none() {
        errors.add("new_organization_kind", "choose the kind of organization");
    }
    let country_text = form.get("new_organization_country");
    let country = if country_text.is_empty() {
        None
    } else {
        match country_text.parse::<M49>() {
            Ok(c) => Some(c),
            Err(_) => {
                errors.add("new_organization_country", "choose a country from the list");
                None
            }
        }
    };
    Some(Err(NewOrganization {
        name: name?.as_str().to_owned(),
        kind: kind?,
        country,
        website: None,
        description: String::new(),
    }))
}

pub async fn register(
    auth: Auth,
    State(state): State<AppState>,
    body: Bytes,
) -> PageResult<Response> {
    let form = Form::parse(&body);
    let mut errors = FormErrors::new();
    let name = errors.check(
        "display_name",
        DisplayName::parse(&form.get("display_name")),
    );
    let email = errors.check("email", Email::parse(&form.get("email")));
    let password = form.raw("password");
    errors.check(
        "password",
        check_password(&password, &[&form.get("email"), &form.get("display_name")]),
    );
    if password != form.raw("password_confirmation") {
        errors.add("password_confirmation", "the two passwords differ");
    }
    let organization = organization_choice(&form, &mut errors);
    if !form.checked("accept_terms") {
        errors.add("accept_terms", "confirm that you act for this organization");
    }
    let (Some(name), Some(email), Some(organization), true) =
        (name, email, organization, errors.is_empty())
    else {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            register_page(&auth, &state, form, errors).await?,
        )
            .into_response());
    };
    let base = &state.config.public_url;
    let done = || {
        notice(
            &auth,
            "Check your inbox",
            &format!(
                "We have sent a link to {} to confirm the address. Follow it within {CONFIRM_DAYS} days to activate your account.",
                email.as_str()
            ),
            None,
        )
    };
    // An address that has an account already gets a message saying so; the page reads the
    // same, so that registration does not reveal who has an account.
    if state.store.user_by_email(email.as_str()).await?.is_some() {
        let (subject, text) = mail::already_registered(base);
        state
            .store
            .queue_email(email.as_str(), &subject, &text)
            .await?;
        return Ok(done()?.into_response());
    }
    let token = random_token();
    let (subject, text) = mail::confirm_email(base, &token, CONFIRM_DAYS);
    let hash = hash_password(&password).await?;
    let result = state
        .store
        .register(
            email.as_str(),
            name.as_str(),
            &hash,
            organization,
            &token_hash(&token),
            &from_now(time::Duration::days(CONFIRM_DAYS)),
            (email.as_str().to_owned(), subject, text),
        )
        .await;
    match result {
        Ok(user) => {
            tracing::info!(user = %user.id, "registered a contributor");
            Ok(done()?.into_response())
        }
        Err(e) => {
            errors.from_app_error(e.into())?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                register_page(&auth, &state, form, errors).await?,
            )
                .into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "token_form.html")]
struct TokenForm {
    layout: Layout,
    heading: String,
    intro: String,
    action: String,
    button: &'static str,
    ask_name: bool,
    ask_password: bool,
    display_name: String,
    errors: FormErrors,
}

fn token_page(
    auth: &Auth,
    purpose: TokenPurpose,
    token: &str,
    name: String,
    errors: FormErrors,
) -> PageResult<Html<String>> {
    let (heading, intro, action, button, ask_name, ask_password) = match purpose {
        TokenPurpose::ConfirmEmail => (
            "Confirm your email address",
            "Confirm the address to activate your account.",
            format!("/confirm-email/{token}"),
            "Confirm",
            false,
            false,
        ),
        TokenPurpose::PasswordReset => (
            "Choose a new password",
            "At least 12 characters; a passphrase of several words is easy to remember and hard to guess. Every session of the account will be signed out.",
            format!("/password/reset/{token}"),
            "Set the new password",
            false,
            true,
        ),
        TokenPurpose::Invitation => (
            "Accept your invitation",
            "Give your name as colleagues know it, and choose a password of at least 12 characters.",
            format!("/invitations/{token}"),
            "Accept and set my password",
            true,
            true,
        ),
    };
    render(&TokenForm {
        layout: Layout::new(heading, None, auth),
        heading: heading.to_owned(),
        intro: intro.to_owned(),
        action,
        button,
        ask_name,
        ask_password,
        display_name: name,
        errors,
    })
}

async fn show_token_form(
    auth: &Auth,
    state: &AppState,
    purpose: TokenPurpose,
    token: &str,
) -> PageResult<Response> {
    match state.store.token_user(purpose, &token_hash(token)).await? {
        Some(user) => Ok(
            token_page(auth, purpose, token, user.display_name, FormErrors::new())?.into_response(),
        ),
        None => Ok((
            StatusCode::NOT_FOUND,
            notice(
                auth,
                "This link does not work",
                "It was used already, has expired, or was copied incompletely. Ask for a new one.",
                Some(("/password/forgot", "Ask for a new password link")),
            )?,
        )
            .into_response()),
    }
}

async fn redeem(
    auth: &Auth,
    state: &AppState,
    purpose: TokenPurpose,
    token: &str,
    form: Form,
) -> PageResult<Response> {
    let mut errors = FormErrors::new();
    let user = state.store.token_user(purpose, &token_hash(token)).await?;
    let Some(user) = user else {
        return show_token_form(auth, state, purpose, token).await;
    };
    let mut name = None;
    if purpose == TokenPurpose::Invitation {
        name = errors.check(
            "display_name",
            DisplayName::parse(&form.get("display_name")),
        );
    }
    let mut hash = None;
    if purpose != TokenPurpose::ConfirmEmail {
        let password = form.raw("password");
        let display = form.get("display_name");
        if errors
            .check(
                "password",
                check_password(&password, &[&user.email, &display, &user.display_name]),
            )
            .is_some()
        {
            if password != form.raw("password_confirmation") {
                errors.add("password_confirmation", "the two passwords differ");
            } else {
                hash = Some(hash_password(&password).await?);
            }
        }
    }
    if !errors.is_empty() {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            token_page(auth, purpose, token, form.get("display_name"), errors)?,
        )
            .into_response());
    }
    state
        .store
        .redeem_token(
            purpose,
            &token_hash(token),
            name.as_ref().map(|n| n.as_str()),
            hash.as_deref(),
        )
        .await?;
    let (heading, message) = match purpose {
        TokenPurpose::ConfirmEmail => (
            "Your address is confirmed",
            "Your account is active: sign in to use it.",
        ),
        TokenPurpose::PasswordReset => (
            "Your password is changed",
            "Every session of your account was signed out. Sign in with the new password.",
        ),
        TokenPurpose::Invitation => (
            "Welcome to Marrakech",
            "Your account is active: sign in with your new password.",
        ),
    };
    Ok(notice(auth, heading, message, Some(("/login", "Sign in")))?.into_response())
}

pub async fn confirm_form(
    auth: Auth,
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> PageResult<Response> {
    show_token_form(&auth, &state, TokenPurpose::ConfirmEmail, &token).await
}

pub async fn confirm(
    auth: Auth,
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> PageResult<Response> {
    redeem(
        &auth,
        &state,
        TokenPurpose::ConfirmEmail,
        &token,
        Form::parse(&body),
    )
    .await
}

pub async fn reset_form(
    auth: Auth,
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> PageResult<Response> {
    show_token_form(&auth, &state, TokenPurpose::PasswordReset, &token).await
}

pub async fn reset(
    auth: Auth,
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> PageResult<Response> {
    redeem(
        &auth,
        &state,
        TokenPurpose::PasswordReset,
        &token,
        Form::parse(&body),
    )
    .await
}

pub async fn invitation_form(
    auth: Auth,
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> PageResult<Response> {
    show_token_form(&auth, &state, TokenPurpose::Invitation, &token).await
}

pub async fn accept_invitation(
    auth: Auth,
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> PageResult<Response> {
    redeem(
        &auth,
        &state,
        TokenPurpose::Invitation,
        &token,
        Form::parse(&body),
    )
    .await
}

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    layout: Layout,
    errors: FormErrors,
    email: String,
}

pub async fn forgot_form(auth: Auth) -> PageResult<Html<String>> {
    render(&ForgotPage {
        layout: Layout::new("Forgot your password?", None, &auth),
        errors: FormErrors::new(),
        email: String::new(),
    })
}

pub async fn forgot(
    auth: Auth,
    State(state): State<AppState>,
    body: Bytes,
) -> PageResult<Response> {
    let form = Form::parse(&body);
    let mut errors = FormErrors::new();
    let Some(email) = errors.check("email", Email::parse(&form.get("email"))) else {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&ForgotPage {
                layout: Layout::new("Forgot your password?", None, &auth),
                errors,
                email: form.get("email"),
            })?,
        )
            .into_response());
    };
    let token = random_token();
    let (subject, text) = mail::password_reset(&state.config.public_url, &token);
    state
        .store
        .request_password_reset(
            email.as_str(),
            &token_hash(&token),
            &from_now(time::Duration::hours(1)),
            (email.as_str().to_owned(), subject, text),
        )
        .await?;
    Ok(notice(
        &auth,
        "Check your inbox",
        "If an account exists for this address, we have sent it a link to choose a new password. The link works once, for one hour.",
        None,
    )?
    .into_response())
}
