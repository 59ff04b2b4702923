//! C010 一项指标分值超过总分值一半.

use crate::code::Code;
use crate::model::{Finding, Form, Indicator};
use crate::rules::{At, Check, Emit};
use rust_decimal::Decimal;

declare_rule! {
    /// 检查内容：一个三级指标（或共用一个分值的一组指标）的分值超过全表分值（预算执行加各项指标）的一半，即比其余各项加起来还多。正好一半（如产出指标只设一项、分值50）不在此列。
    ///
    /// 为何重要：一项指标的分值压过其余全部，这一项的自评就决定了整张表的等级；各项指标分值应与其重要程度相称，抽查复核会关注分值集中在一项上的表。请核实分值的分配。
    ///
    /// 示例：数量指标“发放（缴纳）覆盖率”权重60，全表权重合计100（预算执行10、指标90）。
    C010, "一项指标分值超过总分值一半", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    let weighed: Vec<(&Indicator, Decimal)> = form
        .indicators
        .iter()
        .filter_map(|i| Some((i, i.weight.value?)))
        .collect();
    // One indicator alone carries all the points by necessity.
    if weighed.len() < 2 {
        return;
    }
    let exec = form.funds.total.weight.value.unwrap_or_default();
    let Some(sum) =
        crate::score::checked_sum(std::iter::once(exec).chain(weighed.iter().map(|(_, w)| *w)))
    else {
        return;
    };
    if sum <= Decimal::ZERO {
        return;
    }
    for (i, w) in weighed {
        if w.checked_mul(Decimal::TWO).is_some_and(|x| x > sum) {
            out.add(half(out.at(i.weight.cell), i, w, sum));
        }
    }
}

/// The indicator `ind` weighs `w` of the form's `sum` (预算执行 and every indicator).
pub fn half(at: At, ind: &Indicator, w: Decimal, sum: Decimal) -> Finding {
    let share = (w / sum * Decimal::ONE_HUNDRED).round_dp(0);
    at.finding(
        Code::C010,
        format!(
            "{}“{}”分值{}，占全表分值{}的{share}%，超过其余各项之和",
            ind.level2.value.as_deref().unwrap_or(""),
            ind.name.value.as_deref().unwrap_or(""),
            w.normalize(),
            sum.normalize()
        ),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn more_than_half_the_points_on_one_indicator_is_flagged() {
        let mut f = form();
        // 60 of 10 + 60 + 20 + 10.
        f.indicators[0].weight = num("60", "G13");
        f.indicators[1].weight = num("20", "G14");
        assert_eq!(run(&super::RULE, &f), vec![(Code::C010, "G13".into())]);
        let mut e = crate::rules::Emit::new(&f);
        super::check(&f, &mut e);
        assert_eq!(
            e.findings[0].message,
            "数量指标“个数”分值60，占全表分值100的60%，超过其余各项之和"
        );
    }

    #[test]
    fn half_or_less_or_a_single_indicator_pass() {
        // 产出 50 as one indicator: half, not more.
        let mut f = form();
        assert!(run(&super::RULE, &f).is_empty());
        f.indicators[0].weight = num("60", "G13");
        f.indicators.truncate(1);
        assert!(run(&super::RULE, &f).is_empty());
    }
}
