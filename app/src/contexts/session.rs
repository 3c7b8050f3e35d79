//! The session context: who is signed in, and the actions that change it.
//!
//! The user resource re-runs whenever a sign-in, sign-up or sign-out completes (and on `refetch`, after email verification), so the
//! whole shell (tab bar, side bar, account page) follows without a reload.

use boptone::{AppError, accounts::SessionUser};
use leptos::prelude::*;

use crate::api::accounts::{SignIn, SignOut, SignUp, current_user};

#[derive(Clone, Copy)]
pub struct Session {
    pub user: Resource<Result<Option<SessionUser>, AppError>>,
    pub sign_in: ServerAction<SignIn>,
    pub sign_up: ServerAction<SignUp>,
    pub sign_out: ServerAction<SignOut>,
}

/// Creates the session context; call once, in `App`.
pub fn provide_session() -> Session {
    let sign_in = ServerAction::<SignIn>::new();
    let sign_up = ServerAction::<SignUp>::new();
    let sign_out = ServerAction::<SignOut>::new();
    let user = Resource::new(
        move || {
            (
                sign_in.version().get(),
                sign_up.version().get(),
                sign_out.version().get(),
            )
        },
        |_| current_user(),
    );
    let session = Session {
        user,
        sign_in,
        sign_up,
        sign_out,
    };
    provide_context(session);
    session
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
