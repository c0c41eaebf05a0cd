-- Error-text privacy (docs/privacy.md): agents send runtime error messages as a template (user text
-- replaced by <str> <path> <num> <id> <words>) plus a stable fingerprint of exception type and
-- template, so support groups equal errors without reading users' text. '' for older agents.
ALTER TABLE runtime_events ADD COLUMN message_fingerprint String;
