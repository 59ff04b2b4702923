//! The blank 项目支出绩效自评表 that `jixiao template` writes, in the canonical layout
//! jixiao reads best, ready for a department to fill.

#[doc(hidden)]
pub mod layout;

pub(crate) use layout::{FORM_WIDTHS, deterministic_workbook, setup_page, setup_sheet};
use layout::{FormSpec, Placement, blank_blocks, write_form};
use rust_xlsxwriter::XlsxError;

/// The blank form as the bytes of an .xlsx file, with `year` in its heading (`（2023年度）`;
/// `None` leaves the year to be filled in). The same year gives the same bytes.
///
/// # Example
///
/// ```
/// use jixiao::{batch, read};
/// use std::path::Path;
///
/// let bytes = jixiao::template::blank(Some(2023))?;
/// let grids = read::read_bytes(&bytes, Path::new("模板.xlsx"), &read::Limits::default())?;
/// let forms = batch::forms_in(&grids, "模板.xlsx");
/// assert_eq!(forms.len(), 1);
/// assert_eq!(forms[0].year.value, Some(2023));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn blank(year: Option<i32>) -> Result<Vec<u8>, XlsxError> {
    let spec = FormSpec {
        year,
        blocks: blank_blocks(),
        weight_total: "100".into(),
        ..Default::default()
    };
    let mut wb = deterministic_workbook();
    let ws = wb.add_worksheet();
    ws.set_name("自评表")?;
    setup_sheet(ws, 0)?;
    write_form(ws, &spec, &Placement::default())?;
    wb.save_to_buffer()
}
