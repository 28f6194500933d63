# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: topology_plan
short_description: Normalize a replication topology into the work list of the collection's roles
version_added: 1.0.0
author:
  - element.replication maintainers (@element-replication)
description:
  - Used by the P(element.replication.cluster_pairing#role) role to build C(cluster_pairing_plan),
    which every role of the collection loops over. Applies every default of a topology entry.
  - C(entries) has one item per topology entry (C(index), C(key), C(label), C(source), C(target),
    C(mode), C(paused), C(state), C(exclusive), C(create_target), C(peer_account), C(split_site),
    C(volumes) as M(element.replication.element_volume_pair) items with only the keys that are set,
    and C(volume_work), whether the entry has volume pairs to converge).
  - C(cluster_pairs) has one item per pair of clusters (C(key), C(label), C(source), C(target),
    C(state), C(split_site), C(entries)). It is worked on by the source host of the first entry
    between the two clusters, so that entries in opposite directions never pair the same clusters
    twice at the same time; it is present when any of its entries is.
  - It checks nothing; the role's argument spec and its inventory checks run first.
positional: state
options:
  _input:
    description: The topology, a list of entries (see the P(element.replication.cluster_pairing#role) role).
    type: list
    elements: dict
    required: true
  state:
    description: When set, overrides the state of every entry and of every volume (V(absent) for a teardown).
    type: str
    choices: [present, absent]
"""

EXAMPLES = r"""
- name: Plan the work of every topology entry and cluster pair
  ansible.builtin.set_fact:
    plan: "{{ element_replication_topology | element.replication.topology_plan }}"

- name: The same, to tear everything down
  ansible.builtin.set_fact:
    plan: "{{ element_replication_topology | element.replication.topology_plan('absent') }}"
"""

RETURN = r"""
_value:
  description: The plan, with the keys C(entries) and C(cluster_pairs) described above.
  type: dict
"""

from ansible.module_utils.parsing.convert_bool import boolean

# The element_volume_pair item keys a topology volume may carry.
ITEM_KEYS = ("volume", "volume_id", "peer_volume", "peer_volume_id", "account", "peer_account", "mode", "paused", "state")


def _or(value, fallback):
    """Jinja's default(fallback, true): an unset, null or empty value takes the fallback."""
    return value if value else fallback


def _flag(value):
    return boolean(_or(value, False), strict=False)


def _volume_items(raw, state):
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


def topology_plan(topology, state=None):
    entries, pairs = [], {}
    for index, raw in enumerate(topology or []):
        entry_state = _or(state, _or(raw.get("state"), "present"))
        volumes = _volume_items(raw, entry_state)
        exclusive = _flag(raw.get("exclusive"))
        entry = {
            "index": index, "key": " <-> ".join(sorted([raw["source"], raw["target"]])),
            "label": "%s -> %s" % (raw["source"], raw["target"]), "source": raw["source"], "target": raw["target"],
            "mode": _or(raw.get("mode"), "Async"), "paused": _flag(raw.get("paused")), "state": entry_state,
            "exclusive": exclusive, "create_target": _flag(raw.get("create_target")),
            "peer_account": raw.get("peer_account"), "split_site": _flag(raw.get("split_site")),
            "volumes": volumes, "volume_work": bool(volumes) or exclusive,
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


class FilterModule(object):
    def filters(self):
        return {"topology_plan": topology_plan}
