//! V001 值已规范化.

declare_rule! {
    /// What it checks: a value typed with stray whitespace, full-width digits, units or a placeholder was normalized (e.g. a number typed as text).
    ///
    /// Why it matters: the cleaned value is what is summed and checked; the change is logged so an auditor can trace it.
    ///
    /// Example: 得分 typed as `⏎10` (a line break, then 10) is read as 10; `６万元` as 6; `—` as empty.
    ///
    /// Where: logged by `extract` in the change log (变更记录) for each normalized value.
    V001, "值已规范化", crate::rules::Check::Reader
}
