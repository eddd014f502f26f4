//! Finding people fast: the one search box (mobile, name, pinyin, VIN tail, plate…)
//! and the hotline's screen-pop by phone number.
//!
//! A query is classified first ([`classify`]): what it can be (a full mobile, the
//! last 4 digits of one, a VIN or its tail, a plate, an e-mail, a customer number, a
//! name or pinyin). Each reading becomes one indexed probe, every probe joined with
//! the caller's scope on `customer`; hits are ranked (strong identifiers first,
//! exact before prefix) and deduplicated by customer. Prefixes are ranges
//! (`key >= $1 AND key < $1 || U+10FFFF`), which both engines answer from a B-tree.

pub mod cards;
mod pop;

pub use cards::Cards;
pub use pop::{PopConsent, PopCustomer, PopEvent, PopVehicle, ScreenPop, screen_pop};

use autocrm_domain::access::Scope;
use autocrm_domain::customers::{Email, Landline, Mobile, Phone, is_cjk};
use autocrm_domain::vehicles::{PLATE_PROVINCES, Plate, vin_search_tail};
use sea_query::{Expr, ExprTrait, JoinType, Order, SelectStatement};
use serde::Serialize;

use crate::customers::CUSTOMER;
use crate::db::{FromRow, Row};
use crate::{Db, StoreError, scope};

/// The highest code point: `prefix || MAX_CHAR` is above every string starting with `prefix`.
const MAX_CHAR: char = '\u{10FFFF}';

/// Most hits a search returns.
pub const MAX_LIMIT: u64 = 100;

/// Which field of the customer matched, strongest first (the order ranks hits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Mobile,
    CustomerNo,
    Vin,
    Email,
    Landline,
    Plate,
    MobileTail,
    VinTail,
    Name,
    PlatePrefix,
    NamePrefix,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Mobile => "mobile",
            Field::CustomerNo => "customer_no",
            Field::Vin => "vin",
            Field::Email => "email",
            Field::Landline => "landline",
            Field::Plate => "plate",
            Field::MobileTail => "mobile_tail",
            Field::VinTail => "vin_tail",
            Field::Name => "name",
            Field::PlatePrefix => "plate_prefix",
            Field::NamePrefix => "name_prefix",
        }
    }
}

/// One way to read the query, answered by one indexed statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// `contact_point(kind, value)` exact.
    Contact { field: Field, kind: &'static str, value: String },
    /// Last 4 digits of a mobile (`contact_point.tail4`), dealer-bound scopes only.
    MobileTail(String),
    CustomerNo(String),
    Vin(String),
    /// Reversed VIN tail: a prefix of `vehicle.vin_rev`.
    VinTail(String),
    Plate(String),
    PlatePrefix(String),
    /// Exact search key (a suffix of the name, pinyin initials, a whole name
    /// stored otherwise than as typed: see [`crate::customers::search_keys`]).
    Key(String),
    KeyPrefix(String),
    /// The customer's whole name or full pinyin, exact: `customer (name, city)`
    /// or `(name_pinyin, city)`, which hold what the search keys leave out.
    Name(NameColumn, String),
    NamePrefix(NameColumn, String),
}

/// The column of `customer` a [`Probe::Name`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameColumn {
    /// `name`, for a query in Chinese characters.
    Name,
    /// `name_pinyin` of persons, for a query in latin letters.
    Pinyin,
}

impl NameColumn {
    fn as_str(self) -> &'static str {
        match self {
            NameColumn::Name => "name",
            NameColumn::Pinyin => "name_pinyin",
        }
    }
}

/// What a query can mean, and why nothing is searched when it is too broad.
#[derive(Debug, Clone, Default)]
pub struct Classified {
    pub probes: Vec<Probe>,
    /// An English message (translated by the web layer) when the query was refused,
    /// e.g. a bare last-4 for a role that sees the whole network.
    pub hint: Option<&'static str>,
}

/// Shown instead of results when an OEM-wide role types only 4 digits.
pub const HINT_TAIL4_NEEDS_DEALER: &str =
    "the last 4 digits of a mobile are searched within one dealer only: type the full number";

