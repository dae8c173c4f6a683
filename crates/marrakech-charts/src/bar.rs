//! Bar charts: horizontal ranked bars with value labels, and vertical columns grouped or
//! stacked by series.

use std::cmp::Ordering;
use std::fmt::Write as _;

use crate::common::{
    align, check_finite, draw_axis_title, draw_x_labels, draw_x_value_axis, draw_y_axis, thin_step,
    tick_label_width, value_ticks, value_ticks_across, Aligned, RawSeries, Scale,
};
use crate::error::ChartError;
use crate::format::{decimals_needed, Unit};
use crate::palette::{Color, Palette};
use crate::svg::{
    self, escape, flow_legend, num, text, text_width, truncate_to_width, LegendItem, FONT_SIZE,
    MUTED,
};
use crate::table::{Cell, Table};

/// How ranked bars are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// Largest first: the usual ranking.
    #[default]
    Descending,
    Ascending,
    /// As added, e.g. for categories with an order of their own.
    AsGiven,
}

/// Horizontal bars, one per label, ranked, each with its value written at its end.
///
/// ```
/// use marrakech_charts::{BarChart, Unit};
/// let chart = BarChart::new("causes", "Deaths by cause, 2023")
///     .unit(Unit::Persons)
///     .bar("Drowning", 3_100.0)
///     .bar("Vehicle accident", 600.0)
///     .bar("Violence", None);
/// assert_eq!(chart.table().unwrap().rows.len(), 3);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    id: String,
    title: String,
    unit: Unit,
    value_label: Option<String>,
    category_label: Option<String>,
    bars: Vec<(String, Option<f64>)>,
    order: Order,
    limit: Option<usize>,
    highlight: Option<String>,
    width: u32,
    decimals: Option<usize>,
    color: Color,
    highlight_color: Color,
    description: Option<String>,
}

struct PreparedBars {
    bars: Vec<(String, Option<f64>)>,
    total: usize,
    decimals: usize,
}

impl BarChart {
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> BarChart {
        let palette = Palette::categorical();
        BarChart {
            id: id.into(),
            title: title.into(),
            unit: Unit::Plain,
            value_label: None,
            category_label: None,
            bars: Vec::new(),
            order: Order::Descending,
            limit: None,
            highlight: None,
            width: 720,
            decimals: None,
            color: palette.color(0).clone(),
            highlight_color: palette.color(3).clone(),
            description: None,
        }
    }

    pub fn unit(mut self, unit: Unit) -> Self {
        self.unit = unit;
        self
    }

    /// Names the values, in the table header and above the axis, e.g. "Total cost".
    pub fn value_label(mut self, label: impl Into<String>) -> Self {
        self.value_label = Some(label.into());
        self
    }

    /// Names the bars in the table header, e.g. "Provider".
    pub fn category_label(mut self, label: impl Into<String>) -> Self {
        self.category_label = Some(label.into());
        self
    }

    /// One bar; `None` is drawn as "no data" and ranked last.
    pub fn bar(mut self, label: impl Into<String>, value: impl Into<Option<f64>>) -> Self {
        self.bars.push((label.into(), value.into()));
        self
    }

    pub fn bars<I, L, V>(mut self, bars: I) -> Self
    where
        I: IntoIterator<Item = (L, V)>,
        L: Into<String>,
        V: Into<Option<f64>>,
    {
        self.bars
            .extend(bars.into_iter().map(|(l, v)| (l.into(), v.into())));
        self
    }

    pub fn order(mut self, order: Order) -> Self {
        self.order = order;
        self
    }

    /// Shows only the first `n` bars after ordering ("top 10"); the description says how
    /// many there were.
    pub fn limit(mut self, n: usize) -> Self {
        self.limit = Some(n);
        self
    }

    /// Marks one bar (say, the selected country) in a second colour and bold label.
    pub fn highlight(mut self, label: impl Into<String>) -> Self {
        self.highlight = Some(label.into());
        self
    }

    /// Width; the height follows from the number of bars.
    pub fn width(mut self, width: u32) -> Self {
        self.width = width;
        self
    }

