//! Demo customers for `autocrm demo`: about three hundred people and companies
//! around the twelve demo dealers — Chinese names, mobiles, addresses in the
//! dealers' cities, ID numbers and USCCs that pass their checks, consents (and a
//! few opt-outs), dealer links (some customers known to two dealers), notes and
//! commitments on the timeline — plus planted near-duplicates for the identity
//! review queue. Deterministic: the same database every time (dates are relative
//! to today).

use autocrm_domain::customers::{USCC_ALPHABET, id_check_char, uscc_check_char};
use autocrm_domain::access::Role;
use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::create::{NewAddress, NewConsent, NewCustomer, insert_new, link_dealer, validate};
use super::timeline::{self, NewEvent};
use autocrm_domain::customers::{DealerLinkKind, RelationshipKind};
use crate::auth::Actor;
use crate::db::sql;
use crate::{StoreError, Tx, now};

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Where each demo dealer's customers live: (dealer code, customers, telephone
/// area code, ID-card area code, districts).
#[rustfmt::skip]
const AREAS: [(&str, usize, &str, &str, &[&str]); 12] = [
    ("SH001", 84, "021", "310115", &["浦东新区", "徐汇区", "静安区", "杨浦区", "闵行区"]),
    ("SH002", 30, "021", "310112", &["闵行区", "松江区", "长宁区", "普陀区"]),
    ("SUZ001", 18, "0512", "320506", &["工业园区", "姑苏区", "吴中区"]),
    ("HZ001", 18, "0571", "330108", &["滨江区", "西湖区", "上城区"]),
    ("NJ001", 16, "025", "320115", &["江宁区", "鼓楼区", "玄武区"]),
    ("GZ001", 26, "020", "440106", &["天河区", "越秀区", "海珠区"]),
    ("SZ001", 18, "0755", "440304", &["福田区", "南山区", "罗湖区"]),
    ("FS001", 14, "0757", "440605", &["南海区", "禅城区", "顺德区"]),
    ("BJ001", 22, "010", "110105", &["朝阳区", "大兴区", "海淀区"]),
    ("TJ001", 12, "022", "120103", &["河西区", "南开区", "和平区"]),
    ("CD001", 16, "028", "510107", &["武侯区", "高新区", "锦江区"]),
    ("CQ001", 14, "023", "500112", &["渝北区", "江北区", "渝中区"]),
];

const SURNAMES: [&str; 40] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
    "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "潘", "袁", "蒋", "蔡", "单",
];
const GIVEN_MALE: [&str; 30] = [
    "伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "刚", "志强", "建华", "海涛", "俊杰", "浩然", "宇航", "国强",
    "建军", "永刚", "立新", "振华", "德明", "晓东", "鹏飞", "志刚", "建平", "家豪", "宏伟", "海波", "云飞",
];
const GIVEN_FEMALE: [&str; 30] = [
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "婷", "雪", "晓燕", "丽娟", "欣怡", "佳琪", "梦瑶", "春梅", "秀英",
    "桂兰", "红梅", "雪梅", "婷婷", "静怡", "雅婷", "慧敏", "思琪", "丽萍", "美玲", "红霞", "亚楠", "雅琴",
];
const ROADS: [&str; 16] = [
    "人民路", "解放路", "中山路", "建设路", "和平路", "新华路", "文化路", "长江路", "黄河路", "光明路", "幸福路", "迎宾大道",
    "世纪大道", "滨江路", "学府路", "科技路",
];
const MOBILE_PREFIXES: [&str; 20] =
    ["138", "139", "137", "136", "135", "150", "151", "152", "158", "159", "186", "187", "188", "189", "131", "132", "155", "177", "180", "185"];
