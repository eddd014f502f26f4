//! customers over HTTP, on both engines.

/// The reviewed rule of each customers API route (method, path, action).
#[rustfmt::skip]
pub const API_RULES: &[(&str, &str, Option<&str>)] = &[
    ("GET", "/api/v1/customers", Some("customer_read")),
    ("POST", "/api/v1/customers", Some("customer_write")),
    ("GET", "/api/v1/customers/{id}", Some("customer_read")),
    ("PATCH", "/api/v1/customers/{id}", Some("customer_write")),
    ("POST", "/api/v1/customers/{id}/notes", Some("customer_write")),
    ("POST", "/api/v1/customers/{id}/commitments", Some("customer_write")),
    ("POST", "/api/v1/customers/{id}/commitments/{event_id}/done", Some("customer_write")),
    ("POST", "/api/v1/customers/{id}/reveal", Some("pii_reveal")),
    ("GET", "/api/v1/customers/{id}/timeline", Some("customer_read")),
];

use autocrm_store::db::sql;
use autocrm_tests::both_engines;
use autocrm_tests::fixture::*;
use autocrm_tests::{Engine, Reply, TestServer, query_encoded};
use serde_json::{Value, json};

/// 王小明, a walk-in at dealer A, with his mobile typed the way people type it.
fn walk_in() -> Value {
    json!({
        "name": "王小明",
        "mobile": "138 1234 5678",
        "gender": "male",
        "id_number": "11010519491231002X",
        "email": "Wang.XM@example.com",
        "address": {"province": "上海", "city": "上海", "district": "浦东新区", "line": "张杨路100弄5号"},
        "tags": ["SUV", "钓鱼"],
        "consents": [{"channel": "sms", "granted": true, "source": "showroom"}, {"channel": "phone", "granted": false}]
    })
}

#[track_caller]
fn created(r: &Reply) -> Value {
    assert_eq!(r.status, 201, "{r}");
    r.json()
}

async fn create_as(s: &TestServer, username: &str, body: Value) -> Value {
    let token = s.token(username).await;
    created(&s.post(&token, "/api/v1/customers", body).await)
}

async fn count_where(s: &TestServer, q: &str) -> i64 {
    let (n,): (i64,) = s.db().fetch_one(sql(q, vec![])).await.expect("count");
    n
}

