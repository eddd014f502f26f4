use serde::{Deserialize, Serialize};

use super::ScopeKind;

/// The roles of PRODUCT.md. The string form is stored in the database and used in
/// the API, so it never changes once released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    OemSalesOps,
    OemMarketing,
    RegionalManager,
    CacAgent,
    TechSupport,
    GroupManager,
    DealerManager,
    SalesConsultant,
    ServiceAdvisor,
}

/// Kinds of things a user may do. Every API route and page names exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Read one's own profile, change one's own password.
    SelfService,
    /// See regions, dealer groups, dealers and departments (within scope).
    OrgRead,
    /// Create and change regions, dealer groups and dealers (network structure).
    OrgManage,
    /// Create and change departments of a dealer within scope.
    DepartmentManage,
    /// See users within scope.
    UserRead,
    /// Create users, change their role, dealer, status, reset passwords (within scope).
    UserManage,
    /// Browse the audit trail (within scope).
    AuditRead,
    /// Create and revoke long-lived API tokens for integrations.
    ApiTokenManage,
    /// Find customers and vehicles and open their 360 view (within scope).
    CustomerRead,
    /// Create and change customers, vehicles, notes and commitments (within scope).
    CustomerWrite,
    /// See personal identifiers unmasked (mobile, ID number); every reveal is audited.
    PiiReveal,
    /// Work the duplicate-review queue: merge and unmerge customers.
    CustomerMerge,
    /// Bulk import of customers and vehicles.
    CustomerImport,
    /// Bulk export of customer lists (audited).
    CustomerExport,
    /// See prospects, their follow-ups, test drives and quotes (within scope).
    LeadRead,
    /// Capture prospects, log follow-ups, book test drives, quote, give feedback on
    /// distributed leads, record showroom traffic.
    LeadWrite,
    /// Assign and reassign leads, approve closes, hand a leaving consultant's
    /// records over, set routing and grading rules, run the distribution.
    LeadManage,
    /// Funnel and conversion analytics, showroom traffic reports.
    LeadReport,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::Admin,
        Role::OemSalesOps,
        Role::OemMarketing,
        Role::RegionalManager,
        Role::CacAgent,
        Role::TechSupport,
        Role::GroupManager,
        Role::DealerManager,
        Role::SalesConsultant,
        Role::ServiceAdvisor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::OemSalesOps => "oem_sales_ops",
            Role::OemMarketing => "oem_marketing",
            Role::RegionalManager => "regional_manager",
            Role::CacAgent => "cac_agent",
            Role::TechSupport => "tech_support",
            Role::GroupManager => "group_manager",
            Role::DealerManager => "dealer_manager",
            Role::SalesConsultant => "sales_consultant",
            Role::ServiceAdvisor => "service_advisor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Which rows this role works on.
    pub fn scope_kind(self) -> ScopeKind {
        match self {
            Role::Admin | Role::OemSalesOps | Role::OemMarketing | Role::CacAgent | Role::TechSupport => {
                ScopeKind::Oem
            }
            Role::RegionalManager => ScopeKind::Region,
            Role::GroupManager => ScopeKind::Group,
            Role::DealerManager | Role::ServiceAdvisor => ScopeKind::Dealer,
            Role::SalesConsultant => ScopeKind::Own,
        }
    }

    /// Staff of a dealer (store) must belong to one; OEM staff must not.
    pub fn belongs_to_dealer(self) -> bool {
        matches!(self.scope_kind(), ScopeKind::Dealer | ScopeKind::Own)
    }

    pub fn grants(self, action: Action) -> bool {
        use Action::*;
        use Role::*;
        match action {
            SelfService => true,
            OrgRead => true,
            OrgManage => matches!(self, Admin | OemSalesOps),
            DepartmentManage => matches!(self, Admin | OemSalesOps | GroupManager | DealerManager),
            UserRead => matches!(self, Admin | OemSalesOps | RegionalManager | GroupManager | DealerManager),
            UserManage => matches!(self, Admin | GroupManager | DealerManager),
            AuditRead => matches!(self, Admin | RegionalManager | GroupManager | DealerManager),
            ApiTokenManage => matches!(self, Admin),
            // Everyone who serves customers reads them; tech support works on
            // vehicles and service stations, not on customer records.
            CustomerRead => !matches!(self, TechSupport),
            CustomerWrite => matches!(
                self,
                Admin | CacAgent | GroupManager | DealerManager | SalesConsultant | ServiceAdvisor | OemMarketing
            ),
            // The hotline verifies callers; managers handle complaints and data requests.
            PiiReveal => matches!(self, Admin | CacAgent | DealerManager | GroupManager),
            CustomerMerge => matches!(self, Admin | CacAgent | DealerManager | GroupManager),
            CustomerImport => matches!(self, Admin | OemMarketing | OemSalesOps | DealerManager | GroupManager),
            CustomerExport => matches!(self, Admin | OemMarketing | OemSalesOps | RegionalManager | DealerManager | GroupManager),
            // Sales work: the hotline and marketing capture prospects centrally,
            // dealers work them; tech support and service advisors do not.
            LeadRead => !matches!(self, TechSupport | ServiceAdvisor),
            LeadWrite => matches!(self, Admin | CacAgent | OemMarketing | GroupManager | DealerManager | SalesConsultant),
            LeadManage => matches!(self, Admin | OemSalesOps | GroupManager | DealerManager),
            LeadReport => matches!(self, Admin | OemSalesOps | OemMarketing | RegionalManager | GroupManager | DealerManager),
        }
    }

    /// Whether a user with this role may give `target` to someone. Nobody hands out
    /// more reach than their own: a dealer manager staffs a store, a group manager
    /// its stores, and only an admin creates OEM staff or other admins.
    pub fn can_assign(self, target: Role) -> bool {
        match self {
            Role::Admin => true,
            Role::GroupManager => matches!(
                target,
                Role::GroupManager | Role::DealerManager | Role::SalesConsultant | Role::ServiceAdvisor
            ),
            Role::DealerManager => {
                matches!(target, Role::DealerManager | Role::SalesConsultant | Role::ServiceAdvisor)
            }
            _ => false,
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Action {
    pub const ALL: [Action; 18] = [
        Action::SelfService,
        Action::OrgRead,
        Action::OrgManage,
        Action::DepartmentManage,
        Action::UserRead,
        Action::UserManage,
        Action::AuditRead,
        Action::ApiTokenManage,
        Action::CustomerRead,
        Action::CustomerWrite,
        Action::PiiReveal,
        Action::CustomerMerge,
        Action::CustomerImport,
        Action::CustomerExport,
        Action::LeadRead,
        Action::LeadWrite,
        Action::LeadManage,
        Action::LeadReport,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::SelfService => "self_service",
            Action::OrgRead => "org_read",
            Action::OrgManage => "org_manage",
            Action::DepartmentManage => "department_manage",
            Action::UserRead => "user_read",
            Action::UserManage => "user_manage",
            Action::AuditRead => "audit_read",
            Action::ApiTokenManage => "api_token_manage",
            Action::CustomerRead => "customer_read",
            Action::CustomerWrite => "customer_write",
            Action::PiiReveal => "pii_reveal",
            Action::CustomerMerge => "customer_merge",
            Action::CustomerImport => "customer_import",
            Action::CustomerExport => "customer_export",
            Action::LeadRead => "lead_read",
            Action::LeadWrite => "lead_write",
            Action::LeadManage => "lead_manage",
            Action::LeadReport => "lead_report",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn every_role_may_serve_itself_and_read_the_network() {
        for r in Role::ALL {
            assert!(r.grants(Action::SelfService));
            assert!(r.grants(Action::OrgRead));
        }
    }

    #[test]
    fn only_admin_manages_api_tokens() {
        for r in Role::ALL {
            assert_eq!(r.grants(Action::ApiTokenManage), r == Role::Admin);
        }
    }

    #[test]
    fn consultant_cannot_manage_users_or_read_audit() {
        assert!(!Role::SalesConsultant.grants(Action::UserManage));
        assert!(!Role::SalesConsultant.grants(Action::AuditRead));
    }

    #[test]
    fn a_role_that_assigns_a_role_reaches_at_least_as_far() {
        for actor in Role::ALL {
            for target in Role::ALL {
                if actor.can_assign(target) && actor != Role::Admin {
                    assert!(actor.scope_kind() <= target.scope_kind(), "{actor} -> {target}");
                    assert!(actor.grants(Action::UserManage));
                }
            }
        }
    }

    #[test]
    fn dealer_staff_roles_belong_to_a_dealer() {
        assert!(Role::SalesConsultant.belongs_to_dealer());
        assert!(Role::ServiceAdvisor.belongs_to_dealer());
        assert!(Role::DealerManager.belongs_to_dealer());
        assert!(!Role::CacAgent.belongs_to_dealer());
        assert!(!Role::GroupManager.belongs_to_dealer());
    }
}
