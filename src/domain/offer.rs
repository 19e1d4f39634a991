//! Offers: the states an offer moves through and what the customer's page needs to show.
use super::offer_action::OfferAction;
use super::rule::RuleKind;
use serde::{Deserialize, Serialize};

/// `pending → charging → paid | failed`, `pending → declined | expired | fallback`.
/// `charging` is entered by a compare-and-set before Dodo is called, so only one accept can
/// ever charge; it is left only by the payment's outcome (webhook or read-back).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferState {
    Pending,
    Charging,
    Paid,
    Failed,
    Declined,
    Expired,
    Fallback,
}

impl OfferState {
    pub const ALL: [OfferState; 7] = [
        OfferState::Pending,
        OfferState::Charging,
        OfferState::Paid,
        OfferState::Failed,
        OfferState::Declined,
        OfferState::Expired,
        OfferState::Fallback,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            OfferState::Pending => "pending",
            OfferState::Charging => "charging",
            OfferState::Paid => "paid",
            OfferState::Failed => "failed",
            OfferState::Declined => "declined",
            OfferState::Expired => "expired",
            OfferState::Fallback => "fallback",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    /// Whether a payment outcome may still change this state. A paid offer stays paid even if
    /// a late `payment.failed` for an older attempt arrives out of order.
    pub fn can_settle(self) -> bool {
        matches!(
            self,
            OfferState::Pending | OfferState::Charging | OfferState::Failed
        )
    }
}

/// Everything the hosted offer page shows. No secrets, no internal ids beyond the token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferView {
    pub token: String,
    pub state: OfferState,
    pub headline: String,
    pub value_prop: String,
    pub badge: Option<String>,
    pub product_id: String,
    pub product_name: String,
    pub quantity: i32,
    pub amount: i64,
    pub currency: String,
    /// What the page sets the price against, if anything (see [`ComparedWith::for_kind`]).
    #[serde(default)]
    pub compared: Option<PriceComparison>,
    pub expires_at: i64,
    pub now: i64,
    pub failure_message: Option<String>,
    /// Dodo's decline code, so the page can explain it in the reader's language.
    pub failure_code: Option<String>,
    pub fallback_url: Option<String>,
    /// Set after a decline when the rule has a downsell for this customer.
    pub next_token: Option<String>,
    /// Where the customer can update their saved payment method.
    pub update_method_url: Option<String>,
    /// What accepting does (a one-time charge, a new subscription, a plan change, free time).
    pub action: OfferAction,
    /// For a plan change or free time: the plan the subscription is on now.
    pub from_product_name: Option<String>,
    /// What each period costs after the accept, its period (`Month`, `Year`) and from when.
    pub recurring_amount: Option<i64>,
    pub interval: Option<String>,
    pub recurring_from: Option<i64>,
    /// A plan change that takes effect at the next billing date.
    pub scheduled: bool,
    pub free_days: Option<i64>,
    /// A save offer (its decline cancels the subscription at the period end).
    pub save: bool,
    /// The amount moved since it was shown: nothing was charged; this is the new amount.
    pub requoted: bool,
    /// A discounted offer: the price before it (shown struck through), the percent off and,
    /// for a new subscription, the billing cycles it lasts (0: every one).
    #[serde(default)]
    pub full_amount: Option<i64>,
    #[serde(default)]
    pub discount_percent: i32,
    #[serde(default)]
    pub discount_cycles: i32,
}

/// What an offer's price is set against on its page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComparedWith {
    /// The product just bought.
    Bought,
    /// The offer declined just before this one.
    Declined,
}

impl ComparedWith {
    /// An upsell is a step up from what was just bought; a downsell is the cheaper way to
    /// what was just declined. A cross-sell or a next offer meets another need, and a save
    /// offer keeps a plan: a price gap to anything would only mislead there.
    pub fn for_kind(kind: RuleKind) -> Option<Self> {
        match kind {
            RuleKind::Upsell => Some(ComparedWith::Bought),
            RuleKind::Downsell => Some(ComparedWith::Declined),
            RuleKind::CrossSell | RuleKind::Next | RuleKind::Save => None,
        }
    }
}

/// "$20.00 more than what you just bought (Template pack, $29.00)".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceComparison {
    pub with: ComparedWith,
    pub name: String,
    pub amount: i64,
}

/// Families of decline codes, each with one explanation a customer understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeclineKind {
    Funds,
    Expired,
    Bank,
    Confirm,
    Blocked,
    Network,
    Other,
}

pub fn decline_kind(code: &str) -> DeclineKind {
    match code {
        "INSUFFICIENT_FUNDS" => DeclineKind::Funds,
        "EXPIRED_CARD" => DeclineKind::Expired,
        "CARD_DECLINED" | "GENERIC_DECLINE" | "DO_NOT_HONOR" | "TRANSACTION_NOT_APPROVED" => {
            DeclineKind::Bank
        }
        "AUTHENTICATION_REQUIRED" | "AUTHENTICATION_FAILURE" | "AUTHENTICATION_TIMEOUT" => {
            DeclineKind::Confirm
        }
        "LOST_CARD" | "STOLEN_CARD" | "PICKUP_CARD" | "FRAUDULENT" => DeclineKind::Blocked,
        "NETWORK_ERROR" | "NETWORK_TIMEOUT" | "PROCESSING_ERROR" | "TRY_AGAIN_LATER" => {
            DeclineKind::Network
        }
        _ => DeclineKind::Other,
    }
}

