//! Property tests: random grids (labels in random places, merges, numbers, junk) never make
//! the locator, extractor or normalizer panic, and every form found accounts for every
//! cell: `cells.read == cells.placed + unplaced`.

// The suite's helpers run the binary and read files; these properties build their grids at
// random in memory and share none of them.
mod common;

use jixiao::extract::extract;
use jixiao::grid::{Grid, Pos, Region, Value};
use jixiao::locate::locate;
use jixiao::normalize;
use proptest::prelude::*;
use rust_decimal::Decimal;

const WORDS: &[&str] = &[
    "项目名称",
    "主管部门",
    "实施单位",
    "项目资金（万元）",
    "年初预算数",
    "全年预算数",
    "全年执行数",
    "分值",
    "执行率",
    "得分",
    "年度资金总额",
    "其中：当年财政拨款",
    "上年结转资金",
    "其他资金",
    "年度总体目标",
    "预期目标",
    "实际完成情况",
    "绩效指标",
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完\n成值",
    "偏差原因分析及改进措施",
    "总分",
    "项目支出绩效自评表",
    "（2023年度）",
    "产出指标",
    "数量指标",
    "质量指标",
    "效益指标",
    "满意度指标",
    "\n10",
    "10\t",
    "６万元",
    "100%\n\n≥95%",
    "30.0万元\n13.9万元\n28.8万元",
    "完成",
    "—",
    "-",
    "/",
    "无",
    "",
    "≥16个",
    "不低于95%",
    "1.2.3",
    "9999999999999999999999999999999",
    "-0",
    "%",
    "万元",
];

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => proptest::sample::select(WORDS).prop_map(Value::text),
        1 => any::<String>().prop_map(Value::Text),
        1 => (any::<i64>(), 0u32..10).prop_map(|(m, s)| Value::Number {
            value: Decimal::new(m, s),
            percent: m % 2 == 0,
        }),
        1 => Just(Value::Bool(true)),
        1 => Just(Value::Error("#DIV/0!".into())),
        3 => Just(Value::Empty),
    ]
}

fn grid() -> impl Strategy<Value = Grid> {
    (1u32..40, 1u32..12).prop_flat_map(|(rows, cols)| {
        let n = (rows * cols) as usize;
        (
            proptest::collection::vec(value(), n),
            proptest::collection::vec((0..rows, 0..cols, 0u32..4, 0u32..3), 0..12),
            any::<bool>(),
        )
            .prop_map(move |(vals, merges, info)| {
                let mut g = Grid::new("S", rows, cols);
                g.has_merge_info = info;
                for (i, v) in vals.into_iter().enumerate() {
                    g.set(Pos::new(i as u32 / cols, i as u32 % cols), v);
                }
                if info {
                    for (r, c, dr, dc) in merges {
                        g.add_merge(Region::new(
                            r,
                            c,
                            (r + dr).min(rows - 1),
                            (c + dc).min(cols - 1),
                        ));
                    }
                }
                g
            })
    })
}

proptest! {
    // Bounded for the normal suite; PROPTEST_CASES=100000 for a longer hunt.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_grids_never_panic_and_account_for_every_cell(g in grid()) {
        for layout in locate(&g) {
            let f = extract(&g, &layout, "p.xlsx");
            prop_assert_eq!(f.cells.read, f.cells.placed + f.cells.unplaced.len());
            prop_assert!(f.rows.0 <= f.rows.1);
        }
    }

    #[test]
    fn normalizers_never_panic(s in any::<String>(), w in proptest::sample::select(WORDS)) {
        for t in [s.as_str(), w] {
            let _ = normalize::parse_number(t, normalize::FUND_UNITS);
            let _ = normalize::parse_quantity(t);
            let _ = normalize::parse_rate(&Value::text(t));
            let _ = normalize::read_number(&Value::text(t), normalize::SCORE_UNITS);
            let _ = normalize::lines(t);
            let _ = normalize::label_key(t);
            let _ = jixiao::vocab::classify(t);
            let _ = jixiao::vocab::year_in_title(t);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000),
        ..ProptestConfig::default()
    })]

    /// The folder walk sorts names with `natural_cmp`; a comparison that is not a total
    /// order makes Rust's sort panic, which would end the run. Names from digits (ASCII and
    /// full-width, leading zeros) and a few other characters.
    #[test]
    fn natural_order_is_a_total_order(
        a in "[0019０１a.项]{0,6}",
        b in "[0019０１a.项]{0,6}",
        c in "[0019０１a.项]{0,6}",
    ) {
        use jixiao::batch::natural_cmp;
        use std::cmp::Ordering::*;
        prop_assert_eq!(natural_cmp(&a, &b), natural_cmp(&b, &a).reverse());
        prop_assert_eq!(natural_cmp(&a, &b) == Equal, a == b);
        if natural_cmp(&a, &b) != Greater && natural_cmp(&b, &c) != Greater {
            prop_assert_ne!(natural_cmp(&a, &c), Greater, "{} ≤ {} ≤ {}", a, b, c);
        }
    }
}

/// Decimals at the edges: the largest and smallest there are, the finest step, negative
/// zero, and any value at any scale.
fn edge_decimal() -> BoxedStrategy<Decimal> {
    prop_oneof![
        Just(Decimal::MAX),
        Just(Decimal::MIN),
        Just(Decimal::new(1, 28)),
        Just(Decimal::new(-1, 28)),
        Just(Decimal::from_parts(0, 0, 0, true, 0)),
        Just(Decimal::ZERO),
        Just(Decimal::ONE_HUNDRED),
        (any::<i64>(), 0u32..=28).prop_map(|(m, s)| Decimal::new(m, s)),
        (
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            any::<bool>(),
            0u32..=28
        )
            .prop_map(|(lo, mid, hi, neg, s)| Decimal::from_parts(lo, mid, hi, neg, s)),
    ]
    .boxed()
}

