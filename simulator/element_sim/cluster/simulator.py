"""The process-wide container: all clusters, the one lock, the store, the network, settings,
and the background delivery of replicated snapshots."""

import contextlib
import logging
import threading
from dataclasses import dataclass

from .. import clock
from .model import new_account_record, new_volume_record
from .schedules import settle_timers
from .snapshots import deliver_pending_snapshots
from .state import ALNUM_LOWER, ClusterState, new_identity, random_string

GIB = 1024 ** 3
SETTINGS_DEFAULTS = {"cluster_pair_connect_delay": 0.0, "volume_pair_sync_delay": 0.0,
                     # how long a clone job runs on the simulated clock: short, but long
                     # enough that clients see "running" and have to poll
                     "clone_seconds": 0.5,
                     # the asyncDelay of an Active Async pair with no backlog (the time since
                     # its last sync cycle), and how many seconds of lag an Active pair
                     # catches up per second (cluster/stats.py)
                     "async_delay_seconds": 0.5, "lag_drain_rate": 10.0,
                     # how long a replicated snapshot takes to arrive on the target
                     "snapshot_transfer_seconds": 0.0}
DELIVERY_INTERVAL_SECONDS = 0.25

log = logging.getLogger("element_sim")


@dataclass
class Request:
    """What a method handler knows about the call besides its parameters."""
    version: str
    caller: str = "client"      # "client" or "peer"
    pair_id: int = None         # the cluster pair whose credentials a peer call used
    views: dict = None          # {clusterPairID: PeerView}, for methods declared peer_view
    job_fault: object = None    # a fail_job fault taken by this call (its job fails half-way)


class Simulator:
    def __init__(self, store, network):
        # One lock for all cluster state; never held while calling another cluster.
        self.lock = threading.RLock()
        self.store = store
        self.network = network
        self.settings = dict(SETTINGS_DEFAULTS)
        self.clusters = {}  # name -> ClusterState
        self._stored = store.load_all()
        clock.CLOCK.restore(store.get_meta("clock_offset", 0.0))
        self._stop = threading.Event()
        self._delivery_thread = None

    @contextlib.contextmanager
    def transaction(self):
        """Hold the lock; whatever the block changed is committed before the lock is freed."""
        with self.lock:
            try:
                yield
            finally:
                self.store.commit()

    def advance_clock(self, seconds):
        """Let simulated time pass (the /sim/clock control); persisted so a restart keeps it.
        Every cluster's due schedule runs and expiries are settled before this returns, so
        the caller sees their results at once (see schedules.py)."""
        with self.lock:
            offset = clock.CLOCK.advance(seconds)
            self.store.set_meta("clock_offset", offset)
        for cluster in list(self.clusters.values()):
            settle_timers(cluster)
        return offset

    def load_or_create(self, name, seed_volumes=0):
        """The stored cluster of that name, or a new one (seeded with volumes)."""
        with self.transaction():
            records = self._stored.get(name)
            if records is not None and "identity" in records:
                cluster = ClusterState(self, name, records)
            else:
                taken = {r["identity"]["0"]["uniqueID"] for r in self._stored.values()
                         if "identity" in r} | {c.unique_id for c in self.clusters.values()}
                unique_id = random_string(ALNUM_LOWER, 4)
                while unique_id in taken:
                    unique_id = random_string(ALNUM_LOWER, 4)
                records = {"identity": {"0": new_identity(name, unique_id)}}
                cluster = ClusterState(self, name, records)
                cluster.save_new_identity()
                if seed_volumes:
                    seed(cluster, seed_volumes)
            self.clusters[name] = cluster
            return cluster

    # ---- replicated snapshots, schedule runs and expiry ------------------------------------
    def start_background(self):
        self._delivery_thread = threading.Thread(target=self._deliver_loop, daemon=True,
                                                 name="snapshot-delivery")
        self._delivery_thread.start()

    def stop_background(self):
        self._stop.set()
        if self._delivery_thread is not None:
            self._delivery_thread.join(timeout=10)

    def _deliver_loop(self):
        while not self._stop.wait(DELIVERY_INTERVAL_SECONDS):
            for cluster in list(self.clusters.values()):
                try:
                    if cluster.timers_due(clock.now()):
                        settle_timers(cluster)
                    if cluster.undelivered_snapshots:
                        deliver_pending_snapshots(cluster)
                except Exception:  # keep the loop alive; the next round tries again
                    log.exception("background work of cluster %s failed", cluster.name)


def seed(cluster, count):
    """One account "replication" and volumes vol-0001.. whose size repeats on every cluster
    (volume i is 1 + i % 4 GiB), so same-name volumes make natural pairs."""
    account = new_account_record(cluster, "replication", None, None, {}, True)
    cluster.add_account(account)
    width = max(4, len(str(count)))
    for i in range(1, count + 1):
        cluster.add_volume(new_volume_record(
            cluster, name=f"vol-{i:0{width}d}", account_id=account["accountID"],
            total_size=(1 + i % 4) * GIB, enable512e=True))

