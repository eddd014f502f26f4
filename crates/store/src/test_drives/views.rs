//! Reading the demo fleet and its bookings: the fleet list, a dealer's schedule for
//! a day (per car, as a phone-friendly list), the bookings of a lead, a
//! consultant's drives today, and the filtered list of the API.

use autocrm_domain::access::Scope;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_query::{Alias, Cond, Condition, Expr, ExprTrait, JoinType, Order, SelectStatement};
use serde::Serialize;

use super::{DEMO_CAR, TEST_DRIVE, drive_no};
use crate::db::{FromRow, Row};
use crate::page::{self, Page, PageRequest, SortField};
use crate::vehicles::model_label;
use crate::{Db, StoreError, scope};

pub const DRIVE_SORT: [SortField; 1] = [page::int("id", "id")];
pub const CAR_SORT: [SortField; 1] = [page::int("id", "id")];

/// The UTC span of a day in China (UTC+8).
pub fn china_day(day: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = day.and_time(chrono::NaiveTime::MIN).and_utc() - Duration::hours(8);
    (start, start + Duration::days(1))
}

/// Today's date in China.
pub fn china_today(now: DateTime<Utc>) -> NaiveDate {
    (now + Duration::hours(8)).date_naive()
}

/// A demo car as listed: with its model and dealer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CarLabel {
    pub id: i64,
    pub dealer_id: i64,
    pub dealer_name: String,
    pub model_id: i64,
    pub model_label: String,
    pub plate: String,
    pub vin: Option<String>,
    pub color: Option<String>,
    pub active: bool,
    pub note: Option<String>,
    pub version: i64,
}

impl CarLabel {
    /// `岳风 1.5T 自动 · 沪AD12345 · 白` for choosing a car.
    pub fn label(&self) -> String {
        [Some(self.model_label.clone()), Some(self.plate.clone()), self.color.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · ")
    }
}

impl FromRow for CarLabel {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        let trim: Option<String> = r.get(7)?;
        Ok(CarLabel {
            id: r.get(0)?,
            dealer_id: r.get(1)?,
            dealer_name: r.get(2)?,
            model_id: r.get(3)?,
            model_label: model_label(&r.get::<String>(4)?, &r.get::<String>(5)?, &r.get::<String>(6)?, trim.as_deref()),
            plate: r.get(8)?,
            vin: r.get(9)?,
            color: r.get(10)?,
            active: r.get(11)?,
            note: r.get(12)?,
            version: r.get(13)?,
        })
    }
}

/// Adds the [`CarLabel`] columns and joins to a query over `demo_car`.
pub(crate) fn car_label_columns(q: &mut SelectStatement) {
    q.columns([("demo_car", "id"), ("demo_car", "dealer_id")])
        .expr_as(Expr::col(("dealer", "name")), Alias::new("dealer_name"))
        .column(("demo_car", "model_id"))
        .columns([("vehicle_model", "brand"), ("vehicle_model", "series"), ("vehicle_model", "model"), ("vehicle_model", "trim")])
        .columns([
            ("demo_car", "plate"),
            ("demo_car", "vin"),
            ("demo_car", "color"),
            ("demo_car", "active"),
            ("demo_car", "note"),
            ("demo_car", "version"),
        ])
        .join(JoinType::InnerJoin, "dealer", Expr::col(("dealer", "id")).equals(("demo_car", "dealer_id")))
        .join(JoinType::InnerJoin, "vehicle_model", Expr::col(("vehicle_model", "id")).equals(("demo_car", "model_id")));
}

