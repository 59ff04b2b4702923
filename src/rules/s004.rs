//! S004 分值合计不等于总分值.

use crate::code::Code;
use crate::model::{Finding, Form};
use crate::rules::{At, Check, Emit};

declare_rule! {
    /// 检查内容：各项分值（含预算执行）之和不等于总分行的分值（总分值）。
    ///
    /// 为何重要：各项分值合计应正好等于总分值。
    ///
    /// 示例：分值合计90（执行率10 + 指标80）与总分值100不一致。
    S004, "分值合计不等于总分值", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    let Some(total) = form.weight_total.value else {
        return;
    };
    if form.lacks(crate::model::Lack::WeightColumn) {
        return;
    }
    let exec = form.funds.total.weight.value.unwrap_or_default();
    let ind = crate::score::checked_sum(form.indicators.iter().filter_map(|i| i.weight.value));
    let sum = ind.and_then(|i| exec.checked_add(i));
    if !sum.is_some_and(|s| crate::score::approx_eq(s, total)) {
        out.add(weights_differ(
            out.at(form.weight_total.cell),
            sum,
            exec,
            ind,
            total,
        ));
    }
}

/// The weights add up to `sum` (执行率 `exec` plus the indicators' `ind`), not the total
/// weight `total`.
pub fn weights_differ(
    at: At,
    sum: Option<Decimal>,
    exec: Decimal,
    ind: Option<Decimal>,
    total: Decimal,
) -> Finding {
    let (sum, ind) = (crate::score::shown(sum), crate::score::shown(ind));
    at.finding(
        Code::S004,
        format!(
            "分值合计{sum}（执行率{exec} + 指标{}）与总分值{total}不一致",
            ind
        ),
    )
}

use rust_decimal::Decimal;

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn weights_must_cover_the_total() {
        let mut f = form();
        f.indicators[1].weight = num("20", "G14");
        assert_eq!(run(&super::RULE, &f), vec![(Code::S004, "G16".to_string())]);
    }

    #[test]
    fn weights_that_add_up_pass() {
        assert!(run(&super::RULE, &form()).is_empty());
    }
}
