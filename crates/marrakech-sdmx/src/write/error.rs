//! Error bodies in the negotiated syntax, so a client that asked for SDMX gets an SDMX
//! error message (SDMX-ML 2.1 `Error`, SDMX-JSON `errors`) rather than an HTML page.

use super::data_xml::{NS_COMMON, NS_MESSAGE};
use super::escape::{json_str, xml_text};
use crate::model::LANGUAGE;
use crate::negotiate::Format;

/// A ready-to-send error response body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorBody {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

/// The reason phrase SDMX REST uses for a status.
fn title(status: u16) -> &'static str {
    match status {
        400 => "Bad syntax",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "No results found",
        406 => "Not acceptable",
        413 => "Request entity too large",
        414 => "URI too long",
        500 => "Internal server error",
        501 => "Not implemented",
        503 => "Service unavailable",
        _ => "Error",
    }
}

/// An error body for `status` and `message`, in the syntax of `format` (XML for SDMX-ML
/// formats, JSON for SDMX-JSON, plain text for CSV or when no format was agreed, e.g.
/// after a 406).
pub fn error_body(format: Option<Format>, status: u16, message: &str) -> ErrorBody {
    match format {
        Some(Format::StructureXml21 | Format::DataXmlStructureSpecific21) => {
            let mut body = Vec::new();
            body.extend_from_slice(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
            body.extend_from_slice(
                format!("<message:Error xmlns:message=\"{NS_MESSAGE}\" xmlns:common=\"{NS_COMMON}\">\n<message:ErrorMessage code=\"{status}\"><common:Text xml:lang=\"{LANGUAGE}\">").as_bytes(),
            );
            xml_text(&mut body, message).expect("writing to a Vec cannot fail");
            body.extend_from_slice(b"</common:Text></message:ErrorMessage>\n</message:Error>\n");
            ErrorBody {
                status,
                content_type: "application/xml; charset=utf-8",
                body: String::from_utf8(body).expect("escaped UTF-8"),
            }
        }
        Some(Format::StructureJson20 | Format::DataJson20 | Format::DataJson10) => {
            let mut body = Vec::new();
            body.extend_from_slice(
                format!("{{\"errors\":[{{\"code\":{status},\"title\":").as_bytes(),
            );
            json_str(&mut body, title(status)).expect("writing to a Vec cannot fail");
            body.extend_from_slice(b",\"detail\":");
            json_str(&mut body, message).expect("writing to a Vec cannot fail");
            body.extend_from_slice(b"}]}");
            ErrorBody {
                status,
                content_type: "application/json",
                body: String::from_utf8(body).expect("escaped UTF-8"),
            }
        }
        Some(Format::DataCsv20) | None => ErrorBody {
            status,
            content_type: "text/plain; charset=utf-8",
            body: format!("{status} {}: {message}\n", title(status)),
        },
    }
}
