//! Migrant stock for a country, an M49 region (region, sub-region or intermediate region)
//! or the world, from Table 1's country-to-country observations.
//!
//! Conventions (UN DESA's): the immigrant stock of an area is everyone living in one of its
//! countries who was born in (or is a citizen of) another country, including other
//! countries of the same region; the emigrant stock is everyone born in one of its
//! countries living in another country. For the world both are the total. Share female is
//! females / total. A figure is `None` when the area has no observation for that year and
//! sex, and 0 only when observations say 0.

use std::collections::{BTreeSet, HashMap};

use marrakech_core::countries::{Reference, M49};
use serde::Serialize;

use crate::codes::Sex;
use crate::ims::StockObservation;

/// A place figures are asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Area {
    World,
    Country(M49),
    /// Any M49 grouping in core's reference (region, sub-region, intermediate region).
    Region(M49),
}

impl Area {
    /// `world` (or M49 `001`), a country by M49/ISO code, or an M49 grouping code.
    pub fn parse(code: &str, reference: &Reference) -> Option<Area> {
        if code.eq_ignore_ascii_case("world") || code == "001" || code == "1" {
            return Some(Area::World);
        }
        if let Some(c) = reference.country(code) {
            return Some(Area::Country(c.m49));
        }
        let m49: M49 = code.parse().ok()?;
        reference.region(m49).map(|r| Area::Region(r.code))
    }
}

/// Which way the migrants are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Direction {
    /// Living in the area, born elsewhere.
    Immigrants,
    /// Born in the area, living elsewhere.
    Emigrants,
}

/// One year's figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StockFigures {
    pub year: u16,
    pub total: Option<f64>,
    pub males: Option<f64>,
    pub females: Option<f64>,
    /// females / total.
    pub share_female: Option<f64>,
}

/// The change of a figure between two years.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Change {
    pub from_year: u16,
    pub to_year: u16,
    pub from: f64,
    pub to: f64,
    pub absolute: f64,
    /// `None` when the starting figure is 0.
    pub percent: Option<f64>,
}

/// Observations indexed for area queries.
#[derive(Debug, Clone)]
pub struct StockIndex {
    observations: Vec<StockObservation>,
    /// Each country's M49 groupings.
    areas: HashMap<M49, Vec<M49>>,
    /// Positions of each country's observations as destination and as origin, so that a
    /// country or region query reads only its own rows.
    by_destination: HashMap<M49, Vec<usize>>,
    by_origin: HashMap<M49, Vec<usize>>,
    years: Vec<u16>,
}

impl StockIndex {
    pub fn new(observations: Vec<StockObservation>, reference: &Reference) -> StockIndex {
        let areas = reference
            .countries
            .iter()
            .map(|c| (c.m49, c.areas().map(|a| a.code).collect()))
            .collect();
        let years: BTreeSet<u16> = observations.iter().map(|o| o.time_period).collect();
        let mut by_destination: HashMap<M49, Vec<usize>> = HashMap::new();
        let mut by_origin: HashMap<M49, Vec<usize>> = HashMap::new();
        for (i, o) in observations.iter().enumerate() {
            by_destination.entry(o.ref_area).or_default().push(i);
            by_origin.entry(o.counterpart_area).or_default().push(i);
        }
        StockIndex {
            observations,
            areas,
            by_destination,
            by_origin,
            years: years.into_iter().collect(),
        }
    }

    pub fn observations(&self) -> &[StockObservation] {
        &self.observations
    }

    /// The years the data has, ascending.
    pub fn years(&self) -> &[u16] {
        &self.years
    }

    /// Observations counted for `area` in `direction`.
    fn counted(&self, area: Area, direction: Direction) -> Vec<&StockObservation> {
        let lists = match direction {
            Direction::Immigrants => &self.by_destination,
            Direction::Emigrants => &self.by_origin,
        };
        let of = |country: &M49| {
            lists
                .get(country)
                .into_iter()
                .flatten()
                .map(|&i| &self.observations[i])
        };
        match area {
            Area::World => self.observations.iter().collect(),
            Area::Country(c) => of(&c).collect(),
            Area::Region(r) => {
                let mut countries: Vec<&M49> = self
                    .areas
                    .iter()
                    .filter(|(_, a)| a.contains(&r))
                    .map(|(c, _)| c)
                    .collect();
                countries.sort();
                countries.into_iter().flat_map(of).collect()
            }
        }
    }

    /// Figures by year (every year of the data), ascending.
    pub fn by_year(&self, area: Area, direction: Direction) -> Vec<StockFigures> {
        let mut sums: HashMap<(u16, Sex), f64> = HashMap::new();
        for o in self.counted(area, direction) {
            *sums.entry((o.time_period, o.sex)).or_insert(0.0) += o.value;
        }
        self.years
            .iter()
            .map(|&year| {
                let get = |s| sums.get(&(year, s)).copied();
                let (total, females) = (get(Sex::Total), get(Sex::Female));
                StockFigures {
                    year,
                    total,
                    males: get(Sex::Male),
                    females,
                    share_female: match (females, total) {
                        (Some(f), Some(t)) if t > 0.0 => Some(f / t),
                        _ => None,
                    },
                }
            })
            .collect()
    }

    /// One figure.
    pub fn value(&self, area: Area, direction: Direction, year: u16, sex: Sex) -> Option<f64> {
        let mut found = false;
        let mut sum = 0.0;
        for o in self.counted(area, direction) {
            if o.time_period == year && o.sex == sex {
                found = true;
                sum += o.value;
            }
        }
        found.then_some(sum)
    }

