-- Kakapo: a fresh PostgreSQL lease database at Kea 2.4's schema version 18.0.
--
-- Run by `kakapo-admin db-init pgsql` as one script (one transaction) on an empty database.
-- It creates what the lease back end of Kea 2.4 (and of Kakapo) uses: the lease4 and lease6
-- tables with Kea 2.4's columns, types and indexes, their lookup tables (lease_state,
-- lease6_types, lease_hwaddr_source), the statistics tables that triggers keep up to date
-- (per subnet, per pool, per client class), the DHCPv6 relay-id / remote-id tables, and the
-- functions that `lease-dump` and `lease-upload` call (lease4DumpHeader, lease4DumpData,
-- lease4Upload and their v6 twins).
--
-- Left out on purpose: host reservations (hosts, ipv6_reservations, ...), the configuration
-- back end (dhcp4_*/dhcp6_* tables, audit), the logs table and the limits hook's
-- checkLease4Limits/checkLease6Limits functions. Kakapo does not use them; a database that
-- needs them should be created with Kea's own kea-admin.
--
-- Written for Kakapo from the behaviour of Kea's schema (upgrade history 1.0 .. 18.0); the
-- object names are Kea's so that Kea 2.4 and Kakapo can share one database.

START TRANSACTION;

-- The schema version, one row: 18.0.
CREATE TABLE schema_version (
    version INT PRIMARY KEY NOT NULL,
    minor INT
);
INSERT INTO schema_version VALUES (18, 0);

-- Lease states: 0 assigned, 1 declined, 2 expired and reclaimed.
CREATE TABLE lease_state (
    state INT8 PRIMARY KEY NOT NULL,
    name VARCHAR(64) NOT NULL
);
INSERT INTO lease_state VALUES (0, 'default'), (1, 'declined'), (2, 'expired-reclaimed');

-- DHCPv6 lease types: addresses (IA_NA, IA_TA) and delegated prefixes (IA_PD).
CREATE TABLE lease6_types (
    lease_type SMALLINT PRIMARY KEY NOT NULL,
    name VARCHAR(5)
);
INSERT INTO lease6_types VALUES (0, 'IA_NA'), (1, 'IA_TA'), (2, 'IA_PD');

-- Where a DHCPv6 lease's hardware address came from (a bit each).
CREATE TABLE lease_hwaddr_source (
    hwaddr_source INT PRIMARY KEY NOT NULL,
    name VARCHAR(40) DEFAULT NULL
);
INSERT INTO lease_hwaddr_source VALUES
    (0, 'HWADDR_SOURCE_UNKNOWN'),
    (1, 'HWADDR_SOURCE_RAW'),
    (2, 'HWADDR_SOURCE_IPV6_LINK_LOCAL'),
    (4, 'HWADDR_SOURCE_DUID'),
    (8, 'HWADDR_SOURCE_CLIENT_ADDR_RELAY_OPTION'),
    (16, 'HWADDR_SOURCE_REMOTE_ID'),
    (32, 'HWADDR_SOURCE_SUBSCRIBER_ID'),
    (64, 'HWADDR_SOURCE_DOCSIS_CMTS'),
    (128, 'HWADDR_SOURCE_DOCSIS_MODEM');

-- DHCPv4 leases. The address is the 32-bit number, expire the end of the valid lifetime.
-- relay_id and remote_id (RAI sub-options) are kept for bulk lease queries only.
CREATE TABLE lease4 (
    address BIGINT PRIMARY KEY NOT NULL,
    hwaddr BYTEA,
    client_id BYTEA,
    valid_lifetime BIGINT,
    expire TIMESTAMP WITH TIME ZONE,
    subnet_id BIGINT,
    fqdn_fwd BOOLEAN,
    fqdn_rev BOOLEAN,
    hostname VARCHAR(255),
    state INT8 DEFAULT 0,
    user_context TEXT,
    relay_id BYTEA DEFAULT NULL,
    remote_id BYTEA DEFAULT NULL,
    pool_id BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT fk_lease4_state FOREIGN KEY (state) REFERENCES lease_state (state)
);
CREATE INDEX lease4_by_hwaddr_subnet_id ON lease4 (hwaddr, subnet_id);
CREATE INDEX lease4_by_client_id_subnet_id ON lease4 (client_id, subnet_id);
CREATE INDEX lease4_by_state_expire ON lease4 (state ASC, expire ASC);
CREATE INDEX lease4_by_subnet_id ON lease4 (subnet_id);
CREATE INDEX lease4_by_hostname ON lease4 (lower(hostname)) WHERE hostname IS NOT NULL;
CREATE INDEX lease4_by_relay_id ON lease4 (relay_id);
CREATE INDEX lease4_by_remote_id ON lease4 (remote_id);

