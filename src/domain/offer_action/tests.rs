use super::*;

fn product(id: &str, recurring: bool, currency: &str) -> ProductSummary {
    ProductSummary {
        id: id.into(),
        name: id.into(),
        price: 8000,
        currency: currency.into(),
        is_recurring: recurring,
        interval: recurring.then(|| "Month".to_string()),
    }
}

fn held(id: &str, product: &str, currency: &str, active: bool) -> Held {
    Held {
        id: id.into(),
        product_id: product.into(),
        quantity: 1,
        currency: currency.into(),
        active,
        cancelling: false,
    }
}

#[test]
fn one_time_products_are_one_time_charges_whatever_is_held() {
    let c = choose(
        &product("pdt_pack", false, "USD"),
        1,
        Some("sub_a"),
        &[held("sub_a", "pdt_basic", "USD", true)],
    )
    .unwrap();
    assert_eq!(c.action, OfferAction::OneTime);
    assert_eq!(c.subscription_id, None);
}

#[test]
fn a_plan_for_someone_without_a_subscription_starts_one() {
    let pro = product("pdt_pro", true, "USD");
    let cancelled = [held("sub_old", "pdt_basic", "USD", false)];
    for holding in [&[][..], &cancelled[..]] {
        let c = choose(&pro, 1, None, holding).unwrap();
        assert_eq!(c.action, OfferAction::NewSubscription);
    }
    // A subscription in another currency is another family: a new one starts.
    let yen = [held("sub_jp", "pdt_studio", "JPY", true)];
    assert_eq!(
        choose(&pro, 1, None, &yen).unwrap().action,
        OfferAction::NewSubscription
    );
}

#[test]
fn a_subscriber_is_moved_never_given_a_second_subscription() {
    let pro = product("pdt_pro", true, "USD");
    let basic = [held("sub_a", "pdt_basic", "USD", true)];
    let named = choose(&pro, 1, Some("sub_a"), &basic).unwrap();
    assert_eq!(named.action, OfferAction::PlanChange);
    assert_eq!(named.subscription_id.as_deref(), Some("sub_a"));
    // Not named, but the only subscription of the family: that one.
    let only = choose(&pro, 1, None, &basic).unwrap();
    assert_eq!(only.action, OfferAction::PlanChange);
    assert_eq!(only.subscription_id.as_deref(), Some("sub_a"));
}

#[test]
fn several_subscriptions_and_none_named_make_no_offer() {
    let pro = product("pdt_pro", true, "USD");
    let two = [
        held("sub_a", "pdt_basic", "USD", true),
        held("sub_b", "pdt_team", "USD", true),
    ];
    assert_eq!(
        choose(&pro, 1, None, &two),
        Err(NoOffer::SeveralSubscriptions)
    );
    // Named, it is not a guess.
    assert_eq!(
        choose(&pro, 1, Some("sub_b"), &two)
            .unwrap()
            .subscription_id
            .as_deref(),
        Some("sub_b")
    );
}

#[test]
fn refusals_say_why() {
    let pro = product("pdt_pro", true, "USD");
    assert_eq!(
        choose(
            &pro,
            1,
            Some("sub_x"),
            &[held("sub_x", "pdt_basic", "USD", false)]
        ),
        Err(NoOffer::NotActive)
    );
    assert_eq!(
        choose(&pro, 1, Some("sub_unknown"), &[]),
        Err(NoOffer::NotActive)
    );
    assert_eq!(
        choose(
            &pro,
            1,
            Some("sub_p"),
            &[held("sub_p", "pdt_pro", "USD", true)]
        ),
        Err(NoOffer::SamePlan)
    );
    // Same plan, more seats: a real change.
    assert_eq!(
        choose(
            &pro,
            2,
            Some("sub_p"),
            &[held("sub_p", "pdt_pro", "USD", true)]
        )
        .unwrap()
        .action,
        OfferAction::PlanChange
    );
    assert_eq!(
        choose(
            &pro,
            1,
            Some("sub_j"),
            &[held("sub_j", "pdt_studio", "JPY", true)]
        ),
        Err(NoOffer::CurrencyMismatch)
    );
    let mut ending = held("sub_e", "pdt_basic", "USD", true);
    ending.cancelling = true;
    assert_eq!(
        choose(&pro, 1, Some("sub_e"), &[ending]),
        Err(NoOffer::Cancelling)
    );
}

#[test]
fn downgrades_wait_for_the_billing_date_and_quotes_lock() {
    assert_eq!(effective_for(3000, 8000), EffectiveAt::Immediately);
    assert_eq!(effective_for(8000, 3000), EffectiveAt::NextBillingDate);
    assert!(quote_holds(5000, 5000));
    assert!(!quote_holds(5000, 5001));
    for a in OfferAction::ALL {
        assert_eq!(OfferAction::parse(a.as_str()), Some(a));
    }
    for w in NoOffer::ALL {
        assert_eq!(NoOffer::parse(w.as_str()), Some(w));
    }
    // A decline code on the same column is not a withdrawal.
    assert_eq!(NoOffer::parse("INSUFFICIENT_FUNDS"), None);
    assert!(OfferAction::PlanChange.on_subscription());
    assert!(!OfferAction::NewSubscription.on_subscription());
}

#[test]
fn save_offers_are_chosen_by_reason_then_catch_all() {
    let c = |id: &str, reason, priority| SaveCandidate {
        rule_id: id.into(),
        reason,
        priority,
    };
    let rules = [
        c("catch_all", None, 5),
        c("cheaper", Some(CancelReason::TooExpensive), 7),
        c("cheaper_first", Some(CancelReason::TooExpensive), 2),
        c("catch_all_later", None, 9),
    ];
    let pick = |r| pick_save(&rules, r).map(|c| c.rule_id.as_str());
    assert_eq!(pick(CancelReason::TooExpensive), Some("cheaper_first"));
    assert_eq!(pick(CancelReason::Switching), Some("catch_all"));
    assert_eq!(pick_save(&rules[1..3], CancelReason::Other), None);
    for r in CancelReason::ALL {
        assert_eq!(CancelReason::parse(r.as_str()), Some(r));
    }
}
