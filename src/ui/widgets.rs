use super::errors::{error_text, field_text};
use super::i18n::{use_i18n, Msg};
use crate::domain::error::{AppError, ErrorCode};
use leptos::prelude::*;

/// The message under a form field, tied to it with `aria-describedby` by the caller.
#[component]
pub fn FieldMsg(
    id: String,
    #[prop(into)] error: Signal<Option<crate::domain::error::FieldError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="field-error" id=id role="alert">
            {move || error.get().map(|f| field_text(i18n.0.get(), &f))}
        </p>
    }
}

/// A page-level error with what to do next.
#[component]
pub fn ErrorBanner(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    let signin = error.code == ErrorCode::Unauthenticated;
    view! {
        <div class="banner error" role="alert">
            <p>{move || error_text(i18n.0.get(), &error)}</p>
            {signin.then(|| view! { <a href="/login">{i18n.t(Msg::GoSignIn)}</a> })}
        </div>
    }
}

/// A polite live region for results ("Rule saved.").
#[component]
pub fn Status(#[prop(into)] text: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p class="status" role="status" aria-live="polite">{move || text.get()}</p>
    }
}

/// The error of a plain form post to `S`, which leptos brings back in the URL (`?__err=`) and
/// a server action of the same function reads while the page renders on the server.
pub fn form_error<S>() -> Option<AppError>
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    ServerAction::<S>::new()
        .value()
        .with_untracked(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned()))
}