-- DHCPv6 leases (addresses and prefixes), keyed by the address or prefix.
CREATE TABLE lease6 (
    address INET PRIMARY KEY NOT NULL,
    duid BYTEA,
    valid_lifetime BIGINT,
    expire TIMESTAMP WITH TIME ZONE,
    subnet_id BIGINT,
    pref_lifetime BIGINT,
    lease_type SMALLINT,
    iaid INT,
    prefix_len SMALLINT,
    fqdn_fwd BOOLEAN,
    fqdn_rev BOOLEAN,
    hostname VARCHAR(255),
    state INT8 DEFAULT 0,
    hwaddr BYTEA,
    hwtype SMALLINT,
    hwaddr_source SMALLINT,
    user_context TEXT,
    pool_id BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT fk_lease6_state FOREIGN KEY (state) REFERENCES lease_state (state),
    CONSTRAINT fk_lease6_type FOREIGN KEY (lease_type) REFERENCES lease6_types (lease_type)
);
CREATE INDEX lease6_by_duid_iaid_subnet_id ON lease6 (duid, iaid, subnet_id);
CREATE INDEX lease6_by_state_expire ON lease6 (state ASC, expire ASC);
CREATE INDEX lease6_by_subnet_id_lease_type ON lease6 (subnet_id, lease_type);
CREATE INDEX lease6_by_hostname ON lease6 (lower(hostname)) WHERE hostname IS NOT NULL;

-- DHCPv6 bulk lease query: the relay and remote identifiers seen for each lease address.
CREATE TABLE lease6_relay_id (
    extended_info_id SERIAL PRIMARY KEY NOT NULL,
    relay_id BYTEA NOT NULL,
    lease_addr BYTEA NOT NULL
);
CREATE INDEX lease6_relay_id_by_id ON lease6_relay_id (relay_id, lease_addr ASC);
CREATE INDEX lease6_relay_id_by_address ON lease6_relay_id (lease_addr);

CREATE TABLE lease6_remote_id (
    extended_info_id SERIAL PRIMARY KEY NOT NULL,
    remote_id BYTEA NOT NULL,
    lease_addr BYTEA NOT NULL
);
CREATE INDEX lease6_remote_id_by_id ON lease6_remote_id (remote_id, lease_addr ASC);
CREATE INDEX lease6_remote_id_by_address ON lease6_remote_id (lease_addr);

-- Lease counts kept by the triggers below: leases in state 0 or 1 per subnet (and lease
-- type), per pool, and assigned leases per client class (from the user context's
-- ISC/client-classes list).
CREATE TABLE lease4_stat (
    subnet_id BIGINT NOT NULL,
    state INT8 NOT NULL,
    leases BIGINT,
    PRIMARY KEY (subnet_id, state)
);

CREATE TABLE lease6_stat (
    subnet_id BIGINT NOT NULL,
    lease_type SMALLINT NOT NULL,
    state INT8 NOT NULL,
    leases BIGINT,
    PRIMARY KEY (subnet_id, lease_type, state)
);

CREATE TABLE lease4_pool_stat (
    subnet_id BIGINT NOT NULL,
    pool_id BIGINT NOT NULL,
    state INT8 NOT NULL,
    leases BIGINT,
    PRIMARY KEY (subnet_id, pool_id, state)
);

