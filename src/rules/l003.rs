//! L003 无法归属的指标值.

// Reported by `extract` when attaching values to indicators.
declare_rule! {
    /// 检查内容：某行没有三级指标名称，却填有年度指标值、分值或得分等，且所在二级指标下有几个指标，无法确定属于哪一个。
    ///
    /// 为何重要：不属于任何指标的值无法计分。请补上指标名称，或把值移到对应指标所在的行。
    ///
    /// 示例：有两个三级指标的二级指标下，一个空行里填了分值。
    L003, "无法归属的指标值", crate::rules::Check::Reader
}
