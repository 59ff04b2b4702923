//! C011 部门项目全部满分或总分相同.

use crate::code::Code;
use crate::model::{Finding, Form};
use crate::rules::{At, Check, Emit};
use crate::wording::label_key;
use rust_decimal::Decimal;

declare_rule! {
    /// 检查内容：同一主管部门的项目，核算总分全部是满分（至少2个项目），或全部相同（至少3个项目）。按核算总分（执行率得分加各指标得分）判断，申报总分与之不符的另见 S001；同一项目报送多份只算一个；有一个项目算不出总分的部门不判断。提示记在该部门第一张表的总分处，并列出各表编号。
    ///
    /// 为何重要：项目各有各的执行和产出，自评分数全部满分或一模一样，多半是照抄或没有逐项评价。抽查复核会把这样的部门列为重点，抽取其中的项目核实。
    ///
    /// 示例：主管部门“某局”的4个项目核算总分都是100（P0001、P0002、P0003、P0004）。
    C011, "部门项目全部满分或总分相同", Check::Batch(check)
}

/// At least this many projects for "all at full marks".
const MIN_FULL: usize = 2;
/// At least this many projects for "all at the same total" (two projects at one total
/// happen by chance).
const MIN_SAME: usize = 3;

/// The full marks of a form: its 总分 row's weight, or 100.
fn full_marks(f: &Form) -> Decimal {
    match f.weight_total.value {
        Some(w) if w > Decimal::ZERO => w,
        _ => Decimal::ONE_HUNDRED,
    }
}

fn check(forms: &[Form], out: &mut [Emit]) {
    // Each department's projects, a project sent twice (C005) once, in form order.
    let mut departments: Vec<(String, Vec<usize>)> = Vec::new();
    let mut index: crate::hashed::Map<String, usize> = Default::default();
    let mut seen: crate::hashed::Set<(String, Option<&str>, Option<i32>)> = Default::default();
    for (i, f) in forms.iter().enumerate() {
        let Some(d) = f.department.value.as_deref() else {
            continue;
        };
        let key = label_key(d);
        if key.is_empty() || !seen.insert((key.clone(), f.name.value.as_deref(), f.year.value)) {
            continue;
        }
        let k = *index.entry(key).or_insert_with(|| {
            departments.push((d.to_string(), Vec::new()));
            departments.len() - 1
        });
        departments[k].1.push(i);
    }
    for (name, members) in departments {
        let totals: Option<Vec<Decimal>> =
            members.iter().map(|&i| forms[i].computed_total).collect();
        let Some(totals) = totals else { continue };
        let first = &forms[members[0]];
        let ids: Vec<&str> = members.iter().map(|&i| forms[i].id.as_str()).collect();
        let at = At::sheet(&first.file, &first.sheet).cell(first.declared_total.cell);
        let all_full = members
            .iter()
            .zip(&totals)
            .all(|(&i, t)| crate::score::approx_eq(*t, full_marks(&forms[i])));
        if all_full && members.len() >= MIN_FULL {
            out[members[0]].add(all_full_marks(at, &name, &ids));
        } else if members.len() >= MIN_SAME
            && totals
                .iter()
                .all(|t| crate::score::approx_eq(*t, totals[0]))
        {
            out[members[0]].add(same_total(at, &name, &ids, totals[0]));
        }
    }
}

/// The forms `ids`, as a message lists them: the first ten, then how many more.
fn listed(ids: &[&str]) -> String {
    let mut s = ids[..ids.len().min(10)].join("、");
    if ids.len() > 10 {
        s.push_str(&format!("等{}张", ids.len()));
    }
    s
}

/// Every project of the department `department` (the forms `ids`) has full marks.
pub fn all_full_marks(at: At, department: &str, ids: &[&str]) -> Finding {
    at.finding(
        Code::C011,
        format!(
            "主管部门“{department}”的{}个项目核算总分全部为满分（{}），请抽查核实",
            ids.len(),
            listed(ids)
        ),
    )
}

/// Every project of the department `department` (the forms `ids`) has the total `total`.
pub fn same_total(at: At, department: &str, ids: &[&str], total: Decimal) -> Finding {
    at.finding(
        Code::C011,
        format!(
            "主管部门“{department}”的{}个项目核算总分都是{}（{}），请抽查核实",
            ids.len(),
            total.normalize(),
            listed(ids)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    /// `n` forms of `department`, the k-th with the indicator scores lowered by `cut[k]`.
    fn forms(department: &str, cuts: &[&str]) -> Vec<Form> {
        cuts.iter()
            .enumerate()
            .map(|(k, cut)| {
                let mut f = form();
                f.id = format!("P{:04}", k + 1);
                f.name = text(&format!("项目{k}"), "C3");
                f.department = text(department, "C4");
                let s = d("50") - d(cut);
                f.indicators[0].score = num(&s.to_string(), "H13");
                f.computed_total = crate::score::computed_total(&f);
                f
            })
            .collect()
    }

    fn found(forms: &[Form]) -> Vec<(usize, String, Option<String>)> {
        let mut emits: Vec<Emit> = forms.iter().map(Emit::new).collect();
        check(forms, &mut emits);
        emits
            .iter()
            .enumerate()
            .flat_map(|(i, e)| {
                e.findings
                    .iter()
                    .map(move |f| (i, f.message.clone(), f.project.as_deref().map(String::from)))
            })
            .collect()
    }

    #[test]
    fn a_department_all_at_full_marks_is_flagged_once_on_its_first_form() {
        let f = forms("某局", &["0", "0"]);
        assert_eq!(
            found(&f),
            [(
                0,
                "主管部门“某局”的2个项目核算总分全部为满分（P0001、P0002），请抽查核实".into(),
                None
            )]
        );
        let mut e: Vec<Emit> = f.iter().map(Emit::new).collect();
        check(&f, &mut e);
        assert_eq!(e[0].findings[0].cell, at("H16"));
    }

    #[test]
    fn a_department_all_at_one_total_is_flagged_from_three_projects() {
        let f = forms("某局", &["1", "1", "1"]);
        assert_eq!(
            found(&f)[0].1,
            "主管部门“某局”的3个项目核算总分都是99（P0001、P0002、P0003），请抽查核实"
        );
        assert!(
            found(&forms("某局", &["1", "1"])).is_empty(),
            "two by chance"
        );
    }

    #[test]
    fn totals_that_differ_one_project_or_a_copy_pass() {
        assert!(found(&forms("某局", &["1", "1", "11"])).is_empty());
        assert!(found(&forms("某局", &["0"])).is_empty());
        // The same project twice is one project.
        let mut f = forms("某局", &["0", "0"]);
        f[1].name = f[0].name.clone();
        assert!(found(&f).is_empty());
        // Two departments, one full form each.
        let mut f = forms("某局", &["0", "0"]);
        f[1].department = text("另一局", "C4");
        assert!(found(&f).is_empty());
        // A project without a total: not every project is known.
        let mut f = forms("某局", &["0", "0", "0"]);
        f[2].computed_total = None;
        assert!(found(&f).is_empty());
    }
}