CREATE TABLE lease6_pool_stat (
    subnet_id BIGINT NOT NULL,
    pool_id BIGINT NOT NULL,
    lease_type SMALLINT NOT NULL,
    state INT8 NOT NULL,
    leases BIGINT,
    PRIMARY KEY (subnet_id, pool_id, lease_type, state)
);

CREATE TABLE lease4_stat_by_client_class (
    client_class VARCHAR(128) NOT NULL PRIMARY KEY,
    leases BIGINT NOT NULL
);

CREATE TABLE lease6_stat_by_client_class (
    client_class VARCHAR(128) NOT NULL,
    lease_type SMALLINT NOT NULL,
    leases BIGINT NOT NULL,
    PRIMARY KEY (client_class, lease_type),
    CONSTRAINT fk_lease6_stat_by_client_class_lease_type FOREIGN KEY (lease_type)
        REFERENCES lease6_types (lease_type)
);

-- Helpers -------------------------------------------------------------------------------

-- Whether the server has PostgreSQL's JSON functions (every supported version has).
CREATE OR REPLACE FUNCTION isJsonSupported()
RETURNS BOOLEAN AS $$
    SELECT EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'json_extract_path');
$$ LANGUAGE SQL;

-- Text as JSON; the empty string as an empty object.
CREATE OR REPLACE FUNCTION json_cast(json_candidate TEXT)
RETURNS JSON AS $$
BEGIN
    IF LENGTH(json_candidate) = 0 THEN
        RETURN '{}'::json;
    END IF;
    RETURN json_candidate::json;
END;
$$ LANGUAGE plpgsql;

-- 'a1b2c3' as 'a1:b2:c3' (an odd length gets a leading zero), lower case, as memfile writes.
CREATE OR REPLACE FUNCTION colonSeparatedHex(hex TEXT)
RETURNS TEXT AS $$
DECLARE
    digits TEXT := lower(hex);
    result TEXT;
    pos INT := 3;
BEGIN
    IF MOD(LENGTH(digits), 2) = 1 THEN
        digits := '0' || digits;
    END IF;
    result := SUBSTR(digits, 1, 2);
    WHILE pos < LENGTH(digits) LOOP
        result := result || ':' || SUBSTR(digits, pos, 2);
        pos := pos + 2;
    END LOOP;
    RETURN result;
END
$$ LANGUAGE plpgsql;

-- Statistics kept by triggers ------------------------------------------------------------
-- Each counter function adds one to (or takes one from, never below zero) a row, creating
-- the row when it is missing. Only states 0 and 1 are counted per subnet and pool; only
-- state 0 per client class.

-- The client classes of a lease's user context, as text ('' when there are none).
CREATE OR REPLACE FUNCTION kakapo_lease_classes(context TEXT)
RETURNS SETOF TEXT AS $$
    SELECT TRIM('"' FROM c::text)
    FROM JSON_ARRAY_ELEMENTS(COALESCE(json_cast(context)->'ISC'->'client-classes', '[]'::json)) AS c;
$$ LANGUAGE SQL;

CREATE OR REPLACE FUNCTION lease4_AINS_lease4_stat(IN new_state BIGINT, IN new_subnet_id BIGINT)
RETURNS VOID AS $$
BEGIN
    IF new_state IN (0, 1) THEN
        UPDATE lease4_stat SET leases = leases + 1
            WHERE subnet_id = new_subnet_id AND state = new_state;
        IF NOT FOUND THEN
            INSERT INTO lease4_stat VALUES (new_subnet_id, new_state, 1);
        END IF;
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION lease4_ADEL_lease4_stat(IN old_state BIGINT, IN old_subnet_id BIGINT)
RETURNS VOID AS $$
BEGIN
    IF old_state IN (0, 1) THEN
        UPDATE lease4_stat SET leases = GREATEST(leases - 1, 0)
            WHERE subnet_id = old_subnet_id AND state = old_state;
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION lease4_AUPD_lease4_stat(IN old_state BIGINT, IN old_subnet_id BIGINT,
                                                   IN new_state BIGINT, IN new_subnet_id BIGINT)
