-- columns
audit_entry.id bigint not null
audit_entry.at timestamp with time zone not null default clock_timestamp()
audit_entry.account text not null
audit_entry.via text not null
audit_entry.action text not null
audit_entry.outcome text not null
audit_entry.ns text
audit_entry.subject text not null default ''::text
audit_entry.reason text not null default ''::text
audit_entry.detail text not null default ''::text
audit_entry.address text not null default ''::text
audit_entry.forwarded_for text not null default ''::text
audit_entry.client text not null default ''::text
catalog.ns text not null
catalog.type text not null
catalog.version integer not null
catalog.fact_count bigint not null
catalog.first_ser bigint not null
catalog.last_ser bigint not null
catalog.first_at timestamp with time zone not null
catalog.last_at timestamp with time zone not null
date2serial.fact_date date not null
date2serial.first_ser bigint not null
date2serial.last_ser bigint not null
fact.ser bigint not null default nextval('fact_ser_seq'::regclass)
fact.header jsonb not null
fact.payload json not null
factline_migration.version integer not null
factline_migration.name text not null
factline_migration.applied_at timestamp with time zone not null default now()
schema_registry_generation.singleton boolean not null default true
schema_registry_generation.generation bigint not null
schema_replacement.ns text not null
schema_replacement.type text not null
schema_replacement.version integer not null
schema_replacement.revision integer not null
schema_replacement.schema text not null
schema_replacement.registered_by text not null
schema_replacement.registered_at timestamp with time zone not null
schema_replacement.replaced_by text not null
schema_replacement.replaced_at timestamp with time zone not null default now()
schema_replacement.reason text not null
schema_version.ns text not null
schema_version.type text not null
schema_version.version integer not null
schema_version.schema text not null
schema_version.description text not null default ''::text
schema_version.registered_by text not null default ''::text
schema_version.registered_at timestamp with time zone not null default now()
schema_version.examples jsonb not null default '[]'::jsonb
schema_version.revision integer not null default 1
schema_version.hash text not null
store_instance.id uuid not null
store_instance.host text not null
store_instance.pid integer not null
store_instance.version text not null
store_instance.grpc_address text not null
store_instance.http_address text not null
store_instance.started_at timestamp with time zone not null
store_instance.heartbeat_at timestamp with time zone not null
store_instance.heartbeat_ms integer not null
store_instance.ready boolean not null
store_instance.tail_serial bigint not null
store_subscription.id uuid not null
store_subscription.instance_id uuid not null
store_subscription.client_id text not null
store_subscription.client_address text not null
store_subscription.account text not null
store_subscription.debug_info text not null
store_subscription.specs jsonb not null
store_subscription.namespaces ARRAY not null
store_subscription.mode text not null
store_subscription.started_at timestamp with time zone not null
store_subscription.facts_delivered bigint not null
store_subscription.last_serial bigint not null
store_subscription.position bigint not null
store_subscription.caught_up boolean not null
store_subscription.rate double precision not null
store_subscription.updated_at timestamp with time zone not null
store_subscription.end_requested_by text
store_subscription.end_reason text
store_subscription.end_reconnect boolean not null default false
tokenstore.token uuid not null
tokenstore.state jsonb not null
tokenstore.created_at timestamp with time zone not null default now()
transformation.ns text not null
transformation.type text not null
transformation.from_version integer not null
transformation.to_version integer not null
transformation.code text
transformation.description text not null default ''::text
transformation.registered_by text not null
transformation.registered_at timestamp with time zone not null default now()
transformation.revision integer not null default 1
transformation.hash text not null
transformation_cache.ser bigint not null
transformation_cache.chain text not null
transformation_cache.version integer not null
transformation_cache.ns text not null
transformation_cache.type text not null
transformation_cache.header text not null
transformation_cache.payload text not null
transformation_cache.bytes integer not null
transformation_cache.accessed_at timestamp with time zone not null default now()
transformation_cache_size.singleton boolean not null default true
transformation_cache_size.bytes bigint not null
transformation_cache_size.entries bigint not null
transformation_replacement.ns text not null
transformation_replacement.type text not null
transformation_replacement.from_version integer not null
transformation_replacement.to_version integer not null
transformation_replacement.revision integer not null
transformation_replacement.code text
transformation_replacement.registered_by text not null
transformation_replacement.registered_at timestamp with time zone not null
transformation_replacement.replaced_by text not null
transformation_replacement.replaced_at timestamp with time zone not null default now()
transformation_replacement.reason text not null
-- indexes
CREATE UNIQUE INDEX audit_entry_pkey ON public.audit_entry USING btree (id)
CREATE INDEX idx_audit_account ON public.audit_entry USING btree (account, id DESC)
CREATE INDEX idx_audit_action ON public.audit_entry USING btree (action, id DESC)
CREATE INDEX idx_audit_at ON public.audit_entry USING btree (at)
CREATE INDEX idx_audit_ns ON public.audit_entry USING btree (ns, id DESC) WHERE (ns IS NOT NULL)
CREATE UNIQUE INDEX catalog_pkey ON public.catalog USING btree (ns, type, version)
CREATE UNIQUE INDEX date2serial_pkey ON public.date2serial USING btree (fact_date)
CREATE UNIQUE INDEX fact_pkey ON public.fact USING btree (ser)
CREATE INDEX idx_fact_header ON public.fact USING gin (header jsonb_path_ops) WITH (fastupdate=off)
CREATE UNIQUE INDEX idx_fact_unique_uuid ON public.fact USING btree ((((header ->> 'id'::text))::uuid))
CREATE UNIQUE INDEX factline_migration_pkey ON public.factline_migration USING btree (version)
CREATE UNIQUE INDEX schema_registry_generation_pkey ON public.schema_registry_generation USING btree (singleton)
CREATE UNIQUE INDEX schema_replacement_pkey ON public.schema_replacement USING btree (ns, type, version, revision)
CREATE UNIQUE INDEX schema_version_pkey ON public.schema_version USING btree (ns, type, version)
CREATE UNIQUE INDEX store_instance_pkey ON public.store_instance USING btree (id)
CREATE INDEX idx_store_subscription_instance ON public.store_subscription USING btree (instance_id)
CREATE UNIQUE INDEX store_subscription_pkey ON public.store_subscription USING btree (id)
CREATE INDEX idx_tokenstore_created_at ON public.tokenstore USING btree (created_at)
CREATE UNIQUE INDEX tokenstore_pkey ON public.tokenstore USING btree (token)
CREATE UNIQUE INDEX transformation_pkey ON public.transformation USING btree (ns, type, from_version, to_version)
CREATE INDEX idx_transformation_cache_accessed ON public.transformation_cache USING btree (accessed_at)
CREATE INDEX idx_transformation_cache_type ON public.transformation_cache USING btree (ns, type)
CREATE UNIQUE INDEX transformation_cache_pkey ON public.transformation_cache USING btree (ser, chain)
CREATE UNIQUE INDEX transformation_cache_size_pkey ON public.transformation_cache_size USING btree (singleton)
CREATE UNIQUE INDEX transformation_replacement_pkey ON public.transformation_replacement USING btree (ns, type, from_version, to_version, revision)
-- triggers
CREATE TRIGGER tr_audit_append_only BEFORE DELETE OR UPDATE ON public.audit_entry FOR EACH STATEMENT EXECUTE FUNCTION audit_is_append_only()
CREATE TRIGGER tr_audit_no_truncate BEFORE TRUNCATE ON public.audit_entry FOR EACH STATEMENT EXECUTE FUNCTION audit_is_append_only()
CREATE TRIGGER tr_fact_after_insert AFTER INSERT ON public.fact REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION fact_after_insert()
CREATE TRIGGER tr_fact_immutable BEFORE DELETE OR UPDATE ON public.fact FOR EACH STATEMENT EXECUTE FUNCTION fact_is_immutable()
CREATE TRIGGER tr_fact_serialize_writers BEFORE INSERT ON public.fact FOR EACH STATEMENT EXECUTE FUNCTION fact_serialize_writers()
CREATE TRIGGER tr_schema_version_changed AFTER INSERT OR DELETE OR UPDATE ON public.schema_version FOR EACH STATEMENT EXECUTE FUNCTION schema_version_changed()
CREATE TRIGGER tr_schema_version_changed_transformations AFTER INSERT OR DELETE OR UPDATE ON public.schema_version FOR EACH ROW EXECUTE FUNCTION transformation_type_changed()
CREATE TRIGGER tr_transformation_changed AFTER INSERT OR DELETE OR UPDATE ON public.transformation FOR EACH ROW EXECUTE FUNCTION transformation_type_changed()
CREATE TRIGGER tr_transformation_cache_added AFTER INSERT ON public.transformation_cache REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION transformation_cache_added()
CREATE TRIGGER tr_transformation_cache_removed AFTER DELETE ON public.transformation_cache REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION transformation_cache_removed()
CREATE TRIGGER tr_transformation_cache_truncated AFTER TRUNCATE ON public.transformation_cache FOR EACH STATEMENT EXECUTE FUNCTION transformation_cache_truncated()
-- check constraints
audit_entry audit_entry_outcome_check CHECK ((outcome = ANY (ARRAY['ok'::text, 'denied'::text, 'unauthenticated'::text, 'rejected'::text, 'failed'::text])))
fact mandatory_id CHECK ((header ? 'id'::text))
fact mandatory_ns CHECK ((header ? 'ns'::text))
schema_registry_generation schema_registry_generation_singleton_check CHECK (singleton)
schema_version schema_version_version_check CHECK ((version > 0))
store_instance store_instance_heartbeat_ms_check CHECK ((heartbeat_ms > 0))
store_subscription store_subscription_mode_check CHECK ((mode = ANY (ARRAY['catchup'::text, 'follow'::text, 'ephemeral'::text])))
transformation transformation_changes_version CHECK ((from_version <> to_version))
transformation transformation_from_version_check CHECK ((from_version > 0))
transformation transformation_to_version_check CHECK ((to_version > 0))
transformation transformation_upcast_has_code CHECK (((code IS NOT NULL) OR (to_version < from_version)))
transformation_cache_size transformation_cache_size_singleton_check CHECK (singleton)
