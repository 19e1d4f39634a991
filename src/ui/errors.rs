use super::i18n::{tr, Lang, Msg};
use crate::domain::error::{AppError, ErrorCode, FieldError};

fn code_msg(code: ErrorCode) -> Msg {
    match code {
        ErrorCode::Unauthenticated => Msg::ErrUnauthenticated,
        ErrorCode::Forbidden => Msg::ErrForbidden,
        ErrorCode::NotFound => Msg::ErrNotFound,
        ErrorCode::Validation => Msg::ErrValidation,
        ErrorCode::Conflict => Msg::ErrConflict,
        ErrorCode::RateLimited => Msg::ErrRateLimited,
        ErrorCode::BadRequest => Msg::ErrBadRequest,
        ErrorCode::Upstream => Msg::ErrUpstream,
        ErrorCode::Internal => Msg::ErrInternal,
    }
}

fn field_msg(code: &str) -> Msg {
    match code {
        "same_product" => Msg::ErrSameProduct,
        "product_missing" => Msg::ErrProductMissing,
        "currency_mismatch" => Msg::ErrCurrency,
        "downsell_not_cheaper" => Msg::ErrDownsellNotCheaper,
        "chain_loop" => Msg::ErrChainLoop,
        "chain_too_long" => Msg::ErrChainTooLong,
        "discount_plan_change" => Msg::ErrDiscountPlanChange,
        "parent_has_next" => Msg::ErrParentHasNext,
        "parent_is_save" => Msg::ErrParentIsSave,
        "parent_required" => Msg::ErrParentRequired,
        "parent_missing" => Msg::ErrParentMissing,
        "parent_has_downsell" => Msg::ErrParentHasDownsell,
        "name_taken" => Msg::ErrNameTaken,
        "too_long" => Msg::ErrTooLong,
        "quantity_range" => Msg::ErrQuantity,
        "expiry_range" => Msg::ErrExpiry,
        "weight_range" => Msg::ErrWeight,
        "holdout_range" => Msg::ErrHoldout,
        "variant_same" => Msg::ErrVariantSame,
        "email_invalid" => Msg::ErrEmail,
        "email_taken" => Msg::ErrEmailTaken,
        "password_short" => Msg::ErrPasswordShort,
        "catch_all_kind" => Msg::ErrCatchAllKind,
        "discount_range" => Msg::ErrDiscountRange,
        "cycles_range" => Msg::ErrCyclesRange,
        "save_needs_plan" => Msg::ErrSaveNeedsPlan,
        "free_days_range" => Msg::ErrFreeDays,
        "save_not_cheaper" => Msg::ErrSaveNotCheaper,
        "currency_code" => Msg::ErrCurrencyCode,
        "value_negative" => Msg::ErrValueNegative,
        "value_range" => Msg::ErrValueRange,
        "too_many" => Msg::ErrTooMany,
        "code" => Msg::ErrCode,
        "quantity_order" => Msg::ErrQuantityOrder,
        "schedule_order" => Msg::ErrScheduleOrder,
        "zone_unknown" => Msg::ErrZoneUnknown,
        "datetime" => Msg::ErrDatetime,
        "cap_offers_range" => Msg::ErrCapOffers,
        "cap_days_range" => Msg::ErrCapDays,
        "amount_invalid" => Msg::ErrAmountInvalid,
        "confirm_required" => Msg::ErrConfirmRequired,
        "password_wrong" => Msg::ErrPasswordWrong,
        "reason_invalid" => Msg::ErrReasonInvalid,
        "currency_invalid" => Msg::ErrCurrencyInvalid,
        "change_scheduled" => Msg::ErrChangeScheduled,
        "change_in_progress" => Msg::ErrChangeInProgress,
        _ => Msg::ErrRequired,
    }
}

/// English keeps the server's specific wording (it names amounts and currencies); other
/// languages use the translated text for the stable code.
pub fn error_text(lang: Lang, e: &AppError) -> String {
    match lang {
        Lang::En => e.message.clone(),
        _ => tr(lang, top_msg(e)).to_string(),
    }
}

/// The message for an error as a whole: its `reason` field's code when it has one (a
/// conflict says which: "another change is scheduled"), else its code's.
fn top_msg(e: &AppError) -> Msg {
    e.field(crate::domain::error::REASON)
        .map(|f| field_msg(&f.code))
        .unwrap_or(code_msg(e.code))
}

pub fn field_text(lang: Lang, f: &FieldError) -> String {
    match lang {
        Lang::En => f.message.clone(),
        _ => tr(lang, field_msg(&f.code)).to_string(),
    }
}

