//! The sandbox's demo business: one-time and recurring products in USD, EUR and JPY, and
//! customers with a variety of saved payment methods (usable, expired, not recurring-enabled).
use serde_json::{json, Value};

pub const BUSINESS_ID: &str = "bus_DemoShop7Qm2Rk4TfW9x";
const CREATED: &str = "2026-04-11T13:58:07.220431Z";

pub struct Product {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub price: i64,
    pub currency: &'static str,
    /// Billing interval for subscription products (`Month`, `Year`).
    pub interval: Option<&'static str>,
}

pub const PRODUCTS: &[Product] = &[
    Product {
        id: "pdt_LpTemplatePack01",
        name: "Landing Page Template Pack",
        description: "Twelve conversion-tested landing page templates.",
        price: 2900,
        currency: "USD",
        interval: None,
    },
    Product {
        id: "pdt_CopyCourse02",
        name: "Conversion Copywriting Course",
        description: "Six video lessons on writing offers that sell.",
        price: 4900,
        currency: "USD",
        interval: None,
    },
    Product {
        id: "pdt_EmailBundle03",
        name: "Email Template Bundle",
        description: "Forty email templates for launches and follow-ups.",
        price: 1900,
        currency: "USD",
        interval: None,
    },
    Product {
        id: "pdt_IconSet04",
        name: "Icon Set Mini",
        description: "Two hundred line icons in SVG.",
        price: 900,
        currency: "USD",
        interval: None,
    },
    Product {
        id: "pdt_BasicMonthly05",
        name: "Basic Monthly",
        description: "Basic plan, billed every month.",
        price: 3000,
        currency: "USD",
        interval: Some("Month"),
    },
    Product {
        id: "pdt_ProMonthly06",
        name: "Pro Monthly",
        description: "Pro plan, billed every month.",
        price: 8000,
        currency: "USD",
        interval: Some("Month"),
    },
    Product {
        id: "pdt_TeamMonthly07",
        name: "Team Monthly",
        description: "Team plan for up to ten seats, billed every month.",
        price: 15000,
        currency: "USD",
        interval: Some("Month"),
    },
    Product {
        id: "pdt_ProAnnual08",
        name: "Pro Annual",
        description: "Pro plan, billed once a year (two months free).",
        price: 80000,
        currency: "USD",
        interval: Some("Year"),
    },
    Product {
        id: "pdt_StarterKitEu09",
        name: "Starter Kit (EU)",
        description: "Templates and checklists to launch in a weekend.",
        price: 2500,
        currency: "EUR",
        interval: None,
    },
    Product {
        id: "pdt_GrowthPlaybook10",
        name: "Growth Playbook (EU)",
        description: "The complete growth playbook with worksheets.",
        price: 5900,
        currency: "EUR",
        interval: None,
    },
    Product {
        id: "pdt_BasisMonat11",
        name: "Basic Monthly (EU)",
        description: "Basic plan in euros, billed every month.",
        price: 2800,
        currency: "EUR",
        interval: Some("Month"),
    },
    Product {
        id: "pdt_ProMonat12",
        name: "Pro Monthly (EU)",
        description: "Pro plan in euros, billed every month.",
        price: 7500,
        currency: "EUR",
        interval: Some("Month"),
    },
    Product {
        id: "pdt_StickerPackJp13",
        name: "Sticker Pack (JP)",
        description: "A pack of forty stickers, priced in yen.",
        price: 1200,
        currency: "JPY",
        interval: None,
    },
    Product {
        id: "pdt_StudioJp14",
        name: "Studio Plan (JP)",
        description: "Studio plan in yen, billed every month.",
        price: 4800,
        currency: "JPY",
        interval: Some("Month"),
    },
];

pub struct Customer {
    pub id: &'static str,
    pub name: &'static str,
    pub email: &'static str,
}

pub const CUSTOMERS: &[Customer] = &[
    Customer {
        id: "cus_PriyaRaman0001",
        name: "Priya Raman",
        email: "priya.raman@example.com",
    },
    Customer {
        id: "cus_JonasWeber0002",
        name: "Jonas Weber",
        email: "jonas.weber@example.com",
    },
    Customer {
        id: "cus_AikoTanaka0003",
        name: "Aiko Tanaka",
        email: "aiko.tanaka@example.com",
    },
    Customer {
        id: "cus_MarcoRossi0004",
        name: "Marco Rossi",
        email: "marco.rossi@example.com",
    },
    Customer {
        id: "cus_LeaMartin0005",
        name: "Léa Martin",
        email: "lea.martin@example.com",
    },
    Customer {
        id: "cus_SamOkafor0006",
        name: "Sam Okafor",
        email: "sam.okafor@example.com",
    },
];

