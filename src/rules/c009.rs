//! C009 执行率不足50%而产出指标全部满分.

use crate::code::Code;
use crate::model::{Finding, Form};
use crate::rules::{At, Check, Emit};
use crate::wording::{Level1, level1_of};
use rust_decimal::Decimal;

declare_rule! {
    /// 检查内容：预算执行率不足50%，产出指标（数量、质量、时效、成本）却全部得了满分。
    ///
    /// 为何重要：钱只花了不到一半，产出却全部达标，二者很难同时成立：要么产出自评偏高，要么执行数漏填。抽查复核会重点核对这类项目。请核实产出指标的完成值和得分，或说明资金未用而产出已完成的原因。
    ///
    /// 示例：执行率0%（全年执行数为0），产出指标5项各8分，均得8分。
    C009, "执行率不足50%而产出指标全部满分", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    let Some(rate) = form.execution_rate else {
        return;
    };
    // A budget of 0 (a total row left at 0 beside filled source rows, F001) gives no rate
    // to judge by.
    let budget = form.funds.total.full_year.value;
    if rate >= Decimal::new(5, 1) || budget.is_some_and(|b| b <= Decimal::ZERO) {
        return;
    }
    let outputs: Vec<_> = form
        .indicators
        .iter()
        .filter(|i| i.level1.value.as_deref().and_then(level1_of) == Some(Level1::Output))
        .filter(|i| i.group.is_none() || i.weight.value.is_some())
        .collect();
    let mut points = Vec::new();
    for i in &outputs {
        match (i.weight.value, i.score.value) {
            (Some(w), Some(s)) if w > Decimal::ZERO && crate::score::approx_eq(w, s) => {
                points.push(w)
            }
            _ => return,
        }
    }
    if points.is_empty() {
        return;
    }
    let sum = crate::score::checked_sum(points.iter().copied());
    let cell = form
        .funds
        .total
        .rate
        .cell
        .or(form.funds.total.executed.cell);
    out.add(full_outputs(out.at(cell), rate, points.len(), sum));
}

/// The execution rate `rate` is under 50 %, yet all `n` output indicators (worth `sum`
/// points) got full marks.
pub fn full_outputs(at: At, rate: Decimal, n: usize, sum: Option<Decimal>) -> Finding {
    at.finding(
        Code::C009,
        format!(
            "预算执行率{}%不足50%，产出指标{n}项（共{}分）却全部满分，请核实产出完成情况",
            crate::score::shown(crate::score::percent(rate).map(|p| p.round_dp(2))),
            crate::score::shown(sum)
        ),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    fn low(executed: &str) -> crate::model::Form {
        let mut f = form();
        f.funds.total.executed = num(executed, "F6");
        f.execution_rate = Some(d(executed) / d("10"));
        f
    }

    #[test]
    fn low_execution_with_full_outputs_is_flagged_at_the_rate() {
        let f = low("4.9");
        assert_eq!(run(&super::RULE, &f), vec![(Code::C009, "H6".into())]);
        let mut e = crate::rules::Emit::new(&f);
        super::check(&f, &mut e);
        assert_eq!(
            e.findings[0].message,
            "预算执行率49%不足50%，产出指标1项（共50分）却全部满分，请核实产出完成情况"
        );
    }

    #[test]
    fn half_spent_or_an_output_short_passes() {
        assert!(run(&super::RULE, &low("5")).is_empty());
        let mut f = low("0");
        f.indicators[0].score = num("40", "H13");
        assert!(run(&super::RULE, &f).is_empty());
        let mut f = low("0");
        f.indicators[0].score = num("", "H13");
        assert!(run(&super::RULE, &f).is_empty(), "unscored");
        let mut f = low("0");
        f.funds.total.full_year = num("0", "E6");
        assert!(run(&super::RULE, &f).is_empty(), "a budget of 0");
    }
}
