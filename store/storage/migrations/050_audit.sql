-- The audit trail: every change the store makes on someone's behalf (schemas registered, replaced,
-- deleted, imported; transformations; subscriptions ended), every refused attempt, and the console's
-- sign-ins and sign-outs. Append-only: the store only inserts, and the database refuses the rest.

CREATE TABLE audit_entry (
  -- Keyset for paging, newest first; strictly increasing across store instances of one database.
  id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- clock_timestamp, not now(): an entry written late in a long transaction still says when.
  at            timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- The authenticated account (store/auth/principal.ts), or the account a refused caller claimed.
  account       text        NOT NULL,
  -- How the caller proved who it is: open (no access file), basic, bearer; none when it did not.
  via           text        NOT NULL,
  -- What was done or attempted, e.g. schema.register, schema.replace, console.sign-in, access.denied.
  action        text        NOT NULL,
  outcome       text        NOT NULL CHECK (outcome IN ('ok', 'denied', 'unauthenticated', 'rejected', 'failed')),
  -- The namespace it concerned, when it concerned one.
  ns            text,
  -- What inside the namespace: "OrderPlaced v3", or the RPC a refused call asked for.
  subject       text        NOT NULL DEFAULT '',
  -- Why, as the caller said (a forced replacement's reason).
  reason        text        NOT NULL DEFAULT '',
  -- The store's own words: why it refused, or what an import did.
  detail        text        NOT NULL DEFAULT '',
  -- The address of the connection the call came on.
  address       text        NOT NULL DEFAULT '',
  -- The address a client said it acts for (the console passes its browser's); not verified.
  forwarded_for text        NOT NULL DEFAULT '',
  -- The client's own name (FactCast's fc-id), e.g. factline-console.
  client        text        NOT NULL DEFAULT ''
);

-- The filters of AuditService.ListAuditEntries, each read newest first.
CREATE INDEX idx_audit_account ON audit_entry (account, id DESC);
CREATE INDEX idx_audit_action ON audit_entry (action, id DESC);
CREATE INDEX idx_audit_ns ON audit_entry (ns, id DESC) WHERE ns IS NOT NULL;
CREATE INDEX idx_audit_at ON audit_entry (at);

CREATE FUNCTION audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only: % on audit_entry is not allowed', TG_OP;
END $$;

CREATE TRIGGER tr_audit_append_only
  BEFORE UPDATE OR DELETE ON audit_entry FOR EACH STATEMENT EXECUTE FUNCTION audit_is_append_only();
CREATE TRIGGER tr_audit_no_truncate
  BEFORE TRUNCATE ON audit_entry FOR EACH STATEMENT EXECUTE FUNCTION audit_is_append_only();
