//! Vehicles and ownership over HTTP, on both engines: a vehicle is known by a valid
//! VIN for life, its plate is a real plate, its status follows the lifecycle, a
//! used car changing hands keeps its history, the odometer never goes down, and a
//! dealer never sees another dealer's vehicles.

use autocrm_domain::access::Scope;
use autocrm_domain::vehicles::Vin;
use autocrm_store::db::sql;
use autocrm_tests::both_engines;
use autocrm_tests::fixture::*;
use autocrm_tests::vehicles::customer_at;
use autocrm_tests::{Reply, TestServer};
use serde_json::{Value, json};

/// The reviewed rule of each vehicles API route (method, path, action).
#[rustfmt::skip]
pub const API_RULES: &[(&str, &str, Option<&str>)] = &[
    ("GET", "/api/v1/vehicle-models", Some("customer_read")),
    ("POST", "/api/v1/vehicle-models", Some("org_manage")),
    ("PATCH", "/api/v1/vehicle-models/{id}", Some("org_manage")),
    ("GET", "/api/v1/vehicles", Some("customer_read")),
    ("POST", "/api/v1/vehicles", Some("customer_write")),
    ("GET", "/api/v1/vehicles/{id}", Some("customer_read")),
    ("PATCH", "/api/v1/vehicles/{id}", Some("customer_write")),
    ("POST", "/api/v1/vehicles/{id}/ownership", Some("customer_write")),
    ("POST", "/api/v1/vehicles/{id}/readings", Some("customer_write")),
];

/// A valid Chinese-market VIN with serial `n`.
fn vin(n: u32) -> String {
    Vin::with_check_digit(&format!("LDYA15C10RS{n:06}")).expect("a VIN")
}

/// The same VIN with a wrong check digit.
fn wrong_check(v: &str) -> String {
    let c = v.as_bytes()[8] as char;
    let other = if c == '1' { '2' } else { '1' };
    v.chars().enumerate().map(|(i, x)| if i == 8 { other } else { x }).collect()
}

async fn model(s: &TestServer) -> i64 {
    let r = s
        .post(
            &s.token(ADMIN).await,
            "/api/v1/vehicle-models",
            json!({"code": "DY-YF-15T-HH", "brand": "东岳", "series": "岳风", "model": "1.5T 自动", "trim": "豪华版",
                   "first_service_km": 5000, "service_interval_km": 10000}),
        )
        .await;
    assert_eq!(r.status, 201, "{r}");
    r.json()["id"].as_i64().unwrap()
}

async fn register(s: &TestServer, who: &str, body: Value) -> Reply {
    s.post(&s.token(who).await, "/api/v1/vehicles", body).await
}

/// A vehicle in dealer A's stock; returns its id.
async fn stock_vehicle(s: &TestServer, n: u32) -> i64 {
    let r = register(s, SHA01_CONSULTANT, json!({"vin": vin(n), "color": "珍珠白"})).await;
    assert_eq!(r.status, 201, "{r}");
    r.json()["id"].as_i64().unwrap()
}

fn err_message(r: &Reply, field: &str) -> String {
    r.json()["error"]["fields"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["path"] == field))
        .and_then(|f| f["message"].as_str())
        .unwrap_or_default()
        .to_string()
}

