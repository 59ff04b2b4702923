//! The typed result of reading forms: what the outputs are written from.
//!
//! Every field keeps the cell it came from, so each cleaned value can be traced back to
//! its original cell. Field names follow the JSON contract (`../shared/spec/contract.md`).

use crate::grid::Pos;
use crate::kept::{Bytes, put_str, put_u32};
use rust_decimal::Decimal;
use serde::Serialize;
use std::borrow::Cow;
use std::sync::Arc;

mod packed;
pub use packed::Indicators;

/// An indicator's text: up to 24 bytes (eight Chinese characters) kept inline, as most
/// of its texts are (一级指标, 二级指标, a target like `≥95%`); a heap string beyond.
pub type Text = compact_str::CompactString;

/// A value with the cell it was read from. `cell` is set even when the value is empty, so
/// a finding about a missing value can name where it should have been.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Field<T> {
    pub value: Option<T>,
    pub cell: Option<Pos>,
}

impl<T> Field<T> {
    /// No value and no cell: the form has no such field (left out of the JSON where the
    /// field is an extension few forms have).
    pub fn is_absent(&self) -> bool {
        self.value.is_none() && self.cell.is_none()
    }

    pub fn new(value: Option<T>, cell: Option<Pos>) -> Self {
        Field { value, cell }
    }

    pub fn empty() -> Self {
        Field {
            value: None,
            cell: None,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.value.is_none()
    }
}

impl From<Field<String>> for Field<Text> {
    fn from(f: Field<String>) -> Self {
        Field {
            value: f.value.map(Text::from),
            cell: f.cell,
        }
    }
}

impl<T: Serialize> Serialize for Field<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

/// One fund source row (年度资金总额, 当年财政拨款, 上年结转资金, 其他资金).
#[derive(Debug, Clone, Default, Serialize)]
pub struct FundRow {
    pub initial: Field<Decimal>,
    pub full_year: Field<Decimal>,
    pub executed: Field<Decimal>,
    pub weight: Field<Decimal>,
    pub rate: Field<Decimal>,
    pub score: Field<Decimal>,
    /// The execution's deviation reason, where the funds table has a 原因 column.
    pub reason: Field<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Funds {
    pub total: FundRow,
    pub appropriation: FundRow,
    pub carryover: FundRow,
    pub other: FundRow,
    /// Further sources some forms list (财政专户管理资金, 单位资金), with their labels.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub more: Vec<(String, FundRow)>,
}

impl Funds {
    /// The rows with their labels as the form prints them.
    pub fn rows(&self) -> Vec<(&str, &FundRow)> {
        let mut rows = vec![
            ("年度资金总额", &self.total),
            ("当年财政拨款", &self.appropriation),
            ("上年结转资金", &self.carryover),
            ("其他资金", &self.other),
        ];
        rows.extend(self.more.iter().map(|(l, r)| (l.as_str(), r)));
        rows
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Goal {
    pub expected: Field<String>,
    pub actual: Field<String>,
}

/// The source cells of an indicator's fields.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IndicatorCells {
    pub name: Option<Pos>,
    pub target: Option<Pos>,
    pub actual: Option<Pos>,
    pub weight: Option<Pos>,
    pub score: Option<Pos>,
    pub reason: Option<Pos>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_score: Option<Pos>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nature: Option<Pos>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<Pos>,
}

/// One 三级指标 row.
#[derive(Debug, Clone, Default)]
pub struct Indicator {
    pub level1: Field<Text>,
    pub level2: Field<Text>,
    pub name: Field<Text>,
    /// With its comparator and unit when the form prints them in their own columns
    /// (指标性质 `≥` · 年度指标值 `95` · 度量单位 `%` is `≥95%`).
    pub target: Field<Text>,
    pub actual: Field<Text>,
    /// For a scoring group, set on the first indicator of the group only.
    pub weight: Field<Decimal>,
    pub score: Field<Decimal>,
    pub reason: Field<Text>,
    /// The columns few forms have ([`Indicator::nature`], [`Indicator::unit`],
    /// [`Indicator::direction`], [`Indicator::review`]); `None` where the form has none
    /// of them.
    pub extra: Option<Box<IndicatorExtra>>,
    /// Indicators sharing one merged 分值/得分 carry the same group id (1-based per form).
    pub group: Option<u32>,
    /// 建议得分: what the scoring profile gives this indicator (or its group, on the
    /// group's first indicator) from its target, actual and weight; `None` where it cannot
    /// be computed. Filled after extraction (the reviewer's checks, issue 17); left out of
    /// the JSON when `None`.
    pub suggested: Option<Decimal>,
}

/// An indicator's columns that few forms have. Boxed: ten indicators a form, at a
/// province's 100,000 forms, would otherwise carry 150 MB of empty fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndicatorExtra {
    /// 指标性质 and 度量单位 as printed, where the form has those columns.
    pub nature: Field<Text>,
    pub unit: Field<Text>,
    /// 指标方向 as printed (大于等于), where the form has that column.
    pub direction: Field<Text>,
    /// 复核分, where the form has a reviewer's column beside the 得分: kept, never summed.
    pub review: Field<Decimal>,
}

static NO_EXTRA: IndicatorExtra = IndicatorExtra {
    nature: Field {
        value: None,
        cell: None,
    },
    unit: Field {
        value: None,
        cell: None,
    },
    direction: Field {
        value: None,
        cell: None,
    },
    review: Field {
        value: None,
        cell: None,
    },
};

impl Indicator {
    fn extra(&self) -> &IndicatorExtra {
        self.extra.as_deref().unwrap_or(&NO_EXTRA)
    }

