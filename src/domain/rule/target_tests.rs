use super::*;

fn purchase() -> Purchase {
    Purchase {
        customer_id: "cus_1".into(),
        products: vec!["pdt_A".into()],
        total: Some(2_000),
        currency: "USD".into(),
        country: Some("US".into()),
        quantity: 1,
        returning: false,
        holds: vec!["pdt_A".into()],
        at_ms: 1_000_000,
    }
}

fn rule<'a>(id: &'a str, trigger: &'a str, priority: i64, t: &'a Targeting) -> Candidate<'a> {
    Candidate {
        id,
        name: id,
        trigger,
        priority,
        enabled: true,
        declined: false,
        offer_currency: Some("USD"),
        targeting: t,
    }
}

#[test]
fn no_conditions_match_everything() {
    assert_eq!(check(&Targeting::default(), &purchase()), Ok(()));
}

#[test]
fn order_value_bounds_apply_per_currency() {
    let t = Targeting {
        order_values: vec![ValueRange {
            currency: "USD".into(),
            min: Some(5_000),
            max: None,
        }],
        ..Default::default()
    };
    let miss = check(&t, &purchase()).unwrap_err();
    assert_eq!(miss.english(), "order value $20.00 is below $50.00");
    let big = Purchase {
        total: Some(5_000),
        ..purchase()
    };
    assert_eq!(check(&t, &big), Ok(()), "the bound is inclusive");
    // A euro purchase is not limited by the dollar bound.
    let eur = Purchase {
        currency: "EUR".into(),
        ..purchase()
    };
    assert_eq!(check(&t, &eur), Ok(()));
    // A reported moment has no order to compare.
    let moment = Purchase {
        total: None,
        ..purchase()
    };
    assert_eq!(check(&t, &moment), Err(Miss::NoOrder));
}

#[test]
fn order_value_above_and_yen_without_minor_units() {
    let t = Targeting {
        order_values: vec![ValueRange {
            currency: "JPY".into(),
            min: None,
            max: Some(3_000),
        }],
        ..Default::default()
    };
    let p = Purchase {
        currency: "JPY".into(),
        total: Some(4_500),
        ..purchase()
    };
    let miss = check(&t, &p).unwrap_err();
    assert!(matches!(
        miss,
        Miss::OrderAbove {
            total: 4_500,
            max: 3_000,
            ..
        }
    ));
    assert!(
        miss.english().contains("4,500") || miss.english().contains("4500"),
        "{}",
        miss.english()
    );
    assert!(
        !miss.english().contains('.'),
        "yen has no minor units: {}",
        miss.english()
    );
}

#[test]
fn currency_and_country_sets() {
    let t = Targeting {
        currencies: vec!["EUR".into()],
        ..Default::default()
    };
    assert_eq!(
        check(&t, &purchase()),
        Err(Miss::CurrencyNotListed {
            currency: "USD".into()
        })
    );
    let t = Targeting {
        countries: vec!["DE".into(), "FR".into()],
        ..Default::default()
    };
    assert_eq!(
        check(&t, &purchase()),
        Err(Miss::CountryNotListed {
            country: "US".into()
        })
    );
    let unknown = Purchase {
        country: None,
        ..purchase()
    };
    assert_eq!(check(&t, &unknown), Err(Miss::CountryUnknown));
    let de = Purchase {
        country: Some("DE".into()),
        ..purchase()
    };
    assert_eq!(check(&t, &de), Ok(()));
}

#[test]
fn new_and_returning_customers() {
    let new_only = Targeting {
        customer: CustomerFilter::New,
        ..Default::default()
    };
    let returning_only = Targeting {
        customer: CustomerFilter::Returning,
        ..Default::default()
    };
    let first = purchase();
    let again = Purchase {
        returning: true,
        ..purchase()
    };
    assert_eq!(check(&new_only, &first), Ok(()));
    assert_eq!(check(&new_only, &again), Err(Miss::NotNewCustomer));
    assert_eq!(check(&returning_only, &again), Ok(()));
    assert_eq!(
        check(&returning_only, &first),
        Err(Miss::NotReturningCustomer)
    );
}

#[test]
fn holders_of_a_product_are_excluded() {
    let t = Targeting {
        exclude_holders: vec!["pdt_Pro".into()],
        ..Default::default()
    };
    assert_eq!(check(&t, &purchase()), Ok(()));
    let holder = Purchase {
        holds: vec!["pdt_A".into(), "pdt_Pro".into()],
        ..purchase()
    };
    assert_eq!(
        check(&t, &holder),
        Err(Miss::HoldsProduct {
            product_id: "pdt_Pro".into()
        })
    );
}

#[test]
fn quantity_bounds() {
    let t = Targeting {
        min_quantity: 2,
        max_quantity: 5,
        ..Default::default()
    };
    assert_eq!(
        check(&t, &purchase()),
        Err(Miss::QuantityBelow {
            quantity: 1,
            min: 2
        })
    );
    let six = Purchase {
        quantity: 6,
        ..purchase()
    };
    assert_eq!(
        check(&t, &six),
        Err(Miss::QuantityAbove {
            quantity: 6,
            max: 5
        })
    );
    let two = Purchase {
        quantity: 2,
        ..purchase()
    };
    assert_eq!(check(&t, &two), Ok(()));
}