RETURNS VOID AS $$
BEGIN
    IF old_subnet_id != new_subnet_id OR old_state != new_state THEN
        PERFORM lease4_ADEL_lease4_stat(old_state, old_subnet_id);
        PERFORM lease4_AINS_lease4_stat(new_state, new_subnet_id);
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION lease6_AINS_lease6_stat(IN new_state BIGINT, IN new_subnet_id BIGINT,
                                                   IN new_lease_type SMALLINT)
RETURNS VOID AS $$
BEGIN
    IF new_state IN (0, 1) THEN
        UPDATE lease6_stat SET leases = leases + 1
            WHERE subnet_id = new_subnet_id AND lease_type = new_lease_type AND state = new_state;
        IF NOT FOUND THEN
            INSERT INTO lease6_stat VALUES (new_subnet_id, new_lease_type, new_state, 1);
        END IF;
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION lease6_ADEL_lease6_stat(IN old_state BIGINT, IN old_subnet_id BIGINT,
                                                   IN old_lease_type SMALLINT)
RETURNS VOID AS $$
BEGIN
    IF old_state IN (0, 1) THEN
        UPDATE lease6_stat SET leases = GREATEST(leases - 1, 0)
            WHERE subnet_id = old_subnet_id AND lease_type = old_lease_type AND state = old_state;
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION lease6_AUPD_lease6_stat(IN old_state BIGINT, IN old_subnet_id BIGINT,
                                                   IN old_lease_type SMALLINT,
                                                   IN new_state BIGINT, IN new_subnet_id BIGINT,
                                                   IN new_lease_type SMALLINT)
RETURNS VOID AS $$
BEGIN
    IF old_subnet_id != new_subnet_id OR old_lease_type != new_lease_type OR old_state != new_state THEN
        PERFORM lease6_ADEL_lease6_stat(old_state, old_subnet_id, old_lease_type);
        PERFORM lease6_AINS_lease6_stat(new_state, new_subnet_id, new_lease_type);
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION lease4_AINS_lease4_pool_stat(IN new_state BIGINT, IN new_subnet_id BIGINT,
                                                        IN new_pool_id BIGINT)
RETURNS VOID AS $$
BEGIN
    IF new_state IN (0, 1) THEN
        UPDATE lease4_pool_stat SET leases = leases + 1
            WHERE subnet_id = new_subnet_id AND pool_id = new_pool_id AND state = new_state;
        IF NOT FOUND THEN
            INSERT INTO lease4_pool_stat VALUES (new_subnet_id, new_pool_id, new_state, 1);
        END IF;
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION lease4_ADEL_lease4_pool_stat(IN old_state BIGINT, IN old_subnet_id BIGINT,
                                                        IN old_pool_id BIGINT)
RETURNS VOID AS $$
BEGIN
    IF old_state IN (0, 1) THEN
        UPDATE lease4_pool_stat SET leases = GREATEST(leases - 1, 0)
            WHERE subnet_id = old_subnet_id AND pool_id = old_pool_id AND state = old_state;
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION lease4_AUPD_lease4_pool_stat(IN old_state BIGINT, IN old_subnet_id BIGINT,
                                                        IN old_pool_id BIGINT,
                                                        IN new_state BIGINT, IN new_subnet_id BIGINT,
                                                        IN new_pool_id BIGINT)
RETURNS VOID AS $$
BEGIN
    IF old_subnet_id != new_subnet_id OR old_pool_id != new_pool_id OR old_state != new_state THEN
        PERFORM lease4_ADEL_lease4_pool_stat(old_state, old_subnet_id, old_pool_id);
        PERFORM lease4_AINS_lease4_pool_stat(new_state, new_subnet_id, new_pool_id);
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION lease6_AINS_lease6_pool_stat(IN new_state BIGINT, IN new_subnet_id BIGINT,
                                                        IN new_pool_id BIGINT, IN new_lease_type SMALLINT)
