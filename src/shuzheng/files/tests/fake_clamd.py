"""A stand-in for ClamAV's daemon that speaks its ``INSTREAM`` protocol over a real socket
(unix or TCP on 127.0.0.1), for the scan hook's tests.

It reads the command and the length-prefixed chunks up to the zero length exactly as clamd
does, keeps what it received, and answers ``stream: Eicar-Test-Signature FOUND`` when the bytes
contain the EICAR test string, ``stream: OK`` otherwise — or a fixed ``reply`` when given (an
error, say), after ``delay`` seconds when given. A client that breaks the protocol gets no
answer, as from clamd.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

# The EICAR anti-virus test file (every scanner reports it; it is harmless).
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def _read_exact(conn: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        part = conn.recv(n - len(buf))
        if not part:
            raise ConnectionError("client closed the stream early")
        buf += part
    return buf


class FakeClamd:
    def __init__(
        self, *, unix_path: Path | None = None, reply: bytes | None = None, delay: float = 0
    ) -> None:
        if unix_path is not None:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.bind(str(unix_path))
            self.address = str(unix_path)
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.bind(("127.0.0.1", 0))
            self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.sock.listen(4)
        self.sock.settimeout(0.05)  # accept() wakes up to see close()
        self.reply = reply
        self.delay = delay  # seconds of silence before answering
        self.received: list[bytes] = []  # the bytes of each scan, in order
        self.commands: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._stop = False
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(10)
                try:
                    self._one(conn)
                except (ConnectionError, TimeoutError):
                    continue

    def _one(self, conn: socket.socket) -> None:
        command = b""
        while not command.endswith(b"\0"):
            command += _read_exact(conn, 1)
        self.commands.append(command)
        if command != b"zINSTREAM\0":
            conn.sendall(b"UNKNOWN COMMAND\0")
            return
        data = b""
        while True:
            size = int.from_bytes(_read_exact(conn, 4), "big")
            if size == 0:
                break
            data += _read_exact(conn, size)
        self.received.append(data)
        if self.delay:
            time.sleep(self.delay)
        if self.reply is not None:
            conn.sendall(self.reply)
        elif EICAR in data:
            conn.sendall(b"stream: Eicar-Test-Signature FOUND\0")
        else:
            conn.sendall(b"stream: OK\0")

    def close(self) -> None:
        self._stop = True
        self._thread.join(timeout=5)
        self.sock.close()
