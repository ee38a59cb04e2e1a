//! `/graphql`: the GraphQL-over-HTTP transport.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{BatchRequest, BatchResponse, Response};
use futures_util::StreamExt;
use serde_json::{json, Value};

use super::{playground, AppState};
use crate::api::ErrorCode;

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// The media type of the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Media {
    /// `application/graphql-response+json`: request errors get status 400.
    GraphqlResponse,
    /// `application/json` (legacy): every well-formed request gets 200.
    Json,
}

impl Media {
    fn content_type(self) -> &'static str {
        match self {
            Media::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Media::Json => "application/json; charset=utf-8",
        }
    }
}

/// Who sent the request, from its `Authorization` header (never logged).
fn caller(state: &AppState, req: &HttpRequest) -> crate::auth::Auth {
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    state.keys.authenticate(header)
}

/// When the server requires a key for every request: the refusal, if this one has
/// no valid key.
fn refuse_anonymous(state: &AppState, auth: &crate::auth::Auth) -> Option<HttpResponse> {
    if !state.require_key_for_reads || matches!(auth, crate::auth::Auth::Caller(_)) {
        return None;
    }
    Some(http_error(
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthenticated,
        "This server requires an API key for every request: send `Authorization: Bearer <key>`.",
    ))
}

/// Picks the response type from `Accept`. No header means `application/json`,
/// as the draft says; `None` means nothing acceptable was offered.
fn negotiate(req: &HttpRequest) -> Option<Media> {
    let Some(accept) = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
    else {
        return Some(Media::Json);
    };
    let (mut graphql, mut json) = (false, false);
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        match media.as_str() {
            GRAPHQL_RESPONSE_JSON => graphql = true,
            JSON | "application/*" | "*/*" => json = true,
            _ => {}
        }
    }
    if graphql {
        Some(Media::GraphqlResponse)
    } else if json {
        Some(Media::Json)
    } else {
        None
    }
}

/// An error answered before GraphQL runs, in the GraphQL error shape.
/// A 400 with code BAD_REQUEST.
pub(super) fn bad_request(message: &str) -> HttpResponse {
    http_error(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, message)
}

fn http_error(status: StatusCode, code: ErrorCode, message: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(Media::Json.content_type())
        .json(json!({"errors": [{"message": message, "extensions": {"code": code.as_str()}}]}))
}

fn not_acceptable() -> HttpResponse {
    http_error(
        StatusCode::NOT_ACCEPTABLE,
        ErrorCode::NotAcceptable,
        "The Accept header allows neither application/graphql-response+json nor application/json.",
    )
}

/// Whether a response stopped before execution: no data and only request errors.
fn is_request_error(response: &Response) -> bool {
    matches!(response.data, async_graphql::Value::Null)
        && !response.errors.is_empty()
        && response
            .errors
            .iter()
            .all(|e| crate::api::codes_of(e).is_some_and(ErrorCode::is_request_error))
}

fn body_of(response: &Response) -> Value {
    let mut body = serde_json::to_value(response).unwrap_or_else(|e| {
        tracing::error!(error = %e, "could not serialise a GraphQL response");
        json!({"errors": [{"message": "The server could not encode its answer.", "extensions": {"code": ErrorCode::InternalServerError.as_str()}}]})
    });
    // A request that never ran has no `data` entry at all (GraphQL spec, 7.1.2).
    if is_request_error(response) {
        if let Value::Object(map) = &mut body {
            map.remove("data");
        }
    }
    body
}

fn respond(media: Media, batch: BatchResponse) -> HttpResponse {
    let (status, body) = match &batch {
        BatchResponse::Single(r) => {
            let status = if media == Media::GraphqlResponse && is_request_error(r) {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::OK
            };
            (status, body_of(r))
        }
        BatchResponse::Batch(rs) => (
            StatusCode::OK,
            Value::Array(rs.iter().map(body_of).collect()),
        ),
    };
    HttpResponse::build(status)
        .content_type(media.content_type())
        .body(body.to_string())
}

