//! S013 申报总分超过总分值.

use crate::code::Code;
use crate::model::Form;
use crate::rules::{Check, Emit};
use rust_decimal::Decimal;

declare_rule! {
    /// What it checks: the declared 总分 is above the total weight (above 100 when the form declares no total weight).
    ///
    /// Why it matters: no project can score more than the points there are.
    ///
    /// Example: 总分 row weight 100, score 102.
    S013, "申报总分超过总分值", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    let Some(d) = form.declared_total.value else {
        return;
    };
    let max = form.weight_total.value.unwrap_or(Decimal::ONE_HUNDRED);
    if d - max >= crate::score::tolerance() {
        out.push(
            Code::S013,
            form.declared_total.cell,
            format!("申报总分{d}超过总分值{max}"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn above_the_total_weight() {
        let mut f = form();
        f.declared_total = num("102", "H16");
        assert_eq!(run(&super::RULE, &f), vec![(Code::S013, "H16".to_string())]);
        f.weight_total = num("", "G16");
        assert_eq!(run(&super::RULE, &f), vec![(Code::S013, "H16".to_string())]);
    }

    #[test]
    fn at_the_total_passes() {
        assert!(run(&super::RULE, &form()).is_empty());
    }
}
