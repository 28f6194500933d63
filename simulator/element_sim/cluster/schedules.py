"""Snapshot schedules (CreateSchedule, ModifySchedule, ListSchedules, GetSchedule), running them
on the simulated clock, and retention expiry.

A schedule record is the documented schedule object plus "sim", the simulator's bookkeeping
(never rendered): when it runs next, how often it ran, missed windows, injected failures.
Nothing ticks: what is due (schedule runs, expired snapshots) is settled by settle_timers(),
which the background loop calls every 0.25 s, the server calls before a client's request when
something is due, and /sim/clock calls for every cluster right after moving time forward, so a
test that advances the clock sees the result as soon as the advance is answered.

When runs are due:
* "Time Interval": every hours:minutes from startingDate (or the creation time), the first
  one interval after it;
* "Days Of Week" / "Days Of Month": at hours:minutes UTC on the days listed, from startingDate.
Every run time is rounded up to a five-minute boundary, as the docs say Element does. A run
that finds several of its windows passed (a large clock jump) runs once, at the time it runs,
and counts the others as missed. A paused schedule has no next run; resuming plans the next
one from then on (nothing is made up for the paused time).
"""

import heapq
import math
from datetime import datetime, timedelta, timezone

from .. import clock
from ..errors import ElementError, InjectedError
from ..rpc import coerce, method, opt, req
from .groupsnapshots import check_group_volumes, take_group_snapshot
from .model import LIMITS, volume_or_error
from .render import render_schedule
from .snapshots import deliver_pending_snapshots, parse_retention, take_snapshot
from .state import iso_at, parse_iso

GRANULARITY = 300  # Element runs schedules at five-minute boundaries
TIME_INTERVAL, DAYS_OF_WEEK, DAYS_OF_MONTH = "Time Interval", "Days Of Week", "Days Of Month"
FREQUENCIES = {f.lower(): f for f in (TIME_INTERVAL, DAYS_OF_WEEK, DAYS_OF_MONTH)}
MAX_INTERVAL_HOURS = 366 * 24
SEARCH_DAYS = 400  # how far ahead a day-based schedule's next run is looked for
MISSED_COUNT_MAX = 100000  # missed windows counted on one jump, at most
DEFAULT_RUN_ERROR = "xScheduleRunFailed"
INFO_TYPES = {"volumeID": int, "volumes": [int], "name": str, "enableRemoteReplication": bool,
              "retention": str, "ensureSerialCreation": bool, "snapMirrorLabel": str}

SCHEDULE_PARAMS = dict(
    attributes=opt(dict), hours=opt(int), minutes=opt(int), weekdays=opt([dict]),
    monthdays=opt([int]), paused=opt(bool), recurring=opt(bool), runNextInterval=opt(bool),
    startingDate=opt(str), snapMirrorLabel=opt(str), hasError=opt(bool),
    lastRunStatus=opt(str), toBeDeleted=opt(bool), name=opt(str))


def schedule_or_error(cluster, schedule_id):
    schedule = cluster.schedules.get(schedule_id)
    if schedule is None:
        raise ElementError("xScheduleDoesNotExist", f"ScheduleID {schedule_id} does not exist.")
    return schedule


def _invalid(message):
    return ElementError("xInvalidParameter", message)


def _ceil_boundary(t):
    return math.ceil(t / GRANULARITY - 1e-9) * GRANULARITY


# ---- validation -----------------------------------------------------------------------------

