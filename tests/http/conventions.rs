//! What every JSON resource promises API clients: safe retries with
//! `Idempotency-Key`, optimistic concurrency with versions, and one error shape for
//! every bad request — a 4xx naming the field, never a 500, nothing written.

use autocrm_store::db::sql;
use autocrm_tests::both_engines;
use autocrm_tests::fixture::*;
use autocrm_tests::http::send;
use reqwest::Method;
use serde_json::{Value, json};

fn new_dealer(s: &autocrm_tests::TestServer) -> Value {
    json!({
        "code": "SHD02", "name": "上海嘉定东岳4S店", "level": "B", "region_id": s.org.east,
        "province": "上海", "city": "上海", "address": "上海市嘉定区曹安公路4999号"
    })
}

// ---- idempotent POST ----------------------------------------------------------------------

both_engines! {
    async fn retrying_a_post_with_the_same_idempotency_key_creates_one_record(s) {
        let ops = s.token(SALES_OPS).await;
        let body = new_dealer(&s);
        let post = || {
            send(s.request(Method::POST, "/api/v1/dealers").bearer_auth(&ops).header("idempotency-key", "dms-import-7f3a").json(&body))
        };
        let first = post().await;
        assert_eq!(first.status, 201, "{first}");
        assert_eq!(first.header("idempotent-replayed"), None);
        let audit_before = s.count("audit_event").await;

        let retry = post().await;
        assert_eq!(retry.status, 201, "{retry}");
        assert_eq!(retry.header("idempotent-replayed"), Some("true"));
        assert_eq!(retry.body, first.body, "the retry gets the first answer, byte for byte");
        assert_eq!(retry.header("content-type"), Some("application/json"));
        assert!(first.header("location").is_some());
        assert_eq!(retry.header("location"), first.header("location"), "the retry learns where the record is");
        assert_eq!(retry.header("etag"), first.header("etag"));

        let (n,): (i64,) =
            s.db().fetch_one(sql("SELECT COUNT(*) FROM dealer WHERE code = $1", vec!["SHD02".into()])).await.unwrap();
        assert_eq!(n, 1, "one dealer, however often the client retries");
        assert_eq!(s.count("audit_event").await, audit_before, "and one audit entry");
        let listed = s.get(&ops, "/api/v1/dealers?q=SHD02").await.json();
        assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    }
}

both_engines! {
    async fn reusing_an_idempotency_key_for_a_different_request_is_422(s) {
        let ops = s.token(SALES_OPS).await;
        let post = |body: Value| {
            s.request(Method::POST, "/api/v1/dealers").bearer_auth(&ops).header("idempotency-key", "dms-import-7f3a").json(&body)
        };
        assert_eq!(send(post(new_dealer(&s))).await.status, 201);

        let mut other = new_dealer(&s);
        other["code"] = json!("SHD03");
        let r = s.refused(post(other)).await;
        r.assert_invalid_field("Idempotency-Key");
        let (n,): (i64,) =
            s.db().fetch_one(sql("SELECT COUNT(*) FROM dealer WHERE code = $1", vec!["SHD03".into()])).await.unwrap();
        assert_eq!(n, 0);
    }
}

both_engines! {
    async fn a_refused_post_does_not_use_up_its_idempotency_key(s) {
        let ops = s.token(SALES_OPS).await;
        let post = |body: Value| {
            s.request(Method::POST, "/api/v1/dealers").bearer_auth(&ops).header("idempotency-key", "dms-import-7f3a").json(&body)
        };
        let mut bad = new_dealer(&s);
        bad["province"] = json!("加州");
        s.refused(post(bad)).await.assert_invalid_field("province");

        let corrected = send(post(new_dealer(&s))).await;
        assert_eq!(corrected.status, 201, "the client fixes the request and retries with the same key: {corrected}");
        assert_eq!(corrected.header("idempotent-replayed"), None);
    }
}

both_engines! {
    async fn idempotency_keys_belong_to_the_user_who_sent_them(s) {
        let ops = s.token(SALES_OPS).await;
        let admin = s.token(ADMIN).await;
        let region = |token: &str, code: &str| {
            s.request(Method::POST, "/api/v1/regions")
                .bearer_auth(token)
                .header("idempotency-key", "same-key")
                .json(&json!({"code": code, "name": format!("{code} 大区")}))
        };
        let a = send(region(&ops, "NORTH")).await;
        let b = send(region(&admin, "WEST")).await;
        assert_eq!((a.status, b.status), (201, 201), "{a} / {b}");
        assert_eq!(b.header("idempotent-replayed"), None);
        assert_ne!(a.json()["id"], b.json()["id"]);
    }
}

