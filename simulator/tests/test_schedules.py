"""Snapshot schedules: the documented schedule object, Element's validation, runs on the
simulated clock (replication, retention, pause, failures, missed windows) and expiry."""

from datetime import datetime, timezone

import pytest

from helpers import error_of, pair_clusters, pair_volumes

HOUR = 3600
SCHEDULE_KEYS = {"attributes", "hasError", "hours", "lastRunStatus", "lastRunTimeStarted",
                 "minutes", "monthdays", "paused", "recurring", "runNextInterval", "scheduleID",
                 "scheduleInfo", "scheduleName", "scheduleType", "snapMirrorLabel",
                 "startingDate", "toBeDeleted", "weekdays"}


def stamp(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=timezone.utc).timestamp()


def every(cluster, schedule_name="hourly", hours=1, minutes=0, **info):
    """An interval schedule; **info is its scheduleInfo (volumeID 1 unless volumes given)."""
    if "volumes" not in info:
        info.setdefault("volumeID", 1)
    return cluster.call("CreateSchedule", scheduleName=schedule_name, scheduleType="snapshot",
                        attributes={"frequency": "Time Interval"}, hours=hours,
                        minutes=minutes, scheduleInfo=info)


def runs(cluster, schedule_id):
    (entry,) = [s for s in cluster.schedule_runs() if s["scheduleID"] == schedule_id]
    return entry


def snapshots(cluster, volume_id):
    return cluster.call("ListSnapshots", volumeID=volume_id)["snapshots"]


@pytest.fixture
def paired(sim):
    a, b = sim.clusters
    pair_clusters(a, b)
    for vid in (1, 2):
        pair_volumes(a, vid, b, vid)
    return a, b


# ---- the object and its validation ------------------------------------------------------------

def test_create_answers_the_documented_schedule_object(sim):
    a = sim.clusters[0]
    created = a.call("CreateSchedule", scheduleName="MCASnapshot1", scheduleType="snapshot",
                     hours=12, minutes=15, paused=False, recurring=True,
                     attributes={"frequency": "Days Of Month", "owner": "me"},
                     scheduleInfo={"volumeID": "1", "name": "MCA1", "retention": "24:00:00",
                                   "enableRemoteReplication": True},
                     weekdays=[], monthdays=[1, 10, 15, 30],
                     startingDate="2015-04-02T18:03:15Z")
    schedule = created["schedule"]
    assert created["scheduleID"] == schedule["scheduleID"] == 1
    assert set(schedule) == SCHEDULE_KEYS
    assert schedule["scheduleType"] == "Snapshot"
    assert schedule["attributes"] == {"frequency": "Days Of Month", "owner": "me"}
    assert schedule["scheduleInfo"] == {"volumeID": 1, "name": "MCA1", "retention": "24:00:00",
                                        "enableRemoteReplication": True}
    assert schedule["lastRunStatus"] == "Success" and schedule["lastRunTimeStarted"] is None
    assert schedule["hasError"] is False and schedule["toBeDeleted"] is False
    assert a.call("GetSchedule", scheduleID=1)["schedule"] == schedule
    assert a.call("ListSchedules")["schedules"] == [schedule]


def test_frequency_names_are_taken_in_any_case(sim):
    a = sim.clusters[0]
    schedule = a.call("CreateSchedule", scheduleName="w", scheduleType="Snapshot",
                      attributes={"frequency": "Days of Week"}, hours=1,
                      weekdays=[{"day": 0, "offset": 1}], scheduleInfo={"volumeID": 1})
    assert schedule["schedule"]["attributes"]["frequency"] == "Days Of Week"


@pytest.mark.parametrize("change, error", [
    ({"attributes": {"frequency": "Hourly"}}, "xInvalidScheduleFrequency"),
    ({"attributes": {}}, "xInvalidScheduleFrequency"),
    ({"hours": 0, "minutes": 4}, "xInvalidParameter"),
    ({"minutes": 60}, "xInvalidParameter"),
    ({"hours": 366 * 24 + 1}, "xInvalidParameter"),
    ({"hours": -1}, "xInvalidParameter"),
    ({"scheduleType": "backup"}, "xUnrecognizedEnumString"),
    ({"scheduleInfo": {"volumeID": 99}}, "xVolumeIDDoesNotExist"),
    ({"scheduleInfo": {"volumes": [1, 99]}}, "xVolumeIDDoesNotExist"),
    ({"scheduleInfo": {"volumeID": 1, "volumes": [2]}}, "xInvalidParameter"),
    ({"scheduleInfo": {}}, "xInvalidParameter"),
    ({"scheduleInfo": {"volumes": [1, 1]}}, "xInvalidParameter"),
    ({"scheduleInfo": {"volumes": list(range(1, 34))}}, "xExceededLimit"),
    ({"scheduleInfo": {"volumeID": 1, "retention": "1 day"}}, "xInvalidParameter"),
    ({"scheduleInfo": {"volumeID": 1, "retention": "1:99:00"}}, "xInvalidParameter"),
    ({"startingDate": "tomorrow"}, "xInvalidParameter"),
    ({"scheduleName": "x" * 245}, "xInvalidParameter"),
])
def test_what_element_refuses(shared_sim, change, error):
    params = dict(scheduleName="refused", scheduleType="snapshot", hours=1, minutes=0,
                  attributes={"frequency": "Time Interval"}, scheduleInfo={"volumeID": 1})
    params.update(change)
    assert error_of(shared_sim.clusters[0], "CreateSchedule", **params) == error


