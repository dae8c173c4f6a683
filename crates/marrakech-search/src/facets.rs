//! Facets: their names, their values as the API spells them, how a document's values are
//! packed into fast fields, and the filters built from them.
//!
//! Every document carries single-valued u64 fast fields, every value one bit:
//! - `mask`: one bit per kind (5), language (6), guiding principle (10), organization kind
//!   (16) and objective (23): 60 bits; and in bits 60-63 which of the `countries_*` words are
//!   non-zero;
//! - `place`: one bit per M49 region, sub-region or intermediate region, bit 0 for global, and
//!   the publication year minus 1900 in bits 48-55;
//! - `countries_0`..`countries_3`: one bit per country (249 countries in 4 words).
//!
//! Counting facets then costs two or three dense column reads and a walk over set bits per
//! matching document, and a filter is a mask test. Multi-valued columns would cost an index
//! lookup per document and a read per value, which is what made facet counts over a million
//! matches slow. Bits are assigned from the bundled reference table in code order; the
//! table's fingerprint is recorded in the index (see [`crate::Index`]), so an index built
//! with another table is refused rather than misread.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use marrakech_core::compact::OBJECTIVE_LABELS;
use marrakech_core::countries::M49;
use marrakech_core::{Compact, CompactRef, Reference};
use serde::Serialize;

use crate::document::{self, Area, ItemKind, Language, OrganizationKind, SearchDocument, MIN_YEAR};
use crate::error::ParseError;
use crate::words::{for_each_country, DocWords};

/// The facets, in the order the API lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Facet {
    Kind,
    Objective,
    Principle,
    Region,
    Country,
    OrganizationType,
    Language,
    Year,
}

impl Facet {
    pub const ALL: [Facet; 8] = [
        Facet::Kind,
        Facet::Objective,
        Facet::Principle,
        Facet::Region,
        Facet::Country,
        Facet::OrganizationType,
        Facet::Language,
        Facet::Year,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Facet::Kind => "kind",
            Facet::Objective => "objective",
            Facet::Principle => "principle",
            Facet::Region => "region",
            Facet::Country => "country",
            Facet::OrganizationType => "organization-type",
            Facet::Language => "language",
            Facet::Year => "year",
        }
    }

    pub fn parse(s: &str) -> Result<Facet, ParseError> {
        Facet::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| ParseError::Facet(s.to_owned()))
    }

    /// The bits this facet owns in its word (`mask` for most, `place` for regions).
    pub(crate) fn bits(self) -> u64 {
        match self {
            Facet::Kind => range_mask(KIND_SHIFT, 5),
            Facet::Language => range_mask(LANGUAGE_SHIFT, 6),
            Facet::Principle => range_mask(PRINCIPLE_SHIFT, 10),
            Facet::OrganizationType => {
                range_mask(ORG_TYPE_SHIFT, OrganizationKind::ALL.len() as u32)
            }
            Facet::Objective => range_mask(OBJECTIVE_SHIFT, 23),
            Facet::Region => range_mask(0, AREA_BITS),
            Facet::Year | Facet::Country => 0,
        }
    }
}

impl FromStr for Facet {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Facet::parse(s)
    }
}

impl fmt::Display for Facet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

const KIND_SHIFT: u32 = 0;
const LANGUAGE_SHIFT: u32 = 5;
const PRINCIPLE_SHIFT: u32 = 11;
const ORG_TYPE_SHIFT: u32 = 21;
const OBJECTIVE_SHIFT: u32 = 37;
/// `mask` bits below this are facet values.
pub(crate) const FLAG_BITS: u32 = 60;
/// `mask` bits 60.. say which country words are non-zero.
pub(crate) const COUNTRY_WORDS_SHIFT: u32 = 60;
/// `place` bits below this are areas; the year is above.
pub(crate) const AREA_BITS: u32 = 48;
pub(crate) const YEAR_SHIFT: u32 = 48;
/// Country words.
pub(crate) const COUNTRY_WORDS: usize = 4;

const fn range_mask(shift: u32, len: u32) -> u64 {
    ((1u64 << len) - 1) << shift
}

