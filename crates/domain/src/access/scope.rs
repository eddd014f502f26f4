use serde::Serialize;

/// How far a role reaches, from widest to narrowest (the order is meaningful).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    Oem,
    Region,
    Group,
    Dealer,
    Own,
}

/// The rows one user may see and change: a scope kind bound to that user's place in
/// the organization. Built once per request from the signed-in user and passed to
/// every store query of scoped data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    Oem,
    Region { region_id: i64 },
    Group { group_id: i64 },
    Dealer { dealer_id: i64 },
    Own { user_id: i64, dealer_id: i64 },
    /// A user whose organization link is missing (e.g. a dealer-level role whose
    /// dealer was removed) sees nothing rather than everything.
    Nothing,
}

impl Scope {
    /// Binds a scope kind to the user's organization. Any missing link yields
    /// [`Scope::Nothing`]: failing closed.
    pub fn bind(
        kind: ScopeKind,
        user_id: i64,
        dealer_id: Option<i64>,
        group_id: Option<i64>,
        region_id: Option<i64>,
    ) -> Scope {
        match kind {
            ScopeKind::Oem => Scope::Oem,
            ScopeKind::Region => region_id.map_or(Scope::Nothing, |region_id| Scope::Region { region_id }),
            ScopeKind::Group => group_id.map_or(Scope::Nothing, |group_id| Scope::Group { group_id }),
            ScopeKind::Dealer => dealer_id.map_or(Scope::Nothing, |dealer_id| Scope::Dealer { dealer_id }),
            ScopeKind::Own => dealer_id.map_or(Scope::Nothing, |dealer_id| Scope::Own { user_id, dealer_id }),
        }
    }

    pub fn is_oem(&self) -> bool {
        matches!(self, Scope::Oem)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_organization_link_sees_nothing() {
        assert_eq!(Scope::bind(ScopeKind::Dealer, 1, None, Some(2), Some(3)), Scope::Nothing);
        assert_eq!(Scope::bind(ScopeKind::Region, 1, Some(1), None, None), Scope::Nothing);
        assert_eq!(Scope::bind(ScopeKind::Own, 7, Some(4), None, None), Scope::Own { user_id: 7, dealer_id: 4 });
        assert_eq!(Scope::bind(ScopeKind::Oem, 7, None, None, None), Scope::Oem);
    }
}
