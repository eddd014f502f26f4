//! Prospects and the sales funnel: leads attached to the golden customer record,
//! captured from every source, graded, routed to a dealer and a consultant,
//! followed up through the funnel and closed with a reason.
//!
//! Every query of leads goes through [`LEAD`]'s scope: a consultant sees the leads
//! they own, dealer staff their dealer's, managers their region or group, OEM staff
//! all (including leads not yet routed to a dealer).

pub mod activity;
pub mod capture;
pub mod demo;
pub mod distribution;
pub mod import;
pub mod rules;
pub mod stage;
pub mod today;

use autocrm_domain::access::Scope;
use autocrm_domain::leads::{Grade, Source, Stage, Timeframe};
use chrono::{DateTime, Utc};
use sea_query::Value;
use serde::Serialize;

use crate::db::{FromRow, Row};
use crate::record::{self, Record};
use crate::scope::{Link, Scoped};
use crate::{Db, StoreError};

pub use activity::{Activity, NewActivity};
pub use capture::{Capture, Captured, capture};
pub use rules::{lead_rules, save_lead_rules};

/// Leads belong to their dealer; in own-records scope, to their consultant.
pub const LEAD: Scoped =
    Scoped { table: "lead", link: Link::Dealer("dealer_id"), region: None, group: None, owner: Some("owner_user_id") };

/// A prospect's interest in buying a car.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Lead {
    pub id: i64,
    pub lead_no: String,
    pub customer_id: i64,
    /// `None` until routed (OEM leads only).
    pub dealer_id: Option<i64>,
    /// The consultant following the lead.
    pub owner_user_id: Option<i64>,
    /// `auto_show`, `hotline`, `website`, `referral`, `walk_in`, `phone_in`, `campaign`, `dealer_import`.
    pub source: String,
    /// The event or campaign the lead came from, when known.
    pub event: Option<String>,
    pub model_id: Option<i64>,
    /// `immediately`, `within_3_months`, `within_6_months`, `within_1_year`, `later`.
    pub timeframe: String,
    /// N, H, A, B, C, O, D, F (derived from timeframe and stage).
    pub grade: String,
    /// `new`, `contacted`, `showroom_visit`, `test_drive`, `quote`, `order`, `delivered`,
    /// `lost`, `cancelled`, `returned`, `invalid`.
    pub stage: String,
    /// Upper end of the budget, in yuan.
    pub budget_yuan: Option<i64>,
    pub trade_in: bool,
    pub trade_in_model: Option<String>,
    /// Competitor models considered, comma-separated.
    pub competitors: Option<String>,
    /// The dealer the customer asked for.
    pub preferred_dealer_id: Option<i64>,
    /// The existing customer who referred this prospect.
    pub referrer_id: Option<i64>,
    /// Which routing rule chose the dealer (`chosen_dealer`, `customer_dealer`, `city`,
    /// `province`, `load`, `captured_at_dealer`) and the consultant (`round_robin`,
    /// `least_loaded`, `captured_by`, `manual`).
    pub dealer_rule: Option<String>,
    pub consultant_rule: Option<String>,
    pub assigned_at: Option<DateTime<Utc>>,
    pub next_follow_up_at: Option<DateTime<Utc>>,
    pub last_activity_at: Option<DateTime<Utc>>,
    pub contacted_at: Option<DateTime<Utc>>,
    pub visited_at: Option<DateTime<Utc>>,
    pub test_drive_at: Option<DateTime<Utc>>,
    pub quoted_at: Option<DateTime<Utc>>,
    pub ordered_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// A close (lost/cancelled/invalid) waiting for a manager's approval, as JSON.
    #[schema(value_type = Option<Object>)]
    pub close_request: Option<serde_json::Value>,
    pub close_requested_by: Option<i64>,
    pub lost_category: Option<String>,
    pub close_reason: Option<String>,
    /// Competitor brand and model the prospect bought instead.
    pub competitor: Option<String>,
    pub close_approved_by: Option<i64>,
    /// When the daily distribution sent the lead to its dealer, and the dealer's feedback.
    pub distributed_at: Option<DateTime<Utc>>,
    pub feedback_due_at: Option<DateTime<Utc>>,
    pub feedback: Option<String>,
    pub feedback_note: Option<String>,
    pub feedback_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub submission_key: Option<String>,
    pub note: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Lead {
    pub fn stage(&self) -> Stage {
        Stage::parse(&self.stage).unwrap_or(Stage::New)
    }
    pub fn timeframe(&self) -> Timeframe {
        Timeframe::parse(&self.timeframe).unwrap_or(Timeframe::Later)
    }
    pub fn grade(&self) -> Grade {
        Grade::parse(&self.grade).unwrap_or(Grade::N)
    }
    pub fn source(&self) -> Option<Source> {
        Source::parse(&self.source)
    }
    /// Whether the follow-up date has passed (at `now`) on an open lead.
    pub fn overdue(&self, now: DateTime<Utc>) -> bool {
        self.stage().is_open() && self.next_follow_up_at.is_some_and(|t| t < now)
    }
}

