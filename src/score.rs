//! The scoring model of 财预〔2020〕10号 for self-evaluation, in exact decimals, and the
//! 建议得分 of a scoring profile (`crate::profile`).
//!
//! Rules ask these questions; keeping the answers here means every rule scores the same way.

use crate::model::{Form, Indicator};
use crate::normalize::{Comparator, Quantity, parse_quantity};
use crate::profile::Profile;
use crate::wording::{Rating, rating_of};
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

/// What [`assess`] found for extraction to report: a total over the form's weight (S014)
/// and the self scores off their suggestion by more than the profile's tolerance (S015,
/// S016).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Assessed {
    pub overrun: Option<Overrun>,
    pub deviations: Vec<Deviation>,
}

/// Scores a form once it is read: its 核算总分 when the scores behind it were read (an
/// indicator table with a 得分 column and at least one 得分 filled in: L005 said what is
/// missing otherwise), and its 等级 by the profile's bands, withheld (the [`Overrun`]
/// returned, S014) when the total exceeds the form's total weight (the 总分 row's 分值, or
/// 100 where the form does not state it): a grade from scores that cannot all be right
/// would be a number without ground. Then the profile's 建议得分 ([`suggest`]).
pub(crate) fn assess(form: &mut Form, profile: &Profile) -> Assessed {
    use crate::model::Lack;
    let scored = ![Lack::ScoreColumn, Lack::Scores, Lack::Indicators]
        .iter()
        .any(|l| form.lacks(*l));
    form.computed_total = if scored { computed_total(form) } else { None };
    form.grade = None;
    let deviations = suggest(form, profile);
    let mut overrun = None;
    if let Some(total) = form.computed_total {
        let (limit, stated) = match form.weight_total.value {
            Some(w) if w > Decimal::ZERO => (w, true),
            _ => (Decimal::ONE_HUNDRED, false),
        };
        if exceeds(total, limit) {
            overrun = Some(Overrun {
                total,
                limit,
                stated,
            });
        } else {
            form.grade = Some(profile.grade(total));
        }
    }
    Assessed {
        overrun,
        deviations,
    }
}

/// How an indicator's 建议得分 was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// ≥, >, = or a bare number: completion over target.
    Positive,
    /// ≤, < or a bare amount under 成本指标: lower is better.
    Reverse,
    /// A qualitative indicator in this band.
    Qualitative(Rating),
    /// A scoring group: the mean of its indicators' shares.
    Group,
}

/// A self score off its suggestion by more than the profile's tolerance.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Deviation {
    /// The indicator (the group's first for a group).
    pub index: usize,
    pub score: Decimal,
    pub suggested: Decimal,
    /// The least the profile allows (a qualitative band's lower bound; the suggestion
    /// itself for a quantitative indicator).
    pub floor: Decimal,
    pub basis: Basis,
    /// Above the suggestion (S015), or under the floor (S016).
    pub above: bool,
}

/// One indicator's share of its weight by the profile: (lower, upper, basis, points off).
fn share(ind: &Indicator, profile: &Profile) -> Option<(Decimal, Decimal, Basis, Decimal)> {
    let t = ind.target.value.as_deref()?;
    let a = ind.actual.value.as_deref()?;
    let Some(target) = parse_quantity(t) else {
        // Qualitative: the actual states its band, or repeats the target word for word.
        if parse_quantity(a).is_some() {
            return None;
        }
        let same = crate::wording::key(a) == crate::wording::key(t);
        let r = rating_of(a).or(same.then_some(Rating::Achieved))?;
        let (lo, hi) = profile.band(r);
        return Some((lo, hi, Basis::Qualitative(r), Decimal::ZERO));
    };
    let (actual, cost) = comparable(ind, &target, a)?;
    let reverse = matches!(target.cmp, Comparator::AtMost | Comparator::Below)
        || (target.cmp == Comparator::Equal && cost);
    let (a, b) = (target.value, actual);
    if reverse {
        let f = profile.reverse(a, b)?;
        Some((f, f, Basis::Reverse, Decimal::ZERO))
    } else {
        let f = profile.positive(a, b)?;
        let off = if profile.over(a, b) {
            profile.over_deduction()
        } else {
            Decimal::ZERO
        };
        Some((f, f, Basis::Positive, off))
    }
}

