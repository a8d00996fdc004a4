"""The centre's candidates: the list with endorsements and attempts, importing a
spreadsheet through a preview, and recording an employer's endorsement.

The shell opens ``CandidatesDialog(tasks, db, actor, parent)``.
"""

from ui.centre.candidates.candidates_dialog import CandidatesDialog

__all__ = ["CandidatesDialog"]
