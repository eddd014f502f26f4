//! Prospects over HTTP, on both engines: three inputs capture a walk-in, a
//! returning prospect is the same customer, a retried form creates one lead, OEM
//! leads are routed by the rules (and say which), follow-ups move the funnel and
//! set the next date by grade, closes need a reason and a manager, and a dealer
//! never sees another dealer's leads.

use autocrm_store::db::sql;
use autocrm_tests::both_engines;
use autocrm_tests::fixture::*;
use autocrm_tests::leads::{capture, model, walk_in};
use autocrm_tests::{Reply, TestServer};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

/// The reviewed rule of each leads API route (method, path, action).
#[rustfmt::skip]
pub const API_RULES: &[(&str, &str, Option<&str>)] = &[
    ("POST", "/api/v1/leads", Some("lead_write")),
    ("GET", "/api/v1/leads", Some("lead_read")),
    ("GET", "/api/v1/leads/today", Some("lead_read")),
    ("GET", "/api/v1/leads/team", Some("lead_manage")),
    ("GET", "/api/v1/leads/{id}", Some("lead_read")),
    ("PATCH", "/api/v1/leads/{id}", Some("lead_write")),
    ("POST", "/api/v1/leads/{id}/activities", Some("lead_write")),
    ("POST", "/api/v1/leads/{id}/stage", Some("lead_write")),
    ("POST", "/api/v1/leads/{id}/close", Some("lead_write")),
    ("POST", "/api/v1/leads/{id}/close-decision", Some("lead_manage")),
    ("POST", "/api/v1/leads/{id}/assign", Some("lead_manage")),
    ("POST", "/api/v1/leads/{id}/feedback", Some("lead_write")),
    ("POST", "/api/v1/lead-distribution/runs", Some("lead_manage")),
    ("GET", "/api/v1/lead-distribution/runs", Some("lead_read")),
    ("GET", "/api/v1/lead-distribution/dealers", Some("lead_read")),
    ("GET", "/api/v1/lead-distribution/export", Some("customer_export")),
    ("GET", "/api/v1/lead-rules", Some("lead_read")),
    ("PUT", "/api/v1/lead-rules", Some("org_manage")),
    ("PUT", "/api/v1/dealers/{id}/lead-routing", Some("lead_manage")),
    ("PUT", "/api/v1/users/{id}/on-duty", Some("lead_manage")),
];

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str().and_then(|s| DateTime::parse_from_rfc3339(s).ok()).map(|d| d.with_timezone(&Utc)).expect("a timestamp")
}

fn about(t: DateTime<Utc>, expected: DateTime<Utc>) -> bool {
    (t - expected).num_seconds().abs() < 120
}

async fn put(s: &TestServer, who: &str, path: &str, body: Value) -> Reply {
    let token = s.token(who).await;
    autocrm_tests::http::send(s.request(reqwest::Method::PUT, path).bearer_auth(token).json(&body)).await
}

both_engines! {
    /// A walk-in takes three inputs; the consultant who captured it follows it.
    async fn a_consultant_captures_a_walk_in_with_three_inputs(s) {
        let m = model(&s).await;
        let lead = walk_in(&s, SHA01_CONSULTANT, m, "139 1234 5678", "within_3_months").await;
        let org = s.org.clone();
        assert_eq!(lead["dealer_id"], org.dealer_a);
        assert_eq!(lead["owner_user_id"], org.staff(SHA01_CONSULTANT).id);
        assert_eq!(lead["source"], "walk_in");
        assert_eq!(lead["stage"], "showroom_visit", "a walk-in is in the showroom");
        assert_eq!(lead["grade"], "B", "within 3 months is B by default");
        assert_eq!(lead["dealer_rule"], "captured_at_dealer");
        assert_eq!(lead["consultant_rule"], "captured_by");
        assert!(lead["lead_no"].as_str().unwrap_or_default().starts_with('L'));
        assert!(lead["contacted_at"].is_string() && lead["visited_at"].is_string());
        assert!(about(time(&lead["next_follow_up_at"]), Utc::now() + Duration::days(7)), "B: follow up in 7 days");
        // The customer exists with the mobile, linked to the dealer, with the lead on the timeline.
        let c = lead["customer_id"].as_i64().unwrap();
        let (mobile,): (Option<String>,) = s.db().fetch_one(sql("SELECT mobile FROM customer WHERE id = $1", vec![c.into()])).await.unwrap();
        assert_eq!(mobile.as_deref(), Some("13912345678"));
        let (events,): (i64,) = s.db().fetch_one(sql("SELECT COUNT(*) FROM timeline_event WHERE customer_id = $1 AND kind = 'lead_created'", vec![c.into()])).await.unwrap();
        assert_eq!(events, 1);
    }
}

