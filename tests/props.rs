//! Property tests: random grids (labels in random places, merges, numbers, junk) never make
//! the locator, extractor or normalizer panic, and every form found accounts for every
//! cell: `cells.read == cells.placed + unplaced`.

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
