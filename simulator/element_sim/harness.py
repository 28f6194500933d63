"""A small Python API for tests: start a simulator process and talk to its clusters.

    with SimulatorProcess(tmp_path, clusters=2, volumes=4).start() as sim:
        src, dst = sim.clusters
        key = src.call("StartClusterPairing")["clusterPairingKey"]
        dst.call("CompleteClusterPairing", clusterPairingKey=key)
        assert [c["method"] for c in dst.mutating_calls()] == ["CompleteClusterPairing"]

Needs `requests` (the server itself does not).
"""

import json
import os
import signal
import subprocess
import sys
import time

import requests

from .calllog import MUTATING_METHODS

__all__ = ["SimulatorProcess", "SimCluster", "SimRPCError", "SimulatorError",
           "MUTATING_METHODS"]

READY_FILE = "ready.json"
INVENTORY_FILE = "inventory.yml"
PAGE_SIZE = 500
MAX_PAGES = 10000  # bounds paging loops


class SimulatorError(RuntimeError):
    """The simulator process did not start or stop as expected."""


class SimRPCError(Exception):
    """An Element error answer (HTTP 200 with an "error" object)."""

    def __init__(self, name, message):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


class SimCluster:
    """One simulated cluster, from an entry of the ready file."""

    def __init__(self, info):
        self.info = dict(info)
        for key in ("name", "mvip", "host", "port", "url", "username", "password", "ca_cert",
                    "unique_id", "uuid"):
            setattr(self, key, info[key])
        self.session = requests.Session()
        # Loopback only: no proxies, and no REQUESTS_CA_BUNDLE overriding the simulator's CA.
        self.session.trust_env = False
        self.session.auth = (self.username, self.password)
        self.session.verify = self.ca_cert if self.ca_cert else False

    def __repr__(self):
        return f"SimCluster({self.name!r}, {self.url!r})"

    # ---- JSON-RPC -------------------------------------------------------------------------
    def rpc(self, method, params=None, version="12.5", timeout=30):
        """The full JSON-RPC response object."""
        response = self.session.post(f"{self.url}/json-rpc/{version}", timeout=timeout,
                                     json={"method": method, "params": params or {}, "id": 1})
        response.raise_for_status()
        return response.json()

    def call(self, method, **params):
        """The result object; raises SimRPCError on an Element error."""
        answer = self.rpc(method, params)
        if "error" in answer:
            raise SimRPCError(answer["error"]["name"], answer["error"]["message"])
        return answer["result"]

    # ---- /sim/ control --------------------------------------------------------------------
    def _sim(self, http_method, path, body=None, timeout=30):
        response = self.session.request(http_method, f"{self.url}/sim/{path}", json=body,
                                        timeout=timeout)
        response.raise_for_status()
        return response.json()

    def calls(self, include_peer=False):
        return self._sim("GET", "calls?include_peer=1" if include_peer else "calls")["calls"]

    def mutating_calls(self):
        return [c for c in self.calls() if c["mutating"]]

    def clear_calls(self):
        self._sim("DELETE", "calls")

    def add_fault(self, method, action, count=1, **kw):
        return self._sim("POST", "faults", dict(kw, method=method, action=action,
                                                 count=count))["fault_id"]

    def faults(self):
        return self._sim("GET", "faults")["faults"]

    def clear_faults(self):
        self._sim("DELETE", "faults")

    def set_offline(self, outage="close", via=None):
        """Take this cluster off the network. outage: "close" (requests are read, then the
        connection closes), "hang" (connections are accepted, never answered) or "drop" (packets
        dropped: connects time out). A "drop" cluster's own port no longer answers /sim/ either:
        via names another SimCluster of the process to send the control request through."""
        (via or self)._sim("POST", f"clusters/{self.name}/offline", {"outage": outage})

    def set_online(self, via=None):
        (via or self)._sim("POST", f"clusters/{self.name}/online")

    def set_link(self, other, up):
        """Cut (up=False) or restore the network link between this cluster and the cluster
        named other: clients still reach both, the two clusters no longer reach each other."""
        self._sim("POST", f"links/{self.name}/{other}/{'up' if up else 'down'}")

    def restore_links(self):
        """Restore every cut link of the process."""
        self._sim("DELETE", "links")

    def settings(self, **kw):
        """Read the process-wide settings, or change the ones given."""
        return self._sim("POST", "settings", kw) if kw else self._sim("GET", "settings")

    def clock(self):
        """The simulated clock: {"now": unix seconds, "offset": seconds ahead of wall time}."""
        return self._sim("GET", "clock")

    def advance_clock(self, seconds):
        """Let simulated time pass for every cluster of the process (never backwards)."""
        return self._sim("POST", "clock", {"advance": seconds})

    def set_lag(self, volume_id, seconds):
        """The volume's pair is this many seconds behind from now (a write backlog): it keeps
        growing while the pair is not Active and drains (lag_drain_rate) once it is."""
        return self._sim("POST", f"volumes/{volume_id}/lag", {"seconds": seconds})["lagSeconds"]

    def fail_next_clone(self, error=None, message=None, count=1):
        """The next `count` CloneVolume calls succeed, but their jobs fail half-way with
        `error` (default xCloneFailed). Returns the fault id."""
        kw = {k: v for k, v in (("error", error), ("message", message)) if v is not None}
        return self.add_fault("CloneVolume", "fail_job", count=count, **kw)

    def clones(self):
        """What each clone on this cluster was made from: [{cloneID, volumeID, name, status,
        asyncHandle, sourceVolumeID, sourceVolumeName, sourceAccess, sourceSnapshotID,
        sourceSnapshotUUID, sourceSnapshotName, pointInTime}]."""
        return self._sim("GET", "clones")["clones"]

    def schedule_runs(self):
        """Each schedule's bookkeeping: [{scheduleID, scheduleName, paused, nextRun,
        nextRunTime, runs, missedRuns, lastRunAt, lastError, lastSnapshotIDs,
        lastGroupSnapshotID, failNext}]."""
        return self._sim("GET", "schedules")["schedules"]

    def fail_schedule_runs(self, schedule_id, count=1, error=None, message=None):
        """The next `count` runs of the schedule fail: no snapshot, lastRunStatus "Failed",
        hasError true, and lastError {name: error (default xScheduleRunFailed), message} in
        schedule_runs(). count=0 clears it."""
        body = {k: v for k, v in (("count", count), ("error", error), ("message", message))
                if v is not None}
        return self._sim("POST", f"schedules/{schedule_id}/fail", body)["failNext"]

    def stall_schedule_runs(self, schedule_id, count=1):
        """The schedule's next `count` due windows pass without a run, as when a busy cluster's
        scheduler misses them: lastRunTimeStarted stays old, each is counted in missedRuns.
        count=0 clears it."""
        return self._sim("POST", f"schedules/{schedule_id}/stall", {"count": count})["stallNext"]

    def run_schedules(self, seconds):
        """Advance the clock by `seconds` (every cluster of the process) and return this
        cluster's schedule bookkeeping: due runs have happened when the advance returns."""
        self.advance_clock(seconds)
        return self.schedule_runs()

    # ---- readers --------------------------------------------------------------------------
    def cluster_pairs(self):
        return self.call("ListClusterPairs")["clusterPairs"]

    def paired_volumes(self):
        """Every volume ListActivePairedVolumes returns, all pages."""
        volumes, start = [], 0
        for _ in range(MAX_PAGES):
            page = self.call("ListActivePairedVolumes", startVolumeID=start,
                             limit=PAGE_SIZE)["volumes"]
            volumes += page
            if len(page) < PAGE_SIZE:
                return volumes
            start = page[-1]["volumeID"] + 1
        raise SimulatorError("ListActivePairedVolumes paging did not end")

    def volume_stats(self, *volume_ids):
        """{volumeID: volumeStats} from ListVolumeStats (every volume, or those given)."""
        params = {"volumeIDs": list(volume_ids)} if volume_ids else {}
        return {s["volumeID"]: s for s in self.call("ListVolumeStats", **params)["volumeStats"]}

    def volumes(self, **filters):
        return self.call("ListVolumes", **filters)["volumes"]

    def access_groups(self):
        return self.call("ListVolumeAccessGroups")["volumeAccessGroups"]

    def async_results(self, *result_types):
        params = {"asyncResultTypes": list(result_types)} if result_types else {}
        return self.call("ListAsyncResults", **params)["asyncHandles"]

    def close(self):
        self.session.close()


