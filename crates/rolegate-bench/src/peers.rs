//! The peer engines on the workload: casbin-rs and cedar-policy. Built only with the `peers` feature.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use casbin::{
    CachedApi, CachedEnforcer, CoreApi, DefaultCache, DefaultModel, Enforcer, MemoryAdapter,
    MgmtApi,
};
use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityId, EntityTypeName, EntityUid,
    PolicySet, Request, RestrictedExpression,
};
use rolegate::{Depth, TablePrivilege};

use crate::workload::{Query, Workload, role_name, table_name, user_name};

/// The casbin model: RBAC with a depth column matched exactly; a grant at depth d is expanded into one policy for
/// every depth up to d, so that "at least d" becomes an equality. The cheap equalities come before `g(...)` so that
/// rhai's `&&` short-circuits on them.
pub const CASBIN_MODEL: &str = "\
[request_definition]
r = sub, obj, act, dep

[policy_definition]
p = sub, obj, act, dep

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.obj == p.obj && r.act == p.act && r.dep == p.dep && g(r.sub, p.sub)
";

/// A query as casbin takes it: four strings, formatted once before timing.
pub type CasbinQuery = (String, String, String, String);

/// The casbin form of a query.
pub fn casbin_query(q: &Query) -> CasbinQuery {
    (
        user_name(q.user as usize),
        table_name(q.table as usize),
        q.privilege.name().to_owned(),
        q.depth.rank().to_string(),
    )
}

/// The borrowed form `enforce` takes (a tuple of `&str`, which casbin hashes for its cache and converts for rhai).
#[inline]
pub fn casbin_args(q: &CasbinQuery) -> (&str, &str, &str, &str) {
    (&q.0, &q.1, &q.2, &q.3)
}

/// The casbin policies of the workload: `p` rows (role, table, privilege, depth) and `g` rows (user, role).
pub fn casbin_rules(w: &Workload) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let mut policies = Vec::new();
    for (r, row) in w.grants.iter().enumerate() {
        for (slot, &rank) in row.iter().enumerate() {
            for depth in 1..=rank {
                policies.push(vec![
                    role_name(r),
                    table_name(slot / TablePrivilege::COUNT),
                    TablePrivilege::ALL[slot % TablePrivilege::COUNT]
                        .name()
                        .to_owned(),
                    depth.to_string(),
                ]);
            }
        }
    }
    let groupings = w
        .users
        .iter()
        .enumerate()
        .flat_map(|(u, roles)| {
            roles
                .iter()
                .map(move |&r| vec![user_name(u), role_name(usize::from(r))])
        })
        .collect();
    (policies, groupings)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread tokio runtime")
}

/// A plain casbin `Enforcer` loaded with the workload.
pub fn casbin_enforcer(w: &Workload) -> Enforcer {
    let (policies, groupings) = casbin_rules(w);
    runtime().block_on(async {
        let model = DefaultModel::from_str(CASBIN_MODEL)
            .await
            .expect("casbin model");
        let mut e = Enforcer::new(model, MemoryAdapter::default())
            .await
            .expect("casbin enforcer");
        e.add_policies(policies).await.expect("casbin policies");
        e.add_grouping_policies(groupings)
            .await
            .expect("casbin groupings");
        e
    })
}

/// A casbin `CachedEnforcer` loaded with the workload, its cache large enough for `capacity` distinct queries.
pub fn casbin_cached_enforcer(w: &Workload, capacity: usize) -> CachedEnforcer {
    let (policies, groupings) = casbin_rules(w);
    runtime().block_on(async {
        let model = DefaultModel::from_str(CASBIN_MODEL)
            .await
            .expect("casbin model");
        let mut e = CachedEnforcer::new(model, MemoryAdapter::default())
            .await
            .expect("casbin cached enforcer");
        e.add_policies(policies).await.expect("casbin policies");
        e.add_grouping_policies(groupings)
            .await
            .expect("casbin groupings");
        e.set_cache(Box::new(DefaultCache::new(capacity)));
        e
    })
}

/// How the workload is written for cedar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CedarEncoding {
    /// Ten scope-only policies, one per role: `permit(principal in Role::"rK", action == Action::"check",
    /// resource in Role::"rK");` over the hierarchy User -> Role <- Perm, where `Perm::"tT/P/d"` is a child of
    /// every role granting P on tT at depth d or deeper.
    RoleScopes,
    /// One policy over attributes: `permit(principal, action == Action::"check", resource) when
    /// { principal.roles.containsAny(resource.roles) };` with the roles as sets of longs.
    RoleSets,
    /// One policy over the hierarchy: `permit(principal, action == Action::"check", resource) when
    /// { resource in principal.roles };` where `principal.roles` is the set of the user's `Role` entities and
    /// `Perm::"tT/P/d"` is a child of every role granting P on tT at depth d or deeper.
    RoleSetIn,
}

impl CedarEncoding {
    /// Both encodings.
    pub const ALL: [CedarEncoding; 3] = [Self::RoleScopes, Self::RoleSets, Self::RoleSetIn];

    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::RoleScopes => "role-scopes",
            Self::RoleSets => "role-sets",
            Self::RoleSetIn => "role-set-in",
        }
    }
}

/// cedar-policy on the workload: policies, entities, and every UID a request needs, built once.
pub struct Cedar {
    /// Which encoding.
    pub encoding: CedarEncoding,
    /// The policies.
    pub policies: PolicySet,
    /// The entities.
    pub entities: Entities,
    /// The authorizer.
    pub authorizer: Authorizer,
    /// `Action::"check"`.
    pub action: EntityUid,
    /// `User::"uN"`, by user index.
    pub users: Vec<EntityUid>,
    /// `Perm::"tT/P/d"`, by [`Query::combo`].
    pub perms: Vec<EntityUid>,
}

