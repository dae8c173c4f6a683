//! `/api/v1/calendar`.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use marrakech_core::follow_up_events;

use super::dto::{EventDto, List};
use super::respond;
use crate::error::{ApiResult, ErrorBody};
use crate::params::{Format, Params};
use crate::queries::{calendar_range, default_calendar_range};
use crate::AppState;

/// The compact's follow-up events in a range of years (paras 46, 49(c), 50, 51).
#[utoipa::path(
    get, path = "/api/v1/calendar", tag = "follow-up",
    params(
        ("from" = Option<i32>, Query, description = "First year, default 2018"),
        ("to" = Option<i32>, Query, description = "Last year (inclusive), default ten years from now; at most 200 years after `from`"),
        ("format" = Option<String>, Query, description = "json (default) or csv"),
    ),
    responses(
        (status = 200, description = "The events, by year", body = List<EventDto>),
        (status = 400, description = "A malformed range", body = ErrorBody),
    )
)]
pub async fn calendar(
    State(_state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> ApiResult<Response> {
    let format = Format::negotiate(&mut params, &headers)?;
    let (from, to) = calendar_range(&mut params, default_calendar_range())?;
    params.finish()?;
    let events = follow_up_events(from, to);
    respond(
        format,
        List::whole(events.iter().map(EventDto::from).collect()),
        "calendar.csv",
        &["year", "kind", "edition", "title", "cites"],
        |e| {
            vec![
                e.year.to_string(),
                e.kind.clone(),
                e.edition.to_string(),
                e.title.clone(),
                e.cites.clone(),
            ]
        },
    )
}
