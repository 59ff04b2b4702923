//! S008 定量指标已达标却扣分.

use crate::code::Code;
use crate::model::{Finding, Form};
use crate::rules::{At, Check, Emit};

declare_rule! {
    /// 检查内容：定量指标的实际完成值达到了年度指标值，却没有得满分。
    ///
    /// 为何重要：达标的定量指标应得满分。
    ///
    /// 示例：年度指标值≥16个，实际完成值17个，分值10，得分8。
    S008, "定量指标已达标却扣分", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    for (i, w, s, met) in crate::score::judged(form) {
        if met && crate::score::exceeds(w, s) {
            out.add(met_not_full(out.at(i.score.cell), i, s, w));
        }
    }
}

/// The indicator `ind` met its target, yet its score `s` is below its weight `w`.
pub fn met_not_full(at: At, ind: &crate::model::Indicator, s: Decimal, w: Decimal) -> Finding {
    at.finding(
        Code::S008,
        format!(
            "“{}”完成值{}达到指标值{}，但得分{s}低于分值{w}",
            ind.name.value.as_deref().unwrap_or(""),
            ind.actual.value.as_deref().unwrap_or(""),
            ind.target.value.as_deref().unwrap_or("")
        ),
    )
}

use rust_decimal::Decimal;

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn met_but_lost_points() {
        let mut f = form();
        f.indicators[0].score = num("40", "H13");
        assert_eq!(run(&super::RULE, &f), vec![(Code::S008, "H13".to_string())]);
    }

    #[test]
    fn missed_and_lost_points_is_consistent() {
        let mut f = form();
        f.indicators[0].actual = text("12个", "F13");
        f.indicators[0].score = num("40", "H13");
        assert!(run(&super::RULE, &f).is_empty());
    }
}
