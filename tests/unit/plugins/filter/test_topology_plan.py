# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The topology plan every role loops over: defaults, volume items, and one cluster pair per two clusters."""

from __future__ import annotations

from ansible_collections.element.replication.plugins.filter.topology_plan import topology_plan

TOPOLOGY = [
    {"source": "prod", "target": "dr", "volumes": [
        {"volume": "db01"},
        {"volume": "db02", "peer_volume": "db02-dr", "mode": "Sync", "paused": True, "account": None},
        {"volume_id": 3, "state": "absent"}]},
    {"source": "dr", "target": "prod", "mode": "SnapshotsOnly", "paused": "yes", "exclusive": True,
     "peer_account": "replica"},
    {"source": "branch", "target": "dr", "state": "absent", "split_site": True, "create_target": True,
     "volumes": [{"volume": "files", "peer_account": "own"}]},
    {"source": "branch2", "target": "dr", "mode": "", "volumes": None},
]


def test_defaults_and_labels():
    entries = topology_plan(TOPOLOGY)["entries"]
    first = entries[0]
    assert (first["index"], first["key"], first["label"]) == (0, "dr <-> prod", "prod -> dr")
    assert (first["mode"], first["paused"], first["state"], first["exclusive"], first["create_target"],
            first["peer_account"], first["split_site"], first["volume_work"]) == (
        "Async", False, "present", False, False, None, False, True)
    second = entries[1]
    assert (second["mode"], second["paused"], second["exclusive"], second["volume_work"]) == ("SnapshotsOnly", True, True, True)
    assert entries[3]["mode"] == "Async" and entries[3]["volumes"] == [] and entries[3]["volume_work"] is False


def test_volume_items_carry_only_what_is_set():
    entries = topology_plan(TOPOLOGY)["entries"]
    assert entries[0]["volumes"] == [
        {"volume": "db01"},
        {"volume": "db02", "peer_volume": "db02-dr", "mode": "Sync", "paused": True},
        {"volume_id": 3, "state": "absent"}]
    # An absent entry makes every volume absent; the entry's peer_account fills in only where unset.
    assert entries[2]["volumes"] == [{"volume": "files", "peer_account": "own", "state": "absent"}]
    with_account = topology_plan([{"source": "a", "target": "b", "peer_account": "x",
                                   "volumes": [{"volume": "v"}, {"volume": "w", "peer_account": "y"}]}])
    assert [v["peer_account"] for v in with_account["entries"][0]["volumes"]] == ["x", "y"]


def test_one_cluster_pair_per_two_clusters_worked_on_by_the_first_entry():
    pairs = topology_plan(TOPOLOGY)["cluster_pairs"]
    assert [(p["key"], p["source"], p["target"], p["state"], p["split_site"], p["entries"]) for p in pairs] == [
        ("dr <-> prod", "prod", "dr", "present", False, [0, 1]),
        ("branch <-> dr", "branch", "dr", "absent", True, [2]),
        ("branch2 <-> dr", "branch2", "dr", "present", False, [3]),
    ]


def test_a_present_entry_keeps_its_cluster_pair_present():
    pairs = topology_plan([{"source": "a", "target": "b", "state": "absent"},
                           {"source": "b", "target": "a"}])["cluster_pairs"]
    assert [(p["state"], p["entries"]) for p in pairs] == [("present", [0, 1])]


def test_the_state_override_wins_over_every_entry_and_volume():
    plan = topology_plan(TOPOLOGY, "absent")
    assert {e["state"] for e in plan["entries"]} == {"absent"}
    assert all(v["state"] == "absent" for e in plan["entries"] for v in e["volumes"])
    assert {p["state"] for p in plan["cluster_pairs"]} == {"absent"}
    present = topology_plan(TOPOLOGY, "present")
    assert [v.get("state") for v in present["entries"][0]["volumes"]] == [None, None, "absent"]
    assert topology_plan(TOPOLOGY, None) == topology_plan(TOPOLOGY, "")


def test_no_topology_no_work():
    assert topology_plan([]) == {"entries": [], "cluster_pairs": []}


def test_rpos_in_seconds_per_entry_and_per_volume():
    entry = topology_plan([{"source": "prod", "target": "dr", "rpo": "15m",
                            "volumes": [{"volume": "a"}, {"volume": "b", "rpo": "4h"}, {"volume": "c", "rpo": 30}]}])
    first = entry["entries"][0]
    assert (first["rpo_seconds"], first["volume_rpos"]) == (900, [900, 14400, 30])
    assert "rpo" not in first["volumes"][1], "the module items carry no rpo"
    assert topology_plan(TOPOLOGY)["entries"][0]["volume_rpos"] == [None, None, None]
