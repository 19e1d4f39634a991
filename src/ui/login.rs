use super::errors::{error_text, from_url};
use super::i18n::{use_i18n, Msg};
use crate::api::session::Login;
use crate::domain::error::ErrorCode;
use leptos::prelude::*;

/// A plain form post: the server answers with the landing page, or comes back here with the
/// error in the URL, which the action reads on the server.
#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let login = ServerAction::<Login>::new();
    // Only ever from the URL (this page does not hydrate): its codes, never its text.
    let error = move || login.value().get().and_then(|r| r.err()).map(from_url);
    view! {
        <section class="page narrow">
            <h1>{i18n.t(Msg::SignIn)}</h1>
            {(leptos_router::hooks::use_query_map().with_untracked(|q| q.get("done")).as_deref() == Some("reset"))
                .then(|| view! { <p class="status" role="status">{i18n.t(Msg::ResetDone)}</p> })}
            <ActionForm action=login attr:class="form" attr:aria-describedby="login-error">
                <label for="email">{i18n.t(Msg::Email)}</label>
                <input id="email" name="email" type="email" autocomplete="username" required/>
                <label for="password">{i18n.t(Msg::Password)}</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required/>
                <p id="login-error" class="field-error" role="alert">
                    {move || {
                        error()
                            .map(|e| match e.code {
                                ErrorCode::Unauthenticated => i18n.now(Msg::ErrSignIn).to_string(),
                                ErrorCode::RateLimited => i18n.now(Msg::ErrSignInWait).to_string(),
                                _ => error_text(i18n.0.get(), &e),
                            })
                    }}
                </p>
                <button type="submit" class="primary" data-pending=i18n.now(Msg::SigningIn)>
                    {i18n.t(Msg::SignIn)}
                </button>
            </ActionForm>
        </section>
    }
}
