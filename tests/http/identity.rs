//! identity over HTTP, on both engines: the review queue, merges with per-field
//! choices, and undo.
//!
//! A merged customer keeps its row with `status: "merged"` and `merged_into` (the
//! survivor's id): lists and the search box no longer show it, dealer staff get
//! 404 for it (its dealer links moved to the survivor), and OEM staff reading it
//! see where it went.

use autocrm_store::customers::{self, Filter};
use autocrm_store::db::sql;
use autocrm_store::page::PageRequest;
use autocrm_store::search;
use autocrm_tests::fixture::*;
use autocrm_tests::identity::{actor, belongings, create, give_vehicle, person};
use autocrm_tests::{TestServer, both_engines};
use serde_json::{Value, json};

/// The reviewed rule of each identity API route (method, path, action).
#[rustfmt::skip]
pub const API_RULES: &[(&str, &str, Option<&str>)] = &[
    ("GET", "/api/v1/identity/reviews", Some("customer_merge")),
    ("GET", "/api/v1/identity/reviews/{id}", Some("customer_merge")),
    ("POST", "/api/v1/identity/reviews/{id}/dismiss", Some("customer_merge")),
    ("POST", "/api/v1/identity/merges", Some("customer_merge")),
    ("GET", "/api/v1/identity/merges/{id}", Some("customer_merge")),
    ("POST", "/api/v1/identity/merges/{id}/undo", Some("customer_merge")),
];

const STREET: &str = "张江路100号";

/// Two 张三 at the same address with different mobiles: one entered at dealer A,
/// one at `second_dealer_user`'s dealer. Returns (first, second).
async fn two_zhang_san(s: &TestServer, second_dealer_user: &str) -> (i64, i64) {
    let a = actor(s.db(), s.org.id(SHA01_MANAGER)).await;
    let b = actor(s.db(), s.org.id(second_dealer_user)).await;
    let first = create(s.db(), &a, person("张三", "13800000001", STREET)).await;
    let second = create(s.db(), &b, person("张三", "13900000002", "张江路 100 号")).await;
    (first, second)
}

async fn queue(s: &TestServer, user: &str) -> Vec<Value> {
    let r = s.get(&s.token(user).await, "/api/v1/identity/reviews").await;
    assert_eq!(r.status, 200, "{r}");
    r.json()["items"].as_array().cloned().unwrap_or_default()
}

async fn one(s: &TestServer, q: &str, args: Vec<i64>) -> Option<i64> {
    let args = args.into_iter().map(Into::into).collect();
    s.db().fetch_optional::<(Option<i64>,)>(sql(q, args)).await.expect("query").and_then(|r| r.0)
}

async fn count(s: &TestServer, q: &str, args: Vec<i64>) -> i64 {
    let args = args.into_iter().map(Into::into).collect();
    s.db().fetch_one::<(i64,)>(sql(q, args)).await.expect("count").0
}

both_engines! {
    /// The same name at the same address (written differently) is a pair for a
    /// person to look at, with the score and the reason.
    async fn same_name_at_the_same_address_is_queued_with_its_reasons(s) {
        let (first, second) = two_zhang_san(&s, SHA01_CONSULTANT).await;
        let items = queue(&s, SHA01_MANAGER).await;
        assert_eq!(items.len(), 1, "{items:?}");
        let pair = &items[0];
        assert_eq!((pair["a"]["id"].as_i64(), pair["b"]["id"].as_i64()), (Some(first), Some(second)), "ordered a < b");
        assert!(pair["score"].as_i64().unwrap_or(0) >= 60, "{pair}");
        assert_eq!(pair["reasons"], json!(["same_name_same_address"]));
        assert_eq!(pair["status"], "open");
        let again = s.get(&s.token(SHA01_MANAGER).await, &format!("/api/v1/identity/reviews/{}", pair["id"])).await;
        assert_eq!(again.status, 200, "{again}");
        // A different name at that address is no pair.
        let a = actor(s.db(), s.org.id(SHA01_MANAGER)).await;
        create(s.db(), &a, person("李四", "13700000003", STREET)).await;
        assert_eq!(queue(&s, SHA01_MANAGER).await.len(), 1);
    }
}

