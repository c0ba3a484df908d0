//! The handlers: each parses its path, reads the chain through [`ServeState::with_chain`], and
//! answers in HTML or JSON as the `Accept` header asks, with the same headers on every answer.

use super::linkset::{self, ItemLinks, LINKSET_JSON};
use super::pages::{self, View};
use crate::i18n::Lang;
use super::product::product_view;
use super::state::ServeState;
use crate::error::ClientError;
use crate::gs1::{compressed, parse_gtin, DigitalLink};
use crate::verify::Verdict;
use crate::scans::{self, BuyerClaim, Scanned};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use headers_accept::Accept;
use mediatype::names::{APPLICATION, HTML, JSON, TEXT, XHTML, XML};
use mediatype::MediaType;
use serde::Serialize;
use serde_json::json;
use std::net::SocketAddr;

/// No scripts, no external resources: only the page's own inline style and `data:` images.
/// Forms may post only to the resolver itself (the buyer's claim).
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const APPLICATION_JSON: MediaType<'static> = MediaType::new(APPLICATION, JSON);
const LINKSET: mediatype::Name<'static> = mediatype::Name::new_unchecked("linkset");
const APPLICATION_LINKSET_JSON: MediaType<'static> = MediaType::from_parts(APPLICATION, LINKSET, Some(JSON), &[]);
const TEXT_HTML: MediaType<'static> = MediaType::new(TEXT, HTML);
const XHTML_XML: MediaType<'static> = MediaType::from_parts(APPLICATION, XHTML, Some(XML), &[]);
/// What the resolver offers, in its order of preference: a page, or the report's JSON.
const OFFERED: &[MediaType<'static>] = &[TEXT_HTML, XHTML_XML, APPLICATION_JSON];
/// The same and the item's linkset, offered only to a client that names it.
const OFFERED_WITH_LINKSET: &[MediaType<'static>] = &[TEXT_HTML, XHTML_XML, APPLICATION_JSON, APPLICATION_LINKSET_JSON];

fn accept(headers: &HeaderMap) -> Option<Accept> {
    headers.get(header::ACCEPT).and_then(|v| Accept::try_from(v).ok())
}

/// Whether the client asked for JSON rather than HTML: RFC 9110 negotiation over the `Accept`
/// header (q-values, then the more specific range, then the type the client listed first). No
/// `Accept`, one that cannot be parsed, or one that accepts neither means HTML.
pub fn wants_json(headers: &HeaderMap) -> bool {
    accept(headers).is_some_and(|a| a.negotiate(OFFERED) == Some(&APPLICATION_JSON))
}

/// Whether the client asked for the item's linkset: `application/linkset+json` named in its
/// `Accept` and preferred there (a wildcard alone never selects it).
fn wants_linkset(headers: &HeaderMap) -> bool {
    let names_it = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.to_ascii_lowercase().contains("application/linkset+json"));
    names_it && accept(headers).is_some_and(|a| a.negotiate(OFFERED_WITH_LINKSET) == Some(&APPLICATION_LINKSET_JSON))
}

/// How a request is answered: JSON or a page, and the page's language and query.
#[derive(Debug, Clone, Default)]
pub(super) struct Answer {
    /// JSON rather than HTML (the `Accept` header).
    pub json: bool,
    /// The page's language (`?lang=`, `Accept-Language`, the configured default) and the query.
    pub view: View,
}

impl Answer {
    /// How to answer a request for `uri` with `headers`, pages in `default` unless it asks otherwise.
    pub fn of(uri: &Uri, headers: &HeaderMap, default: Lang) -> Answer {
        let accept_language = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
        let lang = Lang::negotiate(super::query_value(uri.query().unwrap_or(""), "lang").as_deref(), accept_language, default);
        Answer { json: wants_json(headers), view: View { lang, query: uri.query().unwrap_or("").to_string() } }
    }
}

/// `body` as JSON or the page `html` makes, with the headers every answer carries. The JSON is the
/// same in every language (its words are English); a page says its language in `Content-Language`.
fn respond(status: StatusCode, a: &Answer, body: &impl Serialize, html: impl FnOnce() -> String) -> Response {
    if a.json {
        return json_answer(status, "application/json", body);
    }
    let mut res = (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html()).into_response();
    res.headers_mut().insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(a.view.lang.tag()));
    with_common_headers(res)
}

/// `body` as JSON of media type `ctype`, with the headers every answer carries.
fn json_answer(status: StatusCode, ctype: &'static str, body: &impl Serialize) -> Response {
    let text = serde_json::to_string(body).unwrap_or_else(|e| json!({ "error": e.to_string() }).to_string());
    with_common_headers((status, [(header::CONTENT_TYPE, ctype)], text).into_response())
}

