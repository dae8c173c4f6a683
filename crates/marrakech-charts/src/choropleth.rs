//! World choropleth: countries coloured by a classed value, a legend with the class bounds and
//! counts, hatched grey for no data, an optional outlined country, and a `<title>` on every
//! country so hovering shows its name and value.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use marrakech_core::countries::M49;
use marrakech_core::Reference;

use crate::common::check_finite;
use crate::error::ChartError;
use crate::format::{decimals_needed, round_significant, Unit};
use crate::geo::{Location, World};
use crate::map::{self, Extent};
use crate::palette::{Color, Sequential};
use crate::svg::{self, escape, flow_legend, num, text, LegendItem, INK};
use crate::table::{Cell, Table};

/// How values are put into classes.
#[derive(Debug, Clone, PartialEq)]
pub enum Classes {
    /// About the same number of countries in each of this many classes (1 to 9); the bounds
    /// are rounded to two significant digits so the legend can be read and remembered.
    Quantiles(usize),
    /// Fixed, strictly increasing thresholds: `[1.0, 5.0]` gives three classes, under 1,
    /// 1 to under 5, and 5 or more. At most 8 thresholds.
    Breaks(Vec<f64>),
}

impl Default for Classes {
    fn default() -> Classes {
        Classes::Quantiles(5)
    }
}

/// The classes a map uses: thresholds (each class includes its lower bound), legend labels,
/// countries per class, colours.
#[derive(Debug, Clone, PartialEq)]
pub struct Bins {
    pub thresholds: Vec<f64>,
    pub labels: Vec<String>,
    pub counts: Vec<usize>,
    pub colors: Vec<Color>,
}

impl Bins {
    /// The class of a value: how many thresholds it reaches.
    pub fn class_of(&self, value: f64) -> usize {
        self.thresholds.iter().filter(|t| **t <= value).count()
    }
}

/// A world (or regional) map of countries coloured by value.
///
/// ```
/// use marrakech_charts::{ChoroplethMap, Classes, Unit};
/// use marrakech_core::countries::M49;
/// let map = ChoroplethMap::new("stock", "International migrant stock, 2020")
///     .unit(Unit::Persons)
///     .value(M49::new(840).unwrap(), 50_600_000.0)
///     .value(M49::new(484).unwrap(), 1_200_000.0)
///     .classes(Classes::Breaks(vec![1e6, 1e7]))
///     .highlight(M49::new(484).unwrap());
/// let svg = map.render().unwrap();
/// assert!(svg.contains("<title>Mexico: 1,200,000</title>"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ChoroplethMap {
    id: String,
    title: String,
    unit: Unit,
    legend_title: Option<String>,
    values: Vec<(M49, f64)>,
    classes: Classes,
    scheme: Sequential,
    highlight: Option<M49>,
    extent: Option<Extent>,
    width: u32,
    decimals: Option<usize>,
    description: Option<String>,
}

struct Prepared<'r> {
    values: BTreeMap<M49, f64>,
    bins: Bins,
    decimals: usize,
    names: BTreeMap<M49, &'r str>,
}

impl ChoroplethMap {
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> ChoroplethMap {
        ChoroplethMap {
            id: id.into(),
            title: title.into(),
            unit: Unit::Plain,
            legend_title: None,
            values: Vec::new(),
            classes: Classes::default(),
            scheme: Sequential::default(),
            highlight: None,
            extent: None,
            width: 960,
            decimals: None,
            description: None,
        }
    }

    pub fn unit(mut self, unit: Unit) -> Self {
        self.unit = unit;
        self
    }

    /// What the colours mean, e.g. "Immigrants (persons)"; it heads the legend and the value
    /// column of the table. Defaults to the chart title.
    pub fn legend_title(mut self, title: impl Into<String>) -> Self {
        self.legend_title = Some(title.into());
        self
    }

    /// The value of one country or area; countries without one are drawn as "no data".
    pub fn value(mut self, m49: M49, value: f64) -> Self {
        self.values.push((m49, value));
        self
    }