def _check_frequency(schedule):
    frequency = schedule["attributes"].get("frequency")
    canonical = FREQUENCIES.get(frequency.strip().lower()) if isinstance(frequency, str) else None
    if canonical is None:
        raise ElementError("xInvalidScheduleFrequency",
                           f"attributes.frequency {frequency!r} is not one of "
                           f"{', '.join(FREQUENCIES.values())}.")
    schedule["attributes"]["frequency"] = canonical
    hours, minutes = schedule["hours"], schedule["minutes"]
    if not 0 <= minutes <= 59:
        raise _invalid(f"minutes {minutes} is not 0-59.")
    if canonical == TIME_INTERVAL:
        # Any number of hours: the official SDK sends days * 24 + hours, and reads days back
        # as hours // 24.
        if not 0 <= hours <= MAX_INTERVAL_HOURS:
            raise _invalid(f"hours {hours} is not 0-{MAX_INTERVAL_HOURS}.")
        if hours * 60 + minutes < GRANULARITY // 60:
            raise _invalid("A schedule cannot run at intervals of less than 5 minutes.")
        return
    if not 0 <= hours <= 23:
        raise _invalid(f"hours {hours} is not 0-23.")
    if canonical == DAYS_OF_WEEK:
        if not schedule["weekdays"]:
            raise _invalid("weekdays is required for Days Of Week.")
        days = []
        for entry in schedule["weekdays"]:
            day = coerce("weekdays.day", entry.get("day"), int) if "day" in entry else None
            offset = coerce("weekdays.offset", entry.get("offset", 1), int)
            if day is None or not 0 <= day <= 6 or not 0 <= offset <= 6:
                raise _invalid(f"weekdays entry {entry} needs day 0-6 and offset 0-6.")
            days.append({"day": day, "offset": offset})
        schedule["weekdays"] = days
    else:
        if not schedule["monthdays"]:
            raise _invalid("monthdays is required for Days Of Month.")
        for day in schedule["monthdays"]:
            if not 1 <= day <= 31:
                raise _invalid(f"monthdays {day} is not 1-31.")


def _check_info(cluster, schedule):
    given = schedule["scheduleInfo"]
    info = {}
    for key, typ in INFO_TYPES.items():
        if given.get(key) is not None:
            info[key] = coerce(f"scheduleInfo.{key}", given[key], typ)
    if ("volumeID" in info) == ("volumes" in info):
        raise _invalid("scheduleInfo needs exactly one of volumeID and volumes.")
    if "volumes" in info:
        check_group_volumes(cluster, info["volumes"])
    else:
        volume_or_error(cluster, info["volumeID"])
    if info.get("retention"):
        parse_retention(info["retention"])
    name = info.get("name")
    if name is not None and len(name) > LIMITS["scheduleNameLengthMax"]:
        raise _invalid("scheduleInfo.name is too long.")
    schedule["scheduleInfo"] = info


def _check(cluster, schedule):
    """Validate (and normalise) a whole schedule record before it is stored."""
    if schedule["scheduleType"].strip().lower() != "snapshot":
        raise ElementError("xUnrecognizedEnumString", schedule["scheduleType"])
    schedule["scheduleType"] = "Snapshot"
    name = schedule["scheduleName"]
    if not name or len(name) > LIMITS["scheduleNameLengthMax"]:
        raise _invalid(f"scheduleName must be 1-{LIMITS['scheduleNameLengthMax']} characters.")
    for other in cluster.schedules.values():
        if other["scheduleName"] == name and other["scheduleID"] != schedule["scheduleID"]:
            raise ElementError("xDuplicateScheduleName",
                               f"A schedule named {name!r} already exists "
                               f"(scheduleID {other['scheduleID']}).")
    _check_frequency(schedule)
    _check_info(cluster, schedule)
    if schedule["startingDate"] is not None and parse_iso(schedule["startingDate"]) is None:
        raise _invalid(f"startingDate {schedule['startingDate']!r} is not an ISO 8601 date.")


def _apply(schedule, p):
    """Copy the given parameters onto the record (validation follows)."""
    for key in ("hours", "minutes", "weekdays", "monthdays", "paused", "recurring",
                "runNextInterval", "startingDate", "snapMirrorLabel", "scheduleName",
                "scheduleType"):
        if key in p:
            schedule[key] = p[key]
    if "attributes" in p:
        schedule["attributes"] = dict(p["attributes"])
    if "scheduleInfo" in p:
        schedule["scheduleInfo"] = dict(p["scheduleInfo"])
    if "name" in p:  # the docs list the snapshot name at the top level too
        schedule["scheduleInfo"]["name"] = p["name"]


# ---- when it runs ---------------------------------------------------------------------------

def _anchor(schedule):
    start = parse_iso(schedule["startingDate"])
    return start if start is not None else schedule["sim"]["createdAt"]


def _day_matches(schedule, day):
    if schedule["attributes"]["frequency"] == DAYS_OF_MONTH:
        return day.day in schedule["monthdays"]
    element_day = (day.weekday() + 1) % 7  # Element: 0 is Sunday
    occurrence = (day.day - 1) // 7 + 1
    return any(entry["day"] == element_day and entry["offset"] != 0
               and entry["offset"] in (1, occurrence) for entry in schedule["weekdays"])


