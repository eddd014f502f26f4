//! Demo vehicles for `autocrm demo`: the 东岳汽车 model catalog and about 1.2
//! vehicles per demo customer — sold by the customer's dealer over the last six
//! years, with plates of the dealer's province, odometer readings, a three-year
//! warranty, and some used cars that changed hands — plus a few cars in each
//! dealer's stock.

use autocrm_domain::vehicles::Vin;
use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::models::VehicleModel;
use super::vehicle::{DEFAULT_WARRANTY_YEARS, Vehicle, plus_years};
use crate::auth::Actor;
use crate::customers::timeline::{self, NewEvent};
use crate::db::sql;
use crate::record;
use crate::{StoreError, Tx, now};

/// (code, series, model, trim, VDS (positions 4–8), electric)
#[rustfmt::skip]
const MODELS: [(&str, &str, &str, &str, &str, bool); 10] = [
    ("DY-YF-15T-SS", "岳风", "1.5T 自动", "舒适版", "A15C1", false),
    ("DY-YF-15T-HH", "岳风", "1.5T 自动", "豪华版", "A15H1", false),
    ("DY-YY-20T-JY", "岳影", "2.0T 8AT", "精英版", "B20J2", false),
    ("DY-YY-20T-QJ", "岳影", "2.0T 8AT", "旗舰版", "B20F2", false),
    ("DY-YT-15T-SS", "岳途", "1.5T 两驱", "舒适版", "C15S3", false),
    ("DY-YT-15T-4H", "岳途", "1.5T 四驱", "豪华版", "C15H4", false),
    ("DY-YFG-20T-ZX", "岳峰", "2.0T 四驱 7座", "尊享版", "D20Z4", false),
    ("DY-E5-400-BZ", "岳电E5", "纯电 400km", "标准续航版", "E40B5", true),
    ("DY-E5-520-CX", "岳电E5", "纯电 520km", "长续航版", "E52C5", true),
    ("DY-YX-15T-SW", "岳行", "1.5T 7座 MPV", "商务版", "F15W6", false),
];

const BRAND: &str = "东岳";
const COLORS: [&str; 7] = ["珍珠白", "曜石黑", "星空灰", "极光银", "宝石蓝", "中国红", "翡翠绿"];

/// The plate prefix (province abbreviation and city letter) of a dealer's city.
pub fn plate_prefix(province: &str, city: &str) -> (char, char) {
    match (province, city) {
        ("上海", _) => ('沪', 'A'),
        ("江苏", "苏州") => ('苏', 'E'),
        ("江苏", "南京") => ('苏', 'A'),
        ("江苏", _) => ('苏', 'B'),
        ("浙江", "杭州") => ('浙', 'A'),
        ("浙江", _) => ('浙', 'B'),
        ("广东", "广州") => ('粤', 'A'),
        ("广东", "深圳") => ('粤', 'B'),
        ("广东", "佛山") => ('粤', 'E'),
        ("广东", _) => ('粤', 'S'),
        ("北京", _) => ('京', 'N'),
        ("天津", _) => ('津', 'A'),
        ("四川", _) => ('川', 'A'),
        ("重庆", _) => ('渝', 'A'),
        ("河北", _) => ('冀', 'A'),
        ("山东", _) => ('鲁', 'A'),
        ("湖北", _) => ('鄂', 'A'),
        ("湖南", _) => ('湘', 'A'),
        ("福建", _) => ('闽', 'A'),
        ("河南", _) => ('豫', 'A'),
        ("安徽", _) => ('皖', 'A'),
        ("陕西", _) => ('陕', 'A'),
        _ => ('沪', 'A'),
    }
}

/// A small deterministic generator (the demo must be the same every time).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Plate letters and digits (no I or O).
const PLATE_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// A plate of the dealer's city: `沪A5K821`, or a green new-energy plate `沪AD52816`.
fn plate(r: &mut Rng, prefix: (char, char), electric: bool) -> String {
    let mut s = format!("{}{}", prefix.0, prefix.1);
    if electric {
        s.push(if r.below(2) == 0 { 'D' } else { 'F' });
        for _ in 0..5 {
            s.push(char::from(b'0' + r.below(10) as u8));
        }
    } else {
        for i in 0..5 {
            // Mostly digits, now and then a letter, as real plates are.
            let c = if i > 0 && r.below(4) == 0 { PLATE_CHARS[10 + r.below(24) as usize] } else { b'0' + r.below(10) as u8 };
            s.push(char::from(c));
        }
    }
    s
}

/// The model-year code (VIN position 10) of a year from 2010.
fn year_code(year: i32) -> char {
    const CODES: &[u8] = b"ABCDEFGHJKLMNPRSTVWXY";
    CODES[((year - 2010).rem_euclid(30) as usize).min(CODES.len() - 1)] as char
}

/// A valid `LDY…` VIN for model `vds`, built in `year`, serial `n`.
pub fn demo_vin(vds: &str, year: i32, n: u64) -> String {
    let raw = format!("LDY{vds}0{}S{:06}", year_code(year), n % 1_000_000);
    Vin::with_check_digit(&raw).unwrap_or(raw)
}

