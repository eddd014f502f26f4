//! Changing a customer: the profile under optimistic concurrency, contact points
//! (add, remove, make primary), consent changes (a new row each: the history is
//! the proof), and relationships (stored in both directions).

use autocrm_domain::FieldError;
use autocrm_domain::customers::{
    Email, IdNumber, Landline, Mobile, PersonName, RelationshipKind, Uscc, WRONG_CHECK, pinyin_full,
    pinyin_initials,
};
use autocrm_domain::org::{parse_name, parse_optional_text};
use sea_query::{Expr, ExprTrait};

use super::create::{
    NewAddress, NewConsent, NewPoint, ONLY_ORGANIZATIONS, ONLY_PERSONS, ValidConsent, add_consent, add_point,
    parse_address, parse_consent, parse_date, parse_gender, parse_tags, parse_wechat, sync_primaries, take, today,
};
use super::timeline::{self, NewEvent};
use super::{CUSTOMER, Customer, write_search_keys};
use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::db::sql;
use crate::record::{self, Record};
use crate::{Db, StoreError, Tx, now, scope};

pub const BAD_POINT_KIND: &str = "must be one of mobile, landline, email, wechat, address";
pub const BAD_RELATIONSHIP: &str =
    "must be one of family, colleague, friend, referred_by, referred, employee_of, employer_of";
pub const NO_SUCH_CUSTOMER: &str = "no such customer within your scope";
pub const NOT_SELF: &str = "cannot be the customer itself";
pub const NO_SUCH_POINT: &str = "no such contact point of this customer";

/// A contact point to add.
#[derive(Debug, Clone, Default)]
pub struct ContactPointInput {
    /// `mobile`, `landline`, `email`, `wechat`, `address`.
    pub kind: String,
    /// The number, address or id; for an address, the street line.
    pub value: String,
    pub label: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    /// Make it the primary of its kind.
    pub primary: bool,
}

#[derive(Debug, Clone, Default)]
pub struct RelationshipInput {
    pub related_id: i64,
    /// Read "this customer is `kind` the related one": `referred_by`, `family`…
    pub kind: String,
}

/// A change to a customer; absent fields stay as they are, `Some(None)` clears.
#[derive(Debug, Clone, Default)]
pub struct CustomerPatch {
    pub name: Option<String>,
    pub gender: Option<Option<String>>,
    pub birthday: Option<Option<String>>,
    pub occupation: Option<Option<String>>,
    pub id_number: Option<Option<String>>,
    pub uscc: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
    pub add_contact_points: Vec<ContactPointInput>,
    pub remove_contact_points: Vec<i64>,
    pub set_primary: Vec<i64>,
    pub consents: Vec<NewConsent>,
    pub relationships: Vec<RelationshipInput>,
}

fn point_of(field: &str, p: &ContactPointInput) -> Result<NewPoint<'static>, FieldError> {
    let label = parse_optional_text(&format!("{field}.label"), p.label.as_deref(), 30)?;
    let point = match p.kind.trim() {
        "mobile" => {
            let m = Mobile::parse(&p.value).map_err(|e| FieldError::new(field, e.message))?;
            NewPoint { tail4: Some(m.last4().to_string()), ..NewPoint::plain("mobile", m.as_str().to_string()) }
        }
        "landline" => {
            let l = Landline::parse(&p.value).map_err(|e| FieldError::new(field, e.message))?;
            let local = l.local_number();
            NewPoint { tail4: Some(local[local.len().saturating_sub(4)..].to_string()), ..NewPoint::plain("landline", l.as_str().to_string()) }
        }
        "email" => NewPoint::plain("email", Email::parse(&p.value).map_err(|e| FieldError::new(field, e.message))?.as_str().to_string()),
        "wechat" => NewPoint::plain("wechat", parse_wechat(field, &p.value)?),
        "address" => {
            let a = parse_address(
                field,
                &NewAddress {
                    province: p.province.clone(),
                    city: p.city.clone(),
                    district: p.district.clone(),
                    line: p.value.clone(),
                    label: None,
                },
            )?;
            NewPoint { province: a.province, city: a.city, district: a.district, ..NewPoint::plain("address", a.line) }
        }
        _ => return Err(FieldError::new(format!("{field}.kind"), BAD_POINT_KIND)),
    };
    Ok(NewPoint { label, ..point })
}

