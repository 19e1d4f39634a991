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
        _ => Msg::ErrRequired,
    }
}

/// English keeps the server's specific wording (it names amounts and currencies); other
/// languages use the translated text for the stable code.
pub fn error_text(lang: Lang, e: &AppError) -> String {
    match lang {
        Lang::En => e.message.clone(),
        _ => tr(lang, code_msg(e.code)).to_string(),
    }
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
        message: tr(Lang::En, code_msg(e.code)).to_string(),
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
