//! Countries and areas (UN M49, ISO 3166-1), their M49 regions, UN membership and the UN
//! regional commissions they belong to, from the bundled `data/reference/countries.csv`.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// The bundled table; its sources are in `data/reference/SOURCES.md`.
pub const COUNTRIES_CSV: &str = include_str!("../../../data/reference/countries.csv");

/// A UN M49 numeric code (`004` for Afghanistan, `002` for Africa).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct M49(u16);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("`{0}` is not an M49 code (one to three digits)")]
pub struct M49Error(pub String);

impl M49 {
    pub fn new(code: u16) -> Result<M49, M49Error> {
        if code == 0 || code > 999 {
            return Err(M49Error(code.to_string()));
        }
        Ok(M49(code))
    }

    pub fn value(self) -> u16 {
        self.0
    }
}

impl FromStr for M49 {
    type Err = M49Error;
    fn from_str(s: &str) -> Result<M49, M49Error> {
        if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(M49Error(s.to_owned()));
        }
        M49::new(s.parse().map_err(|_| M49Error(s.to_owned()))?).map_err(|_| M49Error(s.to_owned()))
    }
}

impl fmt::Display for M49 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}", self.0)
    }
}

impl Serialize for M49 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for M49 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<M49, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The five UN regional commissions, which organise the compact's regional reviews (para 50).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Commission {
    Eca,
    Ece,
    Eclac,
    Escap,
    Escwa,
}

impl Commission {
    pub const ALL: [Commission; 5] = [
        Commission::Eca,
        Commission::Ece,
        Commission::Eclac,
        Commission::Escap,
        Commission::Escwa,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Commission::Eca => "ECA",
            Commission::Ece => "ECE",
            Commission::Eclac => "ECLAC",
            Commission::Escap => "ESCAP",
            Commission::Escwa => "ESCWA",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Commission::Eca => "Economic Commission for Africa",
            Commission::Ece => "Economic Commission for Europe",
            Commission::Eclac => "Economic Commission for Latin America and the Caribbean",
            Commission::Escap => "Economic and Social Commission for Asia and the Pacific",
            Commission::Escwa => "Economic and Social Commission for Western Asia",
        }
    }

    /// Accepts the code in any case (`eclac`, `ECLAC`).
    pub fn parse(code: &str) -> Option<Commission> {
        Commission::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(code))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Membership {
    Member,
    Associate,
}

impl Membership {
    pub fn as_str(self) -> &'static str {
        match self {
            Membership::Member => "member",
            Membership::Associate => "associate",
        }
    }

    pub fn parse(s: &str) -> Option<Membership> {
        match s {
            "member" => Some(Membership::Member),
            "associate" => Some(Membership::Associate),
            _ => None,
        }
    }
}

/// An M49 grouping a country belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Area {
    pub code: M49,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Country {
    pub m49: M49,
    pub iso2: String,
    pub iso3: String,
    /// The United Nations name (UN DESA usage), e.g. "Republic of Korea".
    pub name: String,
    /// The ISO 3166-1 short name, e.g. "Korea, Republic of".
    pub iso_name: String,
    pub region: Option<Area>,
    pub subregion: Option<Area>,
    pub intermediate_region: Option<Area>,
    pub un_member_state: bool,
    pub commissions: Vec<(Commission, Membership)>,
}

impl Country {
    /// The key to sort names by, the same on every database: lower case without accents, so
    /// that "Åland Islands" sorts among the A's and "Côte d'Ivoire" before "Croatia".
    pub fn sort_key(&self) -> String {
        sort_key(&self.name)
    }

    pub fn commission(&self, c: Commission) -> Option<Membership> {
        self.commissions
            .iter()
            .find(|(k, _)| *k == c)
            .map(|(_, m)| *m)
    }

    /// The M49 groupings the country is in, broadest first.
    pub fn areas(&self) -> impl Iterator<Item = &Area> {
        [&self.region, &self.subregion, &self.intermediate_region]
            .into_iter()
            .flatten()
    }
}

/// Lower case, accents removed: a collation every backend applies identically.
pub fn sort_key(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RegionLevel {
    Region,
    Subregion,
    Intermediate,
}

impl RegionLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            RegionLevel::Region => "region",
            RegionLevel::Subregion => "subregion",
            RegionLevel::Intermediate => "intermediate",
        }
    }

    pub fn parse(s: &str) -> Option<RegionLevel> {
        [
            RegionLevel::Region,
            RegionLevel::Subregion,
            RegionLevel::Intermediate,
        ]
        .into_iter()
        .find(|l| l.as_str() == s)
    }
}

/// An M49 region, sub-region or intermediate region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Region {
    pub code: M49,
    pub name: String,
    pub level: RegionLevel,
    pub parent: Option<M49>,
}

