"""The day: the assessor's and the centre manager's views of a day's sittings."""
