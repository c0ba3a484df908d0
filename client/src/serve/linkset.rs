//! What the resolver links an item to, for machines: the GS1-Conformant Resolver 1.2 linkset (RFC
//! 9264 JSON, `?linkType=linkset` or `Accept: application/linkset+json`), the `Link` header that
//! points to it, `?linkType=` redirects, and the resolver description file
//! (`/.well-known/gs1resolver`).
//!
//! Every link of an item is on this resolver: the verification page is the default link (served
//! at the item's own URI, so asking for the default link gives the page rather than a redirect to
//! itself), and the other link types name the page's sections and the product page. Links carry
//! the request's query (the proof first of all) except `linkType`, as GS1 asks of redirects.

use crate::gs1::DigitalLink;
use serde_json::{json, Value};

/// The GS1 Web vocabulary, the link types' namespace.
pub const GS1_VOC: &str = "https://gs1.org/voc/";
/// The media type of an RFC 9264 JSON linkset.
pub const LINKSET_JSON: &str = "application/linkset+json";
/// Link types (relative to [`GS1_VOC`]) of every item, the default one first.
pub const ITEM_LINK_TYPES: [&str; 5] = ["defaultLink", "pip", "certificationInfo", "traceability", "recallStatus"];

/// One link of an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The link type, relative to [`GS1_VOC`] (`pip`).
    pub rel: &'static str,
    /// The target, absolute.
    pub href: String,
    /// A title for people.
    pub title: &'static str,
    /// The target's media type.
    pub media_type: &'static str,
}

/// The links of one item, anchored at its uncompressed Digital Link URI.
#[derive(Debug, Clone)]
pub struct ItemLinks {
    /// `{public_url}/01/{gtin}/10/{lot}/21/{serial}`.
    pub anchor: String,
    /// One per [`ITEM_LINK_TYPES`], in that order.
    pub links: Vec<Link>,
}

/// `query` without its `linkType` parameters, as it came otherwise (no `?`).
pub fn passed_on(query: &str) -> String {
    super::query_without(query, "linkType").join("&")
}

/// `base` with `query` (if any) and `fragment` (if any).
fn with_query(base: &str, query: &str, fragment: &str) -> String {
    let q = if query.is_empty() { String::new() } else { format!("?{query}") };
    let f = if fragment.is_empty() { String::new() } else { format!("#{fragment}") };
    format!("{base}{q}{f}")
}

impl ItemLinks {
    /// The links of `dl` on the resolver at `public_url` (no trailing slash), carrying `query`
    /// (the request's, `linkType` removed).
    pub fn new(public_url: &str, dl: &DigitalLink, query: &str) -> ItemLinks {
        let anchor = format!("{public_url}{}", dl.path());
        let product = format!("{public_url}/01/{}", dl.gtin);
        let link = |rel, base: &str, fragment, title| Link { rel, href: with_query(base, query, fragment), title, media_type: "text/html" };
        let links = vec![
            link("defaultLink", &anchor, "", "Verification of this item: the verdict and its evidence"),
            link("pip", &product, "", "Product information"),
            link("certificationInfo", &anchor, "factory-certification", "The factory's certifications"),
            link("traceability", &anchor, "trace", "The journey of this item's lot"),
            link("recallStatus", &anchor, "verdict", "Whether this item's lot is recalled or held"),
        ];
        ItemLinks { anchor, links }
    }

    /// The link of `link_type`: a GS1 link type as a CURIE (`gs1:pip`) or a URI (the GS1 Web
    /// vocabulary's, `https://gs1.org/voc/pip`, also over `http:`); `None` for any other.
    pub fn find(&self, link_type: &str) -> Option<&Link> {
        let name = link_type
            .strip_prefix("gs1:")
            .or_else(|| link_type.strip_prefix(GS1_VOC))
            .or_else(|| link_type.strip_prefix("http://gs1.org/voc/"))?;
        self.links.iter().find(|l| l.rel == name)
    }

