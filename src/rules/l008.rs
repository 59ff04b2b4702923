//! L008 表头标签未识别.

declare_rule! {
    /// What it checks: a header of the funds or indicator table that jixiao's label vocabulary does not know. Reported once per text; the cells of its column are kept as unplaced, without one L004 each.
    ///
    /// Why it matters: a column jixiao cannot name is a column it cannot read; adding the wording to the vocabulary (`src/vocab.rs`) is one line.
    ///
    /// Example: 表头“指标解释”不在标签词表中，该列未读取，其下9个单元格列为未归位.
    ///
    /// Where: reported by `locate` and `extract` from the header rows.
    L008, "表头标签未识别", crate::rules::Check::Reader
}