/// Bit numbers of areas and countries, from the bundled reference table in code order.
pub(crate) struct Places {
    /// Area bit -> area (bit 0 is global).
    pub areas: Vec<Area>,
    area_bit: Vec<Option<u32>>,
    /// Country bit -> M49.
    pub countries: Vec<M49>,
    country_bit: Vec<Option<u32>>,
    /// Identifies the assignment; recorded with every commit.
    pub fingerprint: String,
}

pub(crate) fn places() -> &'static Places {
    static P: OnceLock<Places> = OnceLock::new();
    P.get_or_init(|| {
        let reference = Reference::official();
        let mut region_codes: Vec<M49> = reference.regions.iter().map(|r| r.code).collect();
        region_codes.sort();
        region_codes.dedup();
        let mut areas = vec![Area::Global];
        areas.extend(region_codes.iter().map(|c| Area::Region(*c)));
        // 29 areas today; the encoding has room for 47 plus global.
        areas.truncate(AREA_BITS as usize);
        let mut area_bit = vec![None; 1000];
        for (i, a) in areas.iter().enumerate().skip(1) {
            if let Area::Region(c) = a {
                area_bit[usize::from(c.value())] = Some(i as u32);
            }
        }
        let mut countries: Vec<M49> = reference.countries.iter().map(|c| c.m49).collect();
        countries.sort();
        countries.dedup();
        countries.truncate(COUNTRY_WORDS * 64);
        let mut country_bit = vec![None; 1000];
        for (i, c) in countries.iter().enumerate() {
            country_bit[usize::from(c.value())] = Some(i as u32);
        }
        let mut key = String::new();
        for a in &areas {
            key.push_str(&a.to_string());
            key.push(',');
        }
        key.push(';');
        for c in &countries {
            key.push_str(&c.to_string());
            key.push(',');
        }
        let fingerprint = format!("places-v1-{:016x}", crate::cursor::fnv1a(key.as_bytes()));
        Places {
            areas,
            area_bit,
            countries,
            country_bit,
            fingerprint,
        }
    })
}

impl Places {
    pub fn area_bit(&self, a: Area) -> Option<u32> {
        match a {
            Area::Global => Some(0),
            Area::Region(c) => self.area_bit.get(usize::from(c.value())).copied()?,
        }
    }

    pub fn country_bit(&self, c: M49) -> Option<u32> {
        self.country_bit.get(usize::from(c.value())).copied()?
    }
}

/// A facet value, typed. [`FacetValue::parse`] takes the spelling the API shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FacetValue {
    Kind(ItemKind),
    Objective(u8),
    Principle(char),
    Region(Area),
    Country(M49),
    OrganizationType(OrganizationKind),
    Language(Language),
    Year(i32),
}

impl FacetValue {
    pub fn facet(&self) -> Facet {
        match self {
            FacetValue::Kind(_) => Facet::Kind,
            FacetValue::Objective(_) => Facet::Objective,
            FacetValue::Principle(_) => Facet::Principle,
            FacetValue::Region(_) => Facet::Region,
            FacetValue::Country(_) => Facet::Country,
            FacetValue::OrganizationType(_) => Facet::OrganizationType,
            FacetValue::Language(_) => Facet::Language,
            FacetValue::Year(_) => Facet::Year,
        }
    }

