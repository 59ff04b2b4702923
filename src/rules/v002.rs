//! V002 数值单元格不是数字.

// Reported by `extract` when reading number cells.
declare_rule! {
    /// 检查内容：分值、得分或资金金额单元格里填的不是数字。
    ///
    /// 为何重要：无法参与合计，jixiao 也不猜测数字。请在原表中改为数字。
    ///
    /// 示例：分值单元格里填了“完成”：分值应为数字，实为“完成”。
    V002, "数值单元格不是数字", crate::rules::Check::Reader
}

use crate::model::Finding;
use crate::rules::At;

/// A cell that should hold a number (`what` names it) holds `raw`.
pub fn not_a_number(at: At, what: &str, raw: &str) -> Finding {
    at.finding(
        crate::code::Code::V002,
        format!("{what}应为数字，实为“{raw}”"),
    )
}

/// An amount (`what`, as typed `raw`) too large to convert to 万元.
pub fn out_of_range(at: At, what: &str, raw: &str) -> Finding {
    at.finding(
        crate::code::Code::V002,
        format!("{what}“{raw}”超出可计算范围，未读取"),
    )
}

/// A 执行率 that is not a percentage (`raw` as read).
pub fn not_a_rate(at: At, raw: &str) -> Finding {
    at.finding(
        crate::code::Code::V002,
        format!("执行率应为百分数，实为“{raw}”"),
    )
}
