use super::i18n::{use_i18n, Lang, Msg};
use crate::api::session::{Logout, SetLang};
use crate::ui::session::use_session;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::A;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    // The hosted offer page belongs to the merchant's customers: no dashboard navigation there.
    let location = leptos_router::hooks::use_location();
    let customer_page = location
        .pathname
        .with_untracked(|p| p.starts_with("/offer/"));
    view! {
        <a class="skip" href="#main">{i18n.t(Msg::SkipToContent)}</a>
        <header class="top" class:customer=customer_page>
            <a class="brand" href="/" class:hidden=customer_page>{i18n.t(Msg::AppName)}</a>
            <nav aria-label="Main" class:hidden=customer_page>
                <Suspense fallback=|| ()>
                    {move || session.user.get().map(|u| match u {
                        Ok(Some(user)) => {
                            let merchant = user.role.can_edit_rules();
                            let analytics = user.role.can_read_analytics();
                            view! {
                                <A href="/">{i18n.t(Msg::NavHome)}</A>
                                {analytics.then(|| view! { <A href="/analytics">{i18n.t(Msg::NavAnalytics)}</A> })}
                                {merchant.then(|| view! {
                                    <A href="/rules">{i18n.t(Msg::NavRules)}</A>
                                    <A href="/users">{i18n.t(Msg::NavUsers)}</A>
                                    <A href="/settings">{i18n.t(Msg::NavSettings)}</A>
                                    <A href="/sandbox">{i18n.t(Msg::NavSandbox)}</A>
                                })}
                                {user.role.can_change_plans().then(|| view! { <A href="/subscriptions">{i18n.t(Msg::NavSubscriptions)}</A> })}
                                <a href="/account" class="who" data-role=user.role.as_str() title=i18n.now(Msg::NavAccount)>{user.email.clone()}</a>
                                <form method="post" action=Logout::PATH class="inline">
                                    <button type="submit" class="link">{i18n.t(Msg::SignOut)}</button>
                                </form>
                            }.into_any()
                        }
                        _ => view! { <A href="/login">{i18n.t(Msg::SignIn)}</A> }.into_any(),
                    })}
                </Suspense>
            </nav>
            <LangSwitch/>
        </header>
        <main id="main">{children()}</main>
    }
}

/// A plain form: the server remembers the choice in a cookie and sends the same page back in
/// that language.
#[component]
fn LangSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let current = i18n.0.get_untracked();
    view! {
        <form method="post" action=SetLang::PATH class="lang" role="group" aria-label=i18n.t(Msg::Language)>
            <button type="submit" name="lang" value=Lang::En.code() aria-pressed=(current == Lang::En).to_string()>"English"</button>
            <button type="submit" name="lang" value=Lang::Zh.code() aria-pressed=(current == Lang::Zh).to_string()>"中文"</button>
        </form>
    }
}
