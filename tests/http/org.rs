//! The dealer network and who sees which part of it: a store's staff see their
//! store, a group manager the group's stores, a regional manager the region's, and
//! the automaker's own staff everything.

use autocrm_domain::access::Role;
use autocrm_tests::both_engines;
use autocrm_tests::fixture::*;
use autocrm_tests::{Reply, TestServer};
use reqwest::Method;
use serde_json::{Value, json};

fn codes(r: &Reply) -> Vec<String> {
    assert_eq!(r.status, 200, "{r}");
    let mut c: Vec<String> = r.json()["items"].as_array().expect("items").iter().map(|d| d["code"].as_str().unwrap().to_string()).collect();
    c.sort();
    c
}

async fn dealers_seen_by(s: &TestServer, username: &str) -> Vec<String> {
    codes(&s.get(&s.token(username).await, "/api/v1/dealers").await)
}

both_engines! {
    async fn dealer_staff_cannot_see_another_dealer(s) {
        for who in [SHA01_MANAGER, SHA01_CONSULTANT, SHA01_ADVISOR] {
            let token = s.token(who).await;
            assert_eq!(dealers_seen_by(&s, who).await, ["SHA01"], "{who}");
            s.get(&token, &format!("/api/v1/dealers/{}", s.org.dealer_b)).await.assert_error(404, "not_found");
            assert_eq!(s.get(&token, &format!("/api/v1/dealers/{}", s.org.dealer_a)).await.status, 200, "{who} sees their own store");
            // Searching for the other store by its code finds nothing either.
            assert!(codes(&s.get(&token, "/api/v1/dealers?q=GZB01").await).is_empty(), "{who}");
            assert!(codes(&s.get(&token, &format!("/api/v1/dealers?region_id={}", s.org.south)).await).is_empty(), "{who}");
        }
    }
}

both_engines! {
    async fn a_group_manager_sees_only_the_groups_dealers(s) {
        assert_eq!(dealers_seen_by(&s, HXG_MANAGER).await, ["SHA01"]);
        let token = s.token(HXG_MANAGER).await;
        for other in [s.org.dealer_b, s.org.dealer_c] {
            s.get(&token, &format!("/api/v1/dealers/{other}")).await.assert_error(404, "not_found");
        }
        assert_eq!(codes(&s.get(&token, "/api/v1/dealer-groups").await), ["HXG"]);
    }
}

both_engines! {
    async fn a_regional_manager_sees_only_the_regions_dealers(s) {
        assert_eq!(dealers_seen_by(&s, EAST_MANAGER).await, ["HZC01", "SHA01"]);
        let token = s.token(EAST_MANAGER).await;
        s.get(&token, &format!("/api/v1/dealers/{}", s.org.dealer_b)).await.assert_error(404, "not_found");
        assert_eq!(codes(&s.get(&token, "/api/v1/regions").await), ["EAST"]);
        s.get(&token, &format!("/api/v1/regions/{}", s.org.south)).await.assert_error(404, "not_found");
    }
}

both_engines! {
    async fn the_automakers_staff_see_every_dealer(s) {
        for role in [Role::Admin, Role::OemSalesOps, Role::OemMarketing, Role::CacAgent, Role::TechSupport] {
            assert_eq!(dealers_seen_by(&s, s.org.user(role).username).await, ["GZB01", "HZC01", "SHA01"], "{role}");
        }
        let token = s.token(CAC_AGENT).await;
        assert_eq!(codes(&s.get(&token, "/api/v1/regions").await), ["EAST", "SOUTH"]);
    }
}

both_engines! {
    async fn a_store_sees_its_own_region_and_departments_only(s) {
        let token = s.token(SHA01_MANAGER).await;
        assert_eq!(codes(&s.get(&token, "/api/v1/regions").await), ["EAST"]);
        let departments = s.get(&token, "/api/v1/departments").await.json();
        let mut ids: Vec<i64> = departments["items"].as_array().unwrap().iter().map(|d| d["id"].as_i64().unwrap()).collect();
        ids.sort();
        assert_eq!(ids, [s.org.sales_a, s.org.service_a]);
        s.get(&token, &format!("/api/v1/departments/{}", s.org.sales_b)).await.assert_error(404, "not_found");
    }
}

both_engines! {
    async fn a_dealer_manager_cannot_change_another_dealers_department(s) {
        let token = s.token(SHA01_MANAGER).await;
        let path = format!("/api/v1/departments/{}", s.org.sales_b);
        let r = s.refused(s.request(Method::PATCH, &path).bearer_auth(&token).json(&json!({"version": 1, "name": "被改掉的销售部"}))).await;
        r.assert_error(404, "not_found");
        let stored = s.get(&s.token(ADMIN).await, &path).await.json();
        assert_eq!((stored["name"].clone(), stored["version"].clone()), (json!("销售部"), json!(1)));

        // Nor open a department under it.
        let r = s
            .refused(s.request(Method::POST, "/api/v1/departments").bearer_auth(&token).json(&json!({
                "dealer_id": s.org.dealer_b, "kind": "parts", "name": "配件部"
            })))
            .await;
        r.assert_invalid_field("dealer_id");

        // A consultant changes no department at all, theirs or another's.
        let consultant = s.token(SHA01_CONSULTANT).await;
        for dep in [s.org.sales_a, s.org.sales_b] {
            let r = s
                .refused(s.request(Method::PATCH, &format!("/api/v1/departments/{dep}")).bearer_auth(&consultant).json(&json!({"version": 1, "name": "改名"})))
                .await;
            r.assert_error(403, "forbidden");
        }
    }
}