both_engines! {
    async fn a_vehicle_is_registered_with_a_valid_vin_and_found_by_its_last_six(s) {
        let model_id = model(&s).await;
        let v = vin(1);
        let r = register(&s, SHA01_CONSULTANT, json!({
            "vin": format!(" {} ", v.to_lowercase()), "model_id": model_id, "plate": "沪a·12345", "color": "曜石黑",
            "engine_no": "dy15t0012345", "status": "sold", "sale_date": "2024-05-01", "mileage_km": 1200
        })).await;
        assert_eq!(r.status, 201, "{r}");
        let created = r.json();
        assert_eq!(created["vin"], v.as_str(), "the VIN is stored normalized");
        assert_eq!(created["plate"], "沪A12345", "the plate is stored normalized");
        assert_eq!(created["vin_check_ok"], true);
        assert_eq!(created["engine_no"], "DY15T0012345");
        assert_eq!(created["dealer_id"], s.org.dealer_a, "a consultant registers into their own dealer");
        assert_eq!(created["warranty_end"], "2027-05-01", "the warranty runs three years from the sale");
        assert_eq!(created["mileage_km"], 1200);
        assert!(r.header("location").is_some_and(|l| l.ends_with(&format!("/api/v1/vehicles/{}", created["id"]))));

        let token = s.token(SHA01_CONSULTANT).await;
        let tail = &v[11..];
        let found = s.get(&token, &format!("/api/v1/vehicles?q={tail}")).await;
        assert_eq!(found.json()["items"].as_array().unwrap().len(), 1, "found by the VIN's last 6: {found}");
        let by_plate = s.get(&token, "/api/v1/vehicles?q=%E6%B2%AAA123").await;
        assert_eq!(by_plate.json()["items"][0]["vin"], v.as_str(), "found by a plate prefix: {by_plate}");

        // Registered as sold without a known owner: selling it records the owner and
        // keeps the original sale date.
        let (owner, _) = customer_at(s.db(), "钱进", "13912345007", s.org.dealer_a, s.org.id(SHA01_CONSULTANT)).await;
        let owned = s.post(&token, &format!("/api/v1/vehicles/{}/ownership", created["id"]), json!({"kind": "sell", "customer_id": owner})).await;
        assert_eq!(owned.status, 200, "{owned}");
        assert_eq!(owned.json()["sale_date"], "2024-05-01");
        assert_eq!(owned.json()["ownership"][0]["customer_id"], owner);

        let d = s.get(&token, &format!("/api/v1/vehicles/{}", created["id"])).await;
        assert_eq!(d.status, 200, "{d}");
        assert_eq!(d.header("etag"), Some("\"2\""), "the sale is a new version");
        assert_eq!(d.json()["model"]["series"], "岳风");
        assert_eq!(d.json()["readings"][0]["km"], 1200, "the first mileage is the first reading");
        assert_eq!(d.json()["readings"][0]["source"], "initial");
        let (audits,): (i64,) = s.db().fetch_one(sql("SELECT COUNT(*) FROM audit_event WHERE entity = 'vehicle' AND action = 'create'", vec![])).await.unwrap();
        assert_eq!(audits, 1, "the registration is audited");
    }
}

both_engines! {
    async fn wrong_vins_and_plates_are_refused_naming_the_field(s) {
        let v = vin(2);
        let before = s.count("vehicle").await;
        let short = register(&s, SHA01_CONSULTANT, json!({"vin": &v[..16]})).await;
        short.assert_invalid_field("vin");
        let letters = register(&s, SHA01_CONSULTANT, json!({"vin": format!("{}O", &v[..16])})).await;
        letters.assert_invalid_field("vin");

        // A Chinese-market VIN always carries a real check digit: no override.
        let chinese = register(&s, SHA01_CONSULTANT, json!({"vin": wrong_check(&v), "vin_check_override": true})).await;
        chinese.assert_invalid_field("vin");
        assert_eq!(err_message(&chinese, "vin"), "has a wrong check digit");

        // A European VIN with a wrong check digit is a warning the user confirms.
        let european = Vin::with_check_digit("WDB21100412345678").unwrap();
        let european = wrong_check(&european);
        let warned = register(&s, SHA01_CONSULTANT, json!({"vin": european})).await;
        warned.assert_invalid_field("vin");
        assert!(err_message(&warned, "vin").contains("confirm"), "{warned}");
        let plate = register(&s, SHA01_CONSULTANT, json!({"vin": vin(3), "plate": "沪A1234"})).await;
        plate.assert_invalid_field("plate");
        let province = register(&s, SHA01_CONSULTANT, json!({"vin": vin(3), "plate": "加A12345"})).await;
        province.assert_invalid_field("plate");
        assert_eq!(s.count("vehicle").await, before, "nothing invalid was written");

        let kept = register(&s, SHA01_CONSULTANT, json!({"vin": european, "vin_check_override": true})).await;
        assert_eq!(kept.status, 201, "{kept}");
        assert_eq!(kept.json()["vin_check_ok"], false, "the VIN is kept, marked as unchecked");

        assert_eq!(register(&s, SHA01_CONSULTANT, json!({"vin": v})).await.status, 201);
        let again = register(&s, GZB01_MANAGER, json!({"vin": v.to_lowercase()})).await;
        again.assert_error(409, "duplicate");
        assert_eq!(again.field_paths(), ["vin"]);
    }
}

