//! L002 多行值与指标行数不符.

declare_rule! {
    /// What it checks: a multi-line value spans several indicators but its lines do not match them one to one; it is kept whole and shared.
    ///
    /// Why it matters: jixiao never guesses which line belongs to which indicator.
    ///
    /// Example: 年度指标值 `100%⏎95%⏎90%` (three lines) merged over two indicators.
    ///
    /// Where: reported by `extract` when splitting multi-line values.
    L002, "多行值与指标行数不符", crate::rules::Check::Reader
}
