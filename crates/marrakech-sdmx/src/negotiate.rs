//! Content negotiation: from an `Accept` header and/or a `format=` parameter, the format
//! to write and the `Content-Type` to answer with.
//!
//! `Accept` is read per RFC 9110: media ranges with parameters and q-values; the most
//! specific range matching an offer gives its quality; the best quality wins and ties go
//! to the server's order of preference. The `format` parameter, when present, overrides
//! `Accept` (it is what a link in a web page or a `curl` user reaches for).

use std::fmt;

use thiserror::Error;

/// What a message carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    Structure,
    Data,
}

/// An output format this crate writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// SDMX-ML 2.1 structure message (what `sdmx1` reads structures from).
    StructureXml21,
    /// SDMX-JSON 2.0.0 structure message.
    StructureJson20,
    /// SDMX-ML 2.1 structure-specific data (what `sdmx1`'s `Client` asks for).
    DataXmlStructureSpecific21,
    /// SDMX-JSON 2.0.0 data message (SDMX 3.0).
    DataJson20,
    /// SDMX-JSON 1.0.0 data message (SDMX 2.1): the layout `sdmx1`'s JSON reader parses.
    DataJson10,
    /// SDMX-CSV 2.0.0 data.
    DataCsv20,
}

impl Format {
    /// The canonical SDMX media type.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::StructureXml21 => "application/vnd.sdmx.structure+xml;version=2.1",
            Format::StructureJson20 => "application/vnd.sdmx.structure+json;version=2.0.0",
            Format::DataXmlStructureSpecific21 => {
                "application/vnd.sdmx.structurespecificdata+xml;version=2.1"
            }
            Format::DataJson20 => "application/vnd.sdmx.data+json;version=2.0.0",
            Format::DataJson10 => "application/vnd.sdmx.data+json;version=1.0.0",
            Format::DataCsv20 => "application/vnd.sdmx.data+csv;version=2.0.0",
        }
    }

    pub fn kind(self) -> MessageKind {
        match self {
            Format::StructureXml21 | Format::StructureJson20 => MessageKind::Structure,
            _ => MessageKind::Data,
        }
    }

    /// A file extension for `Content-Disposition` or test files.
    pub fn extension(self) -> &'static str {
        match self {
            Format::StructureXml21 | Format::DataXmlStructureSpecific21 => "xml",
            Format::StructureJson20 | Format::DataJson20 | Format::DataJson10 => "json",
            Format::DataCsv20 => "csv",
        }
    }

    /// The names accepted by the `format` parameter, first one canonical.
    pub fn parameter_names(self) -> &'static [&'static str] {
        match self {
            Format::StructureXml21 => &["structure-xml", "xml", "sdmx-ml", "sdmx-ml-2.1"],
            Format::StructureJson20 => &["structure-json", "json", "sdmx-json", "sdmx-json-2.0"],
            Format::DataXmlStructureSpecific21 => &[
                "structurespecificdata",
                "xml",
                "sdmx-ml",
                "sdmx-ml-2.1",
                "structurespecific",
            ],
            Format::DataJson20 => &["json", "sdmx-json", "sdmx-json-2.0", "jsondata"],
            Format::DataJson10 => &["sdmx-json-1.0", "json-1.0"],
            Format::DataCsv20 => &["csv", "sdmx-csv", "sdmx-csv-2.0", "csvfile"],
        }
    }
}

/// The outcome: the format to write and the `Content-Type` header value to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    pub format: Format,
    pub content_type: &'static str,
}

/// Nothing acceptable (406 Not Acceptable).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NegotiationError {
    #[error("none of `{accept}` can be produced for {kind}; available: {available}")]
    NotAcceptable {
        accept: String,
        kind: MessageKind,
        available: String,
    },
    #[error("format `{value}` is not available for {kind}; use one of: {available}")]
    UnknownFormat {
        value: String,
        kind: MessageKind,
        available: String,
    },
}

impl NegotiationError {
    /// Always 406.
    pub fn status(&self) -> u16 {
        406
    }
}

impl fmt::Display for MessageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MessageKind::Structure => "structure queries",
            MessageKind::Data => "data queries",
        })
    }
}

