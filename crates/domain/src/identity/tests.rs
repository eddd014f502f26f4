use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;

fn mobile(s: &str) -> Mobile {
    Mobile::parse(s).unwrap()
}
fn id(s: &str) -> IdNumber {
    IdNumber::parse(s).unwrap()
}
fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}
fn owned(vin: &str, from: NaiveDate, until: Option<NaiveDate>) -> Ownership {
    Ownership { vin: Vin::parse(vin).unwrap().vin, from, until }
}
fn person(name: &str) -> Candidate {
    Candidate { name: name.into(), ..Default::default() }
}

#[test]
fn the_same_mobile_entered_by_two_dealers_is_one_customer() {
    let a = Candidate { mobiles: vec![mobile("13812341234")], ..person("张三") };
    let b = Candidate { mobiles: vec![mobile("13900000000"), mobile("+86 138 1234 1234")], ..person("张 三") };
    assert_eq!(strong_match(&a, &b), Some(StrongKey::Mobile(mobile("13812341234"))));
}

#[test]
fn the_id_number_is_reported_before_the_mobile() {
    let a =
        Candidate {
            mobiles: vec![mobile("13812341234")], id_number: Some(id("11010519491231002X")), ..person("王芳")
        };
    assert_eq!(strong_match(&a, &a.clone()), Some(StrongKey::IdNumber(id("11010519491231002x"))));
}

#[test]
fn family_members_sharing_a_mobile_are_not_linked() {
    let father =
        Candidate {
            mobiles: vec![mobile("13812341234")], id_number: Some(id("440524188001010014")), ..person("张大")
        };
    let daughter =
        Candidate {
            mobiles: vec![mobile("13812341234")], id_number: Some(id("11010519491231002X")), ..person("张三")
        };
    assert!(known_different(&father, &daughter));
    assert_eq!(strong_match(&father, &daughter), None);
    assert_eq!(weak_evidence(&father, &daughter), None);
}

#[test]
fn a_company_is_never_linked_to_its_fleet_manager() {
    let company = Candidate {
        kind: CustomerKind::Enterprise,
        mobiles: vec![mobile("13812341234")],
        ..person("上海某租赁有限公司")
    };
    let manager = Candidate { mobiles: vec![mobile("13812341234")], ..person("李四") };
    assert_eq!(strong_match(&company, &manager), None);
    let branch = Candidate { kind: CustomerKind::Government, uscc: company.uscc.clone(), ..company.clone() };
    assert!(strong_match(&company, &branch).is_some(), "enterprise and government are both organizations");
}

#[test]
fn organizations_link_by_uscc() {
    let uscc = Uscc::parse("91350200776049653A").unwrap().code;
    let a = Candidate { kind: CustomerKind::Enterprise, uscc: Some(uscc.clone()), ..person("厦门某公司") };
    let b = Candidate { kind: CustomerKind::Enterprise, uscc: Some(uscc.clone()), ..person("厦门某有限公司") };
    assert_eq!(strong_match(&a, &b), Some(StrongKey::Uscc(uscc)));
}

#[test]
fn an_email_links_only_when_both_verified_it() {
    let e = Email::parse("zs@example.com").ok();
    let a = Candidate { email: e.clone(), email_verified: true, ..person("张三") };
    let b = Candidate { email: e.clone(), email_verified: false, ..person("张三") };
    assert_eq!(strong_match(&a, &b), None);
    let ev = weak_evidence(&a, &b).unwrap();
    assert_eq!(ev.reasons, vec![Reason::SameNameSameEmail]);
    assert!(ev.needs_review());
    let b = Candidate { email_verified: true, ..b };
    assert_eq!(strong_match(&a, &b), Some(StrongKey::Email(e.unwrap())));
}

#[test]
fn the_same_name_at_the_same_address_goes_to_review() {
    let a = Candidate { addresses: vec!["上海市浦东新区张江路100号".into()], ..person("张三") };
    let b = Candidate {
        addresses: vec!["北京".into(), "上海市 浦东新区 张江路 100 号".into()], ..person("张三")
    };
    let ev = weak_evidence(&a, &b).unwrap();
    assert_eq!((ev.score, ev.reasons.clone()), (WEIGHT_SAME_NAME_SAME_ADDRESS, vec![Reason::SameNameSameAddress]));
    assert!(weak_evidence(&a, &Candidate { name: "李四".into(), ..b }).is_none());
}