def due_after(schedule, after):
    """The first window of the schedule's frequency strictly after `after` (ignoring paused,
    recurring and runNextInterval), or None."""
    start = _anchor(schedule)
    if schedule["attributes"]["frequency"] == TIME_INTERVAL:
        period = schedule["hours"] * 3600 + schedule["minutes"] * 60
        k = max(1, math.floor((after - start) / period))
        while _ceil_boundary(start + k * period) <= after:
            k += 1
        return _ceil_boundary(start + k * period)
    time_of_day = schedule["hours"] * 3600 + schedule["minutes"] * 60
    earliest = max(after, start - 1)
    day = datetime.fromtimestamp(earliest, timezone.utc).replace(hour=0, minute=0, second=0,
                                                                 microsecond=0)
    for _ in range(SEARCH_DAYS):
        if _day_matches(schedule, day):
            t = _ceil_boundary(day.timestamp() + time_of_day)
            if t > after and t >= start:
                return t
        day += timedelta(days=1)
    return None


def plan_next(schedule, now):
    """Set the record's next run from `now` (the caller saves it)."""
    sim = schedule["sim"]
    if schedule["paused"]:
        sim["nextRun"] = None
    elif schedule["runNextInterval"]:
        sim["nextRun"] = math.floor(now / GRANULARITY) * GRANULARITY + GRANULARITY
    elif not schedule["recurring"] and sim["runs"]:
        sim["nextRun"] = None
    else:
        sim["nextRun"] = due_after(schedule, now)


def _windows_missed(schedule, due, now):
    """How many more windows than the one at `due` passed by `now`."""
    if schedule["runNextInterval"] or not schedule["recurring"]:
        return 0
    if schedule["attributes"]["frequency"] == TIME_INTERVAL:
        period = schedule["hours"] * 3600 + schedule["minutes"] * 60
        return max(0, math.floor((now - due) / period))
    missed, t = 0, due_after(schedule, due)
    while t is not None and t <= now and missed < MISSED_COUNT_MAX:
        missed += 1
        t = due_after(schedule, t)
    return missed


# ---- running --------------------------------------------------------------------------------

def _run(cluster, schedule, due, now):
    """One run: the snapshot (or group snapshot) and the run's outcome. Lock held; returns
    the IDs of the snapshots made."""
    sim = schedule["sim"]
    info = schedule["scheduleInfo"]
    made = []
    try:
        if sim["failNext"] > 0:
            sim["failNext"] -= 1
            raise InjectedError(sim["failError"] or DEFAULT_RUN_ERROR, sim["failMessage"])
        expiration = (iso_at(now + parse_retention(info["retention"]))
                      if info.get("retention") else None)
        label = schedule.get("snapMirrorLabel") or info.get("snapMirrorLabel") or ""
        args = (info.get("name"), None, expiration, label,
                info.get("enableRemoteReplication", False),
                info.get("ensureSerialCreation", False))
        if "volumes" in info:
            group = take_group_snapshot(cluster, info["volumes"], *args)
            made = list(group["members"])
            sim["lastGroupSnapshotID"] = group["groupSnapshotID"]
        else:
            made = [take_snapshot(cluster, info["volumeID"], *args)["snapshotID"]]
        sim["lastSnapshotIDs"] = made
        schedule.update(lastRunStatus="Success", hasError=False)
        sim["lastError"] = None
    except ElementError as exc:
        schedule.update(lastRunStatus="Failed", hasError=True)
        sim["lastError"] = exc.to_json()
    sim["missedRuns"] += _windows_missed(schedule, due, now)
    sim["runs"] += 1
    sim["lastRunAt"] = now
    schedule["lastRunTimeStarted"] = iso_at(now)
    schedule["runNextInterval"] = False
    plan_next(schedule, now)
    cluster.save_schedule(schedule)
    return made


def _expire(cluster, now):
    heap = cluster.expiry_heap
    while heap and heap[0][0] <= now:
        due, sid = heapq.heappop(heap)
        snap = cluster.snapshots.get(sid)
        # An entry is stale when the expiration was changed or cleared since it was pushed.
        if snap is not None and parse_iso(snap["expirationTime"]) == due:
            cluster.remove_snapshot(snap)  # also leaves (and empties) its group


def _run_due(cluster, now):
    heap = cluster.schedule_heap
    made = []
    while heap and heap[0][0] <= now:
        due, schedule_id = heapq.heappop(heap)
        schedule = cluster.schedules.get(schedule_id)
        if schedule is None or schedule["sim"]["nextRun"] != due:
            continue  # replanned or deleted since
        made += _run(cluster, schedule, due, now)
    return made


