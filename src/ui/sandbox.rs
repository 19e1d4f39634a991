//! The sandbox page: run the offer loop by hand ("customer Y buys X" → webhook → offer link)
//! and switch the sandbox's faults.
use super::errors::error_text;
use super::i18n::{use_i18n, Msg};
use super::widgets::ErrorBanner;
use crate::api::sandbox::{sandbox_info, SetFault, SimulatePurchase};
use leptos::prelude::*;

#[component]
pub fn SandboxPage() -> impl IntoView {
    let i18n = use_i18n();
    let info = Resource::new(|| (), |_| sandbox_info());
    let purchase = ServerAction::<SimulatePurchase>::new();
    let fault = ServerAction::<SetFault>::new();
    let customer = RwSignal::new(String::new());
    let product = RwSignal::new(String::new());
    let mode = RwSignal::new("none".to_string());
    view! {
        <section class="page">
            <h1>{i18n.t(Msg::SandboxTitle)}</h1>
            <p class="lead">{i18n.t(Msg::SandboxIntro)}</p>
            <Transition fallback=move || view! { <p>{i18n.t(Msg::Loading)}</p> }>
                {move || info.get().map(|r| match r {
                    Err(e) => view! { <ErrorBanner error=e/> }.into_any(),
                    Ok(info) => {
                        if customer.get_untracked().is_empty() {
                            customer.set(info.customers.first().map(|c| c.0.clone()).unwrap_or_default());
                            product.set(info.products.first().map(|p| p.0.clone()).unwrap_or_default());
                        }
                        view! {
                            <form class="form narrow" on:submit=move |ev| {
                                ev.prevent_default();
                                purchase.dispatch(SimulatePurchase { customer_id: customer.get_untracked(), product_id: product.get_untracked() });
                            }>
                                <label for="sb-customer">{i18n.t(Msg::SandboxCustomer)}</label>
                                <select id="sb-customer" on:change=move |ev| customer.set(event_target_value(&ev))>
                                    {info.customers.iter().map(|(id, label)| view! { <option value=id.clone()>{label.clone()}</option> }).collect_view()}
                                </select>
                                <label for="sb-product">{i18n.t(Msg::SandboxProduct)}</label>
                                <select id="sb-product" on:change=move |ev| product.set(event_target_value(&ev))>
                                    {info.products.iter().map(|(id, label)| view! { <option value=id.clone()>{label.clone()}</option> }).collect_view()}
                                </select>
                                <button type="submit" class="primary" data-testid="simulate" disabled=purchase.pending()>
                                    {move || i18n.now(if purchase.pending().get() { Msg::Saving } else { Msg::SandboxBuy })}
                                </button>
                                {move || purchase.value().get().map(|r| match r {
                                    Ok(p) => view! {
                                        <div class="banner" role="status">
                                            <p>{i18n.t(Msg::SandboxPaid)} " " <code>{p.payment_id.clone()}</code></p>
                                            {match p.offer_url {
                                                Some(u) => view! { <p><a data-testid="offer-link" href=u.clone()>{i18n.t(Msg::SandboxOpenOffer)}</a></p> }.into_any(),
                                                None => view! { <p data-testid="no-offer">{i18n.t(Msg::SandboxNoOffer)}</p> }.into_any(),
                                            }}
                                        </div>
                                    }.into_any(),
                                    Err(e) => view! { <p class="field-error" role="alert">{error_text(i18n.0.get(), &e)}</p> }.into_any(),
                                })}
                            </form>
                        }.into_any()
                    }
                })}
            </Transition>
            <form class="form narrow" on:submit=move |ev| {
                ev.prevent_default();
                let m = mode.get_untracked();
                let code = (m == "decline").then(|| "INSUFFICIENT_FUNDS".to_string());
                fault.dispatch(SetFault { mode: m, code });
            }>
                <h2>{i18n.t(Msg::SandboxFaults)}</h2>
                <label for="sb-fault">{i18n.t(Msg::SandboxNextCharges)}</label>
                <select id="sb-fault" on:change=move |ev| mode.set(event_target_value(&ev))>
                    <option value="none">"none"</option>
                    <option value="decline">"decline (INSUFFICIENT_FUNDS)"</option>
                    <option value="timeout">"timeout"</option>
                    <option value="server_error">"5xx"</option>
                    <option value="rate_limited">"429"</option>
                    <option value="slow">"slow (3 s)"</option>
                </select>
                <button type="submit" disabled=fault.pending()>{i18n.t(Msg::SandboxApply)}</button>
                {move || fault.value().get().map(|r| match r {
                    Ok(()) => view! { <p class="status" role="status">{i18n.t(Msg::SandboxApplied)}</p> }.into_any(),
                    Err(e) => view! { <p class="field-error" role="alert">{error_text(i18n.0.get(), &e)}</p> }.into_any(),
                })}
            </form>
        </section>
    }
}
