//! Demo data for the embedded default: three accounts (one per role), created once, whose
//! logins are printed at start-up, and a small upsell map over the sandbox catalogue.
use super::db::Db;
use super::dodo::Dodo;
use super::{rules, users};
use crate::domain::error::AppError;
use crate::domain::offer_action::CancelReason;
use crate::domain::role::{CurrentUser, Role};
use crate::domain::rule::target::{CustomerFilter, Schedule, ValueRange};
use crate::domain::rule::{
    Discount, PlanTerms, RuleDraft, RuleKind, Targeting, Timing, ANY_PRODUCT,
};
use sqlx::Row;

/// Well-known demo logins. They only exist where demo data is switched on.
pub const DEMO_ACCOUNTS: [(&str, &str, Role); 3] = [
    ("merchant@demo.test", "demo-merchant-pass", Role::Merchant),
    ("analyst@demo.test", "demo-analyst-pass", Role::Analyst),
    ("support@demo.test", "demo-support-pass", Role::Support),
];

pub(super) async fn flag(db: &Db, key: &str) -> Result<bool, AppError> {
    Ok(sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_optional(db)
        .await?
        .is_some())
}

pub(super) async fn set_flag(db: &Db, key: &str) -> Result<(), AppError> {
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, '1')")
        .bind(key)
        .execute(db)
        .await?;
    Ok(())
}

/// Creates the demo accounts the first time; returns them for printing.
pub async fn demo_accounts(db: &Db) -> Result<(), AppError> {
    if !flag(db, "demo_accounts").await? {
        for (email, password, role) in DEMO_ACCOUNTS {
            let exists = sqlx::query("SELECT id FROM users WHERE email = $1")
                .bind(email)
                .fetch_optional(db)
                .await?
                .map(|r| r.try_get::<String, _>("id"))
                .is_some();
            if !exists {
                users::insert(db, email, password, role).await?;
            }
        }
        set_flag(db, "demo_accounts").await?;
    }
    Ok(())
}

pub async fn user_count(db: &Db) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db)
        .await?)
}

/// The first merchant of a real deployment: created only while the database has no user, so
/// the variables can stay set without resetting a password that was changed since.
pub async fn first_merchant(db: &Db, email: &str, password: &str) -> Result<bool, AppError> {
    if user_count(db).await? > 0 {
        return Ok(false);
    }
    let errors = users::validate_new_user(email, password);
    if let Some(e) = errors.first() {
        return Err(AppError::new(
            crate::domain::error::ErrorCode::BadRequest,
            format!(
                "FIRST_MERCHANT_EMAIL / FIRST_MERCHANT_PASSWORD: {}",
                e.message
            ),
        ));
    }
    users::insert(db, email, password, Role::Merchant).await?;
    Ok(true)
}

/// (name, kind, trigger, offer, headline, value proposition, badge, timing). A downsell
/// follows the rule listed just before it.
type DemoRule = (
    &'static str,
    RuleKind,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Timing,
);

const DEMO_RULES: [DemoRule; 8] = [
    ("Template pack → copy course", RuleKind::Upsell, "pdt_LpTemplatePack01", "pdt_CopyCourse02",
     "Write the words that make those pages sell",
     "Six short video lessons on headlines, offers and calls to action, made for the templates you just bought.",
     "Most popular", Timing::PostPurchase),
    ("Course declined → email bundle", RuleKind::Downsell, "", "pdt_EmailBundle03",
     "Not now? Take the email templates instead",
     "Forty launch and follow-up emails that match your new pages.", "", Timing::PostPurchase),
    ("Basic → Pro near limit", RuleKind::Upsell, "pdt_BasicMonthly05", "pdt_ProMonthly06",
     "You are close to your Basic limits", "Pro lifts every limit and adds priority support.",
     "Best value", Timing::NearPlanLimit),
    ("Basic plan → template pack", RuleKind::CrossSell, "pdt_BasicMonthly05", "pdt_LpTemplatePack01",
     "Launch faster with ready-made pages", "Twelve landing pages tested on thousands of visitors.",
     "", Timing::OnboardingComplete),
    ("Starter kit → growth playbook (EU)", RuleKind::Upsell, "pdt_StarterKitEu09", "pdt_GrowthPlaybook10",
     "Keep the momentum going", "The complete playbook with worksheets for your first 1,000 customers.",
     "", Timing::PostPurchase),
    // A plan after a one-time purchase: a new subscription (a plan change for a subscriber).
    ("Email bundle → Basic plan", RuleKind::CrossSell, "pdt_EmailBundle03", "pdt_BasicMonthly05",
     "Send those emails from one place", "Basic schedules and tracks every campaign. Cancel any time.",
     "", Timing::PostPurchase),
    // Save offers for Pro subscribers who ask to cancel: a cheaper plan for "too expensive",
    // a free month for any other reason.
    ("Pro cancel (too expensive) → Basic at renewal", RuleKind::Save, "pdt_ProMonthly06", "pdt_BasicMonthly05",
     "Stay for less", "Keep your projects on Basic from your next billing date. Nothing to pay today.",
     "Save 60%", Timing::PostPurchase),
    ("Pro cancel (any reason) → a free month", RuleKind::Save, "pdt_ProMonthly06", "",
     "Take a month on us", "Your next payment moves 30 days later. Everything stays as it is.",
     "", Timing::PostPurchase),
];