/// `share × weight − off`, not below 0, rounded to two decimals as scores are written.
fn points(weight: Decimal, share: Decimal, off: Decimal) -> Option<Decimal> {
    let p = weight
        .checked_mul(share)?
        .checked_sub(off)?
        .max(Decimal::ZERO);
    Some(
        p.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            .normalize(),
    )
}

/// Fills every scored indicator's [`Indicator::suggested`] (a group's on its first
/// indicator, from the mean of its indicators' shares) and the form's
/// [`Form::suggested_total`]: the execution score (min(执行率, 100 %) × its 分值, the
/// profile's where the form states none; 0 where the form scores execution as an
/// indicator) plus the suggestions, capped by the profile's execution cap; `None` when a
/// scored indicator has no suggestion. Returns the self scores off their suggestion.
pub(crate) fn suggest(form: &mut Form, profile: &Profile) -> Vec<Deviation> {
    use crate::model::Lack;
    let mut found = Vec::new();
    let mut all = true;
    let mut sum = Some(Decimal::ZERO);
    let mut any = false;
    for i in 0..form.indicators.len() {
        form.indicators[i].suggested = None;
        let ind = &form.indicators[i];
        let Some(weight) = ind.weight.value else {
            continue;
        };
        any = true;
        let members: Vec<&Indicator> = match ind.group {
            Some(g) => form
                .indicators
                .iter()
                .filter(|x| x.group == Some(g))
                .collect(),
            None => vec![ind],
        };
        let shares: Option<Vec<_>> = members.iter().map(|m| share(m, profile)).collect();
        let Some(shares) = shares else {
            all = false;
            continue;
        };
        let n = Decimal::from(shares.len());
        let mean = |f: fn(&(Decimal, Decimal, Basis, Decimal)) -> Decimal| {
            checked_sum(shares.iter().map(f)).and_then(|s| s.checked_div(n))
        };
        let off = checked_sum(shares.iter().map(|s| s.3));
        let (Some(lo), Some(hi), Some(off)) = (mean(|s| s.0), mean(|s| s.1), off) else {
            all = false;
            continue;
        };
        let (Some(suggested), Some(floor)) = (points(weight, hi, off), points(weight, lo, off))
        else {
            all = false;
            continue;
        };
        let basis = if shares.len() > 1 {
            Basis::Group
        } else {
            shares[0].2
        };
        if let Some(score) = ind.score.value {
            let tol = profile.tolerance;
            let above = score.checked_sub(suggested).is_some_and(|d| d > tol);
            let below = floor.checked_sub(score).is_some_and(|d| d > tol);
            if above || below {
                found.push(Deviation {
                    index: i,
                    score,
                    suggested,
                    floor,
                    basis,
                    above,
                });
            }
        }
        sum = sum.and_then(|s| s.checked_add(suggested));
        form.indicators[i].suggested = Some(suggested);
    }
    form.suggested_total = None;
    if !any || !all {
        return found;
    }
    let rate = form.execution_rate;
    let exec = if form.lacks(Lack::ExecutionScore) {
        Some(Decimal::ZERO)
    } else {
        rate.and_then(|r| {
            let w = form
                .funds
                .total
                .weight
                .value
                .unwrap_or(profile.execution_weight);
            points(w, r.min(Decimal::ONE).max(Decimal::ZERO), Decimal::ZERO)
        })
    };
    let total = exec.zip(sum).and_then(|(e, s)| e.checked_add(s));
    form.suggested_total = total.map(|t| {
        let capped = match rate.and_then(|r| profile.cap_for(r)) {
            Some(c) => t.min(c),
            None => t,
        };
        capped.normalize()
    });
    found
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
    let (actual, cost) = comparable(ind, &target, ind.actual.value.as_deref()?)?;
    Some(compare(&target, actual, cost))
}

