//! Opaque cursors for "search after" pagination.
//!
//! A cursor records where the previous page ended: the last hit's sort value (its score, or
//! its publication day) and a tie-breaker derived from its id. The next page is every
//! matching item that sorts strictly after that position. Unlike an offset, this neither
//! skips nor repeats items when earlier pages gain or lose items between requests, and its
//! cost does not grow with the page number (CKAN's 1,000-row cap exists because offsets do).
//!
//! It also records the sort order and a fingerprint of the query and filters, so a cursor
//! replayed against another search is refused ([`crate::SearchError::CursorMismatch`])
//! rather than silently giving a wrong page.

use std::fmt;
use std::str::FromStr;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::error::ParseError;

const VERSION: u8 = 1;
const LEN: usize = 1 + 1 + 4 + 8 + 8;

/// Sort orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Sort {
    /// BM25 score, best first. An empty query has no score, so it sorts as [`Sort::Newest`].
    #[default]
    Relevance,
    /// Publication date, newest first.
    Newest,
    /// Publication date, oldest first.
    Oldest,
}

impl Sort {
    pub fn name(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
        }
    }

    pub fn parse(s: &str) -> Result<Sort, ParseError> {
        [Sort::Relevance, Sort::Newest, Sort::Oldest]
            .into_iter()
            .find(|x| x.name() == s)
            .ok_or_else(|| ParseError::Sort(s.to_owned()))
    }

    fn code(self) -> u8 {
        match self {
            Sort::Relevance => 0,
            Sort::Newest => 1,
            Sort::Oldest => 2,
        }
    }

    fn from_code(c: u8) -> Option<Sort> {
        match c {
            0 => Some(Sort::Relevance),
            1 => Some(Sort::Newest),
            2 => Some(Sort::Oldest),
            _ => None,
        }
    }
}

impl FromStr for Sort {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Sort::parse(s)
    }
}

/// A position in a result list. Print it with `to_string()`, read it back with
/// [`Cursor::parse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cursor {
    pub(crate) sort: Sort,
    pub(crate) fingerprint: u32,
    /// The rank of the last hit: higher is earlier in the list.
    pub(crate) rank: (u64, u64),
}

impl Cursor {
    /// Reads a cursor printed by [`Cursor::to_string`]; anything else is
    /// [`ParseError::Cursor`].
    pub fn parse(s: &str) -> Result<Cursor, ParseError> {
        if s.len() > 64 {
            return Err(ParseError::Cursor);
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(s.as_bytes())
            .map_err(|_| ParseError::Cursor)?;
        if bytes.len() != LEN || bytes[0] != VERSION {
            return Err(ParseError::Cursor);
        }
        let sort = Sort::from_code(bytes[1]).ok_or(ParseError::Cursor)?;
        let u32_at = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap_or_default());
        let u64_at = |i: usize| u64::from_be_bytes(bytes[i..i + 8].try_into().unwrap_or_default());
        Ok(Cursor {
            sort,
            fingerprint: u32_at(2),
            rank: (u64_at(6), u64_at(14)),
        })
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut bytes = Vec::with_capacity(LEN);
        bytes.push(VERSION);
        bytes.push(self.sort.code());
        bytes.extend_from_slice(&self.fingerprint.to_be_bytes());
        bytes.extend_from_slice(&self.rank.0.to_be_bytes());
        bytes.extend_from_slice(&self.rank.1.to_be_bytes());
        f.write_str(&URL_SAFE_NO_PAD.encode(bytes))
    }
}

impl FromStr for Cursor {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cursor::parse(s)
    }
}

/// The most hits one page can hold. Pagination goes on with cursors, never beyond a cap.
pub const MAX_PAGE_SIZE: usize = 100;
pub const DEFAULT_PAGE_SIZE: usize = 20;

/// A validated page size, 1 to [`MAX_PAGE_SIZE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageSize(usize);

impl PageSize {
    pub fn new(n: usize) -> Result<PageSize, ParseError> {
        if (1..=MAX_PAGE_SIZE).contains(&n) {
            Ok(PageSize(n))
        } else {
            Err(ParseError::PageSize {
                got: n,
                max: MAX_PAGE_SIZE,
            })
        }
    }

    pub fn get(self) -> usize {
        self.0
    }
}

impl Default for PageSize {
    fn default() -> Self {
        PageSize(DEFAULT_PAGE_SIZE)
    }
}

/// FNV-1a, 64 bits: a stable hash (std's `DefaultHasher` may change between Rust releases,
/// and cursors and tie-breakers must mean the same thing after an upgrade).
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let c = Cursor {
            sort: Sort::Oldest,
            fingerprint: 0xdead_beef,
            rank: (u64::MAX, 7),
        };
        assert_eq!(Cursor::parse(&c.to_string()).unwrap(), c);
    }

    #[test]
    fn refuses_garbage() {
        for s in ["", "abc", "!!!!", &"A".repeat(30), &"A".repeat(200)] {
            assert_eq!(Cursor::parse(s), Err(ParseError::Cursor), "{s}");
        }
        // Right length, unknown version.
        let mut bytes = vec![9u8; LEN];
        bytes[1] = 0;
        assert!(Cursor::parse(&URL_SAFE_NO_PAD.encode(&bytes)).is_err());
    }

    #[test]
    fn page_size_bounds() {
        assert!(PageSize::new(0).is_err());
        assert!(PageSize::new(MAX_PAGE_SIZE + 1).is_err());
        assert_eq!(PageSize::new(MAX_PAGE_SIZE).unwrap().get(), MAX_PAGE_SIZE);
    }
}
