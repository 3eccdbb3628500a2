//! The one error type every server function returns.
//!
//! It is serialisable so that the browser receives the same typed error the server produced,
//! and it carries only messages written for people: internal failures (a database that
//! cannot be reached, a query that fails) are logged on the server with their detail and
//! reach the browser as [`AppError::Internal`] with no detail at all.

use crate::models::account::FieldError;
use http::StatusCode;
use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

/// Everything that can go wrong while answering a request, as the visitor should hear it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The page or record does not exist (404). The message names what was looked for.
    #[error("{0}")]
    NotFound(String),
    /// The request itself is wrong — a bad page number, an unknown filter (400).
    /// The message tells the visitor what to change.
    #[error("{0}")]
    BadRequest(String),
    /// A form's fields are wrong (422); each problem names its field, so the form can show
    /// it next to that field, in the visitor's language.
    #[error("Please correct the marked fields.")]
    Invalid(Vec<FieldError>),
    /// Only for signed-in people (401).
    #[error("Please sign in to continue.")]
    SignInRequired,
    /// Signed in, but not allowed to do this (403).
    #[error("You do not have permission to do that.")]
    Forbidden,
    /// Too many attempts in a short time (429).
    #[error("Too many attempts. Please wait {retry_after_secs} seconds and try again.")]
    TooManyRequests {
        /// Seconds until the next attempt is accepted.
        retry_after_secs: u64,
    },
    /// The request body is larger than the store accepts (413).
    #[error("That is more than the store accepts in one request.")]
    TooLarge,
    /// The request clashes with the current state — the cart's prices changed since the
    /// page was shown, the order was already paid (409). The message says what to do.
    #[error("{0}")]
    Conflict(String),
    /// Something failed on our side (500). Details are in the server log, never here.
    #[error("Something went wrong on our side. Please try again in a moment.")]
    Internal,
    /// The request never reached the server function or its answer could not be read
    /// (network down, malformed response).
    #[error("The store could not be reached: {0}")]
    Transport(String),
}

impl AppError {
    /// The HTTP status that goes with this error when a page is rendered on the server.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::SignInRequired => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Transport(_) => StatusCode::BAD_GATEWAY,
        }
    }

    /// One problem on one field.
    pub fn field(field: &str, problem: crate::models::account::Problem) -> Self {
        AppError::Invalid(vec![FieldError::new(field, problem)])
    }

    /// The problem on `field`, if this error names one.
    pub fn problem_on(&self, field: &str) -> Option<crate::models::account::Problem> {
        match self {
            AppError::Invalid(list) => list.iter().find(|e| e.field == field).map(|e| e.problem),
            _ => None,
        }
    }

    /// Logs an internal failure with its context and returns the opaque error the visitor sees.
    #[cfg(feature = "ssr")]
    pub fn internal(context: &str, error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "{context}");
        AppError::Internal
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Arguments that do not decode are the caller's mistake, not ours.
            ServerFnErrorErr::Args(msg) => AppError::BadRequest(format!("Invalid request: {msg}")),
            // On the server, a body that cannot be read is the caller's: too big, or not
            // what the function takes. (In the browser this variant means an unreadable
            // answer, which is a transport problem.)
            ServerFnErrorErr::Deserialization(msg) if cfg!(feature = "ssr") => {
                if msg.contains("length limit") {
                    AppError::TooLarge
                } else {
                    AppError::BadRequest(format!("Invalid request: {msg}"))
                }
            }
            ServerFnErrorErr::Request(msg) => AppError::Transport(msg),
            other => AppError::Transport(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_error_says_nothing_about_the_cause() {
        let shown = AppError::Internal.to_string();
        assert!(!shown.to_lowercase().contains("surreal"));
        assert_eq!(
            AppError::Internal.status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn errors_round_trip_through_the_wire_encoding() {
        let e = AppError::NotFound("No item called “x”.".into());
        let bytes = e.ser();
        assert_eq!(AppError::de(bytes), e);
    }
}
