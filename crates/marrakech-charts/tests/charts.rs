//! Structural and golden tests of the rendered SVG, through the public API only.

use marrakech_charts::geo::{Location, World};
use marrakech_charts::{
    quantile_thresholds, Aggregation, BarChart, BarMode, Cell, ChartError, ChoroplethMap, Classes,
    ColumnChart, Extent, LineChart, MapPoint, Order, PointMap, Sparkline, Unit,
};
use marrakech_core::countries::M49;

fn code(c: u16) -> M49 {
    M49::new(c).unwrap()
}

/// A strict-enough XML check without a parser dependency: tags balance, attributes are
/// quoted, `&` only starts the five entities and numeric references, no `<` in text.
fn assert_well_formed(svg: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find('<') {
        check_text(&rest[..start]);
        let end = rest[start..].find('>').expect("tag closes") + start;
        let tag = &rest[start + 1..end];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "closing {name}");
        } else {
            let self_closing = tag.ends_with('/');
            let body = tag.trim_end_matches('/');
            let name = body.split_whitespace().next().expect("tag name");
            assert!(
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()),
                "{name}"
            );
            // Attribute values are double-quoted and their count is even.
            assert_eq!(body.matches('"').count() % 2, 0, "quotes in <{tag}>");
            check_text(body);
            if !self_closing {
                stack.push(name.to_owned());
            }
        }
        rest = &rest[end + 1..];
    }
    assert!(stack.is_empty(), "unclosed {stack:?}");
}

fn check_text(text: &str) {
    for (i, _) in text.match_indices('&') {
        let entity = &text[i..text[i..].find(';').map(|j| i + j + 1).unwrap_or(text.len())];
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"].contains(&entity),
            "bad entity {entity}"
        );
    }
    assert!(!text.contains('<'));
}

/// Everything a chart must be for the platform: well-formed, accessible, CSP-safe, with ids
/// under its prefix and unique.
fn assert_platform_ready(svg: &str, prefix: &str) {
    assert_well_formed(svg);
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains(" role=\"img\""));
    assert!(svg.contains(&format!("aria-labelledby=\"{prefix}-title {prefix}-desc\"")));
    assert!(svg.contains(&format!("<title id=\"{prefix}-title\">")));
    assert!(svg.contains(&format!("<desc id=\"{prefix}-desc\">")));
    assert!(!svg.contains("style="), "inline style attribute");
    assert!(!svg.contains("<style"), "style element");
    assert!(!svg.contains("<script"), "script element");
    let ids: Vec<&str> = svg
        .match_indices(" id=\"")
        .map(|(i, _)| {
            let s = &svg[i + 5..];
            &s[..s.find('"').unwrap()]
        })
        .collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "duplicate ids {ids:?}");
    for id in ids {
        assert!(
            id == prefix || id.starts_with(&format!("{prefix}-")),
            "{id}"
        );
    }
    for (i, _) in svg.match_indices("url(#") {
        let target = &svg[i + 5..i + 5 + svg[i + 5..].find(')').unwrap()];
        assert!(
            svg.contains(&format!("id=\"{target}\"")),
            "dangling url(#{target})"
        );
    }
}

fn cost_chart() -> LineChart {
    LineChart::new("cost", "Average cost of sending US$200")
        .unit(Unit::Percent)
        .y_label("Cost (% of amount sent)")
        .x_label("Year")
        .series(
            "Global",
            [
                ("2011", Some(9.3)),
                ("2012", Some(9.0)),
                ("2013", None),
                ("2014", Some(7.9)),
            ],
        )
        .series(
            "<script>alert('x')</script>",
            [("2011", 7.0), ("2014", 6.1)],
        )
        .reference_line(5.0, "SDG target 5 %")
        .reference_line(3.0, "SDG target 3 %")
        .size(480, 300)
}

