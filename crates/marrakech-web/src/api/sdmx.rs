//! SDMX REST under `/sdmx/rest/`: `dataflow`, `datastructure`, `codelist` (and the concept
//! schemes they reference) and `data/{flow}/{key}`, answering SDMX-ML 2.1, SDMX-JSON
//! (1.0 and 2.0) or SDMX-CSV 2.0 by `Accept` or `format=`. The structures and data come
//! from the evidence snapshot (see `evidence::sdmx`); parsing, negotiation and writing are
//! `marrakech_sdmx`'s.

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use marrakech_sdmx::{
    error_body, negotiate, parse_query_string, parse_request, write_structure, Agency, DataOptions,
    DataWriter, Format, Header, MessageKind, SdmxRequest,
};
use time::format_description::well_known::Rfc3339;

use crate::AppState;

fn answer(status: u16, content_type: &str, body: Vec<u8>) -> Response {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        [(header::CONTENT_TYPE, content_type.to_owned())],
        body,
    )
        .into_response()
}

fn error(format: Option<Format>, status: u16, message: &str) -> Response {
    let body = error_body(format, status, message);
    answer(body.status, body.content_type, body.body.into_bytes())
}

/// A message id from the request's id when it is one SDMX accepts.
fn header_for(headers: &HeaderMap) -> Option<Header> {
    let id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.replace(|c: char| !c.is_ascii_alphanumeric(), ""))
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "MARRAKECH".to_owned());
    let prepared = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()?
        .format(&Rfc3339)
        .ok()?;
    Header::new(
        &format!("IREF{}", &id[..id.len().min(40)]),
        &prepared,
        &Agency::marrakech(),
    )
    .ok()
}

/// `GET /sdmx/rest/{resource}/...`
pub async fn sdmx(
    State(state): State<AppState>,
    Path(path): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let kind = if path.starts_with("data") {
        MessageKind::Data
    } else {
        MessageKind::Structure
    };
    let snapshot = match state.evidence.snapshot(&state.store).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "the evidence snapshot failed");
            return error(None, 500, "the statistics could not be read");
        }
    };
    let Some(catalog) = snapshot.catalog.as_ref() else {
        return error(None, 503, "the statistics are not available yet");
    };
    let params = match parse_query_string(query.as_deref().unwrap_or_default()) {
        Ok(p) => p,
        Err(e) => return error(None, e.status(), &e.to_string()),
    };
    let parsed = match parse_request(&catalog.structures, &path, &params) {
        Ok(p) => p,
        Err(e) => {
            let format = negotiate(kind, accept, None).ok().map(|n| n.format);
            return error(format, e.status(), &e.to_string());
        }
    };
    let Some(message_header) = header_for(&headers) else {
        return error(None, 500, "the message header could not be written");
    };
    match parsed.request {
        SdmxRequest::Structure(query) => {
            let negotiated =
                match negotiate(MessageKind::Structure, accept, parsed.format.as_deref()) {
                    Ok(n) => n,
                    Err(e) => return error(None, e.status(), &e.to_string()),
                };
            let selection = match catalog.structures.select(&query) {
                Ok(s) => s,
                Err(e) => return error(Some(negotiated.format), e.status(), &e.to_string()),
            };
            let mut body = Vec::new();
            if let Err(e) =
                write_structure(negotiated.format, &mut body, &message_header, &selection)
            {
                tracing::error!(error = %e, "an SDMX structure message could not be written");
                return error(
                    Some(negotiated.format),
                    500,
                    "the structure message could not be written",
                );
            }
            answer(200, negotiated.content_type, body)
        }
        SdmxRequest::Data(query) => {
            let negotiated = match negotiate(MessageKind::Data, accept, parsed.format.as_deref()) {
                Ok(n) => n,
                Err(e) => return error(None, e.status(), &e.to_string()),
            };
            let Some(flow) = catalog.structures.resolve_flow(query.flow()) else {
                return error(Some(negotiated.format), 404, "no such dataflow");
            };
            let Some(data) = catalog.flows.get(query.flow().id.as_str()) else {
                return error(Some(negotiated.format), 404, "no data for this dataflow");
            };
            // Read only the rows of the first dimension's values asked for.
            let ranges: Vec<std::ops::Range<usize>> = match query.allowed_values(0) {
                Some(values) => values
                    .iter()
                    .filter_map(|v| data.by_first.get(v).cloned())
                    .collect(),
                None => std::iter::once(0..data.observations.len()).collect(),
            };
            let mut matching = ranges
                .into_iter()
                .flat_map(|r| data.observations[r].iter())
                .filter(|o| query.matches(&o.key, &o.time))
                .peekable();
            if matching.peek().is_none() {
                return error(Some(negotiated.format), 404, "no data match the query");
            }
            let mut body = Vec::new();
            let written = (|| {
                let mut writer = DataWriter::new(
                    negotiated.format,
                    &mut body,
                    &message_header,
                    &flow,
                    DataOptions::from(&query),
                )?;
                for o in matching {
                    writer.observation(&o.key, &o.time, o.value, &o.attributes)?;
                }
                writer.finish().map(|_| ())
            })();
            if let Err(e) = written {
                tracing::error!(error = %e, "an SDMX data message could not be written");
                return error(
                    Some(negotiated.format),
                    500,
                    "the data message could not be written",
                );
            }
            answer(200, negotiated.content_type, body)
        }
    }
}
