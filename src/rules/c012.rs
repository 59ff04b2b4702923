//! C012 指标文字与其他部门的表相同.

use crate::code::Code;
use crate::model::{Finding, Form, Indicator};
use crate::rules::{At, Check, Emit};
use crate::wording::{label_key, review};
use rayon::prelude::*;
use std::collections::HashMap;

declare_rule! {
    /// 检查内容：一个三级指标的名称和年度指标值，与另一个主管部门的自评表中某个指标一字不差（不计空白和全角半角）。只比有内容的指标：名称不是人人都用的通用指标（满意度、预算执行率、合格率、及时率、完成率、覆盖率、验收等，按一体化系统模板各部门本就相同），且名称与指标值合起来至少12个字。每张表提示一次，说明有几项相同、与哪个部门的哪张表相同。
    ///
    /// 为何重要：绩效指标应按本项目的内容设定；两个部门的项目写着同样的具体指标，多半是照抄别人的表，指标没有反映本项目。抽查复核会核实这样的指标。请按本项目实际重新设定。
    ///
    /// 示例：某局和另一局的表中都有社会效益指标“对各辖区戒毒和康复人员进行有效帮扶”，指标值都是“社区戒毒康复人员回归社会”。
    C012, "指标文字与其他部门的表相同", Check::Batch(check)
}

/// The fewest characters (name and target together) an indicator's text must hold to count
/// as its own wording: shorter ones (`项目总成本` `≤90万元`) are written alike by anyone.
const MIN_CHARS: usize = 12;

/// An indicator's text as compared, when it is specific enough to tell a copy.
fn wording(i: &Indicator) -> Option<(String, String)> {
    let name = label_key(i.name.value.as_deref()?);
    let target = label_key(i.target.value.as_deref()?);
    if name.is_empty() || target.is_empty() || review::is_standard_key(&name) {
        return None;
    }
    (name.chars().count() + target.chars().count() >= MIN_CHARS).then_some((name, target))
}

/// Where one text appears: per department (interned), its first form and how many forms.
#[derive(Default)]
struct Seen {
    /// (department, first form, forms) in the order the departments first show the text.
    by_department: Vec<(u32, usize, usize)>,
    /// The last form counted, so a form with the text twice counts once.
    last: Option<usize>,
}

/// Linear in the indicators: each text's departments are counted once, never compared form
/// by form (a text on thousands of forms would otherwise be compared with each of them).
fn check(forms: &[Form], out: &mut [Emit]) {
    let mut ids: HashMap<String, u32> = HashMap::new();
    let departments: Vec<Option<u32>> = forms
        .iter()
        .map(|f| {
            let d = label_key(f.department.value.as_deref()?);
            if d.is_empty() {
                return None;
            }
            let n = ids.len() as u32;
            Some(*ids.entry(d).or_insert(n))
        })
        .collect();
    // One department (or none) has no other to copy from.
    if ids.len() < 2 {
        return;
    }
    // Each form's specific texts, computed once, each text kept once (a province's forms
    // would hold a pair of strings per indicator): (indicator, text) with the texts
    // numbered in the order first seen.
    let mut numbers: HashMap<(String, String), u32> = HashMap::new();
    let mut texts_of: Vec<Vec<(u32, u32)>> = Vec::with_capacity(forms.len());
    // Worded in parallel a chunk of forms at a time (a packed form's indicators unpacked
    // for it), numbered in form order; a form whose indicators do not read back has
    // already been told so by its form rules.
    const CHUNK: usize = 2048;
    for (chunk, deps) in forms.chunks(CHUNK).zip(departments.chunks(CHUNK)) {
        let worded: Vec<Vec<(u32, (String, String))>> = chunk
            .par_iter()
            .zip(deps)
            .map(|(f, d)| match (d, f.indicators.load()) {
                (Some(_), Ok(inds)) => inds
                    .iter()
                    .enumerate()
                    .filter_map(|(n, i)| Some((n as u32, wording(i)?)))
                    .collect(),
                _ => Vec::new(),
            })
            .collect();
        texts_of.extend(worded.into_iter().map(|w| {
            w.into_iter()
                .map(|(n, w)| {
                    let next = numbers.len() as u32;
                    (n, *numbers.entry(w).or_insert(next))
                })
                .collect()
        }));
    }
    let mut seen: Vec<Seen> = Vec::new();
    seen.resize_with(numbers.len(), Seen::default);
    drop(numbers);
    for (k, texts) in texts_of.iter().enumerate() {
        let Some(d) = departments[k] else { continue };
        for &(_, w) in texts {
            let s = &mut seen[w as usize];
            if s.last == Some(k) {
                continue;
            }
            s.last = Some(k);
            match s.by_department.iter_mut().find(|(od, _, _)| *od == d) {
                Some((_, _, n)) => *n += 1,
                None => s.by_department.push((d, k, 1)),
            }
        }
    }
    for (k, texts) in texts_of.iter().enumerate() {
        let Some(d) = departments[k] else { continue };
        let mut shared = 0;
        let mut first: Option<(usize, usize, usize)> = None; // (indicator, other form, forms)
        let mut counted: std::collections::HashSet<u32> = Default::default();
        for &(n, w) in texts {
            let s = &seen[w as usize];
            let elsewhere = s.by_department.iter().filter(|(od, _, _)| *od != d);
            let forms_elsewhere: usize = elsewhere.clone().map(|(_, _, c)| c).sum();
            if forms_elsewhere == 0 || !counted.insert(w) {
                continue;
            }
            shared += 1;
            if first.is_none() {
                let other = elsewhere.map(|(_, j, _)| *j).min().unwrap_or(k);
                first = Some((n as usize, other, forms_elsewhere));
            }
        }
        let Some((n, other, count)) = first else {
            continue;
        };
        let Ok(inds) = forms[k].indicators.load() else {
            continue;
        };
        let ind = &inds[n];
        let at = out[k].at(ind.name.cell);
        let found = copied(at, ind, shared, &forms[other], count);
        out[k].add(found);
    }
}

