//! The daily distribution and the dealers' feedback, on both engines: the OEM's
//! leads go out once with a deadline by heat, unrouted ones are routed first, the
//! dealer answers, the OEM sees who is late, and a dealer never sees another's.

use autocrm_jobs::distribution::{self as job, Outcome};
use autocrm_store::auth::Actor;
use autocrm_store::db::sql;
use autocrm_store::leads::distribution::Which;
use autocrm_tests::both_engines;
use autocrm_tests::fixture::*;
use autocrm_tests::leads::{capture, model, walk_in};
use autocrm_tests::TestServer;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use serde_json::{Value, json};

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str().and_then(|s| DateTime::parse_from_rfc3339(s).ok()).map(|d| d.with_timezone(&Utc)).expect("a timestamp")
}

/// A hotline lead for `dealer` with `timeframe`; returns its id.
async fn hotline(s: &TestServer, m: i64, mobile: &str, timeframe: &str, dealer: i64) -> i64 {
    let r = capture(s, CAC_AGENT, json!({"mobile": mobile, "model_id": m, "timeframe": timeframe, "preferred_dealer_id": dealer})).await;
    assert_eq!(r.status, 201, "{r}");
    r.json()["lead"]["id"].as_i64().expect("a lead id")
}

async fn lead(s: &TestServer, who: &str, id: i64) -> Value {
    let r = s.get(&s.token(who).await, &format!("/api/v1/leads/{id}")).await;
    assert_eq!(r.status, 200, "{r}");
    r.json()["lead"].clone()
}

async fn count(s: &TestServer, query: &str, values: Vec<sea_query::Value>) -> i64 {
    s.db().fetch_one::<(i64,)>(sql(query, values)).await.expect("count").0
}

/// The scheduled run, as the scheduler does it (its hour has passed).
async fn daily(s: &TestServer) -> Option<Outcome> {
    job::daily_if_due(s.db(), NaiveTime::MIN, Utc::now()).await.expect("the daily run")
}

both_engines! {
    /// Every OEM lead goes out once, with 24 h to answer a hot one and 72 h for
    /// the rest; the dealer's own walk-ins are not distributed; managers are told.
    async fn the_daily_run_sends_each_dealer_its_new_oem_leads_once(s) {
        let m = model(&s).await;
        let org = s.org.clone();
        let hot = hotline(&s, m, "13600000001", "immediately", org.dealer_b).await;
        let cold = hotline(&s, m, "13600000002", "within_1_year", org.dealer_b).await;
        let east = hotline(&s, m, "13600000003", "within_3_months", org.dealer_a).await;
        let own = walk_in(&s, SHA01_CONSULTANT, m, "13600000004", "immediately").await["id"].as_i64().unwrap();
        // A lead the hotline could not route (no dealer yet) is routed by the run.
        s.db().execute(sql("UPDATE lead SET dealer_id = NULL, owner_user_id = NULL, preferred_dealer_id = NULL WHERE id = $1", vec![east.into()])).await.unwrap();

        let Some(Outcome::Ran(d, run)) = daily(&s).await else { panic!("the first run of the day runs") };
        assert_eq!((d.leads, d.hot, d.dealers, d.routed), (3, 1, 2, 1), "{d:?}");
        assert_eq!(run.status, "done");

        let h = lead(&s, ADMIN, hot).await;
        let sent = time(&h["distributed_at"]);
        assert_eq!(time(&h["feedback_due_at"]), sent + Duration::hours(24), "hot: 24 h");
        let c = lead(&s, ADMIN, cold).await;
        assert_eq!(time(&c["feedback_due_at"]), time(&c["distributed_at"]) + Duration::hours(72), "otherwise 72 h");
        let e = lead(&s, ADMIN, east).await;
        assert!(e["dealer_id"].is_i64() && e["distributed_at"].is_string(), "routed, then sent: {e}");
        assert_eq!(lead(&s, ADMIN, own).await["distributed_at"], Value::Null, "a dealer's own walk-in is not distributed");

        // Each lead has its activity and timeline entry and audit entry; the managers their notice.
        assert_eq!(count(&s, "SELECT COUNT(*) FROM lead_activity WHERE kind = 'distributed'", vec![]).await, 3);
        assert_eq!(count(&s, "SELECT COUNT(*) FROM timeline_event WHERE kind = 'lead_distributed'", vec![]).await, 3);
        assert_eq!(count(&s, "SELECT COUNT(*) FROM audit_event WHERE action = 'distribute' AND entity = 'lead'", vec![]).await, 3);
        let manager_b = org.staff(GZB01_MANAGER).id;
        assert_eq!(count(&s, "SELECT COUNT(*) FROM notification WHERE user_id = $1 AND kind = 'leads_distributed'", vec![manager_b.into()]).await, 1);

        // Again today: nothing runs; on demand: nothing is sent twice.
        assert!(daily(&s).await.is_none(), "the day's run is done");
        let r = s.post(&s.token(SALES_OPS).await, "/api/v1/lead-distribution/runs", json!({})).await;
        assert_eq!(r.status, 201, "{r}");
        assert_eq!(r.json()["distribution"]["leads"], 0);
        assert_eq!(count(&s, "SELECT COUNT(*) FROM lead_activity WHERE kind = 'distributed'", vec![]).await, 3);
        let runs = s.get(&s.token(SALES_OPS).await, "/api/v1/lead-distribution/runs").await;
        assert_eq!(runs.json().as_array().map(Vec::len), Some(2), "{runs}");
    }
}

