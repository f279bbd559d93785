"""Stage 2: Article -> Script (cues), and sentence splitting."""
