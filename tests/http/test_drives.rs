//! Test drives over HTTP, on both engines: a dealer manager keeps the demo fleet
//! (plates and VINs checked), a consultant books a car for a lead's customer, no
//! car or consultant is ever booked twice at once — not even by ten requests at
//! the same moment —, recording the drive moves the lead to the test-drive stage,
//! and a dealer never sees another dealer's cars or drives.

use autocrm_store::db::sql;
use autocrm_tests::both_engines;
use autocrm_tests::fixture::*;
use autocrm_tests::leads::{model, walk_in};
use autocrm_tests::test_drives::{at, book, book_with, demo_car};
use chrono::{Duration, Utc};
use serde_json::json;

/// The reviewed rule of each test-drive API route (method, path, action).
#[rustfmt::skip]
pub const API_RULES: &[(&str, &str, Option<&str>)] = &[
    ("GET", "/api/v1/demo-cars", Some("lead_read")),
    ("POST", "/api/v1/demo-cars", Some("lead_manage")),
    ("GET", "/api/v1/demo-cars/{id}", Some("lead_read")),
    ("PATCH", "/api/v1/demo-cars/{id}", Some("lead_manage")),
    ("GET", "/api/v1/test-drives", Some("lead_read")),
    ("POST", "/api/v1/test-drives", Some("lead_write")),
    ("GET", "/api/v1/test-drives/{id}", Some("lead_read")),
    ("POST", "/api/v1/test-drives/{id}/complete", Some("lead_write")),
    ("POST", "/api/v1/test-drives/{id}/cancel", Some("lead_write")),
    ("POST", "/api/v1/test-drives/{id}/no-show", Some("lead_write")),
];

async fn count(s: &autocrm_tests::TestServer, q: &str) -> i64 {
    s.db().fetch_one::<(i64,)>(sql(q, vec![])).await.expect("a count").0
}

both_engines! {
    async fn a_dealer_manager_keeps_the_demo_fleet(s) {
        let m = model(&s).await;
        let mgr = s.token(SHA01_MANAGER).await;
        let car = demo_car(&s, m, "沪AD10001").await;
        let r = s.get(&mgr, &format!("/api/v1/demo-cars/{car}")).await;
        assert_eq!(r.status, 200, "{r}");
        assert_eq!(r.json()["dealer_id"], s.org.dealer_a, "the manager's own dealer by default");
        assert_eq!(r.json()["active"], true);
        // Plates and VINs pass the vehicle rules; a plate is one car's.
        s.post(&mgr, "/api/v1/demo-cars", json!({"model_id": m, "plate": "XX123"})).await.assert_invalid_field("plate");
        s.post(&mgr, "/api/v1/demo-cars", json!({"model_id": m, "plate": "沪AD10002", "vin": "LDY123"})).await.assert_invalid_field("vin");
        s.post(&mgr, "/api/v1/demo-cars", json!({"plate": "沪AD10002"})).await.assert_invalid_field("model_id");
        let dup = s.post(&mgr, "/api/v1/demo-cars", json!({"model_id": m, "plate": "沪A·D10001"})).await;
        assert_eq!(dup.status, 409, "{dup}");
        // A consultant books cars but does not manage them.
        assert_eq!(s.post(&s.token(SHA01_CONSULTANT).await, "/api/v1/demo-cars", json!({"model_id": m, "plate": "沪AD10003"})).await.status, 403);
        // Edit, then retire: a retired car is not booked any more.
        let r = s.patch(&mgr, &format!("/api/v1/demo-cars/{car}"), json!({"version": 1, "color": "星空灰"})).await;
        assert_eq!(r.status, 200, "{r}");
        assert_eq!(r.json()["color"], "星空灰");
        assert_eq!(s.patch(&mgr, &format!("/api/v1/demo-cars/{car}"), json!({"version": 1, "active": false})).await.status, 409, "stale version");
        let r = s.patch(&mgr, &format!("/api/v1/demo-cars/{car}"), json!({"version": 2, "active": false})).await;
        assert_eq!(r.json()["active"], false, "{r}");
        let lead = walk_in(&s, SHA01_CONSULTANT, m, "13900001111", "immediately").await["id"].as_i64().unwrap();
        book(&s, SHA01_CONSULTANT, lead, car, at(2), 30).await.assert_invalid_field("demo_car_id");
        let list = s.get(&mgr, "/api/v1/demo-cars?active=true").await;
        assert_eq!(list.json()["items"].as_array().map(Vec::len), Some(0), "{list}");
    }
}

