//! `/graphql`: the GraphQL-over-HTTP transport.

use std::time::Duration;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use async_graphql::{BatchRequest, BatchResponse, Response, ServerError};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::rate::Client;
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
pub(super) fn caller(state: &AppState, req: &HttpRequest) -> crate::auth::Auth {
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    state.keys.authenticate(header)
}

/// When the server requires a key for every request: the refusal, if this one has
/// no valid key.
pub(super) fn refuse_anonymous(state: &AppState, auth: &crate::auth::Auth) -> Option<HttpResponse> {
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

pub(super) fn http_error(status: StatusCode, code: ErrorCode, message: &str) -> HttpResponse {
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

/// Whether a response has no answer to give, only errors that stopped the
/// request (before execution, or by a limit on it): it is then sent without a
/// `data` entry (GraphQL spec, 7.1.2).
fn is_request_error(response: &Response) -> bool {
    matches!(response.data, async_graphql::Value::Null)
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| {
            crate::api::codes_of(e)
                .is_some_and(|c| ErrorCode::is_request_error(c) || c == ErrorCode::Timeout.as_str())
        })
}

/// A response as sent: `data` left out when the request never ran, and the
/// fields of `data` in the order of the selection (async-graphql keeps it).
#[derive(Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a async_graphql::Value>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [ServerError],
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    extensions: &'a std::collections::BTreeMap<String, async_graphql::Value>,
}

impl<'a> From<&'a Response> for Body<'a> {
    fn from(r: &'a Response) -> Self {
        Body {
            data: (!is_request_error(r)).then_some(&r.data),
            errors: &r.errors,
            extensions: &r.extensions,
        }
    }
}

/// The status of a single response in `application/graphql-response+json`: 400
/// for a request that never ran or asked too much, 504 for one stopped by its
/// deadline, else 200. In `application/json` every answer is 200.
fn status_of(media: Media, r: &Response) -> StatusCode {
    if media != Media::GraphqlResponse || !is_request_error(r) {
        return StatusCode::OK;
    }
    let timed_out = r
        .errors
        .iter()
        .any(|e| crate::api::codes_of(e) == Some(ErrorCode::Timeout.as_str()));
    if timed_out {
        StatusCode::GATEWAY_TIMEOUT
    } else {
        StatusCode::BAD_REQUEST
    }
}

fn respond(media: Media, batch: BatchResponse, max_bytes: usize) -> HttpResponse {
    let (status, encoded) = match &batch {
        BatchResponse::Single(r) => (
            status_of(media, r),
            crate::api::encode(&Body::from(r), max_bytes),
        ),
        BatchResponse::Batch(rs) => (
            StatusCode::OK,
            crate::api::encode(&rs.iter().map(Body::from).collect::<Vec<_>>(), max_bytes),
        ),
    };
    let (status, bytes) = match encoded {
        Some(bytes) => (status, bytes),
        None => {
            let refusal = crate::api::response_too_large(max_bytes);
            let status = status_of(media, &refusal);
            let bytes = serde_json::to_vec(&Body::from(&refusal)).unwrap_or_default();
            (status, bytes)
        }
    };
    HttpResponse::build(status)
        .content_type(media.content_type())
        .body(bytes)
}

