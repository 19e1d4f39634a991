//! The hosted offer page's functions. No sign-in: the unguessable token is the key.
use super::codec::FormOrJson;
use crate::domain::error::AppError;
use crate::domain::offer::OfferView;
use leptos::prelude::*;

/// Rejects anything that is not shaped like one of our tokens before touching the database.
#[cfg(feature = "ssr")]
fn check(token: &str) -> Result<(), AppError> {
    if crate::domain::offer::is_offer_token(token) {
        Ok(())
    } else {
        Err(AppError::new(
            crate::domain::error::ErrorCode::NotFound,
            "This offer link is not valid. It may have been mistyped; check the link in your email.",
        ))
    }
}

#[server(endpoint = "offer/view", input = FormOrJson)]
pub async fn get_offer(token: String) -> Result<OfferView, AppError> {
    super::guard::finish(
        async {
            check(&token)?;
            crate::server::offers::view(&super::guard::state(), &token, None).await
        }
        .await,
    )
}

/// `shown` is the amount the page showed: accept charges exactly that, or nothing.
#[server(endpoint = "offer/accept", input = FormOrJson)]
pub async fn accept_offer(token: String, shown: Option<i64>) -> Result<OfferView, AppError> {
    super::guard::finish(
        async {
            check(&token)?;
            let view = crate::server::offers::accept(&super::guard::state(), &token, shown).await?;
            if view.requoted {
                return Err(AppError::new(
                    crate::domain::error::ErrorCode::Conflict,
                    format!(
                        "The price changed since this page was shown: it is now {}. Nothing was \
                         charged. Check the new amount and click again to accept.",
                        crate::domain::money::format_money(view.amount, &view.currency)
                    ),
                ));
            }
            Ok(view)
        }
        .await,
    )
}

#[server(endpoint = "offer/decline", input = FormOrJson)]
pub async fn decline_offer(token: String) -> Result<OfferView, AppError> {
    super::guard::finish(
        async {
            check(&token)?;
            let view = crate::server::offers::decline(&super::guard::state(), &token).await?;
            // A plain form goes on to the downsell at once, or back to this offer (declined).
            if let Some(next) = &view.next_token {
                super::guard::form_redirect(&format!("/offer/{next}"));
            }
            Ok(view)
        }
        .await,
    )
}
