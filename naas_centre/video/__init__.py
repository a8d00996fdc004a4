"""Recording a role-play with sound, without Qt, and reading it back for review.

``recorder.Recorder`` takes pictures from a ``sources.FrameSource`` (a camera, a network
camera, a file) and sound from a ``sound.SampleSource`` on one clock, and writes H.264
and AAC into a fragmented MP4 beside a JSON index (``index.py``; the format is in
docs/video.md). ``reader.RecordingReader`` opens a recording for review. An encrypted
centre's recording is sealed as it is written and opened through ``media_file``
(``naas_centre.protection.sealed_media``).

OpenCV (``cv2``) and PyAV (``av``) are imported only by the modules that use them, and
nothing here is imported at the app's start-up.
"""
