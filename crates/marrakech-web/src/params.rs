//! Query parameters, parsed one by one so that a bad value is answered with a 400 that names
//! the parameter, and (in the API) an unknown parameter is refused rather than ignored.

use std::collections::BTreeMap;

use axum::extract::{FromRequestParts, RawQuery};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::error::AppError;

#[derive(Debug, Default, Clone)]
pub struct Params {
    values: BTreeMap<String, String>,
    /// A parameter given twice: reported by the first `take_with` or `finish`, so that the
    /// extractor itself never fails and each handler answers in its own format.
    repeated: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let RawQuery(query) = RawQuery::from_request_parts(parts, state).await?;
        Ok(Params::parse_lenient(query.as_deref().unwrap_or_default()))
    }
}

impl Params {
    pub fn parse(query: &str) -> Result<Params, AppError> {
        let mut params = Params::parse_lenient(query);
        params.check_repeated()?;
        Ok(params)
    }

    fn parse_lenient(query: &str) -> Params {
        let mut params = Params::default();
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            if key.is_empty() {
                continue;
            }
            if params
                .values
                .insert(key.to_string(), value.to_string())
                .is_some()
            {
                params.repeated.get_or_insert_with(|| key.to_string());
            }
        }
        params
    }

    fn check_repeated(&mut self) -> Result<(), AppError> {
        match self.repeated.take() {
            Some(key) => Err(AppError::bad_parameter(
                &key,
                format!("parameter `{key}` is given more than once"),
            )),
            None => Ok(()),
        }
    }

    /// The raw value, taken out; an empty value counts as absent (an empty form field).
    pub fn take(&mut self, name: &str) -> Option<String> {
        self.values.remove(name).filter(|v| !v.is_empty())
    }

    /// The value parsed by `parse`, or a 400 that says what was `expected`.
    pub fn take_with<T>(
        &mut self,
        name: &str,
        expected: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>, AppError> {
        self.check_repeated()?;
        match self.take(name) {
            None => Ok(None),
            Some(raw) => parse(&raw).map(Some).ok_or_else(|| {
                AppError::bad_parameter(
                    name,
                    format!("parameter `{name}` must be {expected}, not `{raw}`"),
                )
            }),
        }
    }

    pub fn take_bool(&mut self, name: &str) -> Result<Option<bool>, AppError> {
        self.take_with(name, "true or false", |v| match v {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        })
    }

    /// Refuses any parameter nobody took.
    pub fn finish(mut self) -> Result<(), AppError> {
        self.check_repeated()?;
        match self.values.into_keys().next() {
            None => Ok(()),
            Some(key) => Err(AppError::bad_parameter(
                &key,
                format!("unknown parameter `{key}`"),
            )),
        }
    }
}

/// How a list is answered: JSON (the default) or CSV, chosen by `format=` or by the
/// `Accept` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

impl Format {
    pub fn negotiate(params: &mut Params, headers: &HeaderMap) -> Result<Format, AppError> {
        if let Some(format) = params.take_with("format", "json or csv", |v| match v {
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            _ => None,
        })? {
            return Ok(format);
        }
        let accept = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let wants_csv = accept
            .split(',')
            .map(|part| part.split(';').next().unwrap_or_default().trim())
            .find(|t| *t == "text/csv" || *t == "application/json")
            == Some("text/csv");
        Ok(if wants_csv { Format::Csv } else { Format::Json })
    }
}

/// A page of a list: the limit asked for (bounded) and where to start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: usize,
    pub offset: usize,
}

impl Page {
    /// Reads `limit` (1 to `max`, default `default`) and the opaque `cursor`.
    pub fn from_params(params: &mut Params, default: usize, max: usize) -> Result<Page, AppError> {
        let limit = params
            .take_with("limit", &format!("a whole number from 1 to {max}"), |v| {
                v.parse::<usize>().ok().filter(|n| (1..=max).contains(n))
            })?
            .unwrap_or(default);
        let offset = params
            .take_with(
                "cursor",
                "a cursor returned by a previous page",
                decode_cursor,
            )?
            .unwrap_or(0);
        Ok(Page { limit, offset })
    }

    /// The cursor of the page after this one, if there is more.
    pub fn next_cursor(&self, total: usize) -> Option<String> {
        let next = self.offset + self.limit;
        (next < total).then(|| encode_cursor(next))
    }
}

pub fn encode_cursor(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    std::str::from_utf8(&bytes)
        .ok()?
        .strip_prefix("offset:")?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_named_when_bad_or_unknown() {
        let mut p = Params::parse("limit=0&member_state=yes&x=1").unwrap();
        let err = Page::from_params(&mut p, 10, 100).unwrap_err();
        assert!(
            matches!(&err, AppError::BadParameter { field, .. } if field == "limit"),
            "{err}"
        );
        let err = p.take_bool("member_state").unwrap_err();
        assert_eq!(
            err.to_string(),
            "parameter `member_state` must be true or false, not `yes`"
        );
        let err = p.finish().unwrap_err();
        assert_eq!(err.to_string(), "unknown parameter `x`");
        assert!(Params::parse("a=1&a=2").is_err());
    }

    #[test]
    fn cursors_round_trip_and_bad_ones_are_refused() {
        let mut p = Params::parse(&format!("cursor={}&limit=5", encode_cursor(40))).unwrap();
        let page = Page::from_params(&mut p, 10, 100).unwrap();
        assert_eq!(
            page,
            Page {
                limit: 5,
                offset: 40
            }
        );
        assert_eq!(page.next_cursor(45), None);
        assert_eq!(page.next_cursor(46), Some(encode_cursor(45)));
        let mut p = Params::parse("cursor=not-a-cursor").unwrap();
        assert!(Page::from_params(&mut p, 10, 100).is_err());
    }

    #[test]
    fn format_by_parameter_or_accept_header() {
        let mut headers = HeaderMap::new();
        let mut p = Params::parse("").unwrap();
        assert_eq!(Format::negotiate(&mut p, &headers).unwrap(), Format::Json);
        headers.insert(header::ACCEPT, "text/csv;q=0.9, */*".parse().unwrap());
        assert_eq!(Format::negotiate(&mut p, &headers).unwrap(), Format::Csv);
        let mut p = Params::parse("format=json").unwrap();
        assert_eq!(Format::negotiate(&mut p, &headers).unwrap(), Format::Json);
        let mut p = Params::parse("format=xml").unwrap();
        assert!(Format::negotiate(&mut p, &headers).is_err());
    }
}
