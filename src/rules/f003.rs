//! F003 执行率为空，已计算.

// Reported by `extract` when it derives the rate.
declare_rule! {
    /// 检查内容：执行率一栏为空，jixiao 按全年执行数 ÷ 全年预算数算出执行率。
    ///
    /// 为何重要：该执行率是算出的而非申报的，结果中会注明。无须处理，也可在原表中补填。
    ///
    /// 示例：执行率为空，已按全年执行数6÷全年预算数6计算为100%。
    F003, "执行率为空，已计算", crate::rules::Check::Reader
}

use crate::model::Finding;
use crate::rules::At;
use rust_decimal::Decimal;

/// An empty 执行率 computed as 全年执行数 `executed` ÷ 全年预算数 `full_year` = `rate`.
pub fn rate_computed(at: At, executed: Decimal, full_year: Decimal, rate: Decimal) -> Finding {
    at.finding(
        crate::code::Code::F003,
        format!(
            "执行率为空，已按全年执行数{}÷全年预算数{}计算为{}%",
            executed,
            full_year,
            crate::score::shown(crate::score::percent(rate))
        ),
    )
}
