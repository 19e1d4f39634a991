//! The hosted offer page: works on a phone, renders on the server, and needs no script: accept
//! and decline are plain forms. One accept charges at most once (the server's compare-and-set
//! is the guard; the browser also ignores a second click while the first is on its way).
use super::i18n::{use_i18n, Msg};
use crate::api::offer::{get_offer, AcceptOffer, DeclineOffer};
use crate::domain::error::AppError;
use crate::domain::money::format_money;
use crate::domain::offer::{decline_kind, DeclineKind, OfferState, OfferView};
use crate::domain::offer_action::{NoOffer, OfferAction};
use crate::domain::time::format_utc;
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
    let minutes_left = ((v.expires_at - v.now).max(0) + 59_999) / 60_000;
    let price = format_money(v.amount, &v.currency);
    let (accept_label, decline_label) = if v.save {
        (Msg::OfferKeep, Msg::OfferCancelAnyway)
    } else if v.action == OfferAction::PlanChange {
        (Msg::OfferUpgrade, Msg::PreviewDecline)
    } else {
        (Msg::PreviewAccept, Msg::PreviewDecline)
    };
    let on_subscription = v.action.on_subscription();
    // A save offer that moves the plan says which plan the customer stays on.
    let stay_on = (v.save && v.action == OfferAction::PlanChange).then(|| v.product_name.clone());
    let body = match v.state {
        // Two plain forms: one click posts once (a second click while it is on its way is
        // ignored, and the server's compare-and-set charges at most once anyway).
        OfferState::Pending => view! {
            <p class="timer" data-testid="countdown" data-countdown="" data-expires-at=v.expires_at.to_string()
                data-now=v.now.to_string() data-label=i18n.now(Msg::ExpiresIn) data-expired=i18n.now(Msg::OfferExpired)>
                {i18n.t(Msg::ExpiresIn)} " " {minutes_left} " " {i18n.t(Msg::Minutes)}
            </p>
            <div class="offer-buttons">
                <form method="post" action=AcceptOffer::PATH>
                    <input type="hidden" name="token" value=v.token.clone()/>
                    // The amount shown: accept charges exactly this, or nothing.
                    <input type="hidden" name="shown" value=v.amount.to_string()/>
                    <button type="submit" class="primary big" data-testid="accept"
                        data-pending=format!("{} — {price}", i18n.now(Msg::OfferCharging))>
                        {match stay_on {
                            Some(plan) => view! { {i18n.t(Msg::OfferStayOn)} " " {plan} }.into_any(),
                            None => view! { {i18n.t(accept_label)} }.into_any(),
                        }}
                        // Nothing due today: no "$0.00" on the button.
                        {(v.amount > 0).then(|| view! {
                            " — " {price.clone()}
                            {on_subscription.then(|| view! { " " {i18n.t(Msg::OfferToday)} })}
                        })}
                    </button>
                </form>
                <form method="post" action=DeclineOffer::PATH>
                    <input type="hidden" name="token" value=v.token.clone()/>
                    <button type="submit" class="link" data-testid="decline">{i18n.t(decline_label)}</button>
                </form>
            </div>
        }.into_any(),
        // While the charge is being confirmed the page looks again every second (no script
        // needed).
        OfferState::Charging => view! {
            <Meta http_equiv="refresh" content="1"/>
            <p class="status" role="status" data-testid="offer-charging">{i18n.t(Msg::OfferCharging)}</p>
        }.into_any(),
        OfferState::Paid => {
            let done = if v.save {
                Msg::OfferSaved
            } else if v.action == OfferAction::PlanChange {
                Msg::OfferPlanChanged
            } else {
                Msg::OfferPaid
            };
            view! {
                <p class="status ok" role="status" data-testid="offer-paid">{i18n.t(done)}</p>
                {v.next_token.clone().map(|t| view! {
                    <p><a class="button primary" data-testid="next-offer" href=format!("/offer/{t}")>{i18n.t(Msg::OfferNextLink)}</a></p>
                })}
            }.into_any()
        }
        OfferState::Declined => {
            let done = if v.save { Msg::OfferCancelled } else { Msg::OfferThanks };
            view! { <p class="status" role="status" data-testid="offer-declined">{i18n.t(done)}</p> }.into_any()
        }
        OfferState::Expired => {
            let why = v.failure_code.as_deref().and_then(NoOffer::parse).map_or(Msg::OfferExpired, ended_msg);
            view! { <p class="status ended" role="status" data-testid="offer-expired">{i18n.t(why)}</p> }.into_any()
        }
        OfferState::Failed | OfferState::Fallback => {
            let reason = if v.state == OfferState::Failed {
                decline_msg(decline_kind(v.failure_code.as_deref().unwrap_or_default()))
            } else {
                Msg::OfferNoMethod
            };
            view! {
                <div class="banner error" role="alert" data-testid="offer-failed">
                    <p>{i18n.t(reason)}</p>
                    {v.fallback_url.clone().map(|u| if on_subscription {
                        // On a subscription the way out is a new payment method for it, never
                        // a checkout (which would start a second subscription).
                        view! {
                            <p><a class="button" rel="external" data-testid="update-method-link" href=u>{i18n.t(Msg::OfferUpdateMethod)}</a></p>
                        }.into_any()
                    } else {
                        view! {
                            <p><a class="button" rel="external" data-testid="fallback-link" href=u.clone()>{i18n.t(Msg::OfferFallback)}</a></p>
                            <p><a rel="external" href=u>{i18n.t(Msg::OfferUpdateMethod)}</a></p>
                        }.into_any()
                    })}
                </div>
            }.into_any()
        }
    };
    let diff_text = v.compared.as_ref().map(|c| {
        price_diff_text(
            i18n,
            v.amount - c.amount,
            &v.currency,
            c.with,
            &c.name,
            &format_money(c.amount, &v.currency),
        )
    });
    // An ended offer asks nothing of anyone: no price or plan move to read as still on offer.
    let ended = v.state == OfferState::Expired;
    let terms = (!ended).then(|| terms(&v)).flatten();
    let show_product = !ended && !v.action.on_subscription();
    let saving = discount_text(&v);
    view! {
        <article class="offer-card big" data-state=v.state.as_str() data-action=v.action.as_str() data-testid="offer-card">
            // "Best value" on an offer that can no longer be taken would still sell it.
            {v.badge.clone().filter(|_| !ended).map(|b| view! { <span class="badge" data-testid="offer-badge">{b}</span> })}
            <h1>{v.headline.clone()}</h1>
            <p>{v.value_prop.clone()}</p>
            // Free time keeps the plan: "Pro Monthly → Pro Monthly" would say nothing.
            {v.from_product_name.clone().filter(|_| !ended && v.action != OfferAction::FreeTime).map(|from| view! {
                <p class="plan-move" data-testid="plan-move">
                    {i18n.t(Msg::OfferYourPlan)} ": " {from} " → " <strong>{v.product_name.clone()}</strong>
                </p>
            })}
            {show_product.then(|| view! {
                <p class="offer-product">
                    {v.product_name.clone()} {(v.quantity > 1).then(|| format!(" × {}", v.quantity))}
                    " — " {saving.as_ref().map(|_| view! {
                        <s class="was" data-testid="full-price">{format_money(v.full_amount.unwrap_or_default(), &v.currency)}</s> " "
                    })}
                    <strong class="price">{format_money(v.amount, &v.currency)}</strong>
                </p>
                {saving.clone().map(|s| view! { <p class="saving" data-testid="saving">{s}</p> })}
                {diff_text.clone().map(|t| view! { <p class="diff" data-testid="price-diff">{t}</p> })}
            })}
            {terms}
            {body}
            <InlineError error/>
        </article>
    }
}

