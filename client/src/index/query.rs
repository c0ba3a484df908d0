//! Reading the index back: histories (a lot, a merchant's lots, an agency's attestations) and
//! statistics (inspection pass rates, sampling's observed against configured rates, the
//! inspection backlog). Every answer is JSON rows in a stable order.

use super::db::{Db, Val};
use crate::error::{ClientError, Result};
use serde_json::{json, Map, Value};

/// Most rows one history answer returns (`--limit`).
pub const MAX_LIMIT: u32 = 1_000;

type Rows = Vec<Map<String, Value>>;

/// A lot's record and its timeline (registration, trace events, status changes, attestations,
/// recall, disputes with their outcome) in chain order; `None` if the index has no such lot.
pub async fn lot(db: &Db, lot: &str) -> Result<Option<Value>> {
    let p = [Val::from(lot)];
    let Some(record) = db.rows("SELECT * FROM lots WHERE lot = $1", &p).await?.into_iter().next() else { return Ok(None) };
    let mut timeline: Rows = Vec::new();
    let mut add = |what: &str, rows: Rows| {
        for mut r in rows {
            r.insert("what".into(), what.into());
            timeline.push(r);
        }
    };
    add("registered", db.rows("SELECT block, idx, merchant AS actor FROM lots WHERE lot = $1", &p).await?);
    add("trace_event", db.rows("SELECT block, idx, actor, step, idx_in_lot FROM trace_events WHERE lot = $1", &p).await?);
    add("status", db.rows("SELECT block, idx, from_status, to_status FROM status_changes WHERE lot = $1", &p).await?);
    add(
        "attestation",
        db.rows("SELECT block, idx, id, kind, issuer AS actor, result, valid_until, revoked_block FROM attestations WHERE lot = $1", &p)
            .await?,
    );
    add("recall", db.rows("SELECT block, idx, recalled_by AS actor, reason_hash FROM recalls WHERE lot = $1", &p).await?);
    add("dispute", db.rows("SELECT block, idx, opened_by AS actor, failed, outcome, retest, resolved_block FROM disputes WHERE lot = $1", &p).await?);
    let key = |r: &Map<String, Value>| (r["block"].as_i64().unwrap_or(0), r["idx"].as_i64().unwrap_or(0));
    timeline.sort_by_key(key);
    Ok(Some(json!({ "lot": record, "timeline": timeline })))
}

/// A merchant's lots, newest first, at most `limit`.
pub async fn merchant_lots(db: &Db, merchant: &str, limit: u32) -> Result<Rows> {
    db.rows(
        "SELECT lot, gtin, lot_number, item_count, status, selected, block FROM lots WHERE merchant = $1 \
         ORDER BY block DESC, idx DESC LIMIT $2",
        &[merchant.into(), Val::from(limit.min(MAX_LIMIT))],
    )
    .await
}

/// An agency's (or customs office's) attestations, newest first, at most `limit`.
pub async fn issuer_attestations(db: &Db, issuer: &str, limit: u32) -> Result<Rows> {
    db.rows(
        "SELECT id, kind, lot, factory, result, standard, issued_at, valid_until, revoked_block, block FROM attestations \
         WHERE issuer = $1 ORDER BY block DESC, idx DESC LIMIT $2",
        &[issuer.into(), Val::from(limit.min(MAX_LIMIT))],
    )
    .await
}

/// What inspection pass rates are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum By {
    /// The lot's merchant.
    Merchant,
    /// The product's country of origin.
    Country,
    /// The product's category.
    Category,
    /// The inspecting agency.
    Agency,
}

/// A period of whole months (`YYYY-MM`, both ends included); `None`: unbounded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Period {
    /// First month.
    pub from: Option<String>,
    /// Last month.
    pub to: Option<String>,
}

impl Period {
    /// Whether `month` (`YYYY-MM`) is in the period.
    pub fn contains(&self, month: &str) -> bool {
        self.from.as_deref().is_none_or(|f| month >= f) && self.to.as_deref().is_none_or(|t| month <= t)
    }
}

/// A `YYYY-MM` month, checked.
pub fn parse_month(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let ok = b.len() == 7 && b[4] == b'-' && b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit) && (1..=12).contains(&s[5..].parse::<u8>().ok()?);
    ok.then(|| s.to_string())
}

/// Inspections and passes per `by` and month (of the inspection's issue time), counting
/// unrevoked inspections only.
pub async fn pass_rates(db: &Db, by: By) -> Result<Rows> {
    pass_rates_in(db, by, &Period::default()).await
}