/// An error that came back in the URL (`?__err=`, the no-JavaScript path of a form post).
/// Anyone can write a URL, so its text is never shown: only its codes are read, each mapped
/// to our own message (an unknown field code reads "This field is required.").
pub fn from_url(e: AppError) -> AppError {
    AppError {
        message: tr(Lang::En, top_msg(&e)).to_string(),
        fields: e
            .fields
            .into_iter()
            .map(|f| FieldError {
                message: tr(Lang::En, field_msg(&f.code)).to_string(),
                ..f
            })
            .collect(),
        ..e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_error_keeps_its_reason_but_not_its_text() {
        let mut e = AppError::new(ErrorCode::Conflict, "<b>spoofed</b>");
        assert_eq!(from_url(e.clone()).message, tr(Lang::En, Msg::ErrConflict));
        e.fields.push(FieldError::new(
            crate::domain::error::REASON,
            "change_scheduled",
            "spoofed too",
        ));
        let shown = from_url(e);
        assert_eq!(shown.message, tr(Lang::En, Msg::ErrChangeScheduled));
        assert!(shown
            .message
            .contains("Cancel it in the plan change history"));
        assert_eq!(
            error_text(Lang::Zh, &shown),
            tr(Lang::Zh, Msg::ErrChangeScheduled)
        );
    }

    /// Without JavaScript a refused form comes back with codes only, and in Chinese a field's
    /// message is always read from its code: every code the rule checks give has its own text.
    #[test]
    fn each_rule_check_code_has_its_own_message() {
        use crate::domain::rule::target::{self, FrequencyCap, Targeting, ValueRange};
        use crate::domain::rule::{validate, RuleDraft, RuleKind, ANY_PRODUCT};
        let range = |currency: &str, min, max| ValueRange {
            currency: currency.into(),
            min,
            max,
        };
        let mut bad = RuleDraft {
            quantity: 0,
            expiry_minutes: 0,
            ..RuleDraft::default()
        };
        bad.experiment.weight_b = -1;
        bad.experiment.holdout = -1;
        bad.discount.percent = 95;
        bad.discount.cycles = 99;
        let mut drafts = vec![bad];
        let mut save = RuleDraft {
            kind: RuleKind::Save,
            ..RuleDraft::default()
        };
        save.terms.free_days = 999;
        drafts.push(save);
        drafts.push(RuleDraft {
            kind: RuleKind::Downsell,
            ..RuleDraft::default()
        });
        drafts.push(RuleDraft {
            kind: RuleKind::Save,
            trigger_product_id: ANY_PRODUCT.into(),
            ..RuleDraft::default()
        });
        let mut codes: Vec<String> = drafts
            .iter()
            .flat_map(|d| validate(d, &[], &[]))
            .map(|e| e.code)
            .collect();
        let mut t = Targeting {
            order_values: vec![range("US", Some(-1), None)],
            countries: vec!["USA".into()],
            currencies: (0..60).map(|i| format!("C{i:02}")).collect(),
            min_quantity: 5,
            max_quantity: 2,
            ..Targeting::default()
        };
        t.schedule.starts_at = Some(10);
        t.schedule.ends_at = Some(5);
        codes.extend(target::validate(&t, |_| false).into_iter().map(|e| e.code));
        let swapped = Targeting {
            order_values: vec![range("USD", Some(500), Some(100))],
            min_quantity: 200,
            ..Targeting::default()
        };
        codes.extend(
            target::validate(&swapped, |_| false)
                .into_iter()
                .map(|e| e.code),
        );
        let cap = FrequencyCap {
            max_offers: 500,
            days: 999,
        };
        codes.extend(cap.validate().into_iter().map(|e| e.code));
        codes.sort();
        codes.dedup();
        assert!(codes.len() >= 15, "{codes:?}");
        for code in codes.iter().filter(|c| *c != "required") {
            assert_ne!(field_msg(code), Msg::ErrRequired, "no message for {code}");
        }
        // The fixed texts quote the limits the checks use.
        use crate::domain::rule::discount::{CYCLES_MAX, PERCENT_MAX};
        assert!(tr(Lang::En, Msg::ErrDiscountRange).contains(&PERCENT_MAX.to_string()));
        assert!(tr(Lang::En, Msg::ErrCyclesRange).contains(&CYCLES_MAX.to_string()));
        let free = crate::domain::rule::FREE_DAYS_MAX.to_string();
        assert!(tr(Lang::En, Msg::ErrFreeDays).contains(&free));
        let (offers, days) = (target::CAP_OFFERS_MAX, target::CAP_DAYS_MAX);
        assert!(tr(Lang::En, Msg::ErrCapOffers).contains(&offers.to_string()));
        assert!(tr(Lang::En, Msg::ErrCapDays).contains(&days.to_string()));
        assert!(tr(Lang::En, Msg::ErrTooMany).contains(&target::LIST_MAX.to_string()));
    }

    #[test]
    fn text_from_the_url_is_never_shown() {
        let forged = AppError {
            code: ErrorCode::Conflict,
            message: "Your account is suspended: call +1 555 0100".into(),
            fields: vec![FieldError::new(
                "email",
                "email_taken",
                "Pay here: evil.example",
            )],
        };
        let shown = from_url(forged);
        assert_eq!(shown.message, tr(Lang::En, Msg::ErrConflict));
        assert_eq!(shown.fields[0].field, "email");
        assert_eq!(shown.fields[0].message, tr(Lang::En, Msg::ErrEmailTaken));
        let unknown = from_url(AppError {
            code: ErrorCode::BadRequest,
            message: String::new(),
            fields: vec![FieldError::new("name", "<script>", "x")],
        });
        assert_eq!(unknown.fields[0].message, tr(Lang::En, Msg::ErrRequired));
    }
}