both_engines! {
    async fn a_dealer_manager_runs_the_stores_departments(s) {
        let token = s.token(SHA01_MANAGER).await;
        let created = s.post(&token, "/api/v1/departments", json!({"dealer_id": s.org.dealer_a, "kind": "parts", "name": "配件部"})).await;
        assert_eq!(created.status, 201, "{created}");
        let id = created.json()["id"].as_i64().unwrap();
        assert_eq!(created.header("location"), Some(format!("/api/v1/departments/{id}").as_str()));

        let renamed = s.patch(&token, &format!("/api/v1/departments/{id}"), json!({"version": 1, "name": "配件与精品部", "active": false})).await;
        assert_eq!(renamed.status, 200, "{renamed}");
        assert_eq!(renamed.json()["name"], "配件与精品部");
        assert_eq!(renamed.json()["active"], false);

        // A store's manager opens no OEM departments (those without a dealer).
        let oem = s.refused(s.request(Method::POST, "/api/v1/departments").bearer_auth(&token).json(&json!({"kind": "cac", "name": "客户服务中心"}))).await;
        oem.assert_invalid_field("dealer_id");
        let bad_kind = s.refused(s.request(Method::POST, "/api/v1/departments").bearer_auth(&token).json(&json!({
            "dealer_id": s.org.dealer_a, "kind": "canteen", "name": "食堂"
        })))
        .await;
        bad_kind.assert_invalid_field("kind");
    }
}

both_engines! {
    async fn network_operations_open_a_dealer_that_its_region_then_sees(s) {
        let ops = s.token(SALES_OPS).await;
        let created = s
            .post(&ops, "/api/v1/dealers", json!({
                "code": "nj-c02", "name": "南京江宁东岳4S店", "level": "C", "region_id": s.org.east,
                "province": "江苏省", "city": "南京", "address": "南京市江宁区双龙大道1118号", "phone": "025-52101477"
            }))
            .await;
        assert_eq!(created.status, 201, "{created}");
        let d = created.json();
        assert_eq!(d["code"], "NJ-C02", "codes are normalized");
        assert_eq!(d["province"], "江苏", "provinces are normalized");
        assert_eq!(d["group_id"], Value::Null);
        assert_eq!(d["active"], true);

        assert_eq!(dealers_seen_by(&s, EAST_MANAGER).await, ["HZC01", "NJ-C02", "SHA01"]);
        assert_eq!(dealers_seen_by(&s, HXG_MANAGER).await, ["SHA01"]);

        // Moving it into the group brings it into the group manager's view.
        let moved = s.patch(&ops, &format!("/api/v1/dealers/{}", d["id"]), json!({"version": 1, "group_id": s.org.hxg})).await;
        assert_eq!(moved.status, 200, "{moved}");
        assert_eq!(dealers_seen_by(&s, HXG_MANAGER).await, ["NJ-C02", "SHA01"]);
        // …and `null` takes it out again.
        let out = s.patch(&ops, &format!("/api/v1/dealers/{}", d["id"]), json!({"version": 2, "group_id": null})).await;
        assert_eq!(out.json()["group_id"], Value::Null, "{out}");
    }
}

both_engines! {
    async fn a_dealer_must_point_at_an_existing_region_and_group(s) {
        let ops = s.token(SALES_OPS).await;
        let body = |region: i64, group: Option<i64>| {
            json!({"code": "XX01", "name": "测试店", "level": "D", "region_id": region, "group_id": group, "province": "上海", "city": "上海"})
        };
        let r = s.refused(s.request(Method::POST, "/api/v1/dealers").bearer_auth(&ops).json(&body(999_999, None))).await;
        r.assert_invalid_field("region_id");
        let r = s.refused(s.request(Method::POST, "/api/v1/dealers").bearer_auth(&ops).json(&body(s.org.east, Some(999_999)))).await;
        r.assert_invalid_field("group_id");
    }
}

both_engines! {
    async fn regions_and_groups_are_created_and_renamed_by_the_network_admins(s) {
        let admin = s.token(ADMIN).await;
        let region = s.post(&admin, "/api/v1/regions", json!({"code": "north", "name": "华北大区"})).await;
        assert_eq!(region.status, 201, "{region}");
        assert_eq!(region.json()["code"], "NORTH");
        let id = region.json()["id"].as_i64().unwrap();
        let renamed = s.patch(&admin, &format!("/api/v1/regions/{id}"), json!({"version": 1, "name": "华北及东北大区"})).await;
        assert_eq!(renamed.json()["name"], "华北及东北大区", "{renamed}");

        let group = s.post(&admin, "/api/v1/dealer-groups", json!({"code": "YTG", "name": "粤通汽车集团", "active": false})).await;
        assert_eq!(group.status, 201, "{group}");
        assert_eq!(group.json()["active"], false);
        let active = s.get(&admin, "/api/v1/dealer-groups?active=true").await;
        assert_eq!(codes(&active), ["HXG"]);
    }
}
