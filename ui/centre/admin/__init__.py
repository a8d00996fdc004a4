"""Administration: accounts, employers, declared conflicts, actors, rooms and the centre."""
