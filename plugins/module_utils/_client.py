# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""JSON-RPC client for NetApp Element clusters, shared by every module of the collection.

Private module_utils: not a public API of the collection.
"""

from __future__ import annotations

import errno
import json
import random
import socket
import threading
import time
import traceback
import warnings
from typing import Any, Callable, Dict, Iterator, Optional, Protocol, Set, Tuple, Union

from ansible_collections.element.replication.plugins.module_utils._element import REDACTED
from ansible_collections.element.replication.plugins.module_utils._errors import ElementError

REQUESTS_IMPORT_ERROR: Optional[str] = None
try:
    import requests
    from requests.adapters import HTTPAdapter
except ImportError:  # pragma: no cover - reported through missing_required_lib
    requests = None  # type: ignore[assignment]
    HTTPAdapter = object  # type: ignore[misc,assignment]
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

# Every Element release in support (12.5 and later) serves 12.0, and 12.0 has every method and
# parameter the collection uses (the newest of them, CreateVolume's qosPolicyID, is from 10.0).
DEFAULT_API_VERSION = "12.0"
DEFAULT_TIMEOUT = 30.0
MAX_CONNECT_TIMEOUT = 10.0


def is_read(method: str) -> bool:
    """Whether a method only reads (safe to send again when its answer was lost). By rule, every
    Get* and List* method is a read and no other is, so a new read method needs no registration."""
    return method.startswith(("Get", "List"))


# Element errors that the API docs and real clients (Cinder, sfauto) treat as transient.
TRANSIENT_ERRORS = frozenset((
    "xDBVersionMismatch", "xDBConnectionLoss", "xDBOperationTimeout", "xDBSessionExpired",
    "xDBSessionMoved", "xDBNoServerResponse", "xDBClosing", "xNotPrimary", "xNotReadyForIO",
    "xSliceNotRegistered", "xRpcTimeout",
))
TRANSIENT_HTTP_STATUS = frozenset((502, 503, 504))
BUSY_HTTP_STATUS = frozenset((429, 503))  # refused, not processed: safe to send again, mutating or not

CHECK_ADDRESS = "Check that the MVIP (hostname) and port are right and that the cluster is up"


class SecretScrubber:
    """Replaces every known secret value in text; shared by all clients of a module run."""

    def __init__(self) -> None:
        self._secrets: Set[str] = set()

    def add(self, *values: Any) -> None:
        for value in values:
            if isinstance(value, str) and len(value) >= 4:
                self._secrets.add(value)

    def scrub(self, text: Any) -> Any:
        if not isinstance(text, str):
            return text
        # Longest first, so a secret that contains another is replaced whole.
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def __contains__(self, value: object) -> bool:
        return value in self._secrets


def split_host(hostname: str, port: int) -> Tuple[str, str, int]:
    """Return (scheme, host, port) from what the user typed.

    Accepts "host", "host:port", "[v6]:port", "https://host[:port]" and, for test simulators only,
    "http://host[:port]". A port in the hostname wins over the port option.
    """
    scheme = "https"
    text = hostname.strip()
    for prefix in ("https://", "http://"):
        if text.lower().startswith(prefix):
            scheme = prefix[:-3]
            text = text[len(prefix):]
    text = text.rstrip("/")
    if text.startswith("["):
        host, _sep, rest = text[1:].partition("]")
        if rest.startswith(":") and rest[1:].isdigit():
            port = int(rest[1:])
        return scheme, host, port
    if text.count(":") == 1:
        host, _sep, maybe_port = text.partition(":")
        if maybe_port.isdigit():
            return scheme, host, int(maybe_port)
    return scheme, text, port


class Client(Protocol):
    """What runners and readers use of a cluster's client: ElementClient, or a test's fake. The
    layers above _connection name it under TYPE_CHECKING only: they never import the transport."""
    name: Optional[str]  # the cluster's own name, once read
    display_name: Optional[str]  # how to name it until then
    address: str  # host:port, as connected to
    host: str

    @property
    def label(self) -> str:
        """The cluster in messages: its name and address."""

    def call(self, method: str, params: Optional[Dict[str, Any]] = None, accept: Tuple[str, ...] = (),
             retries: Optional[int] = None, timeout: Optional[float] = None) -> Optional[Dict[str, Any]]:
        """Run one API method and return its result object (ElementClient.call)."""


class ElementClient:
    """One pooled keep-alive HTTPS session to one cluster (a Client)."""

    def __init__(self, hostname: str, username: str, password: str, port: int = 443, validate_certs: bool = True,
                 ca_path: Optional[str] = None, timeout: float = DEFAULT_TIMEOUT, api_version: Any = DEFAULT_API_VERSION,
                 scrubber: Optional[SecretScrubber] = None, retries: int = 4, backoff: float = 0.5,
                 max_backoff: float = 8.0, pool_size: int = 4, sleep: Callable[[float], Any] = time.sleep,
                 display_name: Optional[str] = None) -> None:
        self.scheme, self.host, self.port = split_host(hostname, port)
        self.username = username
        self.api_version = str(api_version)
        self.read_timeout = float(timeout)
        self.connect_timeout = min(MAX_CONNECT_TIMEOUT, self.read_timeout)
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.scrubber = scrubber if scrubber is not None else SecretScrubber()
        self.scrubber.add(password)
        self._sleep = sleep
        self.name: Optional[str] = None  # the cluster's own name, once GetClusterInfo has been read
        self.display_name = display_name  # how to name it until then (the roles pass the inventory host)
        host_in_url = "[%s]" % self.host if ":" in self.host else self.host
        self.address = "%s:%s" % (host_in_url, self.port)
        self.url = "%s://%s/json-rpc/%s" % (self.scheme, self.address, self.api_version)
        self.request_count = 0
        self.session = requests.Session()
        self.session.auth = (username, password)
        # Passed with every request: a session-level verify loses to REQUESTS_CA_BUNDLE and friends.
        self.verify: Union[str, bool] = (ca_path or True) if validate_certs else False
        if not validate_certs:
            # The modules warn about this once, in words; urllib3 would warn on every request.
            warnings.filterwarnings("ignore", message="Unverified HTTPS request")
        self.session.headers.update({"Content-Type": "application/json-rpc", "Accept": "application/json"})
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max(1, pool_size), max_retries=0)
        # At most pool_size calls in flight to this cluster, whatever the number of threads.
        self._in_flight = threading.BoundedSemaphore(max(1, pool_size))
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        # Every call is the same POST but for its body: prepared once, with the environment's
        # proxy and CA settings read once (requests would read them again on every call).
        self._template = self.session.prepare_request(requests.Request("POST", self.url))
        self._send_settings = self.session.merge_environment_settings(self.url, {}, None, self.verify, None)
        self._ids = 0
        self._unreachable: Optional[ElementError] = None

    @property
    def label(self) -> str:
        """How errors and reports name this cluster: its name once known (else the name the caller
        gave), always its address."""
        name = self.name or self.display_name
        if name:
            return "%s (%s)" % (name, self.address)
        return self.address

    def close(self) -> None:
        self.session.close()

    def call(self, method: str, params: Optional[Dict[str, Any]] = None, accept: Tuple[str, ...] = (),
             retries: Optional[int] = None, timeout: Optional[float] = None) -> Optional[Dict[str, Any]]:
        """Run one API method and return its result object.

        Reads (is_read) are retried with capped exponential backoff on connection errors,
        HTTP 502/503/504 and transient Element errors. Mutating methods are retried when the
        request certainly was not applied: the connection could not be opened, or the cluster
        answered that it is busy (HTTP 503, a transient xDB* error), as Cinder's driver does.
        accept names the Element errors the caller expects (the goal is reached anyway): the call
        then returns None instead of raising. retries and timeout (connect and read, seconds)
        override the client's own for this call (a probe that must decide quickly).
        """
        if self._unreachable is not None:
            # Already failed to connect after every retry: fail fast instead of waiting again.
            raise self._error(method, self._unreachable.message, kind="connection")
        read_only = is_read(method)
        retries = self.retries if retries is None else retries
        attempt = 0
        while True:
            attempt += 1
            try:
                with self._in_flight:
                    return self._call_once(method, params or {}, timeout)
            except ElementError as exc:
                if exc.kind == "api" and exc.name in accept:
                    return None
                if attempt > retries or not self._retryable(exc, read_only):
                    if exc.kind == "connection" and not exc.ambiguous:
                        self._unreachable = exc
                    raise
            delay = min(self.max_backoff, self.backoff * (2 ** (attempt - 1)))
            self._sleep(delay * (0.5 + random.random() / 2))

    @staticmethod
    def _retryable(exc: ElementError, read_only: bool) -> bool:
        if exc.kind == "connection" and not exc.ambiguous:
            return True
        if exc.kind == "http" and exc.code in BUSY_HTTP_STATUS:
            return True  # the cluster refused the call: nothing was applied
        if exc.kind == "api" and exc.name in TRANSIENT_ERRORS:
            return True  # an answer: the call failed as a whole
        if not read_only:
            return False
        if exc.kind in ("connection", "timeout"):
            return True
        return exc.kind == "http" and exc.code in TRANSIENT_HTTP_STATUS

    def _call_once(self, method: str, params: Dict[str, Any], timeout: Optional[float] = None) -> Dict[str, Any]:
        self._ids += 1
        self.request_count += 1
        request = self._template.copy()
        request.prepare_body(json.dumps({"method": method, "params": params, "id": self._ids}), None)
        connect_timeout, read_timeout = (self.connect_timeout, self.read_timeout) if timeout is None else (timeout, timeout)
        try:
            response = self.session.send(request, timeout=(connect_timeout, read_timeout),
                                         **self._send_settings)
        except requests.exceptions.SSLError as exc:
            raise self._error(
                method,
                "TLS certificate verification failed for %s: %s. Give the CA that signed the "
                "cluster's certificate with ca_path, or set validate_certs=false to skip "
                "verification (not recommended)" % (self.address, _short_reason(exc)),
                kind="tls")
        except requests.exceptions.ConnectTimeout:
            raise self._error(method, "cannot connect to %s: no answer within %s s. %s" % (
                self.address, _format_seconds(connect_timeout), CHECK_ADDRESS), kind="connection")
        except requests.exceptions.ReadTimeout:
            raise self._error(
                method, "no answer from %s within the read timeout of %s s%s%s" % (
                    self.address, _format_seconds(read_timeout), " (option timeout)" if timeout is None else "",
                    _maybe_applied(method)),
                kind="timeout", ambiguous=True)
        except requests.exceptions.ConnectionError as exc:
            # A refused or unroutable connection never carried the request; anything else
            # (reset, closed without an answer) may have been applied.
            reached = not _is_connect_failure(exc)
            if reached:
                text = "lost the connection to %s: %s%s" % (self.address, _connection_failure(exc),
                                                            _maybe_applied(method))
            else:
                text = "cannot connect to %s: %s. %s" % (self.address, _connection_failure(exc), CHECK_ADDRESS)
            raise self._error(method, text, kind="connection", ambiguous=reached)
        except requests.exceptions.RequestException as exc:
            raise self._error(method, "request to %s failed: %s" % (self.address, _connection_failure(exc)),
                              kind="connection", ambiguous=True)
        return self._parse(method, response)

    def _parse(self, method: str, response: Any) -> Dict[str, Any]:
        status = response.status_code
        if status == 401:
            raise self._error(method, "authentication failed for user %s on cluster %s (HTTP 401)"
                              % (self.username, self.label), kind="auth", code=401)
        if status == 404:
            raise self._error(method, "cluster %s does not serve API version %s (HTTP 404 for %s); "
                              "set api_version to a version the cluster supports"
                              % (self.label, self.api_version, self.url), kind="version", code=404)
        if status != 200:
            raise self._error(method, "HTTP %s from %s" % (status, self.address), kind="http", code=status,
                              ambiguous=not is_read(method) and status not in BUSY_HTTP_STATUS)
        try:
            document = response.json()
        except ValueError:
            raise self._error(method, "the answer from %s is not JSON" % self.address, kind="protocol")
        if not isinstance(document, dict):
            raise self._error(method, "the answer from %s is not a JSON-RPC object" % self.address, kind="protocol")
        error = document.get("error")
        if error:
            if not isinstance(error, dict):
                error = {"message": str(error)}
            name = error.get("name") or "xUnknown"
            raise self._error(method, error.get("message") or name, kind="api", name=name, code=error.get("code"))
        result = document.get("result")
        if not isinstance(result, dict):
            raise self._error(method, "the answer from %s has no result object" % self.address, kind="protocol")
        return result

    def _error(self, method: str, message: str, **kwargs: Any) -> ElementError:
        return ElementError(self.label, method, self.scrubber.scrub(message), **kwargs)


def _causes(exc: Any) -> Iterator[BaseException]:
    """exc and the exceptions it wraps: requests keeps urllib3's error in args[0], urllib3 in
    .reason, and the socket's error in __cause__."""
    seen: Set[int] = set()
    while isinstance(exc, BaseException) and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        inner = getattr(exc, "reason", None)
        if not isinstance(inner, BaseException) and exc.args and isinstance(exc.args[0], BaseException):
            inner = exc.args[0]
        if not isinstance(inner, BaseException):
            inner = exc.__cause__ or exc.__context__
        exc = inner


