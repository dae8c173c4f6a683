//! The world's countries at 1:110 million, keyed by UN M49 code.
//!
//! Geometry: world-atlas 2.0.2 `countries-110m.json` (TopoJSON, ISC licence), derived from
//! Natural Earth 1:110m Admin 0 countries (public domain). Feature ids are ISO 3166-1
//! numeric codes, which are the M49 country codes. See `data/SOURCES.md`.

pub mod projection;
pub mod topo;

use std::sync::OnceLock;

use marrakech_core::countries::M49;

use crate::error::GeoError;
pub use topo::{Point, Polygon, Ring};

/// The source line for pages that show a map.
pub const GEOMETRY_ATTRIBUTION: &str = "Boundaries: Natural Earth (public domain), 1:110m, \
     via world-atlas 2.0.2 (ISC licence).";

/// The standard United Nations map disclaimer, for the page under a map.
pub const MAP_DISCLAIMER: &str = "The boundaries and names shown and the designations used on \
     this map do not imply official endorsement or acceptance by the United Nations.";

const COUNTRIES_110M: &str = include_str!("../../data/countries-110m.json");
const SMALL_AREAS_CSV: &str = include_str!("../../data/small-areas.csv");

/// Antarctica's M49 code: left off world maps, where it would take a fifth of the height and
/// carries no migration data.
pub const ANTARCTICA: u16 = 10;

/// Shapes that world-atlas draws without an id because they have no ISO 3166-1 code, and the
/// M49 country whose figures include them in UN statistics. They are painted as part of
/// that country, with their own outline (as on UN maps, which draw such lines without
/// implying any position on status).
pub const COUNTED_IN: [(&str, u16); 3] = [
    // Kosovo: under UN Security Council resolution 1244 (1999); UN statistics report it
    // under Serbia.
    ("Kosovo", 688),
    ("N. Cyprus", 196),
    ("Somaliland", 706),
];

/// France's 110m multipolygon includes French Guiana, which M49 lists separately (254) and UN
/// statistics report separately: it is cut out as its own shape.
const FRENCH_GUIANA: u16 = 254;
const FRANCE: u16 = 250;

/// One country or area as drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// `None` for the id-less shapes of [`COUNTED_IN`].
    pub m49: Option<M49>,
    /// The name in world-atlas ("Dem. Rep. Congo"); pages should show the M49 reference name.
    pub source_name: String,
    /// For id-less shapes, the M49 country they are painted with.
    pub counted_in: Option<M49>,
    /// Rings cut at the antimeridian, so none crosses the map.
    pub polygons: Vec<Polygon>,
}

impl Shape {
    /// The M49 code the shape is coloured by: its own, or the country it is counted in.
    pub fn painted_as(&self) -> Option<M49> {
        self.m49.or(self.counted_in)
    }

    /// Longitude/latitude box `[west, south, east, north]`.
    pub fn bbox(&self) -> [f64; 4] {
        let mut b = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for (lon, lat) in self.polygons.iter().flatten().flatten() {
            b = [
                b[0].min(*lon),
                b[1].min(*lat),
                b[2].max(*lon),
                b[3].max(*lat),
            ];
        }
        b
    }

    pub(crate) fn rings(&self) -> impl Iterator<Item = &Ring> {
        self.polygons.iter().flatten()
    }
}

/// An area too small for a polygon at 1:110m, drawn as a dot when it has a value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SmallArea {
    pub m49: M49,
    pub lon: f64,
    pub lat: f64,
}

/// Where a country is on the map.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Location<'a> {
    Shape(&'a Shape),
    Point(&'a SmallArea),
}

#[derive(Debug, Clone, PartialEq)]
pub struct World {
    shapes: Vec<Shape>,
    small_areas: Vec<SmallArea>,
}

impl World {
    /// The bundled world, decoded on first use.
    pub fn bundled() -> &'static World {
        static WORLD: OnceLock<World> = OnceLock::new();
        WORLD.get_or_init(|| {
            let mut world = World::from_topojson(COUNTRIES_110M, "countries")
                .expect("the bundled geometry decodes (tested)");
            world.small_areas =
                parse_small_areas(SMALL_AREAS_CSV).expect("the bundled small areas parse (tested)");
            world
        })
    }

    /// Decodes a world-atlas style topology: the named GeometryCollection of countries with
    /// ISO 3166-1 numeric ids.
    pub fn from_topojson(text: &str, object: &str) -> Result<World, GeoError> {
        let mut shapes = Vec::new();
        for feature in topo::decode(text, object)? {
            let name = feature.name.unwrap_or_default();
            let m49 = match &feature.id {
                Some(id) => Some(id.parse::<M49>().map_err(|_| {
                    GeoError::Format(format!("feature id `{id}` is not an M49 code"))
                })?),
                None => None,
            };
            let counted_in = match m49 {
                Some(_) => None,
                None => COUNTED_IN
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, code)| M49::new(*code).expect("valid code")),
            };
            let polygons: Vec<Polygon> = feature
                .polygons
                .into_iter()
                .map(|polygon| {
                    polygon
                        .into_iter()
                        .flat_map(projection::split_antimeridian)
                        .collect()
                })
                .collect();
            shapes.push(Shape {
                m49,
                source_name: name,
                counted_in,
                polygons,
            });
        }
        split_french_guiana(&mut shapes);
        Ok(World {
            shapes,
            small_areas: Vec::new(),
        })
    }

    pub fn shapes(&self) -> &[Shape] {
        &self.shapes
    }

    pub fn shape(&self, m49: M49) -> Option<&Shape> {
        self.shapes.iter().find(|s| s.m49 == Some(m49))
    }

    pub fn small_areas(&self) -> &[SmallArea] {
        &self.small_areas
    }

    /// A polygon if the area has one at this scale, else a point if it is a known small area.
    pub fn locate(&self, m49: M49) -> Option<Location<'_>> {
        self.shape(m49).map(Location::Shape).or_else(|| {
            self.small_areas
                .iter()
                .find(|a| a.m49 == m49)
                .map(Location::Point)
        })
    }
}

