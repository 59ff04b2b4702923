//! L001 自评表缺少必需部分.

declare_rule! {
    /// What it checks: a form lacks its indicator header row (一级指标 … 得分) or its 总分 row. It is read as far as possible.
    ///
    /// Why it matters: without them indicators or the declared total cannot be read.
    ///
    /// Example: a form whose 总分 row was deleted.
    ///
    /// Where: reported by `extract` when a section is missing.
    L001, "自评表缺少必需部分", crate::rules::Check::Reader
}
