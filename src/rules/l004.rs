//! L004 表内未归位的单元格.

// Reported by `extract` when accounting for every cell.
declare_rule! {
    /// 检查内容：自评表范围内有内容的单元格不属于任何栏目；其文字保留在结果中，列为“未归位”。
    ///
    /// 为何重要：表中填写的任何内容都不能悄悄丢掉；请看一下是否有用。
    ///
    /// 示例：偏差原因列右侧另写的备注。
    L004, "表内未归位的单元格", crate::rules::Check::Reader
}

use crate::model::Finding;
use crate::rules::At;

/// A cell of the form that no field took (`value` as read).
pub fn unplaced(at: At, value: &str) -> Finding {
    at.finding(
        crate::code::Code::L004,
        format!(
            "单元格内容“{}”不属于任何字段，已列为未归位",
            crate::normalize::trim(value)
        ),
    )
}
