# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Element's replication vocabulary, shared by every feature: access values and pair states,
modes, pairing keys, limits, how two clusters and two volumes relate, how the options name a
volume, and the codes of findings. Pure: it works on the values of _state and imports nothing
of the collection but the errors.

Private module_utils: not a public API of the collection.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Sequence, Tuple

from ansible_collections.element.replication.plugins.module_utils._errors import Refusal

if TYPE_CHECKING:  # the values it works on; _state imports this module, so for annotations only
    from ansible_collections.element.replication.plugins.module_utils._state import (
        ClusterPairEntry, ClusterState, Volume)

# ---- access, states, modes --------------------------------------------------------------------

READ_WRITE = "readWrite"  # the source of a pair
REPLICATION_TARGET = "replicationTarget"  # the target of a pair

ACTIVE = "Active"
PAUSED_MANUAL = "PausedManual"  # paused on this side
PAUSED_MANUAL_REMOTE = "PausedManualRemote"  # paused on the other side
PAUSED_DISCONNECTED = "PausedDisconnected"
STOPPED_MISCONFIGURED = "StoppedMisconfigured"
MANUAL_PAUSES = frozenset((PAUSED_MANUAL, PAUSED_MANUAL_REMOTE))
# States in which data flows or is about to: the pair needs no attention.
FLOWING_STATES = frozenset((ACTIVE, "Idle", "ResumingConnected", "ResumingRRSync", "ResumingLocalSync",
                            "ResumingDataTransfer"))

# How the collection spells the replication modes; input is case-insensitive like the API.
ASYNC = "Async"  # the default mode
SYNC = "Sync"  # in sync while Active
SNAPSHOTS_ONLY = "SnapshotsOnly"  # carries only snapshots taken with remote replication
MODES = (ASYNC, SYNC, SNAPSHOTS_ONLY)

CONNECTED = "Connected"  # a cluster pair both sides can use


def canonical_mode(value: Any) -> Optional[str]:
    """The API's spelling of a replication mode, or None when value is not a mode."""
    if value is None:
        return None
    for mode in MODES:
        if str(value).lower() == mode.lower():
            return mode
    return None


def steady_states(paused: bool) -> Tuple[str, str]:
    """(state on the source, state on the target) of a healthy pair, in every mode: Active, or
    paused on the source side as declared."""
    return (PAUSED_MANUAL, PAUSED_MANUAL_REMOTE) if paused else (ACTIVE, ACTIVE)


# ---- limits -------------------------------------------------------------------------------------

MAX_CLUSTER_PAIRS = 4  # Element's clusterPairsCountMax; pending pairs count towards it
MODIFY_VOLUMES_CHUNK = 500  # volumes per ModifyVolumes call


def refuse_over_pair_limit(cluster: ClusterState, removed: int = 0) -> None:
    """Refusal when one more cluster pair (after removing `removed` of them) is over Element's limit."""
    if len(cluster.cluster_pairs) - removed + 1 > MAX_CLUSTER_PAIRS:
        raise Refusal("cluster %s already has the maximum of %d cluster pairs: %s" % (
            cluster.identity.name, MAX_CLUSTER_PAIRS, "; ".join(e.describe() for e in cluster.cluster_pairs)))


def chunks(items: Sequence[Any], size: int = MODIFY_VOLUMES_CHUNK) -> List[Sequence[Any]]:
    """items in runs of at most size (ModifyVolumes takes 500 volumes per call)."""
    return [items[start:start + size] for start in range(0, len(items), size)]


# ---- secrets and pairing keys ---------------------------------------------------------------------

# Parameter names whose values never leave the client (the Python SDK masks the same names).
SECRET_PARAMS = frozenset(("password", "clusterPairingKey", "volumePairingKey", "initiatorSecret", "targetSecret"))
REDACTED = "********"

CLUSTER_KEY_FIELDS = ("clusterPairID", "clusterPairUUID", "clusterUniqueID", "mvip", "name")
VOLUME_KEY_FIELDS = ("mvip", "volumeID", "volumeName", "volumePairUUID")


