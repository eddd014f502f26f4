//! autocrm's HTTP surface: the versioned JSON API under `/api/v1` and the
//! server-rendered UI, from one route table that attaches the permission guard to
//! every route.
//!
//! Modules are named after business capabilities, as in `domain` and `store`;
//! each has `api.rs` (JSON) and `pages.rs` (HTML) and its templates under
//! `templates/<capability>/`.

pub mod config;
pub mod error;
pub mod extract;
pub mod i18n;
pub mod openapi;
pub mod routes;

mod analytics;
mod api_tokens;
mod assets;
mod audit;
mod auth;
mod customers;
mod home;
mod identity;
mod imports;
mod idempotency;
mod handover;
mod leads;
mod notifications;
mod metrics;
mod ops;
mod org;
mod pages;
mod quotes;
mod rest;
mod search;
mod test_drives;
mod traffic;
mod users;
mod vehicles;

use std::sync::Arc;

use autocrm_store::Db;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::get;

pub use config::Config;
use routes::{RouteSpec, Routes};

/// Shared state of the server; one reference count to clone (every middleware
/// layer and handler clones it per request).
#[derive(Clone)]
pub struct App(Arc<AppState>);

pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub oem_name: String,
    metrics: metrics::Metrics,
    tokens: auth::TokenCache,
    /// Builds the screen-pop cards that screen-pops did not find.
    pub cards: autocrm_store::search::Cards,
}

impl std::ops::Deref for App {
    type Target = AppState;
    fn deref(&self) -> &AppState {
        &self.0
    }
}

impl App {
    pub async fn new(db: Db, config: Config) -> Result<App, autocrm_store::StoreError> {
        let oem_name = autocrm_store::org::oem_name(&db).await?;
        Ok(App(Arc::new(AppState {
            cards: autocrm_store::search::Cards::spawn(db.clone()),
            db,
            tokens: auth::TokenCache::new(config.http.token_cache_seconds),
            config: Arc::new(config),
            oem_name,
            metrics: metrics::Metrics::default(),
        })))
    }
}

/// Every route of the application, with the action each requires.
pub fn route_table(app: &App) -> Routes {
    let r = Routes::new(app.clone())
        .public_api(Method::POST, "/api/v1/auth/token", auth::api::token)
        .public_api(Method::GET, "/api/v1/openapi.json", openapi::document)
        .public_page(Method::GET, "/api", openapi::reference);
    let r = auth::pages::routes(r);
    let r = home::routes(r);
    let r = users::routes(r);
    let r = org::routes(r);
    let r = audit::routes(r);
    let r = api_tokens::routes(r);
    let r = customers::routes(r);
    let r = vehicles::routes(r);
    let r = search::routes(r);
    let r = identity::routes(r);
    let r = imports::routes(r);
    let r = leads::routes(r);
    let r = handover::routes(r);
    let r = notifications::routes(r);
    let r = test_drives::routes(r);
    let r = quotes::routes(r);
    let r = traffic::routes(r);
    analytics::routes(r)
}

/// The declared routes (for the permission-matrix test and the OpenAPI check).
pub fn route_specs(app: &App) -> Vec<RouteSpec> {
    route_table(app).into_parts().1
}

pub fn router(app: App) -> Router {
    let (routes, _) = route_table(&app).into_parts();
    routes
        .route("/assets/{*file}", get(assets::serve))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(app.clone(), auth::authenticate))
        .layer(middleware::from_fn_with_state(app.clone(), metrics::track))
        .layer(DefaultBodyLimit::max(app.config.http.body_limit))
        .with_state(app)
}

async fn not_found(uri: axum::http::Uri, l: pages::Layout) -> axum::response::Response {
    if uri.path().starts_with("/api/") {
        error::ApiError::new(axum::http::StatusCode::NOT_FOUND, "not_found", "no such API route").into_response()
    } else {
        // The fallback has no route guard to render a `PageError`; render the page here.
        pages::error_page(l, axum::http::StatusCode::NOT_FOUND)
    }
}

/// A known path with a method it does not have: in the API's error shape under
/// `/api/` (axum adds the `Allow` header).
async fn method_not_allowed(uri: axum::http::Uri) -> axum::response::Response {
    let status = axum::http::StatusCode::METHOD_NOT_ALLOWED;
    if uri.path().starts_with("/api/") {
        error::ApiError::new(status, "method_not_allowed", "this route does not accept that method").into_response()
    } else {
        status.into_response()
    }
}

pub async fn bind(addr: &str) -> std::io::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr).await
}

/// Serves until SIGINT/SIGTERM, then finishes in-flight requests (graceful shutdown).
pub async fn serve(listener: tokio::net::TcpListener, db: Db, config: Config) -> std::io::Result<()> {
    serve_until(listener, db, config, shutdown_signal()).await
}

pub async fn serve_until(
    listener: tokio::net::TcpListener,
    db: Db,
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let jobs = autocrm_jobs::spawn(db.clone(), &config.jobs).map_err(std::io::Error::other)?;
    let app = App::new(db, config).await.map_err(std::io::Error::other)?;
    // Answers go out as soon as they are written: Nagle's algorithm would hold a
    // small response back while an earlier segment waits for its (delayed) ACK.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let result = axum::serve(listener, router(app).into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await;
    jobs.abort();
    result
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing in-flight requests");
}
