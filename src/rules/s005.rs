//! S005 总分值不是100.

use crate::code::Code;
use crate::model::{Finding, Form};
use crate::rules::{At, Check, Emit};

declare_rule! {
    /// 检查内容：总分行的分值（总分值）不是100。
    ///
    /// 为何重要：评价等级按满分100划分。
    ///
    /// 示例：总分值为110，不是100。
    S005, "总分值不是100", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    if let Some(t) = form.weight_total.value
        && t != rust_decimal::Decimal::ONE_HUNDRED
    {
        out.add(not_100(out.at(form.weight_total.cell), t));
    }
}

/// The form's total weight `t` is not 100.
pub fn not_100(at: At, t: rust_decimal::Decimal) -> Finding {
    at.finding(Code::S005, format!("总分值为{t}，不是100"))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn total_weight_not_100() {
        let mut f = form();
        f.weight_total = num("110", "G16");
        assert_eq!(run(&super::RULE, &f), vec![(Code::S005, "G16".to_string())]);
        f.weight_total = num("100.0", "G16");
        assert!(run(&super::RULE, &f).is_empty());
    }
}
