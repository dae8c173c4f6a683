//! The route registry: every route is declared with the access it needs, so that one gate
//! (in `auth`) refuses what the policy does not allow before any handler runs, and so that
//! a test can enumerate every route against every role.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{delete, get, patch, post, put};
use axum::Router;
use marrakech_core::knowledge::MAX_ATTACHMENT_BYTES;
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

/// The largest body an upload route takes: one attachment of at most
/// [`MAX_ATTACHMENT_BYTES`], the form's other fields and the multipart framing.
pub const UPLOAD_BODY_BYTES: usize = MAX_ATTACHMENT_BYTES + 256 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    /// The largest body the route takes, when it is not the server's default.
    pub body_limit: Option<usize>,
}

/// What the gate checks of a route before its handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteRule {
    pub access: Access,
    pub body_limit: Option<usize>,
}

/// Rules by (method, path template), as the gate looks them up.
pub type AccessTable = Arc<HashMap<(Method, String), RouteRule>>;

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
            body_limit: None,
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

    /// A POST route taking a file (multipart): its body may reach [`UPLOAD_BODY_BYTES`].
    pub fn upload<H, T>(mut self, path: &'static str, access: Access, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        // The gate has bounded the body already; the extractor takes what the gate let in.
        let router = Router::new().route(
            path,
            post(handler).layer(DefaultBodyLimit::max(UPLOAD_BODY_BYTES)),
        );
        self = self.add(Method::POST, path, access, router);
        if let Some(spec) = self.specs.last_mut() {
            spec.body_limit = Some(UPLOAD_BODY_BYTES);
        }
        self
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
            .map(|s| {
                let rule = RouteRule {
                    access: s.access,
                    body_limit: s.body_limit,
                };
                ((s.method.clone(), s.path.to_owned()), rule)
            })
            .collect(),
    )
}
