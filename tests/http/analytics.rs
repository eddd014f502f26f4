//! Funnel analytics over HTTP, on both engines: the numbers of a hand-built set of
//! leads (funnel by dimension, expected against actual conversion, follow-up
//! timeliness), the period, the scope (a dealer's manager never sees another
//! dealer's figures, whatever the parameters), and the audited Excel export.

use autocrm_store::db::sql;
use autocrm_tests::analytics::{audits, download, xlsx_rows};
use autocrm_tests::both_engines;
use autocrm_tests::fixture::*;
use autocrm_tests::leads::{capture, model, walk_in};
use autocrm_tests::{Reply, TestServer};
use chrono::{Duration, Utc};
use serde_json::{Value, json};

/// The reviewed rule of each analytics API route (method, path, action).
#[rustfmt::skip]
pub const API_RULES: &[(&str, &str, Option<&str>)] = &[
    ("GET", "/api/v1/analytics/funnel", Some("lead_report")),
    ("GET", "/api/v1/analytics/conversion-forecast", Some("lead_report")),
    ("GET", "/api/v1/analytics/follow-up-timeliness", Some("lead_report")),
];

fn id(v: &Value) -> i64 {
    v["id"].as_i64().expect("an id")
}

/// Six prospects with known histories:
/// - at SHA01, four walk-ins (contacted and in the showroom at capture): L1 ordered
///   and delivered (immediately), L2 quoted (3 months), L3 lost (3 months), L4 open (later);
/// - from the hotline for GZB01: L5 called (1 year), L6 closed as invalid (3 months).
async fn six_leads(s: &TestServer) -> [i64; 6] {
    let m = model(s).await;
    let b = s.org.dealer_b;
    let l1 = id(&walk_in(s, SHA01_CONSULTANT, m, "13900000001", "immediately").await);
    let l2 = id(&walk_in(s, SHA01_CONSULTANT, m, "13900000002", "within_3_months").await);
    let l3 = id(&walk_in(s, SHA01_CONSULTANT, m, "13900000003", "within_3_months").await);
    let l4 = id(&walk_in(s, SHA01_CONSULTANT, m, "13900000004", "later").await);
    let hotline = |mobile: &'static str, timeframe: &'static str| async move {
        let r = capture(s, CAC_AGENT, json!({"mobile": mobile, "model_id": m, "timeframe": timeframe, "preferred_dealer_id": b})).await;
        assert_eq!(r.status, 201, "{r}");
        id(&r.json()["lead"])
    };
    let l5 = hotline("13900000005", "within_1_year").await;
    let l6 = hotline("13900000006", "within_3_months").await;
    let ok = |r: Reply| assert_eq!(r.status, 200, "{r}");
    let consultant = s.token(SHA01_CONSULTANT).await;
    ok(s.post(&consultant, &format!("/api/v1/leads/{l1}/stage"), json!({"stage": "order"})).await);
    ok(s.post(&consultant, &format!("/api/v1/leads/{l1}/stage"), json!({"stage": "delivered"})).await);
    ok(s.post(&consultant, &format!("/api/v1/leads/{l2}/stage"), json!({"stage": "quote"})).await);
    let lost = json!({"kind": "lost", "category": "other_brand", "reason": "price"});
    ok(s.post(&s.token(SHA01_MANAGER).await, &format!("/api/v1/leads/{l3}/close"), lost).await);
    ok(s.post(&s.token(GZB01_CONSULTANT).await, &format!("/api/v1/leads/{l5}/activities"), json!({"kind": "call", "outcome": "reached"})).await);
    let invalid = json!({"kind": "invalid", "reason": "wrong_number"});
    ok(s.post(&s.token(GZB01_MANAGER).await, &format!("/api/v1/leads/{l6}/close"), invalid).await);
    [l1, l2, l3, l4, l5, l6]
}

/// The counts of a funnel row, in funnel order, then lost and invalid.
fn counts(row: &Value) -> Vec<i64> {
    ["leads", "contacted", "visited", "test_drive", "quoted", "ordered", "delivered", "lost", "invalid"]
        .iter()
        .map(|k| row[k].as_i64().unwrap_or(-1))
        .collect()
}

fn row<'a>(report: &'a Value, key: &str) -> &'a Value {
    report["rows"].as_array().and_then(|rows| rows.iter().find(|r| r["key"] == key)).unwrap_or_else(|| panic!("no row {key} in {report}"))
}