    /// Parses `value` as a value of `facet`: `practice`, `obj-7`, `gp-a`, `002` or `global`,
    /// `404`, `civil-society`, `fr`, `2021`.
    pub fn parse(facet: Facet, value: &str) -> Result<FacetValue, ParseError> {
        let bad = || ParseError::FacetValue {
            facet: facet.name(),
            value: value.to_owned(),
        };
        Ok(match facet {
            Facet::Kind => FacetValue::Kind(ItemKind::parse(value).ok_or_else(bad)?),
            Facet::Objective => match CompactRef::parse(value) {
                Ok(CompactRef::Objective(n)) => FacetValue::Objective(n),
                _ => return Err(bad()),
            },
            Facet::Principle => match CompactRef::parse(value) {
                Ok(CompactRef::Principle(l)) => FacetValue::Principle(l),
                _ => return Err(bad()),
            },
            Facet::Region => FacetValue::Region(Area::parse(value).map_err(|_| bad())?),
            Facet::Country => {
                let code: M49 = value.parse().map_err(|_| bad())?;
                if document::country(code).is_none() {
                    return Err(bad());
                }
                FacetValue::Country(code)
            }
            Facet::OrganizationType => {
                FacetValue::OrganizationType(OrganizationKind::parse(value).ok_or_else(bad)?)
            }
            // Exactly the code the API prints, so a value round-trips and nothing like
            // `EN-gb` is silently taken for English.
            Facet::Language => FacetValue::Language(
                Language::ALL
                    .into_iter()
                    .find(|l| l.code() == value)
                    .ok_or_else(bad)?,
            ),
            Facet::Year => {
                if value.len() != 4 || !value.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad());
                }
                let year: i32 = value.parse().map_err(|_| bad())?;
                if !(document::MIN_YEAR..=document::MAX_YEAR).contains(&year) {
                    return Err(bad());
                }
                FacetValue::Year(year)
            }
        })
    }

    /// A human label: the objective's short name, the country's UN name, and so on.
    pub fn label(&self) -> String {
        match self {
            FacetValue::Kind(k) => k.label().to_owned(),
            FacetValue::Objective(n) => OBJECTIVE_LABELS
                .get(usize::from(*n).wrapping_sub(1))
                .map(|l| format!("{n}. {l}"))
                .unwrap_or_default(),
            FacetValue::Principle(l) => Compact::official()
                .principle(*l)
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            FacetValue::Region(Area::Global) => "Global".to_owned(),
            FacetValue::Region(Area::Region(code)) => Reference::official()
                .regions
                .iter()
                .find(|r| r.code == *code)
                .map(|r| r.name.clone())
                .unwrap_or_default(),
            FacetValue::Country(code) => document::country(*code)
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            FacetValue::OrganizationType(t) => t.label().to_owned(),
            FacetValue::Language(l) => l.endonym().to_owned(),
            FacetValue::Year(y) => y.to_string(),
        }
    }

    /// Where the value lives in the encoding.
    pub(crate) fn slot(&self) -> Slot {
        match self {
            FacetValue::Kind(k) => Slot::Mask(KIND_SHIFT + k.index() as u32),
            FacetValue::Language(l) => Slot::Mask(LANGUAGE_SHIFT + l.index() as u32),
            FacetValue::Principle(c) => {
                Slot::Mask(PRINCIPLE_SHIFT + (*c as u32).saturating_sub('a' as u32))
            }
            FacetValue::OrganizationType(t) => Slot::Mask(ORG_TYPE_SHIFT + t.index() as u32),
            FacetValue::Objective(n) => {
                Slot::Mask(OBJECTIVE_SHIFT + u32::from(*n).saturating_sub(1))
            }
            FacetValue::Year(y) => Slot::Year((*y - MIN_YEAR).clamp(0, 255) as usize),
            FacetValue::Region(a) => places().area_bit(*a).map_or(Slot::None, Slot::Area),
            FacetValue::Country(c) => places().country_bit(*c).map_or(Slot::None, Slot::Country),
        }
    }

    /// Decodes a `mask` bit back to its value.
    pub(crate) fn from_bit(bit: u32) -> Option<FacetValue> {
        Some(match bit {
            b if b < LANGUAGE_SHIFT => FacetValue::Kind(*ItemKind::ALL.get(b as usize)?),
            b if b < PRINCIPLE_SHIFT => {
                FacetValue::Language(*Language::ALL.get((b - LANGUAGE_SHIFT) as usize)?)
            }
            b if b < ORG_TYPE_SHIFT => {
                FacetValue::Principle(char::from_u32('a' as u32 + b - PRINCIPLE_SHIFT)?)
            }
            b if b < OBJECTIVE_SHIFT => FacetValue::OrganizationType(
                *OrganizationKind::ALL.get((b - ORG_TYPE_SHIFT) as usize)?,
            ),
            b if b < FLAG_BITS => FacetValue::Objective((b - OBJECTIVE_SHIFT + 1) as u8),
            _ => return None,
        })
    }
}