/// The headers every answer carries: what it varies by, no caching, no sniffing, no referrer,
/// the Content-Security-Policy.
fn with_common_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(header::VARY, HeaderValue::from_static("Accept, Accept-Language"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    res
}

/// Most characters of a caller's input error shown back (the input may be kilobytes).
pub const MAX_ECHO_CHARS: usize = 400;
/// Longest run without a space shown whole in an error (a path, a proof, a lot); longer ones
/// keep their first [`ECHO_WORD_KEEP`] characters, so the reason after them still shows.
pub const MAX_ECHO_WORD: usize = 64;
/// What is kept of a longer run.
pub const ECHO_WORD_KEEP: usize = 48;

/// `text` with every run longer than [`MAX_ECHO_WORD`] shortened, then cut to
/// [`MAX_ECHO_CHARS`], each cut marked with an ellipsis.
fn cut(text: &str) -> String {
    let short: Vec<String> = text
        .split(' ')
        .map(|w| if w.chars().count() > MAX_ECHO_WORD { format!("{}…", w.chars().take(ECHO_WORD_KEEP).collect::<String>()) } else { w.to_string() })
        .collect();
    let joined = short.join(" ");
    match joined.char_indices().nth(MAX_ECHO_CHARS) {
        Some((i, _)) => format!("{}…", &joined[..i]),
        None => joined,
    }
}

/// An error as a response: 400 for the caller's input, 503 for everything the chain side caused.
pub(super) fn error_response(e: &ClientError, a: &Answer) -> Response {
    let (status, title, advice) = match e {
        ClientError::Input(_) => (StatusCode::BAD_REQUEST, "error-bad-link-title", "error-bad-link"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "error-unavailable-title", "error-unavailable"),
    };
    // a consumer sees what is wrong with the link; what went wrong on the chain side (node
    // addresses, RPC details) goes to the operator's log only
    let bad_input = status == StatusCode::BAD_REQUEST;
    let shown = if bad_input {
        cut(&e.to_string())
    } else {
        eprintln!("tracepass serve: 503: {e}");
        "the consortium chain cannot be reached".to_string()
    };
    respond(status, a, &json!({ "error": shown }), || pages::render_error(&a.view, bad_input, title, advice, &shown))
}

/// CORS for every answer (any origin: the resolver's data is public and it reads no
/// credentials), and `OPTIONS` on any path answered here as a preflight: 204 with the methods.
pub(super) async fn cors(req: Request, next: axum::middleware::Next) -> Response {
    let mut res = if req.method() == Method::OPTIONS {
        let mut r = StatusCode::NO_CONTENT.into_response();
        let h = r.headers_mut();
        h.insert(header::ALLOW, HeaderValue::from_static("GET, HEAD, OPTIONS"));
        h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, HEAD, OPTIONS"));
        h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("Accept, Accept-Language"));
        h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("86400"));
        r
    } else {
        next.run(req).await
    };
    // on every answer, not only the preflight's: GS1's resolver test suite reads them off a GET
    res.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, HEAD, OPTIONS"));
    res.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    res.headers_mut().insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("Link, Retry-After"));
    res
}

/// 503 for a request the resolver will not answer now (overloaded, too slow): a page asking to
/// try again, with `Retry-After`. It is made where the request is no longer at hand, so in the
/// default language.
pub(super) fn overloaded_response(why: &str) -> Response {
    let a = Answer::default();
    let mut res = respond(
        StatusCode::SERVICE_UNAVAILABLE,
        &a,
        &json!({ "error": why }),
        || pages::render_error(&a.view, false, "error-unavailable-title", "error-overloaded", why),
    );
    res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    res
}

