"""The network between clusters.

A cluster reaches a paired cluster through a PeerLink. Both implementations authenticate with
the pair's credentials, go through the peer's full request pipeline (offline switch, faults,
call log, auth) and fail the same way: PeerUnreachable when no answer comes (offline, listener
down, dropped connection, HTTP error page), PeerRejected on HTTP 401 (the peer no longer knows
the pairing credentials), PeerError for an Element error answer.

- HttpLink: a real HTTP(S) POST to the peer's MVIP. Always used for the pairing handshake and for
  peers that live in another simulator process.
- InProcessLink: a direct call into a peer served by this process (fast enough for deriving the
  state of thousands of volume pairs per request).
"""

import abc
import base64
import http.client
import ipaddress
import json
import ssl
import threading

from .rpc import CURRENT_VERSION

PEER_TIMEOUT_SECONDS = 10
API_PORT = 443  # where a real cluster serves the API: what a bare-address MVIP means


class PeerUnreachable(Exception):
    """No answer from the peer."""


class PeerRejected(Exception):
    """The peer answered 401: it does not accept our pairing credentials (any more)."""


class PeerError(Exception):
    """The peer answered with an Element error."""

    def __init__(self, name, message):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


class PeerLink(abc.ABC):
    @abc.abstractmethod
    def call(self, method, params):
        """The peer's result object, or one of the exceptions above."""


def split_mvip(mvip, api_port=API_PORT):
    """("host", port) from "host:port", "[v6]:port" or a bare address (a real cluster's MVIP,
    or one of `serve --address-per-cluster`), which means api_port."""
    try:
        return str(ipaddress.ip_address(mvip)), api_port
    except ValueError:
        pass
    host, _, port = mvip.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"not a HOST:PORT MVIP: {mvip!r}")
    return host.strip("[]"), int(port)


def join_mvip(host, port):
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class HttpLink(PeerLink):
    def __init__(self, mvip, username, password, ssl_context=None, api_port=API_PORT):
        self.mvip = mvip
        self._api_port = api_port
        self._auth = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
        self._ssl_context = ssl_context  # None: plain HTTP

    def call(self, method, params):
        try:
            host, port = split_mvip(self.mvip, self._api_port)
        except ValueError as exc:
            raise PeerUnreachable(str(exc)) from None
        if self._ssl_context is None:
            conn = http.client.HTTPConnection(host, port, timeout=PEER_TIMEOUT_SECONDS)
        else:
            conn = http.client.HTTPSConnection(host, port, timeout=PEER_TIMEOUT_SECONDS,
                                               context=self._ssl_context)
        body = json.dumps({"method": method, "params": params, "id": 1})
        try:
            conn.request("POST", f"/json-rpc/{CURRENT_VERSION}", body=body,
                         headers={"Authorization": self._auth,
                                  "Content-Type": "application/json"})
            resp = conn.getresponse()
            status, raw = resp.status, resp.read()
        except (OSError, http.client.HTTPException) as exc:
            raise PeerUnreachable(f"{type(exc).__name__} talking to {self.mvip}") from None
        finally:
            conn.close()
        if status == 401:
            raise PeerRejected(self.mvip)
        if status != 200:
            raise PeerUnreachable(f"HTTP {status} from {self.mvip}")
        try:
            answer = json.loads(raw)
        except ValueError:
            raise PeerUnreachable(f"non-JSON answer from {self.mvip}") from None
        return interpret_answer(answer)


def interpret_answer(answer):
    if "error" in answer:
        err = answer["error"]
        raise PeerError(err.get("name", "xUnknown"), err.get("message", ""))
    return answer["result"]


class CutLink(PeerLink):
    """The link between two clusters is down (fault injection): nothing gets through."""

    def __init__(self, description):
        self._description = description

    def call(self, method, params):
        raise PeerUnreachable(f"link down: {self._description}")


class InProcessLink(PeerLink):
    def __init__(self, endpoint, username, password):
        self._endpoint = endpoint
        self._username = username
        self._password = password

    def call(self, method, params):
        # A JSON round trip gives the peer its own copy, exactly as a wire would.
        params = json.loads(json.dumps(params))
        return self._endpoint.peer_call(method, params, self._username, self._password)


class Network:
    """Which clusters this process serves, and how to reach any paired cluster."""

    def __init__(self, ca_file=None):
        self._lock = threading.Lock()
        self._local = {}  # uniqueID -> endpoint
        self._cut = set()  # frozensets of two uniqueIDs whose link is down
        self._ssl_context = ssl.create_default_context(cafile=ca_file) if ca_file else None
        # The port behind bare-address MVIPs: 443 on real clusters, the shared port of
        # `serve --address-per-cluster` here.
        self.api_port = API_PORT

    def register(self, unique_id, endpoint):
        with self._lock:
            self._local[unique_id] = endpoint

    def unregister(self, unique_id):
        with self._lock:
            self._local.pop(unique_id, None)

    def local(self, unique_id):
        with self._lock:
            return self._local.get(unique_id)

    def current_mvip(self, unique_id, last_known):
        """A peer in this process is found by uniqueID, so its MVIP may change on restart."""
        endpoint = self.local(unique_id)
        return endpoint.mvip if endpoint is not None else last_known

    def link(self, unique_id, mvip, username, password, from_id=None):
        if self.is_cut(from_id, unique_id):
            return CutLink(f"{from_id} - {unique_id}")
        endpoint = self.local(unique_id)
        if endpoint is not None:
            return InProcessLink(endpoint, username, password)
        return self.http_link(mvip, username, password)

    def http_link(self, mvip, username, password, from_id=None, to_id=None):
        if self.is_cut(from_id, to_id):
            return CutLink(f"{from_id} - {to_id}")
        return HttpLink(mvip, username, password, self._ssl_context, self.api_port)

    # ---- partitions: clients still reach both clusters, the clusters not each other ----------
    def set_link(self, a, b, up):
        with self._lock:
            (self._cut.discard if up else self._cut.add)(frozenset((a, b)))

    def restore_all_links(self):
        with self._lock:
            self._cut.clear()

    def is_cut(self, a, b):
        if a is None or b is None:
            return False
        with self._lock:
            return frozenset((a, b)) in self._cut

    def cut_links(self):
        with self._lock:
            return [sorted(pair) for pair in self._cut]
