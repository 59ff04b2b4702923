//! C012 指标文字与其他部门的表相同.

use crate::code::Code;
use crate::hashed::Map;
use crate::model::{Finding, Form, Indicator};
use crate::rules::{At, Check, Emit};
use crate::wording::{label_key, review};
use rayon::prelude::*;

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
    // A standard name's target is not keyed: most indicators have one.
    if name.is_empty() || review::is_standard_key(&name) {
        return None;
    }
    let target = label_key(i.target.value.as_deref()?);
    if target.is_empty() {
        return None;
    }
    (name.chars().count() + target.chars().count() >= MIN_CHARS).then_some((name, target))
}

/// Where one text appears: per department (interned), its first form and how many forms.
#[derive(Default)]
struct Seen {
    /// (department, first form, forms) in the order the departments first show the text,
    /// so their first forms ascend.
    by_department: Vec<(u32, usize, usize)>,
    /// The last form counted, so a form with the text twice counts once.
    last: Option<usize>,
    /// Forms with the text, in all departments.
    total: usize,
}

impl Seen {
    /// The entry of department `d`: the last one pushed, or found through `slots` (text
    /// `w`'s entries by department). Searching the entries was quadratic for a text
    /// that thousands of departments share.
    fn entry(&self, w: u32, d: u32, slots: &Map<u64, u32>) -> Option<usize> {
        match self.by_department.last() {
            Some(&(od, _, _)) if od == d => Some(self.by_department.len() - 1),
            _ => slots.get(&slot(w, d)).map(|&i| i as usize),
        }
    }
}

/// The key of text `w`'s entry for department `d`.
fn slot(w: u32, d: u32) -> u64 {
    (u64::from(w) << 32) | u64::from(d)
}

/// Linear in the indicators: each text's departments are counted once, never compared form
/// by form (a text on thousands of forms would otherwise be compared with each of them).
fn check(forms: &[Form], out: &mut [Emit]) {
    check_in_chunks(forms, out, 256);
}

