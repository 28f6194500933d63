# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared test builders: clusters, volumes and pairs as the domain speaks of them, and an
in-memory fake client (a class that answers calls, not a mock of HTTP)."""

from __future__ import annotations

import threading
import time

from ansible_collections.element.replication.plugins.module_utils._errors import ElementError
from ansible_collections.element.replication.plugins.module_utils._state import (
    Account, AccessGroup, ClusterIdentity, ClusterPairEntry, ClusterState, Volume, VolumePairEntry)

GIB = 1024 ** 3


def identity(name="prod", unique_id=None, mvip=None, address=None):
    """address: what the module connected to (by default, the MVIP on port 443)."""
    unique_id = unique_id or (name * 4)[:4]
    return ClusterIdentity(name=name, unique_id=unique_id, uuid="u-%s" % name, mvip=mvip or "%s.example" % name,
                           address=address or "%s:443" % (mvip or name))


PROD = identity("prod", "aaaa", "10.0.0.1")
DR = identity("dr", "bbbb", "10.0.0.2")


def cluster_pair(pair_id, to, status="Connected", uuid="cp-ab"):
    """This cluster's entry for its cluster pair with cluster `to` (an identity)."""
    return ClusterPairEntry(pair_id=pair_id, pair_uuid=uuid, remote_unique_id=to.unique_id, remote_name=to.name,
                            remote_mvip=to.mvip, status=status)


def pending_cluster_pair(pair_id):
    return ClusterPairEntry(pair_id=pair_id, pair_uuid="cp-pending-%d" % pair_id, remote_unique_id="", remote_name="",
                            remote_mvip="", status="Unconfigured")


def pair_entry(cluster_pair_id, remote_id, remote_name="x", uuid="vp-1", mode="Async", state="Active"):
    """One volume's entry of a volume pair."""
    return VolumePairEntry(cluster_pair_id=cluster_pair_id, remote_volume_id=remote_id,
                           remote_volume_name=remote_name, volume_pair_uuid=uuid, mode=mode, state=state)


def pending_pair_entry(uuid="vp-pending"):
    """A volume's entry of a pairing started with StartVolumePairing and never completed."""
    return VolumePairEntry(cluster_pair_id=0, remote_volume_id=0, remote_volume_name="", volume_pair_uuid=uuid,
                           mode="Async", state="PausedMisconfigured")


def volume(volume_id, name, access="readWrite", size=GIB, pair=None, account=1, status="active", attributes=None,
           create_time="2026-12-01T10:00:00Z", enable512e=True, qos=None, **fields):
    """fields: any other Volume field (delete_time, purge_time, block_size)."""
    return Volume(volume_id=volume_id, name=name, account_id=account, access=access, total_size=size,
                  enable512e=enable512e, qos=dict(qos or {}), pairs=(pair,) if pair else (), status=status,
                  create_time=create_time, attributes=dict(attributes or {}),
                  iqn="iqn.2010-01.com.solidfire:%s.%d" % (name, volume_id), **fields)


def target(volume_id, name, source_id, source_name=None, cluster_pair_id=7, uuid=None, mode="Async", state="Active",
           **kwargs):
    """A replication target on this cluster, paired with volume source_id on the other."""
    return volume(volume_id, name, access="replicationTarget",
                  pair=pair_entry(cluster_pair_id, source_id, source_name or name, uuid or "vp-%d" % volume_id, mode,
                                  state), **kwargs)


def account(account_id, username, **attributes):
    return Account(account_id=account_id, username=username, attributes=attributes)


def access_group(group_id, name, initiators=(), volume_ids=(), **attributes):
    return AccessGroup(group_id=group_id, name=name, initiators=tuple(initiators), volume_ids=tuple(volume_ids),
                       attributes=attributes)


def cluster(who=PROD, pairs=(), volumes=(), accounts=None, deleted=()):
    return ClusterState(who, tuple(pairs), tuple(volumes), None if accounts is None else tuple(accounts),
                        tuple(deleted))


def paired_clusters(a_volumes=(), b_volumes=(), status="Connected", a=PROD, b=DR, a_pair=1, b_pair=7, **kwargs):
    """Two clusters with one cluster pair between them (each cluster's own pair ID)."""
    return (cluster(a, [cluster_pair(a_pair, b, status)], a_volumes, **kwargs),
            cluster(b, [cluster_pair(b_pair, a, status)], b_volumes, **kwargs))


def api_error(method, name="xUnknown", message="it failed", cluster="prod", kind="api", ambiguous=False, code=500):
    return ElementError(cluster, method, message, kind=kind, name=name, code=code, ambiguous=ambiguous)


class FakeClient:
    """An in-memory cluster endpoint for executors and runners.

    answers: method -> dict, or callable(params) -> dict. failures: method -> list of
    ElementErrors, raised one per call (first in, first out) before any answer. accept works as
    in the real client. Every call is logged as (method, params) in calls, and with its thread and
    start/end times in timeline."""

    def __init__(self, name="prod", answers=None, failures=None, delay=0.0):
        self.name = name
        self.address = "%s:443" % name
        self.answers = dict(answers or {})
        self.failures = {k: list(v) for k, v in (failures or {}).items()}
        self.delay = delay
        self.calls = []
        self.timeline = []
        self._lock = threading.Lock()

    def call(self, method, params=None, accept=(), retries=None, timeout=None):  # pylint: disable=unused-argument
        params = dict(params or {})
        started = time.monotonic()
        with self._lock:
            self.calls.append((method, params))
            pending = self.failures.get(method)
            exc = pending.pop(0) if pending else None
        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            self.timeline.append((method, params, threading.get_ident(), started, time.monotonic()))
        if exc is not None:
            if exc.kind == "api" and exc.name in accept:
                return None
            raise exc
        answer = self.answers.get(method, {})
        return answer(params) if callable(answer) else answer

    def methods(self):
        return [method for method, _params in self.calls]

    def mutating(self):
        return [method for method in self.methods() if not method.startswith(("Get", "List"))]
