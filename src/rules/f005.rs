//! F005 执行率得分计算有误.

use crate::code::Code;
use crate::model::{Finding, Form};
use crate::rules::{At, Check, Emit};

declare_rule! {
    /// 检查内容：执行率得分不等于 min(执行率, 100%) × 分值，即执行率（超过100%的按100%计）乘以分值。
    ///
    /// 为何重要：预算执行得分的算法由《项目支出绩效评价管理办法》（财预〔2020〕10号）规定。
    ///
    /// 示例：执行率50%，分值10，得分填10（应为5）。
    F005, "执行率得分计算有误", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    let t = &form.funds.total;
    let (Some(declared), Some(expected), Some(rate)) = (
        t.score.value,
        crate::score::expected_execution_score(form),
        form.execution_rate,
    ) else {
        return;
    };
    if !crate::score::approx_eq(declared, expected) {
        let weight = t.weight.value.unwrap_or_default();
        out.add(score_differs(
            out.at(t.score.cell),
            declared,
            rate,
            weight,
            expected,
        ));
    }
}

/// The declared 执行率得分 `declared` against min(`rate`, 100%) × `weight` = `expected`.
pub fn score_differs(
    at: At,
    declared: Decimal,
    rate: Decimal,
    weight: Decimal,
    expected: Decimal,
) -> Finding {
    at.finding(
        Code::F005,
        format!(
            "执行率得分{declared}与min(执行率{}%, 100%) × 分值{} = {expected}不一致",
            crate::score::shown(crate::score::percent(rate).map(|p| p.round_dp(2))),
            weight
        ),
    )
}

use rust_decimal::Decimal;

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn score_must_follow_the_rate() {
        let mut f = form();
        f.execution_rate = Some(d("0.5"));
        assert_eq!(run(&super::RULE, &f), vec![(Code::F005, "I6".to_string())]);
    }

    #[test]
    fn capped_at_full_weight() {
        let mut f = form();
        f.execution_rate = Some(d("1.2"));
        assert!(run(&super::RULE, &f).is_empty());
    }
}
