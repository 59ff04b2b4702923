//! L006 模板占位行.

// Reported by `extract` when planning an indicator block.
declare_rule! {
    /// 检查内容：指标表中留有模板的占位行（“指标1”“指标2：”“……”）且未填写；这些行不计为指标。
    ///
    /// 为何重要：若计为指标，会虚增指标个数，还会对本不需要填写的行报告缺值。
    ///
    /// 示例：模板占位行3行（D15、D16、D17）未填写，不计为指标。前缀后填了名称的（“指标1工程资金金额”）按“工程资金金额”读取，记为 V001。
    L006, "模板占位行", crate::rules::Check::Reader
}

use crate::model::Finding;
use crate::rules::At;

/// The template's placeholder rows left unfilled, by their name cells.
pub fn placeholder_rows(at: At, rows: &[crate::grid::Pos]) -> Finding {
    let cells: Vec<String> = rows.iter().map(|p| p.to_string()).collect();
    at.finding(
        crate::code::Code::L006,
        format!(
            "模板占位行{}行（{}）未填写，不计为指标",
            rows.len(),
            cells.join("、")
        ),
    )
}
