//! F001 资金来源合计不等于年度资金总额.

use crate::code::Code;
use crate::model::Form;
use crate::rules::{Check, Emit};

declare_rule! {
    /// 检查内容：当年财政拨款 + 上年结转资金 + 其他资金（以及表中列出的其他来源，如单位资金）不等于年度资金总额；年初预算数、全年预算数、全年执行数三列分别核对。
    ///
    /// 为何重要：资金表中各来源之和应等于年度资金总额。
    ///
    /// 示例：年度资金总额为7，各来源为6 + 0 + 0。
    F001, "资金来源合计不等于年度资金总额", Check::Form(check)
}

/// 当年财政拨款 + 上年结转资金 + 其他资金 against 年度资金总额, per amount column.
fn check(form: &Form, out: &mut Emit) {
    let f = &form.funds;
    let columns = [
        (
            "年初预算数",
            [
                &f.total.initial,
                &f.appropriation.initial,
                &f.carryover.initial,
                &f.other.initial,
            ],
        ),
        (
            "全年预算数",
            [
                &f.total.full_year,
                &f.appropriation.full_year,
                &f.carryover.full_year,
                &f.other.full_year,
            ],
        ),
        (
            "全年执行数",
            [
                &f.total.executed,
                &f.appropriation.executed,
                &f.carryover.executed,
                &f.other.executed,
            ],
        ),
    ];
    for (i, (label, [total, parts @ ..])) in columns.into_iter().enumerate() {
        let Some(t) = total.value else { continue };
        let more: Vec<&crate::model::Field<Decimal>> = f
            .more
            .iter()
            .map(|(_, r)| [&r.initial, &r.full_year, &r.executed][i])
            .collect();
        if parts.iter().chain(&more).all(|p| p.value.is_none()) {
            continue;
        }
        let more_sum = checked_sum(more.iter().filter_map(|p| p.value));
        let sum = checked_sum(parts.iter().filter_map(|p| p.value))
            .zip(more_sum)
            .and_then(|(s, m)| s.checked_add(m));
        let more_text = if more.is_empty() {
            String::new()
        } else {
            format!(" + 其他来源{}", shown(more_sum))
        };
        if !sum.is_some_and(|s| approx_eq(s, t)) {
            out.push(
                Code::F001,
                total.cell,
                format!(
                    "{label}：当年财政拨款{} + 上年结转资金{} + 其他资金{}{more_text} = {}，与年度资金总额{}不一致",
                    show(parts[0].value),
                    show(parts[1].value),
                    show(parts[2].value),
                    shown(sum),
                    t
                ),
            );
        }
    }
}

fn show(v: Option<Decimal>) -> String {
    v.map_or("0".into(), |d| d.to_string())
}

use crate::score::{approx_eq, checked_sum, shown};
use rust_decimal::Decimal;

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn sources_must_add_up() {
        let mut f = form();
        f.funds.carryover.full_year = num("2", "E8");
        assert_eq!(run(&super::RULE, &f), vec![(Code::F001, "E6".to_string())]);
    }

    #[test]
    fn sources_that_add_up_or_are_empty_pass() {
        let mut f = form();
        assert!(run(&super::RULE, &f).is_empty());
        f.funds.appropriation = Default::default();
        assert!(run(&super::RULE, &f).is_empty());
    }
}
