//! Customers at automaker scale: persons (and ~3 % organizations) with their
//! contact points, consents, dealer links (owned by a consultant of the dealer),
//! search keys and a first timeline entry; ~1.2 vehicles each with valid VINs and
//! plates and their ownership; ~1 % near-duplicates (same name and address as the
//! customer before them, another mobile) queued for identity review.
//!
//! Every value is a pure function of the customer's number `i` (1-based), so each
//! table's rows are generated lazily and independently. Customer `i`'s mobile is
//! the limits kit's `13000000000 + (i * 7919) mod 7000000000`, so
//! `limits load --phones-from-seed N` only asks for numbers that exist.

use std::sync::Arc;

use autocrm_domain::access::Role;
use autocrm_domain::customers::{CustomerKind, id_check_char, pinyin_full, pinyin_initials};
use autocrm_domain::identity::Reason;
use autocrm_domain::vehicles::Vin;
use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_query::Value;

use super::names::{CITIES, City, DISTRICTS, GIVEN_ONE, GIVEN_TWO, GROUP_WORDS, ROADS, SURNAMES};
use super::rng::{Rng, cumulative};
use super::{Load, Rows, Step, World, id, opt_id, opt_text, text};

pub(crate) const STEP: Step = Step { name: "customers", tables: &["customer", "vehicle", "vehicle_model", "lead"], plan };

/// The limits kit's mobile of customer `i` (1-based).
pub(crate) fn mobile(i: u64) -> String {
    (13_000_000_000u64 + (i * 7919) % 7_000_000_000).to_string()
}

const CUSTOMER_COLUMNS: &[&str] = &[
    "id", "customer_no", "kind", "name", "name_pinyin", "name_initials", "gender", "birthday", "occupation", "id_number",
    "uscc", "mobile", "email", "province", "city", "district", "address", "tags", "status", "merged_into",
    "origin_dealer_id", "version", "created_at", "updated_at",
];
const CONTACT_COLUMNS: &[&str] = &[
    "customer_id", "kind", "value", "tail4", "label", "is_primary", "verified", "province", "city", "district", "created_at",
];
const CONSENT_COLUMNS: &[&str] = &["customer_id", "channel", "purpose", "granted", "source", "text_version", "at", "actor_id"];
const LINK_COLUMNS: &[&str] = &["customer_id", "dealer_id", "kind", "owner_user_id", "since"];
const KEY_COLUMNS: &[&str] = &["customer_id", "key"];
const TIMELINE_COLUMNS: &[&str] = &[
    "customer_id", "at", "kind", "title", "body", "actor_id", "actor_name", "dealer_id", "ref_entity", "ref_id", "due_date",
    "done_at",
];
const MODEL_COLUMNS: &[&str] = &[
    "id", "code", "brand", "series", "model", "trim", "first_service_km", "service_interval_km", "active", "version",
    "created_at", "updated_at",
];
const VEHICLE_COLUMNS: &[&str] = &[
    "id", "vin", "vin_rev", "vin_check_ok", "engine_no", "production_no", "model_id", "color", "plate", "status",
    "sale_date", "warranty_end", "mileage_km", "dealer_id", "version", "created_at", "updated_at",
];
const OWNERSHIP_COLUMNS: &[&str] = &["vehicle_id", "customer_id", "role", "from_date", "to_date", "created_at"];
const REVIEW_COLUMNS: &[&str] = &["customer_a", "customer_b", "score", "reasons", "status", "created_at"];

/// The catalog written when the database has no models yet (code, series, model, trim, VDS).
const MODELS: &[(&str, &str, &str, &str, &str)] = &[
    ("DY-YF15T", "岳风", "1.5T", "舒适版", "A1B2C"),
    ("DY-YF20T", "岳风", "2.0T", "豪华版", "A1B4C"),
    ("DY-TS15T", "泰山", "1.5T", "精英版", "S2C3D"),
    ("DY-TS20H", "泰山", "2.0T 混动", "旗舰版", "S2C5H"),
    ("DY-XY-EV", "星岳", "EV 520", "长续航版", "E3D1E"),
    ("DY-XY-PH", "星岳", "PHEV", "尊享版", "E3D2P"),
];
const COLORS: &[&str] = &["白色", "黑色", "银色", "灰色", "蓝色", "红色"];
const ORG_SUFFIXES: &[&str] = &["物流有限公司", "汽车租赁有限公司", "商贸有限公司", "科技有限公司", "建设工程有限公司"];
const GOV_SUFFIXES: &[&str] = &["市交通运输局", "市公安局", "市人民医院", "市环境卫生管理处", "市第一中学"];
const ID_AREAS: &[&str] = &["110105", "310104", "440106", "330106", "510107", "420106", "320106", "370102"];
const YEAR_CODES: &[char] = &['F', 'G', 'H', 'J', 'K', 'L', 'M', 'N', 'P', 'R']; // 2015–2024
const PLANTS: &[u8] = b"ABCDEFGHJK";
const PLATE_LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";