/// "$50.00 today, then $80.00 / month from 2026-12-18": the price difference first, every
/// recurring price with its period; in small print the full price when a discount keeps each
/// period below it, and that a plan change moves the subscription.
fn terms(v: &OfferView) -> Option<impl IntoView> {
    let i18n = use_i18n();
    let recurring = v.recurring_amount?;
    let period = v.interval.as_deref().unwrap_or("Month").to_lowercase();
    let each = format!("{} / {period}", format_money(recurring, &v.currency));
    let from = v
        .recurring_from
        .map(|t| format_utc(t).chars().take(10).collect::<String>());
    let moves = v.action == OfferAction::PlanChange;
    // The full price only where it says something the line above does not: a discount that
    // lasts, so every period is below it.
    let full_each = v
        .full_amount
        .filter(|f| *f != recurring)
        .map(|f| format!("{} / {period}", format_money(f, &v.currency)));
    let today = if v.action == OfferAction::FreeTime || v.amount == 0 {
        view! { <strong>{i18n.t(Msg::OfferNothingToday)}</strong> }.into_any()
    } else {
        view! { <strong class="price">{format_money(v.amount, &v.currency)}</strong> " " {i18n.t(Msg::OfferToday)} }.into_any()
    };
    Some(view! {
        <p class="offer-terms" data-testid="offer-terms">
            {v.free_days.map(|d| view! { <strong>{d} " " {i18n.t(Msg::OfferDaysFree)}</strong> ". " })}
            {today} ", " {i18n.t(Msg::OfferThen)} " " {each}
            {from.map(|f| view! { " " {i18n.t(Msg::OfferFrom)} " " <time>{f}</time> })}
        </p>
        {(full_each.is_some() || moves).then(|| view! {
            <p class="small" data-testid="offer-small-print">
                {full_each.map(|f| view! { {i18n.t(Msg::OfferFullPrice)} ": " {f} ". " })}
                {moves.then(|| i18n.t(Msg::OfferMovesSubscription))}
            </p>
        })}
    })
}

/// "You save $9.80 (20% off)", and for a new subscription whose discount ends, when it ends.
fn discount_text(v: &OfferView) -> Option<String> {
    let i18n = use_i18n();
    let full = v.full_amount.filter(|f| *f > v.amount)?;
    let mut text = i18n
        .now(Msg::OfferSaving)
        .replace("{amount}", &format_money(full - v.amount, &v.currency))
        .replace("{p}", &v.discount_percent.to_string());
    if v.action == OfferAction::NewSubscription && v.discount_cycles > 0 {
        text.push(' ');
        text.push_str(
            &i18n
                .now(Msg::OfferDiscountCycles)
                .replace("{n}", &v.discount_cycles.to_string())
                .replace("{p}", &v.discount_percent.to_string()),
        );
    }
    Some(text)
}

/// Why an offer was withdrawn when the customer came to take it (it changed under them).
fn ended_msg(w: NoOffer) -> Msg {
    match w {
        NoOffer::SamePlan => Msg::OfferEndedSamePlan,
        NoOffer::NotActive => Msg::OfferEndedNotActive,
        NoOffer::Cancelling => Msg::OfferEndedCancelling,
        NoOffer::ProductGone => Msg::OfferEndedProductGone,
        NoOffer::CurrencyMismatch | NoOffer::SeveralSubscriptions | NoOffer::Refused => {
            Msg::OfferEndedChanged
        }
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