both_engines! {
    /// Two transactions that find the same pair at once (each saved one of the two
    /// customers): the second waits for the first's pair and leaves it be, instead
    /// of failing on the pair's unique index (PostgreSQL runs them side by side).
    async fn a_pair_found_by_two_transactions_at_once_is_queued_once(s) {
        let (first, second) = two_zhang_san(&s, SHA01_CONSULTANT).await;
        s.db().execute(sql("DELETE FROM identity_review", vec![])).await.unwrap();
        let a = actor(s.db(), s.org.id(SHA01_MANAGER)).await;
        let mut one = s.db().begin().await.unwrap();
        assert_eq!(autocrm_store::identity::detect(&mut one, &a, first).await.unwrap(), 1);
        let other = async {
            let mut two = s.db().begin().await?;
            let queued = autocrm_store::identity::detect(&mut two, &a, second).await?;
            two.commit().await?;
            Ok::<_, autocrm_store::StoreError>(queued)
        };
        let commit_first = async {
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            one.commit().await
        };
        let (other, first_committed) = tokio::join!(other, commit_first);
        first_committed.unwrap();
        assert_eq!(other.expect("the second transaction is not refused"), 0, "the pair is the first one's");
        assert_eq!(count(&s, "SELECT COUNT(*) FROM identity_review", vec![]).await, 1);
    }
}

both_engines! {
    /// The merge moves vehicles, contact points, consents, dealer links and the
    /// timeline to the survivor, keeps the chosen values, and retires the other.
    async fn merging_moves_all_history_to_the_survivor_with_the_chosen_values(s) {
        let (survivor, merged) = two_zhang_san(&s, GZB01_MANAGER).await;
        give_vehicle(s.db(), survivor, "LSVAB2BM0MN000001", "2021-05-01").await;
        let car = give_vehicle(s.db(), merged, "LSVAB2BM2MN000002", "2023-03-15").await;
        let merged_timeline = count(&s, "SELECT COUNT(*) FROM timeline_event WHERE customer_id = $1", vec![merged]).await;
        assert!(merged_timeline >= 1);
        let admin = s.token(ADMIN).await;
        let pair = &queue(&s, ADMIN).await[0];

        let r = s.post(&admin, "/api/v1/identity/merges",
            json!({"survivor_id": survivor, "merged_id": merged, "choices": {"mobile": "merged", "name": "survivor"}})).await;
        assert_eq!(r.status, 201, "{r}");
        let m = r.json();
        let merge_id = m["id"].as_i64().expect("merge id");
        assert_eq!(r.header("location"), Some(format!("/api/v1/identity/merges/{merge_id}").as_str()));
        assert_eq!(m["choices"]["mobile"], "merged");
        assert_eq!(m["moved"]["ownership"], 1);

        // The chosen mobile is the survivor's primary; both numbers reach it.
        let (mobile,): (Option<String>,) = s.db().fetch_one(sql("SELECT mobile FROM customer WHERE id = $1", vec![survivor.into()])).await.unwrap();
        assert_eq!(mobile.as_deref(), Some("13900000002"));
        assert_eq!(count(&s, "SELECT COUNT(*) FROM contact_point WHERE customer_id = $1 AND kind = 'mobile'", vec![survivor]).await, 2);
        assert_eq!(count(&s, "SELECT COUNT(*) FROM contact_point WHERE customer_id = $1 AND kind = 'mobile' AND is_primary = TRUE", vec![survivor]).await, 1);
        // The same address is one contact point, not two.
        assert_eq!(count(&s, "SELECT COUNT(*) FROM contact_point WHERE customer_id = $1 AND kind = 'address'", vec![survivor]).await, 2,
            "张江路100号 and 张江路 100 号 are different text, both kept");
        // Vehicles, consents, dealer links and the timeline moved.
        assert_eq!(one(&s, "SELECT customer_id FROM ownership WHERE vehicle_id = $1", vec![car]).await, Some(survivor));
        assert_eq!(count(&s, "SELECT COUNT(*) FROM consent WHERE customer_id = $1", vec![survivor]).await, 2);
        assert_eq!(count(&s, "SELECT COUNT(*) FROM customer_dealer WHERE customer_id = $1 AND dealer_id = $2", vec![survivor, s.org.dealer_b]).await, 1);
        for table in ["contact_point", "consent", "customer_dealer", "ownership", "timeline_event", "search_key"] {
            assert_eq!(count(&s, &format!("SELECT COUNT(*) FROM {table} WHERE customer_id = $1"), vec![merged]).await, 0, "{table}");
        }
        assert_eq!(count(&s, "SELECT COUNT(*) FROM timeline_event WHERE customer_id = $1 AND kind = 'merged' AND ref_id = $2", vec![survivor, merge_id]).await, 1);
        // The merged record is retired: a redirect marker for the OEM, gone from lists,
        // and dealer B (whose customer it was) now finds the golden record instead.
        let oem = actor(s.db(), s.org.id(ADMIN)).await;
        let retired = customers::get(s.db(), &oem.scope, merged).await.expect("the OEM still reads it");
        assert_eq!((retired.status.as_str(), retired.merged_into), ("merged", Some(survivor)));
        let p = PageRequest::parse(None, None, None, &[autocrm_store::page::int("id", "id")], "id").unwrap();
        let listed: Vec<i64> = customers::list(s.db(), &oem.scope, &Filter::default(), &p).await.unwrap().items.iter().map(|c| c.id).collect();
        assert!(listed.contains(&survivor) && !listed.contains(&merged), "{listed:?}");
        // The search box finds the golden record by the merged record's mobile and name.
        let by_mobile: Vec<i64> = search::find(s.db(), &oem.scope, "13900000002", 10).await.unwrap().iter().map(|h| h.customer_id).collect();
        assert_eq!(by_mobile, vec![survivor]);
        let by_name: Vec<i64> = search::find(s.db(), &oem.scope, "张三", 10).await.unwrap().iter().map(|h| h.customer_id).collect();
        assert_eq!(by_name, vec![survivor]);
        let b = actor(s.db(), s.org.id(GZB01_MANAGER)).await;
        assert!(customers::get(s.db(), &b.scope, merged).await.is_err(), "dealer staff: 404");
        assert!(customers::get(s.db(), &b.scope, survivor).await.is_ok());
        // The pair is decided and the queue is empty; the merge is on record and audited.
        assert!(queue(&s, ADMIN).await.is_empty());
        let rs = s.get(&admin, &format!("/api/v1/identity/reviews/{}", pair["id"])).await;
        assert_eq!(rs.status, 404, "a pair with a retired record is no longer shown");
        let got = s.get(&admin, &format!("/api/v1/identity/merges/{merge_id}")).await;
        assert_eq!(got.status, 200, "{got}");
        assert_eq!(got.json()["merged_id"], merged);
        assert_eq!(count(&s, "SELECT COUNT(*) FROM audit_event WHERE action = 'merge' AND entity = 'customer'", vec![]).await, 2);
        // Merging the retired record again is refused, naming the field.
        let again = s.post(&admin, "/api/v1/identity/merges", json!({"survivor_id": survivor, "merged_id": merged})).await;
        again.assert_invalid_field("merged_id");
    }
}

