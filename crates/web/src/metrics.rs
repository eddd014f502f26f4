//! Prometheus metrics: request counts and latency histograms per route, rendered
//! at `/metrics` in the text exposition format.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use crate::App;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

#[derive(Default)]
struct Series {
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    /// Sum of latencies in microseconds.
    sum_us: AtomicU64,
    errors: AtomicU64,
}

/// Series by method, then by route template: looked up with borrowed keys, so
/// counting a request allocates nothing once its series exists.
#[derive(Default)]
pub struct Metrics {
    series: RwLock<HashMap<Method, HashMap<String, std::sync::Arc<Series>>>>,
}

impl Metrics {
    fn series(&self, method: &Method, route: &str) -> std::sync::Arc<Series> {
        let map = self.series.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(s) = map.get(method).and_then(|m| m.get(route)) {
            return s.clone();
        }
        drop(map);
        let mut map = self.series.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.entry(method.clone()).or_default().entry(route.to_string()).or_default().clone()
    }

    pub fn observe(&self, method: &Method, route: &str, seconds: f64, status: u16) {
        let s = self.series(method, route);
        for (i, le) in BUCKETS.iter().enumerate() {
            if seconds <= *le {
                s.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        s.count.fetch_add(1, Ordering::Relaxed);
        s.sum_us.fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
        if status >= 500 {
            s.errors.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP autocrm_http_requests_total HTTP requests by route.\n# TYPE autocrm_http_requests_total counter\n");
        let map = self.series.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        // (method, route) in order, so the exposition is stable.
        let mut all: Vec<((&str, &str), &Series)> =
            map.iter().flat_map(|(m, routes)| routes.iter().map(move |(r, s)| ((m.as_str(), r.as_str()), &**s))).collect();
        all.sort_by_key(|(k, _)| *k);
        for (k, s) in &all {
            let _ = writeln!(out, "autocrm_http_requests_total{{method=\"{}\",route=\"{}\"}} {}", k.0, k.1, s.count.load(Ordering::Relaxed));
        }
        out.push_str("# HELP autocrm_http_server_errors_total Responses with status 5xx by route.\n# TYPE autocrm_http_server_errors_total counter\n");
        for (k, s) in &all {
            let _ = writeln!(out, "autocrm_http_server_errors_total{{method=\"{}\",route=\"{}\"}} {}", k.0, k.1, s.errors.load(Ordering::Relaxed));
        }
        out.push_str("# HELP autocrm_http_request_duration_seconds Request latency by route.\n# TYPE autocrm_http_request_duration_seconds histogram\n");
        for (k, s) in &all {
            let labels = format!("method=\"{}\",route=\"{}\"", k.0, k.1);
            for (i, le) in BUCKETS.iter().enumerate() {
                let _ = writeln!(out, "autocrm_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {}", s.buckets[i].load(Ordering::Relaxed));
            }
            let count = s.count.load(Ordering::Relaxed);
            let _ = writeln!(out, "autocrm_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {count}");
            let _ = writeln!(out, "autocrm_http_request_duration_seconds_sum{{{labels}}} {}", s.sum_us.load(Ordering::Relaxed) as f64 / 1e6);
            let _ = writeln!(out, "autocrm_http_request_duration_seconds_count{{{labels}}} {count}");
        }
        out
    }
}

/// Middleware recording every request under its route template (`/api/v1/dealers/{id}`).
pub async fn track(State(app): State<App>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    // The template, shared (an `Arc<str>` inside): cloning it copies no text.
    let matched = req.extensions().get::<MatchedPath>().cloned();
    let route = matched.as_ref().map_or("unmatched", MatchedPath::as_str);
    let resp = next.run(req).await;
    let elapsed = start.elapsed();
    let status = resp.status().as_u16();
    app.metrics.observe(&method, route, elapsed.as_secs_f64(), status);
    if status >= 500 {
        tracing::warn!(%method, %route, status, ms = elapsed.as_secs_f64() * 1e3, "request failed");
    } else {
        tracing::debug!(%method, %route, status, ms = elapsed.as_secs_f64() * 1e3, "request");
    }
    resp
}