    /// The columns few forms have, to fill in.
    pub fn extra_mut(&mut self) -> &mut IndicatorExtra {
        self.extra.get_or_insert_with(Default::default)
    }

    /// 指标性质 as printed, where the form has that column.
    pub fn nature(&self) -> &Field<Text> {
        &self.extra().nature
    }

    /// 度量单位 as printed, where the form has that column.
    pub fn unit(&self) -> &Field<Text> {
        &self.extra().unit
    }

    /// 指标方向 as printed (大于等于), where the form has that column.
    pub fn direction(&self) -> &Field<Text> {
        &self.extra().direction
    }

    /// 复核分, where the form has a reviewer's column beside the 得分: kept, never summed.
    pub fn review(&self) -> &Field<Decimal> {
        &self.extra().review
    }
}

impl Serialize for Indicator {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let cells = IndicatorCells {
            name: self.name.cell,
            target: self.target.cell,
            actual: self.actual.cell,
            weight: self.weight.cell,
            score: self.score.cell,
            reason: self.reason.cell,
            review_score: self.review().cell,
            nature: self.nature().cell,
            unit: self.unit().cell,
        };
        let mut st = s.serialize_struct("Indicator", 11)?;
        st.serialize_field("level1", &self.level1)?;
        st.serialize_field("level2", &self.level2)?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("target", &self.target)?;
        st.serialize_field("actual", &self.actual)?;
        st.serialize_field("weight", &self.weight)?;
        st.serialize_field("score", &self.score)?;
        st.serialize_field("reason", &self.reason)?;
        if self.review().cell.is_some() {
            st.serialize_field("review_score", self.review())?;
        }
        if self.nature().cell.is_some() || self.unit().cell.is_some() {
            st.serialize_field("nature", self.nature())?;
            st.serialize_field("unit", self.unit())?;
        }
        st.serialize_field("group", &self.group)?;
        if let Some(v) = &self.suggested {
            st.serialize_field("suggested_score", v)?;
        }
        st.serialize_field("cells", &cells)?;
        st.end()
    }
}

/// A non-empty cell inside a form that no field took.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unplaced {
    pub cell: Pos,
    pub value: String,
}

