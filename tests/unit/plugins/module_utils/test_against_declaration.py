# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One measurement of a reconciled pair against its declaration, which the drift audit and the
event source share: the same pair and declaration give the same findings in both."""

from __future__ import annotations

import importlib.util
import os

import pytest

from ansible_collections.element.replication.plugins.module_utils._audit import against_declaration, classify
from ansible_collections.element.replication.plugins.module_utils._element import Finding, finding
from ansible_collections.element.replication.plugins.module_utils._topology import plan as topology_plan

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "extensions", "eda",
                      "plugins", "event_source", "replication_events.py")
spec = importlib.util.spec_from_file_location("replication_events", SOURCE)
replication_events = importlib.util.module_from_spec(spec)
spec.loader.exec_module(replication_events)

BY_HAND = finding(Finding.PAUSED_BY_HAND, "replication is paused by hand on prod (db01)")
ONE_SIDED = finding(Finding.VOLUME_PAIR_ONE_SIDED, "only prod lists the pair")


def pair(health="healthy", findings=(), mode="Async", states=("Active", "Active")):
    return {"volume_pair_uuid": "vp-1", "health": health, "findings": list(findings),
            "source_cluster": "prod", "source_volume_id": 10, "source_volume_name": "db01", "source_access": "readWrite",
            "source_state": states[0], "source_mode": mode,
            "target_cluster": "dr", "target_volume_id": 40, "target_volume_name": "db01",
            "target_access": "replicationTarget", "target_state": states[1],
            "target_mode": mode if health in ("healthy", "mismatched") else None}


def codes(findings):
    return [f["code"] for f in findings]


@pytest.mark.parametrize("record, paused, mode, expected", [
    (pair(), False, "Async", []),
    (pair("mismatched", [BY_HAND], states=("PausedManual", "PausedManualRemote")), True, "Async", []),
    (pair("mismatched", [BY_HAND], states=("PausedManual", "PausedManualRemote")), False, "Async",
     [Finding.PAUSED_BY_HAND]),
    (pair(), True, "Async", [Finding.DECLARED_PAUSED]),
    (pair(mode="Sync"), False, "Async", [Finding.MODE_NOT_AS_DECLARED]),
    (pair("mismatched", [BY_HAND], mode="Sync"), True, "Async", [Finding.MODE_NOT_AS_DECLARED]),
    # A pair only one cluster lists (or never completed) has no mode to measure.
    (pair("one-sided", [ONE_SIDED], mode="Sync"), False, "Async", [Finding.VOLUME_PAIR_ONE_SIDED]),
])
def test_a_pair_against_its_declaration(record, paused, mode, expected):
    assert codes(against_declaration(record, {"paused": paused, "mode": mode})) == expected


def test_a_pair_without_a_declaration_keeps_its_own_findings():
    assert against_declaration(pair("mismatched", [BY_HAND]), None) == [BY_HAND]


def test_the_mode_finding_says_both_modes():
    assert against_declaration(pair(mode="Sync"), {"paused": False, "mode": "Async"}) == [
        finding(Finding.MODE_NOT_AS_DECLARED, "mode is Sync, the topology declares Async")]


@pytest.mark.parametrize("record, paused, mode", [
    (pair(), False, "Async"), (pair(), True, "Async"), (pair(mode="SnapshotsOnly"), False, "Sync"),
    (pair("mismatched", [BY_HAND], states=("PausedManual", "PausedManualRemote")), True, "Async"),
    (pair("mismatched", [BY_HAND], mode="Sync", states=("PausedManual", "PausedManualRemote")), False, "Async"),
])
def test_the_audit_and_the_event_source_say_the_same_of_one_pair(record, paused, mode):
    topology = topology_plan([{"source": "prod", "target": "dr", "paused": paused, "mode": mode,
                               "volumes": [{"volume": "db01"}]}])
    info = {"cluster": {"name": "prod"}, "peer_cluster": {"name": "dr"},
            "reconciled": {"cluster_pair": {"health": "healthy", "findings": []}, "volume_pairs": [record]}}
    checked = {"index": 1, "source_volume_id": 10, "target_volume_id": 40, "source_volume_name": "db01",
               "target_volume_name": "db01", "paired": True, "mode": record["source_mode"], "paused": paused}
    audited = classify(topology, {0: info}, {}, {0: {"volume_pairs": [checked]}})[0]["volume_pairs"][0]
    declarations = replication_events.Declarations(topology)
    event = replication_events.pair_view(record, {"cluster_pair_uuid": "cp-1"}, declarations.find(record))
    assert event["findings"] == audited["findings"]
