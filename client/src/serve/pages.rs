//! The resolver's pages as maud templates: every value is escaped by construction, and the only
//! unescaped text is the page's own stylesheet. Each page puts the verdict first (`#verdict`,
//! `#verdict-headline`, `#verdict-reason`), then its evidence; nothing links out, so a merchant's
//! product URI is shown as text.

use super::product::ProductView;
use crate::fmt::utc;
use crate::scans::{ScanSummary, Suspicion};
use crate::verify::{Evidence, EvidenceStatus, MerchantReport, ProductReport, Report, SamplingReport, Verdict};
use maud::{html, Markup, PreEscaped};
use tracepass_shared::{Date, Selection};

/// Inlined into every page: the Content-Security-Policy allows no other stylesheet.
const CSS: &str = include_str!("style.css");

/// A whole page: `heading` names it in the browser's title, `body` is its sections.
fn page(heading: &str, body: Markup) -> String {
    let doc = html! {
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (heading) " · tracepass" }
                style { (PreEscaped(CSS)) }
            }
            body {
                main {
                    (body)
                    footer { "tracepass · read-only check against the consortium chain" }
                }
            }
        }
    };
    format!("<!doctype html>\n{}\n", doc.into_string())
}

/// Green, red or amber for a verdict.
pub fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Genuine => "ok",
        Verdict::NotRegistered | Verdict::NotInLot | Verdict::MerchantSuspended | Verdict::Recalled | Verdict::FailedInspection => "bad",
        Verdict::Held | Verdict::AttestationRevoked | Verdict::AttestationExpired | Verdict::AwaitingInspection => "warn",
    }
}

/// The sign beside a verdict of that colour: a tick, a cross or a warning.
fn mark(class: &str) -> &'static str {
    match class {
        "ok" => "\u{2713}",
        "bad" => "\u{2717}",
        _ => "\u{26a0}",
    }
}

/// The verdict's name as the JSON writes it (`not_in_lot`), for `data-verdict`.
fn verdict_code(v: Verdict) -> Option<String> {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(String::from))
}

/// The banner every page opens with. `mark` is decorative (the headline says it in words).
fn verdict_banner(class: &str, code: Option<String>, mark: Option<&str>, headline: &str, reason: &str) -> Markup {
    html! {
        section id="verdict" class={ "verdict " (class) } data-verdict=[code] {
            @if let Some(m) = mark {
                div class="mark" aria-hidden="true" { (m) }
            }
            h1 id="verdict-headline" { (headline) }
            p id="verdict-reason" { (reason) }
        }
    }
}

/// A chain date, `YYYYMMDD` as a number, as `YYYY-MM-DD`; anything else as the number it is.
/// Digit by digit, not through a calendar: the page shows what the chain holds.
fn yyyymmdd(d: Date) -> String {
    if (10_000_000..100_000_000).contains(&d) {
        format!("{:04}-{:02}-{:02}", d / 10_000, d / 100 % 100, d % 100)
    } else {
        d.to_string()
    }
}

/// A list of labelled values.
fn rows(rows: &[(&str, String)]) -> Markup {
    html! {
        dl {
            @for (k, v) in rows {
                dt { (k) }
                dd { (v) }
            }
        }
    }
}

/// The rows both pages show of a product, with the factory written as `factory`.
fn product_rows(p: &ProductReport, factory: String) -> Vec<(&'static str, String)> {
    vec![("Brand", p.brand.clone()), ("Category", p.category.to_string()), ("Origin", p.origin.clone()), ("HS code", p.hs_code.clone()), ("Factory", factory)]
}

/// The product's metadata URI as a row, if it has one (text, never a link).
fn product_info(p: &ProductReport) -> Option<(&'static str, String)> {
    (!p.uri.is_empty()).then(|| ("Product info", p.uri.clone()))
}

fn merchant_active(m: Option<&MerchantReport>) -> bool {
    crate::verify::verdict::merchant_in_good_standing(m.map(|m| m.status))
}