RETURNS VOID AS $$
BEGIN
    IF new_state IN (0, 1) THEN
        UPDATE lease6_pool_stat SET leases = leases + 1
            WHERE subnet_id = new_subnet_id AND pool_id = new_pool_id
              AND lease_type = new_lease_type AND state = new_state;
        IF NOT FOUND THEN
            INSERT INTO lease6_pool_stat VALUES (new_subnet_id, new_pool_id, new_lease_type, new_state, 1);
        END IF;
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION lease6_ADEL_lease6_pool_stat(IN old_state BIGINT, IN old_subnet_id BIGINT,
                                                        IN old_pool_id BIGINT, IN old_lease_type SMALLINT)
RETURNS VOID AS $$
BEGIN
    IF old_state IN (0, 1) THEN
        UPDATE lease6_pool_stat SET leases = GREATEST(leases - 1, 0)
            WHERE subnet_id = old_subnet_id AND pool_id = old_pool_id
              AND lease_type = old_lease_type AND state = old_state;
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION lease6_AUPD_lease6_pool_stat(IN old_state BIGINT, IN old_subnet_id BIGINT,
                                                        IN old_pool_id BIGINT, IN old_lease_type SMALLINT,
                                                        IN new_state BIGINT, IN new_subnet_id BIGINT,
                                                        IN new_pool_id BIGINT, IN new_lease_type SMALLINT)
RETURNS VOID AS $$
BEGIN
    IF old_subnet_id != new_subnet_id OR old_pool_id != new_pool_id
       OR old_lease_type != new_lease_type OR old_state != new_state THEN
        PERFORM lease6_ADEL_lease6_pool_stat(old_state, old_subnet_id, old_pool_id, old_lease_type);
        PERFORM lease6_AINS_lease6_pool_stat(new_state, new_subnet_id, new_pool_id, new_lease_type);
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION lease4_AINS_lease4_stat_by_client_class(IN new_state BIGINT,
                                                                   IN new_user_context TEXT)
RETURNS VOID AS $$
DECLARE
    class TEXT;
BEGIN
    IF new_state = 0 THEN
        FOR class IN SELECT kakapo_lease_classes(new_user_context) LOOP
            UPDATE lease4_stat_by_client_class SET leases = leases + 1 WHERE client_class = class;
            IF NOT FOUND THEN
                INSERT INTO lease4_stat_by_client_class VALUES (class, 1);
            END IF;
        END LOOP;
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION lease4_ADEL_lease4_stat_by_client_class(IN old_state BIGINT,
                                                                   IN old_user_context TEXT)
RETURNS VOID AS $$
BEGIN
    IF old_state = 0 THEN
        UPDATE lease4_stat_by_client_class SET leases = GREATEST(leases - 1, 0)
            WHERE client_class IN (SELECT kakapo_lease_classes(old_user_context));
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION lease4_AUPD_lease4_stat_by_client_class(IN old_state BIGINT,
                                                                   IN old_user_context TEXT,
                                                                   IN new_state BIGINT,
                                                                   IN new_user_context TEXT)
RETURNS VOID AS $$
BEGIN
    IF old_state != new_state OR
       (json_cast(old_user_context)->'ISC'->'client-classes')::text IS DISTINCT FROM
       (json_cast(new_user_context)->'ISC'->'client-classes')::text THEN
        PERFORM lease4_ADEL_lease4_stat_by_client_class(old_state, old_user_context);
        PERFORM lease4_AINS_lease4_stat_by_client_class(new_state, new_user_context);
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION lease6_AINS_lease6_stat_by_client_class(IN new_state BIGINT,
                                                                   IN new_user_context TEXT,
                                                                   IN new_lease_type SMALLINT)
RETURNS VOID AS $$
DECLARE
    class TEXT;
BEGIN
    IF new_state = 0 THEN
        FOR class IN SELECT kakapo_lease_classes(new_user_context) LOOP
            UPDATE lease6_stat_by_client_class SET leases = leases + 1
                WHERE client_class = class AND lease_type = new_lease_type;
            IF NOT FOUND THEN
                INSERT INTO lease6_stat_by_client_class VALUES (class, new_lease_type, 1);
            END IF;
        END LOOP;
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION lease6_ADEL_lease6_stat_by_client_class(IN old_state BIGINT,
                                                                   IN old_user_context TEXT,
                                                                   IN old_lease_type SMALLINT)
