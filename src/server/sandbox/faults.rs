//! Switchable faults for charges and plan changes (`/_sandbox/faults`), and the per-offer
//! charge counter tests read (`/_sandbox/charges`). Not part of Dodo's API.
use super::payments::invalid;
use super::{error, ApiError, Reply, Sandbox};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;

/// What the next charge attempts should suffer. `remaining: None` means until switched off.
#[derive(Clone, Debug, Default, Deserialize, serde::Serialize)]
pub struct Fault {
    /// `none`, `decline`, `timeout`, `server_error`, `rate_limited`, `slow`, `drift`, or
    /// `mixed` (each attempt one of decline, timeout, server_error, slow, at random).
    pub mode: String,
    /// Decline code for `decline` (e.g. `INSUFFICIENT_FUNDS`).
    #[serde(default)]
    pub code: Option<String>,
    /// Delay for `slow` and `timeout`, in milliseconds.
    #[serde(default)]
    pub delay_ms: Option<u64>,
    #[serde(default)]
    pub remaining: Option<u32>,
    /// For `drift`: how much a plan change's charge differs from its preview (minor units).
    #[serde(default)]
    pub amount: Option<i64>,
    /// The share of attempts (0–1] that suffer, drawn at random per attempt; none: every one.
    /// Real outages hit some calls, not a counted run of them (the soak test uses 0.2).
    #[serde(default)]
    pub rate: Option<f64>,
}

const MIXED: [&str; 4] = ["decline", "timeout", "server_error", "slow"];

impl Fault {
    /// The fault one attempt suffers: `mixed` resolved to one of its kinds.
    fn concrete(mut self) -> Self {
        if self.mode == "mixed" {
            use rand::seq::SliceRandom;
            let pick = MIXED.choose(&mut rand::thread_rng()).copied();
            self.mode = pick.unwrap_or("server_error").to_string();
        }
        self
    }
}

impl Sandbox {
    /// Takes the current fault for one charge attempt, counting it down.
    pub(super) fn take_fault(&self) -> Fault {
        let mut l = self.ledger.lock().unwrap_or_else(|e| e.into_inner());
        let f = l.fault.clone();
        if f.rate.is_some_and(|r| rand::random::<f64>() >= r) {
            return Fault::default();
        }
        if let Some(n) = l.fault.remaining.as_mut() {
            *n = n.saturating_sub(1);
            if *n == 0 {
                l.fault = Fault::default();
            }
        }
        f.concrete()
    }

    /// Takes the current fault only if it is a `decline` (renewals and hosted payments have no
    /// HTTP answer to break): the decline code to fail the charge with.
    pub(super) fn take_decline(&self) -> Option<String> {
        let mode = self
            .ledger
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .fault
            .mode
            .clone();
        if mode != "decline" && mode != "mixed" {
            return None;
        }
        let f = self.take_fault();
        (f.mode == "decline").then(|| f.code.unwrap_or_else(|| "CARD_DECLINED".into()))
    }

    /// Takes the current fault only if it breaks the HTTP answer (`server_error`,
    /// `rate_limited`), for endpoints that charge nothing (PATCH).
    pub(super) fn take_http_fault(&self) -> Result<(), ApiError> {
        let mode = self
            .ledger
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .fault
            .mode
            .clone();
        if !matches!(mode.as_str(), "server_error" | "rate_limited" | "mixed") {
            return Ok(());
        }
        let f = self.take_fault();
        match f.mode.as_str() {
            "server_error" | "rate_limited" => Err(http_fault(&f.mode)),
            _ => Ok(()),
        }
    }

    pub(super) fn count_charge(&self, metadata: &Value) {
        if let Some(offer) = metadata.get("offer_id").and_then(Value::as_str) {
            *self
                .ledger
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .charges_by_offer
                .entry(offer.to_string())
                .or_default() += 1;
        }
    }
}

/// The HTTP error a `server_error` or `rate_limited` fault answers with.
pub(super) fn http_fault(mode: &str) -> ApiError {
    if mode == "rate_limited" {
        error(
            StatusCode::TOO_MANY_REQUESTS,
            "TOO_MANY_REQUESTS",
            "Sandbox fault: rate limited",
        )
    } else {
        error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_SERVER_ERROR",
            "Sandbox fault: internal error",
        )
    }
}

/// What the current fault does to one charge attempt.
pub(super) enum Outcome {
    Proceed(Option<String>),
    /// The client's deadline passes; the charge still happens afterwards, like a real charge
    /// whose response was lost.
    LostResponse(Duration),
}

/// Applies the current fault before a charge; `Err` is the HTTP answer the client gets.
pub(super) async fn suffer(sb: &Sandbox) -> Result<Outcome, ApiError> {
    let f = sb.take_fault();
    let delay = Duration::from_millis(f.delay_ms.unwrap_or(5000));
    match f.mode.as_str() {
        "server_error" => Err(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_SERVER_ERROR",
            "Sandbox fault: internal error",
        )),
        "rate_limited" => Err(error(
            StatusCode::TOO_MANY_REQUESTS,
            "TOO_MANY_REQUESTS",
            "Sandbox fault: rate limited",
        )),
        "slow" => {
            tokio::time::sleep(delay).await;
            Ok(Outcome::Proceed(None))
        }
        "timeout" => Ok(Outcome::LostResponse(delay)),
        "decline" => Ok(Outcome::Proceed(Some(
            f.code.unwrap_or_else(|| "CARD_DECLINED".into()),
        ))),
        _ => Ok(Outcome::Proceed(None)),
    }
}

pub async fn set_fault(State(sb): State<Sandbox>, Json(f): Json<Fault>) -> Reply {
    let known = [
        "none",
        "decline",
        "timeout",
        "server_error",
        "rate_limited",
        "slow",
        "drift",
        "mixed",
    ];
    if !known.contains(&f.mode.as_str()) {
        return Err(invalid(&format!(
            "mode must be one of {}",
            known.join(", ")
        )));
    }
    if f.rate.is_some_and(|r| !(r > 0.0 && r <= 1.0)) {
        return Err(invalid("rate must be more than 0 and at most 1"));
    }
    sb.ledger.lock().unwrap_or_else(|e| e.into_inner()).fault = if f.mode == "none" {
        Fault::default()
    } else {
        f.clone()
    };
    Ok(Json(json!({ "fault": f })))
}

#[derive(Deserialize)]
pub struct ChargeQuery {
    offer_id: String,
}

pub async fn charges(State(sb): State<Sandbox>, Query(q): Query<ChargeQuery>) -> Reply {
    let n = sb
        .ledger
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .charges_by_offer
        .get(&q.offer_id)
        .copied()
        .unwrap_or(0);
    Ok(Json(json!({ "offer_id": q.offer_id, "charges": n })))
}
