//! Where each cell of an indicator block goes: a pure function from grid and block to
//! placements, decided before anything is read or logged.
//!
//! Merged cells make this the hard part of the form: one value cell may hold one value
//! per indicator (split), one value several indicators share (a scoring group, or a shared
//! text), or sit in a row without a name (joined to the block's only indicator, or an
//! orphan). Deciding that apart from applying it keeps both small and testable.

use crate::grid::{Grid, Pos};
use crate::locate::{Block, Columns, span};
use crate::normalize;
use crate::wording::{self, Placeholder, Role};

/// Where one value cell goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Placement {
    /// The whole cell into one indicator's field.
    Own { ind: usize, role: Role, cell: Pos },
    /// One line per indicator, in order.
    Split {
        inds: Vec<usize>,
        role: Role,
        cell: Pos,
    },
    /// One 分值/得分 shared by a scoring group: on the first indicator, the others point at it.
    Group {
        inds: Vec<usize>,
        role: Role,
        cell: Pos,
    },
    /// One text shared by several indicators; `lines` when it has several lines that do
    /// not match them (L002).
    Shared {
        inds: Vec<usize>,
        role: Role,
        cell: Pos,
        lines: Option<usize>,
    },
    /// A value typed in another row than the block's only indicator (misaligned filler).
    Joined { role: Role, cell: Pos },
    /// A value in a nameless row of a block with several indicators (L003).
    Orphan { role: Role, cell: Pos },
}

/// One indicator row of the block: its name cell and the rows it spans.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub name: Option<Pos>,
    pub rows: (u32, u32),
    /// The name without a template prefix (`指标1工程资金金额` → `工程资金金额`).
    pub stripped: Option<String>,
}

/// A row of the indicator table that is not an indicator (L010).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotIndicator {
    /// `其中：省级资金`: a part of the indicator above.
    Breakdown,
    /// `其他需要说明事项 | 无`, `备注`.
    Notes,
    /// The table's header printed again.
    Header,
}

impl NotIndicator {
    pub fn zh(self) -> &'static str {
        match self {
            NotIndicator::Breakdown => "细分行（其中……）",
            NotIndicator::Notes => "说明行",
            NotIndicator::Header => "重复的表头行",
        }
    }
}

/// What kind of non-indicator row `r` is, if it is one: a block whose 一级/二级 label is a
/// notes label, a name cell opening with 其中 or a notes label, or a row holding two or
/// more column labels.
pub fn not_indicator(g: &Grid, b: &Block, cols: &Columns, r: u32) -> Option<NotIndicator> {
    let text = |p: Pos| match g.get(p) {
        crate::grid::Value::Text(t) => Some(t.as_str()),
        _ => None,
    };
    if [b.level1, b.level2]
        .into_iter()
        .flatten()
        .filter_map(text)
        .any(wording::is_note_label)
    {
        return Some(NotIndicator::Notes);
    }
    let in_row = |role: Role| {
        cols.get(role)
            .map(|c| Pos::new(r, c))
            .filter(|p| !g.is_covered(*p))
    };
    if let Some(name) = in_row(Role::Name).and_then(text) {
        if wording::is_breakdown(name) {
            return Some(NotIndicator::Breakdown);
        }
        if wording::is_note_label(name) {
            return Some(NotIndicator::Notes);
        }
    }
    // The first text of the row, in whichever column (a notes label in the 一级 column of
    // a row whose 一级 is merged from above is covered; its own cell is not).
    let first = (0..g.cols())
        .map(|c| Pos::new(r, c))
        .filter(|p| !g.is_covered(*p))
        .find_map(text);
    if first.is_some_and(wording::is_note_label) {
        return Some(NotIndicator::Notes);
    }
    // A header printed again: column labels under the table's own columns (only those
    // cells are looked at: this runs for every row of every form).
    let is_col = |t: &str| matches!(wording::classify(t), Some(wording::Label::Col(_)));
    if !first.is_some_and(is_col) {
        return None;
    }
    let headers = Role::INDICATOR_VALUES
        .into_iter()
        .chain([Role::Level1, Role::Level2, Role::Name])
        .filter_map(in_row)
        .filter_map(text)
        .filter(|t| is_col(t))
        .count();
    (headers >= 2).then_some(NotIndicator::Header)
}