both_engines! {
    async fn status_moves_follow_the_vehicle_lifecycle(s) {
        let id = stock_vehicle(&s, 10).await;
        let token = s.token(SHA01_MANAGER).await;
        let path = format!("/api/v1/vehicles/{id}");
        s.patch(&token, &path, json!({"version": 1, "status": "in_production"})).await.assert_invalid_field("status");
        s.patch(&token, &path, json!({"version": 1, "status": "flying"})).await.assert_invalid_field("status");
        let moved = s.patch(&token, &path, json!({"version": 1, "status": "in_transit", "plate": "沪B·8K888"})).await;
        assert_eq!(moved.status, 200, "{moved}");
        assert_eq!(moved.json()["status"], "in_transit");
        assert_eq!(moved.json()["plate"], "沪B8K888");
        assert_eq!(moved.json()["version"], 2);
        s.patch(&token, &path, json!({"version": 1, "status": "in_dealer_stock"})).await.assert_error(409, "stale_version");
        s.patch(&token, &path, json!({"status": "in_dealer_stock"})).await.assert_invalid_field("version");
        let back = s.patch(&token, &path, json!({"version": 2, "status": "in_dealer_stock"})).await;
        assert_eq!(back.json()["status"], "in_dealer_stock", "{back}");
        let scrapped = s.patch(&token, &path, json!({"version": 3, "status": "scrapped"})).await;
        assert_eq!(scrapped.status, 200, "{scrapped}");
        s.patch(&token, &path, json!({"version": 4, "status": "in_dealer_stock"})).await.assert_invalid_field("status");
    }
}