/// Reads the body, refusing more than `limit` bytes, or a body that takes longer
/// than `timeout` to arrive (a client that sends one byte at a time).
// The error is the response to send; handlers return it at once.
#[allow(clippy::result_large_err)]
async fn read_body(
    mut payload: web::Payload,
    limit: usize,
    timeout: Duration,
) -> Result<Vec<u8>, HttpResponse> {
    let read = async {
        let mut body = Vec::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| {
                tracing::debug!(error = %e, "could not read a request body");
                http_error(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::BadRequest,
                    "The request body could not be read.",
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
    };
    tokio::time::timeout(timeout, read)
        .await
        .unwrap_or_else(|_| {
            Err(http_error(
                StatusCode::REQUEST_TIMEOUT,
                ErrorCode::RequestTimeout,
                &format!(
                    "The request body did not arrive within {} ms; send it at once.",
                    timeout.as_millis()
                ),
            ))
        })
}

/// Takes `cost` requests from the client's rate allowance, or answers 429.
#[allow(clippy::result_large_err)]
pub(super) fn rate_limit(
    state: &AppState,
    req: &HttpRequest,
    auth: &crate::auth::Auth,
    cost: usize,
) -> Result<(), HttpResponse> {
    let client = Client::of(auth, req.peer_addr().map(|a| a.ip()));
    state.rate.check(&client, cost).map_err(too_many_requests)
}

/// 429 with `Retry-After` (whole seconds, at least 1).
pub(super) fn too_many_requests(wait: Duration) -> HttpResponse {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    HttpResponse::TooManyRequests()
        .insert_header((header::RETRY_AFTER, seconds.max(1).to_string()))
        .content_type(Media::Json.content_type())
        .json(json!({"errors": [{
            "message": format!("Too many requests from this client: wait {} s (Retry-After) and send again, or send fewer requests per second.", seconds.max(1)),
            "extensions": {"code": ErrorCode::RateLimited.as_str()}
        }]}))
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
            "Send the request as Content-Type: application/json, e.g. {\"query\": \"{ sources { totalCount } }\"}.",
        );
    }
    // Who asks, and whether they may, before reading what they ask.
    let auth = caller(&state, &req);
    if let Some(refusal) = refuse_anonymous(&state, &auth) {
        return refusal;
    }
    if let Err(refusal) = rate_limit(&state, &req, &auth, 1) {
        return refusal;
    }
    let body = match read_body(payload, state.max_body_bytes, state.body_timeout).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    let batch: BatchRequest = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => {
            let reason = crate::api::excerpt(&e.to_string(), 200);
            return http_error(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                &format!("The body is not a GraphQL request ({reason}). Send JSON such as {{\"query\": \"{{ sources {{ totalCount }} }}\", \"variables\": {{}}}}."),
            );
        }
    };
    let operations = match &batch {
        BatchRequest::Single(_) => 1,
        BatchRequest::Batch(rs) => rs.len(),
    };
    let has_query = match &batch {
        BatchRequest::Single(r) => !r.query.trim().is_empty(),
        BatchRequest::Batch(rs) => !rs.is_empty() && rs.iter().all(|r| !r.query.trim().is_empty()),
    };
    if !has_query {
        return http_error(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            "The request has no `query`. Send JSON such as {\"query\": \"{ sources { totalCount } }\"}.",
        );
    }
    let max_batch = state.service.limits().max_batch;
    if operations > max_batch {
        return http_error(
            StatusCode::BAD_REQUEST,
            ErrorCode::TooManyOperations,
            &format!(
                "The batch has {operations} operations; send at most {max_batch} per request."
            ),
        );
    }
    if operations > 1 {
        if let Err(refusal) = rate_limit(&state, &req, &auth, operations - 1) {
            return refusal;
        }
    }
    respond(
        media,
        state.service.execute_batch(batch, auth).await,
        state.service.limits().max_response_bytes,
    )
}

/// The query string of a GET: the GraphQL-over-HTTP parameter names.
#[derive(Deserialize)]
struct GetParams {
    query: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    /// JSON text.
    variables: Option<String>,
    /// JSON text; accepted, unused.
    #[allow(dead_code)]
    extensions: Option<String>,
}

impl GetParams {
    /// The GraphQL request of a query string, or what is wrong with it.
    fn parse(query_string: &str) -> Result<async_graphql::Request, String> {
        let params = web::Query::<GetParams>::from_query(query_string)
            .map_err(|e| crate::api::excerpt(&e.to_string(), 200))?
            .into_inner();
        let mut request = async_graphql::Request::new(params.query.unwrap_or_default());
        if let Some(name) = params.operation_name.filter(|n| !n.is_empty()) {
            request = request.operation_name(name);
        }
        if let Some(text) = params.variables.filter(|v| !v.trim().is_empty()) {
            let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                format!(
                    "`variables` is not JSON: {}",
                    crate::api::excerpt(&e.to_string(), 200)
                )
            })?;
            if !value.is_object() {
                return Err("`variables` must be a JSON object".into());
            }
            request = request.variables(async_graphql::Variables::from_json(value));
        }
        Ok(request)
    }
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
        return playground::page_response(&state.assets);
    }
    let Some(media) = negotiate(&req) else {
        return not_acceptable();
    };
    // The key and the rate first: nothing of the query is read before them.
    let auth = caller(&state, &req);
    if let Some(refusal) = refuse_anonymous(&state, &auth) {
        return refusal;
    }
    if let Err(refusal) = rate_limit(&state, &req, &auth, 1) {
        return refusal;
    }
    let request = match GetParams::parse(req.query_string()) {
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
            "The request has no `query`: use /graphql?query={sources{totalCount}} (URL-encoded), or open /playground.",
        );
    }
    let response = state.service.execute_query(request, auth).await;
    let not_a_query = response
        .errors
        .iter()
        .any(|e| crate::api::codes_of(e) == Some(ErrorCode::MethodNotAllowed.as_str()));
    if not_a_query {
        return HttpResponse::MethodNotAllowed()
            .insert_header((header::ALLOW, "POST"))
            .content_type(Media::Json.content_type())
            .body(serde_json::to_vec(&Body::from(&response)).unwrap_or_default());
    }
    respond(
        media,
        BatchResponse::Single(response),
        state.service.limits().max_response_bytes,
    )
}

/// Any other method on /graphql.
pub async fn method_not_allowed() -> HttpResponse {
    HttpResponse::MethodNotAllowed()
        .insert_header((header::ALLOW, "GET, POST"))
        .content_type(Media::Json.content_type())
        .json(json!({"errors": [{"message": "Use GET for queries or POST for any operation.", "extensions": {"code": ErrorCode::MethodNotAllowed.as_str()}}]}))
}
