//! Showroom traffic over HTTP, on both engines: a dealer records its day (upsert
//! per cell, audited, idempotent), the day opens prefilled from its walk-in and
//! phone-in leads, bad days and cells name the field, and the report groups by
//! region and source within scope and exports to Excel.

use autocrm_store::db::sql;
use autocrm_tests::analytics::{audits, download, put, xlsx_rows};
use autocrm_tests::both_engines;
use autocrm_tests::fixture::*;
use autocrm_tests::leads::{capture, model, walk_in};
use autocrm_tests::TestServer;
use chrono::{Duration, NaiveDate, Utc};
use serde_json::{Value, json};

/// The reviewed rule of each traffic API route (method, path, action).
#[rustfmt::skip]
pub const API_RULES: &[(&str, &str, Option<&str>)] = &[
    ("GET", "/api/v1/dealers/{id}/traffic/{day}", Some("lead_write")),
    ("PUT", "/api/v1/dealers/{id}/traffic/{day}", Some("lead_write")),
    ("GET", "/api/v1/traffic", Some("lead_report")),
];

fn today() -> NaiveDate {
    (Utc::now() + Duration::hours(8)).date_naive()
}

fn cell(day: &Value, channel: &str, source: &str) -> i64 {
    day["cells"].as_array().and_then(|c| c.iter().find(|x| x["channel"] == channel && x["source"] == source)).map_or(-1, |x| x["visits"].as_i64().unwrap_or(-1))
}

fn counts(cells: &[(&str, &str, i64)]) -> Value {
    json!({"counts": cells.iter().map(|(c, s, v)| json!({"channel": c, "source": s, "visits": v})).collect::<Vec<_>>()})
}

async fn rows(s: &TestServer, dealer: i64) -> i64 {
    let (n,): (i64,) = s.db().fetch_one(sql("SELECT COUNT(*) FROM showroom_traffic WHERE dealer_id = $1", vec![dealer.into()])).await.unwrap();
    n
}

both_engines! {
    async fn a_dealer_records_its_day_and_saving_it_again_changes_nothing(s) {
        let a = s.org.dealer_a;
        let path = format!("/api/v1/dealers/{a}/traffic/{}", today());
        let grid = counts(&[("walk_in", "internet", 5), ("walk_in", "referral", 2), ("phone", "tv", 3)]);
        let first = put(&s, SHA01_MANAGER, &path, grid.clone()).await;
        assert_eq!(first.status, 200, "{first}");
        let day = first.json();
        assert_eq!(day["recorded"], true);
        assert_eq!(day["cells"].as_array().map(|c| c.len()), Some(20), "the whole grid: 2 channels × 10 sources");
        assert_eq!((cell(&day, "walk_in", "internet"), cell(&day, "walk_in", "referral"), cell(&day, "phone", "tv")), (5, 2, 3));
        assert_eq!(cell(&day, "walk_in", "tv"), 0);
        assert_eq!(rows(&s, a).await, 3);
        let audited = audits(&s, "create", "showroom_traffic").await;
        assert_eq!(audited, 1);

        // The same grid again (a double tap, a retry): same answer, nothing written.
        let again = put(&s, SHA01_MANAGER, &path, grid).await;
        assert_eq!(again.status, 200, "{again}");
        assert_eq!(again.json()["cells"], day["cells"]);
        assert_eq!(rows(&s, a).await, 3);
        assert_eq!(audits(&s, "create", "showroom_traffic").await + audits(&s, "update", "showroom_traffic").await, 1, "no change, no audit entry");

        // A correction touches its cell only, and is audited with before and after.
        let fixed = put(&s, SHA01_CONSULTANT, &path, counts(&[("walk_in", "internet", 6)])).await;
        assert_eq!(fixed.status, 200, "a consultant may record the store's day: {fixed}");
        assert_eq!((cell(&fixed.json(), "walk_in", "internet"), cell(&fixed.json(), "walk_in", "referral")), (6, 2));
        assert_eq!(rows(&s, a).await, 3);
        let (before, after): (Option<String>, Option<String>) = s.db().fetch_one(sql(
            "SELECT before_json, after_json FROM audit_event WHERE entity = 'showroom_traffic' AND action = 'update'", vec![])).await.unwrap();
        assert!(before.unwrap_or_default().contains("\"walk_in.internet\":5"));
        assert!(after.unwrap_or_default().contains("\"walk_in.internet\":6"));
        let read = s.get(&s.token(SHA01_MANAGER).await, &path).await;
        assert_eq!(cell(&read.json(), "walk_in", "internet"), 6);
    }
}

