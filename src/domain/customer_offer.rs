//! A customer's offers as the support console shows them: upsells and save offers, what each
//! offered and charged, and what it caused (a payment, a plan change, a kept subscription).
use super::offer::OfferState;
use super::offer_action::{CancelReason, OfferAction};
use super::subscription::ChangeState;
use serde::{Deserialize, Serialize};

/// The most offers shown per customer (newest first).
pub const OFFERS_SHOWN: usize = 50;

/// Where a subscriber's request to cancel stands: `offered` (a save offer is open), `saved`
/// (accepted), `cancelling` (being set to end), `cancelled` (set to end at the period's end).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SaveState {
    Offered,
    Saved,
    Cancelling,
    Cancelled,
}

impl SaveState {
    pub const ALL: [SaveState; 4] = [
        SaveState::Offered,
        SaveState::Saved,
        SaveState::Cancelling,
        SaveState::Cancelled,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            SaveState::Offered => "offered",
            SaveState::Saved => "saved",
            SaveState::Cancelling => "cancelling",
            SaveState::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The plan change an accepted plan-change offer made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferChange {
    pub id: String,
    pub from_product_name: String,
    pub from_quantity: i64,
    pub to_product_name: String,
    pub to_quantity: i64,
    pub state: ChangeState,
}

/// The cancel request a save offer answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveRequest {
    /// `None` for a reason this version does not know.
    pub reason: Option<CancelReason>,
    pub state: Option<SaveState>,
}

/// One offer made to a customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerOfferView {
    pub id: String,
    pub customer_id: String,
    pub created_at: i64,
    pub rule_id: String,
    /// `None` when the rule has since been deleted.
    pub rule_name: Option<String>,
    pub product_id: String,
    pub product_name: String,
    pub quantity: i64,
    pub action: OfferAction,
    /// Charged on accept (minor units; 0 for a save offer that charges nothing today).
    pub amount: i64,
    pub currency: String,
    /// Each period after a plan change or a new subscription.
    pub recurring_amount: Option<i64>,
    pub billing_interval: Option<String>,
    /// Free time given by a save offer.
    pub free_days: Option<i64>,
    pub state: OfferState,
    /// The charge's payment (the offer's own, else the plan change's).
    pub payment_id: Option<String>,
    pub failure_message: Option<String>,
    pub subscription_id: Option<String>,
    pub plan_change: Option<OfferChange>,
    /// Set for save offers (made to a subscriber who asked to cancel).
    pub save: Option<SaveRequest>,
}

impl CustomerOfferView {
    /// `$30.00 / month` when the offer has a recurring price.
    pub fn recurring_label(&self) -> Option<String> {
        let amount = self.recurring_amount?;
        let money = super::money::format_money(amount, &self.currency);
        Some(match &self.billing_interval {
            Some(i) if !i.trim().is_empty() => format!("{money} / {}", i.trim().to_lowercase()),
            _ => money,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_states_round_trip() {
        for s in SaveState::ALL {
            assert_eq!(SaveState::parse(s.as_str()), Some(s));
        }
        assert_eq!(SaveState::parse("kept"), None);
    }

    #[test]
    fn recurring_label_names_the_period() {
        let mut v = CustomerOfferView {
            id: "ofr_1".into(),
            customer_id: "cus_1".into(),
            created_at: 0,
            rule_id: "rul_1".into(),
            rule_name: None,
            product_id: "pdt_1".into(),
            product_name: "Basic".into(),
            quantity: 1,
            action: OfferAction::PlanChange,
            amount: 0,
            currency: "USD".into(),
            recurring_amount: Some(3000),
            billing_interval: Some("Month".into()),
            free_days: None,
            state: OfferState::Paid,
            payment_id: None,
            failure_message: None,
            subscription_id: None,
            plan_change: None,
            save: None,
        };
        assert_eq!(v.recurring_label().as_deref(), Some("$30.00 / month"));
        v.billing_interval = None;
        assert_eq!(v.recurring_label().as_deref(), Some("$30.00"));
        v.recurring_amount = None;
        assert_eq!(v.recurring_label(), None);
    }
}