both_engines! {
    async fn a_returning_prospect_is_the_same_customer(s) {
        let m = model(&s).await;
        let first = walk_in(&s, SHA01_CONSULTANT, m, "13912345678", "later").await;
        let customers = s.count("customer").await;
        let r = capture(&s, SHA01_CONSULTANT, json!({"mobile": "+86 139-1234-5678", "name": "陈先生", "model_id": m, "timeframe": "immediately"})).await;
        assert_eq!(r.status, 201, "{r}");
        assert_eq!(r.json()["existing_customer"], true);
        assert_eq!(r.json()["lead"]["customer_id"], first["customer_id"]);
        assert_eq!(s.count("customer").await, customers, "no second customer");
        assert_eq!(r.json()["lead"]["grade"], "H");

        // The link is audited; the mobile on file changed nothing on the row.
        let c = first["customer_id"].as_i64().unwrap();
        let link = "SELECT before_json, after_json FROM audit_event WHERE action = 'link' AND entity = 'customer' AND entity_id = $1 ORDER BY id DESC";
        let (before, after): (Option<String>, Option<String>) = s.db().fetch_one(sql(link, vec![c.into()])).await.unwrap();
        assert_eq!((before.as_deref(), after.as_deref()), (Some("{}"), Some("{}")));
        // The new lead's audit entry, first activity and timeline entry.
        let lead = &r.json()["lead"];
        let (id, no) = (lead["id"].as_i64().unwrap(), lead["lead_no"].as_str().unwrap_or_default().to_string());
        let (summary, after): (Option<String>, Option<String>) = s.db().fetch_one(sql(
            "SELECT summary, after_json FROM audit_event WHERE action = 'create' AND entity = 'lead' AND entity_id = $1", vec![id.into()])).await.unwrap();
        let after: Value = serde_json::from_str(after.as_deref().unwrap_or("null")).unwrap();
        assert!(summary.is_some_and(|t| t.contains(&no)), "the entry names the lead");
        assert_eq!((after["customer_id"].as_i64(), after["timeframe"].as_str()), (Some(c), Some("immediately")));
        let (kind, outcome, user): (String, Option<String>, Option<String>) = s.db().fetch_one(sql(
            "SELECT kind, outcome, user_name FROM lead_activity WHERE lead_id = $1", vec![id.into()])).await.unwrap();
        assert_eq!((kind.as_str(), outcome.as_deref()), ("created", Some("walk_in")));
        assert!(user.is_some_and(|u| !u.is_empty()));
        let (title,): (String,) = s.db().fetch_one(sql(
            "SELECT title FROM timeline_event WHERE customer_id = $1 AND kind = 'lead_created' AND ref_entity = 'lead' AND ref_id = $2",
            vec![c.into(), id.into()])).await.unwrap();
        assert_eq!(title, format!("{no} · walk_in"));
        // That entry is the capture's only one on the timeline: no "linked" beside it.
        let kinds = "SELECT kind FROM timeline_event WHERE customer_id = $1 ORDER BY id";
        let timeline: Vec<(String,)> = s.db().fetch_all(sql(kinds, vec![c.into()])).await.unwrap();
        assert_eq!(timeline.iter().map(|(k,)| k.as_str()).collect::<Vec<_>>(), ["created", "lead_created", "lead_created"]);

        // An e-mail typed in changes the row: the entry names what changed.
        let token = s.token(SHA01_CONSULTANT).await;
        let more = s.post(&token, "/api/v1/customers", json!({"name": "陈先生", "mobile": "13912345678", "email": "chen@example.com"})).await;
        assert!(more.status == 200 || more.status == 201, "{more}");
        let (before, after): (Option<String>, Option<String>) = s.db().fetch_one(sql(link, vec![c.into()])).await.unwrap();
        let (before, after): (Value, Value) = (serde_json::from_str(&before.unwrap()).unwrap(), serde_json::from_str(&after.unwrap()).unwrap());
        assert_eq!((before["email"].clone(), after["email"].as_str()), (Value::Null, Some("chen@example.com")), "{before} {after}");
        assert!(after.get("version").is_none(), "only the fields that differ: {after}");
    }
}