both_engines! {
    /// Two instances start the day's run at once: one runs it, nothing goes out twice.
    async fn two_instances_run_the_day_once(s) {
        let m = model(&s).await;
        let org = s.org.clone();
        for i in 0..5 {
            hotline(&s, m, &format!("1370000000{i}"), "immediately", org.dealer_b).await;
        }
        let (a, b) = tokio::join!(daily(&s), daily(&s));
        let ran = [&a, &b].iter().filter(|o| matches!(o, Some(Outcome::Ran(..)))).count();
        assert_eq!(ran, 1, "{a:?} {b:?}");
        assert_eq!(count(&s, "SELECT COUNT(*) FROM lead_activity WHERE kind = 'distributed'", vec![]).await, 5);
        assert_eq!(count(&s, "SELECT COUNT(*) FROM job_run WHERE name = 'lead_distribution'", vec![]).await, 1);
    }
}

both_engines! {
    /// The dealer answers; the OEM sees per dealer who answered in time and who is
    /// overdue; a dealer's manager sees only their own dealer.
    async fn the_oem_sees_feedback_and_overdue_per_dealer(s) {
        let m = model(&s).await;
        let org = s.org.clone();
        let b = hotline(&s, m, "13600000011", "immediately", org.dealer_b).await;
        let a = hotline(&s, m, "13600000012", "immediately", org.dealer_a).await;
        daily(&s).await.expect("ran");
        let r = s.post(&s.token(GZB01_CONSULTANT).await, &format!("/api/v1/leads/{b}/feedback"), json!({"feedback": "visited", "note": "周六到店看车"})).await;
        assert_eq!(r.status, 200, "{r}");
        assert_eq!(r.json()["feedback"], "visited");
        assert_eq!(r.json()["stage"], "showroom_visit", "a visit moves the funnel");
        assert!(r.json()["feedback_at"].is_string());
        // SHA01 let its deadline pass.
        s.db().execute(sql("UPDATE lead SET feedback_due_at = $1 WHERE id = $2", vec![(Utc::now() - Duration::hours(1)).into(), a.into()])).await.unwrap();

        let r = s.get(&s.token(SALES_OPS).await, "/api/v1/lead-distribution/dealers").await;
        assert_eq!(r.status, 200, "{r}");
        let rows = r.json();
        let row = |code: &str| rows.as_array().and_then(|a| a.iter().find(|d| d["dealer_code"] == code).cloned()).unwrap_or(Value::Null);
        assert_eq!(rows[0]["dealer_code"], "SHA01", "most overdue first: {rows}");
        assert_eq!((row("SHA01")["overdue"].as_i64(), row("SHA01")["distributed"].as_i64()), (Some(1), Some(1)));
        assert_eq!((row("GZB01")["on_time"].as_i64(), row("GZB01")["overdue"].as_i64()), (Some(1), Some(0)));
        let overdue = s.get(&s.token(SALES_OPS).await, "/api/v1/leads?distribution=overdue").await;
        let ids: Vec<i64> = overdue.json()["items"].as_array().unwrap().iter().filter_map(|l| l["id"].as_i64()).collect();
        assert_eq!(ids, vec![a]);

        let mine = s.get(&s.token(GZB01_MANAGER).await, "/api/v1/lead-distribution/dealers").await;
        assert_eq!(mine.json().as_array().map(Vec::len), Some(1), "{mine}");
        assert_eq!(mine.json()[0]["dealer_code"], "GZB01");
        assert_eq!(s.post(&s.token(GZB01_MANAGER).await, &format!("/api/v1/leads/{a}/feedback"), json!({"feedback": "contacted"})).await.status, 404,
            "another dealer's lead does not exist for them");
        let bad = s.get(&s.token(SALES_OPS).await, "/api/v1/lead-distribution/dealers?from=2026-12-05&to=2026-12-01").await;
        bad.assert_invalid_field("from");
    }
}

