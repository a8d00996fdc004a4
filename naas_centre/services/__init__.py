"""What a user can do, with permissions enforced here: the GUI and the CLI both call these."""
