//! C005 项目重复出现.

use crate::model::Form;
use crate::rules::{Check, Emit};

declare_rule! {
    /// What it checks: the same project (name + 主管部门 + year) appears in more than one form.
    ///
    /// Why it matters: a project counted twice inflates the consolidation.
    ///
    /// Example: the same form sent in two files.
    "C005", Warning, "项目重复出现", Check::Batch(check)
}

/// Flags every form whose (name, 主管部门, year) appears in another form too.
fn check(forms: &[Form], out: &mut [Emit]) {
    let key = |f: &Form| {
        f.name
            .value
            .clone()
            .map(|n| (n, f.department.value.clone(), f.year.value))
    };
    let mut seen: std::collections::HashMap<(String, Option<String>, Option<i32>), Vec<usize>> =
        std::collections::HashMap::new();
    for (i, f) in forms.iter().enumerate() {
        if let Some(k) = key(f) {
            seen.entry(k).or_default().push(i);
        }
    }
    for (i, f) in forms.iter().enumerate() {
        let Some(k) = key(f) else { continue };
        let same = &seen[&k];
        if same.len() < 2 {
            continue;
        }
        let others: Vec<String> = same
            .iter()
            .filter(|j| **j != i)
            .map(|j| format!("{}（{} {}）", forms[*j].id, forms[*j].file, forms[*j].sheet))
            .collect();
        out[i].push(
            "C005",
            f.name.cell,
            format!("项目“{}”重复出现，另见{}", k.0, others.join("、")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

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
    }

    #[test]
    fn one_form_alone_passes() {
        assert!(run(&RULE, &form()).is_empty());
    }
}