both_engines! {
    /// Before anything is saved, the day shows one visitor per walk-in and phone-in
    /// lead, with the media the customer's history suggests.
    async fn the_day_opens_prefilled_from_its_walk_in_and_phone_in_leads(s) {
        let m = model(&s).await;
        let a = s.org.dealer_a;
        // A website prospect who later walks in: heard of us on the internet.
        let web = capture(&s, CAC_AGENT, json!({"mobile": "13700000001", "model_id": m, "timeframe": "later", "source": "website", "preferred_dealer_id": a})).await;
        assert_eq!(web.status, 201, "{web}");
        walk_in(&s, SHA01_CONSULTANT, m, "13700000001", "within_3_months").await;
        // A referred walk-in, a walk-in nobody knows, a phone-in, and an auto-show card (not traffic).
        let referrer = autocrm_tests::customers::walk_in_at_dealer_a(s.db(), &s.org).await;
        let r = capture(&s, SHA01_CONSULTANT, json!({"mobile": "13700000002", "model_id": m, "timeframe": "later", "source": "walk_in", "referrer_id": referrer})).await;
        assert_eq!(r.status, 201, "{r}");
        walk_in(&s, SHA01_CONSULTANT, m, "13700000003", "later").await;
        capture(&s, SHA01_CONSULTANT, json!({"mobile": "13700000004", "model_id": m, "timeframe": "later", "source": "phone_in"})).await;
        capture(&s, SHA01_CONSULTANT, json!({"mobile": "13700000005", "model_id": m, "timeframe": "later", "source": "auto_show"})).await;

        let day = s.get(&s.token(SHA01_MANAGER).await, &format!("/api/v1/dealers/{a}/traffic/{}", today())).await;
        assert_eq!(day.status, 200, "{day}");
        let d = day.json();
        assert_eq!(d["recorded"], false);
        assert_eq!(d["leads_captured"], json!({"walk_in": 3, "phone": 1}));
        assert_eq!((cell(&d, "walk_in", "internet"), cell(&d, "walk_in", "referral"), cell(&d, "walk_in", "other")), (1, 1, 1));
        assert_eq!(cell(&d, "phone", "other"), 1);
        assert_eq!(cell(&d, "walk_in", "auto_show"), 0, "a card from the show is no showroom visit");
        assert_eq!(rows(&s, a).await, 0, "a suggestion is not saved until the receptionist saves it");
        let yesterday = s.get(&s.token(SHA01_MANAGER).await, &format!("/api/v1/dealers/{a}/traffic/{}", today() - Duration::days(1))).await.json();
        assert_eq!(yesterday["leads_captured"]["walk_in"], 0);
    }
}

