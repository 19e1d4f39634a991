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
        "downsell_loop" => Msg::ErrDownsellLoop,
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