/// `GET /01/{gtin}/10/{lot}/21/{serial}?p={proof}`: the item's verdict, and with a scan log what
/// it holds of the item (in the JSON as `scans`); `?linkType=linkset` (or `all`, or `Accept:
/// application/linkset+json`) its linkset; `?linkType={type}` a 307 to that link. Every answer
/// about the item points to its linkset in a `Link` header.
pub(super) async fn item_page(State(state): State<ServeState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let (uri, headers) = (&parts.uri, &parts.headers);
    // the peer, when served with connect info (a router used bare has none: no scan is logged)
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let a = Answer::of(uri, headers, state.config().default_lang);
    let dl = match DigitalLink::parse(&path_and_query(uri)) {
        Ok(dl) => dl,
        Err(e) => return error_response(&e, &a),
    };
    let query = uri.query().unwrap_or("");
    let links = ItemLinks::new(state.public_url(), &dl, &linkset::passed_on(query));
    let link_type = super::query_value(query, "linkType");
    let wants_set = matches!(link_type.as_deref(), Some("linkset" | "all")) || wants_linkset(headers);
    // a link type other than the default (this page): redirect there, the query passed on
    if let Some(link) = link_type.as_deref().and_then(|t| links.find(t)).filter(|l| l.rel != "defaultLink") {
        let mut res = (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, link.href.as_str())]).into_response();
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return with_link(res, &links);
    }
    let d = dl.clone();
    let report = match state.with_chain(|c| async move { c.verifier.verify(&d).await }).await {
        Ok(report) => report,
        Err(e) => return with_link(error_response(&e, &a), &links),
    };
    let status = if report.verdict == Verdict::NotRegistered { StatusCode::NOT_FOUND } else { StatusCode::OK };
    if wants_set {
        let body = if status == StatusCode::OK {
            links.linkset(&report.product.as_ref().map(|p| p.brand.clone()).unwrap_or_default())
        } else {
            json!({ "error": report.reason.to_string() })
        };
        // the linkset's own media type, unless the client asked for plain JSON (linkType=all, GS1 1.1)
        let ctype = if status == StatusCode::OK && !a.json { LINKSET_JSON } else { "application/json" };
        return with_link(json_answer(status, ctype, &body), &links);
    }
    // only an item whose proof checks is scanned: a forged serial is refused on its own; a HEAD
    // (a link checker, a crawler) shows no page to anyone and is not a scan
    let in_lot = !matches!(report.verdict, Verdict::NotRegistered | Verdict::NotInLot) && parts.method != Method::HEAD;
    let scans = match (state.scan_log(), peer) {
        (Some(log), Some(addr)) if in_lot => {
            match log.record(&Scanned::of(&dl, &report.item_id), addr.ip(), scans::now_ms()).await {
                Ok(s) => Some(s),
                Err(e) => {
                    // the verdict stands without the counts; the cause goes to the operator
                    eprintln!("tracepass serve: scan log: {e}");
                    None
                }
            }
        }
        _ => None,
    };
    let res = match &scans {
        Some(s) if a.json => {
            let mut v = serde_json::to_value(&report).unwrap_or_default();
            v["scans"] = serde_json::to_value(s).unwrap_or_default();
            respond(status, &a, &v, String::new)
        }
        _ => respond(status, &a, &report, || pages::render_report(&a.view, &report, scans.as_ref())),
    };
    with_link(res, &links)
}

/// `POST /01/{gtin}/10/{lot}/21/{serial}?p={proof}`: the buyer's claim ("I bought this"), with a
/// scan log only and of a genuine item only. The first claim of an item stands: a page is sent
/// back to the item's page (303, so a reload does not post again), JSON gets 201; a later claim
/// gets 409 with the first one's time. Nothing identifies the buyer (no account, no cookie), so
/// there is nothing for a cross-site form to borrow: a forged post can only do what anyone with
/// the code can do, claim it first (see docs/THREATS.md).
pub(super) async fn claim_item(State(state): State<ServeState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let (uri, headers) = (&parts.uri, &parts.headers);
    let a = Answer::of(uri, headers, state.config().default_lang);
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let Some(log) = state.scan_log() else {
        let mut res = respond(StatusCode::METHOD_NOT_ALLOWED, &a, &json!({ "error": "this resolver keeps no scan log: items cannot be claimed here" }), || {
            pages::render_error(&a.view, true, "error-bad-link-title", "claims-off", "POST")
        });
        res.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD, OPTIONS"));
        return res;
    };
    let dl = match DigitalLink::parse(&path_and_query(uri)) {
        Ok(dl) => dl,
        Err(e) => return error_response(&e, &a),
    };
    let d = dl.clone();
    let report = match state.with_chain(|c| async move { c.verifier.verify(&d).await }).await {
        Ok(report) => report,
        Err(e) => return error_response(&e, &a),
    };
    if !report.verdict.is_genuine() {
        let why = format!("only a genuine item can be claimed; this one is {}", report.verdict.headline());
        return respond(StatusCode::CONFLICT, &a, &json!({ "error": why }), || pages::render_report(&a.view, &report, None));
    }
    let ip = peer.map_or(std::net::IpAddr::from([0, 0, 0, 0]), |p| p.ip());
    match log.claim(&Scanned::of(&dl, &report.item_id), ip, scans::now_ms()).await {
        Ok(claim @ BuyerClaim::Claimed { .. }) if a.json => respond(StatusCode::CREATED, &a, &claim, String::new),
        Ok(BuyerClaim::Claimed { .. }) => {
            let back = path_and_query(uri);
            let mut res = (StatusCode::SEE_OTHER, [(header::LOCATION, back.as_str())]).into_response();
            res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Ok(claim @ BuyerClaim::AlreadyClaimed { at_ms }) => {
            respond(StatusCode::CONFLICT, &a, &claim, || pages::render_claim_refused(&a.view, &report, at_ms))
        }
        Err(e) => {
            eprintln!("tracepass serve: claim: {e}");
            error_response(&ClientError::Database("the claim could not be recorded".into()), &a)
        }
    }
}

/// `res` with the `Link` header to the item's linkset.
fn with_link(mut res: Response, links: &ItemLinks) -> Response {
    if let Ok(v) = HeaderValue::from_str(&links.header()) {
        res.headers_mut().insert(header::LINK, v);
    }
    res
}

/// `GET /.well-known/gs1resolver`: the resolver description file.
pub(super) async fn description(State(state): State<ServeState>) -> Response {
    let mut res = json_answer(StatusCode::OK, "application/json", &linkset::description(state.public_url()));
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("max-age=3600"));
    res
}