/// Reads the query. Pure: no database access.
pub fn classify(scope: &Scope, raw: &str) -> Classified {
    let q: String = raw.trim().chars().filter(|c| !c.is_control()).collect();
    let mut out = Classified::default();
    if q.is_empty() {
        return out;
    }
    let compact: String = q.chars().filter(|c| !c.is_whitespace()).collect();
    let digits_only = !compact.is_empty() && compact.chars().all(|c| c.is_ascii_digit());

    if let Ok(m) = Mobile::parse(&q) {
        out.probes.push(Probe::Contact { field: Field::Mobile, kind: "mobile", value: m.as_str().to_string() });
    } else if digits_only && compact.len() == 4 {
        if matches!(scope, Scope::Dealer { .. } | Scope::Own { .. }) {
            out.probes.push(Probe::MobileTail(compact.clone()));
        } else {
            out.hint = Some(HINT_TAIL4_NEEDS_DEALER);
        }
    } else if let Ok(l) = Landline::parse(&q) {
        out.probes.push(Probe::Contact { field: Field::Landline, kind: "landline", value: l.as_str().to_string() });
    }
    if q.contains('@') {
        if let Ok(e) = Email::parse(&q) {
            out.probes.push(Probe::Contact { field: Field::Email, kind: "email", value: e.as_str().to_string() });
        }
        return out;
    }
    let upper = compact.to_uppercase();
    let ascii_alnum = compact.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ascii_alnum && compact.len() >= 4 && compact.chars().any(|c| c.is_ascii_digit()) {
        out.probes.push(Probe::CustomerNo(upper.clone()));
    }
    if upper.len() == 17 && ascii_alnum {
        out.probes.push(Probe::Vin(upper.clone()));
    } else if let Some(tail) = vin_search_tail(&compact) {
        out.probes.push(Probe::VinTail(tail.chars().rev().collect()));
    }
    let first = upper.chars().next();
    if first.is_some_and(|c| PLATE_PROVINCES.contains(&c) || c == '使') {
        match Plate::parse(&q) {
            Ok(p) => out.probes.push(Probe::Plate(p.as_str().to_string())),
            Err(_) => {
                let norm: String = upper.chars().filter(|c| !matches!(c, '·' | '•' | '.' | '・' | '-')).collect();
                let n = norm.chars().count();
                if (2..8).contains(&n) && norm.chars().skip(1).all(|c| c.is_ascii_alphanumeric()) {
                    out.probes.push(Probe::PlatePrefix(norm));
                }
            }
        }
    }
    // Names: Chinese text (a whole name, its tail, an organization's name) or
    // latin letters (pinyin initials or full pinyin). Exact readings first.
    let has_cjk = compact.chars().any(is_cjk);
    let latin = compact.chars().all(|c| c.is_ascii_alphabetic());
    if has_cjk || latin {
        let key = compact.to_lowercase();
        let column = if has_cjk { NameColumn::Name } else { NameColumn::Pinyin };
        out.probes.push(Probe::Key(key.clone()));
        out.probes.push(Probe::Name(column, key.clone()));
        out.probes.push(Probe::KeyPrefix(key.clone()));
        out.probes.push(Probe::NamePrefix(column, key));
    }
    out
}

/// A customer found by the search box.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Hit {
    pub customer_id: i64,
    pub customer_no: String,
    pub name: String,
    /// `person`, `enterprise` or `government`.
    pub kind: String,
    /// `138****1234`; never the full number.
    pub mobile_masked: Option<String>,
    pub city: Option<String>,
    /// What matched (the strongest field if several did).
    pub matched: Field,
    /// The matching value as stored (masked for phone numbers).
    pub matched_value: String,
    /// The customer's first current vehicle.
    pub vehicle: Option<HitVehicle>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HitVehicle {
    pub vehicle_id: i64,
    pub vin: String,
    pub plate: Option<String>,
    pub model: Option<String>,
}

/// Masks a stored phone number for display (`138****1234`, `021-****5678`).
pub fn mask_phone(stored: &str) -> String {
    match Phone::parse(stored) {
        Ok(p) => p.masked(),
        Err(_) => {
            let chars: Vec<char> = stored.chars().collect();
            let keep = chars.len().min(4);
            format!("****{}", chars[chars.len() - keep..].iter().collect::<String>())
        }
    }
}