impl FromRow for Lead {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        let close_request: Option<String> = r.get(32)?;
        Ok(Lead {
            id: r.get(0)?,
            lead_no: r.get(1)?,
            customer_id: r.get(2)?,
            dealer_id: r.get(3)?,
            owner_user_id: r.get(4)?,
            source: r.get(5)?,
            event: r.get(6)?,
            model_id: r.get(7)?,
            timeframe: r.get(8)?,
            grade: r.get(9)?,
            stage: r.get(10)?,
            budget_yuan: r.get(11)?,
            trade_in: r.get(12)?,
            trade_in_model: r.get(13)?,
            competitors: r.get(14)?,
            preferred_dealer_id: r.get(15)?,
            referrer_id: r.get(16)?,
            dealer_rule: r.get(17)?,
            consultant_rule: r.get(18)?,
            assigned_at: r.get(19)?,
            next_follow_up_at: r.get(20)?,
            last_activity_at: r.get(21)?,
            contacted_at: r.get(22)?,
            visited_at: r.get(23)?,
            test_drive_at: r.get(24)?,
            quoted_at: r.get(25)?,
            ordered_at: r.get(26)?,
            delivered_at: r.get(27)?,
            closed_at: r.get(28)?,
            lost_category: r.get(29)?,
            close_reason: r.get(30)?,
            competitor: r.get(31)?,
            close_request: close_request.and_then(|s| serde_json::from_str(&s).ok()),
            close_requested_by: r.get(33)?,
            close_approved_by: r.get(34)?,
            distributed_at: r.get(35)?,
            feedback_due_at: r.get(36)?,
            feedback: r.get(37)?,
            feedback_note: r.get(38)?,
            feedback_at: r.get(39)?,
            submission_key: r.get(40)?,
            note: r.get(41)?,
            version: r.get(42)?,
            created_at: r.get(43)?,
            updated_at: r.get(44)?,
        })
    }
}

