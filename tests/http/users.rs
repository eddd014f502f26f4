//! Staff accounts: managers staff their own store and nothing more, nobody hands
//! out more reach than they have, and every change leaves its trace.

use autocrm_store::db::sql;
use autocrm_tests::both_engines;
use autocrm_tests::fixture::*;
use autocrm_tests::{Reply, TestServer};
use reqwest::Method;
use serde_json::{Value, json};

fn usernames(r: &Reply) -> Vec<String> {
    assert_eq!(r.status, 200, "{r}");
    let mut u: Vec<String> =
        r.json()["items"].as_array().expect("items").iter().map(|u| u["username"].as_str().unwrap().to_string()).collect();
    u.sort();
    u
}

fn new_consultant(s: &TestServer, dealer_id: i64) -> Value {
    json!({
        "username": "sha01.wangfang", "display_name": "王芳", "role": "sales_consultant",
        "dealer_id": dealer_id, "department_id": s.org.sales_a, "phone": "13661925573",
        "email": "Wang.Fang@dongyue-auto.example", "password": "welcome-2026"
    })
}

both_engines! {
    async fn a_dealer_manager_sees_only_their_own_stores_staff(s) {
        let token = s.token(SHA01_MANAGER).await;
        assert_eq!(usernames(&s.get(&token, "/api/v1/users").await), [SHA01_ADVISOR, SHA01_CONSULTANT, SHA01_MANAGER]);
        for other in [GZB01_CONSULTANT, GZB01_MANAGER, HXG_MANAGER, ADMIN] {
            s.get(&token, &format!("/api/v1/users/{}", s.org.id(other))).await.assert_error(404, "not_found");
        }
        assert!(usernames(&s.get(&token, &format!("/api/v1/users?dealer_id={}", s.org.dealer_b)).await).is_empty());
        assert!(usernames(&s.get(&token, "/api/v1/users?q=gzb01").await).is_empty());
    }
}

both_engines! {
    async fn a_consultant_cannot_see_other_dealers_users_or_any_user_list(s) {
        let token = s.token(SHA01_CONSULTANT).await;
        s.get(&token, "/api/v1/users").await.assert_error(403, "forbidden");
        // Refused by role before any lookup: the answer is the same whether the
        // account exists or not, so it reveals nothing about other stores.
        let other = s.get(&token, &format!("/api/v1/users/{}", s.org.id(GZB01_CONSULTANT))).await;
        let missing = s.get(&token, "/api/v1/users/999999").await;
        other.assert_error(403, "forbidden");
        assert_eq!(other.body, missing.body);
    }
}

both_engines! {
    async fn group_and_regional_managers_see_the_staff_below_them(s) {
        let group = usernames(&s.get(&s.token(HXG_MANAGER).await, "/api/v1/users").await);
        assert_eq!(group, [HXG_MANAGER, SHA01_ADVISOR, SHA01_CONSULTANT, SHA01_MANAGER]);
        let region = usernames(&s.get(&s.token(EAST_MANAGER).await, "/api/v1/users").await);
        assert_eq!(region, [EAST_MANAGER, SHA01_ADVISOR, SHA01_CONSULTANT, SHA01_MANAGER]);
        let oem = usernames(&s.get(&s.token(SALES_OPS).await, "/api/v1/users").await);
        assert_eq!(oem.len(), s.org.staff.len());
    }
}

both_engines! {
    async fn a_dealer_manager_hires_a_consultant_who_can_then_sign_in(s) {
        let token = s.token(SHA01_MANAGER).await;
        let r = s.post(&token, "/api/v1/users", new_consultant(&s, s.org.dealer_a)).await;
        assert_eq!(r.status, 201, "{r}");
        let u = r.json();
        let id = u["id"].as_i64().unwrap();
        assert_eq!(r.header("location"), Some(format!("/api/v1/users/{id}").as_str()));
        assert_eq!(u["username"], "sha01.wangfang");
        assert_eq!(u["role"], "sales_consultant");
        assert_eq!(u["dealer_id"], s.org.dealer_a);
        assert_eq!(u["email"], "wang.fang@dongyue-auto.example");
        assert_eq!(u["version"], 1);
        assert!(!r.body.contains("password") && !r.body.contains("argon2"), "no password in the answer: {r}");

        let signed_in = s.sign_in("sha01.wangfang", "welcome-2026").await;
        assert_eq!(signed_in.status, 200, "{signed_in}");
        let me = s.get(signed_in.json()["access_token"].as_str().unwrap(), "/api/v1/me").await.json();
        assert_eq!(me["scope"], json!({"kind": "own", "user_id": id, "dealer_id": s.org.dealer_a}));
    }
}

