//! Long-lived tokens for integrations (DMS sync, call centre): an admin issues one
//! for an account, sees the secret exactly once, and revoking it works at once.

use autocrm_store::auth::hash_token;
use autocrm_store::db::sql;
use autocrm_tests::fixture::*;
use autocrm_tests::http::send;
use autocrm_tests::{TestServer, both_engines};
use reqwest::Method;
use serde_json::{Value, json};

/// Admin issues a token acting as dealer A's manager; returns (record, secret).
async fn issue(s: &TestServer) -> (Value, String) {
    let admin = s.token(ADMIN).await;
    let r = s.post(&admin, "/api/v1/api-tokens", json!({"name": "DMS 同步 · 上海浦东", "user_id": s.org.id(SHA01_MANAGER)})).await;
    assert_eq!(r.status, 201, "{r}");
    let v = r.json();
    let secret = v["token"].as_str().expect("the secret, this once").to_string();
    (v, secret)
}

both_engines! {
    async fn an_admin_creates_a_token_whose_secret_is_shown_once(s) {
        let (created, secret) = issue(&s).await;
        assert!(secret.starts_with("acrm_") && secret.len() > 40, "{secret}");
        assert_eq!(created["prefix"], &secret[..13]);
        assert_eq!(created["username"], SHA01_MANAGER);
        assert_eq!(created["name"], "DMS 同步 · 上海浦东");
        assert_eq!(created["revoked_at"], Value::Null);

        let list = s.get(&s.token(ADMIN).await, "/api/v1/api-tokens").await;
        assert_eq!(list.status, 200, "{list}");
        let items = list.json()["items"].as_array().unwrap().clone();
        assert_eq!(items.len(), 1, "sign-in access tokens are not integration tokens: {list}");
        assert_eq!(items[0]["id"], created["id"]);
        assert!(items[0].get("token").is_none(), "{list}");
        assert!(!list.body.contains(&secret), "the list never shows the secret");

        let (stored,): (i64,) = s
            .db()
            .fetch_one(sql("SELECT COUNT(*) FROM api_token WHERE token_hash = $1", vec![hash_token(&secret).into()]))
            .await
            .unwrap();
        assert_eq!(stored, 1, "only the hash is kept");
        let audit: Vec<(Option<String>,)> = s.db().fetch_all(sql("SELECT after_json FROM audit_event WHERE entity = 'api_token'", vec![])).await.unwrap();
        assert_eq!(audit.len(), 1);
        assert!(!format!("{audit:?}").contains(&secret), "nor does the audit trail");
    }
}

both_engines! {
    async fn an_integration_token_acts_as_its_account_within_its_scope(s) {
        let (_, secret) = issue(&s).await;
        let me = s.get(&secret, "/api/v1/me").await;
        assert_eq!(me.status, 200, "{me}");
        assert_eq!(me.json()["username"], SHA01_MANAGER);
        let dealers = s.get(&secret, "/api/v1/dealers").await.json();
        assert_eq!(dealers["items"].as_array().unwrap().len(), 1);
        assert_eq!(dealers["items"][0]["code"], "SHA01");
        s.get(&secret, "/api/v1/api-tokens").await.assert_error(403, "forbidden");
    }
}

both_engines! {
    async fn a_revoked_token_stops_working_at_once(s) {
        let (created, secret) = issue(&s).await;
        // Used a moment ago, so the server has it in its token cache.
        assert_eq!(s.get(&secret, "/api/v1/me").await.status, 200);

        let admin = s.token(ADMIN).await;
        let r = s.delete(&admin, &format!("/api/v1/api-tokens/{}", created["id"])).await;
        assert_eq!(r.status, 200, "{r}");
        assert!(r.json()["revoked_at"].is_string(), "{r}");

        let after = s.get(&secret, "/api/v1/me").await;
        after.assert_error(401, "unauthorized");
        assert_eq!(after.header("www-authenticate"), Some("Bearer"));

        let again = s.delete(&admin, &format!("/api/v1/api-tokens/{}", created["id"])).await;
        assert_eq!(again.status, 200, "revoking twice is harmless: {again}");
        let events: Vec<(String,)> =
            s.db().fetch_all(sql("SELECT action FROM audit_event WHERE entity = 'api_token' ORDER BY id", vec![])).await.unwrap();
        assert_eq!(events, [("create".to_string(),), ("delete".to_string(),)]);
    }
}

both_engines! {
    async fn sign_in_tokens_cannot_be_revoked_as_integration_tokens(s) {
        let admin = s.token(ADMIN).await;
        let (access_id,): (i64,) =
            s.db().fetch_one(sql("SELECT id FROM api_token WHERE kind = 'access' LIMIT 1", vec![])).await.unwrap();
        s.refused(s.request(Method::DELETE, &format!("/api/v1/api-tokens/{access_id}")).bearer_auth(&admin)).await.assert_error(404, "not_found");
        s.refused(s.request(Method::DELETE, "/api/v1/api-tokens/999999").bearer_auth(&admin)).await.assert_error(404, "not_found");
        assert_eq!(s.get(&admin, "/api/v1/me").await.status, 200);
    }
}

both_engines! {
    async fn a_token_needs_a_name_an_active_account_and_a_future_expiry(s) {
        let admin = s.token(ADMIN).await;
        let post = |body: Value| s.request(Method::POST, "/api/v1/api-tokens").bearer_auth(&admin).json(&body);
        let user = s.org.id(SHA01_MANAGER);
        s.refused(post(json!({"name": "ERP", "user_id": 999_999}))).await.assert_invalid_field("user_id");
        s.refused(post(json!({"name": " ", "user_id": user}))).await.assert_invalid_field("name");
        s.refused(post(json!({"name": "ERP", "user_id": user, "expires_at": "2020-01-01T00:00:00Z"}))).await.assert_invalid_field("expires_at");
        s.refused(post(json!({"name": "ERP", "user_id": user, "expires_at": "next week"}))).await.assert_invalid_field("expires_at");

        let next_year = (chrono::Utc::now() + chrono::Duration::days(365)).to_rfc3339();
        let ok = send(post(json!({"name": "ERP", "user_id": user, "expires_at": next_year}))).await;
        assert_eq!(ok.status, 201, "{ok}");
        assert!(ok.json()["expires_at"].is_string());
        assert_eq!(s.get(ok.json()["token"].as_str().unwrap(), "/api/v1/me").await.status, 200);
    }
}

both_engines! {
    async fn a_token_of_a_deactivated_account_stops_working(s) {
        let (_, secret) = issue(&s).await;
        assert_eq!(s.get(&secret, "/api/v1/me").await.status, 200);
        let admin = s.token(ADMIN).await;
        let r = s.patch(&admin, &format!("/api/v1/users/{}", s.org.id(SHA01_MANAGER)), json!({"version": 1, "active": false})).await;
        assert_eq!(r.status, 200, "{r}");
        s.get(&secret, "/api/v1/me").await.assert_error(401, "unauthorized");
    }
}
