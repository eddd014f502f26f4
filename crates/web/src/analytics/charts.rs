//! Charts a manager would rather look at than read, drawn on the server from the
//! same numbers as the table beside them: plain HTML/CSS bars and one SVG funnel,
//! no JavaScript (see docs/architecture.md, "Charts").

use super::table::percent;

/// A horizontal bar: its label, the value shown, and its length in percent of the
/// longest bar of the chart.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: String,
    pub width: f64,
}

impl Bar {
    /// The CSS width (`37.5%`).
    pub fn w(&self) -> String {
        format!("{:.1}%", self.width)
    }
}

/// Bars of one measure across groups (conversion by source, contact rate by dealer).
#[derive(Debug, Clone)]
pub struct BarChart {
    pub title: String,
    pub bars: Vec<Bar>,
}

/// Scales values so the largest is 100 % wide (nothing to draw: all zero).
pub fn widths(values: &[f64]) -> Vec<f64> {
    let max = values.iter().copied().fold(0.0_f64, f64::max);
    values.iter().map(|v| if max > 0.0 { (v / max * 100.0).clamp(0.0, 100.0) } else { 0.0 }).collect()
}

impl BarChart {
    /// A chart of rates (shares), one bar per `(label, rate)`; unknown rates draw nothing.
    pub fn rates(title: String, items: Vec<(String, Option<f64>)>) -> BarChart {
        let w = widths(&items.iter().map(|(_, r)| r.unwrap_or(0.0)).collect::<Vec<_>>());
        BarChart { title, bars: items.into_iter().zip(w).map(|((label, r), width)| Bar { label, value: percent(r), width }).collect() }
    }
}

/// One stage of the SVG funnel: a centred band as wide as its share of the leads.
#[derive(Debug, Clone)]
pub struct Band {
    pub label: String,
    pub count: i64,
    /// The conversion from the stage before (empty for the first stage).
    pub rate: String,
    pub x: f64,
    pub y: f64,
    pub width: f64,
}

/// Where a band sits in the SVG: labels on the left, the funnel in the middle
/// 400 units, the conversion rate on the right.
impl Band {
    pub fn sx(&self) -> String {
        format!("{:.1}", 160.0 + self.x * 4.0)
    }
    pub fn sw(&self) -> String {
        format!("{:.1}", self.width * 4.0)
    }
    pub fn sy(&self) -> String {
        format!("{:.1}", self.y * SVG_SCALE)
    }
    /// The baseline of the band's texts.
    pub fn ty(&self) -> String {
        format!("{:.1}", self.y * SVG_SCALE + BAND_HEIGHT * SVG_SCALE * 0.6)
    }
    pub fn sh(&self) -> String {
        format!("{:.1}", BAND_HEIGHT * SVG_SCALE * 0.85)
    }
}

/// SVG units per band-height unit.
const SVG_SCALE: f64 = 3.5;

/// The funnel drawn in a 100 × (bands × 12) SVG box.
#[derive(Debug, Clone)]
pub struct Funnel {
    pub title: String,
    pub bands: Vec<Band>,
    pub height: f64,
}

pub const BAND_HEIGHT: f64 = 12.0;

impl Funnel {
    /// `steps`: each stage's label and count, from all leads down; `rates`: the
    /// conversion into each stage after the first.
    pub fn new(title: String, steps: Vec<(String, i64)>, rates: Vec<Option<f64>>) -> Funnel {
        let first = steps.first().map_or(0, |s| s.1).max(1) as f64;
        let bands = steps
            .into_iter()
            .enumerate()
            .map(|(i, (label, count))| {
                // A band never shrinks below a sliver, so a small stage stays visible.
                let width = (count as f64 / first * 100.0).clamp(2.0, 100.0);
                let rate = if i == 0 { String::new() } else { percent(rates.get(i - 1).copied().flatten()) };
                Band { label, count, rate, x: (100.0 - width) / 2.0, y: i as f64 * BAND_HEIGHT, width }
            })
            .collect::<Vec<_>>();
        let height = bands.len() as f64 * BAND_HEIGHT;
        Funnel { title, bands, height }
    }

    /// The SVG's view box height.
    pub fn svg_height(&self) -> String {
        format!("{:.0}", self.height * SVG_SCALE)
    }
}

