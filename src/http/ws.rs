//! Subscriptions over WebSocket at `/graphql`: the `graphql-transport-ws` protocol
//! (what the npm `graphql-ws` client speaks), and the older `graphql-ws`
//! (subscriptions-transport-ws) for clients that only offer that one.
//!
//! async-graphql speaks the protocol; this module holds each connection to the
//! limits a public server needs, which the protocol names but async-graphql leaves
//! open: a client that does not send `connection_init` in time is closed with
//! 4408, one that subscribes before it with 4401, a second subscription under an
//! id still in use with 4409, a malformed message with 4400 and a frame over the
//! size limit with 1009; a connection holds at most `max_subscriptions` at once
//! (one more gets an `error` message with TOO_MANY_SUBSCRIPTIONS), a client at most
//! `max_per_client` connections; the server pings every `ping` and closes a
//! connection that answered nothing for three of them; and a browser page of an
//! origin CORS does not allow cannot connect at all.
//!
//! Reads are public by default, so a connection needs no key. When the server
//! requires one (`--require-key-for-reads`), the client sends it in the
//! `connection_init` payload (`{"Authorization": "Bearer <key>"}`, the way browser
//! clients must, since they cannot set headers on a WebSocket) or in the upgrade
//! request's `Authorization` header; without a valid one the server closes the
//! connection with 4403.

use std::collections::{HashMap, HashSet};
use std::future::ready;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use actix_ws::{AggregatedMessage, CloseCode, CloseReason, ProtocolError, Session};
use async_graphql::http::{WebSocket, WebSocketProtocols, WsMessage};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::json;

use super::rate::Client;
use super::AppState;
use crate::api::ErrorCode;
use crate::auth::Auth;

/// The limits of the WebSocket transport, and the connections each client holds.
pub struct WsLimits {
    pub max_subscriptions: usize,
    pub max_per_client: usize,
    pub init_timeout: Duration,
    pub ping: Duration,
    connections: Arc<Mutex<HashMap<Client, usize>>>,
}

impl WsLimits {
    pub fn new(
        max_subscriptions: usize,
        max_per_client: usize,
        init_timeout: Duration,
        ping: Duration,
    ) -> Self {
        WsLimits {
            max_subscriptions,
            max_per_client,
            init_timeout,
            ping: ping.max(Duration::from_millis(100)),
            connections: Arc::default(),
        }
    }

    /// A connection for `client`, unless it holds as many as it may.
    fn connect(&self, client: Client) -> Option<Slot> {
        let mut held = self
            .connections
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let n = held.entry(client.clone()).or_default();
        if *n >= self.max_per_client {
            return None;
        }
        *n += 1;
        Some(Slot {
            client,
            connections: self.connections.clone(),
        })
    }
}

/// One connection of a client, given back when dropped.
struct Slot {
    client: Client,
    connections: Arc<Mutex<HashMap<Client, usize>>>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut held = self
            .connections
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(n) = held.get_mut(&self.client) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                held.remove(&self.client);
            }
        }
    }
}

/// Whether a request asks to upgrade to a WebSocket (a route guard).
pub fn is_upgrade(ctx: &actix_web::guard::GuardContext<'_>) -> bool {
    ctx.head()
        .headers()
        .get(header::UPGRADE)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"websocket"))
}