/// The fleet within scope, optionally of one dealer and only active cars.
pub async fn cars(db: &Db, scope: &Scope, dealer_id: Option<i64>, active: Option<bool>, p: &PageRequest) -> Result<Page<CarLabel>, StoreError> {
    let mut q = scope::select(scope, &DEMO_CAR);
    car_label_columns(&mut q);
    if let Some(d) = dealer_id {
        q.and_where(Expr::col(("demo_car", "dealer_id")).eq(d));
    }
    if let Some(a) = active {
        q.and_where(Expr::col(("demo_car", "active")).eq(a));
    }
    p.apply(&mut q, "demo_car");
    let rows: Vec<CarLabel> = db.fetch_all(q).await?;
    Ok(p.finish(rows, |c| (c.id.into(), c.id)))
}

/// A booking as listed: who, which car, when, how it went.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TestDriveRow {
    pub id: i64,
    /// `T` + id.
    pub drive_no: String,
    pub lead_id: Option<i64>,
    pub lead_no: Option<String>,
    pub customer_id: i64,
    pub customer_name: String,
    pub dealer_id: i64,
    pub demo_car_id: i64,
    pub plate: String,
    pub model_label: String,
    pub consultant_id: i64,
    pub consultant_name: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: String,
    pub rating: Option<i64>,
    pub feedback: Option<String>,
    pub version: i64,
}

impl FromRow for TestDriveRow {
    fn from_row(r: &Row<'_>) -> Result<Self, StoreError> {
        let id: i64 = r.get(0)?;
        let trim: Option<String> = r.get(11)?;
        Ok(TestDriveRow {
            id,
            drive_no: drive_no(id),
            lead_id: r.get(1)?,
            lead_no: r.get(2)?,
            customer_id: r.get(3)?,
            customer_name: r.get(4)?,
            dealer_id: r.get(5)?,
            demo_car_id: r.get(6)?,
            plate: r.get(7)?,
            model_label: model_label(&r.get::<String>(8)?, &r.get::<String>(9)?, &r.get::<String>(10)?, trim.as_deref()),
            consultant_id: r.get(12)?,
            consultant_name: r.get(13)?,
            starts_at: r.get(14)?,
            ends_at: r.get(15)?,
            status: r.get(16)?,
            rating: r.get(17)?,
            feedback: r.get(18)?,
            version: r.get(19)?,
        })
    }
}

fn rows(scope: &Scope) -> SelectStatement {
    let mut q = scope::select(scope, &TEST_DRIVE);
    q.columns([("test_drive", "id"), ("test_drive", "lead_id")])
        .column(("lead", "lead_no"))
        .column(("test_drive", "customer_id"))
        .expr_as(Expr::col(("customer", "name")), Alias::new("customer_name"))
        .columns([("test_drive", "dealer_id"), ("test_drive", "demo_car_id")])
        .column(("demo_car", "plate"))
        .columns([("vehicle_model", "brand"), ("vehicle_model", "series"), ("vehicle_model", "model"), ("vehicle_model", "trim")])
        .column(("test_drive", "consultant_id"))
        .column(("app_user", "display_name"))
        .columns([
            ("test_drive", "starts_at"),
            ("test_drive", "ends_at"),
            ("test_drive", "status"),
            ("test_drive", "rating"),
            ("test_drive", "feedback"),
            ("test_drive", "version"),
        ])
        .join(JoinType::LeftJoin, "lead", Expr::col(("lead", "id")).equals(("test_drive", "lead_id")))
        .join(JoinType::InnerJoin, "customer", Expr::col(("customer", "id")).equals(("test_drive", "customer_id")))
        .join(JoinType::InnerJoin, "demo_car", Expr::col(("demo_car", "id")).equals(("test_drive", "demo_car_id")))
        .join(JoinType::InnerJoin, "vehicle_model", Expr::col(("vehicle_model", "id")).equals(("demo_car", "model_id")))
        .join(JoinType::InnerJoin, "app_user", Expr::col(("app_user", "id")).equals(("test_drive", "consultant_id")));
    q
}

/// Filters of the booking list.
#[derive(Debug, Clone, Default)]
pub struct DriveFilter {
    /// Bookings starting on this day (China time).
    pub day: Option<NaiveDate>,
    pub dealer_id: Option<i64>,
    pub demo_car_id: Option<i64>,
    pub lead_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub consultant_id: Option<i64>,
    pub status: Option<String>,
}

