//! The resolver's pages as maud templates, in the reader's language ([`View`]): every value is
//! escaped by construction, and the only unescaped text is the page's own stylesheet. Each page
//! puts the verdict first (`#verdict`, `#verdict-headline`, `#verdict-reason`), then its evidence;
//! nothing links out (a merchant's product URI is shown as text): the only links are the language
//! switch's, to the same page with another `?lang=`.

use super::product::ProductView;
use crate::i18n::{enum_text, n, rule_text, s, Lang};
use crate::scans::{ScanSummary, Suspicion};
use crate::verify::{Evidence, EvidenceStatus, MerchantReport, ProductReport, Report, SamplingReport, Verdict};
use maud::{html, Markup, PreEscaped};
use tracepass_shared::Selection;

/// Inlined into every page: the Content-Security-Policy allows no other stylesheet.
const CSS: &str = include_str!("style.css");

/// How a page is written: in which language, and the request's query string (kept by the
/// language switch's links, so a scanned item's proof stays on them).
#[derive(Debug, Clone, Default)]
pub struct View {
    /// The page's language.
    pub lang: Lang,
    /// The request's query string, as it came (no `?`).
    pub query: String,
}

impl View {
    /// A view in `lang` of a request with no query string.
    pub fn new(lang: Lang) -> View {
        View { lang, query: String::new() }
    }

    /// The message `id` in the page's language.
    fn t(&self, id: &str) -> String {
        self.lang.t(id)
    }

    /// The relative link to this page in `lang`: the same query with `lang=` replaced. A query-only
    /// reference keeps the path and the origin, whatever the request's path was.
    fn switch_href(&self, lang: Lang) -> String {
        let mut q = super::query_without(&self.query, "lang");
        let pair = format!("lang={}", lang.code());
        q.push(&pair);
        format!("?{}", q.join("&"))
    }
}

