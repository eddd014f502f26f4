//! Handing a consultant's records over when they leave or change jobs: in one
//! transaction a manager moves every open lead, every customer relationship and
//! every booked test drive of theirs to one colleague or spreads them over the
//! team, keeps the whole history (each customer's timeline says who handed what
//! to whom), notifies the new owners and can close the account.

use std::collections::BTreeMap;

use autocrm_domain::FieldError;
use autocrm_domain::leads::spread;
use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait};
use serde::Serialize;
use serde_json::json;

use crate::audit::{self, Change};
use crate::auth::{self, Actor};
use crate::customers::timeline::{self, NewEvent};
use crate::db::{FromRow, Row, sql};
use crate::leads::activity::{self, About, NewActivity};
use crate::leads::capture::{consultants, open_stages_sql};
use crate::notifications::{self, Notice};
use crate::users::{USER, User};
use crate::{Db, StoreError, now, record, scope};

pub const NOT_AT_A_DEALER: &str = "is not a dealer's staff member: only a dealer's records can be handed over";
pub const NO_SUCH_TARGET: &str = "must be another active sales consultant of the same dealer";
pub const NOBODY_TO_TAKE: &str = "the dealer has no other active sales consultant to take the records";

/// What the manager asked for.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// One colleague takes everything; `None`: spread over the consultants on duty.
    pub to_user_id: Option<i64>,
    pub note: Option<String>,
    /// Close the leaving consultant's account in the same step.
    pub deactivate: bool,
}

/// One colleague's share.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Share {
    pub user_id: i64,
    pub name: String,
    pub customers: i64,
    pub leads: i64,
}

/// A handover as recorded.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Handover {
    pub id: i64,
    pub from_user_id: i64,
    pub to_user_id: Option<i64>,
    pub dealer_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub leads_moved: i64,
    pub customers_moved: i64,
    /// Booked test drives moved to the new owners.
    pub tasks_moved: i64,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

impl FromRow for Handover {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        Ok(Handover {
            id: r.get(0)?,
            from_user_id: r.get(1)?,
            to_user_id: r.get(2)?,
            dealer_id: r.get(3)?,
            actor_id: r.get(4)?,
            leads_moved: r.get(5)?,
            customers_moved: r.get(6)?,
            tasks_moved: r.get(7)?,
            note: r.get(8)?,
            at: r.get(9)?,
        })
    }
}

const COLUMNS: &str = "id, from_user_id, to_user_id, dealer_id, actor_id, leads_moved, customers_moved, tasks_moved, note, at";

/// What moved, to whom.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Outcome {
    pub handover: Handover,
    pub shares: Vec<Share>,
}

/// What a handover of `user_id` would move now (for the form).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Pending {
    pub leads: i64,
    pub customers: i64,
    pub tasks: i64,
}

/// The staff member within the actor's reach (a 404 otherwise).
async fn leaving(db: &Db, actor: &Actor, user_id: i64) -> Result<(User, i64), StoreError> {
    let user: User = record::get(db, &actor.scope, user_id).await?;
    let dealer = user.dealer_id.ok_or_else(|| FieldError::new("user", NOT_AT_A_DEALER))?;
    Ok((user, dealer))
}

pub async fn pending(db: &Db, actor: &Actor, user_id: i64) -> Result<Pending, StoreError> {
    let (user, dealer) = leaving(db, actor, user_id).await?;
    let one = |q: String| sql_count(db, q, vec![user.id.into(), dealer.into()]);
    Ok(Pending {
        leads: one(format!("SELECT COUNT(*) FROM lead WHERE owner_user_id = $1 AND dealer_id = $2 AND stage IN ({})", open_stages_sql())).await?,
        customers: one("SELECT COUNT(*) FROM customer_dealer WHERE owner_user_id = $1 AND dealer_id = $2".into()).await?,
        tasks: one(format!("SELECT COUNT(*) FROM test_drive WHERE consultant_id = $1 AND dealer_id = $2 AND {BOOKED}")).await?,
    })
}

async fn sql_count(db: &Db, q: String, v: Vec<sea_query::Value>) -> Result<i64, StoreError> {
    Ok(db.fetch_one::<(i64,)>(sql(&q, v)).await?.0)
}

/// Test drives still to happen: what the new owner must take over.
const BOOKED: &str = "status = 'booked'";

