//! The support console: find a subscription, see the customer's plans and saved methods,
//! preview and execute a change, approve changes above the merchant's limit, and read the
//! history. It renders on the server from the URL; every action is a plain form whose answer
//! is this page with the result in the URL, so it all works without JavaScript.
mod change;
mod customer;
mod history;
mod offers;
mod threshold;

pub use threshold::ThresholdSettings;

use super::errors::field_text;
use super::i18n::{use_i18n, Msg};
use super::widgets::ErrorBanner;
use crate::api::subscriptions::{find_subscriptions, get_change, ConsoleData};
use crate::domain::error::ErrorCode;
use crate::domain::role::Role;
use crate::domain::subscription::ChangeState;
use crate::ui::session::use_session;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// What the console shows, from the URL: the search, the subscription whose change panel is
/// open, the preview being looked at and the mode chosen in it, and the change just made.
#[derive(Clone, Debug, Default)]
pub(crate) struct View {
    pub q: String,
    pub sub: Option<String>,
    pub change: Option<String>,
    pub mode: Option<String>,
    pub done: Option<String>,
    /// How many times the outcome has been looked at again (bounded).
    pub polls: u32,
    pub merchant: bool,
}

impl View {
    /// This page with `set` changed (an empty value removes the key).
    pub fn href(&self, set: &[(&str, &str)]) -> String {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let mut pairs: Vec<(&str, String)> = vec![
            ("q", self.q.clone()),
            ("sub", opt(&self.sub)),
            ("change", opt(&self.change)),
            ("mode", opt(&self.mode)),
            ("done", opt(&self.done)),
        ];
        for (k, v) in set {
            pairs.retain(|(key, _)| key != k);
            pairs.push((k, v.to_string()));
        }
        let query = crate::domain::query_string(pairs.iter().map(|(k, v)| (*k, v.as_str())));
        format!("/subscriptions?{query}")
    }
}

pub(crate) fn state_msg(s: ChangeState) -> Msg {
    match s {
        ChangeState::Previewed => Msg::SubsStatePreviewed,
        ChangeState::AwaitingApproval => Msg::SubsStateAwaiting,
        ChangeState::Approved => Msg::SubsStateApproved,
        ChangeState::Executing => Msg::SubsStateExecuting,
        ChangeState::Scheduled => Msg::SubsStateScheduled,
        ChangeState::Applied => Msg::SubsStateApplied,
        ChangeState::Failed => Msg::SubsStateFailed,
        ChangeState::Cancelled => Msg::SubsStateCancelled,
    }
}

#[component]
pub fn SubscriptionsPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let query = use_query_map().get_untracked();
    let get = |k: &str| query.get(k).filter(|v| !v.is_empty());
    // Whether the viewer may approve is known once the session is read, below.
    let shown = View {
        q: get("q").unwrap_or_default(),
        sub: get("sub"),
        change: get("change"),
        mode: get("mode"),
        done: get("done"),
        polls: get("n").and_then(|n| n.parse().ok()).unwrap_or(0),
        merchant: false,
    };
    let search_value = shown.q.clone();
    let q = shown.q.clone();
    let data = Resource::new(move || q.clone(), find_subscriptions);
    let done = shown.done.clone();
    let outcome = Resource::new(
        move || done.clone(),
        |id| async move {
            match id {
                Some(id) => get_change(id).await.ok(),
                None => None,
            }
        },
    );
    view! {
        <section class="page subs-page">
            <h1>{i18n.t(Msg::SubsTitle)}</h1>
            <p class="lead">{i18n.t(Msg::SubsIntro)}</p>
            <form class="form search" method="get" action="/subscriptions" role="search">
                <label for="subs-q">{i18n.t(Msg::SubsSearchLabel)}</label>
                <div class="row">
                    <input id="subs-q" name="q" type="search" maxlength="254" aria-describedby="subs-q-error"
                        value=search_value/>
                    <button type="submit" class="primary" data-testid="subs-search">{i18n.t(Msg::SubsSearch)}</button>
                </div>
            </form>
            <Suspense fallback=move || view! { <p class="loading">{i18n.t(Msg::Loading)}</p> }>
                {move || {
                    let merchant = matches!(session.user.get(), Some(Ok(Some(u))) if u.role == Role::Merchant);
                    let v = View { merchant, ..shown.clone() };
                    let result = outcome.get().flatten().map(|o| view! { <change::Outcome o v=v.clone()/> });
                    data.get().map(|r| match r {
                        Err(e) if e.code == ErrorCode::Forbidden => view! {
                            <div class="banner error" role="alert" data-testid="subs-denied"><p>{i18n.t(Msg::DeniedSubscriptions)}</p></div>
                        }.into_any(),
                        Err(e) if e.code == ErrorCode::Validation => {
                            let f = e.field("q").cloned();
                            view! { <p class="field-error" id="subs-q-error" role="alert">{f.as_ref().map(|f| field_text(i18n.now_lang(), f))}</p> }.into_any()
                        }
                        Err(e) => view! { <ErrorBanner error=e/> }.into_any(),
                        Ok(d) => view! { {result} <Console d v/> }.into_any(),
                    })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn Console(d: ConsoleData, v: View) -> impl IntoView {
    let i18n = use_i18n();
    let searched = !v.q.trim().is_empty();
    let panel = v.sub.as_ref().and_then(|id| {
        d.customers.iter().find_map(|c| {
            c.subscriptions
                .iter()
                .find(|s| &s.id == id)
                .map(|s| (c.name.clone(), s.clone()))
        })
    });
    let empty = searched && d.customers.is_empty();
    let approvals = d.approvals.clone();
    view! {
        {(!approvals.is_empty()).then(|| view! {
            <section class="approvals" aria-labelledby="approvals-title">
                <h2 id="approvals-title">{i18n.t(Msg::SubsApprovals)}</h2>
                <history::HistoryTable rows=approvals testid="approvals" v=v.clone()/>
            </section>
        })}
        {empty.then(|| view! { <p class="notice" data-testid="subs-none">{i18n.t(Msg::SubsNoMatch)}</p> })}
        {d.customers.into_iter().map(|c| view! { <customer::CustomerCard c v=v.clone()/> }).collect_view()}
        {panel.map(|(name, s)| view! { <change::ChangePanel customer=name sub=s products=d.products.clone() v=v.clone()/> })}
        {searched.then(|| view! {
            <section aria-labelledby="history-title">
                <h2 id="history-title">{i18n.t(Msg::SubsHistory)}</h2>
                {if d.history.is_empty() {
                    view! { <p>{i18n.t(Msg::SubsNoHistory)}</p> }.into_any()
                } else {
                    view! { <history::HistoryTable rows=d.history testid="history" v=v.clone()/> }.into_any()
                }}
            </section>
        })}
    }
}