    /// The `n` largest counterparts of an area's migrants in a year: for immigrants their
    /// countries of origin, for emigrants their countries of destination. Ties are broken
    /// by M49 code so that the answer is stable.
    pub fn top_counterparts(
        &self,
        area: Area,
        direction: Direction,
        year: u16,
        sex: Sex,
        n: usize,
    ) -> Vec<(M49, f64)> {
        let mut sums: HashMap<M49, f64> = HashMap::new();
        for o in self.counted(area, direction) {
            if o.time_period == year && o.sex == sex {
                let other = match direction {
                    Direction::Immigrants => o.counterpart_area,
                    Direction::Emigrants => o.ref_area,
                };
                *sums.entry(other).or_insert(0.0) += o.value;
            }
        }
        let mut v: Vec<(M49, f64)> = sums.into_iter().collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(n);
        v
    }

    /// Top countries of origin of the area's immigrants.
    pub fn top_origins(&self, area: Area, year: u16, sex: Sex, n: usize) -> Vec<(M49, f64)> {
        self.top_counterparts(area, Direction::Immigrants, year, sex, n)
    }

    /// Top countries of destination of the area's emigrants.
    pub fn top_destinations(&self, area: Area, year: u16, sex: Sex, n: usize) -> Vec<(M49, f64)> {
        self.top_counterparts(area, Direction::Emigrants, year, sex, n)
    }

    /// The change of a figure between two years; `None` when either is missing.
    pub fn change(
        &self,
        area: Area,
        direction: Direction,
        sex: Sex,
        from_year: u16,
        to_year: u16,
    ) -> Option<Change> {
        let from = self.value(area, direction, from_year, sex)?;
        let to = self.value(area, direction, to_year, sex)?;
        Some(Change {
            from_year,
            to_year,
            from,
            to,
            absolute: to - from,
            percent: (from != 0.0).then(|| (to - from) / from * 100.0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(code: u16) -> M49 {
        M49::new(code).unwrap()
    }

    fn obs(dest: u16, origin: u16, year: u16, sex: Sex, value: f64) -> StockObservation {
        StockObservation {
            line: 0,
            indicator: crate::ims::MIGRANT_STOCK,
            ref_area: m(dest),
            counterpart_area: m(origin),
            time_period: year,
            sex,
            value,
            data_type: None,
        }
    }

    /// Kenya (404) and Uganda (800) are in Eastern Africa (014) and Africa (002); Germany
    /// (276) is in Europe (150).
    fn index() -> StockIndex {
        let mut v = Vec::new();
        for (dest, origin, year, t, m_, f) in [
            (404, 800, 2020, 100.0, 40.0, 60.0),
            (404, 276, 2020, 10.0, 6.0, 4.0),
            (800, 404, 2020, 50.0, 30.0, 20.0),
            (276, 404, 2020, 30.0, 15.0, 15.0),
            (404, 800, 2024, 150.0, 70.0, 80.0),
        ] {
            v.push(obs(dest, origin, year, Sex::Total, t));
            v.push(obs(dest, origin, year, Sex::Male, m_));
            v.push(obs(dest, origin, year, Sex::Female, f));
        }
        StockIndex::new(v, Reference::official())
    }

    #[test]
    fn country_region_and_world() {
        let ix = index();
        let kenya = Area::parse("KEN", Reference::official()).unwrap();
        // Immigrants in Kenya 2020: 100 (from Uganda) + 10 (from Germany) = 110; females
        // 60 + 4 = 64; share 64 / 110.
        let k = ix.by_year(kenya, Direction::Immigrants);
        assert_eq!(k[0].year, 2020);
        assert_eq!((k[0].total, k[0].females), (Some(110.0), Some(64.0)));
        assert!((k[0].share_female.unwrap() - 64.0 / 110.0).abs() < 1e-12);
        // Emigrants from Kenya 2020: 50 (in Uganda) + 30 (in Germany) = 80.
        assert_eq!(
            ix.value(kenya, Direction::Emigrants, 2020, Sex::Total),
            Some(80.0)
        );
        // Eastern Africa (014) immigrants 2020: Kenya's 110 + Uganda's 50 = 160 (intra-
        // regional flows count, as in UN DESA's regional totals).
        let east = Area::parse("014", Reference::official()).unwrap();
        assert_eq!(east, Area::Region(m(14)));
        assert_eq!(
            ix.value(east, Direction::Immigrants, 2020, Sex::Total),
            Some(160.0)
        );
        // Europe immigrants 2020: Germany's 30.
        let europe = Area::Region(m(150));
        assert_eq!(
            ix.value(europe, Direction::Immigrants, 2020, Sex::Total),
            Some(30.0)
        );
        // World 2020: 100 + 10 + 50 + 30 = 190, either direction.
        for d in [Direction::Immigrants, Direction::Emigrants] {
            assert_eq!(ix.value(Area::World, d, 2020, Sex::Total), Some(190.0));
        }
        assert_eq!(
            ix.value(europe, Direction::Immigrants, 2024, Sex::Total),
            None
        );
    }

    #[test]
    fn top_counterparts_and_change() {
        let ix = index();
        let kenya = Area::Country(m(404));
        assert_eq!(
            ix.top_origins(kenya, 2020, Sex::Total, 5),
            [(m(800), 100.0), (m(276), 10.0)]
        );
        assert_eq!(
            ix.top_destinations(kenya, 2020, Sex::Total, 1),
            [(m(800), 50.0)]
        );
        // Kenya's immigrants: 110 in 2020, 150 in 2024: +40, +36.36 %.
        let c = ix
            .change(kenya, Direction::Immigrants, Sex::Total, 2020, 2024)
            .unwrap();
        assert_eq!((c.from, c.to, c.absolute), (110.0, 150.0, 40.0));
        assert!((c.percent.unwrap() - 40.0 / 110.0 * 100.0).abs() < 1e-9);
    }
}
