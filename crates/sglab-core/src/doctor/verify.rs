//! The check of every one-click fix before it is shown: applied to a copy of the topology, the
//! fix must turn the side it addresses to allow (the query explained again). A fix that does
//! not is combined with the fixes of the side's other blockers into one fix that does (one
//! edit, one undo); when no combination works, it becomes advice that says what else must
//! change first. Then the first fix of each side, applied together, must allow the query.

use crate::eval::{explain, Party};
use crate::explain::{Decision, Explanation};
use crate::fix::Fix;
use crate::model::{Direction, Protocol, Topology};

use super::Diagnosis;

/// The question the fixes must answer: the query of [`super::diagnose`].
pub(super) struct Question<'a> {
    pub(super) topology: &'a Topology,
    pub(super) from: &'a Party,
    pub(super) to: &'a Party,
    pub(super) protocol: Protocol,
    pub(super) port: Option<u16>,
}

impl Question<'_> {
    /// The explanation after applying `fixes` in order to a copy; `None` when one is refused.
    fn after(&self, fixes: &[&Fix]) -> Option<Explanation> {
        let mut copy = self.topology.clone();
        for fix in fixes {
            fix.apply(&mut copy).ok()?;
        }
        Some(explain(&copy, self.from, self.to, self.protocol, self.port))
    }

    /// Whether `fixes` together leave every side of `sides` allowed by its groups.
    fn allows(&self, fixes: &[&Fix], sides: &[Direction]) -> bool {
        self.after(fixes).is_some_and(|after| {
            sides
                .iter()
                .all(|side| still_blocking(&after, *side).is_none())
        })
    }
}

/// The first decision of the groups that still denies `side`, in evaluation order; the
/// platform's TCP 25 block is no decision of the groups and no fix lifts it.
fn still_blocking(explanation: &Explanation, side: Direction) -> Option<&Decision> {
    explanation
        .blockers
        .iter()
        .filter(|blocker| blocker.side == Some(side))
        .map(|blocker| &blocker.decision)
        .find(|decision| !matches!(decision, Decision::Platform { .. }))
}

/// Checks the fixes of one side's diagnoses, in order, and replaces each fix that does not
/// allow the side: by the smallest combination with the side's other fixes that does, else by
/// advice naming what still blocks.
pub(super) fn check_side(question: &Question<'_>, side: Direction, diagnoses: &mut [Diagnosis]) {
    let originals: Vec<Option<Fix>> = diagnoses
        .iter()
        .map(|diagnosis| diagnosis.fix.clone())
        .collect();
    // The combinations shown so far, as indexes of the diagnoses, with the words naming them.
    let mut combined: Vec<(Vec<usize>, String)> = Vec::new();
    for (index, diagnosis) in diagnoses.iter_mut().enumerate() {
        let Some(fix) = &originals[index] else {
            continue;
        };
        let Some(after) = question.after(&[fix]) else {
            diagnosis.fix_text = format!(
                "{} (the model refuses this change as it stands: make it by hand)",
                diagnosis.fix_text
            );
            diagnosis.fix = None;
            continue;
        };
        let Some(blocking) = still_blocking(&after, side) else {
            continue;
        };
        let blocking = decision_words(blocking);
        match combination(question, side, &originals, index) {
            Some(chosen) => {
                if let Some((_, label)) = combined.iter().find(|(earlier, _)| earlier == &chosen) {
                    diagnosis.fix_text = format!(
                        "needed together with the fix above {label}, which makes both changes as one: {}",
                        diagnosis.fix_text
                    );
                    diagnosis.fix = None;
                    continue;
                }
                let together = together(chosen.iter().map(|&at| &originals[at]));
                diagnosis.fix_text = format!(
                    "{together} (one change: {fix} alone would leave {blocking} blocking {})",
                    side_words(side)
                );
                let label = match diagnosis.related.first() {
                    Some(rule) => format!(
                        "for rule {} of {}",
                        rule.rule_index + 1,
                        rule.security_group
                    ),
                    None => format!("({})", diagnosis.code),
                };
                combined.push((chosen, label));
                diagnosis.fix = Some(together);
            }
            None => {
                diagnosis.fix_text = format!(
                    "not enough on its own, since {blocking} would still block {}: change that first, then {}",
                    side_words(side),
                    diagnosis.fix_text
                );
                diagnosis.fix = None;
            }
        }
    }
}