both_engines! {
    /// The booking holds the car and the lead's consultant, is on the lead and the
    /// customer's timeline, and the next follow-up is the drive.
    async fn a_consultant_books_a_demo_car_for_a_lead(s) {
        let m = model(&s).await;
        let car = demo_car(&s, m, "沪AD20001").await;
        let lead = walk_in(&s, SHA01_CONSULTANT, m, "13900002222", "within_3_months").await;
        let (lead_id, customer) = (lead["id"].as_i64().unwrap(), lead["customer_id"].as_i64().unwrap());
        let start = at(3);
        let r = book(&s, SHA01_CONSULTANT, lead_id, car, start, 45).await;
        assert_eq!(r.status, 201, "{r}");
        let d = r.json();
        assert_eq!(d["status"], "booked");
        assert_eq!(d["consultant_id"], s.org.id(SHA01_CONSULTANT), "the lead's consultant by default");
        assert_eq!(d["customer_id"], customer);
        assert_eq!(d["dealer_id"], s.org.dealer_a);
        let id = d["id"].as_i64().unwrap();
        let token = s.token(SHA01_CONSULTANT).await;
        assert_eq!(s.get(&token, &format!("/api/v1/test-drives/{id}")).await.status, 200);
        let day = (start + Duration::hours(8)).date_naive();
        let listed = s.get(&token, &format!("/api/v1/test-drives?day={day}&demo_car_id={car}")).await.json();
        assert_eq!(listed["items"][0]["id"], id, "{listed}");
        assert_eq!(listed["items"][0]["customer_name"].as_str().is_some(), true);
        let other_day = s.get(&token, &format!("/api/v1/test-drives?day={}&lead_id={lead_id}", day + Duration::days(1))).await.json();
        assert_eq!(other_day["items"].as_array().map(Vec::len), Some(0));
        let lead_after = s.get(&token, &format!("/api/v1/leads/{lead_id}")).await.json();
        assert_eq!(lead_after["lead"]["next_follow_up_at"].as_str().map(|t| t.starts_with(&start.format("%Y-%m-%dT%H:%M").to_string())), Some(true), "{lead_after}");
        assert_eq!(lead_after["activities"][0]["kind"], "test_drive");
        assert_eq!(lead_after["activities"][0]["outcome"], "drive_booked");
        assert_eq!(count(&s, &format!("SELECT COUNT(*) FROM timeline_event WHERE customer_id = {customer} AND kind = 'lead_test_drive'")).await, 1);
        s.get(&token, "/api/v1/test-drives?status=maybe").await.assert_invalid_field("status");
    }
}

both_engines! {
    async fn overlapping_bookings_are_refused_naming_the_field_and_the_booking(s) {
        let m = model(&s).await;
        let (car1, car2) = (demo_car(&s, m, "沪AD30001").await, demo_car(&s, m, "沪AD30002").await);
        let lead1 = walk_in(&s, SHA01_CONSULTANT, m, "13900003331", "immediately").await["id"].as_i64().unwrap();
        let lead2 = walk_in(&s, SHA01_CONSULTANT, m, "13900003332", "immediately").await["id"].as_i64().unwrap();
        let start = at(5);
        let first = book(&s, SHA01_CONSULTANT, lead1, car1, start, 60).await;
        assert_eq!(first.status, 201, "{first}");
        let first_id = first.json()["id"].as_i64().unwrap();
        // The same car half an hour later: the car is taken.
        let r = s.refused(s.request(reqwest::Method::POST, "/api/v1/test-drives").bearer_auth(s.token(SHA01_MANAGER).await)
            .json(&json!({"lead_id": lead2, "demo_car_id": car1, "consultant_id": s.org.id(SHA01_MANAGER),
                "starts_at": start + Duration::minutes(30), "ends_at": start + Duration::minutes(90)}))).await;
        let e = r.assert_error(409, "conflict");
        assert_eq!(r.field_paths(), vec!["demo_car_id"]);
        assert_eq!(e["conflicts_with"]["entity"], "test_drive");
        assert_eq!(e["conflicts_with"]["id"], first_id);
        // Another car with the same consultant at the same time: the consultant is taken.
        let r = book(&s, SHA01_CONSULTANT, lead2, car2, start + Duration::minutes(15), 30).await;
        r.assert_error(409, "conflict");
        assert_eq!(r.field_paths(), vec!["consultant_id"]);
        // Back to back is fine; a cancelled booking frees its slot.
        assert_eq!(book(&s, SHA01_CONSULTANT, lead2, car1, start + Duration::minutes(60), 30).await.status, 201);
        let c = s.post(&s.token(SHA01_CONSULTANT).await, &format!("/api/v1/test-drives/{first_id}/cancel"), json!({"reason": "客户改期"})).await;
        assert_eq!(c.json()["status"], "cancelled", "{c}");
        assert_eq!(book(&s, SHA01_CONSULTANT, lead2, car2, start, 30).await.status, 201, "the consultant is free again");
    }
}

