//! Quotes over HTTP, on both engines: the OEM sets list prices and the one valid
//! today is used, a quote adds up its lines (naming the bad one) and moves the lead
//! to the quote stage, a colleague's different recent price to the same customer —
//! at any dealer — is shown before saving and recorded on the quote, the preview
//! writes nothing, and a dealer never sees another dealer's quotes.

use autocrm_store::db::sql;
use autocrm_tests::both_engines;
use autocrm_tests::fixture::*;
use autocrm_tests::leads::{model, walk_in};
use autocrm_tests::quotes::{lines, price, quote};
use chrono::{Duration, Utc};
use serde_json::json;

/// The reviewed rule of each quote API route (method, path, action).
#[rustfmt::skip]
pub const API_RULES: &[(&str, &str, Option<&str>)] = &[
    ("GET", "/api/v1/quotes", Some("lead_read")),
    ("POST", "/api/v1/quotes", Some("lead_write")),
    ("POST", "/api/v1/quotes/preview", Some("lead_write")),
    ("GET", "/api/v1/quotes/{id}", Some("lead_read")),
    ("GET", "/api/v1/vehicle-models/{id}/prices", Some("lead_read")),
    ("POST", "/api/v1/vehicle-models/{id}/prices", Some("org_manage")),
];

fn today() -> chrono::NaiveDate {
    (Utc::now() + Duration::hours(8)).date_naive()
}

both_engines! {
    async fn the_oem_sets_list_prices_and_the_one_valid_today_is_quoted(s) {
        let m = model(&s).await;
        let ops = s.token(SALES_OPS).await;
        let path = format!("/api/v1/vehicle-models/{m}/prices");
        assert_eq!(s.post(&s.token(SHA01_MANAGER).await, &path, json!({"list_price": 100})).await.status, 403, "dealers do not set list prices");
        s.post(&ops, &path, json!({"list_price": 0})).await.assert_invalid_field("list_price");
        s.post(&ops, &path, json!({"list_price": 100, "valid_from": today(), "valid_to": today() - Duration::days(1)})).await.assert_invalid_field("valid_to");
        assert_eq!(s.post(&ops, "/api/v1/vehicle-models/999999/prices", json!({"list_price": 100})).await.status, 404);
        price(&s, m, 135_800).await;
        // A promotion laid over the base price for this month, and one that ended.
        let promo = s.post(&ops, &path, json!({"list_price": 129_800_00, "valid_from": today() - Duration::days(3), "valid_to": today() + Duration::days(10), "note": "限时"})).await;
        assert_eq!(promo.status, 201, "{promo}");
        s.post(&ops, &path, json!({"list_price": 99_00, "valid_from": today() - Duration::days(30), "valid_to": today() - Duration::days(1)})).await;
        let listed = s.get(&s.token(SHA01_CONSULTANT).await, &path).await.json();
        assert_eq!(listed.as_array().map(Vec::len), Some(3), "{listed}");
        let lead = walk_in(&s, SHA01_CONSULTANT, m, "13911110001", "immediately").await["id"].as_i64().unwrap();
        let r = s.post(&s.token(SHA01_CONSULTANT).await, "/api/v1/quotes/preview", json!({"lead_id": lead})).await;
        assert_eq!(r.status, 200, "{r}");
        assert_eq!(r.json()["list_price"], 129_800_00, "the promotion is in force today");
    }
}