/// [`pass_rates`] within a period.
pub async fn pass_rates_in(db: &Db, by: By, period: &Period) -> Result<Rows> {
    let key = match by {
        By::Merchant => "l.merchant",
        By::Country => "p.origin",
        By::Category => "CAST(p.category AS TEXT)",
        By::Agency => "a.issuer",
    };
    let sql = format!(
        "SELECT {key} AS key, a.month AS month, COUNT(*) AS inspections, \
         SUM(CASE WHEN a.result = 'pass' THEN 1 ELSE 0 END) AS passes \
         FROM attestations a JOIN lots l ON l.lot = a.lot JOIN products p ON p.gtin = l.gtin \
         WHERE a.kind = 'inspection' AND a.revoked_block IS NULL AND a.month >= $1 AND a.month <= $2 \
         GROUP BY {key}, a.month ORDER BY key, month"
    );
    let (from, to) = (period.from.clone().unwrap_or_default(), period.to.clone().unwrap_or_else(|| "9999-99".into()));
    let mut rows = db.rows(&sql, &[Val::Text(from), Val::Text(to)]).await?;
    for r in &mut rows {
        // SUM is numeric on PostgreSQL: the same integer on both backends
        let passes = number(&r["passes"]);
        let n = number(&r["inspections"]);
        r.insert("passes".into(), passes.into());
        r.insert("inspections".into(), n.into());
        r.insert("pass_rate".into(), if n > 0 { json!(passes as f64 / n as f64) } else { Value::Null });
    }
    Ok(rows)
}

fn number(v: &Value) -> i64 {
    v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)).or_else(|| v.as_str().and_then(|s| s.parse().ok())).unwrap_or(0)
}

