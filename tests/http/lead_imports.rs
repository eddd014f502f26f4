//! Auto-show cards as leads, on both engines: "we collected 4,700 business cards
//! at the show — now what?" The file goes through the customer import (dry run,
//! row report, identity resolution), every valid card becomes a graded, routed
//! lead of the event and goes out to the dealers at once; a second run of the
//! same file creates nothing.

use autocrm_store::db::sql;
use autocrm_tests::both_engines;
use autocrm_tests::fixture::*;
use autocrm_tests::leads::model;
use autocrm_tests::{Reply, TestServer};
use serde_json::{Value, json};

const EVENT: &str = "2026 上海国际车展";

fn cards() -> Vec<u8> {
    // A header row as the show's form had it; a known customer; a bad number;
    // the same visitor twice; a card that names a model we do not sell.
    "姓名,手机,意向车型,购车时间,备注\n\
     赵雷,13955550001,岳风,马上,想看白色现车\n\
     王小明,13812345678,火星车,一年内,\n\
     钱多多,1395555,岳风,三个月内,\n\
     孙莉,13955550004,,,周末带家人来\n\
     孙莉,13955550004,,,\n"
        .as_bytes()
        .to_vec()
}

async fn upload(s: &TestServer, who: &str, bytes: Vec<u8>, query: &str) -> Reply {
    let token = s.token(who).await;
    let path = format!("/api/v1/imports?filename=cards.csv{query}");
    autocrm_tests::http::send(s.request(reqwest::Method::POST, &path).bearer_auth(token).header("content-type", "text/csv").body(bytes)).await
}

fn query(m: i64) -> String {
    let event: String = EVENT.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect();
    format!("&event={event}&model_id={m}&timeframe=within_6_months")
}

async fn leads_of_event(s: &TestServer) -> Vec<(i64, String, String, String, Option<String>)> {
    s.db()
        .fetch_all(sql(
            "SELECT customer_id, timeframe, source, event, CAST(distributed_at AS TEXT) FROM lead WHERE event = $1 ORDER BY id",
            vec![EVENT.into()],
        ))
        .await
        .expect("leads")
}

both_engines! {
    async fn auto_show_cards_become_graded_routed_distributed_leads_once(s) {
        let m = model(&s).await;
        let known = autocrm_tests::customers::walk_in_at_dealer_a(s.db(), &s.org).await;
        let r = upload(&s, MARKETING, cards(), &query(m)).await;
        assert_eq!(r.status, 201, "{r}");
        let job = r.json();
        assert_eq!(job["event"]["event"], EVENT);
        assert_eq!(job["event"]["source"], "auto_show");
        assert_eq!((job["valid_rows"].as_i64(), job["invalid_rows"].as_i64()), (Some(3), Some(2)), "the bad number and the repeat: {job}");
        let bad = job["problems"].as_array().unwrap().iter().find(|p| p["row"] == 4).cloned().unwrap_or(Value::Null);
        assert_eq!(bad["column"], "手机", "{bad}");
        assert!(leads_of_event(&s).await.is_empty(), "the dry run writes no lead");

        let id = job["id"].as_i64().unwrap();
        let done = s.post(&s.token(MARKETING).await, &format!("/api/v1/imports/{id}/commit"), json!({})).await;
        assert_eq!(done.status, 200, "{done}");
        let result = done.json()["event"]["result"].clone();
        assert_eq!(result["created"], 3, "three visitors: {result}");
        assert_eq!(result["defaulted"], 1, "the unknown model");
        assert_eq!(result["distributed"], 3);

        let leads = leads_of_event(&s).await;
        assert_eq!(leads.len(), 3);
        assert!(leads.iter().any(|l| l.0 == known), "the known customer is the same customer");
        assert!(leads.iter().all(|l| l.2 == "auto_show" && l.4.is_some()), "source and distribution: {leads:?}");
        let timeframes: Vec<&str> = leads.iter().map(|l| l.1.as_str()).collect();
        assert_eq!(timeframes, ["immediately", "within_1_year", "within_6_months"], "from the card, else the default");
        let (routed,): (i64,) = s.db().fetch_one(sql("SELECT COUNT(*) FROM lead WHERE event = $1 AND dealer_id IS NOT NULL", vec![EVENT.into()])).await.unwrap();
        assert_eq!(routed, 3, "routed to dealers");
        let (noted,): (i64,) = s.db().fetch_one(sql("SELECT COUNT(*) FROM lead WHERE event = $1 AND note = '想看白色现车'", vec![EVENT.into()])).await.unwrap();
        assert_eq!(noted, 1);

        // The same file again: nothing new.
        let again = upload(&s, MARKETING, cards(), &query(m)).await.json();
        let again_id = again["id"].as_i64().unwrap();
        let done = s.post(&s.token(MARKETING).await, &format!("/api/v1/imports/{again_id}/commit"), json!({})).await;
        assert_eq!(done.json()["event"]["result"]["created"], 0, "{done}");
        assert_eq!(done.json()["event"]["result"]["already"], 3);
        assert_eq!(leads_of_event(&s).await.len(), 3);
    }
}

both_engines! {
    /// The event import names what is missing before reading a single row.
    async fn an_event_import_needs_the_event_and_a_default_model(s) {
        let m = model(&s).await;
        let r = upload(&s, MARKETING, cards(), "&event=%20").await;
        assert_eq!(r.status, 201, "a blank event is a plain customer import: {r}");
        assert_eq!(r.json()["event"], Value::Null);
        upload(&s, MARKETING, cards(), "&event=X").await.assert_invalid_field("model_id");
        upload(&s, MARKETING, cards(), &format!("&event=X&model_id={m}&timeframe=soon")).await.assert_invalid_field("timeframe");
        upload(&s, MARKETING, cards(), &format!("&event=X&model_id={}", m + 1000)).await.assert_invalid_field("model_id");
        upload(&s, MARKETING, cards(), &format!("&event=X&model_id={m}&source=tv")).await.assert_invalid_field("source");
        assert_eq!(s.count("import_job").await, 1, "only the plain import was kept");
    }
}