const MAIL_DOMAINS: [&str; 5] = ["qq.com", "163.com", "126.com", "sina.com", "foxmail.com"];
const OCCUPATIONS: [&str; 11] = ["教师", "工程师", "医生", "公务员", "个体经营", "企业职员", "销售经理", "律师", "会计", "自由职业", "退休"];
const TAGS: [&str; 11] = ["SUV", "新能源", "家用", "商务", "自驾游", "钓鱼", "摄影", "高尔夫", "亲子", "二胎家庭", "换购意向"];
const COMPANY_WORDS: [&str; 8] = ["东岳物流", "宏达建设", "华信科技", "远航租赁", "恒通贸易", "金桥置业", "星辰传媒", "安达运输"];
const NOTES: [&str; 10] = [
    "到店看车，对岳途四驱版很感兴趣",
    "电话回访，计划下月来店试驾",
    "客户询问置换补贴政策，已发资料",
    "试驾岳影2.0T，反馈动力满意，担心油耗",
    "客户表示价格需要再和家人商量",
    "已发送报价单，等待客户回复",
    "首保提醒已电话告知，客户约周六到店",
    "客户推荐同事来店看车",
    "反映上次保养等待时间过长，已致歉并记录",
    "咨询岳电E5续航与家用充电桩安装",
];
const COMMITMENTS: [&str; 6] = [
    "赠送首次保养",
    "赠送全车脚垫和行车记录仪",
    "一周内回复贷款审批结果",
    "交车前完成全车贴膜",
    "安排一次免费上门取送车",
    "免费更换雨刮片",
];

/// The planted near-duplicates, all at SH001 (the last pair also at SH002): the
/// same name at the same address with different mobiles…
const SAME_NAME_SAME_ADDRESS: [(&str, &str, &str); 5] = [
    ("刘建国", "浦东新区", "张杨路500弄12号301室"),
    ("陈秀英", "徐汇区", "漕溪北路88号6栋1502室"),
    ("周晓东", "杨浦区", "国权路39号2单元701室"),
    ("林美玲", "静安区", "延安中路1228弄3号"),
    ("黄志强", "闵行区", "莘庄镇沪闵路6088号9栋402室"),
];
/// …and similar names (same pinyin, or one character apart) sharing a landline.
const SIMILAR_NAME_SAME_LANDLINE: [(&str, &str, &str); 3] = [
    ("张伟", "章伟", "021-58201234"),
    ("王小红", "王晓红", "021-64305678"),
    ("李建华", "李建平", "021-33107788"),
];

struct Place {
    dealer: i64,
    code: &'static str,
    province: String,
    city: String,
    area: &'static str,
    id_area: &'static str,
    districts: &'static [&'static str],
}

struct Staff {
    id: i64,
    username: String,
    display_name: String,
}

fn actor_of(s: Option<&Staff>) -> Actor {
    match s {
        Some(s) => Actor { user_id: s.id, username: s.username.clone(), display_name: s.display_name.clone(), ..Actor::system() },
        None => Actor::system(),
    }
}

struct Gen {
    r: Rng,
    used_mobiles: std::collections::HashSet<String>,
    serial: u64,
}