/// The Wilson score interval of `k` successes in `n` trials at `z` (2.5758 for 99 %).
pub fn wilson(k: u64, n: u64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (n, p) = (n as f64, k as f64 / n as f64);
    let d = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / d;
    let half = z * ((p * (1.0 - p) / n) + z * z / (4.0 * n * n)).sqrt() / d;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// z of a two-sided 99 % interval.
pub const Z_99: f64 = 2.575_829_303_549;

/// Per configured rate and rule, and per how the lots were decided (`drawn` from a revealed
/// seed, or `fail_safe`: the epoch was finalized with no reveal, so every lot is selected):
/// lots whose epoch is final, how many were selected, the observed rate and its 99 % Wilson
/// interval, and (drawn only) whether the configured rate lies in it.
pub async fn sampling_rates(db: &Db) -> Result<Rows> {
    let how = "CASE WHEN e.seed IS NULL THEN 'fail_safe' ELSE 'drawn' END";
    let rule = "COALESCE(l.rule, 'default')";
    let mut rows = db
        .rows(
            &format!(
                "SELECT l.rate_bps AS rate_bps, {rule} AS rule, {how} AS how, COUNT(*) AS lots, \
                 SUM(CASE WHEN l.selected = 1 THEN 1 ELSE 0 END) AS selected \
                 FROM lots l JOIN epochs e ON e.epoch = l.epoch WHERE l.selected IS NOT NULL \
                 GROUP BY l.rate_bps, {rule}, {how} ORDER BY rate_bps, rule, how"
            ),
            &[],
        )
        .await?;
    for r in &mut rows {
        let (n, k) = (number(&r["lots"]) as u64, number(&r["selected"]) as u64);
        let configured = number(&r["rate_bps"]) as f64 / 10_000.0;
        let (lo, hi) = wilson(k, n, Z_99);
        let drawn = r["how"] == "drawn";
        r.insert("lots".into(), n.into());
        r.insert("selected".into(), k.into());
        r.insert("configured_rate".into(), json!(configured));
        r.insert("observed_rate".into(), json!(if n > 0 { k as f64 / n as f64 } else { 0.0 }));
        r.insert("interval_99".into(), json!([lo, hi]));
        r.insert("within".into(), if drawn { json!(lo <= configured && configured <= hi) } else { Value::Null });
    }
    Ok(rows)
}

/// Days after its selection (its epoch's finalization) when an uninspected lot is overdue,
/// unless the caller says otherwise.
pub const DEFAULT_OVERDUE_DAYS: u32 = 14;
/// Longest overdue period a caller may ask for, in days.
pub const MAX_OVERDUE_DAYS: u32 = 3_650;

/// The inspection backlog: selected lots with no inspection yet (selected when their epoch was
/// finalized, or at registration for a rate of 100 %). `total` and `overdue` (selected
/// more than `overdue_days` before the last indexed block's time, `as_of_ms`) count them all;
/// `items` lists the oldest, at most `limit`, each with `selected_at` and `overdue`.
pub async fn backlog(db: &Db, limit: u32, overdue_days: u32) -> Result<Value> {
    // selected when its epoch was finalized, or (rates of 100 %: no draw) at registration
    let from = "FROM lots l LEFT JOIN epochs e ON e.epoch = l.epoch LEFT JOIN blocks b ON b.number = e.block \
                WHERE l.selected = 1 AND NOT EXISTS (SELECT 1 FROM attestations a WHERE a.lot = l.lot AND a.kind = 'inspection')";
    let as_of = db.rows("SELECT MAX(time_ms) AS t FROM blocks", &[]).await?.first().map_or(0, |r| number(&r["t"]));
    let cutoff = as_of - i64::from(overdue_days.min(MAX_OVERDUE_DAYS)) * 86_400_000;
    let counts = db
        .rows(&format!("SELECT COUNT(*) AS n, SUM(CASE WHEN COALESCE(b.time_ms, l.time_ms) <= $1 THEN 1 ELSE 0 END) AS overdue {from}"), &[Val::Int(cutoff)])
        .await?;
    let mut items = db
        .rows(
            &format!("SELECT l.lot, l.merchant, l.gtin, l.lot_number, l.block, COALESCE(b.time_ms, l.time_ms) AS selected_at {from} ORDER BY l.block, l.idx LIMIT $1"),
            &[Val::from(limit.min(MAX_LIMIT))],
        )
        .await?;
    for r in &mut items {
        let overdue = number(&r["selected_at"]) <= cutoff;
        r.insert("overdue".into(), overdue.into());
    }
    let c = counts.first();
    Ok(json!({
        "total": c.map_or(0, |r| number(&r["n"])),
        "overdue": c.map_or(0, |r| number(&r["overdue"])),
        "overdue_days": overdue_days.min(MAX_OVERDUE_DAYS),
        "as_of_ms": as_of,
        "items": items,
    }))
}

/// What [`months`] counts, by index.
pub const MONTH_COLUMNS: [&str; 6] = ["passed", "failed", "held", "recalled", "disputed", "released_after_retest"];

/// Per month of a period: unrevoked inspections passed and failed, lots held (status changes to
/// held), lots recalled, disputes opened and disputes released after a re-test (by the month of
/// the decision); months in order, columns as [`MONTH_COLUMNS`].
pub async fn months(db: &Db, period: &Period) -> Result<Vec<(String, [i64; 6])>> {
    let mut m: std::collections::BTreeMap<String, [i64; 6]> = Default::default();
    for r in db
        .rows("SELECT month, result, COUNT(*) AS n FROM attestations WHERE kind = 'inspection' AND revoked_block IS NULL GROUP BY month, result", &[])
        .await?
    {
        let month = r["month"].as_str().unwrap_or("").to_string();
        if period.contains(&month) {
            m.entry(month).or_default()[if r["result"] == "pass" { 0 } else { 1 }] += number(&r["n"]);
        }
    }
    let held = db.rows("SELECT b.time_ms AS t FROM status_changes s JOIN blocks b ON b.number = s.block WHERE s.to_status = 'held'", &[]).await?;
    let recalled = db.rows("SELECT time_ms AS t FROM recalls", &[]).await?;
    for r in db.rows("SELECT time_ms, resolved_ms, outcome FROM disputes", &[]).await? {
        let mut count = |t: &Value, k: usize| {
            let month = super::facts::month(number(t) as u64);
            if period.contains(&month) {
                m.entry(month).or_default()[k] += 1;
            }
        };
        count(&r["time_ms"], 4);
        if r["outcome"] == "released" {
            count(&r["resolved_ms"], 5);
        }
    }
    for (k, rows) in [(2, held), (3, recalled)] {
        for r in rows {
            let month = super::facts::month(number(&r["t"]) as u64);
            if period.contains(&month) {
                m.entry(month).or_default()[k] += 1;
            }
        }
    }
    Ok(m.into_iter().collect())
}

/// Counts of every table and the cursor: the index at a glance.
pub async fn summary(db: &Db) -> Result<Value> {
    let mut m = Map::new();
    for t in super::db::TABLES {
        let n = db.rows(&format!("SELECT COUNT(*) AS n FROM {}", t.name), &[]).await?;
        m.insert(t.name.into(), n.first().map_or(0, |r| number(&r["n"])).into());
    }
    let cursor = db.cursor().await?;
    Ok(json!({ "tables": m, "head": cursor.as_ref().map(|c| c.block_number), "head_hash": cursor.map(|c| c.block_hash) }))
}

/// A lot ID as the index writes it (0x and 64 hex digits, lower case), or an error naming it.
pub fn lot_key(s: &str) -> Result<String> {
    let h = s.strip_prefix("0x").unwrap_or(s);
    if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ClientError::Input(format!("lot: {s:?} is not a lot ID (0x and 64 hex digits)")));
    }
    Ok(format!("0x{}", h.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_works() {
        let (lo, hi) = wilson(500, 10_000, Z_99);
        assert!(lo < 0.05 && 0.05 < hi && hi - lo < 0.015, "{lo} {hi}");
        assert_eq!(wilson(0, 0, Z_99), (0.0, 1.0));
        let (lo, hi) = wilson(0, 100, Z_99);
        assert_eq!(lo, 0.0);
        assert!(hi > 0.0 && hi < 0.07);
    }

    #[test]
    fn parse_month_works() {
        assert_eq!(parse_month("2026-12").as_deref(), Some("2026-12"));
        for bad in ["2026-13", "2026-00", "26-12", "2026/12", "2026-1x", ""] {
            assert_eq!(parse_month(bad), None, "{bad}");
        }
        let p = Period { from: Some("2026-01".into()), to: Some("2026-06".into()) };
        assert!(p.contains("2026-01") && p.contains("2026-06") && !p.contains("2025-12") && !p.contains("2026-07"));
    }

    #[test]
    fn lot_key_fails() {
        assert!(lot_key("0x12").is_err());
        assert!(lot_key(&"z".repeat(64)).is_err());
        assert_eq!(lot_key(&"AB".repeat(32)).unwrap(), format!("0x{}", "ab".repeat(32)));
    }
}
