//! Customers for the vehicle tests, written straight into the database (the
//! customers capability has its own tests): each linked to one dealer only.

use autocrm_domain::customers::CustomerKind;
use autocrm_store::customers::customer_no;
use autocrm_store::db::sql;
use autocrm_store::{Db, now};

/// A person known to `dealer_id` only (bought there, looked after by the staff
/// member `owner`), with mobile `mobile`; returns (id, customer number).
pub async fn customer_at(db: &Db, name: &str, mobile: &str, dealer_id: i64, owner: i64) -> (i64, String) {
    let t = now();
    let mut tx = db.begin().await.expect("begin");
    let id = tx
        .insert_returning_id(sql(
            "INSERT INTO customer (customer_no, kind, name, name_pinyin, name_initials, mobile, status, origin_dealer_id, \
             version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, 1, $8, $8)",
            vec![
                format!("pending-{mobile}").into(),
                CustomerKind::Person.as_str().into(),
                name.into(),
                autocrm_domain::customers::pinyin_full(name).into(),
                autocrm_domain::customers::pinyin_initials(name).into(),
                mobile.into(),
                dealer_id.into(),
                t.into(),
            ],
        ))
        .await
        .expect("a customer");
    let no = customer_no(id);
    tx.execute(sql("UPDATE customer SET customer_no = $1 WHERE id = $2", vec![no.clone().into(), id.into()])).await.expect("number");
    tx.execute(sql(
        "INSERT INTO contact_point (customer_id, kind, value, tail4, is_primary, verified, created_at) VALUES ($1, 'mobile', $2, $3, TRUE, TRUE, $4)",
        vec![id.into(), mobile.into(), mobile[7..].to_string().into(), t.into()],
    ))
    .await
    .expect("a mobile");
    tx.execute(sql(
        "INSERT INTO customer_dealer (customer_id, dealer_id, kind, owner_user_id, since) VALUES ($1, $2, 'bought', $3, $4)",
        vec![id.into(), dealer_id.into(), owner.into(), t.into()],
    ))
    .await
    .expect("a dealer link");
    tx.commit().await.expect("commit");
    (id, no)
}

/// A catalog model and a vehicle in `dealer_id`'s stock, through the store (for
/// tests that need any vehicle, e.g. the permission matrix's `{id}`s): (model id,
/// vehicle id).
pub async fn model_and_stock_vehicle(db: &Db, dealer_id: i64, serial: u32) -> (i64, i64) {
    use autocrm_store::auth::Actor;
    use autocrm_store::vehicles::{ModelInput, VehicleInput, models, vehicle};
    let system = Actor::system();
    let model = models::create(
        db,
        &system,
        &ModelInput {
            code: format!("DY-TEST-{serial}"),
            brand: "东岳".into(),
            series: "岳途".into(),
            model: "1.5T 两驱".into(),
            trim: Some("舒适版".into()),
            first_service_km: Some(5000),
            service_interval_km: Some(10000),
            active: true,
        },
    )
    .await
    .expect("a model");
    let vin = autocrm_domain::vehicles::Vin::with_check_digit(&format!("LDYC15S30RS{serial:06}")).expect("a VIN");
    let input = VehicleInput { vin, model_id: Some(model.id), dealer_id: Some(dealer_id), ..Default::default() };
    let v = vehicle::create(db, &system, input.validate().expect("a valid vehicle")).await.expect("a vehicle");
    (model.id, v.id)
}