both_engines! {
    /// A quote with a discount and a gift: totals in fen, Q-number, a week's
    /// validity, the lead at the quote stage, the total on the customer's timeline.
    async fn a_quote_adds_up_and_moves_the_lead_to_the_quote_stage(s) {
        let m = model(&s).await;
        price(&s, m, 150_000).await;
        let lead = walk_in(&s, SHA01_CONSULTANT, m, "13911110002", "within_3_months").await;
        let (lead_id, customer) = (lead["id"].as_i64().unwrap(), lead["customer_id"].as_i64().unwrap());
        let mut body = json!({"lead_id": lead_id, "lines": lines(8_000, 2_000), "note": "含上牌"});
        body["lines"].as_array_mut().unwrap().push(json!({"kind": "fee", "label": "上牌服务费", "amount": 500_00}));
        let r = quote(&s, SHA01_CONSULTANT, body).await;
        assert_eq!(r.status, 201, "{r}");
        let q = r.json()["quote"].clone();
        assert!(r.json()["conflict"].is_null(), "{r}");
        assert_eq!(q["model_id"], m, "the lead's model by default");
        assert_eq!(q["list_price"], 150_000_00);
        assert_eq!(q["discounts"], 8_000_00);
        assert_eq!(q["gifts_value"], 2_000_00);
        assert_eq!(q["fees"], 500_00);
        assert_eq!(q["total"], 142_500_00, "list − discounts + fees; gifts are free");
        let id = q["id"].as_i64().unwrap();
        assert_eq!(q["quote_no"], format!("Q{id:08}"));
        assert_eq!(q["valid_until"], (today() + Duration::days(7)).to_string());
        assert_eq!(q["user_id"], s.org.id(SHA01_CONSULTANT));
        assert_eq!(r.header("location"), Some(format!("/api/v1/quotes/{id}").as_str()));
        let token = s.token(SHA01_CONSULTANT).await;
        let l = s.get(&token, &format!("/api/v1/leads/{lead_id}")).await.json();
        assert_eq!(l["lead"]["stage"], "quote", "{l}");
        assert!(l["lead"]["quoted_at"].is_string());
        let (body,): (Option<String>,) = s.db().fetch_one(sql(
            "SELECT body FROM timeline_event WHERE customer_id = $1 AND kind = 'lead_quote'", vec![customer.into()])).await.unwrap();
        assert!(body.unwrap_or_default().contains("¥142,500.00"), "the timeline shows the total");
        assert_eq!(s.get(&token, &format!("/api/v1/quotes/{id}")).await.json()["lines"].as_array().map(Vec::len), Some(3));
        for f in [format!("customer_id={customer}"), format!("lead_id={lead_id}"), format!("dealer_id={}", s.org.dealer_a)] {
            let page = s.get(&token, &format!("/api/v1/quotes?{f}")).await.json();
            assert_eq!(page["items"][0]["total"], 142_500_00, "{f}: {page}");
        }
    }
}

both_engines! {
    async fn a_quote_names_the_field_or_line_that_is_wrong(s) {
        let m = model(&s).await;
        let lead = walk_in(&s, SHA01_CONSULTANT, m, "13911110003", "immediately").await["id"].as_i64().unwrap();
        let before = s.count("quote").await;
        quote(&s, SHA01_CONSULTANT, json!({"lead_id": lead})).await.assert_invalid_field("model_id");
        price(&s, m, 100_000).await;
        let bad_amount = json!([{"kind": "discount", "label": "优惠", "amount": 100}, {"kind": "gift", "label": "脚垫", "amount": 0}]);
        quote(&s, SHA01_CONSULTANT, json!({"lead_id": lead, "lines": bad_amount})).await.assert_invalid_field("lines[1].amount");
        quote(&s, SHA01_CONSULTANT, json!({"lead_id": lead, "lines": [{"kind": "discount", "label": " ", "amount": 100}]})).await.assert_invalid_field("lines[0].label");
        quote(&s, SHA01_CONSULTANT, json!({"lead_id": lead, "lines": [{"kind": "rebate", "label": "x", "amount": 100}]})).await.assert_invalid_field("lines[0].kind");
        quote(&s, SHA01_CONSULTANT, json!({"lead_id": lead, "lines": lines(100_001, 1)})).await.assert_invalid_field("lines");
        quote(&s, SHA01_CONSULTANT, json!({"lead_id": lead, "valid_until": today() - Duration::days(1)})).await.assert_invalid_field("valid_until");
        quote(&s, SHA01_CONSULTANT, json!({"lead_id": lead, "model_id": 999999})).await.assert_invalid_field("model_id");
        quote(&s, SHA01_CONSULTANT, json!({"lead_id": lead, "unknown": 1})).await.assert_error(422, "validation_failed");
        let gz_lead = walk_in(&s, GZB01_CONSULTANT, m, "13911110004", "immediately").await["id"].as_i64().unwrap();
        quote(&s, SHA01_CONSULTANT, json!({"lead_id": gz_lead})).await.assert_invalid_field("lead_id");
        assert_eq!(s.count("quote").await, before, "nothing was written");
    }
}

