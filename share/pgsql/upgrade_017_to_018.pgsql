-- Kakapo: upgrades a Kea lease database from schema 17.0 to 18.0 (Kea 2.4's history).
-- Run by `kakapo-admin db-upgrade pgsql` as one script, only when the version is 17.0.
-- 18.0 stores the DHCPv6 lease address as INET (and drops 17.0's binaddr column).

START TRANSACTION;

DROP INDEX lease6_by_binaddr;
ALTER TABLE lease6 DROP COLUMN binaddr;
ALTER TABLE lease6 ALTER COLUMN address TYPE INET USING address::inet;

DO $$
BEGIN
    IF to_regclass('ipv6_reservations') IS NOT NULL THEN
        ALTER TABLE ipv6_reservations ALTER COLUMN address TYPE INET USING address::inet;
    END IF;
END
$$;

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

-- The new schema version.
UPDATE schema_version SET version = '18', minor = '0';

COMMIT;
