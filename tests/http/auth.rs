//! Signing in: bearer tokens for API clients, browser sessions protected against
//! cross-site requests, and the throttle that stops password guessing.

use std::collections::BTreeSet;

use autocrm_domain::access::Action;
use autocrm_store::auth::{ACCESS_TOKEN_SECONDS, THROTTLE_MAX_FAILURES, THROTTLE_WINDOW_MINUTES, hash_token};
use autocrm_store::db::sql;
use autocrm_tests::both_engines;
use autocrm_tests::fixture::*;
use autocrm_tests::http::send;
use reqwest::Method;
use reqwest::header::COOKIE;
use serde_json::json;

// ---- bearer tokens ---------------------------------------------------------------------

both_engines! {
    async fn valid_credentials_get_a_bearer_token_that_acts_as_the_user(s) {
        let r = s.sign_in(SHA01_MANAGER, PASSWORD).await;
        assert_eq!(r.status, 200, "{r}");
        let body = r.json();
        let keys: BTreeSet<&str> = body.as_object().expect("an object").keys().map(String::as_str).collect();
        assert_eq!(keys, BTreeSet::from(["access_token", "token_type", "expires_in"]), "{r}");
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], ACCESS_TOKEN_SECONDS);
        let token = body["access_token"].as_str().expect("a string token");
        assert!(token.len() >= 32, "a token long enough not to be guessed: {token}");

        let me = s.get(token, "/api/v1/me").await;
        assert_eq!(me.status, 200, "{me}");
        let me = me.json();
        assert_eq!(me["username"], SHA01_MANAGER);
        assert_eq!(me["display_name"], "张伟");
        assert_eq!(me["role"], "dealer_manager");
        assert_eq!(me["dealer_id"], s.org.dealer_a);
        assert_eq!(me["scope"], json!({"kind": "dealer", "dealer_id": s.org.dealer_a}));

        // Only the token's hash is kept.
        let (plain,): (i64,) = s
            .db()
            .fetch_one(sql("SELECT COUNT(*) FROM api_token WHERE token_hash = $1", vec![token.into()]))
            .await
            .unwrap();
        let (hashed,): (i64,) = s
            .db()
            .fetch_one(sql("SELECT COUNT(*) FROM api_token WHERE token_hash = $1", vec![hash_token(token).into()]))
            .await
            .unwrap();
        assert_eq!((plain, hashed), (0, 1));
    }
}

