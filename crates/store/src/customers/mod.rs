//! Customer 360: the golden record of persons and organizations, their contact
//! points, consents, dealer links, relationships and one timeline of everything.
//!
//! A customer is one row in `customer` however many dealers know them; a dealer's
//! staff see the customer through a `customer_dealer` link. Creating a customer
//! first looks for the same person by a strong key (mobile, ID number, USCC,
//! verified e-mail) and links the existing record instead of making a copy.

mod create;
pub mod demo;
mod reveal;
pub mod timeline;
mod update;
mod view;

use autocrm_domain::customers::{CustomerKind, Gender, IdNumber, Mobile, is_cjk, is_unnamed, pinyin_initials};
use chrono::{DateTime, NaiveDate, Utc};
use sea_query::{Condition, Expr, ExprTrait, Value};
use serde::Serialize;

use crate::db::{FromRow, Row, sql};
use crate::page::{self, Page, PageRequest, SortField};
use crate::record::{self, Record};
use crate::scope::{Link, Scoped};
use crate::{Db, StoreError, Tx};
use autocrm_domain::access::Scope;

pub(crate) use create::{Via, create_placed, link_dealer};
pub use create::{Created, NewAddress, NewConsent, NewCustomer, Valid, ValidAddress, ValidConsent, create, create_valid, today, validate};
pub use reveal::{RevealField, reveal};
pub use update::{ContactPointInput, CustomerPatch, RelationshipInput, Updated, check_patch, update};
pub use view::{ConsentView, Customer360, DealerLinkView, RelationshipView, get_360, may_contact};

/// Customers are visible where they have a dealer link in scope.
pub const CUSTOMER: Scoped = Scoped { table: "customer", link: Link::Customer("id"), region: None, group: None, owner: None };
pub const CONTACT_POINT: Scoped =
    Scoped { table: "contact_point", link: Link::Customer("customer_id"), region: None, group: None, owner: None };
pub const TIMELINE: Scoped =
    Scoped { table: "timeline_event", link: Link::Customer("customer_id"), region: None, group: None, owner: None };
pub const CONSENT: Scoped = Scoped { table: "consent", link: Link::Customer("customer_id"), region: None, group: None, owner: None };
pub const DEALER_LINK: Scoped =
    Scoped { table: "customer_dealer", link: Link::Customer("customer_id"), region: None, group: None, owner: None };
pub const RELATIONSHIP: Scoped =
    Scoped { table: "relationship", link: Link::Customer("customer_id"), region: None, group: None, owner: None };

