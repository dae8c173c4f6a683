//! Point map: circles sized by value on a light grey base map, optionally aggregated to a grid
//! so thousands of incidents become a few hundred circles.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::common::check_finite;
use crate::error::ChartError;
use crate::format::{decimals_needed, format_thousands, Unit};
use crate::geo::World;
use crate::map::{self, Extent};
use crate::svg::{self, escape, num, text, text_width, FONT_SIZE};
use crate::table::{Cell, Table};

/// One located value: an incident, a city, a border crossing.
#[derive(Debug, Clone, PartialEq)]
pub struct MapPoint {
    pub lat: f64,
    pub lon: f64,
    pub value: f64,
    pub label: Option<String>,
}

impl MapPoint {
    pub fn new(lat: f64, lon: f64, value: f64) -> MapPoint {
        MapPoint {
            lat,
            lon,
            value,
            label: None,
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> MapPoint {
        self.label = Some(label.into());
        self
    }
}

/// Whether points are drawn one by one or summed into grid cells.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Aggregation {
    /// One circle per point up to [`Aggregation::AUTO_LIMIT`] points, 2-degree cells above.
    #[default]
    Auto,
    /// One circle per point, however many.
    None,
    /// Cells of this many degrees of latitude and longitude (0.1 to 90).
    Grid(f64),
}

impl Aggregation {
    /// Above this many points, `Auto` aggregates: more circles only make an illegible blot
    /// and a large page.
    pub const AUTO_LIMIT: usize = 400;
    pub const AUTO_CELL_DEGREES: f64 = 2.0;
}

/// A drawn circle: a point, or the sum of a grid cell at the value-weighted centre of its
/// points (so a cell of coastal incidents sits on the coast, not mid-cell).
#[derive(Debug, Clone, PartialEq)]
pub struct Circle {
    pub lat: f64,
    pub lon: f64,
    pub value: f64,
    /// How many input points it stands for.
    pub points: usize,
    pub label: Option<String>,
}

/// A map of circles sized by value.
///
/// ```
/// use marrakech_charts::{Aggregation, MapPoint, PointMap};
/// let map = PointMap::new("deaths", "Dead and missing migrants, 2023")
///     .value_label("dead and missing")
///     .item_label("incidents")
///     .point(MapPoint::new(35.9, 14.4, 41.0).label("Off Lampedusa"))
///     .point(MapPoint::new(32.5, -114.8, 3.0))
///     .aggregation(Aggregation::None);
/// assert_eq!(map.circles().unwrap().len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PointMap {
    id: String,
    title: String,
    unit: Unit,
    value_label: String,
    item_label: String,
    points: Vec<MapPoint>,
    aggregation: Aggregation,
    extent: Option<Extent>,
    width: u32,
    max_radius: f64,
    description: Option<String>,
}

struct Prepared {
    circles: Vec<Circle>,
    cell: Option<f64>,
    outside: usize,
    decimals: usize,
}

impl PointMap {
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> PointMap {
        PointMap {
            id: id.into(),
            title: title.into(),
            unit: Unit::Plain,
            value_label: "value".to_owned(),
            item_label: "points".to_owned(),
            points: Vec::new(),
            aggregation: Aggregation::Auto,
            extent: None,
            width: 960,
            max_radius: 18.0,
            description: None,
        }
    }

    pub fn unit(mut self, unit: Unit) -> Self {
        self.unit = unit;
        self
    }

    /// What a circle's value counts, in running text: "dead and missing".
    pub fn value_label(mut self, label: impl Into<String>) -> Self {
        self.value_label = label.into();
        self
    }

    /// What a point is, plural: "incidents".
    pub fn item_label(mut self, label: impl Into<String>) -> Self {
        self.item_label = label.into();
        self
    }

    pub fn point(mut self, point: MapPoint) -> Self {
        self.points.push(point);
        self
    }

    pub fn points(mut self, points: impl IntoIterator<Item = MapPoint>) -> Self {
        self.points.extend(points);
        self
    }

    pub fn aggregation(mut self, aggregation: Aggregation) -> Self {
        self.aggregation = aggregation;
        self
    }

    pub fn extent(mut self, extent: Extent) -> Self {
        self.extent = Some(extent);
        self
    }

    pub fn width(mut self, width: u32) -> Self {
        self.width = width;
        self
    }

