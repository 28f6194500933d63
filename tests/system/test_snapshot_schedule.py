# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Snapshot schedules (issue 18): element_snapshot_schedule check -> real -> real again, the marker
that keeps a hand-made schedule safe, replicated snapshots that reach the target on the simulated
clock, group snapshots, bad input refused before any change, and the topology's snapshots key
converged and removed by dr_setup.yml / dr_teardown.yml. Each test checks the clusters' real state."""

from __future__ import annotations

import json

import pytest

from helpers import (clear_calls, collection_playbook, mutating, pair_clusters_raw, pair_volumes_raw, topology_inventory,
                     volume_named)

MARKER = "element.replication.schedule"
HOUR = 3600


def schedule(name="archive-hourly", **params):
    params.setdefault("volumes", ["vol-0004"])
    if not any(k in params for k in ("every", "weekdays", "monthdays")) and params.get("state") != "absent":
        params["every"] = "1h"
    return {"name": "schedule", "element.replication.element_snapshot_schedule": dict(name=name, **params)}


def schedules(cluster):
    return {s["scheduleName"]: s for s in cluster.call("ListSchedules")["schedules"]}


@pytest.fixture
def replicating(sim):
    """prod replicates vol-0004 to dr in SnapshotsOnly mode, and vol-0001/vol-0002 in Async."""
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    pair_clusters_raw(prod, dr)
    for name in ("vol-0001", "vol-0002", "vol-0004"):
        pair_volumes_raw(prod, dr, volume_named(prod, name)["volumeID"], volume_named(dr, name)["volumeID"],
                         mode="SnapshotsOnly" if name == "vol-0004" else "Async")
    clear_calls(prod, dr)
    return prod, dr


def test_check_then_create_then_nothing_to_do(replicating, ansible):
    prod, dr = replicating
    task = schedule(retain="24h", replicate=True)
    check = ansible.play([task], check=True, diff=True).task("schedule")
    assert check["changed"] is True and [a["method"] for a in check["actions"]] == ["CreateSchedule"], check
    assert mutating(prod) == [] and schedules(prod) == {}, "check mode changes nothing"
    assert check["diff"]["before"] == {} and check["schedule"]["replicate"] is True

    real = ansible.play([task]).task("schedule")
    assert real["changed"] is True
    made = schedules(prod)["archive-hourly"]
    assert made["attributes"][MARKER] == "archive-hourly" and made["attributes"]["frequency"] == "Time Interval"
    assert (made["hours"], made["minutes"], made["paused"]) == (1, 0, False)
    info = made["scheduleInfo"]
    assert info["volumeID"] == volume_named(prod, "vol-0004")["volumeID"]
    assert info["enableRemoteReplication"] is True and info["retention"] == "24:00:00"
    assert real["schedule"]["schedule_id"] == made["scheduleID"]

    clear_calls(prod)
    again = ansible.play([task]).task("schedule")
    assert again["changed"] is False and again["actions"] == [] and mutating(prod) == []


def test_replicated_snapshots_reach_the_target_and_expire(replicating, ansible):
    prod, dr = replicating
    assert ansible.play([schedule(retain="2h", replicate=True)]).rc == 0
    prod.advance_clock(HOUR + 600)  # the first run: one interval on, at a five-minute boundary
    arrived = dr.call("ListSnapshots", volumeID=volume_named(dr, "vol-0004")["volumeID"])["snapshots"]
    assert [s["name"] for s in arrived] == ["archive-hourly"]
    status = schedules(prod)["archive-hourly"]
    assert status["lastRunStatus"] == "Success"
    prod.advance_clock(3 * HOUR)  # retention 2h: the first snapshots have expired, newer ones exist
    on_prod = prod.call("ListSnapshots", volumeID=volume_named(prod, "vol-0004")["volumeID"])["snapshots"]
    assert 1 <= len(on_prod) <= 2


def test_a_group_schedule_takes_group_snapshots(replicating, ansible):
    prod, dr = replicating
    run = ansible.play([schedule(name="db-nightly", volumes=["vol-0001", "vol-0002"], weekdays=["mon", "tue", "wed",
                                                                                               "thu", "fri", "sat",
                                                                                               "sun"],
                                 at="01:30", retain="7d", replicate=True)])
    assert run.rc == 0, run
    made = schedules(prod)["db-nightly"]
    assert made["attributes"]["frequency"] == "Days Of Week" and len(made["weekdays"]) == 7
    assert sorted(made["scheduleInfo"]["volumes"]) == sorted(volume_named(prod, n)["volumeID"]
                                                             for n in ("vol-0001", "vol-0002"))
    prod.advance_clock(25 * HOUR)
    groups = prod.call("ListGroupSnapshots")["groupSnapshots"]
    assert groups and len(groups[0]["members"]) == 2


