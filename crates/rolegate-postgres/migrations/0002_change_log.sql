-- The change log: what each change did, written in the change's own transaction, so that an instance serving version
-- n can apply versions n+1.. to the snapshot it has instead of reading and building everything again.
-- One row per version: `change` says what (jsonb: {"kind": "assign_user_role", "user": <uuid>, ...}); a load of whole
-- files writes {"kind": "full"}, which a reader cannot apply and reloads for. Rows more than 1,000 versions old are
-- deleted by the change that passes them (a reader further behind reloads everything).
create table rolegate_changes (
    version    bigint primary key,
    change     jsonb not null,
    changed_at timestamptz not null default now()
);
