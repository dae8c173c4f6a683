//! Full-text search for Marrakech's global knowledge platform (para 43(c) of the Global
//! Compact for Migration): a multilingual [tantivy](https://docs.rs/tantivy) index of
//! published knowledge items.
//!
//! The index is derived data: the database holds the items, [`Index::rebuild`] recreates the
//! index from them, and the platform calls [`Index::upsert`] / [`Index::delete`] then
//! [`Index::commit`] on every publish, edit and withdrawal so the next search sees it.
//!
//! ```
//! use marrakech_search::{Index, IndexOptions, SearchRequest, generator::Generator};
//!
//! let index = Index::in_ram(IndexOptions::default()).unwrap();
//! index.rebuild(Generator::new(7).take(50)).unwrap();
//! let results = index.search(&SearchRequest::new("remittances")).unwrap();
//! assert!(results.total <= 50);
//! ```
//!
//! See the README for the analysis per language, facets and cursors.

pub mod analysis;
mod collector;
pub mod cursor;
pub mod document;
pub mod error;
pub mod facets;
pub mod generator;
mod glossary;
mod index;
pub mod query;
mod words;

#[cfg(feature = "bench")]
pub mod bench;

pub use cursor::{Cursor, PageSize, Sort, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
pub use document::{
    Area, ItemKind, Language, LanguageVersion, Organization, OrganizationKind, SearchDocument,
};
pub use error::{DocumentError, ParseError, SearchError};
pub use facets::{Facet, FacetCount, FacetCounts, FacetValue, Filters};
pub use index::{escape_html, Hit, Index, IndexOptions, SearchRequest, SearchResults};
