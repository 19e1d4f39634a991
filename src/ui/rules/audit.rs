use crate::domain::audit::changed_fields;
use crate::domain::audit::AuditEntry;
use crate::domain::time::format_utc;
use crate::ui::i18n::{use_i18n, Msg};
use leptos::prelude::*;
use serde_json::Value;

fn action_msg(action: &str) -> Msg {
    match action {
        "create" => Msg::ActCreate,
        "delete" => Msg::ActDelete,
        "enable" => Msg::ActEnable,
        "disable" => Msg::ActDisable,
        "reorder" => Msg::ActReorder,
        _ => Msg::ActUpdate,
    }
}

#[component]
pub(super) fn AuditLog(entries: Vec<AuditEntry>) -> impl IntoView {
    let i18n = use_i18n();
    let empty = entries.is_empty();
    let items = entries
        .into_iter()
        .map(|e| {
            let parse = |s: &Option<String>| s.as_deref().and_then(|s| serde_json::from_str::<Value>(s).ok()).unwrap_or(Value::Null);
            let (before, after) = (parse(&e.before_json), parse(&e.after_json));
            let name = after
                .get("name")
                .or_else(|| before.get("name"))
                .and_then(Value::as_str)
                .map(|n| format!("“{n}”"))
                .unwrap_or_default();
            let changed = if e.action == "update" { changed_fields(&before, &after).join(", ") } else { String::new() };
            let action = action_msg(&e.action);
            view! {
                <li>
                    <time>{format_utc(e.at)}</time>
                    " " <strong>{e.actor_email.clone()}</strong>
                    " " {i18n.t(action)} " " {name}
                    {(!changed.is_empty()).then(|| view! { <span class="changed">" — " {i18n.t(Msg::AuditChanged)} " " {changed.clone()}</span> })}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="audit" aria-labelledby="audit-title">
            <h2 id="audit-title">{i18n.t(Msg::AuditTitle)}</h2>
            {empty.then(|| view! { <p class="empty">{i18n.t(Msg::AuditEmpty)}</p> })}
            <ol class="audit-list" data-testid="audit-log">{items}</ol>
        </section>
    }
}
