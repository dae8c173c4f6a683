//! The facet words and publication day of every document of a segment, decoded once into
//! plain arrays and kept for the segment's life.
//!
//! A results page counts eight facets over every match: for a broad query over a million
//! items that is seven hundred thousand documents. Read through tantivy's fast-field columns,
//! each document costs half a dozen dynamic calls into bit-unpacking code (mask, place, up to
//! four country words), which made facet counting cost five times the scoring itself. Read
//! from an array of 24-byte records it costs a couple of loads. The columns stay the
//! durable form (written at indexing, merged by tantivy); this is their decoded copy, 28
//! bytes a document (28 MB at a million items), built when a segment first becomes visible.
//!
//! Countries are kept as a list rather than as four 64-bit words: an item names one to a few
//! countries, so eight one-byte country numbers hold all of them (the rare item naming more
//! keeps its four words in a side table).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tantivy::columnar::{Column, ColumnIndex, MonotonicallyMappableToU64};
use tantivy::index::SegmentId;
use tantivy::{DocId, Searcher, SegmentReader};

use crate::collector::{F_COUNTRIES, F_MASK, F_PLACE, F_PUBLISHED};
use crate::facets::{COUNTRY_WORDS, FLAG_BITS};

/// `DocWords::countries` when the document names more countries than the list holds: its
/// words are in [`SegmentWords::many`]. (No list can be all ones: its country numbers are
/// distinct.)
pub(crate) const MANY_COUNTRIES: u64 = u64::MAX;
/// Country numbers in a list: one byte each, bit + 1, so that 0 ends the list.
const LIST_LEN: usize = 8;
/// Documents decoded per column read.
const CHUNK: usize = 4096;

/// One document's facet values as the collector reads them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct DocWords {
    /// The facet bits of the `mask` field (kind, language, principle, organization type,
    /// objective).
    pub mask: u64,
    /// Areas and the year, as in the `place` field.
    pub place: u64,
    /// Country bits + 1, one per byte from the lowest, or [`MANY_COUNTRIES`].
    pub countries: u64,
}

impl DocWords {
    /// The record of a document with these field values.
    pub fn new(mask: u64, place: u64, countries: &[u64; COUNTRY_WORDS]) -> DocWords {
        DocWords {
            mask: mask & ((1 << FLAG_BITS) - 1),
            place,
            countries: country_list(countries).unwrap_or(MANY_COUNTRIES),
        }
    }
}

/// The countries of four country words as a list, or `None` when they do not fit.
fn country_list(words: &[u64; COUNTRY_WORDS]) -> Option<u64> {
    let mut list = 0u64;
    let mut n = 0;
    for (k, word) in words.iter().enumerate() {
        let mut bits = *word;
        while bits != 0 {
            let bit = k * 64 + bits.trailing_zeros() as usize;
            // A byte holds bit + 1 up to 255.
            if n == LIST_LEN || bit >= 255 {
                return None;
            }
            list |= (bit as u64 + 1) << (8 * n);
            n += 1;
            bits &= bits - 1;
        }
    }
    Some(list)
}

/// Calls `f` with each country bit of a list.
#[inline]
pub(crate) fn for_each_country(mut list: u64, mut f: impl FnMut(usize)) {
    while list != 0 {
        f((list & 0xff) as usize - 1);
        list >>= 8;
    }
}

/// A segment's documents, decoded.
pub(crate) struct SegmentWords {
    pub docs: Vec<DocWords>,
    /// Days since 1970-01-01, for date order.
    pub days: Vec<i32>,
    /// The country words of documents whose countries do not fit a list.
    pub many: HashMap<DocId, [u64; COUNTRY_WORDS]>,
}

