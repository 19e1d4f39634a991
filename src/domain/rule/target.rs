//! Who a rule is for: conditions on the purchase and the customer, a schedule, and the
//! catch-all. One pure function decides which rule fires and says why each other did not,
//! for the offer engine and for the editor's "preview as customer" alike.
use super::super::error::FieldError;
use super::super::money::format_money;
use serde::{Deserialize, Serialize};

/// The trigger of a catch-all rule: any product, when no rule for the product itself fires.
pub const ANY_PRODUCT: &str = "*";

/// A rule's conditions, all optional and combined with AND. Empty lists mean "any".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Targeting {
    /// Order value bounds, one per currency (minor units, inclusive). A purchase in a currency
    /// that has bounds must lie within them; one in a currency without bounds is not limited.
    #[serde(default)]
    pub order_values: Vec<ValueRange>,
    #[serde(default)]
    pub customer: CustomerFilter,
    /// ISO 4217 codes, upper case.
    #[serde(default)]
    pub currencies: Vec<String>,
    /// ISO 3166-1 alpha-2 billing countries, upper case.
    #[serde(default)]
    pub countries: Vec<String>,
    /// No offer to a customer who already holds (has bought) any of these products.
    #[serde(default)]
    pub exclude_holders: Vec<String>,
    /// The trigger's quantity, inclusive; 0 means no bound.
    #[serde(default)]
    pub min_quantity: i32,
    #[serde(default)]
    pub max_quantity: i32,
    #[serde(default)]
    pub schedule: Schedule,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueRange {
    pub currency: String,
    #[serde(default)]
    pub min: Option<i64>,
    #[serde(default)]
    pub max: Option<i64>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerFilter {
    #[default]
    Any,
    /// This purchase is the customer's first.
    New,
    Returning,
}

impl CustomerFilter {
    pub const ALL: [CustomerFilter; 3] = [Self::Any, Self::New, Self::Returning];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Any => "any",
            Self::New => "new",
            Self::Returning => "returning",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// When the rule is live. The merchant enters local times in a time zone; the server turns
/// them into instants (`starts_at` / `ends_at`, UTC milliseconds) when the rule is saved, so
/// matching never needs a time-zone database.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// IANA zone name; empty means UTC.
    #[serde(default)]
    pub zone: String,
    /// `YYYY-MM-DDTHH:MM`, as a `datetime-local` input gives it; empty for none.
    #[serde(default)]
    pub start_local: String,
    #[serde(default)]
    pub end_local: String,
    #[serde(default)]
    pub starts_at: Option<i64>,
    #[serde(default)]
    pub ends_at: Option<i64>,
}

/// Where a rule stands in time, as the map shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    Always,
    /// Starts in this many milliseconds.
    Upcoming(i64),
    /// Live; ends in this many milliseconds, if it ends.
    Live(Option<i64>),
    Ended,
}

impl Schedule {
    pub fn window(&self, now_ms: i64) -> Window {
        match (self.starts_at, self.ends_at) {
            (None, None) => Window::Always,
            (Some(s), _) if now_ms < s => Window::Upcoming(s - now_ms),
            (_, Some(e)) if now_ms >= e => Window::Ended,
            (_, e) => Window::Live(e.map(|e| e - now_ms)),
        }
    }
}

/// What is known about the purchase (or reported moment) an offer would follow.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purchase {
    pub customer_id: String,
    /// The products bought (or the product a reported moment concerns).
    pub products: Vec<String>,
    /// Minor units; `None` for a reported moment, which has no order.
    pub total: Option<i64>,
    pub currency: String,
    pub country: Option<String>,
    /// The trigger's quantity (the largest line when several products were bought).
    pub quantity: i64,
    /// The customer bought before this purchase.
    pub returning: bool,
    /// Products the customer has bought before (this purchase's own included).
    pub holds: Vec<String>,
    pub at_ms: i64,
}

