//! C002 有指标值无实际完成值.

use crate::code::Code;
use crate::model::{Finding, Form};
use crate::rules::{At, Check, Emit};

declare_rule! {
    /// 检查内容：指标填了年度指标值，但实际完成值为空。
    ///
    /// 为何重要：没有实际完成值，就无法判断得分是否合理。请补填实际完成值。
    ///
    /// 示例：成本指标年度指标值30.0万元，实际完成值为空。
    C002, "有指标值无实际完成值", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    for i in &form.indicators {
        if let (Some(t), None) = (&i.target.value, &i.actual.value) {
            let name = i.name.value.as_deref().unwrap_or("");
            out.add(no_actual(out.at(i.actual.cell), name, t));
        }
    }
}

/// The indicator `name` has a target `target` and no actual value.
pub fn no_actual(at: At, name: &str, target: &str) -> Finding {
    at.finding(
        Code::C002,
        format!("“{name}”有年度指标值“{target}”，但实际完成值为空"),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn target_without_result() {
        let mut f = form();
        f.indicators[0].actual = text("", "F13");
        assert_eq!(run(&super::RULE, &f), vec![(Code::C002, "F13".to_string())]);
    }

    #[test]
    fn both_or_neither_pass() {
        let mut f = form();
        f.indicators[0].actual = text("", "F13");
        f.indicators[0].target = text("", "E13");
        assert!(run(&super::RULE, &f).is_empty());
    }
}
