//! Customers for tests that need one on file: created through the store's own
//! `customers::create`, as a dealer's consultant would through the API.

use autocrm_domain::access::{Role, Scope};
use autocrm_store::Db;
use autocrm_store::auth::Actor;
use autocrm_store::customers::{self, NewAddress, NewCustomer};

use crate::fixture::{Org, SHA01_CONSULTANT};

/// The actor of a fixture account, as sign-in would build it.
pub fn actor(org: &Org, username: &str) -> Actor {
    let s = org.staff(username);
    let group_id = if s.dealer_id == Some(org.dealer_a) { Some(org.hxg) } else { None };
    Actor {
        user_id: s.id,
        username: s.username.into(),
        display_name: s.display_name.into(),
        role: s.role,
        dealer_id: s.dealer_id,
        group_id,
        region_id: None,
        scope: Scope::bind(s.role.scope_kind(), s.id, s.dealer_id, group_id, None),
        locale: "zh-CN".into(),
    }
}

/// 王小明, a walk-in at dealer A followed by its consultant (visible to dealer A's
/// staff, its group, region and the OEM); returns the customer's id.
pub async fn walk_in_at_dealer_a(db: &Db, org: &Org) -> i64 {
    let a = actor(org, SHA01_CONSULTANT);
    assert_eq!(a.role, Role::SalesConsultant);
    let n = NewCustomer {
        name: "王小明".into(),
        mobiles: vec!["13812345678".into()],
        id_number: Some("11010519491231002X".into()),
        addresses: vec![NewAddress {
            province: Some("上海".into()),
            city: Some("上海".into()),
            district: Some("浦东新区".into()),
            line: "张杨路100弄5号".into(),
            label: None,
        }],
        ..NewCustomer::default()
    };
    customers::create(db, &a, n).await.expect("a fixture customer").customer.id
}
