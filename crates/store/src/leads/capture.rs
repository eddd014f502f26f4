//! Capturing a prospect from any source in one step: the customer is found or
//! created through identity resolution (a returning prospect is the same
//! customer), the lead is graded, routed to a dealer and a consultant by the rules
//! (the rule that decided is kept), and the first activity and timeline entry are
//! written — all in one transaction.

use autocrm_domain::FieldError;
use autocrm_domain::access::Role;
use autocrm_domain::customers::{DealerLinkKind, Mobile, unnamed};
use autocrm_domain::leads::{
    ConsultantCandidate, DealerCandidate, DealerRule, Source, Stage, Timeframe, route_consultant, route_dealer,
};
use chrono::{DateTime, Utc};

use super::activity::{self, NewActivity};
use super::{Lead, lead_no, rules};
use crate::auth::Actor;
use crate::customers::{self, NewCustomer, timeline};
use crate::db::sql;
use crate::notifications::{self, Notice};
use crate::record;
use crate::{Db, StoreError, Tx, now};

pub const NEEDS_WHO: &str = "is required: a mobile or a name (or a customer on file)";
pub const NO_SUCH_MODEL: &str = "is not an active model in the catalog";
pub const NO_SUCH_CUSTOMER: &str = "no such customer within your scope";
pub const NO_SUCH_REFERRER: &str = "no such customer within your scope";
pub const SELF_REFERRAL: &str = "cannot be the prospect themself";
pub const NO_SUCH_DEALER: &str = "no such active dealer within your scope";
pub const NO_SUCH_CONSULTANT: &str = "no such active sales consultant at the lead's dealer";
pub const BAD_TIMEFRAME: &str = "must be one of immediately, within_3_months, within_6_months, within_1_year, later";
pub const BAD_SOURCE: &str = "must be one of auto_show, hotline, website, referral, walk_in, phone_in, campaign, dealer_import";
pub const BAD_BUDGET: &str = "must be a positive amount in yuan";

/// A prospect as captured. Three inputs are enough (a mobile or a name, the model
/// of interest, the timeframe); everything else is optional or known already.
#[derive(Debug, Clone, Default)]
pub struct Capture {
    /// A customer already on file (instead of mobile/name).
    pub customer_id: Option<i64>,
    pub mobile: Option<String>,
    pub name: Option<String>,
    pub model_id: Option<i64>,
    pub timeframe: String,
    /// Defaults by role: walk-in at a dealer, hotline for the CAC, campaign for marketing.
    pub source: Option<String>,
    pub event: Option<String>,
    pub budget_yuan: Option<i64>,
    pub trade_in: bool,
    pub trade_in_model: Option<String>,
    pub competitors: Option<String>,
    /// The dealer the customer asked for (OEM capture).
    pub preferred_dealer_id: Option<i64>,
    /// A consultant chosen by a manager (else routing decides).
    pub owner_user_id: Option<i64>,
    pub referrer_id: Option<i64>,
    pub note: Option<String>,
    /// A key from the web form or the caller: a retried submission returns the
    /// lead it created instead of a second one.
    pub submission_key: Option<String>,
}

/// What [`capture`] did.
#[derive(Debug, Clone)]
pub struct Captured {
    pub lead: Lead,
    /// The prospect was already on file (linked by a strong key or chosen).
    pub existing_customer: bool,
    /// The same submission had been captured before; nothing new was written.
    pub replayed: bool,
}

