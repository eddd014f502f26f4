//! The audit trail: who changed what and when, visible within one's own part of
//! the network, and append-only — not even the database lets it be rewritten.

use autocrm_store::db::sql;
use autocrm_tests::fixture::*;
use autocrm_tests::{Reply, TestServer, both_engines};
use reqwest::Method;
use serde_json::json;

fn entity_ids(r: &Reply) -> Vec<i64> {
    assert_eq!(r.status, 200, "{r}");
    r.json()["items"].as_array().expect("items").iter().map(|e| e["entity_id"].as_i64().unwrap()).collect()
}

/// Network operations change a phone number at dealers A and B.
async fn change_both_dealers(s: &TestServer) {
    let ops = s.token(SALES_OPS).await;
    for (id, phone) in [(s.org.dealer_a, "021-58881234"), (s.org.dealer_b, "020-38881234")] {
        let r = s.patch(&ops, &format!("/api/v1/dealers/{id}"), json!({"version": 1, "phone": phone})).await;
        assert_eq!(r.status, 200, "{r}");
    }
}

both_engines! {
    async fn a_dealer_manager_cannot_see_the_audit_events_of_another_dealers_changes(s) {
        change_both_dealers(&s).await;
        let query = "/api/v1/audit-events?entity=dealer&action=update";

        let a = s.get(&s.token(SHA01_MANAGER).await, query).await;
        assert_eq!(entity_ids(&a), [s.org.dealer_a]);
        let asking_for_b = s.get(&s.token(SHA01_MANAGER).await, &format!("/api/v1/audit-events?entity=dealer&entity_id={}", s.org.dealer_b)).await;
        assert!(entity_ids(&asking_for_b).is_empty(), "{asking_for_b}");

        assert_eq!(entity_ids(&s.get(&s.token(GZB01_MANAGER).await, query).await), [s.org.dealer_b]);
        assert_eq!(entity_ids(&s.get(&s.token(EAST_MANAGER).await, query).await), [s.org.dealer_a]);
        assert_eq!(entity_ids(&s.get(&s.token(HXG_MANAGER).await, query).await), [s.org.dealer_a]);
        let mut all = entity_ids(&s.get(&s.token(ADMIN).await, query).await);
        all.sort();
        assert_eq!(all, [s.org.dealer_a, s.org.dealer_b]);
    }
}

both_engines! {
    async fn every_change_is_recorded_with_who_when_before_and_after(s) {
        let before = autocrm_store::now();
        change_both_dealers(&s).await;
        let r = s.get(&s.token(ADMIN).await, &format!("/api/v1/audit-events?entity=dealer&entity_id={}", s.org.dealer_a)).await;
        let items = r.json()["items"].as_array().unwrap().clone();
        assert_eq!(items.len(), 2, "create (by the fixture) and update: {r}");
        let e = &items[0];
        assert_eq!(e["action"], "update");
        assert_eq!(e["actor_name"], SALES_OPS);
        assert_eq!(e["actor_id"], s.org.id(SALES_OPS));
        assert_eq!(e["dealer_id"], s.org.dealer_a);
        assert_eq!(e["summary"], "SHA01 上海浦东东岳4S店");
        assert_eq!(e["before"], json!({"phone": null}));
        assert_eq!(e["after"], json!({"phone": "021-58881234"}));
        let at: chrono::DateTime<chrono::Utc> = e["at"].as_str().unwrap().parse().expect("an RFC 3339 time");
        assert!(at >= before && at <= autocrm_store::now(), "{at}");
        assert_eq!(items[1]["action"], "create");
        assert_eq!(items[1]["actor_name"], "system");
    }
}

both_engines! {
    async fn the_trail_filters_by_actor_action_and_day(s) {
        change_both_dealers(&s).await;
        let admin = s.token(ADMIN).await;
        let mine = s.get(&admin, &format!("/api/v1/audit-events?actor={SALES_OPS}")).await;
        assert_eq!(mine.json()["items"].as_array().unwrap().len(), 2, "{mine}");

        // The day (China time) the changes were made on, from the trail itself.
        let at: chrono::DateTime<chrono::Utc> = mine.json()["items"][0]["at"].as_str().unwrap().parse().unwrap();
        let today = (at + chrono::Duration::hours(8)).format("%Y-%m-%d").to_string();
        let r = s.get(&admin, &format!("/api/v1/audit-events?actor={SALES_OPS}&from={today}&to={today}")).await;
        assert_eq!(r.json()["items"].as_array().unwrap().len(), 2, "today in China time: {r}");
        let r = s.get(&admin, "/api/v1/audit-events?to=2020-01-01").await;
        assert!(entity_ids(&r).is_empty());

        let r = s.get(&admin, "/api/v1/audit-events?from=last-week").await;
        r.assert_invalid_field("from");

        let first = s.get(&admin, "/api/v1/audit-events?limit=1").await.json();
        let second = s.get(&admin, &format!("/api/v1/audit-events?limit=1&cursor={}", first["next_cursor"].as_str().unwrap())).await.json();
        assert!(first["items"][0]["id"].as_i64() > second["items"][0]["id"].as_i64(), "newest first, page after page");
    }
}

both_engines! {
    async fn the_database_itself_refuses_to_change_or_delete_audit_events(s) {
        change_both_dealers(&s).await;
        let count = s.count("audit_event").await;
        let (id, summary): (i64, Option<String>) =
            s.db().fetch_one(sql("SELECT id, summary FROM audit_event ORDER BY id DESC LIMIT 1", vec![])).await.unwrap();

        let update = s.db().execute(sql("UPDATE audit_event SET summary = $1 WHERE id = $2", vec!["改写".into(), id.into()])).await;
        let err = update.expect_err("an UPDATE of the audit trail must fail").to_string();
        assert!(err.contains("append-only"), "{err}");

        let delete = s.db().execute(sql("DELETE FROM audit_event WHERE id = $1", vec![id.into()])).await;
        let err = delete.expect_err("a DELETE from the audit trail must fail").to_string();
        assert!(err.contains("append-only"), "{err}");

        let everything = s.db().execute(sql("DELETE FROM audit_event", vec![])).await;
        assert!(everything.is_err(), "nor may it be emptied");

        assert_eq!(s.count("audit_event").await, count);
        let (still,): (Option<String>,) =
            s.db().fetch_one(sql("SELECT summary FROM audit_event WHERE id = $1", vec![id.into()])).await.unwrap();
        assert_eq!(still, summary);
    }
}

both_engines! {
    async fn the_api_has_no_way_to_change_the_trail(s) {
        change_both_dealers(&s).await;
        let admin = s.token(ADMIN).await;
        let id = s.get(&admin, "/api/v1/audit-events?limit=1").await.json()["items"][0]["id"].as_i64().unwrap();
        s.refused(s.request(Method::POST, "/api/v1/audit-events").bearer_auth(&admin).json(&json!({"action": "create"})))
            .await
            .assert_error(405, "method_not_allowed");
        for method in [Method::PATCH, Method::DELETE] {
            let r = s.refused(s.request(method.clone(), &format!("/api/v1/audit-events/{id}")).bearer_auth(&admin).json(&json!({}))).await;
            r.assert_error(404, "not_found");
        }
    }
}

both_engines! {
    async fn a_consultant_does_not_browse_the_trail(s) {
        s.get(&s.token(SHA01_CONSULTANT).await, "/api/v1/audit-events").await.assert_error(403, "forbidden");
    }
}