both_engines! {
    async fn me_lists_exactly_the_actions_the_role_grants(s) {
        for staff in s.org.staff.clone() {
            let me = s.get(&s.token(staff.username).await, "/api/v1/me").await;
            assert_eq!(me.status, 200, "{}: {me}", staff.username);
            let listed: BTreeSet<String> =
                me.json()["actions"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect();
            let granted: BTreeSet<String> =
                Action::ALL.iter().filter(|a| staff.role.grants(**a)).map(|a| a.as_str().to_string()).collect();
            assert_eq!(listed, granted, "{}", staff.username);
            assert_eq!(me.json()["role"], staff.role.as_str());
        }
    }
}

both_engines! {
    async fn a_wrong_password_is_401_and_does_not_reveal_whether_the_user_exists(s) {
        let tokens_before = s.count("api_token").await;
        let wrong = s.sign_in(SHA01_MANAGER, "not-the-password").await;
        wrong.assert_error(401, "unauthorized");
        assert_eq!(wrong.header("www-authenticate"), Some("Bearer"));

        let unknown = s.sign_in("nobody.here", PASSWORD).await;
        unknown.assert_error(401, "unauthorized");
        assert_eq!(wrong.json()["error"]["message"], unknown.json()["error"]["message"]);
        assert_eq!(s.count("api_token").await, tokens_before, "no token was issued");
    }
}

both_engines! {
    async fn sign_in_with_a_missing_field_is_422_naming_it(s) {
        let r = send(s.request(Method::POST, "/api/v1/auth/token").json(&json!({"username": SHA01_MANAGER}))).await;
        r.assert_invalid_field("password");
    }
}

both_engines! {
    async fn after_five_failures_even_the_right_password_is_refused_with_retry_after(s) {
        assert_eq!(THROTTLE_MAX_FAILURES, 5);
        for i in 1..=THROTTLE_MAX_FAILURES {
            let r = s.sign_in(SHA01_CONSULTANT, &format!("guess-{i}")).await;
            r.assert_error(401, "unauthorized");
        }
        let tokens_before = s.count("api_token").await;
        let r = s.sign_in(SHA01_CONSULTANT, PASSWORD).await;
        r.assert_error(429, "too_many_requests");
        let retry: i64 = r.header("retry-after").expect("a Retry-After header").parse().expect("Retry-After in seconds");
        assert!(retry > 0 && retry <= THROTTLE_WINDOW_MINUTES * 60, "Retry-After {retry}");
        assert_eq!(s.count("api_token").await, tokens_before, "no token while locked");

        // The browser form is locked for the same account too…
        let (field, cookie) = s.login_form().await;
        let form = s.post_login(SHA01_CONSULTANT, PASSWORD, &field, Some(&cookie)).await;
        assert_eq!(form.status, 429, "{form}");
        assert!(form.set_cookie("acrm_session").is_none());

        // …while colleagues signing in from the same address are not.
        assert_eq!(s.sign_in(SHA01_MANAGER, PASSWORD).await.status, 200);
    }
}

both_engines! {
    async fn no_token_is_401_and_an_unknown_token_is_401_with_www_authenticate(s) {
        let none = send(s.request(Method::GET, "/api/v1/me")).await;
        none.assert_error(401, "unauthorized");
        assert_eq!(none.header("www-authenticate"), Some("Bearer"));

        let forged = s.get("acs_0123456789abcdef0123456789abcdef", "/api/v1/me").await;
        forged.assert_error(401, "unauthorized");
        assert_eq!(forged.header("www-authenticate"), Some("Bearer"));
        assert_ne!(none.json()["error"]["message"], forged.json()["error"]["message"], "the two cases are told apart");
    }
}

both_engines! {
    async fn an_expired_access_token_is_refused(s) {
        let r = s.sign_in(SHA01_ADVISOR, PASSWORD).await;
        let token = r.json()["access_token"].as_str().unwrap().to_string();
        let an_hour_ago = autocrm_store::now() - chrono::Duration::hours(1);
        s.db()
            .execute(sql("UPDATE api_token SET expires_at = $1 WHERE token_hash = $2", vec![an_hour_ago.into(), hash_token(&token).into()]))
            .await
            .unwrap();
        s.get(&token, "/api/v1/me").await.assert_error(401, "unauthorized");
    }
}

// ---- browser sessions ---------------------------------------------------------------------

both_engines! {
    async fn signing_in_through_the_form_shows_the_user_their_home_page(s) {
        let session = s.login_session(SHA01_MANAGER).await;
        assert!(!session.csrf.is_empty());
        let home = s.page(&session, "/").await;
        assert_eq!(home.status, 200, "{home}");
        assert!(home.body.contains("张伟"), "the home page names the user: {home}");
        assert!(home.body.contains("上海浦东东岳4S店"), "and their dealer: {home}");

        // Without the cookie, the same page sends the browser to sign in first.
        let anonymous = send(s.request(Method::GET, "/")).await;
        assert_eq!(anonymous.status, 303, "{anonymous}");
        assert!(anonymous.header("location").is_some_and(|l| l.starts_with("/login")), "{:?}", anonymous.headers);
    }
}

both_engines! {
    async fn the_session_cookie_is_http_only_same_site_and_secure_behind_https(s) {
        let (field, cookie) = s.login_form().await;
        let r = s.post_login(SHA01_MANAGER, PASSWORD, &field, Some(&cookie)).await;
        let set = r.set_cookie_header("acrm_session").expect("a session cookie");
        for attr in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="] {
            assert!(set.contains(attr), "{attr} in {set}");
        }
        assert!(!set.contains("Secure"), "plain HTTP cannot carry a Secure cookie: {set}");

        let (field, cookie) = s.login_form().await;
        let behind_proxy = send(
            s.request(Method::POST, "/login")
                .header(COOKIE, format!("acrm_login_csrf={cookie}"))
                .header("x-forwarded-proto", "https")
                .form(&[("username", SHA01_MANAGER), ("password", PASSWORD), ("_csrf", &field)]),
        )
        .await;
        assert_eq!(behind_proxy.status, 303, "{behind_proxy}");
        assert!(behind_proxy.set_cookie_header("acrm_session").unwrap().contains("Secure"));
    }
}