impl fmt::Display for FacetValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FacetValue::Kind(k) => f.write_str(k.slug()),
            FacetValue::Objective(n) => write!(f, "obj-{n}"),
            FacetValue::Principle(l) => write!(f, "gp-{l}"),
            FacetValue::Region(a) => write!(f, "{a}"),
            FacetValue::Country(c) => write!(f, "{c}"),
            FacetValue::OrganizationType(t) => f.write_str(t.slug()),
            FacetValue::Language(l) => f.write_str(l.code()),
            FacetValue::Year(y) => write!(f, "{y}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Mask(u32),
    Area(u32),
    Year(usize),
    Country(u32),
    /// A value the encoding cannot hold (a region unknown to the bundled table): it matches
    /// nothing.
    None,
}

/// A document's fast field words.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Words {
    pub mask: u64,
    pub place: u64,
    pub countries: [u64; COUNTRY_WORDS],
}

impl Words {
    pub fn of(doc: &SearchDocument) -> Words {
        let mut w = Words::default();
        let mut set = |v: FacetValue| match v.slot() {
            Slot::Mask(b) => w.mask |= 1 << b,
            Slot::Area(b) => w.place |= 1 << b,
            Slot::Country(b) => w.countries[(b / 64) as usize] |= 1 << (b % 64),
            Slot::Year(y) => w.place |= (y as u64) << YEAR_SHIFT,
            Slot::None => {}
        };
        for values in document_facet_values(doc).into_values() {
            for v in values {
                set(v);
            }
        }
        for (i, c) in w.countries.iter().enumerate() {
            if *c != 0 {
                w.mask |= 1 << (COUNTRY_WORDS_SHIFT + i as u32);
            }
        }
        w
    }
}

/// Facet filters: AND across facets, OR within one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    values: BTreeMap<Facet, Vec<FacetValue>>,
}

impl Filters {
    pub fn new() -> Filters {
        Filters::default()
    }

    /// Adds a value (parsed from the API's spelling) to its facet's OR-set.
    pub fn add(&mut self, facet: Facet, value: &str) -> Result<&mut Filters, ParseError> {
        let v = FacetValue::parse(facet, value)?;
        Ok(self.add_value(v))
    }

    pub fn add_value(&mut self, value: FacetValue) -> &mut Filters {
        let list = self.values.entry(value.facet()).or_default();
        if !list.contains(&value) {
            list.push(value);
            list.sort();
        }
        self
    }

