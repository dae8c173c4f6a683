//! The connection hub's configuration, read by the command line and used by the server's
//! matcher.

use serde::Deserialize;

/// Where the matcher's text similarity for knowledge items comes from (configuration).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemText {
    /// The hub's own BM25 over the items' original text, with the hub's analysis (English
    /// stemming): the better of the two on the committed labeled set (docs/BENCHMARKS.md).
    #[default]
    Bm25,
    /// The knowledge platform's search index, with every UN language's analysis: for a
    /// platform whose items are mostly in other languages than English.
    SearchIndex,
}
