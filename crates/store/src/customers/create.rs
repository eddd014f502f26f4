//! Creating a customer: validation through the domain's identifier types, then
//! identity by strong key — the same mobile, ID number or USCC already on file
//! links that customer to the actor's dealer instead of making a second record.

use autocrm_domain::FieldError;
use autocrm_domain::access::Role;
use autocrm_domain::customers::{
    ContactChannel, CustomerKind, DealerLinkKind, Email, Gender, IdNumber, Landline, Mobile, PersonName, Uscc, WRONG_CHECK,
    pinyin_full, pinyin_initials,
};
use autocrm_domain::org::{parse_name, parse_optional_text, parse_province};
use chrono::NaiveDate;
use std::sync::OnceLock;

use super::timeline::{self, NewEvent};
use super::{Customer, customer_no, insert_search_keys};
use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::db::sql;
use crate::record::{self, Record};
use crate::{Db, StoreError, Tx, now};

// Messages of this module (translated by their text in the UI's `[msg]` table).
pub const ONLY_PERSONS: &str = "is only for persons";
pub const ONLY_ORGANIZATIONS: &str = "is only for organizations";
pub const BAD_KIND: &str = "must be one of person, enterprise, government";
pub const BAD_GENDER: &str = "must be male, female or unknown";
pub const BAD_DATE: &str = "must be a date YYYY-MM-DD";
pub const FUTURE_DATE: &str = "must not be in the future";
pub const BAD_CHANNEL: &str = "must be one of sms, phone, email, mail, wechat";
pub const BAD_LINK_KIND: &str = "must be one of lead, bought, serviced, assigned";
pub const NEEDS_CONTACT: &str = "is required: a mobile, landline, e-mail or WeChat id";
pub const DEALER_REQUIRED: &str = "is required for staff who do not belong to one dealer";
pub const NO_SUCH_OWNER: &str = "no such active user at this dealer";
pub const COLLEAGUE_OWNS: &str = "belongs to a customer a colleague at your dealer already follows";
pub const NO_SUCH_DEALER: &str = "no such dealer within your scope";