fn uid(kind: &str, id: &str) -> EntityUid {
    EntityUid::from_type_name_and_id(
        EntityTypeName::from_str(kind).expect("entity type"),
        EntityId::new(id),
    )
}

fn long_set(ids: impl IntoIterator<Item = usize>) -> RestrictedExpression {
    RestrictedExpression::new_set(
        ids.into_iter()
            .map(|i| RestrictedExpression::new_long(i as i64)),
    )
}

impl Cedar {
    /// Builds the policies and entities of `encoding` for the workload.
    pub fn new(w: &Workload, encoding: CedarEncoding) -> Self {
        let roles: Vec<EntityUid> = (0..w.grants.len())
            .map(|r| uid("Role", &role_name(r)))
            .collect();
        let users: Vec<EntityUid> = (0..w.users.len())
            .map(|u| uid("User", &user_name(u)))
            .collect();
        let mut perms = Vec::with_capacity(w.slots() * Depth::ALL.len());
        let mut entities = Vec::new();
        for slot in 0..w.slots() {
            let table = table_name(slot / TablePrivilege::COUNT);
            let privilege = TablePrivilege::ALL[slot % TablePrivilege::COUNT].name();
            for depth in Depth::ALL {
                let perm = uid("Perm", &format!("{table}/{privilege}/{}", depth.rank()));
                let granting = (0..w.grants.len()).filter(|&r| w.grants[r][slot] >= depth.rank());
                entities.push(match encoding {
                    CedarEncoding::RoleScopes | CedarEncoding::RoleSetIn => Entity::new_no_attrs(
                        perm.clone(),
                        granting.map(|r| roles[r].clone()).collect(),
                    ),
                    CedarEncoding::RoleSets => Entity::new(
                        perm.clone(),
                        HashMap::from([("roles".to_owned(), long_set(granting))]),
                        HashSet::new(),
                    )
                    .expect("perm entity"),
                });
                perms.push(perm);
            }
        }
        for (u, held) in w.users.iter().enumerate() {
            let held = held.iter().map(|&r| usize::from(r));
            entities.push(match encoding {
                CedarEncoding::RoleScopes => {
                    Entity::new_no_attrs(users[u].clone(), held.map(|r| roles[r].clone()).collect())
                }
                CedarEncoding::RoleSets => Entity::new(
                    users[u].clone(),
                    HashMap::from([("roles".to_owned(), long_set(held))]),
                    HashSet::new(),
                )
                .expect("user entity"),
                CedarEncoding::RoleSetIn => Entity::new(
                    users[u].clone(),
                    HashMap::from([(
                        "roles".to_owned(),
                        RestrictedExpression::new_set(
                            held.map(|r| RestrictedExpression::new_entity_uid(roles[r].clone())),
                        ),
                    )]),
                    HashSet::new(),
                )
                .expect("user entity"),
            });
        }
        if encoding != CedarEncoding::RoleSets {
            entities.extend(
                roles
                    .iter()
                    .map(|r| Entity::new_no_attrs(r.clone(), HashSet::new())),
            );
        }
        let text = match encoding {
            CedarEncoding::RoleScopes => (0..w.grants.len())
                .map(|r| {
                    let role = role_name(r);
                    format!(
                        "permit(principal in Role::\"{role}\", action == Action::\"check\", resource in Role::\"{role}\");\n"
                    )
                })
                .collect::<String>(),
            CedarEncoding::RoleSets => "permit(principal, action == Action::\"check\", resource) when \
                                        { principal.roles.containsAny(resource.roles) };\n"
                .to_owned(),
            CedarEncoding::RoleSetIn => {
                "permit(principal, action == Action::\"check\", resource) when { resource in principal.roles };\n"
                    .to_owned()
            }
        };
        Self {
            encoding,
            policies: PolicySet::from_str(&text).expect("cedar policies"),
            entities: Entities::from_entities(entities, None).expect("cedar entities"),
            authorizer: Authorizer::new(),
            action: uid("Action", "check"),
            users,
            perms,
        }
    }

    /// The request for a query, from the prebuilt UIDs.
    #[inline]
    pub fn request(&self, q: &Query) -> Request {
        Request::new(
            self.users[q.user as usize].clone(),
            self.action.clone(),
            self.perms[q.combo()].clone(),
            Context::empty(),
            None,
        )
        .expect("cedar request")
    }

    /// Decides a prebuilt request.
    #[inline]
    pub fn decide(&self, request: &Request) -> bool {
        self.authorizer
            .is_authorized(request, &self.policies, &self.entities)
            .decision()
            == Decision::Allow
    }

    /// Builds the request and decides it.
    #[inline]
    pub fn allows(&self, q: &Query) -> bool {
        self.decide(&self.request(q))
    }
}

/// Checks an engine's answers against the model on `queries`; panics on the first disagreement.
pub fn assert_agrees(
    engine: &str,
    w: &Workload,
    queries: &[Query],
    mut answer: impl FnMut(&Query) -> bool,
) {
    for (i, q) in queries.iter().enumerate() {
        let expected = w.expected(q);
        let got = answer(q);
        assert_eq!(
            got, expected,
            "{engine} disagrees with the model on query {i} {q:?}"
        );
    }
}
