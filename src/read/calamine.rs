//! calamine's cells and sheets made into jixiao's [`Value`]s and [`Grid`]s, and the
//! number-format rules every reader shares.
//!
//! calamine reads what jixiao does not parse itself (XLS, ODS, XLSB, and XLSX when the
//! fast reader gives up). Its values are converted here, in one place, so that a cell
//! reads the same whichever reader met it: a date as the text it shows, a float at the
//! precision a spreadsheet shows, a percentage kept as one. Besides the format files
//! that open calamine (`xlsx.rs`, `xls.rs`, `ods.rs`, `xlsb.rs`), this is the only file
//! that names it; the fast XLSX reader converts its numbers and dates here too.

use super::ReadError;
use super::budget::{Budget, Extent, MAX_COL, MAX_ROW, keep, unique_merges};
use super::xlsx::DateKind;
use crate::grid::{Grid, Hidden, Pos, Region, Value, decimal_from_f64};
use calamine::{
    Data, DataRef, Dimensions, ExcelDateTime, ExcelDateTimeType, Range, Reader, SheetType,
    SheetVisible,
};

/// A streamed cell value; `None` for empty cells.
pub(crate) fn data_ref_value(v: &DataRef, percent: bool) -> Option<Value> {
    Some(match v {
        DataRef::Empty => return None,
        DataRef::SharedString(s) => Value::Text((*s).to_string()),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            Value::Text(s.clone())
        }
        DataRef::Float(f) => float_value(*f, percent),
        DataRef::Int(i) => Value::Number {
            value: (*i).into(),
            percent,
        },
        DataRef::Bool(b) => Value::Bool(*b),
        DataRef::DateTime(d) => date_value(d),
        DataRef::Error(e) => Value::Error(e.to_string()),
    })
}

/// A number read with its cell's format: a date serial (in the 1900 or 1904 system) when
/// the format shows a date, else a number.
pub(crate) fn number_value(f: f64, percent: bool, date: DateKind, date1904: bool) -> Value {
    let kind = match date {
        DateKind::No => return float_value(f, percent),
        DateKind::DateTime => ExcelDateTimeType::DateTime,
        DateKind::Duration => ExcelDateTimeType::TimeDelta,
    };
    date_value(&ExcelDateTime::new(f, kind, date1904))
}

/// A date number format that shows the year alone, with its literal text, such as
/// `yyyy"年度"` (Excel shows 2023年度): the cell is read as that text, not as an ISO
/// date, so that a 年度 cell holding a date reads as its year.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct YearFormat(Vec<YearPart>);

#[derive(Debug, Clone, PartialEq)]
enum YearPart {
    Text(String),
    /// `yyyy`, `yyy`, `e`: four digits.
    Year,
    /// `yy`, `y`: two digits.
    ShortYear,
}

/// The year-only format of a number format's code: its only date part is the year
/// (`y`, `e`), the rest quoted or escaped text, CJK characters, spaces and punctuation,
/// `[$-804]`-style locale or colour brackets skipped. `None` for anything else (a month,
/// a day, a second section).
pub(crate) fn year_format(code: &str) -> Option<YearFormat> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut chars = code.chars().peekable();
    let mut years = 0;
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                for d in chars.by_ref() {
                    if d == '"' {
                        break;
                    }
                    text.push(d);
                }
            }
            '\\' => text.push(chars.next()?),
            '[' => {
                for d in chars.by_ref() {
                    if d == ']' {
                        break;
                    }
                }
            }
            'y' | 'Y' | 'e' | 'E' => {
                let mut n = 1;
                while chars.next_if(|d| d.eq_ignore_ascii_case(&c)).is_some() {
                    n += 1;
                }
                if !text.is_empty() {
                    parts.push(YearPart::Text(std::mem::take(&mut text)));
                }
                let e = c.eq_ignore_ascii_case(&'e');
                parts.push(if e || n > 2 {
                    YearPart::Year
                } else {
                    YearPart::ShortYear
                });
                years += 1;
            }
            c if c.is_ascii_alphanumeric()
                || matches!(c, ';' | '@' | '0' | '#' | '?' | '*' | '_') =>
            {
                return None;
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        parts.push(YearPart::Text(text));
    }
    (years > 0).then_some(YearFormat(parts))
}

