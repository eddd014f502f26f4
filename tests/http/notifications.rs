//! Notifications over HTTP, on both engines: a user sees only their own, opening
//! one marks it read, and the bell counts what is unread.

use autocrm_tests::both_engines;
use autocrm_tests::fixture::*;
use autocrm_tests::leads::{capture, model};
use serde_json::json;

#[rustfmt::skip]
pub const API_RULES: &[(&str, &str, Option<&str>)] = &[
    ("GET", "/api/v1/notifications", Some("self_service")),
    ("POST", "/api/v1/notifications/{id}/read", Some("self_service")),
    ("POST", "/api/v1/notifications/read-all", Some("self_service")),
];

both_engines! {
    /// The consultant a hotline lead is routed to is told; nobody else sees it.
    async fn a_consultant_is_told_of_a_new_lead_and_reads_it(s) {
        let m = model(&s).await;
        let org = s.org.clone();
        let r = capture(&s, CAC_AGENT, json!({"mobile": "13655550001", "model_id": m, "timeframe": "immediately", "preferred_dealer_id": org.dealer_b})).await;
        assert_eq!(r.status, 201, "{r}");
        let lead_no = r.json()["lead"]["lead_no"].as_str().unwrap().to_string();
        let token = s.token(GZB01_CONSULTANT).await;
        let mine = s.get(&token, "/api/v1/notifications").await;
        assert_eq!(mine.status, 200, "{mine}");
        assert_eq!(mine.json()["unread"], 1);
        let n = mine.json()["items"][0].clone();
        assert_eq!((n["kind"].as_str(), n["title"].as_str()), (Some("lead_assigned"), Some(lead_no.as_str())));
        let id = n["id"].as_i64().unwrap();
        // Someone else's notification does not exist for them.
        let other = s.token(SHA01_CONSULTANT).await;
        assert_eq!(s.get(&other, "/api/v1/notifications").await.json()["items"].as_array().map(Vec::len), Some(0));
        assert_eq!(s.post(&other, &format!("/api/v1/notifications/{id}/read"), json!({})).await.status, 404);
        assert_eq!(s.get(&token, "/api/v1/notifications").await.json()["unread"], 1, "still unread");
        assert_eq!(s.post(&token, &format!("/api/v1/notifications/{id}/read"), json!({})).await.status, 204);
        let after = s.get(&token, "/api/v1/notifications").await.json();
        assert_eq!(after["unread"], 0);
        assert!(after["items"][0]["read_at"].is_string());
    }
}

both_engines! {
    async fn read_all_clears_the_bell(s) {
        let m = model(&s).await;
        let org = s.org.clone();
        for i in 0..3 {
            capture(&s, CAC_AGENT, json!({"mobile": format!("1365555100{i}"), "model_id": m, "timeframe": "later", "preferred_dealer_id": org.dealer_b})).await;
        }
        let token = s.token(GZB01_CONSULTANT).await;
        assert_eq!(s.get(&token, "/api/v1/notifications").await.json()["unread"], 3);
        assert_eq!(s.post(&token, "/api/v1/notifications/read-all", json!({})).await.status, 204);
        assert_eq!(s.get(&token, "/api/v1/notifications").await.json()["unread"], 0);
    }
}

both_engines! {
    /// Once a day each consultant with follow-ups past their time is told how many.
    async fn the_morning_reminder_counts_overdue_follow_ups_once_a_day(s) {
        let m = model(&s).await;
        let org = s.org.clone();
        for i in 0..2 {
            autocrm_tests::leads::walk_in(&s, SHA01_CONSULTANT, m, &format!("1366666000{i}"), "immediately").await;
        }
        walk_in_gz(&s, m).await;
        let past = chrono::Utc::now() - chrono::Duration::hours(2);
        let me = org.staff(SHA01_CONSULTANT).id;
        s.db().execute(autocrm_store::db::sql("UPDATE lead SET next_follow_up_at = $1 WHERE owner_user_id = $2", vec![past.into(), me.into()])).await.unwrap();
        let sent = autocrm_jobs::follow_ups::daily(s.db(), "2026-12-01", chrono::Utc::now()).await.unwrap();
        assert_eq!(sent, Some(1), "only the consultant with overdue follow-ups");
        let mine = s.get(&s.token(SHA01_CONSULTANT).await, "/api/v1/notifications").await.json();
        let n = mine["items"].as_array().unwrap().iter().find(|n| n["kind"] == "follow_ups_overdue").cloned().unwrap_or_default();
        assert_eq!((n["title"].as_str(), n["link"].as_str()), (Some("2"), Some("/today")), "{mine}");
        assert_eq!(autocrm_jobs::follow_ups::daily(s.db(), "2026-12-01", chrono::Utc::now()).await.unwrap(), None, "once a day");
        let theirs = s.get(&s.token(GZB01_CONSULTANT).await, "/api/v1/notifications").await.json();
        assert!(theirs["items"].as_array().unwrap().iter().all(|n| n["kind"] != "follow_ups_overdue"), "{theirs}");
    }
}

async fn walk_in_gz(s: &autocrm_tests::TestServer, m: i64) {
    autocrm_tests::leads::walk_in(s, GZB01_CONSULTANT, m, "13766660009", "later").await;
}
