//! V002 数值单元格不是数字.

declare_rule! {
    /// What it checks: a 分值, 得分 or fund amount is not a number.
    ///
    /// Why it matters: it cannot be summed; jixiao does not guess a number.
    ///
    /// Example: `完成` typed in a 分值 cell.
    ///
    /// Where: reported by `extract` when reading number cells.
    V002, "数值单元格不是数字", crate::rules::Check::Reader
}