def settle_timers(cluster, now=None):
    """Expire the snapshots whose expirationTime passed, then run the schedules that are due,
    and deliver what they made. Called without the lock."""
    sim = cluster.sim
    now = clock.now() if now is None else now
    with sim.transaction():
        _expire(cluster, now)
        made = _run_due(cluster, now)
    if made:
        deliver_pending_snapshots(cluster, made)


def schedule_runs(cluster):
    """The /sim/schedules view: each schedule's bookkeeping."""
    answer = []
    for schedule in cluster.schedules.values():
        sim = schedule["sim"]
        answer.append({
            "scheduleID": schedule["scheduleID"], "scheduleName": schedule["scheduleName"],
            "paused": schedule["paused"], "nextRun": sim["nextRun"],
            "nextRunTime": iso_at(sim["nextRun"]) if sim["nextRun"] is not None else None,
            "runs": sim["runs"], "missedRuns": sim["missedRuns"],
            "lastRunAt": sim["lastRunAt"], "lastError": sim["lastError"],
            "lastSnapshotIDs": sim["lastSnapshotIDs"],
            "lastGroupSnapshotID": sim["lastGroupSnapshotID"], "failNext": sim["failNext"]})
    return answer


def fail_next_runs(cluster, schedule_id, count, error=None, message=None):
    """The next `count` runs of the schedule fail (lastRunStatus "Failed"), with `error`."""
    schedule = cluster.schedules.get(schedule_id)
    if schedule is None:
        raise LookupError(f"no schedule {schedule_id} on this cluster")
    schedule["sim"].update(failNext=count, failError=error, failMessage=message)
    cluster.save_schedule(schedule)
    return schedule["sim"]["failNext"]


# ---- API methods ----------------------------------------------------------------------------

@method("CreateSchedule", since=8.0, scheduleName=req(str), scheduleType=req(str),
        scheduleInfo=req(dict), **SCHEDULE_PARAMS)
def create_schedule(cluster, p, call):
    now = clock.now()
    schedule = {
        "attributes": {}, "hasError": False, "hours": 0, "lastRunStatus": "Success",
        "lastRunTimeStarted": None, "minutes": 0, "monthdays": [], "paused": False,
        "recurring": True, "runNextInterval": False, "scheduleID": 0, "scheduleInfo": {},
        "scheduleName": "", "scheduleType": "", "snapMirrorLabel": None, "startingDate": None,
        "toBeDeleted": False, "weekdays": [],
        "sim": {"createdAt": now, "nextRun": None, "runs": 0, "missedRuns": 0,
                "lastRunAt": None, "lastError": None, "lastSnapshotIDs": [],
                "lastGroupSnapshotID": None, "failNext": 0, "failError": None,
                "failMessage": None},
    }
    _apply(schedule, p)
    _check(cluster, schedule)
    schedule["scheduleID"] = cluster.allocate_id("schedule")
    plan_next(schedule, now)
    cluster.add_schedule(schedule)
    return {"schedule": render_schedule(schedule), "scheduleID": schedule["scheduleID"]}


@method("ModifySchedule", since=8.0, scheduleID=req(int), scheduleName=opt(str),
        scheduleType=opt(str), scheduleInfo=opt(dict), **SCHEDULE_PARAMS)
def modify_schedule(cluster, p, call):
    """toBeDeleted: true deletes the schedule (it is gone from ListSchedules at once)."""
    schedule = schedule_or_error(cluster, p["scheduleID"])
    if p.get("toBeDeleted"):
        cluster.remove_schedule(schedule)
        return {"schedule": dict(render_schedule(schedule), toBeDeleted=True)}
    candidate = {k: (dict(v) if isinstance(v, dict) else v) for k, v in schedule.items()}
    candidate["sim"] = dict(schedule["sim"])
    _apply(candidate, p)
    _check(cluster, candidate)
    schedule.clear()
    schedule.update(candidate)
    plan_next(schedule, clock.now())
    cluster.save_schedule(schedule)
    return {"schedule": render_schedule(schedule)}


@method("ListSchedules", since=8.0)
def list_schedules(cluster, p, call):
    return {"schedules": [render_schedule(s) for s in cluster.schedules.values()]}


@method("GetSchedule", since=8.0, scheduleID=req(int))
def get_schedule(cluster, p, call):
    return {"schedule": render_schedule(schedule_or_error(cluster, p["scheduleID"]))}