@pytest.mark.parametrize("change", [
    {"attributes": {"frequency": "Days Of Week"}, "weekdays": []},
    {"attributes": {"frequency": "Days Of Week"}, "weekdays": [{"day": 7, "offset": 1}]},
    {"attributes": {"frequency": "Days Of Month"}, "monthdays": []},
    {"attributes": {"frequency": "Days Of Month"}, "monthdays": [0]},
    {"attributes": {"frequency": "Days Of Month"}, "monthdays": [1], "hours": 24},
])
def test_day_forms_need_their_days(shared_sim, change):
    params = dict(scheduleName="refused", scheduleType="snapshot", hours=1,
                  scheduleInfo={"volumeID": 1})
    params.update(change)
    assert error_of(shared_sim.clusters[0], "CreateSchedule", **params) == "xInvalidParameter"


def test_names_are_unique_and_unknown_ids_refused(sim):
    a = sim.clusters[0]
    every(a, "dup")
    assert error_of(a, "CreateSchedule", scheduleName="dup", scheduleType="snapshot",
                    hours=2, attributes={"frequency": "Time Interval"},
                    scheduleInfo={"volumeID": 2}) == "xDuplicateScheduleName"
    assert error_of(a, "GetSchedule", scheduleID=42) == "xScheduleDoesNotExist"
    assert error_of(a, "ModifySchedule", scheduleID=42, paused=True) == "xScheduleDoesNotExist"


def test_modify_changes_validates_and_deletes(sim):
    a = sim.clusters[0]
    sid = every(a, "m")["scheduleID"]
    every(a, "other")
    modified = a.call("ModifySchedule", scheduleID=sid, scheduleName="Chicago", hours=2,
                      scheduleInfo={"volumes": [1, 2], "retention": "4:00:00"})["schedule"]
    assert modified["scheduleName"] == "Chicago" and modified["hours"] == 2
    assert modified["scheduleInfo"] == {"volumes": [1, 2], "retention": "4:00:00"}
    # A refused change leaves the schedule as it was.
    assert error_of(a, "ModifySchedule", scheduleID=sid, scheduleName="other") \
        == "xDuplicateScheduleName"
    assert error_of(a, "ModifySchedule", scheduleID=sid, minutes=2, hours=0) \
        == "xInvalidParameter"
    assert a.call("GetSchedule", scheduleID=sid)["schedule"] == modified
    deleted = a.call("ModifySchedule", scheduleID=sid, toBeDeleted=True)["schedule"]
    assert deleted["toBeDeleted"] is True
    assert [s["scheduleName"] for s in a.call("ListSchedules")["schedules"]] == ["other"]
    assert error_of(a, "GetSchedule", scheduleID=sid) == "xScheduleDoesNotExist"


# ---- when it runs -------------------------------------------------------------------------------

def test_next_run_of_each_frequency(sim):
    a = sim.clusters[0]
    now = a.clock()["now"]
    interval = every(a, "i", hours=0, minutes=42)["scheduleID"]
    weekly = a.call("CreateSchedule", scheduleName="w", scheduleType="snapshot",
                    attributes={"frequency": "Days Of Week"}, hours=19, minutes=17,
                    weekdays=[{"day": 0, "offset": 1}, {"day": 3, "offset": 1}],
                    scheduleInfo={"volumeID": 1})["scheduleID"]
    monthly = a.call("CreateSchedule", scheduleName="m", scheduleType="snapshot",
                     attributes={"frequency": "Days Of Month"}, hours=12, minutes=15,
                     monthdays=[1, 15], scheduleInfo={"volumeID": 1})["scheduleID"]
    nxt = runs(a, interval)["nextRun"]
    assert nxt % 300 == 0 and now + 42 * 60 <= nxt < now + 47 * 60
    when = datetime.fromtimestamp(runs(a, weekly)["nextRun"], timezone.utc)
    # 19:17 is not on a five-minute boundary: it runs at 19:20 on a Sunday or a Wednesday.
    assert (when.hour, when.minute) == (19, 20) and when.isoweekday() % 7 in (0, 3)
    assert 0 < when.timestamp() - now <= 7 * 24 * HOUR
    when = datetime.fromtimestamp(runs(a, monthly)["nextRun"], timezone.utc)
    assert (when.hour, when.minute, when.day) in ((12, 15, 1), (12, 15, 15))


