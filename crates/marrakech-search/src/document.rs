//! What the platform indexes for one published knowledge item.
//!
//! A [`SearchDocument`] is built by the caller from a published item in the database and is
//! nothing more than what search needs: texts, taxonomy, places, organizations and the
//! publication date. It has no field for a contact or any other person: personal data cannot
//! enter the index because the type has nowhere to put it.

use std::collections::BTreeSet;
use std::fmt;

use marrakech_core::countries::M49;
use std::sync::OnceLock;

use marrakech_core::{Compact, CompactRef, Country, Reference};

use crate::error::{DocumentError, ParseError};

pub use marrakech_core::knowledge::{ItemKind, Language};
pub use marrakech_core::policy::OrganizationKind;

/// An implementing organization or partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub name: String,
    /// Unknown for an organization named by a submitter but not in the directory.
    pub kind: Option<OrganizationKind>,
}

/// Where an item applies beyond single countries: an M49 region or sub-region, or the whole
/// world ("global" in the GFMD Platform for Partnerships' vocabulary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Area {
    Global,
    Region(M49),
}

impl Area {
    /// `global`, or the three-digit M49 code (`002`).
    pub fn parse(s: &str) -> Result<Area, ParseError> {
        let bad = || ParseError::FacetValue {
            facet: "region",
            value: s.to_owned(),
        };
        if s == "global" {
            return Ok(Area::Global);
        }
        let code: M49 = s.parse().map_err(|_| bad())?;
        if is_region(code) {
            Ok(Area::Region(code))
        } else {
            Err(bad())
        }
    }
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Area::Global => f.write_str("global"),
            Area::Region(code) => write!(f, "{code}"),
        }
    }
}

/// One language version of an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguageVersion {
    pub language: Language,
    pub title: String,
    pub summary: String,
    /// Plain text: the caller renders the sanitized Markdown to text first, so markup never
    /// reaches snippets.
    pub body: String,
    /// The version the item was written in; the others are translations.
    pub original: bool,
}

/// A published knowledge item as the index sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchDocument {
    /// The item's stable id in the database; replacing a document means upserting this id.
    pub id: String,
    pub kind: ItemKind,
    pub versions: Vec<LanguageVersion>,
    /// `obj-7` references. Objectives of the listed actions are added when indexing.
    pub objectives: Vec<CompactRef>,
    /// `obj-7-c` references.
    pub actions: Vec<CompactRef>,
    /// `gp-a` references.
    pub principles: Vec<CompactRef>,
    pub countries: Vec<M49>,
    /// Regions named by the item; the regions and sub-regions of its countries are added when
    /// indexing, so filtering by Africa finds an item about Kenya.
    pub areas: Vec<Area>,
    pub organizations: Vec<Organization>,
    pub published: time::Date,
}

/// Limits that keep one document from dominating memory or snippet time.
pub const MAX_ID_BYTES: usize = 128;
pub const MAX_TITLE_CHARS: usize = 1_000;
pub const MAX_SUMMARY_CHARS: usize = 20_000;
pub const MAX_BODY_CHARS: usize = 500_000;
pub const MAX_LIST_LEN: usize = 500;
/// Publication years the facet encoding can hold (8 bits above 1900).
pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 2155;