both_engines! {
    async fn a_used_car_changing_hands_keeps_its_ownership_history(s) {
        let (wang, _) = customer_at(s.db(), "王芳", "13912345001", s.org.dealer_a, s.org.id(SHA01_CONSULTANT)).await;
        let (zhao, _) = customer_at(s.db(), "赵磊", "13912345002", s.org.dealer_a, s.org.id(SHA01_CONSULTANT)).await;
        let id = stock_vehicle(&s, 20).await;
        let token = s.token(SHA01_CONSULTANT).await;
        let own = format!("/api/v1/vehicles/{id}/ownership");

        // Nobody owns it yet: there is nothing to transfer.
        s.post(&token, &own, json!({"kind": "transfer", "customer_id": zhao})).await.assert_invalid_field("customer_id");
        let sold = s.post(&token, &own, json!({"kind": "sell", "customer_id": wang, "date": "2023-03-15"})).await;
        assert_eq!(sold.status, 200, "{sold}");
        assert_eq!(sold.json()["status"], "sold");
        assert_eq!(sold.json()["sale_date"], "2023-03-15");
        assert_eq!(sold.json()["warranty_end"], "2026-03-15");
        // Sold cars are not sold again from stock.
        s.post(&token, &own, json!({"kind": "sell", "customer_id": zhao})).await.assert_invalid_field("status");
        s.post(&token, &own, json!({"kind": "transfer", "customer_id": zhao, "date": "2023-01-01"})).await.assert_invalid_field("date");
        s.post(&token, &own, json!({"kind": "transfer", "customer_id": wang})).await.assert_invalid_field("customer_id");

        let moved = s.post(&token, &own, json!({"kind": "transfer", "customer_id": zhao, "date": "2025-06-01"})).await;
        assert_eq!(moved.status, 200, "{moved}");
        let periods = moved.json()["ownership"].as_array().unwrap().clone();
        assert_eq!(periods.len(), 2, "both owners stay on record: {moved}");
        assert_eq!(periods[0]["customer_id"], zhao);
        assert_eq!(periods[0]["current"], true);
        assert_eq!(periods[0]["from_date"], "2025-06-01");
        assert_eq!(periods[1]["customer_id"], wang);
        assert_eq!(periods[1]["from_date"], "2023-03-15");
        assert_eq!(periods[1]["to_date"], "2025-06-01", "the first owner's period is closed");
        assert_eq!(periods[1]["customer_name"], "王芳");
        assert_eq!(moved.json()["sale_date"], "2023-03-15", "the first sale date stays");

        // The 360 page's view: the first owner had it, the second has it.
        let wang_cars = autocrm_store::vehicles::of_customer(s.db(), &Scope::Dealer { dealer_id: s.org.dealer_a }, wang).await.unwrap();
        assert_eq!(wang_cars.len(), 1);
        assert!(!wang_cars[0].current);
        assert_eq!(wang_cars[0].to_date.map(|d| d.to_string()).as_deref(), Some("2025-06-01"));
        let zhao_cars = autocrm_store::vehicles::of_customer(s.db(), &Scope::Dealer { dealer_id: s.org.dealer_a }, zhao).await.unwrap();
        assert!(zhao_cars[0].current);
        assert_eq!(zhao_cars[0].role, "owner");

        // Both customers' timelines tell the story.
        let db = s.db();
        let kinds = |c: i64| async move {
            let rows: Vec<(String,)> = db.fetch_all(sql("SELECT kind FROM timeline_event WHERE customer_id = $1 ORDER BY id", vec![c.into()])).await.unwrap();
            rows.into_iter().map(|r| r.0).collect::<Vec<_>>()
        };
        assert_eq!(kinds(wang).await, ["vehicle_sold", "vehicle_handed_over"]);
        assert_eq!(kinds(zhao).await, ["vehicle_transferred"]);
    }
}

both_engines! {
    async fn the_odometer_never_goes_down_unless_the_meter_was_replaced(s) {
        let (owner, _) = customer_at(s.db(), "孙丽", "13912345003", s.org.dealer_a, s.org.id(SHA01_CONSULTANT)).await;
        let id = stock_vehicle(&s, 30).await;
        let token = s.token(SHA01_ADVISOR).await;
        let sell = s.post(&s.token(SHA01_CONSULTANT).await, &format!("/api/v1/vehicles/{id}/ownership"), json!({"kind": "sell", "customer_id": owner})).await;
        assert_eq!(sell.status, 200, "{sell}");
        let readings = format!("/api/v1/vehicles/{id}/readings");
        let first = s.post(&token, &readings, json!({"km": 12000, "source": "service"})).await;
        assert_eq!(first.status, 201, "{first}");
        let lower = s.post(&token, &readings, json!({"km": 11000})).await;
        lower.assert_invalid_field("km");
        s.post(&token, &readings, json!({"km": -5})).await.assert_invalid_field("km");
        let replaced = s.post(&token, &readings, json!({"km": 150, "meter_replaced": true})).await;
        assert_eq!(replaced.status, 201, "{replaced}");
        assert_eq!(replaced.json()["source"], "meter_replaced");
        let d = s.get(&token, &format!("/api/v1/vehicles/{id}")).await.json();
        assert_eq!(d["mileage_km"], 150, "the mileage is the latest reading");
        assert_eq!(d["readings"].as_array().unwrap().len(), 2, "the refused reading was not stored");
        let (n,): (i64,) = s.db().fetch_one(sql("SELECT COUNT(*) FROM timeline_event WHERE customer_id = $1 AND kind = 'vehicle_reading'", vec![owner.into()])).await.unwrap();
        assert_eq!(n, 2, "each reading is on the owner's timeline");
    }
}

