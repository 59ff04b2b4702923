//! Turning what people type into exact values.
//!
//! Forms arrive with numbers as text (`"\n10"`, `"６万元"`, `"19.2万元"`), percentages as text or
//! as percent-formatted numbers, placeholders for "nothing" and several values in one
//! merged cell. These functions are pure: they take a value and say what it means, or say
//! that it means nothing they can trust. They never invent a number.

use crate::grid::Value;
use crate::wording::{COMPARATOR_PREFIXES as PREFIXES, COMPARATOR_SUFFIXES as SUFFIXES};
pub use crate::wording::{
    Comparator, halfwidth, is_no_reason, is_placeholder, is_space, label_key, trim,
};
use rust_decimal::Decimal;
use std::str::FromStr;

/// The non-empty lines of a multi-line value, trimmed: `"100%\n\n≥95%"` → `["100%", "≥95%"]`.
pub fn lines(s: &str) -> Vec<&str> {
    s.split(['\n', '\r'])
        .map(trim)
        .filter(|l| !l.is_empty())
        .collect()
}

/// Units accepted after an amount in a fund cell (the form's unit is 万元).
pub const FUND_UNITS: &[&str] = &["万元", "万"];
/// Units accepted after a weight or score.
pub const SCORE_UNITS: &[&str] = &["分"];

/// Parses a plain number typed as text, allowing surrounding whitespace, full-width digits,
/// thousands separators and one of `units` after it. `"\n10"` → 10, `"６万元"` → 6.
pub fn parse_number(s: &str, units: &[&str]) -> Option<Decimal> {
    let h = halfwidth(s);
    let compact: String = h.chars().filter(|c| !is_space(*c) && *c != ',').collect();
    let mut body = compact.as_str();
    for u in units {
        if let Some(b) = body.strip_suffix(u) {
            body = b;
            break;
        }
    }
    let body = body.strip_prefix('+').unwrap_or(body);
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
    {
        return None;
    }
    Decimal::from_str(body).ok().map(|d| d.normalize())
}

/// Parses a rate: `"100%"` → 1, `"95.5%"` → 0.955, a percent-formatted 1 → 1, a plain
/// number as the fraction it is.
pub fn parse_rate(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number { value, .. } => Some(value.normalize()),
        Value::Text(s) => {
            let h = halfwidth(s);
            let t = trim(&h);
            match t.strip_suffix('%') {
                Some(p) => parse_number(p, &[]).map(|d| (d / Decimal::ONE_HUNDRED).normalize()),
                None => parse_number(t, &[]),
            }
        }
        _ => None,
    }
}

/// What a number cell holds, once read.
#[derive(Debug, Clone, PartialEq)]
pub enum Num {
    /// Nothing typed.
    Empty,
    /// A placeholder such as `—`: nothing, and said so.
    Placeholder(String),
    /// A number; `from` is the original text when it had to be cleaned to get there.
    Value {
        value: Decimal,
        from: Option<String>,
    },
    /// Text that is not a number (`完成` in a 分值 cell).
    Invalid(String),
}

/// Reads a number cell: numbers as they are, text parsed with [`parse_number`].
pub fn read_number(v: &Value, units: &[&str]) -> Num {
    match v {
        Value::Empty => Num::Empty,
        Value::Number { value, .. } => Num::Value {
            value: value.normalize(),
            from: None,
        },
        Value::Text(s) if trim(s).is_empty() => Num::Empty,
        Value::Text(s) if is_placeholder(s) => Num::Placeholder(s.clone()),
        Value::Text(s) => match parse_number(s, units) {
            Some(d) => Num::Value {
                value: d,
                from: (d.to_string() != *s).then(|| s.clone()),
            },
            None => Num::Invalid(s.clone()),
        },
        other => Num::Invalid(other.display()),
    }
}

/// A quantitative target or result: `≥16个` → (AtLeast, 16, "个").
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    pub cmp: Comparator,
    pub value: Decimal,
    pub unit: String,
}

/// The longest word of `table` that `strip` takes off `s`, with what is left: so
/// `及以上` wins over `以上` and `>=` over `>`, whatever the table's order.
fn longest_match<'a>(
    s: &'a str,
    table: &[(&str, Comparator)],
    strip: impl Fn(&'a str, &str) -> Option<&'a str>,
) -> Option<(Comparator, &'a str)> {
    table
        .iter()
        .filter_map(|(w, c)| strip(s, w).map(|r| (w.len(), *c, r)))
        .max_by_key(|(len, _, _)| *len)
        .map(|(_, c, r)| (c, r))
}