    pub fn values(mut self, values: impl IntoIterator<Item = (M49, f64)>) -> Self {
        self.values.extend(values);
        self
    }

    pub fn classes(mut self, classes: Classes) -> Self {
        self.classes = classes;
        self
    }

    pub fn scheme(mut self, scheme: Sequential) -> Self {
        self.scheme = scheme;
        self
    }

    /// Outlines one country (say, the one whose emigrants are mapped), on top of the others,
    /// and names it in the legend.
    pub fn highlight(mut self, m49: M49) -> Self {
        self.highlight = Some(m49);
        self
    }

    /// Shows a region instead of the world.
    pub fn extent(mut self, extent: Extent) -> Self {
        self.extent = Some(extent);
        self
    }

    /// Width of the viewBox; the height follows from the map's shape and the legend.
    pub fn width(mut self, width: u32) -> Self {
        self.width = width;
        self
    }

    pub fn decimals(mut self, decimals: usize) -> Self {
        self.decimals = Some(decimals);
        self
    }

    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    fn value_title(&self) -> &str {
        self.legend_title.as_deref().unwrap_or(&self.title)
    }

    fn prepare(&self) -> Result<Prepared<'static>, ChartError> {
        svg::check_id(&self.id)?;
        if self.width < 320 {
            return Err(ChartError::Size {
                width: self.width,
                height: 0,
                min_width: 320,
                min_height: 0,
            });
        }
        let reference = Reference::official();
        let mut values = BTreeMap::new();
        let mut names = BTreeMap::new();
        for (m49, v) in &self.values {
            let country = reference
                .country(&m49.to_string())
                .ok_or(ChartError::NotACountry(*m49))?;
            check_finite(|| format!("the value for {}", country.name), *v)?;
            if values.insert(*m49, *v).is_some() {
                return Err(ChartError::DuplicateCountry(*m49));
            }
        }
        for c in &reference.countries {
            names.insert(c.m49, c.name.as_str());
        }
        if let Some(h) = self.highlight {
            if !names.contains_key(&h) {
                return Err(ChartError::NotACountry(h));
            }
        }
        let sorted: Vec<f64> = {
            let mut v: Vec<f64> = values.values().copied().collect();
            v.sort_by(f64::total_cmp);
            v
        };
        let thresholds = thresholds(&sorted, &self.classes)?;
        let decimals = self.decimals.unwrap_or_else(|| decimals_needed(&sorted, 2));
        let bound_decimals = self
            .decimals
            .unwrap_or_else(|| decimals_needed(&thresholds, 2));
        let k = thresholds.len() + 1;
        let f = |v: f64| self.unit.format_compact(v, bound_decimals);
        let labels: Vec<String> = if k == 1 {
            match (sorted.first(), sorted.last()) {
                (Some(a), Some(b)) if a == b => vec![self.unit.format_compact(*a, decimals)],
                (Some(a), Some(b)) => vec![format!(
                    "{} – {}",
                    self.unit.format_compact(*a, decimals),
                    self.unit.format_compact(*b, decimals)
                )],
                _ => vec![String::new()],
            }
        } else {
            (0..k)
                .map(|i| {
                    if i == 0 {
                        format!("under {}", f(thresholds[0]))
                    } else if i == k - 1 {
                        format!("{} or more", f(thresholds[k - 2]))
                    } else {
                        format!("{} – {}", f(thresholds[i - 1]), f(thresholds[i]))
                    }
                })
                .collect()
        };
        let mut bins = Bins {
            colors: self.scheme.colors(k),
            thresholds,
            labels,
            counts: vec![0; k],
        };
        for v in values.values() {
            let c = bins.class_of(*v);
            bins.counts[c] += 1;
        }
        Ok(Prepared {
            values,
            bins,
            decimals,
            names,
        })
    }

    /// The classes the map would use for its values.
    pub fn bins(&self) -> Result<Bins, ChartError> {
        Ok(self.prepare()?.bins)
    }

    /// Every country with a value, largest first: code, name, value, class, and how it is
    /// drawn (a shape, a dot for areas too small at this scale, or not at all).
    pub fn table(&self) -> Result<Table, ChartError> {
        let p = self.prepare()?;
        let world = World::bundled();
        let rows = by_value(&p)
            .into_iter()
            .map(|(m49, v)| {
                vec![
                    Cell::Text(m49.to_string()),
                    Cell::Text(p.names[&m49].to_owned()),
                    Cell::Number {
                        value: v,
                        display: self.unit.format(v, p.decimals),
                    },
                    Cell::Text(p.bins.labels[p.bins.class_of(v)].clone()),
                    Cell::Text(
                        match world.locate(m49) {
                            Some(Location::Shape(_)) => "area",
                            Some(Location::Point(_)) => "dot",
                            None => "not drawn",
                        }
                        .to_owned(),
                    ),
                ]
            })
            .collect();
        Ok(Table {
            headers: vec![
                "M49 code".to_owned(),
                "Country or area".to_owned(),
                self.value_title().to_owned(),
                "Class".to_owned(),
                "On the map".to_owned(),
            ],
            rows,
        })
    }

    fn describe(&self, p: &Prepared<'_>) -> String {
        if let Some(d) = &self.description {
            return d.clone();
        }
        let f = |v: f64| self.unit.format(v, p.decimals);
        let place = if self.extent.is_some() {
            "Regional map"
        } else {
            "World map"
        };
        if p.values.is_empty() {
            return format!("{place}: no data for any country.");
        }
        let ranked = by_value(p);
        let top: Vec<String> = ranked
            .iter()
            .take(5)
            .map(|(m, v)| format!("{} {}", p.names[m], f(*v)))
            .collect();
        let bottom: Vec<String> = ranked
            .iter()
            .rev()
            .take(3)
            .map(|(m, v)| format!("{} {}", p.names[m], f(*v)))
            .collect();
        let classes: Vec<String> = p
            .bins
            .labels
            .iter()
            .zip(&p.bins.counts)
            .map(|(l, c)| format!("{l}: {c}"))
            .collect();
        let mut s = format!(
            "{place} of {}. {} countries or areas have data, shown in {} colour classes from light to dark ({}); the others are hatched grey. Highest: {}. Lowest: {}.",
            self.value_title(),
            p.values.len(),
            p.bins.labels.len(),
            classes.join("; "),
            top.join(", "),
            bottom.join(", "),
        );
        if let Some(h) = self.highlight {
            let value = p
                .values
                .get(&h)
                .map(|v| f(*v))
                .unwrap_or_else(|| "no data".to_owned());
            let _ = write!(s, " Outlined: {} ({value}).", p.names[&h]);
        }
        s
    }

    pub fn render(&self) -> Result<String, ChartError> {
        let p = self.prepare()?;
        let world = World::bundled();
        let width = self.width as f64;
        let view = map::view(world, self.extent.as_ref(), width);
        let id = &self.id;
        let no_data_fill = format!("url(#{id}-nodata)");

        // Legend entries, laid out first because they decide the height.
        let mut items: Vec<LegendItem> = Vec::new();
        let empty = p.values.is_empty();
        if !empty {
            for (label, count) in p.bins.labels.iter().zip(&p.bins.counts) {
                items.push(LegendItem {
                    label: format!("{label} ({count})"),
                    symbol_width: 20.0,
                });
            }
        }
        let shown_codes: Vec<M49> = map::drawn_shapes(world).filter_map(|s| s.m49).collect();
        let without = shown_codes
            .iter()
            .filter(|m| !p.values.contains_key(m))
            .count();
        items.push(LegendItem {
            label: if empty {
                "No data for any country".to_owned()
            } else {
                format!("no data ({without})")
            },
            symbol_width: 20.0,
        });
        if let Some(h) = self.highlight {
            items.push(LegendItem {
                label: format!("{} (outlined)", p.names[&h]),
                symbol_width: 20.0,
            });
        }
        let legend_top = view.height + 6.0;
        let (positions, used) = flow_legend(&items, 10.0, legend_top + 22.0, width - 20.0, 22.0);
        let height = legend_top + 22.0 + used + 6.0;

        let mut out = String::new();
        svg::open(
            &mut out,
            id,
            "map",
            width,
            height,
            &self.title,
            &self.describe(&p),
        );
        map::defs(&mut out, id, &view);

        // One path per M49 code; id-less territories join the country they are counted in.
        let mut paths: BTreeMap<M49, String> = BTreeMap::new();
        for shape in map::drawn_shapes(world) {
            let Some(code) = shape.painted_as() else {
                continue;
            };
            let d = map::shape_path(shape, &view);
            if !d.is_empty() {
                paths.entry(code).or_default().push_str(&d);
            }
        }
        map::open_map_group(&mut out, id, &view, "mk-countries");
        out.push_str("<g stroke=\"#ffffff\" stroke-width=\"0.5\" stroke-linejoin=\"round\" fill-rule=\"evenodd\">");
        for (code, d) in &paths {
            let name = p.names.get(code).copied().unwrap_or("Unknown area");
            let (fill, tip) = match p.values.get(code) {
                Some(v) => (
                    p.bins.colors[p.bins.class_of(*v)].to_string(),
                    format!("{name}: {}", self.unit.format(*v, p.decimals)),
                ),
                None => (no_data_fill.clone(), format!("{name}: no data")),
            };
            let _ = write!(
                out,
                "<path fill=\"{fill}\" d=\"{d}\"><title>{}</title></path>",
                escape(&tip)
            );
        }
        out.push_str("</g>");

        // Areas too small for a polygon at this scale, as dots, only when they have a value.
        let mut dots = String::new();
        for (code, v) in &p.values {
            if let Some(Location::Point(a)) = world.locate(*code) {
                if self.extent.is_some_and(|e| !e.contains(a.lon, a.lat)) {
                    continue;
                }
                let (x, y) = view.fit.point(a.lon, a.lat);
                let _ =
                    write!(
                    dots,
                    "<circle cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"{}\"><title>{}</title></circle>",
                    num(x),
                    num(y),
                    p.bins.colors[p.bins.class_of(*v)],
                    escape(&format!("{}: {}", p.names[code], self.unit.format(*v, p.decimals)))
                );
            }
        }
        if !dots.is_empty() {
            let _ = write!(
                out,
                "<g class=\"mk-small-areas\" stroke=\"{INK}\" stroke-width=\"0.7\">{dots}</g>"
            );
        }

        // The highlight goes last so no neighbour covers its outline: a white casing under a
        // dark line keeps it visible on dark and light classes alike.
        if let Some(h) = self.highlight {
            match world.locate(h) {
                Some(Location::Shape(_)) => {
                    if let Some(d) = paths.get(&h) {
                        let _ = write!(
                            out,
                            "<g class=\"mk-highlight\" fill=\"none\" stroke-linejoin=\"round\"><path d=\"{d}\" stroke=\"#ffffff\" stroke-width=\"4\"/><path d=\"{d}\" stroke=\"{INK}\" stroke-width=\"2\"/></g>"
                        );
                    }
                }
                Some(Location::Point(a)) => {
                    let (x, y) = view.fit.point(a.lon, a.lat);
                    let _ = write!(
                        out,
                        "<circle class=\"mk-highlight\" cx=\"{}\" cy=\"{}\" r=\"6\" fill=\"none\" stroke=\"{INK}\" stroke-width=\"2\"/>",
                        num(x),
                        num(y)
                    );
                }
                None => {}
            }
        }
        out.push_str("</g>");
        map::frame(&mut out, &view);
        if empty {
            text(
                &mut out,
                width / 2.0,
                view.height / 2.0,
                "middle",
                "font-size=\"20\" font-weight=\"bold\" stroke=\"#ffffff\" stroke-width=\"4\" paint-order=\"stroke\" class=\"mk-no-data\"",
                "No data",
            );
        }

        out.push_str("<g class=\"mk-legend\">");
        let note = match (&self.classes, empty) {
            (_, true) => "",
            (Classes::Quantiles(_), false) => "quantile classes; each includes its lower bound",
            (Classes::Breaks(_), false) => "each class includes its lower bound",
        };
        map::legend_title(&mut out, legend_top, self.value_title(), note);
        let swatch = |out: &mut String, x: f64, y: f64, fill: &str, stroke: &str, sw: f64| {
            let _ = write!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"20\" height=\"13\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{}\"/>",
                num(x),
                num(y - 6.5),
                num(sw)
            );
        };
        let mut pos = positions.iter();
        if !empty {
            for (color, label) in p.bins.colors.iter().zip(items.iter()) {
                let (x, y) = *pos.next().expect("one position per item");
                swatch(&mut out, x, y, color.as_str(), "#888888", 0.5);
                text(&mut out, x + 26.0, y + 4.5, "start", "", &label.label);
            }
        }
        let offset = if empty { 0 } else { p.bins.labels.len() };
        let (x, y) = *pos.next().expect("one position per item");
        swatch(&mut out, x, y, &no_data_fill, "#888888", 0.5);
        text(
            &mut out,
            x + 26.0,
            y + 4.5,
            "start",
            "",
            &items[offset].label,
        );
        if self.highlight.is_some() {
            let (x, y) = *pos.next().expect("one position per item");
            swatch(&mut out, x, y, "#ffffff", INK, 2.0);
            text(
                &mut out,
                x + 26.0,
                y + 4.5,
                "start",
                "",
                &items[offset + 1].label,
            );
        }
        out.push_str("</g>");
        svg::close(&mut out);
        Ok(out)
    }
}