/// The smallest set of the side's fixes, `own` among them, that allows the side, as indexes in
/// the order of the diagnoses: the others are added in order until the side allows, then each
/// one the side can do without is left out.
fn combination(
    question: &Question<'_>,
    side: Direction,
    fixes: &[Option<Fix>],
    own: usize,
) -> Option<Vec<usize>> {
    let pick = |chosen: &[usize]| -> Vec<&Fix> {
        chosen
            .iter()
            .filter_map(|&index| fixes[index].as_ref())
            .collect()
    };
    let mut chosen = vec![own];
    let mut works = false;
    for (index, fix) in fixes.iter().enumerate() {
        if index == own || fix.is_none() {
            continue;
        }
        // Kept in the order of the diagnoses without a sort, which the WebAssembly bundle
        // would pay for (`crate::sort`).
        let at = chosen.partition_point(|&earlier| earlier < index);
        chosen.insert(at, index);
        if question.allows(&pick(&chosen), &[side]) {
            works = true;
            break;
        }
    }
    if !works {
        return None;
    }
    for index in chosen.clone() {
        if index == own {
            continue;
        }
        let without: Vec<usize> = chosen.iter().copied().filter(|&at| at != index).collect();
        if question.allows(&pick(&without), &[side]) {
            chosen = without;
        }
    }
    Some(chosen)
}

/// One fix of several, flattened: a single fix stays itself.
fn together<'f>(fixes: impl Iterator<Item = &'f Option<Fix>>) -> Fix {
    let mut flat = Vec::new();
    for fix in fixes.flatten() {
        match fix {
            Fix::Together { fixes } => flat.extend(fixes.iter().cloned()),
            other => flat.push(other.clone()),
        }
    }
    if flat.len() == 1 {
        if let Some(only) = flat.pop() {
            return only;
        }
    }
    Fix::Together { fixes: flat }
}

/// Checks that the first fix of each side, applied together, allows the query when both sides
/// have one; otherwise the second becomes advice to apply after the first.
pub(super) fn check_sides_together(
    question: &Question<'_>,
    egress: &mut [Diagnosis],
    ingress: &mut [Diagnosis],
) {
    let first = |diagnoses: &[Diagnosis]| diagnoses.iter().position(|d| d.fix.is_some());
    let (Some(out), Some(into)) = (first(egress), first(ingress)) else {
        return;
    };
    let (Some(out_fix), Some(in_fix)) = (egress[out].fix.clone(), ingress[into].fix.clone()) else {
        return;
    };
    let both = [Direction::Egress, Direction::Ingress];
    if question.allows(&[&out_fix, &in_fix], &both) {
        return;
    }
    let after = question.after(&[&out_fix, &in_fix]);
    let blocking = after
        .as_ref()
        .and_then(|after| {
            both.iter()
                .find_map(|side| still_blocking(after, *side).map(|d| (decision_words(d), *side)))
        })
        .map(|(decision, side)| format!("{decision} would still block {}", side_words(side)))
        .unwrap_or_else(|| "the two fixes do not apply together".to_owned());
    let diagnosis = &mut ingress[into];
    diagnosis.fix_text = format!(
        "{} (after {out_fix}, {blocking}: apply that first, then ask again)",
        diagnosis.fix_text
    );
    diagnosis.fix = None;
}

/// A decision that blocks, in words: a rule as the explanation names it, a default as "the
/// default deny" with its reason.
fn decision_words(decision: &Decision) -> String {
    match decision {
        Decision::Default { reason, .. } => format!("the default deny ({reason})"),
        other => other.to_string(),
    }
}

fn side_words(side: Direction) -> &'static str {
    match side {
        Direction::Ingress => "the inbound side",
        Direction::Egress => "the outbound side",
    }
}
