use super::picker::ProductPicker;
use super::preview::Preview;
use super::replay::ReplayTable;
use super::table::{kind_msg, timing_msg};
use super::targeting::TargetingFields;
use crate::api::rules::{ReplayDraft, ReplayDraftForm, SaveRuleForm};
use crate::domain::error::AppError;
use crate::domain::error::ErrorCode;
use crate::domain::offer_action::CancelReason;
use crate::domain::proration::ProrationMode;
use crate::domain::rule::form::number;
use crate::domain::rule::{normalize, validate, RuleDraft, RuleKind, Timing};
use crate::domain::rule::{ProductSummary, Rule};
use crate::domain::subscription::OnPaymentFailure;
use crate::ui::errors::error_text;
use crate::ui::i18n::{use_i18n, Msg};
use crate::ui::widgets::FieldMsg;
use leptos::html;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// Element id of the control for a validated field (for labels, messages and focus).
fn control_id(field: &str) -> &'static str {
    match field {
        "name" => "rule-name",
        "parent_rule_id" => "rule-parent",
        "trigger_product_id" => "rule-trigger",
        "offer_product_id" => "rule-offer",
        "quantity" => "rule-quantity",
        "headline" => "rule-headline",
        "value_prop" => "rule-value-prop",
        "badge" => "rule-badge",
        "expiry_minutes" => "rule-expiry",
        "experiment.product_id" => "rule-b-product",
        "experiment.headline" => "rule-b-headline",
        "experiment.weight_b" => "rule-b-weight",
        "experiment.holdout" => "rule-holdout",
        "terms.free_days" => "rule-free-days",
        "discount.percent" => "rule-discount",
        "discount.cycles" => "rule-discount-cycles",
        "targeting.order_values" => "tg-values-error",
        "targeting.min_quantity" => "tg-qty-min",
        "targeting.currencies" => "tg-currencies",
        "targeting.countries" => "tg-countries",
        "targeting.exclude_holders" => "tg-holders-error",
        "targeting.schedule.start_local" => "tg-start",
        "targeting.schedule.end_local" => "tg-end",
        "targeting.schedule.zone" => "tg-zone",
        _ => "rule-name",
    }
}

