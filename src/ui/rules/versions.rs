//! The map's versions: the list, a field-by-field comparison of any two (`?diff=N&diff_to=M`,
//! `diff_to` 0 or absent: the live map),
//! roll back in one click, export, and an import that shows its changes before it is applied
//! (`?import=TOKEN`). Server rendered, plain forms.
use crate::api::rules::{
    compare_versions, import_changes, ApplyImport, CheckImport, ExportMap, RollbackMap,
};
use crate::domain::rule::versions::{RuleChange, VersionInfo};
use crate::domain::time::format_utc;
use crate::ui::i18n::{use_i18n, Msg};
use crate::ui::widgets::{form_error, ErrorBanner};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

fn changes_view(changes: Vec<RuleChange>) -> AnyView {
    let i18n = use_i18n();
    if changes.is_empty() {
        return view! { <p data-testid="no-changes">{i18n.t(Msg::VerNoChanges)}</p> }.into_any();
    }
    let items = changes
        .into_iter()
        .map(|c| match c {
            RuleChange::Added { name } => view! {
                <li class="added"><strong>{name}</strong> " — " {i18n.t(Msg::VerAdded)}</li>
            }
            .into_any(),
            RuleChange::Removed { name } => view! {
                <li class="removed"><strong>{name}</strong> " — " {i18n.t(Msg::VerRemoved)}</li>
            }
            .into_any(),
            RuleChange::Changed { name, fields } => view! {
                <li class="changed">
                    <strong>{name}</strong>
                    <table class="diff">
                        <thead><tr>
                            <th scope="col">{i18n.t(Msg::VerField)}</th>
                            <th scope="col">{i18n.t(Msg::VerBefore)}</th>
                            <th scope="col">{i18n.t(Msg::VerAfter)}</th>
                        </tr></thead>
                        <tbody>
                            {fields.into_iter().map(|f| view! {
                                <tr><th scope="row"><code>{f.field}</code></th><td class="before">{f.before}</td><td class="after">{f.after}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </li>
            }
            .into_any(),
        })
        .collect_view();
    view! { <ul class="changes" data-testid="changes">{items}</ul> }.into_any()
}

/// One `<option>` per version ("Version 12 — Switched off …"), `chosen` selected.
pub(super) fn version_options(versions: &[VersionInfo], chosen: Option<i64>) -> impl IntoView {
    let i18n = use_i18n();
    versions
        .iter()
        .map(|v| {
            let text = format!("{} {} — {}", i18n.now(Msg::VerNumber), v.number, v.summary);
            view! { <option value=v.number.to_string() selected=chosen == Some(v.number)>{text}</option> }
        })
        .collect_view()
}

#[component]
pub(super) fn Versions(versions: Vec<VersionInfo>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let diff_from: Option<i64> =
        query.with_untracked(|m| m.get("diff").and_then(|d| d.parse().ok()));
    let diff_to: i64 = query
        .with_untracked(|m| m.get("diff_to").and_then(|d| d.parse().ok()))
        .unwrap_or(0);
    let import_token = query.with_untracked(|m| m.get("import"));
    let latest = versions.first().map_or(0, |v| v.number);
    let error = form_error::<RollbackMap>()
        .or_else(form_error::<CheckImport>)
        .or_else(form_error::<ApplyImport>);
    let diff = Resource::new(
        || (),
        move |_| async move {
            match diff_from {
                Some(n) => Some(compare_versions(n, diff_to).await),
                None => None,
            }
        },
    );
    let token = import_token.clone();
    let staged = Resource::new(
        || (),
        move |_| {
            let token = token.clone();
            async move {
                match token {
                    Some(t) => Some(import_changes(t).await),
                    None => None,
                }
            }
        },
    );
    let compare_form = view! {
        <form method="get" action="/rules#versions" class="form compare-form" data-testid="compare-form">
            <div class="row">
            <div class="field">
                <label for="diff-from">{i18n.t(Msg::VerCompareFrom)}</label>
                <select id="diff-from" name="diff">{version_options(&versions, diff_from)}</select>
            </div>
            <div class="field">
                <label for="diff-to">{i18n.t(Msg::VerCompareTo)}</label>
                <select id="diff-to" name="diff_to">
                    <option value="0" selected=diff_to == 0>{i18n.t(Msg::RpLive)}</option>
                    {version_options(&versions, Some(diff_to))}
                </select>
            </div>
            </div>
            <div class="buttons">
                <button type="submit" class="plain" data-testid="compare-run" data-pending=i18n.now(Msg::Loading)>{i18n.t(Msg::VerCompareRun)}</button>
            </div>
        </form>
    };
    let to_label = move || {
        if diff_to > 0 {
            diff_to.to_string()
        } else {
            i18n.now(Msg::RpLive).to_string()
        }
    };
    let rows = versions
        .into_iter()
        .map(|v| {
            let is_latest = v.number == latest;
            view! {
                <tr data-version=v.number.to_string()>
                    <td>{v.number} {is_latest.then(|| view! { " " <span class="badge">{i18n.t(Msg::VerLive)}</span> })}</td>
                    <td>{format_utc(v.at)}</td>
                    <td>{v.actor}</td>
                    <td>{v.summary}</td>
                    <td class="actions">
                        {(!is_latest).then(|| view! {
                            <a class="button plain" href=format!("/rules?diff={}#versions", v.number)>{i18n.t(Msg::VerCompare)}</a>
                            <form method="post" action=RollbackMap::PATH class="inline">
                                <input type="hidden" name="number" value=v.number.to_string()/>
                                <input type="hidden" name="latest" value=latest.to_string()/>
                                <button type="submit" class="danger" data-testid="rollback" data-pending=i18n.now(Msg::VerRollingBack)>{i18n.t(Msg::VerRollback)}</button>
                            </form>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="versions" id="versions" aria-labelledby="versions-title" data-testid="versions">
            <h2 id="versions-title">{i18n.t(Msg::VerTitle)}</h2>
            <p class="help">{i18n.t(Msg::VerIntro)}</p>
            {error.map(|e| view! { <ErrorBanner error=e/> })}
            <p><a class="button plain" href=ExportMap::PATH download="upsell-map.json" data-testid="export-map">{i18n.t(Msg::VerExport)}</a></p>
            {compare_form}
            <Suspense fallback=|| ()>
                {move || diff.get().flatten().map(|r| match r {
                    Err(e) => view! { <ErrorBanner error=e/> }.into_any(),
                    Ok(changes) => view! {
                        <div class="diff-view" data-testid="diff-view">
                            <h3>{i18n.t(Msg::VerDiffTitle)} " (" {diff_from.unwrap_or_default()} " → " {to_label()} ")"</h3>
                            {changes_view(changes)}
                        </div>
                    }.into_any(),
                })}
            </Suspense>
            <table class="versions-list">
                <thead><tr>
                    <th scope="col">{i18n.t(Msg::VerNumber)}</th>
                    <th scope="col">{i18n.t(Msg::VerWhen)}</th>
                    <th scope="col">{i18n.t(Msg::VerWho)}</th>
                    <th scope="col">{i18n.t(Msg::VerWhat)}</th>
                    <th scope="col">{i18n.t(Msg::ColActions)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <h3 id="import">{i18n.t(Msg::VerImportTitle)}</h3>
            <Suspense fallback=|| ()>
                {move || staged.get().flatten().map(|r| match r {
                    Err(e) => view! { <ErrorBanner error=e/> }.into_any(),
                    Ok((live, changes)) => view! {
                        <div class="import-preview" data-testid="import-preview">
                            <p>{i18n.t(Msg::VerImportChanges)}</p>
                            {changes_view(changes)}
                            <form method="post" action=ApplyImport::PATH>
                                <input type="hidden" name="token" value=import_token.clone().unwrap_or_default()/>
                                <input type="hidden" name="latest" value=live.to_string()/>
                                <button type="submit" class="primary" data-testid="apply-import" data-pending=i18n.now(Msg::Saving)>{i18n.t(Msg::VerImportApply)}</button>
                            </form>
                        </div>
                    }.into_any(),
                })}
            </Suspense>
            <form method="post" action=CheckImport::PATH class="form">
                <label for="import-json">{i18n.t(Msg::VerImportHelp)}</label>
                <textarea id="import-json" name="json" rows="4"></textarea>
                <button type="submit" class="plain" data-testid="check-import" data-pending=i18n.now(Msg::Loading)>{i18n.t(Msg::VerImportCheck)}</button>
            </form>
        </section>
    }
}