def test_changes_are_modifies_and_absent_deletes(replicating, ansible):
    prod, dr = replicating
    assert ansible.play([schedule()]).rc == 0
    schedule_id = schedules(prod)["archive-hourly"]["scheduleID"]
    clear_calls(prod)
    paused = ansible.play([schedule(paused=True, every="2h")]).task("schedule")
    assert [(a["method"], a["params"]["scheduleID"]) for a in paused["actions"]] == [("ModifySchedule", schedule_id)]
    now = schedules(prod)["archive-hourly"]
    assert (now["paused"], now["hours"]) == (True, 2)
    gone = ansible.play([schedule(state="absent")]).task("schedule")
    assert gone["changed"] is True and "archive-hourly" not in schedules(prod)
    assert ansible.play([schedule(state="absent")]).task("schedule")["changed"] is False


def test_a_hand_made_schedule_of_that_name_is_never_taken_over(replicating, ansible):
    prod, _ = replicating
    prod.call("CreateSchedule", scheduleName="archive-hourly", scheduleType="Snapshot", hours=6, minutes=0,
              attributes={"frequency": "Time Interval"},
              scheduleInfo={"volumeID": volume_named(prod, "vol-0001")["volumeID"], "name": "theirs"})
    clear_calls(prod)
    run = ansible.play([schedule()])
    assert run.rc != 0 and "was not made by element.replication" in run.task("schedule")["msg"]
    assert mutating(prod) == []
    assert schedules(prod)["archive-hourly"]["hours"] == 6


@pytest.mark.parametrize("params, words", [
    ({"every": "7m"}, "multiple of 5 minutes"),
    ({"every": "1h", "retain": "10m"}, "less than the 1h between its runs"),
    ({"weekdays": ["someday"]}, "not a day of the week"),
    ({"volumes": ["no-such-volume"]}, "no-such-volume"),
    ({"volumes": ["vol-%04d" % i for i in range(1, 34)]}, "more than Element puts in one group snapshot"),
    ({"every": "9000h"}, "longer than Element runs a schedule at: at most 8784h"),
], ids=["interval", "retention", "weekday", "volume", "group-size", "interval-over-a-year"])
@pytest.mark.parametrize("check", [False, True], ids=["real", "check"])
def test_bad_input_is_refused_before_any_change(replicating, ansible, params, words, check):
    prod, _ = replicating
    run = ansible.play([schedule(**params)], check=check)
    assert run.rc != 0 and words in run.task("schedule")["msg"], run
    assert mutating(prod) == [] and schedules(prod) == {}


def test_the_topology_declares_schedules_that_setup_makes_and_teardown_removes(sim, ansible, tmp_path):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    topology = [{"source": "prod", "target": "dr", "mode": "SnapshotsOnly",
                 "volumes": [{"volume": "vol-0001"}, {"volume": "vol-0002"}],
                 "snapshots": [{"name": "hourly", "every": "1h", "retain": "1d"},
                               {"name": "app", "group": True, "weekdays": ["sun"], "at": "02:00", "retain": "14d"}]}]
    run = collection_playbook(ansible, topology_inventory(sim, tmp_path / "inventory.yml", topology))
    check = run("dr_setup.yml", check=True)
    assert check.rc == 0, check
    assert schedules(prod) == {}, "check mode changes nothing"
    assert run("dr_setup.yml").rc == 0
    made = schedules(prod)
    assert sorted(made) == ["er-dr-app", "er-dr-hourly-vol-0001", "er-dr-hourly-vol-0002"]
    assert all(s["scheduleInfo"]["enableRemoteReplication"] for s in made.values())
    assert sorted(made["er-dr-app"]["scheduleInfo"]["volumes"]) == sorted(
        volume_named(prod, n)["volumeID"] for n in ("vol-0001", "vol-0002"))
    clear_calls(prod, dr)
    again = run("dr_setup.yml")
    assert again.rc == 0 and mutating(prod) == [] and mutating(dr) == []
    prod.advance_clock(HOUR + 600)  # the first run: one interval on, at a five-minute boundary
    assert dr.call("ListSnapshots", volumeID=volume_named(dr, "vol-0001")["volumeID"])["snapshots"], \
        "the SnapshotsOnly pair received its first replicated snapshot"
    assert run("dr_teardown.yml", element_replication_teardown=True).rc == 0
    assert schedules(prod) == {}


