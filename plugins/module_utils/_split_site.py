# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Split-site pairing: the start step on one cluster writes the pairing key(s) to a file that
only its owner can read; the complete step on the other cluster, run with that cluster's
credentials only, reads them. Neither run needs the other cluster's credentials.

Private module_utils: not a public API of the collection.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Set

from ansible_collections.element.replication.plugins.module_utils._argspec import PairSpec
from ansible_collections.element.replication.plugins.module_utils._element import (
    CLUSTER_KEY_FIELDS, READ_WRITE, REPLICATION_TARGET, STOPPED_MISCONFIGURED, VOLUME_KEY_FIELDS, decode_key,
    key_credentials, refuse_over_pair_limit, resolve_volume)
from ansible_collections.element.replication.plugins.module_utils._errors import ElementError, Refusal
from ansible_collections.element.replication.plugins.module_utils._executor import Runner
from ansible_collections.element.replication.plugins.module_utils._files import write_atomically
from ansible_collections.element.replication.plugins.module_utils._plan import (
    LOCAL, WHOLE, Action, NamedPlaceholder, Phases, Placeholder, Step, WholePlan, actions_of, modify_volumes_steps,
    phases)
from ansible_collections.element.replication.plugins.module_utils._state import ClusterPairEntry, ClusterState, read_cluster

if TYPE_CHECKING:
    from ansible_collections.element.replication.plugins.module_utils._connection import Connections

KEY_FILE_KIND = "element.replication pairing keys"
KEY_FROM_FILE = Placeholder("<key from the key file>")


# ---- key files ------------------------------------------------------------------------------

def write_key_file(path: str, content: Dict[str, Any]) -> None:
    """Write the keys readable by the owner only (0600), atomically, never through a wider mode."""
    write_atomically(path, json.dumps(dict(content, kind=KEY_FILE_KIND), sort_keys=True).encode("utf-8"), 0o600)


def read_key_file(path: str) -> Dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as stream:
            content = json.load(stream)
    except (OSError, ValueError) as exc:
        raise Refusal("cannot read the pairing key file %s: %s" % (path, exc.__class__.__name__))
    if not isinstance(content, dict) or content.get("kind") != KEY_FILE_KIND:
        raise Refusal("%s is not a pairing key file written by element.replication (start step)" % path)
    return content


# ---- cluster pairing ------------------------------------------------------------------------

@dataclass
class SplitPlan(WholePlan):
    """One step of split-site cluster pairing, one whole: its calls run in order as one step."""
    actions: List[Action] = field(default_factory=list)
    repairs: List[str] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)

    @property
    def phases(self) -> Phases:
        return phases(("step", [self.step(self.actions)] if self.actions else []))


def _matches(entry: ClusterPairEntry, reference: str) -> bool:
    return reference in (entry.remote_name, entry.remote_unique_id, entry.remote_mvip)


def plan_cluster_start(local: ClusterState, peer_cluster: Optional[str] = None) -> SplitPlan:
    """Start step on this cluster: remove pending pairs (their keys are lost), then start.

    With peer_cluster (name, unique ID or MVIP of the other cluster, as this cluster lists it),
    an existing connected pair with it makes the step a no-op."""
    plan = SplitPlan()
    existing = [e for e in local.cluster_pairs if not e.pending and peer_cluster and _matches(e, peer_cluster)]
    if any(e.status == "Connected" for e in existing):
        plan.notes.append("%s is already paired with %s" % (local.identity.name, peer_cluster))
        return plan
    for entry in existing:
        if entry.status == "Disconnected":
            raise Refusal("%s lists %s as Disconnected: the clusters may be paired but unable to reach each other; "
                          "repair the network, or remove that pair first" % (local.identity.name, entry.describe()))
    stale = [e for e in existing if e.status != "Connected"] + [e for e in local.cluster_pairs if e.pending]
    for entry in stale:
        plan.actions.append(Action(LOCAL, "RemoveClusterPair", {"clusterPairID": entry.pair_id},
                                   "a newer start replaces %s" % entry.describe()))
        plan.repairs.append("removed %s on %s" % (entry.describe(), local.identity.name))
    refuse_over_pair_limit(local, removed=len(stale))
    plan.actions.append(Action(LOCAL, "StartClusterPairing", {}, "create the pairing key for the complete step"))
    return plan


