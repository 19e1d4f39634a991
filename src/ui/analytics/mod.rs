//! The analyst's screen. Everything it shows follows from the URL's query (range, filters,
//! sort, selected offer) and renders on the server, so links and the filter form work without
//! JavaScript and can be bookmarked or shared. The one island learns the browser's time zone.
mod charts;
mod details;
#[cfg(feature = "ssr")]
mod rendered;
mod saves;
mod table;

use super::i18n::{use_i18n, Msg};
use super::rules::kind_msg;
use super::widgets::ErrorBanner;
use crate::api::analytics::{analytics_recent, analytics_report};
use crate::domain::analytics::{Filters, RecentOffer, Report};
use crate::domain::error::AppError;
use crate::domain::error::ErrorCode;
use crate::domain::rule::RuleKind;
use crate::domain::time::format_date;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

fn filters_from(q: &ParamsMap) -> Filters {
    let g = |k: &str| q.get(k).unwrap_or_default();
    Filters {
        from: g("from"),
        to: g("to"),
        kind: g("kind"),
        trigger: g("trigger"),
        offered: g("offered"),
        currency: g("currency"),
        sort: g("sort"),
        desc: g("desc") == "1",
        tz: g("tz"),
    }
}

/// The query for `f`, plus the selected offer if any.
fn query(f: &Filters, offer: Option<&str>) -> String {
    crate::domain::query_string([
        ("from", f.from.as_str()),
        ("to", &f.to),
        ("kind", &f.kind),
        ("trigger", &f.trigger),
        ("offered", &f.offered),
        ("currency", &f.currency),
        ("sort", &f.sort),
        ("tz", &f.tz),
        ("desc", if f.desc { "1" } else { "" }),
        ("offer", offer.unwrap_or_default()),
    ])
}

/// The browser's IANA time zone, remembered in a cookie so the server renders later visits
/// in it from the first paint.
#[cfg(feature = "hydrate")]
fn browser_zone() -> Option<String> {
    use wasm_bindgen::JsCast;
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
        .resolved_options();
    let zone = js_sys::Reflect::get(&options, &"timeZone".into())
        .ok()?
        .as_string()?;
    // Zone names are letters, digits and `_/+-`: valid in a cookie as they are (the server
    // reads the value unencoded).
    let plain = zone
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_/+-".contains(c));
    if let (true, Ok(html)) = (plain, document().dyn_into::<web_sys::HtmlDocument>()) {
        let _ = html.set_cookie(&format!(
            "tz={zone}; Path=/; Max-Age=31536000; SameSite=Lax"
        ));
    }
    Some(zone)
}

#[derive(Clone, Copy)]
pub(crate) struct Ctx {
    pub filters: Memo<Filters>,
    pub offer: Memo<Option<String>>,
    pub recent: Resource<Result<Option<Vec<RecentOffer>>, AppError>>,
}

impl Ctx {
    /// A link to `path` with the query as shown now (the range pinned to the report's, so a
    /// default range stays the same range), changed by `change`.
    pub fn link(
        self,
        path: &str,
        rep: StoredValue<std::sync::Arc<Report>>,
        offer: Option<&str>,
        change: impl FnOnce(&mut Filters),
    ) -> String {
        let mut f = self.filters.get();
        rep.with_value(|r| {
            f.from = r.from.clone();
            f.to = r.to.clone();
        });
        change(&mut f);
        format!("{path}?{}", query(&f, offer))
    }
}

