//! S003 得分为空.

use crate::code::Code;
use crate::model::Form;
use crate::rules::{Check, Emit};

declare_rule! {
    /// What it checks: an 得分 is empty where a 分值 is given.
    ///
    /// Why it matters: jixiao never guesses a missing score; the total then does not add up.
    ///
    /// Example: 时效指标 分值 10, 得分 empty.
    S003, "得分为空", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    let t = &form.funds.total;
    if let (Some(w), None) = (t.weight.value, t.score.value) {
        out.push(
            Code::S003,
            t.score.cell,
            format!("执行率分值为{w}，但得分为空"),
        );
    }
    for i in &form.indicators {
        if let (Some(w), None) = (i.weight.value, i.score.value) {
            let name = i.name.value.as_deref().unwrap_or("（无名称指标）");
            out.push(
                Code::S003,
                i.score.cell,
                format!(
                    "{}“{name}”分值为{w}，但得分为空",
                    i.level2.value.as_deref().unwrap_or("")
                ),
            );
        }
    }
}

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