/// What every table's generator shares.
pub(super) struct Ctx {
    pub(super) seed: u64,
    pub(super) n: u64,
    pub(super) first_customer: i64,
    pub(super) first_vehicle: i64,
    pub(super) now: DateTime<Utc>,
    /// Dealer id and the consultants who own its customers.
    pub(super) dealers: Vec<(i64, Vec<i64>)>,
    pub(super) dealer_weights: Vec<u64>,
    pub(super) city_weights: Vec<u64>,
    /// Model id and its VDS (VIN positions 4–8).
    pub(super) models: Vec<(i64, &'static str)>,
}

/// A SplitMix64 stream for one customer and one purpose.
pub(super) fn rng(ctx: &Ctx, i: u64, salt: u64) -> Rng {
    Rng::for_step(ctx.seed ^ i.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ salt.wrapping_mul(0xd1b5_4a32_d192_ed03), "c")
}

struct Person {
    kind: CustomerKind,
    name: String,
    city: &'static City,
    district: &'static str,
    address: String,
}

/// Name and address of customer `i`; every 100th repeats the one before it (a
/// near-duplicate: same name, same address, another mobile).
fn person(ctx: &Ctx, i: u64) -> Person {
    let src = if i.is_multiple_of(100) && i > 1 { i - 1 } else { i };
    let mut r = rng(ctx, src, 1);
    let k = r.below(100);
    let kind = match k {
        0 | 1 => CustomerKind::Enterprise,
        2 => CustomerKind::Government,
        _ => CustomerKind::Person,
    };
    let city = &CITIES[r.weighted(&ctx.city_weights)];
    let name = match kind {
        CustomerKind::Person => {
            let s = r.pick_skewed(SURNAMES).0;
            let g = if r.chance(65) { r.pick(GIVEN_TWO).0 } else { r.pick(GIVEN_ONE).0 };
            format!("{s}{g}")
        }
        CustomerKind::Enterprise => format!("{}{}{}", city.name, r.pick(GROUP_WORDS), r.pick(ORG_SUFFIXES)),
        CustomerKind::Government => format!("{}{}", city.name, r.pick(GOV_SUFFIXES)),
    };
    let district = *r.pick(DISTRICTS);
    let address = format!("{}{}号", r.pick(ROADS), r.range(1, 999));
    Person { kind, name, city, district, address }
}

/// The dealer (index into `ctx.dealers`) and owning consultant of customer `i`.
pub(super) fn dealer_of(ctx: &Ctx, i: u64) -> (i64, Option<i64>) {
    let mut r = rng(ctx, i, 2);
    let (dealer, consultants) = &ctx.dealers[r.weighted(&ctx.dealer_weights)];
    let owner = (!consultants.is_empty()).then(|| *r.pick(consultants));
    (*dealer, owner)
}

pub(super) fn customer_id(ctx: &Ctx, i: u64) -> i64 {
    ctx.first_customer + i as i64 - 1
}

/// Vehicles of customer `i`: one, and a second for every fifth customer.
fn vehicles_of(i: u64) -> u64 {
    1 + u64::from(i.is_multiple_of(5))
}

/// Index (0-based) of customer `i`'s first vehicle.
fn first_vehicle_index(i: u64) -> u64 {
    (i - 1) + (i - 1) / 5
}

fn vin(ctx: &Ctx, j: u64, year: usize, model: usize) -> String {
    let vds = ctx.models[model].1;
    let raw = format!(
        "LDY{vds}0{}{}{:06}",
        YEAR_CODES[year],
        PLANTS[(j / 1_000_000 % PLANTS.len() as u64) as usize] as char,
        j % 1_000_000
    );
    Vin::with_check_digit(&raw).expect("seed VINs are 17 VIN characters")
}

fn plate(province: &str, j: u64) -> String {
    let letter = PLATE_LETTERS[(j / 100_000 % PLATE_LETTERS.len() as u64) as usize] as char;
    format!("{}{letter}{:05}", plate_province(province), j % 100_000)
}

fn plate_province(province: &str) -> char {
    match province {
        "北京" => '京',
        "天津" => '津',
        "河北" => '冀',
        "山西" => '晋',
        "内蒙古" => '蒙',
        "辽宁" => '辽',
        "吉林" => '吉',
        "黑龙江" => '黑',
        "上海" => '沪',
        "江苏" => '苏',
        "浙江" => '浙',
        "安徽" => '皖',
        "福建" => '闽',
        "江西" => '赣',
        "山东" => '鲁',
        "河南" => '豫',
        "湖北" => '鄂',
        "湖南" => '湘',
        "广东" => '粤',
        "广西" => '桂',
        "海南" => '琼',
        "重庆" => '渝',
        "四川" => '川',
        "贵州" => '贵',
        "云南" => '云',
        "西藏" => '藏',
        "陕西" => '陕',
        "甘肃" => '甘',
        "青海" => '青',
        "宁夏" => '宁',
        "新疆" => '新',
        _ => '京',
    }
}

fn date(v: NaiveDate) -> Value {
    Value::from(v)
}

pub(super) fn ts(v: DateTime<Utc>) -> Value {
    Value::from(v)
}

pub(super) fn flag(b: bool) -> Value {
    Value::Bool(Some(b))
}

pub(super) fn int(v: i64) -> Value {
    Value::BigInt(Some(v))
}

/// Lazily maps customer numbers `1..=n` to rows.
pub(super) fn rows<F, I>(ctx: &Arc<Ctx>, f: F) -> Rows
where
    F: Fn(&Ctx, u64) -> I + Send + 'static,
    I: IntoIterator<Item = Vec<Value>> + 'static,
    I::IntoIter: Send,
{
    let ctx = ctx.clone();
    let n = ctx.n;
    Box::new((1..=n).flat_map(move |i| f(&ctx, i)))
}

pub(super) fn load(table: &'static str, columns: &'static [&'static str], total: u64, rows: Rows) -> Load {
    Load { table, columns, total, rows }
}

fn plan(world: &mut World, _rng: &mut Rng) -> Vec<Load> {
    let n = world.customers;
    if n == 0 || world.dealers.is_empty() {
        return Vec::new();
    }
    let mut loads = Vec::new();

    // The catalog: reuse the models on file, else write a small one.
    let existing_models = world.next_id("vehicle_model") - 1;
    let models: Vec<(i64, &'static str)> = if existing_models > 0 {
        (1..=existing_models).map(|m| (m, MODELS[(m as usize - 1) % MODELS.len()].4)).collect()
    } else {
        let first = existing_models + 1;
        let t = ts(world.now);
        let model_rows: Vec<Vec<Value>> = MODELS
            .iter()
            .enumerate()
            .map(|(k, (code, series, model, trim, _))| {
                vec![
                    id(first + k as i64),
                    text(*code),
                    text(super::names::BRAND),
                    text(*series),
                    text(*model),
                    text(*trim),
                    int(5_000),
                    int(10_000),
                    flag(true),
                    int(1),
                    t.clone(),
                    t.clone(),
                ]
            })
            .collect();
        for _ in 1..MODELS.len() {
            world.next_id("vehicle_model");
        }
        loads.push(load("vehicle_model", MODEL_COLUMNS, model_rows.len() as u64, Box::new(model_rows.into_iter())));
        MODELS.iter().enumerate().map(|(k, m)| (first + k as i64, m.4)).collect()
    };

    let first_customer = world.next_id("customer");
    for _ in 1..n {
        world.next_id("customer");
    }
    let total_vehicles = first_vehicle_index(n) + vehicles_of(n);
    let first_vehicle = world.next_id("vehicle");
    for _ in 1..total_vehicles {
        world.next_id("vehicle");
    }
    let dealers: Vec<(i64, Vec<i64>)> = world
        .dealers
        .iter()
        .map(|d| {
            let consultants = world
                .users
                .iter()
                .filter(|u| u.dealer_id == Some(d.id) && u.role == Role::SalesConsultant)
                .map(|u| u.id)
                .collect();
            (d.id, consultants)
        })
        .collect();
    let dealer_weights = cumulative(world.dealers.iter().map(|d| match d.level {
        "A" => 4,
        "B" => 3,
        "C" => 2,
        _ => 1,
    }));
    let ctx = Arc::new(Ctx {
        seed: world.seed,
        n,
        first_customer,
        first_vehicle,
        now: world.now,
        dealers,
        dealer_weights,
        city_weights: cumulative(CITIES.iter().map(|c| c.weight)),
        models,
    });

    loads.push(load("customer", CUSTOMER_COLUMNS, n, rows(&ctx, |ctx, i| Some(customer_row(ctx, i)))));
    loads.push(load("contact_point", CONTACT_COLUMNS, n + n / 10 + n / 5, rows(&ctx, contact_rows)));
    loads.push(load("consent", CONSENT_COLUMNS, n + n / 5, rows(&ctx, consent_rows)));
    loads.push(load(
        "customer_dealer",
        LINK_COLUMNS,
        n,
        rows(&ctx, |ctx, i| {
            let (dealer, owner) = dealer_of(ctx, i);
            let kind = if person_has_vehicle(i) { "bought" } else { "lead" };
            Some(vec![int(customer_id(ctx, i)), int(dealer), text(kind), opt_id(owner), ts(ctx.now)])
        }),
    ));
    loads.push(load(
        "search_key",
        KEY_COLUMNS,
        n * 14 / 5,
        rows(&ctx, |ctx, i| {
            let p = person(ctx, i);
            let c = customer_id(ctx, i);
            crate::customers::search_keys(&p.name, p.kind).into_iter().map(move |k| vec![int(c), text(k)])
        }),
    ));
    loads.push(load("vehicle", VEHICLE_COLUMNS, total_vehicles, rows(&ctx, vehicle_rows)));
    let first_lead = world.next_id("lead");
    for _ in 1..super::leads::count(n) {
        world.next_id("lead");
    }
    loads.push(super::leads::load_leads(&ctx, first_lead));
    loads.push(load(
        "ownership",
        OWNERSHIP_COLUMNS,
        total_vehicles,
        rows(&ctx, |ctx, i| {
            let c = customer_id(ctx, i);
            (0..vehicles_of(i)).map(move |k| {
                let j = first_vehicle_index(i) + k;
                let (_, _, sale) = vehicle_facts(ctx, j);
                vec![int(ctx.first_vehicle + j as i64), int(c), text("owner"), date(sale), Value::ChronoDate(None), ts(ctx.now)]
            })
            .collect::<Vec<_>>()
        }),
    ));
    loads.push(load("timeline_event", TIMELINE_COLUMNS, n + n / 50, rows(&ctx, timeline_rows)));
    loads.push(load(
        "identity_review",
        REVIEW_COLUMNS,
        n / 100,
        rows(&ctx, |ctx, i| {
            (i.is_multiple_of(100) && i > 1).then(|| {
                // The queue's own format: status `open`, reasons as comma-separated codes.
                let reasons = Reason::SameNameSameAddress.as_str().to_string();
                vec![
                    int(customer_id(ctx, i - 1)),
                    int(customer_id(ctx, i)),
                    int(i64::from(Reason::SameNameSameAddress.weight())),
                    text(reasons),
                    text("open"),
                    ts(ctx.now),
                ]
            })
        }),
    ));
    loads
}

/// Every customer has bought a vehicle here (leads come with a later capability).
fn person_has_vehicle(_i: u64) -> bool {
    true
}

fn customer_row(ctx: &Ctx, i: u64) -> Vec<Value> {
    let p = person(ctx, i);
    let mut r = rng(ctx, i, 3);
    let c = customer_id(ctx, i);
    let (dealer, _) = dealer_of(ctx, i);
    let org = p.kind.is_organization();
    let (gender, birthday, id_number) = if org {
        (None, None, None)
    } else {
        let seq = i % 1000;
        let born = NaiveDate::from_ymd_opt(1960, 1, 1).expect("date") + Days::new((i / 1000 + i % 7 * 2000) % 14_600);
        let gender = if seq % 2 == 1 { "male" } else { "female" };
        let id = r.chance(50).then(|| {
            let first17 = format!("{}{}{seq:03}", ID_AREAS[(i % ID_AREAS.len() as u64) as usize], born.format("%Y%m%d"));
            let check = id_check_char(&first17).expect("17 digits");
            format!("{first17}{check}")
        });
        (Some(gender.to_string()), Some(born), id)
    };
    let email = email_of(&p, i, &mut rng(ctx, i, 4));
    let tags = r.chance(30).then(|| serde_json::json!([*r.pick(&["自驾游", "钓鱼", "摄影", "亲子", "高尔夫"])]).to_string());
    vec![
        id(c),
        text(crate::customers::customer_no(c)),
        text(p.kind.as_str()),
        text(p.name.clone()),
        text(pinyin_full(&p.name)),
        text(pinyin_initials(&p.name)),
        opt_text(gender),
        Value::ChronoDate(birthday),
        Value::String(None),
        opt_text(id_number),
        Value::String(None),
        text(mobile(i)),
        opt_text(email),
        text(p.city.province),
        text(p.city.name),
        text(p.district),
        text(p.address),
        opt_text(tags),
        text("active"),
        Value::BigInt(None),
        id(dealer),
        int(1),
        ts(ctx.now),
        ts(ctx.now),
    ]
}

/// One in five customers gave an e-mail address.
fn email_of(p: &Person, i: u64, r: &mut Rng) -> Option<String> {
    r.chance(20).then(|| {
        if p.kind.is_organization() { format!("office{i}@example.com") } else { format!("{}{i}@example.com", pinyin_full(&p.name)) }
    })
}

fn contact_rows(ctx: &Ctx, i: u64) -> Vec<Vec<Value>> {
    let p = person(ctx, i);
    let c = customer_id(ctx, i);
    let m = mobile(i);
    let tail = m[7..].to_string();
    let place = |v: &mut Vec<Value>| {
        v.extend([text(p.city.province), text(p.city.name), text(p.district), ts(ctx.now)]);
    };
    let mut out = Vec::with_capacity(3);
    let mut row = vec![int(c), text("mobile"), text(m), text(tail), Value::String(None), flag(true), flag(true)];
    place(&mut row);
    out.push(row);
    let mut r = rng(ctx, i, 5);
    if r.chance(10) {
        let local = format!("{}{:07}", r.range(2, 9), r.below(10_000_000));
        let value = format!("{}-{local}", p.city.area_code);
        let mut row = vec![int(c), text("landline"), text(value), Value::String(None), text("home"), flag(true), flag(false)];
        place(&mut row);
        out.push(row);
    }
    if let Some(e) = email_of(&p, i, &mut rng(ctx, i, 4)) {
        let mut row = vec![int(c), text("email"), text(e), Value::String(None), Value::String(None), flag(true), flag(false)];
        place(&mut row);
        out.push(row);
    }
    out
}

fn consent_rows(ctx: &Ctx, i: u64) -> Vec<Vec<Value>> {
    let c = customer_id(ctx, i);
    let mut r = rng(ctx, i, 6);
    let mut out = vec![vec![
        int(c),
        text("sms"),
        text("marketing"),
        flag(r.chance(75)),
        text("seed"),
        text("v1"),
        ts(ctx.now),
        Value::BigInt(None),
    ]];
    if r.chance(20) {
        out.push(vec![
            int(c),
            text("phone"),
            text("marketing"),
            flag(r.chance(60)),
            text("seed"),
            text("v1"),
            ts(ctx.now),
            Value::BigInt(None),
        ]);
    }
    out
}

/// Model index, sale year index and sale date of vehicle `j`.
fn vehicle_facts(ctx: &Ctx, j: u64) -> (usize, usize, NaiveDate) {
    let mut r = rng(ctx, j, 7);
    let model = r.below(ctx.models.len() as u64) as usize;
    let year = r.below(YEAR_CODES.len() as u64) as usize;
    let sale = NaiveDate::from_ymd_opt(2015 + year as i32, 1, 1).expect("date") + Days::new(r.below(360));
    (model, year, sale)
}

fn vehicle_rows(ctx: &Ctx, i: u64) -> Vec<Vec<Value>> {
    let p = person(ctx, i);
    let (dealer, _) = dealer_of(ctx, i);
    (0..vehicles_of(i))
        .map(|k| {
            let j = first_vehicle_index(i) + k;
            let (model, year, sale) = vehicle_facts(ctx, j);
            let v = vin(ctx, j, year, model);
            let mut r = rng(ctx, j, 8);
            let plate = (!r.chance(5)).then(|| plate(p.city.province, j));
            vec![
                int(ctx.first_vehicle + j as i64),
                text(v.clone()),
                text(v.chars().rev().collect::<String>()),
                flag(true),
                text(format!("E{:09}", j)),
                Value::String(None),
                int(ctx.models[model].0),
                text(*r.pick(COLORS)),
                opt_text(plate),
                text("sold"),
                date(sale),
                date(sale + Days::new(3 * 365)),
                int(r.range(1_000, 150_000) as i64),
                int(dealer),
                int(1),
                ts(ctx.now),
                ts(ctx.now),
            ]
        })
        .collect()
}

fn timeline_rows(ctx: &Ctx, i: u64) -> Vec<Vec<Value>> {
    let c = customer_id(ctx, i);
    let (dealer, _) = dealer_of(ctx, i);
    let mut out = vec![vec![
        int(c),
        ts(ctx.now),
        text("created"),
        text("客户建档"),
        Value::String(None),
        Value::BigInt(None),
        text("seed"),
        int(dealer),
        Value::String(None),
        Value::BigInt(None),
        Value::ChronoDate(None),
        Value::ChronoDateTimeUtc(None),
    ]];
    if i.is_multiple_of(50) {
        out.push(vec![
            int(c),
            ts(ctx.now),
            text("commitment"),
            text("承诺首次保养免费"),
            Value::String(None),
            Value::BigInt(None),
            text("seed"),
            int(dealer),
            Value::String(None),
            Value::BigInt(None),
            date(ctx.now.date_naive() + Days::new(30)),
            Value::ChronoDateTimeUtc(None),
        ]);
    }
    out
}

#[cfg(test)]
mod tests {
    use autocrm_domain::customers::{Landline, Mobile};
    use autocrm_domain::vehicles::Plate;

    use super::*;

    fn ctx() -> Ctx {
        Ctx {
            seed: 42,
            n: 1000,
            first_customer: 1,
            first_vehicle: 1,
            now: Utc::now(),
            dealers: vec![(1, vec![10, 11]), (2, vec![])],
            dealer_weights: cumulative([1, 1]),
            city_weights: cumulative(CITIES.iter().map(|c| c.weight)),
            models: MODELS.iter().enumerate().map(|(k, m)| (k as i64 + 1, m.4)).collect(),
        }
    }

    #[test]
    fn mobiles_follow_the_limits_kit_formula() {
        assert_eq!(mobile(1), "13000007919");
        for i in [1, 2, 999_999, 1_000_000] {
            assert!(Mobile::parse(&mobile(i)).is_ok(), "{}", mobile(i));
        }
    }

    #[test]
    fn vins_and_plates_are_valid_and_unique() {
        let ctx = ctx();
        let mut vins = std::collections::HashSet::new();
        let mut plates = std::collections::HashSet::new();
        for j in (0..1_200_000).step_by(997) {
            let (model, year, _) = vehicle_facts(&ctx, j);
            let v = vin(&ctx, j, year, model);
            assert!(Vin::parse(&v).is_ok_and(|p| p.check_ok), "{v}");
            assert!(vins.insert(v));
            let p = plate("上海", j);
            assert!(Plate::parse(&p).is_ok(), "{p}");
            assert!(plates.insert(p));
        }
    }

    #[test]
    fn every_hundredth_customer_is_a_near_duplicate_of_the_one_before() {
        let ctx = ctx();
        let (a, b) = (person(&ctx, 199), person(&ctx, 200));
        assert_eq!((a.name, a.address), (b.name, b.address));
        assert_ne!(mobile(199), mobile(200));
    }

    #[test]
    fn landlines_and_id_numbers_are_valid() {
        let ctx = ctx();
        for i in 1..=300 {
            for row in contact_rows(&ctx, i) {
                if let (Value::String(Some(kind)), Value::String(Some(v))) = (&row[1], &row[2])
                    && kind == "landline"
                {
                    assert!(Landline::parse(v).is_ok_and(|l| l.as_str() == v), "{v}");
                }
            }
            if let Value::String(Some(idn)) = &customer_row(&ctx, i)[9] {
                assert!(autocrm_domain::customers::IdNumber::parse(idn).is_ok(), "{idn}");
            }
        }
    }
}
