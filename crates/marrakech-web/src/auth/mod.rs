//! Who is asking, and whether they may: sessions (a cookie), API tokens (a bearer header),
//! anti-forgery tokens, and the gate every route passes through.
//!
//! The gate runs before any handler: it identifies the actor, refuses a state change that
//! lacks its anti-forgery token, and refuses what the route's [`Access`] needs and the policy
//! does not give. Handlers then ask the policy about the particular resource
//! ([`Auth::require`]).

/// Secrets live in the application layer; pages and tests reach them here too.
pub use marrakech_app::secrets;

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use cookie::{Cookie, SameSite};
use marrakech_core::knowledge::MAX_ATTACHMENT_BYTES;
use marrakech_core::policy::{self, Action, Actor, Decision, Resource};
use marrakech_store::{AuditContext, User};

use crate::error::{ApiError, AppError, PageError};
use crate::routes::{Access, RouteRule, UPLOAD_BODY_BYTES};
use crate::AppState;
use secrets::{random_token, same_secret, token_hash};

pub const SESSION_COOKIE: &str = "marrakech_session";
pub const CSRF_COOKIE: &str = "marrakech_csrf";
pub const CSRF_FIELD: &str = "csrf_token";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// How long a sign-in lasts.
pub const SESSION_DAYS: i64 = 14;

/// How the actor proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Anonymous,
    Session,
    Token,
}

/// The actor of a request, as the gate established it.
#[derive(Debug, Clone)]
pub struct Auth {
    pub actor: Actor,
    pub user: Option<User>,
    pub via: Via,
    /// The anti-forgery token forms must carry.
    pub csrf: String,
    /// The hash of the session cookie, to end this session.
    pub session_hash: Option<String>,
    /// A network-level key for throttling: the client's network, hashed.
    pub client_key: String,
}

impl Auth {
    pub fn anonymous() -> Auth {
        Auth {
            actor: Actor::anonymous(),
            user: None,
            via: Via::Anonymous,
            csrf: String::new(),
            session_hash: None,
            client_key: String::new(),
        }
    }

    /// The policy's answer on this resource, as an error when it is no.
    pub fn require(&self, action: Action, resource: Resource<'_>) -> Result<(), AppError> {
        match policy::decide(&self.actor, action, resource) {
            Decision::Allow => Ok(()),
            Decision::SignInRequired => Err(AppError::SignInRequired),
            Decision::Forbidden(reason) => Err(AppError::Forbidden(reason.to_owned())),
        }
    }

    /// The signed-in user, or a 401.
    pub fn user(&self) -> Result<&User, AppError> {
        self.user.as_ref().ok_or(AppError::SignInRequired)
    }

    /// Who the audit trail records for `action`: the user and the role that allows it.
    pub fn audit(&self, action: Action) -> AuditContext {
        AuditContext {
            actor_id: self.actor.user_id.clone(),
            actor_role: self
                .actor
                .acting_role(action)
                .map(|r| r.name().as_str().to_owned()),
        }
    }

    pub fn is_signed_in(&self) -> bool {
        self.user.is_some()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Auth>()
            .cloned()
            .unwrap_or_else(Auth::anonymous))
    }
}

fn cookies(headers: &HeaderMap) -> impl Iterator<Item = Cookie<'static>> + '_ {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| Cookie::split_parse(v.to_owned()).filter_map(Result::ok))
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    cookies(headers)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// A `Set-Cookie` value: HttpOnly, SameSite as given, Secure over HTTPS.
pub fn set_cookie(
    name: &str,
    value: &str,
    max_age_days: Option<i64>,
    same_site: SameSite,
    https: bool,
) -> HeaderValue {
    let mut cookie = Cookie::build((name.to_owned(), value.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(same_site)
        .secure(https);
    if let Some(days) = max_age_days {
        cookie = cookie.max_age(cookie::time::Duration::days(days));
    }
    HeaderValue::from_str(&cookie.build().to_string()).expect("cookie values are ASCII")
}

/// The session cookie for a new sign-in.
pub fn session_cookie(token: &str, https: bool) -> HeaderValue {
    set_cookie(
        SESSION_COOKIE,
        token,
        Some(SESSION_DAYS),
        SameSite::Lax,
        https,
    )
}

/// A cookie that removes the session cookie.
pub fn clear_session_cookie(https: bool) -> HeaderValue {
    set_cookie(SESSION_COOKIE, "", Some(0), SameSite::Lax, https)
}

/// The client's network, truncated (IPv4 /24, IPv6 /48) and hashed: enough to throttle a
/// source of sign-in attempts, not enough to name a person.
fn client_key(request: &Request, trust_forwarded: bool) -> String {
    let forwarded = trust_forwarded
        .then(|| {
            request
                .headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .and_then(|v| v.trim().parse::<IpAddr>().ok())
        })
        .flatten();
    let address = forwarded.or_else(|| {
        request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
    });
    let network = match address {
        Some(IpAddr::V4(v4)) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2])
        }
        None => "unknown".to_owned(),
    };
    token_hash(&format!("client:{network}"))
}

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

