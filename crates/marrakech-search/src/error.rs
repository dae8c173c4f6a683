//! The crate's errors. Callers map [`SearchError`] to responses: the `Invalid*` variants are
//! the client's fault (a 400 in the web layer), `Index` and `Io` are ours (a 500, logged).

use thiserror::Error;

/// Why a document was refused by [`crate::Index::upsert`] or [`crate::SearchDocument::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DocumentError {
    #[error("the id is empty")]
    EmptyId,
    #[error("the id is longer than {max} bytes")]
    IdTooLong { max: usize },
    #[error("the id contains a control character")]
    IdControlCharacter,
    #[error("the document has no language version")]
    NoVersion,
    #[error("the document has two `{0}` versions")]
    DuplicateLanguage(&'static str),
    #[error("exactly one language version must be marked original, found {0}")]
    Original(usize),
    #[error("the `{language}` title is empty")]
    EmptyTitle { language: &'static str },
    #[error("the `{language}` {field} is longer than {max} characters")]
    TextTooLong {
        language: &'static str,
        field: &'static str,
        max: usize,
    },
    #[error("`{id}` is not {expected}")]
    WrongReference { id: String, expected: &'static str },
    #[error("`{0}` is not in the compact")]
    UnknownReference(String),
    #[error("`{0}` is not a known country (M49)")]
    UnknownCountry(String),
    #[error("`{0}` is not a known M49 region or sub-region")]
    UnknownRegion(String),
    #[error("the organization name is empty")]
    EmptyOrganization,
    #[error("the publication year {0} is outside 1900-2155")]
    YearOutOfRange(i32),
    #[error("the document has more than {max} {what}")]
    TooMany { what: &'static str, max: usize },
}

/// A value that did not parse: a language code, a kind, a facet name or value, a cursor, a
/// page size.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    #[error("`{0}` is not a facet (kind, objective, principle, region, country, organization-type, language, year)")]
    Facet(String),
    #[error("`{value}` is not a value of the {facet} facet")]
    FacetValue { facet: &'static str, value: String },
    #[error("`{0}` is not a sort order (relevance, newest, oldest)")]
    Sort(String),
    #[error("the cursor is malformed")]
    Cursor,
    #[error("the page size must be between 1 and {max}, got {got}")]
    PageSize { got: usize, max: usize },
}

/// Everything [`crate::Index`] can fail with.
#[derive(Debug, Error)]
pub enum SearchError {
    #[error("invalid document `{id}`: {source}")]
    InvalidDocument {
        id: String,
        #[source]
        source: DocumentError,
    },
    #[error(transparent)]
    InvalidParameter(#[from] ParseError),
    /// The cursor was made for a different query, filter set or sort order.
    #[error("the cursor belongs to another search")]
    CursorMismatch,
    #[error("the search index failed: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("the index directory could not be opened: {0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("the index directory holds an index with another schema; delete it and rebuild with `marrakech search reindex`")]
    SchemaMismatch,
    #[error("the index writer is unavailable after an earlier failure; reopen the index")]
    WriterPoisoned,
}

impl SearchError {
    /// Whether the error is the caller's (bad input) rather than the index's.
    pub fn is_client_error(&self) -> bool {
        matches!(
            self,
            SearchError::InvalidDocument { .. }
                | SearchError::InvalidParameter(_)
                | SearchError::CursorMismatch
        )
    }
}
