//! L007 模板说明文字未删除.

declare_rule! {
    /// What it checks: a cell still holds the template's instruction for the filler (`对照年度目标，说明…（100字以内）`); it is read as empty, not as content.
    ///
    /// Why it matters: the instruction is not the department's answer: the field is in fact unfilled.
    ///
    /// Example: 实际完成情况 reading 对照年度目标，逐项说明完成情况（100字以内）.
    ///
    /// Where: reported by `extract` when cleaning a text.
    L007, "模板说明文字未删除", crate::rules::Check::Reader
}
