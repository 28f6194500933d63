"""Fault injection: per-cluster FIFO of faults that the next matching calls consume."""

import itertools
import threading
from dataclasses import dataclass, asdict

ACTIONS = ("error", "http_status", "drop_before", "drop_after", "delay", "fail_job", "hang")
JOB_METHODS = ("CloneVolume",)  # methods that start an asynchronous job (fail_job)
MAX_DELAY_SECONDS = 300
HANG_SECONDS = 300  # a "hang" fault's default hold

_fault_ids = itertools.count(1)  # process-wide, so an id names one fault in the whole process


class FaultSpecError(ValueError):
    """A /sim/faults request that cannot be accepted (answered with HTTP 400)."""


@dataclass
class Fault:
    fault_id: int
    method: str          # an API method name, or "*" for any method
    action: str
    remaining: int
    peer: bool = False   # also applies to cluster-to-cluster calls
    error: str = None
    message: str = None
    status: int = None
    seconds: float = None

    def matches(self, method, caller):
        return (self.method in ("*", method)) and (caller == "client" or self.peer)


def parse_fault(spec):
    """Validate a POST /sim/faults body and build the Fault."""
    if not isinstance(spec, dict):
        raise FaultSpecError("body must be a JSON object")
    method = spec.get("method")
    if not isinstance(method, str) or not method:
        raise FaultSpecError("'method' must be a method name or '*'")
    action = spec.get("action")
    if action not in ACTIONS:
        raise FaultSpecError(f"'action' must be one of {', '.join(ACTIONS)}")
    count = spec.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise FaultSpecError("'count' must be a positive integer")
    peer = spec.get("peer", False)
    if not isinstance(peer, bool):
        raise FaultSpecError("'peer' must be a boolean")
    if action == "fail_job" and method not in JOB_METHODS:
        raise FaultSpecError(f"action 'fail_job' needs 'method' one of {', '.join(JOB_METHODS)}")
    fault = Fault(next(_fault_ids), method, action, count, peer)
    if action == "fail_job":
        # The call succeeds; the job it starts fails half-way with this error (default
        # xCloneFailed).
        for key in ("error", "message"):
            value = spec.get(key)
            if value is not None and (not isinstance(value, str) or not value):
                raise FaultSpecError(f"'{key}' must be a non-empty string")
            setattr(fault, key, value)
    elif action == "error":
        if not isinstance(spec.get("error"), str) or not spec["error"]:
            raise FaultSpecError("action 'error' needs 'error': an Element error name")
        fault.error = spec["error"]
        message = spec.get("message")
        if message is not None and not isinstance(message, str):
            raise FaultSpecError("'message' must be a string")
        fault.message = message
    elif action == "http_status":
        status = spec.get("status")
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise FaultSpecError("action 'http_status' needs 'status': an integer 400-599")
        fault.status = status
    elif action == "hang":
        # The call is held, not applied, and logged at once (outcome "hung"), until the
        # cluster's faults are cleared or `seconds` pass; then the connection closes, no answer.
        # A test stops a run at a chosen call with it: a crash while that call is on its way.
        seconds = spec.get("seconds", HANG_SECONDS)
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) \
                or not 0 <= seconds <= MAX_DELAY_SECONDS:
            raise FaultSpecError(f"'seconds' must be 0-{MAX_DELAY_SECONDS}")
        fault.seconds = float(seconds)
    elif action == "delay":
        seconds = spec.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) \
                or not 0 <= seconds <= MAX_DELAY_SECONDS:
            raise FaultSpecError(f"action 'delay' needs 'seconds': 0-{MAX_DELAY_SECONDS}")
        fault.seconds = float(seconds)
    return fault


class FaultRegistry:
    def __init__(self):
        self._lock = threading.Lock()
        self._faults = []  # in creation order, which is the FIFO order
        self._release = threading.Event()  # set by clear(): held ("hang") calls end

    def hold(self, fault):
        """Hold a call that met a "hang" fault until clear() or its time is up."""
        with self._lock:
            release = self._release
        release.wait(fault.seconds)

    def add(self, fault):
        with self._lock:
            self._faults.append(fault)
        return fault.fault_id

    def take(self, method, caller):
        """Consume one count of the oldest fault matching this call; None if none matches."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, caller):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def list(self):
        with self._lock:
            return [{k: v for k, v in asdict(f).items() if v is not None} for f in self._faults]

    def clear(self):
        with self._lock:
            self._faults.clear()
            self._release.set()
            self._release = threading.Event()
