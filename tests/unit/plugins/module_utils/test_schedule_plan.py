# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The snapshot schedule planner: frequencies Element accepts, identity by marker, minimal changes."""

from __future__ import annotations

import pytest

from ansible_collections.element.replication.plugins.module_utils._errors import Refusal
from ansible_collections.element.replication.plugins.module_utils._frequency import (
    DAYS_OF_MONTH, DAYS_OF_WEEK, TIME_INTERVAL, frequency)
from ansible_collections.element.replication.plugins.module_utils._schedule import Declared, plan_schedule
from ansible_collections.element.replication.plugins.module_utils._lag import schedule_findings
from ansible_collections.element.replication.plugins.module_utils._state import (
    SCHEDULE_MARKER as MARKER, ClusterIdentity, ClusterState, Existing, Volume)

PROD = ClusterIdentity(name="prod", unique_id="aaaa", uuid="u-a", mvip="10.0.0.1", address="10.0.0.1:443")
GIB = 1024 ** 3


def vol(volume_id, name):
    return Volume(volume_id=volume_id, name=name, account_id=1, access="readWrite", total_size=GIB, enable512e=True,
                  qos={}, pairs=())


CLUSTER = ClusterState(PROD, (), (vol(1, "db01"), vol(2, "db02"), vol(3, "archive")), None)


def declared(**kwargs):
    kwargs.setdefault("name", "nightly")
    kwargs.setdefault("frequency", frequency(every="1h"))
    kwargs.setdefault("volumes", ("archive",))
    return Declared(**kwargs)


def existing(schedule_id=5, name="nightly", marker=True, **fields):
    raw = {"scheduleID": schedule_id, "scheduleName": name, "hours": 1, "minutes": 0, "weekdays": [], "monthdays": [],
           "paused": False, "toBeDeleted": False, "scheduleInfo": {"volumeID": 3, "name": name,
                                                                   "enableRemoteReplication": False},
           "attributes": dict({"frequency": TIME_INTERVAL}, **({MARKER: name} if marker else {}))}
    raw.update(fields)
    return Existing.from_api(raw)


@pytest.mark.parametrize("kwargs, kind, hours, minutes", [
    ({"every": "15m"}, TIME_INTERVAL, 0, 15),
    ({"every": "1d"}, TIME_INTERVAL, 24, 0),
    ({"every": 7200}, TIME_INTERVAL, 2, 0),
    ({"every": "8784h"}, TIME_INTERVAL, 8784, 0),  # Element's longest interval: a year of 366 days
    ({"weekdays": ["mon", "Friday", "0"], "at": "01:30"}, DAYS_OF_WEEK, 1, 30),
    ({"monthdays": [1, 15]}, DAYS_OF_MONTH, 0, 0),
])
def test_frequencies_element_accepts(kwargs, kind, hours, minutes):
    found = frequency(**kwargs)
    assert (found.kind, found.hours, found.minutes) == (kind, hours, minutes)


def test_weekdays_are_element_day_numbers():
    assert frequency(weekdays=["sun", "mon", "friday"]).api()["weekdays"] == [
        {"day": 0, "offset": 1}, {"day": 1, "offset": 1}, {"day": 5, "offset": 1}]


@pytest.mark.parametrize("kwargs, words", [
    ({"every": "7m"}, "multiple of 5 minutes"),
    ({"every": "1m"}, "multiple of 5 minutes"),
    ({"every": "soon"}, "not a duration"),
    ({"every": "9000h"}, "longer than Element runs a schedule at: at most 8784h"),
    ({"every": "367d"}, "at most 8784h"),
    ({}, "exactly one of"),
    ({"every": "1h", "weekdays": ["mon"]}, "exactly one of"),
    ({"every": "1h", "at": "01:00"}, "at is for weekdays"),
    ({"weekdays": ["someday"]}, "not a day of the week"),
    ({"monthdays": [32]}, "not a day of the month"),
    ({"weekdays": ["mon"], "at": "25:00"}, "HH:MM"),
    ({"weekdays": ["mon"], "at": "01:07"}, "multiple of 5"),
])
def test_frequencies_element_refuses(kwargs, words):
    with pytest.raises(Refusal, match=words):
        frequency(**kwargs)


def test_intervals_of_day_based_schedules_are_their_longest_gap():
    assert frequency(weekdays=["mon", "tue"]).interval == 6 * 86400
    assert frequency(monthdays=[1]).interval == 31 * 86400


