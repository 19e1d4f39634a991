use crate::domain::error::FieldError;
use crate::domain::rule::{ProductSummary, ANY_PRODUCT};
use crate::ui::i18n::{use_i18n, Msg};
use crate::ui::widgets::FieldMsg;
use leptos::prelude::*;

/// A searchable product list: a search box filters a native listbox, so keyboard and screen
/// readers work as they do with any `<select>`. Name, price and currency are shown.
#[component]
pub(super) fn ProductPicker(
    id: &'static str,
    /// The form field it posts.
    name: &'static str,
    label: Msg,
    products: StoredValue<Vec<ProductSummary>>,
    #[prop(into)] value: Signal<String>,
    on_pick: impl Fn(String) + Send + Sync + 'static,
    #[prop(into)] error: Signal<Option<FieldError>>,
    /// Offers "any product" first (a catch-all rule's trigger).
    #[prop(optional)]
    any: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let query = RwSignal::new(String::new());
    let err_id = format!("{id}-error");
    let options = move || {
        let q = query.get().to_lowercase();
        let selected = value.get();
        products.with_value(|ps| {
            let shown: Vec<ProductSummary> = ps
                .iter()
                .filter(|p| {
                    q.is_empty()
                        || p.id == selected
                        || p.name.to_lowercase().contains(&q)
                        || p.currency.to_lowercase().contains(&q)
                })
                .cloned()
                .collect();
            let catch_all = (any && q.is_empty()).then(|| {
                let is_sel = selected == ANY_PRODUCT;
                view! { <option value=ANY_PRODUCT selected=is_sel>{i18n.now(Msg::AnyProduct)}</option> }
            });
            if shown.is_empty() && catch_all.is_none() {
                return view! { <option value="" disabled=true>{i18n.now(Msg::NoProductMatch)}</option> }.into_any();
            }
            let listed = shown
                .into_iter()
                .map(|p| {
                    let kind = if p.is_recurring { String::new() } else { format!(", {}", i18n.now(Msg::OneTime)) };
                    let text = format!("{} — {} ({}{kind})", p.name, p.price_label(), p.currency);
                    let is_sel = p.id == selected;
                    view! { <option value=p.id selected=is_sel>{text}</option> }
                })
                .collect_view();
            view! { {catch_all} {listed} }.into_any()
        })
    };
    view! {
        <div class="field picker">
            <label for=id>{i18n.t(label)}</label>
            <input type="search" class="picker-search" id=format!("{id}-search")
                aria-label=move || format!("{} — {}", i18n.now(Msg::SearchProducts), i18n.now(label))
                placeholder=i18n.t(Msg::SearchProducts)
                prop:value=query on:input=move |ev| query.set(event_target_value(&ev))/>
            <select id=id name=name size="5" aria-describedby=err_id.clone()
                aria-invalid=move || error.with(Option::is_some).to_string()
                prop:value=value
                on:change=move |ev| on_pick(event_target_value(&ev))>
                {options}
            </select>
            <FieldMsg id=err_id error/>
        </div>
    }
}
