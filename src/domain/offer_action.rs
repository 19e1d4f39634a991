//! What accepting an offer does, decided from what the customer already holds, and which save
//! offer a subscriber who asks to cancel gets. Pure: the server gathers the facts from Dodo.
use super::rule::ProductSummary;
use super::subscription::EffectiveAt;
use serde::{Deserialize, Serialize};

/// The one thing an accept does. A checkout of a recurring product starts a new subscription
/// at Dodo, whatever the customer already holds, so moving a subscriber to another plan must
/// be a change-plan of their subscription, never a checkout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferAction {
    /// A one-time charge on the saved method.
    OneTime,
    /// A checkout that starts a subscription (the customer holds none of that family).
    NewSubscription,
    /// A change-plan of the subscription the trigger named.
    PlanChange,
    /// A save offer: the next billing date moves later by some days.
    FreeTime,
}

impl OfferAction {
    pub const ALL: [OfferAction; 4] = [
        OfferAction::OneTime,
        OfferAction::NewSubscription,
        OfferAction::PlanChange,
        OfferAction::FreeTime,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            OfferAction::OneTime => "one_time",
            OfferAction::NewSubscription => "new_subscription",
            OfferAction::PlanChange => "plan_change",
            OfferAction::FreeTime => "free_time",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    /// Whether the accept acts on an existing subscription (its failures are mended by
    /// updating that subscription's payment method, never by a new checkout).
    pub fn on_subscription(self) -> bool {
        matches!(self, OfferAction::PlanChange | OfferAction::FreeTime)
    }
}

/// A subscription the customer holds, as far as choosing an action goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    pub id: String,
    pub product_id: String,
    pub quantity: i64,
    pub currency: String,
    pub active: bool,
    /// Scheduled to end at its next billing date: Dodo refuses plan changes of it.
    pub cancelling: bool,
}

/// Why no offer is made for a recurring product. Logged and counted, never guessed around.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoOffer {
    /// The named subscription is not the customer's, or not active (cancelled, on hold).
    NotActive,
    /// The subscription is already on the offered plan and quantity.
    SamePlan,
    /// The offered plan is priced in another currency than the subscription.
    CurrencyMismatch,
    /// Several subscriptions could be moved and the trigger named none of them.
    SeveralSubscriptions,
    /// The subscription is set to end; Dodo refuses plan changes of it.
    Cancelling,
    /// The offered product is no longer for sale.
    ProductGone,
    /// Dodo refused the change's preview (422: the subscription changed after we read it).
    Refused,
}

impl NoOffer {
    pub const ALL: [NoOffer; 7] = [
        NoOffer::NotActive,
        NoOffer::SamePlan,
        NoOffer::CurrencyMismatch,
        NoOffer::SeveralSubscriptions,
        NoOffer::Cancelling,
        NoOffer::ProductGone,
        NoOffer::Refused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoOffer::NotActive => "subscription_not_active",
            NoOffer::SamePlan => "same_plan",
            NoOffer::CurrencyMismatch => "currency_mismatch",
            NoOffer::SeveralSubscriptions => "several_subscriptions",
            NoOffer::Cancelling => "subscription_cancelling",
            NoOffer::ProductGone => "product_unavailable",
            NoOffer::Refused => "refused_by_dodo",
        }
    }

    /// The reason a withdrawn offer keeps (`as_str`), read back; `None` for anything else.
    pub fn parse(code: &str) -> Option<NoOffer> {
        NoOffer::ALL.into_iter().find(|w| w.as_str() == code)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub action: OfferAction,
    pub subscription_id: Option<String>,
}

/// The action for offering `quantity` × `offered` to a customer holding `held`, where the
/// trigger named subscription `named` (a subscription payment's `subscription_id`, or the one
/// an API event names). A plan family is the merchant's recurring products in one currency:
/// a second subscription in it is what a change-plan avoids.
pub fn choose(
    offered: &ProductSummary,
    quantity: i64,
    named: Option<&str>,
    held: &[Held],
) -> Result<Choice, NoOffer> {
    if !offered.is_recurring {
        return Ok(Choice {
            action: OfferAction::OneTime,
            subscription_id: None,
        });
    }
    let target = match named {
        Some(id) => held
            .iter()
            .find(|h| h.id == id && h.active)
            .ok_or(NoOffer::NotActive)?,
        None => {
            let family: Vec<&Held> = held
                .iter()
                .filter(|h| h.active && h.currency == offered.currency)
                .collect();
            match family.as_slice() {
                [] => {
                    return Ok(Choice {
                        action: OfferAction::NewSubscription,
                        subscription_id: None,
                    })
                }
                [one] => *one,
                _ => return Err(NoOffer::SeveralSubscriptions),
            }
        }
    };
    if target.currency != offered.currency {
        return Err(NoOffer::CurrencyMismatch);
    }
    if target.product_id == offered.id && target.quantity == quantity {
        return Err(NoOffer::SamePlan);
    }
    if target.cancelling {
        return Err(NoOffer::Cancelling);
    }
    Ok(Choice {
        action: OfferAction::PlanChange,
        subscription_id: Some(target.id.clone()),
    })
}

/// When a plan change offered to a customer takes effect: an upgrade at once (the difference
/// is charged now), a downgrade at the next billing date (no refund now, no proration gaming).
pub fn effective_for(current_recurring: i64, new_recurring: i64) -> EffectiveAt {
    if new_recurring < current_recurring {
        EffectiveAt::NextBillingDate
    } else {
        EffectiveAt::Immediately
    }
}

/// The amount on the page is the amount charged: an accept goes ahead only when a fresh quote
/// still charges exactly what the customer was shown; otherwise nothing is charged and the
/// page shows the new amount for a new click.
pub fn quote_holds(shown: i64, fresh: i64) -> bool {
    shown == fresh
}

/// Why a subscriber wants to leave, from the merchant's list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelReason {
    TooExpensive,
    NotUsingEnough,
    MissingFeature,
    Switching,
    Other,
}

impl CancelReason {
    pub const ALL: [CancelReason; 5] = [
        CancelReason::TooExpensive,
        CancelReason::NotUsingEnough,
        CancelReason::MissingFeature,
        CancelReason::Switching,
        CancelReason::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            CancelReason::TooExpensive => "too_expensive",
            CancelReason::NotUsingEnough => "not_using_enough",
            CancelReason::MissingFeature => "missing_feature",
            CancelReason::Switching => "switching",
            CancelReason::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A save rule for the subscriber's plan, as far as choosing one goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaveCandidate {
    pub rule_id: String,
    /// `None`: the plan's catch-all, for any reason.
    pub reason: Option<CancelReason>,
    pub priority: i64,
}

/// The save rule for `reason`: the first (by priority) that names this reason, else the first
/// catch-all; none when the plan has neither.
pub fn pick_save(candidates: &[SaveCandidate], reason: CancelReason) -> Option<&SaveCandidate> {
    let first = |want: Option<CancelReason>| {
        candidates
            .iter()
            .filter(|c| c.reason == want)
            .min_by_key(|c| c.priority)
    };
    first(Some(reason)).or_else(|| first(None))
}

#[cfg(test)]
mod tests;
