//! Test drives for tests: a demo car added by dealer A's manager through the API,
//! and bookings as a consultant makes them.

use chrono::{DateTime, Duration, DurationRound, Utc};
use serde_json::{Value, json};

use crate::fixture::SHA01_MANAGER;
use crate::{Reply, TestServer};

/// A demo car of dealer A (`plate` e.g. `沪AD10001`); returns its id.
pub async fn demo_car(s: &TestServer, model_id: i64, plate: &str) -> i64 {
    let r = s.post(&s.token(SHA01_MANAGER).await, "/api/v1/demo-cars", json!({"model_id": model_id, "plate": plate, "color": "珍珠白"})).await;
    assert_eq!(r.status, 201, "{r}");
    r.json()["id"].as_i64().expect("a demo car id")
}

/// The start of the hour `hours` from now (whole hours keep slots easy to read).
pub fn at(hours: i64) -> DateTime<Utc> {
    Utc::now().duration_trunc(Duration::hours(1)).unwrap_or_else(|_| Utc::now()) + Duration::hours(hours)
}

/// Books `car` for `lead` from `start` for `minutes`, as `who`.
pub async fn book(s: &TestServer, who: &str, lead: i64, car: i64, start: DateTime<Utc>, minutes: i64) -> Reply {
    book_with(s, who, json!({"lead_id": lead, "demo_car_id": car, "starts_at": start, "ends_at": start + Duration::minutes(minutes)})).await
}

pub async fn book_with(s: &TestServer, who: &str, body: Value) -> Reply {
    s.post(&s.token(who).await, "/api/v1/test-drives", body).await
}