impl Segment {
    pub fn w(&self) -> String {
        format!("{:.2}%", self.width)
    }
}

/// Two measures side by side per group (expected against actual conversion).
#[derive(Debug, Clone)]
pub struct PairChart {
    pub title: String,
    pub legend: (String, String),
    pub rows: Vec<(String, Bar, Bar)>,
}

impl PairChart {
    pub fn rates(title: String, legend: (String, String), items: Vec<(String, Option<f64>, Option<f64>)>) -> PairChart {
        let all: Vec<f64> = items.iter().flat_map(|(_, a, b)| [a.unwrap_or(0.0), b.unwrap_or(0.0)]).collect();
        let w = widths(&all);
        let rows = items
            .into_iter()
            .enumerate()
            .map(|(i, (label, a, b))| {
                let bar = |r: Option<f64>, width: f64| Bar { label: label.clone(), value: percent(r), width };
                (label.clone(), bar(a, w[2 * i]), bar(b, w[2 * i + 1]))
            })
            .collect();
        PairChart { title, legend, rows }
    }
}

/// A segment of a stacked bar (one media source of a region's traffic).
#[derive(Debug, Clone)]
pub struct Segment {
    pub width: f64,
    /// 0–9: the colour of the source in the legend.
    pub colour: usize,
    pub title: String,
}

/// Groups as bars split by category, all bars on one scale (traffic by region and source).
#[derive(Debug, Clone)]
pub struct StackChart {
    pub title: String,
    pub legend: Vec<(usize, String)>,
    pub rows: Vec<(String, i64, Vec<Segment>)>,
}

impl StackChart {
    /// `rows`: each group's label and its count per category (in legend order).
    pub fn new(title: String, legend: Vec<String>, rows: Vec<(String, Vec<i64>)>) -> StackChart {
        let max = rows.iter().map(|(_, v)| v.iter().sum::<i64>()).max().unwrap_or(0).max(1) as f64;
        let rows = rows
            .into_iter()
            .map(|(label, values)| {
                let total: i64 = values.iter().sum();
                let segments = values
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| **v > 0)
                    .map(|(i, v)| Segment { width: *v as f64 / max * 100.0, colour: i, title: format!("{} {v}", legend.get(i).map_or("", |s| s)) })
                    .collect();
                (label, total, segments)
            })
            .collect();
        StackChart { title, legend: legend.into_iter().enumerate().collect(), rows }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_bar_fills_the_chart() {
        assert_eq!(widths(&[1.0, 4.0, 2.0]), vec![25.0, 100.0, 50.0]);
        assert_eq!(widths(&[0.0, 0.0]), vec![0.0, 0.0], "nothing to draw");
        let c = BarChart::rates("t".into(), vec![("a".into(), Some(0.2)), ("b".into(), None)]);
        assert_eq!((c.bars[0].width, c.bars[0].value.as_str(), c.bars[1].width), (100.0, "20.0%", 0.0));
    }

    #[test]
    fn the_funnel_narrows_with_the_counts() {
        let f = Funnel::new("f".into(), vec![("new".into(), 100), ("contacted".into(), 50), ("order".into(), 0)], vec![Some(0.5), Some(0.0)]);
        assert_eq!((f.bands[0].width, f.bands[0].x), (100.0, 0.0));
        assert_eq!((f.bands[1].width, f.bands[1].x, f.bands[1].rate.as_str()), (50.0, 25.0, "50.0%"));
        assert_eq!(f.bands[2].width, 2.0, "an empty stage stays a visible sliver");
        assert_eq!(f.height, 36.0);
    }

    #[test]
    fn stacked_bars_share_one_scale() {
        let s = StackChart::new("t".into(), vec!["tv".into(), "web".into()], vec![("东".into(), vec![1, 3]), ("南".into(), vec![2, 0])]);
        assert_eq!(s.rows[0].1, 4);
        assert_eq!(s.rows[0].2.iter().map(|x| x.width).collect::<Vec<_>>(), vec![25.0, 75.0]);
        assert_eq!(s.rows[1].2.len(), 1, "empty segments are not drawn");
        assert_eq!(s.rows[1].2[0].width, 50.0);
    }
}