impl SearchDocument {
    /// Checks everything the index relies on; [`crate::Index::upsert`] calls it.
    pub fn validate(&self) -> Result<(), DocumentError> {
        if self.id.is_empty() {
            return Err(DocumentError::EmptyId);
        }
        if self.id.len() > MAX_ID_BYTES {
            return Err(DocumentError::IdTooLong { max: MAX_ID_BYTES });
        }
        if self.id.chars().any(char::is_control) {
            return Err(DocumentError::IdControlCharacter);
        }
        if self.versions.is_empty() {
            return Err(DocumentError::NoVersion);
        }
        let mut seen = BTreeSet::new();
        for v in &self.versions {
            let language = v.language.code();
            if !seen.insert(v.language) {
                return Err(DocumentError::DuplicateLanguage(language));
            }
            if v.title.trim().is_empty() {
                return Err(DocumentError::EmptyTitle { language });
            }
            for (field, text, max) in [
                ("title", &v.title, MAX_TITLE_CHARS),
                ("summary", &v.summary, MAX_SUMMARY_CHARS),
                ("body", &v.body, MAX_BODY_CHARS),
            ] {
                // Bytes bound chars from above: count chars only when it could matter.
                if text.len() > max && text.chars().count() > max {
                    return Err(DocumentError::TextTooLong {
                        language,
                        field,
                        max,
                    });
                }
            }
        }
        let originals = self.versions.iter().filter(|v| v.original).count();
        if originals != 1 {
            return Err(DocumentError::Original(originals));
        }
        let compact = Compact::official();
        for (list, what) in [
            (&self.objectives, "objectives"),
            (&self.actions, "actions"),
            (&self.principles, "guiding principles"),
        ] {
            if list.len() > MAX_LIST_LEN {
                return Err(DocumentError::TooMany {
                    what,
                    max: MAX_LIST_LEN,
                });
            }
        }
        for r in &self.objectives {
            expect_ref(r, matches!(r, CompactRef::Objective(_)), "an objective")?;
        }
        for r in &self.actions {
            expect_ref(r, matches!(r, CompactRef::Action(..)), "an action")?;
        }
        for r in &self.principles {
            expect_ref(
                r,
                matches!(r, CompactRef::Principle(_)),
                "a guiding principle",
            )?;
        }
        for r in self
            .objectives
            .iter()
            .chain(&self.actions)
            .chain(&self.principles)
        {
            if !compact.contains(r) {
                return Err(DocumentError::UnknownReference(r.to_string()));
            }
        }
        if self.countries.len() > MAX_LIST_LEN || self.areas.len() > MAX_LIST_LEN {
            return Err(DocumentError::TooMany {
                what: "places",
                max: MAX_LIST_LEN,
            });
        }
        for c in &self.countries {
            if country(*c).is_none() {
                return Err(DocumentError::UnknownCountry(c.to_string()));
            }
        }
        for a in &self.areas {
            if let Area::Region(code) = a {
                if !is_region(*code) {
                    return Err(DocumentError::UnknownRegion(code.to_string()));
                }
            }
        }
        if self.organizations.len() > MAX_LIST_LEN {
            return Err(DocumentError::TooMany {
                what: "organizations",
                max: MAX_LIST_LEN,
            });
        }
        if self.organizations.iter().any(|o| o.name.trim().is_empty()) {
            return Err(DocumentError::EmptyOrganization);
        }
        let year = self.published.year();
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(DocumentError::YearOutOfRange(year));
        }
        Ok(())
    }

    pub fn original(&self) -> Option<&LanguageVersion> {
        self.versions.iter().find(|v| v.original)
    }

    pub fn version(&self, language: Language) -> Option<&LanguageVersion> {
        self.versions.iter().find(|v| v.language == language)
    }

    /// The languages the item exists in, in [`Language::ALL`] order.
    pub fn languages(&self) -> Vec<Language> {
        let set: BTreeSet<Language> = self.versions.iter().map(|v| v.language).collect();
        set.into_iter().collect()
    }

    /// The objective numbers the item relates to: those listed, and those of its actions.
    pub fn objective_numbers(&self) -> BTreeSet<u8> {
        self.objectives
            .iter()
            .chain(&self.actions)
            .filter_map(|r| match r {
                CompactRef::Objective(n) | CompactRef::Action(n, _) => Some(*n),
                _ => None,
            })
            .collect()
    }

    /// Guiding principle letters (`a`..`j`).
    pub fn principle_letters(&self) -> BTreeSet<char> {
        self.principles
            .iter()
            .filter_map(|r| match r {
                CompactRef::Principle(l) => Some(*l),
                _ => None,
            })
            .collect()
    }

    /// The region facet's values: the areas named, plus each country's M49 region and
    /// sub-region (not intermediate regions, which only some countries have and which the
    /// platform's pages do not list).
    pub fn region_values(&self) -> BTreeSet<Area> {
        let mut out: BTreeSet<Area> = self.areas.iter().copied().collect();
        for code in &self.countries {
            if let Some(country) = country(*code) {
                for area in [&country.region, &country.subregion].into_iter().flatten() {
                    out.insert(Area::Region(area.code));
                }
            }
        }
        out
    }
}

fn expect_ref(r: &CompactRef, ok: bool, expected: &'static str) -> Result<(), DocumentError> {
    if ok {
        Ok(())
    } else {
        Err(DocumentError::WrongReference {
            id: r.to_string(),
            expected,
        })
    }
}

/// M49 codes are below 1000, so a table indexed by code answers "which country" and "is this a
/// region" without a search; indexing a million documents asks it millions of times.
struct Places {
    countries: Vec<Option<usize>>,
    regions: Vec<bool>,
}

fn places() -> &'static Places {
    static PLACES: OnceLock<Places> = OnceLock::new();
    PLACES.get_or_init(|| {
        let reference = Reference::official();
        let mut countries = vec![None; 1000];
        for (i, c) in reference.countries.iter().enumerate() {
            countries[usize::from(c.m49.value())] = Some(i);
        }
        let mut regions = vec![false; 1000];
        for r in &reference.regions {
            regions[usize::from(r.code.value())] = true;
        }
        Places { countries, regions }
    })
}

/// The country with this M49 code, if it is one.
pub fn country(code: M49) -> Option<&'static Country> {
    let i = places()
        .countries
        .get(usize::from(code.value()))
        .copied()??;
    Reference::official().countries.get(i)
}

/// Whether the code is an M49 region, sub-region or intermediate region.
pub fn is_region(code: M49) -> bool {
    places()
        .regions
        .get(usize::from(code.value()))
        .copied()
        .unwrap_or(false)
}