    /// Radius of the largest circle, in viewBox units (default 18).
    pub fn max_radius(mut self, radius: f64) -> Self {
        self.max_radius = radius.clamp(4.0, 60.0);
        self
    }

    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    fn prepare(&self) -> Result<Prepared, ChartError> {
        svg::check_id(&self.id)?;
        if self.width < 320 {
            return Err(ChartError::Size {
                width: self.width,
                height: 0,
                min_width: 320,
                min_height: 0,
            });
        }
        for p in &self.points {
            let on_globe = p.lat.is_finite()
                && p.lon.is_finite()
                && (-90.0..=90.0).contains(&p.lat)
                && (-180.0..=180.0).contains(&p.lon);
            if !on_globe {
                return Err(ChartError::Coordinates {
                    lat: p.lat,
                    lon: p.lon,
                });
            }
            check_finite(|| format!("the value at {}, {}", p.lat, p.lon), p.value)?;
            if p.value < 0.0 {
                return Err(ChartError::Negative {
                    what: format!("the value at {}, {}", p.lat, p.lon),
                    value: p.value,
                });
            }
        }
        let inside: Vec<&MapPoint> = self
            .points
            .iter()
            .filter(|p| self.extent.is_none_or(|e| e.contains(p.lon, p.lat)))
            .collect();
        let outside = self.points.len() - inside.len();
        let cell = match self.aggregation {
            Aggregation::None => None,
            Aggregation::Auto => {
                (inside.len() > Aggregation::AUTO_LIMIT).then_some(Aggregation::AUTO_CELL_DEGREES)
            }
            Aggregation::Grid(d) => {
                if !(0.1..=90.0).contains(&d) {
                    return Err(ChartError::GridCell(d));
                }
                Some(d)
            }
        };
        let mut circles = match cell {
            None => inside
                .iter()
                .map(|p| Circle {
                    lat: p.lat,
                    lon: p.lon,
                    value: p.value,
                    points: 1,
                    label: p.label.clone(),
                })
                .collect(),
            Some(d) => aggregate(&inside, d),
        };
        // Largest first, so small circles are drawn on top and stay visible; ties by place
        // for a stable order.
        circles.sort_by(|a, b| {
            b.value
                .total_cmp(&a.value)
                .then(a.lat.total_cmp(&b.lat))
                .then(a.lon.total_cmp(&b.lon))
        });
        let values: Vec<f64> = circles.iter().map(|c| c.value).collect();
        Ok(Prepared {
            decimals: decimals_needed(&values, 2),
            circles,
            cell,
            outside,
        })
    }

    /// The circles the map draws, largest first.
    pub fn circles(&self) -> Result<Vec<Circle>, ChartError> {
        Ok(self.prepare()?.circles)
    }

    pub fn table(&self) -> Result<Table, ChartError> {
        let p = self.prepare()?;
        let coord = |v: f64| Cell::Number {
            value: (v * 100.0).round() / 100.0,
            display: format_thousands(v, 2),
        };
        let value = |v: f64| Cell::Number {
            value: v,
            display: self.unit.format(v, p.decimals),
        };
        let value_header = capitalise(&self.value_label);
        let (headers, rows) = match p.cell {
            Some(_) => (
                vec![
                    "Latitude".to_owned(),
                    "Longitude".to_owned(),
                    capitalise(&self.item_label),
                    value_header,
                ],
                p.circles
                    .iter()
                    .map(|c| {
                        vec![
                            coord(c.lat),
                            coord(c.lon),
                            Cell::Number {
                                value: c.points as f64,
                                display: format_thousands(c.points as f64, 0),
                            },
                            value(c.value),
                        ]
                    })
                    .collect(),
            ),
            None => (
                vec![
                    "Label".to_owned(),
                    "Latitude".to_owned(),
                    "Longitude".to_owned(),
                    value_header,
                ],
                p.circles
                    .iter()
                    .map(|c| {
                        vec![
                            c.label.clone().map(Cell::Text).unwrap_or(Cell::Missing),
                            coord(c.lat),
                            coord(c.lon),
                            value(c.value),
                        ]
                    })
                    .collect(),
            ),
        };
        Ok(Table { headers, rows })
    }

