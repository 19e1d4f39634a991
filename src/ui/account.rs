//! The signed-in user's own account: change the password, sign out other sessions. Plain
//! forms; the result comes back in the URL (`?done=`, or the error by its code).
use super::i18n::{use_i18n, Msg};
use super::widgets::{field_of, form_error, FieldMsg, InlineError, Status};
use crate::api::account::{ChangePassword, SignOutOthers};
use crate::domain::error::ErrorCode;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let done = use_query_map().with_untracked(|q| q.get("done"));
    let status = match done.as_deref() {
        Some("password") => Some(i18n.now(Msg::PasswordChanged).to_string()),
        Some("others") => Some(i18n.now(Msg::SignedOutOthers).to_string()),
        _ => None,
    };
    let error = form_error::<ChangePassword>();
    let top = error.clone().filter(|e| e.code != ErrorCode::Validation);
    let others_error = form_error::<SignOutOthers>();
    view! {
        <section class="page narrow">
            <h1>{i18n.t(Msg::AccountTitle)}</h1>
            <Status text=status/>
            <form class="form" method="post" action=ChangePassword::PATH novalidate=true>
                <h2>{i18n.t(Msg::ChangePassword)}</h2>
                <InlineError error=top/>
                <label for="current-password">{i18n.t(Msg::CurrentPassword)}</label>
                <input id="current-password" name="current_password" type="password" autocomplete="current-password"
                    aria-describedby="current-password-error"/>
                <FieldMsg id="current-password-error".into() error=field_of(&error, "current_password")/>
                <label for="new-password">{i18n.t(Msg::NewPassword)}</label>
                <input id="new-password" name="new_password" type="password" autocomplete="new-password"
                    aria-describedby="new-password-error"/>
                <FieldMsg id="new-password-error".into() error=field_of(&error, "new_password")/>
                <button type="submit" class="primary" data-pending=i18n.now(Msg::Saving)>{i18n.t(Msg::ChangePassword)}</button>
            </form>
            <form class="form" method="post" action=SignOutOthers::PATH>
                <h2>{i18n.t(Msg::SignOutOthers)}</h2>
                <p>{i18n.t(Msg::SignOutOthersIntro)}</p>
                <InlineError error=others_error/>
                <button type="submit" data-testid="sign-out-others" data-pending=i18n.now(Msg::Working)>{i18n.t(Msg::SignOutOthers)}</button>
            </form>
        </section>
    }
}