both_engines! {
    /// Feedback is for distributed leads, with one of the known answers.
    async fn feedback_needs_a_distributed_lead_and_a_known_answer(s) {
        let m = model(&s).await;
        let own = walk_in(&s, SHA01_CONSULTANT, m, "13600000021", "immediately").await["id"].as_i64().unwrap();
        let token = s.token(SHA01_CONSULTANT).await;
        let r = s.post(&token, &format!("/api/v1/leads/{own}/feedback"), json!({"feedback": "contacted"})).await;
        let e = r.assert_invalid_field("feedback");
        assert!(e.to_string().contains("not distributed"), "{e}");
        let org = s.org.clone();
        let sent = hotline(&s, m, "13600000022", "later", org.dealer_a).await;
        daily(&s).await.expect("ran");
        let r = s.post(&token, &format!("/api/v1/leads/{sent}/feedback"), json!({"feedback": "maybe"})).await;
        r.assert_invalid_field("feedback");
        let r = s.post(&token, &format!("/api/v1/leads/{sent}/feedback"), json!({"feedback": "contacted", "extra": 1})).await;
        assert_eq!(r.status, 422, "unknown fields are refused: {r}");
        assert_eq!(lead(&s, ADMIN, sent).await["feedback"], Value::Null, "nothing was written");
    }
}

both_engines! {
    /// A dealer's manager who distributes now pulls only their own dealer's leads.
    async fn a_dealer_manager_distributing_now_sends_only_their_dealers_leads(s) {
        let m = model(&s).await;
        let org = s.org.clone();
        let a = hotline(&s, m, "13600000031", "immediately", org.dealer_a).await;
        let b = hotline(&s, m, "13600000032", "immediately", org.dealer_b).await;
        let r = s.post(&s.token(SHA01_MANAGER).await, "/api/v1/lead-distribution/runs", json!({})).await;
        assert_eq!(r.status, 201, "{r}");
        assert_eq!(r.json()["distribution"]["leads"], 1);
        assert!(lead(&s, ADMIN, a).await["distributed_at"].is_string());
        assert_eq!(lead(&s, ADMIN, b).await["distributed_at"], Value::Null);
        assert_eq!(s.post(&s.token(SHA01_CONSULTANT).await, "/api/v1/lead-distribution/runs", json!({})).await.status, 403);
        // Only the leads asked for: an import sends its own at once.
        let Outcome::Ran(d, _) = job::now(s.db(), &Actor::system(), Which::Leads(vec![b])).await.unwrap() else { panic!("runs") };
        assert_eq!(d.leads, 1);
    }
}

both_engines! {
    /// The dealer's list of distributed leads downloads as a spreadsheet, mobiles
    /// masked, and the download is in the audit trail.
    async fn the_distributed_list_exports_masked_and_audited(s) {
        let m = model(&s).await;
        let org = s.org.clone();
        let b = hotline(&s, m, "13600000041", "immediately", org.dealer_b).await;
        hotline(&s, m, "13600000042", "immediately", org.dealer_a).await;
        daily(&s).await.expect("ran");
        let r = s.get(&s.token(GZB01_MANAGER).await, "/api/v1/lead-distribution/export?status=awaiting&format=csv").await;
        assert_eq!(r.status, 200, "{r}");
        let lead_no = lead(&s, ADMIN, b).await["lead_no"].as_str().unwrap().to_string();
        assert!(r.body.contains(&lead_no), "{}", r.body);
        assert!(r.body.contains("136****0041"), "masked: {}", r.body);
        assert!(!r.body.contains("13600000041") && !r.body.contains("0042"), "no full number, no other dealer: {}", r.body);
        assert_eq!(count(&s, "SELECT COUNT(*) FROM audit_event WHERE action = 'export' AND entity = 'lead'", vec![]).await, 1);
        let xlsx = s.get(&s.token(GZB01_MANAGER).await, "/api/v1/lead-distribution/export").await;
        assert_eq!(xlsx.header("content-type"), Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
        assert_eq!(s.get(&s.token(GZB01_CONSULTANT).await, "/api/v1/lead-distribution/export").await.status, 403, "consultants do not export");
    }
}
