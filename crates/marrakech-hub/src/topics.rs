//! The compact's objectives and actions as the hub uses them: a request addresses them, a
//! partner has expertise in them, a knowledge item relates to them. Ids are the compact's
//! citation ids (`obj-7`, `obj-7-c`), parsed with [`CompactRef`] and checked against the
//! official text, so `obj-7-z` (no such action) is refused.

use std::fmt;

use marrakech_core::compact::OBJECTIVE_LABELS;
use marrakech_core::{Compact, CompactRef};
use serde::Serialize;

/// An objective (`obj-7`) or one of its actions (`obj-7-c`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Topic {
    Objective(u8),
    Action(u8, char),
}

impl Topic {
    /// Parses an objective or action id and checks that the compact has it.
    pub fn parse(id: &str) -> Result<Topic, String> {
        let r = CompactRef::parse(id.trim()).map_err(|e| e.to_string())?;
        let topic = match r {
            CompactRef::Objective(n) => Topic::Objective(n),
            CompactRef::Action(n, l) => Topic::Action(n, l),
            _ => {
                return Err(format!(
                    "`{id}` is not an objective (obj-7) or action (obj-7-c)"
                ))
            }
        };
        if !Compact::official().contains(&r) {
            return Err(format!("the compact has no `{id}`"));
        }
        Ok(topic)
    }

    pub fn objective(self) -> u8 {
        match self {
            Topic::Objective(n) | Topic::Action(n, _) => n,
        }
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Topic::Objective(n) => write!(f, "obj-{n}"),
            Topic::Action(n, l) => write!(f, "obj-{n}-{l}"),
        }
    }
}

impl Serialize for Topic {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Letters per objective in the action bit set (the compact's longest list stops at `l`).
const LETTERS: usize = 16;
pub(crate) const ACTION_WORDS: usize = (23 * LETTERS).div_ceil(64);

/// The objectives and actions of a request, partner or candidate. An action implies its
/// objective, so the objectives always include those of the actions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Topics {
    objectives: Vec<u8>,
    actions: Vec<(u8, char)>,
    pub(crate) objective_bits: u32,
    pub(crate) action_bits: [u64; ACTION_WORDS],
}

impl Topics {
    /// From ids; the field errors are returned as `(index, message)` per list.
    pub fn parse(
        objectives: &[String],
        actions: &[String],
    ) -> Result<Topics, Vec<(&'static str, usize, String)>> {
        let mut errors = Vec::new();
        let mut list = Vec::new();
        for (field, ids, want_action) in [
            ("objectives", objectives, false),
            ("actions", actions, true),
        ] {
            for (i, id) in ids.iter().enumerate() {
                match Topic::parse(id) {
                    Ok(t @ Topic::Objective(_)) if !want_action => list.push(t),
                    Ok(t @ Topic::Action(..)) if want_action => list.push(t),
                    Ok(_) if want_action => errors.push((
                        field,
                        i,
                        format!("`{id}` is an objective: list it under objectives"),
                    )),
                    Ok(_) => errors.push((
                        field,
                        i,
                        format!("`{id}` is an action: list it under actions"),
                    )),
                    Err(e) => errors.push((field, i, e)),
                }
            }
        }
        if errors.is_empty() {
            Ok(Topics::from_topics(list))
        } else {
            Err(errors)
        }
    }

    /// From already valid topics (duplicates are fine).
    pub fn from_topics(topics: impl IntoIterator<Item = Topic>) -> Topics {
        let mut t = Topics::default();
        for topic in topics {
            let n = topic.objective();
            debug_assert!((1..=23).contains(&n));
            t.objective_bits |= 1 << (n - 1);
            if let Topic::Action(n, l) = topic {
                let bit = (n as usize - 1) * LETTERS + (l as usize - 'a' as usize);
                t.action_bits[bit / 64] |= 1 << (bit % 64);
            }
        }
        t.objectives = (1..=23u8)
            .filter(|n| t.objective_bits & (1 << (n - 1)) != 0)
            .collect();
        for n in 1..=23u8 {
            for (i, l) in ('a'..='p').enumerate() {
                let bit = (n as usize - 1) * LETTERS + i;
                if t.action_bits[bit / 64] & (1 << (bit % 64)) != 0 {
                    t.actions.push((n, l));
                }
            }
        }
        t
    }

