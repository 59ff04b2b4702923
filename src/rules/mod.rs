//! The rules: every finding jixiao can report, one file each, with a stable code.
//!
//! Codes are a contract (scripts and habits depend on them): a code never changes meaning
//! and a retired code is never reused. Like ruff's rules, each file declares one [`Rule`]:
//! its doc comment is also the text `jixiao rules CODE` prints, so the two never drift
//! apart. The doc is for the finance-bureau staff who read the findings, so it is in
//! Chinese, in three paragraphs with the labels of [`PARTS`]: 检查内容 (what it checks),
//! 为何重要 (why it matters, and what to fix), 示例 (an example, from a real form where
//! there is one). Notes for developers (which stage reports a reader rule) are plain `//`
//! comments above `declare_rule!`.
//!
//! A rule file is the one place of its finding: beside the doc it holds the typed
//! constructors that build the findings of its code with their message (the Chinese the
//! clerks read), one per case (`l003::no_name_row` and `l003::orphan_value`), given where
//! (`At`); a form or batch rule's check calls them, and so does every stage that decides
//! a reader rule's case (extract, batch, score through extract, convert), as it does the
//! pure predicates kept here (`e005::unsaved`, `f008::implausible`). Only the rule files
//! can call `At::finding` and `At::change`; a test holds every code to a constructor.
//!
//! Adding a rule: a new file with `declare_rule!`, its constructors and its check, plus
//! its code (with its severity) in [`crate::code::Code`] and one line in [`CATALOGUE`].

pub use crate::code::Code;
use crate::grid::Pos;
use crate::model::{Batch, Change, Finding, Form, Severity};
use std::sync::Arc;

/// How a rule finds its cases.
#[derive(Clone, Copy)]
pub enum Check {
    /// Decided while reading (files, layout, values) by the stage the rule file's comment
    /// names, which builds the findings through the file's constructors; no separate pass.
    Reader,
    /// Checks one form.
    Form(fn(&Form, &mut Emit)),
    /// Checks the forms of a batch together (duplicates across files).
    Batch(fn(&[Form], &mut [Emit])),
}

/// One rule of the catalogue.
#[derive(Clone, Copy)]
pub struct Rule {
    pub code: Code,
    /// Short title, in Chinese as the outputs print it.
    pub title: &'static str,
    /// 检查内容, 为何重要, 示例: three paragraphs in Chinese ([`PARTS`]).
    pub doc: &'static str,
    pub check: Check,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule").field("code", &self.code).finish()
    }
}

impl Rule {
    /// The code's severity ([`Code::severity`], the one place it is stated).
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    /// The doc as printed: the doc comment's lines without their leading space.
    pub fn doc_text(&self) -> String {
        self.doc
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_string()
    }
}

/// The labels that open the three paragraphs of every rule's doc, in order: what it
/// checks, why it matters, an example.
pub const PARTS: [&str; 3] = ["检查内容：", "为何重要：", "示例："];

