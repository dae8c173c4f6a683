//! Charts and maps for Marrakech's server-rendered pages, as inline SVG strings.
//!
//! Every chart is a builder with `render() -> Result<String, ChartError>` and
//! `table() -> Result<Table, ChartError>`: the SVG and the data it draws, prepared by the same
//! code so the page's table and CSV always match the picture. The SVG is accessible
//! (`role="img"`, `<title>` and `<desc>` referenced by `aria-labelledby`, values in labels and
//! legends, not only in colour) and safe under a `style-src 'self'` Content-Security-Policy:
//! no inline styles, no `<style>` or `<script>`, only presentation attributes and classes.
//! All caller text is XML-escaped; element ids start with the caller's prefix.
//!
//! Charts: [`LineChart`], [`BarChart`] (ranked, horizontal), [`ColumnChart`] (grouped or
//! stacked), [`ChoroplethMap`], [`PointMap`], [`Sparkline`]. The README covers the design,
//! the accessibility choices and the bundled geometry (Natural Earth via world-atlas).
mod bar;
mod choropleth;
mod common;
mod error;
pub mod format;
pub mod geo;
mod line;
mod map;
mod palette;
mod points;
mod sparkline;
pub mod svg;
mod table;

pub use bar::{BarChart, BarMode, ColumnChart, Order};
pub use choropleth::{quantile_thresholds, Bins, ChoroplethMap, Classes};
pub use error::{ChartError, GeoError};
pub use format::{format_number, format_thousands, Unit};
pub use geo::{GEOMETRY_ATTRIBUTION, MAP_DISCLAIMER};
pub use line::{LineChart, ReferenceLine};
pub use map::Extent;
pub use palette::{Color, Palette, Sequential};
pub use points::{Aggregation, Circle, MapPoint, PointMap};
pub use sparkline::Sparkline;
pub use table::{Cell, Table};
