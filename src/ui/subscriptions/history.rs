//! Plan changes as a table: who, when, from → to, mode, previewed against charged (a mismatch
//! is highlighted), the outcome, and what can still be done with each.
use super::change::mode_msg;
use super::{state_msg, Ctx};
use crate::api::subscriptions::{ApproveChange, CancelChange, ExecuteChange};
use crate::domain::money::format_money;
use crate::domain::subscription::{ChangeState, PlanChangeView};
use crate::domain::time::format_utc;
use crate::ui::errors::error_text;
use crate::ui::i18n::{use_i18n, Msg};
use leptos::prelude::*;

#[component]
pub(super) fn HistoryTable(rows: Vec<PlanChangeView>, testid: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let approve = ServerAction::<ApproveChange>::new();
    let cancel = ServerAction::<CancelChange>::new();
    let execute = ServerAction::<ExecuteChange>::new();
    Effect::new(move |_| {
        if approve.version().get() + cancel.version().get() + execute.version().get() > 0 {
            ctx.refresh();
        }
    });
    let err = move || {
        [approve.value().get().and_then(|r| r.err()), cancel.value().get().and_then(|r| r.err()), execute.value().get().and_then(|r| r.err())]
            .into_iter()
            .flatten()
            .next()
            .map(|e| view! { <p class="field-error" role="alert">{move || error_text(i18n.0.get(), &e)}</p> })
    };
    view! {
        {err}
        <table class="history" data-testid=testid>
            <thead><tr>
                <th scope="col">{i18n.t(Msg::SubsColWhen)}</th>
                <th scope="col">{i18n.t(Msg::SubsColWho)}</th>
                <th scope="col">{i18n.t(Msg::SubsColChange)}</th>
                <th scope="col">{i18n.t(Msg::SubsColMode)}</th>
                <th scope="col">{i18n.t(Msg::SubsColPreviewed)}</th>
                <th scope="col">{i18n.t(Msg::SubsColCharged)}</th>
                <th scope="col">{i18n.t(Msg::SubsColState)}</th>
                <th scope="col">{i18n.t(Msg::ColActions)}</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|v| {
                    let mismatch = v.mismatch();
                    let cur = v.currency.clone();
                    let (id1, id2, id3) = (v.id.clone(), v.id.clone(), v.id.clone());
                    let can_cancel = matches!(v.state, ChangeState::Scheduled | ChangeState::AwaitingApproval | ChangeState::Approved);
                    let awaiting = v.state == ChangeState::AwaitingApproval;
                    let approved = v.state == ChangeState::Approved;
                    let (mode, amount) = (v.mode, v.previewed_amount.unwrap_or(0));
                    view! {
                        <tr class:mismatch=mismatch data-testid="change-row" data-state=v.state.as_str()>
                            <td>{format_utc(v.executed_at.unwrap_or(v.created_at))}</td>
                            <td>{v.executed_by.clone().unwrap_or(v.requested_by.clone())}
                                {v.approved_by.clone().map(|a| view! { <br/><span class="small">"✓ " {a}</span> })}</td>
                            <td>{v.from_product_name.clone()} " × " {v.from_quantity} " → " {v.to_product_name.clone()} " × " {v.to_quantity}
                                {v.reason_code.map(|r| view! { <br/><span class="small">{r.as_str()} {v.reason_note.clone().map(|n| format!(": {n}"))}</span> })}</td>
                            <td>{v.mode.map(|m| view! { <span>{i18n.t(mode_msg(m))}</span> })}
                                <br/><span class="small">{v.effective.as_str()}</span></td>
                            <td>{v.previewed_amount.map(|a| format_money(a, &cur))}
                                {v.previewed_credit.filter(|c| *c > 0).map(|c| view! { <br/><span class="small">{i18n.t(Msg::SubsCredit)} " " {format_money(c, &cur)}</span> })}</td>
                            <td data-testid="charged">{v.charged_amount.map(|a| format_money(a, &cur)).unwrap_or_else(|| "—".into())}
                                {mismatch.then(|| view! { <br/><strong class="flag bad" data-testid="mismatch">{i18n.t(Msg::SubsMismatch)}</strong> })}</td>
                            <td>{i18n.t(state_msg(v.state))}
                                {v.failure_message.clone().map(|m| view! { <br/><span class="small">{m}</span> })}
                                {v.on_hold.then(|| view! { <br/><span class="flag bad">{i18n.t(Msg::SubsOnHold)}</span> })}</td>
                            <td>
                                {(awaiting && ctx.merchant.get_untracked()).then(|| view! {
                                    <button type="button" class="primary" data-testid="approve" disabled=approve.pending()
                                        on:click=move |_| { approve.dispatch(ApproveChange { change_id: id1.clone() }); }>{i18n.t(Msg::SubsApprove)}</button>
                                })}
                                {(approved && mode.is_some()).then(|| view! {
                                    <button type="button" class="primary" disabled=execute.pending()
                                        on:click=move |_| { execute.dispatch(ExecuteChange { change_id: id3.clone(), mode: mode.map(|m| m.as_str().to_string()).unwrap_or_default(), confirm_amount: amount, reason_code: None, reason_note: None }); }>
                                        {i18n.t(Msg::SubsExecute)} " " {format_money(amount, &cur)}</button>
                                })}
                                {can_cancel.then(|| view! {
                                    <button type="button" class="danger" data-testid="cancel-change" disabled=cancel.pending()
                                        on:click=move |_| { cancel.dispatch(CancelChange { change_id: id2.clone() }); }>{i18n.t(Msg::SubsCancelChange)}</button>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
