"""Stage 4: clips -> mix, music, loudness, limiter and MP3 encode; ffmpeg behind one runner."""
