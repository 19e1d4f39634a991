//! The merchant's approval limit for plan changes, per currency (on the settings screen).
//! A plain form: the amount is read as typed on the server.
use crate::api::subscriptions::{get_thresholds, SetThreshold};
use crate::domain::money::format_money;
use crate::ui::errors::error_text;
use crate::ui::i18n::{use_i18n, Msg};
use crate::ui::widgets::{form_error, Status};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

const CURRENCIES: [&str; 5] = ["USD", "EUR", "GBP", "JPY", "INR"];

#[component]
pub fn ThresholdSettings(saved: bool) -> impl IntoView {
    let i18n = use_i18n();
    let list = Resource::new(|| (), |_| get_thresholds());
    let error = form_error::<SetThreshold>();
    let text = error.map(|e| match e.field("amount") {
        Some(_) => i18n.now(Msg::SubsAmountInvalid).to_string(),
        None => error_text(i18n.now_lang(), &e),
    });
    view! {
        <section aria-labelledby="threshold-title" class="threshold">
            <h2 id="threshold-title">{i18n.t(Msg::SubsThresholdTitle)}</h2>
            <p>{i18n.t(Msg::SubsThresholdIntro)}</p>
            <Suspense fallback=|| ()>
                {move || list.get().and_then(|r| r.ok()).map(|l| if l.is_empty() {
                    view! { <p data-testid="threshold-none">{i18n.t(Msg::SubsThresholdNone)}</p> }.into_any()
                } else {
                    view! { <ul data-testid="thresholds">{l.into_iter().map(|(c, a)| view! { <li>{format_money(a, &c)}</li> }).collect_view()}</ul> }.into_any()
                })}
            </Suspense>
            <form class="form narrow" method="post" action=SetThreshold::PATH novalidate=true>
                <div class="row">
                    <div class="field">
                        <label for="threshold-currency">{i18n.t(Msg::SubsThresholdCurrency)}</label>
                        <select id="threshold-currency" name="currency">
                            {CURRENCIES.into_iter().map(|c| view! { <option value=c>{c}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="threshold-amount">{i18n.t(Msg::SubsThresholdAmount)}</label>
                        <input id="threshold-amount" name="amount_text" type="text" inputmode="decimal" aria-describedby="threshold-amount-error"/>
                    </div>
                </div>
                <p class="field-error" id="threshold-amount-error" role="alert">{text}</p>
                <button type="submit" class="primary" data-pending=i18n.now(Msg::Saving)>{i18n.t(Msg::SubsThresholdSave)}</button>
                <Status text=saved.then(|| i18n.now(Msg::SubsThresholdSaved).to_string())/>
            </form>
        </section>
    }
}
