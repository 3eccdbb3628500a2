//! Charts drawn as SVG by our own components: a line over days, horizontal bars, a funnel
//! and a heat map. Each scales to the width of the screen (a `viewBox`, no fixed size), has
//! a text alternative, and is shown next to a table with the same numbers, so nothing is
//! only in the picture. Labels are text nodes, never markup.

use leptos::prelude::*;

/// Width and height of the drawing space of a line chart.
const W: f64 = 600.0;
const H: f64 = 160.0;

/// A line chart of `points` (label, value), e.g. net revenue per day. `format` writes a
/// value for the axis.
#[component]
pub fn LineChart(
    /// What it shows, for screen readers and the caption.
    title: String,
    /// Points in order.
    points: Vec<(String, i64)>,
    /// How a value is written.
    format: fn(i64) -> String,
    /// A test id.
    #[prop(optional)]
    testid: &'static str,
) -> impl IntoView {
    let max = points.iter().map(|p| p.1).max().unwrap_or(0).max(1);
    let min = points.iter().map(|p| p.1).min().unwrap_or(0).min(0);
    let span = (max - min).max(1) as f64;
    let n = points.len().max(2) as f64 - 1.0;
    let xy = |i: usize, v: i64| {
        (
            40.0 + (W - 50.0) * i as f64 / n,
            10.0 + (H - 30.0) * (1.0 - (v - min) as f64 / span),
        )
    };
    let path = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (x, y) = xy(i, p.1);
            format!("{x:.1},{y:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ");
    let zero_y = xy(0, 0).1;
    let first = points.first().map(|p| p.0.clone()).unwrap_or_default();
    let last = points.last().map(|p| p.0.clone()).unwrap_or_default();
    view! {
        <figure class="chart line-chart" data-testid=testid>
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=title.clone() preserveAspectRatio="none">
                <title>{title.clone()}</title>
                <line class="axis" x1="40" x2=W.to_string() y1=format!("{zero_y:.1}") y2=format!("{zero_y:.1}") />
                <text class="axis-label" x="36" y="16" text-anchor="end">{format(max)}</text>
                <text class="axis-label" x="36" y=format!("{:.1}", zero_y + 4.0) text-anchor="end">{format(0.max(min))}</text>
                <polyline class="series" points=path fill="none" />
                <text class="axis-label" x="40" y=(H - 4.0).to_string()>{first}</text>
                <text class="axis-label" x=(W - 4.0).to_string() y=(H - 4.0).to_string() text-anchor="end">{last}</text>
            </svg>
            <figcaption>{title}</figcaption>
        </figure>
    }
}

/// Horizontal bars: (label, value), longest first as given.
#[component]
pub fn BarChart(
    /// What it shows.
    title: String,
    /// Bars in order.
    bars: Vec<(String, i64)>,
    /// How a value is written.
    format: fn(i64) -> String,
    /// A test id.
    #[prop(optional)]
    testid: &'static str,
) -> impl IntoView {
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1) as f64;
    let row = 22.0;
    let height = (bars.len() as f64 * row).max(row);
    view! {
        <figure class="chart bar-chart" data-testid=testid>
            <svg viewBox=format!("0 0 {W} {height}") role="img" aria-label=title.clone()>
                <title>{title.clone()}</title>
                {bars.into_iter().enumerate().map(|(i, (label, v))| {
                    let y = i as f64 * row;
                    let width = ((W - 230.0) * v.max(0) as f64 / max).max(1.0);
                    let short: String = label.chars().take(28).collect();
                    view! {
                        <g>
                            <text class="bar-label" x="0" y=format!("{:.1}", y + 15.0)>{short}</text>
                            <rect class="bar" x="170" y=format!("{:.1}", y + 4.0) width=format!("{width:.1}") height="14" />
                            <text class="bar-value" x=format!("{:.1}", 174.0 + width) y=format!("{:.1}", y + 15.0)>{format(v)}</text>
                        </g>
                    }
                }).collect_view()}
            </svg>
            <figcaption>{title}</figcaption>
        </figure>
    }
}

/// A funnel: each step's count and its share of the step before.
#[component]
pub fn Funnel(
    /// What it shows.
    title: String,
    /// Steps in order: (label, count).
    steps: Vec<(String, i64)>,
) -> impl IntoView {
    let top = steps.first().map(|s| s.1).unwrap_or(0).max(1) as f64;
    let row = 34.0;
    let height = steps.len() as f64 * row;
    let mut before: Option<i64> = None;
    let shapes = steps
        .into_iter()
        .enumerate()
        .map(|(i, (label, v))| {
            let share = before
                .filter(|b| *b > 0)
                .map(|b| format!(" ({:.1} %)", 100.0 * v as f64 / b as f64))
                .unwrap_or_default();
            before = Some(v);
            let width = ((W - 20.0) * v as f64 / top).max(2.0);
            let x = (W - width) / 2.0;
            let y = i as f64 * row;
            view! {
                <g>
                    <rect class="funnel-step" x=format!("{x:.1}") y=format!("{:.1}", y + 2.0) width=format!("{width:.1}") height=(row - 6.0).to_string() />
                    <text class="funnel-label" x=(W / 2.0).to_string() y=format!("{:.1}", y + row / 2.0 + 3.0) text-anchor="middle">
                        {format!("{label}: {v}{share}")}
                    </text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart funnel" data-testid="funnel">
            <svg viewBox=format!("0 0 {W} {height}") role="img" aria-label=title.clone()>
                <title>{title.clone()}</title>
                {shapes}
            </svg>
            <figcaption>{title}</figcaption>
        </figure>
    }
}

/// A heat map as a table: rows of (label, size, cells), each cell a count shaded (in six
/// steps) by its share of the row's size.
#[component]
pub fn CohortHeatMap(
    /// Caption.
    title: String,
    /// Column headings after the first two.
    columns: Vec<String>,
    /// Rows: label, size, counts.
    rows: Vec<(String, i64, Vec<i64>)>,
    /// Heading of the label column.
    label_heading: String,
    /// Heading of the size column.
    size_heading: String,
) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="heatmap" data-testid="cohorts">
                <caption>{title}</caption>
                <thead>
                    <tr>
                        <th scope="col">{label_heading}</th>
                        <th scope="col">{size_heading}</th>
                        {columns.into_iter().map(|c| view! { <th scope="col">{c}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|(label, size, cells)| view! {
                        <tr>
                            <th scope="row">{label}</th>
                            <td>{size}</td>
                            {cells.into_iter().map(|c| {
                                let share = if size > 0 { c as f64 / size as f64 } else { 0.0 };
                                // Six shades by class: the page's policy allows no inline styles.
                                let class = format!("heat heat-{}", (share * 5.0).round().clamp(0.0, 5.0) as u8);
                                let text = if size > 0 { format!("{:.0} %", share * 100.0) } else { String::new() };
                                view! { <td class=class title=format!("{c}")>{text}</td> }
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