/// The search keys of a customer's name: each suffix of the name (so 三丰 finds
/// 张三丰) and, for persons, the pinyin initials (`zsf`), all lowercase.
/// Organizations get every suffix (a company is often searched by the part after
/// the city: 东岳物流 in 上海东岳物流有限公司).
///
/// The whole name and the full pinyin (`zhangsanfeng`) are keys only where the
/// customer's own columns cannot stand in for them: `customer (name, city)` and
/// `(name_pinyin, city)` index those, and the search asks them too (see
/// [`crate::search`]). So a Chinese name stored as its key (no spaces, no capitals)
/// has no whole-name key, and a person no full-pinyin key: two of a three-character
/// name's five keys, the two an import or a seed wrote most of (every key is a
/// random insert into an index of millions).
pub fn search_keys(name: &str, kind: CustomerKind) -> Vec<String> {
    // An unnamed prospect is found by the mobile, not by its placeholder.
    if is_unnamed(name) {
        return vec![];
    }
    let folded = name.trim().to_lowercase();
    let chars: Vec<char> = folded.chars().filter(|c| !c.is_whitespace()).collect();
    let whole: String = chars.iter().collect();
    let indexed_as_is = whole == name && whole.chars().any(is_cjk);
    let mut keys: Vec<String> = Vec::new();
    let max_suffixes = if kind.is_organization() { chars.len() } else { chars.len().min(4) };
    for start in usize::from(indexed_as_is)..max_suffixes {
        keys.push(chars[start..].iter().collect());
    }
    if !kind.is_organization() {
        let initials = pinyin_initials(&folded);
        if !initials.is_empty() {
            keys.push(initials);
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

/// Replaces a customer's search keys (after a create or a name change), with the
/// transaction's next statement (on PostgreSQL no round trip per key).
pub async fn write_search_keys(tx: &mut Tx, customer_id: i64, name: &str, kind: CustomerKind) -> Result<(), StoreError> {
    tx.write_later(sql("DELETE FROM search_key WHERE customer_id = $1", vec![customer_id.into()])).await?;
    insert_search_keys(tx, customer_id, name, kind).await
}

/// The search keys of a customer that has none yet (just created).
pub(crate) async fn insert_search_keys(tx: &mut Tx, customer_id: i64, name: &str, kind: CustomerKind) -> Result<(), StoreError> {
    for k in search_keys(name, kind) {
        tx.write_later(sql("INSERT INTO search_key (customer_id, key) VALUES ($1, $2)", vec![customer_id.into(), k.into()])).await?;
    }
    Ok(())
}

// ---- masking ------------------------------------------------------------------------------

/// A mobile as lists and pages show it: `138****1234` (anything that is not a
/// valid mobile is hidden entirely).
pub fn mask_mobile(m: &str) -> String {
    Mobile::parse(m).map(|m| m.masked()).unwrap_or_else(|_| "****".into())
}

/// An ID number as every view shows it: `110105********002X`.
pub fn mask_id_number(id: &str) -> String {
    IdNumber::parse(id).map(|i| i.masked()).unwrap_or_else(|_| "******************".into())
}

// ---- the record ---------------------------------------------------------------------------

/// The golden record of one person or organization.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Customer {
    pub id: i64,
    /// Readable and unique: `C` and the id, zero-padded (`C00000042`).
    pub customer_no: String,
    #[schema(value_type = String)]
    pub kind: CustomerKind,
    pub name: String,
    pub name_pinyin: String,
    pub name_initials: String,
    #[schema(value_type = Option<String>)]
    pub gender: Option<Gender>,
    pub birthday: Option<NaiveDate>,
    pub occupation: Option<String>,
    /// Persons only; masked (`110105********002X`) except through an audited reveal.
    pub id_number: Option<String>,
    /// Organizations' unified social credit code.
    pub uscc: Option<String>,
    /// The primary mobile; masked (`138****1234`) except through an audited reveal.
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    pub address: Option<String>,
    /// Interests and lifestyle tags.
    pub tags: Vec<String>,
    /// `active`, or `merged` once merged into another customer.
    pub status: String,
    pub merged_into: Option<i64>,
    /// The dealer that first captured the customer (none for the OEM's own).
    pub origin_dealer_id: Option<i64>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn tags_from(raw: Option<String>) -> Vec<String> {
    raw.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default()
}

fn tags_to(tags: &[String]) -> Option<String> {
    (!tags.is_empty()).then(|| serde_json::to_string(tags).unwrap_or_default())
}

impl FromRow for Customer {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        let kind: String = r.get(2)?;
        let gender: Option<String> = r.get(6)?;
        Ok(Customer {
            id: r.get(0)?,
            customer_no: r.get(1)?,
            kind: CustomerKind::parse(&kind).ok_or_else(|| StoreError::Decode(format!("unknown customer kind {kind}")))?,
            name: r.get(3)?,
            name_pinyin: r.get(4)?,
            name_initials: r.get(5)?,
            gender: gender.as_deref().and_then(Gender::parse),
            birthday: r.get(7)?,
            occupation: r.get(8)?,
            id_number: r.get(9)?,
            uscc: r.get(10)?,
            mobile: r.get(11)?,
            email: r.get(12)?,
            province: r.get(13)?,
            city: r.get(14)?,
            district: r.get(15)?,
            address: r.get(16)?,
            tags: tags_from(r.get(17)?),
            status: r.get(18)?,
            merged_into: r.get(19)?,
            origin_dealer_id: r.get(20)?,
            version: r.get(21)?,
            created_at: r.get(22)?,
            updated_at: r.get(23)?,
        })
    }
}

impl Record for Customer {
    const ENTITY: &'static str = "customer";
    const SCOPED: Scoped = CUSTOMER;
    const COLUMNS: &'static [&'static str] = &[
        "id", "customer_no", "kind", "name", "name_pinyin", "name_initials", "gender", "birthday", "occupation", "id_number",
        "uscc", "mobile", "email", "province", "city", "district", "address", "tags", "status", "merged_into",
        "origin_dealer_id", "version", "created_at", "updated_at",
    ];
    const WRITABLE: &'static [&'static str] = &[
        "customer_no", "kind", "name", "name_pinyin", "name_initials", "gender", "birthday", "occupation", "id_number", "uscc",
        "mobile", "email", "province", "city", "district", "address", "tags", "status", "merged_into", "origin_dealer_id",
    ];
    fn writable_values(&self) -> Vec<Value> {
        vec![
            self.customer_no.clone().into(),
            self.kind.as_str().into(),
            self.name.clone().into(),
            self.name_pinyin.clone().into(),
            self.name_initials.clone().into(),
            self.gender.map(|g| g.as_str().to_string()).into(),
            self.birthday.into(),
            self.occupation.clone().into(),
            self.id_number.clone().into(),
            self.uscc.clone().into(),
            self.mobile.clone().into(),
            self.email.clone().into(),
            self.province.clone().into(),
            self.city.clone().into(),
            self.district.clone().into(),
            self.address.clone().into(),
            tags_to(&self.tags).into(),
            self.status.clone().into(),
            self.merged_into.into(),
            self.origin_dealer_id.into(),
        ]
    }
    fn id(&self) -> i64 {
        self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn dealer_id(&self) -> Option<i64> {
        self.origin_dealer_id
    }
    fn summary(&self) -> String {
        format!("{} {}", self.customer_no, self.name)
    }
}

impl Customer {
    /// The record as everyone sees it outside an audited reveal: mobile and ID
    /// number masked.
    pub fn masked(mut self) -> Customer {
        self.mobile = self.mobile.as_deref().map(mask_mobile);
        self.id_number = self.id_number.as_deref().map(mask_id_number);
        self
    }

    /// What the audit trail keeps of the record: the masked form, so reading
    /// the trail is no way around the audited reveal.
    pub(crate) fn for_audit(&self) -> serde_json::Value {
        serde_json::to_value(self.clone().masked()).unwrap_or_default()
    }
}

/// `C` + the id zero-padded to 8 digits.
pub fn customer_no(id: i64) -> String {
    format!("C{id:08}")
}

/// One customer within scope (404 outside it).
pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<Customer, StoreError> {
    record::get::<Customer>(db, scope, id).await
}

// ---- contact points -----------------------------------------------------------------------

/// One way to reach a customer, normalized: a mobile, landline, e-mail, WeChat id
/// or postal address. Several per kind; one primary per kind.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContactPoint {
    pub id: i64,
    pub customer_id: i64,
    /// `mobile`, `landline`, `email`, `wechat`, `address`.
    pub kind: String,
    /// The normalized value (masked for mobiles outside a reveal); for an address,
    /// the street line.
    pub value: String,
    pub label: Option<String>,
    pub is_primary: bool,
    pub verified: bool,
    pub province: Option<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub(crate) const CONTACT_COLUMNS: &str =
    "id, customer_id, kind, value, label, is_primary, verified, province, city, district, created_at";

impl FromRow for ContactPoint {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        Ok(ContactPoint {
            id: r.get(0)?,
            customer_id: r.get(1)?,
            kind: r.get(2)?,
            value: r.get(3)?,
            label: r.get(4)?,
            is_primary: r.get(5)?,
            verified: r.get(6)?,
            province: r.get(7)?,
            city: r.get(8)?,
            district: r.get(9)?,
            created_at: r.get(10)?,
        })
    }
}