both_engines! {
    async fn bad_days_and_cells_name_the_field_and_other_dealers_are_not_found(s) {
        let a = s.org.dealer_a;
        let ok = counts(&[("walk_in", "tv", 1)]);
        let at = |day: String| format!("/api/v1/dealers/{a}/traffic/{day}");
        put(&s, SHA01_MANAGER, &at("2026-13-01".into()), ok.clone()).await.assert_invalid_field("day");
        put(&s, SHA01_MANAGER, &at((today() + Duration::days(1)).to_string()), ok.clone()).await.assert_invalid_field("day");
        put(&s, SHA01_MANAGER, &at((today() - Duration::days(500)).to_string()), ok.clone()).await.assert_invalid_field("day");
        s.get(&s.token(SHA01_MANAGER).await, &at("monday".into())).await.assert_invalid_field("day");
        let day = at(today().to_string());
        put(&s, SHA01_MANAGER, &day, counts(&[("walk_in", "tv", 1), ("fax", "tv", 1)])).await.assert_invalid_field("counts[1].channel");
        put(&s, SHA01_MANAGER, &day, counts(&[("phone", "billboard", 1)])).await.assert_invalid_field("counts[0].source");
        put(&s, SHA01_MANAGER, &day, counts(&[("phone", "tv", -1)])).await.assert_invalid_field("counts[0].visits");
        put(&s, SHA01_MANAGER, &day, counts(&[("phone", "tv", 10_000)])).await.assert_invalid_field("counts[0].visits");
        put(&s, SHA01_MANAGER, &day, counts(&[("phone", "tv", 1), ("phone", "tv", 2)])).await.assert_invalid_field("counts[1].source");
        put(&s, SHA01_MANAGER, &day, json!({"counts": [{"channel": "phone", "source": "tv", "visits": "many"}]})).await.assert_invalid_field("counts[0].visits");
        put(&s, SHA01_MANAGER, &day, json!({"counts": [{"channel": "phone", "source": "tv", "visits": 1, "colour": "red"}]})).await.assert_invalid_field("counts[0].colour");
        assert_eq!(rows(&s, a).await, 0, "nothing of a refused day is written");
        // Another dealer's day does not exist for this manager; a consultant has no report.
        let b = s.org.dealer_b;
        assert_eq!(put(&s, SHA01_MANAGER, &format!("/api/v1/dealers/{b}/traffic/{}", today()), ok.clone()).await.status, 404);
        assert_eq!(s.get(&s.token(SHA01_MANAGER).await, &format!("/api/v1/dealers/{b}/traffic/{}", today())).await.status, 404);
        assert_eq!(put(&s, SHA01_MANAGER, &format!("/api/v1/dealers/abc/traffic/{}", today()), ok).await.status, 404);
        s.get(&s.token(SHA01_CONSULTANT).await, "/api/v1/traffic").await.assert_error(403, "forbidden");
        let ops = s.token(SALES_OPS).await;
        s.get(&ops, "/api/v1/traffic?by=colour").await.assert_invalid_field("by");
        s.get(&ops, "/api/v1/traffic?from=someday").await.assert_invalid_field("from");
        s.get(&ops, "/api/v1/traffic?format=pdf").await.assert_invalid_field("format");
    }
}