/// A new customer as typed by staff, an import row or the website. Everything is
/// raw text; [`validate`] turns it into [`Valid`] or names every field to fix.
#[derive(Debug, Clone, Default)]
pub struct NewCustomer {
    /// `person` (default), `enterprise`, `government`.
    pub kind: Option<String>,
    pub name: String,
    pub gender: Option<String>,
    /// `YYYY-MM-DD`.
    pub birthday: Option<String>,
    pub occupation: Option<String>,
    /// Persons only.
    pub id_number: Option<String>,
    /// Organizations only; a wrong check character is a warning.
    pub uscc: Option<String>,
    /// The first of each list becomes the primary.
    pub mobiles: Vec<String>,
    pub landlines: Vec<String>,
    pub emails: Vec<String>,
    pub wechats: Vec<String>,
    pub addresses: Vec<NewAddress>,
    pub tags: Vec<String>,
    pub consents: Vec<NewConsent>,
    /// The dealer to link the customer to; defaults to the actor's own dealer.
    pub dealer_id: Option<i64>,
    /// How the dealer knows the customer: `lead` (default), `bought`, `serviced`, `assigned`.
    pub link_kind: Option<String>,
    /// The consultant who follows the customer at that dealer (a consultant
    /// creating a customer is always its owner).
    pub owner_user_id: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct NewAddress {
    pub province: Option<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    /// Street and number.
    pub line: String,
    pub label: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct NewConsent {
    /// `sms`, `phone`, `email`, `mail`, `wechat`.
    pub channel: String,
    pub granted: bool,
    /// Defaults to `marketing`.
    pub purpose: Option<String>,
    /// Where the consent was given (`showroom`, `hotline`, `web`, `import`…); defaults to `staff`.
    pub source: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ValidAddress {
    pub province: Option<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    pub line: String,
    pub label: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ValidConsent {
    pub channel: ContactChannel,
    pub purpose: String,
    pub granted: bool,
    pub source: String,
}

/// A validated new customer.
#[derive(Debug, Clone)]
pub struct Valid {
    pub kind: CustomerKind,
    pub name: String,
    pub gender: Option<Gender>,
    pub birthday: Option<NaiveDate>,
    pub occupation: Option<String>,
    pub id_number: Option<IdNumber>,
    pub uscc: Option<Uscc>,
    pub mobiles: Vec<Mobile>,
    pub landlines: Vec<Landline>,
    pub emails: Vec<Email>,
    pub wechats: Vec<String>,
    pub addresses: Vec<ValidAddress>,
    pub tags: Vec<String>,
    pub consents: Vec<ValidConsent>,
    pub dealer_id: Option<i64>,
    pub link_kind: DealerLinkKind,
    pub owner_user_id: Option<i64>,
    /// Accepted but worth telling the user (a USCC with a wrong check character).
    pub warnings: Vec<FieldError>,
}

/// The field name of the `i`-th entry of a list: the first is the primary and is
/// named like the single field the forms have (`mobile`), the others `mobiles[1]`.
fn item(single: &str, list: &str, i: usize) -> String {
    if i == 0 { single.to_string() } else { format!("{list}[{i}]") }
}

/// Keeps the value, or the error for the report.
pub(crate) fn take<T>(r: Result<T, FieldError>, errors: &mut Vec<FieldError>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

fn renamed(mut e: FieldError, field: String) -> FieldError {
    e.field = field;
    e
}

pub(crate) fn parse_date(field: &str, raw: &str, today: NaiveDate) -> Result<NaiveDate, FieldError> {
    let d = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| FieldError::new(field, BAD_DATE))?;
    if d > today {
        return Err(FieldError::new(field, FUTURE_DATE));
    }
    Ok(d)
}

pub(crate) fn parse_wechat(field: &str, raw: &str) -> Result<String, FieldError> {
    let w = raw.trim();
    if w.is_empty() {
        return Err(FieldError::new(field, autocrm_domain::customers::REQUIRED));
    }
    if w.chars().count() > 50 {
        return Err(FieldError::new(field, autocrm_domain::customers::TOO_LONG_50));
    }
    if w.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(FieldError::new(field, autocrm_domain::customers::CONTROL_CHARS));
    }
    Ok(w.to_string())
}

pub(crate) fn parse_address(field: &str, a: &NewAddress) -> Result<ValidAddress, FieldError> {
    let line = parse_optional_text(field, Some(&a.line), 200)?.ok_or_else(|| FieldError::new(field, autocrm_domain::customers::REQUIRED))?;
    let province = match a.province.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Some(parse_province(&format!("{field}.province"), p)?),
        None => None,
    };
    Ok(ValidAddress {
        province,
        city: parse_optional_text(&format!("{field}.city"), a.city.as_deref(), 30)?,
        district: parse_optional_text(&format!("{field}.district"), a.district.as_deref(), 30)?,
        line,
        label: parse_optional_text(&format!("{field}.label"), a.label.as_deref(), 30)?,
    })
}

pub(crate) fn parse_consent(field: &str, c: &NewConsent) -> Result<ValidConsent, FieldError> {
    let channel = ContactChannel::parse(c.channel.trim()).ok_or_else(|| FieldError::new(field, BAD_CHANNEL))?;
    let purpose = parse_optional_text(&format!("{field}.purpose"), c.purpose.as_deref(), 30)?.unwrap_or_else(|| "marketing".into());
    let source = parse_optional_text(&format!("{field}.source"), c.source.as_deref(), 30)?.unwrap_or_else(|| "staff".into());
    Ok(ValidConsent { channel, purpose, granted: c.granted, source })
}

pub(crate) fn parse_gender(raw: Option<&str>) -> Result<Option<Gender>, FieldError> {
    match raw.map(str::trim).filter(|g| !g.is_empty()) {
        None => Ok(None),
        Some(g) => Gender::parse(g).map(Some).ok_or_else(|| FieldError::new("gender", BAD_GENDER)),
    }
}

pub(crate) fn parse_tags(raw: &[String]) -> Result<Vec<String>, FieldError> {
    let mut out: Vec<String> = vec![];
    for t in raw {
        if let Some(t) = parse_optional_text("tags", Some(t), 30)?
            && !out.contains(&t)
        {
            out.push(t);
        }
    }
    Ok(out)
}

/// Checks every field and collects every error; `today` is the date birth dates
/// and ID numbers are checked against.
pub fn validate(n: &NewCustomer, today: NaiveDate) -> Result<Valid, Vec<FieldError>> {
    let mut errors: Vec<FieldError> = vec![];
    let mut warnings = vec![];

    let kind = match n.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        None => CustomerKind::Person,
        Some(k) => take(CustomerKind::parse(k).ok_or_else(|| FieldError::new("kind", BAD_KIND)), &mut errors).unwrap_or_default(),
    };
    let name = if kind.is_organization() {
        take(parse_name("name", &n.name), &mut errors)
    } else {
        take(PersonName::parse(&n.name).map(|p| p.as_str().to_string()), &mut errors)
    };
    let mut gender = take(parse_gender(n.gender.as_deref()), &mut errors).flatten();
    let mut birthday = match n.birthday.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        Some(b) => take(parse_date("birthday", b, today), &mut errors),
        None => None,
    };
    let occupation = take(parse_optional_text("occupation", n.occupation.as_deref(), 50), &mut errors).flatten();
    let id_number = match n.id_number.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(_) if kind.is_organization() => {
            errors.push(FieldError::new("id_number", ONLY_PERSONS));
            None
        }
        Some(raw) => take(IdNumber::parse_on(raw, today), &mut errors),
        None => None,
    };
    if let Some(id) = &id_number {
        // The ID number knows the birth date and sex; fill them when not typed.
        birthday = birthday.or(Some(id.birth_date()));
        gender = gender.or(Some(id.gender()));
    }
    let uscc = match n.uscc.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(_) if !kind.is_organization() => {
            errors.push(FieldError::new("uscc", ONLY_ORGANIZATIONS));
            None
        }
        Some(raw) => take(Uscc::parse(raw), &mut errors).map(|p| {
            if !p.check_ok {
                warnings.push(FieldError::new("uscc", WRONG_CHECK));
            }
            p.code
        }),
        None => None,
    };
    let mut mobiles: Vec<Mobile> = vec![];
    for (i, raw) in n.mobiles.iter().enumerate() {
        if let Some(m) = take(Mobile::parse(raw).map_err(|e| renamed(e, item("mobile", "mobiles", i))), &mut errors)
            && !mobiles.contains(&m)
        {
            mobiles.push(m);
        }
    }
    let mut landlines: Vec<Landline> = vec![];
    for (i, raw) in n.landlines.iter().enumerate() {
        if let Some(l) = take(Landline::parse(raw).map_err(|e| renamed(e, item("landline", "landlines", i))), &mut errors)
            && !landlines.contains(&l)
        {
            landlines.push(l);
        }
    }
    let mut emails: Vec<Email> = vec![];
    for (i, raw) in n.emails.iter().enumerate() {
        if let Some(e) = take(Email::parse(raw).map_err(|e| renamed(e, item("email", "emails", i))), &mut errors)
            && !emails.contains(&e)
        {
            emails.push(e);
        }
    }
    let mut wechats: Vec<String> = vec![];
    for (i, raw) in n.wechats.iter().enumerate() {
        if let Some(w) = take(parse_wechat(&item("wechat", "wechats", i), raw), &mut errors)
            && !wechats.contains(&w)
        {
            wechats.push(w);
        }
    }
    let mut addresses = vec![];
    for (i, a) in n.addresses.iter().enumerate() {
        if let Some(a) = take(parse_address(&item("address", "addresses", i), a), &mut errors) {
            addresses.push(a);
        }
    }
    let tags = take(parse_tags(&n.tags), &mut errors).unwrap_or_default();
    let mut consents = vec![];
    for (i, c) in n.consents.iter().enumerate() {
        if let Some(c) = take(parse_consent(&format!("consents[{i}]"), c), &mut errors) {
            consents.push(c);
        }
    }
    let link_kind = match n.link_kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        None => DealerLinkKind::Lead,
        Some(k) => take(DealerLinkKind::parse(k).ok_or_else(|| FieldError::new("link_kind", BAD_LINK_KIND)), &mut errors)
            .unwrap_or(DealerLinkKind::Lead),
    };
    // A person must be reachable; an organization may start with its name and USCC.
    let reachable = !(mobiles.is_empty() && landlines.is_empty() && emails.is_empty() && wechats.is_empty());
    if !kind.is_organization() && !reachable && !errors.iter().any(|e| e.field.starts_with("mobile")) {
        errors.push(FieldError::new("mobile", NEEDS_CONTACT));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Valid {
        kind,
        name: name.unwrap_or_default(),
        gender,
        birthday,
        occupation,
        id_number,
        uscc,
        mobiles,
        landlines,
        emails,
        wechats,
        addresses,
        tags,
        consents,
        dealer_id: n.dealer_id,
        link_kind,
        owner_user_id: n.owner_user_id,
        warnings,
    })
}

