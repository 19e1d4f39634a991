//! Versions of the upsell map: every change saves the whole map as a numbered version, so any
//! two can be compared field by field and any one restored.
use super::Rule;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionInfo {
    pub number: i64,
    pub at: i64,
    pub actor: String,
    pub summary: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// A dotted path, e.g. `targeting.countries` or `experiment.holdout`.
    pub field: String,
    pub before: String,
    pub after: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum RuleChange {
    Added {
        name: String,
    },
    Removed {
        name: String,
    },
    Changed {
        name: String,
        fields: Vec<FieldChange>,
    },
}

/// The whole map as exported and imported: its version and its rules, in priority order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapExport {
    pub version: i64,
    pub rules: Vec<Rule>,
}

/// Bookkeeping that changes on every save and says nothing about what the rule does.
const IGNORED: [&str; 4] = ["id", "version", "created_at", "updated_at"];

fn flatten(prefix: &str, v: &Value, out: &mut BTreeMap<String, String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                if prefix.is_empty() && IGNORED.contains(&k.as_str()) {
                    continue;
                }
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        Value::Null => {
            out.insert(prefix.to_string(), String::new());
        }
        Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        Value::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(|i| match i {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            out.insert(prefix.to_string(), parts.join(", "));
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

fn fields(r: &Rule) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    flatten(
        "",
        &serde_json::to_value(r).unwrap_or(Value::Null),
        &mut out,
    );
    out
}

/// What changed from `before` to `after`, rule by rule (matched by id), field by field.
/// Rules are listed in `after`'s order, then the removed ones.
pub fn diff(before: &[Rule], after: &[Rule]) -> Vec<RuleChange> {
    let mut out = Vec::new();
    for a in after {
        match before.iter().find(|b| b.id == a.id) {
            None => out.push(RuleChange::Added {
                name: a.name.clone(),
            }),
            Some(b) => {
                let (fb, fa) = (fields(b), fields(a));
                let mut keys: Vec<&String> = fb.keys().chain(fa.keys()).collect();
                keys.sort();
                keys.dedup();
                let changed: Vec<FieldChange> = keys
                    .into_iter()
                    .filter_map(|k| {
                        let (x, y) = (
                            fb.get(k).cloned().unwrap_or_default(),
                            fa.get(k).cloned().unwrap_or_default(),
                        );
                        (x != y).then(|| FieldChange {
                            field: k.clone(),
                            before: x,
                            after: y,
                        })
                    })
                    .collect();
                if !changed.is_empty() {
                    out.push(RuleChange::Changed {
                        name: a.name.clone(),
                        fields: changed,
                    });
                }
            }
        }
    }
    for b in before {
        if !after.iter().any(|a| a.id == b.id) {
            out.push(RuleChange::Removed {
                name: b.name.clone(),
            });
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests_support {
    use crate::domain::rule::{Rule, RuleDraft, RuleKind, Targeting};

    /// A plain enabled upsell, priority 1, for the domain's tests.
    pub(crate) fn rule(id: &str, name: &str, trigger: &str, offer: &str) -> Rule {
        let d = RuleDraft {
            name: name.into(),
            trigger_product_id: trigger.into(),
            offer_product_id: offer.into(),
            headline: "H".into(),
            value_prop: "V".into(),
            ..Default::default()
        };
        Rule {
            id: id.into(),
            version: 1,
            name: d.name,
            kind: RuleKind::Upsell,
            parent_rule_id: None,
            trigger_product_id: d.trigger_product_id,
            offer_product_id: d.offer_product_id,
            quantity: 1,
            headline: d.headline,
            value_prop: d.value_prop,
            badge: None,
            timing: d.timing,
            expiry_minutes: 60,
            priority: 1,
            enabled: true,
            experiment: Default::default(),
            terms: Default::default(),
            targeting: Targeting::default(),
            discount: Default::default(),
            created_at: 1,
            updated_at: 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: &str, name: &str) -> Rule {
        tests_support::rule(id, name, "pdt_A", "pdt_B")
    }

    #[test]
    fn same_map_no_changes_even_after_a_save() {
        let a = vec![rule("r1", "One")];
        let mut b = a.clone();
        b[0].version = 7;
        b[0].updated_at = 99;
        assert_eq!(diff(&a, &b), vec![]);
    }

    #[test]
    fn field_by_field_with_nested_paths() {
        let a = vec![rule("r1", "One")];
        let mut b = a.clone();
        b[0].headline = "New".into();
        b[0].targeting.countries = vec!["DE".into(), "FR".into()];
        b[0].experiment.holdout = 10;
        let d = diff(&a, &b);
        let RuleChange::Changed { name, fields } = &d[0] else {
            panic!("{d:?}")
        };
        assert_eq!(name, "One");
        let got: Vec<(&str, &str, &str)> = fields
            .iter()
            .map(|f| (f.field.as_str(), f.before.as_str(), f.after.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("experiment.holdout", "0", "10"),
                ("headline", "H", "New"),
                ("targeting.countries", "", "DE, FR"),
            ]
        );
    }

    #[test]
    fn added_and_removed() {
        let a = vec![rule("r1", "One"), rule("r2", "Two")];
        let b = vec![rule("r2", "Two"), rule("r3", "Three")];
        assert_eq!(
            diff(&a, &b),
            vec![
                RuleChange::Added {
                    name: "Three".into()
                },
                RuleChange::Removed { name: "One".into() },
            ]
        );
    }
}