fn keys(report: &Value) -> Vec<Value> {
    report["rows"].as_array().map(|rows| rows.iter().map(|r| r["key"].clone()).collect()).unwrap_or_default()
}

fn close(a: &Value, b: f64) -> bool {
    a.as_f64().is_some_and(|a| (a - b).abs() < 1e-9)
}

both_engines! {
    /// Every figure of the funnel comes from the leads' milestones: a later milestone
    /// counts for the earlier stages (a quote is past the test drive).
    async fn the_funnel_counts_the_leads_by_each_dimension(s) {
        six_leads(&s).await;
        let ops = s.token(SALES_OPS).await;
        let r = s.get(&ops, "/api/v1/analytics/funnel?by=source").await;
        assert_eq!(r.status, 200, "{r}");
        let f = r.json();
        assert_eq!(keys(&f), [json!("walk_in"), json!("hotline")], "the biggest source first");
        assert_eq!(counts(row(&f, "walk_in")), [4, 4, 4, 2, 2, 1, 1, 1, 0]);
        assert_eq!(counts(row(&f, "hotline")), [2, 1, 0, 0, 0, 0, 0, 0, 1]);
        assert_eq!(counts(&f["total"]), [6, 5, 4, 2, 2, 1, 1, 1, 1]);
        let walk_in = row(&f, "walk_in");
        assert!(close(&walk_in["order_rate"], 0.25) && close(&walk_in["delivery_rate"], 0.25), "{walk_in}");
        assert!(close(&walk_in["step_rates"]["test_drive"], 0.5) && close(&walk_in["step_rates"]["ordered"], 0.5));
        assert!(close(&f["total"]["step_rates"]["contacted"], 5.0 / 6.0));
        assert_eq!(row(&f, "hotline")["step_rates"]["test_drive"], Value::Null, "nobody to convert: unknown, not 0 %");

        let by = |dim: &'static str| { let ops = ops.clone(); let s = &s; async move {
            let r = s.get(&ops, &format!("/api/v1/analytics/funnel?by={dim}")).await;
            assert_eq!(r.status, 200, "{r}");
            r.json()
        }};
        let dealers = by("dealer").await;
        assert_eq!(keys(&dealers), [json!("SHA01"), json!("GZB01")]);
        assert_eq!(row(&dealers, "SHA01")["id"], s.org.dealer_a);
        assert_eq!(row(&dealers, "GZB01")["label"], "广州天河东岳4S店");
        let regions = by("region").await;
        assert_eq!((row(&regions, "EAST")["leads"].clone(), row(&regions, "SOUTH")["leads"].clone()), (json!(4), json!(2)));
        let timeframes = by("timeframe").await;
        assert_eq!(keys(&timeframes), [json!("immediately"), json!("within_3_months"), json!("within_1_year"), json!("later")]);
        assert_eq!(counts(row(&timeframes, "within_3_months")), [3, 2, 2, 1, 1, 0, 0, 1, 1]);
        let consultants = by("consultant").await;
        assert_eq!(row(&consultants, SHA01_CONSULTANT)["leads"], 4);
        assert_eq!(row(&consultants, SHA01_CONSULTANT)["label"], "刘洋");
        let grades = by("grade").await;
        assert_eq!(row(&grades, "D")["delivered"], 1);
        assert_eq!(row(&grades, "F")["leads"], 2, "lost and invalid are F");
        let events = by("event").await;
        assert_eq!(events["rows"][0]["key"], Value::Null);
        assert_eq!(events["rows"][0]["leads"], 6, "leads without an event are one group");
    }
}

