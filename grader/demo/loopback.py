"""The HTTP server the local fakes of external services (GitHub, Telegram) run on: 127.0.0.1 only.

A thread per connection, and a listen backlog deep enough for a burst: the stdlib's default of 5 pending
connections makes a client that opens 50 connections at once see "connection refused", which the real
services never answer.
"""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