/// The accounting that proves nothing was lost: `read == placed + unplaced.len()`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CellCount {
    pub read: usize,
    pub placed: usize,
    pub unplaced: Vec<Unplaced>,
}

pub use crate::code::{Code, Severity};

/// One problem or notice about a form or file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    pub file: Arc<str>,
    pub sheet: Option<Arc<str>>,
    pub cell: Option<Pos>,
    pub project: Option<Arc<str>>,
    pub message: String,
}

impl Finding {
    /// A finding of `code` at its catalogue severity, not yet tied to a project.
    pub fn new(
        code: Code,
        file: &Arc<str>,
        sheet: Option<&Arc<str>>,
        cell: Option<Pos>,
        message: String,
    ) -> Finding {
        Finding {
            code,
            severity: code.severity(),
            file: Arc::clone(file),
            sheet: sheet.cloned(),
            cell,
            project: None,
            // One line, as a compiler prints a diagnostic: a label typed over two lines
            // (`社会效益\n指标`) or a quoted multi-line cell is joined.
            message: {
                let mut m = if message.contains(['\n', '\r']) {
                    message.replace("\r\n", "").replace(['\n', '\r'], "")
                } else {
                    message
                };
                // `format!`'s slack, about a third of the text, is kept for the whole run.
                m.shrink_to_fit();
                m
            },
        }
    }
}

/// One value jixiao changed, with why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub file: Arc<str>,
    pub sheet: Arc<str>,
    pub cell: Pos,
    pub from: String,
    pub to: String,
    pub code: Code,
    /// Why, in words: `去除首尾空白`, `多行值拆分到第2项（D17）`.
    pub reason: Cow<'static, str>,
    pub project: Option<Arc<str>>,
}

/// A form's change records: in memory as the form is read, then spilled to the run's
/// temporary file ([`crate::kept`]; in memory where there is none, as on the page) until
/// a writer reads them back.
///
/// About 16 records a form of 136 bytes each plus their texts: 300 MB at a province's
/// 100,000 forms, which only 变更记录 (workbook and CSV), the JSON and a form's 清洗 sheet
/// ever read, one form at a time. Spilled records are stored without their file, sheet and project (the form's
/// own, restored from the form as they are read back).
#[derive(Debug, Clone)]
pub enum Changes {
    Held(Vec<Change>),
    Spilled { at: u64, len: u32, count: u32 },
}

impl Default for Changes {
    fn default() -> Self {
        Changes::Held(Vec::new())
    }
}

impl From<Vec<Change>> for Changes {
    fn from(v: Vec<Change>) -> Self {
        Changes::Held(v)
    }
}

