//! F008 金额可能以元填报.

// Reported by `extract` after the funds are read.
declare_rule! {
    /// 检查内容：按万元读取的全年预算数超过10万万元（10亿元），对一个县级项目而言不合常理，可能实际以元填报。
    ///
    /// 为何重要：以元填报的金额按万元相加，汇总会大一万倍。请核实金额单位，并在表中注明（如“项目资金（元）”）。
    ///
    /// 示例：全年预算数387664.62万元超过100000万元，可能是以元填报，请核实金额单位。
    F008, "金额可能以元填报", crate::rules::Check::Reader
}

use crate::model::Finding;
use crate::rules::At;
use rust_decimal::Decimal;

/// Above this many 万元 (10亿元) one county project's amount is more likely 元 than 万元.
pub const IMPLAUSIBLE_WAN: i64 = 100_000;

/// The check: an amount read as 万元 too large for one project.
pub fn implausible(wan: Decimal) -> bool {
    wan.abs() > Decimal::from(IMPLAUSIBLE_WAN)
}

/// The first implausible amount of a form, `wan` 万元.
pub fn perhaps_yuan(at: At, wan: Decimal) -> Finding {
    at.finding(
        crate::code::Code::F008,
        format!("金额{wan}万元超过{IMPLAUSIBLE_WAN}万元（10亿元），可能是以元填报，请核实金额单位"),
    )
}
