"""Work off the GUI thread: the task manager, the ordered write queue and its journal."""