/// Declares a rule constant whose doc comment is both rustdoc and the runtime doc.
macro_rules! declare_rule {
    ($(#[doc = $doc:expr])* $code:ident, $title:literal, $check:expr) => {
        $(#[doc = $doc])*
        pub const RULE: $crate::rules::Rule = $crate::rules::Rule {
            code: $crate::code::Code::$code,
            title: $title,
            doc: concat!($($doc, "\n"),*),
            check: $check,
        };
    };
}

pub(crate) mod c001;
pub(crate) mod c002;
pub(crate) mod c003;
pub(crate) mod c004;
pub(crate) mod c005;
pub(crate) mod c006;
pub(crate) mod c007;
pub(crate) mod c008;
pub(crate) mod c009;
pub(crate) mod c010;
pub(crate) mod c011;
pub(crate) mod c012;
pub(crate) mod c013;
pub(crate) mod c014;
pub(crate) mod e001;
pub(crate) mod e002;
pub(crate) mod e003;
pub(crate) mod e004;
pub(crate) mod e005;
pub(crate) mod f001;
pub(crate) mod f002;
pub(crate) mod f003;
pub(crate) mod f004;
pub(crate) mod f005;
pub(crate) mod f006;
pub(crate) mod f007;
pub(crate) mod f008;
pub(crate) mod l001;
pub(crate) mod l002;
pub(crate) mod l003;
pub(crate) mod l004;
pub(crate) mod l005;
pub(crate) mod l006;
pub(crate) mod l007;
pub(crate) mod l008;
pub(crate) mod l009;
pub(crate) mod l010;
pub(crate) mod l011;
pub(crate) mod l012;
pub(crate) mod s001;
pub(crate) mod s002;
pub(crate) mod s003;
pub(crate) mod s004;
pub(crate) mod s005;
pub(crate) mod s006;
pub(crate) mod s007;
pub(crate) mod s008;
pub(crate) mod s009;
pub(crate) mod s010;
pub(crate) mod s011;
pub(crate) mod s012;
pub(crate) mod s013;
pub(crate) mod s014;
pub(crate) mod s015;
pub(crate) mod s016;
pub(crate) mod v001;
pub(crate) mod v002;
pub(crate) mod v003;

/// Every rule, in the order `jixiao rules` prints them.
pub const CATALOGUE: &[Rule] = &[
    e001::RULE,
    e002::RULE,
    e003::RULE,
    e004::RULE,
    e005::RULE,
    l001::RULE,
    l002::RULE,
    l003::RULE,
    l004::RULE,
    l005::RULE,
    l006::RULE,
    l007::RULE,
    l008::RULE,
    l009::RULE,
    l010::RULE,
    l011::RULE,
    l012::RULE,
    v001::RULE,
    v002::RULE,
    v003::RULE,
    f001::RULE,
    f002::RULE,
    f003::RULE,
    f004::RULE,
    f005::RULE,
    f006::RULE,
    f007::RULE,
    f008::RULE,
    s001::RULE,
    s002::RULE,
    s003::RULE,
    s004::RULE,
    s005::RULE,
    s006::RULE,
    s007::RULE,
    s008::RULE,
    s009::RULE,
    s010::RULE,
    s011::RULE,
    s012::RULE,
    s013::RULE,
    s014::RULE,
    s015::RULE,
    s016::RULE,
    c001::RULE,
    c002::RULE,
    c003::RULE,
    c004::RULE,
    c005::RULE,
    c006::RULE,
    c007::RULE,
    c008::RULE,
    c009::RULE,
    c010::RULE,
    c011::RULE,
    c012::RULE,
    c013::RULE,
    c014::RULE,
];

/// The rule with this code (any case).
pub fn find(code: &str) -> Option<&'static Rule> {
    let code = Code::parse(code)?;
    CATALOGUE.iter().find(|r| r.code == code)
}

/// Where a finding points: its file and, where known, its sheet, cell and project. A stage
/// says where; the rule file's constructor adds the code, the severity and the message
/// (every finding is built in its code's rule file).
#[derive(Debug, Clone, Copy)]
pub(crate) struct At<'a> {
    pub file: &'a Arc<str>,
    pub sheet: Option<&'a Arc<str>>,
    pub cell: Option<Pos>,
    pub project: Option<&'a Arc<str>>,
}

impl<'a> At<'a> {
    /// A whole file.
    pub fn file(file: &'a Arc<str>) -> Self {
        At {
            file,
            sheet: None,
            cell: None,
            project: None,
        }
    }

    /// A sheet of a file.
    pub fn sheet(file: &'a Arc<str>, sheet: &'a Arc<str>) -> Self {
        At {
            sheet: Some(sheet),
            ..At::file(file)
        }
    }

    /// The same place, at `cell`.
    pub fn cell(self, cell: Option<Pos>) -> Self {
        At { cell, ..self }
    }

    /// The same place, in `project`.
    pub fn project(self, project: Option<&'a Arc<str>>) -> Self {
        At { project, ..self }
    }

    /// The finding of `code` here, at its catalogue severity: for the rule files'
    /// constructors only.
    pub(in crate::rules) fn finding(self, code: Code, message: String) -> Finding {
        let mut f = Finding::new(code, self.file, self.sheet, self.cell, message);
        f.project = self.project.cloned();
        f
    }
    /// The change of the value at this place's cell (a change is always of a sheet's
    /// cell): for the rule files' constructors only.
    pub(in crate::rules) fn change(
        self,
        code: Code,
        from: &str,
        to: &str,
        reason: impl Into<std::borrow::Cow<'static, str>>,
    ) -> Change {
        debug_assert!(self.sheet.is_some() && self.cell.is_some());
        Change {
            file: Arc::clone(self.file),
            sheet: self.sheet.map_or_else(|| Arc::from(""), Arc::clone),
            cell: self.cell.unwrap_or_default(),
            from: from.to_string(),
            to: to.to_string(),
            code,
            reason: reason.into(),
            project: self.project.cloned(),
        }
    }
}

