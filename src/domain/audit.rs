use serde::{Deserialize, Serialize};

/// One line of the audit log: who changed what, when, and the object before and after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: String,
    pub at: i64,
    pub actor_email: String,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

/// Names of the top-level fields whose values differ between two JSON objects, in order.
pub fn changed_fields(before: &serde_json::Value, after: &serde_json::Value) -> Vec<String> {
    let (Some(b), Some(a)) = (before.as_object(), after.as_object()) else {
        return Vec::new();
    };
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| !matches!(k.as_str(), "version" | "updated_at"))
        .filter(|k| b.get(*k) != a.get(*k))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_changed_fields_but_not_bookkeeping() {
        let b = json!({"name": "a", "enabled": true, "version": 1, "badge": null});
        let a = json!({"name": "b", "enabled": true, "version": 2, "badge": "Hot"});
        assert_eq!(changed_fields(&b, &a), vec!["badge", "name"]);
        assert!(changed_fields(&json!(null), &a).is_empty());
    }
}
