//! This crate's index, on disk (memory-mapped), as the platform runs it.

use std::path::PathBuf;

use super::{BenchError, BenchQuery, Client, Engine, Outcome};
use crate::document::SearchDocument;
use crate::facets::Filters;
use crate::{Index, IndexOptions, PageSize, SearchRequest};

pub struct TantivyEngine {
    dir: PathBuf,
    options: IndexOptions,
    index: Option<Index>,
}

impl TantivyEngine {
    /// An engine whose index lives in `dir` (emptied first).
    pub fn new(dir: PathBuf, options: IndexOptions) -> TantivyEngine {
        TantivyEngine {
            dir,
            options,
            index: None,
        }
    }
}

impl Engine for TantivyEngine {
    fn name(&self) -> &'static str {
        "tantivy"
    }

    fn build(&mut self, docs: &mut dyn Iterator<Item = SearchDocument>) -> Result<(), BenchError> {
        if self.dir.exists() {
            std::fs::remove_dir_all(&self.dir)?;
        }
        let index = Index::open_in_dir(&self.dir, self.options.clone())?;
        index.rebuild(docs)?;
        // Let background merges finish, as `marrakech search reindex` does: the index is
        // ready when they are.
        index.wait_for_merges()?;
        self.index = Some(index);
        Ok(())
    }

    fn client(&self) -> Result<Box<dyn Client + '_>, BenchError> {
        let index = self
            .index
            .as_ref()
            .ok_or_else(|| BenchError::Other("not built".into()))?;
        Ok(Box::new(TantivyClient { index }))
    }

    fn notes(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(index) = &self.index {
            out.push(("segments".into(), index.num_segments().to_string()));
        }
        out.push((
            "disk_mib".into(),
            format!("{:.0}", dir_size(&self.dir) as f64 / 1_048_576.0),
        ));
        out
    }
}

struct TantivyClient<'a> {
    index: &'a Index,
}

impl Client for TantivyClient<'_> {
    fn search(&mut self, q: &BenchQuery) -> Result<Outcome, BenchError> {
        let mut request = SearchRequest::new(q.text);
        request.page_size = PageSize::new(20).map_err(crate::SearchError::from)?;
        let mut filters = Filters::new();
        for (facet, value) in &q.filters {
            filters
                .add(*facet, value)
                .map_err(crate::SearchError::from)?;
        }
        request.filters = filters;
        let r = self.index.search(&request)?;
        Ok(Outcome {
            total: r.total,
            hits: r.hits.len(),
            facet_values: r.facets.iter().map(|f| f.values.len()).sum(),
        })
    }
}

pub(crate) fn dir_size(dir: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}