both_engines! {
    /// Undo puts both records back exactly — and what belonged to each, including
    /// rows the merge removed as duplicates — and the pair can be merged again.
    async fn undo_restores_both_customers_exactly_and_a_second_merge_works(s) {
        let a = actor(s.db(), s.org.id(SHA01_MANAGER)).await;
        let mut first = person("王芳", "13800000011", STREET);
        first.landlines = vec!["021-62345678".into()];
        first.emails = vec!["wf@example.com".into()];
        first.gender = Some("female".into());
        let survivor = create(s.db(), &a, first).await;
        let mut second = person("王芳", "13900000012", STREET);
        second.landlines = vec!["021-62345678".into()];
        second.occupation = Some("教师".into());
        second.birthday = Some("1985-06-01".into());
        let merged = create(s.db(), &a, second).await;
        give_vehicle(s.db(), merged, "LSVAB2BM0MN000001", "2022-01-10").await;
        s.db().execute(sql(
            "INSERT INTO relationship (customer_id, related_id, kind, created_at) VALUES ($1, $2, 'family', $3), ($2, $1, 'family', $3)",
            vec![survivor.into(), merged.into(), autocrm_store::now().into()],
        )).await.unwrap();
        let before = (belongings(s.db(), survivor).await, belongings(s.db(), merged).await);
        let admin = s.token(ADMIN).await;

        // Property: whichever record survives and whatever is chosen, merge then
        // undo leaves every row of both as it was.
        let fields = ["name", "gender", "birthday", "occupation", "mobile", "email", "address", "tags"];
        let mut seed: u64 = 0x9e37_79b9;
        let rounds = 6;
        for round in 0..rounds {
            let (keep, fold) = if round % 2 == 0 { (survivor, merged) } else { (merged, survivor) };
            let choices: serde_json::Map<String, Value> = fields.iter()
                .filter_map(|f| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                    match seed >> 62 {
                        0 => None,
                        1 => Some((f.to_string(), json!("survivor"))),
                        _ => Some((f.to_string(), json!("merged"))),
                    }
                })
                .collect();
            let r = s.post(&admin, "/api/v1/identity/merges",
                json!({"survivor_id": keep, "merged_id": fold, "choices": choices})).await;
            assert_eq!(r.status, 201, "round {round}: {r}");
            let id = r.json()["id"].as_i64().unwrap();
            assert!(r.json()["deduplicated"]["contact_point"].as_i64().unwrap_or(0) >= 2, "landline and address: {r}");
            assert_eq!(r.json()["deduplicated"]["customer_dealer"], 1, "one link per dealer and kind: {r}");
            assert_ne!((belongings(s.db(), survivor).await, belongings(s.db(), merged).await), before);
            let u = s.post(&admin, &format!("/api/v1/identity/merges/{id}/undo"), json!({})).await;
            assert_eq!(u.status, 200, "{u}");
            assert!(u.json()["undone_at"].is_string());
            let after = (belongings(s.db(), survivor).await, belongings(s.db(), merged).await);
            assert_eq!(after.0, before.0, "round {round} ({choices:?}): the first customer's rows");
            assert_eq!(after.1, before.1, "round {round} ({choices:?}): the second customer's rows");
            let twice = s.post(&admin, &format!("/api/v1/identity/merges/{id}/undo"), json!({})).await;
            twice.assert_invalid_field("merge");
        }
        assert_eq!(count(&s, "SELECT COUNT(*) FROM timeline_event WHERE customer_id = $1 AND kind = 'unmerged'", vec![merged]).await, rounds);
        assert_eq!(count(&s, "SELECT COUNT(*) FROM audit_event WHERE action = 'unmerge'", vec![]).await, 2 * rounds);
    }
}

