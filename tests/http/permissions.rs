//! Who may do what, checked from the route table itself: every API route and page
//! against every role, so a route added without a rule — or with the wrong one —
//! fails here, and the OpenAPI document must say the same as the table.

use std::collections::BTreeSet;

use autocrm_domain::access::Role;
use autocrm_store::auth::Actor;
use autocrm_tests::fixture::*;
use autocrm_tests::http::send;
use autocrm_tests::{TestServer, both_engines};
use autocrm_web::routes::{Kind, RouteSpec};
use reqwest::Method;
use reqwest::header::COOKIE;
use serde_json::json;

/// Pages anyone may open without signing in. Adding one is a decision: add it
/// here on purpose (public API routes are the `None` rules of [`API_RULES`]).
const PUBLIC_PAGES: [(&str, &str); 5] =
    [("GET", "/login"), ("POST", "/login"), ("POST", "/logout"), ("GET", "/lang/{lang}"), ("GET", "/api")];

/// The reviewed rules of every API route: the platform's here, each capability's
/// in its own test module.
fn api_rules() -> Vec<(&'static str, &'static str, Option<&'static str>)> {
    [PLATFORM_RULES, crate::customers::API_RULES, crate::vehicles::API_RULES, crate::search::API_RULES, crate::identity::API_RULES, crate::imports::API_RULES, crate::leads::API_RULES, crate::notifications::API_RULES, crate::handover::API_RULES, crate::test_drives::API_RULES, crate::quotes::API_RULES, crate::traffic::API_RULES, crate::analytics::API_RULES]
        .concat()
}

/// The rule of every platform API route, as reviewed. The matrix below checks that the
/// server enforces what the table declares; this list checks the declarations
/// themselves, so a new route or a changed rule shows up here in review.
#[rustfmt::skip]
const PLATFORM_RULES: &[(&str, &str, Option<&str>)] = &[
    ("POST", "/api/v1/auth/token", None),
    ("GET", "/api/v1/openapi.json", None),
    ("GET", "/api/v1/me", Some("self_service")),
    ("POST", "/api/v1/me/password", Some("self_service")),
    ("GET", "/api/v1/users", Some("user_read")),
    ("POST", "/api/v1/users", Some("user_manage")),
    ("GET", "/api/v1/users/{id}", Some("user_read")),
    ("PATCH", "/api/v1/users/{id}", Some("user_manage")),
    ("POST", "/api/v1/users/{id}/password", Some("user_manage")),
    ("GET", "/api/v1/regions", Some("org_read")),
    ("POST", "/api/v1/regions", Some("org_manage")),
    ("GET", "/api/v1/regions/{id}", Some("org_read")),
    ("PATCH", "/api/v1/regions/{id}", Some("org_manage")),
    ("GET", "/api/v1/dealer-groups", Some("org_read")),
    ("POST", "/api/v1/dealer-groups", Some("org_manage")),
    ("GET", "/api/v1/dealer-groups/{id}", Some("org_read")),
    ("PATCH", "/api/v1/dealer-groups/{id}", Some("org_manage")),
    ("GET", "/api/v1/dealers", Some("org_read")),
    ("POST", "/api/v1/dealers", Some("org_manage")),
    ("GET", "/api/v1/dealers/{id}", Some("org_read")),
    ("PATCH", "/api/v1/dealers/{id}", Some("org_manage")),
    ("GET", "/api/v1/departments", Some("org_read")),
    ("POST", "/api/v1/departments", Some("department_manage")),
    ("GET", "/api/v1/departments/{id}", Some("org_read")),
    ("PATCH", "/api/v1/departments/{id}", Some("department_manage")),
    ("GET", "/api/v1/audit-events", Some("audit_read")),
    ("GET", "/api/v1/api-tokens", Some("api_token_manage")),
    ("POST", "/api/v1/api-tokens", Some("api_token_manage")),
    ("DELETE", "/api/v1/api-tokens/{id}", Some("api_token_manage")),
];

async fn route_table(s: &TestServer) -> Vec<RouteSpec> {
    let app = autocrm_web::App::new(s.db().clone(), autocrm_web::Config::default()).await.expect("an app over the test database");
    autocrm_web::route_specs(&app)
}