    pub fn decimals(mut self, decimals: usize) -> Self {
        self.decimals = Some(decimals);
        self
    }

    /// The bar colour and the highlight colour.
    pub fn colors(mut self, bar: Color, highlight: Color) -> Self {
        self.color = bar;
        self.highlight_color = highlight;
        self
    }

    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    fn prepare(&self) -> Result<PreparedBars, ChartError> {
        svg::check_id(&self.id)?;
        if self.width < 300 {
            return Err(ChartError::Size {
                width: self.width,
                height: 0,
                min_width: 300,
                min_height: 0,
            });
        }
        for (label, value) in &self.bars {
            if let Some(v) = value {
                check_finite(|| format!("bar `{label}`"), *v)?;
            }
        }
        let mut bars = self.bars.clone();
        // Stable sort: ties keep the caller's order, so output is deterministic.
        let by = |a: &Option<f64>, b: &Option<f64>, desc: bool| match (a, b) {
            (Some(x), Some(y)) => {
                let o = x.partial_cmp(y).unwrap_or(Ordering::Equal);
                if desc {
                    o.reverse()
                } else {
                    o
                }
            }
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        match self.order {
            Order::Descending => bars.sort_by(|a, b| by(&a.1, &b.1, true)),
            Order::Ascending => bars.sort_by(|a, b| by(&a.1, &b.1, false)),
            Order::AsGiven => {}
        }
        let total = bars.len();
        if let Some(n) = self.limit {
            bars.truncate(n);
        }
        let values: Vec<f64> = bars.iter().filter_map(|b| b.1).collect();
        let decimals = self.decimals.unwrap_or_else(|| decimals_needed(&values, 2));
        Ok(PreparedBars {
            bars,
            total,
            decimals,
        })
    }

    pub fn table(&self) -> Result<Table, ChartError> {
        let p = self.prepare()?;
        Ok(Table {
            headers: vec![
                self.category_label
                    .clone()
                    .unwrap_or_else(|| "Category".to_owned()),
                self.value_label
                    .clone()
                    .unwrap_or_else(|| "Value".to_owned()),
            ],
            rows: p
                .bars
                .iter()
                .map(|(l, v)| {
                    vec![
                        Cell::Text(l.clone()),
                        match v {
                            Some(value) => Cell::Number {
                                value: *value,
                                display: self.unit.format(*value, p.decimals),
                            },
                            None => Cell::Missing,
                        },
                    ]
                })
                .collect(),
        })
    }

    fn describe(&self, p: &PreparedBars) -> String {
        if let Some(d) = &self.description {
            return d.clone();
        }
        let shown = if p.bars.len() < p.total {
            format!("the first {} of {}", p.bars.len(), p.total)
        } else {
            format!("{}", p.total)
        };
        let listed: Vec<String> = p
            .bars
            .iter()
            .take(10)
            .map(|(l, v)| match v {
                Some(v) => format!("{l} {}", self.unit.format(*v, p.decimals)),
                None => format!("{l} no data"),
            })
            .collect();
        let more = if p.bars.len() > 10 {
            "; and more in the table"
        } else {
            ""
        };
        format!(
            "Bar chart of {shown} categories{}: {}{more}.",
            match self.order {
                Order::Descending => ", largest first",
                Order::Ascending => ", smallest first",
                Order::AsGiven => "",
            },
            listed.join("; ")
        )
    }

    pub fn render(&self) -> Result<String, ChartError> {
        let p = self.prepare()?;
        let w = self.width as f64;
        let row = 26.0;
        let has_title = self.value_label.is_some();
        let top = 12.0 + if has_title { 22.0 } else { 0.0 };
        let h = top + row * p.bars.len() as f64 + 34.0;
        if p.bars.iter().all(|b| b.1.is_none()) {
            return Ok(svg::no_data(
                &self.id,
                "bar",
                w,
                160.0_f64.max(h),
                &self.title,
                "No data",
            ));
        }
        let mut out = String::new();
        svg::open(
            &mut out,
            &self.id,
            "bar",
            w,
            h,
            &self.title,
            &self.describe(&p),
        );
        if let Some(label) = &self.value_label {
            draw_axis_title(&mut out, 10.0, 24.0, label);
        }
        let label_col = p
            .bars
            .iter()
            .map(|(l, _)| text_width(l, FONT_SIZE))
            .fold(0.0, f64::max)
            .min(w * 0.36);
        let left = 10.0 + label_col + 10.0;
        let values: Vec<f64> = p.bars.iter().filter_map(|b| b.1).collect();
        let lo = values.iter().copied().fold(0.0, f64::min);
        let hi = values.iter().copied().fold(0.0, f64::max);
        // Room at the ends for the value labels, which sit outside the bars.
        let widest_value = values
            .iter()
            .map(|v| text_width(&self.unit.format_compact(*v, p.decimals), FONT_SIZE))
            .fold(0.0, f64::max);
        let right = w - widest_value - 16.0;
        let left_plot = if lo < 0.0 {
            left + widest_value + 6.0
        } else {
            left
        };
        let ticks = value_ticks_across(lo, hi, right - left_plot, &self.unit);
        let x = Scale {
            d0: ticks.min,
            d1: ticks.max,
            r0: left_plot,
            r1: right,
        };
        let plot_bottom = top + row * p.bars.len() as f64;
        draw_x_value_axis(&mut out, &ticks, &self.unit, &x, top, plot_bottom);
        let zero = x.map(0.0);
        out.push_str("<g class=\"mk-bars\">");
        for (i, (label, value)) in p.bars.iter().enumerate() {
            let cy = top + row * (i as f64 + 0.5);
            let highlighted = self.highlight.as_deref() == Some(label.as_str());
            let weight = if highlighted {
                " font-weight=\"bold\""
            } else {
                ""
            };
            let shown = truncate_to_width(label, label_col, FONT_SIZE);
            let _ = write!(
                out,
                "<g class=\"mk-bar{}\">",
                if highlighted { " mk-highlight" } else { "" }
            );
            let tip = match value {
                Some(v) => format!("{label}: {}", self.unit.format(*v, p.decimals)),
                None => format!("{label}: no data"),
            };
            let _ = write!(out, "<title>{}</title>", escape(&tip));
            text(
                &mut out,
                left - 10.0,
                cy + 4.5,
                "end",
                weight.trim(),
                &shown,
            );
            match value {
                Some(v) => {
                    let (x0, x1) = if *v >= 0.0 {
                        (zero, x.map(*v))
                    } else {
                        (x.map(*v), zero)
                    };
                    let fill = if highlighted {
                        &self.highlight_color
                    } else {
                        &self.color
                    };
                    let _ = write!(
                        out,
                        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"/>",
                        num(x0),
                        num(cy - row * 0.36),
                        num((x1 - x0).max(0.5)),
                        num(row * 0.72)
                    );
                    let label = self.unit.format_compact(*v, p.decimals);
                    if *v >= 0.0 {
                        text(&mut out, x1 + 5.0, cy + 4.5, "start", weight.trim(), &label);
                    } else {
                        text(&mut out, x0 - 5.0, cy + 4.5, "end", weight.trim(), &label);
                    }
                }
                None => text(
                    &mut out,
                    zero + 5.0,
                    cy + 4.5,
                    "start",
                    &format!("fill=\"{MUTED}\" font-style=\"italic\""),
                    "no data",
                ),
            }
            out.push_str("</g>");
        }
        out.push_str("</g>");
        svg::close(&mut out);
        Ok(out)
    }
}

/// Grouped (side by side) or stacked columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BarMode {
    #[default]
    Grouped,
    /// Segments add up to the category's total, written above the stack; values must not
    /// be negative.
    Stacked,
}

