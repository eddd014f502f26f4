//! What operators and integrators rely on: liveness and readiness probes,
//! Prometheus metrics per route, the OpenAPI document, embedded assets and a clean
//! shutdown.

use autocrm_tests::both_engines;
use autocrm_tests::fixture::*;
use autocrm_tests::http::send;
use reqwest::Method;

both_engines! {
    async fn health_and_readiness_probes_answer(s) {
        let live = send(s.request(Method::GET, "/healthz")).await;
        assert_eq!((live.status, live.body.as_str()), (200, "ok"));
        let ready = send(s.request(Method::GET, "/readyz")).await;
        assert_eq!((ready.status, ready.body.as_str()), (200, "ready"), "the database answers");
    }
}

both_engines! {
    async fn metrics_count_requests_per_route_template(s) {
        let token = s.token(SHA01_MANAGER).await;
        for id in [s.org.dealer_a, s.org.dealer_a, s.org.dealer_b] {
            s.get(&token, &format!("/api/v1/dealers/{id}")).await;
        }
        let m = send(s.request(Method::GET, "/metrics")).await;
        assert_eq!(m.status, 200);
        assert!(m.header("content-type").is_some_and(|c| c.starts_with("text/plain")), "{:?}", m.headers);
        assert!(m.body.contains("# TYPE autocrm_http_requests_total counter"), "{m}");
        let line = r#"autocrm_http_requests_total{method="GET",route="/api/v1/dealers/{id}"} 3"#;
        assert!(m.body.lines().any(|l| l == line), "one series for the route, not one per id:\n{}", m.body);
        assert!(!m.body.contains(&format!("/api/v1/dealers/{}\"", s.org.dealer_a)), "no raw ids as labels");
        assert!(m.body.contains(r#"autocrm_http_server_errors_total{method="GET",route="/api/v1/dealers/{id}"} 0"#));
        assert!(m.body.contains(r#"autocrm_http_request_duration_seconds_count{method="GET",route="/api/v1/dealers/{id}"} 3"#));
        assert!(m.body.contains(r#"route="/api/v1/auth/token""#), "sign-ins are counted too");
    }
}

both_engines! {
    async fn the_openapi_document_is_openapi_3_1_json(s) {
        let r = send(s.request(Method::GET, "/api/v1/openapi.json")).await;
        assert_eq!(r.status, 200, "{r}");
        assert!(r.header("content-type").is_some_and(|c| c.starts_with("application/json")));
        let doc = r.json();
        assert_eq!(doc["openapi"], "3.1.0");
        assert_eq!(doc["info"]["title"], "autocrm API");
        assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
        assert!(doc["components"]["schemas"]["ErrorResponse"].is_object(), "the error shape is documented");
        assert!(doc["paths"]["/api/v1/dealers/{id}"]["patch"].is_object());
    }
}

both_engines! {
    async fn the_api_reference_page_lists_the_operations(s) {
        let r = send(s.request(Method::GET, "/api")).await;
        assert_eq!(r.status, 200, "{r}");
        assert!(r.header("content-type").is_some_and(|c| c.starts_with("text/html")));
        assert!(r.body.contains("/api/v1/dealers/{id}"), "{r}");
    }
}

both_engines! {
    async fn assets_are_served_from_the_binary(s) {
        let css = send(s.request(Method::GET, "/assets/app.css")).await;
        assert_eq!(css.status, 200);
        assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
        let htmx = send(s.request(Method::GET, "/assets/htmx.min.js")).await;
        assert_eq!(htmx.status, 200);
        assert!(htmx.body.contains("htmx"));
        assert_eq!(send(s.request(Method::GET, "/assets/missing.js")).await.status, 404);
    }
}

both_engines! {
    async fn an_unknown_page_is_a_404_page(s) {
        let r = send(s.request(Method::GET, "/no-such-page")).await;
        assert_eq!(r.status, 404, "{r}");
        assert!(r.header("content-type").is_some_and(|c| c.starts_with("text/html")), "{:?}", r.headers);
    }
}

both_engines! {
    async fn the_server_shuts_down_cleanly_when_asked(s) {
        let mut s = s;
        assert_eq!(send(s.request(Method::GET, "/healthz")).await.status, 200);
        let url = s.url("/healthz");
        s.stop().await.expect("serving ends without an error");
        let after = reqwest::Client::new().get(url).send().await;
        assert!(after.is_err(), "nothing listens any more: {after:?}");
    }
}

