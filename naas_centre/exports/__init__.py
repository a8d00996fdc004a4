"""What leaves the centre as files: score sheets for employers (CSV and XLSX) and, for
quality assurance only, equality monitoring in aggregate.

Qt-free. ``score_sheets`` reads the results in bulk (a handful of queries per batch of
sittings, never one per sitting) with the same rules the reports use; ``writers`` turns
the rows into files, streamed and written atomically (``atomic``); ``equality`` counts
outcomes by monitoring group with small groups suppressed. Who may export what is the
services' rule (``naas_centre.services.exports``).
"""