    fn describe(&self, p: &Prepared) -> String {
        if let Some(d) = &self.description {
            return d.clone();
        }
        let total: f64 = p.circles.iter().map(|c| c.value).sum();
        let count: usize = p.circles.iter().map(|c| c.points).sum();
        let mut s = format!(
            "{} showing {} {} with {} {} in total",
            if self.extent.is_some() {
                "Regional map"
            } else {
                "World map"
            },
            format_thousands(count as f64, 0),
            self.item_label,
            self.unit.format(total, p.decimals),
            self.value_label
        );
        match p.cell {
            Some(d) => {
                let _ = write!(
                    s,
                    ", summed into {} cells of {} degrees; circle area is proportional to the sum.",
                    p.circles.len(),
                    format_thousands(d, decimals_needed(&[d], 1))
                );
            }
            None => s.push_str("; circle area is proportional to the value."),
        }
        let largest: Vec<String> = p
            .circles
            .iter()
            .take(3)
            .map(|c| {
                let place = c.label.clone().unwrap_or_else(|| lat_lon(c.lat, c.lon));
                format!("{} at {place}", self.unit.format(c.value, p.decimals))
            })
            .collect();
        if !largest.is_empty() {
            let _ = write!(s, " Largest: {}.", largest.join("; "));
        }
        if p.outside > 0 {
            let _ = write!(
                s,
                " {} {} lie outside the area shown.",
                p.outside, self.item_label
            );
        }
        s
    }

    pub fn render(&self) -> Result<String, ChartError> {
        let p = self.prepare()?;
        let world = World::bundled();
        let width = self.width as f64;
        let view = map::view(world, self.extent.as_ref(), width);
        let id = &self.id;
        let vmax = p.circles.iter().map(|c| c.value).fold(0.0, f64::max);
        let radius = |v: f64| {
            if vmax > 0.0 {
                (self.max_radius * (v / vmax).sqrt()).max(1.5)
            } else {
                1.5
            }
        };
        let levels = size_levels(vmax);
        let legend_top = view.height + 6.0;
        let legend_h = if p.circles.is_empty() {
            22.0
        } else {
            22.0 + 2.0 * radius(levels[0]) + 24.0
        };
        let height = legend_top + legend_h + 6.0;

        let mut out = String::new();
        svg::open(
            &mut out,
            id,
            "points",
            width,
            height,
            &self.title,
            &self.describe(&p),
        );
        map::defs(&mut out, id, &view);
        map::open_map_group(&mut out, id, &view, "mk-base");
        // The base map is context only: one path, no titles, to keep the page light.
        let mut d = String::new();
        for shape in map::drawn_shapes(world) {
            d.push_str(&map::shape_path(shape, &view));
        }
        let _ = write!(
            out,
            "<path d=\"{d}\" fill=\"#e3e3e3\" stroke=\"#ffffff\" stroke-width=\"0.5\" fill-rule=\"evenodd\"/>"
        );
        out.push_str("<g class=\"mk-points\" fill=\"#d55e00\" fill-opacity=\"0.55\" stroke=\"#8f3e00\" stroke-width=\"0.8\">");
        for c in &p.circles {
            let (x, y) = view.fit.point(c.lon, c.lat);
            let _ = write!(
                out,
                "<circle cx=\"{}\" cy=\"{}\" r=\"{}\"><title>{}</title></circle>",
                num(x),
                num(y),
                num(radius(c.value)),
                escape(&self.tip(c, &p))
            );
        }
        out.push_str("</g></g>");
        map::frame(&mut out, &view);

        out.push_str("<g class=\"mk-legend\">");
        if p.circles.is_empty() {
            text(
                &mut out,
                width / 2.0,
                view.height / 2.0,
                "middle",
                "font-size=\"20\" font-weight=\"bold\" stroke=\"#ffffff\" stroke-width=\"4\" paint-order=\"stroke\" class=\"mk-no-data\"",
                "No data",
            );
            map::legend_title(&mut out, legend_top, "No data to show", "");
        } else {
            let title = match p.cell {
                Some(d) => format!(
                    "{}, per {}° cell",
                    capitalise(&self.value_label),
                    format_thousands(d, decimals_needed(&[d], 1))
                ),
                None => capitalise(&self.value_label),
            };
            let y = map::legend_title(
                &mut out,
                legend_top,
                &title,
                "circle area is proportional to the value",
            );
            let base = y + 2.0 * radius(levels[0]);
            let mut x = 14.0;
            for level in &levels {
                let r = radius(*level);
                let label = self
                    .unit
                    .format_compact(*level, decimals_needed(&[*level], 2));
                let _ = write!(
                    out,
                    "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"#d55e00\" fill-opacity=\"0.55\" stroke=\"#8f3e00\" stroke-width=\"0.8\"/>",
                    num(x + r),
                    num(base - r),
                    num(r)
                );
                text(&mut out, x + r, base + 16.0, "middle", "", &label);
                x += (2.0 * r).max(text_width(&label, FONT_SIZE)) + 22.0;
            }
        }
        out.push_str("</g>");
        svg::close(&mut out);
        Ok(out)
    }