def plan_cluster_complete(local: ClusterState, key_fields: Dict[str, Any]) -> SplitPlan:
    """Complete step on the other cluster with the key from the start step."""
    plan = SplitPlan()
    origin, name = key_fields["clusterUniqueID"], key_fields["name"]
    if origin == local.identity.unique_id:
        raise Refusal("the key was made by %s itself: run the complete step on the other cluster" % local.identity.name)
    existing = [e for e in local.cluster_pairs if not e.pending and e.remote_unique_id == origin]
    if any(e.status == "Connected" for e in existing):
        if not any(e.pair_uuid == key_fields["clusterPairUUID"] for e in existing):
            plan.notes.append("%s is already paired with %s; the pending pair the key belongs to is left on %s "
                              "(the next start step there removes it)" % (local.identity.name, name, name))
        return plan
    for entry in existing:
        plan.actions.append(Action(LOCAL, "RemoveClusterPair", {"clusterPairID": entry.pair_id},
                                   "%s no longer lists this pair back" % name))
        plan.repairs.append("removed %s on %s" % (entry.describe(), local.identity.name))
    refuse_over_pair_limit(local, removed=len(existing))
    plan.actions.append(Action(LOCAL, "CompleteClusterPairing", {"clusterPairingKey": KEY_FROM_FILE},
                               "complete the pairing started on %s" % name))
    return plan


# ---- volume pairing -------------------------------------------------------------------------

@dataclass
class SplitVolumeItem:
    spec: PairSpec
    volume: Any = None
    refusal: Optional[str] = None
    actions: List[Action] = field(default_factory=list)
    changes: List[str] = field(default_factory=list)

    @property
    def has_work(self) -> bool:
        return bool(self.changes)


@dataclass
class SplitVolumePlan:
    items: List[SplitVolumeItem]
    phases: Phases

    @property
    def actions(self) -> List[Action]:
        return actions_of(self.phases)


def plan_volume_start(local: ClusterState, specs: List[PairSpec]) -> List[SplitVolumeItem]:
    """Start step on the source cluster: (re)start every pair that is not complete."""
    items = []
    for spec in specs:
        item = SplitVolumeItem(spec=spec)
        items.append(item)
        item.volume, item.refusal = resolve_volume(local, spec.volume_id, spec.volume, spec.account, "source")
        if item.refusal:
            continue
        volume, entry = item.volume, item.volume.pair
        if entry is not None and not entry.pending and entry.state != STOPPED_MISCONFIGURED:
            if entry.mode != spec.mode:  # the mode lives with the source: fix it from this side
                item.actions.append(Action(LOCAL, "ModifyVolumePair", {"volumeID": volume.volume_id, "mode": spec.mode},
                                           "mode %s -> %s" % (entry.mode, spec.mode)))
                item.changes.append("mode %s -> %s" % (entry.mode, spec.mode))
            continue
        if volume.access != READ_WRITE:
            item.refusal = "source volume %s (ID %s) on cluster %s has access %s, not readWrite" % (
                volume.name, volume.volume_id, local.identity.name, volume.access)
            continue
        if entry is not None:
            item.actions.append(Action(LOCAL, "RemoveVolumePair", {"volumeID": volume.volume_id},
                                       "a newer start replaces the %s pair" % (
                                           "pending" if entry.pending else "one-sided")))
        item.actions.append(Action(LOCAL, "StartVolumePairing", {"volumeID": volume.volume_id, "mode": spec.mode},
                                   "create the pairing key of %s for the complete step" % volume.name))
        item.changes.append("started pairing of %s (%s)" % (volume.name, spec.mode))
    return items


