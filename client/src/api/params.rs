//! Query strings, checked parameter by parameter: every bad value is a 400 whose JSON names
//! the parameter, an unknown parameter too; page tokens are bound to the query that made them.

use crate::index::db::Val;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::json;
use std::collections::BTreeMap;

/// Longest query string read, in bytes.
pub const MAX_QUERY_BYTES: usize = 8 * 1024;
/// Rows per page unless `limit` says otherwise.
pub const DEFAULT_LIMIT: u32 = 50;
/// Most rows per page.
pub const MAX_LIMIT: u32 = 1_000;
/// Longest free-text filter value, in bytes.
pub const MAX_TEXT_PARAM: usize = 256;

/// An answer other than 200: the status, the parameter at fault (if one) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// 400, 404 or 503.
    pub status: StatusCode,
    /// The query or path parameter at fault.
    pub parameter: Option<String>,
    /// What is wrong, in words.
    pub message: String,
}

impl ApiError {
    /// 400 for `parameter`.
    pub fn bad(parameter: &str, message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::BAD_REQUEST, parameter: Some(parameter.into()), message: message.into() }
    }
    /// 404 for `parameter`'s value.
    pub fn not_found(parameter: &str, message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::NOT_FOUND, parameter: Some(parameter.into()), message: message.into() }
    }
    /// 503: the database failed (the cause goes to the server's log, not to the client).
    pub fn unavailable(e: &crate::error::ClientError) -> ApiError {
        eprintln!("warning: index database: {e}");
        ApiError { status: StatusCode::SERVICE_UNAVAILABLE, parameter: None, message: "the index database is not available".into() }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": { "status": self.status.as_u16(), "parameter": self.parameter, "message": self.message } });
        (self.status, [(axum::http::header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
    }
}

/// The parameters of one request, taken one by one; [`Params::finish`] refuses the rest.
#[derive(Debug, Default)]
pub struct Params {
    values: BTreeMap<String, String>,
}

impl Params {
    /// Parses a raw query string: each name at most once.
    pub fn parse(raw: Option<&str>) -> Result<Params, ApiError> {
        let raw = raw.unwrap_or("");
        if raw.len() > MAX_QUERY_BYTES {
            return Err(ApiError::bad("query", format!("the query string is longer than {MAX_QUERY_BYTES} bytes")));
        }
        let mut values = BTreeMap::new();
        for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
            if values.insert(k.to_string(), v.to_string()).is_some() {
                return Err(ApiError::bad(&k, "given more than once"));
            }
        }
        Ok(Params { values })
    }

    /// A parameter's text, taken.
    pub fn text(&mut self, name: &str) -> Result<Option<String>, ApiError> {
        match self.values.remove(name) {
            Some(v) if v.len() > MAX_TEXT_PARAM => Err(ApiError::bad(name, format!("longer than {MAX_TEXT_PARAM} bytes"))),
            Some(v) if v.is_empty() => Err(ApiError::bad(name, "empty")),
            other => Ok(other),
        }
    }

    /// A non-negative integer at most `max`.
    pub fn int(&mut self, name: &str, max: u64) -> Result<Option<u64>, ApiError> {
        self.text(name)?
            .map(|v| match v.parse::<u64>() {
                Ok(n) if n <= max => Ok(n),
                Ok(_) => Err(ApiError::bad(name, format!("at most {max}"))),
                Err(_) => Err(ApiError::bad(name, format!("{:?} is not a non-negative integer", clip(&v)))),
            })
            .transpose()
    }

    /// A page size: 1 to `max`, `default` if not given.
    pub fn limit(&mut self, name: &str, default: u32, max: u32) -> Result<u32, ApiError> {
        match self.int(name, u64::from(max))? {
            None => Ok(default),
            Some(0) => Err(ApiError::bad(name, "at least 1")),
            Some(n) => Ok(n as u32),
        }
    }

    /// An account (SS58 or 0x-hex), as the index writes it (SS58).
    pub fn account(&mut self, name: &str) -> Result<Option<String>, ApiError> {
        self.text(name)?.map(|v| account(name, &v)).transpose()
    }

    /// One of `allowed`.
    pub fn choice(&mut self, name: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
        self.text(name)?
            .map(|v| if allowed.contains(&v.as_str()) { Ok(v) } else { Err(ApiError::bad(name, format!("one of {}", allowed.join(", ")))) })
            .transpose()
    }

    /// An RFC 3339 instant, in ms.
    pub fn time(&mut self, name: &str) -> Result<Option<u64>, ApiError> {
        self.text(name)?
            .map(|v| {
                crate::epcis::parse_rfc3339(&v)
                    .ok_or_else(|| ApiError::bad(name, format!("{:?} is not an RFC 3339 date-time (e.g. 2026-12-07T10:00:00Z)", clip(&v))))
            })
            .transpose()
    }

    /// Refuses any parameter not taken.
    pub fn finish(self) -> Result<(), ApiError> {
        match self.values.keys().next() {
            Some(k) => Err(ApiError::bad(k, "unknown parameter")),
            None => Ok(()),
        }
    }

    /// What is left, to fingerprint a query (after the paging parameters were taken).
    pub fn remaining(&self) -> &BTreeMap<String, String> {
        &self.values
    }
}

fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

/// An account parameter as the index writes it.
pub fn account(name: &str, v: &str) -> Result<String, ApiError> {
    crate::chain::parse_account(v).map(|a| crate::fmt::ss58(&a)).map_err(|_| ApiError::bad(name, format!("{:?} is not an account (SS58 or 0x and 64 hex digits)", clip(v))))
}

/// Where a page ends: the position (block, event index) of its last row, bound to the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageToken {
    /// The block of the last row given.
    pub block: i64,
    /// Its event index.
    pub idx: i64,
}

