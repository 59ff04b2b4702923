//! E005 公式没有计算结果.

// Reported by `batch`: cells the readers give as `Value::Formula` (a formula saved
// without its result), counted once per workbook.
declare_rule! {
    /// 检查内容：工作簿中有公式单元格没有保存计算结果（由程序生成、未在 Excel/WPS 中打开保存过的文件常见）。每个文件报告一次，给出个数和第一个这样的单元格及其公式。
    ///
    /// 为何重要：没有计算结果，就无法知道 Excel 打开时显示的数值。jixiao 不会自行计算公式，也不会把它当作空白：落在得分、总分等数字栏的公式另报 V002，相应数字不予采用。请在 Excel/WPS 中打开该文件并保存，使公式结果写入文件，再重新报送、重新运行。
    ///
    /// 示例：由程序生成的自评表中，总分单元格只有公式“=SUM(H13:H29)”而没有保存结果，报告为：有1个公式单元格没有保存计算结果（如 H30 “=SUM(H13:H29)”），其值无法读取；请打开并保存后重新运行。同时该单元格报告总分应为数字（V002），总分不予采用。
    E005, "公式没有计算结果", crate::rules::Check::Reader
}

use crate::grid::{Grid, Pos, Value};
use crate::model::Finding;
use crate::rules::At;

/// The check: the formulas of the visible sheets saved without a result
/// ([`Value::Formula`]): how many, and the first one's sheet, cell and formula.
pub fn unsaved(grids: &[Grid]) -> Option<(usize, &str, Pos, &str)> {
    let mut all = grids.iter().filter(|g| g.hidden.is_none()).flat_map(|g| {
        g.non_empty().filter_map(move |(p, v)| match v {
            Value::Formula(f) => Some((g.sheet.as_str(), p, f.as_str())),
            _ => None,
        })
    });
    let (sheet, cell, formula) = all.next()?;
    Some((1 + all.count(), sheet, cell, formula))
}

fn message(n: usize, sheet: &str, cell: Pos, formula: &str) -> String {
    // A formula can be thousands of characters long: its start says which it is.
    let formula: String = match formula.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &formula[..i]),
        None => formula.to_string(),
    };
    format!(
        "有{n}个公式单元格没有保存计算结果（如 {sheet}!{cell} “={formula}”），其值无法读取；请在 Excel/WPS 中打开并保存后重新运行"
    )
}

/// `n` formulas without a result, the first at `at` (its sheet and cell).
pub fn unsaved_formulas(at: At, n: usize, sheet: &str, cell: Pos, formula: &str) -> Finding {
    at.finding(crate::code::Code::E005, message(n, sheet, cell, formula))
}

/// The same, as the note of the file's line in the run.
pub fn note(n: usize, sheet: &str, cell: Pos, formula: &str) -> String {
    format!("{} [E005]", message(n, sheet, cell, formula))
}
