//! S010 分值合计不是100.

use crate::code::Code;
use crate::model::{Form, Lack};
use crate::rules::{Check, Emit};
use rust_decimal::Decimal;

declare_rule! {
    /// What it checks: on a form that declares no total weight, the 分值 including 预算执行 do not add up to 100.
    ///
    /// Why it matters: without a declared total weight S004 has nothing to compare; the grades still assume 100.
    ///
    /// Example: weights 10 + 40 + 40 + 20 = 110 on a form whose 总分 row holds only the score.
    S010, "分值合计不是100", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    if form.weight_total.value.is_some() || form.lacks(Lack::WeightColumn) {
        return;
    }
    let exec = form.funds.total.weight.value.unwrap_or_default();
    let ind: Decimal = form.indicators.iter().filter_map(|i| i.weight.value).sum();
    if ind.is_zero() {
        return;
    }
    let sum = (exec + ind).normalize();
    if (sum - Decimal::ONE_HUNDRED).abs() >= crate::score::tolerance() {
        let cell = form.declared_total.cell.or(form.funds.total.weight.cell);
        out.push(
            Code::S010,
            cell,
            format!(
                "分值合计{sum}（执行率{exec} + 指标{}），不是100",
                ind.normalize()
            ),
        );
    }
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
