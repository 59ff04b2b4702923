//! S007 一级指标权重与10/50/30/10不同.

use crate::code::Code;
use crate::model::{Finding, Form};
use crate::rules::{At, Check, Emit};

declare_rule! {
    /// 检查内容：一级指标的分值不是预算执行10、产出50、效益30、满意度10。
    ///
    /// 为何重要：办法规定的是原则上的权重，可以调整，但审核人应当知情。
    ///
    /// 示例：预算执行10、产出40、效益40、满意度10。
    S007, "一级指标权重与10/50/30/10不同", Check::Form(check)
}

use crate::score::{Level1, level1_of, shown};
use rust_decimal::Decimal;

fn check(form: &Form, out: &mut Emit) {
    let mut sums = [Some(Decimal::ZERO); 3];
    let mut seen = [false; 3];
    let mut first_cell = None;
    for i in &form.indicators {
        let Some(l1) = i.level1.value.as_deref().and_then(level1_of) else {
            continue;
        };
        let k = match l1 {
            Level1::Output => 0,
            Level1::Benefit => 1,
            Level1::Satisfaction => 2,
        };
        seen[k] = true;
        first_cell = first_cell.or(i.level1.cell);
        let w = i.weight.value.unwrap_or_default();
        sums[k] = sums[k].and_then(|s| s.checked_add(w));
    }
    if !seen.iter().all(|s| *s) {
        return;
    }
    let exec = form.funds.total.weight.value.unwrap_or_default();
    let got = [Some(exec), sums[0], sums[1], sums[2]].map(|d| d.map(|d| d.normalize()));
    let want = [10, 50, 30, 10].map(|n| Some(Decimal::from(n)));
    if got != want {
        out.add(unusual_weights(out.at(first_cell), got));
    }
}

/// The weights of 预算执行, 产出, 效益 and 满意度 (`got`, in that order) are not 10/50/30/10.
pub fn unusual_weights(at: At, got: [Option<Decimal>; 4]) -> Finding {
    at.finding(
        Code::S007,
        format!(
            "一级指标权重为预算执行{}/产出{}/效益{}/满意度{}，与办法原则上的10/50/30/10不同",
            shown(got[0]),
            shown(got[1]),
            shown(got[2]),
            shown(got[3])
        ),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn weights_other_than_10_50_30_10() {
        let mut f = form();
        f.indicators[0].weight = num("40", "G13");
        f.indicators[1].weight = num("40", "G14");
        assert_eq!(run(&super::RULE, &f), vec![(Code::S007, "B13".to_string())]);
    }

    #[test]
    fn the_principle_weights_pass() {
        assert!(run(&super::RULE, &form()).is_empty());
    }
}
