# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What one cluster's state answers: the volumes by ID, by name and by the volume their pair points at."""

from __future__ import annotations

from ansible_collections.element.replication.tests.unit.plugins.module_utils.builders import (
    DR, cluster, pair_entry, pending_pair_entry, volume)


def dr_with_targets():
    return cluster(DR, volumes=[
        volume(11, "db01-copy", access="replicationTarget", pair=pair_entry(7, 1, "db01")),
        volume(12, "logs", access="replicationTarget", pair=pair_entry(7, 2, "logs", uuid="vp-2")),
        volume(13, "db01", pair=pending_pair_entry()),  # started, never completed: points nowhere
        volume(14, "scratch"),
    ])


def test_a_volume_is_found_by_the_id_its_pair_points_at():
    assert [v.volume_id for v in dr_with_targets().volumes_paired_with(remote_volume_id=2)] == [12]


def test_the_id_wins_over_the_name_when_both_are_given():
    assert [v.volume_id for v in dr_with_targets().volumes_paired_with(2, "db01")] == [12]


def test_a_volume_is_found_by_the_name_its_pair_points_at_not_by_its_own_name():
    state = dr_with_targets()
    assert [v.volume_id for v in state.volumes_paired_with(remote_volume_name="db01")] == [11]
    assert state.volumes_paired_with(remote_volume_name="db01-copy") == []


def test_pending_and_unpaired_volumes_point_at_nothing():
    state = dr_with_targets()
    assert state.volumes_paired_with(remote_volume_id=0) == []
    assert state.volumes_paired_with(remote_volume_name="") == []
    assert state.volumes_paired_with(remote_volume_id=99) == []
