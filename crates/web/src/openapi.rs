//! The OpenAPI 3.1 document, generated from the handlers' annotations, with each
//! operation's required action (`x-required-action`) taken from the route table;
//! and a human-readable reference page rendered from the same document.

use std::sync::OnceLock;

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::pages::{Layout, render};
use crate::routes::{Kind, RouteSpec};
use crate::{App, api_tokens, audit, auth, org, users};

#[derive(OpenApi)]
#[openapi(
    info(title = "autocrm API", version = "1", description = "The automotive CRM's versioned REST API. \
        Authenticate with `POST /api/v1/auth/token`, then send `Authorization: Bearer <token>`. \
        Lists use cursor pagination (`limit`, `cursor`, `sort`); updates need the version you read \
        (`If-Match` or `version`) and answer 409 when it is stale; POSTs accept `Idempotency-Key`; \
        every error has the shape `{\"error\":{\"code\",\"message\",\"fields\":[{\"path\",\"message\"}]}}`."),
    paths(
        auth::api::token, document,
        users::api::me, users::api::change_own_password, users::api::list_users, users::api::create_user,
        users::api::get_user, users::api::update_user, users::api::reset_password,
        org::api::list_regions, org::api::create_region, org::api::get_region, org::api::update_region,
        org::api::list_groups, org::api::create_group, org::api::get_group, org::api::update_group,
        org::api::list_dealers, org::api::create_dealer, org::api::get_dealer, org::api::update_dealer,
        org::api::list_departments, org::api::create_department, org::api::get_department, org::api::update_department,
        audit::api::list,
        api_tokens::api::list, api_tokens::api::create, api_tokens::api::revoke,
    ),
    components(schemas(crate::error::ErrorResponse)),
    modifiers(&BearerAuth),
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}

/// The document as JSON, with the action each operation requires and its
/// security requirement.
pub fn build(specs: &[RouteSpec]) -> Value {
    // Each capability describes its own operations; the document is their union.
    let mut api = ApiDoc::openapi();
    for part in [
        crate::customers::api::Doc::openapi(),
        crate::vehicles::api::Doc::openapi(),
        crate::search::api::Doc::openapi(),
        crate::identity::api::Doc::openapi(),
        crate::imports::api::Doc::openapi(),
        crate::leads::api::Doc::openapi(),
        crate::leads::distribution::Doc::openapi(),
        crate::notifications::Doc::openapi(),
        crate::handover::Doc::openapi(),
        crate::test_drives::api::Doc::openapi(),
        crate::quotes::api::Doc::openapi(),
        crate::traffic::api::Doc::openapi(),
        crate::analytics::api::Doc::openapi(),
    ] {
        api.merge(part);
    }
    let mut doc = serde_json::to_value(api).unwrap_or_default();
    doc["openapi"] = Value::String("3.1.0".into());
    for s in specs.iter().filter(|s| s.kind == Kind::Api) {
        let method = s.method.as_str().to_ascii_lowercase();
        if let Some(op) = doc.pointer_mut(&format!("/paths/{}/{method}", s.path.replace('/', "~1"))) {
            match s.action {
                Some(a) => {
                    op["x-required-action"] = Value::String(a.as_str().into());
                    op["security"] = serde_json::json!([{"bearer": []}]);
                }
                None => op["security"] = serde_json::json!([]),
            }
        }
    }
    doc
}

fn cached(app: &App) -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| build(&crate::route_specs(app)).to_string())
}

/// This document: the OpenAPI 3.1 description of the API.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object)))]
pub async fn document(State(app): State<App>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], cached(&app)).into_response()
}

pub struct Operation {
    pub method: String,
    pub path: String,
    pub summary: String,
    pub action: String,
    pub params: Vec<(String, String, bool)>,
    pub body: String,
    pub responses: Vec<(String, String)>,
}

fn schema_name(v: &Value) -> String {
    let r = v.pointer("/content/application~1json/schema").cloned().unwrap_or(Value::Null);
    match r.get("$ref").and_then(Value::as_str) {
        Some(s) => s.rsplit('/').next().unwrap_or(s).to_string(),
        None if r.is_null() => String::new(),
        None => "object".into(),
    }
}

pub fn operations(doc: &Value) -> Vec<(String, Vec<Operation>)> {
    let mut groups: Vec<(String, Vec<Operation>)> = vec![];
    let Some(paths) = doc["paths"].as_object() else { return groups };
    for (path, item) in paths {
        let Some(item) = item.as_object() else { continue };
        for (method, op) in item {
            let tag = op["tags"][0].as_str().unwrap_or("other").to_string();
            let params = op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| {
                            (p["name"].as_str().unwrap_or("").to_string(), p["in"].as_str().unwrap_or("").to_string(), p["required"].as_bool().unwrap_or(false))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let responses = op["responses"]
                .as_object()
                .map(|rs| rs.iter().map(|(code, r)| (code.clone(), schema_name(r))).collect())
                .unwrap_or_default();
            let o = Operation {
                method: method.to_uppercase(),
                path: path.clone(),
                summary: op["summary"].as_str().or(op["description"].as_str()).unwrap_or("").to_string(),
                action: op["x-required-action"].as_str().unwrap_or("").to_string(),
                params,
                body: schema_name(&op["requestBody"]),
                responses,
            };
            match groups.iter_mut().find(|(t, _)| *t == tag) {
                Some((_, ops)) => ops.push(o),
                None => groups.push((tag, vec![o])),
            }
        }
    }
    groups
}

#[derive(Template)]
#[template(path = "api/reference.html")]
struct Reference {
    l: Layout,
    groups: Vec<(String, Vec<Operation>)>,
}

/// A readable API reference, rendered on the server from the same document.
pub async fn reference(State(app): State<App>, l: Layout) -> Response {
    let doc: Value = serde_json::from_str(cached(&app)).unwrap_or_default();
    render(&Reference { l, groups: operations(&doc) })
}
