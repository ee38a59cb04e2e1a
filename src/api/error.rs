//! Errors the API shows to clients. Each has a stable `extensions.code`; internal
//! causes are logged, never sent.

use std::sync::Arc;

use async_graphql::ErrorExtensions;

use crate::store::{StoreError, WriteError};

/// The stable codes of `extensions.code`. Clients may match on these strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// An argument breaks a rule: a page size over the limit, a malformed id or cursor.
    BadUserInput,
    /// A write without a valid API key (`Authorization: Bearer <key>`).
    Unauthenticated,
    /// A write with a key whose role may not do it.
    Forbidden,
    /// An id names nothing, where something must exist (the ends of `paths`, the
    /// centre of `neighborhood`).
    NotFound,
    /// A write collided with the stored state: the id is taken, the record is not
    /// at the `expectedVersion` given (`extensions.currentVersion` says which it is
    /// at), or an actor still has relations. Re-read and decide again.
    Conflict,
    /// The query text is not valid GraphQL syntax.
    GraphqlParseFailed,
    /// The query does not fit the schema (unknown field, wrong argument type…).
    GraphqlValidationFailed,
    /// The query asks for too much at once (page sizes multiplied through nesting).
    QueryTooComplex,
    /// The query nests deeper than the server allows (selections, or brackets of
    /// any kind).
    QueryTooDeep,
    /// The query text is too long, or has too many tokens, fields (fragments
    /// expanded), aliases or directives.
    QueryTooLarge,
    /// A batch has more operations than the server runs in one request.
    TooManyOperations,
    /// The answer would be larger than the server sends in one response.
    ResponseTooLarge,
    /// The request ran past its deadline and was stopped.
    Timeout,
    /// The client sent more requests than its rate allows (HTTP 429, `Retry-After`).
    RateLimited,
    /// The request body did not arrive in time.
    RequestTimeout,
    /// A WebSocket connection has as many subscriptions as it may.
    TooManySubscriptions,
    /// `operationName` names no operation of the document, or is missing when it has several.
    OperationResolutionFailure,
    /// The HTTP request is not a GraphQL request (bad JSON, missing query).
    BadRequest,
    /// The request body is larger than the server accepts.
    PayloadTooLarge,
    /// The request body is not `application/json`.
    UnsupportedMediaType,
    /// The `Accept` header allows no type the server can answer in.
    NotAcceptable,
    /// The HTTP method cannot be used here (e.g. a mutation over GET).
    MethodNotAllowed,
    /// The server failed; the cause is in its log.
    InternalServerError,
}

impl ErrorCode {
    /// The code as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            ErrorCode::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            ErrorCode::QueryTooComplex => "QUERY_TOO_COMPLEX",
            ErrorCode::QueryTooDeep => "QUERY_TOO_DEEP",
            ErrorCode::QueryTooLarge => "QUERY_TOO_LARGE",
            ErrorCode::TooManyOperations => "TOO_MANY_OPERATIONS",
            ErrorCode::ResponseTooLarge => "RESPONSE_TOO_LARGE",
            ErrorCode::Timeout => "TIMEOUT",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::RequestTimeout => "REQUEST_TIMEOUT",
            ErrorCode::TooManySubscriptions => "TOO_MANY_SUBSCRIPTIONS",
            ErrorCode::OperationResolutionFailure => "OPERATION_RESOLUTION_FAILURE",
            ErrorCode::BadRequest => "BAD_REQUEST",
            ErrorCode::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            ErrorCode::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            ErrorCode::NotAcceptable => "NOT_ACCEPTABLE",
            ErrorCode::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            ErrorCode::InternalServerError => "INTERNAL_SERVER_ERROR",
        }
    }

    /// Whether errors with this code stop the request before execution (no `data`).
    pub fn is_request_error(code: &str) -> bool {
        matches!(
            code,
            "GRAPHQL_PARSE_FAILED"
                | "GRAPHQL_VALIDATION_FAILED"
                | "QUERY_TOO_COMPLEX"
                | "QUERY_TOO_DEEP"
                | "QUERY_TOO_LARGE"
                | "TOO_MANY_OPERATIONS"
                | "RESPONSE_TOO_LARGE"
                | "METHOD_NOT_ALLOWED"
                | "OPERATION_RESOLUTION_FAILURE"
                | "BAD_REQUEST"
        )
    }
}

