//! Handover over HTTP, on both engines: when a consultant leaves, a manager moves
//! every open lead, customer and booked test drive to colleagues in one step;
//! nothing is lost, every record's history stays, and the new owners are told.

use autocrm_store::db::sql;
use autocrm_tests::both_engines;
use autocrm_tests::fixture::*;
use autocrm_tests::leads::{model, walk_in};
use autocrm_tests::TestServer;
use serde_json::json;

#[rustfmt::skip]
pub const API_RULES: &[(&str, &str, Option<&str>)] = &[
    ("GET", "/api/v1/users/{id}/handover", Some("lead_manage")),
    ("POST", "/api/v1/users/{id}/handover", Some("lead_manage")),
    ("GET", "/api/v1/users/{id}/handovers", Some("lead_manage")),
];

/// A second (and third) consultant at SHA01; returns their ids.
async fn colleagues(s: &TestServer, names: &[(&str, &str)]) -> Vec<i64> {
    let token = s.token(SHA01_MANAGER).await;
    let mut ids = vec![];
    for (username, display) in names {
        let r = s
            .post(&token, "/api/v1/users", json!({"username": username, "display_name": display, "role": "sales_consultant",
                "dealer_id": s.org.dealer_a, "department_id": s.org.sales_a, "password": PASSWORD}))
            .await;
        assert_eq!(r.status, 201, "{r}");
        ids.push(r.json()["id"].as_i64().unwrap());
    }
    ids
}

async fn one(s: &TestServer, q: &str, v: Vec<sea_query::Value>) -> i64 {
    s.db().fetch_one::<(i64,)>(sql(q, v)).await.expect("a count").0
}

/// What a consultant holds at SHA01: open leads, customer links, booked drives.
async fn holdings(s: &TestServer, user: i64) -> (i64, i64) {
    let leads = one(s, "SELECT COUNT(*) FROM lead WHERE owner_user_id = $1 AND stage NOT IN ('lost', 'invalid', 'cancelled', 'returned', 'delivered')", vec![user.into()]).await;
    let customers = one(s, "SELECT COUNT(*) FROM customer_dealer WHERE owner_user_id = $1", vec![user.into()]).await;
    (leads, customers)
}

both_engines! {
    /// Everything goes to one colleague: the counts add up, closed leads stay with
    /// their history, each customer's timeline says who took over, the colleague
    /// is notified, and the leaving consultant holds nothing.
    async fn a_handover_to_one_colleague_moves_everything_and_loses_nothing(s) {
        let m = model(&s).await;
        let org = s.org.clone();
        let leaving = org.staff(SHA01_CONSULTANT).id;
        let [to] = colleagues(&s, &[("sha01.lifang", "李芳")]).await[..] else { panic!() };
        let mut leads = vec![];
        for i in 0..4 {
            leads.push(walk_in(&s, SHA01_CONSULTANT, m, &format!("1391111000{i}"), "within_3_months").await["id"].as_i64().unwrap());
        }
        // One lead is closed: it keeps its owner (it is history, not work).
        let token = s.token(SHA01_MANAGER).await;
        let closed = s.post(&token, &format!("/api/v1/leads/{}/close", leads[3]), json!({"kind": "invalid", "reason": "wrong_number"})).await;
        assert_eq!(closed.status, 200, "{closed}");
        // A test drive booked for tomorrow goes with its customer.
        let car = autocrm_tests::test_drives::demo_car(&s, m, "沪AD10001").await;
        let booked = autocrm_tests::test_drives::book(&s, SHA01_CONSULTANT, leads[0], car, autocrm_tests::test_drives::at(26), 30).await;
        assert_eq!(booked.status, 201, "{booked}");
        let drive = booked.json()["id"].as_i64().unwrap();
        let activities_before = one(&s, "SELECT COUNT(*) FROM lead_activity", vec![]).await;
        let (open_leads, customers) = holdings(&s, leaving).await;
        assert_eq!(open_leads, 3);

        let preview = s.get(&token, &format!("/api/v1/users/{leaving}/handover")).await;
        assert_eq!(preview.status, 200, "{preview}");
        assert_eq!((preview.json()["leads"].as_i64(), preview.json()["customers"].as_i64()), (Some(3), Some(customers)));
        assert_eq!(preview.json()["tasks"], 1, "the booked drive");

        let r = s.post(&token, &format!("/api/v1/users/{leaving}/handover"), json!({"to_user_id": to, "note": "离职交接"})).await;
        assert_eq!(r.status, 201, "{r}");
        let h = r.json();
        assert_eq!(h["handover"]["leads_moved"], 3);
        assert_eq!(h["handover"]["customers_moved"].as_i64(), Some(customers));
        assert_eq!(h["shares"][0]["user_id"], to);
        assert_eq!(h["handover"]["tasks_moved"], 1);
        let (consultant,): (i64,) = s.db().fetch_one(sql("SELECT consultant_id FROM test_drive WHERE id = $1", vec![drive.into()])).await.unwrap();
        assert_eq!(consultant, to, "the booked drive follows its customer");

        assert_eq!(holdings(&s, leaving).await, (0, 0), "nothing is left behind");
        assert_eq!(holdings(&s, to).await.0, 3);
        for id in &leads[..3] {
            let lead = s.get(&token, &format!("/api/v1/leads/{id}")).await.json();
            assert_eq!(lead["lead"]["owner_user_id"], to);
            assert_eq!(lead["lead"]["consultant_rule"], "handover");
            let kinds: Vec<&str> = lead["activities"].as_array().unwrap().iter().filter_map(|a| a["kind"].as_str()).collect();
            assert!(kinds.contains(&"created") && kinds.contains(&"assignment"), "history kept: {kinds:?}");
        }
        let closed = s.get(&token, &format!("/api/v1/leads/{}", leads[3])).await.json();
        assert_eq!(closed["lead"]["owner_user_id"], leaving, "a closed lead stays as it was");
        assert_eq!(one(&s, "SELECT COUNT(*) FROM lead_activity", vec![]).await, activities_before + 3, "only additions");
        assert_eq!(one(&s, "SELECT COUNT(*) FROM timeline_event WHERE kind = 'handover'", vec![]).await, customers);
        assert_eq!(one(&s, "SELECT COUNT(*) FROM notification WHERE user_id = $1 AND kind = 'handover'", vec![to.into()]).await, 1);
        let history = s.get(&token, &format!("/api/v1/users/{leaving}/handovers")).await;
        assert_eq!(history.json()[0]["note"], "离职交接");
        // The new owner's day has them; the account still works (not closed).
        let day = s.get(&s.token("sha01.lifang").await, "/api/v1/leads?stage=open").await;
        assert_eq!(day.json()["items"].as_array().map(Vec::len), Some(3), "{day}");
    }
}