impl Gen {
    fn mobile(&mut self) -> String {
        loop {
            let m = format!("{}{:08}", self.r.pick(&MOBILE_PREFIXES), self.r.below(100_000_000));
            if self.used_mobiles.insert(m.clone()) {
                return m;
            }
        }
    }
    fn landline(&mut self, area: &str) -> String {
        let first = 2 + self.r.below(7);
        format!("{area}-{first}{:07}", self.r.below(10_000_000))
    }
    fn address(&mut self, p: &Place) -> NewAddress {
        let line = if self.r.chance(50) {
            format!("{}{}号{}栋{}室", self.r.pick(&ROADS), 1 + self.r.below(999), 1 + self.r.below(20), 101 + self.r.below(2400))
        } else {
            format!("{}{}弄{}号", self.r.pick(&ROADS), 1 + self.r.below(800), 1 + self.r.below(60))
        };
        NewAddress {
            province: Some(p.province.clone()),
            city: Some(p.city.clone()),
            district: Some(self.r.pick(p.districts).to_string()),
            line,
            label: Some("家庭".into()),
        }
    }
    fn id_number(&mut self, area: &str, male: bool, today: NaiveDate) -> (String, NaiveDate) {
        let age_days = (22 * 365 + self.r.below(40 * 365)) as i64;
        let birth = today - Duration::days(age_days);
        let seq = self.r.below(500) * 2 + if male { 1 } else { 0 };
        let first17 = format!("{area}{}{seq:03}", birth.format("%Y%m%d"));
        let check = id_check_char(&first17).unwrap_or('0');
        (format!("{first17}{check}"), birth)
    }
    fn uscc(&mut self, authority: &str, area: &str) -> String {
        let alphabet: Vec<char> = USCC_ALPHABET.chars().collect();
        self.serial += 1;
        let mut body = String::new();
        for _ in 0..9 {
            body.push(alphabet[self.r.below(alphabet.len() as u64) as usize]);
        }
        let first17 = format!("{authority}{area}{body}");
        let check = uscc_check_char(&first17).unwrap_or('0');
        format!("{first17}{check}")
    }
    fn person(&mut self, p: &Place, today: NaiveDate) -> NewCustomer {
        let male = self.r.chance(55);
        let given = if male { self.r.pick(&GIVEN_MALE) } else { self.r.pick(&GIVEN_FEMALE) };
        let name = format!("{}{given}", self.r.pick(&SURNAMES));
        let mut n = NewCustomer {
            name: name.clone(),
            gender: Some(if male { "male" } else { "female" }.into()),
            mobiles: vec![self.mobile()],
            addresses: if self.r.chance(70) { vec![self.address(p)] } else { vec![] },
            link_kind: None,
            ..NewCustomer::default()
        };
        if self.r.chance(40) {
            n.id_number = Some(self.id_number(p.id_area, male, today).0);
        } else if self.r.chance(30) {
            let b = today - Duration::days((20 * 365 + self.r.below(45 * 365)) as i64);
            n.birthday = Some(b.to_string());
        }
        if self.r.chance(30) {
            let py = autocrm_domain::customers::pinyin_full(&name);
            n.emails.push(format!("{py}{}@{}", 10 + self.r.below(990), self.r.pick(&MAIL_DOMAINS)));
        }
        if self.r.chance(20) {
            n.wechats.push(format!("wxid_{:010}", self.r.below(10_000_000_000)));
        }
        if self.r.chance(15) {
            n.landlines.push(self.landline(p.area));
        }
        if self.r.chance(40) {
            n.occupation = Some(self.r.pick(&OCCUPATIONS).to_string());
        }
        for _ in 0..self.r.below(3) {
            n.tags.push(self.r.pick(&TAGS).to_string());
        }
        self.consents(&mut n);
        n
    }
    fn organization(&mut self, p: &Place) -> NewCustomer {
        let (kind, name, uscc) = match self.r.below(4) {
            0 => ("government", format!("{}{}交通运输局", p.city, self.r.pick(p.districts)), self.uscc("11", p.id_area)),
            1 => ("government", format!("{}市第{}人民医院", p.city, ["一", "二", "三", "五"][self.r.below(4) as usize]), self.uscc("12", p.id_area)),
            _ => {
                let suffix = if self.r.chance(70) { "有限公司" } else { "股份有限公司" };
                ("enterprise", format!("{}{}{suffix}", p.city, self.r.pick(&COMPANY_WORDS)), self.uscc("91", p.id_area))
            }
        };
        let mut a = self.address(p);
        a.label = Some("办公".into());
        NewCustomer {
            kind: Some(kind.into()),
            name,
            uscc: Some(uscc),
            landlines: vec![self.landline(p.area)],
            addresses: vec![a],
            tags: vec!["商务".into()],
            consents: vec![NewConsent { channel: "phone".into(), granted: true, purpose: None, source: Some("showroom".into()) }],
            ..NewCustomer::default()
        }
    }
    fn consents(&mut self, n: &mut NewCustomer) {
        let c = |channel: &str, granted: bool, source: &str| NewConsent {
            channel: channel.into(),
            granted,
            purpose: None,
            source: Some(source.into()),
        };
        let source = *self.r.pick(&["showroom", "showroom", "hotline", "web", "auto_show"]);
        n.consents.push(c("sms", self.r.chance(75), source));
        n.consents.push(c("phone", self.r.chance(60), source));
        if !n.emails.is_empty() {
            n.consents.push(c("email", self.r.chance(70), source));
        }
        if !n.wechats.is_empty() {
            n.consents.push(c("wechat", true, source));
        }
        if self.r.chance(20) {
            n.consents.push(c("mail", true, source));
        }
    }
}