/// Why a rule did not fire. The UI words it in the merchant's language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum Miss {
    OtherTrigger,
    Disabled,
    Declined,
    NotStarted {
        starts_at: i64,
    },
    Ended {
        ends_at: i64,
    },
    NoOrder,
    OrderBelow {
        total: i64,
        min: i64,
        currency: String,
    },
    OrderAbove {
        total: i64,
        max: i64,
        currency: String,
    },
    CurrencyNotListed {
        currency: String,
    },
    /// A catch-all's offer is priced in another currency than the purchase.
    OfferCurrency {
        currency: String,
        offer_currency: String,
    },
    CountryUnknown,
    CountryNotListed {
        country: String,
    },
    NotNewCustomer,
    NotReturningCustomer,
    HoldsProduct {
        product_id: String,
    },
    QuantityBelow {
        quantity: i64,
        min: i64,
    },
    QuantityAbove {
        quantity: i64,
        max: i64,
    },
    /// Matched, but a rule higher in the map fired.
    Outranked {
        by: String,
    },
    /// A catch-all, and a rule for the product itself fired.
    CatchAllNotNeeded {
        by: String,
    },
}

impl Miss {
    /// The English reason ("order value $20.00 is below $50.00"); the UI has the others.
    pub fn english(&self) -> String {
        match self {
            Miss::OtherTrigger => "it is for another product".into(),
            Miss::Disabled => "it is switched off".into(),
            Miss::Declined => "this customer declined it before".into(),
            Miss::NotStarted { .. } => "its schedule has not started".into(),
            Miss::Ended { .. } => "its schedule has ended".into(),
            Miss::NoOrder => "it has an order-value condition and this moment has no order".into(),
            Miss::OrderBelow {
                total,
                min,
                currency,
            } => format!(
                "order value {} is below {}",
                format_money(*total, currency),
                format_money(*min, currency)
            ),
            Miss::OrderAbove {
                total,
                max,
                currency,
            } => format!(
                "order value {} is above {}",
                format_money(*total, currency),
                format_money(*max, currency)
            ),
            Miss::CurrencyNotListed { currency } => {
                format!("{currency} is not one of its currencies")
            }
            Miss::OfferCurrency {
                currency,
                offer_currency,
            } => format!("its offer is priced in {offer_currency}, the purchase in {currency}"),
            Miss::CountryUnknown => "it names billing countries and this one is unknown".into(),
            Miss::CountryNotListed { country } => {
                format!("billing country {country} is not one of its countries")
            }
            Miss::NotNewCustomer => "it is for new customers and this one bought before".into(),
            Miss::NotReturningCustomer => {
                "it is for returning customers and this is a first purchase".into()
            }
            Miss::HoldsProduct { product_id } => format!("the customer already holds {product_id}"),
            Miss::QuantityBelow { quantity, min } => format!("quantity {quantity} is below {min}"),
            Miss::QuantityAbove { quantity, max } => format!("quantity {quantity} is above {max}"),
            Miss::Outranked { by } => format!("\"{by}\" is higher in the map and fires first"),
            Miss::CatchAllNotNeeded { by } => {
                format!("it is a catch-all and \"{by}\" fires for the product itself")
            }
        }
    }
}