/// A media type this service can answer with, and the format behind it.
struct Offer {
    media_type: &'static str,
    format: Format,
}

/// Offers in order of preference: the first is what `*/*` (and no `Accept`) gets.
///
/// Data: structure-specific SDMX-ML first because `sdmx1`'s `Client` sends `*/*` and
/// reads it, and because it streams without index tables. Generic types
/// (`application/json`, `text/csv`, `application/xml`) are answered with the same type
/// the client asked for, so the `Content-Type` always matches the `Accept`.
const DATA_OFFERS: &[Offer] = &[
    Offer {
        media_type: "application/vnd.sdmx.structurespecificdata+xml;version=2.1",
        format: Format::DataXmlStructureSpecific21,
    },
    Offer {
        media_type: "application/vnd.sdmx.data+json;version=2.0.0",
        format: Format::DataJson20,
    },
    Offer {
        media_type: "application/vnd.sdmx.data+json;version=1.0.0",
        format: Format::DataJson10,
    },
    Offer {
        media_type: "application/vnd.sdmx.data+csv;version=2.0.0",
        format: Format::DataCsv20,
    },
    Offer {
        media_type: "application/json",
        format: Format::DataJson20,
    },
    Offer {
        media_type: "text/csv",
        format: Format::DataCsv20,
    },
    Offer {
        media_type: "application/xml",
        format: Format::DataXmlStructureSpecific21,
    },
    Offer {
        media_type: "text/xml",
        format: Format::DataXmlStructureSpecific21,
    },
];

const STRUCTURE_OFFERS: &[Offer] = &[
    Offer {
        media_type: "application/vnd.sdmx.structure+xml;version=2.1",
        format: Format::StructureXml21,
    },
    Offer {
        media_type: "application/vnd.sdmx.structure+json;version=2.0.0",
        format: Format::StructureJson20,
    },
    Offer {
        media_type: "application/xml",
        format: Format::StructureXml21,
    },
    Offer {
        media_type: "text/xml",
        format: Format::StructureXml21,
    },
    Offer {
        media_type: "application/json",
        format: Format::StructureJson20,
    },
];

fn offers(kind: MessageKind) -> &'static [Offer] {
    match kind {
        MessageKind::Structure => STRUCTURE_OFFERS,
        MessageKind::Data => DATA_OFFERS,
    }
}

/// The formats available for `kind`, in order of preference.
pub fn available_formats(kind: MessageKind) -> Vec<Format> {
    let mut out = Vec::new();
    for o in offers(kind) {
        if !out.contains(&o.format) {
            out.push(o.format);
        }
    }
    out
}

