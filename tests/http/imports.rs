//! Importing a dealer's customer list (CSV or Excel) with a dry run, a report that
//! names row, column and reason, and identity resolution; exporting customer
//! lists within the dealer's scope, audited.

use autocrm_domain::vehicles::Vin;
use autocrm_store::db::sql;
use autocrm_tests::both_engines;
use autocrm_tests::fixture::*;
use autocrm_tests::{Reply, TestServer};
use serde_json::{Value, json};

/// The reviewed rule of each imports API route (method, path, action).
#[rustfmt::skip]
pub const API_RULES: &[(&str, &str, Option<&str>)] = &[
    ("POST", "/api/v1/imports", Some("customer_import")),
    ("GET", "/api/v1/imports/{id}", Some("customer_import")),
    ("PUT", "/api/v1/imports/{id}/mapping", Some("customer_import")),
    ("POST", "/api/v1/imports/{id}/commit", Some("customer_import")),
    ("GET", "/api/v1/imports/{id}/report.csv", Some("customer_import")),
    ("GET", "/api/v1/exports/customers", Some("customer_export")),
];

/// A valid Chinese-market VIN with `serial` as its last six characters.
fn vin(serial: u32) -> String {
    Vin::with_check_digit(&format!("LSVAU2180N2{serial:06}")).expect("a VIN body")
}

async fn upload(s: &TestServer, who: &str, filename: &str, bytes: Vec<u8>, query: &str) -> Reply {
    let token = s.token(who).await;
    let path = format!("/api/v1/imports?filename={filename}{query}");
    autocrm_tests::http::send(
        s.request(reqwest::Method::POST, &path).bearer_auth(token).header("content-type", "text/csv").body(bytes),
    )
    .await
}

async fn commit(s: &TestServer, who: &str, id: i64) -> Value {
    let r = s.post(&s.token(who).await, &format!("/api/v1/imports/{id}/commit"), json!({})).await;
    assert_eq!(r.status, 200, "{r}");
    r.json()
}

async fn counts(s: &TestServer) -> Vec<(&'static str, i64)> {
    let mut out = vec![];
    for t in ["customer", "contact_point", "customer_dealer", "search_key", "vehicle", "ownership"] {
        out.push((t, s.count(t).await));
    }
    out
}

async fn on_file(s: &TestServer, mobile: &str) -> Option<i64> {
    s.db()
        .fetch_optional::<(i64,)>(sql("SELECT customer_id FROM contact_point WHERE kind = 'mobile' AND value = $1", vec![mobile.into()]))
        .await
        .expect("lookup")
        .map(|r| r.0)
}

fn good_csv() -> Vec<u8> {
    format!(
        "姓名,手机,身份证号,车架号,车牌号,购车日期,备注\n\
         张三,138-0000-0001,,{},沪A12345,2024-03-05,老客户\n\
         李四,13800000002,,,,,\n\
         王五,+86 13800000003,11010519491231002X,{},,2023/10/1,\n",
        vin(1),
        vin(2)
    )
    .into_bytes()
}

