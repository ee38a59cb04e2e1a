//! Subscriptions over WebSocket at `/graphql`: the `graphql-transport-ws` protocol
//! (what the npm `graphql-ws` client speaks), and the older `graphql-ws`
//! (subscriptions-transport-ws) for clients that only offer that one.
//!
//! Reads are public by default, so a connection needs no key. When the server
//! requires one (`--require-key-for-reads`), the client sends it in the
//! `connection_init` payload (`{"Authorization": "Bearer <key>"}`, the way browser
//! clients must, since they cannot set headers on a WebSocket) or in the upgrade
//! request's `Authorization` header; without a valid one the server closes the
//! connection with 4403.

use std::future::ready;

use actix_web::{web, HttpRequest, HttpResponse};
use actix_ws::{AggregatedMessage, CloseCode, CloseReason};
use async_graphql::http::{WebSocket, WebSocketProtocols, WsMessage};
use futures_util::StreamExt;

use super::AppState;
use crate::auth::Auth;

/// Whether a request asks to upgrade to a WebSocket (a route guard).
pub fn is_upgrade(ctx: &actix_web::guard::GuardContext<'_>) -> bool {
    ctx.head()
        .headers()
        .get(actix_web::http::header::UPGRADE)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"websocket"))
}

/// The protocol to speak: the first one the client offers that the server knows;
/// `graphql-transport-ws` when it offers none.
fn protocol(req: &HttpRequest) -> Option<WebSocketProtocols> {
    let Some(offered) = req
        .headers()
        .get(actix_web::http::header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
    else {
        return Some(WebSocketProtocols::GraphQLWS);
    };
    offered
        .split(',')
        .find_map(|p| p.trim().parse::<WebSocketProtocols>().ok())
}

/// The key in a `connection_init` payload, if it carries one.
fn payload_key(payload: &serde_json::Value) -> Option<String> {
    let obj = payload.as_object()?;
    let value = obj
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        .map(|(_, v)| v)
        .or_else(|| obj.get("headers").and_then(|h| h.get("Authorization")))?;
    value.as_str().map(str::to_string)
}

/// GET /graphql with `Upgrade: websocket`.
pub async fn subscribe(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
) -> actix_web::Result<HttpResponse> {
    let Some(protocol) = protocol(&req) else {
        return Ok(super::graphql::bad_request(
            "Offer the `graphql-transport-ws` WebSocket subprotocol (the npm graphql-ws client does).",
        ));
    };
    let header_auth = state.keys.authenticate(
        req.headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok()),
    );
    let (response, session, messages) =
        actix_ws::handle_with_protocols(&req, body, &[protocol.sec_websocket_protocol()])?;
    let state = state.into_inner();
    actix_web::rt::spawn(async move {
        let max = state.max_body_bytes;
        let pong = session.clone();
        // Client frames: text and binary go to the protocol; pings are answered;
        // a close frame (or a broken stream) ends the connection.
        let incoming = messages
            .max_frame_size(max)
            .aggregate_continuations()
            .max_continuation_size(max)
            .take_while(|m| ready(matches!(m, Ok(m) if !matches!(m, AggregatedMessage::Close(_)))))
            .filter_map(move |m| {
                let mut pong = pong.clone();
                async move {
                    match m {
                        Ok(AggregatedMessage::Text(t)) => Some(t.into_bytes()),
                        Ok(AggregatedMessage::Binary(b)) => Some(b),
                        Ok(AggregatedMessage::Ping(p)) => {
                            let _ = pong.pong(&p).await;
                            None
                        }
                        _ => None,
                    }
                }
            });
        let init_state = state.clone();
        // async-graphql closes a refused connection_init with 1002; the protocol
        // recommends 4403 Forbidden, which clients tell apart from a broken frame.
        let refused_init = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let refused_flag = refused_init.clone();
        let stream = WebSocket::new(state.service.clone(), incoming, protocol)
            .on_connection_init(move |payload| {
                let auth = match payload_key(&payload) {
                    Some(key) => init_state.keys.authenticate(Some(&key)),
                    None => header_auth,
                };
                let refused = match &auth {
                    Auth::Invalid => Some("The API key is not valid."),
                    Auth::Anonymous if init_state.require_key_for_reads => Some(
                        "This server requires an API key: send {\"Authorization\": \"Bearer <key>\"} as the connection_init payload.",
                    ),
                    _ => None,
                };
                let result = match refused {
                    Some(message) => {
                        refused_flag.store(true, std::sync::atomic::Ordering::SeqCst);
                        Err(async_graphql::Error::new(message))
                    }
                    None => Ok(init_state.service.connection_data(auth)),
                };
                ready(result)
            });
        futures_util::pin_mut!(stream);
        let mut session = session;
        while let Some(message) = stream.next().await {
            match message {
                WsMessage::Text(text) => {
                    if session.text(text).await.is_err() {
                        return;
                    }
                }
                WsMessage::Close(code, reason) => {
                    let code = if refused_init.load(std::sync::atomic::Ordering::SeqCst) {
                        4403
                    } else {
                        code
                    };
                    let reason = CloseReason {
                        code: CloseCode::Other(code),
                        description: Some(reason),
                    };
                    let _ = session.close(Some(reason)).await;
                    return;
                }
            }
        }
        let _ = session.close(None).await;
    });
    Ok(response)
}
