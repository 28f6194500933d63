# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Element's vocabulary: steady states, modes, pairing keys, limits, chunking, the volume resolver."""

from __future__ import annotations

import json

import pytest

from ansible_collections.element.replication.plugins.module_utils import _element as element
from ansible_collections.element.replication.plugins.module_utils._element import (
    HALVES, MODIFY_VOLUMES_CHUNK, ONE_SIDED_SOURCE, ONE_SIDED_TARGET, PAIRED, UNRELATED, Finding, Problem,
    canonical_mode, chunks, decode_key, finding, key_credentials, key_field, match_pair, pair_relation, paused_flags, redact_params,
    refuse_over_pair_limit, resolve_volume, steady_states)
from ansible_collections.element.replication.plugins.module_utils._errors import Refusal
from ansible_collections.element.replication.tests.unit.plugins.module_utils.builders import (
    DR, PROD, account, cluster, cluster_pair, pair_entry, paired_clusters, pending_cluster_pair, volume)


def key(**fields):
    return json.dumps(fields).encode("utf-8").hex()


# ---- steady state and modes ------------------------------------------------------------------

@pytest.mark.parametrize("mode", element.MODES)
def test_the_steady_state_is_active_on_both_sides_in_every_mode(mode):
    assert steady_states(False) == ("Active", "Active")


def test_a_declared_pause_is_paused_on_the_source_side():
    assert steady_states(True) == ("PausedManual", "PausedManualRemote")


def test_the_steady_states_count_as_flowing_or_as_manual_pauses():
    assert set(steady_states(False)) <= element.FLOWING_STATES
    assert set(steady_states(True)) == element.MANUAL_PAUSES


@pytest.mark.parametrize("given, mode", [("async", "Async"), ("SYNC", "Sync"), ("snapshotsonly", "SnapshotsOnly"),
                                         ("Async", "Async"), ("sync-ish", None), (None, None)])
def test_modes_in_any_case_become_the_api_s_spelling(given, mode):
    assert canonical_mode(given) == mode


@pytest.mark.parametrize("source_state, target_state, flags", [
    ("Active", "Active", (False, False)),
    ("PausedManual", "PausedManualRemote", (True, False)),
    ("PausedManualRemote", "PausedManual", (False, True)),
    ("PausedManual", "PausedManual", (True, True)),
])
def test_paused_flags_read_either_side(source_state, target_state, flags):
    assert paused_flags(pair_entry(1, 2, state=source_state), pair_entry(7, 1, state=target_state)) == flags


# ---- pairing keys ------------------------------------------------------------------------------

def test_a_key_decodes_to_its_fields_and_spaces_around_it_do_not_matter():
    text = "  %s\n" % key(clusterPairID=3, mvip="10.0.0.1", username="admin", password="pw12")
    assert decode_key(text, ("clusterPairID", "mvip")) == {
        "clusterPairID": 3, "mvip": "10.0.0.1", "username": "admin", "password": "pw12"}
    assert key_field(text, "mvip") == "10.0.0.1"
    assert key_credentials(text) == ["admin", "pw12"]


@pytest.mark.parametrize("bad", ["zz-not-hex", "abc", json.dumps([1]).encode().hex(), None, b"\xff\xfe".hex()])
def test_an_unreadable_key_is_refused_without_quoting_it(bad):
    with pytest.raises(Refusal) as info:
        decode_key(bad)
    assert "not a valid Element pairing key" in str(info.value)
    if isinstance(bad, str) and len(bad) > 3:
        assert bad not in str(info.value)
    assert key_field(bad, "mvip") is None and key_credentials(bad) == []


def test_a_key_without_the_required_fields_is_refused():
    with pytest.raises(Refusal, match="fields missing"):
        decode_key(key(mvip="x"), element.VOLUME_KEY_FIELDS)


def test_redaction_masks_secret_parameters_only():
    assert redact_params({"volumePairingKey": "k", "password": "p", "volumeID": 1}) == {
        "volumePairingKey": element.REDACTED, "password": element.REDACTED, "volumeID": 1}
    assert redact_params(None) == {}


# ---- limits and chunking -----------------------------------------------------------------------

@pytest.mark.parametrize("count, sizes", [(0, []), (1, [1]), (500, [500]), (501, [500, 1]), (1200, [500, 500, 200])])
def test_modify_volumes_chunks_at_500(count, sizes):
    items = list(range(count))
    parts = chunks(items)
    assert [len(p) for p in parts] == sizes
    assert [i for p in parts for i in p] == items
    assert MODIFY_VOLUMES_CHUNK == 500


def test_a_fifth_cluster_pair_is_refused_and_pending_pairs_count():
    three = cluster(PROD, [cluster_pair(1, DR), cluster_pair(2, DR, uuid="x"), pending_cluster_pair(3)])
    refuse_over_pair_limit(three)  # a fourth fits
    four = cluster(PROD, list(three.cluster_pairs) + [pending_cluster_pair(4)])
    with pytest.raises(Refusal, match="maximum of 4 cluster pairs"):
        refuse_over_pair_limit(four)
    refuse_over_pair_limit(four, removed=1)  # one replaced


# ---- two clusters, two volumes ---------------------------------------------------------------------

def test_clusters_match_by_identity_and_uuid_and_connected_needs_both_sides():
    a, b = paired_clusters()
    match = match_pair(a, b)
    assert match.paired and match.connected and match.local.pair_id == 1 and match.peer.pair_id == 7
    a, b = paired_clusters(status="Disconnected")
    assert match_pair(a, b).paired and not match_pair(a, b).connected


