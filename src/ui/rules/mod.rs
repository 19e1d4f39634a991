//! The upsell map screen: the ordered list of rules, the editor with its live preview, and the
//! change history. All state lives in signals here, so a reload of the data (after a save or a
//! conflict) never loses what the merchant typed.
mod audit;
mod editor;
mod picker;
mod preview;
mod table;

pub(crate) use table::kind_msg;

use super::i18n::{use_i18n, Msg};
use super::widgets::{ErrorBanner, Status};
use crate::api::rules::rules_page;
use crate::domain::error::{AppError, ErrorCode};
use crate::domain::rule::RuleDraft;
use leptos::prelude::*;

/// Shared by the screen's parts.
#[derive(Clone, Copy)]
pub(crate) struct Ctx {
    pub reload: RwSignal<u32>,
    pub editing: RwSignal<Option<RuleDraft>>,
    pub status: RwSignal<Option<String>>,
    /// The last failed save, kept across reloads so its messages stay next to the fields.
    pub error: RwSignal<Option<AppError>>,
}

impl Ctx {
    pub fn refresh(self) {
        self.reload.update(|n| *n += 1);
    }
}

#[component]
pub fn RulesPage() -> impl IntoView {
    let i18n = use_i18n();
    let reload = RwSignal::new(0u32);
    let page = Resource::new(move || reload.get(), |_| rules_page());
    let ctx = Ctx {
        reload,
        editing: RwSignal::new(None),
        status: RwSignal::new(None),
        error: RwSignal::new(None),
    };
    provide_context(ctx);
    view! {
        <section class="page rules-page">
            <h1>{i18n.t(Msg::RulesTitle)}</h1>
            <p class="lead">{i18n.t(Msg::RulesIntro)}</p>
            <Status text=ctx.status/>
            <Transition fallback=move || view! { <p class="loading">{i18n.t(Msg::Loading)}</p> }>
                {move || page.get().map(|r| match r {
                    Err(e) if e.code == ErrorCode::Forbidden => view! {
                        <div class="banner error" role="alert" data-testid="rules-denied">
                            <p>{i18n.t(Msg::DeniedRules)}</p>
                        </div>
                    }.into_any(),
                    Err(e) => view! { <ErrorBanner error=e/> }.into_any(),
                    Ok(data) => {
                        let data = StoredValue::new(data);
                        view! {
                            <div class="toolbar">
                                <button type="button" class="primary" data-testid="new-rule"
                                    on:click=move |_| {
                                        ctx.error.set(None);
                                        ctx.editing.set(Some(RuleDraft::default()));
                                    }>
                                    {i18n.t(Msg::NewRule)}
                                </button>
                            </div>
                            <table::RuleTable data/>
                            <Show when=move || ctx.editing.with(Option::is_some)>
                                <editor::Editor data/>
                            </Show>
                            <audit::AuditLog data/>
                        }.into_any()
                    }
                })}
            </Transition>
        </section>
    }
}
