-- Leave room on each page so that the frequent updates of a task's status and progress are HOT
-- (no new index entries, no page split).
ALTER TABLE "tasks" SET (fillfactor = 70);--> statement-breakpoint
-- Chunks are Arrow buffers of doubles and dictionary codes, which pglz barely shrinks: store them
-- out of line without trying.
ALTER TABLE "dataset_chunks" ALTER COLUMN "data" SET STORAGE EXTERNAL;
