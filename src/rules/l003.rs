//! L003 无法归属的指标值.

// Reported by `extract` when attaching values to indicators.
declare_rule! {
    /// 检查内容：某行没有三级指标名称，却填有年度指标值、分值或得分等，且所在二级指标下有几个指标，无法确定属于哪一个。
    ///
    /// 为何重要：不属于任何指标的值无法计分。请补上指标名称，或把值移到对应指标所在的行。
    ///
    /// 示例：有两个三级指标的二级指标下，一个空行里填了分值。
    L003, "无法归属的指标值", crate::rules::Check::Reader
}

use crate::model::Finding;
use crate::rules::At;

// Two cases, two messages: a row with values and no name, where the block has one
// indicator to give them to (said at the block's first name cell); and a value in such a
// row where the block has several (said at the value).

/// The 二级指标 block has values but no 三级指标 name (`at`: the block's first name cell).
pub fn no_name_row(at: At) -> Finding {
    at.finding(
        crate::code::Code::L003,
        "该二级指标下有指标值但没有三级指标名称".into(),
    )
}

/// A value (`role`, its text `raw`) in a row without a name, under a block of several
/// indicators (`at`: the value).
pub fn orphan_value(at: At, role: &str, raw: &str) -> Finding {
    at.finding(
        crate::code::Code::L003,
        format!(
            "{}“{}”所在行没有三级指标名称，且本二级指标下有多个指标，无法归属",
            role,
            crate::normalize::trim(raw)
        ),
    )
}