fn edge_field() -> BoxedStrategy<jixiao::model::Field<Decimal>> {
    proptest::option::weighted(0.8, edge_decimal())
        .prop_map(|v| jixiao::model::Field::new(v, Some(Pos::new(5, 4))))
        .boxed()
}

fn edge_text() -> BoxedStrategy<jixiao::model::Field<String>> {
    let quantity = (
        proptest::sample::select(&["", "≥", "≤", ">", "<", "不低于"][..]),
        edge_decimal(),
        proptest::sample::select(&["", "%", "个", "万元"][..]),
    )
        .prop_map(|(c, d, u)| format!("{c}{d}{u}"));
    proptest::option::of(prop_oneof![quantity, any::<String>()])
        .prop_map(|v| jixiao::model::Field::new(v, Some(Pos::new(12, 3))))
        .boxed()
}

fn edge_row() -> BoxedStrategy<jixiao::model::FundRow> {
    (
        edge_field(),
        edge_field(),
        edge_field(),
        edge_field(),
        edge_field(),
        edge_field(),
    )
        .prop_map(
            |(initial, full_year, executed, weight, rate, score)| jixiao::model::FundRow {
                initial,
                full_year,
                executed,
                weight,
                rate,
                score,
                ..Default::default()
            },
        )
        .boxed()
}

fn edge_indicator() -> BoxedStrategy<jixiao::model::Indicator> {
    (
        proptest::sample::select(&["产出指标", "效益指标", "满意度指标"][..]),
        proptest::sample::select(&["数量指标", "成本指标", "服务对象满意度指标"][..]),
        edge_text(),
        edge_text(),
        edge_field(),
        edge_field(),
        proptest::option::of(1u32..3),
    )
        .prop_map(|(l1, l2, target, actual, weight, score, group)| {
            let field = |s: &str| jixiao::model::Field::new(Some(s.to_string()), None);
            jixiao::model::Indicator {
                level1: field(l1).into(),
                level2: field(l2).into(),
                name: field("指标").into(),
                target: target.into(),
                actual: actual.into(),
                weight,
                score,
                group,
                ..Default::default()
            }
        })
        .boxed()
}

/// A form as the rules and writers may meet it: every number at the edges of `Decimal`.
fn edge_form() -> BoxedStrategy<jixiao::model::Form> {
    (
        (edge_row(), edge_row(), edge_row(), edge_row()),
        proptest::collection::vec(edge_indicator(), 0..5),
        proptest::option::of(edge_decimal()),
        proptest::option::of(edge_decimal()),
        edge_field(),
        edge_field(),
        proptest::option::of(edge_decimal()),
        proptest::sample::select(&["甲局", "乙局", ""][..]),
    )
        .prop_map(
            |(
                (total, appropriation, carryover, other),
                indicators,
                rate,
                exec,
                wt,
                dt,
                ct,
                dept,
            )| {
                let mut f = jixiao::model::Form {
                    file: "p.xlsx".into(),
                    sheet: "Sheet1".into(),
                    department: jixiao::model::Field::new(Some(dept.to_string()), None),
                    indicators: indicators.into(),
                    execution_rate: rate,
                    execution_score: exec,
                    weight_total: wt,
                    declared_total: dt,
                    computed_total: ct,
                    grade: ct.map(jixiao::score::grade),
                    ..Default::default()
                };
                f.funds.total = total;
                f.funds.appropriation = appropriation;
                f.funds.carryover = carryover;
                f.funds.other = other;
                f
            },
        )
        .boxed()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300),
        ..ProptestConfig::default()
    })]

    /// The rules run over every form after reading and the writers over the whole batch,
    /// neither isolated per form: a panic in either (a `Decimal` sum or product that
    /// overflows) would end the run. Numbers up to `Decimal::MAX`, at scale 28, negative
    /// zero, in several forms summed together.
    #[test]
    fn rules_and_writers_never_panic_on_extreme_numbers(
        forms in proptest::collection::vec(edge_form(), 1..4),
    ) {
        use jixiao::write::{tables, workbook};
        let mut b = jixiao::model::Batch { forms, ..Default::default() };
        for (i, f) in b.forms.iter_mut().enumerate() {
            f.id = format!("P{:04}", i + 1);
            let _ = jixiao::score::computed_total(f);
            let _ = jixiao::score::execution_rate(f);
            let _ = jixiao::score::expected_execution_score(f);
            let _ = jixiao::score::indicator_score_sum(f);
        }
        jixiao::rules::check(&mut b);
        for t in tables::all(&b) {
            for row in t.rows {
                row.iter().for_each(|c| drop(c.text()));
            }
            t.totals.iter().flatten().for_each(|c| drop(c.text()));
        }
        let _ = jixiao::write::json::to_json(&b).unwrap();
        let opts = workbook::Options::default();
        workbook::write_xlsx(&b, &opts, std::io::Cursor::new(Vec::new())).unwrap();
        let forms: Vec<_> = b.forms.iter().collect();
        workbook::write_feedback(&b, &forms, std::io::Cursor::new(Vec::new())).unwrap();
    }
}
