-- Kakapo: upgrades a Kea lease database from schema 15.0 to 16.0 (Kea 2.4's history).
-- Run by `kakapo-admin db-upgrade pgsql` as one script, only when the version is 15.0.
-- 16.0 changed no lease table: only the allocator columns of the configuration back end,
-- added here when those tables exist.

START TRANSACTION;

DO $$
BEGIN
    IF to_regclass('dhcp4_subnet') IS NOT NULL THEN
        ALTER TABLE dhcp4_subnet ADD COLUMN IF NOT EXISTS allocator TEXT DEFAULT NULL;
    END IF;
    IF to_regclass('dhcp4_shared_network') IS NOT NULL THEN
        ALTER TABLE dhcp4_shared_network ADD COLUMN IF NOT EXISTS allocator TEXT DEFAULT NULL;
    END IF;
    IF to_regclass('dhcp6_subnet') IS NOT NULL THEN
        ALTER TABLE dhcp6_subnet ADD COLUMN IF NOT EXISTS allocator TEXT DEFAULT NULL;
    END IF;
    IF to_regclass('dhcp6_subnet') IS NOT NULL THEN
        ALTER TABLE dhcp6_subnet ADD COLUMN IF NOT EXISTS pd_allocator TEXT DEFAULT NULL;
    END IF;
    IF to_regclass('dhcp6_shared_network') IS NOT NULL THEN
        ALTER TABLE dhcp6_shared_network ADD COLUMN IF NOT EXISTS allocator TEXT DEFAULT NULL;
    END IF;
    IF to_regclass('dhcp6_shared_network') IS NOT NULL THEN
        ALTER TABLE dhcp6_shared_network ADD COLUMN IF NOT EXISTS pd_allocator TEXT DEFAULT NULL;
    END IF;
END
$$;

-- The new schema version.
UPDATE schema_version SET version = '16', minor = '0';

COMMIT;