both_engines! {
    async fn another_dealer_sees_neither_the_stock_nor_the_cars_of_customers_it_does_not_know(s) {
        let (liu, no) = customer_at(s.db(), "刘洋", "13912345004", s.org.dealer_a, s.org.id(SHA01_CONSULTANT)).await;
        let (other, _) = customer_at(s.db(), "陈晨", "13912345005", s.org.dealer_b, s.org.id(GZB01_CONSULTANT)).await;
        let stock = stock_vehicle(&s, 40).await;
        let owned = stock_vehicle(&s, 41).await;
        let a = s.token(SHA01_CONSULTANT).await;
        // Dealer A cannot sell to a customer only dealer B knows.
        s.post(&a, &format!("/api/v1/vehicles/{owned}/ownership"), json!({"kind": "sell", "customer_id": other})).await.assert_invalid_field("customer_id");
        let sold = s.post(&a, &format!("/api/v1/vehicles/{owned}/ownership"), json!({"kind": "sell", "customer_id": liu})).await;
        assert_eq!(sold.status, 200, "{sold}");

        let b = s.token(GZB01_MANAGER).await;
        for id in [stock, owned] {
            s.get(&b, &format!("/api/v1/vehicles/{id}")).await.assert_error(404, "not_found");
            s.post(&b, &format!("/api/v1/vehicles/{id}/readings"), json!({"km": 10})).await.assert_error(404, "not_found");
            s.patch(&b, &format!("/api/v1/vehicles/{id}"), json!({"version": 1, "color": "红"})).await.assert_error(404, "not_found");
            s.post(&b, &format!("/api/v1/vehicles/{id}/ownership"), json!({"kind": "transfer", "customer_id": other})).await.assert_error(404, "not_found");
        }
        let list = s.get(&b, "/api/v1/vehicles").await;
        assert_eq!(list.json()["items"].as_array().unwrap().len(), 0, "{list}");
        let by_vin = s.get(&b, &format!("/api/v1/vehicles?q={}", &vin(41)[11..])).await;
        assert_eq!(by_vin.json()["items"].as_array().unwrap().len(), 0, "{by_vin}");
        assert!(autocrm_store::vehicles::of_customer(s.db(), &Scope::Dealer { dealer_id: s.org.dealer_b }, liu).await.unwrap().is_empty());
        // Dealer B may not register stock for dealer A either.
        register(&s, GZB01_MANAGER, json!({"vin": vin(42), "dealer_id": s.org.dealer_a})).await.assert_invalid_field("dealer_id");

        // Dealer A and the OEM see both; the region sees dealer A's.
        for who in [SHA01_MANAGER, ADMIN, EAST_MANAGER] {
            let t = s.token(who).await;
            assert_eq!(s.get(&t, &format!("/api/v1/vehicles/{owned}")).await.status, 200, "{who}");
            assert_eq!(s.get(&t, &format!("/api/v1/vehicles/{stock}")).await.status, 200, "{who}");
        }

        // The car passes (through the hotline, with OEM reach) to dealer B's customer:
        // now dealer B sees the car, but neither dealer sees the other's customer.
        let moved = s.post(&s.token(ADMIN).await, &format!("/api/v1/vehicles/{owned}/ownership"), json!({"kind": "transfer", "customer_id": other})).await;
        assert_eq!(moved.status, 200, "{moved}");
        let seen_by_b = s.get(&b, &format!("/api/v1/vehicles/{owned}")).await;
        assert_eq!(seen_by_b.status, 200, "the current owner's dealer sees the car: {seen_by_b}");
        let periods = seen_by_b.json()["ownership"].clone();
        assert_eq!(periods[0]["customer_name"], "陈晨");
        assert!(
            periods[1]["customer_id"].is_null() && periods[1]["customer_name"].is_null() && periods[1]["customer_no"].is_null(),
            "dealer A's customer stays hidden: {periods}"
        );
        assert_eq!(periods[1]["current"], false);
        assert!(!seen_by_b.body.contains(&no) && !seen_by_b.body.contains("刘洋"), "{seen_by_b}");
        let seen_by_a = s.get(&a, &format!("/api/v1/vehicles/{owned}")).await.json();
        assert!(seen_by_a["ownership"][0]["customer_name"].is_null(), "dealer B's customer stays hidden from dealer A: {seen_by_a}");
        assert_eq!(seen_by_a["ownership"][1]["customer_name"], "刘洋");
    }
}

