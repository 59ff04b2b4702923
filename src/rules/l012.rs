//! L012 同一含义的两列.

// Reported by `locate`/`extract` when two columns could fill one role.
declare_rule! {
    /// 检查内容：指标表中有两列都可作为同一字段（如“单项指标得分”与“单项指标折算得分”，“自评分”与“复核分”），按固定的优先顺序取其一，另一列的值列为未归位，不参与计分。
    ///
    /// 为何重要：取错一列，核算总分和等级就全错。提示说明取了哪一列，便于核对。
    ///
    /// 示例：得分取自“单项指标折算得分”列（H列），“单项指标得分”列（G列）未用于计分，其值列为未归位。
    L012, "同一含义的两列", crate::rules::Check::Reader
}

use crate::grid::Pos;
use crate::model::Finding;
use crate::rules::At;

/// Funds columns of one source (`chosen` and `others`, each with its header text): the
/// chosen one read into that source, the others as other sources.
pub fn competing_sources(at: At, chosen: (Pos, &str), others: &[(Pos, String)]) -> Finding {
    let name = |p: Pos, t: &str| format!("“{t}”（{p}）");
    let rest: Vec<String> = others.iter().map(|(p, t)| name(*p, t)).collect();
    at.finding(
        crate::code::Code::L012,
        format!(
            "资金来源{}与{}属于同一类，取{}填入该类，其余列为其他来源",
            name(chosen.0, chosen.1),
            rest.join("、"),
            chosen.0
        ),
    )
}

/// A column displaced by another of the same role (`kept`, `dropped`: each header cell
/// with its text); `n` of its cells kept as unplaced; `scored` when the role is 得分.
pub fn displaced_column(
    at: At,
    role: &str,
    kept: (Pos, &str),
    dropped: (Pos, &str),
    n: usize,
    scored: bool,
) -> Finding {
    let col = |p: Pos| crate::grid::col_name(p.col);
    let what = if scored {
        "未用于计分"
    } else {
        "未读取"
    };
    at.finding(
        crate::code::Code::L012,
        format!(
            "{}取自“{}”列（{}列），“{}”列（{}列）{what}，其{n}个单元格列为未归位",
            role,
            kept.1,
            col(kept.0),
            dropped.1,
            col(dropped.0),
        ),
    )
}
