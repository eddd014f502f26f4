//! The one place where data scope becomes SQL.
//!
//! Every table holding scoped data declares its [`Scoped`] columns once; every query
//! of it starts from [`select`] / [`update`] / [`delete`] here, which add the
//! caller's row filter. A store function over scoped data takes `&Scope` as a
//! required argument, so a query without a scope does not compile.

use autocrm_domain::access::Scope;
use sea_query::{Cond, Condition, DeleteStatement, Expr, ExprTrait, Query, SelectStatement, UpdateStatement};

use crate::db::{FromRow, sql};
use crate::{Db, StoreError, Tx};

/// How a table's rows relate to the organization.
#[derive(Debug, Clone, Copy)]
pub struct Scoped {
    pub table: &'static str,
    pub link: Link,
    /// Rows directly attached to a region or group besides their dealer (e.g. a
    /// regional manager's user account).
    pub region: Option<&'static str>,
    pub group: Option<&'static str>,
    /// The staff member who owns the row, for own-records scope. Rows without an
    /// owner column are visible to own scope within the user's dealer.
    pub owner: Option<&'static str>,
}

/// The column that ties a row to the organization.
#[derive(Debug, Clone, Copy)]
pub enum Link {
    /// The dealer a row belongs to (`id` for the dealer table itself).
    Dealer(&'static str),
    /// A region id (the region table): visible where the scope has a dealer in it.
    Region(&'static str),
    /// A dealer-group id (the group table), likewise.
    Group(&'static str),
    /// A customer id: visible where the customer has a link to a dealer in scope
    /// (`customer_dealer`); for own-records scope, a link owned by the user.
    Customer(&'static str),
    /// A vehicle id: visible where the vehicle's dealer is in scope or its current
    /// owner is a visible customer.
    Vehicle(&'static str),
}

impl Scoped {
    pub const fn by_dealer(table: &'static str, dealer: &'static str) -> Scoped {
        Scoped { table, link: Link::Dealer(dealer), region: None, group: None, owner: None }
    }
}

/// `SELECT out FROM dealer WHERE col = v`
fn dealer_column(out: &'static str, col: &'static str, v: i64) -> SelectStatement {
    Query::select().column(out).from("dealer").and_where(Expr::col(col).eq(v)).to_owned()
}

/// `SELECT customer_id FROM customer_dealer WHERE <the link is in scope>`.
fn linked_customers(scope: &Scope) -> SelectStatement {
    let dealer = Expr::col(("customer_dealer", "dealer_id"));
    let cond = match *scope {
        Scope::Region { region_id } => dealer.in_subquery(dealer_column("id", "region_id", region_id)),
        Scope::Group { group_id } => dealer.in_subquery(dealer_column("id", "group_id", group_id)),
        Scope::Dealer { dealer_id } => dealer.eq(dealer_id),
        Scope::Own { user_id, dealer_id } => {
            dealer.eq(dealer_id).and(Expr::col(("customer_dealer", "owner_user_id")).eq(user_id))
        }
        Scope::Oem | Scope::Nothing => Expr::cust("1 = 0"),
    };
    Query::select().column(("customer_dealer", "customer_id")).from("customer_dealer").and_where(cond).to_owned()
}

/// `SELECT id FROM dealer WHERE <in scope>` for dealer-bound scopes.
fn dealers_in(scope: &Scope) -> SelectStatement {
    let mut q = Query::select().column("id").from("dealer").to_owned();
    match *scope {
        Scope::Region { region_id } => q.and_where(Expr::col("region_id").eq(region_id)).to_owned(),
        Scope::Group { group_id } => q.and_where(Expr::col("group_id").eq(group_id)).to_owned(),
        Scope::Dealer { dealer_id } | Scope::Own { dealer_id, .. } => q.and_where(Expr::col("id").eq(dealer_id)).to_owned(),
        Scope::Oem | Scope::Nothing => q.and_where(Expr::cust("1 = 0")).to_owned(),
    }
}

/// The row filter for `scope` on `t`.
pub fn condition(scope: &Scope, t: &Scoped) -> Condition {
    match *scope {
        Scope::Oem => return Cond::all(),
        Scope::Nothing => return Cond::all().add(Expr::cust("1 = 0")),
        _ => {}
    }
    match t.link {
        Link::Dealer(col) => {
            let dealer = Expr::col((t.table, col));
            match *scope {
                Scope::Region { region_id } => {
                    let mut c = Cond::any().add(dealer.in_subquery(dealer_column("id", "region_id", region_id)));
                    if let Some(r) = t.region {
                        c = c.add(Expr::col((t.table, r)).eq(region_id));
                    }
                    c
                }
                Scope::Group { group_id } => {
                    let mut c = Cond::any().add(dealer.in_subquery(dealer_column("id", "group_id", group_id)));
                    if let Some(g) = t.group {
                        c = c.add(Expr::col((t.table, g)).eq(group_id));
                    }
                    c
                }
                Scope::Dealer { dealer_id } => Cond::all().add(dealer.eq(dealer_id)),
                Scope::Own { user_id, dealer_id } => match t.owner {
                    Some(owner) => Cond::all().add(Expr::col((t.table, owner)).eq(user_id)),
                    None => Cond::all().add(dealer.eq(dealer_id)),
                },
                Scope::Oem | Scope::Nothing => unreachable!("handled above"),
            }
        }
        Link::Customer(col) => Cond::all().add(Expr::col((t.table, col)).in_subquery(linked_customers(scope))),
        Link::Vehicle(col) => {
            let sold_to_visible = Query::select()
                .column(("ownership", "vehicle_id"))
                .from("ownership")
                .and_where(Expr::col(("ownership", "to_date")).is_null())
                .and_where(Expr::col(("ownership", "customer_id")).in_subquery(linked_customers(scope)))
                .to_owned();
            let at_dealer = Query::select()
                .column(("vehicle", "id"))
                .from("vehicle")
                .and_where(Expr::col(("vehicle", "dealer_id")).in_subquery(dealers_in(scope)))
                .to_owned();
            Cond::any()
                .add(Expr::col((t.table, col)).in_subquery(sold_to_visible))
                .add(Expr::col((t.table, col)).in_subquery(at_dealer))
        }
        Link::Region(col) | Link::Group(col) => {
            let own = if matches!(t.link, Link::Region(_)) { "region_id" } else { "group_id" };
            let c = Expr::col((t.table, col));
            Cond::all().add(match *scope {
                Scope::Region { region_id } if own == "region_id" => c.eq(region_id),
                Scope::Region { region_id } => c.in_subquery(dealer_column(own, "region_id", region_id)),
                Scope::Group { group_id } if own == "group_id" => c.eq(group_id),
                Scope::Group { group_id } => c.in_subquery(dealer_column(own, "group_id", group_id)),
                Scope::Dealer { dealer_id } | Scope::Own { dealer_id, .. } => {
                    c.in_subquery(dealer_column(own, "id", dealer_id))
                }
                Scope::Oem | Scope::Nothing => unreachable!("handled above"),
            })
        }
    }
}

/// `SELECT … FROM t WHERE <scope>`; the caller adds columns and further conditions.
pub fn select(scope: &Scope, t: &Scoped) -> SelectStatement {
    Query::select().from(t.table).cond_where(condition(scope, t)).to_owned()
}

/// `UPDATE t … WHERE <scope>`; an out-of-scope row is simply not found.
pub fn update(scope: &Scope, t: &Scoped) -> UpdateStatement {
    Query::update().table(t.table).cond_where(condition(scope, t)).to_owned()
}

pub fn delete(scope: &Scope, t: &Scoped) -> DeleteStatement {
    Query::delete().from_table(t.table).cond_where(condition(scope, t)).to_owned()
}

/// Whether `dealer_id` exists and lies within `scope` (for creating rows under it).
pub async fn dealer_visible(db: &Db, scope: &Scope, dealer_id: i64) -> Result<bool, StoreError> {
    let q = select(scope, &crate::org::DEALER).column(("dealer", "id")).and_where(Expr::col(("dealer", "id")).eq(dealer_id)).to_owned();
    Ok(db.fetch_optional::<(i64,)>(q).await?.is_some())
}

/// Counts the rows of `t` visible in `scope` (home-page figures).
pub async fn count(db: &Db, scope: &Scope, t: &Scoped, extra: Option<Condition>) -> Result<i64, StoreError> {
    let mut q = select(scope, t);
    q.expr(Expr::cust("COUNT(*)"));
    if let Some(c) = extra {
        q.cond_where(c);
    }
    Ok(db.fetch_one::<(i64,)>(q).await?.0)
}

/// Reads one row by id within scope, inside a transaction (for read-modify-write).
pub async fn get_for_update<T: FromRow>(
    tx: &mut Tx,
    scope: &Scope,
    t: &Scoped,
    columns: &[&'static str],
    id: i64,
) -> Result<T, StoreError> {
    let mut q = select(scope, t);
    for c in columns {
        q.column((t.table, *c));
    }
    q.and_where(Expr::col((t.table, "id")).eq(id));
    tx.fetch_optional(q).await?.ok_or(StoreError::NotFound)
}

/// Helper for unscoped lookups of reference data that every signed-in user may
/// read (e.g. a setting). Kept here so all table access is visible in one module.
pub async fn setting(db: &Db, key: &str) -> Result<Option<String>, StoreError> {
    Ok(db.fetch_optional::<(String,)>(sql("SELECT value FROM setting WHERE key = $1", vec![key.into()])).await?.map(|r| r.0))
}