both_engines! {
    /// Prospects who give only a mobile are labelled with its last four digits: a
    /// second record with the same label at the same address is still no pair to
    /// review (the same real name would be), and each is found by its mobile, not
    /// by the label.
    async fn unnamed_prospects_are_found_by_mobile_and_never_paired_by_their_label(s) {
        let m = model(&s).await;
        let lead = walk_in(&s, SHA01_CONSULTANT, m, "13911115678", "later").await;
        let first = lead["customer_id"].as_i64().unwrap();
        let (name,): (String,) = s.db().fetch_one(sql("SELECT name FROM customer WHERE id = $1", vec![first.into()])).await.unwrap();
        assert_eq!(name, "未留名客户 5678");
        let (keys,): (i64,) = s.db().fetch_one(sql("SELECT COUNT(*) FROM search_key WHERE customer_id = $1", vec![first.into()])).await.unwrap();
        assert_eq!(keys, 0, "the label is no search key");
        s.db().execute(sql("UPDATE customer SET city = '上海', address = '张江路100号' WHERE id = $1", vec![first.into()])).await.unwrap();
        let token = s.token(SHA01_CONSULTANT).await;
        let same_place = |name: &str, mobile: &str| {
            json!({"name": name, "mobile": mobile, "address": {"province": "上海", "city": "上海", "line": "张江路100号"}})
        };
        let second = s.post(&token, "/api/v1/customers", same_place("未留名客户 5678", "13722225678")).await;
        assert_eq!(second.status, 201, "{second}");
        assert_eq!(s.count("identity_review").await, 0, "the same label is not the same name");
        // A real name shared at that address is (the check above is not vacuous).
        s.db().execute(sql("UPDATE customer SET name = '张三' WHERE id = $1", vec![first.into()])).await.unwrap();
        let third = s.post(&token, "/api/v1/customers", same_place("张三", "13633335678")).await;
        assert_eq!(third.status, 201, "{third}");
        assert_eq!(s.count("identity_review").await, 1, "the same name at the same address");
        let found = s.get(&token, "/api/v1/search?q=13722225678").await;
        assert_eq!(found.status, 200, "{found}");
        let hits = found.json()["hits"].as_array().cloned().unwrap_or_default();
        assert_eq!(hits.len(), 1, "{found}");
        assert_eq!(hits[0]["customer_id"], second.json()["id"]);
    }
}

both_engines! {
    /// A web form retried (double tap, flaky network) with the same submission key.
    async fn a_retried_capture_creates_one_lead(s) {
        let m = model(&s).await;
        let body = json!({"mobile": "13700001111", "model_id": m, "timeframe": "within_6_months", "submission_key": "form-7f3a9c"});
        let token = s.token(SHA01_CONSULTANT).await;
        let mut tasks = vec![];
        for _ in 0..4 {
            let req = s.request(reqwest::Method::POST, "/api/v1/leads").bearer_auth(&token).json(&body);
            tasks.push(tokio::spawn(autocrm_tests::http::send(req)));
        }
        let mut ids = vec![];
        for t in tasks {
            let r = t.await.unwrap();
            assert!(r.status == 201 || r.status == 200, "{r}");
            ids.push(r.json()["lead"]["id"].as_i64().unwrap());
        }
        ids.dedup();
        assert_eq!(ids.len(), 1, "every retry got the same lead");
        assert_eq!(s.count("lead").await, 1);
        let again = capture(&s, SHA01_CONSULTANT, body).await;
        assert_eq!(again.status, 200, "{again}");
        assert_eq!(again.json()["replayed"], true);
    }
}

