//! S003 得分为空.

use crate::code::Code;
use crate::model::{Finding, Form};
use crate::rules::{At, Check, Emit};

declare_rule! {
    /// 检查内容：填了分值，但得分为空。
    ///
    /// 为何重要：jixiao 不猜测缺少的得分，总分也就对不上。请补填得分。
    ///
    /// 示例：时效指标分值10，得分为空。
    S003, "得分为空", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    let t = &form.funds.total;
    if let (Some(w), None) = (t.weight.value, t.score.value) {
        out.add(execution_unscored(out.at(t.score.cell), w));
    }
    for i in &form.indicators {
        if let (Some(w), None) = (i.weight.value, i.score.value) {
            let name = i.name.value.as_deref().unwrap_or("（无名称指标）");
            let level2 = i.level2.value.as_deref().unwrap_or("");
            out.add(indicator_unscored(out.at(i.score.cell), level2, name, w));
        }
    }
}

/// The 执行率 has a weight `w` and no score.
pub fn execution_unscored(at: At, w: Decimal) -> Finding {
    at.finding(Code::S003, format!("执行率分值为{w}，但得分为空"))
}

/// The indicator `name` under `level2` has a weight `w` and no score.
pub fn indicator_unscored(at: At, level2: &str, name: &str, w: Decimal) -> Finding {
    at.finding(Code::S003, format!("{level2}“{name}”分值为{w}，但得分为空"))
}

use rust_decimal::Decimal;

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn empty_score_with_weight() {
        let mut f = form();
        f.indicators[0].score = num("", "H13");
        assert_eq!(run(&super::RULE, &f), vec![(Code::S003, "H13".to_string())]);
    }

    #[test]
    fn no_weight_no_finding() {
        let mut f = form();
        f.indicators[0].weight = num("", "G13");
        f.indicators[0].score = num("", "H13");
        assert!(run(&super::RULE, &f).is_empty());
    }
}