both_engines! {
    /// The OEM sees traffic by region and by source; a dealer sees its own; the
    /// table exports to Excel.
    async fn traffic_is_reported_by_region_and_source_and_exports(s) {
        let (a, b, c) = (s.org.dealer_a, s.org.dealer_b, s.org.dealer_c);
        let yesterday = today() - Duration::days(1);
        for (who, dealer, day, grid) in [
            (SHA01_MANAGER, a, today(), vec![("walk_in", "internet", 5), ("phone", "tv", 2)]),
            (SHA01_MANAGER, a, yesterday, vec![("walk_in", "internet", 3), ("walk_in", "referral", 1)]),
            (GZB01_MANAGER, b, today(), vec![("walk_in", "auto_show", 4), ("phone", "radio", 1)]),
            (ADMIN, c, today(), vec![("walk_in", "passing_by", 2)]),
        ] {
            let r = put(&s, who, &format!("/api/v1/dealers/{dealer}/traffic/{day}"), counts(&grid)).await;
            assert_eq!(r.status, 200, "{r}");
        }
        let ops = s.token(SALES_OPS).await;
        let by_region = s.get(&ops, "/api/v1/traffic").await.json();
        assert_eq!(by_region["by"], "region");
        let row = |r: &Value, key: &str| r["rows"].as_array().and_then(|x| x.iter().find(|y| y["key"] == key).cloned()).unwrap_or_default();
        let east = row(&by_region, "EAST");
        assert_eq!((east["walk_in"].clone(), east["phone"].clone(), east["total"].clone()), (json!(11), json!(2), json!(13)));
        assert_eq!(east["sources"]["internet"], 8);
        assert_eq!(row(&by_region, "SOUTH")["sources"]["auto_show"], 4);
        assert_eq!(by_region["rows"][0]["key"], "EAST", "the busiest region first");
        assert_eq!(by_region["total"]["total"], 18);
        let by_source = s.get(&ops, "/api/v1/traffic?by=source").await.json();
        assert_eq!(by_source["rows"][0]["key"], "internet", "sources in the managed order");
        assert_eq!(row(&by_source, "internet")["total"], 8);
        let by_day = s.get(&ops, &format!("/api/v1/traffic?by=day&dealer_id={a}")).await.json();
        assert_eq!(by_day["rows"].as_array().map(|r| r.len()), Some(2));
        assert_eq!((by_day["rows"][0]["key"].clone(), by_day["rows"][0]["total"].clone()), (json!(yesterday.to_string()), json!(4)));
        let only_today = s.get(&ops, &format!("/api/v1/traffic?from={0}&to={0}", today())).await.json();
        assert_eq!(only_today["total"]["total"], 14);

        let gz = s.get(&s.token(GZB01_MANAGER).await, "/api/v1/traffic?by=dealer").await.json();
        assert_eq!(gz["rows"].as_array().map(|r| r.len()), Some(1));
        assert_eq!(gz["total"]["total"], 5, "GZB01's own traffic only");
        let group = s.get(&s.token(HXG_MANAGER).await, "/api/v1/traffic?by=dealer").await.json();
        assert_eq!(group["total"]["total"], 11, "the group's store SHA01 only, not HZC01 of the same region");

        let d = download(&s, EAST_MANAGER, "/api/v1/traffic?by=dealer&format=xlsx").await;
        assert_eq!(d.status, 200);
        let sheet = xlsx_rows(&d.bytes);
        assert_eq!(&sheet[3][..5], ["经销商", "到店", "来电", "合计", "网络"]);
        assert_eq!(&sheet[4][..5], ["上海浦东东岳4S店 (SHA01)", "9", "2", "11", "8"]);
        assert_eq!(sheet.last().map(|r| r[0].clone()), Some("合计".to_string()));
        assert_eq!(d.rows.as_deref(), Some("3"), "SHA01, HZC01 and the total");
        assert_eq!(audits(&s, "export", "showroom_traffic").await, 1);
    }
}

both_engines! {
    /// The receptionist's form: prefilled grid, save, back with the saved counts;
    /// a bad cell comes back on the form naming it.
    async fn the_day_form_saves_the_grid(s) {
        let session = s.login_session(SHA01_MANAGER).await;
        let page = s.page(&session, "/traffic").await;
        assert_eq!(page.status, 200, "{page}");
        assert!(page.body.contains("name=\"walk_in.internet\"") && page.body.contains("id=\"prefilled\""), "an unsaved day is prefilled");
        let a = s.org.dealer_a.to_string();
        let day = today().to_string();
        let post = |fields: Vec<(&'static str, String)>| {
            let mut form = vec![("_csrf", session.csrf.clone()), ("dealer_id", a.clone()), ("day", day.clone())];
            form.extend(fields);
            autocrm_tests::http::send(s.request(reqwest::Method::POST, "/traffic").header(reqwest::header::COOKIE, session.cookie_header()).form(&form))
        };
        let saved = post(vec![("walk_in.internet", "7".into()), ("phone.radio", "2".into()), ("walk_in.tv", "".into())]).await;
        assert_eq!(saved.status, 303, "{saved}");
        let back = s.page(&session, saved.header("location").unwrap_or("/traffic")).await;
        assert!(back.body.contains("id=\"recorded\"") && back.body.contains("value=\"7\""), "{}", back.body);
        let bad = post(vec![("walk_in.internet", "lots".into())]).await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("aria-invalid=\"true\"") && bad.body.contains("到店 · 网络"), "the cell is named");
        let (n,): (i64,) = s.db().fetch_one(sql("SELECT visits FROM showroom_traffic WHERE channel = 'walk_in' AND source = 'internet'", vec![])).await.unwrap();
        assert_eq!(n, 7, "the bad form changed nothing");
    }
}
