-- A progressive MP4 of each processed Bop (its 720p rendition, or the largest below,
-- copied out of the HLS segments without re-encoding, index first): the first Bop of
-- a page plays it straight from the server-rendered HTML, before any script, and link
-- previews get a video they can play. NULL for a Bop processed before it existed.
ALTER TABLE bops ADD COLUMN mp4_key TEXT;
