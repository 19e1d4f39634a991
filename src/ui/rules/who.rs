//! Who a rule is for, in words: the map's one-line summary of a rule's conditions and
//! schedule, the reasons "preview as customer" gives, and that preview's form. All server
//! rendered (plain GET form): it works without JavaScript.
use crate::api::rules::{preview_as, SetFrequencyCap};
use crate::domain::money::format_money;
use crate::domain::rule::target::{
    CustomerFilter, FrequencyCap, Miss, Targeting, Window, ANY_PRODUCT,
};
use crate::domain::rule::ProductSummary;
use crate::domain::time::format_utc;
use crate::ui::i18n::{use_i18n, Lang, Msg};
use crate::ui::widgets::{form_error, ErrorBanner, FieldMsg};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

fn name(products: &[ProductSummary], id: &str) -> String {
    if id == ANY_PRODUCT {
        return "*".into();
    }
    products
        .iter()
        .find(|p| p.id == id)
        .map(|p| p.name.clone())
        .unwrap_or_else(|| id.to_string())
}

fn span(lang: Lang, ms: i64) -> String {
    let hours = (ms + 3_599_999) / 3_600_000;
    match (lang, hours > 48) {
        (Lang::En, true) => format!("{} days", (hours + 23) / 24),
        (Lang::En, false) => format!("{hours} h"),
        (Lang::Zh, true) => format!("{} 天", (hours + 23) / 24),
        (Lang::Zh, false) => format!("{hours} 小时"),
    }
}

/// "starts in 3 days", "ends in 5 h", "ended"; `None` for a rule without a schedule.
pub(super) fn window_text(lang: Lang, t: &Targeting, now_ms: i64) -> Option<(String, bool)> {
    let live = |s: String| Some((s, true));
    match (t.schedule.window(now_ms), lang) {
        (Window::Always, _) => None,
        (Window::Upcoming(ms), Lang::En) => Some((format!("starts in {}", span(lang, ms)), false)),
        (Window::Upcoming(ms), Lang::Zh) => Some((format!("{}后开始", span(lang, ms)), false)),
        (Window::Live(Some(ms)), Lang::En) => live(format!("ends in {}", span(lang, ms))),
        (Window::Live(Some(ms)), Lang::Zh) => live(format!("{}后结束", span(lang, ms))),
        (Window::Live(None), Lang::En) => live("live".into()),
        (Window::Live(None), Lang::Zh) => live("进行中".into()),
        (Window::Ended, _) => Some((crate::ui::i18n::tr(lang, Msg::TgEnded).into(), false)),
    }
}

