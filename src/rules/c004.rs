//! C004 成本指标合计与全年预算数不符.

use crate::code::Code;
use crate::model::{Finding, Form};
use crate::rules::{At, Check, Emit};

declare_rule! {
    /// 检查内容：以万元为单位的成本指标金额之和不等于全年预算数。
    ///
    /// 为何重要：成本指标应与预算相互印证。
    ///
    /// 示例：成本指标金额合计72.7万元（30.0 + 13.9 + 28.8）与全年预算数73.6万元不符。
    C004, "成本指标合计与全年预算数不符", Check::Form(check)
}

use crate::normalize::parse_quantity;
use rust_decimal::Decimal;

fn check(form: &Form, out: &mut Emit) {
    let Some(budget) = form.funds.total.full_year.value else {
        return;
    };
    let costs: Vec<(Decimal, Option<crate::grid::Pos>)> = form
        .indicators
        .iter()
        .filter(|i| {
            i.level2
                .value
                .as_deref()
                .is_some_and(|l| l.contains("成本"))
        })
        .filter_map(|i| {
            let q = parse_quantity(i.target.value.as_deref()?)?;
            matches!(q.unit.as_str(), "万元" | "万").then_some((q.value, i.target.cell))
        })
        .collect();
    if costs.is_empty() {
        return;
    }
    let sum = crate::score::checked_sum(costs.iter().map(|(v, _)| *v));
    if !sum.is_some_and(|s| crate::score::approx_eq(s, budget)) {
        let parts: Vec<Decimal> = costs.iter().map(|(v, _)| *v).collect();
        out.add(costs_differ(out.at(costs[0].1), sum, &parts, budget));
    }
}

/// The cost indicators' amounts `parts` (their sum `sum`) against the 全年预算数 `budget`.
pub fn costs_differ(at: At, sum: Option<Decimal>, parts: &[Decimal], budget: Decimal) -> Finding {
    let parts: Vec<String> = parts.iter().map(|v| v.to_string()).collect();
    at.finding(
        Code::C004,
        format!(
            "成本指标金额合计{}万元（{}）与全年预算数{budget}万元不符",
            crate::score::shown(sum),
            parts.join(" + ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn costs_not_matching_the_budget() {
        let mut f = form();
        f.indicators.push(ind(
            "产出指标",
            "成本指标",
            16,
            ["甲", "3万元", "3万元", "", "", ""],
        ));
        f.indicators.push(ind(
            "产出指标",
            "成本指标",
            17,
            ["乙", "6万元", "6万元", "", "", ""],
        ));
        assert_eq!(run(&super::RULE, &f), vec![(Code::C004, "E16".to_string())]);
    }

    #[test]
    fn costs_matching_or_qualitative_pass() {
        let mut f = form();
        f.indicators.push(ind(
            "产出指标",
            "成本指标",
            16,
            ["甲", "10万元每年", "10万元", "", "", ""],
        ));
        assert!(run(&super::RULE, &f).is_empty());
        f.indicators[3].target = text("控制在预算内", "E16");
        assert!(run(&super::RULE, &f).is_empty());
    }
}
