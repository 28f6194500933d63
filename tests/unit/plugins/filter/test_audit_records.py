# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The audit's classification: on finding codes, never on sentences."""

from __future__ import annotations

import pytest

from ansible_collections.element.replication.plugins.filter.audit_records import FilterModule, audit_records
from ansible_collections.element.replication.plugins.filter.topology_plan import topology_plan
from ansible_collections.element.replication.plugins.module_utils._element import Finding, finding

NOT_THE_USUAL_WORDS = "words nobody matches on"


def plan(paused=False, volumes=({"volume": "db01"},), state="present"):
    return topology_plan([{"source": "prod", "target": "dr", "paused": paused, "state": state,
                           "volumes": list(volumes)}])


def reconciled_pair(health="healthy", findings=(), uuid="vp-1", source_id=10, target_id=40, **extra):
    pair = {"source_cluster": "prod", "source_volume_id": source_id, "source_volume_name": "db01",
            "target_cluster": "dr", "target_volume_id": target_id, "target_volume_name": "db01",
            "volume_pair_uuid": uuid, "health": health, "findings": list(findings), "source_mode": "Async"}
    pair.update(extra)
    return pair


def info(pairs, cluster_health="healthy", cluster_findings=(), **extra):
    result = {"replication_audit_entry": {"index": 0}, "cluster": {"name": "prod"}, "peer_cluster": {"name": "dr"},
              "reconciled": {"cluster_pair": {"health": cluster_health, "findings": list(cluster_findings)},
                             "volume_pairs": list(pairs)}}
    result.update(extra)
    return result


def volume_check(*checked, **extra):
    result = {"volume_pairing_entry": {"index": 0}, "changed": False,
              "volume_pairs": [dict({"source_volume_id": 10, "target_volume_id": 40, "source_volume_name": "db01",
                                     "target_volume_name": "db01", "paired": True, "mode": "Async", "paused": False,
                                     "changed": False}, **c) for c in checked]}
    result.update(extra)
    return result


def records(the_plan, infos, cluster_checks=(), volume_checks=()):
    return audit_records(the_plan, list(infos), list(cluster_checks), list(volume_checks))


def test_a_healthy_pair_is_clean():
    record = records(plan(), [info([reconciled_pair()])], volume_checks=[volume_check({})])[0]
    assert record["drift_count"] == 0 and record["health"] == "healthy" and record["errors"] == []
    assert record["volume_pairs"][0]["health"] == "healthy" and record["volume_pairs"][0]["drift"] is False


def test_a_declared_pause_is_desired_whatever_the_sentence_says():
    paused = reconciled_pair("mismatched", [finding(Finding.PAUSED_BY_HAND, NOT_THE_USUAL_WORDS)])
    record = records(plan(paused=True), [info([paused])], volume_checks=[volume_check({"paused": True})])[0]
    volume = record["volume_pairs"][0]
    assert (volume["health"], volume["drift"], volume["findings"]) == ("paused", False, [])
    assert record["drift_count"] == 0


def test_the_words_of_a_pause_without_its_code_are_still_drift():
    # Classification reads codes: a sentence that reads like a pause but is coded otherwise is drift.
    looks_paused = reconciled_pair("mismatched", [finding(Finding.STATE, "replication is paused by hand on prod")])
    record = records(plan(paused=True), [info([looks_paused])], volume_checks=[volume_check({})])[0]
    volume = record["volume_pairs"][0]
    assert volume["health"] == "mismatched" and volume["drift"] is True
    assert [f["code"] for f in volume["findings"]] == [Finding.STATE]


def test_a_pause_by_hand_that_the_topology_does_not_declare_is_drift():
    paused = reconciled_pair("mismatched", [finding(Finding.PAUSED_BY_HAND, NOT_THE_USUAL_WORDS)])
    record = records(plan(paused=False), [info([paused])], volume_checks=[volume_check({})])[0]
    assert record["volume_pairs"][0]["drift"] is True and record["drift_count"] == 1


def test_a_running_pair_the_topology_declares_paused_carries_that_code_and_the_check_makes_it_drift():
    # The check (a converge run in check mode) would pause it: that is what makes it drift.
    record = records(plan(paused=True), [info([reconciled_pair()])],
                     volume_checks=[volume_check({"changed": True, "changes": ["pause db01"]})])[0]
    volume = record["volume_pairs"][0]
    assert [f["code"] for f in volume["findings"]] == [Finding.DECLARED_PAUSED]
    assert volume["drift"] is True and volume["planned_actions"] == ["pause db01"]


def test_a_declared_pair_that_is_missing_is_not_paired():
    record = records(plan(), [info([])], volume_checks=[volume_check({"paired": False, "changed": True})])[0]
    volume = record["volume_pairs"][0]
    assert volume["health"] == "absent" and [f["code"] for f in volume["findings"]] == [Finding.NOT_PAIRED]
    assert volume["drift"] is True