/// A fingerprint of a query: the endpoint and its filters.
pub fn fingerprint(endpoint: &str, filters: &BTreeMap<String, String>) -> String {
    let mut text = endpoint.to_string();
    for (k, v) in filters {
        text.push('\n');
        text.push_str(k);
        text.push('=');
        text.push_str(v);
    }
    hex::encode(&tracepass_shared::blake2_256(text.as_bytes())[..8])
}

impl PageToken {
    /// The opaque token: base64url of `fingerprint.block.idx`.
    pub fn encode(&self, fingerprint: &str) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{fingerprint}.{}.{}", self.block, self.idx))
    }

    /// Reads a token of parameter `name`; one made by another query is refused.
    pub fn decode(name: &str, token: &str, fingerprint: &str) -> Result<PageToken, ApiError> {
        let bad = || ApiError::bad(name, "not a page token of this query (start again without it)");
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token).map_err(|_| bad())?;
        let text = String::from_utf8(bytes).map_err(|_| bad())?;
        let mut parts = text.split('.');
        let (f, b, i) = (parts.next(), parts.next(), parts.next());
        if f != Some(fingerprint) || parts.next().is_some() {
            return Err(bad());
        }
        let block = b.and_then(|b| b.parse::<i64>().ok()).filter(|b| *b >= 0).ok_or_else(bad)?;
        let idx = i.and_then(|i| i.parse::<i64>().ok()).filter(|i| *i >= 0).ok_or_else(bad)?;
        Ok(PageToken { block, idx })
    }
}

/// A SQL filter being built: conditions and their values, numbered from 1.
#[derive(Debug, Default)]
pub struct Filter {
    /// `AND`-joined conditions.
    pub conditions: Vec<String>,
    /// Their values.
    pub values: Vec<Val>,
}

impl Filter {
    /// Adds `column op value`.
    pub fn push(&mut self, column: &str, op: &str, value: Val) {
        self.values.push(value);
        self.conditions.push(format!("{column} {op} ${}", self.values.len()));
    }

    /// Adds `column IN (values)`; no values matches nothing.
    pub fn push_in(&mut self, column: &str, values: impl IntoIterator<Item = Val>) {
        let mut marks = Vec::new();
        for v in values {
            self.values.push(v);
            marks.push(format!("${}", self.values.len()));
        }
        self.conditions.push(if marks.is_empty() { "1 = 0".into() } else { format!("{column} IN ({})", marks.join(", ")) });
    }

    /// A filter whose placeholders continue after `values` (one statement of several parts).
    pub fn continuing(values: Vec<Val>) -> Filter {
        Filter { conditions: Vec::new(), values }
    }

    /// Adds the keyset condition: rows after `t` in (block, idx) order.
    pub fn after(&mut self, prefix: &str, t: &PageToken) {
        self.values.push(Val::Int(t.block));
        let b = self.values.len();
        self.values.push(Val::Int(t.idx));
        let i = self.values.len();
        self.conditions.push(format!("({prefix}block > ${b} OR ({prefix}block = ${b} AND {prefix}idx > ${i}))"));
    }

    /// `WHERE ...`, or nothing.
    pub fn where_clause(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.conditions.join(" AND "))
        }
    }
}

/// The `Link: <path?query>; rel="next"` of a page: the request's own query with the paging
/// parameter `token_param` set to `token`.
pub fn next_link(path: &str, raw: Option<&str>, token_param: &str, token: &str) -> Option<axum::http::HeaderValue> {
    let mut q: Vec<(String, String)> =
        raw.map(|r| form_urlencoded::parse(r.as_bytes()).into_owned().filter(|(k, _)| k != token_param).collect()).unwrap_or_default();
    q.push((token_param.into(), token.into()));
    let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(q).finish();
    axum::http::HeaderValue::from_str(&format!("<{path}?{query}>; rel=\"next\"")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_fail() {
        assert_eq!(Params::parse(Some("a=1&a=2")).unwrap_err().parameter.as_deref(), Some("a"));
        let mut p = Params::parse(Some("limit=100000&x=1")).unwrap();
        assert_eq!(p.limit("limit", 50, MAX_LIMIT).unwrap_err().parameter.as_deref(), Some("limit"));
        assert_eq!(p.finish().unwrap_err(), ApiError::bad("x", "unknown parameter"));
        let mut p = Params::parse(Some("limit=-1&from=yesterday&merchant=bob")).unwrap();
        assert!(p.limit("limit", 50, MAX_LIMIT).is_err());
        assert_eq!(p.time("from").unwrap_err().parameter.as_deref(), Some("from"));
        assert_eq!(p.account("merchant").unwrap_err().parameter.as_deref(), Some("merchant"));
        assert!(Params::parse(Some(&"a".repeat(MAX_QUERY_BYTES + 1))).is_err());
    }

    #[test]
    fn page_token_works() {
        let t = PageToken { block: 12, idx: 3 };
        let f = fingerprint("/lots", &BTreeMap::new());
        assert_eq!(PageToken::decode("page_token", &t.encode(&f), &f), Ok(t.clone()));
        // a token of another query, or garbage, is refused
        let other = fingerprint("/lots", &[("merchant".to_string(), "x".to_string())].into());
        assert!(PageToken::decode("page_token", &t.encode(&other), &f).is_err());
        assert!(PageToken::decode("page_token", "!!", &f).is_err());
        assert!(PageToken::decode("page_token", &base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{f}.-1.0")), &f).is_err());
    }
}
