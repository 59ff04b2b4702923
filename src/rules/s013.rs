//! S013 申报总分超过总分值.

use crate::code::Code;
use crate::model::{Finding, Form};
use crate::rules::{At, Check, Emit};
use rust_decimal::Decimal;

declare_rule! {
    /// 检查内容：申报总分大于总分值（表中没有总分值时，大于100）。
    ///
    /// 为何重要：任何项目的得分都不能超过满分。
    ///
    /// 示例：总分行分值100，申报总分102：申报总分102超过总分值100。
    S013, "申报总分超过总分值", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    let Some(d) = form.declared_total.value else {
        return;
    };
    let max = form.weight_total.value.unwrap_or(Decimal::ONE_HUNDRED);
    if crate::score::exceeds(d, max) {
        out.add(over_max(out.at(form.declared_total.cell), d, max));
    }
}

/// The declared total `d` is over the total weight `max` (100 where not stated).
pub fn over_max(at: At, d: Decimal, max: Decimal) -> Finding {
    at.finding(Code::S013, format!("申报总分{d}超过总分值{max}"))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn above_the_total_weight() {
        let mut f = form();
        f.declared_total = num("102", "H16");
        assert_eq!(run(&super::RULE, &f), vec![(Code::S013, "H16".to_string())]);
        f.weight_total = num("", "G16");
        assert_eq!(run(&super::RULE, &f), vec![(Code::S013, "H16".to_string())]);
    }

    #[test]
    fn at_the_total_passes() {
        assert!(run(&super::RULE, &form()).is_empty());
    }
}
