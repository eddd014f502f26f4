//! Customers and vehicles for the search and screen-pop tests, written straight
//! into the database (as a bulk import would): two of dealer A's customers (a
//! person with a vehicle, timeline and consents, and an enterprise) and one of
//! dealer B's whose mobile ends in the same 4 digits.

use autocrm_domain::customers::{CustomerKind, id_check_char};
use autocrm_domain::vehicles::Vin;
use autocrm_store::customers::{customer_no, search_keys};
use autocrm_store::db::{Stmt, sql};
use autocrm_store::{Db, now};
use chrono::{Duration, NaiveDate};

use crate::TestServer;
use crate::fixture::{GZB01_CONSULTANT, SHA01_CONSULTANT};

/// One planted customer.
#[derive(Debug, Clone)]
pub struct Planted {
    pub id: i64,
    pub no: String,
    pub name: &'static str,
    pub mobile: &'static str,
    pub email: Option<&'static str>,
    pub vin: Option<String>,
    pub plate: Option<&'static str>,
    pub id_number: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SearchData {
    /// 张三, dealer A (owned by SHA01's consultant): vehicle, commitments, notes, consents.
    pub zhang: Planted,
    /// 上海东岳物流有限公司, dealer A.
    pub company: Planted,
    /// 李四, dealer B; mobile ends in 5678 like 张三's.
    pub li: Planted,
}

fn valid_id_number(first17: &str) -> String {
    format!("{first17}{}", id_check_char(first17).expect("17 digits"))
}

async fn exec(db: &Db, stmt: impl Stmt) {
    db.execute(stmt).await.unwrap_or_else(|e| panic!("planting search data: {e}"));
}

async fn insert_id(db: &Db, stmt: impl Stmt) -> i64 {
    let mut tx = db.begin().await.expect("begin");
    let id = tx.insert_returning_id(stmt).await.unwrap_or_else(|e| panic!("planting search data: {e}"));
    tx.commit().await.expect("commit");
    id
}

#[allow(clippy::too_many_arguments)]
async fn customer(
    db: &Db,
    kind: CustomerKind,
    name: &'static str,
    mobile: &'static str,
    email: Option<&'static str>,
    id_number: Option<String>,
    city: &str,
    dealer_id: i64,
    owner: i64,
) -> Planted {
    let t = now();
    let id = insert_id(
        db,
        sql("INSERT INTO customer (customer_no, kind, name, name_pinyin, name_initials, gender, id_number, mobile, email, \
         province, city, address, status, origin_dealer_id, version, created_at, updated_at) \
         VALUES ('pending', $1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, 'active', $11, 1, $12, $12)",
        vec![
            kind.as_str().into(),
            name.into(),
            autocrm_domain::customers::pinyin_full(name).into(),
            autocrm_domain::customers::pinyin_initials(name).into(),
            (!kind.is_organization()).then_some("male").into(),
            id_number.clone().into(),
            mobile.into(),
            email.into(),
            city.into(),
            "人民路1号".into(),
            dealer_id.into(),
            t.into(),
        ]))
    .await;
    let no = customer_no(id);
    exec(db, sql("UPDATE customer SET customer_no = $1 WHERE id = $2", vec![no.clone().into(), id.into()])).await;
    exec(
        db,
        sql("INSERT INTO contact_point (customer_id, kind, value, tail4, is_primary, verified, created_at) \
         VALUES ($1, 'mobile', $2, $3, TRUE, TRUE, $4)",
        vec![id.into(), mobile.into(), mobile[7..].to_string().into(), t.into()]))
    .await;
    if let Some(e) = email {
        exec(
            db,
            sql("INSERT INTO contact_point (customer_id, kind, value, is_primary, verified, created_at) VALUES ($1, 'email', $2, TRUE, FALSE, $3)",
            vec![id.into(), e.into(), t.into()]))
        .await;
    }
    exec(
        db,
        sql("INSERT INTO customer_dealer (customer_id, dealer_id, kind, owner_user_id, since) VALUES ($1, $2, 'bought', $3, $4)",
        vec![id.into(), dealer_id.into(), owner.into(), t.into()]))
    .await;
    for key in search_keys(name, kind) {
        exec(db, sql("INSERT INTO search_key (customer_id, key) VALUES ($1, $2)", vec![id.into(), key.into()])).await;
    }
    Planted { id, no, name, mobile, email, vin: None, plate: None, id_number }
}

async fn vehicle(db: &Db, owner: &mut Planted, vin17: &str, plate: &'static str, dealer_id: i64, model_id: i64) {
    let vin = Vin::with_check_digit(vin17).expect("a VIN");
    let t = now();
    let vehicle_id = insert_id(
        db,
        sql("INSERT INTO vehicle (vin, vin_rev, vin_check_ok, model_id, plate, status, sale_date, dealer_id, version, created_at, updated_at) \
         VALUES ($1, $2, TRUE, $3, $4, 'sold', $5, $6, 1, $7, $7)",
        vec![
            vin.clone().into(),
            vin.chars().rev().collect::<String>().into(),
            model_id.into(),
            plate.into(),
            NaiveDate::from_ymd_opt(2024, 5, 1).into(),
            dealer_id.into(),
            t.into(),
        ]))
    .await;
    exec(
        db,
        sql("INSERT INTO ownership (vehicle_id, customer_id, role, from_date, created_at) VALUES ($1, $2, 'owner', $3, $4)",
        vec![vehicle_id.into(), owner.id.into(), NaiveDate::from_ymd_opt(2024, 5, 1).into(), t.into()]))
    .await;
    owner.vin = Some(vin);
    owner.plate = Some(plate);
}

async fn event(db: &Db, customer_id: i64, minutes_ago: i64, kind: &str, title: &str, due: Option<NaiveDate>, done: bool) {
    let at = now() - Duration::minutes(minutes_ago);
    exec(
        db,
        sql("INSERT INTO timeline_event (customer_id, at, kind, title, actor_name, due_date, done_at) VALUES ($1, $2, $3, $4, '王经理', $5, $6)",
        vec![customer_id.into(), at.into(), kind.into(), title.into(), due.into(), done.then_some(at).into()]))
    .await;
}

/// Plants the customers into the server's database.
pub async fn plant(s: &TestServer) -> SearchData {
    let db = s.db();
    let (a, b) = (s.org.dealer_a, s.org.dealer_b);
    let t = now();
    let model_id = insert_id(
        db,
        sql("INSERT INTO vehicle_model (code, brand, series, model, active, version, created_at, updated_at) \
         VALUES ('T-YF15', '东岳', '岳风', '1.5T', TRUE, 1, $1, $1)",
        vec![t.into()]))
    .await;
    let consultant_a = s.org.id(SHA01_CONSULTANT);
    let consultant_b = s.org.id(GZB01_CONSULTANT);

    let mut zhang = customer(
        db,
        CustomerKind::Person,
        "张三",
        "13812345678",
        Some("zhang.san@example.com"),
        Some(valid_id_number("11010519900101123")),
        "上海",
        a,
        consultant_a,
    )
    .await;
    vehicle(db, &mut zhang, "LDYA1B2C0N2012345", "沪A12345", a, model_id).await;
    let company =
        customer(db, CustomerKind::Enterprise, "上海东岳物流有限公司", "13900001111", None, None, "上海", a, consultant_a).await;
    let mut li = customer(
        db,
        CustomerKind::Person,
        "李四",
        "13712345678",
        Some("li.si@example.com"),
        Some(valid_id_number("44010619850505432")),
        "广州",
        b,
        consultant_b,
    )
    .await;
    vehicle(db, &mut li, "LDYS2C3D0P7654321", "粤B54321", b, model_id).await;

    // 张三's history: 6 entries (the screen-pop shows the newest 5), one open and
    // one kept commitment.
    event(db, zhang.id, 600, "created", "客户建档", None, false).await;
    event(db, zhang.id, 500, "note", "询问保养价格", None, false).await;
    event(db, zhang.id, 400, "commitment", "承诺首次保养免费", NaiveDate::from_ymd_opt(2030, 1, 31), false).await;
    event(db, zhang.id, 300, "commitment", "承诺赠送脚垫", NaiveDate::from_ymd_opt(2024, 6, 1), true).await;
    event(db, zhang.id, 200, "note", "回访满意", None, false).await;
    event(db, zhang.id, 100, "note", "预约下周保养", None, false).await;
    event(db, li.id, 50, "note", "李四的备注", None, false).await;
    for (channel, granted, minutes) in [("sms", true, 600), ("sms", false, 60), ("phone", true, 600)] {
        exec(
            db,
            sql("INSERT INTO consent (customer_id, channel, purpose, granted, source, at) VALUES ($1, $2, 'marketing', $3, 'store', $4)",
            vec![zhang.id.into(), channel.into(), granted.into(), (t - Duration::minutes(minutes)).into()]))
        .await;
    }
    SearchData { zhang, company, li }
}