/// An error a resolver returns.
///
/// It deliberately does not implement `Display`: async-graphql converts any
/// `Display` type into an error *without* a code, and this type must only become a
/// GraphQL error through the `From` below, which adds the code.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// The client's argument `argument` is wrong; the message says how to fix it.
    BadUserInput {
        argument: &'static str,
        message: String,
    },
    /// The id in `argument` names nothing.
    NotFound {
        argument: &'static str,
        message: String,
    },
    /// A write without a valid key; the message says what to send.
    Unauthenticated(String),
    /// A write the key's role may not do.
    Forbidden(String),
    /// A document or input (in `argument`) that breaks the data rules: every
    /// problem, with its path.
    Invalid {
        argument: &'static str,
        problems: Vec<crate::domain::Problem>,
    },
    /// A write collided with the stored state.
    Conflict {
        message: String,
        /// The version the record is at, when the collision is about versions.
        current_version: Option<u64>,
    },
    /// A store call failed. The client sees a generic message; the cause is logged.
    Store(Arc<StoreError>),
    /// A fault of the server itself (a wiring bug, such as a request without its
    /// loaders). The client sees a generic message; the detail is logged.
    Internal(String),
}

/// What a client sees when its request ran out of time.
pub const TIMED_OUT: &str = "The request ran past the server's deadline and was stopped: ask for less (smaller pages, fewer hops, a narrower search), or split it into several requests.";

/// What a client sees of a store failure.
const STORE_FAILURE: &str =
    "The server could not read its data. The error has been logged; try again later.";

impl ApiError {
    /// A bad-argument error.
    pub fn bad_input(argument: &'static str, message: impl Into<String>) -> Self {
        ApiError::BadUserInput {
            argument,
            message: message.into(),
        }
    }
}

impl ApiError {
    /// What a client sees of a refused write; `argument` names the record's id.
    pub fn from_write(e: WriteError, argument: &'static str) -> Self {
        match e {
            WriteError::NotFound { what, id } => ApiError::NotFound {
                argument,
                message: format!("No {what} has the id `{id}`."),
            },
            WriteError::Exists { what, id } => ApiError::Conflict {
                message: format!(
                    "A {what} with the id `{id}` already exists: choose another id, or update that {what}."
                ),
                current_version: None,
            },
            WriteError::Stale {
                what,
                id,
                expected,
                actual,
            } => ApiError::Conflict {
                message: format!(
                    "The {what} `{id}` is at version {actual}, not the expected {expected}: it changed since you read it. Read it again and re-apply your change."
                ),
                current_version: Some(actual),
            },
            WriteError::HasRelations { id, count } => ApiError::Conflict {
                message: format!(
                    "The actor `{id}` still has {count} relation(s): delete them first, or pass `cascade: true` to delete them with it."
                ),
                current_version: None,
            },
            WriteError::Busy => ApiError::Conflict {
                message: "Concurrent writes to the same records kept winning over this one; nothing was written. Try again.".into(),
                current_version: None,
            },
            WriteError::Store(e) => e.into(),
        }
    }
}

impl ApiError {
    /// Data every request carries (see [`super::GraphqlService`]); missing, it is a
    /// wiring bug of the server, not the client's mistake.
    pub fn data<'a, T: std::any::Any + Send + Sync>(
        ctx: &async_graphql::Context<'a>,
    ) -> Result<&'a T, ApiError> {
        ctx.data::<T>().map_err(|_| {
            ApiError::Internal(format!(
                "the request carries no `{}`",
                std::any::type_name::<T>()
            ))
        })
    }
}

