//! F007 未注明金额单位.

// Reported by `extract` when reading the funds table.
declare_rule! {
    /// 检查内容：资金表没有注明金额单位（标签、表头和“单位：”行中都没有），金额按万元读取。
    ///
    /// 为何重要：自评表的金额通常以万元填报，但也有以元填报的；没有注明单位时请核实，以免合计错误。
    ///
    /// 示例：资金表未注明金额单位，按万元读取。
    F007, "未注明金额单位", crate::rules::Check::Reader
}

use crate::model::Finding;
use crate::rules::At;

/// A funds table stating no unit: its amounts read as 万元.
pub fn no_unit(at: At) -> Finding {
    at.finding(
        crate::code::Code::F007,
        "资金表未注明金额单位（元或万元），金额按万元读取，请核实".into(),
    )
}