def plan_volume_complete(local: ClusterState, specs: List[PairSpec],
                         keys: Dict[str, Dict[str, Any]]) -> List[SplitVolumeItem]:
    """Complete step on the target cluster; keys maps source volume names to their keys' fields."""
    items = []
    names = local.identity.name
    for spec in specs:
        item = SplitVolumeItem(spec=spec)
        items.append(item)
        fields = _key_for(spec, keys)
        source_name = fields["volumeName"] if fields else spec.volume
        target_name = spec.peer_volume if spec.peer_volume is not None else source_name
        item.volume, item.refusal = resolve_volume(local, spec.peer_volume_id, target_name, spec.peer_account, "target")
        if item.refusal:
            continue
        target, entry = item.volume, item.volume.pair
        if entry is not None and not entry.pending and entry.state != STOPPED_MISCONFIGURED and (
                fields is None or entry.volume_pair_uuid == fields["volumePairUUID"]):
            pass  # complete already; only the access may be left to set
        elif fields is None:
            item.refusal = "no pairing key for %s in the key file: run the start step for it" % spec.label
            continue
        elif entry is not None and not (entry.state == STOPPED_MISCONFIGURED or entry.pending):
            item.refusal = "target volume %s (ID %s) on cluster %s is already paired with volume %s (ID %s)" % (
                target.name, target.volume_id, names, entry.remote_volume_name, entry.remote_volume_id)
            continue
        else:
            if entry is not None:
                item.actions.append(Action(LOCAL, "RemoveVolumePair", {"volumeID": target.volume_id},
                                           "the one-sided pair of %s is replaced" % target.name))
            item.actions.append(Action(LOCAL, "CompleteVolumePairing", {
                "volumeID": target.volume_id, "volumePairingKey": KeyOf(fields["volumeName"])},
                "complete the pairing of %s started on %s" % (target.name, fields["mvip"])))
            item.changes.append("paired %s with %s" % (target.name, source_name))
        if target.access != REPLICATION_TARGET:
            item.changes.append("set access of target %s to replicationTarget" % target.name)
    return items


class KeyOf(NamedPlaceholder):
    """The volume pairing key of a source volume, from the key file."""
    TEMPLATE = "<key of %s from the key file>"


