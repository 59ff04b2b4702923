//! S008 定量指标已达标却扣分.

use crate::code::Code;
use crate::model::Form;
use crate::rules::{Check, Emit};

declare_rule! {
    /// What it checks: a quantitative indicator met its target but lost points.
    ///
    /// Why it matters: a met target earns full points.
    ///
    /// Example: target ≥16个, actual 17, 得分 8 of 10.
    S008, "定量指标已达标却扣分", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    for (i, w, s, met) in crate::score::judged(form) {
        if met && w - s >= crate::score::tolerance() {
            out.push(
                Code::S008,
                i.score.cell,
                format!(
                    "“{}”完成值{}达到指标值{}，但得分{s}低于分值{w}",
                    i.name.value.as_deref().unwrap_or(""),
                    i.actual.value.as_deref().unwrap_or(""),
                    i.target.value.as_deref().unwrap_or("")
                ),
            );
        }
    }
}

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