/// Customers in scope that are not merged away: the base of every probe.
fn customers_in(scope: &Scope) -> SelectStatement {
    let mut q = scope::select(scope, &CUSTOMER);
    q.and_where(Expr::col(("customer", "merged_into")).is_null());
    q
}

fn prefix_end(p: &str) -> String {
    let mut s = p.to_string();
    s.push(MAX_CHAR);
    s
}

/// One probe as a statement returning `(customer_id, matched value)`.
fn probe_statement(scope: &Scope, probe: &Probe, limit: u64) -> (Field, SelectStatement) {
    let mut q = customers_in(scope);
    q.column(("customer", "id"));
    let field = match probe {
        Probe::Contact { field, kind, value } => {
            q.column(("contact_point", "value"))
                .join(
                    JoinType::InnerJoin,
                    "contact_point",
                    Expr::col(("contact_point", "customer_id")).equals(("customer", "id")),
                )
                .and_where(Expr::col(("contact_point", "kind")).eq(*kind))
                .and_where(Expr::col(("contact_point", "value")).eq(value.as_str()));
            *field
        }
        Probe::MobileTail(t) => {
            q.column(("contact_point", "value"))
                .join(
                    JoinType::InnerJoin,
                    "contact_point",
                    Expr::col(("contact_point", "customer_id")).equals(("customer", "id")),
                )
                .and_where(Expr::col(("contact_point", "tail4")).eq(t.as_str()))
                .and_where(Expr::col(("contact_point", "kind")).eq("mobile"));
            Field::MobileTail
        }
        Probe::CustomerNo(n) => {
            q.column(("customer", "customer_no")).and_where(Expr::col(("customer", "customer_no")).eq(n.as_str()));
            Field::CustomerNo
        }
        Probe::Vin(_) | Probe::VinTail(_) | Probe::Plate(_) | Probe::PlatePrefix(_) => {
            q.column(("vehicle", "vin"))
                .join(
                    JoinType::InnerJoin,
                    "ownership",
                    Expr::col(("ownership", "customer_id"))
                        .equals(("customer", "id"))
                        .and(Expr::col(("ownership", "to_date")).is_null()),
                )
                .join(JoinType::InnerJoin, "vehicle", Expr::col(("vehicle", "id")).equals(("ownership", "vehicle_id")));
            match probe {
                Probe::Vin(v) => {
                    q.and_where(Expr::col(("vehicle", "vin")).eq(v.as_str()));
                    Field::Vin
                }
                Probe::VinTail(rev) => {
                    q.and_where(Expr::col(("vehicle", "vin_rev")).gte(rev.as_str()))
                        .and_where(Expr::col(("vehicle", "vin_rev")).lt(prefix_end(rev)))
                        .order_by(("vehicle", "vin_rev"), Order::Asc);
                    Field::VinTail
                }
                Probe::Plate(p) => {
                    q.and_where(Expr::col(("vehicle", "plate")).eq(p.as_str()));
                    Field::Plate
                }
                Probe::PlatePrefix(p) => {
                    q.and_where(Expr::col(("vehicle", "plate")).gte(p.as_str()))
                        .and_where(Expr::col(("vehicle", "plate")).lt(prefix_end(p)))
                        .order_by(("vehicle", "plate"), Order::Asc);
                    Field::PlatePrefix
                }
                _ => unreachable!("vehicle probes only"),
            }
        }
        Probe::Key(_) | Probe::KeyPrefix(_) => {
            q.column(("customer", "name")).join(
                JoinType::InnerJoin,
                "search_key",
                Expr::col(("search_key", "customer_id")).equals(("customer", "id")),
            );
            match probe {
                Probe::Key(k) => {
                    q.and_where(Expr::col(("search_key", "key")).eq(k.as_str()));
                    Field::Name
                }
                Probe::KeyPrefix(k) => {
                    q.and_where(Expr::col(("search_key", "key")).gte(k.as_str()))
                        .and_where(Expr::col(("search_key", "key")).lt(prefix_end(k)))
                        .order_by(("search_key", "key"), Order::Asc);
                    Field::NamePrefix
                }
                _ => unreachable!("key probes only"),
            }
        }
        Probe::Name(column, v) | Probe::NamePrefix(column, v) => {
            let col = column.as_str();
            q.column(("customer", "name"));
            if *column == NameColumn::Pinyin {
                q.and_where(Expr::col(("customer", "kind")).eq("person"));
            }
            match probe {
                Probe::Name(..) => {
                    q.and_where(Expr::col(("customer", col)).eq(v.as_str()));
                    Field::Name
                }
                _ => {
                    q.and_where(Expr::col(("customer", col)).gte(v.as_str()))
                        .and_where(Expr::col(("customer", col)).lt(prefix_end(v)))
                        .order_by(("customer", col), Order::Asc);
                    Field::NamePrefix
                }
            }
        }
    };
    q.limit(limit);
    (field, q)
}

