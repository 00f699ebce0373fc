-- rolegate's role data: the catalog, the organisation, role assignments and shares, with one version for all of it.
-- Written through rolegate's administration path only (rolegate-postgres's `Store`, `rolegate db`): each change is one
-- transaction that bumps rolegate_version and sends pg_notify('rolegate', <version>) in that transaction.
-- Every table keeps `seq`, the order rows were added in, so that a file loaded and read back keeps its order.

-- The version of all role data: one row, bumped by every change.
create table rolegate_version (
    singleton  boolean primary key default true check (singleton),
    version    bigint not null check (version >= 0),
    changed_at timestamptz not null default now()
);
insert into rolegate_version (version) values (0);

-- The catalog document: the text of a catalog file as loaded (TOML or JSON; usually `extends = "builtin"`).
-- No row: the built-in catalog.
create table rolegate_catalog (
    singleton boolean primary key default true check (singleton),
    document  text not null,
    syntax    text not null check (syntax in ('toml', 'json')),
    origin    text not null -- the file it was loaded from, named in diagnostics
);

-- The organisation's header and the parts of an organisation file that have no table of their own: hierarchy settings,
-- positions, field security profiles, access team templates and record access teams (JSON, as in the file).
create table rolegate_organization (
    singleton boolean primary key default true check (singleton),
    name      text,
    settings  jsonb not null default '{}'
);

create table rolegate_business_units (
    id        uuid primary key,                   -- businessunitid
    name      text not null unique,
    parent_id uuid references rolegate_business_units (id) deferrable initially deferred, -- null: the root
    seq       bigint generated always as identity
);

create table rolegate_users (
    id               uuid primary key,            -- systemuserid
    name             text not null unique,
    external_id      text,                        -- an Entra object id, say; compared without regard to case
    business_unit_id uuid not null references rolegate_business_units (id) deferrable initially deferred,
    manager_id       uuid references rolegate_users (id) deferrable initially deferred,
    position         text,                        -- a position of the settings' position hierarchy
    seq              bigint generated always as identity
);
create unique index rolegate_users_external_id on rolegate_users (lower(external_id));

create table rolegate_teams (
    id               uuid primary key,            -- teamid
    name             text not null unique,
    business_unit_id uuid not null references rolegate_business_units (id) deferrable initially deferred,
    kind             text not null check (kind in ('owner', 'access', 'aad-security-group', 'aad-office-group')),
    entra_object_id  text,                        -- a group team's azureactivedirectoryobjectid
    seq              bigint generated always as identity
);

create table rolegate_team_members (
    team_id uuid not null references rolegate_teams (id) on delete cascade deferrable initially deferred,
    user_id uuid not null references rolegate_users (id) on delete cascade deferrable initially deferred,
    seq     bigint generated always as identity,
    primary key (team_id, user_id)
);

-- Roles assigned to users, each held in a business unit: null is the user's own (it follows the user when it moves).
create table rolegate_user_roles (
    user_id          uuid not null references rolegate_users (id) on delete cascade deferrable initially deferred,
    role             text not null,               -- a role of the catalog, by name
    business_unit_id uuid references rolegate_business_units (id) on delete cascade deferrable initially deferred,
    seq              bigint generated always as identity
);
create unique index rolegate_user_roles_unique on rolegate_user_roles
    (user_id, role, coalesce(business_unit_id, '00000000-0000-0000-0000-000000000000'));

-- Roles assigned to owner and group teams.
create table rolegate_team_roles (
    team_id     uuid not null references rolegate_teams (id) on delete cascade deferrable initially deferred,
    role        text not null,
    isinherited smallint not null default 1 check (isinherited in (0, 1)), -- 1: members also hold it (Basic)
    seq         bigint generated always as identity,
    primary key (team_id, role)
);

-- Records shared with a user, a team or the whole organisation (Dataverse's PrincipalObjectAccess).
create table rolegate_shares (
    table_name      text not null,                -- the table's logical name
    record_id       uuid not null,                -- the record's id; a number n is the UUID of the 128-bit integer n
    grantee_kind    text not null check (grantee_kind in ('user', 'team', 'organization')),
    -- Checked at commit, so that loading an organisation keeps the shares of the users and teams it keeps (by id).
    grantee_user_id uuid references rolegate_users (id) deferrable initially deferred,
    grantee_team_id uuid references rolegate_teams (id) deferrable initially deferred,
    rights          text[] not null,              -- Read, Write, Delete, Append, AppendTo, Assign, Share
    seq             bigint generated always as identity,
    check ((grantee_kind = 'user') = (grantee_user_id is not null)),
    check ((grantee_kind = 'team') = (grantee_team_id is not null))
);
create unique index rolegate_shares_unique on rolegate_shares
    (table_name, record_id, grantee_kind,
     coalesce(grantee_user_id, grantee_team_id, '00000000-0000-0000-0000-000000000000'));
