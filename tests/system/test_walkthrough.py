# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Issue 24, item 8: the guide's walkthrough on the shipped example (playbooks/inventory/simulator),
right after setup. Its SnapshotsOnly pair waits for the first run of its hourly replicated schedule:
the audit says so without failing, until the schedule is late."""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone

import pytest

from element_sim.harness import SimulatorProcess
from helpers import REPO, mutating, volume_named

EXAMPLE = REPO / "playbooks" / "inventory" / "simulator"


@pytest.fixture
def example(tmp_path):
    """A simulator with the example's clusters: prod-east and prod-west replicate to dr, 8 volumes each."""
    sim = SimulatorProcess(tmp_path / "sim", clusters=3, volumes=8, names=["prod-east", "prod-west", "dr"]).start()
    yield sim
    sim.stop()


def test_the_walkthrough_audits_clean_right_after_setup(example, ansible, tmp_path):
    def run(name, *args, check=False):
        return ansible.playbook(None, playbook_path=REPO / "playbooks" / name, inventory=example.inventory_file,
                                check=check, extra_args=["-i", str(EXAMPLE)] + list(args))

    reports = tmp_path / "reports"
    setup = run("dr_setup.yml")
    assert setup.rc == 0, setup
    east, dr = example.cluster("prod-east"), example.cluster("dr")
    assert not dr.call("ListSnapshots", volumeID=volume_named(dr, "vol-0004")["volumeID"])["snapshots"]

    audit = run("drift_audit.yml", "-e", "replication_audit_report_dir=%s" % reports)
    assert audit.rc == 0, audit
    report = json.loads((reports / "replication-audit.json").read_text())
    waiting = [v for p in report["cluster_pairs"] for v in p["volume_pairs"]
               if any(f["code"] == "first_snapshot_pending" for f in v["findings"])]
    assert [(v["source_volume"], v["drift"]) for v in waiting] == [("vol-0004", False)]
    # The schedule has not run yet: its first run is one interval after its startingDate (the cluster's
    # clock when it was made), on a five-minute boundary.
    (schedule,) = east.call("ListSchedules")["schedules"]
    start = datetime.strptime(schedule["startingDate"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()
    first = datetime.fromtimestamp(math.ceil((start + 3600) / 300) * 300, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert "vol-0004 on prod-east is waiting for its first replicated snapshot (next run at %s)" % first in \
        audit.stdout, audit.stdout[-3000:]

    for cluster in example.clusters:
        cluster.clear_calls()
    rehearsal = run("dr_rehearsal.yml", "-e", "dr_rehearsal_name=walk", "-e",
                    "dr_rehearsal_report_dir=%s" % reports, check=True)
    assert rehearsal.rc == 0, rehearsal  # needs the rehearsal's skip of pending pairs (branch i24b)
    assert [c.name for c in example.clusters if mutating(c)] == []

    # Once the schedule does not run, no snapshot having arrived is drift again.
    east.call("ModifySchedule", scheduleID=schedule["scheduleID"], paused=True)
    late = run("drift_audit.yml", "-e", "replication_audit_report_dir=%s" % reports)
    assert late.rc == 2, late
