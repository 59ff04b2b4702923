//! S001 申报总分与核算总分不一致.

use crate::code::Code;
use crate::model::{Finding, Form};
use crate::rules::{At, Check, Emit};

declare_rule! {
    /// 检查内容：总分行的申报总分不等于执行率得分与各指标得分之和（几个指标共用的得分只算一次）。
    ///
    /// 为何重要：总分决定项目的评价等级（优、良、中、差）。请核对各项得分和总分。
    ///
    /// 示例：申报总分99与核算总分89不一致（执行率得分10 + 指标得分79）。
    S001, "申报总分与核算总分不一致", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    // No 得分 column, no computed total: nothing to compare (L005 says why).
    let (Some(declared), Some(computed)) = (form.declared_total.value, form.computed_total) else {
        return;
    };
    if !crate::score::approx_eq(declared, computed) {
        let exec = form.execution_score.unwrap_or_default();
        let ind = crate::score::indicator_score_sum(form);
        out.add(totals_differ(
            out.at(form.declared_total.cell),
            declared,
            computed,
            exec,
            ind,
        ));
    }
}

/// The declared total `declared` against the 核算总分 `computed` (执行率得分 `exec` plus the
/// indicators' `ind`).
pub fn totals_differ(
    at: At,
    declared: Decimal,
    computed: Decimal,
    exec: Decimal,
    ind: Option<Decimal>,
) -> Finding {
    at.finding(
        Code::S001,
        format!(
            "申报总分{declared}与核算总分{computed}不一致（执行率得分{} + 指标得分{}）",
            exec,
            crate::score::shown(ind)
        ),
    )
}

use rust_decimal::Decimal;

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn declared_total_must_add_up() {
        let mut f = form();
        f.declared_total = num("99", "H16");
        assert_eq!(run(&super::RULE, &f), vec![(Code::S001, "H16".to_string())]);
    }

    #[test]
    fn rounding_differences_pass() {
        let mut f = form();
        f.computed_total = Some(d("100.004"));
        assert!(run(&super::RULE, &f).is_empty());
    }
}
