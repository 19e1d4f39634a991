use super::i18n::{use_i18n, Msg};
use crate::domain::role::Role;
use crate::ui::session::use_session;
use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    view! {
        <section class="page">
            <h1>{i18n.t(Msg::HomeTitle)}</h1>
            <p class="lead">{i18n.t(Msg::HomeIntro)}</p>
            <Transition fallback=move || view! { <p>{i18n.t(Msg::Loading)}</p> }>
                {move || session.user.get().map(|u| match u {
                    Ok(Some(user)) => {
                        let text = match user.role {
                            Role::Merchant => Msg::HomeMerchant,
                            Role::Analyst => Msg::HomeAnalyst,
                            Role::Support => Msg::HomeSupport,
                        };
                        view! {
                            <p>{i18n.t(Msg::SignedInAs)} " " <strong>{user.email.clone()}</strong></p>
                            <p>{i18n.t(text)}</p>
                            {(user.role == Role::Merchant).then(|| view! { <a class="button" href="/rules">{i18n.t(Msg::NavRules)}</a> })}
                            {(user.role == Role::Analyst).then(|| view! { <a class="button" href="/analytics">{i18n.t(Msg::HomeAnalyticsLink)}</a> })}
                            {(user.role == Role::Support).then(|| view! { <a class="button" href="/subscriptions">{i18n.t(Msg::NavSubscriptions)}</a> })}
                        }.into_any()
                    }
                    _ => view! {
                        <p>{i18n.t(Msg::NotSignedIn)}</p>
                        <a class="button" href="/login">{i18n.t(Msg::SignIn)}</a>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// Any address no screen answers: says so, links home, and answers HTTP 404.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let i18n = use_i18n();
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="page">
            <h1>{i18n.t(Msg::NotFoundTitle)}</h1>
            <p>{i18n.t(Msg::NotFoundBody)}</p>
            <p><a href="/">{i18n.t(Msg::NavHome)}</a></p>
        </section>
    }
}
