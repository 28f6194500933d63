"""HTTP(S) listeners, the JSON-RPC envelope, auth, faults, the call log and /sim/ control.

ClusterEndpoint.process() is the one request pipeline. The HTTP handler feeds it, and so does
network.InProcessLink for cluster-to-cluster calls, so both meet the same offline switch,
faults, authentication and call log.
"""

import base64
import binascii
import json
import logging
import os
import re
import socket
import socketserver
import ssl
import threading
import time
from email.utils import formatdate
from http import HTTPStatus
from http.server import ThreadingHTTPServer
from urllib.parse import urlsplit

from . import clock
from .calllog import CallLog
from .replies import DROP, NOT_FOUND, UNAUTHORIZED, Reply, status_page
from .control import SimControl
from .cluster import Request
from .cluster.jobs import settle_due_jobs
from .cluster.schedules import settle_timers
from .cluster.replication import fetch_views
from .errors import ElementError, InjectedError
from .faults import FaultRegistry
from .network import PeerRejected, PeerUnreachable, interpret_answer, join_mvip
from .rpc import CURRENT_VERSION, REGISTRY, SUPPORTED_VERSIONS, bind_params

log = logging.getLogger("element_sim")

KEEPALIVE_IDLE_SECONDS = 120
HANDSHAKE_TIMEOUT_SECONDS = 10
MAX_BODY_BYTES = 16 * 1024 * 1024
MAX_LINE_BYTES = 64 * 1024
MAX_HEADERS = 100
JSONRPC_PATH = re.compile(r"^/json-rpc/([^/]+)/?$")
# How an offline cluster fails its clients: "close" reads the request and closes the connection
# (the default); "hang" accepts and never answers; "drop" answers nothing at all, not even a
# connection (its packets are dropped: the listener stops accepting and its backlog is full).
OUTAGES = ("close", "hang", "drop")
HANG_MAX_SECONDS = 300  # a hung request gives up by itself, so no thread waits forever
FILLER_CONNECTIONS_MAX = 8

def _error_answer(request_id, exc):
    return {"error": exc.to_json(), "id": request_id}


def _parse_request(body):
    """(request, error message). body is bytes from HTTP or a dict from an in-process peer."""
    if isinstance(body, dict):
        return body, None
    try:
        request = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return None, f"Malformed JSON: {type(exc).__name__}"
    if not isinstance(request, dict):
        return None, "The request must be one JSON object (batches are not supported)."
    return request, None


