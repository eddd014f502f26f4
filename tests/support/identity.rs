//! Identity-resolution fixtures: customers created through the store's own
//! constructor (as the API and imports do), vehicles owned by them, and a dump of
//! every row that belongs to a customer, to compare before and after a merge.

use autocrm_store::auth::{self, Actor};
use autocrm_store::customers::{self, NewAddress, NewConsent, NewCustomer};
use autocrm_store::db::sql;
use autocrm_store::identity::rows::{self, JsonRow};
use autocrm_store::Db;
use serde_json::Value;

/// The signed-in actor of a fixture user, as the server binds it.
pub async fn actor(db: &Db, user_id: i64) -> Actor {
    auth::actor(db, user_id).await.expect("read the actor").expect("an active fixture user")
}

/// A person at a Shanghai street address with a mobile, a landline, an e-mail and
/// an SMS consent, linked to the actor's dealer (or `dealer_id`).
pub fn person(name: &str, mobile: &str, line: &str) -> NewCustomer {
    NewCustomer {
        name: name.into(),
        mobiles: vec![mobile.into()],
        addresses: vec![NewAddress {
            province: Some("上海市".into()),
            city: Some("上海市".into()),
            district: Some("浦东新区".into()),
            line: line.into(),
            label: None,
        }],
        consents: vec![NewConsent { channel: "sms".into(), granted: true, ..Default::default() }],
        ..Default::default()
    }
}

/// Creates a customer as `actor` and returns its id.
pub async fn create(db: &Db, actor: &Actor, n: NewCustomer) -> i64 {
    let c = customers::create(db, actor, n).await.expect("create the customer");
    assert!(!c.linked, "a new customer, not linked to one on file");
    c.customer.id
}

/// A sold vehicle owned by `customer_id` since `from` (`YYYY-MM-DD`).
pub async fn give_vehicle(db: &Db, customer_id: i64, vin: &str, from: &str) -> i64 {
    let mut tx = db.begin().await.expect("begin");
    let t = autocrm_store::now();
    let day = chrono::NaiveDate::parse_from_str(from, "%Y-%m-%d").expect("a date");
    let vehicle = tx
        .insert_returning_id(sql(
            "INSERT INTO vehicle (vin, vin_rev, vin_check_ok, status, sale_date, version, created_at, updated_at) \
             VALUES ($1, $2, $3, 'sold', $4, 1, $5, $5)",
            vec![vin.into(), vin.chars().rev().collect::<String>().into(), true.into(), day.into(), t.into()],
        ))
        .await
        .expect("insert the vehicle");
    tx.execute(sql(
        "INSERT INTO ownership (vehicle_id, customer_id, role, from_date, created_at) VALUES ($1, $2, 'owner', $3, $4)",
        vec![vehicle.into(), customer_id.into(), day.into(), t.into()],
    ))
    .await
    .expect("insert the ownership");
    tx.commit().await.expect("commit");
    vehicle
}

/// Every row that belongs to `customer_id`, table by table (timeline entries
/// about merging and unmerging left out: they are the history of the merge
/// itself; the customer's `version` and `updated_at` too: an undo is a change).
pub async fn belongings(db: &Db, customer_id: i64) -> Vec<(String, Vec<JsonRow>)> {
    let mut tx = db.begin().await.expect("begin");
    let mut out = Vec::new();
    let mut customer = rows::rows_where(&mut tx, "customer", "id", customer_id).await.expect("customer");
    for c in &mut customer {
        c.remove("version");
        c.remove("updated_at");
    }
    out.push(("customer".to_string(), customer));
    for (table, col) in [
        ("contact_point", "customer_id"),
        ("consent", "customer_id"),
        ("customer_dealer", "customer_id"),
        ("relationship", "customer_id"),
        ("relationship", "related_id"),
        ("ownership", "customer_id"),
        ("timeline_event", "customer_id"),
        ("search_key", "customer_id"),
        ("identity_review", "customer_a"),
        ("identity_review", "customer_b"),
    ] {
        let mut list = rows::rows_where(&mut tx, table, col, customer_id).await.expect(table);
        list.retain(|r| !matches!(r.get("kind").and_then(Value::as_str), Some("merged" | "unmerged")) || table != "timeline_event");
        out.push((format!("{table}.{col}"), list));
    }
    drop(tx);
    out
}