#[derive(Debug, Error)]
pub enum ReferenceError {
    #[error("countries table, line {line}: {source}")]
    Csv { line: u64, source: csv::Error },
    #[error("countries table, line {line}: {field} `{value}` is not valid")]
    Field {
        line: u64,
        field: &'static str,
        value: String,
    },
    #[error("countries table: region {code} is named both `{first}` and `{second}`")]
    RegionName {
        code: M49,
        first: String,
        second: String,
    },
}

/// The reference tables: every country or area and every M49 grouping they fall in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    pub countries: Vec<Country>,
    pub regions: Vec<Region>,
}

#[derive(Deserialize)]
struct Row {
    m49: String,
    iso2: String,
    iso3: String,
    name: String,
    iso_name: String,
    region_code: String,
    region: String,
    subregion_code: String,
    subregion: String,
    intermediate_region_code: String,
    intermediate_region: String,
    un_member_state: String,
    eca: String,
    ece: String,
    eclac: String,
    escap: String,
    escwa: String,
}

impl Reference {
    pub fn official() -> &'static Reference {
        static OFFICIAL: OnceLock<Reference> = OnceLock::new();
        OFFICIAL.get_or_init(|| {
            Reference::parse(COUNTRIES_CSV).expect("the bundled countries table parses (tested)")
        })
    }

    pub fn parse(csv_text: &str) -> Result<Reference, ReferenceError> {
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        let mut countries = Vec::new();
        let mut regions: BTreeMap<M49, Region> = BTreeMap::new();
        for record in reader.deserialize::<Row>() {
            let line = countries.len() as u64 + 2;
            let row = record.map_err(|source| ReferenceError::Csv { line, source })?;
            let bad = |field: &'static str, value: &str| ReferenceError::Field {
                line,
                field,
                value: value.to_owned(),
            };
            let area = |code: &str, name: &str, field| -> Result<Option<Area>, ReferenceError> {
                if code.is_empty() {
                    return Ok(None);
                }
                let code = code.parse().map_err(|_| bad(field, code))?;
                Ok(Some(Area {
                    code,
                    name: name.to_owned(),
                }))
            };
            let region = area(&row.region_code, &row.region, "region_code")?;
            let subregion = area(&row.subregion_code, &row.subregion, "subregion_code")?;
            let intermediate = area(
                &row.intermediate_region_code,
                &row.intermediate_region,
                "intermediate_region_code",
            )?;
            let mut parent = None;
            for (level, area) in [
                (RegionLevel::Region, &region),
                (RegionLevel::Subregion, &subregion),
                (RegionLevel::Intermediate, &intermediate),
            ] {
                let Some(area) = area else { continue };
                let entry = regions.entry(area.code).or_insert_with(|| Region {
                    code: area.code,
                    name: area.name.clone(),
                    level,
                    parent,
                });
                if entry.name != area.name {
                    return Err(ReferenceError::RegionName {
                        code: area.code,
                        first: entry.name.clone(),
                        second: area.name.clone(),
                    });
                }
                parent = Some(area.code);
            }
            let mut commissions = Vec::new();
            for (commission, value) in Commission::ALL
                .into_iter()
                .zip([&row.eca, &row.ece, &row.eclac, &row.escap, &row.escwa])
            {
                if value.is_empty() {
                    continue;
                }
                let membership =
                    Membership::parse(value).ok_or_else(|| bad("commission", value))?;
                commissions.push((commission, membership));
            }
            let valid_alpha =
                |s: &str, len| s.len() == len && s.bytes().all(|b| b.is_ascii_uppercase());
            if !valid_alpha(&row.iso2, 2) {
                return Err(bad("iso2", &row.iso2));
            }
            if !valid_alpha(&row.iso3, 3) {
                return Err(bad("iso3", &row.iso3));
            }
            countries.push(Country {
                m49: row.m49.parse().map_err(|_| bad("m49", &row.m49))?,
                iso2: row.iso2,
                iso3: row.iso3,
                name: row.name,
                iso_name: row.iso_name,
                region,
                subregion,
                intermediate_region: intermediate,
                un_member_state: match row.un_member_state.as_str() {
                    "true" => true,
                    "false" => false,
                    other => return Err(bad("un_member_state", other)),
                },
                commissions,
            });
        }
        Ok(Reference {
            countries,
            regions: regions.into_values().collect(),
        })
    }

    /// A country by M49 code (`484`, `004`), ISO alpha-3 or alpha-2, in any case.
    pub fn country(&self, code: &str) -> Option<&Country> {
        if let Ok(m49) = code.parse::<M49>() {
            return self.countries.iter().find(|c| c.m49 == m49);
        }
        self.countries
            .iter()
            .find(|c| c.iso3.eq_ignore_ascii_case(code) || c.iso2.eq_ignore_ascii_case(code))
    }

    pub fn region(&self, code: M49) -> Option<&Region> {
        self.regions.iter().find(|r| r.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference() -> &'static Reference {
        Reference::official()
    }

    #[test]
    fn table_has_every_country_and_the_193_member_states() {
        let r = reference();
        assert_eq!(r.countries.len(), 249);
        assert_eq!(
            r.countries.iter().filter(|c| c.un_member_state).count(),
            193
        );
        let count = |c: Commission, m: Membership| {
            r.countries
                .iter()
                .filter(|x| x.commission(c) == Some(m))
                .count()
        };
        assert_eq!(count(Commission::Eca, Membership::Member), 54);
        assert_eq!(count(Commission::Ece, Membership::Member), 56);
        assert_eq!(count(Commission::Eclac, Membership::Member), 46);
        assert_eq!(count(Commission::Eclac, Membership::Associate), 14);
        assert_eq!(count(Commission::Escap, Membership::Member), 53);
        assert_eq!(count(Commission::Escap, Membership::Associate), 9);
        assert_eq!(count(Commission::Escwa, Membership::Member), 21);
    }

    #[test]
    fn lookups_by_any_code() {
        let r = reference();
        let mexico = r.country("484").unwrap();
        assert_eq!(mexico.iso3, "MEX");
        assert_eq!(r.country("mex").unwrap().m49, mexico.m49);
        assert_eq!(r.country("MX").unwrap().m49, mexico.m49);
        assert_eq!(mexico.region.as_ref().unwrap().name, "Americas");
        assert_eq!(
            mexico.intermediate_region.as_ref().unwrap().name,
            "Central America"
        );
        assert_eq!(
            mexico.commission(Commission::Eclac),
            Some(Membership::Member)
        );
        assert_eq!(r.country("4").unwrap().name, "Afghanistan");
        assert!(r.country("999").is_none());
        assert!(r.country("XYZ").is_none());
    }

    #[test]
    fn countries_in_several_commissions_and_observers() {
        let r = reference();
        let france = r.country("FRA").unwrap();
        let codes: Vec<&str> = france.commissions.iter().map(|(c, _)| c.code()).collect();
        assert_eq!(codes, ["ECE", "ECLAC", "ESCAP"]);
        let egypt = r.country("EGY").unwrap();
        assert!(
            egypt.commission(Commission::Eca).is_some()
                && egypt.commission(Commission::Escwa).is_some()
        );
        let palestine = r.country("PSE").unwrap();
        assert!(!palestine.un_member_state);
        assert_eq!(palestine.name, "State of Palestine");
        assert_eq!(
            palestine.commission(Commission::Escwa),
            Some(Membership::Member)
        );
        assert!(!r.country("VAT").unwrap().un_member_state);
        assert_eq!(r.country("KOR").unwrap().name, "Republic of Korea");
        assert_eq!(r.country("KOR").unwrap().iso_name, "Korea, Republic of");
    }

    #[test]
    fn regions_form_a_tree() {
        let r = reference();
        let top: Vec<&str> = r
            .regions
            .iter()
            .filter(|x| x.level == RegionLevel::Region)
            .map(|x| x.name.as_str())
            .collect();
        // By M49 code: Africa 002, Oceania 009, Americas 019, Asia 142, Europe 150.
        assert_eq!(top, ["Africa", "Oceania", "Americas", "Asia", "Europe"]);
        for region in &r.regions {
            if let Some(parent) = region.parent {
                let parent = r.region(parent).unwrap();
                assert!(
                    parent.level < region.level,
                    "{} under {}",
                    region.name,
                    parent.name
                );
            } else {
                assert_eq!(region.level, RegionLevel::Region);
            }
        }
        let caribbean = r.region(M49::new(29).unwrap()).unwrap();
        assert_eq!(caribbean.level, RegionLevel::Intermediate);
        assert_eq!(caribbean.parent, Some(M49::new(419).unwrap()));
    }

    #[test]
    fn sort_keys_fold_accents_and_case() {
        assert_eq!(sort_key("Åland Islands"), "aland islands");
        assert_eq!(sort_key("Côte d'Ivoire"), "cote d'ivoire");
        assert!(sort_key("Côte d'Ivoire") < sort_key("Croatia"));
    }

    #[test]
    fn m49_codes_are_validated() {
        assert_eq!("004".parse::<M49>().unwrap().to_string(), "004");
        assert_eq!("4".parse::<M49>().unwrap().to_string(), "004");
        for bad in ["", "0", "1000", "-4", "4a", " 4"] {
            assert!(bad.parse::<M49>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_bad_row_is_named() {
        let text = COUNTRIES_CSV.replacen(",AFG,", ",AF9,", 1);
        let err = Reference::parse(&text).unwrap_err().to_string();
        assert_eq!(err, "countries table, line 2: iso3 `AF9` is not valid");
    }
}