both_engines! {
    /// The customer's complaint: two consultants quoted two prices. A colleague's
    /// recent quote to the same customer and model — here at another dealer — comes
    /// back before saving (preview) and with the saved quote, which records it.
    async fn a_colleagues_different_price_is_flagged_across_dealers(s) {
        let m = model(&s).await;
        price(&s, m, 150_000).await;
        let a_lead = walk_in(&s, SHA01_CONSULTANT, m, "13911112222", "immediately").await;
        let b_lead = walk_in(&s, GZB01_CONSULTANT, m, "13911112222", "immediately").await;
        assert_eq!(a_lead["customer_id"], b_lead["customer_id"], "one golden customer served by two dealers");
        let (a_id, b_id) = (a_lead["id"].as_i64().unwrap(), b_lead["id"].as_i64().unwrap());
        let first = quote(&s, SHA01_CONSULTANT, json!({"lead_id": a_id, "lines": lines(5_000, 1_000)})).await;
        assert_eq!(first.status, 201, "{first}");
        let first_id = first.json()["quote"]["id"].as_i64().unwrap();
        let gz = s.token(GZB01_CONSULTANT).await;
        // Same total: nothing to explain.
        let same = s.post(&gz, "/api/v1/quotes/preview", json!({"lead_id": b_id, "lines": lines(5_000, 300)})).await;
        assert!(same.json()["conflict"].is_null(), "{same}");
        // A bigger discount: the warning names who, where, when and the difference.
        let p = s.post(&gz, "/api/v1/quotes/preview", json!({"lead_id": b_id, "lines": lines(8_000, 0)})).await;
        assert_eq!(p.status, 422, "a zero gift is a bad line: {p}");
        let p = s.post(&gz, "/api/v1/quotes/preview", json!({"lead_id": b_id, "lines": [{"kind": "discount", "label": "店庆", "amount": 8_000_00}]})).await;
        assert_eq!(p.status, 200, "{p}");
        let c = p.json()["conflict"].clone();
        assert_eq!(c["quote_id"], first_id, "{p}");
        assert_eq!(c["user_name"], "刘洋");
        assert_eq!(c["dealer_name"], "上海浦东东岳4S店");
        assert_eq!(c["total"], 145_000_00);
        assert_eq!(c["difference"], -3_000_00);
        assert_eq!(p.json()["total"], 142_000_00);
        // Saving is allowed; the quote records what it contradicted.
        let saved = quote(&s, GZB01_CONSULTANT, json!({"lead_id": b_id, "lines": [{"kind": "discount", "label": "店庆", "amount": 8_000_00}]})).await;
        assert_eq!(saved.status, 201, "{saved}");
        assert_eq!(saved.json()["conflict"]["quote_id"], first_id);
        assert_eq!(saved.json()["quote"]["conflict_quote_id"], first_id);
        assert_eq!(saved.json()["quote"]["conflict_difference"], -3_000_00);
        // The manager's list of quotes that contradicted a colleague.
        let listed = s.get(&s.token(GZB01_MANAGER).await, "/api/v1/quotes?conflicted=true").await.json();
        assert_eq!(listed["items"].as_array().map(Vec::len), Some(1), "{listed}");
        assert_eq!(s.get(&s.token(SHA01_MANAGER).await, "/api/v1/quotes?conflicted=true").await.json()["items"].as_array().map(Vec::len), Some(0));
        // One's own earlier quote never warns.
        let mine = s.post(&gz, "/api/v1/quotes/preview", json!({"lead_id": b_id, "lines": [{"kind": "discount", "label": "店庆", "amount": 9_000_00}]})).await;
        assert_eq!(mine.json()["conflict"]["quote_id"], first_id, "still the colleague's, not my own: {mine}");
    }
}

both_engines! {
    async fn the_preview_writes_nothing(s) {
        let m = model(&s).await;
        price(&s, m, 150_000).await;
        let lead = walk_in(&s, SHA01_CONSULTANT, m, "13911113333", "immediately").await;
        let id = lead["id"].as_i64().unwrap();
        let tables = ["quote", "lead", "lead_activity", "timeline_event", "audit_event", "idempotency_key"];
        let mut before = vec![];
        for t in tables {
            before.push(s.count(t).await);
        }
        let r = s.post(&s.token(SHA01_CONSULTANT).await, "/api/v1/quotes/preview", json!({"lead_id": id, "lines": lines(1_000, 500)})).await;
        assert_eq!(r.status, 200, "{r}");
        assert_eq!(r.json()["total"], 149_000_00);
        let mut after = vec![];
        for t in tables {
            after.push(s.count(t).await);
        }
        assert_eq!(after, before, "the preview wrote something");
        let l = s.get(&s.token(SHA01_CONSULTANT).await, &format!("/api/v1/leads/{id}")).await.json();
        assert_eq!(l["lead"]["version"], lead["version"], "the lead is unchanged");
        assert_eq!(l["lead"]["stage"], "showroom_visit");
    }
}

