//! S009 定量指标未达标却得满分.

use crate::code::Code;
use crate::model::Form;
use crate::rules::{Check, Emit};

declare_rule! {
    /// What it checks: a quantitative indicator missed its target but got full points.
    ///
    /// Why it matters: a missed target earns 完成值/指标值 × 分值.
    ///
    /// Example: target ≥95%, actual 90%, 得分 10 of 10.
    S009, "定量指标未达标却得满分", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    for (i, w, s, met) in crate::score::judged(form) {
        if !met && (w - s).abs() < crate::score::tolerance() {
            out.push(
                Code::S009,
                i.score.cell,
                format!(
                    "“{}”完成值{}未达到指标值{}，却得满分{s}",
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
    fn missed_but_full_points() {
        let mut f = form();
        f.indicators[2].actual = text("85%", "F15");
        assert_eq!(run(&super::RULE, &f), vec![(Code::S009, "H15".to_string())]);
    }

    #[test]
    fn met_and_full_points_pass() {
        assert!(run(&super::RULE, &form()).is_empty());
    }
}