/// The first condition the purchase fails, or `Ok` when it meets them all.
pub fn check(t: &Targeting, p: &Purchase) -> Result<(), Miss> {
    match t.schedule.window(p.at_ms) {
        Window::Upcoming(_) => {
            return Err(Miss::NotStarted {
                starts_at: t.schedule.starts_at.unwrap_or_default(),
            })
        }
        Window::Ended => {
            return Err(Miss::Ended {
                ends_at: t.schedule.ends_at.unwrap_or_default(),
            })
        }
        Window::Always | Window::Live(_) => {}
    }
    if !t.currencies.is_empty() && !t.currencies.iter().any(|c| c == &p.currency) {
        return Err(Miss::CurrencyNotListed {
            currency: p.currency.clone(),
        });
    }
    if let Some(range) = t.order_values.iter().find(|r| r.currency == p.currency) {
        let Some(total) = p.total else {
            return Err(Miss::NoOrder);
        };
        if let Some(min) = range.min.filter(|m| total < *m) {
            return Err(Miss::OrderBelow {
                total,
                min,
                currency: p.currency.clone(),
            });
        }
        if let Some(max) = range.max.filter(|m| total > *m) {
            return Err(Miss::OrderAbove {
                total,
                max,
                currency: p.currency.clone(),
            });
        }
    }
    if !t.countries.is_empty() {
        let Some(country) = &p.country else {
            return Err(Miss::CountryUnknown);
        };
        if !t.countries.iter().any(|c| c == country) {
            return Err(Miss::CountryNotListed {
                country: country.clone(),
            });
        }
    }
    match t.customer {
        CustomerFilter::New if p.returning => return Err(Miss::NotNewCustomer),
        CustomerFilter::Returning if !p.returning => return Err(Miss::NotReturningCustomer),
        _ => {}
    }
    if let Some(held) = t.exclude_holders.iter().find(|x| p.holds.contains(x)) {
        return Err(Miss::HoldsProduct {
            product_id: held.clone(),
        });
    }
    if t.min_quantity > 0 && p.quantity < t.min_quantity as i64 {
        return Err(Miss::QuantityBelow {
            quantity: p.quantity,
            min: t.min_quantity as i64,
        });
    }
    if t.max_quantity > 0 && p.quantity > t.max_quantity as i64 {
        return Err(Miss::QuantityAbove {
            quantity: p.quantity,
            max: t.max_quantity as i64,
        });
    }
    Ok(())
}

/// A rule as the choice needs it.
#[derive(Clone, Debug)]
pub struct Candidate<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub trigger: &'a str,
    pub priority: i64,
    pub enabled: bool,
    pub declined: bool,
    pub offer_currency: Option<&'a str>,
    pub targeting: &'a Targeting,
}

impl<'a> Candidate<'a> {
    /// The map's rules that follow a purchase (upsells and cross-sells, post-purchase), as
    /// candidates; `declined` says which ones this customer turned down.
    pub fn of_map(
        rules: &'a [super::Rule],
        products: &'a [super::ProductSummary],
        declined: impl Fn(&str) -> bool,
    ) -> Vec<Candidate<'a>> {
        rules
            .iter()
            .filter(|r| {
                matches!(r.kind, super::RuleKind::Upsell | super::RuleKind::CrossSell)
                    && r.timing == super::Timing::PostPurchase
            })
            .map(|r| Candidate {
                id: &r.id,
                name: &r.name,
                trigger: &r.trigger_product_id,
                priority: r.priority,
                enabled: r.enabled,
                declined: declined(&r.id),
                offer_currency: products
                    .iter()
                    .find(|p| p.id == r.offer_product_id)
                    .map(|p| p.currency.as_str()),
                targeting: &r.targeting,
            })
            .collect()
    }
}

/// Each candidate's verdict, in priority order: `Ok` for the one that fires (at most one).
/// Rules for the bought products come first by priority; a catch-all fires only when none of
/// them does.
pub fn choose<'a>(
    candidates: &[Candidate<'a>],
    p: &Purchase,
) -> Vec<(Candidate<'a>, Result<(), Miss>)> {
    let mut order: Vec<&Candidate<'a>> = candidates.iter().collect();
    order.sort_by_key(|c| (c.trigger == ANY_PRODUCT, c.priority));
    let mut fired: Option<&str> = None;
    order
        .into_iter()
        .map(|c| {
            let verdict = verdict(c, p, fired);
            if verdict.is_ok() {
                fired = Some(c.name);
            }
            (c.clone(), verdict)
        })
        .collect()
}

