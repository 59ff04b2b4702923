//! V003 多行值已拆分或错位行已合并.

// Logged by `extract` in the change log (变更记录) for each split or joined value.
declare_rule! {
    /// 检查内容：跨几个指标的合并单元格中的多行值已拆分到各指标；错位行中的值已并入该二级指标下有名称的指标；或按指标性质、度量单位列合成了指标值。
    ///
    /// 为何重要：每个指标各得其值，并可在“变更记录”中追溯到原单元格。无须处理。
    ///
    /// 示例：“100%↵↵≥95%”合并覆盖两个质量指标行，拆为100%和≥95%（样例第2个项目）；第4个项目的时效指标值填在指标名称的上一行，已并入该指标。
    V003, "多行值已拆分或错位行已合并", crate::rules::Check::Reader
}

use crate::grid::Pos;
use crate::model::Change;
use crate::rules::At;

const CODE: crate::code::Code = crate::code::Code::V003;

/// A value (`role`, typed `raw`) in a row out of place, joined to the one indicator of
/// its block, whose name is at `name`.
pub fn joined(at: At, raw: &str, role: &str, name: Option<Pos>) -> Change {
    let name = name.map_or(String::new(), |c| c.to_string());
    at.change(
        CODE,
        raw,
        crate::normalize::trim(raw),
        format!("错位行的{role}并入{name}所在指标"),
    )
}

/// Line `n` (0-based) `line` of a multi-line cell `raw`, given to the indicator named at
/// `target`.
pub fn split(at: At, raw: &str, line: &str, n: usize, target: Option<Pos>) -> Change {
    let target = target.map_or(String::new(), |c| c.to_string());
    at.change(
        CODE,
        raw,
        line,
        format!("多行值拆分到第{}项（{}）", n + 1, target),
    )
}

/// A target or actual joined with the form's 指标性质 and 度量单位 columns.
pub fn combined(at: At, from: &str, to: &str) -> Change {
    at.change(CODE, from, to, "按指标性质和度量单位合成")
}