impl Changes {
    pub fn len(&self) -> usize {
        match self {
            Changes::Held(v) => v.len(),
            Changes::Spilled { count, .. } => *count as usize,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes the records of `form` (whose `changes` these are) to the run's temporary
    /// file, where one can be had; they stay in memory otherwise.
    pub fn spill(form: &mut Form) {
        let Changes::Held(v) = &form.changes else {
            return;
        };
        if v.is_empty() {
            return;
        }
        let bytes = encode_changes(v, form);
        let (Ok(len), Ok(count)) = (u32::try_from(bytes.len()), u32::try_from(v.len())) else {
            return;
        };
        if let Some(at) = crate::kept::spill(&bytes) {
            form.changes = Changes::Spilled { at, len, count };
        }
    }

    fn load(&self, form: &Form) -> std::io::Result<Cow<'_, [Change]>> {
        match self {
            Changes::Held(v) => Ok(Cow::Borrowed(v)),
            Changes::Spilled { at, len, count } => {
                let bytes = crate::kept::read_back(*at, *len)?;
                decode_changes(&bytes, *count as usize, form).map(Cow::Owned)
            }
        }
    }
}

const SAME_FILE: u8 = 1;
const SAME_SHEET: u8 = 2;

/// Each record: flags (file, sheet the form's), file and sheet where not, row, column,
/// code (its index in [`Code::ALL`]), from, to, reason; little-endian, texts
/// length-prefixed.
fn encode_changes(v: &[Change], form: &Form) -> Vec<u8> {
    let text: usize = v
        .iter()
        .map(|c| c.from.len() + c.to.len() + c.reason.len())
        .sum();
    let mut out = Vec::with_capacity(v.len() * 23 + text);
    for c in v {
        let same_file = c.file == form.file;
        let same_sheet = c.sheet == form.sheet;
        out.push(if same_file { SAME_FILE } else { 0 } | if same_sheet { SAME_SHEET } else { 0 });
        if !same_file {
            put_str(&mut out, &c.file);
        }
        if !same_sheet {
            put_str(&mut out, &c.sheet);
        }
        put_u32(&mut out, c.cell.row);
        put_u32(&mut out, c.cell.col);
        let code = Code::ALL.iter().position(|k| *k == c.code).unwrap_or(0) as u16;
        out.extend_from_slice(&code.to_le_bytes());
        put_str(&mut out, &c.from);
        put_str(&mut out, &c.to);
        put_str(&mut out, &c.reason);
    }
    out
}

fn decode_changes(bytes: &[u8], count: usize, form: &Form) -> std::io::Result<Vec<Change>> {
    let mut b = Bytes(bytes);
    let project: Option<Arc<str>> = (!form.id.is_empty()).then(|| form.id.as_str().into());
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let flags = b.u8()?;
        let file: Arc<str> = if flags & SAME_FILE != 0 {
            Arc::clone(&form.file)
        } else {
            b.string()?.into()
        };
        let sheet: Arc<str> = if flags & SAME_SHEET != 0 {
            Arc::clone(&form.sheet)
        } else {
            b.string()?.into()
        };
        let cell = Pos::new(b.u32()?, b.u32()?);
        let k = b.take(2)?;
        let code = Code::ALL
            .get(u16::from_le_bytes([k[0], k[1]]) as usize)
            .copied()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "变更记录代码"))?;
        let (from, to, reason) = (b.string()?, b.string()?, b.string()?);
        out.push(Change {
            file,
            sheet,
            cell,
            from,
            to,
            code,
            reason: Cow::Owned(reason),
            project: project.clone(),
        });
    }
    if !b.0.is_empty() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "变更记录读回多出字节",
        ));
    }
    Ok(out)
}

/// One form, read and normalized.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Form {
    pub id: String,
    pub file: Arc<str>,
    pub sheet: Arc<str>,
    pub anchor: Pos,
    pub year: Field<i32>,
    pub name: Field<String>,
    pub department: Field<String>,
    /// 中央主管部门, on the central transfer-payment form (whose 地方主管部门 is `department`).
    pub central_department: Field<String>,
    pub implementer: Field<String>,
    /// Boxed: a `Form` is moved whole as the batch is put together, and its funds table
    /// is more than half of it.
    pub funds: Box<Funds>,
    /// Declared, or computed from the funds when empty (then F003 says so).
    pub execution_rate: Option<Decimal>,
    pub execution_score: Option<Decimal>,
    pub goal: Goal,
    /// Packed once read in a batch that keeps its forms for writers ([`Indicators`]).
    pub indicators: Indicators,
    pub weight_total: Field<Decimal>,
    pub declared_total: Field<Decimal>,
    /// The 复核分 column's total, where the form has one.
    #[serde(skip_serializing_if = "Field::is_absent")]
    pub review_total: Field<Decimal>,
    /// 执行率得分 + indicator 得分; `None` when the form has no 得分 column to add up.
    pub computed_total: Option<Decimal>,
    /// From `computed_total`; `None` with it.
    pub grade: Option<&'static str>,
    /// 建议总分: 执行率得分 + the indicators' [`Indicator::suggested`] by the scoring
    /// profile; `None` when any scored indicator has no suggestion (issue 17). Left out of
    /// the JSON when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggested_total: Option<Decimal>,
    /// Columns or sections the form lacks, and so the figures withheld or partial.
    pub lacks: Vec<Lack>,
    pub cells: CellCount,
    pub findings: Vec<Finding>,
    /// What jixiao changed in the form's cells ([`Form::changes`] reads them).
    #[serde(skip)]
    pub changes: Changes,
    /// The rows the form spans, first and last (for writers that show the form).
    #[serde(skip)]
    pub rows: (u32, u32),
    /// The form's cells and merged regions exactly as read, kept when the output shows the
    /// original beside the cleaned form ([`crate::kept`]: in a temporary file).
    #[serde(skip)]
    pub source: Option<crate::kept::Kept>,
}

