//! The rule catalogue: every finding jixiao can report, with a stable code.
//!
//! Codes are a contract (scripts and habits depend on them): a code never changes meaning
//! and a retired code is never reused. Each rule has a code, a severity, a Chinese title
//! and a doc (what it checks, why it matters, an example). `jixiao rules` prints them.

use crate::model::Severity;

/// One rule of the catalogue.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub code: &'static str,
    pub severity: Severity,
    /// Short title, in Chinese as the outputs print it.
    pub title: &'static str,
    /// What it checks, why it matters, an example.
    pub doc: &'static str,
}

use Severity::{Error, Info, Warning};

macro_rules! rules {
    ($($code:literal $sev:ident $title:literal $doc:literal;)*) => {
        /// Every rule, in code order.
        pub const CATALOGUE: &[Rule] = &[$(Rule { code: $code, severity: $sev, title: $title, doc: $doc }),*];
    };
}

rules! {
    "E001" Error "文件无法打开或已损坏" "What: the file cannot be opened: a truncated zip, a text file renamed .xlsx, an unknown format.\nWhy: nothing in it can be read; the sender must send it again.\nExample: 报表.xlsx cut off during e-mail transfer: 文件已损坏或不是表格文件。";
    "E002" Error "文件设有密码保护" "What: the workbook is encrypted with a password.\nWhy: its cells cannot be read without the password.\nExample: an .xlsx saved with 'Encrypt with password' in Excel.";
    "E003" Warning "工作簿中没有自评表" "What: no sheet holds the labels of a 项目支出绩效自评表 (项目名称, 一级指标, 总分).\nWhy: an unrelated file was sent, or the form is in an unexpected shape.\nExample: a payroll list sent by mistake.";
    "L001" Error "自评表缺少必需部分" "What: a form lacks its indicator header row (一级指标 … 得分) or its 总分 row. It is read as far as possible.\nWhy: without them indicators or the declared total cannot be read.\nExample: a form whose 总分 row was deleted.";
    "L002" Warning "多行值与指标行数不符" "What: a multi-line value spans several indicators but its lines do not match them one to one; it is kept whole and shared.\nWhy: jixiao never guesses which line belongs to which indicator.\nExample: 年度指标值 `100%\\n95%\\n90%` merged over two indicators.";
    "L003" Warning "无法归属的指标值" "What: values in an indicator row without a 三级指标 name that cannot be attached to a named row.\nWhy: a value that belongs to no indicator cannot be scored.\nExample: a 分值 typed in an empty row of a block that has two named indicators.";
    "L004" Warning "表内未归位的单元格" "What: a non-empty cell inside a form that belongs to no field; its text is kept in the output as unplaced.\nWhy: nothing typed in a form may be silently dropped.\nExample: a note typed right of the 偏差原因 column.";
    "V001" Info "值已规范化" "What: a value typed with stray whitespace, full-width digits, units or a placeholder was normalized (e.g. a number typed as text).\nWhy: the cleaned value is what is summed and checked; the change is logged so an auditor can trace it.\nExample: 得分 `\\n10` read as 10; `６万元` as 6; `—` as empty.";
    "V002" Error "数值单元格不是数字" "What: a 分值, 得分 or fund amount is not a number.\nWhy: it cannot be summed; jixiao does not guess a number.\nExample: `完成` typed in a 分值 cell.";
    "V003" Info "多行值已拆分或错位行已合并" "What: a multi-line merged value was split across its indicators, or values in a misaligned row were joined to the block's named indicator.\nWhy: each indicator gets its own value, traceable to the original cell.\nExample: `100%\\n\\n≥95%` merged over two 质量指标 rows becomes 100% and ≥95%.";
    "F001" Error "资金来源合计不等于年度资金总额" "What: 当年财政拨款 + 上年结转资金 + 其他资金 ≠ 年度资金总额, for any of the three amount columns.\nWhy: the fund table must add up.\nExample: 6 + 0 + 0 against a total of 7.";
    "F002" Warning "全年执行数超过全年预算数" "What: 全年执行数 > 全年预算数.\nWhy: spending above budget needs an explanation.\nExample: 全年预算数 19.2, 全年执行数 20.";
    "F003" Info "执行率为空，已计算" "What: 执行率 is empty; jixiao computed it as 全年执行数 / 全年预算数.\nWhy: the rate is derived, not declared, and is marked as such.\nExample: 6 / 6 → 100%.";
    "F004" Error "执行率与资金数不一致" "What: the declared 执行率 differs from 全年执行数 / 全年预算数.\nWhy: the rate drives the 预算执行 score.\nExample: 执行率 100% with 全年执行数 5 of 6.";
    "F005" Error "执行率得分计算有误" "What: the 执行率 得分 differs from min(执行率, 100%) × 分值.\nWhy: the budget-execution score is defined by the 办法.\nExample: 执行率 50%, 分值 10, 得分 10 (should be 5).";
    "S001" Error "申报总分与核算总分不一致" "What: the declared 总分 ≠ 执行率得分 + the sum of indicator 得分 (a shared score counts once).\nWhy: the total is what grades the project.\nExample: 申报总分99与核算总分89不一致（执行率得分10 + 指标得分79）.";
    "S002" Error "得分超过分值或为负" "What: an 得分 exceeds its 分值, or is negative.\nWhy: an indicator cannot score more than its weight.\nExample: 分值 10, 得分 12.";
    "S003" Error "得分为空" "What: an 得分 is empty where a 分值 is given.\nWhy: jixiao never guesses a missing score; the total then does not add up.\nExample: 时效指标 分值 10, 得分 empty.";
    "S004" Error "分值合计不等于总分值" "What: the 分值 (including 预算执行) do not add up to the total weight in the 总分 row.\nWhy: weights must cover exactly the total.\nExample: weights summing to 90 with 总分 100.";
    "S005" Warning "总分值不是100" "What: the total weight is not 100.\nWhy: grades assume a total of 100.\nExample: 总分 row weight 110.";
    "S006" Warning "扣分未说明原因" "What: an indicator lost points (得分 < 分值) and gives no deviation reason (empty, 无, —).\nWhy: the 办法 requires a reason for every lost point.\nExample: 可持续影响指标 分值 10, 得分 9, 偏差原因 无.";
    "S007" Info "一级指标权重与10/50/30/10不同" "What: the one-level weights differ from 预算执行 10 / 产出 50 / 效益 30 / 满意度 10.\nWhy: the 办法 sets these in principle; they may be adjusted, but a reviewer should know.\nExample: 10/40/40/10.";
    "S008" Warning "定量指标已达标却扣分" "What: a quantitative indicator met its target but lost points.\nWhy: a met target earns full points.\nExample: target ≥16个, actual 17, 得分 8 of 10.";
    "S009" Warning "定量指标未达标却得满分" "What: a quantitative indicator missed its target but got full points.\nWhy: a missed target earns 完成值/指标值 × 分值.\nExample: target ≥95%, actual 90%, 得分 10 of 10.";
    "C001" Warning "必填项为空" "What: a required field is empty: 项目名称 (error), 主管部门, 实施单位, 预期目标, 实际完成情况.\nWhy: a form must say what and whose it is.\nExample: 实施单位 left blank.";
    "C002" Warning "有指标值无实际完成值" "What: an indicator has a target but no 实际完成值.\nWhy: without the result the score cannot be judged.\nExample: 成本指标 30.0万元 with 实际完成值 empty.";
    "C003" Warning "同一二级指标下三级指标重名" "What: two indicators in one 二级 block share a name.\nWhy: usually a copy-paste slip; each indicator should say what it measures.\nExample: two 成本指标 both named 在册吸毒人员毛发检测.";
    "C004" Warning "成本指标合计与全年预算数不符" "What: the 成本指标 amounts in 万元 add up to something other than 全年预算数.\nWhy: cost indicators should account for the budget.\nExample: 30.0 + 13.9 + 28.8 = 72.7 against 73.6.";
    "C005" Warning "项目重复出现" "What: the same project (name + 主管部门 + year) appears in more than one form.\nWhy: a project counted twice inflates the consolidation.\nExample: the same form sent in two files.";
}

/// The rule with this code.
pub fn find(code: &str) -> Option<&'static Rule> {
    CATALOGUE.iter().find(|r| r.code.eq_ignore_ascii_case(code))
}

/// The severity of a code; unknown codes are errors so they are never hidden.
pub fn severity(code: &str) -> Severity {
    find(code).map_or(Error, |r| r.severity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_has_29_unique_codes_in_order() {
        assert_eq!(CATALOGUE.len(), 29);
        let mut codes: Vec<_> = CATALOGUE.iter().map(|r| r.code).collect();
        codes.dedup();
        assert_eq!(codes.len(), 29);
        for r in CATALOGUE {
            assert!(
                r.doc.contains("What:") && r.doc.contains("Example:"),
                "{}",
                r.code
            );
        }
        assert_eq!(severity("S001"), Error);
        assert_eq!(severity("C001"), Warning);
    }
}