both_engines! {
    /// Ten requests for the same car and slot at the same moment (each for another
    /// lead): exactly one is booked, and the others wrote nothing.
    async fn concurrent_bookings_of_one_car_and_slot_leave_exactly_one(s) {
        let m = model(&s).await;
        let car = demo_car(&s, m, "沪AD40001").await;
        let mut leads = vec![];
        for i in 0..10 {
            leads.push(walk_in(&s, SHA01_CONSULTANT, m, &format!("1390000{:04}", 4000 + i), "immediately").await["id"].as_i64().unwrap());
        }
        let before = (s.count("test_drive").await, s.count("lead_activity").await, s.count("timeline_event").await, s.count("audit_event").await);
        let start = at(6);
        let token = s.token(SHA01_CONSULTANT).await;
        let mut tasks = vec![];
        for lead in &leads {
            let body = json!({"lead_id": lead, "demo_car_id": car, "starts_at": start, "ends_at": start + Duration::minutes(30)});
            tasks.push(tokio::spawn(autocrm_tests::http::send(s.request(reqwest::Method::POST, "/api/v1/test-drives").bearer_auth(&token).json(&body))));
        }
        let mut statuses = vec![];
        for t in tasks {
            let r = t.await.expect("the request task");
            if r.status != 201 {
                r.assert_error(409, "conflict");
            }
            statuses.push(r.status);
        }
        assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 9, "{statuses:?}");
        let after = (s.count("test_drive").await, s.count("lead_activity").await, s.count("timeline_event").await, s.count("audit_event").await);
        assert_eq!(after.0, before.0 + 1, "one booking");
        assert_eq!(after.1, before.1 + 1, "one lead activity");
        assert_eq!(after.2, before.2 + 1, "one timeline entry");
        // The booking's audit entry and the lead's (its follow-up moved).
        assert_eq!(after.3, before.3 + 2, "the audit trail has the booking and the lead change only");
    }
}