RETURNS VOID AS $$
BEGIN
    IF old_state = 0 THEN
        UPDATE lease6_stat_by_client_class SET leases = GREATEST(leases - 1, 0)
            WHERE lease_type = old_lease_type
              AND client_class IN (SELECT kakapo_lease_classes(old_user_context));
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION lease6_AUPD_lease6_stat_by_client_class(IN old_state BIGINT,
                                                                   IN old_user_context TEXT,
                                                                   IN old_lease_type SMALLINT,
                                                                   IN new_state BIGINT,
                                                                   IN new_user_context TEXT,
                                                                   IN new_lease_type SMALLINT)
RETURNS VOID AS $$
BEGIN
    IF old_state != new_state OR old_lease_type != new_lease_type OR
       (json_cast(old_user_context)->'ISC'->'client-classes')::text IS DISTINCT FROM
       (json_cast(new_user_context)->'ISC'->'client-classes')::text THEN
        PERFORM lease6_ADEL_lease6_stat_by_client_class(old_state, old_user_context, old_lease_type);
        PERFORM lease6_AINS_lease6_stat_by_client_class(new_state, new_user_context, new_lease_type);
    END IF;
END;
$$ LANGUAGE plpgsql;

-- The trigger functions: every counter for the row inserted, updated or deleted.
CREATE OR REPLACE FUNCTION func_lease4_AINS()
RETURNS trigger AS $body$
BEGIN
    PERFORM lease4_AINS_lease4_stat_by_client_class(NEW.state, NEW.user_context);
    PERFORM lease4_AINS_lease4_stat(NEW.state, NEW.subnet_id);
    PERFORM lease4_AINS_lease4_pool_stat(NEW.state, NEW.subnet_id, NEW.pool_id);
    RETURN NULL;
END;
$body$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION func_lease4_AUPD()
RETURNS trigger AS $body$
BEGIN
    PERFORM lease4_AUPD_lease4_stat_by_client_class(OLD.state, OLD.user_context, NEW.state, NEW.user_context);
    PERFORM lease4_AUPD_lease4_stat(OLD.state, OLD.subnet_id, NEW.state, NEW.subnet_id);
    PERFORM lease4_AUPD_lease4_pool_stat(OLD.state, OLD.subnet_id, OLD.pool_id,
                                         NEW.state, NEW.subnet_id, NEW.pool_id);
    RETURN NULL;
END;
$body$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION func_lease4_ADEL()
RETURNS trigger AS $body$
BEGIN
    PERFORM lease4_ADEL_lease4_stat_by_client_class(OLD.state, OLD.user_context);
    PERFORM lease4_ADEL_lease4_stat(OLD.state, OLD.subnet_id);
    PERFORM lease4_ADEL_lease4_pool_stat(OLD.state, OLD.subnet_id, OLD.pool_id);
    RETURN NULL;
END;
$body$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION func_lease6_AINS()
RETURNS trigger AS $body$
BEGIN
    PERFORM lease6_AINS_lease6_stat_by_client_class(NEW.state, NEW.user_context, NEW.lease_type);
    PERFORM lease6_AINS_lease6_stat(NEW.state, NEW.subnet_id, NEW.lease_type);
    PERFORM lease6_AINS_lease6_pool_stat(NEW.state, NEW.subnet_id, NEW.pool_id, NEW.lease_type);
    RETURN NULL;
END;
$body$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION func_lease6_AUPD()
RETURNS trigger AS $body$
BEGIN
    PERFORM lease6_AUPD_lease6_stat_by_client_class(OLD.state, OLD.user_context, OLD.lease_type,
                                                    NEW.state, NEW.user_context, NEW.lease_type);
    PERFORM lease6_AUPD_lease6_stat(OLD.state, OLD.subnet_id, OLD.lease_type,
                                    NEW.state, NEW.subnet_id, NEW.lease_type);
    PERFORM lease6_AUPD_lease6_pool_stat(OLD.state, OLD.subnet_id, OLD.pool_id, OLD.lease_type,
                                         NEW.state, NEW.subnet_id, NEW.pool_id, NEW.lease_type);
    RETURN NULL;