/// [`check`], its forms worded `chunk` at a time.
fn check_in_chunks(forms: &[Form], out: &mut [Emit], chunk: usize) {
    let mut ids: Map<String, u32> = Map::default();
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
    let mut numbers: Map<(String, String), u32> = Map::default();
    let mut texts_of: Vec<Vec<(u32, u32)>> = Vec::with_capacity(forms.len());
    // Worded in parallel a chunk of forms at a time (a packed form's indicators unpacked
    // for it), numbered in form order while the next chunk is worded (at 10,000 forms
    // the numbering is 6.5 of the rule's 35 ms, on one core: after each chunk's wording it
    // left the other idle); a form whose indicators do not read back has already been
    // told so by its form rules.
    type Worded = Vec<Vec<(u32, (String, String))>>;
    let word = |chunk: &[Form], deps: &[Option<u32>]| -> Worded {
        chunk
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
            .collect()
    };
    let mut number = |worded: Worded| {
        texts_of.extend(worded.into_iter().map(|w| {
            w.into_iter()
                .map(|(n, w)| {
                    let next = numbers.len() as u32;
                    (n, *numbers.entry(w).or_insert(next))
                })
                .collect()
        }));
    };
    let mut pending: Option<Worded> = None;
    for (part, deps) in forms.chunks(chunk).zip(departments.chunks(chunk)) {
        let (worded, ()) = rayon::join(
            || word(part, deps),
            || pending.take().into_iter().for_each(&mut number),
        );
        pending = Some(worded);
    }
    pending.into_iter().for_each(number);
    let mut seen: Vec<Seen> = Vec::new();
    seen.resize_with(numbers.len(), Seen::default);
    drop(numbers);
    // Each text's entries of departments other than the last pushed.
    let mut slots: Map<u64, u32> = Map::default();
    for (k, texts) in texts_of.iter().enumerate() {
        let Some(d) = departments[k] else { continue };
        for &(_, w) in texts {
            let s = &mut seen[w as usize];
            if s.last == Some(k) {
                continue;
            }
            s.last = Some(k);
            s.total += 1;
            match s.entry(w, d, &slots) {
                Some(i) => s.by_department[i].2 += 1,
                None => {
                    // The last entry is found as the last; it needs its slot once another
                    // follows it (a text of one department, the usual, takes none).
                    if let Some(&(od, _, _)) = s.by_department.last() {
                        slots.insert(slot(w, od), s.by_department.len() as u32 - 1);
                    }
                    s.by_department.push((d, k, 1));
                }
            }
        }
    }
    for (k, texts) in texts_of.iter().enumerate() {
        let Some(d) = departments[k] else { continue };
        let mut shared = 0;
        let mut first: Option<(usize, usize, usize)> = None; // (indicator, other form, forms)
        let mut counted: crate::hashed::Set<u32> = Default::default();
        for &(n, w) in texts {
            let s = &seen[w as usize];
            let own = s.entry(w, d, &slots).map_or(0, |i| s.by_department[i].2);
            let forms_elsewhere = s.total - own;
            if forms_elsewhere == 0 || !counted.insert(w) {
                continue;
            }
            shared += 1;
            if first.is_none() {
                // The first forms ascend and a department has one entry: another's first
                // form is the first entry's, or the second's when the first is `d`'s.
                let other = s
                    .by_department
                    .iter()
                    .take(2)
                    .find(|(od, _, _)| *od != d)
                    .map_or(k, |(_, j, _)| *j);
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
        messages(&emits)
    }

    /// [`found`], the forms worded `chunk` at a time.
    fn found_in_chunks(forms: &[Form], chunk: usize) -> Vec<Vec<(String, Option<String>)>> {
        let mut emits: Vec<Emit> = forms.iter().map(Emit::new).collect();
        check_in_chunks(forms, &mut emits, chunk);
        messages(&emits)
    }

    fn messages(emits: &[Emit]) -> Vec<Vec<(String, Option<String>)>> {
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

    /// C012 as its doc states it, form against form (quadratic, for small batches):
    /// each form's texts found in another department's forms; the first names the first
    /// such form and counts them.
    fn by_definition(forms: &[Form]) -> Vec<Vec<(String, Option<String>)>> {
        let dept = |f: &Form| {
            let d = label_key(f.department.value.as_deref()?);
            (!d.is_empty()).then_some(d)
        };
        let texts = |f: &Form| -> Vec<(usize, (String, String))> {
            let inds = f.indicators.load().unwrap();
            inds.iter()
                .enumerate()
                .filter_map(|(n, i)| Some((n, wording(i)?)))
                .collect()
        };
        let departments: std::collections::HashSet<String> =
            forms.iter().filter_map(dept).collect();
        forms
            .iter()
            .map(|f| {
                let Some(d) = dept(f).filter(|_| departments.len() > 1) else {
                    return Vec::new();
                };
                let mut seen = std::collections::HashSet::new();
                let mut shared = 0;
                let mut first = None;
                for (n, w) in texts(f) {
                    let others: Vec<usize> = (0..forms.len())
                        .filter(|&j| {
                            dept(&forms[j]).is_some_and(|od| od != d)
                                && texts(&forms[j]).iter().any(|(_, x)| *x == w)
                        })
                        .collect();
                    if others.is_empty() || !seen.insert(w) {
                        continue;
                    }
                    shared += 1;
                    first.get_or_insert((n, others[0], others.len()));
                }
                let Some((n, other, count)) = first else {
                    return Vec::new();
                };
                let inds = f.indicators.load().unwrap();
                let e = Emit::new(f);
                let at = e.at(inds[n].name.cell);
                let x = copied(at, &inds[n], shared, &forms[other], count);
                vec![(x.message, x.cell.map(|c| c.to_string()))]
            })
            .collect()
    }

    #[test]
    fn shared_texts_are_found_as_comparing_every_form_would() {
        let words = [
            NAME,
            "开展禁毒宣传教育活动进学校进社区",
            "完成戒毒康复人员帮扶救助工作任务",
            "项目总成本",
        ];
        let targets = [TARGET, "覆盖辖区全部乡镇和街道社区", "效果明显"];
        let depts = ["甲局", "乙局", "丙局", "丁局", "", "甲局 "];
        let mut rng = crate::test_rng::Rng(0x2545_F491_4F6C_DD1D);
        let mut next = |n: usize| rng.below(n);
        for round in 0..200 {
            let forms: Vec<Form> = (0..1 + next(14))
                .map(|k| {
                    let mut f = of(
                        &format!("P{k:04}"),
                        depts[next(depts.len())],
                        words[next(words.len())],
                        targets[next(targets.len())],
                    );
                    // Up to three more indicators with texts, some repeated in the form.
                    for i in [0, 2, 3].into_iter().take(next(4)) {
                        if let Some(ind) = f.indicators.get_mut(i) {
                            ind.name = text(words[next(words.len())], "D15");
                            ind.target = text(targets[next(targets.len())], "E15");
                        }
                    }
                    f
                })
                .collect();
            let expected = by_definition(&forms);
            assert_eq!(found(&forms), expected, "round {round}");
            // Worded a few forms at a time, each chunk numbered while the next is worded.
            for chunk in [1, 2, 3, 5] {
                let got = found_in_chunks(&forms, chunk);
                assert_eq!(got, expected, "round {round}, chunks of {chunk}");
            }
        }
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