struct HitRow {
    id: i64,
    customer_no: String,
    name: String,
    kind: String,
    mobile: Option<String>,
    city: Option<String>,
}

impl FromRow for HitRow {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        Ok(HitRow {
            id: r.get(0)?,
            customer_no: r.get(1)?,
            name: r.get(2)?,
            kind: r.get(3)?,
            mobile: r.get(4)?,
            city: r.get(5)?,
        })
    }
}

/// The primary (else first) mobile of `customer`, as a scalar subquery.
const MOBILE_OF_CUSTOMER: &str = "COALESCE(customer.mobile, (SELECT cp.value FROM contact_point cp \
     WHERE cp.customer_id = customer.id AND cp.kind = 'mobile' ORDER BY cp.is_primary DESC, cp.id LIMIT 1))";

/// The ranked customers matching `query` within `scope` (at most `limit`, capped
/// at [`MAX_LIMIT`]). An empty or too broad query finds nothing.
pub async fn find(db: &Db, scope: &Scope, query: &str, limit: u64) -> Result<Vec<Hit>, StoreError> {
    let limit = limit.clamp(1, MAX_LIMIT);
    let classified = classify(scope, query);
    // (field, customer id, matched value), best first.
    let mut found: Vec<(Field, i64, String)> = Vec::new();
    for probe in &classified.probes {
        if found.len() as u64 >= limit && matches!(probe, Probe::KeyPrefix(_) | Probe::NamePrefix(..) | Probe::PlatePrefix(_)) {
            break;
        }
        // Several keys of one customer may share a prefix: ask for more, dedupe below.
        let (field, stmt) = probe_statement(scope, probe, limit * 3);
        let rows: Vec<(i64, String)> = db.fetch_all(stmt).await?;
        found.extend(rows.into_iter().map(|(id, v)| (field, id, v)));
    }
    found.sort_by_key(|(f, _, _)| *f); // stable: keeps index order within a field
    let mut seen = std::collections::HashSet::new();
    found.retain(|(_, id, _)| seen.insert(*id));
    found.truncate(limit as usize);
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = found.iter().map(|(_, id, _)| *id).collect();

    let mut q = customers_in(scope);
    q.columns([("customer", "id"), ("customer", "customer_no"), ("customer", "name"), ("customer", "kind")])
        .expr(Expr::cust(MOBILE_OF_CUSTOMER))
        .column(("customer", "city"))
        .and_where(Expr::col(("customer", "id")).is_in(ids.clone()));
    let rows: Vec<HitRow> = db.fetch_all(q).await?;
    let vehicles = first_vehicles(db, &ids).await?;

    let mut hits = Vec::with_capacity(found.len());
    for (field, id, value) in found {
        let Some(r) = rows.iter().find(|r| r.id == id) else { continue };
        let matched_value = match field {
            Field::Mobile | Field::MobileTail | Field::Landline => mask_phone(&value),
            _ => value,
        };
        hits.push(Hit {
            customer_id: r.id,
            customer_no: r.customer_no.clone(),
            name: r.name.clone(),
            kind: r.kind.clone(),
            mobile_masked: r.mobile.as_deref().map(mask_phone),
            city: r.city.clone(),
            matched: field,
            matched_value,
            vehicle: vehicles.iter().find(|(c, _)| *c == id).map(|(_, v)| v.clone()),
        });
    }
    Ok(hits)
}