/// Collects one form's findings, filling in file, sheet and project.
pub struct Emit {
    file: Arc<str>,
    sheet: Arc<str>,
    id: Option<Arc<str>>,
    pub(crate) findings: Vec<Finding>,
}

impl Emit {
    /// With no findings yet (the rules' tests).
    #[cfg(test)]
    pub(crate) fn new(form: &Form) -> Self {
        Self::after(form, Vec::new())
    }

    /// Appending to `findings`, the form's findings so far. Holds the form's names, not
    /// the form: a form run takes each form in turn to unpack its indicators.
    fn after(form: &Form, findings: Vec<Finding>) -> Self {
        Emit {
            file: Arc::clone(&form.file),
            sheet: Arc::clone(&form.sheet),
            id: (!form.id.is_empty()).then(|| form.id.as_str().into()),
            findings,
        }
    }

    /// Another collector for the same form, with no findings yet (a batch rule's own):
    /// its names shared, not made again from the form.
    fn fresh(&self) -> Emit {
        Emit {
            file: Arc::clone(&self.file),
            sheet: Arc::clone(&self.sheet),
            id: self.id.clone(),
            findings: Vec::new(),
        }
    }

    /// Where a finding of this form points: `cell` of its sheet, in its project.
    pub(crate) fn at(&self, cell: Option<Pos>) -> At<'_> {
        At::sheet(&self.file, &self.sheet)
            .cell(cell)
            .project(self.id.as_ref())
    }

    /// Adds a finding (built by its rule file's constructor).
    pub fn add(&mut self, f: Finding) {
        self.findings.push(f);
    }
}

fn is_form(rule: &Rule) -> bool {
    matches!(rule.check, Check::Form(_))
}

/// Runs every form and batch rule and appends the findings to each form.
///
/// # Example
///
/// The rules on a sample form, after the F003 its extraction raised:
///
/// ```
/// use jixiao::model::{Batch, Severity};
/// use jixiao::{batch, read, rules};
/// use std::path::Path;
///
/// let path = Path::new("samples/2023/1.xlsx");
/// let grids = read::read_bytes(&std::fs::read(path)?, path, &read::Limits::default())?;
/// let mut b = Batch {
///     forms: batch::forms_in(&grids, "1.xlsx"),
///     ..Default::default()
/// };
/// rules::check(&mut b);
/// let found: Vec<String> = b.forms[0]
///     .findings
///     .iter()
///     .map(|f| format!("{} {}", f.code.as_str(), f.cell.unwrap()))
///     .collect();
/// assert_eq!(found, ["F003 H6", "S006 I28", "S007 B13", "C001 H4"]);
/// assert_eq!(b.forms[0].findings[3].message, "实施单位为空");
/// assert_eq!(b.count(Severity::Warning), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check(batch: &mut Batch) {
    use rayon::prelude::*;
    // Each form's findings from its reading go to its `Emit` and come back with the
    // rules' appended: moved, not copied (no rule reads a form's findings). Appending a
    // copy at the end held every finding twice for a while (at 100,000 forms, about
    // 775,000 findings of about 100 bytes each before their messages).
    let read: Vec<Vec<Finding>> = batch
        .forms
        .iter_mut()
        .map(|f| std::mem::take(&mut f.findings))
        .collect();
    let mut emits: Vec<Emit> = batch
        .forms
        .par_iter()
        .zip(read)
        .map(|(f, r)| Emit::after(f, r))
        .collect();
    let runs: Vec<&[Rule]> = CATALOGUE
        .chunk_by(|a, b| is_form(a) && is_form(b))
        .collect();
    // Every form rule on each form in one go, in parallel (a packed form's indicators
    // unpacked once, for its rules only), noting where each batch rule's findings go:
    // a form's findings stay in catalogue order.
    let marks: Vec<Vec<usize>> = batch
        .forms
        .par_iter_mut()
        .zip(emits.par_iter_mut())
        .map(|(form, emit)| {
            let mut packed = None;
            if form.indicators.is_packed() {
                match form.indicators.unpacked() {
                    Ok(held) => packed = Some(std::mem::replace(&mut form.indicators, held)),
                    Err(e) => {
                        emit.add(e001::unreadable(emit.at(None), e001::unpacked(&e)));
                        return Vec::new();
                    }
                }
            }
            let mut marks = Vec::new();
            for run in &runs {
                match run[0].check {
                    Check::Form(_) => {
                        for rule in *run {
                            if let Check::Form(f) = rule.check {
                                f(form, emit);
                            }
                        }
                    }
                    Check::Batch(_) => marks.push(emit.findings.len()),
                    Check::Reader => {}
                }
            }
            if let Some(p) = packed {
                form.indicators = p;
            }
            marks
        })
        .collect();
    // Batch rules look across forms, in order, each into findings of its own, then put in
    // at their marks (from the last, so the earlier marks still hold). They run side by
    // side, and beside the duplicate groups: each is partly serial (C012 numbers its
    // texts in order), which left a core idle.
    let forms = &batch.forms;
    let (batch_found, duplicates) = rayon::join(
        || {
            runs.par_iter()
                .filter_map(|run| match run[0].check {
                    Check::Batch(f) => {
                        let mut own: Vec<Emit> = emits.iter().map(Emit::fresh).collect();
                        f(forms, &mut own);
                        Some(own.into_iter().map(|e| e.findings).collect())
                    }
                    _ => None,
                })
                .collect::<Vec<Vec<Vec<Finding>>>>()
        },
        || c005::duplicate_groups(forms),
    );
    let mut batch_found = batch_found;
    for (k, (form, emit)) in batch.forms.iter_mut().zip(emits).enumerate() {
        let mut found = emit.findings;
        for (j, by_form) in batch_found.iter_mut().enumerate().rev() {
            let add = std::mem::take(&mut by_form[k]);
            if !add.is_empty() {
                // A form whose indicators did not read back has no marks: at the end.
                let at = marks[k].get(j).copied().unwrap_or(found.len());
                found.splice(at..at, add);
            }
        }
        // Exactly: a doubled capacity would be kept by every form for the whole run.
        found.shrink_to_fit();
        form.findings = found;
    }
    batch.duplicates = duplicates;
}