both_engines! {
    /// Leads created outside the period do not count; the period is checked.
    async fn the_period_decides_which_leads_count(s) {
        let [.., l4, _, _] = six_leads(&s).await;
        let old = Utc::now() - Duration::days(200);
        s.db().execute(sql("UPDATE lead SET created_at = $1 WHERE id = $2", vec![old.into(), l4.into()])).await.unwrap();
        let ops = s.token(SALES_OPS).await;
        let recent = s.get(&ops, "/api/v1/analytics/funnel").await.json();
        assert_eq!(row(&recent, "walk_in")["leads"], 3, "the default period is the last 90 days");
        assert_eq!(recent["by"], "source");
        let today = (Utc::now() + Duration::hours(8)).date_naive();
        let year = s.get(&ops, &format!("/api/v1/analytics/funnel?from={}&to={today}", today - Duration::days(364))).await.json();
        assert_eq!(row(&year, "walk_in")["leads"], 4);
        let before = s.get(&ops, &format!("/api/v1/analytics/funnel?from={}&to={}", today - Duration::days(300), today - Duration::days(100))).await.json();
        assert_eq!(before["total"]["leads"], 1, "only the old lead");
        let default_from = s.get(&ops, &format!("/api/v1/analytics/funnel?to={}", today - Duration::days(100))).await.json();
        assert_eq!(default_from["total"]["leads"], 0, "90 days up to `to` miss a lead 200 days old");

        s.get(&ops, "/api/v1/analytics/funnel?from=2026-02-30").await.assert_invalid_field("from");
        s.get(&ops, "/api/v1/analytics/funnel?from=2026-05-02&to=2026-05-01").await.assert_invalid_field("to");
        s.get(&ops, "/api/v1/analytics/funnel?from=2020-01-01&to=2026-01-01").await.assert_invalid_field("to");
        s.get(&ops, "/api/v1/analytics/funnel?by=colour").await.assert_invalid_field("by");
        s.get(&ops, "/api/v1/analytics/funnel?format=pdf").await.assert_invalid_field("format");
        s.get(&ops, "/api/v1/analytics/funnel?dealer_id=abc").await.assert_invalid_field("dealer_id");
        s.get(&ops, "/api/v1/analytics/conversion-forecast?since=2026-01-01").await.assert_invalid_field("since");
        s.get(&ops, "/api/v1/analytics/follow-up-timeliness?to=tomorrow").await.assert_invalid_field("to");
    }
}

both_engines! {
    /// Expected buyers from the OEM's rates per timeframe against the orders so far.
    async fn expected_and_actual_conversion_per_timeframe(s) {
        six_leads(&s).await;
        let r = s.get(&s.token(SALES_OPS).await, "/api/v1/analytics/conversion-forecast").await;
        assert_eq!(r.status, 200, "{r}");
        let lines = r.json()["lines"].as_array().cloned().unwrap_or_default();
        assert_eq!(lines.len(), 6, "five timeframes and the total");
        let line = |t: &str| lines.iter().find(|l| l["timeframe"] == t).cloned().unwrap_or_default();
        let now = line("immediately");
        assert_eq!((now["leads"].clone(), now["ordered"].clone(), now["open"].clone()), (json!(1), json!(1), json!(0)));
        assert!(close(&now["expected_rate"], 0.3) && close(&now["expected_orders"], 0.3) && close(&now["actual_rate"], 1.0));
        let three = line("within_3_months");
        assert_eq!((three["leads"].clone(), three["open"].clone(), three["ordered"].clone()), (json!(3), json!(1), json!(0)), "quoted open; lost and invalid closed");
        assert!(close(&three["expected_orders"], 0.3) && close(&three["projected_orders"], 0.1));
        assert_eq!(line("within_6_months")["actual_rate"], Value::Null);
        let total = lines.last().cloned().unwrap_or_default();
        assert_eq!(total["timeframe"], Value::Null);
        assert_eq!((total["leads"].clone(), total["ordered"].clone()), (json!(6), json!(1)));
        assert!(close(&total["expected_orders"], 0.65), "0.3 + 3 × 0.1 + 0.04 + 0.01: {total}");
        assert!(close(&total["projected_orders"], 1.15), "1 ordered + 0.1 + 0.04 + 0.01: {total}");
        assert!(close(&total["actual_rate"], 1.0 / 6.0));
    }
}