/// Parses a quantitative value such as `≥16个`, `不低于95%`, `6万元每年`, `80次`, `≤3天`.
/// Returns `None` for qualitative text (`完成`, `按时`) or anything with more than one number.
pub fn parse_quantity(s: &str) -> Option<Quantity> {
    // Most texts it is asked about are qualitative (`完成`, a sentence): without a digit
    // (half- or full-width) there is no number to find. The rules ask for every
    // indicator, so this answers before anything is copied.
    if !s
        .chars()
        .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
    {
        return None;
    }
    let h = halfwidth(s);
    let t: std::borrow::Cow<str> = if h.contains(|c: char| is_space(c) || c == ',') {
        h.chars()
            .filter(|c| !is_space(*c) && *c != ',')
            .collect::<String>()
            .into()
    } else {
        h
    };
    let (mut cmp, rest) = match longest_match(&t, PREFIXES, |s, w| s.strip_prefix(w)) {
        Some((c, r)) => (c, r),
        None => (Comparator::Equal, t.as_ref()),
    };
    let end = rest
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.'))
        .map_or(rest.len(), |(i, _)| i);
    if end == 0 {
        return None;
    }
    let mut value = Decimal::from_str(&rest[..end]).ok()?;
    let mut unit = &rest[end..];
    if let Some((c, u)) = longest_match(unit, SUFFIXES, |s, w| s.strip_suffix(w)) {
        unit = u;
        if cmp == Comparator::Equal {
            cmp = c;
        }
    }
    if unit.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let unit = unit.strip_suffix("每年").unwrap_or(unit);
    let unit = unit.trim_end_matches(['。', '.']);
    if unit == "%" {
        value /= Decimal::ONE_HUNDRED;
    }
    Some(Quantity {
        cmp,
        value: value.normalize(),
        unit: unit.to_string(),
    })
}

/// An amount typed with its own unit (`60000元`, `６万元`): the number and that unit.
/// `万` alone is 万元.
pub fn amount_with_unit(text: &str) -> Option<(Decimal, Option<crate::wording::MoneyUnit>)> {
    let h = halfwidth(text);
    let t = trim(&h);
    for (w, u) in crate::wording::MONEY_UNITS
        .iter()
        .copied()
        .chain([("万", crate::wording::MoneyUnit::Wanyuan)])
    {
        if let Some(body) = t.strip_suffix(w) {
            return parse_number(body, &[]).map(|d| (d, Some(u)));
        }
    }
    parse_number(t, &[]).map(|d| (d, None))
}

