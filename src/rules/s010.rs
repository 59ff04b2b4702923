//! S010 分值合计不是100.

use crate::code::Code;
use crate::model::{Finding, Form, Lack};
use crate::rules::{At, Check, Emit};
use rust_decimal::Decimal;

declare_rule! {
    /// 检查内容：总分行没有填总分值时，各项分值（含预算执行）之和不是100。
    ///
    /// 为何重要：没有总分值，S004 无从比较；但评价等级仍按满分100划分。
    ///
    /// 示例：分值10 + 40 + 40 + 20 = 110，总分行只填了得分。
    S010, "分值合计不是100", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    if form.weight_total.value.is_some() || form.lacks(Lack::WeightColumn) {
        return;
    }
    let exec = form.funds.total.weight.value.unwrap_or_default();
    let ind = crate::score::checked_sum(form.indicators.iter().filter_map(|i| i.weight.value));
    if ind.is_some_and(|i| i.is_zero()) {
        return;
    }
    let sum = ind.and_then(|i| exec.checked_add(i));
    if !sum.is_some_and(|s| crate::score::approx_eq(s, Decimal::ONE_HUNDRED)) {
        let cell = form.declared_total.cell.or(form.funds.total.weight.cell);
        out.add(weights_not_100(out.at(cell), sum, exec, ind));
    }
}

/// With no total weight stated, the weights add up to `sum` (执行率 `exec` plus the
/// indicators' `ind`), not 100.
pub fn weights_not_100(
    at: At,
    sum: Option<Decimal>,
    exec: Decimal,
    ind: Option<Decimal>,
) -> Finding {
    let (sum, ind) = (crate::score::shown(sum), crate::score::shown(ind));
    at.finding(
        Code::S010,
        format!("分值合计{sum}（执行率{exec} + 指标{}），不是100", ind),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn weights_without_a_declared_total_must_make_100() {
        let mut f = form();
        f.weight_total = num("", "G16");
        f.indicators[1].weight = num("40", "G14");
        assert_eq!(run(&super::RULE, &f), vec![(Code::S010, "H16".to_string())]);
    }

    #[test]
    fn a_declared_total_weight_is_s004s_business() {
        let mut f = form();
        f.indicators[1].weight = num("40", "G14");
        assert!(run(&super::RULE, &f).is_empty());
        f.weight_total = num("", "G16");
        f.indicators[1].weight = num("30", "G14");
        assert!(run(&super::RULE, &f).is_empty());
    }
}