END;
$body$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION func_lease6_ADEL()
RETURNS trigger AS $body$
BEGIN
    PERFORM lease6_ADEL_lease6_stat_by_client_class(OLD.state, OLD.user_context, OLD.lease_type);
    PERFORM lease6_ADEL_lease6_stat(OLD.state, OLD.subnet_id, OLD.lease_type);
    PERFORM lease6_ADEL_lease6_pool_stat(OLD.state, OLD.subnet_id, OLD.pool_id, OLD.lease_type);
    RETURN NULL;
END;
$body$ LANGUAGE plpgsql;

CREATE TRIGGER lease4_AINS AFTER INSERT ON lease4 FOR EACH ROW EXECUTE PROCEDURE func_lease4_AINS();
CREATE TRIGGER lease4_AUPD AFTER UPDATE ON lease4 FOR EACH ROW EXECUTE PROCEDURE func_lease4_AUPD();
CREATE TRIGGER lease4_ADEL AFTER DELETE ON lease4 FOR EACH ROW EXECUTE PROCEDURE func_lease4_ADEL();
CREATE TRIGGER lease6_AINS AFTER INSERT ON lease6 FOR EACH ROW EXECUTE PROCEDURE func_lease6_AINS();
CREATE TRIGGER lease6_AUPD AFTER UPDATE ON lease6 FOR EACH ROW EXECUTE PROCEDURE func_lease6_AUPD();
CREATE TRIGGER lease6_ADEL AFTER DELETE ON lease6 FOR EACH ROW EXECUTE PROCEDURE func_lease6_ADEL();

-- lease-dump and lease-upload -------------------------------------------------------------
-- The dump functions give memfile CSV rows (Kea 2.4's leases4 schema 3.0 and leases6
-- schema 5.0 columns): identifiers as colon-separated hex, expire as seconds since the
-- epoch, booleans as 0/1 and commas in hostname and user_context as "&#x2c". The upload
-- functions take such a row back.

DROP FUNCTION IF EXISTS lease4DumpHeader();
CREATE FUNCTION lease4DumpHeader()
RETURNS TEXT AS $$
    SELECT 'address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id'::text;
$$ LANGUAGE SQL;

DROP FUNCTION IF EXISTS lease4DumpData();
CREATE FUNCTION lease4DumpData()
RETURNS TABLE (address INET, hwaddr VARCHAR, client_id VARCHAR, valid_lifetime BIGINT, expire BIGINT,
               subnet_id BIGINT, fqdn_fwd INT, fqdn_rev INT, hostname VARCHAR, state INT8,
               user_context VARCHAR, pool_id BIGINT) AS $$
    SELECT '0.0.0.0'::inet + l.address,
           colonSeparatedHex(encode(l.hwaddr, 'hex')),
           colonSeparatedHex(encode(l.client_id, 'hex')),
           l.valid_lifetime,
           extract(epoch FROM l.expire)::bigint,
           l.subnet_id,
           l.fqdn_fwd::int,
           l.fqdn_rev::int,
           replace(l.hostname, ',', '&#x2c'),
           l.state,
           replace(l.user_context, ',', '&#x2c'),
           l.pool_id
    FROM lease4 l
    ORDER BY l.address;
$$ LANGUAGE SQL;

DROP FUNCTION IF EXISTS lease6DumpHeader();
CREATE FUNCTION lease6DumpHeader()
RETURNS TEXT AS $$
    SELECT 'address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source,pool_id'::text;
$$ LANGUAGE SQL;

