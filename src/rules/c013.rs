//! C013 满意度100%未说明调查方式.

use crate::code::Code;
use crate::model::{Finding, Form, Indicator};
use crate::normalize::parse_quantity;
use crate::rules::{At, Check, Emit};
use crate::wording::review;
use rust_decimal::Decimal;

declare_rule! {
    /// 检查内容：满意度指标的实际完成值为100%，而指标名称、年度指标值、实际完成值、偏差原因和总体目标的实际完成情况中都没有提到满意度是怎么得来的（问卷、调查、调研、测评、回访、走访、访谈、抽样、座谈、电话等）。
    ///
    /// 为何重要：满意度应来自对服务对象的调查；百分之百满意而说不出调查方式，抽查复核会要求提供问卷或调查记录，拿不出的按未开展调查扣分。请写明调查方式和样本（如“发放问卷200份，满意198份”）。
    ///
    /// 示例：服务对象满意度指标“社戒社康人员满意”年度指标值≥90%，实际完成值100%，偏差原因写“无”。
    C013, "满意度100%未说明调查方式", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    if form
        .goal
        .actual
        .value
        .as_deref()
        .is_some_and(review::names_survey)
    {
        return;
    }
    for i in &form.indicators {
        let Some(name) = i.name.value.as_deref() else {
            continue;
        };
        if !review::is_satisfaction(name) || !full(i) {
            continue;
        }
        let said = [&i.name, &i.target, &i.actual, &i.reason]
            .iter()
            .any(|f| f.value.as_deref().is_some_and(review::names_survey));
        if !said {
            out.add(no_survey(out.at(i.actual.cell), i));
        }
    }
}

/// Whether the actual value is 100 %: `100%`, or `100` bare.
fn full(i: &Indicator) -> bool {
    let Some(q) = i.actual.value.as_deref().and_then(parse_quantity) else {
        return false;
    };
    q.cmp == crate::normalize::Comparator::Equal
        && (q.unit == "%" && q.value == Decimal::ONE
            || q.unit.is_empty() && q.value == Decimal::ONE_HUNDRED)
}

/// The satisfaction indicator `ind` reports 100 % and names no survey.
pub fn no_survey(at: At, ind: &Indicator) -> Finding {
    at.finding(
        Code::C013,
        format!(
            "满意度指标“{}”实际完成值{}，但未说明调查方式（问卷、回访等）",
            ind.name.value.as_deref().unwrap_or(""),
            ind.actual.value.as_deref().unwrap_or("")
        ),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    fn full() -> crate::model::Form {
        let mut f = form();
        f.indicators[2].actual = text("100%", "F15");
        f
    }

    #[test]
    fn full_satisfaction_without_a_survey_is_flagged_at_the_actual() {
        assert_eq!(run(&super::RULE, &full()), vec![(Code::C013, "F15".into())]);
        let mut f = full();
        f.indicators[2].actual = text("100", "F15");
        assert_eq!(run(&super::RULE, &f).len(), 1, "100 bare");
    }

    #[test]
    fn a_survey_named_anywhere_or_less_than_full_passes() {
        assert!(run(&super::RULE, &form()).is_empty(), "95%");
        let mut f = full();
        f.indicators[2].reason = text("发放问卷200份，满意200份", "I15");
        assert!(run(&super::RULE, &f).is_empty());
        let mut f = full();
        f.indicators[2].name = text("市民满意度调查", "D15");
        assert!(run(&super::RULE, &f).is_empty());
        let mut f = full();
        f.goal.actual = text("经电话回访，群众满意", "F11");
        assert!(run(&super::RULE, &f).is_empty());
        let mut f = full();
        f.indicators[2].actual = text("≥100%", "F15");
        assert!(
            run(&super::RULE, &f).is_empty(),
            "a target copied, not a result"
        );
    }
}
