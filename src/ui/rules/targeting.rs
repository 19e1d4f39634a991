//! The editor's "who sees it" fields: the rule's conditions and schedule, edited in the
//! draft like every other field and posted as typed (`RuleForm`, see `editor`).
use crate::domain::error::FieldError;
use crate::domain::money::format_amount;
use crate::domain::rule::form::{number, put_bound};
use crate::domain::rule::target::{codes, CustomerFilter, Targeting};
use crate::domain::rule::{ProductSummary, RuleDraft};
use crate::ui::i18n::{use_i18n, Msg};
use crate::ui::widgets::FieldMsg;
use leptos::prelude::*;

/// Each input starts from the draft and writes back to it; none is re-rendered from the draft
/// while the merchant types (a half-typed "49." must stay as typed).
#[component]
pub(super) fn TargetingFields<E>(
    editing: RwSignal<RuleDraft>,
    products: StoredValue<Vec<ProductSummary>>,
    field_error: E,
) -> impl IntoView
where
    E: Fn(&'static str) -> Signal<Option<FieldError>> + Copy + Send + Sync + 'static,
{
    let i18n = use_i18n();
    let start = editing.with_untracked(|d| d.targeting.clone());
    let open = start != Targeting::default();
    let set = move |f: &dyn Fn(&mut Targeting)| editing.update(|d| f(&mut d.targeting));
    let mut currencies: Vec<String> =
        products.with_value(|ps| ps.iter().map(|p| p.currency.clone()).collect());
    currencies.sort();
    currencies.dedup();
    let value_rows = currencies
        .into_iter()
        .map(|c| {
            let range = start.order_values.iter().find(|r| r.currency == c).cloned().unwrap_or_default();
            let shown = move |v: Option<i64>, c: &str| v.map(|v| format_amount(v, c)).unwrap_or_default();
            let (min0, max0) = (shown(range.min, &c), shown(range.max, &c));
            let (cmin, cmax) = (c.clone(), c.clone());
            let id_min = format!("tg-min-{c}");
            let id_max = format!("tg-max-{c}");
            view! {
                <div class="row value-row">
                    <div class="field">
                        <label for=id_min.clone()>{i18n.t(Msg::TgOrderValue)} " (" {c.clone()} ") — " {i18n.t(Msg::TgFrom)}</label>
                        <input id=id_min type="text" inputmode="decimal" value=min0 name=format!("rule[min][{c}]")
                            on:input=move |ev| { let v = event_target_value(&ev); set(&|t| put_bound(t, &cmin, &v, true)) }/>
                    </div>
                    <div class="field">
                        // Read alone, "up to" would not say of what.
                        <label for=id_max.clone()><span class="sr-only">{i18n.t(Msg::TgOrderValue)} " (" {c.clone()} ") — "</span>{i18n.t(Msg::TgUpTo)}</label>
                        <input id=id_max type="text" inputmode="decimal" value=max0 name=format!("rule[max][{c}]")
                            on:input=move |ev| { let v = event_target_value(&ev); set(&|t| put_bound(t, &cmax, &v, false)) }/>
                    </div>
                </div>
            }
        })
        .collect_view();
    let holders = products.with_value(|ps| {
        ps.iter()
            .map(|p| {
                let id = p.id.clone();
                let checked = start.exclude_holders.contains(&id);
                let box_id = format!("tg-hold-{}", p.id);
                let field = format!("rule[hold][{}]", p.id);
                view! {
                    <div class="check">
                        <input type="checkbox" id=box_id.clone() checked=checked name=field
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                set(&|t| {
                                    t.exclude_holders.retain(|x| x != &id);
                                    if on { t.exclude_holders.push(id.clone()); }
                                })
                            }/>
                        <label for=box_id>{p.name.clone()}</label>
                    </div>
                }
            })
            .collect_view()
    });
    let schedule = start.schedule.clone();
    // A new schedule is in the merchant's own zone unless they say otherwise.
    Effect::new(move |_| {
        if editing.with_untracked(|d| d.targeting.schedule.zone.is_empty()) {
            if let Some(z) = browser_zone() {
                set(&|t| t.schedule.zone = z.clone());
            }
        }
    });
    view! {
        <details class="targeting-fields" open=open data-testid="targeting">
            <summary>{i18n.t(Msg::TgTitle)}</summary>
            <p class="help">{i18n.t(Msg::TgHelp)}</p>
            {value_rows}
            <FieldMsg id="tg-values-error".into() error=field_error("targeting.order_values")/>
            <div class="row">
                <div class="field">
                    <label for="tg-customer">{i18n.t(Msg::TgCustomer)}</label>
                    <select id="tg-customer" name="rule[customer]" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        set(&|t| t.customer = CustomerFilter::parse(&v).unwrap_or_default())
                    }>
                        {CustomerFilter::ALL.into_iter().map(|c| view! {
                            <option value=c.as_str() selected=start.customer == c>{i18n.t(match c {
                                CustomerFilter::Any => Msg::TgAnyone,
                                CustomerFilter::New => Msg::TgNew,
                                CustomerFilter::Returning => Msg::TgReturning,
                            })}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="tg-qty-min">{i18n.t(Msg::TgQuantity)} " — " {i18n.t(Msg::TgFrom)}</label>
                    <input id="tg-qty-min" name="rule[min_quantity]" type="number" min="0" max="100" inputmode="numeric" value=start.min_quantity.to_string()
                        aria-describedby="tg-qty-error"
                        on:input=move |ev| { let v = event_target_value(&ev); set(&|t| t.min_quantity = number(&v)) }/>
                </div>
                <div class="field">
                    <label for="tg-qty-max"><span class="sr-only">{i18n.t(Msg::TgQuantity)} " — "</span>{i18n.t(Msg::TgUpTo)}</label>
                    <input id="tg-qty-max" name="rule[max_quantity]" type="number" min="0" max="100" inputmode="numeric" value=start.max_quantity.to_string()
                        aria-describedby="tg-qty-error"
                        on:input=move |ev| { let v = event_target_value(&ev); set(&|t| t.max_quantity = number(&v)) }/>
                </div>
            </div>
            <FieldMsg id="tg-qty-error".into() error=field_error("targeting.min_quantity")/>
            <div class="row">
                <div class="field">
                    <label for="tg-currencies">{i18n.t(Msg::TgCurrencies)}</label>
                    <input id="tg-currencies" name="rule[currencies]" type="text" value=start.currencies.join(", ") aria-describedby="tg-currencies-error"
                        on:input=move |ev| { let v = event_target_value(&ev); set(&|t| t.currencies = codes(&v)) }/>
                    <FieldMsg id="tg-currencies-error".into() error=field_error("targeting.currencies")/>
                </div>
                <div class="field">
                    <label for="tg-countries">{i18n.t(Msg::TgCountries)}</label>
                    <input id="tg-countries" name="rule[countries]" type="text" value=start.countries.join(", ") aria-describedby="tg-countries-error"
                        on:input=move |ev| { let v = event_target_value(&ev); set(&|t| t.countries = codes(&v)) }/>
                    <FieldMsg id="tg-countries-error".into() error=field_error("targeting.countries")/>
                </div>
            </div>
            <fieldset class="holders">
                <legend>{i18n.t(Msg::TgExclude)}</legend>
                {holders}
                <FieldMsg id="tg-holders-error".into() error=field_error("targeting.exclude_holders")/>
            </fieldset>
            <div class="row">
                <div class="field">
                    <label for="tg-start">{i18n.t(Msg::TgStart)}</label>
                    <input id="tg-start" name="rule[start_local]" type="datetime-local" value=schedule.start_local.clone() aria-describedby="tg-start-error"
                        on:input=move |ev| { let v = event_target_value(&ev); set(&|t| t.schedule.start_local = v.clone()) }/>
                    <FieldMsg id="tg-start-error".into() error=field_error("targeting.schedule.start_local")/>
                </div>
                <div class="field">
                    <label for="tg-end">{i18n.t(Msg::TgEnd)}</label>
                    <input id="tg-end" name="rule[end_local]" type="datetime-local" value=schedule.end_local.clone() aria-describedby="tg-end-error"
                        on:input=move |ev| { let v = event_target_value(&ev); set(&|t| t.schedule.end_local = v.clone()) }/>
                    <FieldMsg id="tg-end-error".into() error=field_error("targeting.schedule.end_local")/>
                </div>
                <div class="field">
                    <label for="tg-zone">{i18n.t(Msg::TgZone)}</label>
                    <input id="tg-zone" name="rule[zone]" value=schedule.zone.clone() type="text" placeholder="UTC" aria-describedby="tg-zone-error"
                        prop:value=move || editing.with(|d| d.targeting.schedule.zone.clone())
                        on:change=move |ev| { let v = event_target_value(&ev); set(&|t| t.schedule.zone = v.trim().to_string()) }/>
                    <FieldMsg id="tg-zone-error".into() error=field_error("targeting.schedule.zone")/>
                </div>
            </div>
        </details>
    }
}

#[cfg(feature = "hydrate")]
fn browser_zone() -> Option<String> {
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
        .resolved_options();
    js_sys::Reflect::get(&options, &"timeZone".into())
        .ok()?
        .as_string()
}

#[cfg(not(feature = "hydrate"))]
fn browser_zone() -> Option<String> {
    None
}