impl Record for Lead {
    const ENTITY: &'static str = "lead";
    const SCOPED: Scoped = LEAD;
    const COLUMNS: &'static [&'static str] = &[
        "id", "lead_no", "customer_id", "dealer_id", "owner_user_id", "source", "event", "model_id", "timeframe", "grade",
        "stage", "budget_yuan", "trade_in", "trade_in_model", "competitors", "preferred_dealer_id", "referrer_id",
        "dealer_rule", "consultant_rule", "assigned_at", "next_follow_up_at", "last_activity_at", "contacted_at",
        "visited_at", "test_drive_at", "quoted_at", "ordered_at", "delivered_at", "closed_at", "lost_category",
        "close_reason", "competitor", "close_request", "close_requested_by", "close_approved_by", "distributed_at",
        "feedback_due_at", "feedback", "feedback_note", "feedback_at", "submission_key", "note", "version", "created_at",
        "updated_at",
    ];
    const WRITABLE: &'static [&'static str] = &[
        "lead_no", "customer_id", "dealer_id", "owner_user_id", "source", "event", "model_id", "timeframe", "grade", "stage",
        "budget_yuan", "trade_in", "trade_in_model", "competitors", "preferred_dealer_id", "referrer_id", "dealer_rule",
        "consultant_rule", "assigned_at", "next_follow_up_at", "last_activity_at", "contacted_at", "visited_at",
        "test_drive_at", "quoted_at", "ordered_at", "delivered_at", "closed_at", "lost_category", "close_reason",
        "competitor", "close_request", "close_requested_by", "close_approved_by", "distributed_at", "feedback_due_at",
        "feedback", "feedback_note", "feedback_at", "submission_key", "note",
    ];
    fn writable_values(&self) -> Vec<Value> {
        vec![
            self.lead_no.clone().into(),
            self.customer_id.into(),
            self.dealer_id.into(),
            self.owner_user_id.into(),
            self.source.clone().into(),
            self.event.clone().into(),
            self.model_id.into(),
            self.timeframe.clone().into(),
            self.grade.clone().into(),
            self.stage.clone().into(),
            self.budget_yuan.into(),
            self.trade_in.into(),
            self.trade_in_model.clone().into(),
            self.competitors.clone().into(),
            self.preferred_dealer_id.into(),
            self.referrer_id.into(),
            self.dealer_rule.clone().into(),
            self.consultant_rule.clone().into(),
            self.assigned_at.into(),
            self.next_follow_up_at.into(),
            self.last_activity_at.into(),
            self.contacted_at.into(),
            self.visited_at.into(),
            self.test_drive_at.into(),
            self.quoted_at.into(),
            self.ordered_at.into(),
            self.delivered_at.into(),
            self.closed_at.into(),
            self.lost_category.clone().into(),
            self.close_reason.clone().into(),
            self.competitor.clone().into(),
            self.close_request.as_ref().map(|v| v.to_string()).into(),
            self.close_requested_by.into(),
            self.close_approved_by.into(),
            self.distributed_at.into(),
            self.feedback_due_at.into(),
            self.feedback.clone().into(),
            self.feedback_note.clone().into(),
            self.feedback_at.into(),
            self.submission_key.clone().into(),
            self.note.clone().into(),
        ]
    }
    fn id(&self) -> i64 {
        self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn dealer_id(&self) -> Option<i64> {
        self.dealer_id
    }
    fn summary(&self) -> String {
        format!("{} {} {}", self.lead_no, self.stage, self.grade)
    }
}

/// `L` + zero-padded id: what staff read out on the phone.
pub fn lead_no(id: i64) -> String {
    format!("L{id:08}")
}

/// One lead within scope.
pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<Lead, StoreError> {
    record::get(db, scope, id).await
}

pub const NO_SUCH_LEAD: &str = "no such lead within your scope";
pub const LEAD_CLOSED: &str = "the lead is closed";
pub const LEAD_UNROUTED: &str = "the lead has no dealer yet: assign it first";

/// A lead named in a request (`lead_id`) that work can be recorded on — a test
/// drive, a quote: within scope, open and at a dealer. Read inside `tx`.
pub async fn open_lead(tx: &mut crate::Tx, scope: &Scope, id: i64) -> Result<(Lead, i64), StoreError> {
    use autocrm_domain::FieldError;
    let lead: Lead = crate::scope::get_for_update(tx, scope, &LEAD, Lead::COLUMNS, id)
        .await
        .map_err(|e| if matches!(e, StoreError::NotFound) { FieldError::new("lead_id", NO_SUCH_LEAD).into() } else { e })?;
    if !lead.stage().is_open() {
        return Err(FieldError::new("lead_id", LEAD_CLOSED).into());
    }
    let dealer = lead.dealer_id.ok_or_else(|| FieldError::new("lead_id", LEAD_UNROUTED))?;
    Ok((lead, dealer))
}