// ---- optimistic concurrency ------------------------------------------------------------------

both_engines! {
    async fn a_record_carries_its_version_as_the_etag(s) {
        let r = s.get(&s.token(SALES_OPS).await, &format!("/api/v1/dealers/{}", s.org.dealer_a)).await;
        assert_eq!(r.status, 200, "{r}");
        assert_eq!(r.header("etag"), Some("\"1\""));
        assert_eq!(r.json()["version"], 1);
        assert_eq!(r.json()["code"], "SHA01");
    }
}

both_engines! {
    async fn an_update_with_a_stale_version_is_409_and_changes_nothing(s) {
        let ops = s.token(SALES_OPS).await;
        let path = format!("/api/v1/dealers/{}", s.org.dealer_a);

        let first = s.patch(&ops, &path, json!({"version": 1, "phone": "021-58881234"})).await;
        assert_eq!(first.status, 200, "{first}");
        assert_eq!(first.header("etag"), Some("\"2\""));
        assert_eq!(first.json()["phone"], "021-58881234");

        // A second editor still holding version 1.
        let stale = s.patch(&ops, &path, json!({"version": 1, "name": "浦东旗舰店"})).await;
        let e = stale.assert_error(409, "stale_version");
        assert_eq!(e["current_version"], 2);

        let now = s.get(&ops, &path).await;
        assert_eq!(now.json()["name"], "上海浦东东岳4S店", "the stale write changed nothing");
        assert_eq!(now.json()["phone"], "021-58881234");
        assert_eq!(now.header("etag"), Some("\"2\""));
    }
}

both_engines! {
    async fn if_match_carries_the_version_too(s) {
        let ops = s.token(SALES_OPS).await;
        let path = format!("/api/v1/dealers/{}", s.org.dealer_a);
        let patch = |etag: &str, body: Value| {
            send(s.request(Method::PATCH, &path).bearer_auth(&ops).header("if-match", etag).json(&body))
        };
        let ok = patch("\"1\"", json!({"level": "B"})).await;
        assert_eq!(ok.status, 200, "{ok}");
        assert_eq!(ok.header("etag"), Some("\"2\""));

        let stale = patch("\"1\"", json!({"level": "C"})).await;
        assert_eq!(stale.assert_error(409, "stale_version")["current_version"], 2);

        let weak = patch("W/\"2\"", json!({"level": "C"})).await;
        assert_eq!(weak.status, 200, "a weak validator names the same version: {weak}");
        assert_eq!(weak.json()["level"], "C");
        assert_eq!(weak.json()["version"], 3);
    }
}

both_engines! {
    async fn an_update_without_a_version_is_422_naming_it(s) {
        let ops = s.token(SALES_OPS).await;
        let r = s
            .refused(s.request(Method::PATCH, &format!("/api/v1/dealers/{}", s.org.dealer_a)).bearer_auth(&ops).json(&json!({"name": "新名字"})))
            .await;
        r.assert_invalid_field("version");
    }
}

both_engines! {
    async fn of_two_simultaneous_updates_from_the_same_version_exactly_one_wins(s) {
        let ops = s.token(SALES_OPS).await;
        let path = format!("/api/v1/departments/{}", s.org.sales_a);
        let edit = |name: &str| s.patch(&ops, &path, json!({"version": 1, "name": name}));
        let (a, b, c, d) = tokio::join!(edit("销售一部"), edit("销售二部"), edit("销售三部"), edit("销售四部"));
        let replies = [a, b, c, d];
        let won: Vec<_> = replies.iter().filter(|r| r.status == 200).collect();
        assert_eq!(won.len(), 1, "{replies:?}");
        for lost in replies.iter().filter(|r| r.status != 200) {
            assert_eq!(lost.assert_error(409, "stale_version")["current_version"], 2);
        }
        let stored = s.get(&ops, &path).await.json();
        assert_eq!(stored["version"], 2);
        assert_eq!(stored["name"], won[0].json()["name"]);
    }
}

// ---- the error shape -------------------------------------------------------------------------

