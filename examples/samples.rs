//! Rebuilds `samples/` from the seed specs: `cargo run --example samples`.
//!
//! `samples/2023/` gets one workbook per project; `samples/stacked/` one workbook with the
//! four forms stacked in one sheet, as in the seed document.

#[path = "common/seed.rs"]
mod seed;

use anyhow::Result;
use jixiao::template::layout::{Placement, deterministic_workbook, setup_sheet, write_form};
use jixiao::write;
use std::path::Path;

fn main() -> Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    std::fs::create_dir_all(root.join("2023"))?;
    std::fs::create_dir_all(root.join("stacked"))?;
    let forms = seed::forms();
    for (i, spec) in forms.iter().enumerate() {
        let mut wb = deterministic_workbook();
        let ws = wb.add_worksheet();
        ws.set_name("Sheet1")?;
        setup_sheet(ws, 0)?;
        write_form(ws, spec, &Placement::default())?;
        let path = root.join("2023").join(format!("{}.xlsx", i + 1));
        write::write_atomic(&path, &wb.save_to_buffer()?)?;
        println!("{}", path.display());
    }
    let mut wb = deterministic_workbook();
    let ws = wb.add_worksheet();
    ws.set_name("Sheet1")?;
    setup_sheet(ws, 0)?;
    let mut row = 0;
    for spec in &forms {
        ws.write_string(row, 0, "附件3")?;
        let at = Placement {
            origin: (row + 1, 0),
            ..Placement::default()
        };
        row += 1 + write_form(ws, spec, &at)? + 3;
    }
    let path = root.join("stacked").join("靖州县禁毒办2023.xlsx");
    write::write_atomic(&path, &wb.save_to_buffer()?)?;
    println!("{}", path.display());
    Ok(())
}