/// Shared helpers for rule tests: a form built in code, and the codes it raises.
#[cfg(test)]
pub(crate) mod testing {
    pub use super::Code;
    use super::*;
    use crate::model::{Field, Indicator};
    use rust_decimal::Decimal;
    use std::str::FromStr;

    pub fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    pub fn at(a1: &str) -> Option<Pos> {
        Pos::parse(a1)
    }

    pub fn num(v: &str, a1: &str) -> Field<Decimal> {
        Field::new((!v.is_empty()).then(|| d(v)), at(a1))
    }

    /// A text field (a form's `String`, an indicator's [`crate::model::Text`]).
    pub fn text<T: for<'x> From<&'x str>>(v: &str, a1: &str) -> Field<T> {
        Field::new((!v.is_empty()).then(|| T::from(v)), at(a1))
    }

    /// An indicator on row `row`: name, target, actual, weight, score, reason.
    pub fn ind(l1: &str, l2: &str, row: u32, v: [&str; 6]) -> Indicator {
        let c = |col: &str| format!("{col}{row}");
        Indicator {
            level1: text(l1, &format!("B{row}")),
            level2: text(l2, &format!("C{row}")),
            name: text(v[0], &c("D")),
            target: text(v[1], &c("E")),
            actual: text(v[2], &c("F")),
            weight: num(v[3], &c("G")),
            score: num(v[4], &c("H")),
            reason: text(v[5], &c("I")),
            group: None,
            ..Default::default()
        }
    }

    /// A sound form: funds 10 of 10, one indicator per 一级 adding to 100, nothing wrong.
    pub fn form() -> Form {
        let mut f = Form {
            id: "P0001".into(),
            file: "t.xlsx".into(),
            sheet: "Sheet1".into(),
            name: text("项目", "C3"),
            department: text("某局", "C4"),
            implementer: text("某中心", "H4"),
            ..Default::default()
        };
        f.funds.total.initial = num("10", "D6");
        f.funds.total.full_year = num("10", "E6");
        f.funds.total.executed = num("10", "F6");
        f.funds.total.weight = num("10", "G6");
        f.funds.total.rate = num("1", "H6");
        f.funds.total.score = num("10", "I6");
        f.funds.appropriation.initial = num("10", "D7");
        f.funds.appropriation.full_year = num("10", "E7");
        f.funds.appropriation.executed = num("10", "F7");
        f.execution_rate = Some(d("1"));
        f.execution_score = Some(d("10"));
        f.goal.expected = text("甲", "B11");
        f.goal.actual = text("乙", "F11");
        f.indicators = vec![
            ind(
                "产出指标",
                "数量指标",
                13,
                ["个数", "≥16个", "17个", "50", "50", ""],
            ),
            ind(
                "效益指标",
                "社会效益指标",
                14,
                ["效果", "明显", "明显", "30", "30", ""],
            ),
            ind(
                "满意度指标",
                "服务对象满意度指标",
                15,
                ["满意", "≥90%", "95%", "10", "10", ""],
            ),
        ]
        .into();
        f.weight_total = num("100", "G16");
        f.declared_total = num("100", "H16");
        f.computed_total = crate::score::computed_total(&f);
        f
    }

