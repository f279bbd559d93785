"""Stage 3: Script -> spoken text (vocabulary, rules, lexicon) and the speech engines."""
