"""Run the upgrader CLI with every connection to a host other than loopback refused and
recorded: ``python socket_guard.py <upgrader args>``; attempts go, one per line, to the file
named by ``UPGRADER_TEST_CONNECT_LOG``. Refusing (instead of letting the machine's network
answer) makes the test the same on a machine with and without internet access."""

from __future__ import annotations

import ipaddress
import os
import runpy
import socket
import sys

LOG = os.environ["UPGRADER_TEST_CONNECT_LOG"]
LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def _loopback(host: object) -> bool:
    if host is None or host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _refuse(what: str, target: object) -> None:
    with open(LOG, "a") as log:
        log.write(f"{what} {target!r}\n")
    raise OSError(f"socket_guard: {what} {target!r} refused (not loopback)")


_getaddrinfo = socket.getaddrinfo
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
    if not _loopback(host.decode() if isinstance(host, bytes) else host):
        _refuse("resolve", host)
    return _getaddrinfo(host, *args, **kwargs)


def _check(addr: object) -> None:
    if isinstance(addr, tuple) and not _loopback(addr[0]):
        _refuse("connect", addr)


def connect(self, addr):  # type: ignore[no-untyped-def]
    _check(addr)
    return _connect(self, addr)


def connect_ex(self, addr):  # type: ignore[no-untyped-def]
    _check(addr)
    return _connect_ex(self, addr)


socket.getaddrinfo = getaddrinfo
socket.socket.connect = connect  # type: ignore[method-assign]
socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]

sys.argv = ["upgrader", *sys.argv[1:]]
runpy.run_module("upgrader.cli", run_name="__main__")
