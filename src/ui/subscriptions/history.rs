//! Plan changes as a table: who, when, from → to, mode, previewed against charged (a mismatch
//! is highlighted), the outcome, and what can still be done with each.
use super::change::{effective_msg, mode_msg, reason_msg};
use super::{state_msg, View};
use crate::api::subscriptions::{ApproveChange, CancelChange, ExecuteChange};
use crate::domain::money::format_money;
use crate::domain::subscription::{ChangeState, PlanChangeView};
use crate::domain::time::format_utc;
use crate::ui::i18n::{use_i18n, Msg};
use crate::ui::widgets::{form_error, InlineError};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

#[component]
pub(super) fn HistoryTable(
    rows: Vec<PlanChangeView>,
    testid: &'static str,
    v: View,
) -> impl IntoView {
    let i18n = use_i18n();
    let err = form_error::<ApproveChange>().or_else(form_error::<CancelChange>);
    let merchant = v.merchant;
    view! {
        <InlineError error=err/>
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
                    let id = v.id.clone();
                    let can_cancel = matches!(v.state, ChangeState::Scheduled | ChangeState::AwaitingApproval | ChangeState::Approved);
                    let awaiting = v.state == ChangeState::AwaitingApproval;
                    let approved = v.state == ChangeState::Approved;
                    let (mode, amount) = (v.mode, v.previewed_amount.unwrap_or(0));
                    let hidden = move |name: &'static str, value: String| view! { <input type="hidden" name=name value=value/> };
                    view! {
                        <tr class:mismatch=mismatch data-testid="change-row" data-state=v.state.as_str()>
                            <td>{format_utc(v.executed_at.unwrap_or(v.created_at))}</td>
                            <td>{v.executed_by.clone().unwrap_or(v.requested_by.clone())}
                                {v.approved_by.clone().map(|a| view! { <br/><span class="small">"✓ " {a}</span> })}</td>
                            <td>{v.from_product_name.clone()} " × " {v.from_quantity} " → " {v.to_product_name.clone()} " × " {v.to_quantity}
                                {v.reason_code.map(|r| view! { <br/><span class="small">{i18n.t(reason_msg(r))} {v.reason_note.clone().map(|n| format!(": {n}"))}</span> })}</td>
                            <td>{v.mode.map(|m| view! { <span>{i18n.t(mode_msg(m))}</span> })}
                                <br/><span class="small">{i18n.t(effective_msg(v.effective))}</span></td>
                            <td>{v.previewed_amount.map(|a| format_money(a, &cur))}
                                {v.previewed_credit.filter(|c| *c > 0).map(|c| view! { <br/><span class="small">{i18n.t(Msg::SubsCredit)} " " {format_money(c, &cur)}</span> })}</td>
                            <td data-testid="charged">{v.charged_amount.map(|a| format_money(a, &cur)).unwrap_or_else(|| "—".into())}
                                {mismatch.then(|| view! { <br/><strong class="flag bad" data-testid="mismatch">{i18n.t(Msg::SubsMismatch)}</strong> })}</td>
                            <td>{i18n.t(state_msg(v.state))}
                                {v.failure_message.clone().map(|m| view! { <br/><span class="small">{m}</span> })}
                                {v.on_hold.then(|| view! { <br/><span class="flag bad">{i18n.t(Msg::SubsOnHold)}</span> })}</td>
                            <td>
                                {(awaiting && merchant).then(|| view! {
                                    <form method="post" action=ApproveChange::PATH class="inline">
                                        {hidden("change_id", id.clone())}
                                        <button type="submit" class="primary" data-testid="approve" data-pending=i18n.now(Msg::Saving)>{i18n.t(Msg::SubsApprove)}</button>
                                    </form>
                                })}
                                {(approved && mode.is_some()).then(|| view! {
                                    <form method="post" action=ExecuteChange::PATH class="inline">
                                        {hidden("change_id", id.clone())}
                                        {hidden("mode", mode.map(|m| m.as_str().to_string()).unwrap_or_default())}
                                        {hidden("confirm_amount", amount.to_string())}
                                        <button type="submit" class="primary" data-pending=i18n.now(Msg::SubsExecuting)>
                                            {i18n.t(Msg::SubsExecute)} " " {format_money(amount, &cur)}</button>
                                    </form>
                                })}
                                {can_cancel.then(|| view! {
                                    <form method="post" action=CancelChange::PATH class="inline">
                                        {hidden("change_id", id.clone())}
                                        <button type="submit" class="danger" data-testid="cancel-change" data-pending=i18n.now(Msg::Saving)>{i18n.t(Msg::SubsCancelChange)}</button>
                                    </form>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
