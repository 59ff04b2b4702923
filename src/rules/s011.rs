//! S011 执行率分值超过20.

use crate::code::Code;
use crate::model::{Finding, Form};
use crate::rules::{At, Check, Emit};
use rust_decimal::Decimal;

declare_rule! {
    /// 检查内容：预算执行的分值超过20（一般为10，有的为20）；等于100或等于总分值时，多半是把总分填到了执行率行。
    ///
    /// 为何重要：若把总分当作执行率的分值和得分读入，整张表的分数会算两遍。
    ///
    /// 示例：执行率行分值100、得分98：执行率分值为100，疑似把总分填在了执行率行。
    S011, "执行率分值超过20", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    let w = &form.funds.total.weight;
    let Some(v) = w.value else { return };
    if v <= Decimal::from(20) {
        return;
    }
    let looks_total = v >= Decimal::ONE_HUNDRED || form.weight_total.value == Some(v);
    out.add(execution_weight(out.at(w.cell), v, looks_total));
}

/// The 执行率's weight `v` is over 20; `looks_total` when it looks like the form's total.
pub fn execution_weight(at: At, v: Decimal, looks_total: bool) -> Finding {
    let hint = if looks_total {
        "，疑似把总分填在了执行率行"
    } else {
        "（一般为10分，至多20分）"
    };
    at.finding(Code::S011, format!("执行率分值为{v}{hint}"))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn a_total_in_the_rate_row() {
        let mut f = form();
        f.funds.total.weight = num("100", "G6");
        f.funds.total.score = num("98", "I6");
        assert_eq!(run(&super::RULE, &f), vec![(Code::S011, "G6".to_string())]);
    }

    #[test]
    fn twenty_points_pass() {
        let mut f = form();
        f.funds.total.weight = num("20", "G6");
        assert!(run(&super::RULE, &f).is_empty());
    }
}
