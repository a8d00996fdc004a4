"""Running the centre: moderation, scenario packs and signing certificates."""