fn clean(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

fn default_source(role: Role) -> Source {
    match role {
        Role::CacAgent => Source::Hotline,
        Role::OemMarketing => Source::Campaign,
        Role::Admin | Role::OemSalesOps => Source::Website,
        _ => Source::WalkIn,
    }
}

/// Checks what needs no database and names every field to fix.
fn check(c: &Capture) -> Result<(Timeframe, Source, Option<Mobile>), Vec<FieldError>> {
    let mut errors = vec![];
    let timeframe = Timeframe::parse(c.timeframe.trim());
    if timeframe.is_none() {
        errors.push(FieldError::new("timeframe", BAD_TIMEFRAME));
    }
    let source = match clean(&c.source) {
        Some(s) => Source::parse(&s).ok_or_else(|| errors.push(FieldError::new("source", BAD_SOURCE))).ok(),
        None => Some(Source::WalkIn),
    };
    let mobile = match clean(&c.mobile) {
        Some(m) => Mobile::parse(&m).map_err(|e| errors.push(e)).ok(),
        None => None,
    };
    if c.customer_id.is_none() && clean(&c.mobile).is_none() && clean(&c.name).is_none() {
        errors.push(FieldError::new("mobile", NEEDS_WHO));
    }
    if c.model_id.is_none() {
        errors.push(FieldError::new("model_id", "is required"));
    }
    if c.budget_yuan.is_some_and(|b| b <= 0) {
        errors.push(FieldError::new("budget_yuan", BAD_BUDGET));
    }
    match (timeframe, source, errors.is_empty()) {
        (Some(t), Some(s), true) => Ok((t, s, mobile)),
        _ => Err(errors),
    }
}

/// Captures a prospect. Validation failures name every field (the first error
/// in [`StoreError::Invalid`]; [`validate`] gives all of them).
pub async fn capture(db: &Db, actor: &Actor, c: Capture) -> Result<Captured, StoreError> {
    let key = clean(&c.submission_key);
    if let Some(k) = &key
        && let Some(lead) = by_submission(db, k).await?
    {
        return Ok(Captured { lead, existing_customer: true, replayed: true });
    }
    match capture_once(db, actor, c).await {
        // Two retries racing: the loser finds the winner's lead.
        Err(StoreError::Duplicate { field }) if field == "submission_key" => match &key {
            Some(k) => match by_submission(db, k).await? {
                Some(lead) => Ok(Captured { lead, existing_customer: true, replayed: true }),
                None => Err(StoreError::Duplicate { field }),
            },
            None => Err(StoreError::Duplicate { field }),
        },
        other => other,
    }
}

/// Every problem with a capture that can be found without writing.
pub fn validate(c: &Capture) -> Vec<FieldError> {
    check(c).err().unwrap_or_default()
}

async fn by_submission(db: &Db, key: &str) -> Result<Option<Lead>, StoreError> {
    let id: Option<(i64,)> = db.fetch_optional(sql("SELECT id FROM lead WHERE submission_key = $1", vec![key.into()])).await?;
    match id {
        Some((id,)) => Ok(Some(record::get(db, &autocrm_domain::access::Scope::Oem, id).await?)),
        None => Ok(None),
    }
}

async fn capture_once(db: &Db, actor: &Actor, c: Capture) -> Result<Captured, StoreError> {
    let (timeframe, source, mobile) = check(&c).map_err(|mut e| StoreError::Invalid(e.remove(0)))?;
    let source = if clean(&c.source).is_none() { default_source(actor.role) } else { source };
    let known = match c.customer_id {
        Some(id) => Some(customers::get(db, &actor.scope, id).await.map_err(|e| match e {
            StoreError::NotFound => FieldError::new("customer_id", NO_SUCH_CUSTOMER).into(),
            e => e,
        })?),
        None => None,
    };
    if let Some(r) = c.referrer_id
        && customers::get(db, &actor.scope, r).await.is_err()
    {
        return Err(FieldError::new("referrer_id", NO_SUCH_REFERRER).into());
    }
    if let Some(d) = c.preferred_dealer_id
        && !dealer_active(db, actor, d).await?
    {
        return Err(FieldError::new("preferred_dealer_id", NO_SUCH_DEALER).into());
    }
    let valid_customer = match &known {
        Some(_) => None,
        None => {
            let name = clean(&c.name).unwrap_or_else(|| unnamed(mobile.as_ref().map(|m| m.last4()).unwrap_or("")));
            let n = NewCustomer {
                name,
                mobiles: mobile.iter().map(|m| m.as_str().to_string()).collect(),
                link_kind: Some("lead".into()),
                ..Default::default()
            };
            match customers::validate(&n, customers::today()) {
                Ok(v) => Some(v),
                // The model is checked with the lead's id on the way in; an input
                // the form asked for first is reported first.
                Err(_) if !model_active(db, c.model_id).await? => return Err(FieldError::new("model_id", NO_SUCH_MODEL).into()),
                Err(mut e) => return Err(StoreError::Invalid(e.remove(0))),
            }
        }
    };

    let t = now();
    let mut tx = db.begin().await?;
    // What grading needs goes out with the transaction's first statement: it
    // depends on nothing the capture writes.
    let context = tx.prefetch(rules::model_and_rules_stmt(c.model_id)).await?;
    // Dealer staff keep what they capture: the dealer and the consultant are known
    // before the customer, who is linked to both at once. OEM leads are routed
    // once the customer (and so their city and serving dealer) is known.
    let at_dealer = match actor.dealer_id {
        Some(d) => Some((d, choose_consultant(&mut tx, actor, d, c.owner_user_id).await?)),
        None => None,
    };
    let (customer_id, existing, customer_city) = match (&known, valid_customer) {
        (Some(k), _) => (k.id, true, (k.province.clone(), k.city.clone())),
        (None, Some(v)) => {
            let (dealer, owner) = match &at_dealer {
                Some((d, (owner, _))) => (Some(*d), *owner),
                None => (None, None),
            };
            let created = customers::create_placed(&mut tx, actor, v, dealer, owner, customers::Via::Lead).await?;
            let cc = &created.customer;
            (cc.id, created.linked, (cc.province.clone(), cc.city.clone()))
        }
        (None, None) => return Err(FieldError::new("mobile", NEEDS_WHO).into()),
    };
    if c.referrer_id == Some(customer_id) {
        return Err(FieldError::new("referrer_id", SELF_REFERRAL).into());
    }
    // Resolution linked the customer to the capturing dealer already.
    let linked = known.is_none() && at_dealer.is_some();
    let (dealer_id, dealer_rule, owner, consultant_rule) = match at_dealer {
        Some((d, (owner, rule))) => (Some(d), Some(DealerRule::CapturedAtDealer), owner, rule),
        None => match route_to_dealer(&mut tx, actor, customer_id, c.preferred_dealer_id, customer_city).await? {
            Some((d, r)) => {
                let (owner, rule) = choose_consultant(&mut tx, actor, d, c.owner_user_id).await?;
                (Some(d), Some(r), owner, rule)
            }
            None => (None, None, None, None),
        },
    };
    if let Some(d) = dealer_id
        && !linked
    {
        customers::link_dealer(&mut tx, customer_id, d, DealerLinkKind::Lead, owner, false).await?;
    }

    // A walk-in is already in the showroom; a phone-in is on the line.
    let stage = match source {
        Source::WalkIn if actor.dealer_id.is_some() => Stage::ShowroomVisit,
        Source::PhoneIn if actor.dealer_id.is_some() => Stage::Contacted,
        _ => Stage::New,
    };
    // The lead's id: its number is written with the row.
    let id = tx.next_id("lead").await?;
    let (model_active, rules) = rules::model_and_rules(tx.take(context).await?.into_iter().next());
    if !model_active {
        return Err(FieldError::new("model_id", NO_SUCH_MODEL).into());
    }
    let grade = rules.grade(stage, timeframe);
    let mut lead = Lead {
        id: 0,
        lead_no: String::new(),
        customer_id,
        dealer_id,
        owner_user_id: owner,
        source: source.as_str().into(),
        event: clean(&c.event),
        model_id: c.model_id,
        timeframe: timeframe.as_str().into(),
        grade: grade.as_str().into(),
        stage: stage.as_str().into(),
        budget_yuan: c.budget_yuan,
        trade_in: c.trade_in,
        trade_in_model: clean(&c.trade_in_model),
        competitors: clean(&c.competitors),
        preferred_dealer_id: c.preferred_dealer_id,
        referrer_id: c.referrer_id,
        dealer_rule: dealer_rule.map(|r| r.as_str().into()),
        consultant_rule,
        assigned_at: owner.map(|_| t),
        next_follow_up_at: rules.next_follow_up(grade, t),
        last_activity_at: (stage != Stage::New).then_some(t),
        contacted_at: None,
        visited_at: None,
        test_drive_at: None,
        quoted_at: None,
        ordered_at: None,
        delivered_at: None,
        closed_at: None,
        close_request: None,
        close_requested_by: None,
        lost_category: None,
        close_reason: None,
        competitor: None,
        close_approved_by: None,
        distributed_at: None,
        feedback_due_at: None,
        feedback: None,
        feedback_note: None,
        feedback_at: None,
        submission_key: clean(&c.submission_key),
        note: clean(&c.note),
        version: 1,
        created_at: t,
        updated_at: t,
    };
    activity::mark_milestones(&mut lead, stage, t);
    lead.id = id;
    lead.lead_no = lead_no(id);
    // Everything about the new lead is known here: it goes out with the next statement.
    record::insert_known(&mut tx, actor, &lead, t).await?;
    let mut first = NewActivity::new("created");
    first.outcome = Some(source.as_str().into());
    first.note = lead.note.clone();
    activity::insert_activity(&mut tx, actor, &lead, &first, t).await?;
    if let Some(r) = lead.referrer_id {
        refer(&mut tx, actor, &lead, r).await?;
    }
    if let Some(u) = owner.filter(|u| *u != actor.user_id) {
        notifications::notify(
            &mut tx,
            Notice {
                user_id: u,
                kind: "lead_assigned",
                title: lead.lead_no.clone(),
                body: None,
                link: Some(format!("/leads/{id}")),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Captured { lead, existing_customer: existing, replayed: false })
}

async fn model_active(db: &Db, model_id: Option<i64>) -> Result<bool, StoreError> {
    Ok(rules::model_and_rules(db.fetch_optional(rules::model_and_rules_stmt(model_id)).await?).0)
}

async fn dealer_active(db: &Db, actor: &Actor, id: i64) -> Result<bool, StoreError> {
    let found: Option<(bool,)> = db.fetch_optional(sql("SELECT active FROM dealer WHERE id = $1", vec![id.into()])).await?;
    Ok(found.is_some_and(|a| a.0) && crate::scope::dealer_visible(db, &actor.scope, id).await?)
}

/// The open stages, as an SQL list (they count towards a dealer's or a
/// consultant's load).
pub(crate) fn open_stages_sql() -> String {
    Stage::ALL.iter().filter(|s| s.is_open()).map(|s| format!("'{}'", s.as_str())).collect::<Vec<_>>().join(", ")
}

/// Routes an OEM-captured lead to a dealer within the actor's reach.
pub(crate) async fn route_to_dealer(
    tx: &mut Tx,
    actor: &Actor,
    customer_id: i64,
    chosen: Option<i64>,
    (province, city): (Option<String>, Option<String>),
) -> Result<Option<(i64, DealerRule)>, StoreError> {
    let serving: Option<(i64,)> = tx
        .fetch_optional(sql(
            "SELECT cd.dealer_id FROM customer_dealer cd JOIN dealer d ON d.id = cd.dealer_id \
             WHERE cd.customer_id = $1 AND cd.kind IN ('bought', 'serviced', 'assigned') AND d.active = $2 \
             ORDER BY cd.since DESC LIMIT 1",
            vec![customer_id.into(), true.into()],
        ))
        .await?;
    let mut q = crate::scope::select(&actor.scope, &crate::org::DEALER);
    q.columns([("dealer", "id"), ("dealer", "province"), ("dealer", "city")])
        .and_where(sea_query::ExprTrait::eq(sea_query::Expr::col(("dealer", "active")), true));
    let dealers: Vec<(i64, Option<String>, Option<String>)> = tx.fetch_all(q).await?;
    let mut candidates: Vec<DealerCandidate> =
        dealers.into_iter().map(|(id, province, city)| DealerCandidate { id, province, city, open_leads: 0 }).collect();
    let serving = serving.map(|s| s.0).filter(|s| candidates.iter().any(|c| c.id == *s));
    if chosen.is_some() || serving.is_some() {
        return Ok(route_dealer(chosen, serving, None, None, &candidates));
    }
    // Only the dealers the rules allow compete on load: count their open leads alone.
    let (_, pool) = autocrm_domain::leads::dealer_pool(province.as_deref(), city.as_deref(), &candidates);
    let ids: Vec<i64> = pool.iter().map(|c| c.id).collect();
    let mut loads: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        let rows: Vec<(i64, i64)> = tx
            .fetch_all(sql(
                &format!("SELECT dealer_id, COUNT(*) FROM lead WHERE dealer_id IN ({list}) AND stage IN ({}) GROUP BY dealer_id", open_stages_sql()),
                vec![],
            ))
            .await?;
        loads.extend(rows);
    }
    let pool: Vec<DealerCandidate> = candidates
        .drain(..)
        .filter(|c| ids.contains(&c.id))
        .map(|c| DealerCandidate { open_leads: loads.get(&c.id).copied().unwrap_or(0), ..c })
        .collect();
    Ok(route_dealer(None, None, province.as_deref(), city.as_deref(), &pool))
}

/// The consultant who follows a new lead at `dealer_id`: the capturing consultant,
/// the one a manager chose, else the dealer's routing policy among those on duty.
pub(crate) async fn choose_consultant(
    tx: &mut Tx,
    actor: &Actor,
    dealer_id: i64,
    chosen: Option<i64>,
) -> Result<(Option<i64>, Option<String>), StoreError> {
    if actor.role == Role::SalesConsultant && actor.dealer_id == Some(dealer_id) {
        return Ok((Some(actor.user_id), Some("captured_by".into())));
    }
    let candidates = consultants(tx, dealer_id).await?;
    if let Some(u) = chosen {
        if !candidates.iter().any(|c| c.user_id == u) {
            return Err(FieldError::new("owner_user_id", NO_SUCH_CONSULTANT).into());
        }
        return Ok((Some(u), Some("manual".into())));
    }
    let policy = rules::consultant_policy_in(tx, dealer_id).await?;
    Ok(match route_consultant(policy, &candidates) {
        Some(u) => (Some(u), Some(policy.as_str().into())),
        None => (None, None),
    })
}

/// The active sales consultants of a dealer with their current load and their
/// latest assignment (what round robin turns on).
pub(crate) async fn consultants(tx: &mut Tx, dealer_id: i64) -> Result<Vec<ConsultantCandidate>, StoreError> {
    let rows: Vec<(i64, bool, Option<DateTime<Utc>>, i64)> = tx
        .fetch_all(sql(
            &format!(
                "SELECT u.id, u.on_duty, (SELECT MAX(l.assigned_at) FROM lead l WHERE l.owner_user_id = u.id), \
                 (SELECT COUNT(*) FROM lead l WHERE l.owner_user_id = u.id AND l.stage IN ({})) \
                 FROM app_user u WHERE u.dealer_id = $1 AND u.role = 'sales_consultant' AND u.active = $2 ORDER BY u.id",
                open_stages_sql()
            ),
            vec![dealer_id.into(), true.into()],
        ))
        .await?;
    Ok(rows
        .into_iter()
        .map(|(user_id, on_duty, last_assigned_at, open_leads)| ConsultantCandidate { user_id, on_duty, open_leads, last_assigned_at })
        .collect())
}

/// Records that `referrer_id` referred the lead's customer: the relationship both
/// ways (once) and an entry on the referrer's timeline.
async fn refer(tx: &mut Tx, actor: &Actor, lead: &Lead, referrer_id: i64) -> Result<(), StoreError> {
    let exists: Option<(i64,)> = tx
        .fetch_optional(sql(
            "SELECT id FROM relationship WHERE customer_id = $1 AND related_id = $2 AND kind = 'referred_by'",
            vec![lead.customer_id.into(), referrer_id.into()],
        ))
        .await?;
    if exists.is_none() {
        for (a, b, kind) in [(lead.customer_id, referrer_id, "referred_by"), (referrer_id, lead.customer_id, "referred")] {
            tx.execute(sql(
                "INSERT INTO relationship (customer_id, related_id, kind, since, created_at) VALUES ($1, $2, $3, $4, $5)",
                vec![a.into(), b.into(), kind.into(), customers::today().into(), now().into()],
            ))
            .await?;
        }
    }
    timeline::add(
        tx,
        actor,
        timeline::NewEvent {
            customer_id: referrer_id,
            kind: "referral",
            title: lead.lead_no.clone(),
            body: None,
            dealer_id: lead.dealer_id,
            reference: Some(("lead", lead.id)),
            due_date: None,
        },
    )
    .await?;
    Ok(())
}
