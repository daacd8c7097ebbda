-- Kakapo: upgrades a Kea lease database from schema 13.0 to 14.0 (Kea 2.4's history).
-- Run by `kakapo-admin db-upgrade pgsql` as one script, only when the version is 13.0.
-- 14.0 changed no lease table: only configuration-backend columns, added here when those
-- tables exist (a database made by Kea's kea-admin has them, one made by Kakapo has not).

START TRANSACTION;

DO $$
BEGIN
    IF to_regclass('dhcp4_options') IS NOT NULL THEN
        ALTER TABLE dhcp4_options ADD COLUMN IF NOT EXISTS cancelled BOOLEAN NOT NULL DEFAULT 'f';
    END IF;
    IF to_regclass('dhcp6_options') IS NOT NULL THEN
        ALTER TABLE dhcp6_options ADD COLUMN IF NOT EXISTS cancelled BOOLEAN NOT NULL DEFAULT 'f';
    END IF;
    IF to_regclass('dhcp4_shared_network') IS NOT NULL THEN
        ALTER TABLE dhcp4_shared_network ADD COLUMN IF NOT EXISTS offer_lifetime BIGINT DEFAULT NULL;
    END IF;
    IF to_regclass('dhcp4_subnet') IS NOT NULL THEN
        ALTER TABLE dhcp4_subnet ADD COLUMN IF NOT EXISTS offer_lifetime BIGINT DEFAULT NULL;
    END IF;
    IF to_regclass('dhcp4_client_class') IS NOT NULL THEN
        ALTER TABLE dhcp4_client_class ADD COLUMN IF NOT EXISTS offer_lifetime BIGINT DEFAULT NULL;
    END IF;
END
$$;

-- The new schema version.
UPDATE schema_version SET version = '14', minor = '0';

COMMIT;
