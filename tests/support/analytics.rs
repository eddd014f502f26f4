//! Reports for tests: PUT bodies, downloads read as bytes, and Excel files opened
//! back into rows of text, as a manager's Excel would show them.

use calamine::{Reader, Xlsx, open_workbook_from_rs};
use serde_json::Value;

use crate::{Reply, TestServer};

/// `PUT path` with a JSON body as `who`.
pub async fn put(s: &TestServer, who: &str, path: &str, body: Value) -> Reply {
    let token = s.token(who).await;
    crate::http::send(s.request(reqwest::Method::PUT, path).bearer_auth(token).json(&body)).await
}

/// A download: status, `x-row-count`, content type and the bytes.
pub struct Download {
    pub status: u16,
    pub rows: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

pub async fn download(s: &TestServer, who: &str, path: &str) -> Download {
    let token = s.token(who).await;
    let resp = s.request(reqwest::Method::GET, path).bearer_auth(token).send().await.expect("a response");
    let header = |n: &str| resp.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_string);
    let (status, rows, content_type) = (resp.status().as_u16(), header("x-row-count"), header("content-type"));
    Download { status, rows, content_type, bytes: resp.bytes().await.expect("the body").to_vec() }
}

/// The first sheet of an .xlsx file as text cells.
pub fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("an Excel workbook");
    let range = book.worksheet_range_at(0).expect("a first sheet").expect("a readable sheet");
    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

/// Audit entries of `action` on `entity` so far.
pub async fn audits(s: &TestServer, action: &str, entity: &str) -> i64 {
    let (n,): (i64,) = s
        .db()
        .fetch_one(autocrm_store::db::sql(
            "SELECT COUNT(*) FROM audit_event WHERE action = $1 AND entity = $2",
            vec![action.into(), entity.into()],
        ))
        .await
        .expect("count audit entries");
    n
}