def _is_connect_failure(exc: BaseException) -> bool:
    """True when urllib3 failed before sending anything (refused, DNS, unreachable)."""
    return any(type(cause).__name__ in ("NewConnectionError", "NameResolutionError", "ConnectTimeoutError")
               for cause in _causes(exc))


def _maybe_applied(method: str) -> str:
    return "" if is_read(method) else "; the call may or may not have been applied"


def _connection_failure(exc: BaseException) -> str:
    """What went wrong with a connection, in words (not requests' or urllib3's internals)."""
    causes = list(_causes(exc))
    for cause in causes:
        name = type(cause).__name__
        if isinstance(cause, ConnectionRefusedError) or getattr(cause, "errno", None) == errno.ECONNREFUSED:
            return "the connection was refused (nothing listens on that address and port)"
        if isinstance(cause, socket.gaierror) or name == "NameResolutionError":
            return "the name does not resolve"
        if getattr(cause, "errno", None) in (errno.EHOSTUNREACH, errno.ENETUNREACH):
            return "the host is unreachable"
        if isinstance(cause, ConnectionResetError):
            return "the connection was reset"
        if name == "RemoteDisconnected":
            return "the cluster closed the connection without answering"
        if isinstance(cause, (socket.timeout, TimeoutError)) or name in ("ConnectTimeoutError", "ReadTimeoutError"):
            return "the connection timed out"
    text = str(causes[-1]) if causes else str(exc)
    # NewConnectionError("<urllib3...HTTPSConnection object at 0x...>: Failed to establish ...: [Errno 111] ...")
    if "object at 0x" in text and ": " in text:
        text = text.split(": ", 1)[1]
    return text if len(text) < 300 else text[:300] + "..."


def _short_reason(exc: BaseException) -> str:
    """The innermost readable reason of a requests/urllib3 exception, without the noise."""
    text = str(list(_causes(exc))[-1])
    return text if len(text) < 300 else text[:300] + "..."


def _format_seconds(value: float) -> str:
    return ("%g" % value)
