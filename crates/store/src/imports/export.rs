//! Export of a customer list — a search result, or every customer in scope — to
//! CSV or Excel. Personal identifiers are masked unless the actor may reveal
//! them, and every export is an audit entry (who, how many, which query): at OEM
//! scale a bulk export of personal data is "important data" leaving the system.

use std::collections::HashMap;

use autocrm_domain::access::Action;
use sea_query::{Expr, ExprTrait, Order};

use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::customers::{self, CUSTOMER, mask_id_number, mask_mobile};
use crate::db::{FromRow, Row, sql};
use crate::{Db, StoreError, scope};

/// The most rows one export returns.
pub const EXPORT_MAX: u64 = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "csv" | "" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

pub struct Exported {
    pub bytes: Vec<u8>,
    pub rows: usize,
    pub filename: String,
}

/// The header row; the import recognizes every one of these, so an export can be
/// corrected in Excel and imported back.
pub const HEADERS: [&str; 12] =
    ["客户编号", "姓名", "客户类型", "手机", "身份证号", "邮箱", "性别", "省份", "城市", "地址", "车架号", "车牌号"];

struct Line {
    id: i64,
    cells: Vec<String>,
}

impl FromRow for Line {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        let mut cells = Vec::with_capacity(12);
        for i in 1..=10 {
            let v: Option<String> = r.get(i)?;
            cells.push(v.unwrap_or_default());
        }
        Ok(Line { id: r.get(0)?, cells })
    }
}

const COLUMNS: [&str; 11] =
    ["id", "customer_no", "name", "kind", "mobile", "id_number", "email", "gender", "province", "city", "address"];

/// Exports the customers `query` finds (all customers in scope when empty).
pub async fn export(db: &Db, actor: &Actor, query: &str, format: Format) -> Result<Exported, StoreError> {
    let query = query.trim();
    let base = || {
        let mut q = scope::select(&actor.scope, &CUSTOMER);
        for c in COLUMNS {
            q.column(("customer", c));
        }
        q
    };
    let mut lines: Vec<Line> = if query.is_empty() {
        let mut q = base();
        q.cond_where(customers::Filter::default().condition()).order_by(("customer", "id"), Order::Asc).limit(EXPORT_MAX);
        db.fetch_all(q).await?
    } else {
        let hits = crate::search::find(db, &actor.scope, query, crate::search::MAX_LIMIT).await?;
        let ids: Vec<i64> = hits.iter().map(|h| h.customer_id).collect();
        if ids.is_empty() {
            vec![]
        } else {
            let mut q = base();
            q.and_where(Expr::col(("customer", "id")).is_in(ids.clone()));
            let found: Vec<Line> = db.fetch_all(q).await?;
            let mut by_id: HashMap<i64, Line> = found.into_iter().map(|l| (l.id, l)).collect();
            ids.iter().filter_map(|id| by_id.remove(id)).collect()
        }
    };

    // Current vehicles (VIN, plate) of the customers, visible or not: they belong
    // to a customer the actor may see.
    let mut vehicles: HashMap<i64, (Vec<String>, Vec<String>)> = HashMap::new();
    for chunk in lines.chunks(500) {
        let ph = (1..=chunk.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(",");
        let rows: Vec<(i64, String, Option<String>)> = db
            .fetch_all(sql(
                &format!(
                    "SELECT o.customer_id, v.vin, v.plate FROM ownership o JOIN vehicle v ON v.id = o.vehicle_id \
                     WHERE o.to_date IS NULL AND o.customer_id IN ({ph}) ORDER BY o.id"
                ),
                chunk.iter().map(|l| l.id.into()).collect(),
            ))
            .await?;
        for (cid, vin, plate) in rows {
            let e = vehicles.entry(cid).or_default();
            e.0.push(vin);
            e.1.extend(plate);
        }
    }
    let reveal = actor.role.grants(Action::PiiReveal);
    for l in &mut lines {
        if !reveal {
            if !l.cells[3].is_empty() {
                l.cells[3] = mask_mobile(&l.cells[3]);
            }
            if !l.cells[4].is_empty() {
                l.cells[4] = mask_id_number(&l.cells[4]);
            }
        }
        let (vins, plates) = vehicles.remove(&l.id).unwrap_or_default();
        l.cells.push(vins.join(";"));
        l.cells.push(plates.join(";"));
    }

    let cells: Vec<Vec<String>> = lines.into_iter().map(|l| l.cells).collect();
    let bytes = table(&HEADERS, &cells, format)?;

    let mut tx = db.begin().await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "export",
            entity: "customer",
            entity_id: None,
            dealer_id: actor.dealer_id,
            summary: Some(format!("{} customers exported as {} (query: {query:?})", cells.len(), format.as_str())),
            before: None,
            after: Some(serde_json::json!({"rows": cells.len(), "query": query, "format": format.as_str(), "masked": !reveal})),
        },
    )
    .await?;
    tx.commit().await?;
    let stamp = crate::now().format("%Y%m%d-%H%M%S");
    Ok(Exported { bytes, rows: cells.len(), filename: format!("customers-{stamp}.{}", format.as_str()) })
}

/// A table as CSV (UTF-8 with a BOM, so Excel reads Chinese) or .xlsx, every
/// cell text: mobiles and ID numbers must not become numbers. Every list export
/// of the product writes through here.
pub fn table(headers: &[&str], rows: &[Vec<String>], format: Format) -> Result<Vec<u8>, StoreError> {
    match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
            let written = w.write_record(headers).and_then(|_| rows.iter().try_for_each(|r| w.write_record(r)));
            written.map_err(|e| StoreError::Decode(e.to_string()))?;
            w.into_inner().map_err(|e| StoreError::Decode(e.to_string()))
        }
        Format::Xlsx => xlsx(headers, rows).map_err(|e| StoreError::Decode(e.to_string())),
    }
}

fn xlsx(headers: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, v)?;
        }
    }
    book.save_to_buffer()
}