/// What [`create`] did.
#[derive(Debug, Clone)]
pub struct Created {
    pub customer: Customer,
    /// An existing customer with the same strong key was linked (and completed)
    /// instead of a new one created.
    pub linked: bool,
    pub warnings: Vec<FieldError>,
}

/// The dealer a new customer (or a link) belongs to, and who follows it there.
async fn placement(db: &Db, actor: &Actor, v: &Valid) -> Result<(Option<i64>, Option<i64>), StoreError> {
    let dealer = match (v.dealer_id, actor.dealer_id) {
        (Some(d), _) => {
            if !crate::scope::dealer_visible(db, &actor.scope, d).await? {
                return Err(FieldError::new("dealer_id", NO_SUCH_DEALER).into());
            }
            Some(d)
        }
        (None, Some(own)) => Some(own),
        (None, None) if actor.scope.is_oem() => None,
        // A regional or group manager must say which store: otherwise the new
        // customer would be invisible to them.
        (None, None) => return Err(FieldError::new("dealer_id", DEALER_REQUIRED).into()),
    };
    let owner = if actor.role == Role::SalesConsultant {
        Some(actor.user_id)
    } else {
        match (v.owner_user_id, dealer) {
            (Some(u), Some(d)) => {
                let ok: Option<(i64,)> = db
                    .fetch_optional(sql(
                        "SELECT id FROM app_user WHERE id = $1 AND dealer_id = $2 AND active = $3",
                        vec![u.into(), d.into(), true.into()],
                    ))
                    .await?;
                if ok.is_none() {
                    return Err(FieldError::new("owner_user_id", NO_SUCH_OWNER).into());
                }
                Some(u)
            }
            (Some(_), None) => return Err(FieldError::new("owner_user_id", NO_SUCH_OWNER).into()),
            (None, _) => None,
        }
    };
    Ok((dealer, owner))
}