both_engines! {
    async fn the_model_catalog_is_read_by_staff_and_kept_by_the_oem(s) {
        let id = model(&s).await;
        let list = s.get(&s.token(SHA01_CONSULTANT).await, "/api/v1/vehicle-models").await;
        assert_eq!(list.json()["items"][0]["code"], "DY-YF-15T-HH", "{list}");
        let patched = s.patch(&s.token(SALES_OPS).await, &format!("/api/v1/vehicle-models/{id}"), json!({"version": 1, "trim": "尊贵版"})).await;
        assert_eq!(patched.status, 200, "{patched}");
        assert_eq!(patched.json()["trim"], "尊贵版");
        s.post(&s.token(ADMIN).await, "/api/v1/vehicle-models", json!({"code": "DY-YF-15T-HH", "brand": "东岳", "series": "岳风", "model": "x"}))
            .await
            .assert_error(409, "duplicate");
        s.post(&s.token(ADMIN).await, "/api/v1/vehicle-models", json!({"code": "", "brand": "", "series": "岳风", "model": "x"}))
            .await
            .assert_invalid_field("brand");
        assert_eq!(s.post(&s.token(SHA01_MANAGER).await, "/api/v1/vehicle-models", json!({})).await.status, 403);
    }
}

async fn post_form(s: &TestServer, session: &autocrm_tests::Session, path: &str, fields: &[(&str, &str)]) -> Reply {
    let mut form: Vec<(&str, &str)> = fields.to_vec();
    form.push(("_csrf", &session.csrf));
    autocrm_tests::http::send(s.request(reqwest::Method::POST, path).header("cookie", session.cookie_header()).form(&form)).await
}

both_engines! {
    async fn staff_register_a_vehicle_sell_it_and_record_a_reading_on_the_pages(s) {
        let (owner, no) = customer_at(s.db(), "周杰", "13912345006", s.org.dealer_a, s.org.id(SHA01_CONSULTANT)).await;
        let session = s.login_session(SHA01_CONSULTANT).await;
        assert_eq!(s.page(&session, "/vehicles/new").await.status, 200);
        let bad = post_form(&s, &session, "/vehicles", &[("vin", &wrong_check(&vin(60))), ("plate", "沪A1234"), ("status", "in_dealer_stock")]).await;
        assert_eq!(bad.status, 422, "{bad}");
        assert!(bad.body.contains("校验位"), "the VIN error is shown in Chinese: {bad}");
        assert!(bad.body.contains("aria-invalid=\"true\""), "{bad}");

        let made = post_form(&s, &session, "/vehicles", &[("vin", &vin(60)), ("plate", "沪A·6K600"), ("status", "in_dealer_stock"), ("color", "星空灰")]).await;
        assert_eq!(made.status, 303, "{made}");
        let at = made.header("location").unwrap().to_string();
        let id: i64 = at.rsplit('/').next().unwrap().parse().unwrap();
        let page = s.page(&session, &at).await;
        assert_eq!(page.status, 200, "{page}");
        assert!(page.body.contains(&vin(60)) && page.body.contains("沪A6K600"), "{page}");

        // Sold by customer number, then the odometer: a lower reading is refused on the page.
        let unknown = post_form(&s, &session, &format!("{at}/ownership"), &[("kind", "sell"), ("customer", "C99999999")]).await;
        assert_eq!(unknown.status, 422, "{unknown}");
        let sold = post_form(&s, &session, &format!("{at}/ownership"), &[("kind", "sell"), ("customer", &no)]).await;
        assert_eq!(sold.status, 303, "{sold}");
        let page = s.page(&session, &at).await;
        assert!(page.body.contains(&format!("/customers/{owner}")), "the owner links to the 360 page: {page}");
        let ok = post_form(&s, &session, &format!("{at}/readings"), &[("km", "8,800")]).await;
        assert_eq!(ok.status, 303, "{ok}");
        let lower = post_form(&s, &session, &format!("{at}/readings"), &[("km", "800")]).await;
        assert_eq!(lower.status, 422, "{lower}");
        assert!(lower.body.contains("不能低于上一次里程"), "{lower}");
        let d = s.get(&s.token(SHA01_CONSULTANT).await, &format!("/api/v1/vehicles/{id}")).await.json();
        assert_eq!(d["mileage_km"], 8800);
        assert_eq!(d["ownership"][0]["customer_id"], owner);

        let list = s.page(&session, &format!("/vehicles?q={}", &vin(60)[9..])).await;
        assert!(list.body.contains(&format!("/vehicles/{id}")), "{list}");
        // By mobile, too: a transfer back is refused (already the owner).
        let same = post_form(&s, &session, &format!("{at}/ownership"), &[("kind", "transfer"), ("customer", "139 1234 5006")]).await;
        assert_eq!(same.status, 422, "{same}");
    }
}