both_engines! {
    /// A customer on file walks in twice at once (two consultants' phones, the
    /// same mobile): both leads are captured, and the customer is linked to the
    /// dealer once. (On PostgreSQL both transactions see no link yet.)
    async fn simultaneous_captures_of_a_customer_on_file_link_them_once(s) {
        let m = model(&s).await;
        let on_file = walk_in(&s, GZB01_CONSULTANT, m, "13612340000", "later").await;
        let token = s.token(SHA01_CONSULTANT).await;
        let body = json!({"mobile": "13612340000", "model_id": m, "timeframe": "within_3_months"});
        let tasks: Vec<_> = (0..6)
            .map(|_| tokio::spawn(autocrm_tests::http::send(s.request(reqwest::Method::POST, "/api/v1/leads").bearer_auth(&token).json(&body))))
            .collect();
        for t in tasks {
            let r = t.await.unwrap();
            assert_eq!(r.status, 201, "{r}");
            assert_eq!(r.json()["lead"]["customer_id"], on_file["customer_id"]);
        }
        let q = format!(
            "SELECT COUNT(*) FROM customer_dealer WHERE customer_id = {} AND dealer_id = {} AND kind = 'lead'",
            on_file["customer_id"], s.org.dealer_a
        );
        let (links,): (i64,) = s.db().fetch_one(sql(&q, vec![])).await.expect("count links");
        assert_eq!(links, 1);
        assert_eq!(s.count("lead").await, 7);
    }
}

both_engines! {
    /// Round robin: each new hotline lead for SHA01 goes to the consultant on duty
    /// whose latest assignment is the oldest, so two consultants take turns; one
    /// who captures a walk-in themself has just had a lead and waits a turn.
    async fn round_robin_takes_turns_by_latest_assignment(s) {
        let m = model(&s).await;
        let manager = s.token(SHA01_MANAGER).await;
        let r = s
            .post(&manager, "/api/v1/users", json!({"username": "sha01.wangfang", "display_name": "王芳", "role": "sales_consultant",
                "dealer_id": s.org.dealer_a, "department_id": s.org.sales_a, "password": PASSWORD}))
            .await;
        assert_eq!(r.status, 201, "{r}");
        let (liu, wang) = (s.org.staff(SHA01_CONSULTANT).id, r.json()["id"].as_i64().unwrap());
        let hotline = |mobile: &'static str| {
            let s = &s;
            async move {
                let r = capture(s, CAC_AGENT, json!({"mobile": mobile, "model_id": m, "timeframe": "within_3_months",
                    "preferred_dealer_id": s.org.dealer_a})).await;
                assert_eq!(r.status, 201, "{r}");
                assert_eq!(r.json()["lead"]["consultant_rule"], "round_robin");
                r.json()["lead"]["owner_user_id"].as_i64().unwrap()
            }
        };
        // Neither has had a lead: the lower id (刘洋, of the fixture) first.
        assert!(liu < wang);
        assert_eq!(hotline("13622220001").await, liu);
        assert_eq!(hotline("13622220002").await, wang);
        // 刘洋's turn, but he captures a walk-in first: 王芳 again, then him.
        walk_in(&s, SHA01_CONSULTANT, m, "13622220003", "later").await;
        assert_eq!(hotline("13622220004").await, wang);
        assert_eq!(hotline("13622220005").await, liu);
    }
}

both_engines! {
    /// The hotline captures; the lead goes to the dealer the customer chose and to a
    /// consultant on duty there, who is notified; the rule is on the lead.
    async fn a_hotline_lead_is_routed_to_the_chosen_dealer_and_a_consultant(s) {
        let m = model(&s).await;
        let org = s.org.clone();
        let r = capture(&s, CAC_AGENT, json!({"mobile": "13655556666", "name": "林女士", "model_id": m, "timeframe": "immediately",
            "preferred_dealer_id": org.dealer_b})).await;
        assert_eq!(r.status, 201, "{r}");
        let lead = r.json()["lead"].clone();
        assert_eq!(lead["source"], "hotline");
        assert_eq!(lead["stage"], "new");
        assert_eq!(lead["grade"], "N");
        assert_eq!(lead["dealer_id"], org.dealer_b);
        assert_eq!(lead["dealer_rule"], "chosen_dealer");
        assert_eq!(lead["owner_user_id"], org.staff(GZB01_CONSULTANT).id);
        assert_eq!(lead["consultant_rule"], "round_robin");
        assert!(about(time(&lead["next_follow_up_at"]), Utc::now() + Duration::hours(24)), "first contact within 24 h");
        let (n,): (i64,) = s.db().fetch_one(sql("SELECT COUNT(*) FROM notification WHERE user_id = $1 AND kind = 'lead_assigned'",
            vec![org.staff(GZB01_CONSULTANT).id.into()])).await.unwrap();
        assert_eq!(n, 1);
        // The dealer's consultant sees it; the other dealer does not.
        let id = lead["id"].as_i64().unwrap();
        assert_eq!(s.get(&s.token(GZB01_CONSULTANT).await, &format!("/api/v1/leads/{id}")).await.status, 200);
        assert_eq!(s.get(&s.token(SHA01_CONSULTANT).await, &format!("/api/v1/leads/{id}")).await.status, 404);
    }
}