/// A customer on file that shares a strong key with what was typed.
pub(crate) struct OnFile {
    /// As read by the lookup (what a link starts from).
    pub customer: Customer,
    /// `id_number`, `uscc` or `mobile`.
    pub key: &'static str,
    /// The mobile that matched: already one of the customer's contact points.
    pub mobile: Option<String>,
}

/// The active customer that shares a strong key with `v`, if any: ID number,
/// USCC, then any of the mobiles. (E-mail links only when both sides verified
/// it; addresses typed by staff are not verified, so it never links here.) The
/// lookup reads the whole customer row: linking needs it next.
///
/// Every returning prospect's capture runs the mobile lookup inside the one
/// writer's transaction, so its texts are fixed (prepared once, never rebuilt)
/// and the mobile's first customer comes in the order of the covering index
/// `contact_point (kind, value, customer_id)`, with no sort.
pub(crate) async fn find_by_strong_key(tx: &mut Tx, v: &Valid) -> Result<Option<OnFile>, StoreError> {
    static TEXTS: OnceLock<[String; 3]> = OnceLock::new();
    let [by_id_number, by_uscc, by_mobile] = TEXTS.get_or_init(|| {
        let columns = Customer::COLUMNS.iter().map(|c| format!("customer.{c}")).collect::<Vec<_>>().join(", ");
        let by_column = |key: &str| {
            format!("SELECT {columns} FROM customer WHERE customer.{key} = $1 AND customer.status = 'active' ORDER BY customer.id LIMIT 1")
        };
        [
            by_column("id_number"),
            by_column("uscc"),
            format!(
                "SELECT {columns} FROM contact_point JOIN customer ON customer.id = contact_point.customer_id \
                 WHERE contact_point.kind = 'mobile' AND contact_point.value = $1 AND customer.status = 'active' \
                 ORDER BY contact_point.customer_id LIMIT 1"
            ),
        ]
    });
    for (key, text, value) in [
        ("id_number", by_id_number, v.id_number.as_ref().map(|i| i.as_str())),
        ("uscc", by_uscc, v.uscc.as_ref().map(|u| u.as_str())),
    ] {
        let Some(value) = value else { continue };
        if let Some(customer) = tx.fetch_optional(sql(text, vec![value.into()])).await? {
            return Ok(Some(OnFile { customer, key, mobile: None }));
        }
    }
    for m in &v.mobiles {
        if let Some(customer) = tx.fetch_optional(sql(by_mobile, vec![m.as_str().into()])).await? {
            return Ok(Some(OnFile { customer, key: "mobile", mobile: Some(m.as_str().to_string()) }));
        }
    }
    Ok(None)
}