#[test]
fn two_unnamed_prospects_are_not_the_same_name() {
    let shop = |name: &str| Candidate {
        addresses: vec!["上海市浦东新区张江路100号".into()],
        landlines: vec![Landline::parse("021-58881234").unwrap()],
        city: Some("上海".into()),
        vehicle_models: vec!["朗逸".into()],
        ..person(name)
    };
    assert!(weak_evidence(&shop("未留名客户 1234"), &shop("未留名客户 1234")).is_none());
    assert!(weak_evidence(&shop("未留名客户 1234"), &shop("未留名客户 1235")).is_none());
    assert_eq!(weak_evidence(&shop("张三"), &shop("张三")).map(|e| e.reasons.len()), Some(3));
}

#[test]
fn the_same_name_at_one_switchboard_goes_to_review() {
    let a = Candidate { landlines: vec![Landline::parse("021-58881234-801").unwrap()], ..person("张三") };
    let b = Candidate { landlines: vec![Landline::parse("(021) 5888 1234").unwrap()], ..person("张三") };
    assert_eq!(weak_evidence(&a, &b).unwrap().reasons, vec![Reason::SameNameSameLandline]);
}

#[test]
fn a_similar_name_in_the_same_city_with_the_same_model_goes_to_review() {
    let a = Candidate { city: Some("上海".into()), vehicle_models: vec!["朗逸".into()], ..person("张三") };
    for name in ["张山", "章三", "Zhang San", "张三"] {
        let b = Candidate {
            city: Some("上海市".into()),
            vehicle_models: vec!["帕萨特".into(), "朗逸".into()],
            ..person(name)
        };
        assert_eq!(weak_evidence(&a, &b).unwrap().reasons, vec![Reason::SimilarNameSameCityModel], "{name}");
    }
    let other_city =
        Candidate { city: Some("北京".into()), vehicle_models: vec!["朗逸".into()], ..person("张山") };
    assert!(weak_evidence(&a, &other_city).is_none());
    assert!(!similar_names("张", "李"), "one-character names are too short to call similar");
}

#[test]
fn one_car_with_two_owners_at_once_means_one_owner() {
    let vin = "1M8GDM9AXKP042788";
    let a = Candidate { ownerships: vec![owned(vin, day(2020, 1, 1), None)], ..person("张三") };
    let b = Candidate { ownerships: vec![owned(vin, day(2021, 6, 1), Some(day(2022, 1, 1)))], ..person("Z. San") };
    assert_eq!(weak_evidence(&a, &b).unwrap().reasons, vec![Reason::SameVinOverlappingOwnership]);
    let seller = Candidate { ownerships: vec![owned(vin, day(2018, 1, 1), Some(day(2020, 1, 1)))], ..person("李四") };
    assert!(weak_evidence(&a, &seller).is_none(), "a trade-in handed over on the day is not an overlap");
}

#[test]
fn more_reasons_rank_higher_but_the_score_stops_at_100() {
    let a = Candidate {
        addresses: vec!["张江路100号".into()],
        landlines: vec![Landline::parse("021-58881234").unwrap()],
        email: Email::parse("zs@example.com").ok(),
        ..person("张三")
    };
    let ev = weak_evidence(&a, &a.clone()).unwrap();
    assert_eq!(ev.reasons, vec![Reason::SameNameSameAddress, Reason::SameNameSameLandline, Reason::SameNameSameEmail]);
    assert_eq!(ev.score, 100);
    for r in Reason::ALL {
        assert_eq!(Reason::parse(r.as_str()), Some(r));
        assert!(r.weight() >= REVIEW_THRESHOLD && r.weight() <= 100);
    }
}