#[test]
fn line_chart_escapes_and_is_platform_ready() {
    let svg = cost_chart().render().unwrap();
    assert_platform_ready(&svg, "cost");
    assert!(svg.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    // Ticks in 1-2-5 steps from zero, with the unit; both targets drawn and labelled.
    for tick in ["0%", "2%", "4%", "6%", "8%", "10%"] {
        assert!(svg.contains(&format!(">{tick}</text>")), "{tick}");
    }
    assert!(svg.contains(">SDG target 3 %</text>") && svg.contains(">SDG target 5 %</text>"));
    // The missing 2013 value splits the Global line into two runs.
    let global = svg.split("mk-series-0").nth(1).unwrap();
    let d = &global[global.find(" d=\"").unwrap() + 4..];
    let d = &d[..d.find('"').unwrap()];
    assert_eq!(d.matches('M').count(), 2, "{d}");
    // The description states the numbers, not only the picture.
    assert!(svg.contains("Global: 9.3% in 2011, 7.9% in 2014"));
    assert!(svg.contains("no data for 1 of 4"));
}

#[test]
fn line_chart_table_matches_the_picture() {
    let t = cost_chart().table().unwrap();
    assert_eq!(t.headers, ["Year", "Global", "<script>alert('x')</script>"]);
    assert_eq!(t.rows.len(), 4);
    assert_eq!(t.rows[2][1], Cell::Missing);
    assert_eq!(t.rows[2][2], Cell::Missing);
    assert_eq!(t.rows[0][1].display(), "9.3%");
    assert_eq!(t.rows[0][1].raw(), "9.3");
    let csv = t.to_csv().unwrap();
    assert!(
        csv.starts_with("Year,Global,<script>alert('x')</script>\n2011,9.3,7\n"),
        "{csv}"
    );
}

#[test]
fn output_is_deterministic_and_pinned() {
    let a = cost_chart().render().unwrap();
    assert_eq!(a, cost_chart().render().unwrap());
    let golden = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/line.svg");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &a).unwrap();
    }
    let pinned = std::fs::read_to_string(&golden).expect("tests/golden/line.svg (UPDATE_GOLDEN=1)");
    assert_eq!(
        a, pinned,
        "output changed; review and rerun with UPDATE_GOLDEN=1"
    );
}

#[test]
fn many_x_values_are_thinned() {
    let quarters: Vec<(String, f64)> = (0..200)
        .map(|i| {
            (
                format!("{}-Q{}", 1975 + i / 4, i % 4 + 1),
                i as f64 * 1000.0,
            )
        })
        .collect();
    let svg = LineChart::new("q", "Quarters")
        .series("A", quarters)
        .render()
        .unwrap();
    assert_platform_ready(&svg, "q");
    let labels = svg.matches("-Q1</text>").count();
    assert!((3..=20).contains(&labels), "{labels} labels");
    assert_eq!(
        svg.matches("-Q2</text>").count(),
        0,
        "labels of one quarter only"
    );
    assert!(svg.contains(">200,000</text>") || svg.contains(">150,000</text>"));
    // No markers for 200 points: one path only.
    assert_eq!(svg.matches("<circle").count(), 0);
}

#[test]
fn empty_inputs_say_no_data() {
    let none: Vec<(&str, Option<f64>)> = vec![("2020", None)];
    let outputs = [
        LineChart::new("a", "A").render().unwrap(),
        LineChart::new("a", "A")
            .series("x", none.clone())
            .render()
            .unwrap(),
        BarChart::new("a", "A").render().unwrap(),
        BarChart::new("a", "A").bar("x", None).render().unwrap(),
        ColumnChart::new("a", "A")
            .series("x", none.clone())
            .render()
            .unwrap(),
        Sparkline::new("a", "A").points(none).render().unwrap(),
        ChoroplethMap::new("a", "A").render().unwrap(),
        PointMap::new("a", "A").render().unwrap(),
    ];
    for svg in outputs {
        assert_platform_ready(&svg, "a");
        assert!(
            svg.contains(">No data</text>"),
            "{}",
            &svg[..200.min(svg.len())]
        );
    }
}

