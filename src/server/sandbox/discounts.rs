//! Discounts (CONTRACT §16.6): percentage codes in basis points, restricted to products, with
//! an expiry, a usage limit and, on a subscription, the billing cycles they last. A checkout
//! names codes in `discount_codes`; a payment's `total_amount` is after the discount and its
//! `discounts` list what applied. A code is used when a payment with it succeeds.
use super::payments::{id, invalid, parse_body};
use super::{error, iso, not_found, ApiError, Reply, Sandbox};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

pub struct Code {
    id: String,
    code: String,
    basis_points: i64,
    restricted_to: Vec<String>,
    expires_at: Option<i64>,
    usage_limit: Option<i64>,
    times_used: i64,
    subscription_cycles: Option<i64>,
    name: Option<String>,
    created_at: String,
}

/// A code a payment applies: what it takes off, and for a subscription how many cycles
/// (the first charge included) it lasts.
#[derive(Clone, Debug)]
pub struct Applied {
    pub id: String,
    pub basis_points: i64,
    pub restricted_to: Vec<String>,
    pub cycles: Option<i64>,
}

impl Applied {
    /// `amount` of `product` after this code (rounded down in the currency's smallest unit).
    pub fn apply(&self, product: &str, amount: i64) -> i64 {
        if !self.restricted_to.is_empty() && !self.restricted_to.iter().any(|p| p == product) {
            return amount;
        }
        amount - (amount as i128 * self.basis_points as i128 / 10_000) as i64
    }
}

fn code_json(c: &Code) -> Value {
    json!({
        "discount_id": c.id, "code": c.code, "amount": c.basis_points, "type": "percentage",
        "business_id": super::catalogue::BUSINESS_ID, "created_at": c.created_at,
        "customer_eligibility": "all", "metadata": {}, "preserve_on_plan_change": false,
        "restricted_to": c.restricted_to, "times_used": c.times_used,
        "expires_at": c.expires_at.map(iso), "name": c.name, "usage_limit": c.usage_limit,
        "subscription_cycles": c.subscription_cycles, "per_customer_usage_limit": null,
        "starts_at": null, "currency_options": null,
    })
}

#[derive(Deserialize)]
pub struct CreateDiscount {
    r#type: String,
    amount: i64,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    expires_at: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    restricted_to: Option<Vec<String>>,
    #[serde(default)]
    subscription_cycles: Option<i64>,
    #[serde(default)]
    usage_limit: Option<i64>,
}

/// `POST /discounts`.
pub async fn create(State(sb): State<Sandbox>, body: axum::body::Bytes) -> Reply {
    let req: CreateDiscount = parse_body(&body)?;
    if req.r#type != "percentage" {
        return Err(invalid("Only percentage discounts are supported"));
    }
    if !(1..=10_000).contains(&req.amount) {
        return Err(invalid("amount is in basis points: 1 to 10000"));
    }
    let code = match req.code {
        Some(c) if c.trim().chars().count() >= 3 => c.trim().to_uppercase(),
        Some(_) => return Err(invalid("code must be at least 3 characters")),
        None => id("")
            .trim_start_matches('_')
            .to_uppercase()
            .chars()
            .take(16)
            .collect(),
    };
    let expires_at = match req.expires_at.as_deref() {
        None => None,
        Some(s) => Some(
            chrono::DateTime::parse_from_rfc3339(s)
                .map_err(|_| invalid("expires_at must be an RFC 3339 timestamp"))?
                .timestamp_millis(),
        ),
    };
    for p in req.restricted_to.iter().flatten() {
        if super::catalogue::product(p).is_none() {
            return Err(not_found("Product"));
        }
    }
    if req.usage_limit.is_some_and(|n| n < 1) || req.subscription_cycles.is_some_and(|n| n < 1) {
        return Err(invalid(
            "usage_limit and subscription_cycles must be at least 1",
        ));
    }
    let mut l = sb.ledger.lock().unwrap_or_else(|e| e.into_inner());
    if l.discounts.values().any(|c| c.code == code) {
        return Err(error(
            StatusCode::CONFLICT,
            "DUPLICATE_DISCOUNT_CODE",
            "A discount with this code already exists",
        ));
    }
    let c = Code {
        id: id("dsc"),
        code,
        basis_points: req.amount,
        restricted_to: req.restricted_to.unwrap_or_default(),
        expires_at,
        usage_limit: req.usage_limit,
        times_used: 0,
        subscription_cycles: req.subscription_cycles,
        name: req.name,
        created_at: sb.now_iso(),
    };
    let out = code_json(&c);
    l.discounts.insert(c.id.clone(), c);
    Ok(Json(out))
}

