//! The scoring model of 财预〔2020〕10号 for self-evaluation, in exact decimals.
//!
//! Rules ask these questions; keeping the answers here means every rule scores the same way.

use crate::model::{Form, Indicator};
use crate::normalize::{Comparator, Quantity, parse_quantity};
use rust_decimal::Decimal;

/// Differences under this are rounding, not errors.
pub(crate) fn tolerance() -> Decimal {
    Decimal::new(5, 3)
}

/// True when two amounts or scores differ by less than 0.005 (a difference too large for a
/// `Decimal`, as between two numbers near its limits of opposite sign, is not).
pub fn approx_eq(declared: Decimal, computed: Decimal) -> bool {
    declared
        .checked_sub(computed)
        .is_some_and(|d| d.abs() < tolerance())
}

/// True when `a` exceeds `b` by 0.005 or more; a difference too large for a `Decimal`
/// exceeds when `a` is the larger.
pub fn exceeds(a: Decimal, b: Decimal) -> bool {
    a.checked_sub(b).map_or(a > b, |d| d >= tolerance())
}

/// The sum of `values`, or `None` when it overflows a `Decimal` (numbers near
/// 79228162514264337593543950335 are not amounts, but they can be typed into a cell, and
/// `+` would panic and end the run).
pub fn checked_sum(values: impl IntoIterator<Item = Decimal>) -> Option<Decimal> {
    values
        .into_iter()
        .try_fold(Decimal::ZERO, Decimal::checked_add)
}

/// True when a declared rate matches the exact one up to rounding, compared in percent:
/// within 0.005 points, or equal once the exact rate is rounded to the places the declared
/// one was written with (99% for 98.78% is rounded, not wrong; 100% for 90% is wrong).
pub fn rate_matches(declared: Decimal, exact: Decimal) -> bool {
    let (Some(d), Some(e)) = (percent(declared), percent(exact)) else {
        // Too large to write in percent: only the same rate matches.
        return declared == exact;
    };
    let d = d.normalize();
    approx_eq(d, e) || e.round_dp(d.scale()) == d
}

/// A rate in percent, `None` when that overflows.
pub fn percent(rate: Decimal) -> Option<Decimal> {
    rate.checked_mul(Decimal::ONE_HUNDRED)
}

/// A computed figure as the messages print it: the number, or 超出可计算范围 when its
/// computation overflowed.
pub fn shown(v: Option<Decimal>) -> String {
    v.map_or_else(|| "超出可计算范围".into(), |d| d.normalize().to_string())
}

/// 全年执行数 / 全年预算数, exact, when both are there, the budget is not zero and the
/// quotient fits a `Decimal` (not 1 over 0.0000000000000000000000000001).
pub fn execution_rate(form: &Form) -> Option<Decimal> {
    let t = &form.funds.total;
    let (full, exec) = (t.full_year.value?, t.executed.value?);
    exec.checked_div(full)
}

/// min(执行率, 100%) × 分值: what the 预算执行 得分 should be.
pub fn expected_execution_score(form: &Form) -> Option<Decimal> {
    let rate = form.execution_rate?;
    let weight = form.funds.total.weight.value?;
    Some(rate.min(Decimal::ONE).checked_mul(weight)?.normalize())
}

/// The grade of the 办法 for a total: 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, else 差.
pub fn grade(total: Decimal) -> &'static str {
    match total {
        t if t >= Decimal::from(90) => "优",
        t if t >= Decimal::from(80) => "良",
        t if t >= Decimal::from(60) => "中",
        _ => "差",
    }
}

/// 执行率得分 plus every indicator's declared 得分, empty as 0 (a shared score counts once,
/// as it sits on the group's first indicator only); `None` when the sum overflows.
pub fn computed_total(form: &Form) -> Option<Decimal> {
    let exec = form.execution_score.unwrap_or_default();
    Some(exec.checked_add(indicator_score_sum(form)?)?.normalize())
}

/// A 核算总分 over the form's total weight: no grade (S014, which extraction reports).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Overrun {
    pub total: Decimal,
    /// The 总分 row's 分值, or 100 where the form does not state it.
    pub limit: Decimal,
    /// Whether the form states its total weight.
    pub stated: bool,
}

/// Scores a form once it is read: its 核算总分 when the scores behind it were read (an
/// indicator table with a 得分 column and at least one 得分 filled in: L005 said what is
/// missing otherwise), and its 等级, withheld (the [`Overrun`] returned, S014) when the
/// total exceeds the form's total weight (the 总分 row's 分值, or 100 where the form does
/// not state it): a grade from scores that cannot all be right would be a number without
/// ground.
pub(crate) fn assess(form: &mut Form) -> Option<Overrun> {
    use crate::model::Lack;
    let scored = ![Lack::ScoreColumn, Lack::Scores, Lack::Indicators]
        .iter()
        .any(|l| form.lacks(*l));
    form.computed_total = if scored { computed_total(form) } else { None };
    form.grade = None;
    let total = form.computed_total?;
    let (limit, stated) = match form.weight_total.value {
        Some(w) if w > Decimal::ZERO => (w, true),
        _ => (Decimal::ONE_HUNDRED, false),
    };
    if exceeds(total, limit) {
        return Some(Overrun {
            total,
            limit,
            stated,
        });
    }
    form.grade = Some(grade(total));
    None
}