fn refuse(path: &str, method: &Method, error: AppError) -> Response {
    if is_api(path) {
        return ApiError(error).into_response();
    }
    // A person asking for a page they must sign in for is sent to sign in, and back.
    if matches!(error, AppError::SignInRequired) && *method == Method::GET {
        let next: String = form_urlencoded::byte_serialize(path.as_bytes()).collect();
        return Redirect::to(&format!("/login?next={next}")).into_response();
    }
    PageError(error).into_response()
}

/// Identifies the actor from an API token (`Authorization: Bearer mk_<id>_<secret>`).
async fn token_actor(state: &AppState, value: &str) -> Result<(Actor, User), AppError> {
    let bad = || {
        AppError::BadCredentials("this API token is not valid, has expired or was revoked".into())
    };
    let token = value.strip_prefix("mk_").ok_or_else(bad)?;
    let (id, secret) = token.split_once('_').ok_or_else(bad)?;
    let record = state.store.api_token(id).await?.ok_or_else(bad)?;
    if record.revoked_at.is_some()
        || record.expires_at <= marrakech_store::now_text()
        || !same_secret(&record.secret_hash, &token_hash(secret))
    {
        return Err(bad());
    }
    let user = state.store.user(&record.user_id).await?.ok_or_else(bad)?;
    if user.status != marrakech_store::UserStatus::Active {
        return Err(bad());
    }
    // A token acts with the roles it was given that its user still holds.
    let held = user.role_list();
    let roles = record
        .roles
        .iter()
        .filter(|r| held.contains(r))
        .cloned()
        .collect();
    state.store.touch_api_token(id).await?;
    Ok((
        Actor {
            user_id: Some(user.id.clone()),
            roles,
            token_actions: Some(record.actions.clone()),
        },
        user,
    ))
}

