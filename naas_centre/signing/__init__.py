"""Digital signatures on reports: the centre CA, signing with pyHanko, verification."""

import warnings

# cryptography 51 deprecates DSA, and pyHanko names its key class on import; the centre's
# keys are elliptic-curve, so the warning would only ever reach a user's terminal as noise.
warnings.filterwarnings("ignore", message="DSA is deprecated", module=r"pyhanko\.")
