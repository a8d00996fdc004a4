"""Reports: previews, signing and the batch of a day's reports."""