def test_entries_with_different_uuids_are_stale_halves():
    a = cluster(PROD, [cluster_pair(1, DR, uuid="one")])
    b = cluster(DR, [cluster_pair(7, PROD, uuid="two")])
    match = match_pair(a, b)
    assert not match.paired and [e.pair_id for e in match.stale_local] == [1] and \
        [e.pair_id for e in match.stale_peer] == [7]


def _relation(source_pair, target_pair):
    a, b = paired_clusters([volume(10, "db", pair=source_pair)],
                           [volume(40, "db", access="replicationTarget", pair=target_pair)])
    return pair_relation(match_pair(a, b), a.volumes[0], b.volumes[0])


def test_pair_relations():
    assert _relation(pair_entry(1, 40, uuid="u"), pair_entry(7, 10, uuid="u")) == PAIRED
    assert _relation(pair_entry(1, 40, uuid="u"), pair_entry(7, 10, uuid="v")) == HALVES
    assert _relation(pair_entry(1, 40), None) == ONE_SIDED_SOURCE
    assert _relation(None, pair_entry(7, 10)) == ONE_SIDED_TARGET
    assert _relation(pair_entry(1, 99), pair_entry(7, 10)) == UNRELATED  # the source points elsewhere
    assert _relation(None, None) == UNRELATED


# ---- the volume resolver ------------------------------------------------------------------------------

ACCOUNTS = [account(1, "tenant1"), account(2, "tenant2")]


def state(*volumes, deleted=()):
    return cluster(PROD, (), volumes, accounts=ACCOUNTS, deleted=deleted)


def test_resolve_by_name_and_by_id():
    here = state(volume(10, "db01"), volume(11, "db02"))
    assert resolve_volume(here, None, "db02", None, "source")[0].volume_id == 11
    assert resolve_volume(here, 10, None, None, "source")[0].name == "db01"


def test_a_name_in_two_accounts_is_ambiguous_until_the_account_is_given():
    here = state(volume(10, "db01", account=1), volume(11, "db01", account=2))
    found, problem = resolve_volume(here, None, "db01", None, "source")
    assert found is None and problem.code == Problem.AMBIGUOUS and "IDs 10, 11" in problem
    assert resolve_volume(here, None, "db01", "tenant2", "source")[0].volume_id == 11
    assert resolve_volume(here, None, "db01", "1", "source")[0].volume_id == 10


def test_an_id_in_another_account_is_refused():
    found, problem = resolve_volume(state(volume(10, "db01", account=1)), 10, None, "tenant2", "target")
    assert found is None and problem.code == Problem.WRONG_ACCOUNT


def test_a_deleted_volume_is_named_as_restorable_not_missing():
    here = state(deleted=[volume(10, "db01", status="deleted")])
    found, problem = resolve_volume(here, None, "db01", None, "source")
    assert found is None and problem.code == Problem.DELETED and "RestoreDeletedVolume" in problem


def test_missing_volume_and_missing_account():
    assert resolve_volume(state(), None, "db01", None, "source")[1].code == Problem.NOT_FOUND
    assert resolve_volume(state(), 99, None, None, "source")[1].code == Problem.NOT_FOUND
    problem = resolve_volume(state(volume(10, "db01")), None, "db01", "nobody", "source")[1]
    assert problem.code == Problem.NOT_FOUND and "account 'nobody'" in problem


# The codes are in reports, results and the event source's events: their strings never change.
CODES = {
    "CLUSTER_PAIR_ABSENT": "cluster_pair_absent", "CLUSTER_PAIR_PENDING": "cluster_pair_pending",
    "CLUSTER_PAIR_ONE_SIDED": "cluster_pair_one_sided", "CLUSTER_PAIR_NOT_CONNECTED": "cluster_pair_not_connected",
    "CLUSTER_PAIR_DUPLICATE": "cluster_pair_duplicate", "VOLUME_PAIR_PENDING": "volume_pair_pending",
    "VOLUME_PAIR_ONE_SIDED": "volume_pair_one_sided", "MODE_DIFFERS": "mode_differs",
    "PAUSED_BY_HAND": "paused_by_hand", "WRONG_ACCESS": "wrong_access", "TARGET_SMALLER": "target_smaller",
    "DISCONNECTED": "disconnected", "STATE": "state", "RPO_BREACHED": "rpo_breached", "LAG_UNKNOWN": "lag_unknown",
    "NO_REPLICATED_SNAPSHOT": "no_replicated_snapshot", "FIRST_SNAPSHOT_PENDING": "first_snapshot_pending",
    "NO_REPLICATED_SCHEDULE": "no_replicated_schedule", "SCHEDULE_FAILED": "schedule_failed",
    "SCHEDULE_LATE": "schedule_late", "DECLARED_PAUSED": "declared_paused", "NOT_PAIRED": "not_paired",
    "MODE_NOT_AS_DECLARED": "mode_not_as_declared", "NOT_DECLARED": "not_declared",
    "DECLARED_ABSENT": "declared_absent", "CHECK_FAILED": "check_failed",
}


def test_finding_codes_keep_their_strings():
    assert {code.name: code.value for code in Finding} == CODES


def test_a_finding_code_is_its_string_wherever_it_goes():
    code = Finding.RPO_BREACHED
    assert code == "rpo_breached" and "rpo_breached" == code
    assert code in {"rpo_breached"} and "rpo_breached" in {code} and "rpo_breached" in (Finding.RPO_BREACHED,)
    assert "%s" % code == "{}".format(code) == f"{code}" == str(code) == "rpo_breached"
    assert json.dumps({"code": code}) == '{"code": "rpo_breached"}'


def test_a_finding_carries_the_plain_string_not_the_member():
    found = finding(Finding.LAG_UNKNOWN, "the lag of db01 is unknown")
    assert found == {"code": "lag_unknown", "text": "the lag of db01 is unknown"}
    assert found["code"].__class__ is str  # not the enum member
