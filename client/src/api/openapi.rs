//! The OpenAPI 3.1 document of the query API, built from [`super::lists::LISTS`] (the same
//! table the handlers serve) and the single-record, statistics and EPCIS routes.

use super::lists::{Kind, LISTS};
use super::params::{DEFAULT_LIMIT, MAX_LIMIT};
use utoipa::openapi::path::{OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{HttpMethod, Info, OpenApi, OpenApiBuilder, PathItem, PathsBuilder, Required, ResponseBuilder};

fn schema(kind: Kind) -> ObjectBuilder {
    let s = ObjectBuilder::new();
    match kind {
        Kind::Int => s.schema_type(Type::Integer).minimum(Some(0)),
        Kind::Flag => s.schema_type(Type::Boolean),
        Kind::Choice(words) => s.schema_type(Type::String).enum_values(Some(words.iter().copied())),
        Kind::Time => s.schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))),
        Kind::Gtin => s.schema_type(Type::String).pattern(Some("^[0-9]{8,14}$")),
        Kind::Lot => s.schema_type(Type::String).pattern(Some("^(0x)?[0-9a-fA-F]{64}$")),
        Kind::Account | Kind::Text => s.schema_type(Type::String),
    }
}

fn query(name: &str, kind: Kind, doc: &str) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(doc))
        .schema(Some(schema(kind)))
        .build()
}

fn path(name: &str, kind: Kind, doc: &str) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new().name(name).parameter_in(ParameterIn::Path).required(Required::True).description(Some(doc)).schema(Some(schema(kind))).build()
}

fn operation(id: &str, summary: &str, params: Vec<utoipa::openapi::path::Parameter>, extra: &[(&str, &str)]) -> utoipa::openapi::path::Operation {
    let mut op = OperationBuilder::new().operation_id(Some(id)).summary(Some(summary));
    for p in params {
        op = op.parameter(p);
    }
    op = op
        .response("200", ResponseBuilder::new().description("The answer (JSON)").build())
        .response("400", ResponseBuilder::new().description("A malformed or unknown parameter, named in error.parameter").build())
        .response("503", ResponseBuilder::new().description("The index database is not available").build());
    for (code, what) in extra {
        op = op.response(*code, ResponseBuilder::new().description(*what).build());
    }
    op.build()
}

/// The document.
pub fn document() -> OpenApi {
    let mut paths = PathsBuilder::new();
    let limit = |doc: &str| query("limit", Kind::Int, &format!("{doc} (1 to {MAX_LIMIT}, default {DEFAULT_LIMIT})"));
    for spec in LISTS {
        let mut params: Vec<_> = spec.filters.iter().map(|f| query(f.param, f.kind, f.doc)).collect();
        params.push(limit("Rows per page"));
        params.push(query("page_token", Kind::Text, "The next_page_token of the previous page of the same query"));
        let id = format!("list_{}", spec.path.rsplit('/').next().unwrap_or("rows"));
        paths = paths.path(spec.path, PathItem::new(HttpMethod::Get, operation(&id, spec.summary, params, &[])));
    }
    let one = |p: &str, id: &str, summary: &str, name: &str, kind: Kind, doc: &str| {
        (p.to_string(), PathItem::new(HttpMethod::Get, operation(id, summary, vec![path(name, kind, doc)], &[("404", "Not in the index")])))
    };
    for (p, item) in [
        one("/api/v1/lots/{lot}", "get_lot", "A lot and its timeline", "lot", Kind::Lot, "Lot ID"),
        one("/api/v1/merchants/{account}", "get_merchant", "A merchant", "account", Kind::Account, "SS58 or 0x-hex account"),
        one("/api/v1/products/{gtin}", "get_product", "A product", "gtin", Kind::Gtin, "GTIN"),
        one("/api/v1/factories/{id}", "get_factory", "A factory", "id", Kind::Int, "Factory ID"),
        one("/api/v1/attestations/{id}", "get_attestation", "An attestation", "id", Kind::Int, "Attestation ID"),
        one("/api/v1/proposals/{id}", "get_proposal", "A proposal and its approvals", "id", Kind::Int, "Proposal ID"),
    ] {
        paths = paths.path(p, item);
    }
    let by = Kind::Choice(&["merchant", "country", "category", "agency"]);
    paths = paths
        .path(
            "/api/v1/stats/pass-rates",
            PathItem::new(
                HttpMethod::Get,
                operation("pass_rates", "Inspection pass rates per month (unrevoked inspections)", vec![query("by", by, "Grouping (default merchant)")], &[]),
            ),
        )
        .path(
            "/api/v1/stats/sampling",
            PathItem::new(HttpMethod::Get, operation("sampling_rates", "Observed selection rates beside the configured rates, 99% Wilson intervals", vec![], &[])),
        )
        .path(
            "/api/v1/stats/backlog",
            PathItem::new(HttpMethod::Get, operation(
                    "backlog",
                    "Selected lots not inspected yet (total, overdue), oldest first",
                    vec![limit("Most rows"), query("overdue_days", Kind::Int, "Days after selection when a lot is overdue (default 14)")],
                    &[],
                )),
        )
        .path(
            "/api/v1/scans/flagged",
            PathItem::new(HttpMethod::Get, operation(
                    "scans_flagged",
                    "Codes the resolver's scan log flags as possibly copied (more scans or regions than its rules allow in their window), most scanned first",
                    vec![query("merchant", Kind::Account, "Only this merchant's lots"), limit("Most rows")],
                    &[],
                )),
        )
        .path("/api/v1/status", PathItem::new(HttpMethod::Get, operation("status", "Row counts and the last block indexed", vec![], &[])));
    let epcis: Vec<_> = super::epcis::PARAMS.iter().map(|(name, kind, doc)| query(name, *kind, doc)).collect();
    paths = paths.path(
        "/epcis/events",
        PathItem::new(
            HttpMethod::Get,
            operation("epcis_events", "EPCIS 2.0 events (GS1 REST binding, SimpleEventQuery); next page in the Link header", epcis, &[]),
        ),
    );
    let mut info = Info::new("tracepass index API", env!("CARGO_PKG_VERSION"));
    info.description = Some("Read-only queries over the tracepass index: the consortium's chain events in a database.".into());
    OpenApiBuilder::new().info(info).paths(paths.build()).build()
}

#[cfg(test)]
mod tests {
    #[test]
    fn document_works() {
        let doc: serde_json::Value = serde_json::from_str(&super::document().to_pretty_json().unwrap()).unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
        for spec in super::LISTS {
            let op = &doc["paths"][spec.path]["get"];
            let names: Vec<&str> = op["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
            for f in spec.filters {
                assert!(names.contains(&f.param), "{} lacks {}", spec.path, f.param);
            }
            assert!(names.contains(&"page_token"));
        }
        assert!(doc["paths"]["/epcis/events"]["get"]["parameters"].as_array().unwrap().len() >= 8);
    }
}
