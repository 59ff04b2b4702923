//! F004 执行率与资金数不一致.

use crate::code::Code;
use crate::model::{Finding, Form};
use crate::rules::{At, Check, Emit};

declare_rule! {
    /// 检查内容：申报的执行率与全年执行数 ÷ 全年预算数不一致。
    ///
    /// 为何重要：执行率决定预算执行的得分。请核对执行率和资金数。
    ///
    /// 示例：执行率填100%，而全年执行数5、全年预算数6（应为83.33%）。
    F004, "执行率与资金数不一致", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    let t = &form.funds.total;
    let (Some(declared), Some(exact)) = (t.rate.value, crate::score::execution_rate(form)) else {
        return;
    };
    if !crate::score::rate_matches(declared, exact) {
        let (exec, full) = (
            t.executed.value.unwrap_or_default(),
            t.full_year.value.unwrap_or_default(),
        );
        out.add(rate_differs(
            out.at(t.rate.cell),
            declared,
            exec,
            full,
            exact,
        ));
    }
}

/// The declared 执行率 `declared` against 全年执行数 `exec` ÷ 全年预算数 `full` = `exact`.
pub fn rate_differs(
    at: At,
    declared: Decimal,
    exec: Decimal,
    full: Decimal,
    exact: Decimal,
) -> Finding {
    let pct = |d| crate::score::shown(crate::score::percent(d).map(|p| p.round_dp(2)));
    at.finding(
        Code::F004,
        format!(
            "申报执行率{}%与全年执行数{}÷全年预算数{} = {}%不一致",
            pct(declared),
            exec,
            full,
            pct(exact)
        ),
    )
}

use rust_decimal::Decimal;

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn declared_rate_must_match_funds() {
        let mut f = form();
        f.funds.total.executed = num("8", "F6");
        assert_eq!(run(&super::RULE, &f), vec![(Code::F004, "H6".to_string())]);
    }

    #[test]
    fn rounded_rate_passes() {
        let mut f = form();
        f.funds.total.full_year = num("73.6", "E6");
        f.funds.total.executed = num("72.7", "F6");
        f.funds.total.rate = num("0.99", "H6");
        assert!(run(&super::RULE, &f).is_empty());
        f.funds.total.rate = num("", "H6");
        assert!(run(&super::RULE, &f).is_empty());
    }
}
