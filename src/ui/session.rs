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