    /// Builder form of [`Filters::add`].
    pub fn with(mut self, facet: Facet, value: &str) -> Result<Filters, ParseError> {
        self.add(facet, value)?;
        Ok(self)
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (Facet, &[FacetValue])> {
        self.values.iter().map(|(f, v)| (*f, v.as_slice()))
    }

    /// Whether a document passes the filters of `facet` (true when the facet has none).
    pub fn accepts(&self, facet: Facet, doc_values: &[FacetValue]) -> bool {
        match self.values.get(&facet) {
            None => true,
            Some(wanted) => wanted.iter().any(|w| doc_values.contains(w)),
        }
    }

    /// The filters as the collector applies them, one test per filtered facet.
    pub(crate) fn compile(&self) -> Vec<CompiledFilter> {
        self.values
            .iter()
            .map(|(facet, values)| {
                let mut f = CompiledFilter {
                    facet: *facet,
                    bits: 0,
                    years: [0; 4],
                    countries: [0; COUNTRY_WORDS],
                };
                for v in values {
                    match v.slot() {
                        Slot::Mask(b) | Slot::Area(b) => f.bits |= 1 << b,
                        Slot::Year(y) => f.years[y / 64] |= 1 << (y % 64),
                        Slot::Country(b) => f.countries[(b / 64) as usize] |= 1 << (b % 64),
                        Slot::None => {}
                    }
                }
                f
            })
            .collect()
    }
}

/// One facet's filter in the collector's terms.
#[derive(Debug, Clone)]
pub(crate) struct CompiledFilter {
    pub facet: Facet,
    /// `mask` bits, or `place` bits for regions.
    pub bits: u64,
    pub years: [u64; 4],
    pub countries: [u64; COUNTRY_WORDS],
}

impl CompiledFilter {
    /// Whether a document passes this facet's filter; `many` holds its country words when
    /// its countries do not fit a list.
    #[inline]
    pub fn accepts(&self, w: &DocWords, many: Option<&[u64; COUNTRY_WORDS]>) -> bool {
        match self.facet {
            Facet::Year => {
                let y = ((w.place >> YEAR_SHIFT) & 0xff) as usize;
                self.years[y / 64] & (1 << (y % 64)) != 0
            }
            Facet::Region => w.place & self.bits != 0,
            Facet::Country => match many {
                Some(words) => words
                    .iter()
                    .zip(self.countries.iter())
                    .any(|(a, b)| a & b != 0),
                None => {
                    let mut found = false;
                    for_each_country(w.countries, |b| {
                        found |= self.countries[b / 64] & (1 << (b % 64)) != 0
                    });
                    found
                }
            },
            _ => w.mask & self.bits != 0,
        }
    }
}

/// The values of every facet for one document, as [`FacetValue`]s: what a brute-force count
/// or a test compares against.
pub fn document_facet_values(doc: &SearchDocument) -> BTreeMap<Facet, Vec<FacetValue>> {
    let mut out: BTreeMap<Facet, Vec<FacetValue>> = BTreeMap::new();
    let mut put = |v: FacetValue| {
        let list = out.entry(v.facet()).or_default();
        if !list.contains(&v) {
            list.push(v);
        }
    };
    put(FacetValue::Kind(doc.kind));
    for n in doc.objective_numbers() {
        put(FacetValue::Objective(n));
    }
    for l in doc.principle_letters() {
        put(FacetValue::Principle(l));
    }
    for a in doc.region_values() {
        put(FacetValue::Region(a));
    }
    for c in &doc.countries {
        put(FacetValue::Country(*c));
    }
    for o in &doc.organizations {
        if let Some(kind) = o.kind {
            put(FacetValue::OrganizationType(kind));
        }
    }
    for l in doc.languages() {
        put(FacetValue::Language(l));
    }
    put(FacetValue::Year(doc.published.year()));
    out
}

/// One value's count in a facet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    /// The API spelling, usable as a filter value.
    pub value: String,
    pub label: String,
    pub count: u64,
}

/// A facet's counts, largest first (ties by value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCounts {
    pub facet: Facet,
    pub values: Vec<FacetCount>,
}

/// 64 counters kept "vertically": plane `k` holds bit `k` of every counter, so adding a word
/// of flags increments all 64 counters at once with a carry chain instead of one increment
/// per set bit.
#[derive(Clone, Copy)]
pub(crate) struct BitCounters {
    planes: [u64; 40],
}

impl BitCounters {
    pub fn new() -> BitCounters {
        BitCounters { planes: [0; 40] }
    }

    /// Adds `word << k` to the counters (each set bit counts `2^k`).
    #[inline]
    pub fn add_at(&mut self, word: u64, k: usize) {
        let mut carry = word;
        for plane in self.planes.iter_mut().skip(k) {
            if carry == 0 {
                return;
            }
            let next = *plane & carry;
            *plane ^= carry;
            carry = next;
        }
    }

    /// The counter of bit `i`.
    pub fn get(&self, i: u32) -> u64 {
        self.planes
            .iter()
            .enumerate()
            .map(|(k, plane)| ((plane >> i) & 1) << k)
            .sum()
    }

    fn from_counts(counts: &[u64; 64]) -> BitCounters {
        let mut out = BitCounters::new();
        for (k, plane) in out.planes.iter_mut().enumerate() {
            for (i, c) in counts.iter().enumerate() {
                *plane |= ((c >> k) & 1) << i;
            }
        }
        out
    }
}

/// Four-bit vertical counters in registers, for up to 15 words: a carry-save adder. Facet
/// counting runs for every matching document, and over a million matches it is most of a
/// query's time; this makes adding a document's flags four AND/XOR pairs, with a flush to
/// the wide counters every 15 documents.
#[derive(Clone, Copy, Default)]
pub(crate) struct Small {
    b: [u64; 4],
    n: u32,
}

