//! The OEM's grading configuration (timeframe → grade, follow-up days, expected
//! conversion) and each dealer's consultant-routing policy, kept as settings.

use autocrm_domain::leads::{ConsultantPolicy, GradeRules};
use serde_json::json;

use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::db::sql;
use crate::{Db, StoreError, Tx, now};

const RULES_KEY: &str = "leads.rules";

fn policy_key(dealer_id: i64) -> String {
    format!("leads.consultant_policy.{dealer_id}")
}

/// The rules as stored (the practice defaults when none are, or unreadable).
fn parse_rules(stored: Option<String>) -> GradeRules {
    stored.and_then(|v| serde_json::from_str(&v).ok()).unwrap_or_default()
}

/// The grading rules in force (the practice defaults until an admin changes them).
pub async fn lead_rules(db: &Db) -> Result<GradeRules, StoreError> {
    Ok(parse_rules(crate::scope::setting(db, RULES_KEY).await?))
}

/// Same, inside a transaction.
pub async fn lead_rules_in(tx: &mut Tx) -> Result<GradeRules, StoreError> {
    let v: Option<(String,)> = tx.fetch_optional(sql("SELECT value FROM setting WHERE key = $1", vec![RULES_KEY.into()])).await?;
    Ok(parse_rules(v.map(|v| v.0)))
}

/// What every capture reads: whether `model_id` is an active model of the
/// catalog, and the grading rules; one statement, which the capture sends ahead
/// with its first (see `Tx::prefetch`). Read with [`model_and_rules`].
pub(crate) fn model_and_rules_stmt(model_id: Option<i64>) -> crate::db::Raw {
    sql(
        "SELECT (SELECT COUNT(*) FROM vehicle_model WHERE id = $1 AND active = $2), (SELECT value FROM setting WHERE key = $3)",
        vec![model_id.into(), true.into(), RULES_KEY.into()],
    )
}

/// The row of [`model_and_rules_stmt`]: (model active, rules).
pub(crate) fn model_and_rules(row: Option<(i64, Option<String>)>) -> (bool, GradeRules) {
    let (active, rules) = row.unwrap_or((0, None));
    (active > 0, parse_rules(rules))
}

async fn put(tx: &mut Tx, key: &str, value: String) -> Result<(), StoreError> {
    tx.execute(sql(
        "INSERT INTO setting (key, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        vec![key.into(), value.into(), now().into()],
    ))
    .await?;
    Ok(())
}

/// Replaces the grading rules (checked first; the field at fault is named).
pub async fn save_lead_rules(db: &Db, actor: &Actor, rules: &GradeRules) -> Result<GradeRules, StoreError> {
    rules.check()?;
    let before = lead_rules(db).await?;
    let mut tx = db.begin().await?;
    put(&mut tx, RULES_KEY, serde_json::to_string(rules).unwrap_or_default()).await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "update",
            entity: "lead_rules",
            entity_id: None,
            dealer_id: None,
            summary: Some("lead grading rules".into()),
            before: Some(json!(before)),
            after: Some(json!(rules)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(rules.clone())
}

/// How `dealer_id` hands new leads to its consultants (round robin by default).
pub async fn consultant_policy_in(tx: &mut Tx, dealer_id: i64) -> Result<ConsultantPolicy, StoreError> {
    let v: Option<(String,)> =
        tx.fetch_optional(sql("SELECT value FROM setting WHERE key = $1", vec![policy_key(dealer_id).into()])).await?;
    Ok(v.and_then(|v| ConsultantPolicy::parse(&v.0)).unwrap_or(ConsultantPolicy::RoundRobin))
}

pub async fn consultant_policy(db: &Db, dealer_id: i64) -> Result<ConsultantPolicy, StoreError> {
    let v = crate::scope::setting(db, &policy_key(dealer_id)).await?;
    Ok(v.and_then(|v| ConsultantPolicy::parse(&v)).unwrap_or(ConsultantPolicy::RoundRobin))
}

/// Sets a dealer's consultant-routing policy (the caller checked the dealer is in scope).
pub async fn set_consultant_policy(db: &Db, actor: &Actor, dealer_id: i64, policy: ConsultantPolicy) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    put(&mut tx, &policy_key(dealer_id), policy.as_str().to_string()).await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "update",
            entity: "lead_routing",
            entity_id: Some(dealer_id),
            dealer_id: Some(dealer_id),
            summary: Some(format!("consultant routing: {}", policy.as_str())),
            before: None,
            after: Some(json!({ "policy": policy.as_str() })),
        },
    )
    .await?;
    tx.commit().await
}

/// Puts a sales consultant within the actor's scope on or off duty.
pub async fn set_on_duty(db: &Db, actor: &Actor, user_id: i64, on_duty: bool) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let mut q = crate::scope::update(&actor.scope, &crate::users::USER);
    q.value("on_duty", on_duty)
        .and_where(sea_query::ExprTrait::eq(sea_query::Expr::col(("app_user", "id")), user_id))
        .and_where(sea_query::ExprTrait::eq(sea_query::Expr::col(("app_user", "role")), "sales_consultant"));
    if tx.execute(q).await? != 1 {
        return Err(StoreError::NotFound);
    }
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "update",
            entity: "user",
            entity_id: Some(user_id),
            dealer_id: actor.dealer_id,
            summary: Some(format!("on duty: {on_duty}")),
            before: None,
            after: Some(json!({ "on_duty": on_duty })),
        },
    )
    .await?;
    tx.commit().await
}

/// The active sales consultants of a dealer (id, name) for assignment choices.
pub async fn consultant_options(db: &Db, dealer_id: i64) -> Result<Vec<(i64, String)>, StoreError> {
    db.fetch_all(sql(
        "SELECT id, display_name FROM app_user WHERE dealer_id = $1 AND role = 'sales_consultant' AND active = $2 ORDER BY display_name",
        vec![dealer_id.into(), true.into()],
    ))
    .await
}