both_engines! {
    async fn a_dealers_csv_is_previewed_then_committed_and_a_rerun_creates_nothing_new(s) {
        let before = counts(&s).await;
        let r = upload(&s, SHA01_MANAGER, "customers.csv", good_csv(), "").await;
        assert_eq!(r.status, 201, "{r}");
        let job = r.json();
        assert_eq!(job["status"], "previewed");
        assert_eq!((job["total_rows"].as_i64(), job["valid_rows"].as_i64(), job["invalid_rows"].as_i64()), (Some(3), Some(3), Some(0)), "{job}");
        assert_eq!(job["new_count"], 3);
        let fields: Vec<&str> = job["mapping"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap_or("-")).collect();
        assert_eq!(fields, ["name", "mobile", "id_number", "vin", "plate", "sale_date", "-"]);
        assert_eq!(counts(&s).await, before, "the dry run writes nothing");

        let id = job["id"].as_i64().unwrap();
        let done = commit(&s, SHA01_MANAGER, id).await;
        assert_eq!(done["status"], "done");
        assert_eq!((done["created_count"].as_i64(), done["linked_count"].as_i64()), (Some(3), Some(0)));
        let zhang = on_file(&s, "13800000001").await.expect("张三 was created with a normalized mobile");
        let (dealer,): (i64,) = s.db().fetch_one(sql("SELECT dealer_id FROM customer_dealer WHERE customer_id = $1", vec![zhang.into()])).await.unwrap();
        assert_eq!(dealer, s.org.dealer_a, "imported customers belong to the importer's store");
        let (owner, plate): (i64, Option<String>) = s.db().fetch_one(sql(
            "SELECT o.customer_id, v.plate FROM vehicle v JOIN ownership o ON o.vehicle_id = v.id WHERE v.vin = $1",
            vec![vin(1).into()],
        )).await.unwrap();
        assert_eq!((owner, plate.as_deref()), (zhang, Some("沪A12345")));
        let (gender,): (Option<String>,) = s.db().fetch_one(sql("SELECT gender FROM customer WHERE id_number = $1", vec!["11010519491231002X".into()])).await.unwrap();
        assert_eq!(gender.as_deref(), Some("female"), "filled from the ID number");
        let (audits,): (i64,) = s.db().fetch_one(sql("SELECT COUNT(*) FROM audit_event WHERE action = 'import' AND entity_id = $1", vec![id.into()])).await.unwrap();
        assert_eq!(audits, 1);
        if s.engine == autocrm_tests::Engine::Sqlite {
            // The commit ran without SQLite's foreign-key checks (`Db::begin_bulk`).
            let (dangling,): (i64,) = s.db().fetch_one(sql("SELECT COUNT(*) FROM pragma_foreign_key_check", vec![])).await.unwrap();
            assert_eq!(dangling, 0, "every row the import refers to is there");
        }

        // The same file again: every row links, nothing is created.
        let after_first = counts(&s).await;
        let again = upload(&s, SHA01_MANAGER, "customers.csv", good_csv(), "").await.json();
        assert_eq!((again["new_count"].as_u64(), again["link_count"].as_u64()), (Some(0), Some(3)), "{again}");
        let redo = commit(&s, SHA01_MANAGER, again["id"].as_i64().unwrap()).await;
        assert_eq!((redo["created_count"].as_i64(), redo["linked_count"].as_i64()), (Some(0), Some(3)));
        assert_eq!(counts(&s).await, after_first, "a re-run creates nothing new");
        // A committed job cannot be committed twice.
        let twice = s.post(&s.token(SHA01_MANAGER).await, &format!("/api/v1/imports/{id}/commit"), json!({})).await;
        twice.assert_error(422, "validation_failed");
    }
}

