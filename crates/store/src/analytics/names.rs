//! Names for the groups of a report. The aggregates group by ids only (a dealer, a
//! consultant) so the one pass over `lead` joins nothing per row; the names — and
//! the region a dealer's figures roll up into — are read afterwards for the few
//! hundred groups found, within the caller's scope.

use std::collections::{BTreeMap, HashMap};

use autocrm_domain::access::Scope;
use autocrm_domain::analytics::Dimension;
use autocrm_domain::traffic::Grouping;
use sea_query::{Expr, ExprTrait, JoinType};

use crate::{Db, StoreError, scope};

/// The kind of record a group's id points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Dealer,
    /// Grouped by dealer in SQL, rolled up into the dealers' regions.
    Region,
    Consultant,
}

impl Entity {
    pub fn of(by: Dimension) -> Option<Entity> {
        match by {
            Dimension::Dealer => Some(Entity::Dealer),
            Dimension::Region => Some(Entity::Region),
            Dimension::Consultant => Some(Entity::Consultant),
            _ => None,
        }
    }

    pub fn of_traffic(by: Grouping) -> Option<Entity> {
        match by {
            Grouping::Dealer => Some(Entity::Dealer),
            Grouping::Region => Some(Entity::Region),
            _ => None,
        }
    }
}

struct DealerName {
    code: String,
    name: String,
    region_id: i64,
    region_code: String,
    region_name: String,
}

/// The group of a row: its key (value, code or username), id and name.
pub type Group = (Option<String>, Option<i64>, Option<String>);

pub struct Names {
    entity: Option<Entity>,
    dealers: HashMap<i64, DealerName>,
    users: HashMap<i64, (String, String)>,
}

impl Names {
    /// Reads the names the groups `ids` of `entity` need (nothing for plain values).
    pub async fn load(db: &Db, scope: &Scope, entity: Option<Entity>, ids: &[i64]) -> Result<Names, StoreError> {
        let mut names = Names { entity, dealers: HashMap::new(), users: HashMap::new() };
        match entity {
            None => {}
            Some(Entity::Dealer | Entity::Region) => {
                let q = scope::select(scope, &crate::org::DEALER)
                    .columns([("dealer", "id"), ("dealer", "code"), ("dealer", "name"), ("dealer", "region_id")])
                    .columns([("region", "code"), ("region", "name")])
                    .join(JoinType::InnerJoin, "region", Expr::col(("region", "id")).equals(("dealer", "region_id")))
                    .to_owned();
                let rows: Vec<(i64, String, String, i64, String, String)> = db.fetch_all(q).await?;
                names.dealers = rows
                    .into_iter()
                    .map(|(id, code, name, region_id, region_code, region_name)| (id, DealerName { code, name, region_id, region_code, region_name }))
                    .collect();
            }
            Some(Entity::Consultant) => {
                for chunk in ids.chunks(500) {
                    let q = scope::select(scope, &crate::users::USER)
                        .columns([("app_user", "id"), ("app_user", "username"), ("app_user", "display_name")])
                        .and_where(Expr::col(("app_user", "id")).is_in(chunk.iter().copied()))
                        .to_owned();
                    let rows: Vec<(i64, String, String)> = db.fetch_all(q).await?;
                    names.users.extend(rows.into_iter().map(|(id, u, n)| (id, (u, n))));
                }
            }
        }
        Ok(names)
    }

    /// The group a row of the aggregate (its text key, or its entity id) belongs to.
    pub fn group(&self, key: Option<String>, id: Option<i64>) -> Group {
        let Some(entity) = self.entity else { return (key, None, None) };
        let Some(id) = id else { return (None, None, None) };
        match entity {
            Entity::Dealer => match self.dealers.get(&id) {
                Some(d) => (Some(d.code.clone()), Some(id), Some(d.name.clone())),
                None => (None, Some(id), None),
            },
            Entity::Region => match self.dealers.get(&id) {
                Some(d) => (Some(d.region_code.clone()), Some(d.region_id), Some(d.region_name.clone())),
                None => (None, None, None),
            },
            Entity::Consultant => match self.users.get(&id) {
                Some((u, n)) => (Some(u.clone()), Some(id), Some(n.clone())),
                None => (None, Some(id), None),
            },
        }
    }

    /// Sums the figures of the aggregate's rows per named group (several dealers'
    /// rows make one region's).
    pub fn fold<T: Default>(&self, rows: impl IntoIterator<Item = (Option<String>, Option<i64>, T)>, add: impl Fn(&mut T, &T)) -> Vec<(Group, T)> {
        let mut groups: BTreeMap<Group, T> = BTreeMap::new();
        for (key, id, figures) in rows {
            add(groups.entry(self.group(key, id)).or_default(), &figures);
        }
        groups.into_iter().collect()
    }
}