fn verdict(c: &Candidate<'_>, p: &Purchase, fired: Option<&str>) -> Result<(), Miss> {
    let catch_all = c.trigger == ANY_PRODUCT;
    if !catch_all && !p.products.iter().any(|b| b == c.trigger) {
        return Err(Miss::OtherTrigger);
    }
    if !c.enabled {
        return Err(Miss::Disabled);
    }
    if c.declined {
        return Err(Miss::Declined);
    }
    if catch_all {
        if let Some(oc) = c.offer_currency.filter(|oc| *oc != p.currency) {
            return Err(Miss::OfferCurrency {
                currency: p.currency.clone(),
                offer_currency: oc.to_string(),
            });
        }
    }
    check(c.targeting, p)?;
    match fired {
        Some(by) if catch_all => Err(Miss::CatchAllNotNeeded { by: by.to_string() }),
        Some(by) => Err(Miss::Outranked { by: by.to_string() }),
        None => Ok(()),
    }
}

/// The id of the rule that fires, if any.
pub fn winner<'a>(candidates: &[Candidate<'a>], p: &Purchase) -> Option<&'a str> {
    choose(candidates, p)
        .into_iter()
        .find(|(_, v)| v.is_ok())
        .map(|(c, _)| c.id)
}

/// One rule's verdict in "preview as customer".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub rule_id: String,
    pub name: String,
    pub trigger: String,
    /// `None`: this rule fires.
    pub miss: Option<Miss>,
}

/// The verdicts worth showing: every rule that could have answered this purchase (its
/// product's rules and the catch-alls), the one that fires first.
pub fn explain(candidates: &[Candidate<'_>], p: &Purchase) -> Vec<Verdict> {
    let mut out: Vec<Verdict> = choose(candidates, p)
        .into_iter()
        .filter(|(_, v)| *v != Err(Miss::OtherTrigger))
        .map(|(c, v)| Verdict {
            rule_id: c.id.to_string(),
            name: c.name.to_string(),
            trigger: c.trigger.to_string(),
            miss: v.err(),
        })
        .collect();
    out.sort_by_key(|v| v.miss.is_some());
    out
}

/// At most `max_offers` offers per customer per `days` days across the whole map, on top of
/// "never again after a decline". Both 0: no cap.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrequencyCap {
    pub max_offers: i32,
    pub days: i32,
}

pub const CAP_OFFERS_MAX: i32 = 100;
pub const CAP_DAYS_MAX: i32 = 365;

impl FrequencyCap {
    pub fn is_set(&self) -> bool {
        self.max_offers > 0 && self.days > 0
    }

    /// The window's length in milliseconds.
    pub fn window_ms(&self) -> i64 {
        self.days as i64 * 86_400_000
    }

    /// Whether one more offer is allowed after `made` in the window.
    pub fn allows(&self, made: i64) -> bool {
        !self.is_set() || made < self.max_offers as i64
    }

    pub fn validate(&self) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let off = self.max_offers == 0 && self.days == 0;
        if !off && !(1..=CAP_OFFERS_MAX).contains(&self.max_offers) {
            errs.push(FieldError::new(
                "max_offers",
                "cap_offers_range",
                format!("Allow 1 to {CAP_OFFERS_MAX} offers per customer (both 0 for no cap)."),
            ));
        }
        if !off && !(1..=CAP_DAYS_MAX).contains(&self.days) {
            errs.push(FieldError::new(
                "days",
                "cap_days_range",
                format!("Count offers over 1 to {CAP_DAYS_MAX} days (both 0 for no cap)."),
            ));
        }
        errs
    }
}

pub const LIST_MAX: usize = 50;

