//! L009 表外单元格.

// Reported by `extract`: cells of a form's sheet above, between or below the forms.
declare_rule! {
    /// 检查内容：自评表所在工作表上，不属于任何一张自评表的非空单元格（上方另一张表的末尾、表下的签字栏、备注等），每一片连续的行报告一次，并列出其单元格。
    ///
    /// 为何重要：这些内容既不是本表的字段，也不能悄悄丢掉：可能是另一张表被截断后留下的指标和合计，也可能是需要核实的说明。它们都列为未归位，可在原表中逐格核对。
    ///
    /// 示例：自评表上方第1至4行有16个单元格不属于本表的任何字段（B1“产出指标”、C1“质量指标”、D1“验收合格率” ……），已列为未归位；可能是另一张表的内容，请核对。表下方的“评价结论”“备注”“注：”“填报人”等是表格自带的栏目，照常读取，不报告。
    L009, "表外单元格", crate::rules::Check::Reader
}

use crate::grid::Pos;
use crate::model::Finding;
use crate::rules::At;

/// A run of rows `rows` (first, last) above or below the form holding `n` cells that
/// belong to none of its fields; `shown`: the first cells (up to three) and their text.
pub fn outside_form(
    at: At,
    above: bool,
    rows: (u32, u32),
    n: usize,
    shown: &[(Pos, String)],
) -> Finding {
    let side = if above { "上方" } else { "下方" };
    let shown: Vec<String> = shown
        .iter()
        .map(|(p, t)| {
            let t: String = t.chars().take(20).collect();
            format!("{p}“{t}”")
        })
        .collect();
    let more = if n > 3 { " ……" } else { "" };
    let rows = if rows.0 == rows.1 {
        format!("第{}行", rows.0 + 1)
    } else {
        format!("第{}至{}行", rows.0 + 1, rows.1 + 1)
    };
    at.finding(
        crate::code::Code::L009,
        format!(
            "自评表{side}{rows}有{}个单元格不属于本表的任何字段（{}{more}），已列为未归位；可能是另一张表的内容，请核对",
            n,
            shown.join("、")
        ),
    )
}
