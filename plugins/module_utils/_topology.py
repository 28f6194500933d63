# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The replication topology the roles share: what is wrong with it, and its normalized plan.

Used by the topology_problems and topology_plan filters (controller side). Pure.

Private module_utils: not a public API of the collection.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Tuple

from ansible.module_utils.common.validation import check_type_int
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.element.replication.plugins.module_utils._durations import DurationError, parse_rpo
from ansible_collections.element.replication.plugins.module_utils._element import ASYNC, MODES
from ansible_collections.element.replication.plugins.module_utils._errors import Refusal
from ansible_collections.element.replication.plugins.module_utils._frequency import MAX_GROUP_VOLUMES, frequency

# The keys of an entry and of a volume item with the types the role specs declare
# (tools/role-specs/topology.yml.in; a unit test keeps them equal), and of a snapshots group (the
# snapshots key's description) with the types element_snapshot_schedule takes. "list[dict]": a list of dicts.
ENTRY_TYPES = {"source": "str", "target": "str", "mode": "str", "paused": "bool", "state": "str", "exclusive": "bool",
               "create_target": "bool", "peer_account": "str", "rpo": "raw", "snapshots": "raw", "split_site": "bool",
               "volumes": "list[dict]"}
VOLUME_TYPES = {"volume": "str", "volume_id": "int", "peer_volume": "str", "peer_volume_id": "int", "account": "str",
                "peer_account": "str", "mode": "str", "paused": "bool", "state": "str", "rpo": "raw"}
SNAPSHOT_TYPES = {"name": "str", "every": "str", "weekdays": "list[str]", "monthdays": "list[int]", "at": "str",
                  "retain": "str", "replicate": "bool", "group": "bool", "volumes": "list[str]"}
ENTRY_KEYS = tuple(ENTRY_TYPES)
VOLUME_KEYS = tuple(VOLUME_TYPES)
SNAPSHOT_KEYS = tuple(SNAPSHOT_TYPES)
# The element_volume_pair item keys a topology volume may carry.
ITEM_KEYS = tuple(key for key in VOLUME_KEYS if key != "rpo")
CREDENTIALS = ("element_hostname", "element_username", "element_password")
PAIR_ITEM_KEYS = ITEM_KEYS[:6]  # volume, volume_id, peer_volume, peer_volume_id, account, peer_account
# The keys of entries and volume items that take one of a few words (the role specs' choices).
CHOICES = {"mode": MODES, "state": ("present", "absent")}
# (host, ("ID" or "name", the ID or name), account): how the topology names one volume of a cluster.
VolumeKey = Tuple[Any, Tuple[str, Any], Any]


def _or(value: Any, fallback: Any) -> Any:
    """Jinja's default(fallback, true): an unset, null or empty value takes the fallback."""
    return value if value else fallback


def _flag(value: Any) -> bool:
    return boolean(_or(value, False), strict=False)


# ---- the plan --------------------------------------------------------------------------------

def _volume_items(raw: Dict[str, Any], state: str) -> List[Dict[str, Any]]:
    peer_account = raw.get("peer_account")
    items = []
    for volume in raw.get("volumes") or []:
        # Only the keys that are set: the module counts a key given as null as given.
        item = {key: volume[key] for key in ITEM_KEYS if volume.get(key) is not None}
        if peer_account is not None:
            item.setdefault("peer_account", peer_account)
        if state == "absent":
            item["state"] = "absent"
        items.append(item)
    return items