/// The merchant section of the item and product pages: status badge, country, tier, account.
fn merchant_section(merchant: Option<&MerchantReport>) -> Markup {
    html! {
        section id="merchant" {
            h2 { "Merchant" }
            @match merchant {
                Some(m) => {
                    p {
                        span class={ "badge " (if merchant_active(Some(m)) { "b-ok" } else { "b-bad" }) } { (format!("{:?}", m.status)) }
                        " " (m.country) " · tier " (format!("{:?}", m.tier))
                    }
                    p class="muted" { "account " span class="mono" { (m.account) } }
                }
                None => p class="none" { "the merchant is not (or no longer) on the consortium" },
            }
        }
    }
}

/// Attestations as a list, or `none` when there are none.
fn evidence_items(list: &[Evidence], none: &str) -> Markup {
    html! {
        @if list.is_empty() {
            p class="none" { (none) }
        } @else {
            ul {
                @for e in list {
                    @let badge = match e.status {
                        EvidenceStatus::Valid => "b-ok",
                        EvidenceStatus::Revoked => "b-bad",
                        EvidenceStatus::Expired => "b-warn",
                    };
                    li class="ev" {
                        div { "#" (e.id) " " (e.summary) " " span class={ "badge " (badge) } { (e.status.as_str()) } }
                        div class="muted" {
                            "issued " (utc(e.issued_at))
                            @if let Some(until) = e.valid_until { ", valid until " (utc(until)) }
                        }
                        div class="muted" { "by " span class="mono" { (e.issuer) } }
                    }
                }
            }
        }
    }
}

/// A section of attestations.
fn evidence_section(id: &str, title: &str, list: &[Evidence], none: &str) -> Markup {
    html! {
        section id=(id) {
            h2 { (title) }
            (evidence_items(list, none))
        }
    }
}

/// The sampling line of the inspections section, in words, and its badge.
fn sampling_words(s: &SamplingReport) -> (String, &'static str) {
    let how = format!("rate {}%, {}, epoch {}", f64::from(s.rate_bps) / 100.0, s.rule, s.epoch);
    match s.selection {
        Selection::Selected => (format!("Sampling selected this lot for inspection ({how})."), "b-warn"),
        Selection::NotSelected => (format!("Sampling did not select this lot ({how})."), "b-ok"),
        Selection::SeedPending => (format!("Sampling draw pending: the epoch's seed is not revealed yet ({how})."), "b-warn"),
        Selection::Unknown => (format!("No sampling record for this lot ({how})."), "b-warn"),
    }
}

/// What the scan log says of the item: a warning when its rules flag the code, else when it was
/// first verified and how often.
fn scans_section(s: &ScanSummary) -> Markup {
    let times = |n: u64| if n == 1 { "once".to_string() } else { format!("{n} times") };
    html! {
        @if s.suspicions.is_empty() {
            section id="scans" {
                p { "First verified on " (utc(s.first_ms.max(0) as u64)) "; verified " (times(s.count)) "." }
            }
        } @else {
            section id="scans" class="alert" role="alert" {
                h2 { "\u{26a0} This code may have been copied" }
                @for why in &s.suspicions {
                    p class="why" {
                        @match why {
                            Suspicion::TooManyScans { scans, limit, days } => {
                                "It was verified " (scans) " times in the last " (days) " days; a genuine item is rarely checked more than " (limit) " times."
                            }
                            Suspicion::TooManyRegions { regions, limit, days } => {
                                "It was verified from " (regions) " different regions in the last " (days) " days; a genuine item is rarely checked from more than " (limit) "."
                            }
                        }
                    }
                }
                p { "First verified on " (utc(s.first_ms.max(0) as u64)) "; verified " (times(s.count)) " in all. The same code printed on other packages verifies the same way: if this package was not sold to you sealed by the merchant, ask the seller." }
            }
        }
    }
}