DROP FUNCTION IF EXISTS lease6DumpData();
CREATE FUNCTION lease6DumpData()
RETURNS TABLE (address VARCHAR, duid VARCHAR, valid_lifetime BIGINT, expire BIGINT, subnet_id BIGINT,
               pref_lifetime BIGINT, lease_type SMALLINT, iaid INT, prefix_len SMALLINT, fqdn_fwd INT,
               fqdn_rev INT, hostname VARCHAR, hwaddr VARCHAR, state INT8, user_context VARCHAR,
               hwtype SMALLINT, hwaddr_source SMALLINT, pool_id BIGINT) AS $$
    SELECT host(l.address),
           colonSeparatedHex(encode(l.duid, 'hex')),
           l.valid_lifetime,
           extract(epoch FROM l.expire)::bigint,
           l.subnet_id,
           l.pref_lifetime,
           l.lease_type,
           l.iaid,
           l.prefix_len,
           l.fqdn_fwd::int,
           l.fqdn_rev::int,
           replace(l.hostname, ',', '&#x2c'),
           colonSeparatedHex(encode(l.hwaddr, 'hex')),
           l.state,
           replace(l.user_context, ',', '&#x2c'),
           l.hwtype,
           l.hwaddr_source,
           l.pool_id
    FROM lease6 l
    ORDER BY l.address;
$$ LANGUAGE SQL;

DROP FUNCTION IF EXISTS lease4Upload(VARCHAR, VARCHAR, VARCHAR, BIGINT, BIGINT, BIGINT, INT, INT,
                                     VARCHAR, INT8, VARCHAR);
CREATE OR REPLACE FUNCTION lease4Upload(IN address VARCHAR, IN hwaddr VARCHAR, IN client_id VARCHAR,
                                        IN valid_lifetime BIGINT, IN expire BIGINT, IN subnet_id BIGINT,
                                        IN fqdn_fwd INT, IN fqdn_rev INT, IN hostname VARCHAR,
                                        IN state INT8, IN user_context VARCHAR, IN pool_id BIGINT)
RETURNS VOID AS $$
    INSERT INTO lease4 (address, hwaddr, client_id, valid_lifetime, expire, subnet_id, fqdn_fwd,
                        fqdn_rev, hostname, state, user_context, pool_id)
    VALUES ($1::inet - '0.0.0.0'::inet,
            decode(replace($2, ':', ''), 'hex'),
            decode(replace($3, ':', ''), 'hex'),
            $4,
            to_timestamp($5),
            $6,
            $7::boolean,
            $8::boolean,
            replace($9, '&#x2c', ','),
            $10,
            replace($11, '&#x2c', ','),
            $12);
$$ LANGUAGE SQL;

DROP FUNCTION IF EXISTS lease6Upload(VARCHAR, VARCHAR, BIGINT, BIGINT, BIGINT, BIGINT, INT, INT, INT,
                                     INT, INT, VARCHAR, VARCHAR, INT8, VARCHAR, INT, INT);
CREATE OR REPLACE FUNCTION lease6Upload(IN address VARCHAR, IN duid VARCHAR, IN valid_lifetime BIGINT,
                                        IN expire BIGINT, IN subnet_id BIGINT, IN pref_lifetime BIGINT,
                                        IN lease_type INT, IN iaid INT, IN prefix_len INT,
                                        IN fqdn_fwd INT, IN fqdn_rev INT, IN hostname VARCHAR,
                                        IN hwaddr VARCHAR, IN state INT8, IN user_context VARCHAR,
                                        IN hwtype INT, IN hwaddr_source INT, IN pool_id BIGINT)
RETURNS VOID AS $$
    INSERT INTO lease6 (address, duid, valid_lifetime, expire, subnet_id, pref_lifetime, lease_type,
                        iaid, prefix_len, fqdn_fwd, fqdn_rev, hostname, hwaddr, state, user_context,
                        hwtype, hwaddr_source, pool_id)
    VALUES ($1::inet,
            decode(replace($2, ':', ''), 'hex'),
            $3,
            to_timestamp($4),
            $5,
            $6,
            $7,
            $8,
            $9,
            $10::boolean,
            $11::boolean,
            replace($12, '&#x2c', ','),
            decode(replace($13, ':', ''), 'hex'),
            $14,
            replace($15, '&#x2c', ','),
            $16,
            $17,
            $18);
$$ LANGUAGE SQL;

COMMIT;