both_engines! {
    /// Without a named colleague the records are spread over those on duty, each
    /// customer whole (all of a customer's leads go to the same person), and the
    /// leaving account can be closed in the same step.
    async fn spreading_keeps_each_customer_whole_and_can_close_the_account(s) {
        let m = model(&s).await;
        let org = s.org.clone();
        let leaving = org.staff(SHA01_CONSULTANT).id;
        let ids = colleagues(&s, &[("sha01.lifang", "李芳"), ("sha01.zhaolei", "赵磊")]).await;
        for i in 0..6 {
            walk_in(&s, SHA01_CONSULTANT, m, &format!("1392222000{i}"), "immediately").await;
        }
        // A returning prospect: two leads, one customer.
        walk_in(&s, SHA01_CONSULTANT, m, "13922220000", "later").await;
        let token = s.token(SHA01_MANAGER).await;
        let r = s.post(&token, &format!("/api/v1/users/{leaving}/handover"), json!({"deactivate": true})).await;
        assert_eq!(r.status, 201, "{r}");
        let shares = r.json()["shares"].as_array().cloned().unwrap_or_default();
        assert_eq!(shares.len(), 2, "{shares:?}");
        let (a, b) = (shares[0]["customers"].as_i64().unwrap(), shares[1]["customers"].as_i64().unwrap());
        assert!((a - b).abs() <= 1, "level shares: {a} and {b}");
        assert_eq!(shares.iter().map(|s| s["leads"].as_i64().unwrap()).sum::<i64>(), 7);
        let split: i64 = one(&s, "SELECT COUNT(DISTINCT owner_user_id) FROM lead \
            WHERE customer_id = (SELECT customer_id FROM contact_point WHERE value = '13922220000')", vec![]).await;
        assert_eq!(split, 1, "one customer, one owner");
        for id in &ids {
            assert!(holdings(&s, *id).await.0 > 0);
        }
        // The account is closed: no more sign-in, no more tokens.
        let signed = s.sign_in(SHA01_CONSULTANT, PASSWORD).await;
        assert_ne!(signed.status, 200, "a closed account cannot sign in: {signed}");
        let active: (bool,) = s.db().fetch_one(sql("SELECT active FROM app_user WHERE id = $1", vec![leaving.into()])).await.unwrap();
        assert!(!active.0);
    }
}

both_engines! {
    /// The target must be a colleague at the same dealer; a manager cannot reach
    /// another dealer's staff; OEM accounts have nothing to hand over.
    async fn a_handover_stays_within_the_dealer(s) {
        let m = model(&s).await;
        let org = s.org.clone();
        walk_in(&s, SHA01_CONSULTANT, m, "13933330001", "later").await;
        let leaving = org.staff(SHA01_CONSULTANT).id;
        let token = s.token(SHA01_MANAGER).await;
        let r = s.post(&token, &format!("/api/v1/users/{leaving}/handover"), json!({"to_user_id": org.staff(GZB01_CONSULTANT).id})).await;
        r.assert_invalid_field("to_user_id");
        let r = s.post(&token, &format!("/api/v1/users/{leaving}/handover"), json!({})).await;
        let e = r.assert_invalid_field("to_user_id");
        assert!(e.to_string().contains("no other active sales consultant"), "{e}");
        assert_eq!(holdings(&s, leaving).await.0, 1, "nothing moved");
        let other = s.post(&s.token(GZB01_MANAGER).await, &format!("/api/v1/users/{leaving}/handover"), json!({})).await;
        assert_eq!(other.status, 404, "another dealer's staff does not exist for them: {other}");
        let admin = s.post(&s.token(ADMIN).await, &format!("/api/v1/users/{}/handover", org.staff(CAC_AGENT).id), json!({})).await;
        admin.assert_invalid_field("user");
    }
}