impl ContactPoint {
    pub fn masked(mut self) -> ContactPoint {
        if self.kind == "mobile" {
            self.value = mask_mobile(&self.value);
        }
        self
    }
}

/// The contact points of a customer already known to be in scope, primary first.
pub async fn contact_points_in(tx: &mut Tx, customer_id: i64) -> Result<Vec<ContactPoint>, StoreError> {
    tx.fetch_all(sql(
        &format!("SELECT {CONTACT_COLUMNS} FROM contact_point WHERE customer_id = $1 ORDER BY kind, is_primary DESC, id"),
        vec![customer_id.into()],
    ))
    .await
}

// ---- lists --------------------------------------------------------------------------------

/// Newest first by default.
pub const SORT: [SortField; 3] = [page::int("id", "id"), page::text("name", "name"), page::text("customer_no", "customer_no")];

#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Part of the name, the customer number, pinyin initials or the last 4 digits
    /// of the primary mobile.
    pub q: Option<String>,
    /// Only customers linked to this dealer.
    pub dealer_id: Option<i64>,
    pub kind: Option<CustomerKind>,
}

impl Filter {
    pub fn condition(&self) -> Condition {
        let mut c = Condition::all().add(Expr::col(("customer", "status")).eq("active"));
        if let Some(q) = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let mut any = record::text_search("customer", &["name", "customer_no", "name_initials", "name_pinyin"], q);
            if q.len() == 4 && q.bytes().all(|b| b.is_ascii_digit()) {
                any = any.add(Expr::col(("customer", "mobile")).like(format!("%{q}")));
            } else if let Ok(m) = Mobile::parse(q) {
                any = any.add(Expr::col(("customer", "mobile")).eq(m.as_str()));
            }
            c = c.add(any);
        }
        if let Some(d) = self.dealer_id {
            c = c.add(Expr::col(("customer", "id")).in_subquery(
                sea_query::Query::select()
                    .column(("customer_dealer", "customer_id"))
                    .from("customer_dealer")
                    .and_where(Expr::col(("customer_dealer", "dealer_id")).eq(d))
                    .to_owned(),
            ));
        }
        if let Some(k) = self.kind {
            c = c.add(Expr::col(("customer", "kind")).eq(k.as_str()));
        }
        c
    }
}