both_engines! {
    /// Without a choice, the customer's city decides; off-duty consultants get nothing.
    async fn routing_goes_by_city_and_skips_consultants_off_duty(s) {
        let m = model(&s).await;
        let org = s.org.clone();
        let off = put(&s, GZB01_MANAGER, &format!("/api/v1/users/{}/on-duty", org.staff(GZB01_CONSULTANT).id), json!({"on_duty": false})).await;
        assert_eq!(off.status, 204, "{off}");
        let c = autocrm_tests::customers::walk_in_at_dealer_a(s.db(), &org).await;
        // The customer lives in Shanghai but is only a lead there: the city rule picks SHA01.
        s.db().execute(sql("UPDATE customer_dealer SET kind = 'lead' WHERE customer_id = $1", vec![c.into()])).await.unwrap();
        let r = capture(&s, CAC_AGENT, json!({"customer_id": c, "model_id": m, "timeframe": "within_1_year"})).await;
        assert_eq!(r.status, 201, "{r}");
        assert_eq!(r.json()["lead"]["dealer_id"], org.dealer_a);
        assert_eq!(r.json()["lead"]["dealer_rule"], "city");
        // At GZB01 nobody is on duty: the lead waits unassigned for the manager.
        let r = capture(&s, CAC_AGENT, json!({"mobile": "13500001234", "model_id": m, "timeframe": "later", "preferred_dealer_id": org.dealer_b})).await;
        assert_eq!(r.json()["lead"]["owner_user_id"], Value::Null, "{r}");
        let id = r.json()["lead"]["id"].as_i64().unwrap();
        let a = s.post(&s.token(GZB01_MANAGER).await, &format!("/api/v1/leads/{id}/assign"), json!({"owner_user_id": org.staff(GZB01_CONSULTANT).id})).await;
        assert_eq!(a.status, 200, "{a}");
        assert_eq!(a.json()["consultant_rule"], "manual");
    }
}

both_engines! {
    async fn a_follow_up_moves_the_funnel_and_sets_the_next_date_by_grade(s) {
        let m = model(&s).await;
        let org = s.org.clone();
        let r = capture(&s, CAC_AGENT, json!({"mobile": "13611112222", "model_id": m, "timeframe": "immediately", "preferred_dealer_id": org.dealer_a})).await;
        let id = r.json()["lead"]["id"].as_i64().unwrap();
        let token = s.token(SHA01_CONSULTANT).await;
        let r = s.post(&token, &format!("/api/v1/leads/{id}/activities"), json!({"kind": "call", "outcome": "reached", "note": "周六来店"})).await;
        assert_eq!(r.status, 200, "{r}");
        assert_eq!(r.json()["stage"], "contacted");
        assert_eq!(r.json()["grade"], "H");
        assert!(about(time(&r.json()["next_follow_up_at"]), Utc::now() + Duration::days(2)), "H: in 2 days");
        let r = s.post(&token, &format!("/api/v1/leads/{id}/activities"), json!({"kind": "visit"})).await;
        assert_eq!(r.json()["stage"], "showroom_visit");
        // A chosen date wins over the rule; a past one is refused.
        let when = (Utc::now() + Duration::days(5)).to_rfc3339();
        let r = s.post(&token, &format!("/api/v1/leads/{id}/activities"), json!({"kind": "message", "next_follow_up_at": when})).await;
        assert!(about(time(&r.json()["next_follow_up_at"]), Utc::now() + Duration::days(5)));
        let past = (Utc::now() - Duration::days(1)).to_rfc3339();
        s.post(&token, &format!("/api/v1/leads/{id}/activities"), json!({"kind": "call", "next_follow_up_at": past})).await.assert_invalid_field("next_follow_up_at");
        s.post(&token, &format!("/api/v1/leads/{id}/activities"), json!({"kind": "fax"})).await.assert_invalid_field("kind");
        // Delivery needs an order first.
        s.post(&token, &format!("/api/v1/leads/{id}/stage"), json!({"stage": "delivered"})).await.assert_invalid_field("stage");
        let r = s.post(&token, &format!("/api/v1/leads/{id}/stage"), json!({"stage": "order"})).await;
        assert_eq!(r.json()["grade"], "O", "{r}");
        assert!(r.json()["test_drive_at"].is_string() && r.json()["quoted_at"].is_string(), "earlier milestones are filled");
        let d = s.get(&token, &format!("/api/v1/leads/{id}")).await;
        let kinds: Vec<String> = d.json()["activities"].as_array().unwrap().iter().map(|a| a["kind"].as_str().unwrap_or_default().to_string()).collect();
        assert_eq!(kinds, ["stage", "message", "visit", "call", "created"]);
    }
}