/// A path of the table with `{id}` replaced by a record every role could reach
/// (dealer A's, or OEM-wide ones).
/// Existing records to put into `{id}` paths, so a granted role reaches the handler.
struct Ids {
    api_token: i64,
    customer: i64,
    vehicle: i64,
    vehicle_model: i64,
}

async fn existing_ids(s: &TestServer) -> Ids {
    let (vehicle_model, vehicle) = autocrm_tests::vehicles::model_and_stock_vehicle(s.db(), s.org.dealer_a, 900).await;
    Ids {
        api_token: integration_token(s).await,
        customer: autocrm_tests::customers::walk_in_at_dealer_a(s.db(), &s.org).await,
        vehicle,
        vehicle_model,
    }
}

fn concrete_path(s: &TestServer, path: &str, ids: &Ids) -> String {
    let Some(at) = path.find("/{id}") else {
        assert!(!path.contains('{'), "the permission matrix does not know how to fill {path}");
        return path.to_string();
    };
    let resource = path[..at].rsplit('/').next().unwrap_or_default();
    let id = match resource {
        "regions" => s.org.east,
        "dealer-groups" | "groups" => s.org.hxg,
        "dealers" => s.org.dealer_a,
        "departments" => s.org.sales_a,
        "users" => s.org.id(SHA01_CONSULTANT),
        "api-tokens" => ids.api_token,
        "customers" => ids.customer,
        "vehicles" => ids.vehicle,
        "vehicle-models" => ids.vehicle_model,
        // Review pairs, merges and import jobs need not exist: a granted role then
        // gets a 404 from the handler, which is what the matrix needs to see.
        "reviews" | "merges" | "imports" | "leads" | "notifications" | "demo-cars" | "test-drives" | "quotes" => 1,
        other => panic!("the permission matrix needs an existing `{other}` record for {path}: add one to concrete_path"),
    };
    let filled = path.replacen("{id}", &id.to_string(), 1);
    // Nested ids (a timeline entry of the customer) likewise may be missing: 404.
    match filled.find('{') {
        Some(open) => {
            let close = filled[open..].find('}').map_or(filled.len(), |c| open + c + 1);
            format!("{}1{}", &filled[..open], &filled[close..])
        }
        None => filled,
    }
}

fn method(spec: &RouteSpec) -> Method {
    Method::from_bytes(spec.method.as_str().as_bytes()).expect("a standard method")
}

async fn integration_token(s: &TestServer) -> i64 {
    let (token, _) = autocrm_store::api_tokens::create(s.db(), &Actor::system(), s.org.id(SHA01_MANAGER), "DMS 同步", None)
        .await
        .expect("an integration token to revoke");
    token.id
}

both_engines! {
    async fn every_api_route_allows_exactly_the_roles_its_action_grants(s) {
        let specs = route_table(&s).await;
        let ids = existing_ids(&s).await;
        let mut tokens = vec![];
        for role in Role::ALL {
            tokens.push((role, s.token_for(role).await));
        }
        let mut failures = vec![];
        let mut checked = 0;
        for spec in specs.iter().filter(|r| r.kind == Kind::Api) {
            let Some(action) = spec.action else { continue };
            let path = concrete_path(&s, spec.path, &ids);
            let call = |token: Option<&str>| {
                let mut req = s.request(method(spec), &path);
                if let Some(t) = token {
                    req = req.bearer_auth(t);
                }
                // A minimal body: the guard decides before the body is even read.
                if spec.method == Method::POST || spec.method == Method::PATCH {
                    req = req.json(&json!({}));
                }
                send(req)
            };
            let anonymous = call(None).await;
            if anonymous.status != 401 {
                failures.push(format!("{} {path} without a token: expected 401, got {anonymous}", spec.method));
            }
            for (role, token) in &tokens {
                let r = call(Some(token)).await;
                checked += 1;
                let denied = r.status == 403 && r.json()["error"]["code"] == "forbidden";
                if role.grants(action) {
                    if r.status == 401 || r.status == 403 || r.status >= 500 {
                        failures.push(format!("{} {path} as {role} ({} granted): {r}", spec.method, action.as_str()));
                    }
                } else if !denied {
                    failures.push(format!("{} {path} as {role} ({} not granted): expected 403, got {r}", spec.method, action.as_str()));
                }
            }
        }
        assert!(failures.is_empty(), "{} wrong answers:\n{}", failures.len(), failures.join("\n"));
        let guarded = specs.iter().filter(|r| r.kind == Kind::Api && r.action.is_some()).count();
        assert!(guarded >= 20, "the table has {guarded} guarded API routes");
        assert_eq!(checked, guarded * Role::ALL.len());
    }
}