@pytest.mark.parametrize("snapshots, words", [
    ({"every": "7m"}, "multiple of 5 minutes"),
    ({"every": "1h", "retain": "5m"}, "shorter than the 3600s between two snapshots"),
    ({"every": "1h", "volumes": ["vol-0009"]}, "vol-0009 is not among the entry's volumes"),
    ({"every": "9000h"}, "every 9000h is longer than Element runs a schedule at"),
    ([{"name": "a", "every": "1h"}, {"name": "a", "every": "2h"}], "repeats snapshots[0]"),
], ids=["interval", "retention", "volume", "interval-over-a-year", "names"])
@pytest.mark.parametrize("check", [False, True], ids=["real", "check"])
def test_bad_topology_snapshots_are_refused_before_any_change(sim, ansible, tmp_path, snapshots, words, check):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    topology = [{"source": "prod", "target": "dr", "mode": "SnapshotsOnly", "volumes": [{"volume": "vol-0001"}],
                 "snapshots": snapshots}]
    run = collection_playbook(ansible, topology_inventory(sim, tmp_path / "inventory.yml", topology))
    result = run("dr_setup.yml", check=check)
    assert result.rc != 0 and words in result.stdout + result.stderr, result
    assert mutating(prod) == [] and mutating(dr) == []


def test_schedules_move_with_the_source_role_on_failover_and_back(sim, ansible, tmp_path):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    topology = [{"source": "prod", "target": "dr", "mode": "SnapshotsOnly",
                 "volumes": [{"volume": "vol-0001", "peer_volume": "vol-0005"}],  # sizes match both ways
                 "snapshots": {"name": "hourly", "every": "1h", "retain": "1d"}}]
    run = collection_playbook(ansible, topology_inventory(sim, tmp_path / "inventory.yml", topology))
    assert run("dr_setup.yml").rc == 0
    prod.advance_clock(HOUR + 600)
    over = run("dr_failover.yml")
    assert over.rc == 0, str(over)
    on_dr, on_prod = schedules(dr), schedules(prod)
    assert on_dr["er-prod-hourly-vol-0005"]["paused"] is False, "the new source takes the snapshots"
    assert on_dr["er-prod-hourly-vol-0005"]["scheduleInfo"]["volumeID"] == volume_named(dr, "vol-0005")["volumeID"]
    assert on_prod["er-dr-hourly-vol-0001"]["paused"] is True, "the old source's schedule is kept, paused"
    before = len(prod.call("ListSnapshots", volumeID=volume_named(prod, "vol-0001")["volumeID"])["snapshots"])
    dr.advance_clock(HOUR + 600)
    after = prod.call("ListSnapshots", volumeID=volume_named(prod, "vol-0001")["volumeID"])["snapshots"]
    assert len(after) > before, "snapshots flow from dr to prod now"
    back = run("dr_failback.yml")
    assert back.rc == 0, back
    assert schedules(prod)["er-dr-hourly-vol-0001"]["paused"] is False
    assert schedules(dr)["er-prod-hourly-vol-0005"]["paused"] is True
    assert run("dr_teardown.yml", element_replication_teardown=True).rc == 0
    assert schedules(prod) == {} and schedules(dr) == {}


def test_the_audit_finds_a_snapshots_only_pair_whose_schedule_stopped_or_failed(sim, ansible, tmp_path):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    topology = [{"source": "prod", "target": "dr", "mode": "SnapshotsOnly", "volumes": [{"volume": "vol-0001"}],
                 "snapshots": {"name": "hourly", "every": "1h", "retain": "1d"}}]
    run = collection_playbook(ansible, topology_inventory(sim, tmp_path / "inventory.yml", topology))
    assert run("dr_setup.yml").rc == 0
    prod.advance_clock(HOUR + 600)
    reports = tmp_path / "reports"
    clean = run("drift_audit.yml", replication_audit_report_dir=str(reports))
    assert clean.rc == 0, str(clean)

    def audit_codes():
        result = run("drift_audit.yml", replication_audit_report_dir=str(reports))
        report = json.loads((reports / "replication-audit.json").read_text())
        (pair,) = report["cluster_pairs"][0]["volume_pairs"]
        return result.rc, [f["code"] for f in pair["findings"]]

    hourly = schedules(prod)["er-dr-hourly-vol-0001"]["scheduleID"]
    prod.call("ModifySchedule", scheduleID=hourly, paused=True)
    assert audit_codes() == (2, ["no_replicated_schedule"])
    prod.call("ModifySchedule", scheduleID=hourly, paused=False)
    prod.fail_schedule_runs(hourly, count=5)
    prod.advance_clock(HOUR + 600)
    rc, codes = audit_codes()
    assert rc == 2 and "schedule_failed" in codes, codes