/// The verification page of a report, with what the scan log says of the item if it is kept.
pub fn render_report(r: &Report, scans: Option<&ScanSummary>) -> String {
    let class = verdict_class(r.verdict);
    let mut item = vec![("GTIN", r.gtin.clone()), ("Lot", r.lot.clone()), ("Serial", r.serial.clone())];
    if let Some(l) = &r.lot_record {
        item.push(("Lot status", format!("{:?}", l.status)));
        item.push(("Lot size", format!("{} items", l.item_count)));
        item.push(("Produced", yyyymmdd(l.produced_on)));
        item.push(("Best before", yyyymmdd(l.expires_on)));
    }
    let body = html! {
        (verdict_banner(class, verdict_code(r.verdict), Some(mark(class)), r.verdict.headline(), &r.reason))
        @if let Some(s) = scans {
            (scans_section(s))
        }
        section id="item" {
            h2 { "This item" }
            (rows(&item))
            p class="muted" { "digital ID " span class="mono" { (r.item_id) } }
        }
        @if let Some(p) = &r.product {
            section id="product" {
                h2 { "Product" }
                (rows(&product_rows(p, format!("#{}", p.factory)).into_iter().chain(product_info(p)).collect::<Vec<_>>()))
            }
            (merchant_section(r.merchant.as_ref()))
            (evidence_section("factory-certification", "Factory certification", &r.factory_certifications, "no certification of this factory is recorded"))
            (evidence_section("customs", "Customs clearance", &r.customs_clearances, "no customs clearance is recorded for this lot"))
            section id="inspections" {
                h2 { "Inspections" }
                @match &r.sampling {
                    Some(s) => {
                        @let (words, badge) = sampling_words(s);
                        p id="sampling" { span class={ "badge " (badge) } { "sampling" } " " (words) }
                    }
                    None => p id="sampling" class="none" { "no sampling record for this lot" },
                }
                (evidence_items(&r.inspections, "no inspection of this lot is recorded"))
            }
            section id="trace" {
                h2 { "Journey" }
                @if r.trace.is_empty() {
                    p class="none" { "no trace events are recorded for this lot" }
                } @else {
                    ol class="timeline" {
                        @for t in &r.trace {
                            li {
                                b { (format!("{:?}", t.step)) }
                                span { (t.location) }
                                div class="muted" { (utc(t.event_time)) " · by " span class="mono" { (t.actor) } }
                            }
                        }
                    }
                }
            }
        }
    };
    page(r.verdict.headline(), body)
}

/// The product page.
pub fn render_product(v: &ProductView) -> String {
    let Some(p) = &v.product else {
        let reason = format!("no product with GTIN {} is registered on chain", v.gtin);
        return page("Not registered", verdict_banner("bad", None, Some(mark("bad")), Verdict::NotRegistered.headline(), &reason));
    };
    let pr = &p.product;
    let active = merchant_active(v.merchant.as_ref());
    let (class, reason) =
        if active { ("ok", "a registered product of an active merchant") } else { ("bad", "registered, but its merchant is not active on the consortium") };
    let factory = match &v.factory_country {
        Some(c) => format!("#{} ({c})", pr.factory),
        None => format!("#{}", pr.factory),
    };
    let mut product = vec![("GTIN", v.gtin.clone())];
    product.extend(product_rows(pr, factory));
    product.push(("Registered at block", p.registered_at_block.to_string()));
    product.extend(product_info(pr));
    let body = html! {
        (verdict_banner(class, None, None, &pr.brand, reason))
        section id="product" {
            h2 { "Product" }
            (rows(&product))
        }
        (merchant_section(v.merchant.as_ref()))
        (evidence_section("factory-certification", "Factory certification", &v.factory_certifications, "no certification of this factory is recorded"))
    };
    page(&pr.brand, body)
}

/// The page of a request that cannot be answered: the caller's bad link (red) or the chain out
/// of reach (amber), with what is wrong.
pub(super) fn render_error(bad_input: bool, heading: &str, advice: &str, shown: &str) -> String {
    let class = if bad_input { "bad" } else { "warn" };
    let body = html! {
        (verdict_banner(class, None, Some(mark(class)), heading, advice))
        section {
            h2 { "What is wrong" }
            p class="mono" { (shown) }
        }
    };
    page(heading, body)
}