/// A date serial shown in a year-only format: `2023年度`. `None` outside Excel's dates.
pub(crate) fn year_shown(f: f64, date1904: bool, format: &YearFormat) -> Option<Value> {
    let d = ExcelDateTime::new(f, ExcelDateTimeType::DateTime, date1904);
    year_shown_of(&d, format)
}

/// As [`year_shown`], for a date calamine read.
pub(crate) fn year_shown_of(d: &ExcelDateTime, format: &YearFormat) -> Option<Value> {
    if d.is_duration() || !(1.0..2_958_466.0).contains(&d.as_f64()) {
        return None;
    }
    let year = d.to_ymd_hms_milli().0;
    Some(Value::Text(
        format
            .0
            .iter()
            .map(|p| match p {
                YearPart::Text(t) => t.clone(),
                YearPart::Year => format!("{year:04}"),
                YearPart::ShortYear => format!("{:02}", year % 100),
            })
            .collect(),
    ))
}

/// A date cell as the text it shows, ISO style: `2023-12-31`, `2023-12-31 08:30:00`, or
/// `08:30:00` for a time alone. A duration (`[h]:mm:ss`), or a serial outside Excel's
/// dates (negative, past 9999-12-31), stays a number.
fn date_value(d: &ExcelDateTime) -> Value {
    let f = d.as_f64();
    if d.is_duration() || !(0.0..2_958_466.0).contains(&f) {
        return float_value(f, false);
    }
    let (y, mo, da, h, mi, s, ms) = d.to_ymd_hms_milli();
    let time = match ms {
        0 => format!("{h:02}:{mi:02}:{s:02}"),
        ms => format!("{h:02}:{mi:02}:{s:02}.{ms:03}"),
    };
    Value::Text(if f < 1.0 {
        time
    } else if (h, mi, s, ms) == (0, 0, 0, 0) {
        format!("{y:04}-{mo:02}-{da:02}")
    } else {
        format!("{y:04}-{mo:02}-{da:02} {time}")
    })
}

/// A float as the decimal a spreadsheet shows (15 significant digits); an error value
/// when it has none (NaN, infinity).
fn float_value(f: f64, percent: bool) -> Value {
    match decimal_from_f64(f) {
        Some(d) => Value::Number { value: d, percent },
        None => Value::Error(f.to_string()),
    }
}

/// Every worksheet of a calamine reader, as grids; `merges` gives a sheet's merged
/// regions, or `None` when the format has none to give.
pub(crate) fn ranges<RS: std::io::Read + std::io::Seek, R: Reader<RS>>(
    wb: &mut R,
    budget: &Budget,
    merges: impl Fn(&mut R, &str) -> Option<Vec<Dimensions>>,
) -> Result<Vec<Grid>, ReadError>
where
    R::Error: std::fmt::Display,
{
    let names = worksheet_names(wb);
    let mut out = Vec::with_capacity(names.len().min(64));
    for (name, hidden) in names {
        budget.sheet()?;
        let range = wb.worksheet_range(&name).map_err(ReadError::corrupt)?;
        check_size(&range, &name, budget)?;
        let m = merges(wb, &name);
        let has_merge_info = m.is_some();
        let mut g = to_grid(&name, range, &m.unwrap_or_default(), has_merge_info, budget)?;
        g.hidden = hidden;
        out.push(g);
    }
    Ok(out)
}

/// The worksheets of a calamine reader, in order, each with whether it is hidden.
pub(crate) fn worksheet_names<RS: std::io::Read + std::io::Seek, R: Reader<RS>>(
    wb: &R,
) -> Vec<(String, Option<Hidden>)> {
    wb.sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| {
            let hidden = match s.visible {
                SheetVisible::Visible => None,
                SheetVisible::Hidden => Some(Hidden::Hidden),
                SheetVisible::VeryHidden => Some(Hidden::VeryHidden),
            };
            (s.name.clone(), hidden)
        })
        .collect()
}