def _key_for(spec: PairSpec, keys: Dict[str, Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    for fields in keys.values():
        if spec.volume_id is not None and fields["volumeID"] == spec.volume_id:
            return fields
        if spec.volume is not None and fields["volumeName"] == spec.volume:
            return fields
    return None


def access_steps(items: List[SplitVolumeItem]) -> List[Step]:
    """ModifyVolumes calls (in chunks) that make the completed targets replication targets."""
    needing = [i for i in items if not i.refusal and i.volume.access != REPLICATION_TARGET]
    return modify_volumes_steps(LOCAL, [(i.spec.index, i.volume.volume_id) for i in needing],
                                "make %d target volume(s) replication targets", access=REPLICATION_TARGET)


# ---- running the steps ----------------------------------------------------------------------

class SplitClusterRunner(Runner[ClusterState, SplitPlan]):
    """Runs the start or the complete step of split-site cluster pairing on one cluster, once."""

    VERIFY = False  # a second start would replace the key just written

    def __init__(self, connections: Connections, step: str, check_mode: bool = False, key_file: Optional[str] = None,
                 key: Optional[str] = None, peer_cluster: Optional[str] = None) -> None:
        super().__init__({LOCAL: connections.local}, check_mode, parallel=1)
        self.connections = connections
        self.step = step
        self.key_file = key_file
        self.key = key
        self.peer_cluster = peer_cluster
        self.pending_cluster_pair_id: Optional[int] = None

    def read(self) -> ClusterState:
        local = read_cluster(self.connections.local)
        self.names = {LOCAL: local.identity.name}
        if self.step == "complete" and self.key is None:
            if self.key_file is None:
                raise AssertionError("the module requires pairing_key_file without pairing_key")
            self.key = read_key_file(self.key_file).get("cluster_pairing_key", "")
        return local

    def plan(self, state: ClusterState) -> SplitPlan:
        if self.step == "start":
            return plan_cluster_start(state, self.peer_cluster)
        self.connections.register_secret(self.key)
        return plan_cluster_complete(state, decode_key(self.key, CLUSTER_KEY_FIELDS))

    def prepare(self, action: Action, state: Dict[str, Any]) -> Dict[str, Any]:
        if action.method == "CompleteClusterPairing":
            return dict(action.params, clusterPairingKey=self.key)
        return dict(action.params)

    def after_call(self, action: Action, params: Dict[str, Any], result: Dict[str, Any], state: Dict[str, Any]) -> None:
        if action.method == "StartClusterPairing":
            key = result["clusterPairingKey"]
            self.connections.register_secret(key, *key_credentials(key))
            if self.key_file is None:
                raise AssertionError("the module requires pairing_key_file for the start step")
            write_key_file(self.key_file, {"cluster_pairing_key": key, "source_cluster": self.names[LOCAL]})
            self.pending_cluster_pair_id = result["clusterPairID"]

    def on_error(self, step: Step, action: Action, params: Dict[str, Any], exc: ElementError,
                 done: List[Dict[str, Any]], state: Dict[str, Any]) -> bool:
        return False

    def after_round(self, plan: SplitPlan, failed: Set[int], retry: bool) -> None:
        exc = self.exceptions.get(WHOLE)
        if exc is None:
            return
        if exc.method == "CompleteClusterPairing" and exc.name == "xInvalidPairingKey":
            raise Refusal("%s; the key is no longer valid (a newer start step replaced it, or its pending pair "
                          "was removed): run the start step again" % exc)
        raise exc


class SplitVolumeRunner(Runner[ClusterState, SplitVolumePlan]):
    """Runs the start or the complete step of split-site volume pairing on one cluster, once."""

    VERIFY = False  # a second start would replace the keys just written

    def __init__(self, connections: Connections, specs: List[PairSpec], step: str, key_file: str, check_mode: bool = False,
                 parallel: int = 4) -> None:
        super().__init__({LOCAL: connections.local}, check_mode, parallel)
        self.connections = connections
        self.specs = specs
        self.step = step
        self.key_file = key_file
        self.keys: Dict[str, str] = {}  # source volume name -> key (start: produced; complete: read)
        self.items: List[SplitVolumeItem] = []

    def read(self) -> ClusterState:
        local = read_cluster(self.connections.local, volumes=True,
                             accounts=any(s.account is not None or s.peer_account is not None for s in self.specs))
        self.names = {LOCAL: local.identity.name}
        if self.step == "complete":
            self.keys = read_key_file(self.key_file).get("volume_pairing_keys") or {}
            self.connections.scrub(*self.keys.values())
        return local

    def plan(self, state: ClusterState) -> SplitVolumePlan:
        if self.step == "start":
            self.items = plan_volume_start(state, self.specs)
            return SplitVolumePlan(self.items, phases(("start", [Step((i.spec.index,), i.actions) for i in self.items
                                                                 if i.actions and not i.refusal])))
        fields = {name: decode_key(key, VOLUME_KEY_FIELDS) for name, key in self.keys.items()}
        self.items = plan_volume_complete(state, self.specs, fields)
        return SplitVolumePlan(self.items, phases(
            ("complete", [Step((i.spec.index,), i.actions) for i in self.items if i.actions and not i.refusal]),
            ("access", access_steps(self.items))))

    def after_round(self, plan: SplitVolumePlan, failed: Set[int], retry: bool) -> None:
        if self.step == "start" and self.keys:
            write_key_file(self.key_file, {"volume_pairing_keys": self.keys, "source_cluster": self.names[LOCAL]})

    def prepare(self, action: Action, state: Dict[str, Any]) -> Dict[str, Any]:
        params = dict(action.params)
        if isinstance(params.get("volumePairingKey"), KeyOf):
            params["volumePairingKey"] = self.keys[params["volumePairingKey"].name]
        return params

    def after_call(self, action: Action, params: Dict[str, Any], result: Dict[str, Any], state: Dict[str, Any]) -> None:
        if action.method == "StartVolumePairing":
            self.connections.scrub(result["volumePairingKey"])
            volume = next(i.volume for i in self.items if i.volume and i.volume.volume_id == params["volumeID"])
            with self._lock:
                self.keys[volume.name] = result["volumePairingKey"]

    def on_error(self, step: Step, action: Action, params: Dict[str, Any], exc: ElementError,
                 done: List[Dict[str, Any]], state: Dict[str, Any]) -> bool:
        if action.method == "CompleteVolumePairing" and exc.name == "xInvalidPairingKey":
            exc.message += "; the key is no longer valid (a newer start step replaced it): run the start step again"
        return False
