//! Validated SDMX identifiers and versions.
//!
//! Identifiers reach XML attribute names (structure-specific data uses component ids as
//! attribute names), JSON keys, CSV headers and REST paths, so they are checked once, at
//! construction, and trusted everywhere after.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// Why a string is not an acceptable identifier or version.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdError {
    #[error("an SDMX id cannot be empty")]
    Empty,
    #[error("`{value}` is not an SDMX id: only A-Z, a-z, 0-9, `_`, `@`, `$` and `-` are allowed")]
    Invalid { value: String },
    #[error("`{value}` is not a component id: it must start with a letter and continue with letters, digits, `_` or `-`")]
    NotNcName { value: String },
    #[error("`{value}` is not an agency id: dot-separated parts, each starting with a letter and continuing with letters, digits, `_` or `-`")]
    InvalidAgency { value: String },
    #[error("`{value}` is reserved by the SDMX REST API and cannot name an artefact")]
    Reserved { value: String },
    #[error("`{value}` is not an SDMX version: digits separated by dots, like `1.0`")]
    InvalidVersion { value: String },
}

/// An SDMX identifier (`common:IDType`): one or more of `[A-Za-z0-9_@$-]`.
///
/// Used for codes and maintainable artefacts. Components (dimensions, attributes) and
/// concepts need the stricter [`Id::component`] rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(String);

impl Id {
    /// Checks `common:IDType`.
    pub fn new(value: impl Into<String>) -> Result<Id, IdError> {
        let value = value.into();
        if value.is_empty() {
            return Err(IdError::Empty);
        }
        if !value.bytes().all(is_id_byte) {
            return Err(IdError::Invalid { value });
        }
        Ok(Id(value))
    }

    /// Checks `common:NCNameIDType`: a letter, then letters, digits, `_` or `-`.
    ///
    /// Component ids become XML attribute names in structure-specific data and must
    /// match `^[A-Za-z][A-Za-z0-9_-]*$` in SDMX-JSON, hence the stricter rule.
    pub fn component(value: impl Into<String>) -> Result<Id, IdError> {
        let value = value.into();
        if value.is_empty() {
            return Err(IdError::Empty);
        }
        if !is_ncname(&value) {
            return Err(IdError::NotNcName { value });
        }
        Ok(Id(value))
    }

    /// Checks an agency id: `NCName(.NCName)*` (`MARRAKECH`, `SDMX`, `UN.DESA`).
    pub fn agency(value: impl Into<String>) -> Result<Id, IdError> {
        let value = value.into();
        if value.is_empty() {
            return Err(IdError::Empty);
        }
        if !value.split('.').all(is_ncname) {
            return Err(IdError::InvalidAgency { value });
        }
        if is_reserved(&value) {
            return Err(IdError::Reserved { value });
        }
        Ok(Id(value))
    }

    /// Checks the id of a maintainable artefact (codelist, data structure, dataflow...):
    /// `common:IDType`, and not one of the REST keywords `all` and `latest`, which would make
    /// `dataflow/MARRAKECH/all` ambiguous.
    pub fn artefact(value: impl Into<String>) -> Result<Id, IdError> {
        let id = Id::new(value)?;
        if is_reserved(&id.0) {
            return Err(IdError::Reserved { value: id.0 });
        }
        Ok(id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

fn is_id_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'@' | b'$' | b'-')
}

fn is_ncname(s: &str) -> bool {
    let mut bytes = s.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn is_reserved(s: &str) -> bool {
    s.eq_ignore_ascii_case("all") || s.eq_ignore_ascii_case("latest")
}

/// True when `s` matches `common:IDType`; used by the query parser to tell syntax errors
/// (400) from well-formed values that match nothing (404).
pub fn is_valid_id(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_id_byte)
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Id {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Id, IdError> {
        Id::new(s)
    }
}

impl AsRef<str> for Id {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

// `Id` hashes and compares exactly like its `String`, so maps keyed by `Id` can be
// looked up with a `&str`.
impl Borrow<str> for Id {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for Id {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Id {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// An SDMX 2.1 version (`common:VersionType`): digits separated by dots (`1.0`, `2.3.1`).
///
/// Ordered numerically part by part, so `1.10` is later than `1.9`, which is what the
/// REST keyword `latest` needs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Version(String);

impl Version {
    pub fn new(value: impl Into<String>) -> Result<Version, IdError> {
        let value = value.into();
        let ok = !value.is_empty()
            && value.split('.').all(|part| {
                !part.is_empty() && part.len() <= 9 && part.bytes().all(|b| b.is_ascii_digit())
            });
        if !ok {
            return Err(IdError::InvalidVersion { value });
        }
        Ok(Version(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn parts(&self) -> impl Iterator<Item = u32> + '_ {
        // Each part has at most 9 digits (checked in `new`), so it fits a u32.
        self.0.split('.').map(|p| p.parse::<u32>().unwrap_or(0))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Version) -> Ordering {
        // Compare numerically; `1.0` and `1.0.0` are different versions, so a longer
        // version with equal leading parts sorts after the shorter one, and the text
        // breaks the remaining tie (`01` vs `1`) to stay consistent with `Eq`.
        let mut a = self.parts();
        let mut b = other.parts();
        loop {
            match (a.next(), b.next()) {
                (Some(x), Some(y)) => match x.cmp(&y) {
                    Ordering::Equal => continue,
                    unequal => return unequal,
                },
                (Some(_), None) => return Ordering::Greater,
                (None, Some(_)) => return Ordering::Less,
                (None, None) => return self.0.cmp(&other.0),
            }
        }
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Version) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Version {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Version, IdError> {
        Version::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_the_sdmx_pattern() {
        for ok in ["A", "CL_SEX", "x@y$z-1", "004", "_T"] {
            assert!(Id::new(ok).is_ok(), "{ok}");
        }
        assert_eq!(Id::new(""), Err(IdError::Empty));
        for bad in ["a b", "a.b", "é", "a,b", "a+b", "<x>"] {
            assert!(
                matches!(Id::new(bad), Err(IdError::Invalid { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn component_ids_are_ncnames() {
        assert!(Id::component("REF_AREA").is_ok());
        assert!(Id::component("A-1").is_ok());
        for bad in ["1A", "_X", "A@B", "A.B"] {
            assert!(
                matches!(Id::component(bad), Err(IdError::NotNcName { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn agencies_allow_nested_parts_but_not_keywords() {
        assert!(Id::agency("MARRAKECH").is_ok());
        assert!(Id::agency("UN.DESA").is_ok());
        assert!(matches!(
            Id::agency("UN..DESA"),
            Err(IdError::InvalidAgency { .. })
        ));
        assert!(matches!(
            Id::agency("1UN"),
            Err(IdError::InvalidAgency { .. })
        ));
        assert!(matches!(Id::agency("all"), Err(IdError::Reserved { .. })));
        assert!(matches!(
            Id::artefact("latest"),
            Err(IdError::Reserved { .. })
        ));
        assert!(matches!(Id::artefact("ALL"), Err(IdError::Reserved { .. })));
    }

    #[test]
    fn versions_compare_numerically() {
        let v = |s: &str| Version::new(s).unwrap();
        assert!(v("1.10") > v("1.9"));
        assert!(v("2.0") > v("1.99.99"));
        assert!(v("1.0.0") > v("1.0"));
        assert_eq!(v("1.0").cmp(&v("1.0")), Ordering::Equal);
        for bad in ["", "1.", ".1", "1.a", "v1", "1..0", "1234567890"] {
            assert!(Version::new(bad).is_err(), "{bad}");
        }
    }
}
