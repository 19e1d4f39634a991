//! The shell, routes and layout. Pages live in `ui/`, one module per screen.
use crate::api::session::get_session;
use crate::ui::i18n::I18n;
use crate::ui::session::{initial_lang, Session};
use crate::ui::{
    account::AccountPage,
    analytics::AnalyticsPage,
    home::{HomePage, NotFoundPage},
    layout::Layout,
    login::LoginPage,
    offer::OfferPage,
    reset::ResetPage,
    rules::RulesPage,
    sandbox::SandboxPage,
    settings::SettingsPage,
    subscriptions::SubscriptionsPage,
    users::UsersPage,
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
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") ssr=SsrMode::Async view=HomePage/>
                    <Route path=path!("/login") ssr=SsrMode::Async view=LoginPage/>
                    <Route path=path!("/rules") ssr=SsrMode::Async view=RulesPage/>
                    <Route path=path!("/analytics") ssr=SsrMode::Async view=AnalyticsPage/>
                    <Route path=path!("/users") ssr=SsrMode::Async view=UsersPage/>
                    <Route path=path!("/account") ssr=SsrMode::Async view=AccountPage/>
                    <Route path=path!("/reset/:token") ssr=SsrMode::Async view=ResetPage/>
                    <Route path=path!("/settings") ssr=SsrMode::Async view=SettingsPage/>
                    <Route path=path!("/sandbox") ssr=SsrMode::Async view=SandboxPage/>
                    <Route path=path!("/offer/:token") ssr=SsrMode::Async view=OfferPage/>
                    <Route path=path!("/subscriptions") ssr=SsrMode::Async view=SubscriptionsPage/>
                </Routes>
            </Layout>
        </Router>
    }
}