/// One contact point to write.
pub(crate) struct NewPoint<'a> {
    pub kind: &'a str,
    pub value: String,
    pub tail4: Option<String>,
    pub label: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub district: Option<String>,
}

impl NewPoint<'_> {
    pub(crate) fn plain(kind: &str, value: String) -> NewPoint<'_> {
        NewPoint { kind, value, tail4: None, label: None, province: None, city: None, district: None }
    }
}

pub(crate) fn points_of(v: &Valid) -> Vec<NewPoint<'static>> {
    let mut out = vec![];
    for m in &v.mobiles {
        out.push(NewPoint { tail4: Some(m.last4().to_string()), ..NewPoint::plain("mobile", m.as_str().to_string()) });
    }
    for l in &v.landlines {
        let local = l.local_number();
        let tail = local[local.len().saturating_sub(4)..].to_string();
        out.push(NewPoint { tail4: Some(tail), ..NewPoint::plain("landline", l.as_str().to_string()) });
    }
    for e in &v.emails {
        out.push(NewPoint::plain("email", e.as_str().to_string()));
    }
    for w in &v.wechats {
        out.push(NewPoint::plain("wechat", w.clone()));
    }
    for a in &v.addresses {
        out.push(NewPoint {
            label: a.label.clone(),
            province: a.province.clone(),
            city: a.city.clone(),
            district: a.district.clone(),
            ..NewPoint::plain("address", a.line.clone())
        });
    }
    out
}

/// Adds a contact point unless the customer already has it; it becomes the
/// primary of its kind when the customer has none. Returns whether it was added.
pub(crate) async fn add_point(tx: &mut Tx, customer_id: i64, p: &NewPoint<'_>) -> Result<Option<i64>, StoreError> {
    let existing: Vec<(i64, String, bool)> = tx
        .fetch_all(sql(
            "SELECT id, value, is_primary FROM contact_point WHERE customer_id = $1 AND kind = $2",
            vec![customer_id.into(), p.kind.into()],
        ))
        .await?;
    if existing.iter().any(|(_, v, _)| *v == p.value) {
        return Ok(None);
    }
    let primary = !existing.iter().any(|(_, _, prim)| *prim);
    Ok(Some(tx.insert_returning_id(insert_point(customer_id, p, primary, now())).await?))
}

/// The points of a customer not on file yet, each `(kind, value)` once, with
/// whether it is the primary of its kind (the first one is).
fn new_points(v: &Valid) -> Vec<(NewPoint<'static>, bool)> {
    let mut out: Vec<(NewPoint<'static>, bool)> = vec![];
    for p in points_of(v) {
        if out.iter().any(|(q, _)| q.kind == p.kind && q.value == p.value) {
            continue;
        }
        let primary = !out.iter().any(|(q, _)| q.kind == p.kind);
        out.push((p, primary));
    }
    out
}

fn insert_point(customer_id: i64, p: &NewPoint<'_>, primary: bool, t: chrono::DateTime<chrono::Utc>) -> crate::db::Raw {
    sql(
        "INSERT INTO contact_point (customer_id, kind, value, tail4, label, is_primary, verified, province, city, district, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        vec![
            customer_id.into(),
            p.kind.into(),
            p.value.clone().into(),
            p.tail4.clone().into(),
            p.label.clone().into(),
            primary.into(),
            false.into(),
            p.province.clone().into(),
            p.city.clone().into(),
            p.district.clone().into(),
            t.into(),
        ],
    )
}

