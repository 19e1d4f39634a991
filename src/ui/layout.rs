use super::i18n::{use_i18n, Lang, Msg, LANG_COOKIE};
use crate::app::use_session;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    // The hosted offer page belongs to the merchant's customers: no dashboard navigation there.
    let location = leptos_router::hooks::use_location();
    let customer_page = move || location.pathname.with(|p| p.starts_with("/offer/"));
    view! {
        <header class="top" class:customer=customer_page>
            <a class="brand" href="/" class:hidden=customer_page>{i18n.t(Msg::AppName)}</a>
            <nav aria-label="Main" class:hidden=customer_page>
                <Transition fallback=|| ()>
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
                                <span class="who" data-role=user.role.as_str()>{user.email.clone()}</span>
                                <ActionForm action=session.logout attr:class="inline">
                                    <button type="submit" class="link">{i18n.t(Msg::SignOut)}</button>
                                </ActionForm>
                            }.into_any()
                        }
                        _ => view! { <A href="/login">{i18n.t(Msg::SignIn)}</A> }.into_any(),
                    })}
                </Transition>
            </nav>
            <LangSwitch/>
        </header>
        <main id="main">{children()}</main>
    }
}

/// Switches language at once and remembers it in a cookie, which the server reads on the next
/// page load so that the server-rendered HTML is already in the chosen language.
#[component]
fn LangSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let set = move |lang: Lang| {
        i18n.0.set(lang);
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let doc = document();
            if let Some(el) = doc.document_element() {
                let _ = el.set_attribute("lang", lang.code());
            }
            if let Ok(html) = doc.dyn_into::<web_sys::HtmlDocument>() {
                let _ = html.set_cookie(&format!(
                    "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
                    lang.code()
                ));
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = LANG_COOKIE;
    };
    view! {
        <div class="lang" role="group" aria-label=i18n.t(Msg::Language)>
            <button type="button" aria-pressed=move || (i18n.0.get() == Lang::En).to_string() on:click=move |_| set(Lang::En)>"English"</button>
            <button type="button" aria-pressed=move || (i18n.0.get() == Lang::Zh).to_string() on:click=move |_| set(Lang::Zh)>"中文"</button>
        </div>
    }
}