both_engines! {
    async fn the_demo_gives_customers_cars_with_valid_vins_plates_of_their_province_and_some_used_cars(s) {
        let mut customers = vec![];
        for i in 0..40 {
            let (dealer, staff) = if i % 2 == 0 { (s.org.dealer_a, SHA01_CONSULTANT) } else { (s.org.dealer_b, GZB01_CONSULTANT) };
            let (id, _) = customer_at(s.db(), "演示客户", &format!("1391234{:04}", 100 + i), dealer, s.org.id(staff)).await;
            customers.push((id, dealer));
        }
        let started = std::time::Instant::now();
        let mut tx = s.db().begin().await.unwrap();
        let made = autocrm_store::vehicles::demo::load(&mut tx, &customers).await.unwrap();
        tx.commit().await.unwrap();
        assert!(started.elapsed().as_secs() < 20, "the demo loads fast: {:?}", started.elapsed());
        // 40 customers × 1.2, plus three stock cars at each of the two dealers.
        assert_eq!(made, 48 + 6);
        let rows: Vec<(String, Option<String>, String, i64)> =
            s.db().fetch_all(sql("SELECT vin, plate, status, dealer_id FROM vehicle", vec![])).await.unwrap();
        for (v, plate, status, dealer) in &rows {
            assert!(Vin::parse(v).unwrap().check_ok, "{v}");
            if status == "sold" {
                let plate = autocrm_domain::vehicles::Plate::parse(plate.as_deref().unwrap()).unwrap();
                let expect = if *dealer == s.org.dealer_a { '沪' } else { '粤' };
                assert_eq!(plate.province(), expect, "{plate} of dealer {dealer}");
            }
        }
        let (used,): (i64,) = s.db().fetch_one(sql("SELECT COUNT(*) FROM (SELECT vehicle_id FROM ownership GROUP BY vehicle_id HAVING COUNT(*) = 2) t", vec![])).await.unwrap();
        assert!(used >= 2, "some used cars changed hands: {used}");
        let (open,): (i64,) = s.db().fetch_one(sql("SELECT COUNT(*) FROM ownership WHERE to_date IS NULL", vec![])).await.unwrap();
        assert_eq!(open, 48, "every sold car has exactly one current owner");
        let (readings,): (i64,) = s.db().fetch_one(sql("SELECT COUNT(*) FROM odometer_reading", vec![])).await.unwrap();
        assert!(readings >= 48 * 2, "cars have odometer histories: {readings}");
        let (models,): (i64,) = s.db().fetch_one(sql("SELECT COUNT(*) FROM vehicle_model", vec![])).await.unwrap();
        assert!(models >= 8);
        // Through the API, dealer A's consultant sees their customers' cars and stock.
        let mine = s.get(&s.token(SHA01_CONSULTANT).await, "/api/v1/vehicles?limit=500").await;
        let seen = mine.json()["items"].as_array().unwrap().len();
        assert!(seen >= 24 + 3 && seen < rows.len(), "{seen} of {}", rows.len());
    }
}