impl From<crate::deadline::Expired> for ApiError {
    fn from(e: crate::deadline::Expired) -> Self {
        ApiError::Store(Arc::new(e.into()))
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::Store(Arc::new(e))
    }
}

impl From<Arc<StoreError>> for ApiError {
    fn from(e: Arc<StoreError>) -> Self {
        ApiError::Store(e)
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::BadUserInput { argument, message } => async_graphql::Error::new(message)
                .extend_with(|_, ext| {
                    ext.set("code", ErrorCode::BadUserInput.as_str());
                    ext.set("argument", argument);
                }),
            ApiError::NotFound { argument, message } => async_graphql::Error::new(message)
                .extend_with(|_, ext| {
                    ext.set("code", ErrorCode::NotFound.as_str());
                    ext.set("argument", argument);
                }),
            ApiError::Unauthenticated(message) => async_graphql::Error::new(message)
                .extend_with(|_, ext| ext.set("code", ErrorCode::Unauthenticated.as_str())),
            ApiError::Forbidden(message) => async_graphql::Error::new(message)
                .extend_with(|_, ext| ext.set("code", ErrorCode::Forbidden.as_str())),
            ApiError::Invalid { argument, problems } => {
                let list: Vec<async_graphql::Value> = problems
                    .iter()
                    .map(|p| {
                        let mut m = async_graphql::indexmap::IndexMap::new();
                        m.insert(
                            async_graphql::Name::new("path"),
                            async_graphql::Value::from(p.path.clone()),
                        );
                        m.insert(
                            async_graphql::Name::new("message"),
                            async_graphql::Value::from(p.message.clone()),
                        );
                        async_graphql::Value::Object(m)
                    })
                    .collect();
                let first = problems.first().map(|p| p.path.clone()).unwrap_or_default();
                let message = if argument == "document" {
                    format!(
                        "The document has {} problem(s) and nothing was written; `extensions.problems` lists each with its path.",
                        problems.len()
                    )
                } else {
                    let shown: Vec<String> = problems
                        .iter()
                        .take(3)
                        .map(|p| format!("`{}`: {}", p.path, p.message))
                        .collect();
                    let more = problems.len().saturating_sub(3);
                    format!(
                        "Nothing was written: {}{}",
                        shown.join("; "),
                        if more > 0 {
                            format!(" (and {more} more in `extensions.problems`)")
                        } else {
                            String::new()
                        }
                    )
                };
                async_graphql::Error::new(message).extend_with(move |_, ext| {
                    ext.set("code", ErrorCode::BadUserInput.as_str());
                    ext.set("argument", argument);
                    if argument != "document" {
                        ext.set("field", first.clone());
                    }
                    ext.set("problems", async_graphql::Value::List(list.clone()));
                })
            }
            ApiError::Conflict {
                message,
                current_version,
            } => async_graphql::Error::new(message).extend_with(move |_, ext| {
                ext.set("code", ErrorCode::Conflict.as_str());
                if let Some(v) = current_version {
                    ext.set("currentVersion", v);
                }
            }),
            ApiError::Store(cause) if matches!(*cause, StoreError::DeadlineExceeded) => {
                async_graphql::Error::new(TIMED_OUT)
                    .extend_with(|_, ext| ext.set("code", ErrorCode::Timeout.as_str()))
            }
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                async_graphql::Error::new(STORE_FAILURE)
                    .extend_with(|_, ext| ext.set("code", ErrorCode::InternalServerError.as_str()))
            }
            ApiError::Store(cause) => {
                tracing::error!(error = %cause, source = ?std::error::Error::source(cause.as_ref()), "store call failed");
                async_graphql::Error::new(STORE_FAILURE)
                    .extend_with(|_, ext| ext.set("code", ErrorCode::InternalServerError.as_str()))
            }
        }
    }
}

/// Result of a resolver. Its error is an [`ApiError`], so every error a resolver
/// returns has a code: a `?` on an uncoded error (a store error, a string) does not
/// compile, it has to be made into an `ApiError` first.
pub type ApiResult<T> = Result<T, ApiError>;