    /// The findings `rule` raises on `form`, as (code, cell) pairs.
    pub fn run(rule: &Rule, form: &Form) -> Vec<(Code, String)> {
        let mut e = Emit::new(form);
        match rule.check {
            Check::Form(f) => f(form, &mut e),
            Check::Batch(f) => {
                let forms = std::slice::from_ref(form);
                let mut emits = [Emit::new(form)];
                f(forms, &mut emits);
                e.findings = std::mem::take(&mut emits[0].findings);
            }
            Check::Reader => {}
        }
        e.findings
            .into_iter()
            .map(|f| (f.code, f.cell.map(|c| c.to_string()).unwrap_or_default()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_has_every_code_once_documented() {
        assert_eq!(CATALOGUE.len(), Code::ALL.len());
        let mut codes: Vec<_> = CATALOGUE.iter().map(|r| r.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Code::ALL.len());
        assert_eq!(find("s001").map(Rule::severity), Some(Severity::Error));
        assert_eq!(find("C001").map(Rule::severity), Some(Severity::Warning));
        // The catalogue holds every code, in the codes' order.
        let codes: Vec<Code> = CATALOGUE.iter().map(|r| r.code).collect();
        assert_eq!(codes, Code::ALL);
    }

    /// Every doc is the three paragraphs of [`PARTS`], in order, each non-empty and in
    /// Chinese: at least two CJK characters to each Latin letter, and no run of more than
    /// three English words.
    #[test]
    fn every_doc_is_three_chinese_paragraphs() {
        let is_cjk = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
        for r in CATALOGUE {
            let doc = r.doc_text();
            let paras: Vec<&str> = doc.split("\n\n").collect();
            assert_eq!(paras.len(), PARTS.len(), "{}: {doc}", r.code);
            for (para, label) in paras.iter().zip(PARTS) {
                let body = para
                    .strip_prefix(label)
                    .unwrap_or_else(|| panic!("{}: {para:?} should open with {label}", r.code));
                let cjk = body.chars().filter(|&c| is_cjk(c)).count();
                let latin = body.chars().filter(char::is_ascii_alphabetic).count();
                assert!(cjk >= 4 && cjk >= 2 * latin, "{} {label} {body}", r.code);
                let mut run = 0;
                for piece in body.split(|c: char| !c.is_ascii() || c == '\n') {
                    let words = piece
                        .split_whitespace()
                        .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()))
                        .count();
                    run = run.max(words);
                }
                assert!(run <= 3, "{} {label}: English in {body}", r.code);
            }
        }
    }

    /// A source file of the crate, without its `#[cfg(test)]` tail (tests sit last).
    fn source(path: &std::path::Path) -> String {
        let text = std::fs::read_to_string(path).unwrap();
        match text.find("#[cfg(test)]") {
            Some(i) => text[..i].to_string(),
            None => text,
        }
    }

    /// The constructors a rule file declares: its `pub fn`s returning a [`Finding`] or a
    /// [`Change`].
    fn constructors(code: &str) -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
        let text = source(&dir.join(format!("{}.rs", code.to_lowercase())));
        let mut found = Vec::new();
        for (i, _) in text.match_indices("\npub fn ") {
            let rest = &text[i + "\npub fn ".len()..];
            let signature = &rest[..rest.find('{').unwrap_or(rest.len())];
            if signature.contains("-> Finding")
                || signature.contains("-> crate::model::Change")
                || signature.contains("-> Change")
            {
                let name = &rest[..rest.find(['(', '<']).unwrap_or(0)];
                found.push(name.to_string());
            }
        }
        // Each finding or change the file builds is of its own code.
        let own = format!("Code::{code}");
        for call in ["at.finding(", "at.change("] {
            for (i, _) in text.match_indices(call) {
                let rest = text[i + call.len()..].trim_start();
                let first = &rest[..rest.find(',').unwrap_or(rest.len())];
                assert!(
                    first.ends_with(&own)
                        || first == "CODE"
                            && text.contains(&format!(
                                "const CODE: crate::code::Code = crate::code::{own};"
                            )),
                    "{code}.rs builds a finding of another code: {first}"
                );
            }
        }
        found
    }

