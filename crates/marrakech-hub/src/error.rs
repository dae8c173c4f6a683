//! The crate's errors: invalid input named by field, invalid weights, bad data files.

use std::fmt;

use thiserror::Error;

/// One invalid field, named the way a form or a JSON body names it (`countries.1`,
/// `capacity.staff`), with a message for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

#[derive(Debug, Error)]
pub enum HubError {
    /// Every invalid field of one request, partner or candidate, in field order.
    #[error("invalid {what} `{id}`: {}", join(.errors))]
    Invalid {
        /// `request`, `partner` or `candidate`.
        what: &'static str,
        /// Its id, or empty when it has none yet.
        id: String,
        errors: Vec<FieldError>,
    },
    /// The weights cannot be used (negative, not finite, all zero).
    #[error("invalid weights: {0}")]
    Weights(String),
    /// Two partners or two candidates share an id.
    #[error("duplicate {what} id `{id}`")]
    Duplicate { what: &'static str, id: String },
    /// A data file (registry, items, labeled requests) does not parse.
    #[error("{file}: {message}")]
    Data { file: String, message: String },
}

fn join(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl HubError {
    /// The field errors, when the error is about invalid input.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            HubError::Invalid { errors, .. } => errors,
            _ => &[],
        }
    }
}