def test_starting_date_delays_the_first_run(sim):
    a = sim.clusters[0]
    later = datetime.fromtimestamp(a.clock()["now"] + 30 * 24 * HOUR, timezone.utc)
    sid = a.call("CreateSchedule", scheduleName="s", scheduleType="snapshot", hours=1,
                 attributes={"frequency": "Time Interval"}, scheduleInfo={"volumeID": 1},
                 startingDate=later.strftime("%Y-%m-%dT%H:%M:%SZ"))["scheduleID"]
    assert runs(a, sid)["nextRun"] >= later.timestamp() + HOUR - 1


def test_a_run_takes_a_replicated_snapshot_with_its_retention(paired):
    a, b = paired
    sid = every(a, "hourly", volumeID=1, enableRemoteReplication=True, retention="3:00:00",
                name="hourly-snap")["scheduleID"]
    assert snapshots(a, 1) == []
    a.advance_clock(HOUR + 300)
    schedule = a.call("GetSchedule", scheduleID=sid)["schedule"]
    assert schedule["lastRunStatus"] == "Success" and schedule["hasError"] is False
    (snap,) = snapshots(a, 1)
    assert snap["name"] == "hourly-snap" and snap["enableRemoteReplication"] is True
    assert stamp(snap["expirationTime"]) == stamp(schedule["lastRunTimeStarted"]) + 3 * HOUR
    assert snap["remoteStatuses"][0]["remoteStatus"] == "Present"
    (copy,) = snapshots(b, 1)
    assert copy["snapshotUUID"] == snap["snapshotUUID"]
    assert copy["expirationTime"] == snap["expirationTime"]
    info = runs(a, sid)
    assert info["runs"] == 1 and info["missedRuns"] == 0
    assert info["lastSnapshotIDs"] == [snap["snapshotID"]]


def test_a_large_jump_runs_once_and_counts_the_missed_windows(sim):
    a = sim.clusters[0]
    sid = every(a, "hourly")["scheduleID"]
    a.advance_clock(10 * HOUR + 600)
    assert len(snapshots(a, 1)) == 1
    info = runs(a, sid)
    assert info["runs"] == 1 and info["missedRuns"] == 9
    assert info["nextRun"] > a.clock()["now"]
    a.advance_clock(HOUR)
    assert len(snapshots(a, 1)) == 2 and runs(a, sid)["missedRuns"] == 9


def test_paused_schedules_do_not_run(sim):
    a = sim.clusters[0]
    sid = every(a, "p")["scheduleID"]
    paused = a.call("ModifySchedule", scheduleID=sid, paused=True)["schedule"]
    assert paused["paused"] is True and runs(a, sid)["nextRun"] is None
    a.advance_clock(5 * HOUR)
    assert snapshots(a, 1) == [] and runs(a, sid)["runs"] == 0
    a.call("ModifySchedule", scheduleID=sid, paused=False)
    due, now = runs(a, sid)["nextRun"], a.clock()["now"]
    assert now < due <= now + HOUR  # the next window from now on; nothing made up
    a.advance_clock(due - now + 1)
    assert len(snapshots(a, 1)) == 1
    assert runs(a, sid)["missedRuns"] == 0  # paused time is not "missed"


def test_run_next_interval_runs_at_the_next_boundary_once(sim):
    a = sim.clusters[0]
    sid = every(a, "r", hours=24)["scheduleID"]
    a.call("ModifySchedule", scheduleID=sid, runNextInterval=True)
    assert runs(a, sid)["nextRun"] - a.clock()["now"] <= 300
    a.advance_clock(300)
    assert len(snapshots(a, 1)) == 1
    schedule = a.call("GetSchedule", scheduleID=sid)["schedule"]
    assert schedule["runNextInterval"] is False
    assert runs(a, sid)["nextRun"] - a.clock()["now"] > 23 * HOUR


