//! The route table: every route is declared through here with the one action it
//! requires, and the guard that enforces it is attached by construction. The
//! permission-matrix test and the OpenAPI document are both checked against this
//! table, so a route without a rule cannot slip in.

use autocrm_domain::access::Action;
use axum::Router;
use axum::extract::{Request, State};
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, on};

use crate::App;
use crate::auth::{Caller, Credentials};
use crate::error::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// JSON under /api/v1: 401/403 as the API error shape.
    Api,
    /// HTML pages: sign-in redirect and a 403 page.
    Page,
}

/// One declared route.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    /// `None`: public (no sign-in needed).
    pub action: Option<Action>,
    pub kind: Kind,
}

pub struct Routes {
    pub specs: Vec<RouteSpec>,
    router: Router<App>,
    app: App,
}

#[derive(Clone)]
struct Guard {
    app: App,
    action: Option<Action>,
    kind: Kind,
}

impl Routes {
    pub fn new(app: App) -> Self {
        Routes { specs: vec![], router: Router::new(), app }
    }

    fn add<H, T>(mut self, method: Method, path: &'static str, action: Option<Action>, kind: Kind, handler: H) -> Self
    where
        H: Handler<T, App>,
        T: 'static,
    {
        // Routes are declared in code at start-up; only standard methods are used.
        let filter = MethodFilter::try_from(method.clone()).unwrap_or_else(|_| panic!("unsupported method {method}"));
        let guard = Guard { app: self.app.clone(), action, kind };
        let route = on(filter, handler).route_layer(middleware::from_fn_with_state(guard, guard_request));
        self.router = self.router.route(path, route);
        self.specs.push(RouteSpec { method, path, action, kind });
        self
    }

    /// An API route that needs `action`.
    pub fn api<H: Handler<T, App>, T: 'static>(self, method: Method, path: &'static str, action: Action, h: H) -> Self {
        self.add(method, path, Some(action), Kind::Api, h)
    }

    /// An API route anyone may call (sign-in, the OpenAPI document).
    pub fn public_api<H: Handler<T, App>, T: 'static>(self, method: Method, path: &'static str, h: H) -> Self {
        self.add(method, path, None, Kind::Api, h)
    }

    /// A page that needs `action`.
    pub fn page<H: Handler<T, App>, T: 'static>(self, method: Method, path: &'static str, action: Action, h: H) -> Self {
        self.add(method, path, Some(action), Kind::Page, h)
    }

    pub fn public_page<H: Handler<T, App>, T: 'static>(self, method: Method, path: &'static str, h: H) -> Self {
        self.add(method, path, None, Kind::Page, h)
    }

    pub fn into_parts(self) -> (Router<App>, Vec<RouteSpec>) {
        (self.router, self.specs)
    }
}

/// Sign-in and permission check for one route, then idempotency for API POSTs.
async fn guard_request(State(g): State<Guard>, req: Request, next: Next) -> Response {
    let Some(action) = g.action else {
        return match g.kind {
            Kind::Page => crate::pages::with_error_pages(&g.app, req, next).await,
            Kind::Api => next.run(req).await,
        };
    };
    // Borrowed: the handler's `Caller` extractor takes its own copy.
    let caller = req.extensions().get::<Caller>().map(|Caller(a)| (a.role, a.user_id));
    let bad_token = matches!(req.extensions().get::<Credentials>(), Some(Credentials::Invalid));
    let Some((role, user_id)) = caller else {
        return match g.kind {
            Kind::Api if bad_token => ApiError::unauthorized("the bearer token is invalid, expired or revoked").into_response(),
            Kind::Api => ApiError::unauthorized("sign in first: send Authorization: Bearer <token>").into_response(),
            Kind::Page => crate::pages::to_login(req.uri()),
        };
    };
    if !role.grants(action) {
        return match g.kind {
            Kind::Api => ApiError::forbidden().into_response(),
            Kind::Page => {
                let head = crate::pages::head(&req);
                crate::pages::forbidden(&g.app, head).await
            }
        };
    }
    match g.kind {
        Kind::Api if req.method() == Method::POST => crate::idempotency::run(&g.app, user_id, req, next).await,
        Kind::Api => next.run(req).await,
        Kind::Page => crate::pages::with_error_pages(&g.app, req, next).await,
    }
}
