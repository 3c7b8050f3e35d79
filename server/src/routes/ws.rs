//! `/ws`: one WebSocket per open tab. It forwards, as small JSON messages, the
//! signed-in user's own pushes ("your notifications changed": the tab refetches) and
//! the new counts of the Bops the tab says it is watching (`{"watch": [ids]}`), which
//! anyone may watch, signed in or not.

use std::{net::SocketAddr, time::Duration};

use axum::{
    extract::{
        ConnectInfo, State,
        ws::{Message, WebSocket, WebSocketUpgrade},
    },
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use boptone::realtime::Push;
use tokio::sync::broadcast::{Receiver, error::RecvError};

use boptone_app::api::guards::session_user;

use crate::startup::ServerState;

pub async fn ws(
    State(state): State<ServerState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    // Browsers send cookies on cross-site WebSocket handshakes: check the origin first.
    if !state.allowed_origin.permits(&headers) {
        return (StatusCode::FORBIDDEN, "Cross-origin WebSocket refused.").into_response();
    }
    if let Err(err) = state
        .app
        .auth_limits
        .sockets_per_ip
        .check(&client_ip(&state, &headers, peer))
    {
        return err.into_response();
    }
    let user = match session_user(&state.app, &headers).await {
        Ok(user) => user.map(|u| u.id.0),
        // The database is unreachable: the tab retries later.
        Err(err) => return (StatusCode::SERVICE_UNAVAILABLE, err).into_response(),
    };
    let pushes = state.app.realtime.subscribe();
    upgrade.on_upgrade(move |socket| forward(socket, user, pushes))
}

fn client_ip(state: &ServerState, headers: &HeaderMap, peer: SocketAddr) -> String {
    let header = state.app.settings.client_ip_header.as_deref();
    let forwarded = header
        .and_then(|name| headers.get(name))
        .and_then(|v| v.to_str().ok());
    boptone::ratelimit::client_address(forwarded, header.is_some(), Some(peer.ip()))
}

/// The most Bops one tab watches at once (the feed keeps three players).
const MAX_WATCHED: usize = 16;

/// The Bops a tab asks to watch: `{"watch": [1, 2, 3]}`.
fn watched(text: &str) -> Option<Vec<i64>> {
    #[derive(serde::Deserialize)]
    struct Watch {
        watch: Vec<i64>,
    }
    let watch: Watch = serde_json::from_str(text).ok()?;
    Some(watch.watch.into_iter().take(MAX_WATCHED).collect())
}

async fn forward(mut socket: WebSocket, user: Option<i64>, mut pushes: Receiver<Push>) {
    let mut ping = tokio::time::interval(Duration::from_secs(30));
    ping.tick().await;
    let mut watching: Vec<i64> = Vec::new();
    loop {
        tokio::select! {
            push = pushes.recv() => {
                let push = match push {
                    Ok(push) => push,
                    // Fell behind: tell the tab to refetch its notifications.
                    Err(RecvError::Lagged(_)) => match user {
                        Some(user_id) => Push::Notifications { user_id },
                        None => continue,
                    },
                    Err(RecvError::Closed) => break,
                };
                let wanted = match &push {
                    Push::Notifications { user_id } => user == Some(*user_id),
                    Push::BopCounts { bop_id, .. } => watching.contains(bop_id),
                };
                if !wanted {
                    continue;
                }
                let text = push.message().to_string();
                if socket.send(Message::Text(text.into())).await.is_err() {
                    break;
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(Message::Text(text))) => {
                    if let Some(ids) = watched(&text) {
                        // Said back, so the tab knows from when pushes for them come.
                        let ack = serde_json::json!({ "topic": "watching", "bop_ids": ids });
                        watching = ids;
                        if socket.send(Message::Text(ack.to_string().into())).await.is_err() {
                            break;
                        }
                    }
                }
                Some(Ok(_)) => {}
            },
            _ = ping.tick() => {
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    break;
                }
            }
        }
    }
}
