//! Excel binary workbooks (.xlsb), through calamine.
//!
//! Streamed cell by cell, like XLSX, rather than read as a calamine `Range`: a `Range` is
//! dense from the first to the last used cell, so a far-away cell is refused here before
//! a dense range is allocated. calamine gives no merged regions or number formats for
//! XLSB: no cell is known to be a percentage, and merges are inferred later.

use super::budget::{Budget, Extent, keep};
use super::calamine::{data_ref_value, worksheet_names};
use super::{Limits, ReadError};
use crate::grid::{Grid, Pos};
use calamine::{Reader, Xlsb};
use std::io::Cursor;

/// Every worksheet of an .xlsb file.
pub(crate) fn read(bytes: &[u8], limits: &Limits) -> Result<Vec<Grid>, ReadError> {
    let budget = Budget::new(limits);
    let mut wb = Xlsb::new(Cursor::new(bytes)).map_err(ReadError::corrupt)?;
    let names = worksheet_names(&wb);
    let mut out = Vec::with_capacity(names.len().min(64));
    for (name, hidden) in names {
        budget.sheet()?;
        let mut reader = wb
            .worksheet_cells_reader(&name)
            .map_err(ReadError::corrupt)?;
        let mut extent = Extent::new(&name, &budget);
        let mut cells = Vec::new();
        let mut dropped = Vec::new();
        while let Some(cell) = reader.next_cell().map_err(ReadError::corrupt)? {
            let (r, c) = cell.get_position();
            let Some(value) = data_ref_value(cell.get_value(), false) else {
                continue;
            };
            keep(&mut cells, &mut dropped, Pos::new(r, c), value, &mut extent)?;
        }
        extent.finish()?;
        let mut g = Grid::from_cells(&name, cells, &[], false);
        g.dropped = dropped;
        g.hidden = hidden;
        out.push(g);
    }
    Ok(out)
}