/// The text of one field of a multipart body, if the body has it.
async fn multipart_field(
    content_type: &str,
    body: axum::body::Bytes,
    name: &str,
) -> Option<String> {
    let boundary = multer::parse_boundary(content_type).ok()?;
    let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut form = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

/// The gate: identifies the actor, checks the anti-forgery token on state changes made with
/// a cookie, and checks the route's access against the policy.
pub async fn gate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let template = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    let lookup_method = if method == Method::HEAD {
        Method::GET
    } else {
        method.clone()
    };
    let rule = template
        .as_ref()
        .and_then(|t| state.access.get(&(lookup_method, t.clone())).copied());
    let Some(RouteRule { access, body_limit }) = rule else {
        // Every route is registered with its access; one that is not is refused, not opened.
        tracing::error!(%method, route = ?template, "route without a registered access");
        return refuse(
            &path,
            &method,
            AppError::Forbidden("this route has no access rule".into()),
        );
    };

    let headers = request.headers().clone();
    // Each route's own body limit, checked here so that a body too large is answered like
    // any other refusal: a page or JSON, with every security header.
    let body_limit = body_limit.unwrap_or(state.config.max_body_bytes);
    let too_large = || {
        let message = if body_limit >= UPLOAD_BODY_BYTES {
            format!(
                "the file is too large: a file is at most {} MB",
                MAX_ATTACHMENT_BYTES / 1_000_000
            )
        } else {
            format!(
                "the request body is too large: this address takes at most {} KB",
                body_limit / 1_000
            )
        };
        AppError::TooLarge(message)
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > body_limit as u64) {
        return refuse(&path, &method, too_large());
    }
    let mut auth = Auth::anonymous();
    auth.client_key = client_key(&request, state.config.trust_forwarded);
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if let Some(token) = bearer {
        match token_actor(&state, token.trim()).await {
            Ok((actor, user)) => {
                auth.actor = actor;
                auth.user = Some(user);
                auth.via = Via::Token;
            }
            Err(e) => return refuse(&path, &method, e),
        }
    } else if let Some(session) = cookie_value(&headers, SESSION_COOKIE).filter(|s| !s.is_empty()) {
        let hash = token_hash(&session);
        match state.store.session_user(&hash).await {
            Ok(Some(user)) => {
                auth.actor = Actor {
                    user_id: Some(user.id.clone()),
                    roles: user.role_list(),
                    token_actions: None,
                };
                auth.user = Some(user);
                auth.via = Via::Session;
                auth.session_hash = Some(hash);
            }
            Ok(None) => {}
            Err(e) => return refuse(&path, &method, e.into()),
        }
    }

    // Anti-forgery: a double-submit token, kept in its own cookie and echoed by every form
    // (or the X-CSRF-Token header). Requests authenticated by a bearer token carry no
    // cookie an attacker could ride on, and are exempt.
    let cookie_csrf = cookie_value(&headers, CSRF_COOKIE).filter(|t| t.len() >= 32);
    let new_csrf = cookie_csrf.is_none().then(random_token);
    auth.csrf = cookie_csrf.clone().or(new_csrf.clone()).unwrap_or_default();
    let reads_only = matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
    let safe = reads_only || access == Access::PublicQuery;
    // Every body is read here, within the route's limit (one sent without a length too).
    let bytes = if reads_only {
        None
    } else {
        let (parts, body) = request.into_parts();
        match axum::body::to_bytes(body, body_limit).await {
            Ok(bytes) => {
                request = Request::from_parts(parts, axum::body::Body::from(bytes.clone()));
                Some(bytes)
            }
            Err(_) => return refuse(&path, &method, too_large()),
        }
    };
    if let (false, false, Some(bytes)) = (safe, auth.via == Via::Token, bytes) {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        // The header (scripts), or the form's own field: urlencoded forms, and multipart
        // ones (file uploads), which browsers send without any script.
        let sent = match headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
            Some(header) => Some(header.to_owned()),
            None if content_type.starts_with("application/x-www-form-urlencoded") => {
                form_urlencoded::parse(&bytes)
                    .find(|(k, _)| k == CSRF_FIELD)
                    .map(|(_, v)| v.into_owned())
            }
            None if content_type.starts_with("multipart/form-data") => {
                multipart_field(content_type, bytes.clone(), CSRF_FIELD).await
            }
            None => None,
        };
        let valid = match (&cookie_csrf, &sent) {
            (Some(expected), Some(sent)) => same_secret(expected, sent),
            _ => false,
        };
        // A browser says where a request comes from; one from another site is refused too.
        let foreign = headers
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .zip(headers.get(header::HOST).and_then(|v| v.to_str().ok()))
            .is_some_and(|(origin, host)| origin.split("://").nth(1) != Some(host));
        if !valid || foreign {
            tracing::warn!(%method, route = ?template, "refused a state change without a valid anti-forgery token");
            return refuse(&path, &method, AppError::Csrf);
        }
    }

    if let Access::Can(action) = access {
        match policy::may_ever(&auth.actor, action) {
            Decision::Allow => {}
            Decision::SignInRequired => return refuse(&path, &method, AppError::SignInRequired),
            Decision::Forbidden(reason) => {
                return refuse(&path, &method, AppError::Forbidden(reason.to_owned()))
            }
        }
    }

    let https = state.config.https;
    request.extensions_mut().insert(auth);
    let mut response = next.run(request).await;
    if let Some(token) = new_csrf {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(CSRF_COOKIE, &token, None, SameSite::Strict, https),
        );
    }
    response
}