/// (customer, method id, network, last4, expiry month, expiry year, recurring enabled)
type Card = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
);

pub const CARDS: &[Card] = &[
    (
        "cus_PriyaRaman0001",
        "pm_PriyaVisa4242",
        "VISA",
        "4242",
        "09",
        "2029",
        true,
    ),
    (
        "cus_JonasWeber0002",
        "pm_JonasMc5454",
        "MASTERCARD",
        "5454",
        "03",
        "2028",
        true,
    ),
    (
        "cus_AikoTanaka0003",
        "pm_AikoJcb3566",
        "JCB",
        "3566",
        "12",
        "2030",
        true,
    ),
    // Expired card: never eligible for a one-click charge.
    (
        "cus_MarcoRossi0004",
        "pm_MarcoVisa1881",
        "VISA",
        "1881",
        "01",
        "2024",
        true,
    ),
    // Saved without a mandate: cannot be charged off-session.
    (
        "cus_LeaMartin0005",
        "pm_LeaAmex0005",
        "AMEX",
        "0005",
        "11",
        "2029",
        false,
    ),
    // Sam has no saved method at all.
];

pub fn product(id: &str) -> Option<&'static Product> {
    PRODUCTS.iter().find(|p| p.id == id)
}

fn price_object(p: &Product) -> Value {
    match p.interval {
        Some(interval) => json!({
            "type": "recurring_price", "currency": p.currency, "price": p.price, "discount": 0,
            "purchasing_power_parity": false, "tax_inclusive": false,
            "payment_frequency_count": 1, "payment_frequency_interval": interval,
            "subscription_period_count": 10, "subscription_period_interval": "Year",
            "trial_period_days": 0, "trial_amount": null, "trial_apply_discounts": null
        }),
        None => json!({
            "type": "one_time_price", "currency": p.currency, "price": p.price, "discount": 0,
            "purchasing_power_parity": false, "pay_what_you_want": false,
            "suggested_price": null, "tax_inclusive": false
        }),
    }
}

fn tax_category(p: &Product) -> &'static str {
    if p.interval.is_some() {
        "saas"
    } else {
        "digital_products"
    }
}

/// `GET /products/{id}`: `price` is the price object; no top-level currency.
pub fn product_json(p: &Product) -> Value {
    json!({
        "product_id": p.id, "business_id": BUSINESS_ID, "brand_id": BUSINESS_ID,
        "name": p.name, "description": p.description, "image": null,
        "is_recurring": p.interval.is_some(), "price": price_object(p),
        "tax_category": tax_category(p), "metadata": {}, "addons": null,
        "credit_entitlements": [], "entitlements": [], "digital_product_delivery": null,
        "license_key_enabled": false, "license_key_activation_message": null,
        "license_key_activations_limit": null, "license_key_duration": null,
        "pricing_mode": null, "product_collection_id": null,
        "created_at": CREATED, "updated_at": CREATED
    })
}

/// `GET /products` item: the flatter list shape (`price` integer, top-level `currency`).
pub fn product_list_item_json(p: &Product) -> Value {
    json!({
        "product_id": p.id, "business_id": BUSINESS_ID, "name": p.name,
        "description": p.description, "image": null, "is_recurring": p.interval.is_some(),
        "price": p.price, "currency": p.currency, "tax_inclusive": false,
        "price_detail": price_object(p), "tax_category": tax_category(p), "metadata": {},
        "entitlements": [], "pricing_mode": null,
        "created_at": CREATED, "updated_at": CREATED
    })
}

pub fn customer_json(c: &Customer) -> Value {
    json!({
        "customer_id": c.id, "business_id": BUSINESS_ID, "email": c.email, "name": c.name,
        "phone_number": null, "metadata": {}, "created_at": CREATED
    })
}

pub fn payment_methods_json(customer_id: &str) -> Value {
    let items: Vec<Value> = CARDS
        .iter()
        .filter(|c| c.0 == customer_id)
        .map(|&(_, id, network, last4, month, year, recurring)| {
            json!({
                "payment_method_id": id, "payment_method": "card", "payment_method_type": "credit",
                "recurring_enabled": recurring, "last_used_at": CREATED,
                "card": {
                    "last4_digits": last4, "card_network": network, "card_type": "CREDIT",
                    "expiry_month": month, "expiry_year": year,
                    "card_holder_name": null, "card_issuing_country": "US"
                }
            })
        })
        .collect();
    json!({ "items": items })
}
