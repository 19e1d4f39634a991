//! No panic on any input: money formatting, the form codec, rule validation, and the webhook
//! endpoint (signed or not, any JSON) answer with a value or an error, never a crash or a 5xx.
mod common;

use leptos::server_fn::Bytes;
use leptos::server_fn::Decodes;
use proptest::prelude::*;
use serde_json::{json, Value};
use std::sync::LazyLock;
use upsell_dashboard::api::codec::FormOrJsonEncoding;
use upsell_dashboard::domain::money::format_money;
use upsell_dashboard::domain::offer_action::CancelReason;
use upsell_dashboard::domain::rule::target::{CustomerFilter, Schedule, ValueRange};
use upsell_dashboard::domain::rule::{
    normalize, validate, Discount, Experiment, PlanTerms, ProductSummary, RuleDraft, RuleKind,
    Targeting, Timing,
};

fn catalogue() -> Vec<ProductSummary> {
    let p = |id: &str, price, currency: &str, recurring: bool| ProductSummary {
        id: id.into(),
        name: id.into(),
        price,
        currency: currency.into(),
        is_recurring: recurring,
        interval: recurring.then(|| "Month".into()),
    };
    vec![
        p("pdt_A", 2900, "USD", false),
        p("pdt_B", 4900, "USD", false),
        p("pdt_J", 500, "JPY", false),
        p("pdt_S", 3000, "USD", true),
        p("pdt_P", 8000, "USD", true),
    ]
}

fn product() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("pdt_A".to_string()),
        Just("pdt_B".to_string()),
        Just("pdt_J".to_string()),
        Just("pdt_S".to_string()),
        Just("pdt_P".to_string()),
        ".{0,40}",
    ]
}

/// Conditions as a form could send them: codes of any shape, bounds of any sign and order,
/// local times and zones that may not parse.
fn targeting() -> impl Strategy<Value = Targeting> {
    (
        (
            ".{0,5}",
            proptest::option::of(any::<i64>()),
            proptest::option::of(any::<i64>()),
        ),
        proptest::collection::vec(".{0,4}", 0..4),
        proptest::collection::vec(".{0,4}", 0..4),
        (any::<i32>(), any::<i32>(), 0usize..3),
        (product(), ".{0,20}", ".{0,20}", ".{0,20}"),
    )
        .prop_map(
            |(
                (currency, min, max),
                currencies,
                countries,
                (lo, hi, who),
                (held, zone, start, end),
            )| {
                Targeting {
                    order_values: vec![ValueRange { currency, min, max }],
                    customer: CustomerFilter::ALL[who],
                    currencies,
                    countries,
                    exclude_holders: vec![held],
                    min_quantity: lo,
                    max_quantity: hi,
                    schedule: Schedule {
                        zone,
                        start_local: start,
                        end_local: end,
                        ..Schedule::default()
                    },
                }
            },
        )
}

fn draft() -> impl Strategy<Value = RuleDraft> {
    (
        (".{0,300}", 0usize..5, product(), product(), any::<i32>()),
        (".{0,300}", ".{0,600}", ".{0,60}", 0usize..4, any::<i32>()),
        (
            product(),
            ".{0,200}",
            any::<i32>(),
            any::<i32>(),
            any::<i32>(),
        ),
        (proptest::option::of(".{0,30}"), any::<bool>(), 0usize..6),
        targeting(),
        (any::<i32>(), any::<i32>()),
    )
        .prop_map(
            |(
                (name, kind, trigger, offer, quantity),
                (headline, value_prop, badge, timing, expiry),
                (b_product, b_headline, weight_b, holdout, free_days),
                (parent, enabled, reason),
                targeting,
                (percent, cycles),
            )| RuleDraft {
                id: None,
                version: None,
                name,
                kind: [
                    RuleKind::Upsell,
                    RuleKind::CrossSell,
                    RuleKind::Downsell,
                    RuleKind::Save,
                    RuleKind::Next,
                ][kind],
                parent_rule_id: parent,
                trigger_product_id: trigger,
                offer_product_id: offer,
                quantity,
                headline,
                value_prop,
                badge,
                timing: Timing::ALL[timing],
                expiry_minutes: expiry,
                enabled,
                experiment: Experiment {
                    product_id: b_product,
                    headline: b_headline,
                    weight_b,
                    holdout,
                },
                terms: PlanTerms {
                    cancel_reason: CancelReason::ALL.get(reason).copied(),
                    free_days,
                    ..PlanTerms::default()
                },
                discount: Discount { percent, cycles },
                targeting,
            },
        )
}

#[derive(serde::Deserialize)]
struct FormArgs {
    rule: upsell_dashboard::domain::rule::form::RuleForm,
}