/// A small upsell map, saved through the same validation as the editor (once).
pub async fn demo_rules(db: &Db, dodo: &Dodo) -> Result<(), AppError> {
    let system = CurrentUser {
        id: "system".into(),
        email: "demo data".into(),
        role: Role::Merchant,
    };
    if flag(db, "demo_rules").await? {
        return demo_targeting(db, dodo, &system).await;
    }
    let mut previous: Option<String> = None;
    for (name, kind, trigger, offer, headline, value_prop, badge, timing) in DEMO_RULES {
        let save_terms = PlanTerms {
            cancel_reason: if offer.is_empty() {
                None
            } else {
                Some(CancelReason::TooExpensive)
            },
            free_days: if offer.is_empty() { 30 } else { 0 },
            ..PlanTerms::default()
        };
        let draft = RuleDraft {
            name: name.into(),
            kind,
            parent_rule_id: (kind == RuleKind::Downsell)
                .then(|| previous.clone())
                .flatten(),
            trigger_product_id: trigger.into(),
            offer_product_id: offer.into(),
            headline: headline.into(),
            value_prop: value_prop.into(),
            badge: badge.into(),
            timing,
            expiry_minutes: 60,
            terms: if kind == RuleKind::Save {
                save_terms
            } else {
                PlanTerms::default()
            },
            ..Default::default()
        };
        previous = Some(rules::save(db, dodo, &system, draft).await?.id);
    }
    set_flag(db, "demo_rules").await?;
    demo_targeting(db, dodo, &system).await
}

/// Rules with conditions (a yen order value, a country) and a scheduled catch-all for first
/// purchases, so the map's targeting shows from the first start. Added once, also to a demo
/// database made before targeting existed.
async fn demo_targeting(db: &Db, dodo: &Dodo, system: &CurrentUser) -> Result<(), AppError> {
    if flag(db, "demo_rules_v2").await? {
        return demo_chain(db, dodo, system).await;
    }
    let japan = RuleDraft {
        name: "Sticker fans in Japan → Studio plan".into(),
        kind: RuleKind::CrossSell,
        trigger_product_id: "pdt_StickerPackJp13".into(),
        offer_product_id: "pdt_StudioJp14".into(),
        headline: "Design your own stickers".into(),
        value_prop: "Studio gives you every template and print-ready exports.".into(),
        targeting: Targeting {
            order_values: vec![ValueRange {
                currency: "JPY".into(),
                min: Some(2_400),
                max: None,
            }],
            countries: vec!["JP".into()],
            ..Targeting::default()
        },
        ..Default::default()
    };
    // Starts a month after the demo was made: the map shows "starts in 30 days".
    let start = jiff::Timestamp::from_millisecond(super::ids::now_ms() + 30 * 86_400_000)
        .map(|t| {
            t.to_zoned(jiff::tz::TimeZone::UTC)
                .strftime("%Y-%m-%dT%H:%M")
                .to_string()
        })
        .unwrap_or_default();
    let catch_all = RuleDraft {
        name: "Any first purchase → icon set (next month)".into(),
        kind: RuleKind::CrossSell,
        trigger_product_id: ANY_PRODUCT.into(),
        offer_product_id: "pdt_IconSet04".into(),
        headline: "Welcome! Add two hundred icons".into(),
        value_prop: "Line icons in SVG that match everything in the shop.".into(),
        targeting: Targeting {
            customer: CustomerFilter::New,
            exclude_holders: vec!["pdt_IconSet04".into()],
            schedule: Schedule {
                zone: "UTC".into(),
                start_local: start,
                ..Schedule::default()
            },
            ..Targeting::default()
        },
        ..Default::default()
    };
    for draft in [japan, catch_all] {
        rules::save(db, dodo, system, draft).await?;
    }
    set_flag(db, "demo_rules_v2").await?;
    demo_chain(db, dodo, system).await
}

/// A next offer: once the copy course offered after the template pack is accepted and paid,
/// the icon set follows at 25 % off (the course's downsell answers a decline). Added once.
async fn demo_chain(db: &Db, dodo: &Dodo, system: &CurrentUser) -> Result<(), AppError> {
    if flag(db, "demo_rules_v3").await? {
        return Ok(());
    }
    let parent = rules::list(db)
        .await?
        .into_iter()
        .find(|r| r.name == DEMO_RULES[0].0);
    if let Some(parent) = parent {
        let draft = RuleDraft {
            name: "Course accepted → icon set".into(),
            kind: RuleKind::Next,
            parent_rule_id: Some(parent.id),
            offer_product_id: "pdt_IconSet04".into(),
            headline: "One more thing: icons to match".into(),
            value_prop: "Two hundred line icons in SVG, styled like your new pages.".into(),
            badge: "25% off".into(),
            expiry_minutes: 30,
            discount: Discount {
                percent: 25,
                cycles: 0,
            },
            ..Default::default()
        };
        rules::save(db, dodo, system, draft).await?;
    }
    set_flag(db, "demo_rules_v3").await
}
