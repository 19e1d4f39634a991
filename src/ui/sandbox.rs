//! The sandbox page: run the offer loop by hand ("customer Y buys X" → webhook → offer link)
//! and switch the sandbox's faults. Plain forms; the result comes back in the URL.
use super::i18n::{use_i18n, Msg};
use super::widgets::{form_error, ErrorBanner, InlineError};
use crate::api::sandbox::{sandbox_info, SetFault, SimulatePurchase, SubscriberMoment};
use crate::domain::offer_action::CancelReason;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

const FAULTS: [(&str, &str); 6] = [
    ("none", "none"),
    ("decline", "decline (INSUFFICIENT_FUNDS)"),
    ("timeout", "timeout"),
    ("server_error", "5xx"),
    ("rate_limited", "429"),
    ("slow", "slow (3 s)"),
];

#[component]
pub fn SandboxPage() -> impl IntoView {
    let i18n = use_i18n();
    let info = Resource::new(|| (), |_| sandbox_info());
    let q = use_query_map().get_untracked();
    let get = move |k: &str| q.get(k).unwrap_or_default();
    let (paid, offer, customer, product, fault) = (
        get("paid"),
        get("offer"),
        get("customer"),
        get("product"),
        get("fault"),
    );
    // Only our own offer pages are linked from here.
    let offer = offer.starts_with("/offer/").then_some(offer);
    let purchase_error = form_error::<SimulatePurchase>();
    let fault_error = form_error::<SetFault>();
    let moment_error = form_error::<SubscriberMoment>();
    let moment = get("moment");
    view! {
        <section class="page sandbox">
            <h1>{i18n.t(Msg::SandboxTitle)}</h1>
            <p class="lead">{i18n.t(Msg::SandboxIntro)}</p>
            <Suspense fallback=move || view! { <p>{i18n.t(Msg::Loading)}</p> }>
                {move || info.get().map(|r| match r {
                    Err(e) => view! { <ErrorBanner error=e/> }.into_any(),
                    Ok(info) => view! {
                        <form class="form narrow" method="post" action=SimulatePurchase::PATH>
                            <label for="sb-customer">{i18n.t(Msg::SandboxCustomer)}</label>
                            <select id="sb-customer" name="customer_id">
                                {info.customers.iter().map(|(id, label)| view! { <option value=id.clone() selected=*id == customer>{label.clone()}</option> }).collect_view()}
                            </select>
                            <label for="sb-product">{i18n.t(Msg::SandboxProduct)}</label>
                            <select id="sb-product" name="product_id">
                                {info.products.iter().map(|(id, label)| view! { <option value=id.clone() selected=*id == product>{label.clone()}</option> }).collect_view()}
                            </select>
                            <button type="submit" class="primary" data-testid="simulate" data-pending=i18n.now(Msg::Working)>
                                {i18n.t(Msg::SandboxBuy)}
                            </button>
                            // The result beside the button that made it.
                            <PurchaseResult paid=paid.clone() offer=offer.clone()/>
                            <InlineError error=purchase_error.clone()/>
                        </form>
                        <form class="form narrow" method="post" action=SubscriberMoment::PATH>
                            <h2>{i18n.t(Msg::SandboxSubscriber)}</h2>
                            <label for="sb-subscription">{i18n.t(Msg::SandboxSubscription)}</label>
                            <select id="sb-subscription" name="subscription_id">
                                {info.subscriptions.iter().map(|(id, label)| view! { <option value=id.clone()>{label.clone()}</option> }).collect_view()}
                            </select>
                            <label for="sb-reason">{i18n.t(Msg::EditorCancelReason)}</label>
                            <select id="sb-reason" name="reason">
                                {CancelReason::ALL.into_iter().map(|r| view! { <option value=r.as_str()>{i18n.t(crate::ui::rules::reason_msg(r))}</option> }).collect_view()}
                            </select>
                            <div class="row">
                                <button type="submit" name="moment" value="near_limit" data-testid="near-limit">{i18n.t(Msg::SandboxNearLimit)}</button>
                                <button type="submit" name="moment" value="cancel" data-testid="asks-to-cancel">{i18n.t(Msg::SandboxAsksToCancel)}</button>
                            </div>
                            {(!moment.is_empty()).then(|| view! {
                                <div class="banner" role="status" data-testid="moment-result">
                                    <p>{i18n.t(Msg::SandboxNoSubscriberOffer)} " " <code>{moment.clone()}</code></p>
                                </div>
                            })}
                            <InlineError error=moment_error.clone()/>
                        </form>
                    }.into_any(),
                })}
            </Suspense>
            <form class="form narrow" method="post" action=SetFault::PATH>
                <h2>{i18n.t(Msg::SandboxFaults)}</h2>
                <label for="sb-fault">{i18n.t(Msg::SandboxNextCharges)}</label>
                <select id="sb-fault" name="mode">
                    {FAULTS.iter().map(|(v, label)| view! { <option value=*v selected=*v == fault>{*label}</option> }).collect_view()}
                </select>
                <button type="submit" data-pending=i18n.now(Msg::Working)>{i18n.t(Msg::SandboxApply)}</button>
                {(!fault.is_empty() && fault_error.is_none()).then(|| view! { <p class="status" role="status">{i18n.t(Msg::SandboxApplied)}</p> })}
                <InlineError error=fault_error/>
            </form>
        </section>
    }
}

/// What a simulated purchase did: paid, and the offer it led to (or none).
#[component]
fn PurchaseResult(paid: String, offer: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    (!paid.is_empty()).then(|| {
        view! {
            <div class="banner" role="status">
                <p>{i18n.t(Msg::SandboxPaid)} " " <code>{paid}</code></p>
                {match offer {
                    Some(u) => view! { <p><a data-testid="offer-link" href=u>{i18n.t(Msg::SandboxOpenOffer)}</a></p> }.into_any(),
                    None => view! { <p data-testid="no-offer">{i18n.t(Msg::SandboxNoOffer)}</p> }.into_any(),
                }}
            </div>
        }
    })
}
