//! Test drives: each dealer's demo fleet and the bookings on it. A booking holds a
//! demo car and a consultant for a slot (never two at once), is on the customer's
//! timeline, and when the drive is recorded it moves the lead to the test-drive
//! stage through the lead's activity log.
//!
//! Cars and drives belong to their dealer: a dealer's staff (consultants
//! included, who book from the shared schedule) see their dealer's, managers their
//! region's or group's, OEM staff all.

pub mod book;
pub mod cars;
pub mod demo;
pub mod views;

use chrono::{DateTime, Utc};
use sea_query::Value;
use serde::Serialize;

use crate::StoreError;
use crate::db::{FromRow, Row};
use crate::record::Record;
use crate::scope::Scoped;

pub use book::{Booking, Ending, book, finish};
pub use cars::{CarInput, CarPatch};
pub use views::{CarDay, DriveFilter, TestDriveRow};

pub const DEMO_CAR: Scoped = Scoped::by_dealer("demo_car", "dealer_id");
pub const TEST_DRIVE: Scoped = Scoped::by_dealer("test_drive", "dealer_id");

/// A car of a dealer's demo fleet.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DemoCar {
    pub id: i64,
    pub dealer_id: i64,
    pub model_id: i64,
    /// The normalized licence plate (`沪A·D12345` is stored as `沪AD12345`).
    pub plate: String,
    pub vin: Option<String>,
    pub color: Option<String>,
    /// A retired car is kept with its history but no longer booked.
    pub active: bool,
    pub note: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl FromRow for DemoCar {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        Ok(DemoCar {
            id: r.get(0)?,
            dealer_id: r.get(1)?,
            model_id: r.get(2)?,
            plate: r.get(3)?,
            vin: r.get(4)?,
            color: r.get(5)?,
            active: r.get(6)?,
            note: r.get(7)?,
            version: r.get(8)?,
            created_at: r.get(9)?,
            updated_at: r.get(10)?,
        })
    }
}

impl Record for DemoCar {
    const ENTITY: &'static str = "demo_car";
    const SCOPED: Scoped = DEMO_CAR;
    const COLUMNS: &'static [&'static str] =
        &["id", "dealer_id", "model_id", "plate", "vin", "color", "active", "note", "version", "created_at", "updated_at"];
    const WRITABLE: &'static [&'static str] = &["dealer_id", "model_id", "plate", "vin", "color", "active", "note"];
    fn writable_values(&self) -> Vec<Value> {
        vec![
            self.dealer_id.into(),
            self.model_id.into(),
            self.plate.clone().into(),
            self.vin.clone().into(),
            self.color.clone().into(),
            self.active.into(),
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
        Some(self.dealer_id)
    }
    fn summary(&self) -> String {
        format!("{} {}", self.plate, if self.active { "active" } else { "retired" })
    }
}

/// One booking of a demo car.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TestDrive {
    pub id: i64,
    pub lead_id: Option<i64>,
    pub customer_id: i64,
    pub dealer_id: i64,
    pub demo_car_id: i64,
    /// Who accompanies the drive.
    pub consultant_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// `booked`, `completed`, `cancelled`, `no_show`.
    pub status: String,
    /// Completed drives: what the customer said, 1–5, the route driven.
    pub feedback: Option<String>,
    pub rating: Option<i64>,
    pub route: Option<String>,
    pub cancel_reason: Option<String>,
    /// When it was completed, cancelled or marked a no-show.
    pub ended_at: Option<DateTime<Utc>>,
    pub booked_by: Option<i64>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TestDrive {
    pub fn status(&self) -> autocrm_domain::test_drives::Status {
        autocrm_domain::test_drives::Status::parse(&self.status).unwrap_or(autocrm_domain::test_drives::Status::Booked)
    }
}

impl FromRow for TestDrive {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        Ok(TestDrive {
            id: r.get(0)?,
            lead_id: r.get(1)?,
            customer_id: r.get(2)?,
            dealer_id: r.get(3)?,
            demo_car_id: r.get(4)?,
            consultant_id: r.get(5)?,
            starts_at: r.get(6)?,
            ends_at: r.get(7)?,
            status: r.get(8)?,
            feedback: r.get(9)?,
            rating: r.get(10)?,
            route: r.get(11)?,
            cancel_reason: r.get(12)?,
            ended_at: r.get(13)?,
            booked_by: r.get(14)?,
            version: r.get(15)?,
            created_at: r.get(16)?,
            updated_at: r.get(17)?,
        })
    }
}

impl Record for TestDrive {
    const ENTITY: &'static str = "test_drive";
    const SCOPED: Scoped = TEST_DRIVE;
    const COLUMNS: &'static [&'static str] = &[
        "id", "lead_id", "customer_id", "dealer_id", "demo_car_id", "consultant_id", "starts_at", "ends_at", "status",
        "feedback", "rating", "route", "cancel_reason", "ended_at", "booked_by", "version", "created_at", "updated_at",
    ];
    const WRITABLE: &'static [&'static str] = &[
        "lead_id", "customer_id", "dealer_id", "demo_car_id", "consultant_id", "starts_at", "ends_at", "status", "feedback",
        "rating", "route", "cancel_reason", "ended_at", "booked_by",
    ];
    fn writable_values(&self) -> Vec<Value> {
        vec![
            self.lead_id.into(),
            self.customer_id.into(),
            self.dealer_id.into(),
            self.demo_car_id.into(),
            self.consultant_id.into(),
            self.starts_at.into(),
            self.ends_at.into(),
            self.status.clone().into(),
            self.feedback.clone().into(),
            self.rating.into(),
            self.route.clone().into(),
            self.cancel_reason.clone().into(),
            self.ended_at.into(),
            self.booked_by.into(),
        ]
    }
    fn id(&self) -> i64 {
        self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn dealer_id(&self) -> Option<i64> {
        Some(self.dealer_id)
    }
    fn summary(&self) -> String {
        format!("{} {} {}", drive_no(self.id), self.status, self.starts_at.format("%Y-%m-%d %H:%M"))
    }
}

/// `T` + zero-padded id: how a booking is named on the schedule and in conflicts.
pub fn drive_no(id: i64) -> String {
    format!("T{id:08}")
}