fn candidate() -> impl Strategy<Value = Candidate> {
    use proptest::collection::vec;
    use proptest::option::of;
    use proptest::sample::select;
    let kinds = select(CustomerKind::ALL.to_vec());
    let names = select(vec!["张三", "张山", "章三", "Zhang San", "李四", "", "未留名客户 1234", "未留名客户 1235"]);
    let mobiles = vec(select(vec!["13812341234", "13900000000", "15000000001"]).prop_map(mobile), 0..3);
    let landlines = vec(
        select(vec!["021-58881234", "021-58881234-1", "0755-2888888"]).prop_map(|s| Landline::parse(s).unwrap()),
        0..2,
    );
    let ids = of(select(vec!["11010519491231002X", "440524188001010014"]).prop_map(id));
    let emails =
        (of(select(vec!["a@example.com", "b@example.com"]).prop_map(|s| Email::parse(s).unwrap())), any::<bool>());
    let addresses = vec(select(vec!["张江路100号", "张江路 100 号", "朝阳路1号"]).prop_map(String::from), 0..2);
    let cities = of(select(vec!["上海", "上海市", "北京"]).prop_map(String::from));
    let models = vec(select(vec!["朗逸", "Lavida", "帕萨特"]).prop_map(String::from), 0..2);
    let usccs = of(select(vec!["91350200776049653A", "91230184MA1BUFLT44"]).prop_map(|s| Uscc::parse(s).unwrap().code));
    let owns = vec((select(vec!["1M8GDM9AXKP042788", "WBAXW1104J0X16755"]), 2015i32..2025, of(2016i32..2026)), 0..2)
        .prop_map(|v| {
            v.into_iter().map(|(vin, f, u)| owned(vin, day(f, 1, 1), u.map(|u| day(u, 1, 1)))).collect::<Vec<_>>()
        });
    (kinds, names, mobiles, landlines, ids, emails, (addresses, cities, models, usccs, owns)).prop_map(
        |(
            kind,
            name,
            mobiles,
            landlines,
            id_number,
            (email, email_verified),
            (addresses, city, vehicle_models, uscc, ownerships),
        )| Candidate {
            kind,
            name: name.into(),
            mobiles,
            landlines,
            id_number,
            email,
            email_verified,
            addresses,
            city,
            vehicle_models,
            uscc,
            ownerships,
        },
    )
}

fn score(a: &Candidate, b: &Candidate) -> u32 {
    weak_evidence(a, b).map_or(0, |e| e.score)
}

proptest! {
    #[test]
    fn resolution_does_not_depend_on_which_record_came_first(a in candidate(), b in candidate()) {
        prop_assert_eq!(strong_match(&a, &b), strong_match(&b, &a));
        prop_assert_eq!(weak_evidence(&a, &b), weak_evidence(&b, &a));
    }

    #[test]
    fn a_record_with_any_strong_key_matches_itself(a in candidate()) {
        let has_key = a.id_number.is_some() || a.uscc.is_some() || !a.mobiles.is_empty() || (a.email.is_some() && a.email_verified);
        prop_assert_eq!(strong_match(&a, &a.clone()).is_some(), has_key);
    }

    #[test]
    fn scores_stay_between_0_and_100_with_their_reasons(a in candidate(), b in candidate()) {
        if let Some(ev) = weak_evidence(&a, &b) {
            prop_assert!(ev.score <= 100 && !ev.reasons.is_empty());
            prop_assert!(ev.needs_review());
            prop_assert!(ev.reasons.windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn a_placeholder_name_is_never_evidence(a in candidate(), b in candidate(), last4 in "[0-9]{4}") {
        let unnamed = Candidate { name: crate::customers::unnamed(&last4), ..a };
        let reasons = weak_evidence(&unnamed, &b).map(|e| e.reasons).unwrap_or_default();
        prop_assert!(reasons.iter().all(|r| *r == Reason::SameVinOverlappingOwnership), "{:?}", reasons);
    }

    #[test]
    fn adding_evidence_never_lowers_the_score(a in candidate(), b in candidate(), which in 0usize..5) {
        let mut more = a.clone();
        match which {
            0 => more.addresses.extend(b.addresses.iter().cloned()),
            1 => more.landlines.extend(b.landlines.iter().cloned()),
            2 => more.vehicle_models.extend(b.vehicle_models.iter().cloned()),
            3 => more.ownerships.extend(b.ownerships.iter().cloned()),
            _ => if more.email.is_none() { more.email = b.email.clone() },
        }
        prop_assert!(score(&more, &b) >= score(&a, &b));
    }
}