/// Hands `user_id`'s records over. Every customer goes to one new owner with all
/// of that customer's leads, so the customer keeps one voice.
pub async fn hand_over(db: &Db, actor: &Actor, user_id: i64, req: Request) -> Result<Outcome, StoreError> {
    let (user, dealer) = leaving(db, actor, user_id).await?;
    let note = req.note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > 500) {
        return Err(FieldError::new("note", "must be at most 500 characters").into());
    }
    if req.deactivate && user.id == actor.user_id {
        return Err(FieldError::new("deactivate", "you cannot close your own account").into());
    }
    let t = now();
    let mut tx = db.begin().await?;
    let team: Vec<_> = consultants(&mut tx, dealer).await?.into_iter().filter(|c| c.user_id != user.id).collect();
    if let Some(to) = req.to_user_id
        && !team.iter().any(|c| c.user_id == to)
    {
        return Err(FieldError::new("to_user_id", NO_SUCH_TARGET).into());
    }

    // The customers they hold (by relationship or by an open lead), each once.
    let held: Vec<(i64,)> = tx
        .fetch_all(sql(
            &format!(
                "SELECT customer_id FROM customer_dealer WHERE owner_user_id = $1 AND dealer_id = $2 \
                 UNION SELECT customer_id FROM lead WHERE owner_user_id = $1 AND dealer_id = $2 AND stage IN ({}) ORDER BY 1",
                open_stages_sql()
            ),
            vec![user.id.into(), dealer.into()],
        ))
        .await?;
    let customers: Vec<i64> = held.into_iter().map(|c| c.0).collect();
    let owners: Vec<i64> = match req.to_user_id {
        Some(to) => vec![to; customers.len()],
        None => spread(customers.len(), &team),
    };
    if owners.len() < customers.len() {
        return Err(FieldError::new("to_user_id", NOBODY_TO_TAKE).into());
    }
    let new_owner: BTreeMap<i64, i64> = customers.iter().copied().zip(owners.iter().copied()).collect();

    let leads: Vec<(i64, i64, String, Option<DateTime<Utc>>, i64)> = tx
        .fetch_all(sql(
            &format!(
                "SELECT id, customer_id, lead_no, next_follow_up_at, version FROM lead \
                 WHERE owner_user_id = $1 AND dealer_id = $2 AND stage IN ({}) ORDER BY id",
                open_stages_sql()
            ),
            vec![user.id.into(), dealer.into()],
        ))
        .await?;
    let mut changes = Vec::new();
    let mut moved = Vec::new();
    for (id, customer_id, lead_no, next, _) in &leads {
        let to = new_owner.get(customer_id).copied().ok_or_else(|| FieldError::new("to_user_id", NOBODY_TO_TAKE))?;
        let mut q = scope::update(&actor.scope, &crate::leads::LEAD);
        q.value("owner_user_id", to)
            .value("consultant_rule", "handover")
            .value("assigned_at", t)
            .value("version", Expr::col("version").add(1))
            .value("updated_at", t)
            .and_where(Expr::col(("lead", "id")).eq(*id));
        tx.execute(q).await?;
        changes.push(Change {
            action: "handover",
            entity: "lead",
            entity_id: Some(*id),
            dealer_id: Some(dealer),
            summary: Some(lead_no.clone()),
            before: Some(json!({"owner_user_id": user.id})),
            after: Some(json!({"owner_user_id": to, "consultant_rule": "handover"})),
        });
        moved.push((About { id: *id, customer_id: *customer_id, dealer_id: Some(dealer), lead_no: lead_no.clone(), next_follow_up_at: *next }, to));
    }
    let mut a = NewActivity::new("assignment");
    a.outcome = Some("handover".into());
    a.note = Some(match &note {
        Some(n) => format!("{} → {n}", user.display_name),
        None => user.display_name.clone(),
    });
    let items: Vec<(About, &NewActivity)> = moved.iter().map(|(l, _)| (l.clone(), &a)).collect();
    activity::insert_activities(&mut tx, actor, &items, t).await?;

    for (customer, to) in &new_owner {
        tx.execute(sql(
            "UPDATE customer_dealer SET owner_user_id = $1 WHERE customer_id = $2 AND dealer_id = $3 AND owner_user_id = $4",
            vec![(*to).into(), (*customer).into(), dealer.into(), user.id.into()],
        ))
        .await?;
    }
    // Booked test drives follow their customer (or the first colleague).
    let drives: Vec<(i64, i64)> = tx
        .fetch_all(sql(
            &format!("SELECT id, customer_id FROM test_drive WHERE consultant_id = $1 AND dealer_id = $2 AND {BOOKED}"),
            vec![user.id.into(), dealer.into()],
        ))
        .await?;
    for (id, customer) in &drives {
        let to = new_owner.get(customer).copied().or(req.to_user_id).or(owners.first().copied()).or(team.first().map(|c| c.user_id));
        let Some(to) = to else { return Err(FieldError::new("to_user_id", NOBODY_TO_TAKE).into()) };
        tx.execute(sql(
            "UPDATE test_drive SET consultant_id = $1, version = version + 1, updated_at = $2 WHERE id = $3",
            vec![to.into(), t.into(), (*id).into()],
        ))
        .await?;
        changes.push(Change {
            action: "handover",
            entity: "test_drive",
            entity_id: Some(*id),
            dealer_id: Some(dealer),
            summary: None,
            before: Some(json!({"consultant_id": user.id})),
            after: Some(json!({"consultant_id": to})),
        });
    }

    let names: BTreeMap<i64, String> = tx
        .fetch_all::<(i64, String)>(sql("SELECT id, display_name FROM app_user WHERE dealer_id = $1", vec![dealer.into()]))
        .await?
        .into_iter()
        .collect();
    let events: Vec<NewEvent<'_>> = new_owner
        .iter()
        .map(|(customer, to)| NewEvent {
            customer_id: *customer,
            kind: "handover",
            title: format!("{} → {}", user.display_name, names.get(to).cloned().unwrap_or_default()),
            body: note.clone(),
            dealer_id: Some(dealer),
            reference: Some(("user", *to)),
            due_date: None,
        })
        .collect();
    timeline::add_many(&mut tx, actor, &events).await?;

    let mut shares: Vec<Share> = Vec::new();
    for to in owners.iter().take(customers.len()) {
        if !shares.iter().any(|s| s.user_id == *to) {
            shares.push(Share { user_id: *to, name: names.get(to).cloned().unwrap_or_default(), customers: 0, leads: 0 });
        }
    }
    for s in &mut shares {
        s.customers = new_owner.values().filter(|v| **v == s.user_id).count() as i64;
        s.leads = moved.iter().filter(|(_, to)| *to == s.user_id).count() as i64;
    }
    let id = tx
        .insert_returning_id(sql(
            "INSERT INTO handover (from_user_id, to_user_id, dealer_id, actor_id, leads_moved, customers_moved, tasks_moved, note, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            vec![
                user.id.into(),
                req.to_user_id.into(),
                dealer.into(),
                actor.audit_id().into(),
                (leads.len() as i64).into(),
                (customers.len() as i64).into(),
                (drives.len() as i64).into(),
                note.clone().into(),
                t.into(),
            ],
        ))
        .await?;
    for s in &shares {
        notifications::notify(
            &mut tx,
            Notice {
                user_id: s.user_id,
                kind: "handover",
                title: format!("{}: {} / {}", user.display_name, s.customers, s.leads),
                body: note.clone(),
                link: Some("/leads?stage=open".into()),
            },
        )
        .await?;
    }
    changes.push(Change {
        action: "handover",
        entity: "user",
        entity_id: Some(user.id),
        dealer_id: Some(dealer),
        summary: Some(format!("{} leads, {} customers, {} test drives", leads.len(), customers.len(), drives.len())),
        before: None,
        after: Some(json!({"handover_id": id, "shares": shares, "deactivated": req.deactivate})),
    });
    if req.deactivate && user.active {
        let mut q = scope::update(&actor.scope, &USER);
        q.value("active", false).value("version", Expr::col("version").add(1)).value("updated_at", t).and_where(Expr::col(("app_user", "id")).eq(user.id));
        tx.execute(q).await?;
        auth::end_sessions_of(&mut tx, user.id).await?;
        tx.execute(sql(
            "UPDATE api_token SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            vec![t.into(), user.id.into()],
        ))
        .await?;
        changes.push(Change {
            action: "update",
            entity: "user",
            entity_id: Some(user.id),
            dealer_id: Some(dealer),
            summary: Some(user.username.clone()),
            before: Some(json!({"active": true})),
            after: Some(json!({"active": false})),
        });
    }
    audit::record_many(&mut tx, actor, changes).await?;
    let handover: Handover =
        tx.fetch_one(sql(&format!("SELECT {COLUMNS} FROM handover WHERE id = $1"), vec![id.into()])).await?;
    tx.commit().await?;
    Ok(Outcome { handover, shares })
}

/// The colleagues who can take `user`'s records: the dealer's other active
/// sales consultants, by name.
pub async fn team(db: &Db, actor: &Actor, user_id: i64) -> Result<Vec<(i64, String)>, StoreError> {
    let (user, dealer) = leaving(db, actor, user_id).await?;
    db.fetch_all(sql(
        "SELECT id, display_name FROM app_user WHERE dealer_id = $1 AND role = 'sales_consultant' AND active = $2 AND id <> $3 ORDER BY display_name",
        vec![dealer.into(), true.into(), user.id.into()],
    ))
    .await
}

/// The handovers of a staff member's records (as the one leaving), newest first.
pub async fn of_user(db: &Db, actor: &Actor, user_id: i64) -> Result<Vec<Handover>, StoreError> {
    let _: User = record::get(db, &actor.scope, user_id).await?;
    db.fetch_all(sql(&format!("SELECT {COLUMNS} FROM handover WHERE from_user_id = $1 ORDER BY id DESC LIMIT 50"), vec![user_id.into()]))
        .await
}