both_engines! {
    /// 战败 needs the category and reason; a consultant asks, the manager decides.
    async fn closing_as_lost_needs_a_reason_and_a_managers_approval(s) {
        let m = model(&s).await;
        let lead = walk_in(&s, SHA01_CONSULTANT, m, "13822223333", "within_3_months").await;
        let id = lead["id"].as_i64().unwrap();
        let token = s.token(SHA01_CONSULTANT).await;
        s.post(&token, &format!("/api/v1/leads/{id}/close"), json!({"kind": "lost"})).await.assert_invalid_field("category");
        s.post(&token, &format!("/api/v1/leads/{id}/close"), json!({"kind": "lost", "category": "other_brand"})).await.assert_invalid_field("reason");
        let r = s.post(&token, &format!("/api/v1/leads/{id}/close"), json!({"kind": "lost", "category": "other_brand", "reason": "price",
            "competitor_brand": "比亚迪", "competitor_model": "秦PLUS"})).await;
        assert_eq!(r.status, 200, "{r}");
        assert_eq!(r.json()["stage"], "showroom_visit", "still open until approved");
        assert!(r.json()["close_request"].is_object());
        let refused = s.post(&token, &format!("/api/v1/leads/{id}/close-decision"), json!({"approve": true})).await;
        assert_eq!(refused.status, 403);
        let pending = s.get(&s.token(SHA01_MANAGER).await, "/api/v1/leads?close_pending=true").await;
        assert_eq!(pending.json()["items"].as_array().map(|a| a.len()), Some(1));
        let r = s.post(&s.token(SHA01_MANAGER).await, &format!("/api/v1/leads/{id}/close-decision"), json!({"approve": true})).await;
        assert_eq!(r.status, 200, "{r}");
        assert_eq!(r.json()["stage"], "lost");
        assert_eq!(r.json()["grade"], "F");
        assert_eq!(r.json()["lost_category"], "other_brand");
        assert_eq!(r.json()["competitor"], "比亚迪 秦PLUS");
        assert_eq!(r.json()["next_follow_up_at"], Value::Null);
        assert_eq!(r.json()["close_approved_by"], s.org.staff(SHA01_MANAGER).id);
        s.post(&token, &format!("/api/v1/leads/{id}/activities"), json!({"kind": "call"})).await.assert_invalid_field("kind");
    }
}

both_engines! {
    async fn a_dealer_never_sees_another_dealers_leads(s) {
        let m = model(&s).await;
        let lead = walk_in(&s, SHA01_CONSULTANT, m, "13833334444", "later").await;
        let id = lead["id"].as_i64().unwrap();
        for who in [GZB01_CONSULTANT, GZB01_MANAGER] {
            let t = s.token(who).await;
            assert_eq!(s.get(&t, &format!("/api/v1/leads/{id}")).await.status, 404, "{who}");
            assert_eq!(s.patch(&t, &format!("/api/v1/leads/{id}"), json!({"version": 1, "timeframe": "immediately"})).await.status, 404);
            assert_eq!(s.post(&t, &format!("/api/v1/leads/{id}/activities"), json!({"kind": "call"})).await.status, 404);
            assert_eq!(s.post(&t, &format!("/api/v1/leads/{id}/stage"), json!({"stage": "order"})).await.status, 404);
            assert_eq!(s.get(&t, "/api/v1/leads").await.json()["items"].as_array().map(|a| a.len()), Some(0));
        }
        let gm = s.post(&s.token(GZB01_MANAGER).await, &format!("/api/v1/leads/{id}/assign"), json!({})).await;
        assert_eq!(gm.status, 404);
        for who in [SHA01_MANAGER, HXG_MANAGER, EAST_MANAGER, SALES_OPS] {
            assert_eq!(s.get(&s.token(who).await, &format!("/api/v1/leads/{id}")).await.status, 200, "{who}");
        }
        assert_eq!(s.get(&s.token(TECH_SUPPORT).await, "/api/v1/leads").await.status, 403);
    }
}