/// What the demo created, for the vehicles that follow.
pub struct Loaded {
    pub customers: usize,
    /// (customer, dealer) for every customer who bought at a dealer.
    pub bought: Vec<(i64, i64)>,
}

fn at_day(d: NaiveDate, hour: u32) -> DateTime<Utc> {
    // Office hours in China (UTC+8).
    d.and_hms_opt(hour.saturating_sub(8), 17, 0).unwrap_or_default().and_utc()
}

/// Loads the demo customers inside the demo's transaction (dealers and users
/// already there).
pub async fn load(tx: &mut Tx) -> Result<Loaded, StoreError> {
    let today = super::today();
    let dealers: Vec<(i64, String, String, String)> = tx.fetch_all(sql("SELECT id, code, province, city FROM dealer", vec![])).await?;
    let mut places = vec![];
    for (code, count, area, id_area, districts) in AREAS {
        if let Some((id, _, province, city)) = dealers.iter().find(|d| d.1 == code) {
            places.push((Place { dealer: *id, code, province: province.clone(), city: city.clone(), area, id_area, districts }, count));
        }
    }
    let users: Vec<(i64, String, String, Option<i64>, String)> =
        tx.fetch_all(sql("SELECT id, username, display_name, dealer_id, role FROM app_user", vec![])).await?;
    let staff = |username: &str| {
        users.iter().find(|u| u.1 == username).map(|u| Staff { id: u.0, username: u.1.clone(), display_name: u.2.clone() })
    };
    let consultants_of = |dealer: i64| -> Vec<Staff> {
        users
            .iter()
            .filter(|u| u.3 == Some(dealer) && u.4 == Role::SalesConsultant.as_str())
            .map(|u| Staff { id: u.0, username: u.1.clone(), display_name: u.2.clone() })
            .collect()
    };
    let advisor_of = |dealer: i64| -> Option<Staff> {
        users
            .iter()
            .find(|u| u.3 == Some(dealer) && u.4 == Role::ServiceAdvisor.as_str())
            .map(|u| Staff { id: u.0, username: u.1.clone(), display_name: u.2.clone() })
    };
    let mut g = Gen { r: Rng(0x00A0_7C23_2026_1125), used_mobiles: Default::default(), serial: 0 };
    let mut loaded = Loaded { customers: 0, bought: vec![] };
    let mut all: Vec<(i64, usize)> = vec![];
    let mut last_org: Option<i64> = None;

    for (pi, (place, count)) in places.iter().enumerate() {
        let consultants = consultants_of(place.dealer);
        for k in 0..*count {
            let org = k % 12 == 5;
            let mut n = if org { g.organization(place) } else { g.person(place, today) };
            let roll = g.r.below(100);
            let kind = if roll < 45 { DealerLinkKind::Bought } else if roll < 60 { DealerLinkKind::Serviced } else { DealerLinkKind::Lead };
            n.link_kind = Some(kind.as_str().into());
            let owner = match kind {
                DealerLinkKind::Serviced => None,
                _ if consultants.is_empty() => None,
                _ => Some(&consultants[k % consultants.len()]),
            };
            let created = today - Duration::days(1 + g.r.below(720) as i64);
            let id = insert(tx, &n, place.dealer, owner.map(|o| o.id), owner, created, today).await?;
            loaded.customers += 1;
            all.push((id, pi));
            if kind == DealerLinkKind::Bought {
                loaded.bought.push((id, place.dealer));
            }
            // An organization's contact person is the next person created.
            if org {
                last_org = Some(id);
            } else if let Some(o) = last_org.take() {
                relate(tx, id, o, RelationshipKind::EmployeeOf).await?;
            }
            // Some customers are known to a second dealer nearby (service elsewhere, a
            // second enquiry).
            if k % 9 == 4 {
                let other = &places[if pi + 1 < places.len() && places[pi + 1].0.province == place.province { pi + 1 } else { (pi + 1) % places.len() }].0;
                let second = if g.r.chance(50) { DealerLinkKind::Serviced } else { DealerLinkKind::Lead };
                link_dealer(tx, id, other.dealer, second, None, false).await?;
                tx.execute(sql(
                    "UPDATE customer_dealer SET since = $1 WHERE customer_id = $2 AND dealer_id = $3",
                    vec![at_day(created + Duration::days(30), 11).into(), id.into(), other.dealer.into()],
                ))
                .await?;
            }
            // Notes and commitments by the consultant (or the service advisor).
            let writer = owner.map(|o| Staff { id: o.id, username: o.username.clone(), display_name: o.display_name.clone() }).or_else(|| advisor_of(place.dealer));
            let who = actor_of(writer.as_ref());
            if k % 3 == 0 {
                for j in 0..1 + g.r.below(2) {
                    let day = (created + Duration::days(3 + 20 * j as i64 + g.r.below(15) as i64)).min(today);
                    let text = g.r.pick(&NOTES).to_string();
                    event(tx, &who, id, place.dealer, "note", text, None, day, None).await?;
                }
            }
            if k % 6 == 1 {
                let day = (created + Duration::days(1 + g.r.below(10) as i64)).min(today);
                let due = day + Duration::days(7 + g.r.below(60) as i64);
                // Kept when due long ago; some past due still open (overdue).
                let done = (due < today && g.r.chance(60)).then(|| at_day(due - Duration::days(1), 15));
                let text = g.r.pick(&COMMITMENTS).to_string();
                event(tx, &who, id, place.dealer, "commitment", text, None, day, Some((due, done))).await?;
            }
        }
    }
    // Family members and referrals among the people of one dealer.
    for w in all.windows(2).step_by(25) {
        if w[0].1 == w[1].1 {
            relate(tx, w[0].0, w[1].0, RelationshipKind::Family).await?;
        }
    }
    for w in all.windows(3).skip(7).step_by(31) {
        if w[0].1 == w[2].1 {
            relate(tx, w[2].0, w[0].0, RelationshipKind::ReferredBy).await?;
        }
    }
    loaded.customers += plant_duplicates(tx, &mut g, &places, &staff, today).await?;
    Ok(loaded)
}