both_engines! {
    async fn a_consultant_creates_a_person_who_opens_on_the_360_page_masked(s) {
        let token = s.token(SHA01_CONSULTANT).await;
        let c = created(&s.post(&token, "/api/v1/customers", walk_in()).await);
        assert_eq!(c["linked"], false);
        assert_eq!(c["name"], "王小明");
        assert_eq!(c["kind"], "person");
        assert_eq!(c["mobile"], "138****5678", "a consultant sees the mobile masked");
        assert_eq!(c["id_number"], "110105********002X");
        assert_eq!(c["birthday"], "1949-12-31", "the birth date comes from the ID number");
        let id = c["id"].as_i64().unwrap();
        assert_eq!(c["customer_no"], format!("C{id:08}"));

        let v = s.get(&token, &format!("/api/v1/customers/{id}")).await;
        assert_eq!(v.status, 200, "{v}");
        let v = v.json();
        let kinds: Vec<&str> = v["contact_points"].as_array().unwrap().iter().map(|p| p["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["address", "email", "mobile"]);
        assert!(v["contact_points"].as_array().unwrap().iter().all(|p| p["is_primary"] == true));
        assert!(v["contact_points"].to_string().contains("138****5678") && !v.to_string().contains("13812345678"));
        assert_eq!(v["consents"].as_array().unwrap().len(), 2);
        assert_eq!(v["dealer_links"][0]["dealer_id"], s.org.dealer_a);
        assert_eq!(v["dealer_links"][0]["kind"], "lead");
        assert_eq!(v["dealer_links"][0]["owner_user_id"], s.org.id(SHA01_CONSULTANT));
        assert_eq!(v["timeline"][0]["kind"], "created");
        assert_eq!(v["customer"]["email"], "wang.xm@example.com");
        // Searchable by the whole name, its tail and pinyin (the whole name and
        // the full pinyin are the customer's own indexed columns, not keys).
        let keys = count_where(&s, &format!("SELECT COUNT(*) FROM search_key WHERE customer_id = {id} AND key IN ('wxm', '小明')")).await;
        assert_eq!(keys, 2);
        for q in ["王小明", "小明", "wxm", "wangxiaoming", "wangxiao"] {
            let r = s.get(&token, &format!("/api/v1/search?q={}", query_encoded(q))).await;
            let hits = r.json()["hits"].as_array().cloned().unwrap_or_default();
            assert!(hits.iter().any(|h| h["customer_id"] == id), "{q} finds 王小明: {r}");
        }
        // Audited without the ID number in clear.
        let (after,): (String,) = s.db().fetch_one(sql(&format!("SELECT after_json FROM audit_event WHERE entity = 'customer' AND entity_id = {id} AND action = 'create'"), vec![])).await.unwrap();
        assert!(!after.contains("11010519491231002X") && after.contains("110105********002X"), "{after}");
    }
}

both_engines! {
    async fn an_organization_is_created_with_its_uscc_and_a_wrong_check_is_only_a_warning(s) {
        let c = create_as(&s, SHA01_MANAGER, json!({
            "kind": "enterprise", "name": "上海东岳物流有限公司", "uscc": "91350200776049653A", "landline": "021-5888 1234"
        })).await;
        assert_eq!(c["kind"], "enterprise");
        assert_eq!(c["uscc"], "91350200776049653A");
        assert_eq!(c["warnings"], json!([]));

        let token = s.token(SHA01_MANAGER).await;
        let r = s.post(&token, "/api/v1/customers", json!({"kind": "government", "name": "浦东新区机关事务管理局", "uscc": "91350200776049653B"})).await;
        let w = created(&r);
        assert_eq!(w["uscc"], "91350200776049653B");
        assert_eq!(w["warnings"][0]["path"], "uscc");
        assert_eq!(w["warnings"][0]["message"], "has a wrong check character");
    }
}

both_engines! {
    async fn invalid_input_names_every_field_and_writes_nothing(s) {
        let token = s.token(SHA01_CONSULTANT).await;
        let before = s.count("customer").await;
        let r = s.post(&token, "/api/v1/customers", json!({"name": "李四", "mobile": "12812345678", "id_number": "110105194912310021", "email": "nope"})).await;
        r.assert_invalid_field("mobile");
        r.assert_invalid_field("id_number");
        r.assert_invalid_field("email");
        s.post(&token, "/api/v1/customers", json!({"name": "李四"})).await.assert_invalid_field("mobile");
        s.post(&token, "/api/v1/customers", json!({"name": " ", "mobile": "13900001111"})).await.assert_invalid_field("name");
        s.post(&token, "/api/v1/customers", json!({"name": "李四", "mobile": "13900001111", "uscc": "91350200776049653A"})).await.assert_invalid_field("uscc");
        s.post(&token, "/api/v1/customers", json!({"kind": "alien", "name": "李四", "mobile": "13900001111"})).await.assert_invalid_field("kind");
        s.post(&token, "/api/v1/customers", json!({"kind": "enterprise", "name": "某公司", "uscc": "9135020077604965"})).await.assert_invalid_field("uscc");
        assert_eq!(s.count("customer").await, before);
    }
}

both_engines! {
    async fn the_same_mobile_at_another_dealer_links_the_existing_customer(s) {
        let first = create_as(&s, SHA01_CONSULTANT, walk_in()).await;
        let id = first["id"].as_i64().unwrap();
        let token_b = s.token(GZB01_CONSULTANT).await;
        // Dealer B cannot see dealer A's customer yet.
        s.get(&token_b, &format!("/api/v1/customers/{id}")).await.assert_error(404, "not_found");

        let r = s.post(&token_b, "/api/v1/customers", json!({"name": "王小明", "mobile": "+86 138-1234-5678", "landline": "020-38881234", "link_kind": "serviced"})).await;
        assert_eq!(r.status, 200, "{r}");
        let linked = r.json();
        assert_eq!(linked["linked"], true);
        assert_eq!(linked["id"], id, "no second customer");
        assert_eq!(count_where(&s, "SELECT COUNT(*) FROM customer WHERE name = '王小明'").await, 1);

        let v = s.get(&token_b, &format!("/api/v1/customers/{id}")).await;
        assert_eq!(v.status, 200, "dealer B sees the customer once linked: {v}");
        let v = v.json();
        let dealers: Vec<i64> = v["dealer_links"].as_array().unwrap().iter().map(|l| l["dealer_id"].as_i64().unwrap()).collect();
        assert_eq!(dealers, [s.org.dealer_a, s.org.dealer_b]);
        assert_eq!(v["dealer_links"][1]["kind"], "serviced");
        assert!(v["contact_points"].as_array().unwrap().iter().any(|p| p["kind"] == "landline" && p["value"] == "020-38881234"));
        assert_eq!(v["timeline"][0]["kind"], "linked");
        // The same ID number links too.
        let again = s.post(&s.token(CAC_AGENT).await, "/api/v1/customers", json!({"name": "王晓明", "mobile": "13900009999", "id_number": "11010519491231002x"})).await;
        assert_eq!(again.status, 200, "{again}");
        assert_eq!(again.json()["id"], id);
    }
}

both_engines! {
    async fn a_stale_version_is_refused_and_a_current_one_changes_the_customer(s) {
        let c = create_as(&s, SHA01_CONSULTANT, walk_in()).await;
        let id = c["id"].as_i64().unwrap();
        let token = s.token(SHA01_CONSULTANT).await;
        let path = format!("/api/v1/customers/{id}");
        let r = s.patch(&token, &path, json!({"version": 1, "name": "王晓明", "occupation": "教师",
            "add_contact_points": [{"kind": "mobile", "value": "13900001111", "primary": true}, {"kind": "wechat", "value": "wxm_1988"}],
            "consents": [{"channel": "sms", "granted": false, "source": "hotline"}]})).await;
        assert_eq!(r.status, 200, "{r}");
        let u = r.json();
        assert_eq!(u["version"], 2);
        assert_eq!(u["name"], "王晓明");
        assert_eq!(u["mobile"], "139****1111", "the new primary mobile");
        s.patch(&token, &path, json!({"version": 1, "occupation": "工程师"})).await.assert_error(409, "stale_version");

        let v = s.get(&token, &path).await.json();
        assert_eq!(v["customer"]["occupation"], "教师");
        let sms: Vec<&Value> = v["consents"].as_array().unwrap().iter().filter(|c| c["channel"] == "sms").collect();
        assert_eq!(sms.len(), 1);
        assert_eq!(sms[0]["granted"], false, "the latest consent is in force");
        assert_eq!(count_where(&s, &format!("SELECT COUNT(*) FROM consent WHERE customer_id = {id} AND channel = 'sms'")).await, 2, "history kept");
        use autocrm_domain::customers::ContactChannel;
        assert!(!autocrm_store::customers::may_contact(s.db(), id, ContactChannel::Sms, "marketing").await.unwrap(), "the opt-out is obeyed at once");
        assert!(!autocrm_store::customers::may_contact(s.db(), id, ContactChannel::Phone, "marketing").await.unwrap(), "refused at capture");
        assert!(!autocrm_store::customers::may_contact(s.db(), id, ContactChannel::Wechat, "marketing").await.unwrap(), "never asked");
        // The renamed customer's keys are the new name's.
        let keys = count_where(&s, &format!("SELECT COUNT(*) FROM search_key WHERE customer_id = {id} AND key = '晓明'")).await;
        let old_keys = count_where(&s, &format!("SELECT COUNT(*) FROM search_key WHERE customer_id = {id} AND key = '小明'")).await;
        assert_eq!((keys, old_keys), (1, 0));
        assert_eq!(v["timeline"][0]["kind"], "updated");
        let mobiles: Vec<&Value> = v["contact_points"].as_array().unwrap().iter().filter(|p| p["kind"] == "mobile").collect();
        assert_eq!(mobiles.len(), 2);
        assert_eq!(mobiles.iter().filter(|p| p["is_primary"] == true).count(), 1);

        // Remove the primary: the other mobile takes over.
        let primary = mobiles.iter().find(|p| p["is_primary"] == true).unwrap()["id"].as_i64().unwrap();
        let r = s.patch(&token, &path, json!({"version": 2, "remove_contact_points": [primary]})).await;
        assert_eq!(r.json()["mobile"], "138****5678", "{r}");
        s.patch(&token, &path, json!({"version": 3, "add_contact_points": [{"kind": "mobile", "value": "123"}]})).await.assert_invalid_field("add_contact_points[0]");
    }
}

both_engines! {
    async fn relationships_are_stored_both_ways(s) {
        let a = create_as(&s, SHA01_MANAGER, walk_in()).await["id"].as_i64().unwrap();
        let b = create_as(&s, SHA01_MANAGER, json!({"name": "李娜", "mobile": "13700001234"})).await["id"].as_i64().unwrap();
        let token = s.token(SHA01_MANAGER).await;
        let r = s.patch(&token, &format!("/api/v1/customers/{a}"), json!({"version": 1, "relationships": [{"related_id": b, "kind": "referred_by"}]})).await;
        assert_eq!(r.status, 200, "{r}");
        let vb = s.get(&token, &format!("/api/v1/customers/{b}")).await.json();
        assert_eq!(vb["relationships"][0]["kind"], "referred");
        assert_eq!(vb["relationships"][0]["related_name"], "王小明");
        // A customer of another dealer cannot be related.
        let other = create_as(&s, GZB01_MANAGER, json!({"name": "陈刚", "mobile": "13600001234"})).await["id"].as_i64().unwrap();
        s.patch(&token, &format!("/api/v1/customers/{a}"), json!({"version": 2, "relationships": [{"related_id": other, "kind": "family"}]}))
            .await
            .assert_invalid_field("relationships[0].related_id");
    }
}

both_engines! {
    async fn a_consultant_sees_masked_identifiers_and_a_cac_agent_reveals_them_audited(s) {
        let id = create_as(&s, SHA01_CONSULTANT, walk_in()).await["id"].as_i64().unwrap();
        let consultant = s.token(SHA01_CONSULTANT).await;
        let list = s.get(&consultant, "/api/v1/customers").await.json();
        assert_eq!(list["items"][0]["mobile"], "138****5678");
        s.post(&consultant, &format!("/api/v1/customers/{id}/reveal"), json!({"field": "mobile"})).await.assert_error(403, "forbidden");

        let cac = s.token(CAC_AGENT).await;
        let v = s.get(&cac, &format!("/api/v1/customers/{id}")).await.json();
        assert_eq!(v["customer"]["mobile"], "138****5678", "even the CAC sees it masked until revealed");
        let r = s.post(&cac, &format!("/api/v1/customers/{id}/reveal"), json!({"field": "mobile"})).await;
        assert_eq!(r.status, 200, "{r}");
        assert_eq!(r.json()["value"], "13812345678");
        let r = s.post(&cac, &format!("/api/v1/customers/{id}/reveal"), json!({"field": "id_number"})).await;
        assert_eq!(r.json()["value"], "11010519491231002X");
        s.post(&cac, &format!("/api/v1/customers/{id}/reveal"), json!({"field": "salary"})).await.assert_invalid_field("field");
        let reveals = count_where(&s, &format!("SELECT COUNT(*) FROM audit_event WHERE action = 'reveal' AND entity_id = {id} AND actor_name = '{CAC_AGENT}'")).await;
        assert_eq!(reveals, 2);
    }
}

both_engines! {
    async fn dealer_a_staff_cannot_read_or_change_dealer_bs_customer(s) {
        let b = create_as(&s, GZB01_CONSULTANT, json!({"name": "陈刚", "mobile": "13600001234"})).await["id"].as_i64().unwrap();
        for user in [SHA01_CONSULTANT, SHA01_MANAGER, HXG_MANAGER] {
            let t = s.token(user).await;
            let path = format!("/api/v1/customers/{b}");
            s.get(&t, &path).await.assert_error(404, "not_found");
            s.get(&t, &format!("{path}/timeline")).await.assert_error(404, "not_found");
            s.patch(&t, &path, json!({"version": 1, "name": "偷改"})).await.assert_error(404, "not_found");
            s.post(&t, &format!("{path}/notes"), json!({"text": "看不到"})).await.assert_error(404, "not_found");
            s.post(&t, &format!("{path}/commitments"), json!({"text": "x", "due_date": "2030-01-01"})).await.assert_error(404, "not_found");
            let list = s.get(&t, "/api/v1/customers?q=陈刚").await.json();
            assert_eq!(list["items"], json!([]), "{user}");
        }
        let manager = s.token(SHA01_MANAGER).await;
        s.post(&manager, &format!("/api/v1/customers/{b}/reveal"), json!({"field": "mobile"})).await.assert_error(404, "not_found");
        assert_eq!(count_where(&s, &format!("SELECT COUNT(*) FROM timeline_event WHERE customer_id = {b} AND kind = 'note'")).await, 0);
        // A colleague's customer at the same dealer is not the consultant's either (own records).
        let mine = create_as(&s, SHA01_MANAGER, json!({"name": "赵六", "mobile": "13500001234"})).await["id"].as_i64().unwrap();
        s.get(&s.token(SHA01_CONSULTANT).await, &format!("/api/v1/customers/{mine}")).await.assert_error(404, "not_found");
        // The OEM sees everyone.
        assert_eq!(s.get(&s.token(CAC_AGENT).await, &format!("/api/v1/customers/{b}")).await.status, 200);
    }
}

both_engines! {
    async fn notes_and_commitments_land_on_the_timeline_and_a_kept_promise_is_closed(s) {
        let id = create_as(&s, SHA01_CONSULTANT, walk_in()).await["id"].as_i64().unwrap();
        let t = s.token(SHA01_CONSULTANT).await;
        let base = format!("/api/v1/customers/{id}");
        let n = s.post(&t, &format!("{base}/notes"), json!({"text": "周六来试驾 岳风1.5T"})).await;
        assert_eq!(n.status, 201, "{n}");
        s.post(&t, &format!("{base}/notes"), json!({"text": "  "})).await.assert_invalid_field("text");
        let overdue = s.post(&t, &format!("{base}/commitments"), json!({"text": "免费首保", "due_date": "2020-01-31"})).await;
        assert_eq!(overdue.status, 201, "{overdue}");
        let overdue = overdue.json();
        assert_eq!(overdue["overdue"], true);
        assert_eq!(overdue["actor_name"], s.org.staff(SHA01_CONSULTANT).display_name);
        let later = s.post(&t, &format!("{base}/commitments"), json!({"text": "赠送脚垫", "due_date": "2099-12-31"})).await.json();
        assert_eq!(later["overdue"], false);
        s.post(&t, &format!("{base}/commitments"), json!({"text": "x", "due_date": "31/01/2020"})).await.assert_invalid_field("due_date");

        let v = s.get(&t, &base).await.json();
        let open: Vec<&str> = v["open_commitments"].as_array().unwrap().iter().map(|e| e["title"].as_str().unwrap()).collect();
        assert_eq!(open, ["免费首保", "赠送脚垫"], "earliest due first");
        assert_eq!(v["timeline"][0]["title"], "赠送脚垫", "newest first");

        let done = s.post(&t, &format!("{base}/commitments/{}/done", overdue["id"]), json!({})).await;
        assert_eq!(done.status, 200, "{done}");
        assert!(done.json()["done_at"].is_string());
        assert_eq!(done.json()["overdue"], false);
        let v = s.get(&t, &base).await.json();
        assert_eq!(v["open_commitments"].as_array().unwrap().len(), 1);
        // A note is not a commitment to close.
        s.post(&t, &format!("{base}/commitments/{}/done", n.json()["id"]), json!({})).await.assert_error(404, "not_found");

        let page = s.get(&t, &format!("{base}/timeline?kind=commitment&limit=1")).await.json();
        assert_eq!(page["items"].as_array().unwrap().len(), 1);
        let next = page["next_cursor"].as_str().expect("a second page");
        let page2 = s.get(&t, &format!("{base}/timeline?kind=commitment&limit=1&cursor={next}")).await.json();
        assert_eq!(page2["items"][0]["title"], "免费首保");
    }
}

both_engines! {
    async fn the_list_filters_by_name_kind_and_dealer_newest_first(s) {
        create_as(&s, SHA01_MANAGER, walk_in()).await;
        create_as(&s, SHA01_MANAGER, json!({"kind": "enterprise", "name": "上海东岳物流有限公司", "uscc": "91350200776049653A"})).await;
        create_as(&s, GZB01_MANAGER, json!({"name": "陈刚", "mobile": "13600001234"})).await;
        let admin = s.token(ADMIN).await;
        let names = |r: Reply| -> Vec<String> { r.json()["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_string()).collect() };
        assert_eq!(names(s.get(&admin, "/api/v1/customers").await), ["陈刚", "上海东岳物流有限公司", "王小明"]);
        assert_eq!(names(s.get(&admin, "/api/v1/customers?kind=enterprise").await), ["上海东岳物流有限公司"]);
        assert_eq!(names(s.get(&admin, &format!("/api/v1/customers?dealer_id={}", s.org.dealer_b)).await), ["陈刚"]);
        assert_eq!(names(s.get(&admin, "/api/v1/customers?q=wxm").await), ["王小明"]);
        assert_eq!(names(s.get(&admin, "/api/v1/customers?q=5678").await), ["王小明"]);
        let p1 = s.get(&admin, "/api/v1/customers?limit=2").await.json();
        let p2 = s.get(&admin, &format!("/api/v1/customers?limit=2&cursor={}", p1["next_cursor"].as_str().unwrap())).await;
        assert_eq!(names(p2), ["王小明"]);
        s.get(&admin, "/api/v1/customers?kind=alien").await.assert_invalid_field("kind");
    }
}

both_engines! {
    async fn the_demo_has_hundreds_of_customers_with_histories_and_planted_duplicates(engine: Engine) {
        let t = autocrm_tests::TestDatabase::create(engine).await;
        let db = t.db();
        autocrm_store::migrations::apply(db).await.expect("migrations");
        let started = std::time::Instant::now();
        autocrm_store::demo::ensure(db).await.expect("demo data");
        let elapsed = started.elapsed();
        eprintln!("demo on {engine:?}: {elapsed:?}");
        let one = |q: &'static str| async move { db.fetch_one::<(i64,)>(sql(q, vec![])).await.expect(q).0 };
        let customers = one("SELECT COUNT(*) FROM customer").await;
        assert!((250..=400).contains(&customers), "{customers} customers");
        assert!(one("SELECT COUNT(*) FROM customer WHERE kind <> 'person' AND uscc IS NOT NULL").await >= 15, "organizations with a USCC");
        assert!(one("SELECT COUNT(*) FROM customer WHERE id_number IS NOT NULL").await >= 60);
        assert!(one("SELECT COUNT(*) FROM (SELECT customer_id FROM customer_dealer GROUP BY customer_id HAVING COUNT(DISTINCT dealer_id) > 1) x").await >= 10, "customers known to two dealers");
        assert!(one("SELECT COUNT(*) FROM consent WHERE granted = FALSE").await >= 20, "opt-outs");
        assert!(one("SELECT COUNT(*) FROM timeline_event WHERE kind = 'note'").await >= 50);
        assert!(one("SELECT COUNT(*) FROM timeline_event WHERE kind = 'commitment' AND done_at IS NULL AND due_date < CURRENT_DATE").await >= 3, "overdue commitments");
        assert!(one("SELECT COUNT(*) FROM relationship").await >= 20);
        // Owners are the demo consultants.
        assert!(one("SELECT COUNT(*) FROM customer_dealer l JOIN app_user u ON u.id = l.owner_user_id WHERE u.username = 'consultant'").await >= 20);
        assert!(one("SELECT COUNT(*) FROM customer_dealer l JOIN app_user u ON u.id = l.owner_user_id WHERE u.username = 'consultant2'").await >= 20);
        // Planted: 5 pairs with the same name and address, 3 pairs sharing a landline.
        let same_address = one(
            "SELECT COUNT(*) FROM (SELECT c.name, p.value FROM customer c JOIN contact_point p ON p.customer_id = c.id AND p.kind = 'address' \
             GROUP BY c.name, p.value HAVING COUNT(DISTINCT c.id) = 2) x",
        )
        .await;
        assert!(same_address >= 5, "{same_address} same-name same-address pairs");
        let shared_landline = one(
            "SELECT COUNT(*) FROM (SELECT p.value FROM contact_point p WHERE p.kind = 'landline' AND p.value LIKE '021-%' \
             GROUP BY p.value HAVING COUNT(DISTINCT p.customer_id) = 2) x",
        )
        .await;
        assert!(shared_landline >= 3, "{shared_landline} shared landlines");
        // No two customers share a mobile (that would be one customer).
        assert_eq!(one("SELECT COUNT(*) FROM (SELECT value FROM contact_point WHERE kind = 'mobile' GROUP BY value HAVING COUNT(*) > 1) x").await, 0);
        assert!(elapsed < std::time::Duration::from_secs(if engine == Engine::Sqlite { 3 } else { 10 }), "the demo loads in {elapsed:?}");
    }
}

both_engines! {
    async fn group_and_region_managers_see_their_stores_customers_and_no_others(s) {
        let id = autocrm_tests::customers::walk_in_at_dealer_a(s.db(), &s.org).await;
        for user in [HXG_MANAGER, EAST_MANAGER, SHA01_MANAGER, SHA01_ADVISOR, SHA01_CONSULTANT, CAC_AGENT] {
            let r = s.get(&s.token(user).await, &format!("/api/v1/customers/{id}")).await;
            assert_eq!(r.status, 200, "{user}: {r}");
        }
        for user in [GZB01_MANAGER, GZB01_CONSULTANT] {
            s.get(&s.token(user).await, &format!("/api/v1/customers/{id}")).await.assert_error(404, "not_found");
        }
        // A group manager must say which of the group's stores a new customer belongs to.
        let hxg = s.token(HXG_MANAGER).await;
        s.post(&hxg, "/api/v1/customers", json!({"name": "孙七", "mobile": "13300001234"})).await.assert_invalid_field("dealer_id");
        s.post(&hxg, "/api/v1/customers", json!({"name": "孙七", "mobile": "13300001234", "dealer_id": s.org.dealer_b})).await.assert_invalid_field("dealer_id");
        created(&s.post(&hxg, "/api/v1/customers", json!({"name": "孙七", "mobile": "13300001234", "dealer_id": s.org.dealer_a})).await);
    }
}

both_engines! {
    async fn the_pages_capture_a_walk_in_and_show_it_masked_with_an_audited_reveal(s) {
        use reqwest::header::COOKIE;
        let consultant = s.login_session(SHA01_CONSULTANT).await;
        let post = |session: &autocrm_tests::Session, path: &str, form: Vec<(&'static str, String)>| {
            let mut form = form;
            form.push(("_csrf", session.csrf.clone()));
            autocrm_tests::http::send(s.request(reqwest::Method::POST, path).header(COOKIE, session.cookie_header()).form(&form))
        };
        let r = post(&consultant, "/customers", vec![("name", "王小明".into()), ("mobile", "".into())]).await;
        assert_eq!(r.status, 422, "{r}");
        assert!(r.body.contains("aria-invalid"), "the mobile field is marked: {r}");
        assert_eq!(s.count("customer").await, 0);

        let r = post(&consultant, "/customers", vec![("name", "王小明".into()), ("mobile", "138 1234 5678".into()), ("consent_sms", "on".into())]).await;
        assert_eq!(r.status, 303, "{r}");
        let at = r.header("location").expect("to the 360 page").to_string();
        assert!(at.ends_with("?done=created"), "{at}");
        let page = s.page(&consultant, &at).await;
        assert_eq!(page.status, 200, "{page}");
        assert!(page.body.contains("138****5678") && !page.body.contains("13812345678"), "masked on the page");
        assert!(!page.body.contains("/reveal"), "no reveal button for a consultant");
        let id: i64 = at.trim_start_matches("/customers/").split('?').next().unwrap().parse().unwrap();

        let r = post(&consultant, &format!("/customers/{id}/notes"), vec![("text", "周六来试驾".into())]).await;
        assert_eq!(r.status, 303, "{r}");
        assert!(s.page(&consultant, &format!("/customers/{id}")).await.body.contains("周六来试驾"));

        let manager = s.login_session(SHA01_MANAGER).await;
        let page = s.page(&manager, &format!("/customers/{id}")).await;
        assert!(page.body.contains(&format!("/customers/{id}/reveal")), "a reveal button for a manager");
        let r = post(&manager, &format!("/customers/{id}/reveal"), vec![("field", "mobile".into())]).await;
        assert_eq!(r.status, 200, "{r}");
        assert!(r.body.contains("13812345678"), "{r}");
        let reveals = count_where(&s, &format!("SELECT COUNT(*) FROM audit_event WHERE action = 'reveal' AND entity_id = {id}")).await;
        assert_eq!(reveals, 1);
        let r = post(&consultant, &format!("/customers/{id}/reveal"), vec![("field", "mobile".into())]).await;
        assert_eq!(r.status, 403, "{r}");

        // Another dealer's staff get the not-found page.
        let other = s.login_session(GZB01_MANAGER).await;
        assert_eq!(s.page(&other, &format!("/customers/{id}")).await.status, 404);
        assert_eq!(s.page(&other, &format!("/customers/{id}/edit")).await.status, 404);
    }
}

both_engines! {
    async fn saving_without_a_change_writes_nothing(s) {
        let id = create_as(&s, SHA01_CONSULTANT, walk_in()).await["id"].as_i64().unwrap();
        let t = s.token(SHA01_CONSULTANT).await;
        let events = s.count("timeline_event").await;
        let r = s.patch(&t, &format!("/api/v1/customers/{id}"), json!({"version": 1, "name": "王小明", "tags": ["SUV", "钓鱼"]})).await;
        assert_eq!(r.status, 200, "{r}");
        assert_eq!(r.json()["version"], 1);
        assert_eq!(s.count("timeline_event").await, events);
    }
}