/// A whole page: `heading` names it in the browser's title, `body` is its sections.
fn page(v: &View, heading: &str, body: Markup) -> String {
    let doc = html! {
        html lang=(v.lang.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (heading) " · tracepass" }
                style { (PreEscaped(CSS)) }
            }
            body {
                main {
                    nav class="lang" aria-label=(v.t("language")) {
                        @for (i, l) in Lang::ALL.into_iter().enumerate() {
                            @if i > 0 { " · " }
                            @if l == v.lang {
                                span lang=(l.tag()) aria-current="true" { (l.native_name()) }
                            } @else {
                                a href=(v.switch_href(l)) hreflang=(l.tag()) lang=(l.tag()) { (l.native_name()) }
                            }
                        }
                    }
                    (body)
                    footer { (v.t("page-footer")) }
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
        Verdict::Held | Verdict::AttestationRevoked | Verdict::AttestationExpired | Verdict::AwaitingInspection | Verdict::SelectionPending => "warn",
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

/// A list of labelled values.
fn rows(rows: &[(String, String)]) -> Markup {
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
fn product_rows(v: &View, p: &ProductReport, factory: String) -> Vec<(String, String)> {
    vec![
        (v.t("label-brand"), p.brand.clone()),
        (v.t("label-category"), p.category.to_string()),
        (v.t("label-origin"), p.origin.clone()),
        (v.t("label-hs-code"), p.hs_code.clone()),
        (v.t("label-factory"), factory),
    ]
}

/// The product's metadata URI as a row, if it has one (text, never a link).
fn product_info(v: &View, p: &ProductReport) -> Option<(String, String)> {
    (!p.uri.is_empty()).then(|| (v.t("label-product-info"), p.uri.clone()))
}

fn merchant_active(m: Option<&MerchantReport>) -> bool {
    crate::verify::verdict::merchant_in_good_standing(m.map(|m| m.status))
}

/// An account's display name, or words saying it has none (its address is in [`account_details`]).
fn name_or_unnamed(v: &View, name: &Option<String>) -> Markup {
    html! {
        @match name {
            Some(n) => b class="name" { (n) },
            None => span class="none" { (v.t("unnamed")) },
        }
    }
}

/// The account's address, folded away: names are what a reader reads.
fn account_details(v: &View, account: &str) -> Markup {
    html! {
        details class="muted" {
            summary { (v.t("label-account")) }
            span class="mono" { (account) }
        }
    }
}

/// The merchant section of the item and product pages: name, status badge, country, tier; the
/// account folded away.
fn merchant_section(v: &View, merchant: Option<&MerchantReport>) -> Markup {
    html! {
        section id="merchant" {
            h2 { (v.t("section-merchant")) }
            @match merchant {
                Some(m) => {
                    p id="merchant-name" { (name_or_unnamed(v, &m.name)) }
                    p {
                        span class={ "badge " (if merchant_active(Some(m)) { "b-ok" } else { "b-bad" }) } { (enum_text(v.lang, "merchant-status", &m.status)) }
                        " " (m.country) " · " (v.lang.t_args("merchant-tier", [("tier", s(&enum_text(v.lang, "tier", &m.tier)))]))
                    }
                    (account_details(v, &m.account))
                }
                None => p class="none" { (v.t("merchant-none")) },
            }
        }
    }
}

/// A factory as a page names it: its display name and number, or its number.
fn factory_words(p: &ProductReport) -> String {
    match &p.factory_name {
        Some(n) => format!("{n} (#{})", p.factory),
        None => format!("#{}", p.factory),
    }
}

/// Attestations as a list, or the message `none` when there are none.
fn evidence_items(v: &View, list: &[Evidence], none: &str) -> Markup {
    html! {
        @if list.is_empty() {
            p class="none" { (v.t(none)) }
        } @else {
            ul {
                @for e in list {
                    @let badge = match e.status {
                        EvidenceStatus::Valid => "b-ok",
                        EvidenceStatus::Revoked => "b-bad",
                        EvidenceStatus::Expired => "b-warn",
                    };
                    @let at = v.lang.date_time(e.issued_at);
                    li class="ev" {
                        div { "#" (e.id) " " (e.summary.text(v.lang)) " " span class={ "badge " (badge) } { (v.t(&format!("status-{}", e.status.as_str()))) } }
                        div class="muted" {
                            @match e.valid_until {
                                Some(until) => (v.lang.t_args("evidence-issued-until", [("at", s(&at)), ("until", s(&v.lang.date_time(until)))])),
                                None => (v.lang.t_args("evidence-issued", [("at", s(&at))])),
                            }
                        }
                        div { span class="muted" { (v.t("evidence-by")) } " " (name_or_unnamed(v, &e.issuer_name)) }
                        (account_details(v, &e.issuer))
                    }
                }
            }
        }
    }
}

/// A section of attestations: title and none-text are message IDs.
fn evidence_section(v: &View, id: &str, title: &str, list: &[Evidence], none: &str) -> Markup {
    html! {
        section id=(id) {
            h2 { (v.t(title)) }
            (evidence_items(v, list, none))
        }
    }
}

/// The sampling line of the inspections section, in words, and its badge.
fn sampling_words(v: &View, x: &SamplingReport) -> (String, &'static str) {
    let how = v.lang.t_args(
        "sampling-how",
        [("rate", s(&(f64::from(x.rate_bps) / 100.0).to_string())), ("rule", s(&rule_text(x.rule.as_ref(), v.lang))), ("epoch", n(x.epoch))],
    );
    let (id, badge) = match x.selection {
        Selection::Selected => ("sampling-selected", "b-warn"),
        Selection::NotSelected => ("sampling-not-selected", "b-ok"),
        Selection::SeedPending => ("sampling-pending", "b-warn"),
        Selection::Unknown => ("sampling-unknown", "b-warn"),
    };
    (v.lang.t_args(id, [("how", s(&how))]), badge)
}

/// The buyer's claim: when it was made, or (for a genuine item not claimed yet) the button that
/// makes it: a plain form posting to this same address, no script.
fn claim_part(v: &View, x: &ScanSummary, genuine: bool) -> Markup {
    html! {
        @match x.claimed_ms {
            Some(at) => p id="claimed" { (v.lang.t_args("claimed-line", [("date", s(&v.lang.date_time(at.max(0) as u64)))])) },
            None if genuine => form id="claim" method="post" {
                button type="submit" name="claim" value="1" { (v.t("claim-button")) }
                " "
                span class="muted" { (v.t("claim-hint")) }
            },
            None => {},
        }
    }
}

/// What the scan log says of the item: a warning when its rules flag the code, else when it was
/// first verified and how often; then the buyer's claim.
fn scans_section(v: &View, x: &ScanSummary, genuine: bool) -> Markup {
    let first = v.lang.date_time(x.first_ms.max(0) as u64);
    let (date, count) = (s(&first), n(x.count));
    html! {
        @if x.suspicions.is_empty() {
            section id="scans" {
                p { (v.lang.t_args("scans-line", [("date", date), ("count", count)])) }
                (claim_part(v, x, genuine))
            }
        } @else {
            section id="scans" class="alert" role="alert" {
                h2 { (v.t("copied-heading")) }
                @for why in &x.suspicions {
                    p class="why" {
                        @match why {
                            Suspicion::TooManyScans { scans, limit, days } => {
                                (v.lang.t_args("copied-too-many-scans", [("scans", n(*scans)), ("limit", n(*limit)), ("days", n(*days))]))
                            }
                            Suspicion::TooManyRegions { regions, limit, days } => {
                                (v.lang.t_args("copied-too-many-regions", [("regions", n(*regions)), ("limit", n(*limit)), ("days", n(*days))]))
                            }
                        }
                    }
                }
                p { (v.lang.t_args("copied-advice", [("date", date.clone()), ("count", count.clone())])) }
                (claim_part(v, x, genuine))
            }
        }
    }
}

/// The verification page of a report, with what the scan log says of the item if it is kept.
pub fn render_report(v: &View, r: &Report, scans: Option<&ScanSummary>) -> String {
    render_report_with(v, r, scans, None)
}

/// The page of a refused claim: the item's page, opening with why (claimed before, at `at_ms`).
pub fn render_claim_refused(v: &View, r: &Report, at_ms: i64) -> String {
    render_report_with(v, r, None, Some(at_ms))
}

fn render_report_with(v: &View, r: &Report, scans: Option<&ScanSummary>, refused_claim_of: Option<i64>) -> String {
    let class = verdict_class(r.verdict);
    let mut item = vec![(v.t("label-gtin"), r.gtin.clone()), (v.t("label-lot"), r.lot.clone()), (v.t("label-serial"), r.serial.clone())];
    if let Some(l) = &r.lot_record {
        item.push((v.t("label-lot-status"), enum_text(v.lang, "lot-status", &l.status)));
        item.push((v.t("label-lot-size"), v.lang.t_args("lot-size", [("count", n(l.item_count))])));
        item.push((v.t("label-produced"), v.lang.date(l.produced_on)));
        item.push((v.t("label-best-before"), v.lang.date(l.expires_on)));
    }
    let headline = r.verdict.headline_in(v.lang);
    let body = html! {
        (verdict_banner(class, verdict_code(r.verdict), Some(mark(class)), &headline, &r.reason.text(v.lang)))
        @if let Some(at) = refused_claim_of {
            section id="claim-refused" class="alert" role="alert" {
                h2 { (v.t("claim-refused-heading")) }
                p { (v.lang.t_args("claim-refused", [("date", s(&v.lang.date_time(at.max(0) as u64)))])) }
            }
        }
        @if let Some(x) = scans {
            (scans_section(v, x, r.verdict.is_genuine()))
        }
        section id="item" {
            h2 { (v.t("section-item")) }
            (rows(&item))
            p class="muted" { (v.t("digital-id")) " " span class="mono" { (r.item_id) } }
        }
        @if let Some(p) = &r.product {
            section id="product" {
                h2 { (v.t("section-product")) }
                (rows(&product_rows(v, p, factory_words(p)).into_iter().chain(product_info(v, p)).collect::<Vec<_>>()))
            }
            (merchant_section(v, r.merchant.as_ref()))
            (evidence_section(v, "factory-certification", "section-factory-certification", &r.factory_certifications, "none-factory-certification"))
            (evidence_section(v, "customs", "section-customs", &r.customs_clearances, "none-customs"))
            section id="inspections" {
                h2 { (v.t("section-inspections")) }
                @match &r.sampling {
                    Some(x) => {
                        @let (words, badge) = sampling_words(v, x);
                        p id="sampling" { span class={ "badge " (badge) } { (v.t("sampling-badge")) } " " (words) }
                    }
                    None => p id="sampling" class="none" { (v.t("none-sampling")) },
                }
                (evidence_items(v, &r.inspections, "none-inspections"))
            }
            section id="trace" {
                h2 { (v.t("section-trace")) }
                @if r.trace.is_empty() {
                    p class="none" { (v.t("none-trace")) }
                } @else {
                    ol class="timeline" {
                        @for t in &r.trace {
                            li {
                                b { (enum_text(v.lang, "step", &t.step)) }
                                span { (t.location) }
                                div class="muted" { (v.lang.date_time(t.event_time)) " · " (v.t("trace-by")) " " (name_or_unnamed(v, &t.actor_name)) }
                                (account_details(v, &t.actor))
                            }
                        }
                    }
                }
            }
        }
    };
    page(v, &headline, body)
}

/// The product page.
pub fn render_product(v: &View, pv: &ProductView) -> String {
    let Some(p) = &pv.product else {
        let reason = v.lang.t_args("product-not-registered", [("gtin", s(&pv.gtin))]);
        let headline = Verdict::NotRegistered.headline_in(v.lang);
        return page(v, &v.t("product-not-registered-title"), verdict_banner("bad", None, Some(mark("bad")), &headline, &reason));
    };
    let pr = &p.product;
    let active = merchant_active(pv.merchant.as_ref());
    let (class, reason) = if active { ("ok", v.t("product-active")) } else { ("bad", v.t("product-merchant-inactive")) };
    let factory = match &pv.factory_country {
        Some(c) => format!("{}, {c}", factory_words(pr)),
        None => factory_words(pr),
    };
    let mut product = vec![(v.t("label-gtin"), pv.gtin.clone())];
    product.extend(product_rows(v, pr, factory));
    product.push((v.t("label-registered-block"), p.registered_at_block.to_string()));
    product.extend(product_info(v, pr));
    let body = html! {
        (verdict_banner(class, None, None, &pr.brand, &reason))
        section id="product" {
            h2 { (v.t("section-product")) }
            (rows(&product))
        }
        (merchant_section(v, pv.merchant.as_ref()))
        (evidence_section(v, "factory-certification", "section-factory-certification", &pv.factory_certifications, "none-factory-certification"))
    };
    page(v, &pr.brand, body)
}

/// The page of a request that cannot be answered: the caller's bad link (red) or the chain out
/// of reach (amber); `heading` and `advice` are message IDs, `shown` what is wrong (as it is).
pub(super) fn render_error(v: &View, bad_input: bool, heading: &str, advice: &str, shown: &str) -> String {
    let class = if bad_input { "bad" } else { "warn" };
    let heading = v.t(heading);
    let body = html! {
        (verdict_banner(class, None, Some(mark(class)), &heading, &v.t(advice)))
        section {
            h2 { (v.t("error-what")) }
            p class="mono" { (shown) }
        }
    };
    page(v, &heading, body)
}

/// The page of a path the resolver does not serve.
pub(super) fn render_not_found(v: &View) -> String {
    let heading = v.t("not-found-title");
    page(v, &heading, verdict_banner("warn", None, Some("?"), &heading, &v.t("not-found")))
}

#[cfg(test)]
mod tests {
    use super::super::product::ProductPageReport;
    use super::*;
    use crate::verify::{ClaimSummary, LotReport, Reason, TraceLine};
    use tracepass_shared::{BusinessStep, InspectionResult, LotStatus, MerchantStatus, MerchantTier, RuleKey};

    const EVIL: &str = "<script>alert('x')</script>\"&";

    fn en() -> View {
        View::new(Lang::En)
    }

    fn zh() -> View {
        View::new(Lang::Zh)
    }

    fn report(verdict: Verdict) -> Report {
        let evil = EVIL;
        Report {
            verdict,
            reason: Reason::NotInLot { serial: evil.into(), item_count: 10, lot: "L1".into() },
            gtin: "10614141000415".into(),
            lot: "L2026-11A".into(),
            serial: "AROHA00000042".into(),
            item_id: format!("0x{}", "ab".repeat(32)),
            product: Some(ProductReport { brand: evil.into(), category: 1001, origin: "NZ".into(), hs_code: "190110".into(), factory: 1, factory_name: Some(format!("Plant {evil}")), uri: "https://aroha.example/p/1".into() }),
            merchant: Some(MerchantReport { account: "5Fx".into(), name: Some(format!("Aroha {evil}")), country: "NZ".into(), tier: MerchantTier::Standard, status: MerchantStatus::Active }),
            lot_record: Some(LotReport { status: LotStatus::Cleared, item_count: 10000, produced_on: 20261101, expires_on: 20281031, registered_at_block: 40, root: "0x00".into() }),
            sampling: Some(SamplingReport { selection: Selection::Selected, rate_bps: 10000, rule: Some(RuleKey { category: Some(1001), origin: None, tier: None }), epoch: 3 }),
            factory_certifications: vec![Evidence {
                id: 1,
                summary: ClaimSummary::Certification { factory: 1, standard: evil.into() },
                issuer: "5Eve".into(),
                issuer_name: Some("Eve Labs".into()),
                status: EvidenceStatus::Valid,
                issued_at: 0,
                valid_until: Some(86_400_000),
            }],
            customs_clearances: vec![Evidence {
                id: 3,
                summary: ClaimSummary::Clearance { port: "CNSHA".into() },
                issuer: "5Ferdie".into(),
                issuer_name: None,
                status: EvidenceStatus::Valid,
                issued_at: 1_000,
                valid_until: None,
            }],
            inspections: vec![Evidence {
                id: 2,
                summary: ClaimSummary::Inspection { result: InspectionResult::Pass, standard: "GB 10765-2021".into(), items_sampled: 5, selected: true },
                issuer: "5Eve".into(),
                issuer_name: Some("Eve Labs".into()),
                status: EvidenceStatus::Revoked,
                issued_at: 0,
                valid_until: None,
            }],
            trace: vec![TraceLine { step: BusinessStep::Packing, event_time: 1_795_316_030_569, location: format!("NZ {evil}"), actor: "5Merchant".into(), actor_name: Some(format!("Aroha {evil}")) }],
        }
    }

    /// Every chain-sourced string is escaped, and the page loads nothing else. maud escapes
    /// `&`, `<`, `>` and `"` and leaves `'` as it is: safe in element text and in maud's
    /// attributes, which are always double-quoted. The only links are the language switch's,
    /// query-only references to the same page.
    fn check_safe(html: &str) {
        assert!(!html.to_ascii_lowercase().contains("<script"), "{html}");
        assert!(!html.contains(EVIL) && !html.contains("</script>"), "unescaped: {html}");
        assert!(html.contains("&lt;script&gt;alert('x')&lt;/script&gt;&quot;&amp;"), "{html}");
        assert!(!html.contains("='") && !html.contains("=\"'"), "single-quoted attribute: {html}");
        for asset in ["src=", "@import", "url(", "<link", "<img", "<iframe", "<object"] {
            assert!(!html.to_ascii_lowercase().contains(asset), "{asset} in {html}");
        }
        assert_eq!(html.matches("href=").count(), html.matches("href=\"?").count(), "a link that is not query-only: {html}");
        assert_eq!(html.matches("href=").count(), Lang::ALL.len() - 1, "one link per other language: {html}");
        assert!(html.contains("<meta name=\"viewport\""));
        assert!(html.starts_with("<!doctype html>"));
    }

    #[test]
    fn report_page_is_escaped_and_self_contained() {
        let html = render_report(&en(), &report(Verdict::Genuine), None);
        check_safe(&html);
        // the verdict comes first, before any evidence
        let v = html.find("id=\"verdict-headline\">GENUINE</h1>").expect("headline");
        assert!(v < html.find("id=\"product\"").unwrap() && v < html.find("id=\"trace\"").unwrap());
        assert!(html.contains("class=\"verdict ok\""));
        assert!(html.contains("data-verdict=\"genuine\""));
        assert!(html.contains("Sampling selected this lot for inspection (rate 100%, category 1001, origin any, tier any, epoch 3)."), "{html}");
        assert!(html.contains("22 Nov 2026, 02:53 UTC") && html.contains("1 Nov 2026"), "{html}");
        assert!(html.contains("<html lang=\"en\">"));
        // the merchant's product URI is shown as text, not a link
        assert!(html.contains("https://aroha.example/p/1") && !html.contains("href=\"http"));
    }

    #[test]
    fn report_page_reads_in_chinese_works() {
        let html = render_report(&zh(), &report(Verdict::Genuine), None);
        check_safe(&html);
        assert!(html.contains("<html lang=\"zh-CN\">"));
        assert!(html.contains("id=\"verdict-headline\">正品</h1>"), "{html}");
        for words in ["此件商品", "批次状态</dt><dd>已通关", "10000 件", "2026年11月1日", "2026年11月22日 02:53（UTC）", "工厂认证", "海关通关", "已在 CNSHA 通关", "抽样选中此批次进行检验（抽样率 100%，品类 1001，原产国 任意，商家等级 任意，第 3 期）。", "依据 GB 10765-2021 检验合格（抽检 5 件，抽样选中）", "已撤销", "包装", "流转记录", "等级：标准", "正常"] {
            assert!(html.contains(words), "{words} not in {html}");
        }
        // no English label left on the page
        for words in ["This item", "Lot status", "Factory certification", "Journey", "issued", "valid until", "Sampling", "Cleared", " by "] {
            assert!(!html.contains(words), "{words} in {html}");
        }
        // the switch leads back to English, keeping the rest of the query
        let v = View { lang: Lang::Zh, query: "p=AAAA&lang=zh&x=1".into() };
        let html = render_report(&v, &report(Verdict::Genuine), None);
        assert!(html.contains("<a href=\"?p=AAAA&amp;x=1&amp;lang=en\" hreflang=\"en\" lang=\"en\">English</a>"), "{html}");
        assert!(html.contains("<span lang=\"zh-CN\" aria-current=\"true\">中文</span>"));
    }

    #[test]
    fn every_verdict_reads_in_both_languages_works() {
        for v in Verdict::ALL {
            let (e, z) = (v.headline_in(Lang::En), v.headline_in(Lang::Zh));
            assert!(!e.is_empty() && !z.is_empty() && e != z, "{v:?}");
            assert!(!z.is_ascii(), "{v:?}: {z}");
            for view in [en(), zh()] {
                let html = render_report(&view, &report(v), None);
                check_safe(&html);
                assert!(html.contains(&format!("id=\"verdict-headline\">{}</h1>", maud::html! { (v.headline_in(view.lang)) }.into_string())), "{v:?}");
            }
        }
    }

    #[test]
    fn negative_verdicts_are_red_or_amber() {
        for (v, class) in [(Verdict::NotInLot, "bad"), (Verdict::Recalled, "bad"), (Verdict::Held, "warn"), (Verdict::AwaitingInspection, "warn")] {
            let html = render_report(&en(), &report(v), None);
            check_safe(&html);
            assert!(html.contains(&format!("class=\"verdict {class}\"")), "{v:?}");
            assert!(html.contains(&maud::html! { (v.headline()) }.into_string()), "{v:?}");
            assert!(!html.contains(">GENUINE<"), "{v:?}");
        }
        let mut r = report(Verdict::NotRegistered);
        (r.product, r.merchant, r.lot_record, r.sampling) = (None, None, None, None);
        let html = render_report(&en(), &r, None);
        assert!(html.contains("NOT GENUINE: not registered") && html.contains("verdict bad"));
        assert!(render_report(&zh(), &r, None).contains("非正品：未登记"));
    }

    #[test]
    fn scan_counts_and_copy_warnings_show() {
        use crate::scans::{judge, Rules, ScanSummary};
        let rules = Rules::new(20, 5, 30).unwrap();
        let quiet = ScanSummary { count: 1, first_ms: 1_764_000_000_000, window_scans: 1, window_regions: 1, counted: true, suspicions: vec![], claimed_ms: None };
        let html = render_report(&en(), &report(Verdict::Genuine), Some(&quiet));
        check_safe(&html);
        assert!(html.contains("First verified on 24 Nov 2025, 16:00 UTC; verified once."), "{html}");
        assert!(!html.contains("may have been copied"));
        let html = render_report(&zh(), &report(Verdict::Genuine), Some(&ScanSummary { count: 3, ..quiet.clone() }));
        assert!(html.contains("已查询过 3 次，首次查询时间为 2025年11月24日 16:00（UTC）。"), "{html}");
        let copied = ScanSummary { count: 25, window_scans: 21, window_regions: 20, suspicions: judge(&rules, 21, 20), ..quiet };
        let html = render_report(&en(), &report(Verdict::Genuine), Some(&copied));
        check_safe(&html);
        let warning = html.find("This code may have been copied").expect("warning");
        assert!(html.find("id=\"verdict-headline\"").unwrap() < warning && warning < html.find("id=\"item\"").unwrap());
        assert!(html.contains("verified 21 times in the last 30 days") && html.contains("from 20 different regions"), "{html}");
        assert!(html.contains("verified 25 times in all"));
        let html = render_report(&zh(), &report(Verdict::Genuine), Some(&copied));
        check_safe(&html);
        for words in ["此码可能被复制", "最近 30 天内被查询 21 次", "最近 30 天内从 20 个不同地区被查询", "共查询 25 次"] {
            assert!(html.contains(words), "{words} not in {html}");
        }
    }

    #[test]
    fn claims_show_works() {
        use crate::scans::ScanSummary;
        let quiet = ScanSummary { count: 1, first_ms: 1_764_000_000_000, window_scans: 1, window_regions: 1, counted: true, suspicions: vec![], claimed_ms: None };
        // a genuine item not claimed: the button, a plain form posting to this page
        let html = render_report(&en(), &report(Verdict::Genuine), Some(&quiet));
        check_safe(&html);
        assert!(html.contains("<form id=\"claim\" method=\"post\"><button type=\"submit\" name=\"claim\" value=\"1\">I bought this</button>"), "{html}");
        assert!(!html.contains("action="), "the form posts to the page's own address");
        // not for an item that is not genuine
        assert!(!render_report(&en(), &report(Verdict::Recalled), Some(&quiet)).contains("<form"));
        // claimed: when, and no button
        let claimed = ScanSummary { claimed_ms: Some(1_795_316_030_569), ..quiet.clone() };
        let html = render_report(&zh(), &report(Verdict::Genuine), Some(&claimed));
        assert!(html.contains("已于 2026年11月22日 02:53（UTC） 被买家认领。") && !html.contains("<form"), "{html}");
        // a refused claim opens with why
        let html = render_claim_refused(&en(), &report(Verdict::Genuine), 1_795_316_030_569);
        check_safe(&html);
        let why = html.find("This item was already claimed on 22 Nov 2026, 02:53 UTC").expect("refusal");
        assert!(why < html.find("id=\"item\"").unwrap());
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
        let html = render_product(&en(), &v);
        check_safe(&html);
        assert!(html.contains("190110") && html.contains("(#1), NZ") && html.contains("Active"), "{html}");
        let html = render_product(&zh(), &v);
        check_safe(&html);
        assert!(html.contains("有效商家登记的商品") && html.contains("登记区块"), "{html}");
        let missing = ProductView { product: None, merchant: None, factory_certifications: vec![], ..v };
        assert!(render_product(&en(), &missing).contains("NOT GENUINE: not registered"));
        assert!(render_product(&zh(), &missing).contains("链上没有登记 GTIN 为 10614141000415 的商品"));
    }

    #[test]
    fn error_and_not_found_pages_are_pages() {
        let html = render_error(&en(), true, "error-bad-link-title", "error-bad-link", "GTIN \"<1>\": BadCheckDigit");
        assert!(html.starts_with("<!doctype html>") && html.contains("class=\"verdict bad\"") && html.contains("GTIN &quot;&lt;1&gt;&quot;"), "{html}");
        assert!(html.contains("This link is not valid"));
        assert!(render_error(&zh(), true, "error-bad-link-title", "error-bad-link", "x").contains("此链接无效"));
        assert!(render_not_found(&en()).contains("id=\"verdict-headline\">Nothing here</h1>"));
        assert!(render_not_found(&zh()).contains("id=\"verdict-headline\">这里没有内容</h1>"));
    }

    #[test]
    fn every_record_state_reads_in_both_languages_works() {
        for lang in Lang::ALL {
            for st in LotStatus::ALL {
                assert_ne!(enum_text(lang, "lot-status", &st), "", "{st:?}");
            }
            for st in BusinessStep::ALL {
                assert_ne!(enum_text(lang, "step", &st), "", "{st:?}");
            }
            for st in [MerchantStatus::Active, MerchantStatus::Suspended, MerchantStatus::Revoked] {
                assert_ne!(enum_text(lang, "merchant-status", &st), "");
            }
            for t in [MerchantTier::Standard, MerchantTier::Trusted, MerchantTier::Watched] {
                assert_ne!(enum_text(lang, "tier", &t), "");
            }
            for st in [EvidenceStatus::Valid, EvidenceStatus::Expired, EvidenceStatus::Revoked] {
                assert_ne!(lang.t(&format!("status-{}", st.as_str())), "");
            }
        }
    }
}
