//! C005 项目重复出现.

use crate::code::Code;
use crate::model::{Finding, Form};
use crate::rules::{At, Check, Emit};

declare_rule! {
    /// 检查内容：同一项目（项目名称、主管部门、年度均相同）出现在多张自评表中。
    ///
    /// 为何重要：重复计入的项目会使汇总数虚增。请只保留一份。
    ///
    /// 示例：同一张自评表放在两个文件里报送。
    C005, "项目重复出现", Check::Batch(check)
}

/// A form's identity for C005: 项目名称, 主管部门 and 年度 (none without a name).
type Key<'a> = (&'a str, Option<&'a str>, Option<i32>);

/// The forms of each identity, in form order. Keys borrow from the forms.
fn copies(forms: &[Form]) -> crate::hashed::Map<Key<'_>, Vec<usize>> {
    let mut seen: crate::hashed::Map<Key, Vec<usize>> = Default::default();
    for (i, f) in forms.iter().enumerate() {
        if let Some(n) = f.name.value.as_deref() {
            seen.entry((n, f.department.value.as_deref(), f.year.value))
                .or_default()
                .push(i);
        }
    }
    seen
}

/// The forms of each project found more than once, each group in form order, the groups
/// by their first form: [`crate::model::Batch::duplicates`], which 汇总, 部门汇总 and the
/// JSON read.
pub(crate) fn duplicate_groups(forms: &[Form]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = copies(forms)
        .into_values()
        .filter(|v| v.len() > 1)
        .collect();
    groups.sort_unstable_by_key(|g| g[0]);
    groups
}

/// Flags every form whose (name, 主管部门, year) appears in another form too.
fn check(forms: &[Form], out: &mut [Emit]) {
    for ((name, ..), same) in copies(forms) {
        if same.len() < 2 {
            continue;
        }
        for &i in &same {
            // Name one other copy (the first one that is not this form) and count the
            // rest, so n copies cost n short messages, not n² names.
            let first = if same[0] == i { same[1] } else { same[0] };
            let at = out[i].at(forms[i].name.cell);
            let f = duplicate(at, name, &forms[first], same.len() - 1);
            out[i].add(f);
        }
    }
}

/// `2499` → `2,499`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The project `name` also on `other` and, in all, on `others` other forms.
pub fn duplicate(at: At, name: &str, other: &Form, others: usize) -> Finding {
    let mut msg = format!(
        "项目“{name}”重复出现，另见{}（{} {}）",
        other.id, other.file, other.sheet
    );
    if others > 1 {
        msg.push_str(&format!("等{}处", thousands(others)));
    }
    at.finding(Code::C005, msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    /// The copies beyond the first of each project ([`crate::model::Batch::extra_copies`]).
    fn extra_copies(forms: &[Form]) -> usize {
        duplicate_groups(forms).iter().map(|g| g.len() - 1).sum()
    }

    #[test]
    fn the_same_project_twice_flags_both() {
        let a = form();
        let mut b = form();
        b.id = "P0002".into();
        let mut c = form();
        c.id = "P0003".into();
        c.year.value = Some(2024);
        let forms = [a, b, c];
        let mut emits: Vec<Emit> = forms.iter().map(Emit::new).collect();
        check(&forms, &mut emits);
        let n: Vec<usize> = emits.iter().map(|e| e.findings.len()).collect();
        assert_eq!(n, [1, 1, 0]);
        assert_eq!(emits[0].findings[0].cell, at("C3"));
        assert_eq!(extra_copies(&forms), 1);
    }

    #[test]
    fn many_copies_name_the_first_and_count_the_rest() {
        let forms: Vec<Form> = (1..=2500)
            .map(|i| {
                let mut f = form();
                f.id = format!("P{i:04}");
                f
            })
            .collect();
        let mut emits: Vec<Emit> = forms.iter().map(Emit::new).collect();
        check(&forms, &mut emits);
        let msg = |i: usize| emits[i].findings[0].message.clone();
        let name = forms[0].name.value.clone().unwrap();
        let (file, sheet) = (&forms[0].file, &forms[0].sheet);
        assert_eq!(
            msg(0),
            format!("项目“{name}”重复出现，另见P0002（{file} {sheet}）等2,499处")
        );
        assert_eq!(
            msg(4),
            format!("项目“{name}”重复出现，另见P0001（{file} {sheet}）等2,499处")
        );
        assert!(emits.iter().all(|e| e.findings.len() == 1));
        assert_eq!(extra_copies(&forms), 2499);
    }

    #[test]
    fn two_copies_name_each_other_without_a_count() {
        let a = form();
        let mut b = form();
        b.id = "P0002".into();
        let forms = [a, b];
        let mut emits: Vec<Emit> = forms.iter().map(Emit::new).collect();
        check(&forms, &mut emits);
        let name = forms[0].name.value.clone().unwrap();
        let (file, sheet) = (&forms[0].file, &forms[0].sheet);
        assert_eq!(
            emits[0].findings[0].message,
            format!("项目“{name}”重复出现，另见P0002（{file} {sheet}）")
        );
        assert_eq!(
            emits[1].findings[0].message,
            format!(
                "项目“{name}”重复出现，另见{}（{file} {sheet}）",
                forms[0].id
            )
        );
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(2499), "2,499");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn one_form_alone_passes() {
        assert!(run(&RULE, &form()).is_empty());
    }
}