/// Vertical columns for categories (usually periods), one per series, grouped or stacked.
///
/// ```
/// use marrakech_charts::{BarMode, ColumnChart, Unit};
/// let svg = ColumnChart::new("dm", "Dead and missing migrants")
///     .mode(BarMode::Stacked)
///     .unit(Unit::Persons)
///     .series("Dead", [("2022", 5_100.0), ("2023", 5_800.0)])
///     .series("Missing", [("2022", 2_000.0), ("2023", 2_700.0)])
///     .render()
///     .unwrap();
/// assert!(svg.contains("Dead"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnChart {
    id: String,
    title: String,
    unit: Unit,
    mode: BarMode,
    y_label: Option<String>,
    x_label: Option<String>,
    x: Option<Vec<String>>,
    series: Vec<RawSeries>,
    width: u32,
    height: u32,
    decimals: Option<usize>,
    palette: Palette,
    description: Option<String>,
}

impl ColumnChart {
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> ColumnChart {
        ColumnChart {
            id: id.into(),
            title: title.into(),
            unit: Unit::Plain,
            mode: BarMode::Grouped,
            y_label: None,
            x_label: None,
            x: None,
            series: Vec::new(),
            width: 720,
            height: 400,
            decimals: None,
            palette: Palette::categorical(),
            description: None,
        }
    }