/// The validated profile part of a patch applied to `current`.
struct Checked {
    next: Customer,
    points: Vec<(NewPoint<'static>, bool)>,
    consents: Vec<ValidConsent>,
    relationships: Vec<(i64, RelationshipKind)>,
    warnings: Vec<FieldError>,
}

fn check(current: &Customer, p: &CustomerPatch) -> Result<Checked, Vec<FieldError>> {
    let mut errors = vec![];
    let mut warnings = vec![];
    let mut next = current.clone();
    let org = current.kind.is_organization();
    if let Some(n) = &p.name {
        let parsed = if org { parse_name("name", n) } else { PersonName::parse(n).map(|p| p.as_str().to_string()) };
        if let Some(n) = take(parsed, &mut errors) {
            next.name_pinyin = pinyin_full(&n);
            next.name_initials = pinyin_initials(&n);
            next.name = n;
        }
    }
    if let Some(g) = &p.gender {
        next.gender = take(parse_gender(g.as_deref()), &mut errors).flatten();
    }
    if let Some(b) = &p.birthday {
        next.birthday = match b.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
            Some(b) => take(parse_date("birthday", b, today()), &mut errors),
            None => None,
        };
    }
    if let Some(o) = &p.occupation {
        next.occupation = take(parse_optional_text("occupation", o.as_deref(), 50), &mut errors).flatten();
    }
    if let Some(id) = &p.id_number {
        next.id_number = match id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(_) if org => {
                errors.push(FieldError::new("id_number", ONLY_PERSONS));
                None
            }
            Some(raw) => take(IdNumber::parse_on(raw, today()), &mut errors).map(|i| i.as_str().to_string()),
            None => None,
        };
    }
    if let Some(u) = &p.uscc {
        next.uscc = match u.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(_) if !org => {
                errors.push(FieldError::new("uscc", ONLY_ORGANIZATIONS));
                None
            }
            Some(raw) => take(Uscc::parse(raw), &mut errors).map(|p| {
                if !p.check_ok {
                    warnings.push(FieldError::new("uscc", WRONG_CHECK));
                }
                p.code.as_str().to_string()
            }),
            None => None,
        };
    }
    if let Some(t) = &p.tags {
        next.tags = take(parse_tags(t), &mut errors).unwrap_or_default();
    }
    let mut points = vec![];
    for (i, cp) in p.add_contact_points.iter().enumerate() {
        if let Some(np) = take(point_of(&format!("add_contact_points[{i}]"), cp), &mut errors) {
            points.push((np, cp.primary));
        }
    }
    let mut consents = vec![];
    for (i, c) in p.consents.iter().enumerate() {
        if let Some(c) = take(parse_consent(&format!("consents[{i}]"), c), &mut errors) {
            consents.push(c);
        }
    }
    let mut relationships = vec![];
    for (i, r) in p.relationships.iter().enumerate() {
        let field = format!("relationships[{i}]");
        match RelationshipKind::parse(r.kind.trim()) {
            None => errors.push(FieldError::new(format!("{field}.kind"), BAD_RELATIONSHIP)),
            Some(_) if r.related_id == current.id => errors.push(FieldError::new(format!("{field}.related_id"), NOT_SELF)),
            Some(k) => relationships.push((r.related_id, k)),
        }
    }
    if errors.is_empty() { Ok(Checked { next, points, consents, relationships, warnings }) } else { Err(errors) }
}

/// Every field error of a patch against the current record, for forms that show
/// them all at once (the update itself stops at the first).
pub fn check_patch(current: &Customer, p: &CustomerPatch) -> Vec<FieldError> {
    check(current, p).err().unwrap_or_default()
}

async fn set_primary(tx: &mut Tx, customer_id: i64, point_id: i64) -> Result<(), StoreError> {
    let kind: Option<(String,)> = tx
        .fetch_optional(sql(
            "SELECT kind FROM contact_point WHERE id = $1 AND customer_id = $2",
            vec![point_id.into(), customer_id.into()],
        ))
        .await?;
    let Some((kind,)) = kind else { return Err(FieldError::new("set_primary", NO_SUCH_POINT).into()) };
    tx.execute(sql(
        "UPDATE contact_point SET is_primary = (id = $1) WHERE customer_id = $2 AND kind = $3",
        vec![point_id.into(), customer_id.into(), kind.into()],
    ))
    .await?;
    Ok(())
}

async fn remove_point(tx: &mut Tx, customer_id: i64, point_id: i64) -> Result<String, StoreError> {
    let row: Option<(String, String, bool)> = tx
        .fetch_optional(sql(
            "SELECT kind, value, is_primary FROM contact_point WHERE id = $1 AND customer_id = $2",
            vec![point_id.into(), customer_id.into()],
        ))
        .await?;
    let Some((kind, value, primary)) = row else {
        return Err(FieldError::new("remove_contact_points", NO_SUCH_POINT).into());
    };
    tx.execute(sql("DELETE FROM contact_point WHERE id = $1", vec![point_id.into()])).await?;
    if primary {
        // The oldest remaining point of the kind takes over.
        let next: Option<(i64,)> = tx
            .fetch_optional(sql(
                "SELECT id FROM contact_point WHERE customer_id = $1 AND kind = $2 ORDER BY id LIMIT 1",
                vec![customer_id.into(), kind.clone().into()],
            ))
            .await?;
        if let Some((n,)) = next {
            set_primary(tx, customer_id, n).await?;
        }
    }
    let shown = if kind == "mobile" { super::mask_mobile(&value) } else { value };
    Ok(format!("{kind} {shown}"))
}

/// The result of an update.
#[derive(Debug, Clone)]
pub struct Updated {
    pub customer: Customer,
    pub warnings: Vec<FieldError>,
}