def test_a_new_schedule_is_one_create_with_the_marker_and_single_snapshots_for_one_volume():
    plan = plan_schedule(CLUSTER, [], declared(retain=86400.0, replicate=True))
    (action,) = plan.actions
    assert action.method == "CreateSchedule"
    params = action.params
    assert params["attributes"] == {"frequency": TIME_INTERVAL, MARKER: "nightly"}
    assert params["scheduleInfo"] == {"volumeID": 3, "name": "nightly", "enableRemoteReplication": True,
                                      "retention": "24:00:00"}
    assert (params["hours"], params["minutes"], params["scheduleType"], params["paused"]) == (1, 0, "Snapshot", False)


def test_several_volumes_make_a_group_snapshot_schedule():
    plan = plan_schedule(CLUSTER, [], declared(volumes=("db02", "db01")))
    assert plan.actions[0].params["scheduleInfo"]["volumes"] == [1, 2]


def test_an_unchanged_schedule_plans_nothing_and_a_changed_one_only_a_modify():
    assert plan_schedule(CLUSTER, [existing()], declared()).actions == []
    plan = plan_schedule(CLUSTER, [existing()], declared(paused=True, replicate=True))
    (action,) = plan.actions
    assert action.method == "ModifySchedule" and action.params["scheduleID"] == 5
    assert (action.params["paused"], action.params["scheduleInfo"]["enableRemoteReplication"]) == (True, True)
    assert "paused" in plan.changes[0] and "replicate" in plan.changes[0]


def test_a_schedule_made_by_hand_is_never_taken_over():
    with pytest.raises(Refusal, match="not made by element.replication"):
        plan_schedule(CLUSTER, [existing(marker=False)], declared())


def test_a_deleted_schedule_of_that_name_does_not_count():
    plan = plan_schedule(CLUSTER, [existing(toBeDeleted=True, marker=False)], declared())
    assert [a.method for a in plan.actions] == ["CreateSchedule"]


def test_absent_deletes_only_our_schedule():
    plan = plan_schedule(CLUSTER, [existing()], declared(state="absent"))
    assert [(a.method, a.params) for a in plan.actions] == [("ModifySchedule", {"scheduleID": 5, "toBeDeleted": True})]
    assert plan_schedule(CLUSTER, [], declared(state="absent")).actions == []


@pytest.mark.parametrize("kwargs, words", [
    ({"retain": 600.0}, "less than the 1h between its runs"),
    ({"volumes": ()}, "names no volume"),
    ({"volumes": tuple("v%d" % i for i in range(33))}, "more than Element puts in one group snapshot"),
    ({"volumes": ("nope",)}, "nope"),
])
def test_bad_declarations_are_refused_before_any_call(kwargs, words):
    with pytest.raises(Refusal, match=words):
        plan_schedule(CLUSTER, [], declared(**kwargs))


def raw(**fields):
    base = {"scheduleID": 5, "scheduleName": "hourly", "hours": 1, "minutes": 0, "paused": False,
            "attributes": {"frequency": TIME_INTERVAL},
            "scheduleInfo": {"volumeID": 3, "enableRemoteReplication": True}, "lastRunStatus": "Success",
            "lastRunTimeStarted": "2026-12-03T10:00:00Z"}
    base.update(fields)
    return base


TEN = 1796292000.0  # 2026-12-03T10:00:00Z


def codes(schedules, now=TEN + 60):
    return [f["code"] for f in schedule_findings([Existing.from_api(s) for s in schedules], 3, now, "archive on prod")]


def test_a_running_replicated_schedule_protects_the_volume():
    assert codes([raw()]) == []
    assert schedule_findings(None, 3, TEN, "archive on prod") == [], "not read: nothing to say"


@pytest.mark.parametrize("schedules", [
    [], [raw(paused=True)], [raw(toBeDeleted=True)], [raw(scheduleInfo={"volumeID": 3})],
    [raw(scheduleInfo={"volumes": [1, 2], "enableRemoteReplication": True})],
], ids=["none", "paused", "deleted", "local-only", "other-volumes"])
def test_no_running_replicated_schedule_is_a_finding(schedules):
    assert codes(schedules) == ["no_replicated_schedule"]


def test_a_group_schedule_covers_its_members():
    assert codes([raw(scheduleInfo={"volumes": [2, 3], "enableRemoteReplication": True})]) == []


def test_a_failed_or_late_schedule_is_a_finding():
    assert codes([raw(lastRunStatus="Failed")]) == ["schedule_failed"]
    assert codes([raw(hasError=True)]) == ["schedule_failed"]
    assert codes([raw()], now=TEN + 3 * 3600) == ["schedule_late"]
    weekly = raw(attributes={"frequency": DAYS_OF_WEEK}, weekdays=[{"day": 1, "offset": 1}])
    assert codes([weekly], now=TEN + 6 * 86400) == [], "a weekly schedule is not late after six days"
    assert codes([weekly], now=TEN + 8 * 86400) == ["schedule_late"]