both_engines! {
    /// First contact within the rules' hours, overdue follow-ups, feedback on time.
    async fn follow_up_timeliness_per_dealer(s) {
        let [_, l2, _, _, l5, l6] = six_leads(&s).await;
        let now = Utc::now();
        let (c5, c6) = (now - Duration::days(2), now - Duration::days(3));
        // L5 was first called 30 h after it came in; its feedback came 2 h after distribution.
        s.db().execute(sql("UPDATE lead SET created_at = $1, contacted_at = $2, distributed_at = $3, feedback_due_at = $4, feedback_at = $5 WHERE id = $6",
            vec![c5.into(), (c5 + Duration::hours(30)).into(), (c5 + Duration::hours(12)).into(), (c5 + Duration::hours(36)).into(), (c5 + Duration::hours(14)).into(), l5.into()])).await.unwrap();
        // L6 was never called, and its feedback is overdue.
        s.db().execute(sql("UPDATE lead SET created_at = $1, distributed_at = $2, feedback_due_at = $3 WHERE id = $4",
            vec![c6.into(), (c6 + Duration::hours(12)).into(), (c6 + Duration::hours(36)).into(), l6.into()])).await.unwrap();
        s.db().execute(sql("UPDATE lead SET next_follow_up_at = $1 WHERE id = $2", vec![(now - Duration::hours(1)).into(), l2.into()])).await.unwrap();

        let r = s.get(&s.token(SALES_OPS).await, "/api/v1/analytics/follow-up-timeliness").await;
        assert_eq!(r.status, 200, "{r}");
        let t = r.json();
        assert_eq!(t["first_contact_hours"], 24);
        let dealer = |code: &str| t["rows"].as_array().and_then(|r| r.iter().find(|x| x["dealer_code"] == code).cloned()).unwrap_or_default();
        let a = dealer("SHA01");
        let figures = |x: &Value, keys: &[&str]| keys.iter().map(|k| x[k].as_i64().unwrap_or(-1)).collect::<Vec<_>>();
        let contact = ["leads", "contacted_in_time", "contacted_late", "not_contacted", "open", "overdue"];
        let feedback = ["distributed", "feedback_on_time", "feedback_late", "feedback_missing"];
        assert_eq!(figures(&a, &contact), [4, 4, 0, 0, 2, 1], "walk-ins are contacted at once; L2 is overdue: {a}");
        assert!(close(&a["contact_rate"], 1.0) && close(&a["overdue_rate"], 0.5));
        assert_eq!(a["feedback_rate"], Value::Null, "nothing distributed to SHA01");
        let b = dealer("GZB01");
        assert_eq!(figures(&b, &contact), [2, 0, 1, 1, 1, 0], "{b}");
        assert_eq!(figures(&b, &feedback), [2, 1, 0, 1]);
        assert!(close(&b["contact_rate"], 0.0) && close(&b["feedback_rate"], 0.5));
        assert!(close(&t["total"]["contact_rate"], 4.0 / 6.0));
    }
}

both_engines! {
    /// A dealer's manager sees their store's figures only, by any dimension, and is
    /// refused — not answered with zeros — when asking for another dealer or region.
    async fn a_dealer_manager_never_sees_another_dealers_figures(s) {
        six_leads(&s).await;
        let gz = s.token(GZB01_MANAGER).await;
        for dim in ["source", "dealer", "region", "consultant", "timeframe", "grade", "event"] {
            let r = s.get(&gz, &format!("/api/v1/analytics/funnel?by={dim}")).await;
            assert_eq!(r.status, 200, "{r}");
            assert_eq!(r.json()["total"]["leads"], 2, "by {dim}: GZB01's two leads only: {r}");
        }
        let dealers = s.get(&gz, "/api/v1/analytics/funnel?by=dealer").await.json();
        assert_eq!(keys(&dealers), [json!("GZB01")]);
        let a = s.org.dealer_a;
        let exports = audits(&s, "export", "analytics_funnel").await;
        for path in [
            format!("/api/v1/analytics/funnel?dealer_id={a}"),
            format!("/api/v1/analytics/funnel?by=dealer&dealer_id={a}&format=xlsx"),
            format!("/api/v1/analytics/conversion-forecast?dealer_id={a}"),
            format!("/api/v1/analytics/follow-up-timeliness?dealer_id={a}"),
            format!("/api/v1/traffic?dealer_id={a}"),
        ] {
            s.get(&gz, &path).await.assert_invalid_field("dealer_id");
        }
        s.get(&gz, &format!("/api/v1/analytics/funnel?region_id={}", s.org.east)).await.assert_invalid_field("region_id");
        assert_eq!(audits(&s, "export", "analytics_funnel").await, exports, "a refused export is not an export");
        let forecast = s.get(&gz, "/api/v1/analytics/conversion-forecast").await.json();
        assert_eq!(forecast["lines"].as_array().and_then(|l| l.last()).map(|t| t["leads"].clone()), Some(json!(2)));
        let timeliness = s.get(&gz, "/api/v1/analytics/follow-up-timeliness").await.json();
        assert_eq!(timeliness["rows"].as_array().map(|r| r.len()), Some(1));
        assert_eq!(timeliness["rows"][0]["dealer_code"], "GZB01");

        // The group sees its store, the region its dealers, the consultant no reports.
        let group = s.get(&s.token(HXG_MANAGER).await, "/api/v1/analytics/funnel?by=dealer").await.json();
        assert_eq!(keys(&group), [json!("SHA01")]);
        let east = s.get(&s.token(EAST_MANAGER).await, "/api/v1/analytics/funnel?by=region").await.json();
        assert_eq!(keys(&east), [json!("EAST")]);
        assert_eq!(east["total"]["leads"], 4);
        s.get(&s.token(SHA01_CONSULTANT).await, "/api/v1/analytics/funnel").await.assert_error(403, "forbidden");
    }
}

