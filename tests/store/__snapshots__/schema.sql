-- columns
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
tokenstore.token uuid not null
tokenstore.state jsonb not null
tokenstore.created_at timestamp with time zone not null default now()
-- indexes
CREATE UNIQUE INDEX catalog_pkey ON public.catalog USING btree (ns, type, version)
CREATE UNIQUE INDEX date2serial_pkey ON public.date2serial USING btree (fact_date)
CREATE UNIQUE INDEX fact_pkey ON public.fact USING btree (ser)
CREATE INDEX idx_fact_header ON public.fact USING gin (header jsonb_path_ops) WITH (fastupdate=off)
CREATE UNIQUE INDEX idx_fact_unique_uuid ON public.fact USING btree ((((header ->> 'id'::text))::uuid))
CREATE UNIQUE INDEX factline_migration_pkey ON public.factline_migration USING btree (version)
CREATE INDEX idx_tokenstore_created_at ON public.tokenstore USING btree (created_at)
CREATE UNIQUE INDEX tokenstore_pkey ON public.tokenstore USING btree (token)
-- triggers
CREATE TRIGGER tr_fact_after_insert AFTER INSERT ON public.fact REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION fact_after_insert()
CREATE TRIGGER tr_fact_immutable BEFORE DELETE OR UPDATE ON public.fact FOR EACH STATEMENT EXECUTE FUNCTION fact_is_immutable()
CREATE TRIGGER tr_fact_serialize_writers BEFORE INSERT ON public.fact FOR EACH STATEMENT EXECUTE FUNCTION fact_serialize_writers()
-- check constraints
fact mandatory_id CHECK ((header ? 'id'::text))
fact mandatory_ns CHECK ((header ? 'ns'::text))
