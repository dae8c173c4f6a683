//! One pass over the matching documents that does everything a results page needs: the
//! filters, the total, the facet counts and the top of the list after the cursor.
//!
//! Doing it in one collector rather than tantivy's `(TopDocs, Count, FacetCollector)` tuple
//! reads each document's facet words once and keeps filtering out of the query: filters are
//! mask tests on values the facet counts read anyway, and a document that fails exactly one
//! facet's filter still counts in that facet (multi-select faceting). The words come from
//! the segment's decoded copy ([`crate::words`]), so a match costs a few loads, bit tests
//! and adds on top of its scoring.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, ColumnIndex};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::facets::{CompiledFilter, Counters, COUNTRY_WORDS};
use crate::words::{SegmentWords, WordsCache, MANY_COUNTRIES};

pub(crate) const F_MASK: &str = "mask";
pub(crate) const F_PLACE: &str = "place";
pub(crate) const F_COUNTRIES: [&str; COUNTRY_WORDS] =
    ["countries_0", "countries_1", "countries_2", "countries_3"];
pub(crate) const F_KEY: &str = "key";
pub(crate) const F_PUBLISHED: &str = "published";

/// How hits are ranked; higher ranks come first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RankBy {
    Score,
    Newest,
    Oldest,
}

/// A hit's rank: the primary sort value, then the inverted id hash (so equal primaries come
/// in id-hash order, the same on every page).
pub(crate) type Rank = (u64, u64);

pub(crate) struct SearchCollector {
    pub rank_by: RankBy,
    pub limit: usize,
    /// Only documents ranked strictly below this are listed (the cursor).
    pub below: Option<Rank>,
    pub filters: Arc<Vec<CompiledFilter>>,
    pub count_facets: bool,
    pub words: Arc<WordsCache>,
}

pub(crate) struct SegmentFruit {
    total: u64,
    remaining: u64,
    top: Vec<(Rank, DocAddress)>,
    counters: Option<Box<Counters>>,
}

pub(crate) struct Fruit {
    /// Documents passing the query and all filters.
    pub total: u64,
    /// Of those, the ones ranked below the cursor (all of them without a cursor).
    pub remaining: u64,
    /// Best first.
    pub top: Vec<(Rank, DocAddress)>,
    pub counters: Option<Box<Counters>>,
}

impl Collector for SearchCollector {
    type Fruit = Fruit;
    type Child = SegmentSearch;