fn by_value(p: &Prepared<'_>) -> Vec<(M49, f64)> {
    let mut ranked: Vec<(M49, f64)> = p.values.iter().map(|(m, v)| (*m, *v)).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked
}

/// Class thresholds for sorted values.
pub(crate) fn thresholds(sorted: &[f64], classes: &Classes) -> Result<Vec<f64>, ChartError> {
    match classes {
        Classes::Breaks(breaks) => {
            let ok = !breaks.is_empty()
                && breaks.len() < Sequential::MAX_CLASSES
                && breaks.iter().all(|b| b.is_finite())
                && breaks.windows(2).all(|w| w[0] < w[1]);
            if ok {
                Ok(breaks.clone())
            } else {
                Err(ChartError::Breaks(breaks.clone()))
            }
        }
        Classes::Quantiles(k) => {
            if !(1..=Sequential::MAX_CLASSES).contains(k) {
                return Err(ChartError::ClassCount {
                    given: *k,
                    max: Sequential::MAX_CLASSES,
                });
            }
            let (Some(&min), Some(&max)) = (sorted.first(), sorted.last()) else {
                return Ok(Vec::new());
            };
            let n = sorted.len();
            let mut out: Vec<f64> = Vec::new();
            for j in 1..*k {
                // Linear interpolation between order statistics (Hyndman & Fan type 7).
                let h = (n - 1) as f64 * j as f64 / *k as f64;
                let (lo, frac) = (h.floor() as usize, h.fract());
                let q = sorted[lo] + frac * (sorted[(lo + 1).min(n - 1)] - sorted[lo]);
                let t = round_significant(q, 2);
                if t > min && t <= max && out.last().is_none_or(|last| t > *last) {
                    out.push(t);
                }
            }
            Ok(out)
        }
    }
}

/// A chart-independent way to see class bounds: the thresholds quantiles would give.
pub fn quantile_thresholds(values: &[f64], classes: usize) -> Result<Vec<f64>, ChartError> {
    let mut sorted: Vec<f64> = values.to_vec();
    for v in &sorted {
        check_finite(|| "a value".to_owned(), *v)?;
    }
    sorted.sort_by(f64::total_cmp);
    thresholds(&sorted, &Classes::Quantiles(classes))
}