impl DriveFilter {
    fn condition(&self) -> Condition {
        let mut c = Cond::all();
        if let Some(d) = self.day {
            let (from, to) = china_day(d);
            c = c.add(Expr::col(("test_drive", "starts_at")).gte(from)).add(Expr::col(("test_drive", "starts_at")).lt(to));
        }
        for (col, v) in [
            ("dealer_id", self.dealer_id),
            ("demo_car_id", self.demo_car_id),
            ("lead_id", self.lead_id),
            ("customer_id", self.customer_id),
            ("consultant_id", self.consultant_id),
        ] {
            if let Some(v) = v {
                c = c.add(Expr::col(("test_drive", col)).eq(v));
            }
        }
        if let Some(s) = &self.status {
            c = c.add(Expr::col(("test_drive", "status")).eq(s.as_str()));
        }
        c
    }
}

/// A page of bookings within scope.
pub async fn list(db: &Db, scope: &Scope, f: &DriveFilter, p: &PageRequest) -> Result<Page<TestDriveRow>, StoreError> {
    let mut q = rows(scope);
    q.cond_where(f.condition());
    p.apply(&mut q, "test_drive");
    let found: Vec<TestDriveRow> = db.fetch_all(q).await?;
    Ok(p.finish(found, |r| (r.id.into(), r.id)))
}

/// Every booking matching `f`, in time order (small sets: a day, a lead).
pub async fn all(db: &Db, scope: &Scope, f: &DriveFilter, limit: u64) -> Result<Vec<TestDriveRow>, StoreError> {
    let mut q = rows(scope);
    q.cond_where(f.condition()).order_by(("test_drive", "starts_at"), Order::Asc).order_by(("test_drive", "id"), Order::Asc).limit(limit);
    db.fetch_all(q).await
}

/// One booking as listed, within scope.
pub async fn row(db: &Db, scope: &Scope, id: i64) -> Result<TestDriveRow, StoreError> {
    let mut q = rows(scope);
    q.and_where(Expr::col(("test_drive", "id")).eq(id));
    db.fetch_optional(q).await?.ok_or(StoreError::NotFound)
}

/// One car's day on the schedule.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CarDay {
    pub car: CarLabel,
    pub drives: Vec<TestDriveRow>,
}

/// A dealer's schedule for `day`: every active car (and any retired car that still
/// has a booking that day) with its bookings in time order.
pub async fn schedule(db: &Db, scope: &Scope, dealer_id: i64, day: NaiveDate) -> Result<Vec<CarDay>, StoreError> {
    let p = PageRequest::parse(Some(page::MAX_LIMIT), Some("id"), None, &CAR_SORT, "id")?;
    let cars = cars(db, scope, Some(dealer_id), None, &p).await?.items;
    let drives = all(db, scope, &DriveFilter { day: Some(day), dealer_id: Some(dealer_id), ..Default::default() }, 500).await?;
    Ok(cars
        .into_iter()
        .map(|car| {
            let mine: Vec<TestDriveRow> = drives.iter().filter(|d| d.demo_car_id == car.id).cloned().collect();
            CarDay { car, drives: mine }
        })
        .filter(|d| d.car.active || !d.drives.is_empty())
        .collect())
}

/// The query of a consultant's drives today (China day of `now`), within scope:
/// run by "my day" inside its own read snapshot.
pub fn today_query(scope: &Scope, user_id: i64, now: DateTime<Utc>) -> sea_query::SelectStatement {
    let f = DriveFilter { day: Some(china_today(now)), consultant_id: Some(user_id), ..Default::default() };
    let mut q = rows(scope);
    q.cond_where(f.condition()).order_by(("test_drive", "starts_at"), Order::Asc).order_by(("test_drive", "id"), Order::Asc).limit(100);
    q
}