/// `n` indicators of this form, the first `ind`, read word for word as in `other` (the
/// first form of another department with it) and, in all, `forms` forms of other
/// departments with `ind`'s text.
pub fn copied(at: At, ind: &Indicator, n: usize, other: &Form, forms: usize) -> Finding {
    let more = if forms > 1 {
        format!("等{forms}张表")
    } else {
        String::new()
    };
    at.finding(
        Code::C012,
        format!(
            "{n}项三级指标的名称和年度指标值与其他主管部门的自评表一字不差，如“{}”（{}）也见于“{}”的{}（{} {}）{more}",
            ind.name.value.as_deref().unwrap_or(""),
            ind.target.value.as_deref().unwrap_or(""),
            other.department.value.as_deref().unwrap_or(""),
            other.id,
            other.file,
            other.sheet,
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    /// A form of `department` with a specific 社会效益 indicator.
    fn of(id: &str, department: &str, name: &str, target: &str) -> Form {
        let mut f = form();
        f.id = id.into();
        f.department = text(department, "C4");
        f.indicators[1].name = text(name, "D14");
        f.indicators[1].target = text(target, "E14");
        f
    }

    const NAME: &str = "对各辖区戒毒和康复人员进行有效帮扶";
    const TARGET: &str = "社区戒毒康复人员回归社会";

    fn found(forms: &[Form]) -> Vec<Vec<(String, Option<String>)>> {
        let mut emits: Vec<Emit> = forms.iter().map(Emit::new).collect();
        check(forms, &mut emits);
        emits
            .iter()
            .map(|e| {
                e.findings
                    .iter()
                    .map(|f| (f.message.clone(), f.cell.map(|c| c.to_string())))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn a_text_in_two_departments_is_flagged_on_both() {
        let f = [
            of("P0001", "某局", NAME, TARGET),
            of("P0002", "另一局", NAME, TARGET),
        ];
        let got = found(&f);
        assert_eq!(
            got[0],
            [(
                format!(
                    "1项三级指标的名称和年度指标值与其他主管部门的自评表一字不差，如“{NAME}”（{TARGET}）也见于“另一局”的P0002（t.xlsx Sheet1）"
                ),
                Some("D14".into())
            )]
        );
        assert_eq!(got[1].len(), 1);
        assert!(got[1][0].0.contains("也见于“某局”的P0001"));
    }

    #[test]
    fn many_copies_name_the_first_and_count() {
        let f = [
            of("P0001", "某局", NAME, TARGET),
            of("P0002", "乙局", NAME, TARGET),
            of("P0003", "丙局", &format!(" {NAME}"), TARGET),
        ];
        assert!(
            found(&f)[0][0]
                .0
                .ends_with("也见于“乙局”的P0002（t.xlsx Sheet1）等2张表")
        );
    }

    #[test]
    fn one_department_standard_or_short_texts_pass() {
        // The same department's forms share texts freely.
        let f = [
            of("P0001", "某局", NAME, TARGET),
            of("P0002", "某局", NAME, TARGET),
        ];
        assert!(found(&f).iter().all(Vec::is_empty));
        // Everyone's 满意度 and short texts.
        for (name, target) in [
            ("服务对象满意度（群众满意度）", "≥90%以上"),
            ("项目(工程)验收合格率达到", "100%（全部合格）"),
            ("项目总成本", "≤90万元"),
        ] {
            let f = [
                of("P0001", "某局", name, target),
                of("P0002", "另一局", name, target),
            ];
            assert!(found(&f).iter().all(Vec::is_empty), "{name}");
        }
        // The same name with another target is not a copy.
        let f = [
            of("P0001", "某局", NAME, TARGET),
            of("P0002", "另一局", NAME, "效果明显"),
        ];
        assert!(found(&f).iter().all(Vec::is_empty));
    }
}
