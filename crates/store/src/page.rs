//! Cursor pagination and sorting shared by every list in the API.
//!
//! Lists are ordered by one sort column plus `id` as a tie-breaker, and continue
//! after the last row seen (keyset pagination): stable under inserts and as fast on
//! page 1,000 as on page 1.

use autocrm_domain::FieldError;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_query::{Cond, Expr, ExprTrait, Order, SelectStatement, Value};
use serde_json::json;

/// The sortable fields of one list: API name → column, and the value kind.
#[derive(Debug, Clone, Copy)]
pub struct SortField {
    pub name: &'static str,
    pub column: &'static str,
    pub text: bool,
}

pub const fn text(name: &'static str, column: &'static str) -> SortField {
    SortField { name, column, text: true }
}
pub const fn int(name: &'static str, column: &'static str) -> SortField {
    SortField { name, column, text: false }
}

#[derive(Debug, Clone)]
pub struct PageRequest {
    pub limit: u64,
    pub sort: SortField,
    pub desc: bool,
    after: Option<(serde_json::Value, i64)>,
}

pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 500;

impl PageRequest {
    /// Parses `limit`, `sort` (`name` or `-name` for descending) and `cursor`.
    pub fn parse(
        limit: Option<u64>,
        sort: Option<&str>,
        cursor: Option<&str>,
        allowed: &[SortField],
        default_sort: &str,
    ) -> Result<PageRequest, FieldError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(FieldError::new("limit", format!("must be between 1 and {MAX_LIMIT}")));
        }
        let raw = sort.filter(|s| !s.is_empty()).unwrap_or(default_sort);
        let (desc, name) = raw.strip_prefix('-').map_or((false, raw), |n| (true, n));
        let sort = *allowed.iter().find(|f| f.name == name).ok_or_else(|| {
            let names: Vec<_> = allowed.iter().map(|f| f.name).collect();
            FieldError::new("sort", format!("must be one of {}", names.join(", ")))
        })?;
        let after = match cursor {
            None | Some("") => None,
            Some(c) => Some(decode_cursor(c, raw).ok_or_else(|| FieldError::new("cursor", "is not a cursor of this list and sort"))?),
        };
        Ok(PageRequest { limit, sort, desc, after })
    }

    /// Adds ordering, the keyset condition and `LIMIT limit+1` (the extra row tells
    /// whether there is a next page). `table` qualifies the columns.
    pub fn apply(&self, q: &mut SelectStatement, table: &'static str) {
        let col = (table, self.sort.column);
        let order = if self.desc { Order::Desc } else { Order::Asc };
        if let Some((v, id)) = &self.after {
            let v: Value = if self.sort.text {
                v.as_str().unwrap_or_default().to_string().into()
            } else {
                v.as_i64().unwrap_or_default().into()
            };
            let (beyond, beyond_id) = if self.desc {
                (Expr::col(col).lt(v.clone()), Expr::col((table, "id")).lt(*id))
            } else {
                (Expr::col(col).gt(v.clone()), Expr::col((table, "id")).gt(*id))
            };
            q.cond_where(Cond::any().add(beyond).add(Cond::all().add(Expr::col(col).eq(v)).add(beyond_id)));
        }
        q.order_by(col, order.clone()).order_by((table, "id"), order).limit(self.limit + 1);
    }

    /// Cuts the extra row and makes the cursor for the next page from the last item.
    pub fn finish<T>(&self, mut rows: Vec<T>, key: impl Fn(&T) -> (serde_json::Value, i64)) -> Page<T> {
        let next_cursor = if rows.len() as u64 > self.limit {
            rows.truncate(self.limit as usize);
            rows.last().map(|last| {
                let (v, id) = key(last);
                let sort = if self.desc { format!("-{}", self.sort.name) } else { self.sort.name.to_string() };
                URL_SAFE_NO_PAD.encode(json!([sort, v, id]).to_string())
            })
        } else {
            None
        };
        Page { items: rows, next_cursor }
    }
}

fn decode_cursor(c: &str, sort: &str) -> Option<(serde_json::Value, i64)> {
    let bytes = URL_SAFE_NO_PAD.decode(c).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let arr = v.as_array()?;
    if arr.len() != 3 || arr[0].as_str()? != sort {
        return None;
    }
    Some((arr[1].clone(), arr[2].as_i64()?))
}

/// One page of a list and the cursor for the next one (`None` on the last page).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: [SortField; 2] = [text("name", "name"), int("id", "id")];

    #[test]
    fn sort_and_limit_are_validated() {
        assert_eq!(PageRequest::parse(Some(0), None, None, &FIELDS, "name").unwrap_err().field, "limit");
        assert_eq!(PageRequest::parse(None, Some("colour"), None, &FIELDS, "name").unwrap_err().field, "sort");
        assert!(PageRequest::parse(None, Some("-name"), None, &FIELDS, "name").unwrap().desc);
    }

    #[test]
    fn a_cursor_only_continues_its_own_sort() {
        let p = PageRequest::parse(Some(1), Some("name"), None, &FIELDS, "name").unwrap();
        let page = p.finish(vec![("a", 1), ("b", 2)], |r| (json!(r.0), r.1));
        let c = page.next_cursor.unwrap();
        assert!(PageRequest::parse(Some(1), Some("name"), Some(&c), &FIELDS, "name").is_ok());
        assert_eq!(PageRequest::parse(Some(1), Some("-name"), Some(&c), &FIELDS, "name").unwrap_err().field, "cursor");
        assert_eq!(PageRequest::parse(Some(1), None, Some("garbage!"), &FIELDS, "name").unwrap_err().field, "cursor");
    }
}
