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

/// A refused action's message, next to its form (nothing when there is none).
#[component]
pub fn InlineError(error: Option<AppError>) -> impl IntoView {
    let i18n = use_i18n();
    error.map(
        |e| view! { <p class="field-error" role="alert">{error_text(i18n.now_lang(), &e)}</p> },
    )
}

/// One field's message out of a refused form's error, for [`FieldMsg`].
pub fn field_of(
    error: &Option<AppError>,
    field: &str,
) -> Signal<Option<crate::domain::error::FieldError>> {
    Signal::stored(error.as_ref().and_then(|e| e.field(field).cloned()))
}

/// A polite live region for results ("Rule saved.").
#[component]
pub fn Status(text: Option<String>) -> impl IntoView {
    view! {
        <p class="status" role="status" aria-live="polite">{text}</p>
    }
}

/// The error of a plain form post to `S`, which leptos brings back in the URL (`?__err=`) and
/// a server action of the same function reads while the page renders on the server. Only its
/// codes are kept (see `errors::from_url`).
pub fn form_error<S>() -> Option<AppError>
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    ServerAction::<S>::new()
        .value()
        .with_untracked(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned()))
        .map(super::errors::from_url)
}

/// The offer against what it is compared with, as the customer reads it: "$20.00 more than
/// what you just bought (Landing Page Template Pack, $29.00)", or for a downsell "… less than
/// the offer you passed on (…)". Shared by the hosted offer page and the editor's preview.
pub fn price_diff_text(
    i18n: super::i18n::I18n,
    delta: i64,
    currency: &str,
    with: crate::domain::offer::ComparedWith,
    name: &str,
    price: &str,
) -> String {
    use crate::domain::money::format_money;
    use crate::domain::offer::ComparedWith;
    let (amount, word) = match delta.signum() {
        1 => (format_money(delta, currency), Msg::PreviewMore),
        -1 => (format_money(-delta, currency), Msg::PreviewLess),
        _ => (String::new(), Msg::PreviewSame),
    };
    let basis = match with {
        ComparedWith::Bought => Msg::PreviewBought,
        ComparedWith::Declined => Msg::PreviewDeclined,
    };
    format!(
        "{amount} {} {} ({name}, {price})",
        i18n.now(word),
        i18n.now(basis)
    )
}
