"""Domain rules as pure functions over plain data: no Qt, no SQLAlchemy."""
