//! C007 产出指标衡量的是资金.

use crate::code::Code;
use crate::model::{Finding, Form, Indicator};
use crate::normalize::parse_quantity;
use crate::rules::{At, Check, Emit};
use crate::wording::review;

declare_rule! {
    /// 检查内容：产出指标衡量的是花钱本身：产出指标下的预算执行率、资金支付率（名称含“执行率”“支付率”及“预算”“资金”“经费”等），或数量指标的指标值是金额（单位为元、万元，或名称为“资金”“经费”“金额”而指标值只是一个数）。成本指标本就是金额，不在此列。
    ///
    /// 为何重要：预算执行已单独计分（预算执行率一项），再列为产出是重复计分；数量指标应是做了多少事（人数、个数、公里），不是花了多少钱。抽查复核常把它列为指标设置不合理。请改为实际产出的数量。
    ///
    /// 示例：数量指标“工程资金金额”年度指标值43.2；时效指标“预算资金执行率”年度指标值90%。
    C007, "产出指标衡量的是资金", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    for i in &form.indicators {
        let output = i
            .level1
            .value
            .as_deref()
            .and_then(crate::wording::level1_of)
            == Some(crate::wording::Level1::Output);
        let level2 = i.level2.value.as_deref().unwrap_or("");
        let Some(name) = i.name.value.as_deref() else {
            continue;
        };
        if !output || review::is_cost(level2) {
            continue;
        }
        if review::is_spending_rate(name) {
            out.add(spending_rate(out.at(i.name.cell), level2, i));
        } else if review::is_quantity(level2) && counts_money(i, name) {
            out.add(money_quantity(out.at(i.target.cell), i));
        }
    }
}

/// A quantity indicator whose target is an amount: in a money unit, or a bare number
/// under a name of money.
fn counts_money(i: &Indicator, name: &str) -> bool {
    let Some(q) = i.target.value.as_deref().and_then(parse_quantity) else {
        return false;
    };
    let money_unit = crate::wording::MONEY_UNITS
        .iter()
        .any(|(w, _)| q.unit == *w)
        || q.unit == "万";
    money_unit || q.unit.is_empty() && review::names_money(name)
}

/// The 产出 indicator `ind` (under `level2`) is the budget's execution or payment rate.
pub fn spending_rate(at: At, level2: &str, ind: &Indicator) -> Finding {
    at.finding(
        Code::C007,
        format!(
            "{level2}“{}”衡量的是预算执行或资金支付，不是产出；预算执行已单独计分，请改为实际产出",
            ind.name.value.as_deref().unwrap_or("")
        ),
    )
}

/// The quantity indicator `ind` counts money.
pub fn money_quantity(at: At, ind: &Indicator) -> Finding {
    at.finding(
        Code::C007,
        format!(
            "数量指标“{}”的年度指标值“{}”是金额；数量指标应是做了多少事，金额宜列为成本指标",
            ind.name.value.as_deref().unwrap_or(""),
            ind.target.value.as_deref().unwrap_or("")
        ),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    fn with(l1: &str, l2: &str, name: &str, target: &str) -> crate::model::Form {
        let mut f = form();
        f.indicators
            .push(ind(l1, l2, 16, [name, target, target, "0", "0", ""]));
        f
    }

    #[test]
    fn a_spending_rate_under_output_is_flagged_at_its_name() {
        let f = with("产出指标", "时效指标", "预算资金执行率", "90%");
        assert_eq!(run(&super::RULE, &f), vec![(Code::C007, "D16".into())]);
        let f = with("产出指标", "质量指标", "资金支付率", "100%");
        assert_eq!(run(&super::RULE, &f), vec![(Code::C007, "D16".into())]);
    }

    #[test]
    fn money_as_a_quantity_is_flagged_at_its_target() {
        for (name, target) in [
            ("工程资金金额", "43.2"),
            ("卫片执法补助经费", "72890元"),
            ("发放补贴", "≥20万元"),
        ] {
            let f = with("产出指标", "数量指标", name, target);
            assert_eq!(
                run(&super::RULE, &f),
                vec![(Code::C007, "E16".into())],
                "{name}"
            );
        }
    }

    #[test]
    fn outputs_costs_and_other_categories_pass() {
        for (l1, l2, name, target) in [
            ("产出指标", "数量指标", "资金支持企业数", "5个"),
            ("产出指标", "数量指标", "保障人数", "2370"),
            ("产出指标", "成本指标", "项目资金", "20万元"),
            ("项目管理", "投入管理", "预算执行率", "100%"),
            ("产出指标", "时效指标", "资金到位及时率", "100%"),
            ("效益指标", "经济效益指标", "带动资金", "100万元"),
        ] {
            let f = with(l1, l2, name, target);
            assert!(run(&super::RULE, &f).is_empty(), "{name}");
        }
    }
}
