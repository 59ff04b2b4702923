//! S002 得分超过分值或为负.

use crate::code::Code;
use crate::model::{Finding, Form};
use crate::rules::{At, Check, Emit};

declare_rule! {
    /// 检查内容：某项得分大于其分值，或为负数。
    ///
    /// 为何重要：指标得分不能超过该指标的分值。
    ///
    /// 示例：分值10，得分12：得分12超过分值10。
    S002, "得分超过分值或为负", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    let t = &form.funds.total;
    let pairs =
        std::iter::once(("执行率", &t.weight, &t.score)).chain(form.indicators.iter().map(|i| {
            (
                i.name.value.as_deref().unwrap_or("（无名称指标）"),
                &i.weight,
                &i.score,
            )
        }));
    for (name, weight, score) in pairs {
        let Some(s) = score.value else { continue };
        if s.is_sign_negative() && !s.is_zero() {
            out.add(negative(out.at(score.cell), name, s));
        } else if let Some(w) = weight.value
            && crate::score::exceeds(s, w)
        {
            out.add(over_weight(out.at(score.cell), name, s, w));
        }
    }
}

/// The score `s` of `name` (an indicator, or 执行率) is negative.
pub fn negative(at: At, name: &str, s: Decimal) -> Finding {
    at.finding(Code::S002, format!("“{name}”得分{s}为负数"))
}

/// The score `s` of `name` is over its weight `w`.
pub fn over_weight(at: At, name: &str, s: Decimal, w: Decimal) -> Finding {
    at.finding(Code::S002, format!("“{name}”得分{s}超过分值{w}"))
}

use rust_decimal::Decimal;

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn score_above_weight_or_negative() {
        let mut f = form();
        f.indicators[0].score = num("60", "H13");
        f.indicators[1].score = num("-1", "H14");
        assert_eq!(
            run(&super::RULE, &f),
            vec![
                (Code::S002, "H13".to_string()),
                (Code::S002, "H14".to_string())
            ]
        );
    }

    #[test]
    fn full_score_passes() {
        assert!(run(&super::RULE, &form()).is_empty());
    }
}