both_engines! {
    async fn a_dealer_never_sees_another_dealers_quotes(s) {
        let m = model(&s).await;
        price(&s, m, 150_000).await;
        let lead = walk_in(&s, SHA01_CONSULTANT, m, "13911114444", "immediately").await["id"].as_i64().unwrap();
        let q = quote(&s, SHA01_CONSULTANT, json!({"lead_id": lead})).await.json()["quote"]["id"].as_i64().unwrap();
        for who in [GZB01_MANAGER, GZB01_CONSULTANT] {
            let t = s.token(who).await;
            assert_eq!(s.get(&t, &format!("/api/v1/quotes/{q}")).await.status, 404, "{who}");
            assert_eq!(s.get(&t, "/api/v1/quotes").await.json()["items"].as_array().map(Vec::len), Some(0), "{who}");
        }
        // A colleague at the same dealer sees it: that is the point.
        assert_eq!(s.get(&s.token(SHA01_MANAGER).await, &format!("/api/v1/quotes/{q}")).await.status, 200);
        assert_eq!(s.get(&s.token(HXG_MANAGER).await, "/api/v1/quotes").await.json()["items"].as_array().map(Vec::len), Some(1));
        assert_eq!(s.get(&s.token(SHA01_ADVISOR).await, "/api/v1/quotes").await.status, 403, "service advisors do not see quotes");
    }
}

both_engines! {
    /// The pages: the live preview partial shows the total and the warning, the form
    /// saves, the printable quote shows yuan with two decimals, and Customer 360
    /// answers "what price did this customer get last time".
    async fn a_consultant_quotes_through_the_pages_and_finds_it_on_customer_360(s) {
        let m = model(&s).await;
        price(&s, m, 150_000).await;
        let lead = walk_in(&s, SHA01_CONSULTANT, m, "13911115555", "immediately").await;
        let (lead_id, customer) = (lead["id"].as_i64().unwrap(), lead["customer_id"].as_i64().unwrap());
        // A colleague at the same dealer quoted first (the manager, on the same lead).
        assert_eq!(quote(&s, SHA01_MANAGER, json!({"lead_id": lead_id, "lines": lines(2_000, 1_000)})).await.status, 201);
        let session = s.login_session(SHA01_CONSULTANT).await;
        let form = s.page(&session, &format!("/quotes/new?lead_id={lead_id}")).await;
        assert_eq!(form.status, 200, "{form}");
        assert!(form.body.contains("hx-post=\"/quotes/preview\""));
        let fields = |discount: &str| {
            vec![
                ("_csrf", session.csrf.clone()), ("lead_id", lead_id.to_string()), ("model_id", m.to_string()),
                ("line_kind_0", "discount".into()), ("line_label_0", "店内优惠".into()), ("line_amount_0", discount.to_string()),
                ("line_kind_1", "gift".into()), ("line_label_1", "全车脚垫".into()), ("line_amount_1", "800".into()),
            ]
        };
        let post = |path: &'static str, f: Vec<(&'static str, String)>| {
            autocrm_tests::http::send(s.request(reqwest::Method::POST, path).header("cookie", session.cookie_header()).form(&f))
        };
        let before = s.count("quote").await;
        let p = post("/quotes/preview", fields("6,000.50")).await;
        assert_eq!(p.status, 200, "{p}");
        assert!(p.body.contains("143,999.50"), "the total in yuan: {p}");
        assert!(p.body.contains("data-testid=\"quote-conflict\"") && p.body.contains("张伟"), "the colleague's price: {p}");
        let bad = post("/quotes/preview", fields("12.345")).await;
        assert!(bad.body.contains("第 1 行"), "the row that is wrong: {bad}");
        assert_eq!(s.count("quote").await, before, "previews write nothing");
        let saved = post("/quotes", fields("6000.50")).await;
        assert_eq!(saved.status, 303, "{saved}");
        let at = saved.header("location").unwrap_or_default().to_string();
        let sheet = s.page(&session, &at).await;
        assert!(sheet.body.contains("¥143,999.50") && sheet.body.contains("6,000.50") && sheet.body.contains("全车脚垫"), "{sheet}");
        assert!(sheet.body.contains("data-testid=\"quote-conflict\""), "the recorded difference");
        let c360 = s.page(&session, &format!("/customers/{customer}")).await;
        assert!(c360.body.contains("data-testid=\"last-quote\""), "{c360}");
        let last: String = c360.body[c360.body.find("data-testid=\"last-quote\"").unwrap_or(0)..].chars().take(200).collect();
        assert!(last.contains("143,999.50"), "the latest price first: {last}");
        let lead_page = s.page(&session, &format!("/leads/{lead_id}")).await;
        assert!(lead_page.body.contains(&at), "the lead page lists its quotes");
        let prices = s.page(&s.login_session(SALES_OPS).await, "/price-list").await;
        assert!(prices.body.contains("150,000.00") && prices.body.contains("id=\"add-price\""), "{prices}");
    }
}
