//! Form handling for pages: values read from a urlencoded body, validated field by field,
//! errors kept by field name so each message stands next to its field.

use std::collections::BTreeMap;

use axum::body::Bytes;
use marrakech_core::accounts::Invalid;

use crate::error::AppError;

/// The `file` field of a multipart upload: its name as sent and its bytes, or none when no
/// file was chosen.
pub async fn uploaded_file(
    multipart: &mut axum::extract::Multipart,
) -> Result<Option<(String, Bytes)>, AppError> {
    let incomplete = |e: axum::extract::multipart::MultipartError| {
        AppError::invalid("file", format!("the upload is incomplete: {e}"))
    };
    while let Some(field) = multipart.next_field().await.map_err(incomplete)? {
        if field.name() != Some("file") {
            continue;
        }
        let filename = field.file_name().unwrap_or("file").to_owned();
        let bytes = field.bytes().await.map_err(incomplete)?;
        if !bytes.is_empty() {
            return Ok(Some((filename, bytes)));
        }
    }
    Ok(None)
}

/// A stored file sent back as a download (never shown inline: its bytes were only sniffed,
/// not trusted), cached privately for a few minutes.
pub fn file_download(
    filename: &str,
    media_type: String,
    bytes: Vec<u8>,
) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let disposition = format!("attachment; filename=\"{}\"", filename.replace('"', ""));
    (
        [
            (header::CONTENT_TYPE, media_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, max-age=300".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

/// A submitted form: its fields, by name (the last value wins for a repeated name; list
/// fields use [`Form::all`]).
#[derive(Debug, Default, Clone)]
pub struct Form {
    fields: Vec<(String, String)>,
}

impl Form {
    pub fn parse(body: &Bytes) -> Form {
        Form {
            fields: form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        }
    }

    /// A form filled in from stored values (an edit form).
    pub fn from_pairs(fields: Vec<(String, String)>) -> Form {
        Form { fields }
    }

    /// The field's value, trimmed (empty when absent).
    pub fn get(&self, name: &str) -> String {
        self.raw(name).trim().to_owned()
    }

    /// The field's value as sent (passwords are not trimmed).
    pub fn raw(&self, name: &str) -> String {
        self.fields
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_owned())
            .collect()
    }

    /// Whether a (list) field holds this value.
    pub fn has(&self, name: &str, value: &str) -> bool {
        self.fields
            .iter()
            .any(|(k, v)| k == name && v.trim() == value)
    }

    pub fn checked(&self, name: &str) -> bool {
        matches!(self.get(name).as_str(), "on" | "true" | "1" | "yes")
    }
}

/// Messages by field name.
#[derive(Debug, Default, Clone)]
pub struct FormErrors(pub BTreeMap<String, String>);

impl FormErrors {
    pub fn new() -> FormErrors {
        FormErrors::default()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_insert_with(|| message.into());
    }

    /// Keeps `value` when valid, records its message under `field` otherwise.
    pub fn check<T>(&mut self, field: &str, value: Result<T, Invalid>) -> Option<T> {
        match value {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e.0);
                None
            }
        }
    }

    /// Records an error the store or the policy raised, under its field when it names one.
    pub fn from_app_error(&mut self, error: AppError) -> Result<(), AppError> {
        match error {
            AppError::Invalid { field, message } | AppError::Conflict { field, message } => {
                self.add(&field, message);
                Ok(())
            }
            other => Err(other),
        }
    }

    pub fn get(&self, field: &str) -> Option<&String> {
        self.0.get(field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// For the summary at the top of a form.
    pub fn messages(&self) -> Vec<(&String, &String)> {
        self.0.iter().collect()
    }
}
