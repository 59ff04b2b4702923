//! C014 定量指标以“完成”作实际完成值.

use crate::code::Code;
use crate::model::{Finding, Form, Indicator};
use crate::normalize::parse_quantity;
use crate::rules::{At, Check, Emit};
use crate::wording::review;

declare_rule! {
    /// 检查内容：年度指标值是一个数（80次、66.44万元、≥95%），实际完成值却只写“完成”“已完成”“达成”“达标”等，没有数。
    ///
    /// 为何重要：定量指标要用实际的数与指标值比较才能评分；只写“完成”，无从判断完成了多少、得分是否合理（定量指标的核对因此无法进行）。抽查复核会要求补充实际数。请填写实际完成的数量、金额或比率。
    ///
    /// 示例：数量指标“开展城市污水溯源监测”年度指标值80次，实际完成值“完成”。
    C014, "定量指标以“完成”作实际完成值", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    for i in &form.indicators {
        let (Some(target), Some(actual)) = (i.target.value.as_deref(), i.actual.value.as_deref())
        else {
            continue;
        };
        if review::is_done_word(actual) && parse_quantity(target).is_some() {
            out.add(done_only(out.at(i.actual.cell), i));
        }
    }
}

/// The quantitative indicator `ind` reports a word of completion for its actual value.
pub fn done_only(at: At, ind: &Indicator) -> Finding {
    at.finding(
        Code::C014,
        format!(
            "“{}”年度指标值为{}，实际完成值只写“{}”，没有实际数",
            ind.name.value.as_deref().unwrap_or(""),
            ind.target.value.as_deref().unwrap_or(""),
            ind.actual.value.as_deref().unwrap_or("")
        ),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn a_number_answered_with_a_word_is_flagged_at_the_actual() {
        for word in ["完成", "已完成", "达成预期指标", "达标。"] {
            let mut f = form();
            f.indicators[0].actual = text(word, "F13");
            assert_eq!(
                run(&super::RULE, &f),
                vec![(Code::C014, "F13".into())],
                "{word}"
            );
        }
    }

    #[test]
    fn a_figure_or_a_qualitative_target_passes() {
        assert!(run(&super::RULE, &form()).is_empty());
        let mut f = form();
        f.indicators[1].actual = text("完成", "F14");
        assert!(run(&super::RULE, &f).is_empty(), "明显 is no number");
        let mut f = form();
        f.indicators[0].actual = text("完成17个", "F13");
        assert!(run(&super::RULE, &f).is_empty(), "a figure given");
    }
}
