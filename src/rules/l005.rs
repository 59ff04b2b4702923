//! L005 缺少计分所需的列.

// Reported by `extract` from the columns the header rows name.
declare_rule! {
    /// 检查内容：自评表缺少某项计算所需的列：没有得分列（不算核算总分和等级）；没有分值列（跳过 S002、S004、S006、S008、S009 等分值检查，核算总分仍按得分计算）；没有年度指标值或实际完成值列（无法判断是否达标）；没有预算执行得分（核算总分只含指标得分）；或得分列一个得分也没填（视为未评分，不算核算总分，而不是当作0分）。
    ///
    /// 为何重要：用不存在的列算出的总分是错的；jixiao 只暂不计算缺少依据的那几项，并说明原因。
    ///
    /// 示例：湖北2020年样式的自评表没有分值列，提示“指标表没有分值列：跳过分值检查……，核算总分仍按得分计算”。
    L005, "缺少计分所需的列", crate::rules::Check::Reader
}

use crate::model::Finding;
use crate::model::Lack;
use crate::rules::At;

fn message(lack: Lack) -> String {
    match lack {
        Lack::ScoreColumn => "指标表没有得分列：不计算核算总分和等级".into(),
        Lack::WeightColumn => {
            "指标表没有分值列：跳过分值检查（S002、S004、S006、S008、S009），核算总分仍按得分计算"
                .into()
        }
        Lack::TargetColumn => "指标表没有年度指标值列：无法判断指标是否达成".into(),
        Lack::ActualColumn => "指标表没有实际完成值列：无法判断指标是否达成".into(),
        Lack::Scores => "得分全部为空（表格尚未自评打分）：不计算核算总分和等级".into(),
        Lack::Indicators => "指标表中未读到任何指标：不计算核算总分和等级".into(),
        Lack::ExecutionScore => {
            "没有预算执行得分（资金表无得分列，指标中也没有预算执行率）：核算总分仅含指标得分"
                .into()
        }
    }
}

/// What the form lacks to compute a figure, and which figures are not computed.
pub fn lacks(at: At, lack: Lack) -> Finding {
    at.finding(crate::code::Code::L005, message(lack))
}
