//! The knowledge platform's open catalogue, in the standards harvesters read:
//!
//! - [`dcat`]: a DCAT-AP catalogue (JSON-LD, Turtle, RDF/XML), paged with Hydra, written from
//!   published items and read back from any DCAT catalogue;
//! - [`ckan`]: CKAN package records (the Action API's `package_show` shape), written from items
//!   and read back from any CKAN portal.
//!
//! Both directions live together so that what Marrakech publishes, Marrakech (or a national
//! portal running it) can harvest without loss: the compact's taxonomy travels as IRIs
//! (`{site}/objectives/obj-7`) in DCAT and as groups, tags and `marrakech_*` extras in CKAN.
//! Records from other catalogues map as far as their metadata goes.
//!
//! No I/O here: the web layer serves what these functions write, and the command line fetches
//! what they read.

pub mod ckan;
pub mod dcat;
mod vocab;

use marrakech_core::compact::CompactRef;
use marrakech_core::Compact;
use thiserror::Error;

pub use vocab::MARRAKECH_NS;

/// The site a catalogue is published by.
#[derive(Debug, Clone)]
pub struct Site {
    /// `https://marrakech.example.org`, without a trailing slash.
    pub base: String,
    pub title: String,
    pub description: String,
}

impl Site {
    pub fn new(base: &str) -> Site {
        Site {
            base: base.trim_end_matches('/').to_owned(),
            title: "Marrakech: the global knowledge platform of the Global Compact for Migration".into(),
            description: "Evidence, practices and initiatives on safe, orderly and regular migration, \
                          tagged with the compact's objectives, actions and guiding principles (para 43(c))."
                .into(),
        }
    }

    pub fn item_iri(&self, id: &str) -> String {
        format!("{}/knowledge/{id}", self.base)
    }
}

#[derive(Debug, Error)]
pub enum CatalogueError {
    #[error("the document is not valid {format}: {reason}")]
    Syntax {
        format: &'static str,
        reason: String,
    },
    #[error("cannot write the catalogue: {0}")]
    Write(String),
}

/// A record of another catalogue that cannot be brought in, and why.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("record `{record}`: {reason}")]
pub struct RecordError {
    pub record: String,
    pub reason: String,
}

/// A compact id from an IRI or a bare id: `…/objectives/obj-7`, `…/actions/obj-7-c`,
/// `…/principles#gp-a`, or `obj-7` itself. Only ids the compact has are returned.
pub fn compact_id(text: &str) -> Option<CompactRef> {
    let tail = text.rsplit(['/', '#']).next().unwrap_or(text);
    let reference = CompactRef::parse(tail).ok()?;
    Compact::official()
        .contains(&reference)
        .then_some(reference)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_ids_from_iris() {
        assert_eq!(
            compact_id("https://a.example/objectives/obj-7"),
            Some(CompactRef::Objective(7))
        );
        assert_eq!(
            compact_id("https://a.example/actions/obj-20-a"),
            Some(CompactRef::Action(20, 'a'))
        );
        assert_eq!(
            compact_id("https://a.example/principles#gp-j"),
            Some(CompactRef::Principle('j'))
        );
        assert_eq!(compact_id("obj-23"), Some(CompactRef::Objective(23)));
        assert_eq!(compact_id("https://a.example/objectives/obj-24"), None);
        assert_eq!(compact_id("https://a.example/actions/obj-22-z"), None);
        assert_eq!(
            compact_id("http://publications.europa.eu/resource/authority/data-theme/SOCI"),
            None
        );
    }
}
