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

/// Adds a route's OpenAPI description (its operation and the schemas it names) to a document.
pub type Documents = fn(&mut utoipa::openapi::OpenApi);

#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    /// The largest body the route takes, when it is not the server's default.
    pub body_limit: Option<usize>,
    /// For the JSON API, where the OpenAPI document gets the route from.
    pub documents: Option<Documents>,
}

/// The JSON API's routes: each is registered from its OpenAPI description, so none can go
/// undocumented. The API's own document is the one exception.
const API_PREFIX: &str = "/api/v1/";
const API_DOCUMENT: &str = "/api/v1/openapi.json";

/// What `#[utoipa::path]` generates beside a handler: its operation, the schemas it names and
/// its tags (the three that `#[derive(OpenApi)]` reads from a `paths(...)` list).
pub trait Described:
    utoipa::Path + utoipa::__dev::SchemaReferences + for<'t> utoipa::__dev::Tags<'t>
{
}

impl<P> Described for P where
    P: utoipa::Path + utoipa::__dev::SchemaReferences + for<'t> utoipa::__dev::Tags<'t>
{
}

/// `P`'s operation, with its tags, and schemas, added to `api`.
fn document<P: Described>(api: &mut utoipa::openapi::OpenApi) {
    let mut operation = P::operation();
    let tags = <P as utoipa::__dev::Tags>::tags();
    if !tags.is_empty() {
        operation
            .tags
            .get_or_insert_with(Vec::new)
            .extend(tags.iter().map(|t| t.to_string()));
    }
    api.paths
        .add_path_operation(P::path(), P::methods(), operation);
    let mut schemas = Vec::new();
    P::schemas(&mut schemas);
    api.components
        .get_or_insert_with(Default::default)
        .schemas
        .extend(schemas);
}

/// A path the registry keeps for the program's life: each distinct one is allocated once.
fn interned(path: String) -> &'static str {
    static PATHS: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let mut paths = PATHS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(known) = paths.iter().find(|p| **p == path) {
        return known;
    }
    let leaked: &'static str = Box::leak(path.into_boxed_str());
    paths.push(leaked);
    leaked
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
        assert!(
            !path.starts_with(API_PREFIX) || path == API_DOCUMENT,
            "{method} {path}: register API routes with Routes::api, from their OpenAPI description"
        );
        self.specs.push(RouteSpec {
            method,
            path,
            access,
            body_limit: None,
            documents: None,
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

    /// A JSON API route, at the method and path its OpenAPI description `P` (the struct
    /// `#[utoipa::path]` makes beside the handler) gives, and in the OpenAPI document.
    pub fn api<H, T, P>(mut self, access: Access, handler: H, _described_by: P) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
        P: Described,
    {
        use utoipa::openapi::path::HttpMethod;
        let path = interned(P::path());
        let methods = P::methods();
        let [method] = methods.as_slice() else {
            panic!("{path}: an API route is described with exactly one method");
        };
        let (method, route) = match method {
            HttpMethod::Get => (Method::GET, get(handler)),
            HttpMethod::Post => (Method::POST, post(handler)),
            HttpMethod::Put => (Method::PUT, put(handler)),
            HttpMethod::Patch => (Method::PATCH, patch(handler)),
            HttpMethod::Delete => (Method::DELETE, delete(handler)),
            _ => panic!("{path}: the API uses GET, POST, PUT, PATCH and DELETE only"),
        };
        self.specs.push(RouteSpec {
            method,
            path,
            access,
            body_limit: None,
            documents: Some(document::<P>),
        });
        self.router = self.router.merge(Router::new().route(path, route));
        self
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[should_panic(expected = "register API routes with Routes::api")]
    fn an_api_route_without_its_description_cannot_be_registered() {
        let _ = Routes::new().get("/api/v1/undocumented", Access::Public, || async { "" });
    }

    #[test]
    fn api_routes_take_their_method_and_path_from_their_description() {
        let specs = crate::route_specs();
        let described: Vec<_> = specs.iter().filter(|s| s.documents.is_some()).collect();
        assert!(described.len() > 60, "{} described routes", described.len());
        assert!(described.iter().all(|s| s.path.starts_with(API_PREFIX)));
        assert!(described
            .iter()
            .any(|s| s.method == Method::POST && s.path == "/api/v1/hub/requests/{id}/invitation"));
    }
}
