//! S012 有得分无分值.

use crate::code::Code;
use crate::model::{Finding, Form};
use crate::rules::{At, Check, Emit};

declare_rule! {
    /// 检查内容：表中有分值列，但某行填了得分、分值却为空（计分组共用的分值对组内各指标都算）。
    ///
    /// 为何重要：没有分值就无法核对得分，分值合计也对不上。请补填分值。
    ///
    /// 示例：服务对象满意度分值为空，得分10。
    S012, "有得分无分值", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    let t = &form.funds.total;
    let rows = std::iter::once(("执行率", &t.weight, &t.score, None)).chain(
        form.indicators.iter().map(|i| {
            (
                i.name.value.as_deref().unwrap_or("（无名称指标）"),
                &i.weight,
                &i.score,
                i.group,
            )
        }),
    );
    for (name, weight, score, group) in rows {
        if let (Some(s), None, Some(_), None) = (score.value, weight.value, weight.cell, group) {
            out.add(no_weight(out.at(weight.cell), name, s));
        }
    }
}

/// `name` (an indicator, or 执行率) has a score `s` and an empty weight.
pub fn no_weight(at: At, name: &str, s: rust_decimal::Decimal) -> Finding {
    at.finding(Code::S012, format!("“{name}”得分为{s}，但分值为空"))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn a_score_without_a_weight() {
        let mut f = form();
        f.indicators[2].weight = num("", "G15");
        assert_eq!(run(&super::RULE, &f), vec![(Code::S012, "G15".to_string())]);
    }

    #[test]
    fn no_weight_column_no_finding() {
        let mut f = form();
        f.indicators[2].weight = crate::model::Field::empty();
        assert!(run(&super::RULE, &f).is_empty());
    }
}