/// `GET /01/{gtin}`: the product.
pub(super) async fn product_page(State(state): State<ServeState>, uri: Uri, headers: HeaderMap) -> Response {
    let a = Answer::of(&uri, &headers, state.config().default_lang);
    let seg = uri.path().trim_end_matches('/').rsplit('/').next().unwrap_or("").to_string();
    let gtin = match parse_gtin(&seg) {
        Ok(g) => g,
        Err(e) => return error_response(&e, &a),
    };
    match state.with_chain(|c| async move { product_view(&c.tp, gtin).await }).await {
        Ok(v) => {
            let status = if v.product.is_some() { StatusCode::OK } else { StatusCode::NOT_FOUND };
            respond(status, &a, &v, || pages::render_product(&a.view, &v))
        }
        Err(e) => error_response(&e, &a),
    }
}

/// `GET /healthz`: 200 while the chain answers, 503 otherwise (plain text).
pub(super) async fn healthz(State(state): State<ServeState>) -> Response {
    match state.health().await {
        Ok(block) => (StatusCode::OK, format!("ok: chain at block {block}\n")).into_response(),
        Err(e) => {
            eprintln!("tracepass serve: healthz: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable: the consortium chain cannot be reached\n").into_response()
        }
    }
}

/// Anything else: a path that starts like a Digital Link gets the parser's reason (400); the
/// rest a plain 404.
pub(super) async fn fallback(State(state): State<ServeState>, req: Request) -> Response {
    let (uri, headers) = (req.uri().clone(), req.headers().clone());
    let a = Answer::of(&uri, &headers, state.config().default_lang);
    let pq = path_and_query(&uri);
    let segment = uri.path().trim_start_matches('/');
    let segment = segment.strip_suffix('/').unwrap_or(segment);
    // a segment that decodes to a GTIN's element strings is a compressed Digital Link (its
    // errors are 400s); one that does not is some other path (404)
    let decoded = compressed::looks_compressed(segment).then(|| compressed::decompress(segment)).and_then(|r| r.ok());
    if decoded.is_some_and(|pairs| pairs.iter().any(|(k, _)| k == "01")) {
        return match compressed::expand(segment, uri.query().unwrap_or("")) {
            Ok((path, query)) => uncompressed(state, req, &path, &query).await,
            Err(e) => error_response(&e, &a),
        };
    }
    if uri.path().starts_with("/01/") || uri.path() == "/01" {
        let e = match DigitalLink::parse(&pq) {
            Err(e) => e,
            Ok(_) => ClientError::Input(format!("Digital Link {pq:?}: expected /01/{{gtin}} or /01/{{gtin}}/10/{{lot}}/21/{{serial}}")),
        };
        return error_response(&e, &a);
    }
    respond(StatusCode::NOT_FOUND, &a, &json!({ "error": format!("no such page: {}", uri.path()) }), || pages::render_not_found(&a.view))
}

