//! L006 模板占位行.

declare_rule! {
    /// What it checks: template rows left in the indicator table with nothing filled in (`指标1`, `指标2：`, `……`); they are not counted as indicators.
    ///
    /// Why it matters: counted as indicators they would inflate the count and raise missing-value findings for rows nobody meant to fill.
    ///
    /// Example: 模板占位行3行（D15、D16、D17）未填写，不计为指标. A name typed after the prefix (`指标1工程资金金额`) is kept as 工程资金金额 (V001).
    ///
    /// Where: reported by `extract` when planning an indicator block.
    L006, "模板占位行", crate::rules::Check::Reader
}
