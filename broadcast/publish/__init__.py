"""Stage 5: the episode folder, ID3 tags, transcripts, chapters, cover and the feed."""