both_engines! {
    /// The Excel file is the page's table: header, one row per group, the total;
    /// every export is an audit entry.
    async fn the_funnel_exports_to_excel_and_is_audited(s) {
        six_leads(&s).await;
        let before = audits(&s, "export", "analytics_funnel").await;
        let d = download(&s, EAST_MANAGER, "/api/v1/analytics/funnel?by=source&format=xlsx").await;
        assert_eq!(d.status, 200);
        assert_eq!(d.content_type.as_deref(), Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
        assert_eq!(d.rows.as_deref(), Some("2"), "one source and the total");
        let rows = xlsx_rows(&d.bytes);
        assert!(rows[0][0].contains("销售漏斗"), "{rows:?}");
        assert_eq!(&rows[3][..3], ["来源", "线索", "已联系"]);
        assert_eq!(&rows[4][..8], ["到店", "4", "4", "1", "4", "1", "2", "0.5"], "walk-ins of the region, rates as fractions: {rows:?}");
        assert_eq!(rows[5][0], "合计");
        assert_eq!(rows.len(), 6, "title, period, blank, header, one row, total");
        assert_eq!(audits(&s, "export", "analytics_funnel").await, before + 1);
        let (actor, summary): (Option<i64>, Option<String>) = s.db().fetch_one(sql(
            "SELECT actor_id, summary FROM audit_event WHERE action = 'export' AND entity = 'analytics_funnel' ORDER BY id DESC LIMIT 1", vec![])).await.unwrap();
        assert_eq!(actor, Some(s.org.id(EAST_MANAGER)));
        assert!(summary.unwrap_or_default().contains("2 rows"));
        for (path, entity) in [("/api/v1/analytics/conversion-forecast?format=xlsx", "analytics_forecast"), ("/api/v1/analytics/follow-up-timeliness?format=xlsx", "analytics_timeliness")] {
            let d = download(&s, EAST_MANAGER, path).await;
            assert_eq!(d.status, 200, "{path}");
            assert!(xlsx_rows(&d.bytes).iter().any(|r| r.first().is_some_and(|c| c == "合计")), "{path} has its total line");
            assert_eq!(audits(&s, "export", entity).await, 1, "{entity}");
        }
    }
}

both_engines! {
    /// The pages show the same figures, with the dimension tabs and the export link.
    async fn the_analytics_pages_show_the_figures(s) {
        six_leads(&s).await;
        let session = s.login_session(EAST_MANAGER).await;
        let r = s.page(&session, "/analytics?by=dealer").await;
        assert_eq!(r.status, 200, "{r}");
        assert!(r.body.contains("上海浦东东岳4S店 (SHA01)") && !r.body.contains("GZB01"), "the region's dealers only");
        assert!(r.body.contains("<svg") && r.body.contains("figure class=\"chart"), "charts drawn on the server");
        assert!(r.body.contains("format=xlsx"), "an export link");
        let x = s.page(&session, "/analytics?by=dealer&format=xlsx").await;
        assert_eq!(x.header("content-type"), Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
        for p in ["/analytics/forecast", "/analytics/timeliness", "/traffic/report", "/analytics?from=2026-13-01"] {
            let r = s.page(&session, p).await;
            assert_eq!(r.status, 200, "{p}: {r}");
        }
        assert!(s.page(&session, "/analytics?from=2026-13-01").await.body.contains("class=\"errors\""), "a bad date is shown on the page");
        assert_eq!(s.page(&s.login_session(SHA01_CONSULTANT).await, "/analytics").await.status, 403);
    }
}
