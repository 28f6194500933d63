# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""element_snapshot_schedule's main(), in-process, against an in-memory cluster."""

from __future__ import annotations

import json

import pytest

from ansible_collections.element.replication.plugins.modules import element_snapshot_schedule
from ansible_collections.element.replication.tests.unit.plugins.modules.fake_element import two_clusters
from ansible_collections.element.replication.tests.unit.plugins.modules.utils import PASSWORD, ModuleRun, connection


@pytest.fixture
def world():
    network, prod, _dr = two_clusters()
    prod.add_volume("db02", 12)
    return ModuleRun(network), prod


def args(prod, **extra):
    options = dict(name="db-hourly", volumes=["db01"], every="1h", retain="24h", replicate=True)
    options.update(extra)
    return dict(connection(prod), **options)


def test_check_mode_plans_and_changes_nothing(world):
    run, prod = world
    result = run(element_snapshot_schedule, args(prod), check_mode=True, diff=True)
    assert result["changed"] is True
    assert run.mutating() == []
    assert [(a["cluster"], a["method"]) for a in result["actions"]] == [("prod", "CreateSchedule")]
    params = result["actions"][0]["params"]
    assert params["scheduleName"] == "db-hourly" and params["scheduleInfo"]["volumeID"] == 11
    assert params["scheduleInfo"]["enableRemoteReplication"] is True
    assert result["schedule"]["schedule_id"] == "(new)"
    assert result["diff"]["before"] == {}
    assert prod.schedules == []


def test_creates_with_one_call_then_is_a_no_op(world):
    run, prod = world
    result = run(element_snapshot_schedule, args(prod))
    assert result["changed"] is True
    assert run.mutating() == [("prod", "CreateSchedule")]
    assert result["schedule"]["schedule_id"] == 1 and result["schedule"]["volume_ids"] == [11]
    assert len(result["changes"]) == 1 and result["changes"][0].startswith("created schedule db-hourly")

    again = run(element_snapshot_schedule, args(prod))
    assert again["changed"] is False
    assert run.mutating() == []
    assert again["actions"] == [] and again["changes"] == []
    assert again["schedule"] == result["schedule"]


def test_change_then_delete(world):
    run, prod = world
    run(element_snapshot_schedule, args(prod))
    changed = run(element_snapshot_schedule, args(prod, volumes=["db01", "db02"]))
    assert changed["changed"] is True
    assert run.mutating() == [("prod", "ModifySchedule")]
    assert changed["schedule"]["volume_ids"] == [11, 12]
    assert run(element_snapshot_schedule, args(prod, volumes=["db01", "db02"]))["changed"] is False

    gone = run(element_snapshot_schedule, args(prod, state="absent"))
    assert gone["changed"] is True
    assert run.mutating() == [("prod", "ModifySchedule")]
    assert gone["actions"][0]["params"] == {"scheduleID": 1, "toBeDeleted": True}
    assert gone["schedule"] == {} and prod.schedules == []
    assert run(element_snapshot_schedule, args(prod, state="absent"))["changed"] is False


def test_element_error_names_cluster_method_and_error(world):
    run, prod = world
    prod.fail("CreateSchedule", "xInvalidParameter", "retention is not valid")
    result = run(element_snapshot_schedule, args(prod))
    assert result["failed"] is True
    for part in ("prod (10.0.0.1:443)", "CreateSchedule", "xInvalidParameter", "retention is not valid"):
        assert part in result["msg"]
    assert result["error"]["cluster"] == "prod (10.0.0.1:443)"
    assert PASSWORD not in json.dumps(result)


def test_unknown_volume_is_refused_without_a_call(world):
    run, prod = world
    result = run(element_snapshot_schedule, args(prod, volumes=["nope"]))
    assert result["failed"] is True
    assert "nope" in result["msg"]
    assert run.mutating() == []


def test_secrets_stay_out_of_results(world):
    run, prod = world
    result = run(element_snapshot_schedule, args(prod), diff=True)
    assert result["changed"] is True and PASSWORD not in json.dumps(result)
