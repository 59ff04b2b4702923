//! C001 必填项为空.

use crate::code::Code;
use crate::model::{Finding, Form};
use crate::rules::{At, Check, Emit};

declare_rule! {
    /// 检查内容：必填项为空：项目名称（错误），主管部门、实施单位、预期目标、实际完成情况（警告）。
    ///
    /// 为何重要：自评表须写明是什么项目、由哪个单位实施、目标和完成情况如何。
    ///
    /// 示例：实施单位一栏空白。
    C001, "必填项为空", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    let fields = [
        ("项目名称", &form.name),
        ("主管部门", &form.department),
        ("实施单位", &form.implementer),
        ("预期目标", &form.goal.expected),
        ("实际完成情况", &form.goal.actual),
    ];
    for (label, f) in fields {
        if f.value.is_none() {
            out.add(empty(out.at(f.cell), label));
        }
    }
}

/// The required field `label` is empty.
pub fn empty(at: At, label: &str) -> Finding {
    let mut f = at.finding(Code::C001, format!("{label}为空"));
    // A form without a project name cannot be identified at all.
    if label == "项目名称" {
        f.severity = crate::model::Severity::Error;
    }
    f
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn empty_required_fields() {
        let mut f = form();
        f.implementer = text("", "H4");
        assert_eq!(run(&super::RULE, &f), vec![(Code::C001, "H4".to_string())]);
    }

    #[test]
    fn empty_name_is_an_error() {
        let mut f = form();
        f.name = text("", "C3");
        let mut e = crate::rules::Emit::new(&f);
        super::check(&f, &mut e);
        assert_eq!(e.findings[0].severity, crate::model::Severity::Error);
    }
}
