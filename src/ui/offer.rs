//! The hosted offer page: works on a phone, renders on the server, hydrates. The accept button
//! cannot fire twice (disabled while pending, and the server's compare-and-set is the guard).
use super::errors::error_text;
use super::i18n::{use_i18n, Msg};
use crate::api::offer::{get_offer, AcceptOffer, DeclineOffer};
use crate::domain::error::AppError;
use crate::domain::money::format_money;
use crate::domain::offer::{decline_kind, DeclineKind, OfferState, OfferView};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

#[component]
pub fn OfferPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let accept = ServerAction::<AcceptOffer>::new();
    let decline = ServerAction::<DeclineOffer>::new();
    let refresh = RwSignal::new(0u32);
    let offer = Resource::new(move || (token(), refresh.get()), |(t, _)| get_offer(t));
    // The newest known state of this offer: whichever arrived last of an action's reply and a
    // (re)load. Effects only run in the browser; the server renders the load itself.
    let latest = RwSignal::new(None::<Result<OfferView, AppError>>);
    Effect::new(move |_| {
        if let Some(r) = offer.get() {
            latest.set(Some(r));
        }
    });
    for action_value in [accept.value(), decline.value()] {
        Effect::new(move |_| {
            if let Some(Ok(v)) = action_value.get() {
                if v.token == token() {
                    latest.set(Some(Ok(v)));
                }
            }
        });
    }
    let current = move || latest.get().or_else(|| offer.get());
    // A decline with a downsell goes straight to the downsell's page.
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(v)) = decline.value().get() {
            if let Some(next) = v.next_token {
                navigate(&format!("/offer/{next}"), Default::default());
            }
        }
    });
    // While the charge is being confirmed, look again every second.
    Effect::new(move |_| {
        if let Some(Ok(v)) = current() {
            if v.state == OfferState::Charging {
                set_timeout(
                    move || refresh.update(|n| *n += 1),
                    std::time::Duration::from_secs(1),
                );
            }
        }
    });
    let busy = Signal::derive(move || accept.pending().get() || decline.pending().get());
    view! {
        <section class="offer-page">
            <Transition fallback=move || view! { <p>{i18n.t(Msg::Loading)}</p> }>
                {move || current().map(|r| match r {
                    Err(e) => view! { <div class="banner error" role="alert"><p>{move || error_text(i18n.0.get(), &e)}</p></div> }.into_any(),
                    Ok(v) => view! { <OfferCard v accept decline busy/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn OfferCard(
    v: OfferView,
    accept: ServerAction<AcceptOffer>,
    decline: ServerAction<DeclineOffer>,
    busy: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let diff = v.amount - v.trigger_amount;
    let minutes_left = ((v.expires_at - v.now).max(0) + 59_999) / 60_000;
    let price = format_money(v.amount, &v.currency);
    let token = v.token.clone();
    let token2 = v.token.clone();
    let body = match v.state {
        OfferState::Pending => view! {
            <p class="timer">{i18n.t(Msg::ExpiresIn)} " " {minutes_left} " " {i18n.t(Msg::Minutes)}</p>
            <div class="offer-buttons">
                <button type="button" class="primary big" data-testid="accept" disabled=busy
                    on:click=move |_| { accept.dispatch(AcceptOffer { token: token.clone() }); }>
                    {move || if accept.pending().get() { i18n.now(Msg::OfferCharging) } else { i18n.now(Msg::PreviewAccept) }}
                    " — " {price.clone()}
                </button>
                <button type="button" class="link" data-testid="decline" disabled=busy
                    on:click=move |_| { decline.dispatch(DeclineOffer { token: token2.clone() }); }>
                    {i18n.t(Msg::PreviewDecline)}
                </button>
            </div>
        }.into_any(),
        OfferState::Charging => view! { <p class="status" role="status" data-testid="offer-charging">{i18n.t(Msg::OfferCharging)}</p> }.into_any(),
        OfferState::Paid => view! { <p class="status ok" role="status" data-testid="offer-paid">{i18n.t(Msg::OfferPaid)}</p> }.into_any(),
        OfferState::Declined => view! { <p class="status" role="status" data-testid="offer-declined">{i18n.t(Msg::OfferThanks)}</p> }.into_any(),
        OfferState::Expired => view! { <p class="status" role="status" data-testid="offer-expired">{i18n.t(Msg::OfferExpired)}</p> }.into_any(),
        OfferState::Failed | OfferState::Fallback => {
            let code = v.failure_code.clone();
            let failed = v.state == OfferState::Failed;
            let reason = move || {
                if failed {
                    let kind = decline_kind(code.as_deref().unwrap_or_default());
                    i18n.now(decline_msg(kind))
                } else {
                    i18n.now(Msg::OfferNoMethod)
                }
            };
            view! {
                <div class="banner error" role="alert" data-testid="offer-failed">
                    <p>{reason}</p>
                    {v.fallback_url.clone().map(|u| view! {
                        <p><a class="button" rel="external" data-testid="fallback-link" href=u.clone()>{i18n.t(Msg::OfferFallback)}</a></p>
                        <p><a rel="external" href=u>{i18n.t(Msg::OfferUpdateMethod)}</a></p>
                    })}
                </div>
            }.into_any()
        }
    };
    view! {
        <article class="offer-card big" data-state=v.state.as_str() data-testid="offer-card">
            {v.badge.clone().map(|b| view! { <span class="badge">{b}</span> })}
            <h1>{v.headline.clone()}</h1>
            <p>{v.value_prop.clone()}</p>
            <p class="offer-product">
                {v.product_name.clone()} {(v.quantity > 1).then(|| format!(" × {}", v.quantity))}
                " — " <strong class="price">{format_money(v.amount, &v.currency)}</strong>
            </p>
            <p class="diff">
                {move || {
                    let (amount, word) = match diff.signum() {
                        1 => (format_money(diff, &v.currency), Msg::PreviewMore),
                        -1 => (format_money(-diff, &v.currency), Msg::PreviewLess),
                        _ => (String::new(), Msg::PreviewSame),
                    };
                    format!("{amount} {} {} ({}, {})", i18n.now(word), i18n.now(Msg::PreviewBought), v.trigger_product_name, format_money(v.trigger_amount, &v.currency))
                }}
            </p>
            {body}
            {move || accept.value().get().and_then(|r| r.err()).map(|e| view! { <p class="field-error" role="alert">{error_text(i18n.0.get(), &e)}</p> })}
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