/// The page of a path the resolver does not serve.
pub(super) fn render_not_found() -> String {
    let reason = "This is the tracepass resolver. Scan the QR code on a product's package to check it.";
    page("Not found", verdict_banner("warn", None, Some("?"), "Nothing here", reason))
}

#[cfg(test)]
mod tests {
    use super::super::product::ProductPageReport;
    use super::*;
    use crate::verify::{LotReport, TraceLine};
    use tracepass_shared::{BusinessStep, LotStatus, MerchantStatus, MerchantTier};

    const EVIL: &str = "<script>alert('x')</script>\"&";

    fn report(verdict: Verdict) -> Report {
        let evil = EVIL;
        Report {
            verdict,
            reason: format!("because {evil}"),
            gtin: "10614141000415".into(),
            lot: "L2026-11A".into(),
            serial: "AROHA00000042".into(),
            item_id: format!("0x{}", "ab".repeat(32)),
            product: Some(ProductReport { brand: evil.into(), category: 1001, origin: "NZ".into(), hs_code: "190110".into(), factory: 1, uri: "https://aroha.example/p/1".into() }),
            merchant: Some(MerchantReport { account: "5Fx".into(), country: "NZ".into(), tier: MerchantTier::Standard, status: MerchantStatus::Active }),
            lot_record: Some(LotReport { status: LotStatus::Cleared, item_count: 10000, produced_on: 20261101, expires_on: 20281031, registered_at_block: 40, root: "0x00".into() }),
            sampling: Some(SamplingReport { selection: Selection::Selected, rate_bps: 10000, rule: "category 1001, origin any, tier any".into(), epoch: 3 }),
            factory_certifications: vec![Evidence { id: 1, summary: format!("factory 1 certified {evil}"), issuer: "5Eve".into(), status: EvidenceStatus::Valid, issued_at: 0, valid_until: Some(86_400_000) }],
            customs_clearances: vec![Evidence { id: 3, summary: "cleared at CNSHA".into(), issuer: "5Ferdie".into(), status: EvidenceStatus::Valid, issued_at: 1_000, valid_until: None }],
            inspections: vec![Evidence { id: 2, summary: "Pass against GB 10765-2021".into(), issuer: "5Eve".into(), status: EvidenceStatus::Revoked, issued_at: 0, valid_until: None }],
            trace: vec![TraceLine { step: BusinessStep::Packing, event_time: 1_795_316_030_569, location: format!("NZ {evil}"), actor: "5Merchant".into() }],
        }
    }

    /// Every chain-sourced string is escaped, and the page loads nothing else. maud escapes
    /// `&`, `<`, `>` and `"` and leaves `'` as it is: safe in element text and in maud's
    /// attributes, which are always double-quoted.
    fn check_safe(html: &str) {
        assert!(!html.to_ascii_lowercase().contains("<script"), "{html}");
        assert!(!html.contains(EVIL) && !html.contains("</script>"), "unescaped: {html}");
        assert!(html.contains("&lt;script&gt;alert('x')&lt;/script&gt;&quot;&amp;"), "{html}");
        assert!(!html.contains("='") && !html.contains("=\"'"), "single-quoted attribute: {html}");
        for asset in ["src=", "href=", "@import", "url(", "<link", "<img", "<iframe", "<object"] {
            assert!(!html.to_ascii_lowercase().contains(asset), "{asset} in {html}");
        }
        assert!(html.contains("<meta name=\"viewport\""));
        assert!(html.starts_with("<!doctype html>"));
    }