impl Small {
    #[inline]
    fn add(&mut self, x: u64) {
        let c0 = self.b[0] & x;
        self.b[0] ^= x;
        let c1 = self.b[1] & c0;
        self.b[1] ^= c0;
        let c2 = self.b[2] & c1;
        self.b[2] ^= c1;
        self.b[3] ^= c2;
        self.n += 1;
    }

    #[inline]
    fn flush_into(&mut self, big: &mut BitCounters) {
        for (k, plane) in self.b.iter().enumerate() {
            big.add_at(*plane, k);
        }
        *self = Small::default();
    }
}

/// Raw counters, as the collector fills them. Call [`Counters::finish`] before reading.
#[derive(Clone)]
pub(crate) struct Counters {
    mask: BitCounters,
    place: BitCounters,
    mask_small: Small,
    place_small: Small,
    years: [u64; 256],
    countries: [u64; COUNTRY_WORDS * 64],
}

impl Counters {
    pub fn new() -> Counters {
        Counters {
            mask: BitCounters::new(),
            place: BitCounters::new(),
            mask_small: Small::default(),
            place_small: Small::default(),
            years: [0; 256],
            countries: [0; COUNTRY_WORDS * 64],
        }
    }

    /// Moves what the small counters hold into the wide ones.
    pub fn finish(&mut self) {
        self.mask_small.flush_into(&mut self.mask);
        self.place_small.flush_into(&mut self.place);
    }

    pub fn merge(&mut self, other: &Counters) {
        self.finish();
        let mut o = other.clone();
        o.finish();
        for (a, b) in [(&mut self.mask, &o.mask), (&mut self.place, &o.place)] {
            let mut counts = [0u64; 64];
            for (i, c) in counts.iter_mut().enumerate() {
                *c = a.get(i as u32) + b.get(i as u32);
            }
            *a = BitCounters::from_counts(&counts);
        }
        for (a, b) in self.years.iter_mut().zip(o.years.iter()) {
            *a += b;
        }
        for (a, b) in self.countries.iter_mut().zip(o.countries.iter()) {
            *a += b;
        }
    }

    /// Items name one or two countries: a loop over them beats vertical counting here.
    #[inline]
    fn count_countries(&mut self, w: &DocWords, many: Option<&[u64; COUNTRY_WORDS]>) {
        match many {
            Some(words) => {
                for (i, word) in words.iter().enumerate() {
                    let mut bits = *word;
                    while bits != 0 {
                        self.countries[i * 64 + bits.trailing_zeros() as usize] += 1;
                        bits &= bits - 1;
                    }
                }
            }
            None => for_each_country(w.countries, |b| self.countries[b] += 1),
        }
    }

    /// Counts all of one document's facets.
    #[inline]
    pub fn count_all(&mut self, w: &DocWords, many: Option<&[u64; COUNTRY_WORDS]>) {
        self.mask_small.add(w.mask & ((1 << FLAG_BITS) - 1));
        self.place_small.add(w.place & ((1 << AREA_BITS) - 1));
        if self.mask_small.n == 15 {
            self.finish();
        }
        self.years[((w.place >> YEAR_SHIFT) & 0xff) as usize] += 1;
        self.count_countries(w, many);
    }

    /// Counts one facet of a document (the one facet whose own filter it fails: multi-select
    /// faceting, see [`crate::Index::search`]).
    #[inline]
    pub fn count_one(&mut self, facet: Facet, w: &DocWords, many: Option<&[u64; COUNTRY_WORDS]>) {
        match facet {
            Facet::Year => self.years[((w.place >> YEAR_SHIFT) & 0xff) as usize] += 1,
            Facet::Region => self.place.add_at(w.place & facet.bits(), 0),
            Facet::Country => self.count_countries(w, many),
            _ => self.mask.add_at(w.mask & facet.bits(), 0),
        }
    }

