//! The page a one-time password-reset link opens: a new password, once. No sign-in needed.
use super::i18n::{use_i18n, Msg};
use super::widgets::{field_of, form_error, FieldMsg, InlineError};
use crate::api::account::{reset_link_valid, ResetPassword};
use crate::domain::error::ErrorCode;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ResetPage() -> impl IntoView {
    let i18n = use_i18n();
    let token = use_params_map().with_untracked(|p| p.get("token").unwrap_or_default());
    let valid = Resource::new(
        {
            let token = token.clone();
            move || token.clone()
        },
        reset_link_valid,
    );
    let error = form_error::<ResetPassword>();
    let top = error.clone().filter(|e| e.code != ErrorCode::Validation);
    view! {
        <section class="page narrow">
            <h1>{i18n.t(Msg::ResetTitle)}</h1>
            <Suspense fallback=|| ()>
                {move || valid.get().map(|v| if v.unwrap_or(false) {
                    view! {
                        <form class="form" method="post" action=ResetPassword::PATH novalidate=true>
                            <input type="hidden" name="token" value=token.clone()/>
                            <InlineError error=top.clone()/>
                            <label for="reset-password">{i18n.t(Msg::NewPassword)}</label>
                            <input id="reset-password" name="password" type="password" autocomplete="new-password"
                                aria-describedby="reset-password-error"/>
                            <FieldMsg id="reset-password-error".into() error=field_of(&error, "password")/>
                            <button type="submit" class="primary" data-pending=i18n.now(Msg::SettingPassword)>{i18n.t(Msg::ResetSave)}</button>
                        </form>
                    }.into_any()
                } else {
                    view! { <div class="banner error" role="alert"><p>{i18n.t(Msg::ResetInvalid)}</p></div> }.into_any()
                })}
            </Suspense>
        </section>
    }
}
