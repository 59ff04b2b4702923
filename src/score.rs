//! The scoring model of 财预〔2020〕10号 for self-evaluation, in exact decimals.
//!
//! Rules ask these questions; keeping the answers here means every rule scores the same way.

use crate::model::{Form, Indicator};
use crate::normalize::{Comparator, Quantity, parse_quantity};
use rust_decimal::Decimal;

/// Differences under this are rounding, not errors.
pub fn tolerance() -> Decimal {
    Decimal::new(5, 3)
}

/// True when two amounts or scores differ by less than 0.005.
pub fn approx_eq(declared: Decimal, computed: Decimal) -> bool {
    (declared - computed).abs() < tolerance()
}

/// True when a declared rate matches the exact one up to rounding, compared in percent:
/// within 0.005 points, or equal once the exact rate is rounded to the places the declared
/// one was written with (99% for 98.78% is rounded, not wrong; 100% for 90% is wrong).
pub fn rate_matches(declared: Decimal, exact: Decimal) -> bool {
    let d = (declared * Decimal::ONE_HUNDRED).normalize();
    let e = exact * Decimal::ONE_HUNDRED;
    approx_eq(d, e) || e.round_dp(d.scale()) == d
}

/// 全年执行数 / 全年预算数, exact, when both are there and the budget is not zero.
pub fn execution_rate(form: &Form) -> Option<Decimal> {
    let t = &form.funds.total;
    let (full, exec) = (t.full_year.value?, t.executed.value?);
    (!full.is_zero()).then(|| exec / full)
}

/// min(执行率, 100%) × 分值: what the 预算执行 得分 should be.
pub fn expected_execution_score(form: &Form) -> Option<Decimal> {
    let rate = form.execution_rate?;
    let weight = form.funds.total.weight.value?;
    Some((rate.min(Decimal::ONE) * weight).normalize())
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
/// as it sits on the group's first indicator only).
pub fn computed_total(form: &Form) -> Decimal {
    let scores = form.indicators.iter().filter_map(|i| i.score.value);
    (form.execution_score.unwrap_or_default() + scores.sum::<Decimal>()).normalize()
}

/// The sum of the indicator 得分, empty as 0.
pub fn indicator_score_sum(form: &Form) -> Decimal {
    form.indicators
        .iter()
        .filter_map(|i| i.score.value)
        .sum::<Decimal>()
        .normalize()
}

/// The one-level categories the 办法 weighs: 产出 (成本 counts with it), 效益, 满意度.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level1 {
    Output,
    Benefit,
    Satisfaction,
}

pub fn level1_of(label: &str) -> Option<Level1> {
    if label.contains("产出") || label.contains("成本") {
        Some(Level1::Output)
    } else if label.contains("效益") {
        Some(Level1::Benefit)
    } else if label.contains("满意") {
        Some(Level1::Satisfaction)
    } else {
        None
    }
}

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
pub fn target_met(ind: &Indicator) -> Option<bool> {
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
