"""Reading files people bring to the centre (candidate lists) into plain rows and
located problems, without touching the database."""
