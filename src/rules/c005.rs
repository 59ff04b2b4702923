//! C005 项目重复出现.

use crate::code::Code;
use crate::model::Form;
use crate::rules::{Check, Emit};

declare_rule! {
    /// 检查内容：同一项目（项目名称、主管部门、年度均相同）出现在多张自评表中。
    ///
    /// 为何重要：重复计入的项目会使汇总数虚增。请只保留一份。
    ///
    /// 示例：同一张自评表放在两个文件里报送。
    C005, "项目重复出现", Check::Batch(check)
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
        // Name one other copy (the first one that is not this form) and count the rest,
        // so n copies cost n short messages, not n² names.
        let first = if same[0] == i { same[1] } else { same[0] };
        let g = &forms[first];
        let mut msg = format!(
            "项目“{}”重复出现，另见{}（{} {}）",
            k.0, g.id, g.file, g.sheet
        );
        let others = same.len() - 1;
        if others > 1 {
            msg.push_str(&format!("等{}处", thousands(others)));
        }
        out[i].push(Code::C005, f.name.cell, msg);
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