class SimulatorProcess:
    """One `element-sim serve` process with its ready and inventory files in state_dir."""

    def __init__(self, state_dir, clusters=2, volumes=0, tls=True, base_port=0, names=None,
                 extra_args=(), python=sys.executable, address_per_cluster=False):
        self.state_dir = os.path.abspath(str(state_dir))
        self.clusters_count = clusters
        self.volumes_count = volumes
        self.tls = tls
        self.base_port = base_port
        self.names = list(names) if names else None
        self.address_per_cluster = address_per_cluster
        self.extra_args = list(extra_args)
        self.python = python
        self.ready_file = os.path.join(self.state_dir, READY_FILE)
        self.inventory_file = os.path.join(self.state_dir, INVENTORY_FILE)
        self.process = None
        self.ready = None
        self.clusters = []
        self._output = None

    def command(self):
        cmd = [self.python, "-m", "element_sim.cli", "serve",
               "--clusters", str(len(self.names) if self.names else self.clusters_count),
               "--state-dir", self.state_dir, "--base-port", str(self.base_port),
               "--ready-file", self.ready_file, "--inventory-file", self.inventory_file,
               "--exit-with-parent"]
        if self.volumes_count:
            cmd += ["--volumes", str(self.volumes_count)]
        if not self.tls:
            cmd.append("--no-tls")
        if self.names:
            cmd += ["--names", ",".join(self.names)]
        if self.address_per_cluster:
            cmd.append("--address-per-cluster")
        return cmd + self.extra_args

    @property
    def output_file(self):
        """stdout and stderr of the process (appended across restarts)."""
        return os.path.join(self.state_dir, "process-output.log")

    def start(self, timeout=30):
        if self.process is not None and self.process.poll() is None:
            raise SimulatorError("already started")
        os.makedirs(self.state_dir, exist_ok=True)
        for stale in (self.ready_file, self.inventory_file):
            if os.path.exists(stale):
                os.remove(stale)
        self._output = open(self.output_file, "ab")
        self.process = subprocess.Popen(self.command(), stdout=self._output,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.ready_file):
            if self.process.poll() is not None:
                self._close_output()
                raise SimulatorError(f"simulator exited with {self.process.returncode}: "
                                     f"{self.output()[-2000:]}")
            if time.monotonic() > deadline:
                self.kill()
                raise SimulatorError(f"simulator not ready within {timeout} s")
            time.sleep(0.05)
        with open(self.ready_file, encoding="utf-8") as f:
            self.ready = json.load(f)
        self.clusters = [SimCluster(info) for info in self.ready["clusters"]]
        return self

    def output(self):
        with open(self.output_file, encoding="utf-8", errors="replace") as f:
            return f.read()

    def cluster(self, name):
        for cluster in self.clusters:
            if cluster.name == name:
                return cluster
        raise KeyError(name)

    def _close_clients(self):
        for cluster in self.clusters:
            cluster.close()

    def _close_output(self):
        if self._output is not None:
            self._output.close()
            self._output = None

    def stop(self, timeout=20):
        """SIGTERM, a bounded wait, then SIGKILL. Returns the exit code."""
        self._close_clients()
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._close_output()
        return self.process.returncode

    def kill(self):
        """SIGKILL: nothing is cleaned up, as after a crash."""
        self._close_clients()
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self._close_output()

    def restart(self, kill=False, timeout=30, **changes):
        """Stop (or kill) and start again on the same state dir; changes may set any of the
        constructor's settings (e.g. base_port=0)."""
        if kill:
            self.kill()
        else:
            self.stop()
        for key, value in changes.items():
            key = {"clusters": "clusters_count", "volumes": "volumes_count"}.get(key, key)
            if not hasattr(self, key):
                raise TypeError(f"unknown setting {key}")
            setattr(self, key, value)
        return self.start(timeout)

    def __enter__(self):
        if self.process is None:
            self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