def test_a_schedule_that_is_not_recurring_runs_once(sim):
    a = sim.clusters[0]
    sid = every(a, "once")["scheduleID"]
    a.call("ModifySchedule", scheduleID=sid, recurring=False)
    a.advance_clock(3 * HOUR + 300)
    assert len(snapshots(a, 1)) == 1 and runs(a, sid)["nextRun"] is None


def test_an_injected_failure_fails_the_run_then_it_recovers(sim):
    a = sim.clusters[0]
    sid = every(a, "f")["scheduleID"]
    assert a.fail_schedule_runs(sid, error="xSliceServiceDown", message="down") == 1
    a.advance_clock(HOUR + 300)
    schedule = a.call("GetSchedule", scheduleID=sid)["schedule"]
    assert schedule["lastRunStatus"] == "Failed" and schedule["hasError"] is True
    assert schedule["lastRunTimeStarted"] is not None
    assert snapshots(a, 1) == []
    info = runs(a, sid)
    assert info["lastError"] == {"code": 500, "name": "xSliceServiceDown", "message": "down"}
    assert info["failNext"] == 0
    a.advance_clock(HOUR)
    schedule = a.call("GetSchedule", scheduleID=sid)["schedule"]
    assert schedule["lastRunStatus"] == "Success" and schedule["hasError"] is False
    assert len(snapshots(a, 1)) == 1


def test_a_run_fails_on_its_own_when_the_volume_is_gone(sim):
    a = sim.clusters[0]
    sid = every(a, "gone", volumeID=3)["scheduleID"]
    a.call("DeleteVolume", volumeID=3)
    a.advance_clock(HOUR + 300)
    assert a.call("GetSchedule", scheduleID=sid)["schedule"]["lastRunStatus"] == "Failed"
    assert runs(a, sid)["lastError"]["name"] == "xVolumeIDDoesNotExist"


def test_the_fail_control_checks_its_input(sim):
    a = sim.clusters[0]
    response = a.session.post(f"{a.url}/sim/schedules/9/fail", json={}, timeout=10)
    assert response.status_code == 404
    sid = every(a, "c")["scheduleID"]
    response = a.session.post(f"{a.url}/sim/schedules/{sid}/fail", json={"count": -1},
                              timeout=10)
    assert response.status_code == 400


def test_stalled_windows_pass_without_a_run_then_it_runs_again(sim):
    a = sim.clusters[0]
    sid = every(a, "s")["scheduleID"]
    a.advance_clock(HOUR + 300)
    ran = a.call("GetSchedule", scheduleID=sid)["schedule"]
    assert len(snapshots(a, 1)) == 1
    assert a.stall_schedule_runs(sid, count=2) == 2
    for left in (1, 0):
        a.advance_clock(HOUR)
        schedule = a.call("GetSchedule", scheduleID=sid)["schedule"]
        assert schedule == ran, "a stalled window leaves no trace in the schedule object"
        assert len(snapshots(a, 1)) == 1
        info = runs(a, sid)
        assert (info["runs"], info["missedRuns"], info["stallNext"]) == (1, 2 - left, left)
        assert info["nextRun"] > a.clock()["now"]
    a.advance_clock(HOUR)
    schedule = a.call("GetSchedule", scheduleID=sid)["schedule"]
    assert stamp(schedule["lastRunTimeStarted"]) > stamp(ran["lastRunTimeStarted"]) + 2 * HOUR
    assert schedule["lastRunStatus"] == "Success" and len(snapshots(a, 1)) == 2
    assert (runs(a, sid)["runs"], runs(a, sid)["missedRuns"]) == (2, 2)


def test_a_jump_over_stalled_windows_runs_at_the_first_window_left(sim):
    a = sim.clusters[0]
    sid = every(a, "j")["scheduleID"]
    a.stall_schedule_runs(sid, count=1)
    a.advance_clock(HOUR + 600)
    assert snapshots(a, 1) == [] and runs(a, sid)["missedRuns"] == 1
    a.stall_schedule_runs(sid, count=2)
    a.advance_clock(5 * HOUR)  # five windows: two stalled, the third runs, two more missed
    info = runs(a, sid)
    assert len(snapshots(a, 1)) == 1 and info["stallNext"] == 0
    assert (info["runs"], info["missedRuns"]) == (1, 5)
    assert a.stall_schedule_runs(sid, count=0) == 0


def test_the_stall_control_checks_its_input(sim):
    a = sim.clusters[0]
    response = a.session.post(f"{a.url}/sim/schedules/9/stall", json={}, timeout=10)
    assert response.status_code == 404
    sid = every(a, "c")["scheduleID"]
    for body in ({"count": -1}, {"count": True}, [1]):
        response = a.session.post(f"{a.url}/sim/schedules/{sid}/stall", json=body, timeout=10)
        assert response.status_code == 400
    assert runs(a, sid)["stallNext"] == 0