/// `GET /discounts/{discount_id}`.
pub async fn get(State(sb): State<Sandbox>, Path(did): Path<String>) -> Reply {
    let l = sb.ledger.lock().unwrap_or_else(|e| e.into_inner());
    let c = l.discounts.get(&did).ok_or_else(|| not_found("Discount"))?;
    Ok(Json(code_json(c)))
}

/// `GET /discounts/code/{code}`: validates a code (404 when unknown).
pub async fn by_code(State(sb): State<Sandbox>, Path(code): Path<String>) -> Reply {
    let l = sb.ledger.lock().unwrap_or_else(|e| e.into_inner());
    let code = code.to_uppercase();
    let c = l
        .discounts
        .values()
        .find(|c| c.code == code)
        .ok_or_else(|| not_found("Discount"))?;
    Ok(Json(code_json(c)))
}

fn refuse(code: &'static str, message: &'static str) -> ApiError {
    error(StatusCode::UNPROCESSABLE_ENTITY, code, message)
}

impl Sandbox {
    /// The codes a checkout names, checked against its cart: unknown, expired, used up, or
    /// for none of its products, the checkout is refused as Dodo refuses it.
    pub(super) fn discounts_for(
        &self,
        codes: &[String],
        cart: &[(String, i64)],
    ) -> Result<Vec<Applied>, ApiError> {
        let now = self.now_ms();
        let l = self.ledger.lock().unwrap_or_else(|e| e.into_inner());
        codes
            .iter()
            .map(|raw| {
                let code = raw.trim().to_uppercase();
                let c = l
                    .discounts
                    .values()
                    .find(|c| c.code == code)
                    .ok_or_else(|| {
                        refuse("INVALID_DISCOUNT_CODE", "This discount code does not exist")
                    })?;
                if c.expires_at.is_some_and(|t| t <= now) {
                    return Err(refuse(
                        "DISCOUNT_CODE_EXPIRED",
                        "This discount code has expired",
                    ));
                }
                if c.usage_limit.is_some_and(|n| c.times_used >= n) {
                    return Err(refuse(
                        "INVALID_DISCOUNT_CODE",
                        "This discount code has reached its usage limit",
                    ));
                }
                let fits = c.restricted_to.is_empty()
                    || cart.iter().any(|(p, _)| c.restricted_to.contains(p));
                if !fits {
                    return Err(refuse(
                        "DISCOUNT_NOT_AVAILABLE_FOR_PRODUCT",
                        "This discount code does not apply to these products",
                    ));
                }
                Ok(Applied {
                    id: c.id.clone(),
                    basis_points: c.basis_points,
                    restricted_to: c.restricted_to.clone(),
                    cycles: c.subscription_cycles,
                })
            })
            .collect()
    }

    /// A payment with these codes succeeded: each is used once more.
    pub(super) fn use_discounts(&self, applied: &[Applied]) {
        let mut l = self.ledger.lock().unwrap_or_else(|e| e.into_inner());
        for a in applied {
            if let Some(c) = l.discounts.get_mut(&a.id) {
                c.times_used += 1;
            }
        }
    }
}

/// A checkout's codes: `discount_codes`, or the deprecated single `discount_code`; both at
/// once is refused (§8.1).
pub(super) fn requested(
    codes: Option<Vec<String>>,
    code: Option<String>,
) -> Result<Vec<String>, ApiError> {
    match (codes, code) {
        (Some(_), Some(_)) => Err(invalid("Use discount_codes or discount_code, not both")),
        (Some(cs), None) if cs.len() > 20 => Err(invalid("At most 20 discount codes")),
        (Some(cs), None) => Ok(cs),
        (None, Some(c)) => Ok(vec![c]),
        (None, None) => Ok(Vec::new()),
    }
}