both_engines! {
    /// Dealer scope holds in the queue and in merges: a pair is visible only to
    /// someone who sees both customers.
    async fn dealer_b_manager_cannot_see_or_merge_a_pair_with_dealer_a_customer(s) {
        let (at_a, at_b) = two_zhang_san(&s, GZB01_MANAGER).await;
        assert_eq!(queue(&s, ADMIN).await.len(), 1, "the OEM sees the pair");
        assert!(queue(&s, GZB01_MANAGER).await.is_empty());
        assert!(queue(&s, SHA01_MANAGER).await.is_empty());
        let pair = queue(&s, ADMIN).await[0]["id"].as_i64().unwrap();
        let b = s.token(GZB01_MANAGER).await;
        assert_eq!(s.get(&b, &format!("/api/v1/identity/reviews/{pair}")).await.status, 404);
        assert_eq!(s.post(&b, &format!("/api/v1/identity/reviews/{pair}/dismiss"), json!({})).await.status, 404);
        let r = s.post(&b, "/api/v1/identity/merges", json!({"survivor_id": at_b, "merged_id": at_a})).await;
        r.assert_error(404, "not_found");
        assert_eq!(s.count("customer_merge").await, 0);
        // Once the OEM merged them into dealer A's record, dealer B's manager still
        // may open it (the merged record was theirs); others may not.
        let m = s.post(&s.token(ADMIN).await, "/api/v1/identity/merges", json!({"survivor_id": at_a, "merged_id": at_b})).await;
        assert_eq!(m.status, 201, "{m}");
        let id = m.json()["id"].as_i64().unwrap();
        assert_eq!(s.get(&b, &format!("/api/v1/identity/merges/{id}")).await.status, 200, "dealer B's customer was merged: B sees the merge");
        // The group manager of dealer A sees the survivor but never saw dealer B's record.
        let g = s.token(HXG_MANAGER).await;
        assert_eq!(s.get(&g, &format!("/api/v1/identity/merges/{id}")).await.status, 404);
        assert_eq!(s.post(&g, &format!("/api/v1/identity/merges/{id}/undo"), json!({})).await.status, 404);
    }
}

both_engines! {
    /// Merging is for managers and the hotline: a sales consultant may not.
    async fn consultant_cannot_merge(s) {
        let (a, b) = two_zhang_san(&s, SHA01_CONSULTANT).await;
        let t = s.token(SHA01_CONSULTANT).await;
        s.post(&t, "/api/v1/identity/merges", json!({"survivor_id": a, "merged_id": b})).await.assert_error(403, "forbidden");
        assert_eq!(s.get(&t, "/api/v1/identity/reviews").await.status, 403);
        assert_eq!(s.count("customer_merge").await, 0);
    }
}

