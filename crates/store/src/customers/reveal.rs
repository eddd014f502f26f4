//! Revealing a personal identifier: the one way to see a customer's mobile or ID
//! number in clear (PIPL Art. 28), for roles allowed to, and always audited.

use autocrm_domain::FieldError;
use serde::Serialize;

use super::Customer;
use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::db::sql;
use crate::{Db, StoreError};

pub const BAD_FIELD: &str = "must be mobile or id_number";
pub const NOTHING_TO_REVEAL: &str = "is not on file for this customer";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RevealField {
    Mobile,
    IdNumber,
}

impl RevealField {
    pub fn parse(s: &str) -> Result<RevealField, FieldError> {
        match s.trim() {
            "mobile" => Ok(RevealField::Mobile),
            "id_number" => Ok(RevealField::IdNumber),
            _ => Err(FieldError::new("field", BAD_FIELD)),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            RevealField::Mobile => "mobile",
            RevealField::IdNumber => "id_number",
        }
    }
}

/// The clear value of a visible customer's primary mobile (or of one of their
/// mobile contact points), or of their ID number; writes an audit entry `reveal`
/// naming who saw what. The caller checks the PiiReveal permission.
pub async fn reveal(db: &Db, actor: &Actor, customer_id: i64, field: RevealField, contact_point_id: Option<i64>) -> Result<String, StoreError> {
    let c: Customer = super::get(db, &actor.scope, customer_id).await?;
    let value = match (field, contact_point_id) {
        (RevealField::Mobile, Some(cp)) => db
            .fetch_optional::<(String,)>(sql(
                "SELECT value FROM contact_point WHERE id = $1 AND customer_id = $2 AND kind = 'mobile'",
                vec![cp.into(), customer_id.into()],
            ))
            .await?
            .map(|r| r.0),
        (RevealField::Mobile, None) => c.mobile.clone(),
        (RevealField::IdNumber, _) => c.id_number.clone(),
    };
    let value = value.ok_or_else(|| FieldError::new("field", NOTHING_TO_REVEAL))?;
    let mut tx = db.begin().await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "reveal",
            entity: "customer",
            entity_id: Some(customer_id),
            dealer_id: actor.dealer_id.or(c.origin_dealer_id),
            summary: Some(format!("{} {}: {}", c.customer_no, c.name, field.as_str())),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(value)
}