def redact_params(params: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """A copy of params that is safe to report (secret values replaced)."""
    return {k: (REDACTED if k in SECRET_PARAMS else v) for k, v in (params or {}).items()}


def decode_key(key: Any, required: Iterable[str] = ()) -> Dict[str, Any]:
    """The fields of a pairing key (hex-encoded JSON); a Refusal, without the key, when unreadable."""
    try:
        fields = json.loads(bytes.fromhex(key.strip()).decode("utf-8"))
    except (ValueError, UnicodeDecodeError, AttributeError):
        raise Refusal("the pairing key is not a valid Element pairing key (it must be passed on unchanged)")
    if not isinstance(fields, dict) or not all(name in fields for name in required):
        raise Refusal("the pairing key is not a valid Element pairing key (fields missing)")
    return fields


def key_field(key: Any, name: str) -> Any:
    """One field of a pairing key, or None when the key cannot be read."""
    try:
        return decode_key(key).get(name)
    except Refusal:
        return None


def key_credentials(key: Any) -> List[str]:
    """The credentials a cluster pairing key carries in clear text: secrets like the key itself."""
    try:
        fields = decode_key(key)
    except Refusal:
        return []
    return [str(fields[name]) for name in ("username", "password") if name in fields]


# ---- two clusters -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PairMatch:
    """How two clusters see each other: the pair both list (with the same UUID), duplicates of
    it, and halves listed on one side only."""
    local: Any = None  # ClusterPairEntry on this cluster, or None (Any: read once paired is checked)
    peer: Any = None  # ClusterPairEntry on the peer, or None
    duplicates: Tuple[Tuple[ClusterPairEntry, ClusterPairEntry], ...] = ()  # further couples that also match
    stale_local: Tuple[ClusterPairEntry, ...] = ()  # this cluster points at the peer, the peer does not point back
    stale_peer: Tuple[ClusterPairEntry, ...] = ()

    @property
    def paired(self) -> bool:
        return self.local is not None

    @property
    def connected(self) -> bool:
        """Paired and Connected on both sides: volumes can be paired and replicate."""
        return self.paired and self.local.status == CONNECTED and self.peer.status == CONNECTED


def match_pair(local: ClusterState, peer: ClusterState) -> PairMatch:
    """Identify the pair by identity: entries that name each other's uniqueID and share a UUID."""
    local_links = local.pair_to(peer)
    peer_by_uuid = {p.pair_uuid: p for p in peer.pair_to(local)}
    couples = [(entry, peer_by_uuid[entry.pair_uuid]) for entry in local_links if entry.pair_uuid in peer_by_uuid]
    # Keep the healthiest, oldest couple; any other is a duplicate from an earlier bug or race.
    couples.sort(key=lambda c: (c[0].status != CONNECTED or c[1].status != CONNECTED, c[0].pair_id))
    matched = {c[0].pair_uuid for c in couples}
    return PairMatch(
        local=couples[0][0] if couples else None, peer=couples[0][1] if couples else None,
        duplicates=tuple(couples[1:]),
        stale_local=tuple(e for e in local_links if e.pair_uuid not in matched),
        stale_peer=tuple(e for e in peer.pair_to(local) if e.pair_uuid not in matched))


# ---- two volumes ------------------------------------------------------------------------------------------

PAIRED = "paired"  # both list each other with one UUID
HALVES = "halves"  # both list each other, with different UUIDs
ONE_SIDED_SOURCE = "one-sided-source"  # only the source lists the pair
ONE_SIDED_TARGET = "one-sided-target"
UNRELATED = "none"


def pair_relation(match: PairMatch, source: Optional[Volume], target: Optional[Volume]) -> str:
    """How two volumes relate through the cluster pair match (one of the constants above)."""
    if source is None or target is None or not match.paired:
        return UNRELATED
    s_entry, t_entry = source.pair, target.pair
    s_points = (s_entry is not None and not s_entry.pending and s_entry.cluster_pair_id == match.local.pair_id
                and s_entry.remote_volume_id == target.volume_id)
    t_points = (t_entry is not None and not t_entry.pending and t_entry.cluster_pair_id == match.peer.pair_id
                and t_entry.remote_volume_id == source.volume_id)
    if s_points and t_points and s_entry is not None and t_entry is not None:
        return PAIRED if s_entry.volume_pair_uuid == t_entry.volume_pair_uuid else HALVES
    if s_points:
        return ONE_SIDED_SOURCE if t_entry is None else UNRELATED
    if t_points:
        return ONE_SIDED_TARGET if s_entry is None or s_entry.pending else UNRELATED
    return UNRELATED


def paused_flags(source_entry: Any, target_entry: Any) -> Tuple[bool, bool]:
    """(paused on the source side, paused on the target side), as the two states show them."""
    source_paused = source_entry.state == PAUSED_MANUAL or target_entry.state == PAUSED_MANUAL_REMOTE
    target_paused = target_entry.state == PAUSED_MANUAL or source_entry.state == PAUSED_MANUAL_REMOTE
    return source_paused, target_paused


# ---- the volume the options name ----------------------------------------------------------------------------

class Problem(str):
    """Why a volume or an account could not be resolved, in words, with a code to act on."""
    NOT_FOUND = "not_found"
    DELETED = "deleted"
    AMBIGUOUS = "ambiguous"
    WRONG_ACCOUNT = "wrong_account"

    code: str

    def __new__(cls, code: str, text: str) -> "Problem":
        problem = super().__new__(cls, text)
        problem.code = code
        return problem


def account_id(cluster: ClusterState, account: Any) -> Tuple[Optional[int], Optional[Problem]]:
    """(account ID or None, problem or None) for an account option: digits are an ID, anything
    else a user name. Existence is checked when the accounts were read."""
    if account is None:
        return None, None
    text = str(account)
    known = cluster.accounts
    if text.isdigit() and (known is None or any(a.account_id == int(text) for a in known)):
        return int(text), None
    for candidate in known or ():
        if candidate.username == text:
            return candidate.account_id, None
    return None, Problem(Problem.NOT_FOUND, "account '%s' not found on cluster %s" % (account, cluster.identity.name))


def _missing(cluster: ClusterState, what: str, volume_id: Optional[int], name: Optional[str], scope: str = "") -> Problem:
    """Not found among the active volumes: deleted (and restorable), or not there at all."""
    deleted = cluster.deleted_volume(volume_id, name)
    label = "volume ID %s" % volume_id if volume_id is not None else "volume '%s'" % name
    if deleted is not None:
        return Problem(Problem.DELETED, "%s %s on cluster %s is deleted (since %s, purged at %s): "
                       "RestoreDeletedVolume with volumeID %s brings it back" % (
                           what, label, cluster.identity.name, deleted.delete_time or "?", deleted.purge_time or "?",
                           deleted.volume_id))
    return Problem(Problem.NOT_FOUND, "%s %s not found on cluster %s%s" % (what, label, cluster.identity.name, scope))


def resolve_volume(cluster: ClusterState, volume_id: Optional[int], name: Optional[str], account: Any,
                   what: str) -> Tuple[Any, Optional[Problem]]:
    """(volume or None, Problem or None): the active volume the options name on this cluster."""
    cluster_name = cluster.identity.name
    owner, problem = account_id(cluster, account)
    if problem:
        return None, problem
    if volume_id is not None:
        volume = cluster.volume_by_id(volume_id)
        if volume is None:
            return None, _missing(cluster, what, volume_id, None)
        if owner is not None and volume.account_id != owner:
            return None, Problem(Problem.WRONG_ACCOUNT, "%s volume ID %s on cluster %s belongs to account %s, not %s" % (
                what, volume_id, cluster_name, volume.account_id, account))
        return volume, None
    matches = cluster.volumes_named(name, owner) if name is not None else []
    if not matches:
        return None, _missing(cluster, what, None, name, " in account %s" % account if account is not None else "")
    if len(matches) > 1:
        return None, Problem(Problem.AMBIGUOUS, "%s volume name '%s' matches %d volumes on cluster %s (IDs %s); give "
                             "the volume ID or the account" % (what, name, len(matches), cluster_name,
                                                               ", ".join(str(v.volume_id) for v in matches)))
    return matches[0], None


# ---- findings ------------------------------------------------------------------------------------------------

class Finding(str, Enum):
    """Codes of what reconciliation and the audit find, each reported next to its sentence
    ({"code", "text"}). Classify on these, never on the sentences. A code is its string: it compares,
    hashes and formats as the plain value (the reports, results and events carry that value)."""
    CLUSTER_PAIR_ABSENT = "cluster_pair_absent"
    CLUSTER_PAIR_PENDING = "cluster_pair_pending"
    CLUSTER_PAIR_ONE_SIDED = "cluster_pair_one_sided"
    CLUSTER_PAIR_NOT_CONNECTED = "cluster_pair_not_connected"
    CLUSTER_PAIR_DUPLICATE = "cluster_pair_duplicate"
    VOLUME_PAIR_PENDING = "volume_pair_pending"
    VOLUME_PAIR_ONE_SIDED = "volume_pair_one_sided"
    MODE_DIFFERS = "mode_differs"
    PAUSED_BY_HAND = "paused_by_hand"
    WRONG_ACCESS = "wrong_access"
    TARGET_SMALLER = "target_smaller"
    DISCONNECTED = "disconnected"
    STATE = "state"  # a state that is neither flowing nor one of the above
    # How far behind a pair is.
    RPO_BREACHED = "rpo_breached"
    LAG_UNKNOWN = "lag_unknown"
    NO_REPLICATED_SNAPSHOT = "no_replicated_snapshot"
    # Not yet a failure: the schedule that will replicate it runs and is not late.
    FIRST_SNAPSHOT_PENDING = "first_snapshot_pending"
    # What keeps a SnapshotsOnly pair protected: a running schedule of replicated snapshots.
    NO_REPLICATED_SCHEDULE = "no_replicated_schedule"
    SCHEDULE_FAILED = "schedule_failed"
    SCHEDULE_LATE = "schedule_late"
    # The audit's own, against the topology.
    DECLARED_PAUSED = "declared_paused"
    NOT_PAIRED = "not_paired"
    MODE_NOT_AS_DECLARED = "mode_not_as_declared"
    NOT_DECLARED = "not_declared"
    DECLARED_ABSENT = "declared_absent"
    CHECK_FAILED = "check_failed"

    def __str__(self) -> str:  # "%s", format() and f-strings give the value on every Python
        return str(self.value)


def finding(code: Finding, text: str) -> Dict[str, str]:
    """A finding as results carry it: the code's plain string (never the enum member, which
    Ansible's result handling and templating need not know) and its sentence."""
    return {"code": code.value, "text": text}