both_engines! {
    async fn every_page_allows_exactly_the_roles_its_action_grants(s) {
        let specs = route_table(&s).await;
        let ids = existing_ids(&s).await;
        let mut sessions = vec![];
        for role in Role::ALL {
            sessions.push((role, s.login_session(s.org.user(role).username).await));
        }
        let mut failures = vec![];
        for spec in specs.iter().filter(|r| r.kind == Kind::Page) {
            let Some(action) = spec.action else { continue };
            let path = concrete_path(&s, spec.path, &ids);

            let anonymous = send(s.request(method(spec), &path)).await;
            if anonymous.status != 303 || !anonymous.header("location").is_some_and(|l| l.starts_with("/login")) {
                failures.push(format!("{} {path} signed out: expected a redirect to /login, got {anonymous}", spec.method));
            }
            for (role, session) in &sessions {
                let mut req = s.request(method(spec), &path).header(COOKIE, session.cookie_header());
                if spec.method == Method::POST {
                    req = req.header("x-csrf-token", &session.csrf).form(&[("_csrf", session.csrf.as_str())]);
                }
                let r = send(req).await;
                if role.grants(action) {
                    if r.status == 403 || r.status >= 500 || r.header("location").is_some_and(|l| l.starts_with("/login")) {
                        failures.push(format!("{} {path} as {role} ({} granted): {r}", spec.method, action.as_str()));
                    }
                } else if r.status != 403 {
                    failures.push(format!("{} {path} as {role} ({} not granted): expected 403, got {r}", spec.method, action.as_str()));
                }
            }
        }
        assert!(failures.is_empty(), "{} wrong answers:\n{}", failures.len(), failures.join("\n"));
    }
}

both_engines! {
    async fn every_api_route_has_the_reviewed_rule(s) {
        let specs = route_table(&s).await;
        let declared: BTreeSet<(String, String, Option<String>)> = specs
            .iter()
            .filter(|r| r.kind == Kind::Api)
            .map(|r| (r.method.to_string(), r.path.to_string(), r.action.map(|a| a.as_str().to_string())))
            .collect();
        let reviewed: BTreeSet<(String, String, Option<String>)> =
            api_rules().into_iter().map(|(m, p, a)| (m.to_string(), p.to_string(), a.map(str::to_string))).collect();
        let unreviewed: Vec<_> = declared.difference(&reviewed).collect();
        let gone: Vec<_> = reviewed.difference(&declared).collect();
        assert!(
            unreviewed.is_empty() && gone.is_empty(),
            "the route table and API_RULES disagree — review the rule and update API_RULES:\n\
             declared but not reviewed: {unreviewed:?}\nreviewed but not declared: {gone:?}"
        );
    }
}

both_engines! {
    async fn only_the_known_routes_are_public(s) {
        let specs = route_table(&s).await;
        let public = |kind: Kind| -> BTreeSet<(String, String)> {
            specs
                .iter()
                .filter(|r| r.kind == kind && r.action.is_none())
                .map(|r| (r.method.to_string(), r.path.to_string()))
                .collect()
        };
        let expect = |list: &[(&str, &str)]| -> BTreeSet<(String, String)> {
            list.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect()
        };
        let public_api: Vec<(&str, &str)> = api_rules().into_iter().filter(|r| r.2.is_none()).map(|r| (r.0, r.1)).collect();
        assert_eq!(public(Kind::Api), expect(&public_api), "public API routes");
        assert_eq!(public(Kind::Page), expect(&PUBLIC_PAGES), "public pages");

        for (m, p) in public_api {
            let mut req = s.request(Method::from_bytes(m.as_bytes()).unwrap(), p);
            if m == "POST" {
                req = req.json(&json!({"username": SHA01_MANAGER, "password": PASSWORD}));
            }
            let r = send(req).await;
            assert_eq!(r.status, 200, "{m} {p} without signing in: {r}");
        }

        // Every API route lives under /api/v1 and every page outside it.
        for r in &specs {
            assert_eq!(r.kind == Kind::Api, r.path.starts_with("/api/v1/"), "{} {} is declared as {:?}", r.method, r.path, r.kind);
        }
        let unique: BTreeSet<_> = specs.iter().map(|r| (r.method.to_string(), r.path)).collect();
        assert_eq!(unique.len(), specs.len(), "a route is declared twice");
    }
}