class ClusterEndpoint:
    """One cluster as the network sees it: pipeline, call log, faults, offline switch."""

    def __init__(self, sim, cluster, state_dir):
        self.sim = sim
        self.cluster = cluster
        self.calllog = CallLog(os.path.join(state_dir, f"calls-{cluster.name}.jsonl"))
        self.faults = FaultRegistry()
        self.offline = False  # not persisted: a restart brings every cluster back online
        self.outage = "close"  # how it is offline (OUTAGES)
        self.server = None  # its listener, once add_cluster made it

    @property
    def name(self):
        return self.cluster.name

    @property
    def mvip(self):
        return self.cluster.mvip

    def process(self, version, body, username, password):
        """Handle one JSON-RPC request; version None means an unsupported path version."""
        request, parse_error = _parse_request(body)
        request = request or {}
        method = request.get("method") if isinstance(request.get("method"), str) else None
        params = request.get("params", {})
        request_id = request.get("id")
        role, pair_id = (self.cluster.authenticate(username, password) if username is not None
                         else (None, None))
        caller = "peer" if role == "peer" else "client"
        started = time.time()

        def record(outcome):
            self.calllog.append(method, params, outcome, caller, started)

        if self.offline:
            if self.outage != "close" and caller == "client":
                self._hang()
                record("hung")
            else:
                record("dropped_before")
            return DROP
        if version is None:
            record("http_404")
            return NOT_FOUND
        if role is None:
            record("http_401")
            return UNAUTHORIZED
        if parse_error:
            return self._error(request_id, ElementError("xInvalidJSON", parse_error), record)
        fault = self.faults.take(method or "", caller)
        if fault is not None:
            if fault.action == "error":
                return self._error(request_id, InjectedError(fault.error, fault.message), record)
            if fault.action == "http_status":
                record(f"http_{fault.status}")
                return Reply(fault.status, html=status_page(fault.status, "Injected Fault"))
            if fault.action == "drop_before":
                record("dropped_before")
                return DROP
            if fault.action == "hang":
                record("hung")  # logged at once: a test watches for it to stop a run there
                self.faults.hold(fault)
                return DROP
            if fault.action == "delay":
                time.sleep(fault.seconds)
        job_fault = fault if fault is not None and fault.action == "fail_job" else None
        try:
            answer = self._dispatch(version, method, params, request_id, caller, pair_id,
                                    job_fault)
            outcome = "ok"
        except ElementError as exc:
            answer, outcome = _error_answer(request_id, exc), exc.name
        except Exception:  # a simulator bug: answer like a cluster would, keep the details here
            log.exception("internal error in %s on %s", method, self.name)
            failure = ElementError("xAssertionFailure")
            answer, outcome = _error_answer(request_id, failure), failure.name
        if fault is not None and fault.action == "drop_after":
            record("dropped_after")  # whatever the call did stays done
            return DROP
        record(outcome)
        return Reply(answer=answer)

    def _hang(self):
        """No answer while offline (a request that reached a "hang" cluster, or one sent on a
        connection that was open when its packets started to be dropped). Peer links never
        hang: a cluster computing its pairs' states sees its peer unreachable at once."""
        deadline = time.monotonic() + HANG_MAX_SECONDS
        while self.offline and time.monotonic() < deadline:
            time.sleep(0.05)

    def set_offline(self, offline, outage="close"):
        if outage not in OUTAGES:
            raise ValueError(f"outage must be one of {', '.join(OUTAGES)}")
        self.offline, self.outage = offline, outage if offline else "close"
        if self.server is not None:
            self.server.set_dropping(offline and outage == "drop")

    @staticmethod
    def _error(request_id, exc, record):
        record(exc.name)
        return Reply(answer=_error_answer(request_id, exc))

    def _dispatch(self, version, method, params, request_id, caller, pair_id, job_fault=None):
        if method is None:
            raise ElementError("xMissingParameter", "Missing member=[method]")
        if params is None:
            params = {}
        if not isinstance(params, dict):
            raise ElementError("xInvalidParameterType", "params must be a JSON object.")
        spec = REGISTRY.get(method)
        if spec is None or (spec.internal and caller != "peer"):
            raise ElementError("xUnknownAPIMethod", f"Unknown method. method={method}")
        if caller == "peer" and not spec.internal:
            raise ElementError("xPermissionDenied",
                               "xPermissionDenied: pairing credentials cannot call "
                               f"method={method}")
        if float(version) < spec.since:
            raise ElementError("xUnknownAPIMethod",
                               f"method={method} is not available in API version {version}")
        bound, unused = bind_params(spec, params)
        call = Request(version, caller, pair_id, job_fault=job_fault)
        if self.cluster.jobs_due(clock.now()):  # O(1) while no job is due
            with self.sim.transaction():
                settle_due_jobs(self.cluster)
        if caller == "client" and self.cluster.timers_due(clock.now()):  # O(1) likewise
            settle_timers(self.cluster)
        if spec.peer_view:
            call.views = fetch_views(self.cluster)
        if spec.locked:
            with self.sim.transaction():
                result = spec.handler(self.cluster, bound, call)
        else:
            result = spec.handler(self.cluster, bound, call)
        answer = {"id": request_id, "result": result}
        if unused:
            answer["unusedParameters"] = unused
        return answer

    def peer_call(self, method, params, username, password):
        """Entry point for network.InProcessLink: same pipeline, same failures as HTTP."""
        reply = self.process(CURRENT_VERSION, {"method": method, "params": params, "id": 1},
                             username, password)
        if reply.drop or reply.status not in (200, 401):
            raise PeerUnreachable(self.mvip)
        if reply.status == 401:
            raise PeerRejected(self.mvip)
        return interpret_answer(reply.answer)