/// Applies a patch if the customer is in scope and still at `version`.
pub async fn update(db: &Db, actor: &Actor, id: i64, version: i64, p: &CustomerPatch) -> Result<Updated, StoreError> {
    let mut tx = db.begin().await?;
    let current: Customer = scope::get_for_update(&mut tx, &actor.scope, &CUSTOMER, Customer::COLUMNS, id).await?;
    if current.version != version {
        return Err(StoreError::Stale { current: current.version });
    }
    let c = check(&current, p).map_err(|mut e| StoreError::Invalid(e.remove(0)))?;
    // Relationships only to customers the actor can see.
    for (i, (related, _)) in c.relationships.iter().enumerate() {
        let mut q = scope::select(&actor.scope, &CUSTOMER);
        q.column(("customer", "id")).and_where(Expr::col(("customer", "id")).eq(*related));
        if tx.fetch_optional::<(i64,)>(q).await?.is_none() {
            return Err(FieldError::new(format!("relationships[{i}].related_id"), NO_SUCH_CUSTOMER).into());
        }
    }
    let mut changes: Vec<String> = vec![];
    for pid in &p.remove_contact_points {
        changes.push(format!("- {}", remove_point(&mut tx, id, *pid).await?));
    }
    for (np, primary) in &c.points {
        if let Some(pid) = add_point(&mut tx, id, np).await? {
            if *primary {
                set_primary(&mut tx, id, pid).await?;
            }
            let shown = if np.kind == "mobile" { super::mask_mobile(&np.value) } else { np.value.clone() };
            changes.push(format!("+ {} {shown}", np.kind));
        }
    }
    for pid in &p.set_primary {
        set_primary(&mut tx, id, *pid).await?;
        changes.push(format!("* {pid}"));
    }
    sync_primaries(&mut tx, id).await?;
    for consent in &c.consents {
        add_consent(&mut tx, actor, id, consent).await?;
        changes.push(format!("consent {} {}", consent.channel.as_str(), if consent.granted { "granted" } else { "withdrawn" }));
    }
    for (related, kind) in &c.relationships {
        for (a, b, k) in [(id, *related, *kind), (*related, id, kind.inverse())] {
            let exists: Option<(i64,)> = tx
                .fetch_optional(sql(
                    "SELECT id FROM relationship WHERE customer_id = $1 AND related_id = $2 AND kind = $3",
                    vec![a.into(), b.into(), k.as_str().into()],
                ))
                .await?;
            if exists.is_none() {
                tx.execute(sql(
                    "INSERT INTO relationship (customer_id, related_id, kind, since, created_at) VALUES ($1, $2, $3, $4, $5)",
                    vec![a.into(), b.into(), k.as_str().into(), Option::<chrono::NaiveDate>::None.into(), now().into()],
                ))
                .await?;
            }
        }
        changes.push(format!("relationship {} {related}", kind.as_str()));
    }
    // A form saved without a change writes nothing (no new version, no entry).
    if changes.is_empty() && serde_json::to_value(&c.next).ok() == serde_json::to_value(&current).ok() {
        return Ok(Updated { customer: current, warnings: c.warnings });
    }
    let mut q = scope::update(&actor.scope, &CUSTOMER);
    for col in ["name", "name_pinyin", "name_initials", "gender", "birthday", "occupation", "id_number", "uscc", "tags"] {
        let i = Customer::WRITABLE.iter().position(|w| *w == col).unwrap_or(0);
        q.value(col, c.next.writable_values().swap_remove(i));
    }
    q.value("version", version + 1)
        .value("updated_at", now())
        .and_where(Expr::col(("customer", "id")).eq(id))
        .and_where(Expr::col(("customer", "version")).eq(version));
    if tx.execute(q).await? != 1 {
        return Err(StoreError::Stale { current: version + 1 });
    }
    if c.next.name != current.name {
        write_search_keys(&mut tx, id, &c.next.name, current.kind).await?;
    }
    let stored: Customer = record::get_in(&mut tx, id).await?;
    let (before, after) = (current.for_audit(), stored.for_audit());
    let changed: Vec<String> = match (&before, &after) {
        (serde_json::Value::Object(b), serde_json::Value::Object(a)) => a
            .iter()
            .filter(|(k, v)| !matches!(k.as_str(), "version" | "updated_at") && b.get(*k) != Some(*v))
            .map(|(k, _)| k.clone())
            .collect(),
        _ => vec![],
    };
    let mut summary_parts = changed.clone();
    summary_parts.extend(changes.iter().cloned());
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "update",
            entity: "customer",
            entity_id: Some(id),
            dealer_id: actor.dealer_id.or(stored.origin_dealer_id),
            summary: Some(format!("{} {}", stored.summary(), summary_parts.join(", "))),
            before: Some(before),
            after: Some(after),
        },
    )
    .await?;
    timeline::add(
        &mut tx,
        actor,
        NewEvent {
            customer_id: id,
            kind: "updated",
            title: summary_parts.join(", "),
            body: None,
            dealer_id: actor.dealer_id,
            reference: None,
            due_date: None,
        },
    )
    .await?;
    crate::identity::detect(&mut tx, actor, id).await?;
    tx.commit().await?;
    Ok(Updated { customer: stored, warnings: c.warnings })
}