/// The screen's one island: it validates as the merchant types (the same `validate` the
/// server runs) and previews the offer. Saving is a plain form post of the fields as typed
/// (`RuleForm`), read by the server as the island reads them, so the editor works without the
/// wasm too; the answer is the list, or this editor again with the draft the server refused
/// and its error (`error`), so a refused save (a conflict, a product gone from Dodo) loses
/// nothing.
#[island]
pub(super) fn RuleEditor(
    products: Vec<ProductSummary>,
    rules: Vec<Rule>,
    draft: RuleDraft,
    error: Option<AppError>,
) -> impl IntoView {
    let refused = error.is_some();
    // What the server renders into each control; the signal takes over once hydrated.
    let start = draft.clone();
    // Inside `Show`s, whose children are rebuilt: kept in copyable handles.
    let (discount0, cycles0, free0) = (
        StoredValue::new(start.discount.percent.to_string()),
        StoredValue::new(start.discount.cycles.to_string()),
        StoredValue::new(start.terms.free_days.to_string()),
    );
    // Fixed for this editor's life: which rule it is, and what the server said last.
    let is_new = draft.id.is_none();
    let latest_href = draft
        .id
        .as_ref()
        .map(|id| format!("/rules?edit={id}#editor"))
        .unwrap_or_else(|| "/rules".into());
    let experiment_open = draft.experiment.is_running();
    let own_id = StoredValue::new(draft.id.clone());
    let editing = RwSignal::new(draft);
    let error = StoredValue::new(error);
    let i18n = use_i18n();
    let touched: RwSignal<Vec<&'static str>> = RwSignal::new(Vec::new());
    let submitted = RwSignal::new(refused);
    let products = StoredValue::new(products);
    let rules = StoredValue::new(rules);

    // The same validation the server runs, for instant feedback.
    let client_errors = Memo::new(move |_| {
        let d = rules.with_value(|rs| normalize(editing.get(), rs));
        products.with_value(|ps| rules.with_value(|rs| validate(&d, ps, rs)))
    });
    let field_error = move |field: &'static str| {
        Signal::derive(move || {
            let show = submitted.get() || touched.with(|t| t.contains(&field));
            let client = show
                .then(|| client_errors.with(|es| es.iter().find(|e| e.field == field).cloned()))
                .flatten();
            client
                .or_else(|| error.with_value(|e| e.as_ref().and_then(|e| e.field(field).cloned())))
        })
    };
    let touch = move |field: &'static str| {
        touched.update(|t| {
            if !t.contains(&field) {
                t.push(field)
            }
        })
    };
    let edit = move |f: fn(&mut RuleDraft, String), v: String| editing.update(|d| f(d, v));
    let get = move |f: fn(&RuleDraft) -> String| move || editing.with(f);

    let name_ref = NodeRef::<html::Input>::new();
    // A new editor starts at the name; one that came back refused, at what to fix.
    Effect::new(move |_| {
        let first = error.with_value(|e| {
            e.as_ref().map(|e| match e.fields.first() {
                Some(f) => control_id(&f.field),
                None => "save-error",
            })
        });
        match first {
            Some(id) => focus_id(id),
            None => {
                if let Some(el) = name_ref.get() {
                    let _ = el.focus();
                }
            }
        }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        submitted.set(true);
        if let Some(first) =
            client_errors.with_untracked(|es| es.first().map(|e| control_id(&e.field)))
        {
            ev.prevent_default();
            focus_id(first);
        }
    };
    let replay = ServerAction::<ReplayDraft>::new();
    let follows = move || editing.with(|d| d.kind.follows_a_rule());
    let is_next = move || editing.with(|d| d.kind == RuleKind::Next);
    let is_save = move || editing.with(|d| d.kind == RuleKind::Save);
    let offers_a_plan = move || {
        editing.with(|d| {
            products.with_value(|ps| {
                ps.iter()
                    .any(|p| p.id == d.offer_product_id && p.is_recurring)
            })
        })
    };
    // Only a chosen one-time product hides the subscription terms: without JavaScript the form
    // is not redrawn when the offer is picked, so a new rule keeps them.
    let offers_one_time = move || {
        editing.with(|d| {
            products.with_value(|ps| {
                ps.iter()
                    .any(|p| p.id == d.offer_product_id && !p.is_recurring)
            })
        })
    };
    let other_rules = move || {
        let own = own_id.get_value();
        let parent = get(|d| d.parent_rule_id.clone().unwrap_or_default())();
        rules.with_value(|rs| {
            rs.iter()
                .filter(|r| Some(&r.id) != own.as_ref())
                .map(|r| {
                    let sel = r.id == parent;
                    view! { <option value=r.id.clone() selected=sel>{r.name.clone()}</option> }
                })
                .collect_view()
        })
    };
    // What someone else saved is one link away; what was typed here stays until then.
    let top_error = move || {
        error.get_value().filter(|e| e.code != ErrorCode::Validation).map(|e| {
            let conflict = e.code == ErrorCode::Conflict;
            view! {
                <div class="banner error" role="alert" data-testid="save-error" id="save-error" tabindex="-1">
                    {conflict.then(|| view! { <strong>{i18n.t(Msg::ConflictTitle)}</strong> })}
                    <p>{move || error_text(i18n.0.get(), &e)}</p>
                    {conflict.then(|| view! { <a class="button plain" href=latest_href.clone()>{i18n.t(Msg::LoadLatest)}</a> })}
                </div>
            }
        })
    };

    view! {
        <div class="editor-wrap">
            <form class="form editor" method="post" action=SaveRuleForm::PATH on:submit=on_submit novalidate=true
                aria-labelledby="editor-title" data-testid="rule-editor">
                {start.id.clone().map(|id| view! { <input type="hidden" name="rule[id]" value=id/> })}
                {start.version.map(|v| view! { <input type="hidden" name="rule[version]" value=v.to_string()/> })}
                <h2 id="editor-title">{i18n.t(if is_new { Msg::EditorNew } else { Msg::EditorEdit })}</h2>
                {top_error}
                <div class="field">
                    <label for="rule-name">{i18n.t(Msg::FieldName)}</label>
                    <input id="rule-name" node_ref=name_ref type="text" maxlength="80" aria-describedby="rule-name-error"
                        name="rule[name]" value=start.name.clone() prop:value=get(|d| d.name.clone())
                        on:input=move |ev| edit(|d, v| d.name = v, event_target_value(&ev))
                        on:blur=move |_| touch("name")/>
                    <FieldMsg id="rule-name-error".into() error=field_error("name")/>
                </div>
                <div class="row">
                    <div class="field">
                        <label for="rule-kind">{i18n.t(Msg::FieldKind)}</label>
                        <select id="rule-kind" name="rule[kind]" on:change=move |ev| edit(|d, v| d.kind = RuleKind::parse(&v).unwrap_or(RuleKind::Upsell), event_target_value(&ev))>
                            {RuleKind::ALL.into_iter().map(|k| view! {
                                <option value=k.as_str() selected=move || editing.with(|d| d.kind == k)>{i18n.t(kind_msg(k))}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="rule-timing">{i18n.t(Msg::FieldTiming)}</label>
                        <select id="rule-timing" name="rule[timing]" on:change=move |ev| edit(|d, v| d.timing = Timing::parse(&v).unwrap_or(Timing::PostPurchase), event_target_value(&ev))>
                            {Timing::ALL.into_iter().map(|t| view! {
                                <option value=t.as_str() selected=move || editing.with(|d| d.timing == t)>{i18n.t(timing_msg(t))}</option>
                            }).collect_view()}
                        </select>
                    </div>
                </div>
                <Show when=follows>
                    <div class="field">
                        <label for="rule-parent">{move || i18n.now(if is_next() { Msg::FieldParentNext } else { Msg::FieldParent })}</label>
                        <select id="rule-parent" name="rule[parent_rule_id]" aria-describedby="rule-parent-help rule-parent-error"
                            aria-invalid=move || field_error("parent_rule_id").with(Option::is_some).to_string()
                            on:change=move |ev| { edit(|d, v| d.parent_rule_id = Some(v).filter(|v| !v.is_empty()), event_target_value(&ev)); touch("parent_rule_id"); }>
                            <option value="">{i18n.t(Msg::ChooseRule)}</option>
                            {other_rules}
                        </select>
                        <p id="rule-parent-help" class="help">{move || i18n.now(if is_next() { Msg::FieldParentNextHelp } else { Msg::FieldParentHelp })}</p>
                        <FieldMsg id="rule-parent-error".into() error=field_error("parent_rule_id")/>
                    </div>
                </Show>
                <Show when=move || !follows()>
                    <ProductPicker id="rule-trigger" name="rule[trigger_product_id]" label=Msg::FieldTrigger products any=true
                        value=Signal::derive(get(|d| d.trigger_product_id.clone()))
                        on_pick=move |v| { edit(|d, v| d.trigger_product_id = v, v); touch("trigger_product_id"); }
                        error=field_error("trigger_product_id")/>
                </Show>
                <ProductPicker id="rule-offer" name="rule[offer_product_id]" label=Msg::FieldOffer products
                    value=Signal::derive(get(|d| d.offer_product_id.clone()))
                    on_pick=move |v| { edit(|d, v| d.offer_product_id = v, v); touch("offer_product_id"); }
                    error=field_error("offer_product_id")/>
                <div class="row">
                    <div class="field">
                        <label for="rule-quantity">{i18n.t(Msg::FieldQuantity)}</label>
                        <input id="rule-quantity" name="rule[quantity]" value=start.quantity.to_string() type="number" min="1" max="100" inputmode="numeric" aria-describedby="rule-quantity-error"
                            prop:value=get(|d| d.quantity.to_string())
                            on:input=move |ev| edit(|d, v| d.quantity = number(&v), event_target_value(&ev))
                            on:blur=move |_| touch("quantity")/>
                        <FieldMsg id="rule-quantity-error".into() error=field_error("quantity")/>
                    </div>
                    <div class="field">
                        <label for="rule-expiry">{i18n.t(Msg::FieldExpiry)}</label>
                        <input id="rule-expiry" name="rule[expiry_minutes]" value=start.expiry_minutes.to_string() type="number" min="1" max="10080" inputmode="numeric" aria-describedby="rule-expiry-error"
                            prop:value=get(|d| d.expiry_minutes.to_string())
                            on:input=move |ev| edit(|d, v| d.expiry_minutes = number(&v), event_target_value(&ev))
                            on:blur=move |_| touch("expiry_minutes")/>
                        <FieldMsg id="rule-expiry-error".into() error=field_error("expiry_minutes")/>
                    </div>
                </div>
                <div class="field">
                    <label for="rule-headline">{i18n.t(Msg::FieldHeadline)}</label>
                    <input id="rule-headline" name="rule[headline]" value=start.headline.clone() type="text" maxlength="120" aria-describedby="rule-headline-error"
                        prop:value=get(|d| d.headline.clone())
                        on:input=move |ev| edit(|d, v| d.headline = v, event_target_value(&ev))
                        on:blur=move |_| touch("headline")/>
                    <FieldMsg id="rule-headline-error".into() error=field_error("headline")/>
                </div>
                <div class="field">
                    <label for="rule-value-prop">{i18n.t(Msg::FieldValueProp)}</label>
                    <textarea id="rule-value-prop" name="rule[value_prop]" rows="3" maxlength="500" aria-describedby="rule-value-prop-error"
                        prop:value=get(|d| d.value_prop.clone())
                        on:input=move |ev| edit(|d, v| d.value_prop = v, event_target_value(&ev))
                        on:blur=move |_| touch("value_prop")>{start.value_prop.clone()}</textarea>
                    <FieldMsg id="rule-value-prop-error".into() error=field_error("value_prop")/>
                </div>
                <div class="row">
                    <div class="field">
                        <label for="rule-badge">{i18n.t(Msg::FieldBadge)}</label>
                        <input id="rule-badge" name="rule[badge]" value=start.badge.clone() type="text" maxlength="24" aria-describedby="rule-badge-help rule-badge-error"
                            prop:value=get(|d| d.badge.clone())
                            on:input=move |ev| edit(|d, v| d.badge = v, event_target_value(&ev))
                            on:blur=move |_| touch("badge")/>
                        <p id="rule-badge-help" class="help">{i18n.t(Msg::FieldBadgeHelp)}</p>
                        <FieldMsg id="rule-badge-error".into() error=field_error("badge")/>
                    </div>
                    <div class="field check">
                        <input id="rule-enabled" type="checkbox" name="rule[enabled]" checked=start.enabled
                            prop:checked=move || editing.with(|d| d.enabled)
                            on:change=move |ev| edit(|d, v| d.enabled = v == "true", event_target_checked(&ev).to_string())/>
                        <label for="rule-enabled">{i18n.t(Msg::FieldEnabled)}</label>
                    </div>
                </div>
                <Show when=move || !is_save()>
                    <div class="row">
                        <div class="field">
                            <label for="rule-discount">{i18n.t(Msg::FieldDiscount)}</label>
                            <input id="rule-discount" name="rule[discount_percent]" value=discount0.get_value() type="number" min="0" max="90" inputmode="numeric"
                                aria-describedby="rule-discount-help rule-discount-error"
                                aria-invalid=move || field_error("discount.percent").with(Option::is_some).to_string()
                                prop:value=get(|d| d.discount.percent.to_string())
                                on:input=move |ev| edit(|d, v| d.discount.percent = number(&v), event_target_value(&ev))
                                on:blur=move |_| touch("discount.percent")/>
                            <p id="rule-discount-help" class="help">{i18n.t(Msg::FieldDiscountHelp)}</p>
                            <FieldMsg id="rule-discount-error".into() error=field_error("discount.percent")/>
                        </div>
                        <Show when=offers_a_plan>
                            <div class="field">
                                <label for="rule-discount-cycles">{i18n.t(Msg::FieldDiscountCycles)}</label>
                                <input id="rule-discount-cycles" name="rule[discount_cycles]" value=cycles0.get_value() type="number" min="0" max="36" inputmode="numeric"
                                    aria-describedby="rule-discount-cycles-help rule-discount-cycles-error"
                                    prop:value=get(|d| d.discount.cycles.to_string())
                                    on:input=move |ev| edit(|d, v| d.discount.cycles = number(&v), event_target_value(&ev))
                                    on:blur=move |_| touch("discount.cycles")/>
                                <p id="rule-discount-cycles-help" class="help">{i18n.t(Msg::FieldDiscountCyclesHelp)}</p>
                                <FieldMsg id="rule-discount-cycles-error".into() error=field_error("discount.cycles")/>
                            </div>
                        </Show>
                    </div>
                </Show>
                <Show when=move || is_save() || !offers_one_time()>
                <fieldset class="terms-fields">
                    <legend>{i18n.t(Msg::EditorTerms)}</legend>
                    <div class="row">
                        <div class="field">
                            <label for="rule-proration">{i18n.t(Msg::EditorProration)}</label>
                            <select id="rule-proration" name="rule[proration_mode]" on:change=move |ev| edit(|d, v| d.terms.proration_mode = ProrationMode::parse(&v).unwrap_or(ProrationMode::DifferenceImmediately), event_target_value(&ev))>
                                {ProrationMode::ALL.into_iter().map(|m| view! {
                                    <option value=m.as_str() selected=move || editing.with(|d| d.terms.proration_mode == m)>{i18n.t(mode_msg(m))}</option>
                                }).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="rule-on-failure">{i18n.t(Msg::EditorOnFailure)}</label>
                            <select id="rule-on-failure" name="rule[on_payment_failure]" on:change=move |ev| edit(|d, v| d.terms.on_payment_failure = OnPaymentFailure::parse(&v).unwrap_or(OnPaymentFailure::PreventChange), event_target_value(&ev))>
                                <option value="prevent_change" selected=move || editing.with(|d| d.terms.on_payment_failure == OnPaymentFailure::PreventChange)>{i18n.t(Msg::EditorPreventChange)}</option>
                                <option value="apply_change" selected=move || editing.with(|d| d.terms.on_payment_failure == OnPaymentFailure::ApplyChange)>{i18n.t(Msg::EditorApplyChange)}</option>
                            </select>
                        </div>
                    </div>
                    <Show when=is_save>
                        <div class="row">
                            <div class="field">
                                <label for="rule-cancel-reason">{i18n.t(Msg::EditorCancelReason)}</label>
                                <select id="rule-cancel-reason" name="rule[cancel_reason]" on:change=move |ev| edit(|d, v| d.terms.cancel_reason = CancelReason::parse(&v), event_target_value(&ev))>
                                    <option value="" selected=move || editing.with(|d| d.terms.cancel_reason.is_none())>{i18n.t(Msg::EditorAnyReason)}</option>
                                    {CancelReason::ALL.into_iter().map(|r| view! {
                                        <option value=r.as_str() selected=move || editing.with(|d| d.terms.cancel_reason == Some(r))>{i18n.t(reason_msg(r))}</option>
                                    }).collect_view()}
                                </select>
                            </div>
                            <div class="field">
                                <label for="rule-free-days">{i18n.t(Msg::EditorFreeDays)}</label>
                                <input id="rule-free-days" name="rule[free_days]" value=free0.get_value() type="number" min="0" max="365" inputmode="numeric" aria-describedby="rule-free-days-error"
                                    prop:value=get(|d| d.terms.free_days.to_string())
                                    on:input=move |ev| edit(|d, v| d.terms.free_days = number(&v), event_target_value(&ev))
                                    on:blur=move |_| touch("terms.free_days")/>
                                <FieldMsg id="rule-free-days-error".into() error=field_error("terms.free_days")/>
                            </div>
                        </div>
                    </Show>
                </fieldset>
                </Show>
                <Show when=move || !follows() && !is_save()>
                    <TargetingFields editing products field_error/>
                </Show>
                <details class="experiment-fields" open=experiment_open>
                    <summary>{i18n.t(Msg::FieldExperiment)}</summary>
                    <p class="help">{i18n.t(Msg::FieldExperimentHelp)}</p>
                    <div class="field">
                        <label for="rule-b-product">{i18n.t(Msg::FieldBProduct)}</label>
                        <select id="rule-b-product" name="rule[b_product_id]" aria-describedby="rule-b-product-error"
                            prop:value=get(|d| d.experiment.product_id.clone())
                            on:change=move |ev| { edit(|d, v| d.experiment.product_id = v, event_target_value(&ev)); touch("experiment.product_id"); }>
                            <option value="">{i18n.t(Msg::FieldSameAsA)}</option>
                            {products.with_value(|ps| ps.iter().map(|p| {
                                let text = format!("{} — {}", p.name, p.price_label());
                                let sel = p.id == start.experiment.product_id;
                                view! { <option value=p.id.clone() selected=sel>{text}</option> }
                            }).collect_view())}
                        </select>
                        <FieldMsg id="rule-b-product-error".into() error=field_error("experiment.product_id")/>
                    </div>
                    <div class="field">
                        <label for="rule-b-headline">{i18n.t(Msg::FieldBHeadline)}</label>
                        <input id="rule-b-headline" name="rule[b_headline]" value=start.experiment.headline.clone() type="text" maxlength="120" aria-describedby="rule-b-headline-error"
                            prop:value=get(|d| d.experiment.headline.clone())
                            on:input=move |ev| edit(|d, v| d.experiment.headline = v, event_target_value(&ev))
                            on:blur=move |_| touch("experiment.headline")/>
                        <FieldMsg id="rule-b-headline-error".into() error=field_error("experiment.headline")/>
                    </div>
                    <div class="row">
                        <div class="field">
                            <label for="rule-b-weight">{i18n.t(Msg::FieldBWeight)}</label>
                            <input id="rule-b-weight" name="rule[b_weight]" value=start.experiment.weight_b.to_string() type="number" min="0" max="100" inputmode="numeric" aria-describedby="rule-b-weight-error"
                                prop:value=get(|d| d.experiment.weight_b.to_string())
                                on:input=move |ev| edit(|d, v| d.experiment.weight_b = number(&v), event_target_value(&ev))
                                on:blur=move |_| touch("experiment.weight_b")/>
                            <FieldMsg id="rule-b-weight-error".into() error=field_error("experiment.weight_b")/>
                        </div>
                        <div class="field">
                            <label for="rule-holdout">{i18n.t(Msg::FieldHoldout)}</label>
                            <input id="rule-holdout" name="rule[holdout]" value=start.experiment.holdout.to_string() type="number" min="0" max="50" inputmode="numeric" aria-describedby="rule-holdout-error"
                                prop:value=get(|d| d.experiment.holdout.to_string())
                                on:input=move |ev| edit(|d, v| d.experiment.holdout = number(&v), event_target_value(&ev))
                                on:blur=move |_| touch("experiment.holdout")/>
                            <FieldMsg id="rule-holdout-error".into() error=field_error("experiment.holdout")/>
                        </div>
                    </div>
                </details>
                <div class="buttons">
                    <button type="submit" class="primary" data-testid="save-rule"
                        data-pending=i18n.now(Msg::Saving)>
                        {i18n.t(Msg::Save)}
                    </button>
                    <a class="button plain" href="/rules">{i18n.t(Msg::Cancel)}</a>
                    // Without the wasm this posts the form to be replayed on the server.
                    <button type="submit" class="plain" data-testid="replay-draft" formaction=ReplayDraftForm::PATH
                        disabled=move || replay.pending().get()
                        on:click=move |ev| { ev.prevent_default(); replay.dispatch(ReplayDraft { draft: editing.get_untracked() }); }>
                        {i18n.t(Msg::RpDraft)}
                    </button>
                </div>
                <DraftReplay replay/>
            </form>
            <Preview draft=editing products/>
        </div>
    }
}

/// "What would this change have earned?": the live map with the draft in it, unsaved, over
/// the last 30 days; a progress bar while it runs, then the replay's table.
#[component]
fn DraftReplay(replay: ServerAction<ReplayDraft>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="draft-replay" aria-live="polite" data-testid="draft-replay">
            {move || replay.pending().get().then(|| view! {
                <p class="loading"><progress aria-label=i18n.now(Msg::RpDraftRunning)></progress> " " {i18n.t(Msg::RpDraftRunning)}</p>
            })}
            {move || (!replay.pending().get()).then(|| replay.value().get()).flatten().map(|r| match r {
                Ok(result) => view! {
                    <p class="help">{i18n.t(Msg::RpDraftHelp)}</p>
                    <div class="table-wrap"><ReplayTable result/></div>
                }.into_any(),
                Err(e) => view! {
                    <p class="banner error" role="alert">{move || error_text(i18n.0.get(), &e)}</p>
                }.into_any(),
            })}
        </div>
    }
}

fn focus_id(id: &str) {
    use leptos::wasm_bindgen::JsCast;
    if let Some(el) = document()
        .get_element_by_id(id)
        .and_then(|el| el.dyn_into::<leptos::web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

fn mode_msg(m: ProrationMode) -> Msg {
    match m {
        ProrationMode::ProratedImmediately => Msg::ModeProrated,
        ProrationMode::DifferenceImmediately => Msg::ModeDifference,
        ProrationMode::FullImmediately => Msg::ModeFull,
    }
}

pub(crate) fn reason_msg(r: CancelReason) -> Msg {
    match r {
        CancelReason::TooExpensive => Msg::ReasonTooExpensive,
        CancelReason::NotUsingEnough => Msg::ReasonNotUsing,
        CancelReason::MissingFeature => Msg::ReasonMissingFeature,
        CancelReason::Switching => Msg::ReasonSwitching,
        CancelReason::Other => Msg::ReasonOther,
    }
}