both_engines! {
    async fn the_consultants_day_lists_overdue_due_and_new_leads(s) {
        let m = model(&s).await;
        let a = walk_in(&s, SHA01_CONSULTANT, m, "13844445555", "immediately").await;
        let b = walk_in(&s, SHA01_CONSULTANT, m, "13844446666", "later").await;
        let past = Utc::now() - Duration::hours(3);
        s.db().execute(sql("UPDATE lead SET next_follow_up_at = $1 WHERE id = $2", vec![past.into(), a["id"].as_i64().into()])).await.unwrap();
        let day = s.get(&s.token(SHA01_CONSULTANT).await, "/api/v1/leads/today").await;
        assert_eq!(day.status, 200, "{day}");
        let ids = |k: &str| day.json()[k].as_array().unwrap().iter().map(|r| r["id"].clone()).collect::<Vec<_>>();
        assert_eq!(ids("overdue"), vec![a["id"].clone()]);
        assert!(!ids("due_today").contains(&b["id"]), "C-grade follow-up is weeks away");
        assert_eq!(day.json()["overdue"][0]["overdue"], true);
        assert!(day.json()["overdue"][0]["mobile"].as_str().unwrap_or_default().contains("****"), "masked");
        let team = s.get(&s.token(SHA01_MANAGER).await, "/api/v1/leads/team").await;
        assert_eq!(team.status, 200, "{team}");
        assert_eq!(team.json()[0]["open_leads"], 2);
        assert_eq!(team.json()[0]["overdue"], 1);
        assert_eq!(s.get(&s.token(SHA01_CONSULTANT).await, "/api/v1/leads/team").await.status, 403);
    }
}

both_engines! {
    /// "Due today" ends at midnight in China (UTC+8), whatever the server's clock
    /// zone: read at a fixed clock half an hour before that midnight.
    async fn the_day_ends_at_midnight_in_china(s) {
        let m = model(&s).await;
        let at = |rfc: &str| DateTime::parse_from_rfc3339(rfc).unwrap().with_timezone(&Utc);
        let now = at("2026-03-10T23:30:00+08:00");
        let mut ids = vec![];
        for (mobile, due) in [
            ("13844447001", "2026-03-10T23:00:00+08:00"),
            ("13844447002", "2026-03-10T23:50:00+08:00"),
            ("13844447003", "2026-03-11T00:10:00+08:00"),
        ] {
            let lead = walk_in(&s, SHA01_CONSULTANT, m, mobile, "later").await;
            let id = lead["id"].as_i64().unwrap();
            s.db().execute(sql("UPDATE lead SET next_follow_up_at = $1 WHERE id = $2", vec![at(due).into(), id.into()])).await.unwrap();
            ids.push(id);
        }
        let me = autocrm_tests::customers::actor(&s.org, SHA01_CONSULTANT);
        let listed = |rows: &[autocrm_store::leads::today::LeadRow]| rows.iter().map(|r| r.id).collect::<Vec<_>>();
        let day = autocrm_store::leads::today::today(s.db(), &me.scope, me.user_id, now).await.unwrap();
        assert_eq!(listed(&day.overdue), [ids[0]], "due half an hour ago");
        assert_eq!(listed(&day.due_today), [ids[1]], "due before midnight in China; not the one ten minutes after it");
        // Twenty minutes later it is the next day in China: the 00:10 one is due today.
        let day = autocrm_store::leads::today::today(s.db(), &me.scope, me.user_id, at("2026-03-11T00:00:00+08:00")).await.unwrap();
        assert_eq!(listed(&day.overdue), [ids[0], ids[1]]);
        assert_eq!(listed(&day.due_today), [ids[2]]);
    }
}

