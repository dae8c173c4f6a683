//! Validated domain values shared by the importers and the computations. M49 codes come
//! from core ([`marrakech_core::countries::M49`]); the rest are here.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("`{0}` is not an ISO 3166-1 alpha-3 code (three letters)")]
pub struct Iso3Error(pub String);

/// An ISO 3166-1 alpha-3 code, stored upper case. The World Bank also uses a few
/// user-assigned codes of the same shape (`XKX` Kosovo, `CHI` Channel Islands), so the check
/// is on shape, not on membership in the ISO list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Iso3([u8; 3]);

impl Iso3 {
    /// Accepts any case (`ken`, `KEN`); surrounding spaces are not accepted here, importers
    /// trim cells before parsing.
    pub fn parse(s: &str) -> Result<Iso3, Iso3Error> {
        let b = s.as_bytes();
        if b.len() != 3 || !b.iter().all(u8::is_ascii_alphabetic) {
            return Err(Iso3Error(s.to_owned()));
        }
        Ok(Iso3([
            b[0].to_ascii_uppercase(),
            b[1].to_ascii_uppercase(),
            b[2].to_ascii_uppercase(),
        ]))
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// A dense 15-bit number (5 bits a letter), for cheap hashing and packing into keys.
    pub fn packed(self) -> u16 {
        let l = |b: u8| (b - b'A') as u16;
        (l(self.0[0]) << 10) | (l(self.0[1]) << 5) | l(self.0[2])
    }
}

impl FromStr for Iso3 {
    type Err = Iso3Error;
    fn from_str(s: &str) -> Result<Iso3, Iso3Error> {
        Iso3::parse(s)
    }
}

impl fmt::Display for Iso3 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Iso3 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A remittance corridor: sending country, then receiving country. Written `KENTZA`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Corridor {
    pub source: Iso3,
    pub destination: Iso3,
}

impl Corridor {
    pub fn new(source: Iso3, destination: Iso3) -> Corridor {
        Corridor {
            source,
            destination,
        }
    }

    /// Parses the six-letter form (`KENTZA`).
    pub fn parse(s: &str) -> Result<Corridor, Iso3Error> {
        if s.len() != 6 || !s.is_ascii() {
            return Err(Iso3Error(s.to_owned()));
        }
        Ok(Corridor {
            source: Iso3::parse(&s[..3])?,
            destination: Iso3::parse(&s[3..])?,
        })
    }

    /// 30 bits: source in the high 15, destination in the low 15.
    pub fn packed(self) -> u32 {
        ((self.source.packed() as u32) << 15) | self.destination.packed() as u32
    }
}

impl fmt::Display for Corridor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.source, self.destination)
    }
}

impl Serialize for Corridor {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("`{0}` is not a quarter (e.g. `2025_3Q`, `2011Q1`, `Q1 2011`)")]
pub struct QuarterError(pub String);

/// A calendar quarter, the time unit of the RPW survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quarter {
    year: u16,
    quarter: u8,
}

impl Quarter {
    /// Years outside 1900..=2100 are refused: they are typing errors in this domain.
    pub fn new(year: u16, quarter: u8) -> Result<Quarter, QuarterError> {
        if !(1900..=2100).contains(&year) || !(1..=4).contains(&quarter) {
            return Err(QuarterError(format!("{year} Q{quarter}")));
        }
        Ok(Quarter { year, quarter })
    }

    pub fn year(self) -> u16 {
        self.year
    }

    pub fn quarter(self) -> u8 {
        self.quarter
    }

    /// Quarters counted from year 0, so that the difference of two is a number of quarters.
    pub fn index(self) -> i32 {
        self.year as i32 * 4 + (self.quarter as i32 - 1)
    }

    pub fn from_index(index: i32) -> Option<Quarter> {
        let year = u16::try_from(index.div_euclid(4)).ok()?;
        Quarter::new(year, (index.rem_euclid(4) + 1) as u8).ok()
    }

    pub fn next(self) -> Option<Quarter> {
        Quarter::from_index(self.index() + 1)
    }

    /// SDMX's quarterly TIME_PERIOD (`2025-Q3`).
    pub fn sdmx(self) -> String {
        format!("{}-Q{}", self.year, self.quarter)
    }