/// A page of customers within scope.
pub async fn list(db: &Db, scope: &Scope, f: &Filter, p: &PageRequest) -> Result<Page<Customer>, StoreError> {
    record::list::<Customer>(db, scope, f.condition(), p).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_is_found_by_the_tails_of_the_name_and_by_pinyin_initials() {
        assert_eq!(search_keys("张三丰", CustomerKind::Person), ["zsf", "三丰", "丰"]);
    }

    #[test]
    fn the_whole_name_is_a_key_only_where_the_name_column_differs_from_it() {
        // The name as stored is what `customer (name, city)` finds.
        assert!(!search_keys("张三丰", CustomerKind::Person).contains(&"张三丰".to_string()));
        assert!(search_keys("张 三丰", CustomerKind::Person).contains(&"张三丰".to_string()));
        assert!(search_keys("Wang 小明", CustomerKind::Person).contains(&"wang小明".to_string()));
        assert!(search_keys("alice", CustomerKind::Person).contains(&"alice".to_string()));
        // The full pinyin is the `name_pinyin` column.
        assert!(!search_keys("张三丰", CustomerKind::Person).contains(&"zhangsanfeng".to_string()));
    }

    #[test]
    fn an_unnamed_prospect_has_no_name_keys() {
        assert!(search_keys("未留名客户 1234", CustomerKind::Person).is_empty());
        assert!(!search_keys("未留名客户王", CustomerKind::Person).is_empty(), "a name that only begins like the label is a name");
    }

    #[test]
    fn an_organization_is_found_by_the_tail_of_its_name() {
        let keys = search_keys("上海东岳物流有限公司", CustomerKind::Enterprise);
        assert!(keys.contains(&"东岳物流有限公司".to_string()));
        assert!(!keys.contains(&"上海东岳物流有限公司".to_string()), "the name column holds the whole name");
        assert!(!keys.iter().any(|k| k.is_ascii()), "no pinyin for organizations: {keys:?}");
    }

    #[test]
    fn identifiers_are_masked_for_display() {
        assert_eq!(mask_mobile("13812341234"), "138****1234");
        assert_eq!(mask_id_number("11010519491231002X"), "110105********002X");
        assert_eq!(customer_no(42), "C00000042");
    }
}