/// The actual's figure where it can be set against the quantitative `target` (the same
/// unit, or none where the target's is not %), and whether the indicator is a cost: a
/// ceiling. A rate under 成本指标 (计划完成率 90%) is still a rate to reach.
fn comparable(ind: &Indicator, target: &Quantity, actual: &str) -> Option<(Decimal, bool)> {
    let actual = parse_quantity(actual)?;
    if !actual.unit.is_empty() && actual.unit != target.unit {
        return None;
    }
    if actual.unit.is_empty() && target.unit == "%" {
        return None;
    }
    let cost = target.unit != "%"
        && ind
            .level2
            .value
            .as_deref()
            .is_some_and(|l| l.contains("成本"));
    Some((actual.value, cost))
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

#[cfg(test)]
mod suggestion_tests {
    use super::*;
    use crate::profile::{Profile, default_profile};
    use crate::rules::testing::{d, form, ind};

    fn with(profile_text: &str) -> Profile {
        Profile::parse(profile_text, Some(&default_profile())).unwrap()
    }

    #[test]
    fn a_sound_form_is_suggested_what_it_scored() {
        let mut f = form();
        let found = suggest(&mut f, &default_profile());
        assert!(found.is_empty());
        // ≥16个 with 17个: full 50; 明显 = 明显: 达成, the band's top 30; ≥90% with 95%: 10.
        let s: Vec<_> = f.indicators.iter().map(|i| i.suggested).collect();
        assert_eq!(s, [Some(d("50")), Some(d("30")), Some(d("10"))]);
        assert_eq!(f.suggested_total, Some(d("100")));
    }

    /// Reverse at 1.5 A (财预〔2020〕10号, 线性扣减): ≤160万元 with 240万元 is half of 10;
    /// with 386万元 (over 2 A) nothing; a self score of 10 is 自评偏高.
    #[test]
    fn reverse_at_one_and_a_half_the_target() {
        let mut f = form();
        f.indicators[0] = ind(
            "产出指标",
            "成本指标",
            13,
            ["成本", "≤160万元", "240万元", "50", "50", ""],
        );
        let found = suggest(&mut f, &default_profile());
        assert_eq!(f.indicators[0].suggested, Some(d("25")));
        assert_eq!(found.len(), 1);
        assert!(found[0].above);
        assert_eq!((found[0].score, found[0].suggested), (d("50"), d("25")));
        assert_eq!(f.suggested_total, Some(d("75")));
        f.indicators[0].actual.value = Some("386万元".into());
        suggest(&mut f, &default_profile());
        assert_eq!(f.indicators[0].suggested, Some(d("0")));
        // 按比例 (A/B): 160/240 × 50 = 33.33.
        f.indicators[0].actual.value = Some("240万元".into());
        suggest(&mut f, &with("名称 = 比例\n反向指标 = 按比例"));
        assert_eq!(f.indicators[0].suggested, Some(d("33.33")));
    }

    /// Positive: ≥95% with 90% is 90/95 × 10 = 9.47; a bare amount under 成本指标 is a
    /// ceiling (6万元 with 6万元 full).
    #[test]
    fn positive_by_proportion_and_costs_as_ceilings() {
        let mut f = form();
        f.indicators[2] = ind(
            "满意度指标",
            "服务对象满意度指标",
            15,
            ["满意", "≥95%", "90%", "10", "10", ""],
        );
        f.indicators[0] = ind(
            "产出指标",
            "成本指标",
            13,
            ["成本", "6万元每年", "6万元", "50", "50", ""],
        );
        let found = suggest(&mut f, &default_profile());
        assert_eq!(f.indicators[2].suggested, Some(d("9.47")));
        assert_eq!(f.indicators[0].suggested, Some(d("50")));
        // 10 over 9.47 is 0.53, past the tolerance of 0.5.
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].index, 2);
        assert!(found[0].above);
    }

    /// Qualitative bands: 部分达成 of 30 is 18–24 (the suggestion 24); a 20 is inside the
    /// band, a 17 is under it (S016), a 25 over its top (S015).
    #[test]
    fn qualitative_bands() {
        let mut f = form();
        f.indicators[1].actual.value = Some("部分达成".into());
        for (score, found) in [("20", None), ("17", Some(false)), ("25", Some(true))] {
            f.indicators[1].score.value = Some(d(score));
            let dev = suggest(&mut f, &default_profile());
            assert_eq!(f.indicators[1].suggested, Some(d("24")));
            assert_eq!(dev.first().map(|x| x.above), found, "{score}");
            if let Some(x) = dev.first() {
                assert_eq!(x.floor, d("18"));
                assert_eq!(x.basis, Basis::Qualitative(Rating::Partial));
            }
        }
        // 一般 is 未达成 (0–60 %): 18 at most; a text that is no band has no suggestion, and
        // then no 建议总分.
        f.indicators[1].actual.value = Some("一般".into());
        suggest(&mut f, &default_profile());
        assert_eq!(f.indicators[1].suggested, Some(d("18")));
        f.indicators[1].actual.value = Some("有所改善".into());
        suggest(&mut f, &default_profile());
        assert_eq!(f.indicators[1].suggested, None);
        assert_eq!(f.suggested_total, None);
    }

    /// A profile with the execution cap and 扣2分 over target: 17个 of ≥10个 is 170 % (over
    /// 130 %): 50 − 2 = 48; execution 65 % (6.5 of 10) caps 6.5 + 48 + 30 + 10 = 94.5 at 79.
    #[test]
    fn execution_cap_and_over_target_deduction() {
        let p =
            with("名称 = 一体化\n超额完成 = 扣2分\n执行率封顶 = 80% 89，70% 79，60% 69，50% 59");
        let mut f = form();
        f.indicators[0].target.value = Some("≥10个".into());
        f.execution_rate = Some(d("0.65"));
        suggest(&mut f, &p);
        assert_eq!(f.indicators[0].suggested, Some(d("48")));
        assert_eq!(f.suggested_total, Some(d("79")));
        // Under the default (须说明, no cap): 6.5 + 50 + 30 + 10.
        suggest(&mut f, &default_profile());
        assert_eq!(f.indicators[0].suggested, Some(d("50")));
        assert_eq!(f.suggested_total, Some(d("96.5")));
        // 湖北2020 scores execution out of 20 where the form states no 分值.
        f.funds.total.weight.value = None;
        suggest(&mut f, &crate::profile::find("湖北2020").unwrap());
        assert_eq!(f.suggested_total, Some(d("103")));
    }

    /// A scoring group is suggested on its first indicator, from the mean of its shares:
    /// 100% of 100% (1) and 90% of ≥95% (0.947368…) → 0.973684… × 10 = 9.74.
    #[test]
    fn a_group_on_its_first_indicator() {
        let mut f = form();
        let mut a = ind(
            "产出指标",
            "质量指标",
            13,
            ["率一", "100%", "100%", "10", "10", ""],
        );
        let mut b = ind(
            "产出指标",
            "质量指标",
            14,
            ["率二", "≥95%", "90%", "", "", ""],
        );
        a.group = Some(1);
        b.group = Some(1);
        f.indicators = vec![a, b].into();
        let found = suggest(&mut f, &default_profile());
        assert_eq!(f.indicators[0].suggested, Some(d("9.74")));
        assert_eq!(f.indicators[1].suggested, None);
        assert!(found.is_empty());
        assert_eq!(f.suggested_total, Some(d("19.74")));
    }
}
