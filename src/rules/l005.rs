//! L005 缺少计分所需的列.

declare_rule! {
    /// What it checks: a form lacks a column or section that a figure needs: the 得分 column (then no 核算总分 and no 等级), the 分值 column (the weight checks S002, S004, S006, S008, S009 are skipped; 核算总分 still adds the 得分), 年度指标值 or 实际完成值 (targets cannot be judged), or any 预算执行 score (核算总分 is the indicators' alone); or a 得分 column with not one 得分 filled in (the form was never scored: no 核算总分, rather than a 0 nobody gave).
    ///
    /// Why it matters: a total computed from a column that is not there is a wrong total; jixiao withholds exactly the figures that need what is missing, and says so.
    ///
    /// Example: a Hubei 2020 form with no 分值 column: 指标表没有分值列：跳过分值检查…，核算总分仍按得分计算.
    ///
    /// Where: reported by `extract` from the columns the header rows name.
    L005, "缺少计分所需的列", crate::rules::Check::Reader
}