    fn for_segment(
        &self,
        segment_ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentSearch> {
        Ok(SegmentSearch {
            segment_ord,
            rank_by: self.rank_by,
            limit: self.limit,
            below: self.below,
            filters: self.filters.clone(),
            needs_words: self.count_facets || !self.filters.is_empty(),
            words: self.words.get(reader)?,
            key: reader.fast_fields().u64(F_KEY)?,
            heap: BinaryHeap::with_capacity(self.limit + 1),
            total: 0,
            remaining: 0,
            counters: self.count_facets.then(|| Box::new(Counters::new())),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.rank_by == RankBy::Score
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFruit>) -> tantivy::Result<Fruit> {
        let mut out = Fruit {
            total: 0,
            remaining: 0,
            top: Vec::new(),
            counters: None,
        };
        for f in fruits {
            out.total += f.total;
            out.remaining += f.remaining;
            out.top.extend(f.top);
            if let Some(c) = f.counters {
                match &mut out.counters {
                    Some(acc) => acc.merge(&c),
                    None => out.counters = Some(c),
                }
            }
        }
        out.top.sort_by_key(|t| Reverse(t.0));
        out.top.truncate(self.limit);
        if self.count_facets && out.counters.is_none() {
            out.counters = Some(Box::new(Counters::new()));
        }
        Ok(out)
    }
}

pub(crate) struct SegmentSearch {
    segment_ord: SegmentOrdinal,
    rank_by: RankBy,
    limit: usize,
    below: Option<Rank>,
    filters: Arc<Vec<CompiledFilter>>,
    /// Whether documents' facet words are needed (to count or to filter).
    needs_words: bool,
    words: Arc<SegmentWords>,
    key: Column<u64>,
    /// Min-heap of the best `limit` ranks seen (the root is the worst of them).
    heap: BinaryHeap<Reverse<(Rank, DocId)>>,
    total: u64,
    remaining: u64,
    counters: Option<Box<Counters>>,
}

/// Every document has exactly one value in the single-valued columns; reading the values
/// directly skips the optional-index lookup `Column::first` would do.
#[inline]
fn single<
    T: tantivy::columnar::MonotonicallyMappableToU64
        + PartialOrd
        + Copy
        + Send
        + Sync
        + std::fmt::Debug
        + 'static,
>(
    column: &Column<T>,
    doc: DocId,
    default: T,
) -> T {
    match column.index {
        ColumnIndex::Full => column.values.get_val(doc),
        _ => column.first(doc).unwrap_or(default),
    }
}

/// Maps an f32 to a u64 with the same order (scores are finite; the sign trick keeps it
/// correct for negative values too).
#[inline]
fn score_rank(score: Score) -> u64 {
    let bits = score.to_bits();
    let ordered = if bits & 0x8000_0000 != 0 {
        !bits
    } else {
        bits | 0x8000_0000
    };
    u64::from(ordered)
}

#[inline]
fn day_rank(day: i64) -> u64 {
    (day as u64) ^ (1 << 63)
}

impl SegmentSearch {
    #[inline]
    fn day(&self, doc: DocId) -> i64 {
        self.words
            .days
            .get(doc as usize)
            .copied()
            .map_or(0, i64::from)
    }

    #[inline]
    fn primary(&self, doc: DocId, score: Score) -> u64 {
        match self.rank_by {
            RankBy::Score => score_rank(score),
            RankBy::Newest => day_rank(self.day(doc)),
            RankBy::Oldest => !day_rank(self.day(doc)),
        }
    }

    #[inline]
    fn secondary(&self, doc: DocId) -> u64 {
        !single(&self.key, doc, 0)
    }

    #[inline]
    fn offer(&mut self, doc: DocId, score: Score) {
        if self.limit == 0 {
            self.remaining += 1;
            return;
        }
        let primary = self.primary(doc, score);
        let mut secondary = None;
        if let Some(below) = self.below {
            if primary > below.0 {
                return;
            }
            if primary == below.0 {
                let s = self.secondary(doc);
                if s >= below.1 {
                    return;
                }
                secondary = Some(s);
            }
        }
        self.remaining += 1;
        if self.heap.len() >= self.limit {
            let Some(Reverse((worst, _))) = self.heap.peek() else {
                return;
            };
            if primary < worst.0 {
                return;
            }
            let s = secondary.unwrap_or_else(|| self.secondary(doc));
            if (primary, s) <= *worst {
                return;
            }
            self.heap.pop();
            self.heap.push(Reverse(((primary, s), doc)));
        } else {
            let s = secondary.unwrap_or_else(|| self.secondary(doc));
            self.heap.push(Reverse(((primary, s), doc)));
        }
    }
}

impl SegmentSearch {
    /// Applies the filters, counts and ranking to one document.
    #[inline]
    fn filter_count_offer(&mut self, doc: DocId, score: Score) {
        let words = &*self.words;
        let Some(w) = words.docs.get(doc as usize) else {
            return;
        };
        let many = if w.countries == MANY_COUNTRIES {
            words.many.get(&doc)
        } else {
            None
        };
        let mut failed = None;
        let mut fails = 0;
        for f in self.filters.iter() {
            if !f.accepts(w, many) {
                fails += 1;
                failed = Some(f.facet);
                if fails > 1 {
                    break;
                }
            }
        }
        match (fails, failed) {
            (0, _) => {
                if let Some(c) = self.counters.as_mut() {
                    c.count_all(w, many);
                }
                self.total += 1;
                self.offer(doc, score);
            }
            (1, Some(facet)) => {
                if let Some(c) = self.counters.as_mut() {
                    c.count_one(facet, w, many);
                }
            }
            _ => {}
        }
    }
}

impl SegmentCollector for SegmentSearch {
    type Fruit = SegmentFruit;

    #[inline]
    fn collect(&mut self, doc: DocId, score: Score) {
        if self.needs_words {
            self.filter_count_offer(doc, score);
        } else {
            self.total += 1;
            self.offer(doc, score);
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        for doc in docs {
            self.collect(*doc, 0.0);
        }
    }

    fn harvest(mut self) -> SegmentFruit {
        if let Some(c) = self.counters.as_mut() {
            c.finish();
        }
        let segment_ord = self.segment_ord;
        SegmentFruit {
            total: self.total,
            remaining: self.remaining,
            top: self
                .heap
                .into_iter()
                .map(|Reverse((rank, doc))| (rank, DocAddress::new(segment_ord, doc)))
                .collect(),
            counters: self.counters,
        }
    }
}