both_engines! {
    async fn a_post_with_the_session_cookie_but_without_the_csrf_token_is_refused_and_changes_nothing(s) {
        let session = s.login_session(SHA01_MANAGER).await;
        let someone_else = s.login_session(SHA01_CONSULTANT).await;
        let department = json!({"dealer_id": s.org.dealer_a, "kind": "parts", "name": "配件部"});
        let post = || s.request(Method::POST, "/api/v1/departments").header(COOKIE, session.cookie_header());
        let before = s.row_counts().await;

        send(post().json(&department)).await.assert_error(403, "csrf");
        send(post().header("x-csrf-token", "0123456789abcdef").json(&department)).await.assert_error(403, "csrf");
        send(post().header("x-csrf-token", &someone_else.csrf).json(&department)).await.assert_error(403, "csrf");
        assert_eq!(s.row_counts().await, before, "a refused request writes nothing");

        let created = send(post().header("x-csrf-token", &session.csrf).json(&department)).await;
        assert_eq!(created.status, 201, "{created}");
        assert_eq!(created.json()["name"], "配件部");
        assert_eq!(created.json()["dealer_id"], s.org.dealer_a);
    }
}

both_engines! {
    async fn signing_out_needs_the_csrf_token_and_ends_the_session(s) {
        let session = s.login_session(SHA01_MANAGER).await;
        let logout = || s.request(Method::POST, "/logout").header(COOKIE, session.cookie_header());

        // A foreign page cannot sign the user out.
        let refused = send(logout().form(&[("next", "/")])).await;
        assert_eq!(refused.status, 403, "{refused}");
        assert_eq!(s.page(&session, "/").await.status, 200, "still signed in");

        let out = send(logout().form(&[("_csrf", session.csrf.as_str())])).await;
        assert_eq!(out.status, 303, "{out}");
        assert_eq!(out.header("location"), Some("/login"));
        let cleared = out.set_cookie_header("acrm_session").expect("the cookie is cleared");
        assert!(cleared.contains("Max-Age=0"), "{cleared}");
        assert_eq!(s.count("session").await, 0, "the session ended on the server");

        // The old cookie is worth nothing now, on pages and on the API.
        let home = s.page(&session, "/").await;
        assert_eq!(home.status, 303, "{home}");
        let api = send(s.request(Method::GET, "/api/v1/me").header(COOKIE, session.cookie_header())).await;
        api.assert_error(401, "unauthorized");
    }
}

both_engines! {
    async fn the_login_form_without_its_double_submit_cookie_is_refused(s) {
        let (field, cookie) = s.login_form().await;

        let no_cookie = s.post_login(SHA01_MANAGER, PASSWORD, &field, None).await;
        assert_eq!(no_cookie.status, 403, "{no_cookie}");
        assert!(no_cookie.set_cookie("acrm_session").is_none());

        let (other_field, _) = s.login_form().await;
        let mismatched = s.post_login(SHA01_MANAGER, PASSWORD, &other_field, Some(&cookie)).await;
        assert_eq!(mismatched.status, 403, "{mismatched}");

        // The password is not even looked at: a refused form counts no failure.
        let guess = s.post_login(SHA01_MANAGER, "a-wrong-guess", &field, None).await;
        assert_eq!(guess.status, 403, "{guess}");
        assert_eq!(s.count("login_throttle").await, 0);
        assert_eq!(s.count("session").await, 0);

        let ok = s.post_login(SHA01_MANAGER, PASSWORD, &field, Some(&cookie)).await;
        assert_eq!(ok.status, 303, "{ok}");
        assert!(ok.set_cookie("acrm_session").is_some());
    }
}

both_engines! {
    async fn a_wrong_password_on_the_login_form_shows_the_form_again_without_a_session(s) {
        let (field, cookie) = s.login_form().await;
        let r = s.post_login(SHA01_MANAGER, "not-the-password", &field, Some(&cookie)).await;
        assert_eq!(r.status, 401, "{r}");
        assert!(r.body.contains("name=\"_csrf\""), "the form is shown again: {r}");
        assert!(r.body.contains(SHA01_MANAGER), "with the username kept: {r}");
        assert!(r.set_cookie("acrm_session").is_none());
        assert_eq!(s.count("session").await, 0);
    }
}

both_engines! {
    async fn sign_in_only_returns_to_pages_of_this_site(s) {
        for (next, expected) in [("/users", "/users"), ("https://evil.example/", "/"), ("//evil.example/", "/")] {
            let (field, cookie) = s.login_form().await;
            let r = send(
                s.request(Method::POST, "/login")
                    .header(COOKIE, format!("acrm_login_csrf={cookie}"))
                    .form(&[("username", SHA01_MANAGER), ("password", PASSWORD), ("_csrf", &field), ("next", next)]),
            )
            .await;
            assert_eq!(r.status, 303, "{r}");
            assert_eq!(r.header("location"), Some(expected), "next={next}");
        }
    }
}
