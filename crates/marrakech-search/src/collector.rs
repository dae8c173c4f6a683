//! One pass over the matching documents that does everything a results page needs: the
//! filters, the total, the facet counts and the top of the list after the cursor.
//!
//! Doing it in one collector rather than tantivy's `(TopDocs, Count, FacetCollector)` tuple
//! reads each document's fast fields once and keeps filtering out of the query: filters are
//! mask tests on values the facet counts read anyway, and a document that fails exactly one
//! facet's filter still counts in that facet (multi-select faceting).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, ColumnIndex};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::facets::{CompiledFilter, Counters, Facet, Words, COUNTRY_WORDS, COUNTRY_WORDS_SHIFT};

pub(crate) const F_MASK: &str = "mask";
pub(crate) const F_PLACE: &str = "place";
pub(crate) const F_COUNTRIES: [&str; COUNTRY_WORDS] =
    ["countries_0", "countries_1", "countries_2", "countries_3"];
pub(crate) const F_KEY: &str = "key";
pub(crate) const F_PUBLISHED: &str = "published";

/// Documents are buffered and their fast fields read a block at a time: one virtual call
/// per column per block instead of per document.
const BLOCK: usize = 64;

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
        let fast = reader.fast_fields();
        let needs_countries =
            self.count_facets || self.filters.iter().any(|f| f.facet == Facet::Country);
        let countries = F_COUNTRIES
            .iter()
            .map(|name| fast.u64(name))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(SegmentSearch {
            segment_ord,
            rank_by: self.rank_by,
            limit: self.limit,
            below: self.below,
            filters: self.filters.clone(),
            needs_words: self.count_facets || !self.filters.is_empty(),
            needs_countries,
            mask: fast.u64(F_MASK)?,
            place: fast.u64(F_PLACE)?,
            countries,
            key: fast.u64(F_KEY)?,
            published: fast.i64(F_PUBLISHED)?,
            docs: Vec::with_capacity(BLOCK),
            scores: Vec::with_capacity(BLOCK),
            masks: vec![0; BLOCK],
            places: vec![0; BLOCK],
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
    needs_words: bool,
    needs_countries: bool,
    mask: Column<u64>,
    place: Column<u64>,
    countries: Vec<Column<u64>>,
    key: Column<u64>,
    published: Column<i64>,
    docs: Vec<DocId>,
    scores: Vec<Score>,
    masks: Vec<u64>,
    places: Vec<u64>,
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
    fn primary(&self, doc: DocId, score: Score) -> u64 {
        match self.rank_by {
            RankBy::Score => score_rank(score),
            RankBy::Newest => day_rank(single(&self.published, doc, 0)),
            RankBy::Oldest => !day_rank(single(&self.published, doc, 0)),
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
    /// Reads a block of documents' words and applies filters, counts and ranking.
    fn flush(&mut self) {
        let n = self.docs.len();
        if n == 0 {
            return;
        }
        read_block(&self.mask, &self.docs, &mut self.masks[..n]);
        read_block(&self.place, &self.docs, &mut self.places[..n]);
        for i in 0..n {
            let doc = self.docs[i];
            let mut w = Words {
                mask: self.masks[i],
                place: self.places[i],
                countries: [0; COUNTRY_WORDS],
            };
            if self.needs_countries {
                // Only the words the mask says are non-zero: most items name one or two
                // countries, all in one word.
                let mut present = (w.mask >> COUNTRY_WORDS_SHIFT) & ((1 << COUNTRY_WORDS) - 1);
                while present != 0 {
                    let k = present.trailing_zeros() as usize;
                    w.countries[k] = single(&self.countries[k], doc, 0);
                    present &= present - 1;
                }
            }
            let mut failed = None;
            let mut fails = 0;
            for f in self.filters.iter() {
                if !f.accepts(&w) {
                    fails += 1;
                    failed = Some(f.facet);
                    if fails > 1 {
                        break;
                    }
                }
            }
            match (fails, failed) {
                (0, _) => {
                    self.total += 1;
                    if let Some(c) = self.counters.as_mut() {
                        c.count_all(&w);
                    }
                    self.offer(doc, self.scores[i]);
                }
                (1, Some(facet)) => {
                    if let Some(c) = self.counters.as_mut() {
                        c.count_one(facet, &w);
                    }
                }
                _ => {}
            }
        }
        self.docs.clear();
        self.scores.clear();
    }
}

/// Reads one column's values for a block of documents.
#[inline]
fn read_block(column: &Column<u64>, docs: &[DocId], out: &mut [u64]) {
    match column.index {
        ColumnIndex::Full => column.values.get_vals(docs, out),
        _ => {
            for (d, o) in docs.iter().zip(out.iter_mut()) {
                *o = column.first(*d).unwrap_or(0);
            }
        }
    }
}

impl SegmentCollector for SegmentSearch {
    type Fruit = SegmentFruit;

    #[inline]
    fn collect(&mut self, doc: DocId, score: Score) {
        if !self.needs_words {
            self.total += 1;
            self.offer(doc, score);
            return;
        }
        self.docs.push(doc);
        self.scores.push(score);
        if self.docs.len() == BLOCK {
            self.flush();
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        for doc in docs {
            self.collect(*doc, 0.0);
        }
    }

    fn harvest(mut self) -> SegmentFruit {
        self.flush();
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