    fn tip(&self, c: &Circle, p: &Prepared) -> String {
        let value = format!(
            "{} {}",
            self.unit.format(c.value, p.decimals),
            self.value_label
        );
        match (&c.label, p.cell) {
            (Some(l), None) => format!("{l}: {value}"),
            (None, None) => format!("{value} at {}", lat_lon(c.lat, c.lon)),
            (_, Some(_)) => format!(
                "{} {}, {value}, around {}",
                format_thousands(c.points as f64, 0),
                self.item_label,
                lat_lon(c.lat, c.lon)
            ),
        }
    }
}

/// Sums points into cells of `degrees`, each at the value-weighted mean position of its
/// points (the plain mean where all values are zero).
pub(crate) fn aggregate(points: &[&MapPoint], degrees: f64) -> Vec<Circle> {
    #[derive(Default)]
    struct Acc {
        value: f64,
        count: usize,
        wlat: f64,
        wlon: f64,
        lat: f64,
        lon: f64,
    }
    let mut cells: BTreeMap<(i64, i64), Acc> = BTreeMap::new();
    for p in points {
        let key = (
            ((p.lat + 90.0) / degrees).floor() as i64,
            ((p.lon + 180.0) / degrees).floor() as i64,
        );
        let acc = cells.entry(key).or_default();
        acc.value += p.value;
        acc.count += 1;
        acc.wlat += p.lat * p.value;
        acc.wlon += p.lon * p.value;
        acc.lat += p.lat;
        acc.lon += p.lon;
    }
    cells
        .into_values()
        .map(|a| {
            let (lat, lon) = if a.value > 0.0 {
                (a.wlat / a.value, a.wlon / a.value)
            } else {
                (a.lat / a.count as f64, a.lon / a.count as f64)
            };
            Circle {
                lat,
                lon,
                value: a.value,
                points: a.count,
                label: None,
            }
        })
        .collect()
}

/// Up to three round values for the size legend: the largest 1-2-5 number not above the
/// maximum, and two smaller ones.
pub(crate) fn size_levels(max: f64) -> Vec<f64> {
    let below = |v: f64| -> f64 {
        if v <= 0.0 {
            return 0.0;
        }
        let m = 10f64.powf(v.log10().floor());
        [5.0, 2.0, 1.0]
            .into_iter()
            .map(|f| f * m)
            .find(|c| *c <= v * (1.0 + 1e-9))
            .unwrap_or(m)
    };
    let mut levels: Vec<f64> = [max, max / 5.0, max / 30.0]
        .into_iter()
        .map(below)
        // Counts of people have no fractional circles: below 1 only when the data are.
        .filter(|v| *v > 0.0 && (*v >= 1.0 || max < 1.0))
        .collect();
    levels.dedup();
    if levels.is_empty() {
        levels.push(max.max(1.0));
    }
    levels
}

fn lat_lon(lat: f64, lon: f64) -> String {
    format!(
        "{}° {}, {}° {}",
        format_thousands(lat.abs(), 1),
        if lat >= 0.0 { "N" } else { "S" },
        format_thousands(lon.abs(), 1),
        if lon >= 0.0 { "E" } else { "W" }
    )
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_sums_and_centres_by_weight() {
        let pts = [
            MapPoint::new(35.1, 14.1, 30.0),
            MapPoint::new(35.9, 14.9, 10.0),
            MapPoint::new(33.0, 14.0, 5.0),
            MapPoint::new(-10.0, 179.9, 0.0),
        ];
        let refs: Vec<&MapPoint> = pts.iter().collect();
        let cells = aggregate(&refs, 2.0);
        assert_eq!(cells.len(), 3);
        let lampedusa = cells.iter().find(|c| c.points == 2).unwrap();
        assert_eq!(lampedusa.value, 40.0);
        assert!((lampedusa.lat - 35.3).abs() < 1e-9 && (lampedusa.lon - 14.3).abs() < 1e-9);
        let zero = cells.iter().find(|c| c.value == 0.0).unwrap();
        assert_eq!((zero.lat, zero.lon), (-10.0, 179.9));
    }

    #[test]
    fn legend_levels_are_round() {
        assert_eq!(size_levels(734.0), [500.0, 100.0, 20.0]);
        assert_eq!(size_levels(1.0), [1.0]);
        assert_eq!(size_levels(0.5), [0.5, 0.1, 0.01]);
        assert_eq!(size_levels(0.0), [1.0]);
    }
}
