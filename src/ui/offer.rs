//! The hosted offer page: works on a phone, renders on the server, and needs no script: accept
//! and decline are plain forms. One accept charges at most once (the server's compare-and-set
//! is the guard; the browser also ignores a second click while the first is on its way).
use super::i18n::{use_i18n, Msg};
use crate::api::offer::{get_offer, AcceptOffer, DeclineOffer};
use crate::domain::error::AppError;
use crate::domain::money::format_money;
use crate::domain::offer::{decline_kind, DeclineKind, OfferState, OfferView};
use crate::ui::widgets::{form_error, price_diff_text, ErrorBanner, InlineError};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Meta;
use leptos_router::hooks::use_params_map;

#[component]
pub fn OfferPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let token = params.with_untracked(|p| p.get("token").unwrap_or_default());
    let offer = Resource::new(move || token.clone(), get_offer);
    // A refused accept or decline comes back in the URL.
    let error = form_error::<AcceptOffer>().or_else(form_error::<DeclineOffer>);
    view! {
        <section class="offer-page">
            <Suspense fallback=move || view! { <p>{i18n.t(Msg::Loading)}</p> }>
                {move || offer.get().map(|r| match r {
                    Err(e) => view! { <ErrorBanner error=e/> }.into_any(),
                    Ok(v) => view! { <OfferCard v error=error.clone()/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn OfferCard(v: OfferView, error: Option<AppError>) -> impl IntoView {
    let i18n = use_i18n();
    let diff = v.amount - v.trigger_amount;
    let minutes_left = ((v.expires_at - v.now).max(0) + 59_999) / 60_000;
    let price = format_money(v.amount, &v.currency);
    let body = match v.state {
        // Two plain forms: one click posts once (a second click while it is on its way is
        // ignored, and the server's compare-and-set charges at most once anyway).
        OfferState::Pending => view! {
            <p class="timer">{i18n.t(Msg::ExpiresIn)} " " {minutes_left} " " {i18n.t(Msg::Minutes)}</p>
            <div class="offer-buttons">
                <form method="post" action=AcceptOffer::PATH>
                    <input type="hidden" name="token" value=v.token.clone()/>
                    <button type="submit" class="primary big" data-testid="accept"
                        data-pending=format!("{} — {price}", i18n.now(Msg::OfferCharging))>
                        {i18n.t(Msg::PreviewAccept)} " — " {price.clone()}
                    </button>
                </form>
                <form method="post" action=DeclineOffer::PATH>
                    <input type="hidden" name="token" value=v.token.clone()/>
                    <button type="submit" class="link" data-testid="decline">{i18n.t(Msg::PreviewDecline)}</button>
                </form>
            </div>
        }.into_any(),
        // While the charge is being confirmed the page looks again every second (no script
        // needed).
        OfferState::Charging => view! {
            <Meta http_equiv="refresh" content="1"/>
            <p class="status" role="status" data-testid="offer-charging">{i18n.t(Msg::OfferCharging)}</p>
        }.into_any(),
        OfferState::Paid => view! { <p class="status ok" role="status" data-testid="offer-paid">{i18n.t(Msg::OfferPaid)}</p> }.into_any(),
        OfferState::Declined => view! { <p class="status" role="status" data-testid="offer-declined">{i18n.t(Msg::OfferThanks)}</p> }.into_any(),
        OfferState::Expired => view! { <p class="status" role="status" data-testid="offer-expired">{i18n.t(Msg::OfferExpired)}</p> }.into_any(),
        OfferState::Failed | OfferState::Fallback => {
            let reason = if v.state == OfferState::Failed {
                decline_msg(decline_kind(v.failure_code.as_deref().unwrap_or_default()))
            } else {
                Msg::OfferNoMethod
            };
            view! {
                <div class="banner error" role="alert" data-testid="offer-failed">
                    <p>{i18n.t(reason)}</p>
                    {v.fallback_url.clone().map(|u| view! {
                        <p><a class="button" rel="external" data-testid="fallback-link" href=u.clone()>{i18n.t(Msg::OfferFallback)}</a></p>
                        <p><a rel="external" href=u>{i18n.t(Msg::OfferUpdateMethod)}</a></p>
                    })}
                </div>
            }.into_any()
        }
    };
    let diff_text = price_diff_text(
        i18n,
        diff,
        &v.currency,
        &v.trigger_product_name,
        &format_money(v.trigger_amount, &v.currency),
    );
    view! {
        <article class="offer-card big" data-state=v.state.as_str() data-testid="offer-card">
            {v.badge.clone().map(|b| view! { <span class="badge">{b}</span> })}
            <h1>{v.headline.clone()}</h1>
            <p>{v.value_prop.clone()}</p>
            <p class="offer-product">
                {v.product_name.clone()} {(v.quantity > 1).then(|| format!(" × {}", v.quantity))}
                " — " <strong class="price">{format_money(v.amount, &v.currency)}</strong>
            </p>
            <p class="diff">{diff_text}</p>
            {body}
            <InlineError error/>
        </article>
    }
}

fn decline_msg(k: DeclineKind) -> Msg {
    match k {
        DeclineKind::Funds => Msg::DeclineFunds,
        DeclineKind::Expired => Msg::DeclineExpired,
        DeclineKind::Bank => Msg::DeclineBank,
        DeclineKind::Confirm => Msg::DeclineConfirm,
        DeclineKind::Blocked => Msg::DeclineBlocked,
        DeclineKind::Network => Msg::DeclineNetwork,
        DeclineKind::Other => Msg::DeclineOther,
    }
}