    /// The RFC 9264 JSON linkset (`{"linkset": [{"anchor": ..., "https://gs1.org/voc/pip": [...]}]}`),
    /// each page available in both languages.
    pub fn linkset(&self, description: &str) -> Value {
        let mut context = serde_json::Map::new();
        context.insert("anchor".into(), json!(self.anchor));
        context.insert("description".into(), json!(description));
        for l in &self.links {
            context.insert(
                format!("{GS1_VOC}{}", l.rel),
                json!([{ "href": l.href, "title": l.title, "type": l.media_type, "hreflang": ["en", "zh-CN"] }]),
            );
        }
        json!({ "linkset": [context] })
    }

    /// The `Link` header every answer about the item carries: where its linkset is.
    pub fn header(&self) -> String {
        format!("<{}?linkType=linkset>; rel=\"linkset\"; type=\"{LINKSET_JSON}\"; title=\"Links of this item\"", self.anchor)
    }
}

/// Longest public root accepted (`serve --public-url`).
pub const MAX_PUBLIC_URL_LEN: usize = 200;

/// `url` as a public root: `http://` or `https://`, a host, an optional path, no query, fragment,
/// spaces or user info; the trailing slash dropped. The error names `--public-url`.
pub fn public_root(url: &str) -> crate::Result<String> {
    let bad = |why: &str| crate::ClientError::Input(format!("--public-url {url:?}: {why}"));
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")).ok_or_else(|| bad("expected http:// or https://"))?;
    if url.len() > MAX_PUBLIC_URL_LEN {
        return Err(bad(&format!("longer than {MAX_PUBLIC_URL_LEN} bytes")));
    }
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || host.contains('@') {
        return Err(bad("expected a host (and no user info)"));
    }
    if !url.bytes().all(|b| b.is_ascii_graphic()) || url.contains(['?', '#', '"', '<', '>', '\\']) {
        return Err(bad("no query, fragment, spaces, quotes or angle brackets"));
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// The resolver description file (`/.well-known/gs1resolver`) of the resolver at `public_url`.
pub fn description(public_url: &str) -> Value {
    json!({
        "name": "tracepass: product passports on a consortium chain",
        "resolverRoot": public_url,
        "supportedPrimaryKeys": ["01"],
        "supportedLinkType": [{ "namespace": GS1_VOC, "prefix": "gs1:" }],
        "linkTypeDefaultCanBeLinkset": false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gs1::parse_gtin;

    fn links() -> ItemLinks {
        let dl = DigitalLink { gtin: parse_gtin("10614141000415").unwrap(), lot: "L 1".into(), serial: "S1".into(), proof: None };
        ItemLinks::new("https://id.example.com", &dl, &passed_on("p=AAAA&linkType=gs1:pip&foo=bar"))
    }

    #[test]
    fn links_carry_the_query_but_link_type_works() {
        let l = links();
        assert_eq!(l.anchor, "https://id.example.com/01/10614141000415/10/L%201/21/S1");
        assert_eq!(l.links[0].href, "https://id.example.com/01/10614141000415/10/L%201/21/S1?p=AAAA&foo=bar");
        assert_eq!(l.find("gs1:pip").unwrap().href, "https://id.example.com/01/10614141000415?p=AAAA&foo=bar");
        assert_eq!(l.find("https://gs1.org/voc/traceability").unwrap().href, format!("{}?p=AAAA&foo=bar#trace", l.anchor));
        assert_eq!(l.find("http://gs1.org/voc/recallStatus").unwrap().rel, "recallStatus");
        for unknown in ["pip", "gs1:nope", "schema:pip", "https://example.com/voc/pip", ""] {
            assert!(l.find(unknown).is_none(), "{unknown}");
        }
        assert_eq!(passed_on("linkType=linkset"), "");
        assert_eq!(passed_on("linkType&a=1&&linkTypeX=2"), "a=1&linkTypeX=2");
    }

    #[test]
    fn redirects_stay_on_the_resolver_works() {
        let dl = DigitalLink { gtin: parse_gtin("10614141000415").unwrap(), lot: "L1".into(), serial: "S1".into(), proof: None };
        for query in ["x=//evil.example", "a=@evil.example", "u=https://evil.example/&linkType=https://evil.example", "%2F%2Fevil.example", "x=1/../../evil"] {
            let l = ItemLinks::new("https://id.example.com", &dl, &passed_on(query));
            for link in &l.links {
                assert!(link.href.starts_with("https://id.example.com/01/10614141000415"), "{query}: {}", link.href);
                let after_host = &link.href["https://id.example.com".len()..];
                assert!(after_host.split('?').next().unwrap().starts_with("/01/"), "{query}: {}", link.href);
            }
        }
    }

    /// The errors of `doc` under a vendored GS1 schema.
    fn schema_errors(schema: &str, doc: &Value) -> Vec<String> {
        let v = crate::epcis::compile_schema(schema).expect("GS1's schema compiles");
        crate::epcis::schema_errors_with(&v, doc, 5)
    }

    #[test]
    fn linkset_and_description_meet_gs1_schemas_works() {
        let ls = include_str!("../../schemas/gs1-resolver-linkset-schema.json");
        let df = include_str!("../../schemas/gs1-resolver-description-file-schema.json");
        assert_eq!(schema_errors(ls, &links().linkset("Aroha <b>")), Vec::<String>::new());
        assert_eq!(schema_errors(df, &description("https://id.example.com")), Vec::<String>::new());
        // the schemas bite: a link without a title, a relative href, an unknown member
        let mut v = links().linkset("x");
        v["linkset"][0][format!("{GS1_VOC}pip")][0].as_object_mut().unwrap().remove("title");
        assert!(!schema_errors(ls, &v).is_empty());
        let mut v = links().linkset("x");
        v["linkset"][0][format!("{GS1_VOC}pip")][0]["href"] = json!("/01/10614141000415");
        assert!(!schema_errors(ls, &v).is_empty());
        let mut v = links().linkset("x");
        v["linkset"][0]["Extra"] = json!([]);
        assert!(!schema_errors(ls, &v).is_empty());
        assert!(!schema_errors(df, &json!({ "resolverRoot": "https://x" })).is_empty(), "supportedPrimaryKeys is required");
    }

    #[test]
    fn public_root_works() {
        assert_eq!(public_root("https://id.example.com/").unwrap(), "https://id.example.com");
        assert_eq!(public_root("http://127.0.0.1:8080/r").unwrap(), "http://127.0.0.1:8080/r");
        for bad in ["id.example.com", "ftp://x", "https://", "https:///x", "https://u@x", "https://x/?a=1", "https://x/#f", "https://x y", "https://x/\"", "https://x/<"] {
            let e = public_root(bad).unwrap_err().to_string();
            assert!(e.contains("--public-url"), "{bad}: {e}");
        }
        assert!(public_root(&format!("https://{}", "a".repeat(MAX_PUBLIC_URL_LEN))).is_err());
    }

    #[test]
    fn linkset_has_one_default_and_full_links_works() {
        let v = links().linkset("Aroha");
        let set = v["linkset"].as_array().unwrap();
        assert_eq!(set.len(), 1);
        let ctx = set[0].as_object().unwrap();
        assert_eq!(ctx[&format!("{GS1_VOC}defaultLink")].as_array().unwrap().len(), 1, "exactly one default link");
        for t in ITEM_LINK_TYPES {
            for link in ctx[&format!("{GS1_VOC}{t}")].as_array().unwrap() {
                for field in ["href", "title", "type"] {
                    assert!(link[field].as_str().is_some_and(|s| !s.is_empty()), "{t}: {field}");
                }
            }
        }
        assert!(links().header().starts_with("<https://id.example.com/01/10614141000415/10/L%201/21/S1?linkType=linkset>; rel=\"linkset\""));
    }
}
