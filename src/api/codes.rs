//! Gives every error a stable `extensions.code`, including the ones async-graphql
//! raises itself (syntax, validation, limits), which carry none.
//!
//! The document is parsed (and its parse errors coded) before async-graphql sees
//! it ([`super::limits::parse`]). A single operation runs on a schema without
//! extensions: any extension makes async-graphql wrap every field's resolution
//! (type names formatted, registry lookups), which cost most of a nested query's
//! time on the embedded store (docs/benchmarks.md). So its validation errors are
//! told apart afterwards, in [`finish`]: an error without data, path or code comes
//! from validation, or from choosing the operation (two messages of
//! async-graphql's, matched below). A batch runs on a schema with the extension
//! below, whose validation hook also spends the batch's shared complexity budget.
//! What is still untagged and has a path is an argument that failed to coerce
//! inside execution: the client's input.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Response, ServerError, ServerResult, ValidationResult, Value, Variables};

use super::error::ErrorCode;
use super::limits::{Budget, Limits};

/// Factory for the extension that tags parse and validation errors.
pub struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodesExtension)
    }
}

struct ErrorCodesExtension;

fn tag(mut err: ServerError, code: ErrorCode) -> ServerError {
    if code_of(&err).is_none() {
        err.extensions
            .get_or_insert_with(Default::default)
            .set("code", code.as_str());
    }
    err
}

/// The code already on an error, if any.
pub fn code_of(err: &ServerError) -> Option<&str> {
    match err.extensions.as_ref()?.get("code")? {
        Value::String(s) => Some(s.as_str()),
        _ => None,
    }
}

#[async_trait::async_trait]
impl Extension for ErrorCodesExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables).await.map_err(|e| {
            // The recursion-depth check runs in the parse phase.
            let code = if e.message.contains("recursion depth") {
                ErrorCode::QueryTooDeep
            } else {
                ErrorCode::GraphqlParseFailed
            };
            tag(e, code)
        })
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let limits = ctx.data_opt::<Limits>().cloned().unwrap_or_default();
        let result = next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|e| validation_error(e, &limits))
                .collect::<Vec<_>>()
        })?;
        // One budget for a whole batch: each operation spends its complexity.
        if let Some(budget) = ctx.data_opt::<Arc<Budget>>() {
            if !budget.spend(result.complexity) {
                let message = format!(
                    "The operations of this request together ask for too much (complexity {} with {} left of {}): send fewer operations per batch, ask for smaller pages, or nest less.",
                    result.complexity,
                    budget.left(),
                    limits.max_complexity
                );
                return Err(vec![tag(
                    ServerError::new(message, None),
                    ErrorCode::QueryTooComplex,
                )]);
            }
        }
        Ok(result)
    }
}

/// A validation error, coded (and its message rewritten where async-graphql's
/// says too little).
fn validation_error(mut e: ServerError, limits: &Limits) -> ServerError {
    let code = if e.message.contains("too complex") {
        e.message = too_complex(limits);
        ErrorCode::QueryTooComplex
    } else if e.message.contains("nested too deep") {
        e.message = format!(
            "The query nests fields deeper than {} levels; split it into several queries.",
            limits.max_depth
        );
        ErrorCode::QueryTooDeep
    } else if e.message.contains("recursion depth") {
        ErrorCode::QueryTooDeep
    } else {
        ErrorCode::GraphqlValidationFailed
    };
    tag(e, code)
}

/// Whether an error is async-graphql's failure to choose the operation to run.
fn is_operation_choice(e: &ServerError) -> bool {
    e.message.starts_with("Unknown operation named")
        || e.message.starts_with("Operation name required")
}

fn too_complex(limits: &Limits) -> String {
    format!(
        "The query asks for too much at once (complexity over {}): each list multiplies what is nested in it by how many items it may return (`first`, `limit`); ask for smaller pages or nest less.",
        limits.max_complexity
    )
}

/// At most `max` characters of `text`, with an ellipsis when cut: error messages
/// quote what the client sent, and must not echo a megabyte of it back.
pub fn excerpt(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((at, _)) => format!("{}…", &text[..at]),
    }
}

/// Longest error message sent, in characters.
const MAX_MESSAGE_CHARS: usize = 500;

/// Tags the errors still without a code once the request has run, shortens long
/// messages, and lists at most `max_errors` errors (one more says how many were
/// left out).
pub fn finish(mut response: Response, limits: &Limits) -> Response {
    let max_errors = limits.max_errors;
    let no_data = matches!(response.data, Value::Null);
    let total = response.errors.len();
    let mut errors: Vec<ServerError> = std::mem::take(&mut response.errors)
        .into_iter()
        .take(max_errors)
        .map(|mut e| {
            let before_execution = no_data && e.path.is_empty() && code_of(&e).is_none();
            if before_execution && !is_operation_choice(&e) {
                e = validation_error(e, limits);
            }
            let code = if no_data && e.path.is_empty() {
                ErrorCode::OperationResolutionFailure
            } else {
                ErrorCode::BadUserInput
            };
            if e.message.chars().count() > MAX_MESSAGE_CHARS {
                e.message = excerpt(&e.message, MAX_MESSAGE_CHARS);
            }
            e.locations.truncate(5);
            tag(e, code)
        })
        .collect();
    if total > max_errors {
        let first = errors
            .first()
            .and_then(code_of)
            .map(str::to_string)
            .unwrap_or_default();
        let mut more = ServerError::new(
            format!(
                "{} more error(s) left out; fix the ones above and send the request again.",
                total - max_errors
            ),
            None,
        );
        more.extensions
            .get_or_insert_with(Default::default)
            .set("code", first);
        errors.push(more);
    }
    response.errors = errors;
    response
}
