//! SVG charts drawn by our own components: no chart library, and no wasm either. They render
//! on the server; hovering or focusing a day shows its values and the series checkboxes hide a
//! series, both in CSS (`:hover`, `:focus`, `:has(:checked)`), so they work without JavaScript.
use crate::domain::analytics::{chart_points, Counts, Report};
use crate::domain::money::format_money;
use crate::ui::i18n::{use_i18n, Msg};
use leptos::prelude::*;

const W: f64 = 720.0;
const H: f64 = 220.0;
const PAD_L: f64 = 40.0;
const PAD_B: f64 = 24.0;
const PAD_T: f64 = 10.0;

fn points(values: &[i64], max: i64, x: impl Fn(usize) -> f64) -> String {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let y = PAD_T + (H - PAD_T - PAD_B) * (1.0 - *v as f64 / max.max(1) as f64);
            format!("{:.1},{:.1}", x(i), y)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[component]
pub fn Trend(rep: StoredValue<std::sync::Arc<Report>>) -> impl IntoView {
    let i18n = use_i18n();
    let (day_count, currency) = rep.with_value(|r| (r.trend.len(), r.trend_currency.clone()));
    let trend = rep.with_value(|r| chart_points(&r.trend));
    let weekly = trend.len() < day_count;
    let n = trend.len().max(1);
    let step = (W - PAD_L) / n as f64;
    let x = move |i: usize| PAD_L + step * (i as f64 + 0.5);
    let shown: Vec<i64> = trend.iter().map(|p| p.shown).collect();
    let paid: Vec<i64> = trend.iter().map(|p| p.paid).collect();
    let max_count = shown
        .iter()
        .chain(paid.iter())
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    let top_rev = trend.iter().map(|p| p.revenue).max().unwrap_or(0);
    let max_rev = top_rev.max(1);
    let plot_h = H - PAD_T - PAD_B;
    let cur = currency.clone().unwrap_or_default();
    let bars = trend
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let h = plot_h * p.revenue.max(0) as f64 / max_rev as f64;
            view! {
                <rect class="bar revenue" x=format!("{:.1}", x(i) - step * 0.35) y=format!("{:.1}", PAD_T + plot_h - h)
                    width=format!("{:.1}", step * 0.7) height=format!("{h:.1}")/>
            }
        })
        .collect_view();
    // One group per point (a day, or a week over a long range): an invisible hit area, its
    // marker and its values, shown on hover or keyboard focus.
    let days = trend
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let text = format!(
                "{}: {} {}, {} {}, {} {}",
                p.label,
                i18n.now(Msg::AnShown),
                p.shown,
                i18n.now(Msg::AnPaid),
                p.paid,
                i18n.now(Msg::AnRevenue),
                format_money(p.revenue, &cur)
            );
            let mx = format!("{:.1}", x(i));
            let anchor = if x(i) > W / 2.0 { "end" } else { "start" };
            let label = text.clone();
            view! {
                <g class="day" tabindex="0" role="img" aria-label=label>
                    <rect class="hit" x=format!("{:.1}", PAD_L + step * i as f64) y="0" width=format!("{step:.1}") height=H.to_string()/>
                    <line class="marker" x1=mx.clone() x2=mx.clone() y1=PAD_T y2=H - PAD_B/>
                    <text class="day-detail" x=mx y=PAD_T + 12.0 text-anchor=anchor>{text}</text>
                </g>
            }
        })
        .collect_view();
    let first = trend.first().map(|p| p.label.clone()).unwrap_or_default();
    let last = trend.last().map(|p| p.label.clone()).unwrap_or_default();
    view! {
        <section class="chart" aria-labelledby="trend-h">
            <h2 id="trend-h">{i18n.t(if weekly { Msg::AnTrendWeekly } else { Msg::AnTrend })} {currency.map(|c| format!(" · {c}"))}</h2>
            <fieldset class="series">
                <label class="swatch shown"><input type="checkbox" class="show-shown" data-testid="series-shown" checked/>
                    {i18n.t(Msg::AnShown)}</label>
                <label class="swatch paid"><input type="checkbox" class="show-paid" data-testid="series-paid" checked/>
                    {i18n.t(Msg::AnPaid)}</label>
                <label class="swatch revenue"><input type="checkbox" class="show-revenue" data-testid="series-revenue" checked/>
                    {i18n.t(Msg::AnRevenue)}</label>
            </fieldset>
            <svg viewBox=format!("0 0 {W} {H}") role="group" aria-label=i18n.t(if weekly { Msg::AnTrendWeekly } else { Msg::AnTrend }) data-testid="trend" data-days=day_count data-points=trend.len()>
                <line class="axis" x1=PAD_L y1=H - PAD_B x2=W y2=H - PAD_B/>
                <text class="tick" x="2" y=PAD_T + 10.0>{max_count}</text>
                <text class="tick" x="2" y=H - PAD_B>"0"</text>
                <text class="tick" x=PAD_L y=H - 6.0>{first}</text>
                <text class="tick end" x=W y=H - 6.0 text-anchor="end">{last}</text>
                <g class="series-revenue">
                    {bars}
                    // The bars' own scale, on the right: the counts' scale is on the left.
                    {(top_rev > 0).then(|| view! {
                        <text class="tick revenue-scale" x=W y=PAD_T + 10.0 text-anchor="end" data-testid="revenue-scale">{format_money(top_rev, &cur)}</text>
                    })}
                </g>
                <polyline class="line shown" points=points(&shown, max_count, x)/>
                <polyline class="line paid" points=points(&paid, max_count, x)/>
                <g class="days">{days}</g>
            </svg>
        </section>
    }
}

/// Created → shown → accepted → paid for one offer: each bar and its figure as a share of
/// offers created, and under each step's name its share of the step before (accepted of
/// shown is the table's take rate), so where offers are lost reads at a glance.
#[component]
pub fn Funnel(counts: Counts) -> impl IntoView {
    let i18n = use_i18n();
    let labels = [Msg::AnCreated, Msg::AnShown, Msg::AnAccepted, Msg::AnPaid];
    let pct = |r: Option<f64>| format!("{:.1}%", 100.0 * r.unwrap_or(0.0));
    let row_h = 44.0;
    view! {
        <svg class="funnel" viewBox=format!("0 0 {W} {}", row_h * 4.0) role="img" aria-label=i18n.t(Msg::AnFunnel) data-testid="funnel">
            {counts.funnel().into_iter().enumerate().map(|(i, step)| {
                let w = (W - 300.0) * step.of_created.unwrap_or(0.0);
                let y = row_h * i as f64;
                // Closures: the words follow the language switch.
                let value = move || if i == 0 {
                    step.count.to_string()
                } else {
                    format!("{} · {} {}", step.count, pct(step.of_created), i18n.now(Msg::AnOfCreated))
                };
                let of_previous = (i > 0).then_some(move || {
                    i18n.now(Msg::AnOfStep)
                        .replace("{p}", &pct(step.of_previous))
                        .replace("{step}", &i18n.now(labels[i - 1]).to_lowercase())
                });
                view! {
                    <text class="label" x="0" y=y + 18.0>{i18n.t(labels[i])}</text>
                    {of_previous.map(|t| view! {
                        <text class="step" x="0" y=y + 33.0 data-testid="funnel-step">{t}</text>
                    })}
                    <rect class="bar" x="120" y=y + 6.0 width=format!("{w:.1}") height=row_h - 16.0/>
                    <text class="value" x=format!("{:.1}", 128.0 + w) y=y + 24.0>{value}</text>
                }
            }).collect_view()}
        </svg>
    }
}
