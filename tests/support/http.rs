//! Talking to the server: replies read once into memory, the API's error shape,
//! and a browser session signed in through the real login form.

use std::fmt;

use reqwest::header::{COOKIE, HeaderMap, SET_COOKIE};
use serde_json::Value;

use crate::{PASSWORD, TestServer};

/// A whole response: status, headers and body text.
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

/// `q` percent-encoded for a query string (search boxes get Chinese and spaces).
pub fn query_encoded(q: &str) -> String {
    q.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// Sends a request and reads the whole reply. A connection failure is a test
/// failure (a server that drops the connection has no status to assert).
pub async fn send(request: reqwest::RequestBuilder) -> Reply {
    let resp = request.send().await.unwrap_or_else(|e| panic!("request failed without a response: {e:?}"));
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.text().await.unwrap_or_else(|e| panic!("reading the body of a {status} reply: {e:?}"));
    Reply { status, headers, body }
}

impl Reply {
    /// The body as JSON (panics with the body when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {self}"))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The value a `Set-Cookie` header gives cookie `name`, if any.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| c.split(';').next()?.trim().strip_prefix(&format!("{name}=")).map(str::to_string))
    }

    /// The whole `Set-Cookie` header for `name` (to look at its attributes).
    pub fn set_cookie_header(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(str::to_string)
    }

    /// Asserts the API's error shape — `{"error": {"code", "message", "fields"?}}` with
    /// a JSON content type — with this status and code, and returns the `error` object.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) -> Value {
        assert_eq!(self.status, status, "expected {status} {code}: {self}");
        let ct = self.header("content-type").unwrap_or("");
        assert!(ct.starts_with("application/json"), "an API error is JSON, got content-type {ct:?}: {self}");
        let v = self.json();
        let e = v.get("error").unwrap_or_else(|| panic!("no `error` object: {self}")).clone();
        assert_eq!(e["code"], code, "error code: {self}");
        assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "an error has a message: {self}");
        if let Some(fields) = e.get("fields") {
            for f in fields.as_array().unwrap_or_else(|| panic!("`fields` is a list: {self}")) {
                assert!(f["path"].is_string() && f["message"].is_string(), "each field has path and message: {self}");
            }
        }
        e
    }

    /// Asserts a 422 that names `path` among its fields.
    #[track_caller]
    pub fn assert_invalid_field(&self, path: &str) -> Value {
        let e = self.assert_error(422, "validation_failed");
        let paths = self.field_paths();
        assert!(paths.iter().any(|p| p == path), "expected field {path:?} among {paths:?}: {self}");
        e
    }

    /// The `path`s of the error's fields.
    pub fn field_paths(&self) -> Vec<String> {
        self.json()["error"]["fields"]
            .as_array()
            .map(|fs| fs.iter().filter_map(|f| f["path"].as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body: String = self.body.chars().take(2000).collect();
        write!(f, "HTTP {} {}", self.status, body)
    }
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A signed-in browser: the session cookie and the session's CSRF token.
#[derive(Debug, Clone)]
pub struct Session {
    /// The value of the `acrm_session` cookie.
    pub cookie: String,
    /// The session's CSRF token, as pages hand it to htmx.
    pub csrf: String,
}

impl Session {
    pub fn cookie_header(&self) -> String {
        format!("acrm_session={}", self.cookie)
    }
}

/// The value of `attr="…"` right after `marker` in a page.
pub fn attribute_after<'a>(html: &'a str, marker: &str, attr: &str) -> Option<&'a str> {
    let rest = &html[html.find(marker)? + marker.len()..];
    let start = rest.find(&format!("{attr}=\""))? + attr.len() + 2;
    rest[start..].split('"').next()
}

/// The CSRF token a signed-in page gives htmx: `<body hx-headers='{"X-CSRF-Token": "…"}'>`.
pub fn page_csrf(html: &str) -> Option<String> {
    let start = html.find("hx-headers='")? + "hx-headers='".len();
    let json = html[start..].split('\'').next()?;
    let v: Value = serde_json::from_str(json).ok()?;
    v["X-CSRF-Token"].as_str().map(str::to_string)
}

impl TestServer {
    /// The login form as a browser gets it: (the form's `_csrf`, the
    /// `acrm_login_csrf` cookie it must come back with).
    pub async fn login_form(&self) -> (String, String) {
        let r = send(self.request(reqwest::Method::GET, "/login")).await;
        assert_eq!(r.status, 200, "the login page: {r}");
        let field = attribute_after(&r.body, "name=\"_csrf\"", "value")
            .unwrap_or_else(|| panic!("the login form has a hidden _csrf field: {r}"))
            .to_string();
        let cookie = r.set_cookie("acrm_login_csrf").unwrap_or_else(|| panic!("the login page sets acrm_login_csrf: {r}"));
        (field, cookie)
    }

    /// Posts the login form (with whatever CSRF value and cookie the test chooses).
    pub async fn post_login(&self, username: &str, password: &str, csrf_field: &str, csrf_cookie: Option<&str>) -> Reply {
        let mut req = self.request(reqwest::Method::POST, "/login").form(&[
            ("username", username),
            ("password", password),
            ("_csrf", csrf_field),
            ("next", "/"),
        ]);
        if let Some(c) = csrf_cookie {
            req = req.header(COOKIE, format!("acrm_login_csrf={c}"));
        }
        send(req).await
    }

    /// Signs in through the login form like a browser and returns the session
    /// cookie and the CSRF token a signed-in page carries.
    pub async fn login_session(&self, username: &str) -> Session {
        let (field, cookie) = self.login_form().await;
        let r = self.post_login(username, PASSWORD, &field, Some(&cookie)).await;
        assert_eq!(r.status, 303, "signing in as {username} through the form: {r}");
        let session = r.set_cookie("acrm_session").unwrap_or_else(|| panic!("sign-in sets acrm_session: {r}"));
        let home = self.page(&Session { cookie: session.clone(), csrf: String::new() }, "/").await;
        assert_eq!(home.status, 200, "the home page after signing in: {home}");
        let csrf = page_csrf(&home.body).unwrap_or_else(|| panic!("a signed-in page carries hx-headers with the CSRF token: {home}"));
        Session { cookie: session, csrf }
    }

    /// Sends a request that must be refused with a 4xx (never a 5xx) and must
    /// leave every table as it was.
    pub async fn refused(&self, request: reqwest::RequestBuilder) -> Reply {
        let before = self.row_counts().await;
        let r = send(request).await;
        assert!((400..500).contains(&r.status), "expected a 4xx refusal, never a 5xx: {r}");
        assert_eq!(self.row_counts().await, before, "a refused request wrote something: {r}");
        r
    }

    /// GET a page with a session cookie.
    pub async fn page(&self, session: &Session, path: &str) -> Reply {
        send(self.request(reqwest::Method::GET, path).header(COOKIE, session.cookie_header())).await
    }
}