#[test]
fn schedule_edges() {
    let t = Targeting {
        schedule: Schedule {
            starts_at: Some(1_000),
            ends_at: Some(2_000),
            ..Default::default()
        },
        ..Default::default()
    };
    let at = |ms| Purchase {
        at_ms: ms,
        ..purchase()
    };
    assert_eq!(
        check(&t, &at(999)),
        Err(Miss::NotStarted { starts_at: 1_000 })
    );
    assert_eq!(check(&t, &at(1_000)), Ok(()), "the start is inclusive");
    assert_eq!(check(&t, &at(1_999)), Ok(()));
    assert_eq!(
        check(&t, &at(2_000)),
        Err(Miss::Ended { ends_at: 2_000 }),
        "the end is not"
    );
    assert_eq!(t.schedule.window(500), Window::Upcoming(500));
    assert_eq!(t.schedule.window(1_500), Window::Live(Some(500)));
    assert_eq!(Schedule::default().window(0), Window::Always);
}

#[test]
fn priority_decides_between_matching_rules() {
    let any = Targeting::default();
    let rules = [
        rule("low", "pdt_A", 2, &any),
        rule("high", "pdt_A", 1, &any),
    ];
    let verdicts = choose(&rules, &purchase());
    assert_eq!(verdicts[0].0.id, "high");
    assert_eq!(verdicts[0].1, Ok(()));
    assert_eq!(verdicts[1].1, Err(Miss::Outranked { by: "high".into() }));
    assert_eq!(winner(&rules, &purchase()), Some("high"));
}

#[test]
fn a_higher_rule_that_does_not_match_lets_a_lower_one_fire() {
    let big_orders = Targeting {
        order_values: vec![ValueRange {
            currency: "USD".into(),
            min: Some(10_000),
            max: None,
        }],
        ..Default::default()
    };
    let any = Targeting::default();
    let rules = [
        rule("big", "pdt_A", 1, &big_orders),
        rule("small", "pdt_A", 2, &any),
    ];
    assert_eq!(winner(&rules, &purchase()), Some("small"));
}

#[test]
fn catch_all_fires_only_when_no_product_rule_does() {
    let any = Targeting::default();
    let never = Targeting {
        currencies: vec!["EUR".into()],
        ..Default::default()
    };
    // A catch-all high in the map still waits for the product's own rules.
    let rules = [
        rule("catch", ANY_PRODUCT, 0, &any),
        rule("own", "pdt_A", 5, &any),
    ];
    let verdicts = choose(&rules, &purchase());
    assert_eq!(winner(&rules, &purchase()), Some("own"));
    assert!(verdicts
        .iter()
        .any(|(c, v)| c.id == "catch" && *v == Err(Miss::CatchAllNotNeeded { by: "own".into() })));
    let rules = [
        rule("catch", ANY_PRODUCT, 0, &any),
        rule("own", "pdt_A", 5, &never),
    ];
    assert_eq!(winner(&rules, &purchase()), Some("catch"));
    // Any product at all, but only in its offer's currency.
    let other = Purchase {
        products: vec!["pdt_Z".into()],
        currency: "EUR".into(),
        ..purchase()
    };
    assert_eq!(winner(&rules[..1], &other), None);
}

#[test]
fn other_triggers_disabled_and_declined_rules_never_fire() {
    let any = Targeting::default();
    let mut off = rule("off", "pdt_A", 1, &any);
    off.enabled = false;
    let mut no = rule("no", "pdt_A", 2, &any);
    no.declined = true;
    let rules = [off, no, rule("other", "pdt_B", 3, &any)];
    let verdicts = choose(&rules, &purchase());
    assert_eq!(winner(&rules, &purchase()), None);
    assert_eq!(verdicts[0].1, Err(Miss::Disabled));
    assert_eq!(verdicts[1].1, Err(Miss::Declined));
    assert_eq!(verdicts[2].1, Err(Miss::OtherTrigger));
}

#[test]
fn normalize_and_validate() {
    let t = normalize(Targeting {
        currencies: vec![" usd".into(), "USD".into(), String::new()],
        countries: vec!["de, fr".into()],
        order_values: vec![
            ValueRange {
                currency: "usd".into(),
                min: Some(100),
                max: Some(50),
            },
            ValueRange {
                currency: "EUR".into(),
                min: None,
                max: None,
            },
        ],
        exclude_holders: vec![" pdt_X ".into(), String::new()],
        min_quantity: 3,
        max_quantity: 2,
        ..Default::default()
    });
    assert_eq!(t.currencies, vec!["USD"]);
    assert_eq!(t.countries, vec!["DE", "FR"]);
    assert_eq!(t.order_values.len(), 1, "an empty row is dropped");
    assert_eq!(t.exclude_holders, vec!["pdt_X"]);
    let errs = validate(&t, |_| false);
    let codes: Vec<&str> = errs.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(
        codes,
        vec!["value_range", "product_missing", "quantity_order"]
    );
    let bad = Targeting {
        countries: vec!["USA".into()],
        ..Default::default()
    };
    assert_eq!(validate(&bad, |_| true)[0].field, "targeting.countries");
    let backwards = Targeting {
        schedule: Schedule {
            starts_at: Some(10),
            ends_at: Some(10),
            ..Default::default()
        },
        ..Default::default()
    };
    assert_eq!(validate(&backwards, |_| true)[0].code, "schedule_order");
}

#[test]
fn frequency_cap() {
    let off = FrequencyCap::default();
    assert!(off.allows(1_000) && off.validate().is_empty());
    let cap = FrequencyCap {
        max_offers: 2,
        days: 7,
    };
    assert!(cap.allows(0) && cap.allows(1) && !cap.allows(2));
    assert_eq!(cap.window_ms(), 7 * 86_400_000);
    let bad = FrequencyCap {
        max_offers: 0,
        days: 7,
    };
    assert_eq!(bad.validate()[0].field, "max_offers");
    let bad = FrequencyCap {
        max_offers: 3,
        days: 400,
    };
    assert_eq!(bad.validate()[0].field, "days");
}
