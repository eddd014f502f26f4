//! The home page: per role, the signed-in person's own figures.

use askama::Template;
use autocrm_domain::access::{Action, ScopeKind};
use autocrm_store::audit::AUDIT;
use autocrm_store::org::{self, DEALER, DEPARTMENT, GROUP, REGION};
use autocrm_store::users::USER;
use autocrm_store::{StoreError, record, scope};
use axum::extract::State;
use axum::http::Method;

use sea_query::{Cond, Expr, ExprTrait};

use crate::App;
use crate::pages::{Layout, PageResult, render};
use crate::routes::Routes;

pub fn routes(r: Routes) -> Routes {
    r.page(Method::GET, "/", Action::SelfService, home)
}

pub struct Card {
    pub label: &'static str,
    pub value: i64,
    pub href: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    l: Layout,
    cards: Vec<Card>,
    dealer: Option<org::Dealer>,
    place: String,
}

fn today_start_utc() -> chrono::DateTime<chrono::Utc> {
    crate::pages::china_midnight_utc(chrono::Utc::now().with_timezone(&crate::pages::china_time()).date_naive())
}

async fn cards(app: &App, l: &Layout) -> Result<Vec<Card>, StoreError> {
    let a = l.me();
    let s = &a.scope;
    let active = |t: &'static str| Some(Cond::all().add(Expr::col((t, "active")).eq(true)));
    let mut cards = vec![];
    match a.role.scope_kind() {
        ScopeKind::Oem => {
            let regions = if a.role.grants(Action::OrgManage) { "/org/regions" } else { "/org/dealers" };
            cards.push(Card { label: l.t("home.regions"), value: scope::count(&app.db, s, &REGION, active("region")).await?, href: regions.into() });
            cards.push(Card { label: l.t("home.groups"), value: scope::count(&app.db, s, &GROUP, active("dealer_group")).await?, href: regions.into() });
            cards.push(Card { label: l.t("home.dealers"), value: scope::count(&app.db, s, &DEALER, active("dealer")).await?, href: "/org/dealers".into() });
        }
        ScopeKind::Region | ScopeKind::Group => {
            cards.push(Card { label: l.t("home.dealers"), value: scope::count(&app.db, s, &DEALER, active("dealer")).await?, href: "/org/dealers".into() });
        }
        ScopeKind::Dealer | ScopeKind::Own => {
            let mine = a.dealer_id.map(|d| format!("/org/dealers/{d}")).unwrap_or_default();
            cards.push(Card { label: l.t("home.departments"), value: scope::count(&app.db, s, &DEPARTMENT, active("department")).await?, href: mine });
        }
    }
    let colleagues = scope::count(&app.db, s, &USER, active("app_user")).await?;
    cards.push(Card {
        label: if a.role.grants(Action::UserRead) { l.t("home.users") } else { l.t("home.colleagues") },
        value: colleagues,
        href: match (a.role.grants(Action::UserRead), a.dealer_id) {
            (true, _) => "/users".into(),
            (false, Some(d)) => format!("/org/dealers/{d}"),
            (false, None) => "/org/dealers".into(),
        },
    });
    let today = Some(Cond::all().add(Expr::col(("audit_event", "at")).gte(today_start_utc())));
    if a.role.grants(Action::AuditRead) {
        cards.push(Card { label: l.t("home.changes_today"), value: scope::count(&app.db, s, &AUDIT, today).await?, href: "/audit".into() });
    }
    // One's own changes are one's own record, whatever the role.
    let mine = Cond::all().add(Expr::col(("audit_event", "actor_id")).eq(a.user_id)).add(Expr::col(("audit_event", "at")).gte(today_start_utc()));
    cards.push(Card { label: l.t("home.my_changes_today"), value: scope::count(&app.db, &autocrm_domain::access::Scope::Oem, &AUDIT, Some(mine)).await?, href: if a.role.grants(Action::AuditRead) { format!("/audit?actor={}", a.username) } else { "/account".into() } });
    Ok(cards)
}

pub async fn home(State(app): State<App>, l: Layout) -> PageResult {
    let cards = cards(&app, &l).await?;
    let a = l.me();
    let dealer = match a.dealer_id {
        Some(d) => Some(record::get::<org::Dealer>(&app.db, &a.scope, d).await?),
        None => None,
    };
    let place = match (&dealer, a.group_id, a.region_id) {
        (Some(d), _, _) => d.name.clone(),
        (None, Some(g), _) => record::get::<org::DealerGroup>(&app.db, &a.scope, g).await.map(|g| g.name).unwrap_or_default(),
        (None, None, Some(r)) => record::get::<org::Region>(&app.db, &a.scope, r).await.map(|r| r.name).unwrap_or_default(),
        _ => app.oem_name.clone(),
    };
    Ok(render(&Home { l, cards, dealer, place }))
}
