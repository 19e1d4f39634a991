//! Money is an integer of minor units with its ISO 4217 currency. Never a float.
//! Formatting is hand-written: a formatting crate would cost more bundle size than it saves.

/// Digits after the decimal point for a currency (ISO 4217 minor unit).
pub fn minor_digits(currency: &str) -> u32 {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

fn symbol(currency: &str) -> Option<&'static str> {
    Some(match currency {
        "USD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        "JPY" => "¥",
        "INR" => "₹",
        _ => return None,
    })
}

/// `$29.00`, `-€5.50`, `¥3,000`, `12.500 KWD`.
pub fn format_money(amount: i64, currency: &str) -> String {
    let digits = minor_digits(currency);
    let scale = 10i64.pow(digits);
    let sign = if amount < 0 { "-" } else { "" };
    let abs = amount.unsigned_abs();
    let whole = abs / scale as u64;
    let frac = abs % scale as u64;
    let mut grouped = String::new();
    let w = whole.to_string();
    for (i, ch) in w.chars().enumerate() {
        if i > 0 && (w.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let number = if digits == 0 {
        grouped
    } else {
        format!("{grouped}.{frac:0width$}", width = digits as usize)
    };
    match symbol(currency) {
        Some(s) => format!("{sign}{s}{number}"),
        None => format!("{sign}{number} {currency}"),
    }
}

/// `29.00`, `-5.50`, `3000`: a plain decimal for spreadsheets (no symbol, no grouping).
pub fn format_amount(amount: i64, currency: &str) -> String {
    let digits = minor_digits(currency);
    let scale = 10u64.pow(digits);
    let sign = if amount < 0 { "-" } else { "" };
    let abs = amount.unsigned_abs();
    if digits == 0 {
        return format!("{sign}{abs}");
    }
    format!(
        "{sign}{}.{:0width$}",
        abs / scale,
        abs % scale,
        width = digits as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_minor_units_per_currency() {
        assert_eq!(format_money(2900, "USD"), "$29.00");
        assert_eq!(format_money(-550, "EUR"), "-€5.50");
        assert_eq!(format_money(3000, "JPY"), "¥3,000");
        assert_eq!(format_money(12500, "KWD"), "12.500 KWD");
        assert_eq!(format_money(123456789, "USD"), "$1,234,567.89");
        assert_eq!(format_money(5, "GBP"), "£0.05");
        assert_eq!(format_money(0, "CHF"), "0.00 CHF");
        assert_eq!(format_amount(123456789, "USD"), "1234567.89");
        assert_eq!(format_amount(-550, "EUR"), "-5.50");
        assert_eq!(format_amount(3000, "JPY"), "3000");
        assert_eq!(format_amount(5, "KWD"), "0.005");
    }
}
