//! The JSON API under `/api/v1`, with CSV for every list and an OpenAPI document.
//!
//! Conventions: lists answer `{"items", "total", "limit", "next_cursor"}`; paginated lists take
//! `limit` (up to a documented maximum) and the opaque `cursor` from the previous page; CSV is
//! chosen by `format=csv` or `Accept: text/csv` and holds the whole filtered, sorted list;
//! unknown parameters are refused; errors answer `{"error": {"code", "message", "field"}}`.

pub mod calendar;
pub mod compact;
pub mod countries;
pub mod dto;

use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::OpenApi;

use crate::csv_out::csv_response;
use crate::error::{ApiResult, ErrorBody};
use crate::params::Format;
use crate::AppState;
use dto::List;

/// The largest page any paginated list answers.
pub const MAX_PAGE_SIZE: usize = 250;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/principles", get(compact::principles))
        .route("/api/v1/objectives", get(compact::objectives))
        .route("/api/v1/objectives/{id}", get(compact::objective))
        .route("/api/v1/actions", get(compact::actions))
        .route("/api/v1/actions/{id}", get(compact::action))
        .route("/api/v1/paragraphs", get(compact::paragraphs))
        .route("/api/v1/paragraphs/{id}", get(compact::paragraph))
        .route("/api/v1/footnotes", get(compact::footnotes))
        .route("/api/v1/countries", get(countries::countries))
        .route("/api/v1/countries/{code}", get(countries::country))
        .route("/api/v1/regions", get(countries::regions))
        .route("/api/v1/calendar", get(calendar::calendar))
        .route("/api/v1/openapi.json", get(openapi_json))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Marrakech API",
        description = "The Global Compact for Safe, Orderly and Regular Migration (A/RES/73/195) \
                       as data: guiding principles, objectives, actions, paragraphs and footnotes; \
                       countries, M49 regions and UN regional commissions; the follow-up calendar. \
                       Lists answer JSON by default and CSV with `format=csv` or `Accept: text/csv`. \
                       Paginated lists take `limit` (at most 250) and `cursor`.",
        license(name = "MIT OR Apache-2.0"),
        version = "1"
    ),
    paths(
        compact::principles,
        compact::objectives,
        compact::objective,
        compact::actions,
        compact::action,
        compact::paragraphs,
        compact::paragraph,
        compact::footnotes,
        countries::countries,
        countries::country,
        countries::regions,
        calendar::calendar,
    ),
    components(schemas(ErrorBody)),
    tags(
        (name = "compact", description = "The compact's text and framework"),
        (name = "countries", description = "Countries, regions and regional commissions"),
        (name = "follow-up", description = "The follow-up and review calendar"),
    )
)]
pub struct ApiDoc;

/// The OpenAPI document, as served.
pub fn openapi_document() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serializes")
}

async fn openapi_json() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        openapi_document(),
    )
        .into_response()
}

/// Answers a list as JSON or as CSV rows.
pub(crate) fn respond<T: Serialize>(
    format: Format,
    list: List<T>,
    filename: &str,
    header: &[&str],
    row: impl Fn(&T) -> Vec<String>,
) -> ApiResult<Response> {
    match format {
        Format::Json => Ok(Json(list).into_response()),
        Format::Csv => Ok(csv_response(filename, header, list.items.iter().map(row))?),
    }
}