/// The customer-facing reason for a decline code (Dodo's `error_code`), in English.
pub fn decline_reason(code: &str) -> &'static str {
    match decline_kind(code) {
        DeclineKind::Funds => "Your card was declined for insufficient funds.",
        DeclineKind::Expired => "Your saved card has expired.",
        DeclineKind::Bank => "Your bank declined the payment.",
        DeclineKind::Confirm => "Your bank needs you to confirm this payment.",
        DeclineKind::Blocked => "This card cannot be used; please use another payment method.",
        DeclineKind::Network => "The payment network had a problem and nothing was charged.",
        DeclineKind::Other => "The payment did not go through and nothing was charged.",
    }
}

/// The same reason for support staff, who read it in the plan change history: about the
/// customer, and what to do next.
pub fn decline_reason_for_staff(code: &str) -> &'static str {
    match decline_kind(code) {
        DeclineKind::Funds => "The customer's card was declined for insufficient funds. Nothing was charged.",
        DeclineKind::Expired => "The customer's saved card has expired. Ask them to update it (customer portal), then preview the change again.",
        DeclineKind::Bank => "The customer's bank declined the payment. Nothing was charged.",
        DeclineKind::Confirm => "The customer's bank wants them to confirm this payment, which cannot be done without them. Nothing was charged.",
        DeclineKind::Blocked => "The customer's card cannot be used (reported lost, stolen or blocked). Ask them for another payment method.",
        DeclineKind::Network => "The payment network had a problem and nothing was charged. Preview the change again to retry.",
        DeclineKind::Other => "The payment did not go through and nothing was charged.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_upsells_and_downsells_compare_prices() {
        assert_eq!(
            ComparedWith::for_kind(RuleKind::Upsell),
            Some(ComparedWith::Bought)
        );
        assert_eq!(
            ComparedWith::for_kind(RuleKind::Downsell),
            Some(ComparedWith::Declined)
        );
        for k in [RuleKind::CrossSell, RuleKind::Next, RuleKind::Save] {
            assert_eq!(ComparedWith::for_kind(k), None, "{k:?}");
        }
    }

    #[test]
    fn staff_read_about_the_customer_and_what_to_do() {
        assert!(decline_reason("EXPIRED_CARD").starts_with("Your"));
        let staff = decline_reason_for_staff("EXPIRED_CARD");
        assert!(staff.starts_with("The customer's saved card has expired"));
        assert!(staff.contains("update it"));
        for code in [
            "INSUFFICIENT_FUNDS",
            "DO_NOT_HONOR",
            "AUTHENTICATION_REQUIRED",
            "STOLEN_CARD",
            "NETWORK_ERROR",
            "WHATEVER",
        ] {
            assert!(!decline_reason_for_staff(code).contains("Your"), "{code}");
        }
    }

    #[test]
    fn states_round_trip_and_settle_rules() {
        for s in OfferState::ALL {
            assert_eq!(OfferState::parse(s.as_str()), Some(s));
        }
        assert!(OfferState::Charging.can_settle());
        assert!(!OfferState::Paid.can_settle());
        assert!(!OfferState::Declined.can_settle());
        assert_eq!(
            decline_reason("INSUFFICIENT_FUNDS"),
            "Your card was declined for insufficient funds."
        );
        assert!(decline_reason("SOMETHING_NEW").contains("nothing was charged"));
    }
}

/// Offer tokens are `otk_` and 32 hex digits; anything else is rejected before a lookup.
pub fn is_offer_token(s: &str) -> bool {
    s.strip_prefix("otk_")
        .is_some_and(|h| h.len() == 32 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A saved payment method, as far as eligibility for a one-click charge goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedMethod {
    pub id: String,
    pub family: String,
    pub recurring_enabled: bool,
    /// (year, month) the card expires at the end of, when it is a card.
    pub expires: Option<(i32, u32)>,
}

/// The first method that may be charged off-session for `currency` in the month `today`:
/// recurring-enabled, not expired, and of a family that can pay in that currency (UPI is
/// rupees only). Returns `None` when the customer must go through a standard checkout.
pub fn eligible_method<'a>(
    methods: &'a [SavedMethod],
    currency: &str,
    today: (i32, u32),
) -> Option<&'a SavedMethod> {
    methods.iter().find(|m| {
        m.recurring_enabled
            && m.expires.is_none_or(|exp| exp >= today)
            && (m.family != "upi" || currency == "INR")
    })
}

#[cfg(test)]
mod eligibility_tests {
    use super::*;

    fn card(id: &str, recurring: bool, y: i32, m: u32) -> SavedMethod {
        SavedMethod {
            id: id.into(),
            family: "card".into(),
            recurring_enabled: recurring,
            expires: Some((y, m)),
        }
    }

    #[test]
    fn offer_tokens_have_one_shape() {
        assert!(is_offer_token("otk_0123456789abcdef0123456789abcdef"));
        for bad in [
            "",
            "otk_",
            "otk_xyz",
            "ofr_0123456789abcdef0123456789abcdef",
            "otk_0123456789abcdef0123456789abcdef0",
        ] {
            assert!(!is_offer_token(bad), "{bad}");
        }
    }

    #[test]
    fn picks_the_first_usable_method() {
        let today = (2026, 11);
        let methods = vec![
            card("expired", true, 2026, 10),
            card("no_mandate", false, 2030, 1),
            card("good", true, 2026, 11),
        ];
        assert_eq!(
            eligible_method(&methods, "USD", today).map(|m| m.id.as_str()),
            Some("good")
        );
        assert!(eligible_method(&methods[..2], "USD", today).is_none());
        let upi = SavedMethod {
            id: "upi".into(),
            family: "upi".into(),
            recurring_enabled: true,
            expires: None,
        };
        assert!(eligible_method(std::slice::from_ref(&upi), "USD", today).is_none());
        assert!(eligible_method(std::slice::from_ref(&upi), "INR", today).is_some());
        assert!(eligible_method(&[], "USD", today).is_none());
    }
}

/// A merchant API token as Settings lists it (never the token itself).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub created_by: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}