fn split_french_guiana(shapes: &mut Vec<Shape>) {
    let Some(france) = shapes
        .iter_mut()
        .find(|s| s.m49.map(M49::value) == Some(FRANCE))
    else {
        return;
    };
    let (guiana, rest): (Vec<Polygon>, Vec<Polygon>) = std::mem::take(&mut france.polygons)
        .into_iter()
        .partition(|p| {
            let outer = &p[0];
            outer.iter().map(|q| q.0).sum::<f64>() / (outer.len() as f64) < -30.0
        });
    france.polygons = rest;
    if !guiana.is_empty() {
        shapes.push(Shape {
            m49: Some(M49::new(FRENCH_GUIANA).expect("valid code")),
            source_name: "French Guiana".to_owned(),
            counted_in: None,
            polygons: guiana,
        });
    }
}

/// `m49,name,lon,lat,source`; names may be quoted and contain commas, so fields are taken
/// from the ends.
fn parse_small_areas(text: &str) -> Result<Vec<SmallArea>, GeoError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let bad = || GeoError::Format(format!("small-areas.csv line {}: `{line}`", i + 1));
        let (code, rest) = line.split_once(',').ok_or_else(bad)?;
        let mut tail = rest.rsplitn(4, ',');
        let _source = tail.next().ok_or_else(bad)?;
        let lat: f64 = tail.next().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
        let lon: f64 = tail.next().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
        let m49: M49 = code.parse().map_err(|_| bad())?;
        if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
            return Err(bad());
        }
        out.push(SmallArea { m49, lon, lat });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(c: u16) -> M49 {
        M49::new(c).unwrap()
    }

    #[test]
    fn bundled_world_has_every_country() {
        let world = World::bundled();
        // 177 features in world-atlas, plus French Guiana cut out of France.
        assert_eq!(world.shapes().len(), 178);
        assert_eq!(world.shapes().iter().filter(|s| s.m49.is_none()).count(), 3);
        for s in world.shapes().iter().filter(|s| s.m49.is_none()) {
            assert!(
                s.counted_in.is_some(),
                "{} has no id and no attribution",
                s.source_name
            );
        }
        assert_eq!(world.small_areas().len(), 73);
    }

    #[test]
    fn mexico_is_where_it_should_be() {
        let [w, s, e, n] = World::bundled().shape(code(484)).unwrap().bbox();
        assert!((-118.0..-116.0).contains(&w), "west {w}");
        assert!((-87.5..-86.0).contains(&e), "east {e}");
        assert!((14.0..15.5).contains(&s), "south {s}");
        assert!((32.0..33.0).contains(&n), "north {n}");
    }

    #[test]
    fn leading_zero_ids_and_french_guiana() {
        let world = World::bundled();
        assert_eq!(world.shape(code(4)).unwrap().source_name, "Afghanistan");
        let guiana = world.shape(code(254)).unwrap().bbox();
        assert!(guiana[0] > -55.0 && guiana[2] < -51.0, "{guiana:?}");
        let france = world.shape(code(250)).unwrap().bbox();
        assert!(france[0] > -10.0, "France still reaches {france:?}");
    }

    #[test]
    fn no_ring_jumps_across_the_map() {
        for shape in World::bundled().shapes() {
            if shape.m49 == Some(code(ANTARCTICA)) {
                continue;
            }
            for ring in shape.rings() {
                for i in 0..ring.len() {
                    let (a, b) = (ring[i], ring[(i + 1) % ring.len()]);
                    assert!(
                        (a.0 - b.0).abs() < 90.0,
                        "{}: {a:?} to {b:?}",
                        shape.source_name
                    );
                }
            }
        }
    }

    #[test]
    fn every_reference_country_is_located_or_known_absent() {
        let world = World::bundled();
        let reference = marrakech_core::Reference::official();
        let mut shapes = 0;
        let mut points = 0;
        let mut absent = Vec::new();
        for c in &reference.countries {
            match world.locate(c.m49) {
                Some(Location::Shape(_)) => shapes += 1,
                Some(Location::Point(_)) => points += 1,
                None => absent.push(c.m49.to_string()),
            }
        }
        // Every feature id of world-atlas is in the reference, so every reference country with
        // a polygon at 110m is found by its code.
        for s in world.shapes() {
            if let Some(m49) = s.m49 {
                assert!(reference.country(&m49.to_string()).is_some(), "{m49}");
            }
        }
        assert_eq!(shapes, 175);
        assert_eq!(points, 73);
        // Only the United States Minor Outlying Islands, scattered over the Pacific.
        assert_eq!(absent, ["581"]);
    }

    #[test]
    fn small_areas_parse_quoted_names() {
        let a =
            parse_small_areas("m49,name,lon,lat,source\n535,\"Bonaire, Saba\",-68.3,12.2,manual\n")
                .unwrap();
        assert_eq!(a[0].m49, code(535));
        assert_eq!((a[0].lon, a[0].lat), (-68.3, 12.2));
        assert!(parse_small_areas("h\n999,x,200,0,m\n").is_err());
    }
}
