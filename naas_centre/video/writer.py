"""H.264 and AAC into a fragmented MP4, with PyAV.

Every second starts with a key frame and a new fragment, and each fragment reaches the
file as soon as it is complete, so a killed recording keeps all but its last fragment and
plays in any player. ``ultrafast`` with no look-ahead keeps a 720p stream in real time on
two cores; the rate is capped so an hour stays within a known size.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from naas_centre.protection.sealed_media import SealingFile
    from naas_centre.video.sound import Samples
    from naas_centre.video.sources import Image

FRAGMENT_SECONDS = 1.0
MAX_VIDEO_BITRATE = "6M"  # 45 MB a minute at most, with the sound
AUDIO_BITRATE = 96_000


class FragmentedWriter:
    def __init__(
        self, path: Path, fps: int, size: tuple[int, int], sample_rate: int | None, seal: str | None = None
    ) -> None:
        """``seal``: the encrypted centre's passphrase, which the file is sealed under as it
        is written (``protection.sealed_media``); None writes the plain MP4."""
        import av

        self._sink: SealingFile | None = None
        if seal is not None:
            from naas_centre.protection.sealed_media import SealingFile

            self._sink = SealingFile(path, seal, path.parent.name)
        self._container: Any = av.open(
            self._sink if self._sink is not None else str(path),
            "w",
            format="mp4",
            options={
                "movflags": "frag_keyframe+empty_moov+default_base_moof",
                "flush_packets": "1",
            },
        )
        keyint = str(max(1, round(fps * FRAGMENT_SECONDS)))
        video = self._container.add_stream(
            "libx264",
            rate=fps,
            options={
                "preset": "ultrafast",
                "tune": "zerolatency",
                "crf": "23",
                "maxrate": MAX_VIDEO_BITRATE,
                "bufsize": "12M",
                "g": keyint,
                "keyint_min": keyint,
                "sc_threshold": "0",
            },
        )
        video.width, video.height = size
        video.pix_fmt = "yuv420p"
        self._video = video
        self._video_base = Fraction(1, fps)
        self._audio: Any = None
        if sample_rate is not None:
            self._audio = self._container.add_stream("aac", rate=sample_rate, layout="mono")
            self._audio.bit_rate = AUDIO_BITRATE
            self._audio_base = Fraction(1, sample_rate)
            self._sample_rate = sample_rate
            self._priming = int(self._audio.codec_context.frame_size or 1024)
        self._last_pts = -1

    def write_picture(self, image: Image, pts: int) -> None:
        """``pts`` counts frame intervals from the start; a gap (the camera lost) is allowed."""
        import av

        if pts <= self._last_pts:
            return
        frame = av.VideoFrame.from_ndarray(image, format="bgr24")
        frame.pts, frame.time_base = pts, self._video_base
        self._last_pts = pts
        for packet in self._video.encode(frame):
            self._container.mux(packet)

    def write_sound(self, samples: Samples, first_sample: int) -> None:
        import av

        if self._audio is None:
            return
        # The AAC encoder puts one frame of priming before the sound, and the MP4 would then
        # start the sound that much before the pictures (or shift the pictures). Leaving out
        # the recording's first frame of sound lets the priming stand in for it, so sample n
        # plays at n / rate, as picture n does at n / fps.
        skip = max(0, self._priming - first_sample)
        samples, first_sample = samples[skip:], first_sample + skip
        if samples.size == 0:
            return
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = self._sample_rate
        frame.pts, frame.time_base = first_sample, self._audio_base
        for packet in self._audio.encode(frame):
            self._container.mux(packet)

    def close(self) -> None:
        try:
            for packet in self._video.encode(None):
                self._container.mux(packet)
            if self._audio is not None:
                for packet in self._audio.encode(None):
                    self._container.mux(packet)
        finally:
            try:
                self._container.close()
            finally:
                if self._sink is not None:
                    self._sink.close()