both_engines! {
    async fn recording_a_drive_moves_the_lead_to_the_test_drive_stage(s) {
        let m = model(&s).await;
        let car = demo_car(&s, m, "沪AD50001").await;
        let lead = walk_in(&s, SHA01_CONSULTANT, m, "13900005555", "within_3_months").await;
        let lead_id = lead["id"].as_i64().unwrap();
        assert_eq!(lead["stage"], "showroom_visit");
        let token = s.token(SHA01_CONSULTANT).await;
        // A drive booked for later cannot be recorded yet.
        let later = book(&s, SHA01_CONSULTANT, lead_id, car, at(8), 30).await.json()["id"].as_i64().unwrap();
        s.post(&token, &format!("/api/v1/test-drives/{later}/complete"), json!({"rating": 5})).await.assert_invalid_field("status");
        s.post(&token, &format!("/api/v1/test-drives/{later}/no-show"), json!({})).await.assert_invalid_field("status");
        s.post(&token, &format!("/api/v1/test-drives/{later}/cancel"), json!({"reason": " "})).await.assert_invalid_field("reason");
        // One that started a few minutes ago.
        let now_start = Utc::now() - Duration::minutes(10);
        let r = book(&s, SHA01_CONSULTANT, lead_id, car, now_start, 30).await;
        assert_eq!(r.status, 201, "{r}");
        let id = r.json()["id"].as_i64().unwrap();
        s.post(&token, &format!("/api/v1/test-drives/{id}/complete"), json!({"rating": 7})).await.assert_invalid_field("rating");
        s.post(&token, &format!("/api/v1/test-drives/{id}/complete"), json!({"feedback": "好"})).await.assert_invalid_field("rating");
        let done = s.post(&token, &format!("/api/v1/test-drives/{id}/complete"),
            json!({"rating": 5, "feedback": "动力好，隔音不错", "route": "店外环线"})).await;
        assert_eq!(done.status, 200, "{done}");
        assert_eq!(done.json()["status"], "completed");
        assert_eq!(done.json()["rating"], 5);
        assert!(done.json()["ended_at"].is_string());
        let l = s.get(&token, &format!("/api/v1/leads/{lead_id}")).await.json();
        assert_eq!(l["lead"]["stage"], "test_drive", "{l}");
        assert!(l["lead"]["test_drive_at"].is_string());
        assert_eq!(l["activities"][0]["outcome"], "drive_completed");
        assert!(l["activities"][0]["note"].as_str().unwrap_or_default().contains("动力好"));
        // Ended once: completing again is refused.
        s.post(&token, &format!("/api/v1/test-drives/{id}/complete"), json!({"rating": 4})).await.assert_invalid_field("status");
        let customer = lead["customer_id"].as_i64().unwrap();
        assert_eq!(count(&s, &format!("SELECT COUNT(*) FROM timeline_event WHERE customer_id = {customer} AND kind = 'lead_test_drive'")).await, 3,
            "two bookings and the completion are on the timeline; refused requests wrote nothing");
    }
}

both_engines! {
    async fn a_booking_names_the_field_that_is_wrong(s) {
        let m = model(&s).await;
        let car = demo_car(&s, m, "沪AD60001").await;
        let lead = walk_in(&s, SHA01_CONSULTANT, m, "13900006666", "immediately").await["id"].as_i64().unwrap();
        let start = at(4);
        let r = s.refused(s.request(reqwest::Method::POST, "/api/v1/test-drives").bearer_auth(s.token(SHA01_CONSULTANT).await)
            .json(&json!({"lead_id": lead, "demo_car_id": car, "starts_at": start, "ends_at": start - Duration::minutes(5)}))).await;
        r.assert_invalid_field("ends_at");
        book(&s, SHA01_CONSULTANT, lead, car, start, 300).await.assert_invalid_field("ends_at");
        book(&s, SHA01_CONSULTANT, lead, car, Utc::now() - Duration::days(2), 30).await.assert_invalid_field("starts_at");
        book(&s, SHA01_CONSULTANT, lead, car + 1000, start, 30).await.assert_invalid_field("demo_car_id");
        book(&s, SHA01_CONSULTANT, lead + 1000, car, start, 30).await.assert_invalid_field("lead_id");
        book_with(&s, SHA01_MANAGER, json!({"lead_id": lead, "demo_car_id": car, "consultant_id": s.org.id(GZB01_CONSULTANT),
            "starts_at": start, "ends_at": start + Duration::minutes(30)})).await.assert_invalid_field("consultant_id");
        book_with(&s, SHA01_CONSULTANT, json!({"lead_id": lead, "demo_car_id": car, "starts_at": start})).await.assert_error(422, "validation_failed");
    }
}