def test_a_group_schedule_takes_group_snapshots(paired):
    a, b = paired
    sid = every(a, "group", volumes=[1, 2], enableRemoteReplication=True,
                retention="2:00:00")["scheduleID"]
    a.advance_clock(HOUR + 300)
    (group,) = a.call("ListGroupSnapshots")["groupSnapshots"]
    assert sorted(m["volumeID"] for m in group["members"]) == [1, 2]
    assert runs(a, sid)["lastGroupSnapshotID"] == group["groupSnapshotID"]
    (copy,) = b.call("ListGroupSnapshots")["groupSnapshots"]
    assert copy["groupSnapshotUUID"] == group["groupSnapshotUUID"]
    # Retention applies to the group's members on both clusters (the advance also ran the
    # schedule again: that newer group stays).
    a.advance_clock(2 * HOUR)
    for cluster in (a, b):
        uuids = [g["groupSnapshotUUID"] for g in
                 cluster.call("ListGroupSnapshots")["groupSnapshots"]]
        assert len(uuids) == 1 and group["groupSnapshotUUID"] not in uuids
        assert all(s["groupSnapshotUUID"] != group["groupSnapshotUUID"]
                   for s in snapshots(cluster, 1))


# ---- retention expiry -----------------------------------------------------------------------

def test_snapshots_expire_on_the_simulated_clock(paired):
    a, b = paired
    kept = a.call("CreateSnapshot", volumeID=1, name="kept")["snapshot"]
    short = a.call("CreateSnapshot", volumeID=1, name="short", retention="1:00:00",
                   enableRemoteReplication=True)["snapshot"]
    now = a.clock()["now"]
    assert abs(stamp(short["expirationTime"]) - (now + HOUR)) < 5
    at = datetime.fromtimestamp(now + 2 * HOUR, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    later = a.call("CreateSnapshot", volumeID=1, name="later", expirationTime=at)["snapshot"]
    assert [s["name"] for s in snapshots(b, 1)] == ["short"]
    a.advance_clock(HOUR + 1)
    assert [s["name"] for s in snapshots(a, 1)] == ["kept", "later"]
    assert snapshots(b, 1) == []  # the copy carries the same expirationTime
    # Clearing an expiration keeps the snapshot.
    a.call("ModifySnapshot", snapshotID=later["snapshotID"], expirationTime="fifo")
    a.advance_clock(2 * HOUR)
    assert [s["snapshotID"] for s in snapshots(a, 1)] == [kept["snapshotID"],
                                                        later["snapshotID"]]


def test_schedules_and_their_runs_survive_a_restart(sim):
    a = sim.clusters[0]
    sid = every(a, "persist", retention="5:00:00")["scheduleID"]
    a.advance_clock(HOUR + 300)
    sim.restart()
    a = sim.clusters[0]
    assert a.call("GetSchedule", scheduleID=sid)["schedule"]["scheduleName"] == "persist"
    assert runs(a, sid)["runs"] == 1
    a.advance_clock(HOUR)
    assert len(snapshots(a, 1)) == 2
    a.advance_clock(5 * HOUR)
    assert len(snapshots(a, 1)) == 1  # the older ones expired; the newest is 0-1 h old


def test_volumes_of_one_volume_make_a_group_of_one(paired):
    """What the official SDK and this collection send, even for one volume."""
    a, b = paired
    every(a, "one", volumes=[2], enableRemoteReplication=True)
    a.advance_clock(HOUR + 300)
    (group,) = a.call("ListGroupSnapshots")["groupSnapshots"]
    assert [m["volumeID"] for m in group["members"]] == [2]
    (copy,) = snapshots(b, 2)
    assert copy["snapshotUUID"] == group["members"][0]["snapshotUUID"]
    assert copy["groupSnapshotUUID"] == group["groupSnapshotUUID"]


def test_the_background_loop_runs_schedules_in_real_time(sim):
    """Without an advance or a request reaching the window: /sim/ reads do not settle."""
    from helpers import wait_for
    a = sim.clusters[0]
    sid = every(a, "bg", hours=0, minutes=5)["scheduleID"]
    due = runs(a, sid)["nextRun"]
    a.session.post(f"{a.url}/sim/clock", json={"advance": due - a.clock()["now"] - 2},
                   timeout=10)
    assert runs(a, sid)["runs"] == 0
    assert wait_for(lambda: runs(a, sid)["runs"] == 1, timeout=10)
