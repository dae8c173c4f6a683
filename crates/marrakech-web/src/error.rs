//! One error type for every handler, and its two renderings: JSON for the API
//! (`{"error": {"code", "message", "field"}}`) and a page for people. Internal errors are
//! logged with their cause and answered with a generic message: nothing internal leaks.

use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use marrakech_store::StoreError;
use serde::Serialize;

use crate::pages::Layout;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// An id that names nothing; `hint` says what ids look like.
    #[error("{what} `{id}` does not exist{}", hint.map(|h| format!(": {h}")).unwrap_or_default())]
    NotFound {
        what: &'static str,
        id: String,
        hint: Option<&'static str>,
    },
    #[error("nothing is served at {path}")]
    NoRoute { path: String },
    #[error("{method} is not allowed here")]
    MethodNotAllowed { method: String },
    /// A malformed request parameter, named.
    #[error("{message}")]
    BadParameter { field: String, message: String },
    /// The public asked for something that needs an account.
    #[error("sign in to do this")]
    SignInRequired,
    /// A signed-in user asked for something their roles do not give them.
    #[error("you may not do this: {0}")]
    Forbidden(String),
    /// A state change without the right anti-forgery token.
    #[error("this form has expired or did not come from this site: reload the page and try again")]
    Csrf,
    /// A credential that is not valid (a bad API token).
    #[error("{0}")]
    BadCredentials(String),
    #[error("too many attempts: try again in {seconds} seconds")]
    TooManyAttempts { seconds: i64 },
    /// A value refused, named by its field.
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// A value clashing with an existing one, named by its field.
    #[error("{message}")]
    Conflict { field: String, message: String },
    #[error("send JSON, with Content-Type: application/json")]
    UnsupportedMediaType,
    /// Concurrent changes kept conflicting with this one: nothing was saved; try again.
    #[error("{0}")]
    Busy(String),
    /// A request body larger than its route accepts; the message says the limit.
    #[error("{0}")]
    TooLarge(String),
    #[error(transparent)]
    Store(StoreError),
    #[error("rendering failed: {0}")]
    Render(#[from] askama::Error),
    #[error("CSV output failed: {0}")]
    Csv(String),
    #[error("{0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { field, message } => AppError::Conflict {
                field: field.to_owned(),
                message,
            },
            StoreError::NotFound { what, id } => AppError::NotFound {
                what,
                id,
                hint: None,
            },
            StoreError::Refused { field, message } => AppError::Invalid {
                field: field.to_owned(),
                message,
            },
            busy @ StoreError::Busy { .. } => AppError::Busy(busy.to_string()),
            other => AppError::Store(other),
        }
    }
}

impl From<marrakech_app::secrets::HashError> for AppError {
    fn from(e: marrakech_app::secrets::HashError) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
        AppError::Invalid {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    pub fn bad_parameter(field: &str, message: impl Into<String>) -> AppError {
        AppError::BadParameter {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    pub fn not_found(what: &'static str, id: &str, hint: Option<&'static str>) -> AppError {
        AppError::NotFound {
            what,
            id: id.to_owned(),
            hint,
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound { .. } | AppError::NoRoute { .. } => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            AppError::BadParameter { .. } => StatusCode::BAD_REQUEST,
            AppError::SignInRequired | AppError::BadCredentials(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict { .. } | AppError::Busy(_) => StatusCode::CONFLICT,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Store(_) | AppError::Render(_) | AppError::Csv(_) | AppError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::NotFound { .. } | AppError::NoRoute { .. } => "not_found",
            AppError::MethodNotAllowed { .. } => "method_not_allowed",
            AppError::BadParameter { .. } => "invalid_parameter",
            AppError::SignInRequired => "sign_in_required",
            AppError::BadCredentials(_) => "bad_credentials",
            AppError::Forbidden(_) => "forbidden",
            AppError::Csrf => "csrf",
            AppError::TooManyAttempts { .. } => "too_many_attempts",
            AppError::Invalid { .. } => "invalid",
            AppError::Conflict { .. } | AppError::Busy(_) => "conflict",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::TooLarge(_) => "too_large",
            AppError::Store(_) | AppError::Render(_) | AppError::Csv(_) | AppError::Internal(_) => {
                "internal"
            }
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            AppError::BadParameter { field, .. }
            | AppError::Invalid { field, .. }
            | AppError::Conflict { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The message a client may see; internal errors are logged here and not described.
    fn public_message(&self) -> String {
        if self.status().is_server_error() {
            tracing::error!(error = %self, "request failed");
            "Something went wrong on our side. It has been logged; please try again later."
                .to_owned()
        } else {
            self.to_string()
        }
    }
}

/// The API's error body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// `not_found`, `invalid_parameter`, `invalid`, `conflict`, `sign_in_required`,
    /// `bad_credentials`, `forbidden`, `csrf`, `too_many_attempts`, `too_large`,
    /// `unsupported_media_type`, `method_not_allowed` or `internal`.
    pub code: String,
    pub message: String,
    /// The request parameter at fault, when there is one.
    pub field: Option<String>,
}

/// An error answered as JSON.
#[derive(Debug)]
pub struct ApiError(pub AppError);

/// An error answered as a page.
#[derive(Debug)]
pub struct PageError(pub AppError);

macro_rules! wrap_errors {
    ($($wrapper:ident),+) => {$(
        impl From<AppError> for $wrapper {
            fn from(e: AppError) -> Self {
                $wrapper(e)
            }
        }
        impl From<StoreError> for $wrapper {
            fn from(e: StoreError) -> Self {
                $wrapper(AppError::from(e))
            }
        }
        impl From<askama::Error> for $wrapper {
            fn from(e: askama::Error) -> Self {
                $wrapper(AppError::Render(e))
            }
        }
        impl From<marrakech_app::secrets::HashError> for $wrapper {
            fn from(e: marrakech_app::secrets::HashError) -> Self {
                $wrapper(AppError::from(e))
            }
        }
    )+};
}
wrap_errors!(ApiError, PageError);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.0.code().to_owned(),
                message: self.0.public_message(),
                field: self.0.field().map(str::to_owned),
            },
        };
        (self.0.status(), axum::Json(body)).into_response()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    status: u16,
    heading: &'static str,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let heading = match status {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT => {
                "This request cannot be answered"
            }
            StatusCode::METHOD_NOT_ALLOWED => "Method not allowed",
            StatusCode::UNAUTHORIZED => "Sign in first",
            StatusCode::FORBIDDEN => "Not allowed",
            StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
            _ => "Something went wrong",
        };
        let page = ErrorPage {
            layout: Layout::new(heading, None, &crate::auth::Auth::anonymous()),
            status: status.as_u16(),
            heading,
            message: self.0.public_message(),
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "the error page itself failed to render");
                (
                    status,
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    heading,
                )
                    .into_response()
            }
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
pub type PageResult<T> = Result<T, PageError>;
