//! Quotes for tests: list prices set by the OEM's sales ops and quotes as a
//! consultant gives them.

use serde_json::{Value, json};

use crate::fixture::SALES_OPS;
use crate::{Reply, TestServer};

/// Sets `yuan` as `model_id`'s list price (open-ended, from today).
pub async fn price(s: &TestServer, model_id: i64, yuan: i64) -> Value {
    let r = s.post(&s.token(SALES_OPS).await, &format!("/api/v1/vehicle-models/{model_id}/prices"), json!({"list_price": yuan * 100})).await;
    assert_eq!(r.status, 201, "{r}");
    r.json()
}

/// A discount of `discount` yuan and a gift worth `gift` yuan.
pub fn lines(discount: i64, gift: i64) -> Value {
    json!([
        {"kind": "discount", "label": "店内优惠", "amount": discount * 100},
        {"kind": "gift", "label": "全车脚垫", "amount": gift * 100},
    ])
}

pub async fn quote(s: &TestServer, who: &str, body: Value) -> Reply {
    s.post(&s.token(who).await, "/api/v1/quotes", body).await
}