both_engines! {
    async fn a_dealer_manager_cannot_hire_at_another_dealer(s) {
        let token = s.token(SHA01_MANAGER).await;
        let mut body = new_consultant(&s, s.org.dealer_b);
        body["department_id"] = json!(s.org.sales_b);
        let r = s.refused(s.request(Method::POST, "/api/v1/users").bearer_auth(&token).json(&body)).await;
        r.assert_invalid_field("dealer_id");
        assert_eq!(s.sign_in("sha01.wangfang", "welcome-2026").await.status, 401);
    }
}

both_engines! {
    async fn a_dealer_manager_cannot_create_an_admin_or_any_role_above_the_store(s) {
        let token = s.token(SHA01_MANAGER).await;
        for role in ["admin", "oem_sales_ops", "cac_agent", "regional_manager", "group_manager"] {
            let mut body = new_consultant(&s, s.org.dealer_a);
            body["role"] = json!(role);
            body["group_id"] = json!(s.org.hxg);
            body["region_id"] = json!(s.org.east);
            let r = s.refused(s.request(Method::POST, "/api/v1/users").bearer_auth(&token).json(&body)).await;
            assert_eq!(r.field_paths(), ["role"], "{role}: {r}");
            r.assert_invalid_field("role");
        }
    }
}

both_engines! {
    async fn nobody_promotes_a_colleague_beyond_their_own_reach(s) {
        let token = s.token(SHA01_MANAGER).await;
        let consultant = s.token(SHA01_CONSULTANT).await;
        assert_eq!(s.get(&consultant, "/api/v1/me").await.json()["role"], "sales_consultant");
        let path = format!("/api/v1/users/{}", s.org.id(SHA01_CONSULTANT));
        let r = s.refused(s.request(Method::PATCH, &path).bearer_auth(&token).json(&json!({"version": 1, "role": "admin"}))).await;
        r.assert_invalid_field("role");
        // Nor moves them to another store.
        let r = s.refused(s.request(Method::PATCH, &path).bearer_auth(&token).json(&json!({"version": 1, "dealer_id": s.org.dealer_b, "department_id": null}))).await;
        r.assert_invalid_field("dealer_id");

        // A store's manager may make a consultant a service advisor in the store.
        let ok = s.patch(&token, &path, json!({"version": 1, "role": "service_advisor", "department_id": s.org.service_a})).await;
        assert_eq!(ok.status, 200, "{ok}");
        assert_eq!(ok.json()["role"], "service_advisor");
        assert_eq!(s.get(&consultant, "/api/v1/me").await.json()["role"], "service_advisor", "the new role applies at once");
    }
}

both_engines! {
    async fn a_new_account_is_checked_field_by_field(s) {
        let token = s.token(SHA01_MANAGER).await;
        let mut body = new_consultant(&s, s.org.dealer_a);
        body["username"] = json!("1-bad name");
        body["password"] = json!("12345678");
        body["email"] = json!("not-an-address");
        let r = s.refused(s.request(Method::POST, "/api/v1/users").bearer_auth(&token).json(&body)).await;
        let mut paths = r.field_paths();
        paths.sort();
        assert_eq!(paths, ["email", "password", "username"], "{r}");

        let mut body = new_consultant(&s, s.org.dealer_a);
        body["department_id"] = json!(s.org.sales_b);
        let r = s.refused(s.request(Method::POST, "/api/v1/users").bearer_auth(&token).json(&body)).await;
        r.assert_invalid_field("department_id");

        let mut body = new_consultant(&s, s.org.dealer_a);
        body["username"] = json!("SHA01.Consultant");
        let r = s.refused(s.request(Method::POST, "/api/v1/users").bearer_auth(&token).json(&body)).await;
        r.assert_error(409, "duplicate");
        assert_eq!(r.field_paths(), ["username"], "usernames are unique regardless of case: {r}");
    }
}

both_engines! {
    async fn user_changes_are_audited_with_before_and_after(s) {
        let token = s.token(SHA01_MANAGER).await;
        let created = s.post(&token, "/api/v1/users", new_consultant(&s, s.org.dealer_a)).await;
        let id = created.json()["id"].as_i64().unwrap();
        let path = format!("/api/v1/users/{id}");
        let changed = s.patch(&token, &path, json!({"version": 1, "display_name": "王芳芳", "phone": "13918852064"})).await;
        assert_eq!(changed.status, 200, "{changed}");

        let events = s.get(&token, &format!("/api/v1/audit-events?entity=user&entity_id={id}")).await.json();
        let items = events["items"].as_array().unwrap();
        assert_eq!(items.iter().map(|e| e["action"].as_str().unwrap()).collect::<Vec<_>>(), ["update", "create"], "newest first: {events}");
        let (update, create) = (&items[0], &items[1]);
        assert_eq!(update["actor_name"], SHA01_MANAGER);
        assert_eq!(update["actor_id"], s.org.id(SHA01_MANAGER));
        assert_eq!(update["dealer_id"], s.org.dealer_a);
        assert_eq!(update["before"], json!({"display_name": "王芳", "phone": "13661925573"}));
        assert_eq!(update["after"], json!({"display_name": "王芳芳", "phone": "13918852064"}));
        assert_eq!(create["before"], Value::Null);
        assert_eq!(create["after"]["username"], "sha01.wangfang");
        assert_eq!(create["after"]["id"], id);

        // No secret ever reaches the trail.
        let rows: Vec<(Option<String>, Option<String>)> =
            s.db().fetch_all(sql("SELECT before_json, after_json FROM audit_event", vec![])).await.unwrap();
        for (b, a) in rows {
            let text = format!("{b:?}{a:?}");
            assert!(!text.contains("argon2") && !text.contains("welcome-2026"), "{text}");
        }
    }
}

