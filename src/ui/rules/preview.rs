use crate::domain::money::format_money;
use crate::domain::offer::ComparedWith;
use crate::domain::rule::discount::PERCENT_MAX;
use crate::domain::rule::{ProductSummary, RuleDraft};
use crate::ui::i18n::{use_i18n, Msg};
use crate::ui::widgets::price_diff_text;
use leptos::prelude::*;

/// The offer as the customer will see it, including the price difference against the
/// product just bought.
#[component]
pub(super) fn Preview(
    #[prop(into)] draft: Signal<RuleDraft>,
    products: StoredValue<Vec<ProductSummary>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let find = move |id: String| products.with_value(|ps| ps.iter().find(|p| p.id == id).cloned());
    let card = move || {
        let d = draft.get();
        let offer = find(d.offer_product_id.clone());
        let trigger = find(d.trigger_product_id.clone());
        // No price for a quantity the editor refuses (it says why beside the field).
        let full = offer
            .as_ref()
            .filter(|_| d.quantity > 0)
            .map(|o| o.price.saturating_mul(d.quantity as i64));
        let was = full
            .filter(|_| (1..=PERCENT_MAX).contains(&d.discount.percent))
            .zip(offer.as_ref())
            .map(|(f, o)| format_money(f, &o.currency));
        // What the customer would pay: the comparison with what they bought uses it too, as
        // the offer page does.
        let charged = full.map(|f| {
            if was.is_some() {
                d.discount.apply(f)
            } else {
                f
            }
        });
        let total = offer
            .as_ref()
            .zip(charged)
            .map(|(o, c)| format_money(c, &o.currency));
        // As the offer page compares it: an upsell with what was just bought; a downsell's
        // declined offer is not known here, and other kinds are not compared.
        let bought = ComparedWith::for_kind(d.kind) == Some(ComparedWith::Bought);
        let diff = match (&offer, &trigger, charged) {
            (Some(o), Some(t), Some(c)) if bought && o.currency == t.currency => {
                Some(price_diff_text(
                    i18n,
                    c - t.price,
                    &o.currency,
                    ComparedWith::Bought,
                    &t.name,
                    &t.price_label(),
                ))
            }
            _ => None,
        };
        view! {
            <div class="offer-card" data-testid="offer-preview">
                {(!d.badge.trim().is_empty()).then(|| view! { <span class="badge">{d.badge.clone()}</span> })}
                <h3>{d.headline.clone()}</h3>
                <p>{d.value_prop.clone()}</p>
                {offer.map(|o| view! {
                    <p class="offer-product">
                        {o.name.clone()} {(d.quantity > 1).then(|| format!(" × {}", d.quantity))}
                        " — " {was.clone().map(|w| view! { <s class="was" data-testid="preview-was">{w}</s> " " })}
                        <strong class="price">{total.clone()}</strong>
                    </p>
                })}
                {diff.map(|t| view! { <p class="diff" data-testid="price-diff">{t}</p> })}
                {(d.expiry_minutes > 0).then(|| view! {
                    <p class="timer">{i18n.t(Msg::ExpiresIn)} " " {d.expiry_minutes} " " {i18n.t(Msg::Minutes)}</p>
                })}
                <div class="offer-buttons">
                    <button type="button" class="primary" tabindex="-1" aria-hidden="true">{i18n.t(Msg::PreviewAccept)}</button>
                    <button type="button" class="link" tabindex="-1" aria-hidden="true">{i18n.t(Msg::PreviewDecline)}</button>
                </div>
            </div>
        }
    };
    view! {
        <aside class="preview" aria-labelledby="preview-title">
            <h2 id="preview-title">{i18n.t(Msg::Preview)}</h2>
            <p class="hint">{i18n.t(Msg::PreviewHint)}</p>
            {card}
        </aside>
    }
}