def _snapshot_groups(raw: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The entry's snapshots declaration as a list of groups (a single dict is one group)."""
    declared = raw.get("snapshots")
    if not declared:
        return []
    groups = declared if isinstance(declared, list) else [declared]
    return [g for g in groups if isinstance(g, dict)]


def _group_name(group: Dict[str, Any], position: int, count: int) -> str:
    return str(group.get("name") or ("snapshots" if count == 1 else "snapshots-%d" % (position + 1)))


def _schedules(raw: Dict[str, Any], entry_state: str) -> List[Dict[str, Any]]:
    """The snapshot schedules the entry declares, as element_snapshot_schedule takes them, made on
    the source cluster: one per volume (single snapshots), or one per group (group: true, a
    crash-consistent group snapshot of its volumes). Named er-<target>-<group>[-<volume>]."""
    groups = _snapshot_groups(raw)
    items = [v for v in raw.get("volumes") or [] if isinstance(v, dict)]
    schedules = []
    for position, group in enumerate(groups):
        group_name = _group_name(group, position, len(groups))
        wanted = set(str(v) for v in group.get("volumes") or [])
        chosen = [v for v in items if not wanted or str(v.get("volume", v.get("volume_id"))) in wanted]
        common = {"every": group.get("every"), "weekdays": group.get("weekdays"), "monthdays": group.get("monthdays"),
                  "at": _or(group.get("at"), "00:00"), "retain": group.get("retain"),
                  "replicate": _flag(_or(group.get("replicate"), True)), "account": None}
        members = [chosen] if _flag(group.get("group")) else [[v] for v in chosen]
        for volumes in members:
            state = "absent" if entry_state == "absent" or all(v.get("state") == "absent" for v in volumes) \
                else "present"
            sides = {}
            for side, other, name_key, id_key, account_key in (
                    ("source", raw["target"], "volume", "volume_id", "account"),
                    ("target", raw["source"], "peer_volume", "peer_volume_id", "peer_account")):
                names = [_side_volume(v, name_key) for v in volumes]
                first = names[0] if names[0] is not None else volumes[0].get(id_key)
                suffix = "" if _flag(group.get("group")) else "-%s" % first
                account = None if _flag(group.get("group")) else volumes[0].get(account_key, raw.get(account_key))
                sides[side] = dict(common, name="er-%s-%s%s" % (other, group_name, suffix), state=state,
                                   volumes=[n for n in names if n is not None],
                                   volume_ids=[v[id_key] for v, n in zip(volumes, names) if n is None
                                               and v.get(id_key) is not None],
                                   account=account)
            # The source side's parameters at the top level (dr_setup), the target side's under
            # "target": the schedule a failover moves there, so that snapshots keep flowing.
            schedules.append(dict(sides["source"], target=sides["target"]))
    return schedules


def _side_volume(item: Dict[str, Any], key: str) -> Optional[str]:
    """The item's volume name on one side: the target's defaults to the source's name."""
    if key == "peer_volume":
        if item.get("peer_volume_id") is not None:
            return item.get("peer_volume")
        return item.get("peer_volume") or item.get("volume")
    return item.get("volume")


def plan(topology: Optional[List[Dict[str, Any]]], state: Optional[str] = None) -> Dict[str, List[Dict[str, Any]]]:
    """{entries, cluster_pairs}: every entry with its defaults applied, and one cluster pair per
    two clusters (worked on by the source host of its first entry)."""
    entries: List[Dict[str, Any]] = []
    pairs: Dict[str, List[Dict[str, Any]]] = {}
    for index, raw in enumerate(topology or []):
        entry_state = _or(state, _or(raw.get("state"), "present"))
        volumes = _volume_items(raw, entry_state)
        exclusive = _flag(raw.get("exclusive"))
        entry = {
            "index": index, "key": " <-> ".join(sorted([raw["source"], raw["target"]])),
            "label": "%s -> %s" % (raw["source"], raw["target"]), "source": raw["source"], "target": raw["target"],
            "mode": _or(raw.get("mode"), ASYNC), "paused": _flag(raw.get("paused")), "state": entry_state,
            "exclusive": exclusive, "create_target": _flag(raw.get("create_target")),
            "peer_account": raw.get("peer_account"), "split_site": _flag(raw.get("split_site")),
            "volumes": volumes, "volume_work": bool(volumes) or exclusive,
            # Snapshot schedules on the source cluster (element_snapshot_schedule parameters).
            "schedules": _schedules(raw, entry_state),
            # The volumes as the rehearsal and failover modules take them: the keys that name a pair
            # (and for a failover, a pause the volume declares).
            "pair_items": [{key: item[key] for key in PAIR_ITEM_KEYS if key in item} for item in volumes],
            "failover_items": [{key: item[key] for key in PAIR_ITEM_KEYS + ("paused",) if key in item}
                               for item in volumes],
            # RPOs in seconds, the entry's and each volume's (its own, else the entry's); None: none declared.
            "rpo_seconds": _rpo(raw.get("rpo")),
            "volume_rpos": [_rpo(v.get("rpo")) if v.get("rpo") is not None else _rpo(raw.get("rpo"))
                            for v in raw.get("volumes") or []],
        }
        entries.append(entry)
        pairs.setdefault(entry["key"], []).append(entry)
    cluster_pairs = []
    for key, between in pairs.items():
        first = between[0]
        cluster_pairs.append({
            "key": key, "label": "%s <-> %s" % (first["source"], first["target"]),
            "source": first["source"], "target": first["target"],
            "state": "present" if any(e["state"] == "present" for e in between) else "absent",
            "split_site": any(e["split_site"] for e in between),
            "entries": [e["index"] for e in between],
        })
    return {"entries": entries, "cluster_pairs": cluster_pairs}


# ---- what is wrong with it ---------------------------------------------------------------------

def inventory_connection(host_vars: Any, host: str) -> Dict[str, Any]:
    """The connection options of an inventory host's cluster, from its element_* variables (the
    element.replication.element_connection filter, and the audit's clusters read from the
    inventory). ValueError names what is missing."""
    missing = [name for name in CREDENTIALS if name not in host_vars]
    if missing:
        raise ValueError("inventory host %r has no %s" % (host, ", ".join(missing)))
    if not str(host_vars["element_hostname"] or "").strip():
        # An environment lookup of an unset ELEMENT_PEER_HOSTNAME (an AWX credential without a peer) gives "".
        raise ValueError("inventory host %r has an empty element_hostname: give the cluster's MVIP or DNS name" % host)
    return {
        "hostname": host_vars["element_hostname"],
        "port": int(host_vars.get("element_port", 443) or 443),
        "username": host_vars["element_username"],
        "password": host_vars["element_password"],
        "validate_certs": boolean(host_vars.get("element_validate_certs", True), strict=False),
        "ca_path": host_vars.get("element_ca_path"),
        "display_name": host,
    }


def problems(topology: Optional[List[Dict[str, Any]]], hostvars: Any, inventory_hosts: Iterable[str],
             play_hosts: Optional[Iterable[str]] = None, name: str = "element_replication_topology",
             needs_both: bool = False, state: Optional[str] = None) -> List[str]:
    """One message per problem, naming the entry: what the role's argument spec cannot check.

    Hosts: every source and target is an inventory host with the element_* credentials. A
    split-site entry is worked on one cluster at a time, so it needs only the credentials of its
    hosts in the play (a controller per site runs the play with --limit), unless the role drives
    both clusters at once (needs_both: the audit and failover).
    Contradictions: each direction once; one split_site setting per cluster pair; a volume in one
    pair only, across all entries; what split-site entries cannot do.
    """
    known = sorted(inventory_hosts)
    listed = ", ".join(known[:10]) + (", ..." if len(known) > 10 else "")
    in_play = set(play_hosts if play_hosts is not None else known)
    if topology is not None and not isinstance(topology, list):
        return ["%s must be a list of entries (dicts with source, target and volumes), not %r" % (name, topology)]
    found: List[str] = []
    directions: Dict[str, int] = {}
    split_by_pair: Dict[str, Tuple[int, bool]] = {}
    shaped: List[Tuple[int, Dict[str, Any]]] = []
    for index, entry in enumerate(topology or []):
        where = "%s[%d] (%s -> %s)" % (name, index, entry.get("source"), entry.get("target")) \
            if isinstance(entry, dict) else "%s[%d]" % (name, index)
        shape = _shape_problems(where, entry)
        if shape:  # unknown keys or values of the wrong kind: what the rest would make of them is noise
            found += shape
            continue
        shaped.append((index, entry))
        split = _flag(entry.get("split_site"))
        for role in ("source", "target"):
            host = entry.get(role)
            if host not in known:
                found.append("%s: %s %r is not a host of the inventory (hosts: %s)" % (where, role, host, listed))
            elif not split or needs_both or host in in_play:
                missing = [var for var in CREDENTIALS if var not in hostvars[host]]
                if missing:
                    hint = "" if not split else (
                        "; this role needs the credentials of both clusters on one controller, split-site entries "
                        "included" if needs_both else
                        "; with a controller per site, run the play with --limit for the hosts whose credentials "
                        "this controller holds")
                    found.append("%s: inventory host %r has no %s%s" % (where, host, ", ".join(missing), hint))
        if entry.get("source") == entry.get("target"):
            found.append("%s: source and target are the same cluster" % where)
        direction = "%s -> %s" % (entry.get("source"), entry.get("target"))
        if direction in directions:
            found.append("%s: repeats %s[%d]; declare each direction once" % (where, name, directions[direction]))
        else:
            directions[direction] = index
        # Entries in both directions between two clusters share one cluster pair: one way of pairing it.
        pair = " <-> ".join(sorted([str(entry.get("source")), str(entry.get("target"))]))
        if pair in split_by_pair and split_by_pair[pair][1] != split:
            found.append("%s: split_site differs from %s[%d], which shares its cluster pair"
                         % (where, name, split_by_pair[pair][0]))
        split_by_pair.setdefault(pair, (index, split))
        if split:
            found += _split_site_problems(where, entry, state)
        found += _rpo_problems(where, entry)
        found += _snapshot_problems(where, entry)
    return found + _volume_conflicts(shaped, name)


def _is_str(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)  # a number is taken as its text


def _is_int(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return False
    try:
        check_type_int(value)  # as the argument spec converts: 7, "7" and 7.0 are 7
    except TypeError:
        return False
    return True


def _is_bool(value: Any) -> bool:
    try:
        boolean(value, strict=True)
    except TypeError:
        return False
    return True


# Per type of the tables above: whether a value is one, and how the message names one and a list of them.
_TYPE_CHECKS = {"str": (_is_str, "a string", "strings"), "int": (_is_int, "an integer", "integers"),
                "bool": (_is_bool, "a boolean (true or false)", "booleans"),
                "dict": (lambda value: isinstance(value, dict), "a dict", "dicts")}


def _type_problem(key: str, value: Any, wanted: str) -> Optional[str]:
    """What is wrong with the type of one value, or None (raw takes anything; its own check follows)."""
    if wanted == "raw":
        return None
    if wanted.startswith("list["):
        elements = wanted[5:-1]
        is_element, _one, many = _TYPE_CHECKS[elements]
        expected = "a list of %s" % many
        if not isinstance(value, list):
            return "%s %r is not %s" % (key, value, expected)
        if elements == "dict":
            return None  # each is checked as an item of its own, with its keys
        wrong = [element for element in value if not is_element(element)]
        return "%s %r is not %s (%r)" % (key, value, expected, wrong[0]) if wrong else None
    is_type, one, _many = _TYPE_CHECKS[wanted]
    return None if is_type(value) else "%s %r is not %s" % (key, value, one)


def _keys_problems(where: str, item: Any, types: Dict[str, str], what: str) -> List[str]:
    """Unknown keys (typos), values of the wrong type and unknown choices, in one dict of the topology."""
    if not isinstance(item, dict):
        return ["%s: must be a dict (%s), not %r" % (where, what, item)]
    found = []
    unknown = [str(key) for key in item if key not in types]
    if unknown:
        found.append("%s: unknown key%s %s; %s takes %s" % (
            where, "" if len(unknown) == 1 else "s", ", ".join(unknown), what, ", ".join(types)))
    for key, wanted in types.items():
        if item.get(key) is None:
            continue
        wrong = _type_problem(key, item[key], wanted)
        if wrong:
            found.append("%s: %s" % (where, wrong))
        elif key in CHOICES and item[key] not in CHOICES[key]:
            found.append("%s: %s %r is not one of %s" % (where, key, item[key], ", ".join(CHOICES[key])))
    return found


def _shape_problems(where: str, entry: Any) -> List[str]:
    """Typos anywhere in an entry, refused before anything runs (a misspelt key would silently take
    its default: a schedule without retention, one that does not replicate)."""
    found = _keys_problems(where, entry, ENTRY_TYPES, "an entry")
    if not isinstance(entry, dict):
        return found
    volumes = entry.get("volumes") or []
    for position, volume in enumerate(volumes if isinstance(volumes, list) else []):
        found += _keys_problems("%s volumes[%d]" % (where, position), volume, VOLUME_TYPES, "a volume")
    declared = entry.get("snapshots")
    if declared:
        groups = declared if isinstance(declared, list) else [declared]
        for position, group in enumerate(groups):
            label = "%s snapshots%s" % (where, "" if not isinstance(declared, list) else "[%d]" % position)
            found += _keys_problems(label, group, SNAPSHOT_TYPES, "a snapshots group")
    return found


def _snapshot_problems(where: str, entry: Dict[str, Any]) -> List[str]:
    """What Element would refuse in the entry's snapshots, or what would protect nothing."""
    declared = entry.get("snapshots")
    if not declared:
        return []
    groups = declared if isinstance(declared, list) else [declared]
    if not all(isinstance(g, dict) for g in groups):
        return ["%s: snapshots must be a dict, or a list of dicts (one per group of volumes)" % where]
    found = []
    names = [v.get("volume", v.get("volume_id")) for v in entry.get("volumes") or [] if isinstance(v, dict)]
    seen: Dict[str, int] = {}
    for position, group in enumerate(groups):
        label = "%s snapshots%s" % (where, "" if isinstance(declared, dict) else "[%d]" % position)
        name = _group_name(group, position, len(groups))
        if name in seen:
            found.append("%s: name %s repeats snapshots[%d]; give each group its own name" % (label, name, seen[name]))
        seen.setdefault(name, position)
        try:
            when = frequency(group.get("every"), group.get("weekdays"), group.get("monthdays"),
                             None if group.get("every") else _or(group.get("at"), "00:00"))
        except Refusal as exc:
            found.append("%s: %s" % (label, exc))
            when = None
        if group.get("retain") not in (None, ""):
            try:
                retain = parse_rpo(group["retain"])
            except DurationError as exc:
                found.append("%s: retain %s" % (label, exc))
            else:
                if when is not None and retain < when.interval:
                    found.append("%s: retain %s is shorter than the %ss between two snapshots; there would be times "
                                 "without any snapshot" % (label, group["retain"], int(when.interval)))
        unknown = [v for v in group.get("volumes") or [] if str(v) not in {str(n) for n in names}]
        if unknown:
            found.append("%s: %s %s not among the entry's volumes (a schedule snapshots volumes of the source cluster "
                         "that the entry replicates)" % (label, ", ".join(str(v) for v in unknown),
                                                         "is" if len(unknown) == 1 else "are"))
        members = len(group.get("volumes") or names)
        if _flag(group.get("group")) and members > MAX_GROUP_VOLUMES:
            found.append("%s: a group of %d volumes; Element puts at most %d in one group snapshot" % (
                label, members, MAX_GROUP_VOLUMES))
    return found


def _rpo(value: Any) -> Optional[float]:
    """The RPO in seconds, or None when none is declared (or it is invalid: problems() says so)."""
    if value is None or value == "":
        return None
    try:
        return parse_rpo(value)
    except DurationError:
        return None


def _rpo_problems(where: str, entry: Dict[str, Any]) -> List[str]:
    found = []
    declared = [("", entry.get("rpo"))]
    declared += [(" volumes[%d]" % i, v.get("rpo")) for i, v in enumerate(entry.get("volumes") or []) if isinstance(v, dict)]
    for label, value in declared:
        if value is None:  # not declared; an empty string is refused (it is not "no RPO")
            continue
        try:
            parse_rpo(value)
        except DurationError as exc:
            found.append("%s%s: rpo %s" % (where, label, exc))
    return found


def _split_site_problems(where: str, entry: Dict[str, Any], state: Optional[str]) -> List[str]:
    volumes = entry.get("volumes") or []
    unsupported = []
    if _flag(entry.get("paused")) or any(_flag(v.get("paused")) for v in volumes):
        unsupported.append("paused")
    if _flag(entry.get("exclusive")):
        unsupported.append("exclusive")
    if _flag(entry.get("create_target")):
        unsupported.append("create_target")
    if _or(state, _or(entry.get("state"), "present")) == "absent" or any(v.get("state") == "absent" for v in volumes):
        unsupported.append("state absent")
    if not unsupported:
        return []
    return ["%s: split_site: true does not support %s (the split-site steps only pair, one cluster at a time); do "
            "that from a controller that holds both clusters' credentials, with split_site: false"
            % (where, ", ".join(unsupported))]


def _volume_keys(entry: Dict[str, Any], volume: Dict[str, Any]) -> Tuple[VolumeKey, Optional[VolumeKey]]:
    """How the topology names the source and the target volume of one item: by ID when given,
    else by name (the target's name defaults to the source's), each with its account."""
    source = ("ID", volume["volume_id"]) if volume.get("volume_id") is not None else ("name", volume.get("volume"))
    if volume.get("peer_volume_id") is not None:
        target = ("ID", volume["peer_volume_id"])
    elif volume.get("peer_volume") is not None or volume.get("volume") is not None:
        target = ("name", _or(volume.get("peer_volume"), volume.get("volume")))
    else:
        target = None  # the same ID on the other cluster says nothing about the name there
    peer_account = _or(volume.get("peer_account"), entry.get("peer_account"))
    return ((entry.get("source"), source, volume.get("account")),
            (entry.get("target"), target, peer_account) if target else None)


def _volume_conflicts(entries: List[Tuple[int, Dict[str, Any]]], name: str) -> List[str]:
    """A volume can be in one pair only: two items of the topology, in one entry or in two, that
    name the same volume of a cluster contradict each other. entries: (index, entry) of the entries
    whose shape is right."""
    users: Dict[VolumeKey, List[Tuple[str, str]]] = {}
    for index, entry in entries:
        for position, volume in enumerate(entry.get("volumes") or []):
            where = "%s[%d] (%s -> %s) volumes[%d]" % (name, index, entry.get("source"), entry.get("target"), position)
            for role, key in zip(("source", "target"), _volume_keys(entry, volume)):
                if key is not None and key[1][1] is not None:
                    users.setdefault(key, []).append((where, role))
    found = []
    for (host, (kind, value), account), uses in users.items():
        if len(uses) > 1:
            what = "volume %s%s%s on %s" % ("ID " if kind == "ID" else "", value,
                                            " (account %s)" % account if account else "", host)
            found.append("%s is named by more than one pair, and a volume can be in one pair only: %s" % (
                what, "; ".join("%s (as %s)" % use for use in uses)))
    return found


def select(plan_: Dict[str, Any], wanted: Any) -> Dict[str, List[Any]]:
    """The entries of a plan that a run works on: {entries, unknown}. wanted selects entries by
    "source:target" or by index (a list, or a comma-separated string as -e gives it); empty selects
    every entry. Only present entries with volumes are selected; unknown lists the selectors that
    match no entry."""
    if isinstance(wanted, str):
        wanted = wanted.split(",")
    selectors = [str(w).strip() for w in wanted or [] if str(w).strip()]
    matched: set = set()
    entries = []
    for entry in plan_["entries"]:
        names = {str(entry["index"]), "%s:%s" % (entry["source"], entry["target"])}
        hits = names.intersection(selectors)
        matched |= hits
        if (not selectors or hits) and entry["state"] == "present" and entry["volumes"]:
            entries.append(entry)
    return {"entries": entries, "unknown": [w for w in selectors if w not in matched]}
