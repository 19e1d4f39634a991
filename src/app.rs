//! The shell, routes and layout. Pages live in `ui/`, one module per screen.
use crate::api::session::get_session;
use crate::domain::error::AppError;
use crate::domain::role::CurrentUser;
use crate::ui::i18n::{I18n, Lang};
use crate::ui::{
    analytics::AnalyticsPage, home::HomePage, layout::Layout, login::LoginPage, offer::OfferPage,
    rules::RulesPage, sandbox::SandboxPage, settings::SettingsPage,
    subscriptions::SubscriptionsPage, users::UsersPage,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = initial_lang();
    #[cfg(feature = "ssr")]
    crate::server::headers::set_page_csp();
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options islands=true/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The language: on the server from the `lang` cookie, in the browser from `<html lang>`
/// (which the server rendered from that cookie), so both sides agree during hydration.
pub(crate) fn initial_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|p| {
                crate::server::auth::cookie_value(&p.headers, crate::api::session::LANG_COOKIE)
            })
            .map(|c| Lang::from_code(&c))
            .unwrap_or(Lang::En)
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|e| e.get_attribute("lang"))
            .map(|c| Lang::from_code(&c))
            .unwrap_or(Lang::En)
    }
}

/// Who is signed in, read once per page on the server (sign-in and sign-out load a new page).
#[derive(Clone, Copy)]
pub struct Session {
    pub user: Resource<Result<Option<CurrentUser>, AppError>>,
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(I18n(RwSignal::new(initial_lang())));
    let user = Resource::new(|| (), |_| get_session());
    provide_context(Session { user });

    view! {
        <Title text="Upsell Dashboard"/>
        // Islands: every screen renders on the server (async SSR, so it arrives complete and
        // its forms post without JavaScript); only the `#[island]` components ship to the
        // browser and hydrate there.
        <Router>
            <Layout>
                <Routes fallback=|| view! { <p class="notice">"404"</p> }>
                    <Route path=path!("/") ssr=SsrMode::Async view=HomePage/>
                    <Route path=path!("/login") ssr=SsrMode::Async view=LoginPage/>
                    <Route path=path!("/rules") ssr=SsrMode::Async view=RulesPage/>
                    <Route path=path!("/analytics") ssr=SsrMode::Async view=AnalyticsPage/>
                    <Route path=path!("/users") ssr=SsrMode::Async view=UsersPage/>
                    <Route path=path!("/settings") ssr=SsrMode::Async view=SettingsPage/>
                    <Route path=path!("/sandbox") ssr=SsrMode::Async view=SandboxPage/>
                    <Route path=path!("/offer/:token") ssr=SsrMode::Async view=OfferPage/>
                    <Route path=path!("/subscriptions") ssr=SsrMode::Async view=SubscriptionsPage/>
                </Routes>
            </Layout>
        </Router>
    }
}