    /// Reads the spellings met in RPW and DataBank files, liberally: `2025_3Q` (RPW),
    /// `2011Q1` and `2011Q1 [YR2011Q1]` (DataBank), `Q1 2011`, `2011 Q1`, `2011-Q1`,
    /// `1Q 2011`, `2011_Q1`, in any case.
    pub fn parse(s: &str) -> Result<Quarter, QuarterError> {
        let err = || QuarterError(s.to_owned());
        // DataBank appends its own code in brackets: keep what comes before.
        let core = s.split('[').next().unwrap_or("").trim();
        // Split into runs of digits and runs of letters, ignoring separators.
        let mut tokens: Vec<String> = Vec::new();
        let mut current = String::new();
        let mut kind = 0u8; // 1 digits, 2 letters
        for c in core.chars() {
            let k = if c.is_ascii_digit() {
                1
            } else if c.is_ascii_alphabetic() {
                2
            } else if matches!(c, ' ' | '_' | '-' | '/' | '.') {
                0
            } else {
                return Err(err());
            };
            if k != kind && !current.is_empty() {
                tokens.push(std::mem::take(&mut current));
            }
            if k != 0 {
                current.push(c.to_ascii_uppercase());
            }
            kind = k;
        }
        if !current.is_empty() {
            tokens.push(current);
        }
        // Expect a 4-digit year, a `Q` and a one-digit quarter, with the Q on either side
        // of the quarter digit.
        let mut year = None;
        let mut quarter = None;
        let mut q_seen = false;
        for t in &tokens {
            if t == "Q" {
                q_seen = true;
            } else if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) {
                if year.is_some() {
                    return Err(err());
                }
                year = t.parse::<u16>().ok();
            } else if t.len() == 1 && t.bytes().all(|b| b.is_ascii_digit()) {
                if quarter.is_some() {
                    return Err(err());
                }
                quarter = t.parse::<u8>().ok();
            } else {
                return Err(err());
            }
        }
        match (year, quarter, q_seen) {
            (Some(y), Some(q), true) => Quarter::new(y, q).map_err(|_| err()),
            _ => Err(err()),
        }
    }
}

impl FromStr for Quarter {
    type Err = QuarterError;
    fn from_str(s: &str) -> Result<Quarter, QuarterError> {
        Quarter::parse(s)
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Q{}", self.year, self.quarter)
    }
}

impl Serialize for Quarter {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// SDMX's SEX dimension (SDG code list `_T`, `M`, `F`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Sex {
    #[serde(rename = "_T")]
    Total,
    #[serde(rename = "M")]
    Male,
    #[serde(rename = "F")]
    Female,
}

impl Sex {
    pub const ALL: [Sex; 3] = [Sex::Total, Sex::Male, Sex::Female];

    pub fn code(self) -> &'static str {
        match self {
            Sex::Total => "_T",
            Sex::Male => "M",
            Sex::Female => "F",
        }
    }

    /// Reads codes and the words used in headings: `_T`, `total`, `both sexes`, `M`,
    /// `males`, `F`, `females` (in any case). "female" is tested before "male", which it
    /// contains.
    pub fn parse(s: &str) -> Option<Sex> {
        let l = s.trim().to_ascii_lowercase();
        match l.as_str() {
            "_t" | "t" => return Some(Sex::Total),
            "m" => return Some(Sex::Male),
            "f" => return Some(Sex::Female),
            _ => {}
        }
        if l.contains("female") {
            Some(Sex::Female)
        } else if l.contains("male") {
            Some(Sex::Male)
        } else if l.contains("total") || l.contains("both") {
            Some(Sex::Total)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_in_every_spelling() {
        let q = Quarter::new(2011, 1).unwrap();
        for s in [
            "2011_1Q",
            "Q1 2011",
            "2011Q1",
            "2011q1",
            "2011 Q1",
            "2011-Q1",
            "1Q 2011",
            "2011_Q1",
            "2011Q1 [YR2011Q1]",
            " 2011Q1 ",
        ] {
            assert_eq!(Quarter::parse(s).unwrap(), q, "{s}");
        }
        assert_eq!(
            Quarter::parse("2025_3Q").unwrap(),
            Quarter::new(2025, 3).unwrap()
        );
        for bad in [
            "",
            "2011",
            "2011Q5",
            "2011Q0",
            "Q1",
            "11Q1",
            "2011 Q1 Q2",
            "2011*Q1",
        ] {
            assert!(Quarter::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn quarter_arithmetic() {
        let q = Quarter::new(2015, 4).unwrap();
        assert_eq!(q.next().unwrap(), Quarter::new(2016, 1).unwrap());
        assert_eq!(Quarter::from_index(q.index()).unwrap(), q);
        assert_eq!(
            Quarter::new(2030, 4).unwrap().index() - q.index(),
            60,
            "15 years"
        );
        assert_eq!(q.sdmx(), "2015-Q4");
        assert_eq!(q.to_string(), "2015Q4");
    }

    #[test]
    fn iso3_and_corridors() {
        assert_eq!(Iso3::parse("ken").unwrap().as_str(), "KEN");
        for bad in ["KE", "KENY", "K3N", "", "ÄBC"] {
            assert!(Iso3::parse(bad).is_err(), "{bad}");
        }
        let c = Corridor::parse("KENTZA").unwrap();
        assert_eq!(c.source.as_str(), "KEN");
        assert_eq!(c.destination.as_str(), "TZA");
        assert_eq!(c.to_string(), "KENTZA");
        assert_ne!(
            c.packed(),
            Corridor::parse("TZAKEN").unwrap().packed(),
            "direction matters"
        );
        assert!(Corridor::parse("KENTZ").is_err());
    }

    #[test]
    fn sexes_from_headings() {
        assert_eq!(Sex::parse("Females"), Some(Sex::Female));
        assert_eq!(Sex::parse("MALES"), Some(Sex::Male));
        assert_eq!(Sex::parse("Total"), Some(Sex::Total));
        assert_eq!(Sex::parse("Both sexes"), Some(Sex::Total));
        assert_eq!(Sex::parse("_T"), Some(Sex::Total));
        assert_eq!(Sex::parse("x"), None);
    }
}
