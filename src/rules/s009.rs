//! S009 定量指标未达标却得满分.

use crate::code::Code;
use crate::model::{Finding, Form};
use crate::rules::{At, Check, Emit};

declare_rule! {
    /// 检查内容：定量指标的实际完成值未达到年度指标值，却得了满分。
    ///
    /// 为何重要：未达标的定量指标应得 实际完成值 ÷ 年度指标值 × 分值（“≤”“以内”“不超过”类指标越低越好）。
    ///
    /// 示例：年度指标值≥95%，实际完成值90%，分值10，得分10。
    S009, "定量指标未达标却得满分", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    for (i, w, s, met) in crate::score::judged(form) {
        if !met && crate::score::approx_eq(w, s) {
            out.add(missed_full(out.at(i.score.cell), i, s));
        }
    }
}

/// The indicator `ind` missed its target, yet scored its full weight `s`.
pub fn missed_full(at: At, ind: &crate::model::Indicator, s: rust_decimal::Decimal) -> Finding {
    at.finding(
        Code::S009,
        format!(
            "“{}”完成值{}未达到指标值{}，却得满分{s}",
            ind.name.value.as_deref().unwrap_or(""),
            ind.actual.value.as_deref().unwrap_or(""),
            ind.target.value.as_deref().unwrap_or("")
        ),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn missed_but_full_points() {
        let mut f = form();
        f.indicators[2].actual = text("85%", "F15");
        assert_eq!(run(&super::RULE, &f), vec![(Code::S009, "H15".to_string())]);
    }

    #[test]
    fn met_and_full_points_pass() {
        assert!(run(&super::RULE, &form()).is_empty());
    }
}