async fn relate(tx: &mut Tx, a: i64, b: i64, kind: RelationshipKind) -> Result<(), StoreError> {
    for (x, y, k) in [(a, b, kind), (b, a, kind.inverse())] {
        tx.execute(sql(
            "INSERT INTO relationship (customer_id, related_id, kind, since, created_at) VALUES ($1, $2, $3, $4, $5)",
            vec![x.into(), y.into(), k.as_str().into(), Option::<NaiveDate>::None.into(), now().into()],
        ))
        .await?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn event(
    tx: &mut Tx,
    who: &Actor,
    customer: i64,
    dealer: i64,
    kind: &'static str,
    title: String,
    body: Option<String>,
    day: NaiveDate,
    commitment: Option<(NaiveDate, Option<DateTime<Utc>>)>,
) -> Result<(), StoreError> {
    let id = timeline::add_returning_id(
        tx,
        who,
        NewEvent { customer_id: customer, kind, title, body, dealer_id: Some(dealer), reference: None, due_date: commitment.map(|c| c.0) },
    )
    .await?;
    tx.execute(sql(
        "UPDATE timeline_event SET at = $1, done_at = $2 WHERE id = $3",
        vec![at_day(day, 16).into(), commitment.and_then(|c| c.1).into(), id.into()],
    ))
    .await?;
    Ok(())
}

/// Inserts one demo customer through the same path as the API, dated `created`.
async fn insert(
    tx: &mut Tx,
    n: &NewCustomer,
    dealer: i64,
    owner: Option<i64>,
    by: Option<&Staff>,
    created: NaiveDate,
    today: NaiveDate,
) -> Result<i64, StoreError> {
    let v = validate(n, today).map_err(|e| StoreError::Decode(format!("demo customer {}: {e:?}", n.name)))?;
    let actor = actor_of(by);
    let c = insert_new(tx, &actor, &v, Some(dealer), owner, false).await?;
    let t = at_day(created, 10);
    for stmt in [
        "UPDATE customer SET created_at = $1, updated_at = $1 WHERE id = $2",
        "UPDATE timeline_event SET at = $1 WHERE customer_id = $2",
        "UPDATE consent SET at = $1 WHERE customer_id = $2",
        "UPDATE customer_dealer SET since = $1 WHERE customer_id = $2",
        "UPDATE contact_point SET created_at = $1 WHERE customer_id = $2",
    ] {
        tx.execute(sql(stmt, vec![t.into(), c.id.into()])).await?;
    }
    Ok(c.id)
}

/// The pairs the identity review queue should find in the demo.
async fn plant_duplicates(
    tx: &mut Tx,
    g: &mut Gen,
    places: &[(Place, usize)],
    staff: &dyn Fn(&str) -> Option<Staff>,
    today: NaiveDate,
) -> Result<usize, StoreError> {
    let Some((sh1, _)) = places.iter().find(|p| p.0.code == "SH001") else { return Ok(0) };
    let sh2 = places.iter().find(|p| p.0.code == "SH002").map(|p| &p.0).unwrap_or(sh1);
    let consultant = staff("consultant");
    let mut n_created = 0;
    for (i, (name, district, line)) in SAME_NAME_SAME_ADDRESS.iter().enumerate() {
        for copy in 0..2 {
            // The last pair was captured once at each Shanghai store.
            let place = if i == 4 && copy == 1 { sh2 } else { sh1 };
            let n = NewCustomer {
                name: name.to_string(),
                mobiles: vec![g.mobile()],
                addresses: vec![NewAddress {
                    province: Some(place.province.clone()),
                    city: Some(place.city.clone()),
                    district: Some(district.to_string()),
                    line: line.to_string(),
                    label: Some("家庭".into()),
                }],
                link_kind: Some("lead".into()),
                consents: vec![NewConsent { channel: "sms".into(), granted: true, purpose: None, source: Some("showroom".into()) }],
                ..NewCustomer::default()
            };
            let owner = if place.code == "SH001" { consultant.as_ref() } else { None };
            let created = today - Duration::days(40 - 10 * copy as i64 - i as i64);
            insert(tx, &n, place.dealer, owner.map(|o| o.id), owner, created, today).await?;
            n_created += 1;
        }
    }
    for (i, (a, b, landline)) in SIMILAR_NAME_SAME_LANDLINE.iter().enumerate() {
        for (copy, name) in [a, b].into_iter().enumerate() {
            let n = NewCustomer {
                name: name.to_string(),
                mobiles: vec![g.mobile()],
                landlines: vec![landline.to_string()],
                link_kind: Some("lead".into()),
                ..NewCustomer::default()
            };
            let created = today - Duration::days(30 - 7 * copy as i64 - i as i64);
            insert(tx, &n, sh1.dealer, consultant.as_ref().map(|o| o.id), consultant.as_ref(), created, today).await?;
            n_created += 1;
        }
    }
    Ok(n_created)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_identifiers_pass_their_checks() {
        let mut g = Gen { r: Rng(7), used_mobiles: Default::default(), serial: 0 };
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        for _ in 0..200 {
            let (id, _) = g.id_number("310115", true, today);
            assert!(autocrm_domain::customers::IdNumber::parse_on(&id, today).is_ok(), "{id}");
            let u = g.uscc("91", "310115");
            assert!(autocrm_domain::customers::Uscc::parse(&u).unwrap().check_ok, "{u}");
            assert!(autocrm_domain::customers::Mobile::parse(&g.mobile()).is_ok());
            assert!(autocrm_domain::customers::Landline::parse(&g.landline("0755")).is_ok());
        }
    }

    #[test]
    fn planted_similar_names_are_similar() {
        for (a, b, _) in SIMILAR_NAME_SAME_LANDLINE {
            assert!(autocrm_domain::identity::similar_names(a, b), "{a} / {b}");
        }
    }
}
