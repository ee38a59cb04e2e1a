//! Gives every error a stable `extensions.code`, including the ones async-graphql
//! raises itself (syntax, validation, limits), which carry none.
//!
//! Errors from the parse and validation phases are tagged by an extension hook, since
//! only there is the phase known. What is still untagged after execution is either
//! an operation-selection failure (no `path`, no data) or an argument that failed to
//! coerce inside execution, which is the client's input.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Response, ServerError, ServerResult, ValidationResult, Value, Variables};

use super::error::ErrorCode;

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
        next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|mut e| {
                    let code = if e.message.contains("too complex") {
                        e.message = format!(
                            "The query asks for too much at once (complexity over {}): each connection multiplies what is nested in it by its `first`; ask for smaller pages or nest less.",
                            super::MAX_COMPLEXITY
                        );
                        ErrorCode::QueryTooComplex
                    } else if e.message.contains("nested too deep") {
                        e.message = format!("The query nests fields deeper than {} levels; split it into several queries.", super::MAX_DEPTH);
                        ErrorCode::QueryTooDeep
                    } else {
                        ErrorCode::GraphqlValidationFailed
                    };
                    tag(e, code)
                })
                .collect()
        })
    }
}

/// Tags the errors still without a code once the request has run.
pub fn finish(mut response: Response) -> Response {
    let no_data = matches!(response.data, Value::Null);
    response.errors = std::mem::take(&mut response.errors)
        .into_iter()
        .map(|e| {
            let code = if no_data && e.path.is_empty() {
                ErrorCode::OperationResolutionFailure
            } else {
                ErrorCode::BadUserInput
            };
            tag(e, code)
        })
        .collect();
    response
}