/// Copies the primary mobile, e-mail and address onto the customer row (what
/// lists, search and screen-pop read without a join).
pub(crate) async fn sync_primaries(tx: &mut Tx, customer_id: i64) -> Result<(), StoreError> {
    let prim = |kind: &'static str| {
        sql(
            "SELECT value, province, city, district FROM contact_point WHERE customer_id = $1 AND kind = $2 AND is_primary = $3",
            vec![customer_id.into(), kind.into(), true.into()],
        )
    };
    type P = (String, Option<String>, Option<String>, Option<String>);
    let mobile: Option<P> = tx.fetch_optional(prim("mobile")).await?;
    let email: Option<P> = tx.fetch_optional(prim("email")).await?;
    let addr: Option<P> = tx.fetch_optional(prim("address")).await?;
    let (address, province, city, district) = match addr {
        Some((l, p, c, d)) => (Some(l), p, c, d),
        None => (None, None, None, None),
    };
    tx.execute(sql(
        "UPDATE customer SET mobile = $1, email = $2, address = $3, province = $4, city = $5, district = $6 WHERE id = $7",
        vec![
            mobile.map(|m| m.0).into(),
            email.map(|e| e.0).into(),
            address.into(),
            province.into(),
            city.into(),
            district.into(),
            customer_id.into(),
        ],
    ))
    .await?;
    Ok(())
}

