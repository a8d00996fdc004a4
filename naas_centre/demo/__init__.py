"""The demo centre, and a day played through in it, made through the public services.

- ``centre``: the accounts, rooms, actors and the day of six candidates (``create_demo``);
- ``play``: the day played through, scored and submitted (``fill_scored_day``);
- ``signing``: moderation, then the day's reports signed (``sign_day``);
- ``levels``: how the two assessors' levels are drawn to give the intended outcome;
- ``data``: the content, read from ``content/`` (the people, the casting, the notes and
  reasons, the levels, the judgements' words and the written scripts).

The demo is always made in a database of its own (``centre.create_centre`` refuses to
put it into a real centre's).
"""
