"""A network camera on this machine: an MJPEG stream over HTTP, as many IP cameras serve.

It streams numbered grey frames at 25 fps to every client, from a server that can be
unplugged (``stop``: the streams end and connections are refused) and plugged in again
on the same port (``start``).
"""

from __future__ import annotations

import http.server
import socketserver
import threading
import time

import cv2
import numpy as np

FPS = 25


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class NetworkCamera:
    def __init__(self) -> None:
        self._on = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/stream.mjpg"

    def start(self) -> None:
        camera = self

        class Stream(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
                self.end_headers()
                start, n = time.monotonic(), 0
                try:
                    while camera._on.is_set():
                        image = np.full((240, 320, 3), 40 + n % 150, np.uint8)
                        jpeg = cv2.imencode(".jpg", image)[1].tobytes()
                        head = f"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n"
                        self.wfile.write(head.encode() + jpeg + b"\r\n")
                        n += 1
                        # The camera's own frame rate: it sends a frame every 1/25 s.
                        time.sleep(max(0.0, start + n / FPS - time.monotonic()))
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self._server = _Server(("127.0.0.1", self.port), Stream)
        self.port = self._server.server_address[1]
        self._on.set()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._on.clear()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


class NetworkMicrophone:
    """A camera's microphone on the network: a WAV stream over HTTP, sent in real time.

    Each client hears ``pcm`` (16-bit mono) from its start, 20 ms at a time, again and
    again; ``stop`` unplugs it (the stream ends, connections are refused), ``start``
    plugs it in again on the same port.
    """

    def __init__(self, pcm: bytes, rate: int) -> None:
        self._pcm, self._rate = pcm, rate
        self._on = threading.Event()
        self._server: _Server | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/microphone.wav"

    def start(self) -> None:
        microphone = self

        class Stream(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "audio/wav")
                self.end_headers()
                rate, pcm = microphone._rate, microphone._pcm
                header = (
                    b"RIFF\xff\xff\xff\xffWAVEfmt "
                    + (16).to_bytes(4, "little")
                    + (1).to_bytes(2, "little")
                    + (1).to_bytes(2, "little")
                    + rate.to_bytes(4, "little")
                    + (rate * 2).to_bytes(4, "little")
                    + (2).to_bytes(2, "little")
                    + (16).to_bytes(2, "little")
                    + b"data\xff\xff\xff\xff"
                )
                chunk = rate * 2 // 50
                start, sent = time.monotonic(), 0
                try:
                    self.wfile.write(header)
                    while microphone._on.is_set():
                        at = sent % len(pcm)
                        self.wfile.write(pcm[at : at + chunk])
                        sent += min(chunk, len(pcm) - at)
                        # Sound is sent as it is heard: 20 ms every 20 ms.
                        time.sleep(max(0.0, start + sent / (2 * rate) - time.monotonic()))
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self._server = _Server(("127.0.0.1", self.port), Stream)
        self.port = self._server.server_address[1]
        self._on.set()
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._on.clear()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
