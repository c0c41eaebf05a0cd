-- Cold/warm by evidence, time to first image and model downloads (docs/signals.md).
-- runtime_ready, first_image and job_end rows carry the agent's label in `cold` (1 cold, 0 warm,
-- NULL unknown) and the rule that chose it in `cold_rule`; first_image rows the time to first image
-- split at ready; job_start rows the queue wait; job_end rows queued -> first image; model_download
-- rows reuse model, bytes, duration_s and source (hf | civitai | url) and add bytes_per_s.
-- Older runtime_start rows keep their uptime-based `cold`; /starts reads the ready rows' label.
ALTER TABLE runtime_events ADD COLUMN cold_rule String;

ALTER TABLE runtime_events ADD COLUMN start_to_ready_s Nullable(Float64);

ALTER TABLE runtime_events ADD COLUMN ready_to_first_image_s Nullable(Float64);

ALTER TABLE runtime_events ADD COLUMN start_to_first_image_s Nullable(Float64);

ALTER TABLE runtime_events ADD COLUMN queued_to_image_s Nullable(Float64);

ALTER TABLE runtime_events ADD COLUMN queue_wait_s Nullable(Float64);

ALTER TABLE runtime_events ADD COLUMN bytes_per_s Nullable(Float64);
