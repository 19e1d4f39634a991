//! The support console: find a subscription (the search is a GET form, so it works without
//! JavaScript), see the customer's plans and saved methods, preview and execute a change,
//! approve changes above the merchant's limit, and read the history.
mod change;
mod customer;
mod history;
mod threshold;

pub use threshold::ThresholdSettings;

use super::errors::field_text;
use super::i18n::{use_i18n, Msg};
use super::widgets::ErrorBanner;
use crate::api::subscriptions::{find_subscriptions, get_change, ConsoleData};
use crate::app::use_session;
use crate::domain::error::ErrorCode;
use crate::domain::role::Role;
use crate::domain::subscription::{ChangeState, PlanChangeView};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

/// Shared by the screen's parts.
#[derive(Clone, Copy)]
pub(crate) struct Ctx {
    pub reload: RwSignal<u32>,
    /// The subscription whose change panel is open.
    pub selected: RwSignal<Option<String>>,
    pub merchant: Signal<bool>,
    /// The latest executed change, followed until Dodo confirms it.
    pub last: RwSignal<Option<PlanChangeView>>,
}

impl Ctx {
    pub fn refresh(self) {
        self.reload.update(|n| *n += 1);
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
    let query = use_query_map();
    let q = move || query.with(|m| m.get("q").unwrap_or_default());
    let reload = RwSignal::new(0u32);
    let data = Resource::new(move || (q(), reload.get()), |(q, _)| find_subscriptions(q));
    let merchant = Signal::derive(
        move || matches!(session.user.get(), Some(Ok(Some(u))) if u.role == Role::Merchant),
    );
    let ctx = Ctx {
        reload,
        selected: RwSignal::new(None),
        merchant,
        last: RwSignal::new(None),
    };
    provide_context(ctx);
    // Until the outcome and the charged amount are known, look again (the server reads Dodo
    // back when the webhooks are overdue). Bounded, so a lost webhook cannot poll forever.
    let polls = RwSignal::new((String::new(), 0u32));
    Effect::new(move |_| {
        let Some(v) = ctx.last.get() else {
            return;
        };
        if polls.with_untracked(|p| p.0 != v.id) {
            polls.set((v.id.clone(), 0));
        }
        let waiting = v.state == ChangeState::Executing
            || (v.state == ChangeState::Applied
                && v.charged_amount.is_none()
                && v.previewed_amount.unwrap_or(0) > 0);
        if waiting && polls.with_untracked(|p| p.1) < 120 {
            polls.update(|p| p.1 += 1);
            set_timeout(
                move || {
                    leptos::task::spawn_local(async move {
                        if let Ok(now) = get_change(v.id.clone()).await {
                            if now != v {
                                ctx.refresh();
                            }
                            ctx.last.set(Some(now));
                        }
                    })
                },
                std::time::Duration::from_millis(800),
            );
        }
    });
    let text = RwSignal::new(q());
    let navigate = use_navigate();
    let on_search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        ctx.selected.set(None);
        ctx.last.set(None);
        let encoded = crate::ui::query_value(text.get_untracked().trim());
        navigate(&format!("/subscriptions?q={encoded}"), Default::default());
    };
    view! {
        <section class="page subs-page">
            <h1>{i18n.t(Msg::SubsTitle)}</h1>
            <p class="lead">{i18n.t(Msg::SubsIntro)}</p>
            <form class="form search" method="get" action="/subscriptions" role="search" on:submit=on_search>
                <label for="subs-q">{i18n.t(Msg::SubsSearchLabel)}</label>
                <div class="row">
                    <input id="subs-q" name="q" type="search" maxlength="254" aria-describedby="subs-q-error"
                        value=q() prop:value=text on:input=move |ev| text.set(event_target_value(&ev))/>
                    <button type="submit" class="primary" data-testid="subs-search">{i18n.t(Msg::SubsSearch)}</button>
                </div>
            </form>
            {move || ctx.last.get().map(|v| view! { <change::Outcome v/> })}
            <Transition fallback=move || view! { <p class="loading">{i18n.t(Msg::Loading)}</p> }>
                {move || data.get().map(|r| match r {
                    Err(e) if e.code == ErrorCode::Forbidden => view! {
                        <div class="banner error" role="alert" data-testid="subs-denied"><p>{i18n.t(Msg::DeniedSubscriptions)}</p></div>
                    }.into_any(),
                    Err(e) if e.code == ErrorCode::Validation => {
                        let f = e.field("q").cloned();
                        view! { <p class="field-error" id="subs-q-error" role="alert">{move || f.as_ref().map(|f| field_text(i18n.0.get(), f))}</p> }.into_any()
                    }
                    Err(e) => view! { <ErrorBanner error=e/> }.into_any(),
                    Ok(d) => view! { <Console d searched=!q().trim().is_empty()/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Console(d: ConsoleData, searched: bool) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let products = StoredValue::new(d.products.clone());
    let subs: Vec<_> = d
        .customers
        .iter()
        .flat_map(|c| {
            c.subscriptions
                .iter()
                .map(move |s| (c.name.clone(), s.clone()))
        })
        .collect();
    let subs = StoredValue::new(subs);
    let empty = searched && d.customers.is_empty();
    let approvals = d.approvals.clone();
    view! {
        {(!approvals.is_empty()).then(|| view! {
            <section class="approvals" aria-labelledby="approvals-title">
                <h2 id="approvals-title">{i18n.t(Msg::SubsApprovals)}</h2>
                <history::HistoryTable rows=approvals testid="approvals"/>
            </section>
        })}
        {empty.then(|| view! { <p class="notice" data-testid="subs-none">{i18n.t(Msg::SubsNoMatch)}</p> })}
        {d.customers.into_iter().map(|c| view! { <customer::CustomerCard c/> }).collect_view()}
        {move || ctx.selected.get().and_then(|id| {
            subs.with_value(|all| all.iter().find(|(_, s)| s.id == id).cloned())
        }).map(|(name, s)| view! { <change::ChangePanel customer=name sub=s products=products.get_value()/> })}
        {searched.then(|| view! {
            <section aria-labelledby="history-title">
                <h2 id="history-title">{i18n.t(Msg::SubsHistory)}</h2>
                {if d.history.is_empty() {
                    view! { <p>{i18n.t(Msg::SubsNoHistory)}</p> }.into_any()
                } else {
                    view! { <history::HistoryTable rows=d.history testid="history"/> }.into_any()
                }}
            </section>
        })}
    }
}