both_engines! {
    /// "Not the same person" takes the pair out of the queue for good.
    async fn a_dismissed_pair_stays_dismissed(s) {
        let (first, _) = two_zhang_san(&s, SHA01_CONSULTANT).await;
        let t = s.token(SHA01_MANAGER).await;
        let pair = queue(&s, SHA01_MANAGER).await[0]["id"].as_i64().unwrap();
        let r = s.post(&t, &format!("/api/v1/identity/reviews/{pair}/dismiss"), json!({})).await;
        assert_eq!(r.status, 200, "{r}");
        assert_eq!(r.json()["status"], "dismissed");
        assert!(queue(&s, SHA01_MANAGER).await.is_empty());
        s.post(&t, &format!("/api/v1/identity/reviews/{pair}/dismiss"), json!({})).await.assert_invalid_field("status");
        // Detection runs again on the next change and keeps the decision.
        let mut tx = s.db().begin().await.unwrap();
        let a = actor(s.db(), s.org.id(SHA01_MANAGER)).await;
        assert_eq!(autocrm_store::identity::detect(&mut tx, &a, first).await.unwrap(), 0);
        tx.commit().await.unwrap();
        assert!(queue(&s, SHA01_MANAGER).await.is_empty());
        assert_eq!(count(&s, "SELECT COUNT(*) FROM audit_event WHERE action = 'dismiss'", vec![]).await, 1);
    }
}

both_engines! {
    /// Choices name real fields and two different people cannot be merged.
    async fn a_merge_names_what_is_wrong(s) {
        let (a, b) = two_zhang_san(&s, SHA01_CONSULTANT).await;
        let t = s.token(SHA01_MANAGER).await;
        s.post(&t, "/api/v1/identity/merges", json!({"survivor_id": a, "merged_id": b, "choices": {"colour": "merged"}})).await
            .assert_invalid_field("choices.colour");
        s.post(&t, "/api/v1/identity/merges", json!({"survivor_id": a, "merged_id": a})).await.assert_invalid_field("merged_id");
        let r = s.post(&t, "/api/v1/identity/merges", json!({"survivor_id": a, "merged_id": b, "choices": {"name": "both"}})).await;
        assert_eq!(r.status, 422, "{r}");
        let m = actor(s.db(), s.org.id(SHA01_MANAGER)).await;
        let mut x = person("赵六", "13600000001", "世纪大道1号");
        x.id_number = Some("11010519491231002X".into());
        let mut y = person("赵六", "13600000002", "世纪大道1号");
        y.id_number = Some("440524188001010014".into());
        let (x, y) = (create(s.db(), &m, x).await, create(s.db(), &m, y).await);
        s.post(&t, "/api/v1/identity/merges", json!({"survivor_id": x, "merged_id": y})).await.assert_invalid_field("merged_id");
        assert_eq!(s.count("customer_merge").await, 0);
    }
}

both_engines! {
    /// The pages: the queue shows the pair with its translated reason, the merge
    /// screen shows both records field by field, the form merges with the chosen
    /// values and the merge page undoes it.
    async fn a_manager_merges_on_the_merge_screen_and_undoes_it(s) {
        let (first, second) = two_zhang_san(&s, SHA01_CONSULTANT).await;
        let session = s.login_session(SHA01_MANAGER).await;
        let q = s.page(&session, "/identity").await;
        assert_eq!(q.status, 200, "{q}");
        assert!(q.body.contains("同名同地址"), "the reason, translated: {q}");
        let pair = queue(&s, SHA01_MANAGER).await[0]["id"].as_i64().unwrap();
        assert!(q.body.contains(&format!("/identity/reviews/{pair}")));
        let screen = s.page(&session, &format!("/identity/reviews/{pair}")).await;
        assert_eq!(screen.status, 200, "{screen}");
        for text in ["data-field=\"mobile\"", "139****0002", "138****0001", "张江路100号", "name=\"survivor\""] {
            assert!(screen.body.contains(text), "{text} on the merge screen");
        }
        assert!(!screen.body.contains("13900000002"), "mobiles stay masked on the merge screen");
        // Keep the second record, with the first one's mobile.
        let post = |path: String, form: Vec<(&'static str, String)>| {
            let mut form = form;
            form.push(("_csrf", session.csrf.clone()));
            autocrm_tests::http::send(
                s.request(reqwest::Method::POST, &path).header(reqwest::header::COOKIE, session.cookie_header()).form(&form),
            )
        };
        let r = post(format!("/identity/reviews/{pair}/merge"), vec![("survivor", "b".into()), ("f_mobile", "a".into()), ("f_name", "b".into())]).await;
        assert_eq!(r.status, 303, "{r}");
        let to = r.header("location").unwrap().to_string();
        assert!(to.starts_with("/identity/merges/"), "{to}");
        assert_eq!(one(&s, "SELECT merged_into FROM customer WHERE id = $1", vec![first]).await, Some(second));
        let (mobile,): (Option<String>,) = s.db().fetch_one(sql("SELECT mobile FROM customer WHERE id = $1", vec![second.into()])).await.unwrap();
        assert_eq!(mobile.as_deref(), Some("13800000001"), "the chosen mobile survived");
        let page = s.page(&session, &to).await;
        assert_eq!(page.status, 200, "{page}");
        assert!(page.body.contains("id=\"undo\""), "{page}");
        let u = post(format!("{to}/undo"), vec![]).await;
        assert_eq!(u.status, 303, "{u}");
        assert_eq!(one(&s, "SELECT merged_into FROM customer WHERE id = $1", vec![first]).await, None);
        let page = s.page(&session, &to).await;
        assert!(!page.body.contains("id=\"undo\""), "undone: no second undo button");
        // Back in the queue; "not the same person" takes it out.
        let d = post(format!("/identity/reviews/{pair}/dismiss"), vec![]).await;
        assert_eq!(d.status, 303, "{d}");
        assert!(queue(&s, SHA01_MANAGER).await.is_empty());
    }
}

