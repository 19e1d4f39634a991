//! The support console's view of subscriptions and plan changes, shared by server and browser.
use super::proration::ProrationMode;
use serde::{Deserialize, Serialize};

/// A plan change's life. Entered only by compare-and-set moves, so one record can call Dodo once:
/// `previewed → executing → applied | failed`, `previewed → awaiting_approval → approved →
/// executing`, `previewed → scheduled → cancelled | applied` (next billing date),
/// `awaiting_approval | approved → cancelled` (withdrawn or rejected).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeState {
    Previewed,
    AwaitingApproval,
    Approved,
    Executing,
    Scheduled,
    Applied,
    Failed,
    Cancelled,
}

impl ChangeState {
    pub const ALL: [ChangeState; 8] = [
        ChangeState::Previewed,
        ChangeState::AwaitingApproval,
        ChangeState::Approved,
        ChangeState::Executing,
        ChangeState::Scheduled,
        ChangeState::Applied,
        ChangeState::Failed,
        ChangeState::Cancelled,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeState::Previewed => "previewed",
            ChangeState::AwaitingApproval => "awaiting_approval",
            ChangeState::Approved => "approved",
            ChangeState::Executing => "executing",
            ChangeState::Scheduled => "scheduled",
            ChangeState::Applied => "applied",
            ChangeState::Failed => "failed",
            ChangeState::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    /// Dodo has been asked and the outcome is not final: another change must wait.
    pub fn in_flight(self) -> bool {
        matches!(self, ChangeState::Executing | ChangeState::Scheduled)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EffectiveAt {
    Immediately,
    NextBillingDate,
}

impl EffectiveAt {
    pub fn as_str(self) -> &'static str {
        match self {
            EffectiveAt::Immediately => "immediately",
            EffectiveAt::NextBillingDate => "next_billing_date",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [EffectiveAt::Immediately, EffectiveAt::NextBillingDate]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnPaymentFailure {
    PreventChange,
    ApplyChange,
}

impl OnPaymentFailure {
    pub fn as_str(self) -> &'static str {
        match self {
            OnPaymentFailure::PreventChange => "prevent_change",
            OnPaymentFailure::ApplyChange => "apply_change",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            OnPaymentFailure::PreventChange,
            OnPaymentFailure::ApplyChange,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// Why a change above the merchant's threshold is being made (required for approval).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    CustomerRequest,
    BillingCorrection,
    Retention,
    Goodwill,
    Other,
}

impl ReasonCode {
    pub const ALL: [ReasonCode; 5] = [
        ReasonCode::CustomerRequest,
        ReasonCode::BillingCorrection,
        ReasonCode::Retention,
        ReasonCode::Goodwill,
        ReasonCode::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::CustomerRequest => "customer_request",
            ReasonCode::BillingCorrection => "billing_correction",
            ReasonCode::Retention => "retention",
            ReasonCode::Goodwill => "goodwill",
            ReasonCode::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A saved payment method as support sees it: enough to tell the customer which card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodView {
    pub id: String,
    /// `VISA •••• 4242`, or the method family when it is not a card.
    pub label: String,
    /// `09/2029` when known.
    pub expiry: Option<String>,
    pub expired: bool,
    /// False when the method may not be charged off-session (no mandate).
    pub recurring: bool,
    /// The method this subscription renews with.
    pub used_for_renewals: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledView {
    pub product_id: String,
    pub product_name: String,
    pub quantity: i64,
    pub effective_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionView {
    pub id: String,
    pub status: String,
    pub product_id: String,
    pub product_name: String,
    pub quantity: i64,
    /// Charged every period, before tax (unit price × quantity).
    pub recurring_amount: i64,
    pub currency: String,
    pub interval: String,
    pub previous_billing_date: i64,
    pub next_billing_date: i64,
    pub cancel_at_next_billing_date: bool,
    pub payment_method_id: Option<String>,
    pub scheduled: Option<ScheduledView>,
}

impl SubscriptionView {
    /// Cancelled, expired or never started (`failed`): it bills no more, so it has no next
    /// billing date to show.
    pub fn has_ended(&self) -> bool {
        matches!(self.status.as_str(), "cancelled" | "expired" | "failed")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerView {
    pub id: String,
    pub name: String,
    pub email: String,
    pub methods: Vec<MethodView>,
    pub subscriptions: Vec<SubscriptionView>,
    /// Upsell and save offers made to them, newest first.
    pub offers: Vec<super::customer_offer::CustomerOfferView>,
}

/// One preview line item (the new plan, its share of the period).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LineItem {
    pub name: String,
    pub unit_price: i64,
    pub quantity: i64,
    pub proration_factor: f64,
}

/// Dodo's preview of one proration mode.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModeQuote {
    pub mode: ProrationMode,
    /// Charged now.
    pub total_amount: i64,
    /// Signed: < 0 credit used, > 0 credit added for the customer.
    pub customer_credits: i64,
    pub currency: String,
    pub effective_at: i64,
    pub line_items: Vec<LineItem>,
    /// The new plan's next billing date (moves when the cycle restarts).
    pub next_billing_date: i64,
    /// Charged or credited beyond the merchant's threshold: needs a reason and approval.
    pub needs_approval: bool,
}

impl LineItem {
    /// What the line bills: its price for its share of the period, rounded to the cent (half
    /// away from zero).
    pub fn amount(&self) -> i64 {
        (self.unit_price as f64 * self.quantity as f64 * self.proration_factor).round() as i64
    }
}

impl ModeQuote {
    /// Credit the customer receives (for downgrades), zero otherwise.
    pub fn credit(&self) -> i64 {
        self.customer_credits.max(0)
    }

    /// The credit used against the charge when the lines leave it out: Dodo's own preview
    /// lists only the new plan and puts the old plan's unused value in `customer_credits`
    /// (Pro $80.00 × 50% = $40.00, credit −$15.00, charge $25.00); shown as its own row so the
    /// figures add up on the card. `None` when none was used, or when the lines already carry
    /// it (Dodo does not document how lines, credits and the total tie together, so a preview
    /// listing the unused time as a negative line is possible): the row must bring the lines
    /// nearer the charge, not count the credit twice.
    pub fn credit_used_row(&self) -> Option<i64> {
        let used = self.customer_credits.min(0);
        let gap = self.lines_amount() - self.total_amount;
        (used < 0 && (gap + used).abs() < gap.abs()).then_some(used)
    }

    /// Whether the lines (and the credit row) add up to the charge. A downgrade charges
    /// nothing and its credit is shown on its own; otherwise a miss is Dodo's rounding, which
    /// it does not publish.
    pub fn lines_add_up(&self) -> bool {
        let lines = self.lines_amount() + self.credit_used_row().unwrap_or(0);
        self.line_items.is_empty()
            || lines == self.total_amount
            || (self.total_amount == 0 && self.customer_credits > 0)
    }

    fn lines_amount(&self) -> i64 {
        self.line_items.iter().map(LineItem::amount).sum()
    }
}

/// A saved preview: the three modes side by side for one target plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PreviewView {
    pub change_id: String,
    pub subscription_id: String,
    pub from_product_name: String,
    pub from_quantity: i64,
    pub from_amount: i64,
    /// The chosen plan, so the console's form keeps the choice next to its preview.
    pub to_product_id: String,
    pub to_product_name: String,
    pub to_quantity: i64,
    pub to_amount: i64,
    pub currency: String,
    pub effective: EffectiveAt,
    pub on_payment_failure: OnPaymentFailure,
    pub quotes: Vec<ModeQuote>,
    /// The merchant's threshold for this currency, when one is set.
    pub threshold: Option<i64>,
}

/// One plan change in the history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanChangeView {
    pub id: String,
    pub subscription_id: String,
    pub customer_id: String,
    pub state: ChangeState,
    pub from_product_name: String,
    pub from_quantity: i64,
    pub to_product_name: String,
    pub to_quantity: i64,
    pub mode: Option<ProrationMode>,
    pub effective: EffectiveAt,
    pub on_payment_failure: OnPaymentFailure,
    pub currency: String,
    pub previewed_amount: Option<i64>,
    pub previewed_credit: Option<i64>,
    /// From the payment webhook (or read back); `None` until known.
    pub charged_amount: Option<i64>,
    pub payment_id: Option<String>,
    pub reason_code: Option<ReasonCode>,
    pub reason_note: Option<String>,
    pub requested_by: String,
    pub approved_by: Option<String>,
    pub executed_by: Option<String>,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    pub on_hold: bool,
    pub created_at: i64,
    pub executed_at: Option<i64>,
    pub settled_at: Option<i64>,
}

impl PlanChangeView {
    /// The amount charged differs from the one support was shown before executing.
    pub fn mismatch(&self) -> bool {
        matches!((self.previewed_amount, self.charged_amount), (Some(p), Some(c)) if p != c)
    }
}

/// Whether a change of this size needs a reason code and a merchant's approval.
/// `customer_credits` is signed as in [`ModeQuote`]: only credit added (> 0) counts.
pub fn needs_approval(total_amount: i64, customer_credits: i64, threshold: Option<i64>) -> bool {
    threshold.is_some_and(|t| total_amount.max(customer_credits) > t)
}

/// The size a change is judged by for approval, as (charged, credited). A change at the next
/// billing date charges nothing now, so its preview says 0 whatever its size: it is judged by
/// how much each period's price goes up (or down, as if credited), which is what it bills.
pub fn approval_size(
    effective: EffectiveAt,
    (total_amount, customer_credits): (i64, i64),
    (from_recurring, to_recurring): (i64, i64),
) -> (i64, i64) {
    match effective {
        EffectiveAt::Immediately => (total_amount, customer_credits),
        EffectiveAt::NextBillingDate => (
            (to_recurring - from_recurring).max(0),
            (from_recurring - to_recurring).max(0),
        ),
    }
}

/// Subscription ids, customer ids and emails are told apart by shape, so one search box serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    Subscription(String),
    Customer(String),
    Email(String),
}

/// Reads the search box; `None` when it cannot be any of the three.
pub fn parse_lookup(q: &str) -> Option<Lookup> {
    let q = q.trim();
    let id_like = |s: &str| {
        (5..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    if q.starts_with("sub_") && id_like(q) {
        Some(Lookup::Subscription(q.to_string()))
    } else if q.starts_with("cus_") && id_like(q) {
        Some(Lookup::Customer(q.to_string()))
    } else if q.len() <= 254
        && !q.contains(char::is_whitespace)
        && q.find('@')
            .is_some_and(|i| i > 0 && q[i + 1..].contains('.') && !q.ends_with('.'))
    {
        Some(Lookup::Email(q.to_lowercase()))
    } else {
        None
    }
}

/// "100", "99.5" or "1,250.00" in a currency's major unit → minor units; `None` if unreadable.
pub fn parse_major(s: &str, currency: &str) -> Option<i64> {
    let digits = super::money::minor_digits(currency) as usize;
    let s = s.trim().replace(',', "");
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    if whole.is_empty()
        || frac.len() > digits
        || !whole
            .bytes()
            .chain(frac.bytes())
            .all(|b| b.is_ascii_digit())
        || whole.len() > 12
    {
        return None;
    }
    let scale = 10i64.pow(digits as u32);
    let frac = format!("{frac:0<digits$}");
    Some(whole.parse::<i64>().ok()? * scale + frac.parse::<i64>().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_major_units() {
        assert_eq!(parse_major("100", "USD"), Some(10000));
        assert_eq!(parse_major("99.5", "USD"), Some(9950));
        assert_eq!(parse_major("1,250.00", "EUR"), Some(125000));
        assert_eq!(parse_major("3000", "JPY"), Some(3000));
        for bad in ["", "1.234", "-5", "abc", ".5", "1e3"] {
            assert_eq!(parse_major(bad, "USD"), None, "{bad}");
        }
        assert_eq!(parse_major("1.5", "JPY"), None);
    }

    use super::*;

    fn line(unit_price: i64, proration_factor: f64) -> LineItem {
        LineItem {
            name: "Plan".into(),
            unit_price,
            quantity: 1,
            proration_factor,
        }
    }

    fn mode_quote(total_amount: i64, customer_credits: i64, lines: Vec<LineItem>) -> ModeQuote {
        ModeQuote {
            mode: ProrationMode::ProratedImmediately,
            total_amount,
            customer_credits,
            currency: "USD".into(),
            effective_at: 0,
            line_items: lines,
            next_billing_date: 0,
            needs_approval: false,
        }
    }

    #[test]
    fn preview_lines_explain_the_charge() {
        // Dodo's fixture: Pro $80.00 for half the period, the unused Basic as credit used.
        let q = mode_quote(2500, -1500, vec![line(8000, 0.5)]);
        assert_eq!(q.line_items[0].amount(), 4000);
        assert_eq!(q.credit_used_row(), Some(-1500));
        assert!(q.lines_add_up());
        // The unused time as its own line: no credit row, the lines are the charge.
        let q = mode_quote(2500, -1500, vec![line(8000, 0.5), line(-3000, 0.5)]);
        assert_eq!(q.credit_used_row(), None);
        assert!(q.lines_add_up());
        // No credit used, lines equal to the charge.
        assert!(mode_quote(8000, 0, vec![line(8000, 1.0)]).lines_add_up());
        // A downgrade: nothing charged, the credit is shown on its own.
        assert!(mode_quote(0, 5000, vec![line(3000, 1.0)]).lines_add_up());
        // A cent of rounding the lines cannot show: said so on the card.
        let q = mode_quote(3499, 0, vec![line(15000, 0.49993), line(-8000, 0.49993)]);
        assert_eq!(
            (q.line_items[0].amount(), q.line_items[1].amount()),
            (7499, -3999)
        );
        assert!(!q.lines_add_up());
        assert_eq!(line(-3000, 0.5).amount(), -1500);
    }

    #[test]
    fn only_ended_subscriptions_have_no_next_bill() {
        let sub = |status: &str| SubscriptionView {
            id: "sub_1".into(),
            status: status.into(),
            product_id: "pdt_1".into(),
            product_name: "Basic".into(),
            quantity: 1,
            recurring_amount: 3000,
            currency: "USD".into(),
            interval: "Month".into(),
            previous_billing_date: 0,
            next_billing_date: 0,
            cancel_at_next_billing_date: false,
            payment_method_id: None,
            scheduled: None,
        };
        for s in ["cancelled", "expired", "failed"] {
            assert!(sub(s).has_ended(), "{s}");
        }
        for s in ["active", "on_hold", "paused", "pending"] {
            assert!(!sub(s).has_ended(), "{s}");
        }
    }

    #[test]
    fn enums_round_trip() {
        for s in ChangeState::ALL {
            assert_eq!(ChangeState::parse(s.as_str()), Some(s));
        }
        for r in ReasonCode::ALL {
            assert_eq!(ReasonCode::parse(r.as_str()), Some(r));
        }
        assert_eq!(
            EffectiveAt::parse("next_billing_date"),
            Some(EffectiveAt::NextBillingDate)
        );
        assert_eq!(
            OnPaymentFailure::parse("apply_change"),
            Some(OnPaymentFailure::ApplyChange)
        );
        assert!(ChangeState::Executing.in_flight() && !ChangeState::Applied.in_flight());
    }

    #[test]
    fn guardrail_counts_charges_and_credits() {
        assert!(!needs_approval(5000, 0, None));
        assert!(!needs_approval(5000, 0, Some(5000)));
        assert!(needs_approval(5001, 0, Some(5000)));
        assert!(needs_approval(0, 9000, Some(5000)));
        // Credit used to offset a charge is not credit given.
        assert!(!needs_approval(4000, -9000, Some(5000)));
        // A change at the next billing date is judged by the price it moves to.
        let up = approval_size(EffectiveAt::NextBillingDate, (0, 0), (3000, 30000));
        assert_eq!(up, (27000, 0));
        assert!(needs_approval(up.0, up.1, Some(5000)));
        let down = approval_size(EffectiveAt::NextBillingDate, (0, 0), (30000, 3000));
        assert!(needs_approval(down.0, down.1, Some(5000)));
        assert_eq!(
            approval_size(EffectiveAt::Immediately, (5000, -100), (3000, 8000)),
            (5000, -100)
        );
    }

    #[test]
    fn lookup_tells_ids_and_emails_apart() {
        assert_eq!(
            parse_lookup(" sub_PriyaBasic0001 "),
            Some(Lookup::Subscription("sub_PriyaBasic0001".into()))
        );
        assert_eq!(
            parse_lookup("cus_PriyaRaman0001"),
            Some(Lookup::Customer("cus_PriyaRaman0001".into()))
        );
        assert_eq!(
            parse_lookup("Priya.Raman@Example.com"),
            Some(Lookup::Email("priya.raman@example.com".into()))
        );
        for bad in ["", "priya", "sub_", "sub_a b", "@x.com", "a@b", "cus_../x"] {
            assert_eq!(parse_lookup(bad), None, "{bad}");
        }
    }

    #[test]
    fn mismatch_needs_both_amounts() {
        let mut v = PlanChangeView {
            id: "pc".into(),
            subscription_id: "sub".into(),
            customer_id: "cus".into(),
            state: ChangeState::Applied,
            from_product_name: "Basic".into(),
            from_quantity: 1,
            to_product_name: "Pro".into(),
            to_quantity: 1,
            mode: Some(ProrationMode::DifferenceImmediately),
            effective: EffectiveAt::Immediately,
            on_payment_failure: OnPaymentFailure::PreventChange,
            currency: "USD".into(),
            previewed_amount: Some(5000),
            previewed_credit: Some(0),
            charged_amount: None,
            payment_id: None,
            reason_code: None,
            reason_note: None,
            requested_by: "support@demo.test".into(),
            approved_by: None,
            executed_by: None,
            failure_code: None,
            failure_message: None,
            on_hold: false,
            created_at: 0,
            executed_at: None,
            settled_at: None,
        };
        assert!(!v.mismatch());
        v.charged_amount = Some(5000);
        assert!(!v.mismatch());
        v.charged_amount = Some(5100);
        assert!(v.mismatch());
    }
}