both_engines! {
    async fn malformed_json_is_400_and_writes_nothing(s) {
        let ops = s.token(SALES_OPS).await;
        let r = s
            .refused(
                s.request(Method::POST, "/api/v1/dealers")
                    .bearer_auth(&ops)
                    .header("content-type", "application/json")
                    .body(r#"{"code": "SHD02", "name": "#),
            )
            .await;
        r.assert_error(400, "malformed_request");
    }
}

both_engines! {
    async fn a_wrong_type_is_422_naming_the_field(s) {
        let ops = s.token(SALES_OPS).await;
        let mut body = new_dealer(&s);
        body["region_id"] = json!("EAST");
        let r = s.refused(s.request(Method::POST, "/api/v1/dealers").bearer_auth(&ops).json(&body)).await;
        r.assert_invalid_field("region_id");

        let mut body = new_dealer(&s);
        body["active"] = json!("yes");
        let r = s.refused(s.request(Method::POST, "/api/v1/dealers").bearer_auth(&ops).json(&body)).await;
        r.assert_invalid_field("active");
    }
}

both_engines! {
    async fn an_unknown_field_is_422_naming_it(s) {
        let ops = s.token(SALES_OPS).await;
        let mut body = new_dealer(&s);
        body["colour"] = json!("red");
        let r = s.refused(s.request(Method::POST, "/api/v1/dealers").bearer_auth(&ops).json(&body)).await;
        r.assert_invalid_field("colour");
    }
}

both_engines! {
    async fn a_missing_field_is_422_naming_it(s) {
        let ops = s.token(SALES_OPS).await;
        let mut body = new_dealer(&s);
        body.as_object_mut().unwrap().remove("city");
        let r = s.refused(s.request(Method::POST, "/api/v1/dealers").bearer_auth(&ops).json(&body)).await;
        r.assert_invalid_field("city");
    }
}

both_engines! {
    async fn every_invalid_field_is_named_at_once(s) {
        let ops = s.token(SALES_OPS).await;
        let mut body = new_dealer(&s);
        body["code"] = json!("浦东");
        body["level"] = json!("S");
        body["province"] = json!("加州");
        let r = s.refused(s.request(Method::POST, "/api/v1/dealers").bearer_auth(&ops).json(&body)).await;
        r.assert_error(422, "validation_failed");
        let mut paths = r.field_paths();
        paths.sort();
        assert_eq!(paths, ["code", "level", "province"], "{r}");
    }
}

both_engines! {
    async fn a_body_that_is_not_json_is_415(s) {
        let ops = s.token(SALES_OPS).await;
        let text = s
            .refused(
                s.request(Method::POST, "/api/v1/regions")
                    .bearer_auth(&ops)
                    .header("content-type", "text/plain")
                    .body(r#"{"code": "NORTH", "name": "华北大区"}"#),
            )
            .await;
        text.assert_error(415, "unsupported_media_type");

        let form = s
            .refused(s.request(Method::POST, "/api/v1/regions").bearer_auth(&ops).form(&[("code", "NORTH"), ("name", "华北大区")]))
            .await;
        form.assert_error(415, "unsupported_media_type");

        let none = s.refused(s.request(Method::POST, "/api/v1/regions").bearer_auth(&ops).body("{}")).await;
        none.assert_error(415, "unsupported_media_type");
    }
}

both_engines! {
    async fn a_body_over_one_mebibyte_is_413(s) {
        let ops = s.token(SALES_OPS).await;
        let mut body = new_dealer(&s);
        body["address"] = json!("长".repeat(400 * 1024)); // 1.2 MB of UTF-8
        let r = s.refused(s.request(Method::POST, "/api/v1/dealers").bearer_auth(&ops).json(&body)).await;
        r.assert_error(413, "payload_too_large");

        // The same through the idempotency layer, which reads the body first.
        let r = s
            .refused(s.request(Method::POST, "/api/v1/dealers").bearer_auth(&ops).header("idempotency-key", "big-one").json(&body))
            .await;
        r.assert_error(413, "payload_too_large");

        // Just under the limit is not refused for its size (the address is simply too long).
        let mut body = new_dealer(&s);
        body["address"] = json!("x".repeat(1024 * 1024 - 400));
        let r = s.refused(s.request(Method::POST, "/api/v1/dealers").bearer_auth(&ops).json(&body)).await;
        r.assert_invalid_field("address");
    }
}

both_engines! {
    async fn a_bad_query_parameter_is_422_naming_it(s) {
        let ops = s.token(SALES_OPS).await;
        for (query, field) in [
            ("limit=lots", "limit"),
            ("limit=0", "limit"),
            ("limit=501", "limit"),
            ("sort=colour", "sort"),
            ("cursor=not-a-cursor", "cursor"),
            ("active=maybe", "active"),
            ("region_id=east", "region_id"),
            ("colour=red", "colour"),
        ] {
            let r = s.refused(s.request(Method::GET, &format!("/api/v1/dealers?{query}")).bearer_auth(&ops)).await;
            assert_eq!(r.field_paths(), [field], "?{query}: {r}");
            r.assert_invalid_field(field);
        }
    }
}

both_engines! {
    async fn an_unknown_api_route_is_a_json_404(s) {
        let ops = s.token(SALES_OPS).await;
        s.refused(s.request(Method::GET, "/api/v1/no-such-resource").bearer_auth(&ops)).await.assert_error(404, "not_found");
        s.refused(s.request(Method::POST, "/api/v2/dealers").bearer_auth(&ops).json(&json!({}))).await.assert_error(404, "not_found");
        s.refused(s.request(Method::GET, "/api/v1/no-such-resource")).await.assert_error(404, "not_found");
    }
}

both_engines! {
    async fn a_method_a_route_does_not_have_is_refused_in_the_error_shape(s) {
        let ops = s.token(SALES_OPS).await;
        let r = s.refused(s.request(Method::DELETE, &format!("/api/v1/dealers/{}", s.org.dealer_a)).bearer_auth(&ops)).await;
        r.assert_error(405, "method_not_allowed");
        let allow = r.header("allow").unwrap_or_default();
        assert!(allow.contains("GET") && allow.contains("PATCH"), "Allow names the methods there are: {allow:?}");
    }
}

both_engines! {
    async fn an_unknown_id_is_404(s) {
        let ops = s.token(SALES_OPS).await;
        for path in ["/api/v1/dealers/999999", "/api/v1/dealers/abc", "/api/v1/users/-1", "/api/v1/regions/99999999999999999999"] {
            s.refused(s.request(Method::GET, path).bearer_auth(&ops)).await.assert_error(404, "not_found");
        }
        let r = s.refused(s.request(Method::PATCH, "/api/v1/dealers/999999").bearer_auth(&ops).json(&json!({"version": 1, "name": "x"}))).await;
        r.assert_error(404, "not_found");
    }
}

both_engines! {
    async fn a_taken_code_is_409_naming_the_field(s) {
        let ops = s.token(SALES_OPS).await;
        let mut body = new_dealer(&s);
        body["code"] = json!("sha01");
        let r = s.refused(s.request(Method::POST, "/api/v1/dealers").bearer_auth(&ops).json(&body)).await;
        r.assert_error(409, "duplicate");
        assert_eq!(r.field_paths(), ["code"], "{r}");

        let r = s.refused(s.request(Method::POST, "/api/v1/regions").bearer_auth(&ops).json(&json!({"code": "EAST", "name": "另一个华东"}))).await;
        r.assert_error(409, "duplicate");
        assert_eq!(r.field_paths(), ["code"], "{r}");
    }
}

both_engines! {
    async fn lists_page_with_a_cursor_in_a_stable_order(s) {
        let ops = s.token(SALES_OPS).await;
        let first = s.get(&ops, "/api/v1/dealers?limit=2&sort=-code").await.json();
        let codes = |v: &Value| v["items"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_string()).collect::<Vec<_>>();
        assert_eq!(codes(&first), ["SHA01", "HZC01"]);
        let cursor = first["next_cursor"].as_str().expect("a next page");
        let second = s.get(&ops, &format!("/api/v1/dealers?limit=2&sort=-code&cursor={cursor}")).await.json();
        assert_eq!(codes(&second), ["GZB01"]);
        assert!(second["next_cursor"].is_null(), "the last page has no cursor: {second}");

        // A cursor belongs to its sort order.
        let r = s.refused(s.request(Method::GET, &format!("/api/v1/dealers?limit=2&sort=code&cursor={cursor}")).bearer_auth(&ops)).await;
        r.assert_invalid_field("cursor");
    }
}

both_engines! {
    async fn a_create_answers_201_with_location_and_etag(s) {
        let ops = s.token(SALES_OPS).await;
        let r = s.post(&ops, "/api/v1/dealers", new_dealer(&s)).await;
        assert_eq!(r.status, 201, "{r}");
        let id = r.json()["id"].as_i64().unwrap();
        assert_eq!(r.header("location"), Some(format!("/api/v1/dealers/{id}").as_str()));
        assert_eq!(r.header("etag"), Some("\"1\""));
        let fetched = s.get(&ops, &format!("/api/v1/dealers/{id}")).await;
        assert_eq!(fetched.json(), r.json());
    }
}