#[component]
pub fn AnalyticsPage() -> impl IntoView {
    let i18n = use_i18n();
    let q = use_query_map();
    let filters = Memo::new(move |_| q.with(filters_from));
    let offer = Memo::new(move |_| q.with(|q| q.get("offer")).filter(|o| !o.is_empty()));
    let report = Resource::new(move || filters.get(), analytics_report);
    let recent = Resource::new(
        move || offer.get(),
        |id| async move {
            match id {
                Some(id) => analytics_recent(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    provide_context(Ctx {
        filters,
        offer,
        recent,
    });
    view! {
        <section class="page analytics-page">
            <h1>{i18n.t(Msg::AnTitle)}</h1>
            <p class="lead">{i18n.t(Msg::AnIntro)}</p>
            <Suspense fallback=move || view! { <p class="loading">{i18n.t(Msg::Loading)}</p> }>
                {move || {
                    // Kept as rendered from this very report (a new computation is a new key).
                    #[cfg(feature = "ssr")]
                    if let Some(html) = report.with(|r| match r {
                        Some(Ok(rep)) => kept_key(rep, i18n, filters, offer).and_then(|k| rendered::get(&k)),
                        _ => None,
                    }) {
                        return Some(leptos::tachys::html::InertElement::new(html.to_string()).into_any());
                    }
                    report.get().map(|r| match r {
                    Err(e) if e.code == ErrorCode::Forbidden => view! {
                        <div class="banner error" role="alert" data-testid="analytics-denied">
                            <p>{i18n.t(Msg::AnDenied)}</p>
                        </div>
                    }.into_any(),
                    Err(e) => view! {
                        <ErrorBanner error=e/>
                        <a class="button" href="/analytics">{i18n.t(Msg::AnLast30)}</a>
                    }.into_any(),
                    Ok(rep) => {
                        let key = kept_key(&rep, i18n, filters, offer);
                        let filters = filters.get_untracked();
                        // Without a zone in the URL, the page is in the remembered one (or UTC).
                        let recheck = filters.tz.is_empty().then(|| view! {
                            <ZoneCheck shown=rep.zone.clone() filters offer=offer.get_untracked()/>
                        });
                        let rep = StoredValue::new(rep);
                        let body = view! {
                            {recheck}
                            <FilterBar rep/>
                            <table::OfferTable rep/>
                            <charts::Trend rep/>
                            <details::Selected rep/>
                            <details::Experiments rep/>
                            <details::Declines rep/>
                            <saves::Saves rep/>
                        };
                        #[cfg(feature = "ssr")]
                        if let Some(key) = key {
                            let html: std::sync::Arc<str> = body.to_html().into();
                            rendered::put(key, html.clone());
                            return leptos::tachys::html::InertElement::new(html.to_string()).into_any();
                        }
                        #[cfg(not(feature = "ssr"))]
                        let _ = key;
                        body.into_any()
                    }
                })}}
            </Suspense>
        </section>
    }
}

/// Under which key the report part of the page, as rendered from `rep`, is kept: none when an
/// offer is selected (its drill-down loads on its own).
fn kept_key(
    rep: &Report,
    i18n: super::i18n::I18n,
    filters: Memo<Filters>,
    offer: Memo<Option<String>>,
) -> Option<String> {
    offer.with_untracked(Option::is_none).then(|| {
        filters.with_untracked(|f| format!("{}|{}|{f:?}", rep.stamp, i18n.now_lang().code()))
    })
}

/// A first visit renders in UTC (the server cannot know the zone yet). In the browser, this
/// remembers the browser's zone in a cookie (later visits render in it from the first paint)
/// and, if the page was shown in another zone, loads it again in the browser's.
#[island]
fn ZoneCheck(shown: String, filters: Filters, offer: Option<String>) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    if let Some(tz) = browser_zone().filter(|z| *z != shown) {
        let href = format!(
            "/analytics?{}",
            query(&Filters { tz, ..filters }, offer.as_deref())
        );
        let _ = window().location().replace(&href);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (shown, filters, offer);
}

/// The catch-all trigger (`*`) by its name in the viewer's language.
pub(crate) fn catch_all_named(i18n: super::i18n::I18n, id: &str, name: String) -> String {
    if id == crate::domain::rule::ANY_PRODUCT {
        i18n.now(Msg::PvCatchAll).to_string()
    } else {
        name
    }
}

/// A filter's `<select>`: "All" first, then `options` as (value, label).
#[component]
fn Choice(
    label: Msg,
    name: &'static str,
    options: Vec<(String, String)>,
    current: String,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label>{i18n.t(label)}
            <select name=name>
                <option value="">{i18n.t(Msg::AnAll)}</option>
                {options.into_iter().map(|(value, text)| {
                    let selected = value == current;
                    let text = catch_all_named(i18n, &value, text);
                    view! { <option value=value selected=selected>{text}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

/// Range presets, custom dates, filters and the CSV link.
#[component]
fn FilterBar(rep: StoredValue<std::sync::Arc<Report>>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let r = rep.get_value();
    let preset = move |days: i64| {
        let t = rep.with_value(|r| r.today);
        ctx.link("/analytics", rep, None, |f| {
            f.from = format_date(t - days + 1);
            f.to = format_date(t);
        })
    };
    let csv = move || ctx.link("/analytics/export.csv", rep, None, |_| {});
    let f = ctx.filters.get_untracked();
    let kinds = RuleKind::ALL
        .into_iter()
        .map(|k| (k.as_str().to_string(), i18n.now(kind_msg(k)).to_string()))
        .collect();
    let currencies = r
        .currencies
        .iter()
        .map(|c| (c.clone(), c.clone()))
        .collect();
    view! {
        <div class="filters">
            <nav class="presets" aria-label=i18n.t(Msg::AnRange)>
                <a href=move || preset(7) data-testid="preset-7">{i18n.t(Msg::AnLast7)}</a>
                <a href=move || preset(30) data-testid="preset-30">{i18n.t(Msg::AnLast30)}</a>
                <a href=move || preset(90) data-testid="preset-90">{i18n.t(Msg::AnLast90)}</a>
            </nav>
            <form method="get" action="/analytics">
                <div class="filter-fields">
                    <label>{i18n.t(Msg::AnFrom)}
                        <input type="date" name="from" value=r.from.clone() required data-testid="from"/>
                    </label>
                    <label>{i18n.t(Msg::AnTo)}
                        <input type="date" name="to" value=r.to.clone() required data-testid="to"/>
                    </label>
                    <Choice label=Msg::AnKind name="kind" options=kinds current=f.kind.clone()/>
                    <Choice label=Msg::AnTrigger name="trigger" options=r.products.clone() current=f.trigger.clone()/>
                    <Choice label=Msg::AnOffered name="offered" options=r.products.clone() current=f.offered.clone()/>
                    <Choice label=Msg::AnCurrency name="currency" options=currencies current=f.currency.clone()/>
                    <input type="hidden" name="sort" value=f.sort.clone()/>
                    {(!f.tz.is_empty()).then(|| view! { <input type="hidden" name="tz" value=f.tz.clone()/> })}
                    {f.desc.then(|| view! { <input type="hidden" name="desc" value="1"/> })}
                    <button type="submit" class="primary" data-testid="apply">{i18n.t(Msg::AnApply)}</button>
                </div>
            </form>
            <a class="button" href=csv rel="external" download data-testid="csv">{i18n.t(Msg::AnExport)}</a>
            <p class="hint" data-testid="an-zone">{i18n.t(Msg::AnDaysIn)}" "<strong>{r.zone.clone()}</strong></p>
        </div>
    }
}