    #[test]
    fn report_page_is_escaped_and_self_contained() {
        let html = render_report(&report(Verdict::Genuine), None);
        check_safe(&html);
        // the verdict comes first, before any evidence
        let v = html.find("id=\"verdict-headline\">GENUINE</h1>").expect("headline");
        assert!(v < html.find("id=\"product\"").unwrap() && v < html.find("id=\"trace\"").unwrap());
        assert!(html.contains("class=\"verdict ok\""));
        assert!(html.contains("data-verdict=\"genuine\""));
        assert!(html.contains("Sampling selected this lot for inspection"));
        assert!(html.contains("2026-11-22 02:53:50 UTC") && html.contains("2026-11-01"));
        // the merchant's product URI is shown as text, not a link
        assert!(html.contains("https://aroha.example/p/1") && !html.contains("href"));
    }

    #[test]
    fn negative_verdicts_are_red_or_amber() {
        for (v, class) in [(Verdict::NotInLot, "bad"), (Verdict::Recalled, "bad"), (Verdict::Held, "warn"), (Verdict::AwaitingInspection, "warn")] {
            let html = render_report(&report(v), None);
            check_safe(&html);
            assert!(html.contains(&format!("class=\"verdict {class}\"")), "{v:?}");
            assert!(html.contains(&maud::html! { (v.headline()) }.into_string()), "{v:?}");
            assert!(!html.contains(">GENUINE<"), "{v:?}");
        }
        let mut r = report(Verdict::NotRegistered);
        (r.product, r.merchant, r.lot_record, r.sampling) = (None, None, None, None);
        let html = render_report(&r, None);
        assert!(html.contains("NOT GENUINE: not registered") && html.contains("verdict bad"));
    }

    #[test]
    fn scan_counts_and_copy_warnings_show() {
        use crate::scans::{judge, Rules, ScanSummary};
        let rules = Rules::new(20, 5, 30).unwrap();
        let quiet = ScanSummary { count: 1, first_ms: 1_764_000_000_000, window_scans: 1, window_regions: 1, counted: true, suspicions: vec![] };
        let html = render_report(&report(Verdict::Genuine), Some(&quiet));
        check_safe(&html);
        assert!(html.contains("First verified on 2025-11-24 16:00:00 UTC; verified once."), "{html}");
        assert!(!html.contains("may have been copied"));
        let copied = ScanSummary { count: 25, window_scans: 21, window_regions: 20, suspicions: judge(&rules, 21, 20), ..quiet };
        let html = render_report(&report(Verdict::Genuine), Some(&copied));
        check_safe(&html);
        let warning = html.find("This code may have been copied").expect("warning");
        assert!(html.find("id=\"verdict-headline\"").unwrap() < warning && warning < html.find("id=\"item\"").unwrap());
        assert!(html.contains("verified 21 times in the last 30 days") && html.contains("from 20 different regions"), "{html}");
        assert!(html.contains("verified 25 times in all"));
    }

    #[test]
    fn product_page_is_escaped() {
        let r = report(Verdict::Genuine);
        let v = ProductView {
            gtin: r.gtin.clone(),
            registered: true,
            product: r.product.clone().map(|product| ProductPageReport { product, registered_at_block: 7 }),
            factory_country: Some("NZ".into()),
            merchant: r.merchant.clone(),
            factory_certifications: r.factory_certifications.clone(),
        };
        let html = render_product(&v);
        check_safe(&html);
        assert!(html.contains("190110") && html.contains("#1 (NZ)") && html.contains("Active"));
        let missing = render_product(&ProductView { product: None, merchant: None, factory_certifications: vec![], ..v });
        assert!(missing.contains("NOT GENUINE: not registered"));
    }

    #[test]
    fn error_and_not_found_pages_are_pages() {
        let html = render_error(true, "This link is not valid", "advice", "GTIN \"<1>\": BadCheckDigit");
        assert!(html.starts_with("<!doctype html>") && html.contains("class=\"verdict bad\"") && html.contains("GTIN &quot;&lt;1&gt;&quot;"), "{html}");
        assert!(render_not_found().contains("id=\"verdict-headline\">Nothing here</h1>"));
    }

    #[test]
    fn dates_read_well() {
        assert_eq!(yyyymmdd(20281031), "2028-10-31");
        assert_eq!(yyyymmdd(0), "0");
    }
}
