//! The merchant's approval limit for plan changes, per currency (on the settings screen).
use crate::api::subscriptions::{get_thresholds, SetThreshold};
use crate::domain::money::format_money;
use crate::domain::subscription::parse_major;
use crate::ui::errors::error_text;
use crate::ui::i18n::{use_i18n, Msg};
use crate::ui::widgets::Status;
use leptos::prelude::*;

const CURRENCIES: [&str; 5] = ["USD", "EUR", "GBP", "JPY", "INR"];

#[component]
pub fn ThresholdSettings() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SetThreshold>::new();
    let list = Resource::new(move || save.version().get(), |_| get_thresholds());
    let currency = RwSignal::new("USD".to_string());
    let amount = RwSignal::new(String::new());
    let bad = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = amount.get_untracked();
        let cur = currency.get_untracked();
        let parsed = if text.trim().is_empty() {
            Some(None)
        } else {
            parse_major(&text, &cur).map(Some)
        };
        bad.set(parsed.is_none());
        if let Some(a) = parsed {
            save.dispatch(SetThreshold {
                currency: cur,
                amount: a,
            });
        }
    };
    view! {
        <section aria-labelledby="threshold-title" class="threshold">
            <h2 id="threshold-title">{i18n.t(Msg::SubsThresholdTitle)}</h2>
            <p>{i18n.t(Msg::SubsThresholdIntro)}</p>
            <Transition fallback=|| ()>
                {move || list.get().and_then(|r| r.ok()).map(|l| if l.is_empty() {
                    view! { <p data-testid="threshold-none">{i18n.t(Msg::SubsThresholdNone)}</p> }.into_any()
                } else {
                    view! { <ul data-testid="thresholds">{l.into_iter().map(|(c, a)| view! { <li>{format_money(a, &c)}</li> }).collect_view()}</ul> }.into_any()
                })}
            </Transition>
            <form class="form narrow" on:submit=on_submit novalidate=true>
                <div class="row">
                    <div class="field">
                        <label for="threshold-currency">{i18n.t(Msg::SubsThresholdCurrency)}</label>
                        <select id="threshold-currency" on:change=move |ev| currency.set(event_target_value(&ev))>
                            {CURRENCIES.into_iter().map(|c| view! { <option value=c>{c}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="threshold-amount">{i18n.t(Msg::SubsThresholdAmount)}</label>
                        <input id="threshold-amount" type="text" inputmode="decimal" aria-describedby="threshold-amount-error"
                            prop:value=amount on:input=move |ev| amount.set(event_target_value(&ev))/>
                    </div>
                </div>
                <p class="field-error" id="threshold-amount-error" role="alert">
                    {move || bad.get().then(|| i18n.now(Msg::SubsAmountInvalid))}
                    {move || save.value().get().and_then(|r| r.err()).map(|e| error_text(i18n.0.get(), &e))}
                </p>
                <button type="submit" class="primary" disabled=save.pending()>{i18n.t(Msg::SubsThresholdSave)}</button>
                <Status text=Signal::derive(move || matches!(save.value().get(), Some(Ok(_))).then(|| i18n.now(Msg::SubsThresholdSaved).to_string()))/>
            </form>
        </section>
    }
}