/// The number after the colon of a total typed with its label in one cell
/// (`自评总分: 95` → 95).
pub fn inline_total(text: &str) -> Option<Decimal> {
    let h = halfwidth(text);
    let (_, tail) = h.split_once([':', '：'])?;
    parse_number(tail, SCORE_UNITS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn numbers_from_text() {
        assert_eq!(parse_number("\n10", &[]), Some(d("10")));
        assert_eq!(parse_number("10\t", &[]), Some(d("10")));
        assert_eq!(parse_number("\n10\n", &[]), Some(d("10")));
        assert_eq!(parse_number("６万元", FUND_UNITS), Some(d("6")));
        assert_eq!(parse_number("19.2万元", FUND_UNITS), Some(d("19.2")));
        assert_eq!(parse_number("66.44万", FUND_UNITS), Some(d("66.44")));
        assert_eq!(parse_number("１９．２", &[]), Some(d("19.2")));
        assert_eq!(parse_number("1,234.50", &[]), Some(d("1234.5")));
        assert_eq!(parse_number("\u{3000}9\u{3000}", &[]), Some(d("9")));
        assert_eq!(parse_number("完成", &[]), None);
        assert_eq!(parse_number("6万元", &[]), None);
        assert_eq!(parse_number("1.2.3", &[]), None);
        assert_eq!(parse_number("", &[]), None);
    }

    #[test]
    fn read_number_logs_only_real_changes() {
        assert_eq!(
            read_number(&Value::text("10"), &[]),
            Num::Value {
                value: d("10"),
                from: None
            }
        );
        assert_eq!(
            read_number(&Value::text("\n10"), &[]),
            Num::Value {
                value: d("10"),
                from: Some("\n10".into())
            }
        );
        assert_eq!(
            read_number(&Value::text("—"), &[]),
            Num::Placeholder("—".into())
        );
        assert_eq!(
            read_number(&Value::text("完成"), &[]),
            Num::Invalid("完成".into())
        );
        assert_eq!(read_number(&Value::text(" \n"), &[]), Num::Empty);
    }

    #[test]
    fn lines_split_and_trim() {
        assert_eq!(lines("100%\n\n≥95%"), vec!["100%", "≥95%"]);
        assert_eq!(
            lines("30.0万元\n13.9万元\n28.8万元"),
            vec!["30.0万元", "13.9万元", "28.8万元"]
        );
        assert_eq!(lines("\n10\n"), vec!["10"]);
    }

    #[test]
    fn rates() {
        assert_eq!(parse_rate(&Value::text("100%")), Some(d("1")));
        assert_eq!(parse_rate(&Value::text("９５．５％")), Some(d("0.955")));
        assert_eq!(
            parse_rate(&Value::Number {
                value: d("0.98"),
                percent: true
            }),
            Some(d("0.98"))
        );
        assert_eq!(parse_rate(&Value::text("完成")), None);
    }

    #[test]
    fn quantities() {
        let q = |s| parse_quantity(s).map(|q| (q.cmp, q.value, q.unit));
        assert_eq!(
            q("≥16个"),
            Some((Comparator::AtLeast, d("16"), "个".into()))
        );
        assert_eq!(
            q("不低于95%"),
            Some((Comparator::AtLeast, d("0.95"), "%".into()))
        );
        assert_eq!(
            q("6万元每年"),
            Some((Comparator::Equal, d("6"), "万元".into()))
        );
        assert_eq!(q("80次"), Some((Comparator::Equal, d("80"), "次".into())));
        assert_eq!(q("≤3天"), Some((Comparator::AtMost, d("3"), "天".into())));
        assert_eq!(
            q("95%以上"),
            Some((Comparator::AtLeast, d("0.95"), "%".into()))
        );
        assert_eq!(q("完成"), None);
        assert_eq!(q("按时"), None);
        // Spaces and thousands' commas go, full-width digits count (the early answer
        // for a text without digits must not miss them).
        assert_eq!(
            q("≥ 1,200 人"),
            Some((Comparator::AtLeast, d("1200"), "人".into()))
        );
        assert_eq!(q("１２次"), Some((Comparator::Equal, d("12"), "次".into())));
        assert_eq!(q("按时完成。"), None);
        assert_eq!(q("."), None);
    }

    #[test]
    fn comparator_words_match_longest_first() {
        let q = |s| parse_quantity(s).map(|q| (q.cmp, q.value, q.unit));
        let at_least = Comparator::AtLeast;
        let at_most = Comparator::AtMost;
        assert_eq!(q("95%及以上"), Some((at_least, d("0.95"), "%".into())));
        assert_eq!(q("95%以上"), Some((at_least, d("0.95"), "%".into())));
        assert_eq!(q("90分及以上"), Some((at_least, d("90"), "分".into())));
        assert_eq!(q("3天以内"), Some((at_most, d("3"), "天".into())));
        assert_eq!(q("3天及以内"), Some((at_most, d("3"), "天".into())));
        assert_eq!(q("5%及以下"), Some((at_most, d("0.05"), "%".into())));
        assert_eq!(q("5%以下"), Some((at_most, d("0.05"), "%".into())));
        assert_eq!(q("不低于90%"), Some((at_least, d("0.9"), "%".into())));
        assert_eq!(
            q("不低于 90%及以上"),
            Some((at_least, d("0.9"), "%".into()))
        );
        assert_eq!(q(">=16个"), Some((at_least, d("16"), "个".into())));
        assert_eq!(q("大于等于16个"), Some((at_least, d("16"), "个".into())));
        assert_eq!(q("≤3天以内"), Some((at_most, d("3"), "天".into())));
        // A comparator word before the number keeps its own meaning.
        assert_eq!(q("达到80%以上"), Some((at_least, d("0.8"), "%".into())));
        assert_eq!(q("1-2个"), None);
    }

    #[test]
    fn placeholders() {
        for p in ["—", "-", "/", " — ", "－", "／"] {
            assert!(is_placeholder(p), "{p:?}");
        }
        assert!(!is_placeholder("0"));
        assert!(is_no_reason("无"));
        assert!(is_no_reason(""));
        assert!(!is_no_reason("疫情影响"));
    }
}
