//! Settings: API tokens and the approval limit, all plain forms. A new token is shown once, on
//! the page the creating form lands on; it never travels in a URL.
use super::i18n::{use_i18n, Msg};
use super::session::MerchantPage;
use super::widgets::{form_error, ErrorBanner, InlineError, Status};
use crate::api::settings::{list_api_tokens, take_new_token, CreateApiToken, RevokeApiToken};
use crate::domain::time::format_utc;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SettingsPage() -> impl IntoView {
    view! {
        <MerchantPage title=Msg::SettingsTitle denied=Msg::DeniedSettings>
            <SettingsBody/>
        </MerchantPage>
    }
}

/// The page for a merchant (other roles are told why they cannot use it).
#[component]
fn SettingsBody() -> impl IntoView {
    let i18n = use_i18n();
    let tokens = Resource::new(|| (), |_| list_api_tokens());
    let done = use_query_map().with_untracked(|q| q.get("done"));
    let revoke_error = form_error::<RevokeApiToken>();
    let revoked = done.as_deref() == Some("revoked");
    view! {
        <div>
            <p class="lead">{i18n.t(Msg::TokensIntro)}</p>
            <TokenCreator/>
            {revoke_error.map(|e| view! { <ErrorBanner error=e/> })}
            <Status text=revoked.then(|| i18n.now(Msg::TokenRevoked).to_string())/>
            <Suspense fallback=move || view! { <p>{i18n.t(Msg::Loading)}</p> }>
                {move || tokens.get().map(|r| match r {
                    Err(e) => view! { <ErrorBanner error=e/> }.into_any(),
                    Ok(list) => view! {
                        <table class="tokens">
                            <thead><tr>
                                <th scope="col">{i18n.t(Msg::TokenName)}</th>
                                <th scope="col">{i18n.t(Msg::Created)}</th>
                                <th scope="col">{i18n.t(Msg::ColActions)}</th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|t| view! {
                                    <tr>
                                        <td>{t.name.clone()}</td>
                                        <td>{format_utc(t.created_at)} " · " {t.created_by.clone()}</td>
                                        <td>{match t.revoked_at {
                                            Some(at) => view! { <span>{i18n.t(Msg::TokenRevoked)} " " {format_utc(at)}</span> }.into_any(),
                                            None => view! {
                                                <form method="post" action=RevokeApiToken::PATH class="inline">
                                                    <input type="hidden" name="id" value=t.id.clone()/>
                                                    <button type="submit" class="danger" data-pending=i18n.now(Msg::Working)>{i18n.t(Msg::TokenRevoke)}</button>
                                                </form>
                                            }.into_any(),
                                        }}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                })}
            </Suspense>
            <super::subscriptions::ThresholdSettings saved=done.as_deref() == Some("threshold")/>
        </div>
    }
}

/// Creating a token is a plain form; the new token comes back once, on this page.
#[component]
fn TokenCreator() -> impl IntoView {
    let i18n = use_i18n();
    let created = Resource::new(|| (), |_| take_new_token());
    let error = form_error::<CreateApiToken>();
    view! {
        <form class="form narrow" method="post" action=CreateApiToken::PATH>
            <label for="token-name">{i18n.t(Msg::TokenName)}</label>
            <input id="token-name" name="name" type="text" maxlength="60"/>
            <button type="submit" class="primary" data-pending=i18n.now(Msg::Working)>{i18n.t(Msg::TokenCreate)}</button>
            <Suspense fallback=|| ()>
                {move || created.get().and_then(|r| r.ok().flatten()).map(|t| view! {
                    <div class="banner" role="status">
                        <p>{i18n.t(Msg::TokenOnce)}</p>
                        <code data-testid="new-token">{t}</code>
                    </div>
                })}
            </Suspense>
            <InlineError error/>
        </form>
    }
}
