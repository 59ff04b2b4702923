//! F001 资金来源合计不等于年度资金总额.

use crate::code::Code;
use crate::model::{Finding, Form};
use crate::rules::{At, Check, Emit};

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
        if !sum.is_some_and(|s| approx_eq(s, t)) {
            let amounts = [parts[0].value, parts[1].value, parts[2].value];
            let more_sum = (!more.is_empty()).then_some(more_sum);
            out.add(sources_differ(
                out.at(total.cell),
                label,
                amounts,
                more_sum,
                sum,
                t,
            ));
        }
    }
}

fn show(v: Option<Decimal>) -> String {
    v.map_or("0".into(), |d| d.to_string())
}

use crate::score::{approx_eq, checked_sum, shown};
use rust_decimal::Decimal;

/// In the column `label`, the sources (当年财政拨款, 上年结转资金, 其他资金; `more`: the
/// further sources' sum, `None` without any) add up to `sum`, not the total `total`.
pub fn sources_differ(
    at: At,
    label: &str,
    sources: [Option<Decimal>; 3],
    more: Option<Option<Decimal>>,
    sum: Option<Decimal>,
    total: Decimal,
) -> Finding {
    let more_text = match more {
        None => String::new(),
        Some(m) => format!(" + 其他来源{}", shown(m)),
    };
    at.finding(
        Code::F001,
        format!(
            "{label}：当年财政拨款{} + 上年结转资金{} + 其他资金{}{more_text} = {}，与年度资金总额{}不一致",
            show(sources[0]),
            show(sources[1]),
            show(sources[2]),
            shown(sum),
            total
        ),
    )
}

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