/// The sum of the indicator 得分, empty as 0; `None` when it overflows.
pub fn indicator_score_sum(form: &Form) -> Option<Decimal> {
    let sum = checked_sum(form.indicators.iter().filter_map(|i| i.score.value))?;
    Some(sum.normalize())
}

pub use crate::wording::{Level1, level1_of};

/// The quantitative indicators scored on their own (not a shared group): each with its
/// 分值, 得分 and whether it met its target. What S008 and S009 judge.
pub fn judged(form: &Form) -> impl Iterator<Item = (&Indicator, Decimal, Decimal, bool)> {
    // Without a 分值 column there is no full mark to judge against (L005).
    let weighed = !form.lacks(crate::model::Lack::WeightColumn);
    form.indicators
        .iter()
        .filter(move |_| weighed)
        .filter(|i| i.group.is_none())
        .filter_map(|i| Some((i, i.weight.value?, i.score.value?, target_met(i)?)))
}

/// Whether a quantitative indicator met its target: `Some(true)`/`Some(false)` when both
/// target and actual are quantities in the same unit (or the actual has none), `None` for
/// qualitative ones, which are left to the filler's judgement.
pub(crate) fn target_met(ind: &Indicator) -> Option<bool> {
    let target = parse_quantity(ind.target.value.as_deref()?)?;
    let actual = parse_quantity(ind.actual.value.as_deref()?)?;
    if !actual.unit.is_empty() && actual.unit != target.unit {
        return None;
    }
    if actual.unit.is_empty() && target.unit == "%" {
        return None;
    }
    // A cost is a ceiling; a rate under 成本指标 (计划完成率 90%) is still a rate to reach.
    let cost = target.unit != "%"
        && ind
            .level2
            .value
            .as_deref()
            .is_some_and(|l| l.contains("成本"));
    Some(compare(&target, actual.value, cost))
}

fn compare(target: &Quantity, actual: Decimal, lower_is_better: bool) -> bool {
    let t = target.value;
    match target.cmp {
        Comparator::AtLeast => actual >= t,
        Comparator::Above => actual > t,
        Comparator::AtMost => actual <= t,
        Comparator::Below => actual < t,
        // A bare number is a quantity to reach; for costs, a ceiling.
        Comparator::Equal if lower_is_better => actual <= t,
        Comparator::Equal => actual >= t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Field;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn ind(l2: &str, target: &str, actual: &str) -> Indicator {
        Indicator {
            level2: Field::new(Some(l2.into()), None),
            target: Field::new(Some(target.into()), None),
            actual: Field::new(Some(actual.into()), None),
            ..Default::default()
        }
    }

    #[test]
    fn rounding_is_not_an_error() {
        assert!(approx_eq(d("89"), d("89.004")));
        assert!(!approx_eq(d("99"), d("89")));
        assert!(!approx_eq(d("9"), d("8.6")));
        assert!(rate_matches(d("0.99"), d("0.98777")));
        assert!(rate_matches(d("0.9878"), d("0.98777")));
        assert!(!rate_matches(d("1"), d("0.9")));
        assert!(!rate_matches(d("0.98"), d("0.98777")));
    }

    #[test]
    fn targets_met_or_missed() {
        assert_eq!(target_met(&ind("数量指标", "≥16个", "17")), Some(true));
        assert_eq!(target_met(&ind("数量指标", "≥16个", "15个")), Some(false));
        assert_eq!(target_met(&ind("满意度", "≥90%", "100%")), Some(true));
        assert_eq!(target_met(&ind("质量指标", "≥95%", "90%")), Some(false));
        assert_eq!(target_met(&ind("时效指标", "≤3天", "2天")), Some(true));
        assert_eq!(
            target_met(&ind("成本指标", "6万元每年", "6万元")),
            Some(true)
        );
        assert_eq!(target_met(&ind("成本指标", "6万元", "7万元")), Some(false));
        assert_eq!(target_met(&ind("成本指标", "90%", "60%")), Some(false));
        assert_eq!(target_met(&ind("数量指标", "80次", "完成")), None);
        assert_eq!(target_met(&ind("数量指标", "5场", "5人")), None);
    }

    #[test]
    fn grades() {
        assert_eq!(grade(d("99")), "优");
        assert_eq!(grade(d("90")), "优");
        assert_eq!(grade(d("89.99")), "良");
        assert_eq!(grade(d("60")), "中");
        assert_eq!(grade(d("59")), "差");
    }
}
