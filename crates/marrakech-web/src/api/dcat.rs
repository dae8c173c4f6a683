//! The DCAT catalogue of published items: `/catalog.jsonld`, `/catalog.ttl` and
//! `/catalog.rdf`, paged with Hydra (`page`, `page_size`), and `modified_since` for harvesters
//! that only want what changed. Pages come from the database in id order, so a harvester
//! walking them sees every item once however large the catalogue.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use marrakech_catalogue::dcat::{self, Format, Page};
use marrakech_catalogue::Site;
use time::format_description::well_known::Rfc3339;

use crate::error::{ApiResult, AppError};
use crate::params::Params;
use crate::AppState;

pub const DEFAULT_PAGE_SIZE: usize = 100;
pub const MAX_PAGE_SIZE: usize = 1_000;

/// `2024-05-01` or an RFC 3339 time, as the database stores times.
fn parse_since(text: &str) -> Option<String> {
    let time = time::OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .or_else(|| {
            let date = time::Date::parse(
                text,
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .ok()?;
            Some(date.midnight().assume_utc())
        })?;
    Some(marrakech_store::time_text(time))
}

async fn catalog(state: &AppState, mut params: Params, format: Format) -> ApiResult<Response> {
    let number = params
        .take_with("page", "a page number from 1", |s| {
            s.parse::<usize>().ok().filter(|n| *n >= 1)
        })?
        .unwrap_or(1);
    let size = params
        .take_with(
            "page_size",
            &format!("a number from 1 to {MAX_PAGE_SIZE}"),
            |s| {
                s.parse::<usize>()
                    .ok()
                    .filter(|n| (1..=MAX_PAGE_SIZE).contains(n))
            },
        )?
        .unwrap_or(DEFAULT_PAGE_SIZE);
    let since_text = params.take("modified_since");
    let since = since_text
        .as_deref()
        .map(|s| {
            parse_since(s).ok_or_else(|| {
                AppError::bad_parameter("modified_since", "a date (2024-05-01) or an RFC 3339 time")
            })
        })
        .transpose()?;
    params.finish()?;
    let offset = (number - 1).saturating_mul(size);
    let (items, total) = state
        .store
        .published_page(since.as_deref(), size, offset)
        .await?;
    let page = Page {
        number,
        size,
        total,
        modified_since: since_text,
    };
    let site = Site::new(&state.config.public_url);
    let bytes = dcat::write_catalog(&site, &items, &page, format)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, format.media_type())], bytes).into_response())
}

/// The catalogue as JSON-LD.
pub async fn catalog_jsonld(State(state): State<AppState>, params: Params) -> ApiResult<Response> {
    catalog(&state, params, Format::JsonLd).await
}

/// The catalogue as Turtle.
pub async fn catalog_ttl(State(state): State<AppState>, params: Params) -> ApiResult<Response> {
    catalog(&state, params, Format::Turtle).await
}

/// The catalogue as RDF/XML.
pub async fn catalog_rdf(State(state): State<AppState>, params: Params) -> ApiResult<Response> {
    catalog(&state, params, Format::RdfXml).await
}
