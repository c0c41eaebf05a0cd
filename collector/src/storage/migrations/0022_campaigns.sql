-- Batch campaigns (docs/signals.md "Campaigns"): the agent tags job_start / job_end / node_cache
-- events with the campaign they belong to and the workflow fingerprint (hash of the graph's node
-- types and links, never its values), job_end with a salted hash of the whole graph (job_key: the
-- same work submitted again has the same key, which tells a redone job from a resumed one), and
-- sends `campaign` events for a campaign's plan (planned jobs/images) and its interruptions
-- (runtime_restart | host_silent | agent_restart | preemption; lost_jobs: the prompts a runtime restart took
-- with it). node_cache events carry the job id
-- in the existing job_id column. /api/v1/campaigns reads these from runtime_events.
ALTER TABLE runtime_events ADD COLUMN campaign_id String;

ALTER TABLE runtime_events ADD COLUMN campaign_label String;

ALTER TABLE runtime_events ADD COLUMN workflow_fingerprint String;

ALTER TABLE runtime_events ADD COLUMN job_key String;

ALTER TABLE runtime_events ADD COLUMN planned_jobs Nullable(UInt32);

ALTER TABLE runtime_events ADD COLUMN planned_images Nullable(UInt32);

ALTER TABLE runtime_events ADD COLUMN interruption String;

ALTER TABLE runtime_events ADD COLUMN lost_jobs Nullable(UInt32);
