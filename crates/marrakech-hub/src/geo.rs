//! Geographic proximity on the UN M49 standard: a candidate's presence (countries, and M49
//! groupings it works across) against the countries of a request.
//!
//! For each country of the request the closest presence counts:
//!
//! | level | when | default value |
//! | --- | --- | --- |
//! | same country | present in the country | 1.0 |
//! | same sub-region | present in a country of the same finest M49 grouping below the region (the intermediate region where M49 has one, as Central America or Western Africa, else the sub-region, as Southern Asia), or working across that intermediate region or sub-region | 0.7 |
//! | same region | present in a country of the same M49 region (Africa, Americas, Asia, Europe, Oceania), or working across it | 0.4 |
//! | global | works worldwide (M49 `001`) | 0.3 |
//! | elsewhere | none of the above | 0.0 |
//!
//! The values are configuration ([`crate::ProximityScale`]). A request concerning several
//! countries gets the mean over its countries.

use std::sync::OnceLock;

use marrakech_core::countries::{Reference, RegionLevel, M49};
use serde::Serialize;

/// M49 code of the world.
pub const WORLD: u16 = 1;

/// How close a presence is to a country of the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Proximity {
    SameCountry,
    SameSubregion,
    SameRegion,
    Global,
    Elsewhere,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PlaceKind {
    Country,
    Grouping,
    World,
}

#[derive(Debug, Clone, Copy)]
struct Place {
    kind: PlaceKind,
    /// For a country: its region, sub-region and intermediate region (0 when none); for a
    /// grouping, its own code at its level.
    region: u16,
    subregion: u16,
    intermediate: u16,
}

impl Place {
    /// The finest grouping below the region: intermediate region, else sub-region.
    fn finest(&self) -> u16 {
        if self.intermediate != 0 {
            self.intermediate
        } else {
            self.subregion
        }
    }
}

/// Every M49 code the reference knows, indexed by code, with names for explanations.
#[derive(Debug)]
pub struct Geography {
    places: Vec<Option<Place>>,
    names: Vec<String>,
}

