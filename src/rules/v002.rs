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