/// A compressed Digital Link answered as its uncompressed form (`path`, `query`) is, on the same
/// URI (GS1: a resolver should not redirect to the uncompressed URI on itself), with the
/// uncompressed URI in a `Link` header as `owl:sameAs`.
async fn uncompressed(state: ServeState, req: Request, path: &str, query: &str) -> Response {
    let (mut parts, body) = req.into_parts();
    let pq = if query.is_empty() { path.to_string() } else { format!("{path}?{query}") };
    let same_as = format!("<{}{pq}>; rel=\"owl:sameAs\"", state.public_url());
    parts.uri = match pq.parse::<Uri>() {
        Ok(u) => u,
        Err(e) => {
            let a = Answer::of(&parts.uri, &parts.headers, state.config().default_lang);
            return error_response(&ClientError::Input(format!("compressed Digital Link: {e}")), &a);
        }
    };
    let mut res = if path.contains("/21/") || path.contains("/10/") {
        item_page(State(state), Request::from_parts(parts, body)).await
    } else {
        product_page(State(state), parts.uri, parts.headers).await
    };
    // one Link field, its links comma-separated (RFC 8288), for clients that read one field
    let links = match res.headers().get(header::LINK).and_then(|v| v.to_str().ok()) {
        Some(l) => format!("{l}, {same_as}"),
        None => same_as,
    };
    if let Ok(v) = HeaderValue::from_str(&links) {
        res.headers_mut().insert(header::LINK, v);
    }
    res
}

fn path_and_query(uri: &Uri) -> String {
    uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| uri.path().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters_work() {
        assert_eq!(super::super::query_value("p=abc&lang=zh", "lang"), Some("zh".into()));
        assert_eq!(super::super::query_value("lang=en&lang=zh", "lang"), Some("zh".into()));
        assert_eq!(super::super::query_value("", "lang"), None);
        assert_eq!(super::super::query_without("p=1&lang=zh&lang&language=x&&q", "lang"), vec!["p=1", "language=x", "q"]);
    }

    #[test]
    fn long_input_is_cut_in_errors() {
        let e = ClientError::Input(format!("Digital Link \"/01/1/10/{}/21/1\": lot too long", "A".repeat(3000)));
        let res = error_response(&e, &Answer { json: true, ..Answer::default() });
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let shown = cut(&e.to_string());
        // the long run is shortened, the reason after it kept
        assert!(shown.ends_with("… lot too long") && shown.contains(&format!("{}…", "A".repeat(ECHO_WORD_KEEP - 12))), "{shown}");
        assert!(shown.chars().count() < 100, "{shown}");
        assert_eq!(cut("short words stay"), "short words stay");
        let many = cut(&"word ".repeat(500));
        assert_eq!(many.chars().count(), MAX_ECHO_CHARS + 1);
        assert!(many.ends_with('…'));
    }

    #[test]
    fn error_pages_say_what_is_wrong() {
        let res = error_response(&ClientError::Input("GTIN \"<1>\": BadCheckDigit".into()), &Answer::default());
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let res = error_response(&ClientError::Connect { url: "ws://x".into(), reason: "refused".into() }, &Answer { json: true, ..Answer::default() });
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(res.headers()[header::CONTENT_TYPE], "application/json");
    }

    #[test]
    fn accept_negotiation_works() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::ACCEPT, HeaderValue::from_str(v).unwrap());
            m
        };
        assert!(!wants_json(&HeaderMap::new()));
        assert!(wants_json(&h("application/json")));
        assert!(wants_json(&h("application/json, text/plain, */*")));
        assert!(!wants_json(&h("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")));
        assert!(!wants_json(&h("text/html, application/json;q=0.5")));
        assert!(wants_json(&h("text/html;q=0.5, application/json")));
        assert!(!wants_json(&h("application/json;q=0")));
        assert!(wants_linkset(&h("application/linkset+json")));
        assert!(wants_linkset(&h("text/html;q=0.5, application/linkset+json")));
        assert!(!wants_linkset(&h("application/json")) && !wants_linkset(&h("*/*")) && !wants_linkset(&HeaderMap::new()));
        assert!(!wants_linkset(&h("application/linkset+json;q=0.1, text/html")));
    }

    #[test]
    fn accept_ranges_and_bad_headers_mean_what_rfc_9110_says() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::ACCEPT, HeaderValue::from_str(v).unwrap());
            m
        };
        // anything at all, or XHTML first: the page
        assert!(!wants_json(&h("*/*")));
        assert!(!wants_json(&h("application/xhtml+xml, application/json;q=0.9")));
        // a range that covers JSON and XHTML alike: the page, the resolver's first choice
        assert!(!wants_json(&h("application/*")));
        // a type named outright overrides a wildcard with a higher q
        assert!(wants_json(&h("*/*;q=0.9, text/html;q=0.1, application/xhtml+xml;q=0.1, application/json;q=0.5")));
        // a header that cannot be parsed, or accepts neither: the page
        assert!(!wants_json(&h("application/json;;;q=")));
        assert!(!wants_json(&h("image/png")));
    }
}
