//! E004 隐藏工作表中的自评表未汇总.

// Reported by `batch`: forms located on a hidden or very hidden sheet are not read.
declare_rule! {
    /// 检查内容：工作簿中被隐藏（或深度隐藏）的工作表里有自评表。这些自评表不读入、不计入汇总，每个这样的工作表报告一次，并说明其隐藏方式。
    ///
    /// 为何重要：隐藏的工作表多是上一年度的旧表、作废的草稿或计算过程，在 Excel 中看不到，报送人自己也未必记得；若照常汇总，同一项目会被重复或错误地计入。深度隐藏的工作表连 Excel 的“取消隐藏”都列不出来。如确需汇总，请在 Excel/WPS 中取消隐藏（或删除旧表）后重新报送、重新运行。
    ///
    /// 示例：工作表“2022年”已隐藏，其中的自评表未计入汇总；如需汇总请取消隐藏后重新运行。
    E004, "隐藏工作表中的自评表未汇总", crate::rules::Check::Reader
}

use crate::grid::Hidden;
use crate::model::Finding;
use crate::rules::At;

fn message(sheet: &str, how: Hidden, forms: usize) -> String {
    let these = if forms > 1 {
        format!("其中的 {forms} 张自评表")
    } else {
        "其中的自评表".into()
    };
    format!(
        "工作表“{}”{}，{these}未计入汇总；如需汇总请取消隐藏后重新运行",
        sheet,
        how.zh()
    )
}

/// A hidden sheet holding `forms` forms, which are not read (`at`: the sheet).
pub fn hidden(at: At, sheet: &str, how: Hidden, forms: usize) -> Finding {
    at.finding(crate::code::Code::E004, message(sheet, how, forms))
}

/// The same, as the note of the file's line in the run.
pub fn note(sheet: &str, how: Hidden, forms: usize) -> String {
    format!("{} [E004]", message(sheet, how, forms))
}
