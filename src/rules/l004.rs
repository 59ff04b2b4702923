//! L004 表内未归位的单元格.

declare_rule! {
    /// What it checks: a non-empty cell inside a form that belongs to no field; its text is kept in the output as unplaced.
    ///
    /// Why it matters: nothing typed in a form may be silently dropped.
    ///
    /// Example: a note typed right of the 偏差原因 column.
    ///
    /// Where: reported by `extract` when accounting for every cell.
    L004, "表内未归位的单元格", crate::rules::Check::Reader
}