/// The original cells of one form: kept where [`crate::kept`] keeps them.
pub use crate::kept::Source;

/// A column or section a form does not have, which some figures need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lack {
    /// No 得分 column: no 核算总分, no 等级.
    ScoreColumn,
    /// No 分值 column: the weight checks are skipped.
    WeightColumn,
    /// No 年度指标值 column.
    TargetColumn,
    /// No 实际完成值 column.
    ActualColumn,
    /// No 预算执行 score (neither in the funds table nor as an indicator): 核算总分 is the
    /// indicators' alone.
    ExecutionScore,
    /// A 得分 column, but not one 得分 filled in: the form was never scored, so no 核算总分
    /// (0 would be a number nobody gave) and no 等级.
    Scores,
    /// An indicator table, but no indicator read from it: no 核算总分, no 等级.
    Indicators,
}

impl Lack {
    /// What is missing, as the messages say it.
    pub fn zh(self) -> &'static str {
        match self {
            Lack::ScoreColumn => "得分列",
            Lack::WeightColumn => "分值列",
            Lack::TargetColumn => "年度指标值列",
            Lack::ActualColumn => "实际完成值列",
            Lack::ExecutionScore => "预算执行得分",
            Lack::Scores => "得分",
            Lack::Indicators => "指标",
        }
    }
}

impl Form {
    /// The form's change records, read back from the run's temporary file when they were
    /// spilled there ([`Changes::spill`]); each names the form's project once the form has
    /// its id.
    pub fn changes(&self) -> std::io::Result<Cow<'_, [Change]>> {
        self.changes.load(self)
    }

    /// The change records to change (tests that break a form on purpose): brought back
    /// into memory when they were spilled.
    pub fn changes_mut(&mut self) -> std::io::Result<&mut Vec<Change>> {
        if let Changes::Spilled { .. } = self.changes {
            self.changes = Changes::Held(self.changes()?.into_owned());
        }
        match &mut self.changes {
            Changes::Held(v) => Ok(v),
            Changes::Spilled { .. } => unreachable!("brought into memory above"),
        }
    }

    /// Whether the form lacks `what`.
    pub fn lacks(&self, what: Lack) -> bool {
        self.lacks.contains(&what)
    }

    pub fn count(&self, sev: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == sev).count()
    }
}

/// What happened to one input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Skipped,
    Failed,
}

#[derive(Debug, Clone, Serialize)]
pub struct Input {
    pub path: String,
    pub sha256: Option<String>,
    pub status: Status,
    pub reason: Option<String>,
    /// A failed file's error in the reading library's own words (often English), where
    /// `reason` says it in Chinese: for whoever debugs it; only the JSON shows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub forms: usize,
    /// The workbook's non-empty sheets that hold no form, in sheet order (a dossier's
    /// 项目基本信息, 立项依据 …): listed in 说明 as 非自评表, never a finding. Empty for a
    /// workbook with no form at all (E003), a skipped or failed file and a feedback
    /// workbook; left out of the JSON when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_sheets: Vec<String>,
    /// The file as the printed lists name it: its path below the dropped folder it was
    /// found in (from the folder's parent when several were given), or its name when given
    /// directly, with the system's separators; `path` in full where two would read the
    /// same. Not in the JSON, which keeps `path`.
    #[serde(skip)]
    pub shown: String,
}

