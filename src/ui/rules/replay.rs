//! "What would this map have earned?": a plain GET form (`?replay=N#replay`) and the answer,
//! rendered on the server.
use crate::api::rules::{replay_draft, replay_map};
use crate::domain::money::format_money;
use crate::domain::rule::replay::{Follows, ReplayLine, ReplayResult};
use crate::domain::rule::versions::VersionInfo;
use crate::domain::rule::RuleDraft;
use crate::ui::i18n::{use_i18n, Lang, Msg};
use crate::ui::widgets::ErrorBanner;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn percent(r: Option<f64>) -> String {
    r.map(|r| format!("{:.1}%", r * 100.0)).unwrap_or_default()
}

/// "after “Big” is declined": a follower's line is projected from its rule's outcomes.
fn follows_text(lang: Lang, f: &Follows) -> String {
    match (lang, f.on_accept) {
        (Lang::En, true) => format!("after “{}” is paid", f.name),
        (Lang::En, false) => format!("after “{}” is declined", f.name),
        (Lang::Zh, true) => format!("在“{}”付款后", f.name),
        (Lang::Zh, false) => format!("在“{}”被拒绝后", f.name),
    }
}

fn line_view(l: ReplayLine) -> impl IntoView {
    let i18n = use_i18n();
    let follows = l.follows.as_ref().map(|f| follows_text(i18n.now_lang(), f));
    let rate = match l.take_rate {
        Some(r) => format!(
            "{} ({}–{})",
            percent(Some(r)),
            percent(l.take_low),
            percent(l.take_high)
        ),
        None => i18n.now(Msg::RpNoRate).to_string(),
    };
    let money = |v: i64| format_money(v, &l.currency);
    view! {
        <tr data-rule-id=l.rule_id.clone()>
            <th scope="row">{l.name.clone()}
                {follows.map(|f| view! { <span class="sub" data-testid="replay-follows">{f}</span> })}
            </th>
            <td class="num" data-testid="replay-offers">{l.offers}</td>
            <td>{rate}</td>
            <td class="num">{money(l.expected)} <span class="sub">" (" {money(l.expected_low)} "–" {money(l.expected_high)} ")"</span></td>
            <td class="num">{l.actual_offers}</td>
            <td class="num">{money(l.actual_revenue)}</td>
        </tr>
    }
}

#[component]
pub(super) fn Replay(versions: Vec<VersionInfo>) -> impl IntoView {
    let i18n = use_i18n();
    let asked: Option<i64> =
        use_query_map().with_untracked(|m| m.get("replay").and_then(|v| v.parse().ok()));
    let answer = Resource::new(
        || (),
        move |_| async move {
            match asked {
                Some(v) => Some(replay_map(v).await),
                None => None,
            }
        },
    );
    let options = super::versions::version_options(&versions, asked);
    view! {
        <section class="replay" id="replay" aria-labelledby="replay-title" data-testid="replay">
            <h2 id="replay-title">{i18n.t(Msg::RpTitle)}</h2>
            <p class="help">{i18n.t(Msg::RpIntro)}</p>
            <form method="get" action="/rules#replay" class="form row">
                <div class="field">
                    <label for="replay-version">{i18n.t(Msg::RpVersion)}</label>
                    <select id="replay-version" name="replay">
                        <option value="0" selected=asked.is_none() || asked == Some(0)>{i18n.t(Msg::RpLive)}</option>
                        {options}
                    </select>
                </div>
                <button type="submit" class="primary" data-testid="replay-run" data-pending=i18n.now(Msg::RpRunning)>{i18n.t(Msg::RpRun)}</button>
            </form>
            <Suspense fallback=move || view! { <p class="loading">{i18n.t(Msg::RpRunning)}</p> }>
                {move || answer.get().flatten().map(|r| match r {
                    Err(e) => view! { <ErrorBanner error=e/> }.into_any(),
                    Ok(result) => view! { <ReplayTable result/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// A replay's answer: per rule and per currency, what the map would have offered and earned
/// next to what the live map did (the page's replay and the editor's draft replay).
#[component]
pub(super) fn ReplayTable(result: ReplayResult) -> impl IntoView {
    let i18n = use_i18n();
    let totals = result.totals.clone().into_iter().map(|(c, e, lo, hi, actual)| view! {
        <tr class="total">
            <th scope="row">{i18n.t(Msg::RpTotal)} " (" {c.clone()} ")"</th>
            <td></td><td></td>
            <td class="num" data-testid="replay-total">{format_money(e, &c)} <span class="sub">" (" {format_money(lo, &c)} "–" {format_money(hi, &c)} ")"</span></td>
            <td></td>
            <td class="num">{format_money(actual, &c)}</td>
        </tr>
    }).collect_view();
    view! {
        <div class="replay-result" role="status" data-testid="replay-result">
            <p><strong>{result.purchases}</strong> " " {i18n.t(Msg::RpPurchases)}</p>
            <table class="analytics">
                <thead><tr>
                    <th scope="col">{i18n.t(Msg::RpRule)}</th>
                    <th scope="col">{i18n.t(Msg::RpOffers)}</th>
                    <th scope="col">{i18n.t(Msg::RpRate)}</th>
                    <th scope="col">{i18n.t(Msg::RpExpected)}</th>
                    <th scope="col">{i18n.t(Msg::RpActualOffers)}</th>
                    <th scope="col">{i18n.t(Msg::RpActualRevenue)}</th>
                </tr></thead>
                <tbody>{result.lines.into_iter().map(line_view).collect_view()}{totals}</tbody>
            </table>
        </div>
    }
}

/// The replay of the draft the editor sent without JavaScript ("Replay with this change"),
/// rendered on the server under the editor; `None`: the kept draft is gone.
#[component]
pub(super) fn KeptReplay(draft: Option<RuleDraft>) -> impl IntoView {
    let i18n = use_i18n();
    let answer = Resource::new(
        || (),
        move |_| {
            let draft = draft.clone();
            async move {
                match draft {
                    Some(draft) => Some(replay_draft(draft).await),
                    None => None,
                }
            }
        },
    );
    view! {
        <section class="draft-replay" aria-labelledby="kept-replay-title" data-testid="kept-replay">
            <h2 id="kept-replay-title">{i18n.t(Msg::RpDraft)}</h2>
            <Suspense fallback=move || view! { <p class="loading">{i18n.t(Msg::RpDraftRunning)}</p> }>
                {move || answer.get().map(|r| match r {
                    Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
                    None => view! { <p class="help">{i18n.t(Msg::RpNothingKept)}</p> }.into_any(),
                    Some(Ok(result)) => view! {
                        <p class="help">{i18n.t(Msg::RpDraftHelp)}</p>
                        <div class="table-wrap"><ReplayTable result/></div>
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
