//! `GET /dashboard`: the operator's page over the index, server-rendered HTML with inline SVG
//! charts (maud escapes every value; no script, no external asset), filterable by period
//! (`?from=YYYY-MM&to=YYYY-MM`). Every chart has a title, labelled axes and units.

use super::params::{ApiError, Params};
use super::ApiState;
use crate::index::query::{self, By, Period};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, PreEscaped};
use serde_json::{Map, Value};

/// Most bars one chart shows (the rest are summed in the table under it).
pub const MAX_BARS: usize = 24;

const CSS: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}\
header{background:#1d2330;color:#fff;padding:12px 20px}header h1{margin:0;font-size:20px}\
main{padding:16px 20px;display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:16px}\
section{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:12px}\
h2{font-size:15px;margin:0 0 8px}table{border-collapse:collapse;width:100%;font-size:12px}\
td,th{border-bottom:1px solid #eee;padding:2px 6px;text-align:right}td:first-child,th:first-child{text-align:left}\
form{padding:8px 20px;background:#e9ecf1}svg text{font:11px system-ui,sans-serif}.num{font-variant-numeric:tabular-nums}";
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// One bar: its label, value (0..=max), an optional interval and an optional marker.
struct Bar {
    label: String,
    value: f64,
    interval: Option<(f64, f64)>,
    marker: Option<f64>,
    note: String,
}

/// A vertical bar chart: `title`, axes `x`/`y` (the y label carries the unit), values 0..=`max`.
fn bar_chart(id: &str, title: &str, x: &str, y: &str, max: f64, bars: &[Bar]) -> Markup {
    let (w, h, left, bottom, top) = (440.0, 270.0, 46.0, 92.0, 24.0);
    let plot_h = h - bottom - top;
    let n = bars.len().max(1) as f64;
    let slot = (w - left - 10.0) / n;
    let scale = |v: f64| top + plot_h * (1.0 - (v / max).clamp(0.0, 1.0));
    let ticks = [0.0, 0.25, 0.5, 0.75, 1.0];
    html! {
        svg id=(id) role="img" aria-labelledby=(format!("{id}-title")) viewBox=(format!("0 0 {w} {h}")) width="100%" {
            title id=(format!("{id}-title")) { (title) }
            text.chart-title x=(w / 2.0) y="14" text-anchor="middle" font-weight="bold" { (title) }
            // y axis with ticks and its label (the unit)
            line x1=(left) y1=(top) x2=(left) y2=(top + plot_h) stroke="#333" {}
            @for t in ticks {
                line x1=(left - 4.0) y1=(scale(t * max)) x2=(left) y2=(scale(t * max)) stroke="#333" {}
                text x=(left - 6.0) y=(scale(t * max) + 4.0) text-anchor="end" { (fmt_num(t * max)) }
            }
            text.axis-y transform=(format!("translate(12 {}) rotate(-90)", top + plot_h / 2.0)) text-anchor="middle" { (y) }
            // x axis and its label
            line x1=(left) y1=(top + plot_h) x2=(w - 10.0) y2=(top + plot_h) stroke="#333" {}
            text.axis-x x=((left + w) / 2.0) y=(h - 4.0) text-anchor="middle" { (x) }
            @for (i, b) in bars.iter().enumerate() {
                @let cx = left + slot * (i as f64 + 0.5);
                @let bw = (slot * 0.6).min(40.0);
                rect x=(cx - bw / 2.0) y=(scale(b.value)) width=(bw) height=(top + plot_h - scale(b.value)) fill="#3b6fd8" {
                    title { (b.label) ": " (fmt_num(b.value)) " " (b.note) }
                }
                @if let Some((lo, hi)) = b.interval {
                    line x1=(cx) y1=(scale(lo)) x2=(cx) y2=(scale(hi)) stroke="#111" stroke-width="1.5" {}
                    line x1=(cx - 5.0) y1=(scale(lo)) x2=(cx + 5.0) y2=(scale(lo)) stroke="#111" {}
                    line x1=(cx - 5.0) y1=(scale(hi)) x2=(cx + 5.0) y2=(scale(hi)) stroke="#111" {}
                }
                @if let Some(m) = b.marker {
                    line x1=(cx - bw / 2.0 - 3.0) y1=(scale(m)) x2=(cx + bw / 2.0 + 3.0) y2=(scale(m)) stroke="#d8463b" stroke-width="2" {}
                }
                text transform=(format!("translate({} {}) rotate(-35)", cx, top + plot_h + 12.0)) text-anchor="end" { (short(&b.label)) }
            }
            @if bars.is_empty() {
                text x=(w / 2.0) y=(top + plot_h / 2.0) text-anchor="middle" fill="#777" { "no data in this period" }
            }
        }
    }
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Long labels (SS58 accounts) shortened for an axis; the full text is in the table.
fn short(s: &str) -> String {
    if s.chars().count() > 16 {
        format!("{}…{}", s.chars().take(5).collect::<String>(), s.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect::<String>())
    } else {
        s.to_string()
    }
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

/// Pass rates by `by` summed over the period's months: (key, inspections, passes).
fn totals(rows: &[Map<String, Value>]) -> Vec<(String, f64, f64)> {
    let mut t: std::collections::BTreeMap<String, (f64, f64)> = Default::default();
    for r in rows {
        let e = t.entry(r["key"].as_str().unwrap_or("?").to_string()).or_default();
        e.0 += num(&r["inspections"]);
        e.1 += num(&r["passes"]);
    }
    t.into_iter().map(|(k, (n, p))| (k, n, p)).collect()
}

fn pass_rate_section(id: &str, title: &str, x: &str, rows: &[Map<String, Value>]) -> Markup {
    let t = totals(rows);
    let bars: Vec<Bar> = t
        .iter()
        .take(MAX_BARS)
        .map(|(k, n, p)| {
            let (lo, hi) = query::wilson(*p as u64, *n as u64, query::Z_99);
            Bar { label: k.clone(), value: 100.0 * p / n.max(1.0), interval: Some((100.0 * lo, 100.0 * hi)), marker: None, note: format!("% of {n} inspections") }
        })
        .collect();
    html! {
        section {
            (bar_chart(id, title, x, "pass rate (%)", 100.0, &bars))
            table {
                tr { th { (x) } th { "inspections" } th { "passed" } th { "pass rate" } }
                @for (k, n, p) in &t {
                    tr { td { (k) } td.num { (n) } td.num { (p) } td.num { (format!("{:.1} %", 100.0 * p / n.max(1.0))) } }
                }
            }
        }
    }
}

/// `GET /dashboard`.
pub async fn dashboard(State(s): State<ApiState>, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    let mut p = Params::parse(q.as_deref())?;
    let month = |p: &mut Params, name: &str| -> Result<Option<String>, ApiError> {
        p.text(name)?.map(|v| query::parse_month(&v).ok_or_else(|| ApiError::bad(name, "a month, YYYY-MM"))).transpose()
    };
    let period = Period { from: month(&mut p, "from")?, to: month(&mut p, "to")? };
    p.finish()?;
    let db = &s.db;
    let e = |e: crate::error::ClientError| ApiError::unavailable(&e);
    let by_country = query::pass_rates_in(db, By::Country, &period).await.map_err(e)?;
    let by_category = query::pass_rates_in(db, By::Category, &period).await.map_err(e)?;
    let by_agency = query::pass_rates_in(db, By::Agency, &period).await.map_err(e)?;
    let by_merchant = query::pass_rates_in(db, By::Merchant, &period).await.map_err(e)?;
    let months = query::months(db, &period).await.map_err(e)?;
    let sampling = query::sampling_rates(db).await.map_err(e)?;
    let backlog = query::backlog(db, 10, query::DEFAULT_OVERDUE_DAYS).await.map_err(e)?;
    let summary = query::summary(db).await.map_err(e)?;

    // counts: an axis of whole ticks (a multiple of 4)
    let month_max = (months.iter().map(|(_, c)| (c[0] + c[1]).max(c[2]).max(c[3]).max(c[4]) as f64).fold(1.0, f64::max) / 4.0).ceil() * 4.0;
    // the last MAX_BARS months: a bar of `value`, a red mark of column `marked`, and the note
    let month_bars = |value: fn(&[i64; 6]) -> i64, marked: usize, note: &str| -> Vec<Bar> {
        let first = months.len().saturating_sub(MAX_BARS);
        months[first..]
            .iter()
            .map(|(m, c)| Bar { label: m.clone(), value: value(c) as f64, interval: None, marker: Some(c[marked] as f64), note: note.replace("{}", &c[marked].to_string()) })
            .collect()
    };
    let inspections = month_bars(|c| c[0] + c[1], 1, "inspections, {} failed (red mark)");
    let holds = month_bars(|c| c[2], 3, "holds, {} recalls (red mark)");
    let disputes = month_bars(|c| c[4], 5, "disputes opened, {} released after a re-test (red mark)");
    let sampling_bars: Vec<Bar> = sampling
        .iter()
        .filter(|r| r["how"] == "drawn")
        .take(MAX_BARS)
        .map(|r| {
            let iv = r["interval_99"].as_array().map(|a| (100.0 * num(&a[0]), 100.0 * num(&a[1])));
            Bar {
                label: format!("{} {} %", r["rule"].as_str().unwrap_or(""), fmt_num(num(&r["rate_bps"]) / 100.0)),
                value: 100.0 * num(&r["observed_rate"]),
                interval: iv,
                marker: Some(100.0 * num(&r["configured_rate"])),
                note: format!("% observed of {} lots", r["lots"]),
            }
        })
        .collect();
    let period_text = match (&period.from, &period.to) {
        (None, None) => "all months".to_string(),
        (f, t) => format!("{} to {}", f.as_deref().unwrap_or("the start"), t.as_deref().unwrap_or("now")),
    };
    let page = html! {
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Quality dashboard · tracepass" }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    h1 { "Quality dashboard" }
                    div #period { "Period: " (period_text) " · indexed to block " (summary["head"]) }
                }
                form method="get" action="/dashboard" {
                    label { "From " input type="month" name="from" value=[period.from.as_deref()]; }
                    " "
                    label { "to " input type="month" name="to" value=[period.to.as_deref()]; }
                    " "
                    button type="submit" { "Show" }
                }
                main {
                    (pass_rate_section("by-country", "Inspection pass rate by country of origin", "country of origin", &by_country))
                    (pass_rate_section("by-category", "Inspection pass rate by product category", "category", &by_category))
                    (pass_rate_section("by-agency", "Inspection pass rate by agency", "agency", &by_agency))
                    (pass_rate_section("by-merchant", "Inspection pass rate by merchant", "merchant", &by_merchant))
                    section {
                        (bar_chart("per-month", "Inspections per month (red mark: failed)", "month", "inspections (count)", month_max, &inspections))
                    }
                    section {
                        (bar_chart("holds", "Lots held per month (red mark: recalled)", "month", "lots (count)", month_max, &holds))
                    }
                    section {
                        (bar_chart("disputes", "Disputes opened per month (red mark: released after a re-test)", "month", "disputes (count)", month_max, &disputes))
                    }
                    section {
                        (bar_chart("sampling", "Sampling: observed selection rate, 99% interval, configured rate (red)", "configured rate and rule", "lots selected (%)", 100.0, &sampling_bars))
                        table {
                            tr { th { "rate" } th { "rule" } th { "how" } th { "lots" } th { "selected" } th { "observed" } th { "99% interval" } }
                            @for r in &sampling {
                                tr {
                                    td.num { (r["rate_bps"]) " bps" } td { (r["rule"].as_str().unwrap_or("")) } td { (r["how"].as_str().unwrap_or("")) }
                                    td.num { (r["lots"]) } td.num { (r["selected"]) }
                                    td.num { (format!("{:.2} %", 100.0 * num(&r["observed_rate"]))) }
                                    td.num { (r["interval_99"].as_array().map(|a| format!("{:.2}–{:.2} %", 100.0 * num(&a[0]), 100.0 * num(&a[1]))).unwrap_or_default()) }
                                }
                            }
                        }
                    }
                    section #backlog {
                        h2 { "Inspection backlog: selected lots not inspected" }
                        p #backlog-counts {
                            (backlog["total"]) " lots waiting, " (backlog["overdue"]) " of them overdue (selected more than "
                            (backlog["overdue_days"]) " days ago). The oldest:"
                        }
                        table {
                            tr { th { "lot" } th { "merchant" } th { "GTIN" } th { "lot number" } th { "selected" } th { "overdue" } }
                            @for r in backlog["items"].as_array().into_iter().flatten() {
                                tr {
                                    td { (short(r["lot"].as_str().unwrap_or(""))) } td { (short(r["merchant"].as_str().unwrap_or(""))) }
                                    td { (r["gtin"].as_str().unwrap_or("")) } td { (r["lot_number"].as_str().unwrap_or("")) }
                                    td.num { (crate::fmt::utc(r["selected_at"].as_u64().unwrap_or(0))) }
                                    td { @if r["overdue"] == true { "yes" } @else { "no" } }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let mut res = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], format!("<!doctype html>\n{}\n", page.into_string())).into_response();
    res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    Ok(res)
}
