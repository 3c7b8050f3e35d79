//! The session context: who is signed in, and the actions that change it.
//!
//! The user resource re-runs whenever a sign-in or sign-out completes (and on
//! `refetch`, after the emailed link signs someone in), so the whole shell (tab bar,
//! side bar, account page) follows without a reload. Signing up signs nobody in: the
//! sign-up page has its own action.

use boptone::{AppError, accounts::SessionUser};
use leptos::prelude::*;

use crate::api::accounts::{SignIn, SignOut, current_user};

#[derive(Clone, Copy)]
pub struct Session {
    pub user: Resource<Result<Option<SessionUser>, AppError>>,
    pub sign_in: ServerAction<SignIn>,
    pub sign_out: ServerAction<SignOut>,
}

/// Creates the session context; call once, in `App`.
pub fn provide_session() -> Session {
    let sign_in = ServerAction::<SignIn>::new();
    let sign_out = ServerAction::<SignOut>::new();
    let user = Resource::new(
        move || (sign_in.version().get(), sign_out.version().get()),
        |_| current_user(),
    );
    let session = Session {
        user,
        sign_in,
        sign_out,
    };
    provide_context(session);
    session
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