/// The first current vehicle of each customer (ids already scope-checked).
async fn first_vehicles(db: &Db, ids: &[i64]) -> Result<Vec<(i64, HitVehicle)>, StoreError> {
    let placeholders = (1..=ids.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(",");
    let text = format!(
        "SELECT o.customer_id, v.id, v.vin, v.plate, m.brand, m.model FROM ownership o \
         JOIN vehicle v ON v.id = o.vehicle_id LEFT JOIN vehicle_model m ON m.id = v.model_id \
         WHERE o.customer_id IN ({placeholders}) AND o.to_date IS NULL ORDER BY o.customer_id, o.id"
    );
    type VehicleRow = (i64, i64, String, Option<String>, Option<String>, Option<String>);
    let rows: Vec<VehicleRow> =
        db.fetch_all(crate::db::sql(&text, ids.iter().map(|i| (*i).into()).collect())).await?;
    let mut out: Vec<(i64, HitVehicle)> = Vec::new();
    for (customer, vehicle_id, vin, plate, brand, model) in rows {
        if out.iter().any(|(c, _)| *c == customer) {
            continue;
        }
        let model = match (brand, model) {
            (Some(b), Some(m)) => Some(format!("{b} {m}")),
            (b, m) => b.or(m),
        };
        out.push((customer, HitVehicle { vehicle_id, vin, plate, model }));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEALER: Scope = Scope::Dealer { dealer_id: 1 };

    fn probes(scope: &Scope, q: &str) -> Vec<Probe> {
        classify(scope, q).probes
    }

    #[test]
    fn a_full_mobile_is_looked_up_by_its_normalized_number() {
        assert_eq!(
            probes(&Scope::Oem, "+86 138-1234-5678")[0],
            Probe::Contact { field: Field::Mobile, kind: "mobile", value: "13812345678".into() }
        );
    }

    #[test]
    fn the_last_four_digits_are_searched_only_within_a_dealer() {
        assert!(probes(&DEALER, "5678").contains(&Probe::MobileTail("5678".into())));
        let oem = classify(&Scope::Oem, "5678");
        assert!(!oem.probes.iter().any(|p| matches!(p, Probe::MobileTail(_))));
        assert_eq!(oem.hint, Some(HINT_TAIL4_NEEDS_DEALER));
    }

    #[test]
    fn vin_tails_become_prefixes_of_the_reversed_vin() {
        assert!(probes(&Scope::Oem, "a12345").contains(&Probe::VinTail("54321A".into())));
        assert!(probes(&Scope::Oem, "LSVAB2BJ7N2012345").contains(&Probe::Vin("LSVAB2BJ7N2012345".into())));
    }

    #[test]
    fn plates_are_normalized_and_partial_plates_are_prefixes() {
        assert!(probes(&Scope::Oem, "沪a·12345").contains(&Probe::Plate("沪A12345".into())));
        assert!(probes(&Scope::Oem, "沪A12").contains(&Probe::PlatePrefix("沪A12".into())));
    }

    #[test]
    fn names_and_pinyin_are_searched_by_key_and_by_the_customers_own_columns() {
        assert_eq!(
            probes(&Scope::Oem, "ZS"),
            vec![
                Probe::Key("zs".into()),
                Probe::Name(NameColumn::Pinyin, "zs".into()),
                Probe::KeyPrefix("zs".into()),
                Probe::NamePrefix(NameColumn::Pinyin, "zs".into()),
            ]
        );
        let p = probes(&Scope::Oem, "张三丰");
        assert!(p.contains(&Probe::KeyPrefix("张三丰".into())));
        assert!(p.contains(&Probe::Name(NameColumn::Name, "张三丰".into())));
        assert!(p.contains(&Probe::NamePrefix(NameColumn::Name, "张三丰".into())));
    }

    #[test]
    fn an_email_is_only_an_email() {
        let p = probes(&Scope::Oem, "Li.Lei@Example.com");
        assert_eq!(p.len(), 1);
        assert!(matches!(&p[0], Probe::Contact { kind: "email", .. }));
    }

    #[test]
    fn phone_numbers_are_masked_for_display() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
    }
}