pub(crate) async fn add_consent(tx: &mut Tx, actor: &Actor, customer_id: i64, c: &ValidConsent) -> Result<(), StoreError> {
    tx.execute(sql(
        "INSERT INTO consent (customer_id, channel, purpose, granted, source, text_version, at, actor_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        vec![
            customer_id.into(),
            c.channel.as_str().into(),
            c.purpose.clone().into(),
            c.granted.into(),
            c.source.clone().into(),
            Option::<String>::None.into(),
            now().into(),
            actor.audit_id().into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Links the customer to the dealer (idempotent per kind; a link without an
/// owner gets `owner`). A consultant cannot take over a customer a colleague at
/// the same dealer already follows.
pub(crate) async fn link_dealer(
    tx: &mut Tx,
    customer_id: i64,
    dealer_id: i64,
    kind: DealerLinkKind,
    owner: Option<i64>,
    consultant: bool,
) -> Result<(), StoreError> {
    if consultant && let Some(me) = owner {
        let owners: Vec<(Option<i64>,)> = tx
            .fetch_all(sql(
                "SELECT owner_user_id FROM customer_dealer WHERE customer_id = $1 AND dealer_id = $2",
                vec![customer_id.into(), dealer_id.into()],
            ))
            .await?;
        if owners.iter().any(|(o,)| o.is_some_and(|o| o != me)) && !owners.iter().any(|(o,)| *o == Some(me)) {
            return Err(FieldError::new("mobile", COLLEAGUE_OWNS).into());
        }
    }
    // One statement whose outcome nobody reads, so it goes out with the next one.
    // Two simultaneous captures of one customer at one dealer (on PostgreSQL both
    // see no link) leave one link: the first stands.
    tx.write_later(sql(
        "INSERT INTO customer_dealer (customer_id, dealer_id, kind, owner_user_id, since) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (customer_id, dealer_id, kind) DO UPDATE SET owner_user_id = excluded.owner_user_id \
         WHERE customer_dealer.owner_user_id IS NULL AND excluded.owner_user_id IS NOT NULL",
        vec![customer_id.into(), dealer_id.into(), kind.as_str().into(), owner.into(), now().into()],
    ))
    .await
}

/// Creates a customer, or links the one already on file with the same strong key
/// (the same mobile, ID number or USCC) to the actor's dealer and completes it
/// with what was typed (new contact points, blank fields, consents).
pub async fn create(db: &Db, actor: &Actor, n: NewCustomer) -> Result<Created, StoreError> {
    let v = validate(&n, today()).map_err(|mut e| StoreError::Invalid(e.remove(0)))?;
    create_valid(db, actor, v).await
}

/// Today in China (UTC+8), the day birth dates are checked against.
pub fn today() -> NaiveDate {
    (now() + chrono::Duration::hours(8)).date_naive()
}

/// [`create`] for input already validated (the API validates first to report
/// every field at once).
pub async fn create_valid(db: &Db, actor: &Actor, v: Valid) -> Result<Created, StoreError> {
    let (dealer, owner) = placement(db, actor, &v).await?;
    let mut tx = db.begin().await?;
    let created = create_placed(&mut tx, actor, v, dealer, owner, Via::Form { consultant: actor.role == Role::SalesConsultant }).await?;
    tx.commit().await?;
    Ok(created)
}

/// What a customer is created or found on file for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    /// The customer form. `consultant`: the owner is the consultant typing, who
    /// may not take over a colleague's customer at the same dealer.
    Form { consultant: bool },
    /// A lead captured with the customer (which may take over: the lead is new).
    Lead,
}

impl Via {
    fn consultant(self) -> bool {
        self == Via::Form { consultant: true }
    }
}

/// [`create_valid`] inside the caller's transaction, with the dealer and owner
/// already decided (a lead capture creates the customer and the lead together).
pub(crate) async fn create_placed(
    tx: &mut Tx,
    actor: &Actor,
    v: Valid,
    dealer: Option<i64>,
    owner: Option<i64>,
    via: Via,
) -> Result<Created, StoreError> {
    if let Some(on_file) = find_by_strong_key(tx, &v).await? {
        let (customer, completed) = link_existing(tx, actor, &on_file, &v, dealer, owner, via).await?;
        // Weak evidence can only change with what was added (a returning prospect
        // typing the known mobile adds nothing to look at).
        if completed {
            crate::identity::detect(tx, actor, customer.id).await?;
        }
        return Ok(Created { customer, linked: true, warnings: v.warnings });
    }
    let stored = insert_new(tx, actor, &v, dealer, owner, via.consultant()).await?;
    Ok(Created { customer: stored, linked: false, warnings: v.warnings })
}

/// Writes a new customer with its contact points, consents, dealer link, search
/// keys, audit entry and `created` timeline entry inside `tx`.
pub(crate) async fn insert_new(
    tx: &mut Tx,
    actor: &Actor,
    v: &Valid,
    dealer: Option<i64>,
    owner: Option<i64>,
    consultant: bool,
) -> Result<Customer, StoreError> {
    let t = now();
    // The number is written with the row: no second statement, and no placeholder
    // landing at a random place of the unique index first.
    let id = tx.next_id("customer").await?;
    // Nothing is on file for a new customer: the first point of each kind is its
    // primary, and the row mirrors the primaries from the start (no read-back).
    let points = new_points(v);
    let primary = |kind: &str| points.iter().find(|(p, primary)| *primary && p.kind == kind).map(|(p, _)| p);
    let address = primary("address");
    let c = Customer {
        id,
        customer_no: customer_no(id),
        kind: v.kind,
        name: v.name.clone(),
        name_pinyin: pinyin_full(&v.name),
        name_initials: pinyin_initials(&v.name),
        gender: v.gender,
        birthday: v.birthday,
        occupation: v.occupation.clone(),
        id_number: v.id_number.as_ref().map(|i| i.as_str().to_string()),
        uscc: v.uscc.as_ref().map(|u| u.as_str().to_string()),
        mobile: primary("mobile").map(|p| p.value.clone()),
        email: primary("email").map(|p| p.value.clone()),
        province: address.and_then(|p| p.province.clone()),
        city: address.and_then(|p| p.city.clone()),
        district: address.and_then(|p| p.district.clone()),
        address: address.map(|p| p.value.clone()),
        tags: v.tags.clone(),
        status: "active".into(),
        merged_into: None,
        origin_dealer_id: dealer,
        version: 1,
        created_at: t,
        updated_at: t,
    };
    // Audited below; its rows go out with the next statement that reads.
    tx.write_later(record::known_insert(&c, t)).await?;
    for (p, primary) in &points {
        tx.write_later(insert_point(id, p, *primary, t)).await?;
    }
    for c in &v.consents {
        add_consent(tx, actor, id, c).await?;
    }
    if let Some(d) = dealer {
        link_dealer(tx, id, d, v.link_kind, owner, consultant).await?;
    }
    // A new customer has no keys to replace.
    insert_search_keys(tx, id, &v.name, v.kind).await?;
    // What was written is what is stored (times are kept to the microsecond).
    let stored = c;
    audit::record(
        tx,
        actor,
        Change {
            action: "create",
            entity: "customer",
            entity_id: Some(id),
            dealer_id: dealer,
            summary: Some(stored.summary()),
            before: None,
            after: Some(stored.for_audit()),
        },
    )
    .await?;
    timeline::add(
        tx,
        actor,
        NewEvent {
            customer_id: id,
            kind: "created",
            title: stored.name.clone(),
            body: None,
            dealer_id: dealer,
            reference: None,
            due_date: None,
        },
    )
    .await?;
    // Weak evidence against what was just written, without reading it back.
    let points = points.iter().map(|(p, _)| (p.kind, p.value.as_str(), false, p.city.as_deref())).collect();
    crate::identity::detect_written(tx, &crate::identity::Written { customer: &stored, points }).await?;
    Ok(stored)
}

#[allow(clippy::too_many_arguments)]
async fn link_existing(
    tx: &mut Tx,
    actor: &Actor,
    on_file: &OnFile,
    v: &Valid,
    dealer: Option<i64>,
    owner: Option<i64>,
    via: Via,
) -> Result<(Customer, bool), StoreError> {
    let (before, key) = (&on_file.customer, on_file.key);
    let id = before.id;
    let mut added = 0;
    // The mobile that matched is on file already (a returning prospect typing
    // only that costs no lookup here).
    let matched = |p: &NewPoint<'_>| p.kind == "mobile" && on_file.mobile.as_deref() == Some(p.value.as_str());
    for p in points_of(v).into_iter().filter(|p| !matched(p)) {
        if add_point(tx, id, &p).await?.is_some() {
            added += 1;
        }
    }
    // Blank fields are completed; what is on file is never overwritten here (a
    // disagreement is for a person to settle on the 360 page). One statement
    // completes them and bumps the version, and only when something was typed
    // (a returning prospect giving the known mobile changes nothing on the row).
    let fills = v.gender.is_some() || v.birthday.is_some() || v.occupation.is_some() || v.id_number.is_some() || v.uscc.is_some();
    if fills || added > 0 {
        tx.execute(sql(
            "UPDATE customer SET gender = COALESCE(gender, $1), birthday = COALESCE(birthday, $2), \
             occupation = COALESCE(occupation, $3), id_number = COALESCE(id_number, $4), uscc = COALESCE(uscc, $5), \
             version = version + 1, updated_at = $7 WHERE id = $6",
            vec![
                v.gender.map(|g| g.as_str().to_string()).into(),
                v.birthday.into(),
                v.occupation.clone().into(),
                v.id_number.as_ref().map(|i| i.as_str().to_string()).into(),
                v.uscc.as_ref().map(|u| u.as_str().to_string()).into(),
                id.into(),
                now().into(),
            ],
        ))
        .await?;
    }
    if added > 0 {
        sync_primaries(tx, id).await?;
    }
    for c in &v.consents {
        add_consent(tx, actor, id, c).await?;
    }
    if let Some(d) = dealer {
        link_dealer(tx, id, d, v.link_kind, owner, via.consultant()).await?;
    }
    let changed = fills || added > 0;
    let stored: Customer = if changed { record::get_in(tx, id).await? } else { before.clone() };
    // Nothing changed on the row (a returning prospect): no field differs, which
    // is what the entry says without serializing the customer twice to compare.
    let (before_json, after_json) = match changed {
        true => (before.for_audit(), stored.for_audit()),
        false => (serde_json::Value::Object(Default::default()), serde_json::Value::Object(Default::default())),
    };
    audit::record(
        tx,
        actor,
        Change {
            action: "link",
            entity: "customer",
            entity_id: Some(id),
            dealer_id: dealer,
            summary: Some(format!("{} (same {key})", stored.summary())),
            before: Some(before_json),
            after: Some(after_json),
        },
    )
    .await?;
    // A prospect found on file gets the lead's own entry on the timeline, which
    // names the dealer; a second one saying the same would be noise in a record
    // kept for life (and one more row every capture writes).
    if via != Via::Lead {
        timeline::add(
            tx,
            actor,
            NewEvent {
                customer_id: id,
                kind: "linked",
                title: key.to_string(),
                body: None,
                dealer_id: dealer,
                reference: None,
                due_date: None,
            },
        )
        .await?;
    }
    let completed = added > 0 || before.id_number != stored.id_number || before.uscc != stored.uscc;
    Ok((stored, completed))
}
