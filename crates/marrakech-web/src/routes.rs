//! The route registry: every route is declared with the access it needs, so that one gate
//! (in `auth`) refuses what the policy does not allow before any handler runs, and so that
//! a test can enumerate every route against every role.

use std::collections::HashMap;
use std::sync::Arc;

use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{delete, get, patch, post, put};
use axum::Router;
use marrakech_core::policy::Action;

use crate::AppState;

/// What a route needs before its handler runs. The handler then decides on the resource
/// itself (a focal point's own country, a contributor's own organization).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Anyone, and the route only reads, whatever its method: CKAN clients POST their
    /// queries as JSON. No state changes, so no anti-forgery token is asked for.
    PublicQuery,
    /// A signed-in user whose roles may take this action at all.
    Can(Action),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

/// Access by (method, path template), as the gate looks it up.
pub type AccessTable = Arc<HashMap<(Method, String), Access>>;

/// Builds the router and the registry together; a route cannot be added without its access.
#[derive(Default)]
pub struct Routes {
    router: Router<AppState>,
    specs: Vec<RouteSpec>,
}

impl Routes {
    pub fn new() -> Routes {
        Routes::default()
    }

    fn add(
        mut self,
        method: Method,
        path: &'static str,
        access: Access,
        router: Router<AppState>,
    ) -> Routes {
        self.specs.push(RouteSpec {
            method,
            path,
            access,
        });
        self.router = self.router.merge(router);
        self
    }

    pub fn get<H, T>(self, path: &'static str, access: Access, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let router = Router::new().route(path, get(handler));
        self.add(Method::GET, path, access, router)
    }

    pub fn post<H, T>(self, path: &'static str, access: Access, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let router = Router::new().route(path, post(handler));
        self.add(Method::POST, path, access, router)
    }

    pub fn patch<H, T>(self, path: &'static str, access: Access, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let router = Router::new().route(path, patch(handler));
        self.add(Method::PATCH, path, access, router)
    }

    pub fn put<H, T>(self, path: &'static str, access: Access, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let router = Router::new().route(path, put(handler));
        self.add(Method::PUT, path, access, router)
    }

    pub fn delete<H, T>(self, path: &'static str, access: Access, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let router = Router::new().route(path, delete(handler));
        self.add(Method::DELETE, path, access, router)
    }

    pub fn merge(mut self, other: Routes) -> Routes {
        self.router = self.router.merge(other.router);
        self.specs.extend(other.specs);
        self
    }

    pub fn into_parts(self) -> (Router<AppState>, Vec<RouteSpec>) {
        (self.router, self.specs)
    }
}

pub fn access_table(specs: &[RouteSpec]) -> AccessTable {
    Arc::new(
        specs
            .iter()
            .map(|s| ((s.method.clone(), s.path.to_owned()), s.access))
            .collect(),
    )
}