both_engines! {
    async fn the_openapi_document_lists_every_api_route_with_its_required_action(s) {
        let specs = route_table(&s).await;
        let doc = autocrm_web::openapi::build(&specs);

        let table: BTreeSet<(String, String)> = specs
            .iter()
            .filter(|r| r.kind == Kind::Api)
            .map(|r| (r.path.to_string(), r.method.as_str().to_ascii_lowercase()))
            .collect();
        let mut documented = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for m in ["get", "post", "put", "patch", "delete"] {
                if item.get(m).is_some() {
                    documented.insert((path.clone(), m.to_string()));
                }
            }
        }
        let undocumented: Vec<_> = table.difference(&documented).collect();
        let undeclared: Vec<_> = documented.difference(&table).collect();
        assert!(undocumented.is_empty(), "API routes missing from the OpenAPI document: {undocumented:?}");
        assert!(undeclared.is_empty(), "OpenAPI operations without a route in the table: {undeclared:?}");

        for spec in specs.iter().filter(|r| r.kind == Kind::Api) {
            let pointer = format!("/paths/{}/{}", spec.path.replace('/', "~1"), spec.method.as_str().to_ascii_lowercase());
            let op = &doc.pointer(&pointer).unwrap_or_else(|| panic!("{pointer}"));
            match spec.action {
                Some(a) => {
                    assert_eq!(op["x-required-action"], a.as_str(), "{} {}", spec.method, spec.path);
                    assert_eq!(op["security"], json!([{"bearer": []}]), "{} {}", spec.method, spec.path);
                }
                None => {
                    assert!(op.get("x-required-action").is_none(), "{} {}", spec.method, spec.path);
                    assert_eq!(op["security"], json!([]), "{} {}", spec.method, spec.path);
                }
            }
        }

        let served = send(s.request(Method::GET, "/api/v1/openapi.json")).await;
        assert_eq!(served.json(), doc, "the served document is the one built from the table");
    }
}

both_engines! {
    async fn signed_out_is_401_and_a_consultant_creating_a_dealer_is_403(s) {
        let dealer = json!({
            "code": "SHD02", "name": "上海嘉定东岳4S店", "level": "B", "region_id": s.org.east,
            "province": "上海", "city": "上海"
        });
        let post = || s.request(Method::POST, "/api/v1/dealers").json(&dealer);

        let anonymous = s.refused(post()).await;
        anonymous.assert_error(401, "unauthorized");
        assert_eq!(anonymous.header("www-authenticate"), Some("Bearer"));

        let consultant = s.refused(post().bearer_auth(s.token(SHA01_CONSULTANT).await)).await;
        consultant.assert_error(403, "forbidden");
        assert_eq!(consultant.header("www-authenticate"), None, "the consultant is known, just not allowed");

        let ops = send(post().bearer_auth(s.token(SALES_OPS).await)).await;
        assert_eq!(ops.status, 201, "network operations may: {ops}");
    }
}

both_engines! {
    async fn a_consultant_sees_the_forbidden_page_for_user_administration(s) {
        let session = s.login_session(SHA01_CONSULTANT).await;
        let r = s.page(&session, "/users").await;
        assert_eq!(r.status, 403, "{r}");
        assert!(r.header("content-type").is_some_and(|c| c.starts_with("text/html")), "a page, not JSON: {:?}", r.headers);
        assert!(!r.body.contains("sha01.manager"), "and no user data");
    }
}
