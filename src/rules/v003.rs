//! V003 多行值已拆分或错位行已合并.

declare_rule! {
    /// What it checks: a multi-line merged value was split across its indicators, or values in a misaligned row were joined to the block's named indicator.
    ///
    /// Why it matters: each indicator gets its own value, traceable to the original cell.
    ///
    /// Example: `100%⏎⏎≥95%` merged over two 质量指标 rows becomes 100% and ≥95% (project 2 of the seed); project 4's 时效指标 values typed one row above its name are joined to it.
    ///
    /// Where: logged by `extract` in the change log (变更记录) for each split or joined value.
    V003, "多行值已拆分或错位行已合并", crate::rules::Check::Reader
}