/// Everything one run read: the inputs, the forms, and the findings about files.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub inputs: Vec<Input>,
    pub forms: Vec<Form>,
    /// Findings not tied to a form (unreadable files, no form in a workbook).
    pub file_findings: Vec<Finding>,
    /// The forms of each project found more than once (C005: the same 项目名称, 主管部门
    /// and 年度), as indices into `forms`: each group in form order, the groups in the
    /// order of their first form. Filled by [`crate::rules::check`] with the findings; the
    /// writers read it ([`Batch::extra_copies`]).
    pub duplicates: Vec<Vec<usize>>,
}

impl Batch {
    /// Every finding, file findings first, then each form's in order.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.file_findings
            .iter()
            .chain(self.forms.iter().flat_map(|f| f.findings.iter()))
    }

    /// How many change records the forms have (read back with [`Form::changes`]).
    pub fn change_count(&self) -> usize {
        self.forms.iter().map(|f| f.changes.len()).sum()
    }

    /// How many forms repeat an earlier one ([`Batch::duplicates`]): the copies beyond
    /// the first of each project, which totals over all forms count twice.
    pub fn extra_copies(&self) -> usize {
        self.duplicates.iter().map(|g| g.len() - 1).sum()
    }

    pub fn count(&self, sev: Severity) -> usize {
        self.findings().filter(|f| f.severity == sev).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(file: &Arc<str>, sheet: &str, reason: Cow<'static, str>) -> Change {
        Change {
            file: Arc::clone(file),
            sheet: sheet.into(),
            cell: Pos::new(12, 3),
            from: " 六万元\n".into(),
            to: "6".into(),
            code: Code::F006,
            reason,
            project: None,
        }
    }

    #[test]
    fn spilled_changes_read_back_as_they_were() {
        let file: Arc<str> = "a/1.xlsx".into();
        let mut form = Form {
            file: Arc::clone(&file),
            sheet: "表1".into(),
            ..Default::default()
        };
        let other: Arc<str> = "b.xlsx".into();
        let v = vec![
            change(&file, "表1", "去除首尾空白".into()),
            change(&other, "表2", Cow::Owned(format!("金额单位为{}", "元"))),
            change(&file, "", "".into()),
        ];
        form.changes = v.clone().into();
        Changes::spill(&mut form);
        assert!(matches!(form.changes, Changes::Spilled { count: 3, .. }));
        assert_eq!(form.changes.len(), 3);
        // Before the batch numbers the form, no project; after, the form's id.
        assert_eq!(form.changes().unwrap().as_ref(), v.as_slice());
        form.id = "P0007".into();
        let back = form.changes().unwrap();
        assert!(back.iter().all(|c| c.project.as_deref() == Some("P0007")));
        assert_eq!(back[1].file, other);
        assert_eq!(&*back[1].sheet, "表2");
        // Brought back into memory to be changed.
        form.changes_mut().unwrap().pop();
        assert!(matches!(&form.changes, Changes::Held(v) if v.len() == 2));
    }

    #[test]
    fn records_cut_short_are_an_error_not_fewer_records() {
        let file: Arc<str> = "a.xlsx".into();
        let form = Form {
            file: Arc::clone(&file),
            ..Default::default()
        };
        let bytes = encode_changes(&[change(&file, "", "r".into())], &form);
        for n in 0..bytes.len() {
            assert!(decode_changes(&bytes[..n], 1, &form).is_err(), "{n}");
        }
        assert!(decode_changes(&bytes, 2, &form).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode_changes(&longer, 1, &form).is_err());
        assert_eq!(decode_changes(&bytes, 1, &form).unwrap().len(), 1);
    }
}