/// Reads the body, refusing more than `limit` bytes.
async fn read_body(mut payload: web::Payload, limit: usize) -> Result<Vec<u8>, HttpResponse> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            http_error(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                &format!("The request body could not be read: {e}."),
            )
        })?;
        if body.len() + chunk.len() > limit {
            return Err(http_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                &format!("The request body is larger than {limit} bytes."),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// POST /graphql with a JSON body: one request or a batch (an array of them).
pub async fn post(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let Some(media) = negotiate(&req) else {
        return not_acceptable();
    };
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence != JSON {
        return http_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "Send the request as Content-Type: application/json, e.g. {\"query\": \"{ sources { id } }\"}.",
        );
    }
    let body = match read_body(payload, state.max_body_bytes).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    let batch: BatchRequest = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => {
            return http_error(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                &format!("The body is not a GraphQL request ({e}). Send JSON such as {{\"query\": \"{{ sources {{ id }} }}\", \"variables\": {{}}}}."),
            )
        }
    };
    let has_query = match &batch {
        BatchRequest::Single(r) => !r.query.trim().is_empty(),
        BatchRequest::Batch(rs) => !rs.is_empty() && rs.iter().all(|r| !r.query.trim().is_empty()),
    };
    if !has_query {
        return http_error(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            "The request has no `query`. Send JSON such as {\"query\": \"{ sources { id } }\"}.",
        );
    }
    let auth = caller(&state, &req);
    if let Some(refusal) = refuse_anonymous(&state, &auth) {
        return refusal;
    }
    respond(media, state.service.execute_batch(batch, auth).await)
}

/// GET /graphql: a query in the query string, or the playground for a browser.
pub async fn get(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    let has_query = req
        .query_string()
        .split('&')
        .any(|kv| kv.starts_with("query="));
    if wants_html && !has_query {
        return HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(playground::html(&state.assets));
    }
    let Some(media) = negotiate(&req) else {
        return not_acceptable();
    };
    let request = match async_graphql::http::parse_query_string(req.query_string()) {
        Ok(r) => r,
        Err(e) => {
            return http_error(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                &format!("The query string is not a GraphQL request ({e}). Use ?query=…&variables=<JSON>&operationName=…"),
            )
        }
    };
    if request.query.trim().is_empty() {
        return http_error(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            "The request has no `query`: use /graphql?query={sources{id}} (URL-encoded), or open /playground.",
        );
    }
    if !is_query_operation(&request) {
        return HttpResponse::MethodNotAllowed()
            .insert_header((header::ALLOW, "POST"))
            .content_type(Media::Json.content_type())
            .json(json!({"errors": [{"message": "Only queries may be sent with GET; send mutations with POST.", "extensions": {"code": ErrorCode::MethodNotAllowed.as_str()}}]}));
    }
    let auth = caller(&state, &req);
    if let Some(refusal) = refuse_anonymous(&state, &auth) {
        return refusal;
    }
    respond(
        media,
        state
            .service
            .execute_batch(BatchRequest::Single(request), auth)
            .await,
    )
}

/// Whether the operation a GET would run is a query. A document that does not
/// parse, or names no operation, counts as one: executing it reports the error.
fn is_query_operation(request: &async_graphql::Request) -> bool {
    let Ok(doc) = async_graphql::parser::parse_query(&request.query) else {
        return true;
    };
    let op = match &doc.operations {
        DocumentOperations::Single(op) => Some(op),
        DocumentOperations::Multiple(ops) => match &request.operation_name {
            Some(name) => ops.get(name.as_str()),
            None if ops.len() == 1 => ops.values().next(),
            None => None,
        },
    };
    op.is_none_or(|op| op.node.ty == OperationType::Query)
}

/// Any other method on /graphql.
pub async fn method_not_allowed() -> HttpResponse {
    HttpResponse::MethodNotAllowed()
        .insert_header((header::ALLOW, "GET, POST"))
        .content_type(Media::Json.content_type())
        .json(json!({"errors": [{"message": "Use GET for queries or POST for any operation.", "extensions": {"code": ErrorCode::MethodNotAllowed.as_str()}}]}))
}