/// "order ≥ $50.00 · US, CA · new customers · qty 1–3"; `None` when the rule has no conditions.
pub(super) fn conditions_text(
    lang: Lang,
    t: &Targeting,
    products: &[ProductSummary],
) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for r in &t.order_values {
        let word = if lang == Lang::Zh { "订单" } else { "order" };
        parts.push(match (r.min, r.max) {
            (Some(a), Some(b)) => format!(
                "{word} {}–{}",
                format_money(a, &r.currency),
                format_money(b, &r.currency)
            ),
            (Some(a), None) => format!("{word} ≥ {}", format_money(a, &r.currency)),
            (None, Some(b)) => format!("{word} ≤ {}", format_money(b, &r.currency)),
            (None, None) => continue,
        });
    }
    if !t.currencies.is_empty() {
        parts.push(t.currencies.join(", "));
    }
    if !t.countries.is_empty() {
        parts.push(t.countries.join(", "));
    }
    match t.customer {
        CustomerFilter::Any => {}
        CustomerFilter::New => parts.push(crate::ui::i18n::tr(lang, Msg::TgNewCustomers).into()),
        CustomerFilter::Returning => {
            parts.push(crate::ui::i18n::tr(lang, Msg::TgReturningCustomers).into())
        }
    }
    if !t.exclude_holders.is_empty() {
        let names: Vec<String> = t
            .exclude_holders
            .iter()
            .map(|x| name(products, x))
            .collect();
        parts.push(format!(
            "{} {}",
            crate::ui::i18n::tr(lang, Msg::TgNotHolders),
            names.join(", ")
        ));
    }
    let qty = if lang == Lang::Zh { "数量" } else { "qty" };
    match (t.min_quantity, t.max_quantity) {
        (0, 0) => {}
        (a, 0) => parts.push(format!("{qty} ≥ {a}")),
        (0, b) => parts.push(format!("{qty} ≤ {b}")),
        (a, b) => parts.push(format!("{qty} {a}–{b}")),
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// Why a rule did not fire, in the merchant's language.
pub(super) fn miss_text(lang: Lang, m: &Miss, products: &[ProductSummary]) -> String {
    if lang == Lang::En {
        return match m {
            Miss::HoldsProduct { product_id } => {
                format!("the customer already holds {}", name(products, product_id))
            }
            other => other.english(),
        };
    }
    let money = format_money;
    match m {
        Miss::OtherTrigger => "它针对其他商品".into(),
        Miss::Disabled => "它已停用".into(),
        Miss::Declined => "该客户曾拒绝过它".into(),
        Miss::NotStarted { starts_at } => format!("排期尚未开始（{} UTC）", format_utc(*starts_at)),
        Miss::Ended { ends_at } => format!("排期已结束（{} UTC）", format_utc(*ends_at)),
        Miss::NoOrder => "它有订单金额条件，而此时刻没有订单".into(),
        Miss::OrderBelow {
            total,
            min,
            currency,
        } => {
            format!(
                "订单金额 {} 低于 {}",
                money(*total, currency),
                money(*min, currency)
            )
        }
        Miss::OrderAbove {
            total,
            max,
            currency,
        } => {
            format!(
                "订单金额 {} 高于 {}",
                money(*total, currency),
                money(*max, currency)
            )
        }
        Miss::CurrencyNotListed { currency } => format!("{currency} 不在它的币种中"),
        Miss::OfferCurrency {
            currency,
            offer_currency,
        } => {
            format!("它的优惠以 {offer_currency} 计价，而此次购买为 {currency}")
        }
        Miss::CountryUnknown => "它限定了账单国家/地区，而此次购买的国家/地区未知".into(),
        Miss::CountryNotListed { country } => format!("账单国家/地区 {country} 不在它的列表中"),
        Miss::NotNewCustomer => "它只面向新客户，而该客户曾经购买".into(),
        Miss::NotReturningCustomer => "它只面向回头客，而这是首次购买".into(),
        Miss::HoldsProduct { product_id } => format!("该客户已拥有 {}", name(products, product_id)),
        Miss::QuantityBelow { quantity, min } => format!("数量 {quantity} 低于 {min}"),
        Miss::QuantityAbove { quantity, max } => format!("数量 {quantity} 高于 {max}"),
        Miss::Outranked { by } => format!("“{by}”在规则表中更靠前，先触发"),
        Miss::CatchAllNotNeeded { by } => format!("它是兜底规则，而“{by}”已针对该商品触发"),
    }
}

/// The form and, once asked (`?pv=1&…`), the answer.
#[component]
pub(super) fn PreviewAs(products: Vec<ProductSummary>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let q = move |k: &str| query.with_untracked(|m| m.get(k)).unwrap_or_default();
    let asked = query.with_untracked(|m| m.get("pv").is_some());
    let (customer, product, total, country, quantity) = (
        q("pv_customer"),
        q("pv_product"),
        q("pv_total"),
        q("pv_country"),
        q("pv_quantity"),
    );
    let args = (
        customer.clone(),
        product.clone(),
        total.clone(),
        country.clone(),
        quantity.clone(),
    );
    let answer = Resource::new(
        move || (),
        move |_| {
            let (c, p, t, n, k) = args.clone();
            async move {
                if asked {
                    Some(preview_as(c, p, t, n, k).await)
                } else {
                    None
                }
            }
        },
    );
    let listed = products.clone();
    let options = products
        .iter()
        .map(|p| {
            let sel = p.id == product;
            let text = format!("{} — {}", p.name, p.price_label());
            view! { <option value=p.id.clone() selected=sel>{text}</option> }
        })
        .collect_view();
    view! {
        <section class="preview-as" id="preview-as" aria-labelledby="preview-as-title" data-testid="preview-as">
            <h2 id="preview-as-title">{i18n.t(Msg::PvTitle)}</h2>
            <p class="help">{i18n.t(Msg::PvIntro)}</p>
            <form method="get" action="/rules#preview-as" class="form preview-as-form">
                <input type="hidden" name="pv" value="1"/>
                <div class="row">
                    <div class="field">
                        <label for="pv-customer">{i18n.t(Msg::PvCustomer)}</label>
                        <input id="pv-customer" name="pv_customer" type="text" value=customer/>
                    </div>
                    <div class="field">
                        <label for="pv-product">{i18n.t(Msg::PvProduct)}</label>
                        <select id="pv-product" name="pv_product">{options}</select>
                    </div>
                </div>
                <div class="row">
                    <div class="field">
                        <label for="pv-total">{i18n.t(Msg::PvTotal)}</label>
                        <input id="pv-total" name="pv_total" type="text" inputmode="decimal" value=total/>
                    </div>
                    <div class="field">
                        <label for="pv-country">{i18n.t(Msg::PvCountry)}</label>
                        <input id="pv-country" name="pv_country" type="text" maxlength="2" value=country/>
                    </div>
                    <div class="field">
                        <label for="pv-quantity">{i18n.t(Msg::PvQuantity)}</label>
                        <input id="pv-quantity" name="pv_quantity" type="number" min="1" max="100" value=quantity/>
                    </div>
                </div>
                <button type="submit" class="primary" data-testid="preview-as-run" data-pending=i18n.now(Msg::Loading)>{i18n.t(Msg::PvRun)}</button>
            </form>
            <Suspense fallback=|| ()>
                {move || answer.get().flatten().map(|r| match r {
                    Err(e) => view! { <ErrorBanner error=e/> }.into_any(),
                    Ok(verdicts) => {
                        let lang = i18n.now_lang();
                        let fires = verdicts.iter().any(|v| v.miss.is_none());
                        let items = verdicts.iter().map(|v| {
                            let (class, why) = match &v.miss {
                                None => ("fires", i18n.now(Msg::PvFires).to_string()),
                                Some(m) => ("misses", miss_text(lang, m, &listed)),
                            };
                            let trigger = if v.trigger == ANY_PRODUCT { i18n.now(Msg::PvCatchAll).to_string() } else { name(&listed, &v.trigger) };
                            view! {
                                <li class=class data-rule-id=v.rule_id.clone()>
                                    <strong>{v.name.clone()}</strong> " (" {trigger} "): " <span class="why">{why}</span>
                                </li>
                            }
                        }).collect_view();
                        view! {
                            <div class="preview-as-result" role="status" data-testid="preview-as-result">
                                {(!fires).then(|| view! { <p><strong>{i18n.t(Msg::PvNone)}</strong></p> })}
                                <ul>{items}</ul>
                            </div>
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The map's frequency cap, a plain form.
#[component]
pub(super) fn CapForm(cap: FrequencyCap) -> impl IntoView {
    let i18n = use_i18n();
    let error = form_error::<SetFrequencyCap>();
    let field = |f: &str| error.as_ref().and_then(|e| e.field(f).cloned());
    let (offers_err, days_err) = (field("max_offers"), field("days"));
    let other = error.clone().filter(|e| e.fields.is_empty());
    let now = if cap.is_set() {
        match i18n.now_lang() {
            Lang::En => format!(
                "at most {} offers per customer every {} days",
                cap.max_offers, cap.days
            ),
            Lang::Zh => format!("每位客户每 {} 天最多 {} 个优惠", cap.days, cap.max_offers),
        }
    } else {
        i18n.now(Msg::CapNone).to_string()
    };
    view! {
        <section class="frequency-cap" id="frequency-cap" aria-labelledby="cap-title">
            <h2 id="cap-title">{i18n.t(Msg::CapTitle)}</h2>
            <p class="help">{i18n.t(Msg::CapIntro)}</p>
            <p data-testid="cap-now">{i18n.t(Msg::CapNow)} " " <strong>{now}</strong></p>
            {other.map(|e| view! { <ErrorBanner error=e/> })}
            <form method="post" action=SetFrequencyCap::PATH class="form row cap-form">
                <div class="field">
                    <label for="cap-offers">{i18n.t(Msg::CapOffers)}</label>
                    <input id="cap-offers" name="max_offers" type="number" min="0" max="100" inputmode="numeric"
                        value=cap.max_offers.to_string() aria-describedby="cap-offers-error"/>
                    <FieldMsg id="cap-offers-error".into() error=Signal::stored(offers_err)/>
                </div>
                <div class="field">
                    <label for="cap-days">{i18n.t(Msg::CapDays)}</label>
                    <input id="cap-days" name="days" type="number" min="0" max="365" inputmode="numeric"
                        value=cap.days.to_string() aria-describedby="cap-days-error"/>
                    <FieldMsg id="cap-days-error".into() error=Signal::stored(days_err)/>
                </div>
                <button type="submit" class="primary" data-testid="save-cap" data-pending=i18n.now(Msg::Saving)>{i18n.t(Msg::CapSave)}</button>
            </form>
        </section>
    }
}
