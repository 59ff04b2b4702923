//! F006 金额单位换算为万元.

// Reported by `extract` when reading the funds table.
declare_rule! {
    /// 检查内容：资金表注明的金额单位不是万元（元、千元、亿元；见“项目资金（元）”、表头的“（元）”或“单位：元”），各金额已换算为万元，每个单元格的原值和新值记入变更记录。
    ///
    /// 为何重要：汇总以万元合计；若把以元填报的金额当作万元相加，合计会大一万倍。
    ///
    /// 示例：金额单位为元（B5“项目资金（元）”），已将9个金额换算为万元：全年预算数3876646.2元 → 387.66462万元。
    F006, "金额单位换算为万元", crate::rules::Check::Reader
}

use crate::grid::Pos;
use crate::model::Finding;
use crate::rules::At;
use crate::wording::MoneyUnit;

/// `n` amounts converted from `unit` to 万元; `stated`: the cell stating the unit and its
/// text, `None` when each amount carried its own unit.
pub fn converted(at: At, unit: MoneyUnit, stated: Option<(Pos, &str)>, n: usize) -> Finding {
    let whence = match stated {
        Some((p, t)) => format!("（{p}“{t}”）"),
        None => "（单元格中注明）".to_string(),
    };
    at.finding(
        crate::code::Code::F006,
        format!(
            "金额单位为{}{whence}，已将{n}个金额换算为万元（原值见变更记录）",
            unit.zh()
        ),
    )
}

/// An amount (`raw`) in `unit`, converted to `wan` 万元 (the change of its cell).
pub fn amount_converted(
    at: At,
    raw: &str,
    wan: rust_decimal::Decimal,
    unit: MoneyUnit,
) -> crate::model::Change {
    at.change(
        crate::code::Code::F006,
        raw,
        &wan.to_string(),
        format!("金额单位为{}，换算为万元", unit.zh()),
    )
}