def basic_credentials(header):
    """(username, password) from an Authorization header, or (None, None)."""
    if not header or not header.startswith("Basic "):
        return None, None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    username, sep, password = decoded.partition(":")
    return (username, password) if sep else (None, None)


class RequestHandler(socketserver.StreamRequestHandler):
    """A small HTTP/1.1 keep-alive handler.

    http.server's BaseHTTPRequestHandler parses headers with the email package, which cost
    about half of the server's time per request; this reads the request line and headers
    itself and writes each response with one write.
    """

    timeout = KEEPALIVE_IDLE_SECONDS
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True

    def handle(self):
        self.close_connection = False
        while not self.close_connection:
            try:
                if not self.handle_one_request():
                    break
                self.wfile.flush()
            except (TimeoutError, ConnectionError, ssl.SSLError):
                break

    def _read_head(self):
        """(method, target, version, headers) or None at end of stream or on a bad request."""
        line = self.rfile.readline(MAX_LINE_BYTES + 1)
        if not line or len(line) > MAX_LINE_BYTES:
            return None
        parts = line.decode("latin-1").split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            return None
        headers = {}
        for _ in range(MAX_HEADERS + 1):
            line = self.rfile.readline(MAX_LINE_BYTES + 1)
            if line in (b"\r\n", b"\n", b""):
                return (*parts, headers)
            name, sep, value = line.decode("latin-1").partition(":")
            if not sep:
                return None
            headers[name.strip().lower()] = value.strip()
        return None

    def handle_one_request(self):
        head = self._read_head()
        if head is None:
            return False
        http_method, target, version, headers = head
        self.headers = headers
        connection = headers.get("connection", "").lower()
        self.close_connection = (connection == "close" or
                                 (version == "HTTP/1.0" and connection != "keep-alive"))
        if "chunked" in headers.get("transfer-encoding", "").lower():
            self.close_connection = True
            self._send(Reply(411, html=status_page(411, "Length Required")))
            return True
        try:
            length = int(headers.get("content-length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY_BYTES:
            self.close_connection = True
            self._send(Reply(413, html=status_page(413, "Request Entity Too Large")))
            return True
        if headers.get("expect", "").lower() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            self.wfile.flush()
        body = self.rfile.read(length) if length else b""
        self._send(self._route(http_method, target, body))
        return not self.close_connection

    def _route(self, http_method, target, body):
        endpoint, control = self.server.endpoint, self.server.control
        credentials = basic_credentials(self.headers.get("authorization"))
        if target.startswith("/sim/"):
            return control.handle(endpoint, http_method, target, body, credentials)
        match = JSONRPC_PATH.match(urlsplit(target).path)
        if http_method != "POST" or match is None:
            return NOT_FOUND
        version = match.group(1) if match.group(1) in SUPPORTED_VERSIONS else None
        return endpoint.process(version, body, *credentials)

    def _send(self, reply):
        if reply.drop:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        body, content_type = reply.body()
        head = [f"HTTP/1.1 {reply.status} {_reason(reply.status)}",
                f"Date: {_http_date()}", "Server: element-sim",
                f"Content-Type: {content_type}", f"Content-Length: {len(body)}"]
        head += [f"{name}: {value}" for name, value in reply.headers]
        if self.close_connection:
            head.append("Connection: close")
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)


def _reason(status):
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


_date_cache = [0, ""]


def _http_date():
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache[:] = [now, formatdate(now, usegmt=True)]
    return _date_cache[1]


class ClusterHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, endpoint, control, ssl_context):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.endpoint = endpoint
        self.control = control
        self.ssl_context = ssl_context
        self._connections = set()
        self._connections_lock = threading.Lock()
        self._dropping = False
        self._fillers = []
        super().__init__(address, RequestHandler)

    def set_dropping(self, dropping):
        """Drop every new connection's packets, as a lost site does: stop accepting, shrink the
        accept queue to its minimum and fill it with connections of our own, so the kernel drops
        the next SYNs (a client's connect times out). Open connections are closed."""
        if dropping == self._dropping:
            return
        self._dropping = dropping
        if dropping:
            self.socket.listen(0)
            self.close_connections()
            for _ in range(FILLER_CONNECTIONS_MAX):
                filler = socket.socket(self.address_family, socket.SOCK_STREAM)
                filler.settimeout(0.2)
                try:
                    filler.connect(self.server_address[:2])
                except OSError:
                    filler.close()
                    break  # the queue is full: SYNs are dropped from now on
                self._fillers.append(filler)
        else:
            for filler in self._fillers:
                filler.close()
            self._fillers = []
            self.socket.listen(self.request_queue_size)

    def get_request(self):
        if self._dropping:
            time.sleep(0.05)  # leave the queue full; serve_forever asks again
            raise OSError("dropping connections")
        return super().get_request()

    def server_bind(self):
        # HTTPServer.server_bind would do a reverse DNS lookup of the host; not needed.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def _track(self, conn, add):
        with self._connections_lock:
            (self._connections.add if add else self._connections.discard)(conn)

    def finish_request(self, request, client_address):
        # The TLS handshake runs here, in the connection's own thread, not in the accept loop.
        conn = request
        self._track(conn, True)
        try:
            if self.ssl_context is not None:
                request.settimeout(HANDSHAKE_TIMEOUT_SECONDS)
                self._track(request, False)
                conn = self.ssl_context.wrap_socket(request, server_side=True)
                self._track(conn, True)
            self.RequestHandlerClass(conn, client_address, self)
        except (OSError, ssl.SSLError):
            pass  # the client went away or failed the handshake
        finally:
            self._track(conn, False)
            if conn is not request:
                conn.close()

    def handle_error(self, request, client_address):
        log.exception("error serving a connection on %s", self.endpoint.name)

    def close_connections(self):
        with self._connections_lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class SimulatorServer:
    """All listeners of one simulator process."""

    def __init__(self, sim, state_dir):
        self.sim = sim
        self.state_dir = state_dir
        self.endpoints = {}
        self.control = SimControl(sim, self.endpoints)
        self._servers = []
        self._threads = []

    def add_cluster(self, cluster, host, port, ssl_context, bare_mvip=False):
        """Listen for cluster on host:port (port 0: a free one). Its MVIP is "HOST:PORT", or
        with bare_mvip the address alone, as real clusters report it (network.api_port then
        says where the API is)."""
        endpoint = ClusterEndpoint(self.sim, cluster, self.state_dir)
        server = ClusterHTTPServer((host, port), endpoint, self.control, ssl_context)
        endpoint.server = server
        cluster.host, cluster.port = host, server.server_address[1]
        cluster.mvip = host if bare_mvip else join_mvip(host, cluster.port)
        self.endpoints[cluster.name] = endpoint
        self.sim.network.register(cluster.unique_id, endpoint)
        self._servers.append(server)
        return server.server_address[1]

    def start(self):
        for server in self._servers:
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                      daemon=True, name=f"listener-{server.endpoint.name}")
            thread.start()
            self._threads.append(thread)
        self.sim.start_background()

    def stop(self):
        self.sim.stop_background()
        for server in self._servers:
            server.endpoint.offline = False  # hung requests end
            server.set_dropping(False)
            self.sim.network.unregister(server.endpoint.cluster.unique_id)
            server.shutdown()
            server.server_close()
            server.close_connections()
        for thread in self._threads:
            thread.join(timeout=5)
        for endpoint in self.endpoints.values():
            endpoint.calllog.close()