/// Upper-cases and de-duplicates codes typed as "us, de ,FR".
pub fn codes(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in text.split([',', ' ', ';']).map(|c| c.trim().to_uppercase()) {
        if !c.is_empty() && !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// Trims, upper-cases and drops empty entries (a form sends every row, filled or not).
pub fn normalize(mut t: Targeting) -> Targeting {
    let tidy = |v: Vec<String>| codes(&v.join(","));
    t.currencies = tidy(t.currencies);
    t.countries = tidy(t.countries);
    t.exclude_holders = t
        .exclude_holders
        .into_iter()
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .fold(Vec::new(), |mut acc, x| {
            if !acc.contains(&x) {
                acc.push(x);
            }
            acc
        });
    t.order_values = t
        .order_values
        .into_iter()
        .map(|mut r| {
            r.currency = r.currency.trim().to_uppercase();
            r
        })
        .filter(|r| !r.currency.is_empty() && (r.min.is_some() || r.max.is_some()))
        .collect();
    t.schedule.zone = t.schedule.zone.trim().to_string();
    t.schedule.start_local = t.schedule.start_local.trim().to_string();
    t.schedule.end_local = t.schedule.end_local.trim().to_string();
    if t.schedule.start_local.is_empty() {
        t.schedule.starts_at = None;
    }
    if t.schedule.end_local.is_empty() {
        t.schedule.ends_at = None;
    }
    t
}

/// The conditions' own checks (products are checked against the catalogue by the caller).
/// The schedule's instants are checked once the server has resolved them.
pub fn validate(t: &Targeting, known_product: impl Fn(&str) -> bool) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for r in &t.order_values {
        let field = "targeting.order_values";
        if r.currency.len() != 3 || !r.currency.chars().all(|c| c.is_ascii_alphabetic()) {
            errs.push(FieldError::new(
                field,
                "currency_code",
                format!(
                    "\"{}\" is not a currency code; use three letters such as USD.",
                    r.currency
                ),
            ));
        }
        if r.min.is_some_and(|m| m < 0) || r.max.is_some_and(|m| m < 0) {
            errs.push(FieldError::new(
                field,
                "value_negative",
                "An order value cannot be negative.",
            ));
        } else if let (Some(min), Some(max)) = (r.min, r.max) {
            if min > max {
                errs.push(FieldError::new(
                    field,
                    "value_range",
                    format!(
                        "The lowest order value ({}) is above the highest ({}); swap them.",
                        format_money(min, &r.currency),
                        format_money(max, &r.currency)
                    ),
                ));
            }
        }
    }
    let codes_ok =
        |field: &str, list: &[String], len: usize, what: &str, errs: &mut Vec<FieldError>| {
            if list.len() > LIST_MAX {
                errs.push(FieldError::new(
                    field,
                    "too_many",
                    format!("List at most {LIST_MAX} {what}."),
                ));
            }
            if let Some(bad) = list
                .iter()
                .find(|c| c.len() != len || !c.chars().all(|c| c.is_ascii_alphabetic()))
            {
                errs.push(FieldError::new(
                    field,
                    "code",
                    format!(
                        "\"{bad}\" is not a {len}-letter {what} code (for example {}).",
                        if len == 3 { "USD, EUR" } else { "US, DE" }
                    ),
                ));
            }
        };
    codes_ok(
        "targeting.currencies",
        &t.currencies,
        3,
        "currency",
        &mut errs,
    );
    codes_ok("targeting.countries", &t.countries, 2, "country", &mut errs);
    if let Some(bad) = t.exclude_holders.iter().find(|x| !known_product(x)) {
        errs.push(FieldError::new(
            "targeting.exclude_holders",
            "product_missing",
            format!("{bad} is not a product in Dodo Payments; pick from the list."),
        ));
    }
    if !(0..=super::QUANTITY_MAX).contains(&t.min_quantity)
        || !(0..=super::QUANTITY_MAX).contains(&t.max_quantity)
    {
        errs.push(FieldError::new(
            "targeting.min_quantity",
            "quantity_range",
            format!(
                "Quantities go from 1 to {}; leave 0 for no bound.",
                super::QUANTITY_MAX
            ),
        ));
    } else if t.min_quantity > 0 && t.max_quantity > 0 && t.min_quantity > t.max_quantity {
        errs.push(FieldError::new(
            "targeting.min_quantity",
            "quantity_order",
            "The lowest quantity is above the highest; swap them.",
        ));
    }
    if let (Some(s), Some(e)) = (t.schedule.starts_at, t.schedule.ends_at) {
        if e <= s {
            errs.push(FieldError::new(
                "targeting.schedule.end_local",
                "schedule_order",
                "The end must come after the start.",
            ));
        }
    }
    errs
}

#[cfg(test)]
#[path = "target_tests.rs"]
mod tests;