    /// Turns counters into the API's lists, zero counts left out.
    pub fn into_facet_counts(mut self) -> Vec<FacetCounts> {
        self.finish();
        let mut lists: BTreeMap<Facet, Vec<(FacetValue, u64)>> =
            Facet::ALL.iter().map(|f| (*f, Vec::new())).collect();
        let mut put =
            |v: FacetValue, count: u64| lists.entry(v.facet()).or_default().push((v, count));
        for bit in 0..FLAG_BITS {
            let count = self.mask.get(bit);
            if count > 0 {
                if let Some(v) = FacetValue::from_bit(bit) {
                    put(v, count);
                }
            }
        }
        let p = places();
        for bit in 0..AREA_BITS {
            let count = self.place.get(bit);
            if count > 0 {
                if let Some(a) = p.areas.get(bit as usize) {
                    put(FacetValue::Region(*a), count);
                }
            }
        }
        for (y, count) in self.years.iter().enumerate() {
            if *count > 0 {
                put(FacetValue::Year(MIN_YEAR + y as i32), *count);
            }
        }
        for (bit, count) in self.countries.iter().enumerate() {
            if *count > 0 {
                if let Some(c) = p.countries.get(bit) {
                    put(FacetValue::Country(*c), *count);
                }
            }
        }
        lists
            .into_iter()
            .map(|(facet, mut values)| {
                values.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                FacetCounts {
                    facet,
                    values: values
                        .into_iter()
                        .map(|(v, count)| FacetCount {
                            value: v.to_string(),
                            label: v.label(),
                            count,
                        })
                        .collect(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bit_value_round_trips() {
        let mut seen = 0;
        for bit in 0..FLAG_BITS {
            let v = FacetValue::from_bit(bit).expect("every flag bit has a value");
            assert_eq!(v.slot(), Slot::Mask(bit));
            let parsed = FacetValue::parse(v.facet(), &v.to_string()).unwrap();
            assert_eq!(parsed, v);
            seen += 1;
        }
        assert_eq!(seen, 60);
    }

    #[test]
    fn vertical_counters_count() {
        let mut c = BitCounters::new();
        let mut expected = [0u64; 64];
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..10_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            c.add_at(x, 0);
            for (i, e) in expected.iter_mut().enumerate() {
                *e += (x >> i) & 1;
            }
        }
        for (i, e) in expected.iter().enumerate() {
            assert_eq!(c.get(i as u32), *e);
        }
        // Through the small counters, their flushes and a merge.
        let mut a = Counters::new();
        let mut b = Counters::new();
        let w = |mask| DocWords {
            mask,
            ..DocWords::default()
        };
        for i in 0..40u64 {
            a.count_all(&w(0b101 | (i & 1) << 1), None);
            b.count_all(&w(0b100), None);
        }
        a.merge(&b);
        a.finish();
        assert_eq!((a.mask.get(0), a.mask.get(1), a.mask.get(2)), (40, 20, 80));
        assert_eq!(a.years[0], 80);
    }

    #[test]
    fn every_place_has_a_bit() {
        let p = places();
        assert!(p.areas.len() <= AREA_BITS as usize);
        assert_eq!(p.countries.len(), Reference::official().countries.len());
        for c in &Reference::official().countries {
            assert!(p.country_bit(c.m49).is_some(), "{}", c.name);
        }
        for r in &Reference::official().regions {
            assert!(p.area_bit(Area::Region(r.code)).is_some(), "{}", r.name);
        }
    }

    #[test]
    fn refuses_values_of_the_wrong_facet() {
        assert!(FacetValue::parse(Facet::Objective, "gp-a").is_err());
        assert!(FacetValue::parse(Facet::Objective, "obj-7-c").is_err());
        assert!(FacetValue::parse(Facet::Country, "002").is_err());
        assert!(FacetValue::parse(Facet::Region, "404").is_err());
        assert!(FacetValue::parse(Facet::Year, "21").is_err());
        assert!(FacetValue::parse(Facet::Year, "1899").is_err());
        assert!(FacetValue::parse(Facet::Language, "EN").is_err());
        assert_eq!(
            FacetValue::parse(Facet::Region, "global").unwrap(),
            FacetValue::Region(Area::Global)
        );
        assert_eq!(
            FacetValue::parse(Facet::Country, "404")
                .unwrap()
                .to_string(),
            "404"
        );
    }
}
