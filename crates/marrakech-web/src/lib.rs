//! Marrakech's web application: the pages people read, the JSON API machines read, and the
//! plumbing around them (request logging, security headers, body limits, errors).
//!
//! Everything here reads and writes through [`marrakech_store::Store`]; nothing here knows
//! which database is underneath.

pub mod api;
pub mod auth;
mod csv_out;
pub mod error;
pub mod evidence;
pub mod hub;
mod knowledge_input;
/// The words of the platform's emails: the application layer's.
pub use marrakech_app::mail;
mod markdown;
pub mod pages;
mod params;
mod queries;
pub mod routes;
pub mod search;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use marrakech_store::Store;
use serde_json::json;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::error::{ApiError, AppError, PageError};

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Served over TLS (directly or behind a proxy): adds Strict-Transport-Security.
    pub https: bool,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// How long a request may take before it is answered 408.
    pub request_timeout: Duration,
    /// The address people reach the site at, for links in emails.
    pub public_url: String,
    /// Behind a reverse proxy: take the client's address from X-Forwarded-For.
    pub trust_forwarded: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            https: false,
            max_body_bytes: 2 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            public_url: "http://127.0.0.1:8080".to_owned(),
            trust_forwarded: false,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    /// Each route's access, for the gate.
    pub access: routes::AccessTable,
    /// The knowledge search index.
    pub search: Arc<search::Search>,
    /// The evidence data sets and the figures computed from them.
    pub evidence: Arc<evidence::Evidence>,
    /// The connection hub's matcher.
    pub hub: Arc<hub::Hub>,
}

/// Content-Security-Policy: nothing inline, nothing from elsewhere, never framed.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; \
     base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Every route of the application with the access it needs.
pub fn route_specs() -> Vec<routes::RouteSpec> {
    all_routes().into_parts().1
}

fn all_routes() -> routes::Routes {
    pages::routes().merge(api::routes())
}

/// The whole application, with its search index in memory (built from the database on the
/// first search) and the hub's default matching configuration.
pub fn app(store: Store, config: WebConfig) -> Router {
    let search = Arc::new(search::Search::in_ram().expect("an index in memory opens"));
    let hub = hub::Hub::new(
        marrakech_hub::Weights::default(),
        hub::ItemText::default(),
        search.clone(),
    );
    app_with_search(
        store,
        config,
        search,
        Arc::new(evidence::Evidence::new()),
        Arc::new(hub),
    )
}

/// The whole application over a given search index (the server's, kept on disk), evidence
/// cache (which the server warms once the bundled data sets are in) and hub matcher (which
/// it warms at start).
pub fn app_with_search(
    store: Store,
    config: WebConfig,
    search: Arc<search::Search>,
    evidence: Arc<evidence::Evidence>,
    hub: Arc<hub::Hub>,
) -> Router {
    let (routed, specs) = all_routes().into_parts();
    let state = AppState {
        store,
        config: Arc::new(config.clone()),
        access: routes::access_table(&specs),
        search,
        evidence,
        hub,
    };
    let mut router = routed
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::gate,
        ))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/static/style.css", get(stylesheet))
        .route("/static/favicon.svg", get(favicon))
        .route("/favicon.ico", get(favicon))
        .fallback(no_route)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state);

    let security_headers = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), interest-cohort=()",
        ),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    for (name, value) in security_headers {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    if config.https {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ));
    }
    router
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("a handler panicked");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side.",
            )
                .into_response()
        }))
        .layer(PropagateRequestIdLayer::new(X_REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<Body>| {
                    let id = request
                        .headers()
                        .get(X_REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default();
                    let path = loggable_path(request.uri().path());
                    tracing::info_span!("request", method = %request.method(), path = %path, id)
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(X_REQUEST_ID, MakeRequestUuid))
}

/// The path as logged: the single-use tokens some paths carry are secrets, and stay out of
/// the logs.
pub fn loggable_path(path: &str) -> String {
    for prefix in ["/invitations/", "/password/reset/", "/confirm-email/"] {
        if let Some(rest) = path.strip_prefix(prefix) {
            if !rest.is_empty() {
                return format!("{prefix}[token]");
            }
        }
    }
    path.to_owned()
}

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

async fn no_route(method: Method, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let error = AppError::NoRoute {
        path: format!("{method} {path}"),
    };
    if is_api(&path) {
        ApiError(error).into_response()
    } else {
        PageError(error).into_response()
    }
}

async fn method_not_allowed(method: Method, request: Request) -> Response {
    let error = AppError::MethodNotAllowed {
        method: method.to_string(),
    };
    if is_api(request.uri().path()) {
        ApiError(error).into_response()
    } else {
        PageError(error).into_response()
    }
}

/// The process is up.
async fn healthz() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// The database answers and holds the reference data: ready for traffic.
async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.reference_loaded().await {
        Ok(true) => Json(json!({"status": "ready", "database": state.store.backend().name()}))
            .into_response(),
        Ok(false) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "loading", "reason": "reference data not loaded yet"})),
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable", "reason": "the database does not answer"})),
            )
                .into_response()
        }
    }
}

const STYLESHEET: &str = include_str!("../static/style.css");
const FAVICON: &str = include_str!("../static/favicon.svg");

async fn stylesheet() -> Response {
    static_asset("text/css; charset=utf-8", STYLESHEET)
}

async fn favicon() -> Response {
    static_asset("image/svg+xml", FAVICON)
}

fn static_asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}
