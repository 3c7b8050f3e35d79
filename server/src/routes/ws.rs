//! `/ws`: one WebSocket per open tab of a signed-in user. It forwards that user's
//! pushes ("your notifications changed") as small JSON messages; the tab refetches.

use std::time::Duration;

use axum::{
    extract::{
        State,
        ws::{Message, WebSocket, WebSocketUpgrade},
    },
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use boptone::{AppError, realtime::Push};
use tokio::sync::broadcast::{Receiver, error::RecvError};

use boptone_app::api::guards::session_user;

use crate::startup::ServerState;

pub async fn ws(
    State(state): State<ServerState>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    // Browsers send cookies on cross-site WebSocket handshakes: check the origin first.
    if !state.allowed_origin.permits(&headers) {
        return (StatusCode::FORBIDDEN, "Cross-origin WebSocket refused.").into_response();
    }
    let user = session_user(&state.app, &headers).await;
    match user {
        Ok(Some(user)) => {
            let pushes = state.app.realtime.subscribe();
            upgrade.on_upgrade(move |socket| forward(socket, user.id.0, pushes))
        }
        Ok(None) => AppError::Unauthenticated.into_response(),
        // The database is unreachable: the tab retries later.
        Err(err) => (StatusCode::SERVICE_UNAVAILABLE, err).into_response(),
    }
}

async fn forward(mut socket: WebSocket, user_id: i64, mut pushes: Receiver<Push>) {
    let mut ping = tokio::time::interval(Duration::from_secs(30));
    ping.tick().await;
    loop {
        tokio::select! {
            push = pushes.recv() => {
                let push = match push {
                    Ok(push) if push.user_id == user_id => push,
                    Ok(_) => continue,
                    // Fell behind: tell the tab to refetch everything.
                    Err(RecvError::Lagged(_)) => Push { user_id, topic: "notifications".into() },
                    Err(RecvError::Closed) => break,
                };
                let text = serde_json::json!({ "topic": push.topic }).to_string();
                if socket.send(Message::Text(text.into())).await.is_err() {
                    break;
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
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