/// What a block holds, and where each value goes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BlockPlan {
    /// Rows that are not indicators (L010), left out of everything below.
    pub excluded: Vec<(u32, NotIndicator)>,
    pub rows: Vec<Row>,
    /// Values but no 三级 name in the whole block: the one nameless indicator (L003).
    pub nameless: bool,
    /// Template rows (`指标1`, `……`) with no values: not indicators.
    pub placeholders: Vec<Pos>,
    /// Placeholder values (`/`) in those rows: nothing, read as such.
    pub blank_values: Vec<Pos>,
    pub placements: Vec<Placement>,
}

/// Plans one 二级 block.
pub fn plan(g: &Grid, b: &Block, cols: &Columns) -> BlockPlan {
    let mut plan = BlockPlan {
        excluded: (b.rows.0..=b.rows.1)
            .filter_map(|r| not_indicator(g, b, cols, r).map(|k| (r, k)))
            .collect(),
        ..Default::default()
    };
    let excluded = |r: u32| plan.excluded.iter().any(|(x, _)| *x == r);
    let live = |p: Pos| !g.is_covered(p) && !g.get(p).is_empty() && !excluded(p.row);
    let values: Vec<(Role, Pos)> = Role::INDICATOR_VALUES
        .into_iter()
        .filter_map(|r| cols.get(r).map(|c| (r, c)))
        .flat_map(|(r, c)| {
            (b.rows.0..=b.rows.1)
                .map(move |row| (r, Pos::new(row, c)))
                .filter(|(_, p)| live(*p))
        })
        .collect();
    if let Some(nc) = cols.get(Role::Name) {
        for r in b.rows.0..=b.rows.1 {
            let p = Pos::new(r, nc);
            if !live(p) {
                continue;
            }
            let rows = span(g, p, b.rows);
            let name = g.get(p).display_cow();
            let stripped = match wording::placeholder(&name) {
                Some(Placeholder::Bare) => {
                    // A template row left in: an indicator only if values were typed in it
                    // (a `/` or `—` is not a value).
                    let typed = |v: &Pos| !matches!(g.get(*v), crate::grid::Value::Text(t) if normalize::is_placeholder(t));
                    if !values
                        .iter()
                        .any(|(_, v)| (rows.0..=rows.1).contains(&v.row) && typed(v))
                    {
                        plan.placeholders.push(p);
                        continue;
                    }
                    None
                }
                Some(Placeholder::Prefix(rest)) => Some(rest.to_string()),
                None => None,
            };
            plan.rows.push(Row {
                name: Some(p),
                rows,
                stripped,
            });
        }
    }
    // A placeholder row's `/` cells say nothing: not values of any indicator.
    let skipped = |v: &Pos| {
        plan.placeholders.iter().any(|p| {
            let (a, z) = span(g, *p, b.rows);
            (a..=z).contains(&v.row)
        })
    };
    let (blank, values): (Vec<_>, Vec<_>) = values.into_iter().partition(|(_, v)| skipped(v));
    plan.blank_values = blank.into_iter().map(|(_, p)| p).collect();
    if plan.rows.is_empty() {
        if values.is_empty() {
            return plan;
        }
        plan.nameless = true;
        plan.rows.push(Row {
            name: None,
            rows: b.rows,
            stripped: None,
        });
    }
    for (role, cell) in values {
        let (a, z) = span(g, cell, b.rows);
        let covered: Vec<usize> = plan
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.rows.0 <= z && r.rows.1 >= a)
            .map(|(i, _)| i)
            .collect();
        let placement = match covered.len() {
            0 if plan.rows.len() == 1 => Placement::Joined { role, cell },
            0 => Placement::Orphan { role, cell },
            1 => Placement::Own {
                ind: covered[0],
                role,
                cell,
            },
            k => {
                let raw = g.get(cell).display_cow();
                let lines = normalize::lines(&raw).len();
                if lines == k {
                    Placement::Split {
                        inds: covered,
                        role,
                        cell,
                    }
                } else if role.is_points() && lines <= 1 {
                    Placement::Group {
                        inds: covered,
                        role,
                        cell,
                    }
                } else {
                    Placement::Shared {
                        inds: covered,
                        role,
                        cell,
                        lines: (lines > 1).then_some(lines),
                    }
                }
            }
        };
        plan.placements.push(placement);
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::Region;

    fn cols() -> Columns {
        let mut c = Columns::default();
        for (i, r) in [
            Role::Level1,
            Role::Level2,
            Role::Name,
            Role::Target,
            Role::Actual,
            Role::Weight,
            Role::Score,
            Role::Reason,
        ]
        .into_iter()
        .enumerate()
        {
            c.set(r, i as u32);
        }
        c
    }

    fn block(rows: (u32, u32)) -> Block {
        Block {
            level1: Some(Pos::new(rows.0, 0)),
            level2: Some(Pos::new(rows.0, 1)),
            rows,
            cols: None,
        }
    }

    #[test]
    fn split_group_and_placeholder_rows() {
        let mut g = Grid::from_rows(
            "S",
            &[
                &["产出", "质量", "甲", "100%\n≥95%", "完成", "10", "10", ""],
                &["", "", "乙", "", "", "", "", ""],
                &["", "", "指标3", "", "", "", "", ""],
            ],
        );
        g.add_merge(Region::new(0, 3, 1, 3));
        g.add_merge(Region::new(0, 4, 1, 4));
        g.add_merge(Region::new(0, 5, 1, 5));
        g.add_merge(Region::new(0, 6, 1, 6));
        let p = plan(&g, &block((0, 2)), &cols());
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.placeholders, vec![Pos::new(2, 2)]);
        assert_eq!(
            p.placements[0],
            Placement::Split {
                inds: vec![0, 1],
                role: Role::Target,
                cell: Pos::new(0, 3)
            }
        );
        assert!(matches!(
            p.placements[1],
            Placement::Shared { lines: None, .. }
        ));
        assert!(matches!(
            p.placements[2],
            Placement::Group {
                role: Role::Weight,
                ..
            }
        ));
    }

    #[test]
    fn breakdown_notes_and_header_rows_are_not_indicators() {
        let g = Grid::from_rows(
            "S",
            &[
                &[
                    "产出",
                    "数量",
                    "道路里程",
                    "300公里",
                    "300公里",
                    "10",
                    "10",
                    "",
                ],
                &["", "", "其中：省级资金", "3", "3", "", "", ""],
                &["", "", "三级指标", "", "", "分值", "得分", ""],
                &["", "", "指标1：", "/", "/", "", "", ""],
                &["", "", "备注", "见附件", "", "", "", ""],
            ],
        );
        let p = plan(&g, &block((0, 4)), &cols());
        assert_eq!(
            p.excluded,
            vec![
                (1, NotIndicator::Breakdown),
                (2, NotIndicator::Header),
                (4, NotIndicator::Notes)
            ]
        );
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.placeholders, vec![Pos::new(3, 2)]);
        assert_eq!(p.blank_values, vec![Pos::new(3, 3), Pos::new(3, 4)]);
        // A block whose 一级 label is a notes label is notes throughout.
        let g = Grid::from_rows("S", &[&["其他需要说明事项", "", "无", "", "", "", "", ""]]);
        let p = plan(&g, &block((0, 0)), &cols());
        assert_eq!(p.excluded, vec![(0, NotIndicator::Notes)]);
        assert!(p.rows.is_empty());
    }

    #[test]
    fn a_prefixed_name_is_kept_without_its_prefix() {
        let g = Grid::from_rows(
            "S",
            &[&[
                "产出",
                "数量",
                "指标1工程资金金额",
                "50万元",
                "50万元",
                "10",
                "10",
                "",
            ]],
        );
        let p = plan(&g, &block((0, 0)), &cols());
        assert_eq!(p.rows[0].stripped.as_deref(), Some("工程资金金额"));
        assert!(p.placeholders.is_empty());
    }
}
