"""Digital signatures on reports: the centre CA, signing with pyHanko, verification."""