impl Geography {
    /// From the bundled reference tables, built once.
    pub fn official() -> &'static Geography {
        static GEO: OnceLock<Geography> = OnceLock::new();
        GEO.get_or_init(|| Geography::new(Reference::official()))
    }

    pub fn new(reference: &Reference) -> Geography {
        let mut places = vec![None; 1000];
        let mut names = vec![String::new(); 1000];
        let code =
            |a: &Option<marrakech_core::countries::Area>| a.as_ref().map_or(0, |a| a.code.value());
        for c in &reference.countries {
            let i = usize::from(c.m49.value());
            places[i] = Some(Place {
                kind: PlaceKind::Country,
                region: code(&c.region),
                subregion: code(&c.subregion),
                intermediate: code(&c.intermediate_region),
            });
            names[i] = c.name.clone();
        }
        for r in &reference.regions {
            let i = usize::from(r.code.value());
            let v = r.code.value();
            let (region, subregion, intermediate) = match r.level {
                RegionLevel::Region => (v, 0, 0),
                RegionLevel::Subregion => (0, v, 0),
                RegionLevel::Intermediate => (0, 0, v),
            };
            places[i] = Some(Place {
                kind: PlaceKind::Grouping,
                region,
                subregion,
                intermediate,
            });
            names[i] = r.name.clone();
        }
        places[usize::from(WORLD)] = Some(Place {
            kind: PlaceKind::World,
            region: 0,
            subregion: 0,
            intermediate: 0,
        });
        names[usize::from(WORLD)] = "World".to_owned();
        Geography { places, names }
    }

    fn place(&self, code: u16) -> Option<&Place> {
        self.places.get(usize::from(code)).and_then(Option::as_ref)
    }

    pub fn is_country(&self, code: M49) -> bool {
        self.is_country_code(code.value())
    }

    pub(crate) fn is_country_code(&self, code: u16) -> bool {
        self.place(code)
            .is_some_and(|p| p.kind == PlaceKind::Country)
    }

    /// A grouping a presence may name: an M49 region, sub-region, intermediate region or the
    /// world (`001`).
    pub fn is_grouping(&self, code: M49) -> bool {
        self.place(code.value())
            .is_some_and(|p| p.kind != PlaceKind::Country)
    }

    /// The name of a country or grouping.
    pub fn name(&self, code: u16) -> &str {
        self.names.get(usize::from(code)).map_or("", String::as_str)
    }

    /// How close `presence` (a country or grouping) is to the request's `country`.
    pub fn proximity(&self, country: u16, presence: u16) -> Proximity {
        let (Some(c), Some(p)) = (self.place(country), self.place(presence)) else {
            return Proximity::Elsewhere;
        };
        match p.kind {
            PlaceKind::World => Proximity::Global,
            PlaceKind::Country => {
                if presence == country {
                    Proximity::SameCountry
                } else if p.finest() != 0 && p.finest() == c.finest() {
                    Proximity::SameSubregion
                } else if p.region != 0 && p.region == c.region {
                    Proximity::SameRegion
                } else {
                    Proximity::Elsewhere
                }
            }
            PlaceKind::Grouping => {
                if (p.intermediate != 0 && p.intermediate == c.intermediate)
                    || (p.subregion != 0 && p.subregion == c.subregion)
                {
                    Proximity::SameSubregion
                } else if p.region != 0 && p.region == c.region {
                    Proximity::SameRegion
                } else {
                    Proximity::Elsewhere
                }
            }
        }
    }

    /// The name of the grouping two places share at `level` (for explanations).
    pub fn shared_grouping(&self, country: u16, level: Proximity) -> &str {
        let Some(c) = self.place(country) else {
            return "";
        };
        match level {
            Proximity::SameSubregion => self.name(c.finest()),
            Proximity::SameRegion => self.name(c.region),
            _ => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(code: &str) -> u16 {
        Reference::official().country(code).unwrap().m49.value()
    }

    #[test]
    fn levels_follow_m49() {
        let g = Geography::official();
        let (mex, gtm, hnd, arg, usa) = (m("MEX"), m("GTM"), m("HND"), m("ARG"), m("USA"));
        assert_eq!(g.proximity(mex, mex), Proximity::SameCountry);
        // Central America (013) is Mexico's intermediate region.
        assert_eq!(g.proximity(hnd, gtm), Proximity::SameSubregion);
        assert_eq!(g.proximity(mex, gtm), Proximity::SameSubregion);
        // Argentina is South America: same region (Americas) only.
        assert_eq!(g.proximity(mex, arg), Proximity::SameRegion);
        assert_eq!(g.proximity(mex, usa), Proximity::SameRegion);
        assert_eq!(g.proximity(mex, m("PHL")), Proximity::Elsewhere);
        assert_eq!(g.proximity(mex, WORLD), Proximity::Global);
        // Groupings: Latin America and the Caribbean (419) is Mexico's sub-region.
        assert_eq!(g.proximity(mex, 419), Proximity::SameSubregion);
        assert_eq!(g.proximity(mex, 13), Proximity::SameSubregion);
        assert_eq!(g.proximity(mex, 19), Proximity::SameRegion);
        assert_eq!(g.proximity(mex, 2), Proximity::Elsewhere);
        // Kenya and Nigeria: both Sub-Saharan Africa, different intermediate regions.
        assert_eq!(g.proximity(m("KEN"), m("NGA")), Proximity::SameRegion);
        assert_eq!(g.proximity(m("KEN"), m("ETH")), Proximity::SameSubregion);
        // Countries with no intermediate region share their sub-region.
        assert_eq!(g.proximity(m("BGD"), m("NPL")), Proximity::SameSubregion);
        assert_eq!(g.proximity(m("BGD"), m("PHL")), Proximity::SameRegion);
        assert_eq!(
            g.shared_grouping(hnd, Proximity::SameSubregion),
            "Central America"
        );
        assert_eq!(g.shared_grouping(hnd, Proximity::SameRegion), "Americas");
    }

    #[test]
    fn countries_and_groupings_are_told_apart() {
        let g = Geography::official();
        assert!(g.is_country(M49::new(484).unwrap()));
        assert!(!g.is_grouping(M49::new(484).unwrap()));
        assert!(g.is_grouping(M49::new(1).unwrap()));
        assert!(g.is_grouping(M49::new(11).unwrap()));
        assert!(!g.is_country(M49::new(999).unwrap()));
        assert_eq!(g.name(11), "Western Africa");
    }
}