/// Chooses the format for a `kind` of message.
///
/// `format_param` (the `format=` query parameter) wins when given; otherwise `accept` (the
/// `Accept` header; `None` or empty means anything). The `Content-Type` answered is the
/// SDMX media type, or the generic type (`application/json`, `text/csv`,
/// `application/xml`, `text/xml`) when that is what the client asked for.
pub fn negotiate(
    kind: MessageKind,
    accept: Option<&str>,
    format_param: Option<&str>,
) -> Result<Negotiated, NegotiationError> {
    let offers = offers(kind);
    if let Some(value) = format_param {
        let wanted = value.trim().to_ascii_lowercase();
        return offers
            .iter()
            .find(|o| o.format.parameter_names().contains(&wanted.as_str()))
            .map(|o| Negotiated {
                format: o.format,
                content_type: o.format.media_type(),
            })
            .ok_or_else(|| NegotiationError::UnknownFormat {
                value: value.to_owned(),
                kind,
                available: format_names(kind),
            });
    }
    let accept = accept.map(str::trim).filter(|a| !a.is_empty());
    let Some(accept) = accept else {
        return Ok(Negotiated {
            format: offers[0].format,
            content_type: offers[0].media_type,
        });
    };
    let ranges = parse_accept(accept);
    let mut best: Option<(&Offer, u16)> = None;
    for offer in offers {
        let q = quality(
            &ranges,
            &MediaType::parse(offer.media_type).expect("valid offer"),
        );
        if q > 0 && best.is_none_or(|(_, bq)| q > bq) {
            best = Some((offer, q));
        }
    }
    match best {
        Some((offer, _)) => Ok(Negotiated {
            format: offer.format,
            content_type: offer.media_type,
        }),
        None => Err(NegotiationError::NotAcceptable {
            accept: accept.to_owned(),
            kind,
            available: offers
                .iter()
                .map(|o| o.media_type)
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

fn format_names(kind: MessageKind) -> String {
    available_formats(kind)
        .iter()
        .flat_map(|f| f.parameter_names())
        .fold(Vec::<&str>::new(), |mut acc, n| {
            if !acc.contains(n) {
                acc.push(n);
            }
            acc
        })
        .join(", ")
}

/// A media type or range: lower-cased type, subtype and parameters (minus `q`).
#[derive(Debug, Clone, PartialEq)]
struct MediaType {
    kind: String,
    subtype: String,
    params: Vec<(String, String)>,
}

impl MediaType {
    fn parse(text: &str) -> Option<MediaType> {
        let mut parts = text.split(';');
        let (kind, subtype) = parts.next()?.trim().split_once('/')?;
        let (kind, subtype) = (
            kind.trim().to_ascii_lowercase(),
            subtype.trim().to_ascii_lowercase(),
        );
        if kind.is_empty() || subtype.is_empty() || (kind == "*" && subtype != "*") {
            return None;
        }
        let mut params = Vec::new();
        for p in parts {
            let Some((name, value)) = p.split_once('=') else {
                continue;
            };
            let value = value.trim().trim_matches('"');
            params.push((name.trim().to_ascii_lowercase(), value.to_owned()));
        }
        Some(MediaType {
            kind,
            subtype,
            params,
        })
    }
}

struct Range {
    media: MediaType,
    /// Quality in thousandths (q=0.5 → 500), so ties compare exactly.
    q: u16,
}

fn parse_accept(accept: &str) -> Vec<Range> {
    accept
        .split(',')
        .filter_map(|item| {
            let mut media = MediaType::parse(item)?;
            let mut q = 1000;
            if let Some(i) = media.params.iter().position(|(n, _)| n == "q") {
                q = parse_q(&media.params.remove(i).1)?;
            }
            Some(Range { media, q })
        })
        .collect()
}

/// `q` per RFC 9110: 0 to 1 with at most three decimals. A malformed q drops the range.
fn parse_q(v: &str) -> Option<u16> {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac_value = format!("{frac:0<3}").parse::<u16>().ok()?;
    match int {
        "0" => Some(frac_value),
        "1" if frac_value == 0 => Some(1000),
        _ => None,
    }
}

/// `version=2.0` and `version=2.0.0` name the same version.
fn same_param(name: &str, a: &str, b: &str) -> bool {
    if name == "version" {
        let norm = |v: &str| v.trim_end_matches(".0").to_owned();
        return norm(a) == norm(b) || a == b;
    }
    a.eq_ignore_ascii_case(b)
}

/// The quality the client gives `offer`: that of the most specific matching range
/// (type and subtype beat wildcards, more matching parameters beat fewer).
fn quality(ranges: &[Range], offer: &MediaType) -> u16 {
    let mut best: Option<(u8, usize, u16)> = None;
    for r in ranges {
        let m = &r.media;
        let specificity = match (m.kind.as_str(), m.subtype.as_str()) {
            ("*", "*") => 0,
            (k, "*") if k == offer.kind => 1,
            (k, s) if k == offer.kind && s == offer.subtype => 2,
            _ => continue,
        };
        // Every parameter of the range must be matched by the offer; a range naming a
        // parameter the offer lacks (or a different value) does not match it.
        let params_match = m.params.iter().all(|(n, v)| {
            offer
                .params
                .iter()
                .any(|(on, ov)| on == n && same_param(n, ov, v))
        });
        if !params_match {
            continue;
        }
        let key = (specificity, m.params.len(), r.q);
        if best.is_none_or(|(s, p, _)| (specificity, m.params.len()) > (s, p)) {
            best = Some(key);
        }
    }
    best.map_or(0, |(_, _, q)| q)
}