both_engines! {
    /// A referral is recorded on the referrer and followed to the order.
    async fn a_referral_is_tracked_to_the_order(s) {
        let m = model(&s).await;
        let org = s.org.clone();
        let referrer = autocrm_tests::customers::walk_in_at_dealer_a(s.db(), &org).await;
        let r = capture(&s, SHA01_CONSULTANT, json!({"mobile": "13566667777", "name": "王小红", "model_id": m, "timeframe": "immediately",
            "source": "referral", "referrer_id": referrer})).await;
        assert_eq!(r.status, 201, "{r}");
        let lead = r.json()["lead"].clone();
        let id = lead["id"].as_i64().unwrap();
        let (rel,): (i64,) = s.db().fetch_one(sql("SELECT COUNT(*) FROM relationship WHERE customer_id = $1 AND related_id = $2 AND kind = 'referred'",
            vec![referrer.into(), lead["customer_id"].as_i64().into()])).await.unwrap();
        assert_eq!(rel, 1);
        s.post(&s.token(SHA01_CONSULTANT).await, &format!("/api/v1/leads/{id}/stage"), json!({"stage": "order"})).await;
        let (events,): (i64,) = s.db().fetch_one(sql("SELECT COUNT(*) FROM timeline_event WHERE customer_id = $1 AND kind IN ('referral', 'referral_ordered')",
            vec![referrer.into()])).await.unwrap();
        assert_eq!(events, 2);
        let referred = s.get(&s.token(SHA01_MANAGER).await, "/api/v1/leads?referred=true").await;
        assert_eq!(referred.json()["items"][0]["stage"], "order");
        capture(&s, SHA01_CONSULTANT, json!({"mobile": "13566668888", "model_id": m, "timeframe": "later", "referrer_id": 999999})).await
            .assert_invalid_field("referrer_id");
    }
}

both_engines! {
    async fn bad_input_names_every_field_and_writes_nothing(s) {
        model(&s).await;
        let before = (s.count("lead").await, s.count("customer").await, s.count("audit_event").await);
        let r = capture(&s, SHA01_CONSULTANT, json!({"timeframe": "someday", "mobile": "1234", "budget_yuan": -5})).await;
        assert_eq!(r.status, 422, "{r}");
        let mut fields = r.field_paths();
        fields.sort();
        assert_eq!(fields, ["budget_yuan", "mobile", "model_id", "timeframe"]);
        capture(&s, SHA01_CONSULTANT, json!({"name": "赵", "model_id": 424242, "timeframe": "later"})).await.assert_invalid_field("model_id");
        capture(&s, SHA01_CONSULTANT, json!({"model_id": 1, "timeframe": "later"})).await.assert_invalid_field("mobile");
        capture(&s, SHA01_CONSULTANT, json!({"mobile": "13800000000", "model_id": 1, "timeframe": "later", "colour": "red"})).await.assert_invalid_field("colour");
        assert_eq!((s.count("lead").await, s.count("customer").await, s.count("audit_event").await), before);
    }
}

both_engines! {
    /// The OEM configures grading; a dealer cannot; a bad value names its field.
    async fn grading_rules_are_the_oems_configuration(s) {
        let rules = s.get(&s.token(SHA01_CONSULTANT).await, "/api/v1/lead-rules").await.json();
        assert_eq!(rules["timeframe_grade"]["within_3_months"], "B");
        let mut changed = rules.clone();
        changed["timeframe_grade"]["within_3_months"] = json!("A");
        assert_eq!(put(&s, SHA01_MANAGER, "/api/v1/lead-rules", changed.clone()).await.status, 403);
        let r = put(&s, ADMIN, "/api/v1/lead-rules", changed).await;
        assert_eq!(r.status, 200, "{r}");
        let m = model(&s).await;
        let lead = walk_in(&s, SHA01_CONSULTANT, m, "13877778888", "within_3_months").await;
        assert_eq!(lead["grade"], "A");
        let mut bad = rules.clone();
        bad["conversion"]["later"] = json!(3.0);
        put(&s, ADMIN, "/api/v1/lead-rules", bad).await.assert_invalid_field("conversion.later");
    }
}