async fn catalog(tx: &mut Tx, actor: &Actor) -> Result<Vec<(i64, &'static str, bool)>, StoreError> {
    let mut out = Vec::new();
    for (code, series, model, trim, vds, electric) in MODELS {
        let existing: Option<(i64,)> = tx.fetch_optional(sql("SELECT id FROM vehicle_model WHERE code = $1", vec![code.into()])).await?;
        let id = match existing {
            Some((id,)) => id,
            None => {
                let t = now();
                let m = VehicleModel {
                    id: 0,
                    code: code.into(),
                    brand: BRAND.into(),
                    series: series.into(),
                    model: model.into(),
                    trim: Some(trim.into()),
                    first_service_km: Some(if electric { 10_000 } else { 5_000 }),
                    service_interval_km: Some(if electric { 20_000 } else { 10_000 }),
                    active: true,
                    version: 0,
                    created_at: t,
                    updated_at: t,
                };
                record::insert_in(tx, actor, &m).await?
            }
        };
        out.push((id, vds, electric));
    }
    Ok(out)
}

fn at(date: NaiveDate, hour: u32) -> DateTime<Utc> {
    // Daytime in China (UTC+8).
    date.and_hms_opt(hour.saturating_sub(8).min(15), 30, 0).map(|t| t.and_utc()).unwrap_or_else(now)
}