    pub fn is_empty(&self) -> bool {
        self.objectives.is_empty()
    }

    /// Objective numbers, ascending.
    pub fn objectives(&self) -> &[u8] {
        &self.objectives
    }

    /// Actions as (objective, letter), ascending.
    pub fn actions(&self) -> &[(u8, char)] {
        &self.actions
    }

    pub fn objective_count(&self) -> u32 {
        self.objective_bits.count_ones()
    }

    pub fn action_count(&self) -> u32 {
        self.action_bits.iter().map(|w| w.count_ones()).sum()
    }

    /// How many objectives both have.
    pub fn shared_objectives(&self, other: &Topics) -> u32 {
        (self.objective_bits & other.objective_bits).count_ones()
    }

    /// How many actions both have.
    pub fn shared_actions(&self, other: &Topics) -> u32 {
        self.action_bits
            .iter()
            .zip(other.action_bits.iter())
            .map(|(a, b)| (a & b).count_ones())
            .sum()
    }

    /// The topics both have: shared objectives, then shared actions.
    pub fn intersection(&self, other: &Topics) -> Vec<Topic> {
        let mut out: Vec<Topic> = self
            .objectives
            .iter()
            .filter(|n| other.objective_bits & (1 << (**n - 1)) != 0)
            .map(|n| Topic::Objective(*n))
            .collect();
        out.extend(
            self.actions
                .iter()
                .filter(|a| other.actions.binary_search(a).is_ok())
                .map(|(n, l)| Topic::Action(*n, *l)),
        );
        out
    }

    /// The ids, objectives first.
    pub fn ids(&self) -> (Vec<String>, Vec<String>) {
        (
            self.objectives.iter().map(|n| format!("obj-{n}")).collect(),
            self.actions
                .iter()
                .map(|(n, l)| format!("obj-{n}-{l}"))
                .collect(),
        )
    }
}

/// The short label of an objective ("Remittances" for 20).
pub fn objective_label(n: u8) -> &'static str {
    OBJECTIVE_LABELS
        .get(usize::from(n).wrapping_sub(1))
        .copied()
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_objectives_and_actions_and_refuses_others() {
        assert_eq!(Topic::parse("obj-7").unwrap(), Topic::Objective(7));
        assert_eq!(Topic::parse("obj-20-f").unwrap(), Topic::Action(20, 'f'));
        assert!(Topic::parse("obj-24").is_err());
        assert!(Topic::parse("obj-7-z")
            .unwrap_err()
            .contains("no `obj-7-z`"));
        assert!(Topic::parse("gp-a").is_err());
        assert!(Topic::parse("para-43").is_err());
    }

    #[test]
    fn actions_imply_their_objectives_and_sets_intersect() {
        let a = Topics::parse(&["obj-1".into()], &["obj-20-a".into(), "obj-20-f".into()]).unwrap();
        assert_eq!(a.objectives(), &[1, 20]);
        assert_eq!(a.action_count(), 2);
        let b = Topics::parse(&[], &["obj-20-f".into(), "obj-23-l".into()]);
        assert!(b.is_err(), "obj-23 has no action l");
        let b = Topics::parse(&[], &["obj-20-f".into(), "obj-6-l".into()]).unwrap();
        assert_eq!(a.shared_objectives(&b), 1);
        assert_eq!(a.shared_actions(&b), 1);
        assert_eq!(
            a.intersection(&b),
            vec![Topic::Objective(20), Topic::Action(20, 'f')]
        );
        let wrong = Topics::parse(&["obj-7-a".into()], &["obj-7".into()]).unwrap_err();
        assert_eq!(wrong.len(), 2);
        assert_eq!(objective_label(20), "Remittances");
    }
}