def test_a_mode_other_than_declared_is_coded():
    # The mode measured is the reconciled pair's, as the event source measures it.
    sync = reconciled_pair(source_mode="Sync", target_mode="Sync")
    record = records(plan(), [info([sync])], volume_checks=[volume_check({"mode": "Sync"})])[0]
    volume = record["volume_pairs"][0]
    assert [f["code"] for f in volume["findings"]] == [Finding.MODE_NOT_AS_DECLARED]
    assert volume["reasons"] == ["mode is Sync, the topology declares Async"]


def test_an_undeclared_pair_between_the_clusters_is_reported_as_not_declared():
    extra = reconciled_pair(uuid="vp-9", source_id=11, target_id=41, source_volume_name="stray")
    record = records(plan(), [info([reconciled_pair(), extra])], volume_checks=[volume_check({})])[0]
    undeclared = [v for v in record["volume_pairs"] if not v["declared"]]
    assert len(undeclared) == 1 and undeclared[0]["source_volume"] == "stray"
    assert [f["code"] for f in undeclared[0]["findings"]] == [Finding.NOT_DECLARED]
    assert undeclared[0]["drift"] is False  # healthy and nothing planned: reported, not drift


def test_a_failed_check_is_coded_check_failed():
    record = records(plan(), [info([reconciled_pair()])],
                     volume_checks=[volume_check({"failed": True, "msg": "boom"})])[0]
    volume = record["volume_pairs"][0]
    assert {"code": Finding.CHECK_FAILED, "text": "boom"} in volume["findings"] and volume["drift"] is True


def test_cluster_pair_drift_and_its_planned_repairs():
    check = {"cluster_pairing_cluster_pair": {"key": "dr <-> prod"}, "changed": True, "repairs": ["remove stale"],
             "actions": [{"reason": "pair the clusters"}]}
    record = records(plan(), [info([], cluster_health="absent",
                                   cluster_findings=[finding(Finding.CLUSTER_PAIR_ABSENT, "not paired")])],
                     cluster_checks=[check])[0]
    assert record["cluster_pair_drift"] is True and record["planned_actions"] == ["remove stale", "pair the clusters"]
    assert record["findings"][0]["code"] == Finding.CLUSTER_PAIR_ABSENT


def test_clusters_declared_absent_that_are_paired_are_drift_with_their_code():
    record = records(plan(state="absent", volumes=()), [info([])])[0]
    assert record["cluster_pair_drift"] is True
    assert [f["code"] for f in record["findings"]] == [Finding.DECLARED_ABSENT]


def test_an_unreadable_cluster_is_an_error_not_drift():
    record = records(plan(), [{"replication_audit_entry": {"index": 0}, "failed": True, "msg": "no route"}])[0]
    assert record["health"] == "unknown" and record["drift_count"] == 0
    assert record["errors"] == ["prod -> dr: could not read the clusters: no route"]


def test_a_lost_lag_read_is_an_error():
    record = records(plan(), [info([reconciled_pair()], lag_errors=["ListVolumeStats failed"])],
                     volume_checks=[volume_check({})])[0]
    assert record["errors"] == ["prod -> dr: could not measure the lag: ListVolumeStats failed"]


@pytest.mark.parametrize("lag, within, breached", [(30, 1, 0), (900, 0, 1)])
def test_rpo_is_checked_against_the_measured_lag(lag, within, breached):
    the_plan = topology_plan([{"source": "prod", "target": "dr", "rpo": "5m", "volumes": [{"volume": "db01"}]}])
    pair = reconciled_pair(lag_seconds=lag, async_delay=None, recovery_point=None, lag_findings=[])
    record = records(the_plan, [info([pair])], volume_checks=[volume_check({})])[0]
    assert record["rpo"] == {"declared": 1, "within": within, "breached": breached, "unknown": 0}
    assert record["volume_pairs"][0]["drift"] is bool(breached)
    if breached:
        assert [f["code"] for f in record["volume_pairs"][0]["findings"]] == [Finding.RPO_BREACHED]


def test_the_filter_is_registered():
    assert FilterModule().filters()["audit_records"] is audit_records


def test_a_pair_waiting_for_its_first_replicated_snapshot_is_reported_not_drift():
    the_plan = topology_plan([{"source": "prod", "target": "dr", "mode": "SnapshotsOnly", "rpo": "1d",
                               "volumes": [{"volume": "db01"}]}])
    waiting = finding(Finding.FIRST_SNAPSHOT_PENDING, NOT_THE_USUAL_WORDS)
    pair = reconciled_pair(lag_seconds=None, async_delay=None, recovery_point=None, lag_findings=[waiting],
                           source_mode="SnapshotsOnly")
    record = records(the_plan, [info([pair])], volume_checks=[volume_check({"mode": "SnapshotsOnly"})])[0]
    volume = record["volume_pairs"][0]
    assert (record["drift_count"], volume["drift"], volume["findings"]) == (0, False, [waiting])
    missing = dict(pair, lag_findings=[finding(Finding.NO_REPLICATED_SNAPSHOT, NOT_THE_USUAL_WORDS)])
    record = records(the_plan, [info([missing])], volume_checks=[volume_check({"mode": "SnapshotsOnly"})])[0]
    assert record["drift_count"] == 1, "without a schedule that runs, no snapshot is drift"