    /// One place for each finding: every code's rule file holds at least one typed
    /// constructor of its findings (or, for V001 and V003, of its changes) with the
    /// message, and builds no other code's.
    #[test]
    fn every_code_has_a_rule_file_with_its_constructors() {
        let mut missing = Vec::new();
        for code in Code::ALL {
            let found = constructors(code.as_str());
            if found.is_empty() {
                missing.push(code.as_str());
            }
        }
        assert!(
            missing.is_empty(),
            "rule files without a constructor: {missing:?}"
        );
        assert_eq!(constructors("L003"), ["no_name_row", "orphan_value"]);
    }

    /// No stage builds a finding or a change itself: `Finding::new` is called in
    /// `src/rules/` only ([`At::finding`]), and no finding or change is written as a
    /// struct literal outside `src/model/` and `src/rules/` (tests left out).
    #[test]
    fn findings_are_built_in_rule_files_only() {
        fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    files(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(p);
                }
            }
        }
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut all = Vec::new();
        files(&src, &mut all);
        let mut bad = Vec::new();
        for p in all {
            let rel = p
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel.starts_with("rules/") || rel.starts_with("model/") {
                continue;
            }
            let text = source(&p);
            for needle in ["Finding::new(", "Finding {", "Change {"] {
                if text.contains(needle) {
                    bad.push(format!("{rel}: {needle}"));
                }
            }
        }
        assert!(bad.is_empty(), "findings built outside src/rules/: {bad:?}");
        assert!(!constructors("S001").is_empty());
    }

    /// Form rules run in one pass and batch rules after, yet a form's findings come in
    /// catalogue order (C001 before C005 before C013), and a batch of packed forms
    /// (as `convert` keeps them) gets exactly the findings of the same forms held.
    #[test]
    fn findings_keep_catalogue_order_held_or_packed() {
        let mut one = testing::form();
        one.implementer = testing::text("", "H4");
        one.indicators[2].actual = testing::text("100%", "F15");
        let mut two = one.clone();
        two.id = "P0002".into();
        two.file = "u.xlsx".into();
        let codes = |pack: bool| {
            let mut forms = vec![one.clone(), two.clone()];
            for f in &mut forms {
                f.findings = vec![Finding::new(Code::V001, &f.file, None, None, "读".into())];
                if pack {
                    f.indicators.pack();
                }
            }
            let mut b = Batch {
                forms,
                ..Default::default()
            };
            check(&mut b);
            assert_eq!(b.forms[0].indicators.is_packed(), pack);
            b.forms
                .iter()
                .map(|f| {
                    let c: Vec<String> = f.findings.iter().map(|x| x.code.to_string()).collect();
                    c.join(" ")
                })
                .collect::<Vec<_>>()
        };
        let held = codes(false);
        assert_eq!(held, vec!["V001 C001 C005 C013"; 2]);
        assert_eq!(codes(true), held);
    }

    /// A form whose packed indicators do not read back is not checked on no indicators:
    /// it says so (E001) and gets no form rule's finding (batch rules, which need no
    /// indicator, still look at it); the other forms are checked.
    #[test]
    fn indicators_that_do_not_read_back_are_said_not_checked_as_none() {
        let mut broken = testing::form();
        broken.indicators = crate::model::Indicators::unreadable(3);
        let mut sound = testing::form();
        sound.id = "P0002".into();
        sound.name = testing::text("另一项目", "C3");
        sound.implementer = testing::text("", "H4");
        let mut b = Batch {
            forms: vec![broken, sound],
            ..Default::default()
        };
        check(&mut b);
        let codes = |k: usize| -> Vec<String> {
            b.forms[k]
                .findings
                .iter()
                .map(|x| x.code.to_string())
                .collect()
        };
        let form_rule = |c: &String| {
            CATALOGUE
                .iter()
                .any(|r| r.code.to_string() == *c && is_form(r))
        };
        assert_eq!(codes(0)[0], "E001");
        assert!(b.forms[0].findings[0].message.contains("指标读回"));
        assert!(!codes(0).iter().any(form_rule), "{:?}", codes(0));
        assert!(codes(1).contains(&"C001".to_string()), "{:?}", codes(1));
    }

    #[test]
    fn a_sound_form_raises_nothing() {
        let f = testing::form();
        for r in CATALOGUE {
            assert_eq!(testing::run(r, &f), vec![], "{}", r.code);
        }
    }
}
