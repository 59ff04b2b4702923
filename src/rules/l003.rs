//! L003 无法归属的指标值.

declare_rule! {
    /// What it checks: values in an indicator row without a 三级指标 name that cannot be attached to a named row.
    ///
    /// Why it matters: a value that belongs to no indicator cannot be scored.
    ///
    /// Example: a 分值 typed in an empty row of a block that has two named indicators.
    ///
    /// Where: reported by `extract` when attaching values to indicators.
    L003, "无法归属的指标值", crate::rules::Check::Reader
}