fn check_size(range: &Range<Data>, name: &str, budget: &Budget) -> Result<(), ReadError> {
    let Some(end) = range.end() else {
        return Ok(());
    };
    Extent::new(name, budget).add(Pos::new(end.0.min(MAX_ROW), end.1.min(MAX_COL)))
}

/// A number format shows a percentage when it has a `%` outside quotes and brackets.
pub fn is_percent_format(code: &str) -> bool {
    let mut quoted = false;
    let mut bracket = false;
    let mut escaped = false;
    for c in code.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '[' if !quoted => bracket = true,
            ']' if !quoted => bracket = false,
            '%' if !quoted && !bracket => return true,
            _ => {}
        }
    }
    false
}

/// A calamine range (XLS, ODS, XLSB) as a grid; these formats carry no number formats
/// calamine exposes, so no cell is known to be a percentage.
///
/// Merged regions count toward the sheet's extent: a corrupt file can declare a merge far
/// beyond its last cell (found by fuzzing an .xls).
fn to_grid(
    name: &str,
    range: Range<Data>,
    merges: &[Dimensions],
    has_merge_info: bool,
    budget: &Budget,
) -> Result<Grid, ReadError> {
    let start = range.start().unwrap_or((0, 0));
    let mut cells = Vec::new();
    let mut dropped = Vec::new();
    let mut extent = Extent::new(name, budget);
    for (r, c, v) in range.used_cells() {
        let (r, c) = (start.0 + r as u32, start.1 + c as u32);
        let value = match v {
            Data::Empty => continue,
            Data::String(s) => Value::Text(s.clone()),
            Data::Float(f) => float_value(*f, false),
            Data::Int(i) => Value::number((*i).into()),
            Data::Bool(b) => Value::Bool(*b),
            Data::DateTime(d) => date_value(d),
            Data::DateTimeIso(s) | Data::DurationIso(s) => Value::Text(s.clone()),
            Data::Error(e) => Value::Error(e.to_string()),
        };
        keep(&mut cells, &mut dropped, Pos::new(r, c), value, &mut extent)?;
    }
    calamine_grid(name, cells, dropped, merges, has_merge_info, extent)
}

/// How every sheet read through calamine ends: its merges deduplicated and counted toward
/// the extent (a merge can reach far past the last cell), then the grid.
pub(crate) fn calamine_grid(
    name: &str,
    cells: Vec<(Pos, Value)>,
    dropped: Vec<Pos>,
    merges: &[Dimensions],
    has_merge_info: bool,
    mut extent: Extent,
) -> Result<Grid, ReadError> {
    let merges = unique_merges(
        merges
            .iter()
            .map(|m| Region::new(m.start.0, m.start.1, m.end.0, m.end.1)),
        extent.budget,
    )?;
    for m in &merges {
        extent.add(m.last)?;
    }
    extent.finish()?;
    let mut g = Grid::from_cells(name, cells, &merges, has_merge_info);
    g.dropped = dropped;
    Ok(g)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_only_formats_show_the_year() {
        let shown =
            |code: &str, serial: f64| year_format(code).and_then(|y| year_shown(serial, false, &y));
        // 44927 is 2023-01-01, 45291 is 2023-12-31.
        assert_eq!(
            shown("yyyy\"年度\"", 44927.0),
            Some(Value::text("2023年度"))
        );
        assert_eq!(shown("yyyy年", 45291.0), Some(Value::text("2023年")));
        assert_eq!(
            shown("[$-804]e\"年度\"", 45291.0),
            Some(Value::text("2023年度"))
        );
        assert_eq!(shown("yy", 44927.0), Some(Value::text("23")));
        assert_eq!(shown("yyyy", 0.5), None);
        for not in [
            "yyyy-mm-dd",
            "yyyy\"年\"m\"月\"",
            "General",
            "0.00",
            "yyyy;@",
            "",
        ] {
            assert_eq!(year_format(not), None, "{not}");
        }
    }

    #[test]
    fn percent_formats() {
        assert!(is_percent_format("0%"));
        assert!(is_percent_format("0.00%"));
        assert!(!is_percent_format("General"));
        assert!(!is_percent_format("0.00\"%\""));
        assert!(!is_percent_format("[Red]0.00"));
    }
}