both_engines! {
    /// Evidence is found through the landline and the VIN too, not only by name
    /// within a city: the same name with the same landline in two cities, and one
    /// vehicle recorded for two owners at overlapping dates.
    async fn a_shared_landline_or_vehicle_puts_a_pair_in_the_queue(s) {
        let a = actor(s.db(), s.org.id(SHA01_MANAGER)).await;
        let mut x = person("孙丽", "13500000001", "南京西路1号");
        x.landlines = vec!["021-62345678".into()];
        let mut y = person("孙丽", "13500000002", "天河路2号");
        y.landlines = vec!["021-6234 5678 转 801".into()];
        y.addresses[0].province = Some("广东省".into());
        y.addresses[0].city = Some("广州市".into());
        y.addresses[0].district = Some("天河区".into());
        let (x, y) = (create(s.db(), &a, x).await, create(s.db(), &a, y).await);
        let items = queue(&s, SHA01_MANAGER).await;
        assert_eq!(items.len(), 1, "{items:?}");
        assert_eq!(items[0]["reasons"], json!(["same_name_same_landline"]));
        assert_eq!((items[0]["a"]["id"].as_i64(), items[0]["b"]["id"].as_i64()), (Some(x), Some(y)));

        let p = create(s.db(), &a, person("钱伟", "13500000003", "陆家嘴环路100号")).await;
        let q = create(s.db(), &a, person("赵强", "13500000004", "世纪大道200号")).await;
        give_vehicle(s.db(), p, "LSVAB2BM0MN000001", "2022-01-10").await;
        let car: (i64,) = s.db().fetch_one(sql("SELECT id FROM vehicle WHERE vin = $1", vec!["LSVAB2BM0MN000001".into()])).await.unwrap();
        s.db().execute(sql(
            "INSERT INTO ownership (vehicle_id, customer_id, role, from_date, created_at) VALUES ($1, $2, 'owner', $3, $4)",
            vec![car.0.into(), q.into(), chrono::NaiveDate::from_ymd_opt(2023, 6, 1).unwrap().into(), autocrm_store::now().into()],
        )).await.unwrap();
        let mut tx = s.db().begin().await.unwrap();
        assert_eq!(autocrm_store::identity::detect(&mut tx, &a, q).await.unwrap(), 1);
        tx.commit().await.unwrap();
        let items = queue(&s, SHA01_MANAGER).await;
        let vin_pair = items.iter().find(|i| i["a"]["id"] == p && i["b"]["id"] == q).expect("the VIN pair");
        assert_eq!(vin_pair["reasons"], json!(["same_vin_overlapping_ownership"]));
        // A customer is never paired with itself, and detecting again queues nothing new.
        let mut tx = s.db().begin().await.unwrap();
        assert_eq!(autocrm_store::identity::detect(&mut tx, &a, p).await.unwrap(), 0);
        tx.commit().await.unwrap();
        assert_eq!(count(&s, "SELECT COUNT(*) FROM identity_review WHERE customer_a = customer_b", vec![]).await, 0);
    }
}