#[test]
fn ranked_bars_order_limit_and_label() {
    let chart = BarChart::new("corr", "Top corridors")
        .unit(Unit::Persons)
        .bars([
            ("Mexico to United States", 10_900_000.0),
            ("Syria to Türkiye", 3_700_000.0),
            ("India to UAE", 3_500_000.0),
        ])
        .bar("Ukraine to Russia", 3_300_000.0)
        .bar("Unknown", None)
        .limit(3)
        .highlight("India to UAE");
    let svg = chart.render().unwrap();
    assert_platform_ready(&svg, "corr");
    let t = chart.table().unwrap();
    let names: Vec<&str> = t.rows.iter().map(|r| r[0].display()).collect();
    assert_eq!(
        names,
        [
            "Mexico to United States",
            "Syria to Türkiye",
            "India to UAE"
        ]
    );
    assert_eq!(svg.matches("<rect").count(), 3, "one bar per table row");
    assert!(svg.contains(">10.9 million</text>"));
    assert!(svg.contains("the first 3 of 5 categories"));
    assert!(svg.contains("mk-bar mk-highlight"));
    let asc = BarChart::new("b", "B")
        .bars([("x", 2.0), ("y", 1.0)])
        .order(Order::Ascending);
    assert_eq!(asc.table().unwrap().rows[0][0].display(), "y");
}

#[test]
fn stacked_and_grouped_columns() {
    let stacked = ColumnChart::new("dm", "Dead and missing")
        .mode(BarMode::Stacked)
        .unit(Unit::Persons)
        .series("Dead", [("2022", 5_100.0), ("2023", 5_800.0)])
        .series("Missing", [("2022", Some(2_000.0)), ("2023", None)]);
    let svg = stacked.render().unwrap();
    assert_platform_ready(&svg, "dm");
    assert!(svg.contains(">7,100</text>"), "total above the 2022 stack");
    let t = stacked.table().unwrap();
    assert_eq!(t.headers, ["Category", "Dead", "Missing", "Total"]);
    assert_eq!(t.rows[1][3].value(), Some(5_800.0));
    assert_eq!(t.rows[1][2], Cell::Missing);
    // Three drawn segments plus two legend swatches.
    assert_eq!(svg.matches("<rect").count(), 5);
    let negative = ColumnChart::new("n", "N")
        .mode(BarMode::Stacked)
        .series("a", [("1", -1.0)]);
    assert!(matches!(
        negative.render(),
        Err(ChartError::Negative { .. })
    ));
    let grouped = ColumnChart::new("g", "G")
        .series("Women", [("1990", 1.0), ("2000", 2.0)])
        .series("Men", [("1990", 1.5), ("2000", 2.5)])
        .render()
        .unwrap();
    assert_platform_ready(&grouped, "g");
    // One tooltip per column; the chart's own title carries an id.
    assert_eq!(grouped.matches("<title>").count(), 4);
}

#[test]
fn quantile_and_fixed_bins() {
    let values: Vec<f64> = (1..=100).map(|i| i as f64 * 1_234.0).collect();
    let t = quantile_thresholds(&values, 4).unwrap();
    // Quartiles of 1,234 .. 123,400, rounded to two significant digits.
    assert_eq!(t, [32_000.0, 62_000.0, 93_000.0]);
    let map = ChoroplethMap::new("m", "M")
        .unit(Unit::Percent)
        .values([
            (code(484), 0.5),
            (code(840), 15.0),
            (code(124), 21.0),
            (code(250), 5.0),
        ])
        .classes(Classes::Breaks(vec![1.0, 5.0, 20.0]));
    let bins = map.bins().unwrap();
    assert_eq!(
        bins.labels,
        ["under 1%", "1% – 5%", "5% – 20%", "20% or more"]
    );
    assert_eq!(
        bins.counts,
        [1, 0, 2, 1],
        "5.0 falls in the class it starts"
    );
    assert_eq!(bins.colors.len(), 4);
    let svg = map.render().unwrap();
    assert!(svg.contains(">1% – 5% (0)</text>"));
    assert!(svg.contains(">20% or more (1)</text>"));
    for bad in [
        vec![],
        vec![1.0, 1.0],
        vec![f64::NAN],
        (0..9).map(f64::from).collect(),
    ] {
        let m = ChoroplethMap::new("m", "M").classes(Classes::Breaks(bad));
        assert!(matches!(m.bins(), Err(ChartError::Breaks(_))));
    }
    assert!(matches!(
        ChoroplethMap::new("m", "M")
            .classes(Classes::Quantiles(0))
            .bins(),
        Err(ChartError::ClassCount { .. })
    ));
    // Equal values make one class, not empty ones.
    let flat = ChoroplethMap::new("m", "M").values([(code(484), 3.0), (code(840), 3.0)]);
    assert_eq!(flat.bins().unwrap().labels, ["3"]);
}

