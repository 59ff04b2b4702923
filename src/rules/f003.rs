//! F003 执行率为空，已计算.

declare_rule! {
    /// What it checks: 执行率 is empty; jixiao computed it as 全年执行数 / 全年预算数.
    ///
    /// Why it matters: the rate is derived, not declared, and is marked as such.
    ///
    /// Example: 6 / 6 → 100%.
    ///
    /// Where: reported by `extract` when it derives the rate.
    F003, "执行率为空，已计算", crate::rules::Check::Reader
}
