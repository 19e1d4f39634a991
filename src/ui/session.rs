//! Who is signed in and in which language, as every screen reads them.
use crate::domain::error::AppError;
use crate::domain::role::CurrentUser;
use crate::ui::i18n::Lang;
use leptos::prelude::*;

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

/// A page only merchants use: its title, then the page, or for any other role why not
/// (`denied`) instead of forms the server would refuse. Signed-out visitors see the page,
/// whose data calls ask them to sign in.
#[component]
pub fn MerchantPage(
    title: crate::ui::i18n::Msg,
    denied: crate::ui::i18n::Msg,
    children: ChildrenFn,
) -> impl IntoView {
    let session = use_session();
    let i18n = crate::ui::i18n::use_i18n();
    let allowed =
        move || !matches!(session.user.get(), Some(Ok(Some(u))) if !u.role.can_manage_users());
    view! {
        <section class="page">
            <h1>{i18n.t(title)}</h1>
            <Suspense fallback=|| ()>
                <Show
                    when=allowed
                    fallback=move || view! {
                        <div class="banner error" role="alert" data-testid="merchant-only">
                            <p>{i18n.t(denied)}</p>
                        </div>
                    }
                >
                    {children()}
                </Show>
            </Suspense>
        </section>
    }
}