#[test]
fn choropleth_with_highlight_titles_and_dots() {
    let map = ChoroplethMap::new("emig", "Emigrants from Mexico, by destination")
        .unit(Unit::Persons)
        .legend_title("Emigrants from Mexico")
        .values([
            (code(840), 10_900_000.0),
            (code(124), 90_000.0),
            (code(724), 50_000.0),
            (code(470), 120.0), // Malta: a dot, no polygon at 1:110m
        ])
        .highlight(code(484));
    let svg = map.render().unwrap();
    assert_platform_ready(&svg, "emig");
    assert!(svg.contains("<title>United States of America: 10,900,000</title>"));
    assert!(svg.contains("<title>Mexico: no data</title>"));
    assert!(svg.contains("<title>Malta: 120</title></circle>"));
    assert!(svg.contains("<g class=\"mk-highlight\""));
    assert!(svg.contains(">Mexico (outlined)</text>"));
    assert!(svg.contains("Outlined: Mexico (no data)."));
    // Every drawn country is a path with its own title.
    let world = World::bundled();
    let titled = svg.matches("</title></path>").count();
    assert_eq!(
        titled,
        world.shapes().iter().filter(|s| s.m49.is_some()).count() - 1
    );
    let t = map.table().unwrap();
    assert_eq!(t.headers[2], "Emigrants from Mexico");
    assert_eq!(t.rows[0][1].display(), "United States of America");
    assert_eq!(t.rows[3][4].display(), "dot");
    // A world map stays small enough to inline.
    assert!(svg.len() < 120_000, "{} bytes", svg.len());
}

#[test]
fn territories_without_ids_join_their_country() {
    let world = World::bundled();
    let kosovo = world
        .shapes()
        .iter()
        .find(|s| s.source_name == "Kosovo")
        .unwrap();
    assert_eq!(kosovo.m49, None);
    assert_eq!(kosovo.painted_as(), Some(code(688)));
    let svg = ChoroplethMap::new("k", "K")
        .value(code(688), 1.0)
        .render()
        .unwrap();
    let serbia = svg.split("<title>Serbia: 1</title>").next().unwrap();
    let d = &serbia[serbia.rfind(" d=\"").unwrap()..];
    assert_eq!(d.matches('M').count(), 2, "Serbia's path holds Kosovo too");
}

#[test]
fn choropleth_input_errors() {
    let region = ChoroplethMap::new("m", "M").value(code(2), 1.0);
    assert!(matches!(region.render(), Err(ChartError::NotACountry(_))));
    let twice = ChoroplethMap::new("m", "M")
        .value(code(484), 1.0)
        .value(code(484), 2.0);
    assert!(matches!(
        twice.table(),
        Err(ChartError::DuplicateCountry(_))
    ));
    let bad_id = ChoroplethMap::new("1map", "M");
    assert!(matches!(bad_id.render(), Err(ChartError::IdPrefix(_))));
    assert!(Extent::new(10.0, 0.0, 5.0, 10.0).is_err());
}

#[test]
fn every_world_atlas_country_is_in_the_reference() {
    let world = World::bundled();
    let reference = marrakech_core::Reference::official();
    let mut located = 0;
    for c in &reference.countries {
        if let Some(Location::Shape(s)) = world.locate(c.m49) {
            assert_eq!(s.m49, Some(c.m49));
            located += 1;
        }
    }
    assert_eq!(located, 175, "174 world-atlas ids and French Guiana");
}

fn incidents(n: usize) -> Vec<MapPoint> {
    // Spread over a few degrees of the central Mediterranean, deterministically.
    (0..n)
        .map(|i| {
            let f = i as f64;
            MapPoint::new(
                33.0 + (f * 0.618).fract() * 5.0,
                11.0 + (f * 0.414).fract() * 6.0,
                1.0 + (i % 7) as f64,
            )
        })
        .collect()
}

