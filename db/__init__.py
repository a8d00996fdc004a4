"""Persistence: SQLAlchemy models, engine set-up and Alembic migrations.

Imports neither ``ui`` nor ``naas_centre``.
"""
