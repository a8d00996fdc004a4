"""Who may do what, by role: one table the services check and the screens read.

The services refuse whoever is not named here (``accounts.require``); the menus offer
only what would not be refused, by reading the same table, so no screen keeps a rule
of its own. Finer rules (an assessor's own sittings, the stations they observe, who
signs which report) are the services' alone. Plain data: importing it costs nothing.
"""

from __future__ import annotations

from naas_centre.services.views import Role

_A, _M, _AD, _QA = Role.ASSESSOR, Role.CENTRE_MANAGER, Role.ADMINISTRATOR, Role.QA_LEAD

HAND_OVER = (_A, _M)  # check a candidate in, start and leave the written exercise's kiosk
MARK = (_A,)  # mark a written script
READ_REPORTS = (_A, _M, _AD, _QA)  # a sitting's reports (an assessor: their own sittings)
SIGN = (_A, _M)  # sign a report (each signs the ones that are theirs)
SIGN_QA_REPORT = (_M, _QA)  # the centre's quality-assurance report (only the QA lead's shows fairness)
SIGN_DAY = (_M,)  # the day's summary, and a day's reports in one go
MODERATE = (_M, _AD)
RUN_CENTRE = (_M, _AD)  # rooms, actors, employers, conflicts, candidates, plans, run-sheets
OVERSEE = (_M, _AD, _QA)  # every sitting of a day, read-only for the QA lead
EXPORT = (_M, _AD)  # score sheets, with names
EQUALITY = (_QA,)  # equality monitoring, in aggregate only
ITEM_STATISTICS = (_QA,)  # the knowledge test's item statistics: which questions of the bank to review
RECORD_EQUALITY = (_M, _AD)  # a candidate's own monitoring form, never read back by them
EXCHANGE = (_M, _AD)  # prepare room workstations, collect their results, resolve conflicts
SEND_RESULTS = (_A, _M, _AD)  # a room's results out, by whoever ran the room
RECORD = (_A, _M)  # record a role-play, and take consent on the candidate's or actor's word
REVIEW_RECORDINGS = (_M, _AD)  # a recording, besides the sitting's own assessors
DELETE_RECORDING = (_M,)  # before its retention period ends, with a reason
EXPORT_RECORDING = (_M,)  # the only way a recording leaves the app
ADMINISTER = (_AD,)  # accounts, signing certificates, the centre's own settings
STANDARD_SETTING = (_M, _AD, _QA)  # propose station pass marks, try them in a what-if
ADOPT_PASS_MARK = (_M, _AD)  # adopt one (a new, audited version)
MAKE_CALIBRATION = (_M, _QA)  # a calibration exercise from a consented recording, with agreed levels
CALIBRATE = (_A,)  # score a calibration exercise, and see where they stand (naming no colleague)
OWN_FIGURES = (_A,)  # an assessor's own agreement, stringency and drift, naming no colleague


def may(role: Role | str, capability: tuple[Role, ...]) -> bool:
    """Whether an account of ``role`` (a Role or its value) is offered ``capability``."""
    try:
        return Role(role) in capability
    except ValueError:  # no role (signed out) or an unknown one
        return False
