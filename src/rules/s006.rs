//! S006 扣分未说明原因.

use crate::code::Code;
use crate::model::{Finding, Form};
use crate::rules::{At, Check, Emit};

declare_rule! {
    /// 检查内容：指标扣了分（得分小于分值），但偏差原因分析及改进措施为空，或只写了“无”“—”。
    ///
    /// 为何重要：办法要求每项扣分都说明原因。请补写偏差原因和改进措施。
    ///
    /// 示例：可持续影响指标分值10，得分9，偏差原因写“无”。
    S006, "扣分未说明原因", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    for i in &form.indicators {
        let (Some(w), Some(s)) = (i.weight.value, i.score.value) else {
            continue;
        };
        let reason = i.reason.value.as_deref().unwrap_or("");
        if crate::score::exceeds(w, s) && crate::normalize::is_no_reason(reason) {
            let level2 = i.level2.value.as_deref().unwrap_or("");
            let name = i.name.value.as_deref().unwrap_or("");
            out.add(no_reason(
                out.at(i.reason.cell.or(i.score.cell)),
                level2,
                name,
                w,
                s,
            ));
        }
    }
}

/// The indicator `name` under `level2` lost points (weight `w`, score `s`) and gives no
/// reason.
pub fn no_reason(at: At, level2: &str, name: &str, w: Decimal, s: Decimal) -> Finding {
    at.finding(
        Code::S006,
        format!(
            "{level2}“{name}”扣{}分（分值{w}，得分{s}），但未说明偏差原因",
            crate::score::shown(w.checked_sub(s))
        ),
    )
}

use rust_decimal::Decimal;

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn lost_points_need_a_reason() {
        let mut f = form();
        f.indicators[1].score = num("29", "H14");
        f.indicators[1].reason = text("无", "I14");
        assert_eq!(run(&super::RULE, &f), vec![(Code::S006, "I14".to_string())]);
    }

    #[test]
    fn a_reason_given_passes() {
        let mut f = form();
        f.indicators[1].score = num("29", "H14");
        f.indicators[1].reason = text("部分人员未回归，下年加强帮扶", "I14");
        assert!(run(&super::RULE, &f).is_empty());
    }
}
