//! F002 全年执行数超过全年预算数.

use crate::code::Code;
use crate::model::{Finding, Form};
use crate::rules::{At, Check, Emit};

declare_rule! {
    /// 检查内容：全年执行数大于全年预算数。
    ///
    /// 为何重要：超预算支出需要说明原因。
    ///
    /// 示例：全年预算数19.2，全年执行数20。
    F002, "全年执行数超过全年预算数", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    let t = &form.funds.total;
    if let (Some(full), Some(exec)) = (t.full_year.value, t.executed.value)
        && crate::score::exceeds(exec, full)
    {
        out.add(over_budget(out.at(t.executed.cell), exec, full));
    }
}

/// 全年执行数 `exec` over 全年预算数 `full`.
pub fn over_budget(at: At, exec: rust_decimal::Decimal, full: rust_decimal::Decimal) -> Finding {
    at.finding(Code::F002, format!("全年执行数{exec}超过全年预算数{full}"))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn spending_above_budget() {
        let mut f = form();
        f.funds.total.executed = num("12", "F6");
        assert_eq!(run(&super::RULE, &f), vec![(Code::F002, "F6".to_string())]);
        f.funds.total.executed = num("9.5", "F6");
        assert!(run(&super::RULE, &f).is_empty());
    }
}