both_engines! {
    async fn an_excel_workbook_imports_like_a_csv(s) {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["Customer Name", "Mobile", "VIN", "Sale Date"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        // Excel keeps a mobile typed in a cell as a number.
        sheet.write_string(1, 0, "赵六").unwrap();
        sheet.write_number(1, 1, 13900000001.0).unwrap();
        sheet.write_string(1, 2, &vin(11)).unwrap();
        sheet.write_string(1, 3, "2025-01-02").unwrap();
        sheet.write_string(2, 0, "钱七").unwrap();
        sheet.write_string(2, 1, "13900000002").unwrap();
        let bytes = book.save_to_buffer().unwrap();

        let r = upload(&s, SHA01_MANAGER, "list.xlsx", bytes, "").await;
        assert_eq!(r.status, 201, "{r}");
        let job = r.json();
        assert_eq!((job["valid_rows"].as_i64(), job["invalid_rows"].as_i64()), (Some(2), Some(0)), "{job}");
        assert_eq!(job["rows"][0]["row"], 2, "rows are numbered as Excel shows them");
        let done = commit(&s, SHA01_MANAGER, job["id"].as_i64().unwrap()).await;
        assert_eq!(done["created_count"], 2);
        assert!(on_file(&s, "13900000001").await.is_some());
        let (n,): (i64,) = s.db().fetch_one(sql("SELECT COUNT(*) FROM vehicle WHERE vin = $1", vec![vin(11).into()])).await.unwrap();
        assert_eq!(n, 1);
    }
}

both_engines! {
    async fn a_malformed_file_is_reported_by_row_column_and_reason_and_nothing_invalid_is_written(s) {
        let good = vin(21);
        let mut wrong_check = vin(22);
        let c = if wrong_check.as_bytes()[8] == b'0' { "1" } else { "0" };
        wrong_check.replace_range(8..9, c);
        let mut bytes = format!("姓名,手机,车架号\n赵一,13800000011,{good}\n钱二,13800000012,{wrong_check}\n").into_bytes();
        bytes.extend_from_slice(b"\xff\xfe\xfd,13800000013,\n");
        bytes.extend_from_slice(format!("孙三,13800000014,,surplus\n赵一,13800000011,\n周四,13800000015,{good}\n吴五,12345,\n").as_bytes());
        let before = counts(&s).await;

        let r = upload(&s, SHA01_MANAGER, "bad.csv", bytes, "").await;
        assert_eq!(r.status, 201, "{r}");
        let job = r.json();
        assert_eq!((job["total_rows"].as_i64(), job["valid_rows"].as_i64(), job["invalid_rows"].as_i64()), (Some(7), Some(1), Some(6)), "{job}");
        let problems: Vec<(i64, String, String)> = job["problems"].as_array().unwrap().iter()
            .map(|p| (p["row"].as_i64().unwrap(), p["column"].as_str().unwrap().to_string(), p["reason"].as_str().unwrap().to_string()))
            .collect();
        let has = |row: i64, column: &str, reason: &str| problems.iter().any(|p| p.0 == row && p.1 == column && p.2 == reason);
        assert!(has(3, "车架号", "has a wrong check digit"), "{problems:?}");
        assert!(has(4, "", "is not UTF-8 or GBK text (bad encoding)"), "{problems:?}");
        assert!(has(5, "", "the row has more columns than the header"), "{problems:?}");
        assert!(has(6, "手机", "duplicates an earlier row of this file"), "{problems:?}");
        assert!(has(7, "车架号", "repeats a VIN of an earlier row of this file"), "{problems:?}");
        assert!(has(8, "手机", "is not a mobile or landline number"), "{problems:?}");

        let report = s.get(&s.token(SHA01_MANAGER).await, &format!("/api/v1/imports/{}/report.csv", job["id"])).await;
        assert_eq!(report.status, 200);
        assert!(report.header("content-type").unwrap().starts_with("text/csv"));
        assert!(report.body.contains("row,column,value,reason"), "{}", report.body);
        assert!(report.body.contains(&format!("3,车架号,{wrong_check},has a wrong check digit")), "{}", report.body);
        assert!(report.body.contains("7,车架号,") && report.body.contains("(row 2)"), "{}", report.body);

        let done = commit(&s, SHA01_MANAGER, job["id"].as_i64().unwrap()).await;
        assert_eq!((done["created_count"].as_i64(), done["linked_count"].as_i64()), (Some(1), Some(0)));
        let after = counts(&s).await;
        assert_eq!(after[0].1, before[0].1 + 1, "one customer, from the one valid row");
        assert_eq!(after[4].1, before[4].1 + 1, "one vehicle");
        for m in ["13800000012", "13800000013", "13800000014", "13800000015"] {
            assert!(on_file(&s, m).await.is_none(), "{m} came from an invalid row");
        }
        let (n,): (i64,) = s.db().fetch_one(sql("SELECT COUNT(*) FROM vehicle WHERE vin = $1", vec![wrong_check.into()])).await.unwrap();
        assert_eq!(n, 0);
    }
}

both_engines! {
    async fn the_mapping_can_be_changed_and_rows_are_checked_again(s) {
        let csv = "客户,联系号码,备注\n冯八,13700000001,VIP\n".as_bytes().to_vec();
        let job = upload(&s, SHA01_MANAGER, "x.csv", csv, "").await.json();
        assert_eq!(job["valid_rows"], 0, "without a phone column no row can be matched: {job}");
        let id = job["id"].as_i64().unwrap();
        let r = s.request(reqwest::Method::PUT, &format!("/api/v1/imports/{id}/mapping"))
            .bearer_auth(s.token(SHA01_MANAGER).await)
            .json(&json!({"mapping": {"联系号码": "mobile"}}));
        let r = autocrm_tests::http::send(r).await;
        assert_eq!(r.status, 200, "{r}");
        assert_eq!((r.json()["valid_rows"].as_i64(), r.json()["new_count"].as_u64()), (Some(1), Some(1)));
        let bad = s.request(reqwest::Method::PUT, &format!("/api/v1/imports/{id}/mapping"))
            .bearer_auth(s.token(SHA01_MANAGER).await)
            .json(&json!({"mapping": {"备注": "mobile"}}));
        autocrm_tests::http::send(bad).await.assert_invalid_field("mapping");
    }
}

both_engines! {
    async fn a_group_manager_names_the_store_and_cannot_import_into_another_groups(s) {
        let r = upload(&s, HXG_MANAGER, "x.csv", good_csv(), "").await;
        r.assert_invalid_field("dealer");
        let r = upload(&s, HXG_MANAGER, "x.csv", good_csv(), &format!("&dealer_id={}", s.org.dealer_b)).await;
        r.assert_invalid_field("dealer");
        let r = upload(&s, HXG_MANAGER, "x.csv", good_csv(), &format!("&dealer_id={}", s.org.dealer_a)).await;
        assert_eq!(r.status, 201, "{r}");
        // Dealer B's manager cannot see dealer A's job.
        let other = s.get(&s.token(GZB01_MANAGER).await, &format!("/api/v1/imports/{}", r.json()["id"])).await;
        other.assert_error(404, "not_found");
    }
}

both_engines! {
    async fn export_is_for_managers_of_their_own_customers_and_is_audited(s) {
        let a = upload(&s, SHA01_MANAGER, "a.csv", good_csv(), "").await.json();
        commit(&s, SHA01_MANAGER, a["id"].as_i64().unwrap()).await;
        let b_csv = "姓名,手机\n广州客户,13600000001\n".as_bytes().to_vec();
        let b = upload(&s, GZB01_MANAGER, "b.csv", b_csv, "").await.json();
        commit(&s, GZB01_MANAGER, b["id"].as_i64().unwrap()).await;
        let audits = |s: &TestServer| {
            let db = s.db().clone();
            async move { db.fetch_one::<(i64,)>(sql("SELECT COUNT(*) FROM audit_event WHERE action = 'export'", vec![])).await.unwrap().0 }
        };
        let n0 = audits(&s).await;

        let r = s.get(&s.token(SHA01_MANAGER).await, "/api/v1/exports/customers?format=csv").await;
        assert_eq!(r.status, 200, "{r}");
        assert!(r.header("content-disposition").unwrap().contains(".csv"));
        assert!(r.body.contains("张三") && r.body.contains("王五"), "{}", r.body);
        assert!(!r.body.contains("广州客户"), "dealer B's customer must not leak into dealer A's export");
        assert_eq!(r.header("x-row-count"), Some("3"));
        assert_eq!(audits(&s).await, n0 + 1, "every export is audited");

        let x = autocrm_tests::http::send(
            s.request(reqwest::Method::GET, "/api/v1/exports/customers?format=xlsx&q=13800000001").bearer_auth(s.token(SHA01_MANAGER).await),
        ).await;
        assert_eq!(x.status, 200, "{x}");
        assert_eq!(x.header("x-row-count"), Some("1"), "a search result is exported");
        assert_eq!(audits(&s).await, n0 + 2);

        // OEM marketing may export but not see personal identifiers.
        let m = s.get(&s.token(MARKETING).await, "/api/v1/exports/customers?q=13800000001").await;
        assert_eq!(m.status, 200, "{m}");
        assert!(m.body.contains("138****0001") && !m.body.contains("13800000001"), "{}", m.body);

        s.get(&s.token(SHA01_CONSULTANT).await, "/api/v1/exports/customers").await.assert_error(403, "forbidden");
        assert_eq!(audits(&s).await, n0 + 3, "a refused export is not an export");
    }
}

both_engines! {
    async fn an_excel_export_opens_with_the_customers_in_it(s) {
        let a = upload(&s, SHA01_MANAGER, "a.csv", good_csv(), "").await.json();
        commit(&s, SHA01_MANAGER, a["id"].as_i64().unwrap()).await;
        let resp = s.request(reqwest::Method::GET, "/api/v1/exports/customers?format=xlsx")
            .bearer_auth(s.token(SHA01_MANAGER).await).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        let bytes = resp.bytes().await.unwrap().to_vec();
        use calamine::{Reader, Xlsx, open_workbook_from_rs};
        let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("a workbook");
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        assert_eq!(rows[0][1], "姓名");
        assert_eq!(rows.len(), 4, "header and three customers");
        assert!(rows.iter().any(|r| r[1] == "张三" && r[3] == "13800000001" && r[10] == vin(1)), "{rows:?}");
    }
}
