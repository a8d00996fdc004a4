"""The built-in scenario packs, as YAML data."""