/// The protocol to speak: the first one the client offers that the server knows;
/// `graphql-transport-ws` when it offers none.
fn protocol(req: &HttpRequest) -> Option<WebSocketProtocols> {
    let Some(offered) = req
        .headers()
        .get(header::SEC_WEBSOCKET_PROTOCOL)
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

/// Whether a browser page of `origin` may connect: CORS's list applies to
/// WebSockets too (browsers do not enforce CORS on them; the server must).
fn origin_allowed(allowed: &[String], origin: Option<&str>) -> bool {
    let Some(origin) = origin else {
        // Not a browser: no page of another site is involved.
        return true;
    };
    allowed
        .iter()
        .any(|a| a == "*" || a.eq_ignore_ascii_case(origin))
}

fn refuse(status: StatusCode, code: ErrorCode, message: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("application/json; charset=utf-8")
        .json(json!({"errors": [{"message": message, "extensions": {"code": code.as_str()}}]}))
}

/// GET /graphql with `Upgrade: websocket`.
pub async fn subscribe(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
) -> actix_web::Result<HttpResponse> {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .map(|o| o.to_str().unwrap_or("(not text)"));
    if !origin_allowed(&state.cors_origins, origin) {
        return Ok(refuse(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "Pages of this origin may not connect: the server's --cors-origins does not list it.",
        ));
    }
    let Some(protocol) = protocol(&req) else {
        return Ok(super::graphql::bad_request(
            "Offer the `graphql-transport-ws` WebSocket subprotocol (the npm graphql-ws client does).",
        ));
    };
    let header_auth = state.keys.authenticate(
        req.headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok()),
    );
    let ip: Option<IpAddr> = req.peer_addr().map(|a| a.ip());
    if let Err(wait) = state.rate.check(&Client::of(&header_auth, ip), 1) {
        return Ok(super::graphql::too_many_requests(wait));
    }
    // Connections count per address whatever key they carry: the key of most
    // clients comes later, in `connection_init`.
    let Some(slot) = state.ws.connect(Client::of(&Auth::Anonymous, ip)) else {
        return Ok(refuse(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            &format!(
                "This client holds {} WebSocket connections already, the most it may; close one, or run several subscriptions on one connection.",
                state.ws.max_per_client
            ),
        ));
    };
    let (response, session, messages) =
        actix_ws::handle_with_protocols(&req, body, &[protocol.sec_websocket_protocol()])?;
    actix_web::rt::spawn(serve(
        state.into_inner(),
        session,
        messages,
        protocol,
        header_auth,
        slot,
    ));
    Ok(response)
}

/// What the guard makes of a client message.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// Pass it to the protocol.
    Forward,
    /// A new operation under this id: pass it on if the client's rate allows.
    Operation(String),
    /// Answer it with this text message instead.
    Reply(String),
    /// Close the connection with this code and reason.
    Close(u16, String),
}

/// The type and id of a protocol message (the payload is not needed here).
#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    kind: String,
    id: Option<String>,
}

/// The limits of one connection, kept by reading the messages both ways.
struct Guard {
    initialised: bool,
    /// Ids of the operations running.
    active: HashSet<String>,
    max: usize,
}

impl Guard {
    fn new(max: usize) -> Self {
        Guard {
            initialised: false,
            active: HashSet::new(),
            max,
        }
    }

    /// A message from the client.
    fn incoming(&mut self, bytes: &[u8]) -> Verdict {
        let Ok(message) = serde_json::from_slice::<Envelope>(bytes) else {
            return Verdict::Close(4400, "Invalid message received".into());
        };
        match message.kind.as_str() {
            "connection_init" => {
                if self.initialised {
                    return Verdict::Close(4429, "Too many initialisation requests".into());
                }
                self.initialised = true;
                Verdict::Forward
            }
            "subscribe" | "start" => {
                if !self.initialised {
                    return Verdict::Close(4401, "Unauthorized".into());
                }
                let Some(id) = message.id.filter(|id| !id.is_empty() && id.len() <= 128) else {
                    return Verdict::Close(4400, "Invalid message received: no id".into());
                };
                if self.active.contains(&id) {
                    let shown = crate::api::excerpt(&id, 40);
                    return Verdict::Close(4409, format!("Subscriber for {shown} already exists"));
                }
                if self.active.len() >= self.max {
                    return Verdict::Reply(operation_error(
                        &id,
                        ErrorCode::TooManySubscriptions,
                        &format!("This connection runs {} operations already, the most it may: complete one first.", self.max),
                    ));
                }
                self.active.insert(id.clone());
                Verdict::Operation(id)
            }
            "complete" | "stop" => {
                if let Some(id) = message.id {
                    self.active.remove(&id);
                }
                Verdict::Forward
            }
            "ping" | "pong" | "connection_terminate" => Verdict::Forward,
            _ => Verdict::Close(4400, "Invalid message received: unknown type".into()),
        }
    }

    /// An operation that will not run after all.
    fn dropped(&mut self, id: &str) {
        self.active.remove(id);
    }

    /// A message to the client: an operation that ended frees its id.
    fn outgoing(&mut self, text: &str) {
        if self.active.is_empty() {
            return;
        }
        if let Ok(message) = serde_json::from_str::<Envelope>(text) {
            if matches!(message.kind.as_str(), "complete" | "error") {
                if let Some(id) = message.id {
                    self.active.remove(&id);
                }
            }
        }
    }
}

