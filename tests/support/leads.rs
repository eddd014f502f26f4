//! Prospects for tests: a model of interest in the catalog and captures through
//! the API, as a consultant or the hotline would.

use serde_json::{Value, json};

use crate::fixture::ADMIN;
use crate::{Reply, TestServer};

/// A model in the catalog (岳风 1.5T); returns its id.
pub async fn model(s: &TestServer) -> i64 {
    let r = s
        .post(
            &s.token(ADMIN).await,
            "/api/v1/vehicle-models",
            json!({"code": "DY-YF-15T", "brand": "东岳", "series": "岳风", "model": "1.5T 自动", "trim": "豪华版"}),
        )
        .await;
    assert_eq!(r.status, 201, "{r}");
    r.json()["id"].as_i64().expect("a model id")
}

pub async fn capture(s: &TestServer, who: &str, body: Value) -> Reply {
    s.post(&s.token(who).await, "/api/v1/leads", body).await
}

/// A walk-in captured by `who` with the three quick-capture inputs; returns the lead.
pub async fn walk_in(s: &TestServer, who: &str, model_id: i64, mobile: &str, timeframe: &str) -> Value {
    let r = capture(s, who, json!({"mobile": mobile, "model_id": model_id, "timeframe": timeframe})).await;
    assert_eq!(r.status, 201, "{r}");
    r.json()["lead"].clone()
}