    pub fn unit(mut self, unit: Unit) -> Self {
        self.unit = unit;
        self
    }

    pub fn mode(mut self, mode: BarMode) -> Self {
        self.mode = mode;
        self
    }

    pub fn y_label(mut self, label: impl Into<String>) -> Self {
        self.y_label = Some(label.into());
        self
    }

    pub fn x_label(mut self, label: impl Into<String>) -> Self {
        self.x_label = Some(label.into());
        self
    }

    /// The categories in order; without it, the union of the series' categories, sorted
    /// naturally.
    pub fn categories<I, S>(mut self, labels: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.x = Some(labels.into_iter().map(Into::into).collect());
        self
    }

    pub fn series<I, X, V>(mut self, name: impl Into<String>, points: I) -> Self
    where
        I: IntoIterator<Item = (X, V)>,
        X: Into<String>,
        V: Into<Option<f64>>,
    {
        self.series.push(RawSeries {
            name: name.into(),
            points: points
                .into_iter()
                .map(|(x, v)| (x.into(), v.into()))
                .collect(),
        });
        self
    }

    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.width = width;
        self.height = height;
        self
    }

    pub fn decimals(mut self, decimals: usize) -> Self {
        self.decimals = Some(decimals);
        self
    }

    pub fn palette(mut self, palette: Palette) -> Self {
        self.palette = palette;
        self
    }

    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    fn prepare(&self) -> Result<(Aligned, usize), ChartError> {
        svg::check_id(&self.id)?;
        if self.width < 240 || self.height < 160 {
            return Err(ChartError::Size {
                width: self.width,
                height: self.height,
                min_width: 240,
                min_height: 160,
            });
        }
        let a = align(self.x.as_deref(), &self.series)?;
        if self.mode == BarMode::Stacked {
            for (name, values) in &a.series {
                if let Some(v) = values.iter().flatten().find(|v| **v < 0.0) {
                    return Err(ChartError::Negative {
                        what: format!("stacked series `{name}`"),
                        value: *v,
                    });
                }
            }
        }
        let values: Vec<f64> = a.values().collect();
        let decimals = self.decimals.unwrap_or_else(|| decimals_needed(&values, 2));
        Ok((a, decimals))
    }

    fn total(a: &Aligned, i: usize) -> Option<f64> {
        let known: Vec<f64> = a.series.iter().filter_map(|(_, v)| v[i]).collect();
        (!known.is_empty()).then(|| known.iter().sum())
    }

    /// One row per category, one column per series, and a total column when stacked.
    pub fn table(&self) -> Result<Table, ChartError> {
        let (a, decimals) = self.prepare()?;
        let mut headers = vec![self
            .x_label
            .clone()
            .unwrap_or_else(|| "Category".to_owned())];
        headers.extend(a.series.iter().map(|(n, _)| n.clone()));
        let stacked = self.mode == BarMode::Stacked;
        if stacked {
            headers.push("Total".to_owned());
        }
        let cell = |v: Option<f64>| match v {
            Some(value) => Cell::Number {
                value,
                display: self.unit.format(value, decimals),
            },
            None => Cell::Missing,
        };
        let rows =
            a.x.iter()
                .enumerate()
                .map(|(i, x)| {
                    let mut row = vec![Cell::Text(x.clone())];
                    row.extend(a.series.iter().map(|(_, v)| cell(v[i])));
                    if stacked {
                        row.push(cell(Self::total(&a, i)));
                    }
                    row
                })
                .collect();
        Ok(Table { headers, rows })
    }

    fn describe(&self, a: &Aligned, decimals: usize) -> String {
        if let Some(d) = &self.description {
            return d.clone();
        }
        let f = |v: f64| self.unit.format(v, decimals);
        let kind = match self.mode {
            BarMode::Grouped => "Grouped column chart",
            BarMode::Stacked => "Stacked column chart",
        };
        let names: Vec<&str> = a.series.iter().map(|(n, _)| n.as_str()).collect();
        let mut s = format!(
            "{kind} of {} for {} categories from {} to {}.",
            names.join(", "),
            a.x.len(),
            a.x.first().map(String::as_str).unwrap_or(""),
            a.x.last().map(String::as_str).unwrap_or("")
        );
        if self.mode == BarMode::Stacked {
            let totals: Vec<(usize, f64)> = (0..a.x.len())
                .filter_map(|i| Self::total(a, i).map(|t| (i, t)))
                .collect();
            if let Some(max) = totals
                .iter()
                .copied()
                .reduce(|m, t| if t.1 > m.1 { t } else { m })
            {
                let _ = write!(s, " Highest total {} in {}.", f(max.1), a.x[max.0]);
            }
        }
        for (name, values) in &a.series {
            let known: Vec<(usize, f64)> = values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| (i, v)))
                .collect();
            if let Some(max) = known
                .iter()
                .copied()
                .reduce(|m, t| if t.1 > m.1 { t } else { m })
            {
                let _ = write!(s, " {name}: highest {} in {}.", f(max.1), a.x[max.0]);
            } else {
                let _ = write!(s, " {name}: no data.");
            }
        }
        s
    }

    pub fn render(&self) -> Result<String, ChartError> {
        let (a, decimals) = self.prepare()?;
        let (w, h) = (self.width as f64, self.height as f64);
        if a.is_empty() {
            return Ok(svg::no_data(
                &self.id,
                "columns",
                w,
                h,
                &self.title,
                "No data",
            ));
        }
        let stacked = self.mode == BarMode::Stacked;
        let mut out = String::new();
        svg::open(
            &mut out,
            &self.id,
            "columns",
            w,
            h,
            &self.title,
            &self.describe(&a, decimals),
        );
        let mut top = 10.0;
        let items: Vec<LegendItem> = a
            .series
            .iter()
            .map(|(n, _)| LegendItem {
                label: n.clone(),
                symbol_width: 14.0,
            })
            .collect();
        // Stacks read bottom-up, so the legend lists series in the order they are stacked,
        // left to right matching bottom to top.
        let (pos, used) = flow_legend(&items, 10.0, top, w - 20.0, 22.0);
        out.push_str("<g class=\"mk-legend\">");
        for (i, ((name, _), (x, y))) in a.series.iter().zip(pos).enumerate() {
            let _ = write!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"14\" fill=\"{}\"/>",
                num(x),
                num(y - 7.0),
                self.palette.color(i)
            );
            text(&mut out, x + 20.0, y + 4.5, "start", "", name);
        }
        out.push_str("</g>");
        top += used + 6.0;
        if let Some(label) = &self.y_label {
            draw_axis_title(&mut out, 10.0, top + 12.0, label);
            top += 22.0;
        }
        top += 16.0; // room for value labels above the tallest column
        let plot_bottom = h - 28.0 - if self.x_label.is_some() { 20.0 } else { 0.0 };
        let (lo, hi) = if stacked {
            let totals = (0..a.x.len()).filter_map(|i| Self::total(&a, i));
            (0.0, totals.fold(0.0, f64::max))
        } else {
            a.values()
                .fold((0.0, 0.0), |(l, h), v| (f64::min(l, v), f64::max(h, v)))
        };
        let ticks = value_ticks(lo, hi, true, plot_bottom - top);
        let left = 10.0 + tick_label_width(&ticks, &self.unit) + 8.0;
        let right = w - 10.0;
        let y = Scale {
            d0: ticks.min,
            d1: ticks.max,
            r0: plot_bottom,
            r1: top,
        };
        draw_y_axis(&mut out, &ticks, &self.unit, &y, left, right);
        let n = a.x.len();
        let band = (right - left) / n as f64;
        let centres: Vec<f64> = (0..n).map(|i| left + band * (i as f64 + 0.5)).collect();
        draw_x_labels(&mut out, &a.x, &centres, plot_bottom, thin_step(&a.x, band));
        if let Some(label) = &self.x_label {
            text(
                &mut out,
                (left + right) / 2.0,
                h - 8.0,
                "middle",
                "class=\"mk-axis-title\"",
                label,
            );
        }
        let inner = band * 0.8;
        let k = a.series.len();
        let bar_w = if stacked { inner } else { inner / k as f64 };
        let zero = y.map(0.0);
        let small = format!("font-size=\"11\" fill=\"{MUTED}\"");
        out.push_str("<g class=\"mk-columns\">");
        for (i, category) in a.x.iter().enumerate() {
            let x0 = centres[i] - inner / 2.0;
            let mut base = 0.0;
            for (s, (name, values)) in a.series.iter().enumerate() {
                let color = self.palette.color(s);
                let bx = if stacked { x0 } else { x0 + bar_w * s as f64 };
                let Some(v) = values[i] else {
                    if !stacked && text_width("n/a", 11.0) <= bar_w + 2.0 {
                        text(
                            &mut out,
                            bx + bar_w / 2.0,
                            zero - 4.0,
                            "middle",
                            &small,
                            "n/a",
                        );
                    }
                    continue;
                };
                let (v0, v1) = if stacked { (base, base + v) } else { (0.0, v) };
                base = v1;
                let (ya, yb) = (y.map(v0), y.map(v1));
                let (ry, rh) = (ya.min(yb), (ya - yb).abs());
                let tip = format!("{name}, {category}: {}", self.unit.format(v, decimals));
                let _ = write!(
                    out,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{color}\" stroke=\"#ffffff\" stroke-width=\"0.5\"><title>{}</title></rect>",
                    num(bx),
                    num(ry),
                    num(bar_w),
                    num(rh),
                    escape(&tip)
                );
                let label = self.unit.format_compact(v, decimals);
                let lw = text_width(&label, 11.0);
                if stacked {
                    if rh >= 15.0 && lw <= bar_w - 2.0 {
                        text(
                            &mut out,
                            bx + bar_w / 2.0,
                            ry + rh / 2.0 + 4.0,
                            "middle",
                            &format!("font-size=\"11\" fill=\"{}\"", color.text_on()),
                            &label,
                        );
                    }
                } else if lw <= bar_w + band * 0.1 * 2.0 / k as f64 && k <= 3 {
                    let ly = if v >= 0.0 { ry - 4.0 } else { ry + rh + 12.0 };
                    text(
                        &mut out,
                        bx + bar_w / 2.0,
                        ly,
                        "middle",
                        "font-size=\"11\"",
                        &label,
                    );
                }
            }
            if stacked {
                if let Some(t) = Self::total(&a, i) {
                    let label = self.unit.format_compact(t, decimals);
                    if text_width(&label, 11.0) <= band - 2.0 {
                        text(
                            &mut out,
                            centres[i],
                            y.map(t) - 4.0,
                            "middle",
                            "font-size=\"11\" font-weight=\"bold\"",
                            &label,
                        );
                    }
                }
            }
        }
        out.push_str("</g>");
        svg::close(&mut out);
        Ok(out)
    }
}
