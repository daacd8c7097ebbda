-- Kakapo: upgrades a Kea lease database from schema 14.0 to 15.0 (Kea 2.4's history).
-- Run by `kakapo-admin db-upgrade pgsql` as one script, only when the version is 14.0.
-- 15.0 keeps the DHCPv4 relay-id and remote-id of each lease (for bulk lease query).

START TRANSACTION;

ALTER TABLE lease4 ADD COLUMN relay_id BYTEA DEFAULT NULL;
ALTER TABLE lease4 ADD COLUMN remote_id BYTEA DEFAULT NULL;
CREATE INDEX lease4_by_relay_id ON lease4 (relay_id);
CREATE INDEX lease4_by_remote_id ON lease4 (remote_id);

-- The new schema version.
UPDATE schema_version SET version = '15', minor = '0';

COMMIT;
