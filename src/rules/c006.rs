//! C006 成本指标写成“≥”.

use crate::code::Code;
use crate::model::{Finding, Form, Indicator};
use crate::normalize::{Comparator, parse_quantity};
use crate::rules::{At, Check, Emit};

declare_rule! {
    /// 检查内容：成本指标的年度指标值写成“≥”“不低于”“以上”等下限（百分比的成本指标，如计划完成率，不在此列）。
    ///
    /// 为何重要：成本是上限，越低越好，应写“≤”；写成“≥”时，花得越多反而越“达标”，评分方向颠倒。抽查复核常把它列为指标设置不合理。请改为“≤”或“不超过”。
    ///
    /// 示例：成本指标“项目总成本”年度指标值写“≥90万元”，应为“≤90万元”。
    C006, "成本指标写成“≥”", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    for i in &form.indicators {
        if !i
            .level2
            .value
            .as_deref()
            .is_some_and(crate::wording::review::is_cost)
        {
            continue;
        }
        let Some(target) = i.target.value.as_deref() else {
            continue;
        };
        let Some(q) = parse_quantity(target) else {
            continue;
        };
        // A rate under 成本指标 (计划完成率 ≥90%) is a rate to reach.
        if q.unit != "%" && matches!(q.cmp, Comparator::AtLeast | Comparator::Above) {
            out.add(floor(out.at(i.target.cell), i));
        }
    }
}

/// The cost indicator `ind` states its target as a floor.
pub fn floor(at: At, ind: &Indicator) -> Finding {
    at.finding(
        Code::C006,
        format!(
            "成本指标“{}”的年度指标值“{}”是下限；成本应不超过指标值，宜写“≤”",
            ind.name.value.as_deref().unwrap_or(""),
            ind.target.value.as_deref().unwrap_or("")
        ),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    fn with_cost(target: &str) -> crate::model::Form {
        let mut f = form();
        f.indicators.push(ind(
            "产出指标",
            "成本指标",
            16,
            ["项目总成本", target, "90万元", "0", "0", ""],
        ));
        f
    }

    #[test]
    fn a_cost_floor_is_flagged() {
        for t in ["≥90万元", "不低于90万元", "90万元以上", ">90万元"] {
            assert_eq!(
                run(&super::RULE, &with_cost(t)),
                vec![(Code::C006, "E16".to_string())],
                "{t}"
            );
        }
    }

    #[test]
    fn a_cost_ceiling_or_a_rate_passes() {
        for t in ["≤90万元", "90万元", "不超过90万元", "≥90%", "符合相关规定"] {
            assert!(run(&super::RULE, &with_cost(t)).is_empty(), "{t}");
        }
        // ≥ under another 二级 is a quantity to reach.
        assert!(run(&super::RULE, &form()).is_empty());
    }

    #[test]
    fn the_message_names_indicator_and_target() {
        let f = with_cost("≥90万元");
        let mut e = crate::rules::Emit::new(&f);
        super::check(&f, &mut e);
        assert_eq!(
            e.findings[0].message,
            "成本指标“项目总成本”的年度指标值“≥90万元”是下限；成本应不超过指标值，宜写“≤”"
        );
    }
}