#[test]
fn point_maps_aggregate_thousands_of_points() {
    let points = incidents(6_000);
    let total: f64 = points.iter().map(|p| p.value).sum();
    let auto = PointMap::new("pm", "Incidents")
        .value_label("dead and missing")
        .item_label("incidents")
        .points(points.clone());
    let circles = auto.circles().unwrap();
    assert!(circles.len() <= 12, "{} cells of 2 degrees", circles.len());
    assert_eq!(circles.iter().map(|c| c.points).sum::<usize>(), 6_000);
    assert!((circles.iter().map(|c| c.value).sum::<f64>() - total).abs() < 1e-6);
    assert!(
        circles.windows(2).all(|w| w[0].value >= w[1].value),
        "largest first"
    );
    let svg = auto.render().unwrap();
    assert_platform_ready(&svg, "pm");
    assert_eq!(
        svg.matches("<circle").count(),
        circles.len() + 3,
        "plus the size legend"
    );
    assert!(svg.contains("per 2° cell"));
    assert!(svg.len() < 100_000);
    let table = auto.table().unwrap();
    assert_eq!(
        table.headers,
        ["Latitude", "Longitude", "Incidents", "Dead and missing"]
    );
    assert_eq!(table.rows.len(), circles.len());

    let all = PointMap::new("pm", "Incidents")
        .points(points.clone())
        .aggregation(Aggregation::None);
    assert_eq!(all.circles().unwrap().len(), 6_000);
    let fine = PointMap::new("pm", "I")
        .points(points.clone())
        .aggregation(Aggregation::Grid(0.5));
    assert!(fine.circles().unwrap().len() > circles.len());
    assert!(matches!(
        PointMap::new("pm", "I")
            .aggregation(Aggregation::Grid(0.0))
            .render(),
        Err(ChartError::GridCell(_))
    ));
    assert!(matches!(
        PointMap::new("pm", "I")
            .point(MapPoint::new(91.0, 0.0, 1.0))
            .render(),
        Err(ChartError::Coordinates { .. })
    ));
}

#[test]
fn regional_maps_clip_and_count_what_is_outside() {
    let mut points = incidents(50);
    points.push(MapPoint::new(32.5, -114.8, 3.0).label("Sonoran Desert"));
    let map = PointMap::new("med", "Mediterranean")
        .item_label("incidents")
        .points(points)
        .extent(Extent::mediterranean());
    let svg = map.render().unwrap();
    assert_platform_ready(&svg, "med");
    assert!(svg.contains("clip-path=\"url(#med-clip)\""));
    assert!(svg.contains("1 incidents lie outside the area shown"));
    assert_eq!(map.table().unwrap().rows.len(), 50);
}

#[test]
fn sparkline_is_small_and_described() {
    let s = Sparkline::new("sp", "Immigrants")
        .unit(Unit::Persons)
        .points([("2000", 1.0e6), ("2010", 1.5e6), ("2020", 2.0e6)]);
    let svg = s.render().unwrap();
    assert_platform_ready(&svg, "sp");
    assert!(svg.len() < 1_000);
    assert!(svg.contains("1.0 million in 2000, 2.0 million in 2020"));
    assert_eq!(s.table().unwrap().rows.len(), 3);
}

#[test]
fn bad_input_is_an_error_not_a_picture() {
    assert!(matches!(
        LineChart::new("x", "X")
            .series("a", [("1", f64::INFINITY)])
            .render(),
        Err(ChartError::NotFinite { .. })
    ));
    assert!(matches!(
        LineChart::new("x", "X")
            .x_values(["1"])
            .series("a", [("2", 1.0)])
            .render(),
        Err(ChartError::UnknownX { .. })
    ));
    assert!(matches!(
        LineChart::new("x", "X").size(10, 10).render(),
        Err(ChartError::Size { .. })
    ));
    assert!(matches!(
        LineChart::new("x y", "X").render(),
        Err(ChartError::IdPrefix(_))
    ));
}
