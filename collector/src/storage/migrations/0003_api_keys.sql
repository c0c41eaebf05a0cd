-- API keys for the HTTP API: only a SHA-256 of the secret is stored. Revocation writes a newer
-- row (ReplacingMergeTree on updated_at); readers take argMax by updated_at.
CREATE TABLE IF NOT EXISTS api_keys (
  id String,
  tenant String,
  name String,
  role String,
  key_sha256 String,
  prefix String,
  created_at DateTime('UTC'),
  revoked UInt8,
  updated_at DateTime('UTC')
) ENGINE = ReplacingMergeTree(updated_at)
ORDER BY id;