/// The protocol's `error` message for operation `id`.
fn operation_error(id: &str, code: ErrorCode, message: &str) -> String {
    json!({
        "id": id,
        "type": "error",
        "payload": [{"message": message, "extensions": {"code": code.as_str()}}]
    })
    .to_string()
}

async fn close(session: Session, code: u16, reason: impl Into<String>) {
    let reason = CloseReason {
        code: CloseCode::Other(code),
        description: Some(reason.into()),
    };
    let _ = session.close(Some(reason)).await;
}

/// Serves one connection until either side ends it.
async fn serve(
    state: Arc<AppState>,
    mut session: Session,
    messages: actix_ws::MessageStream,
    protocol: WebSocketProtocols,
    header_auth: Auth,
    slot: Slot,
) {
    let max = state.max_body_bytes;
    let mut frames = messages
        .max_frame_size(max)
        .aggregate_continuations()
        .max_continuation_size(max);

    // The messages the guard lets through go to async-graphql's protocol.
    let (to_protocol, from_client) = tokio::sync::mpsc::channel::<Vec<u8>>(16);
    let incoming = futures_util::stream::unfold(from_client, |mut rx| async move {
        rx.recv().await.map(|m| (m, rx))
    });
    let init_state = state.clone();
    // async-graphql closes a refused connection_init with 1002; the protocol
    // recommends 4403 Forbidden, which clients tell apart from a broken frame.
    let refused_init = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let refused_flag = refused_init.clone();
    let stream = WebSocket::new(state.service.clone(), incoming, protocol).on_connection_init(
        move |payload| {
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
        },
    );
    futures_util::pin_mut!(stream);

    let mut guard = Guard::new(state.ws.max_subscriptions);
    let init_deadline = tokio::time::sleep(state.ws.init_timeout);
    futures_util::pin_mut!(init_deadline);
    let ping_every = state.ws.ping;
    let mut pings = tokio::time::interval_at(tokio::time::Instant::now() + ping_every, ping_every);
    let mut last_heard = Instant::now();

    // A message on its way to the protocol. While one waits for room in the
    // channel, no more frames are read (the client is held back by TCP) but the
    // protocol's stream is still driven, which is what makes room: awaiting the
    // room inside the frame branch would stop the one thing that frees it.
    let mut pending: Option<Vec<u8>> = None;
    let mut shutdown = state.shutdown.clone();

    loop {
        tokio::select! {
            permit = to_protocol.reserve(), if pending.is_some() => {
                let Ok(permit) = permit else { return };
                if let Some(bytes) = pending.take() {
                    permit.send(bytes);
                }
            }
            frame = frames.next(), if pending.is_none() => {
                let bytes = match frame {
                    None => return,
                    Some(Err(ProtocolError::Overflow)) => {
                        return close(session, 1009, format!("Message too big: the limit is {max} bytes")).await;
                    }
                    Some(Err(e)) => {
                        tracing::debug!(error = %e, "WebSocket protocol error");
                        return close(session, 1002, "Protocol error").await;
                    }
                    Some(Ok(message)) => {
                        last_heard = Instant::now();
                        match message {
                            AggregatedMessage::Text(t) => t.into_bytes(),
                            AggregatedMessage::Binary(b) => b,
                            AggregatedMessage::Ping(p) => {
                                if session.pong(&p).await.is_err() {
                                    return;
                                }
                                continue;
                            }
                            AggregatedMessage::Pong(_) => continue,
                            AggregatedMessage::Close(_) => {
                                let _ = session.close(None).await;
                                return;
                            }
                        }
                    }
                };
                match guard.incoming(&bytes) {
                    Verdict::Operation(id) => {
                        // Each operation costs the client one request, as over HTTP.
                        if let Err(wait) = state.rate.check(&slot.client, 1) {
                            guard.dropped(&id);
                            let message = format!(
                                "Too many requests from this client: wait {} s and subscribe again.",
                                wait.as_secs().max(1)
                            );
                            if session.text(operation_error(&id, ErrorCode::RateLimited, &message)).await.is_err() {
                                return;
                            }
                        } else {
                            pending = Some(bytes.to_vec());
                        }
                    }
                    Verdict::Forward => pending = Some(bytes.to_vec()),
                    Verdict::Reply(text) => {
                        if session.text(text).await.is_err() {
                            return;
                        }
                    }
                    Verdict::Close(code, reason) => return close(session, code, reason).await,
                }
            }
            out = stream.next() => match out {
                Some(WsMessage::Text(text)) => {
                    guard.outgoing(&text);
                    if session.text(text).await.is_err() {
                        return;
                    }
                }
                Some(WsMessage::Close(code, reason)) => {
                    let code = if refused_init.load(std::sync::atomic::Ordering::SeqCst) {
                        4403
                    } else {
                        code
                    };
                    return close(session, code, reason).await;
                }
                None => {
                    let _ = session.close(None).await;
                    return;
                }
            },
            _ = &mut init_deadline, if !guard.initialised => {
                return close(session, 4408, "Connection initialisation timeout").await;
            }
            _ = pings.tick() => {
                if last_heard.elapsed() > ping_every * 3 {
                    return close(session, 1001, "No answer to three pings: closing an idle connection").await;
                }
                if session.ping(b"").await.is_err() {
                    return;
                }
            }
            _ = shutdown.changed() => {
                return close(session, 1001, "The server is going away").await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(v: serde_json::Value) -> Vec<u8> {
        v.to_string().into_bytes()
    }

    #[test]
    fn the_guard_applies_the_protocols_close_codes() {
        let mut g = Guard::new(2);
        let sub = |id: &str| {
            msg(
                json!({"type": "subscribe", "id": id, "payload": {"query": "subscription { actorChanged { change } }"}}),
            )
        };
        assert_eq!(
            g.incoming(&sub("1")),
            Verdict::Close(4401, "Unauthorized".into())
        );
        assert!(matches!(g.incoming(b"not json"), Verdict::Close(4400, _)));
        assert_eq!(
            g.incoming(&msg(json!({"type": "connection_init"}))),
            Verdict::Forward
        );
        assert!(matches!(
            g.incoming(&msg(json!({"type": "connection_init"}))),
            Verdict::Close(4429, _)
        ));
        assert_eq!(g.incoming(&sub("1")), Verdict::Operation("1".into()));
        assert!(matches!(g.incoming(&sub("1")), Verdict::Close(4409, _)));
        assert_eq!(g.incoming(&sub("2")), Verdict::Operation("2".into()));
        let Verdict::Reply(text) = g.incoming(&sub("3")) else {
            panic!("a third subscription is answered with an error");
        };
        assert!(text.contains("TOO_MANY_SUBSCRIPTIONS"), "{text}");
        // Completed by the server, or by the client: the id is free again.
        g.outgoing(&json!({"type": "complete", "id": "1"}).to_string());
        assert_eq!(g.incoming(&sub("3")), Verdict::Operation("3".into()));
        assert_eq!(
            g.incoming(&msg(json!({"type": "complete", "id": "2"}))),
            Verdict::Forward
        );
        assert_eq!(g.incoming(&sub("2")), Verdict::Operation("2".into()));
        // An operation the rate refused frees its id at once.
        g.dropped("2");
        assert_eq!(g.incoming(&sub("2")), Verdict::Operation("2".into()));
        assert!(matches!(
            g.incoming(&msg(json!({"type": "launch"}))),
            Verdict::Close(4400, _)
        ));
    }

    #[test]
    fn origins_outside_the_cors_list_are_refused() {
        let list = vec!["https://app.example".to_string()];
        assert!(origin_allowed(&list, Some("https://app.example")));
        assert!(!origin_allowed(&list, Some("https://evil.example")));
        assert!(origin_allowed(&list, None));
        assert!(origin_allowed(
            &["*".to_string()],
            Some("https://any.example")
        ));
    }

    #[test]
    fn a_client_holds_at_most_its_share_of_connections() {
        let limits = WsLimits::new(1, 2, Duration::from_secs(1), Duration::from_secs(1));
        let me = Client::Address("192.0.2.1".parse().unwrap());
        let a = limits.connect(me.clone()).unwrap();
        let _b = limits.connect(me.clone()).unwrap();
        assert!(limits.connect(me.clone()).is_none());
        drop(a);
        assert!(limits.connect(me).is_some());
    }
}