impl SegmentWords {
    fn load(reader: &SegmentReader) -> tantivy::Result<SegmentWords> {
        let fast = reader.fast_fields();
        let mask = fast.u64(F_MASK)?;
        let place = fast.u64(F_PLACE)?;
        let countries = F_COUNTRIES
            .iter()
            .map(|name| fast.u64(name))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let published = fast.i64(F_PUBLISHED)?;
        let max_doc = reader.max_doc() as usize;
        let mut out = SegmentWords {
            docs: Vec::with_capacity(max_doc),
            days: Vec::with_capacity(max_doc),
            many: HashMap::new(),
        };
        let mut masks = vec![0u64; CHUNK];
        let mut places = vec![0u64; CHUNK];
        let mut country_words = vec![[0u64; CHUNK]; COUNTRY_WORDS];
        let mut days = vec![0i64; CHUNK];
        let mut start = 0;
        while start < max_doc {
            let n = CHUNK.min(max_doc - start);
            read_range(&mask, start, &mut masks[..n]);
            read_range(&place, start, &mut places[..n]);
            for (column, words) in countries.iter().zip(country_words.iter_mut()) {
                read_range(column, start, &mut words[..n]);
            }
            read_range(&published, start, &mut days[..n]);
            for i in 0..n {
                let words: [u64; COUNTRY_WORDS] = std::array::from_fn(|k| country_words[k][i]);
                let doc = DocWords::new(masks[i], places[i], &words);
                if doc.countries == MANY_COUNTRIES {
                    out.many.insert((start + i) as DocId, words);
                }
                out.docs.push(doc);
                // Days since 1970 fit an i32 for any date `time` accepts.
                out.days
                    .push(i32::try_from(days[i]).unwrap_or(if days[i] < 0 {
                        i32::MIN
                    } else {
                        i32::MAX
                    }));
            }
            start += n;
        }
        Ok(out)
    }
}

/// Reads the values of documents `start..start + out.len()` (0 for a document without one).
fn read_range<T>(column: &Column<T>, start: usize, out: &mut [T])
where
    T: MonotonicallyMappableToU64
        + PartialOrd
        + Copy
        + Default
        + Send
        + Sync
        + std::fmt::Debug
        + 'static,
{
    match column.index {
        ColumnIndex::Full => column.values.get_range(start as u64, out),
        _ => {
            for (i, o) in out.iter_mut().enumerate() {
                *o = column.first((start + i) as DocId).unwrap_or_default();
            }
        }
    }
}

/// The decoded segments of an index, by segment.
#[derive(Default)]
pub(crate) struct WordsCache {
    segments: Mutex<HashMap<SegmentId, Arc<SegmentWords>>>,
}

impl WordsCache {
    fn lock(&self) -> MutexGuard<'_, HashMap<SegmentId, Arc<SegmentWords>>> {
        // The map is only ever inserted into or pruned whole: a panic elsewhere cannot leave
        // it half-changed, so a poisoned lock is safe to use.
        self.segments.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The segment's words, decoding them on first use. A segment's values never change
    /// (deletions only hide documents), so an entry stays valid as long as the segment lives.
    pub fn get(&self, reader: &SegmentReader) -> tantivy::Result<Arc<SegmentWords>> {
        let id = reader.segment_id();
        if let Some(words) = self.lock().get(&id) {
            return Ok(words.clone());
        }
        // Decoded outside the lock, so that searches over other segments do not wait; two
        // searches meeting a new segment at once both decode it, and one copy is kept.
        let words = Arc::new(SegmentWords::load(reader)?);
        Ok(self.lock().entry(id).or_insert(words).clone())
    }

    /// Keeps the entries of the searcher's segments only, decoding the new ones, so that the
    /// first search after a commit does not pay for it.
    pub fn refresh(&self, searcher: &Searcher) -> tantivy::Result<()> {
        let live: Vec<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(|r| r.segment_id())
            .collect();
        self.lock().retain(|id, _| live.contains(id));
        for reader in searcher.segment_readers() {
            self.get(reader)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_lists_round_trip_or_overflow() {
        let mut words = [0u64; COUNTRY_WORDS];
        words[0] = 0b1001;
        words[3] = 1 << 60;
        let list = country_list(&words).unwrap();
        let mut seen = Vec::new();
        for_each_country(list, |b| seen.push(b));
        assert_eq!(seen, [0, 3, 3 * 64 + 60]);
        assert_eq!(country_list(&[0; COUNTRY_WORDS]), Some(0));
        // Nine countries do not fit.
        let many = [0x1ff, 0, 0, 0];
        assert_eq!(country_list(&many), None);
        assert_eq!(DocWords::new(0, 0, &many).countries, MANY_COUNTRIES);
        // Eight do.
        let eight = [0xff, 0, 0, 0];
        let mut n = 0;
        for_each_country(country_list(&eight).unwrap(), |_| n += 1);
        assert_eq!(n, 8);
    }
}