struct Spec {
    model: (i64, &'static str, bool),
    dealer: i64,
    prefix: (char, char),
    status: &'static str,
    sale: Option<NaiveDate>,
    serial: u64,
}

async fn insert_vehicle(tx: &mut Tx, actor: &Actor, r: &mut Rng, s: &Spec) -> Result<(i64, String), StoreError> {
    let year = s.sale.map_or(2026, |d| d.format("%Y").to_string().parse().unwrap_or(2026));
    let vin = demo_vin(s.model.1, year, s.serial);
    let t = now();
    let plate = s.sale.map(|_| plate(r, s.prefix, s.model.2));
    let v = Vehicle {
        id: 0,
        vin_rev: vin.chars().rev().collect(),
        vin: vin.clone(),
        vin_check_ok: true,
        engine_no: (!s.model.2).then(|| format!("DY{}{:07}", &s.model.1[1..3], 3_000_000 + s.serial)),
        production_no: Some(format!("P{year}{:06}", s.serial)),
        model_id: Some(s.model.0),
        color: Some(COLORS[r.below(COLORS.len() as u64) as usize].into()),
        plate,
        status: s.status.into(),
        sale_date: s.sale,
        warranty_end: s.sale.map(|d| plus_years(d, DEFAULT_WARRANTY_YEARS)),
        mileage_km: None,
        dealer_id: Some(s.dealer),
        version: 0,
        created_at: t,
        updated_at: t,
    };
    let id = record::insert_in(tx, actor, &v).await?;
    Ok((id, super::title_of(tx, &Vehicle { id, ..v }).await?))
}

/// Readings from the sale to today, about every half year, ~12–20 thousand km a
/// year; returns the last km.
async fn readings(tx: &mut Tx, r: &mut Rng, vehicle: i64, sale: NaiveDate, today: NaiveDate) -> Result<i64, StoreError> {
    let per_day = 30 + r.below(25) as i64; // km per day
    let mut day = sale;
    let mut km = 5 + r.below(40) as i64;
    super::readings::insert_row(tx, vehicle, km, at(day, 10), "sale").await?;
    loop {
        let step = 150 + r.below(120) as i64;
        day += Duration::days(step);
        if day >= today {
            break;
        }
        km += per_day * step + r.below(500) as i64;
        super::readings::insert_row(tx, vehicle, km, at(day, 9 + r.below(8) as u32), "service").await?;
    }
    tx.execute(sql("UPDATE vehicle SET mileage_km = $1 WHERE id = $2", vec![km.into(), vehicle.into()])).await?;
    Ok(km)
}

#[allow(clippy::too_many_arguments)]
async fn own(
    tx: &mut Tx,
    actor: &Actor,
    vehicle: i64,
    customer: i64,
    dealer: i64,
    from: NaiveDate,
    to: Option<NaiveDate>,
    kind: &str,
    title: &str,
) -> Result<(), StoreError> {
    tx.execute(sql(
        "INSERT INTO ownership (vehicle_id, customer_id, role, from_date, to_date, created_at) VALUES ($1, $2, 'owner', $3, $4, $5)",
        vec![vehicle.into(), customer.into(), from.into(), to.into(), at(from, 11).into()],
    ))
    .await?;
    let ev = NewEvent {
        customer_id: customer,
        kind,
        title: title.to_string(),
        body: Some(from.to_string()),
        dealer_id: Some(dealer),
        reference: Some(("vehicle", vehicle)),
        due_date: None,
    };
    let id = timeline::add_returning_id(tx, actor, ev).await?;
    tx.execute(sql("UPDATE timeline_event SET at = $1 WHERE id = $2", vec![at(from, 11).into(), id.into()])).await?;
    if let Some(to) = to {
        let ev = NewEvent {
            customer_id: customer,
            kind: "vehicle_handed_over",
            title: title.to_string(),
            body: Some(to.to_string()),
            dealer_id: Some(dealer),
            reference: Some(("vehicle", vehicle)),
            due_date: None,
        };
        let id = timeline::add_returning_id(tx, actor, ev).await?;
        tx.execute(sql("UPDATE timeline_event SET at = $1 WHERE id = $2", vec![at(to, 15).into(), id.into()])).await?;
    }
    Ok(())
}

/// Loads the model catalog and vehicles for `customers` — (customer id, the dealer
/// that sold to them) — inside the demo's transaction; returns how many vehicles it
/// created. Deterministic: the same customers get the same vehicles (sale dates
/// are relative to today). Every dealer named also gets a few cars in stock and
/// one in transit.
pub async fn load(tx: &mut Tx, customers: &[(i64, i64)]) -> Result<usize, StoreError> {
    let actor = Actor::system();
    let models = catalog(tx, &actor).await?;
    let dealers: Vec<(i64, String, String)> = tx.fetch_all(sql("SELECT id, province, city FROM dealer", vec![])).await?;
    let prefix_of = |d: i64| {
        dealers.iter().find(|x| x.0 == d).map_or(('沪', 'A'), |x| plate_prefix(&x.1, &x.2))
    };
    let today = now().date_naive();
    let mut r = Rng(20_261_125);
    let mut serial = 0u64;
    let mut created = 0usize;
    for (i, &(customer, dealer)) in customers.iter().enumerate() {
        let count = if i % 5 == 2 { 2 } else { 1 };
        for k in 0..count {
            serial += 1;
            let model = models[r.below(models.len() as u64) as usize];
            let age_days = 20 + r.below(6 * 365 - 20) as i64;
            let sale = today - Duration::days(age_days);
            let spec = Spec { model, dealer, prefix: prefix_of(dealer), status: "sold", sale: Some(sale), serial };
            let (vehicle, title) = insert_vehicle(tx, &actor, &mut r, &spec).await?;
            readings(tx, &mut r, vehicle, sale, today).await?;
            created += 1;
            // Every seventh car is a used one: first sold to another demo customer
            // of the same dealer, who passed it on to this one.
            let previous = (i % 7 == 3 && k == 0 && age_days > 400 && customers.len() > 1)
                .then(|| customers.iter().cycle().skip(i + 1).take(customers.len()).find(|c| c.1 == dealer && c.0 != customer))
                .flatten();
            match previous {
                Some(&(first_owner, _)) => {
                    let handover = sale + Duration::days(200 + r.below((age_days - 220).max(1) as u64) as i64);
                    own(tx, &actor, vehicle, first_owner, dealer, sale, Some(handover), "vehicle_sold", &title).await?;
                    own(tx, &actor, vehicle, customer, dealer, handover, None, "vehicle_transferred", &title).await?;
                }
                None => own(tx, &actor, vehicle, customer, dealer, sale, None, "vehicle_sold", &title).await?,
            }
        }
    }
    // Stock: two cars at each dealer that sold to a demo customer, one on its way.
    let mut stock_dealers: Vec<i64> = customers.iter().map(|c| c.1).collect();
    stock_dealers.sort_unstable();
    stock_dealers.dedup();
    for dealer in stock_dealers {
        for status in ["in_dealer_stock", "in_dealer_stock", "in_transit"] {
            serial += 1;
            let model = models[r.below(models.len() as u64) as usize];
            let spec = Spec { model, dealer, prefix: prefix_of(dealer), status, sale: None, serial };
            insert_vehicle(tx, &actor, &mut r, &spec).await?;
            created += 1;
        }
    }
    Ok(created)
}

#[cfg(test)]
mod tests {
    use autocrm_domain::vehicles::{Plate, Vin};

    use super::*;

    #[test]
    fn demo_vins_and_plates_are_valid() {
        for (_, _, _, _, vds, electric) in MODELS {
            for year in 2019..=2026 {
                let vin = demo_vin(vds, year, 123_456);
                let p = Vin::parse(&vin).unwrap_or_else(|e| panic!("{vin}: {}", e.message));
                assert!(p.check_ok, "{vin}");
                assert!(vin.starts_with('L'));
            }
            let mut r = Rng(7);
            for _ in 0..200 {
                let p = plate(&mut r, plate_prefix("上海", "上海"), electric);
                let parsed = Plate::parse(&p).unwrap_or_else(|e| panic!("{p}: {}", e.message));
                assert_eq!(parsed.is_new_energy(), electric, "{p}");
                assert_eq!(parsed.province(), '沪');
            }
        }
    }

    #[test]
    fn plates_match_the_dealer_province() {
        assert_eq!(plate_prefix("广东", "深圳"), ('粤', 'B'));
        assert_eq!(plate_prefix("上海", "上海"), ('沪', 'A'));
        assert_eq!(plate_prefix("四川", "成都").0, '川');
    }
}