#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)]
struct SaveArgs {
    draft: RuleDraft,
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn money_formats_any_amount_in_any_currency(amount in any::<i64>(), currency in ".{0,8}") {
        prop_assert!(!format_money(amount, &currency).is_empty());
    }

    #[test]
    fn the_form_codec_takes_any_bytes(body in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = <FormOrJsonEncoding as Decodes<SaveArgs>>::decode(Bytes::from(body));
    }

    #[test]
    fn the_form_codec_takes_any_form_shaped_text(
        body in "(draft\\[[a-z_\\[\\]]{0,20}\\]=[^&]{0,30}&){0,16}|\\{.{0,200}"
    ) {
        let _ = <FormOrJsonEncoding as Decodes<SaveArgs>>::decode(Bytes::from(body));
    }

    /// The editor's form as a browser could post it (any of its names, any text, a currency
    /// or product key of any shape): read into a draft and validated, never a panic.
    #[test]
    fn the_rule_editor_form_takes_any_fields(
        body in "(rule\\[(name|kind|quantity|expiry_minutes|discount_percent|discount_cycles|b_weight|holdout|free_days|min_quantity|max_quantity|countries|currencies|customer|zone|start_local|end_local|version|id|parent_rule_id|enabled|(min|max|hold)\\]\\[[^&=\\]]{0,6})\\]=[^&]{0,24}&){0,16}"
    ) {
        if let Ok(args) = <FormOrJsonEncoding as Decodes<FormArgs>>::decode(Bytes::from(body)) {
            let mut d = normalize(args.rule.into_draft(), &[]);
            let mut errors = upsell_dashboard::server::schedule::resolve(&mut d.targeting.schedule);
            errors.extend(validate(&d, &catalogue(), &[]));
            for e in errors {
                prop_assert!(!e.field.is_empty() && !e.message.is_empty());
            }
        }
    }

    #[test]
    fn rule_validation_takes_any_draft(d in draft()) {
        let mut errors = validate(&d, &catalogue(), &[]);
        // And as the server takes it: tidied, its schedule resolved in its time zone.
        let mut tidy = normalize(d, &[]);
        errors.extend(upsell_dashboard::server::schedule::resolve(&mut tidy.targeting.schedule));
        errors.extend(validate(&tidy, &catalogue(), &[]));
        // Whatever it refuses, it says which field and why.
        for e in errors {
            prop_assert!(!e.field.is_empty() && !e.message.is_empty());
        }
    }
}

/// One server for every case of the webhook property (starting one per case would dominate).
static APP: LazyLock<(tokio::runtime::Runtime, common::TestApp)> = LazyLock::new(|| {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let app = rt.block_on(common::sqlite());
    (rt, app)
});

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,24}".prop_map(Value::from),
        Just(json!("cus_PriyaRaman0001")),
        Just(json!("pdt_LpTemplatePack01")),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("payment_id".to_string()),
                    Just("subscription_id".to_string()),
                    Just("customer".to_string()),
                    Just("customer_id".to_string()),
                    Just("product_cart".to_string()),
                    Just("product_id".to_string()),
                    Just("total_amount".to_string()),
                    Just("currency".to_string()),
                    Just("metadata".to_string()),
                    Just("status".to_string()),
                    "[a-z_]{1,12}",
                ],
                inner,
                0..6,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn event_type() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("payment.succeeded".to_string()),
        Just("payment.failed".to_string()),
        Just("refund.succeeded".to_string()),
        Just("subscription.active".to_string()),
        Just("subscription.plan_changed".to_string()),
        Just("subscription.cancelled".to_string()),
        Just("dispute.opened".to_string()),
        ".{0,30}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 120, ..ProptestConfig::default() })]

    /// Correctly signed deliveries of any shape: applied, ignored or refused with a 4xx, never
    /// a 5xx (Dodo would retry a poison event forever) and never a crash.
    #[test]
    fn the_webhook_endpoint_takes_any_signed_event(
        kind in event_type(),
        data in json_value(),
        envelope in any::<bool>(),
        n in any::<u64>(),
    ) {
        let (rt, app) = &*APP;
        let body = if envelope {
            json!({ "business_id": "bus_x", "type": kind, "timestamp": "2026-11-24T20:00:00Z", "data": data })
        } else {
            data
        };
        let (status, reply) = rt.block_on(common::deliver(
            app,
            common::TEST_WEBHOOK_SECRET,
            &format!("msg_prop_{n}"),
            chrono::Utc::now().timestamp(),
            &body.to_string(),
        ));
        prop_assert!(status.as_u16() < 500, "{status}: {reply} for {body}");
        let health = rt.block_on(async {
            reqwest::get(format!("{}/healthz", app.base)).await.unwrap().status()
        });
        prop_assert_eq!(health.as_u16(), 200);
    }
}
