"""Video in the scoring screen (record control and preview) and in review (the player)."""