both_engines! {
    async fn a_dealer_never_sees_another_dealers_cars_or_drives(s) {
        let m = model(&s).await;
        let car = demo_car(&s, m, "沪AD70001").await;
        let lead = walk_in(&s, SHA01_CONSULTANT, m, "13900007777", "immediately").await["id"].as_i64().unwrap();
        let drive = book(&s, SHA01_CONSULTANT, lead, car, at(3), 30).await.json()["id"].as_i64().unwrap();
        for who in [GZB01_MANAGER, GZB01_CONSULTANT] {
            let t = s.token(who).await;
            assert_eq!(s.get(&t, &format!("/api/v1/demo-cars/{car}")).await.status, 404, "{who}");
            assert_eq!(s.get(&t, &format!("/api/v1/test-drives/{drive}")).await.status, 404, "{who}");
            assert_eq!(s.get(&t, "/api/v1/demo-cars").await.json()["items"].as_array().map(Vec::len), Some(0), "{who}");
            assert_eq!(s.get(&t, "/api/v1/test-drives").await.json()["items"].as_array().map(Vec::len), Some(0), "{who}");
        }
        let gz = s.token(GZB01_MANAGER).await;
        assert_eq!(s.patch(&gz, &format!("/api/v1/demo-cars/{car}"), json!({"version": 1, "active": false})).await.status, 404);
        assert_eq!(s.post(&gz, &format!("/api/v1/test-drives/{drive}/cancel"), json!({"reason": "x"})).await.status, 404);
        s.post(&gz, "/api/v1/demo-cars", json!({"dealer_id": s.org.dealer_a, "model_id": m, "plate": "粤AD70002"})).await.assert_invalid_field("dealer_id");
        // A dealer B lead cannot take dealer A's car.
        let gz_lead = walk_in(&s, GZB01_CONSULTANT, m, "13900007778", "immediately").await["id"].as_i64().unwrap();
        book(&s, GZB01_CONSULTANT, gz_lead, car, at(3), 30).await.assert_invalid_field("demo_car_id");
        // Dealer A's consultant (own records) still sees the whole schedule of the dealer; the region sees it too.
        assert_eq!(s.get(&s.token(SHA01_CONSULTANT).await, &format!("/api/v1/test-drives?dealer_id={}", s.org.dealer_a)).await.json()["items"].as_array().map(Vec::len), Some(1));
        assert_eq!(s.get(&s.token(EAST_MANAGER).await, &format!("/api/v1/test-drives/{drive}")).await.status, 200);
    }
}

both_engines! {
    /// The pages: a consultant books from the lead page's link, sees it on the day's
    /// schedule and on "my day", and records it.
    async fn a_consultant_books_and_records_a_drive_through_the_pages(s) {
        let m = model(&s).await;
        let car = demo_car(&s, m, "沪AD80001").await;
        let lead = walk_in(&s, SHA01_CONSULTANT, m, "13900008888", "immediately").await["id"].as_i64().unwrap();
        let session = s.login_session(SHA01_CONSULTANT).await;
        let form = s.page(&session, &format!("/test-drives/new?lead_id={lead}")).await;
        assert_eq!(form.status, 200, "{form}");
        assert!(form.body.contains("沪AD80001"), "the dealer's car is offered");
        // A few minutes ago (so it can be recorded), but today in China even just
        // after midnight there (16:00 UTC), so "my day" lists it.
        let china = Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
        let since_midnight = Duration::seconds(i64::from(chrono::Timelike::num_seconds_from_midnight(&china)));
        let start = (china - since_midnight.min(Duration::minutes(5))).format("%Y-%m-%dT%H:%M").to_string();
        let post = |path: &str, fields: Vec<(&str, String)>| {
            let mut f = fields;
            f.push(("_csrf", session.csrf.clone()));
            autocrm_tests::http::send(s.request(reqwest::Method::POST, path).header("cookie", session.cookie_header()).form(&f))
        };
        let r = post("/test-drives", vec![("lead_id", lead.to_string()), ("demo_car_id", car.to_string()), ("starts_at", start.clone()), ("minutes", "30".into())]).await;
        assert_eq!(r.status, 303, "{r}");
        let at_page = r.header("location").unwrap_or_default().to_string();
        // The same slot again: the form comes back naming the booking it collides with.
        let again = post("/test-drives", vec![("lead_id", lead.to_string()), ("demo_car_id", car.to_string()), ("starts_at", start), ("minutes", "30".into())]).await;
        assert_eq!(again.status, 409, "{again}");
        assert!(again.body.contains("data-testid=\"collides\""), "{again}");
        let today = s.page(&session, "/today").await;
        assert!(today.body.contains("沪AD80001"), "my day lists the drive");
        let schedule = s.page(&session, "/test-drives").await;
        assert!(schedule.body.contains(&at_page), "the schedule links the booking");
        let r = post(&format!("{at_page}/complete"), vec![("rating", "4".into()), ("feedback", "满意".into())]).await;
        assert_eq!(r.status, 303, "{r}");
        let show = s.page(&session, &at_page).await;
        assert!(show.body.contains("满意") && show.body.contains("已完成"), "{show}");
        let lead_page = s.page(&session, &format!("/leads/{lead}")).await;
        assert!(lead_page.body.contains(&at_page), "the lead page lists its drives");
    }
}
