use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Merchant,
    Analyst,
    Support,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Merchant, Role::Analyst, Role::Support];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Merchant => "merchant",
            Role::Analyst => "analyst",
            Role::Support => "support",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn can_edit_rules(self) -> bool {
        self == Role::Merchant
    }

    pub fn can_manage_users(self) -> bool {
        self == Role::Merchant
    }

    pub fn can_read_analytics(self) -> bool {
        matches!(self, Role::Merchant | Role::Analyst)
    }

    pub fn can_change_plans(self) -> bool {
        matches!(self, Role::Merchant | Role::Support)
    }
}

/// Who is signed in, as the browser may know it (no secrets).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: String,
    pub email: String,
    pub role: Role,
}

/// An account as the users screen lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub role: Role,
    pub created_at: i64,
    /// Disabled by a merchant: cannot sign in, no session works.
    #[serde(default)]
    pub disabled: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_permissions() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("admin"), None);
        assert!(Role::Merchant.can_edit_rules());
        assert!(!Role::Analyst.can_edit_rules());
        assert!(!Role::Support.can_edit_rules());
        assert!(Role::Analyst.can_read_analytics());
        assert!(!Role::Support.can_read_analytics());
    }
}