both_engines! {
    async fn deactivating_an_account_ends_its_access_at_once(s) {
        let consultant = s.token(SHA01_CONSULTANT).await;
        let session = s.login_session(SHA01_CONSULTANT).await;
        assert_eq!(s.get(&consultant, "/api/v1/me").await.status, 200);

        let manager = s.token(SHA01_MANAGER).await;
        let r = s.patch(&manager, &format!("/api/v1/users/{}", s.org.id(SHA01_CONSULTANT)), json!({"version": 1, "active": false})).await;
        assert_eq!(r.status, 200, "{r}");
        assert_eq!(r.json()["active"], false);

        s.get(&consultant, "/api/v1/me").await.assert_error(401, "unauthorized");
        assert_eq!(s.page(&session, "/").await.status, 303, "the browser session is over too");
        s.sign_in(SHA01_CONSULTANT, PASSWORD).await.assert_error(401, "unauthorized");
    }
}

both_engines! {
    async fn a_manager_cannot_deactivate_their_own_account(s) {
        let manager = s.token(SHA01_MANAGER).await;
        let r = s
            .refused(s.request(Method::PATCH, &format!("/api/v1/users/{}", s.org.id(SHA01_MANAGER))).bearer_auth(&manager).json(&json!({"version": 1, "active": false})))
            .await;
        r.assert_invalid_field("active");
    }
}

both_engines! {
    async fn a_manager_resets_a_staff_password_and_their_sessions_end(s) {
        let session = s.login_session(SHA01_CONSULTANT).await;
        let manager = s.token(SHA01_MANAGER).await;
        let r = s.post(&manager, &format!("/api/v1/users/{}/password", s.org.id(SHA01_CONSULTANT)), json!({"new_password": "reset-pass-42"})).await;
        assert_eq!(r.status, 204, "{r}");

        assert_eq!(s.page(&session, "/").await.status, 303, "signed out everywhere");
        s.sign_in(SHA01_CONSULTANT, PASSWORD).await.assert_error(401, "unauthorized");
        assert_eq!(s.sign_in(SHA01_CONSULTANT, "reset-pass-42").await.status, 200);

        let events = s.get(&manager, &format!("/api/v1/audit-events?action=password_set&entity_id={}", s.org.id(SHA01_CONSULTANT))).await.json();
        assert_eq!(events["items"].as_array().unwrap().len(), 1, "{events}");

        // Another store's staff are out of reach.
        let r = s.refused(s.request(Method::POST, &format!("/api/v1/users/{}/password", s.org.id(GZB01_CONSULTANT))).bearer_auth(&manager).json(&json!({"new_password": "reset-pass-42"}))).await;
        r.assert_error(404, "not_found");
        assert_eq!(s.sign_in(GZB01_CONSULTANT, PASSWORD).await.status, 200);
    }
}

both_engines! {
    async fn staff_change_their_own_password_knowing_the_current_one(s) {
        let token = s.token(SHA01_ADVISOR).await;
        let change = |current: &str, new: &str| {
            s.request(Method::POST, "/api/v1/me/password").bearer_auth(&token).json(&json!({"current_password": current, "new_password": new}))
        };
        s.refused(change("a-wrong-guess", "advisor-2026")).await.assert_invalid_field("current_password");
        s.refused(change(PASSWORD, "short")).await.assert_invalid_field("new_password");

        let ok = autocrm_tests::http::send(change(PASSWORD, "advisor-2026")).await;
        assert_eq!(ok.status, 204, "{ok}");
        s.sign_in(SHA01_ADVISOR, PASSWORD).await.assert_error(401, "unauthorized");
        assert_eq!(s.sign_in(SHA01_ADVISOR, "advisor-2026").await.status, 200);
    }
}

both_engines! {
    async fn staff_choose_their_language(s) {
        let token = s.token(SHA01_MANAGER).await;
        let path = format!("/api/v1/users/{}", s.org.id(SHA01_MANAGER));
        let r = s.patch(&token, &path, json!({"version": 1, "locale": "en"})).await;
        assert_eq!(r.json()["locale"], "en", "{r}");
        let r = s.refused(s.request(Method::PATCH, &path).bearer_auth(&token).json(&json!({"version": 2, "locale": "fr"}))).await;
        r.assert_invalid_field("locale");
    }
}
