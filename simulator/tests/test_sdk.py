"""The official solidfire-sdk-python, unmodified, against the simulator: every response must
parse into the SDK's models (enums, UUIDs, CHAP secrets, version strings)."""

import uuid
import warnings

import pytest

solidfire = pytest.importorskip(
    "solidfire", reason="solidfire-sdk-python is not installed (pip install "
                        "solidfire-sdk-python==12.3.0.203)")
from solidfire.common import ApiServerError  # noqa: E402
from solidfire.factory import ElementFactory  # noqa: E402

GIB = 1024 ** 3


@pytest.fixture(scope="module")
def elements(shared_sim):
    """An SDK client per cluster, as the Ansible collection creates them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # verify_ssl=False warns on every request
        clients = [ElementFactory.create(f"127.0.0.1:{c.port}", c.username, c.password,
                                         verify_ssl=False, print_ascii_art=False)
                   for c in shared_sim.clusters]
    return clients


@pytest.fixture(autouse=True)
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def test_factory_connects_at_the_current_version(shared_sim, elements):
    c1 = shared_sim.clusters[0]
    calls = [(c["method"]) for c in c1.calls()]
    assert "GetAPI" in calls  # the factory's first call, on /json-rpc/7.0
    assert elements[0].api_version == 12.5


def test_cluster_level_reads(shared_sim, elements):
    sdk = elements[0]
    api = sdk.get_api()
    assert float(api.current_version) == 12.5 and "12.5" in api.supported_versions
    info = sdk.get_cluster_info().cluster_info
    assert info.name == shared_sim.clusters[0].name and info.unique_id == shared_sim.clusters[0].unique_id
    assert isinstance(info.uuid, uuid.UUID)
    assert str(info.default_protection_scheme) == "doubleHelix"
    limits = sdk.get_limits()
    assert limits.cluster_pairs_count_max == 4 and limits.clone_jobs_per_volume_max == 2
    capacity = sdk.get_cluster_capacity().cluster_capacity  # every member is required here
    assert capacity.max_provisioned_space > capacity.provisioned_space > 0
    account = sdk.add_account(username="sdk-user").account
    listed = {a.account_id: a for a in sdk.list_accounts().accounts}
    assert listed[account.account_id].username == "sdk-user"
    assert str(listed[account.account_id].initiator_secret)


def test_replication_end_to_end(elements):
    src, dst = elements
    started = src.start_cluster_pairing()
    completed = dst.complete_cluster_pairing(cluster_pairing_key=started.cluster_pairing_key)
    (src_pair,) = src.list_cluster_pairs().cluster_pairs
    (dst_pair,) = dst.list_cluster_pairs().cluster_pairs
    assert src_pair.cluster_pair_id == started.cluster_pair_id
    assert dst_pair.cluster_pair_id == completed.cluster_pair_id
    assert src_pair.status == dst_pair.status == "Connected"
    assert src_pair.cluster_pair_uuid == dst_pair.cluster_pair_uuid
    assert isinstance(src_pair.cluster_pair_uuid, uuid.UUID)
    assert src_pair.cluster_uuid == dst.get_cluster_info().cluster_info.unique_id

    account_id = src.add_account(username="sdk-rep").account_id
    dst_account = dst.add_account(username="sdk-rep").account_id
    src_vol = src.create_volume(name="sdk-src", account_id=account_id, total_size=GIB,
                                enable512e=True).volume_id
    dst_vol = dst.create_volume(name="sdk-dst", account_id=dst_account, total_size=GIB,
                                enable512e=True).volume_id
    key = src.start_volume_pairing(volume_id=src_vol, mode="async").volume_pairing_key
    modified = dst.modify_volume(volume_id=dst_vol, access="replicationTarget").volume
    assert str(modified.access) == "replicationTarget"
    dst.complete_volume_pairing(volume_pairing_key=key, volume_id=dst_vol)

    (paired,) = [v for v in src.list_active_paired_volumes().volumes if v.volume_id == src_vol]
    (entry,) = paired.volume_pairs
    assert entry.remote_volume_id == dst_vol and entry.remote_volume_name == "sdk-dst"
    assert entry.remote_replication.state == "Active"
    assert entry.remote_replication.mode == "Async"
    assert isinstance(entry.volume_pair_uuid, uuid.UUID)
    (listed,) = dst.list_volumes(volume_ids=[dst_vol], is_paired=True).volumes
    assert listed.volume_pairs[0].remote_volume_id == src_vol
    assert dst.list_volumes(volume_ids=[dst_vol], is_paired=False).volumes == []

    src.modify_volume_pair(volume_id=src_vol, paused_manual=True, mode="Sync")
    (target_view,) = dst.list_volumes(volume_ids=[dst_vol]).volumes
    assert target_view.volume_pairs[0].remote_replication.state == "PausedManualRemote"
    assert target_view.volume_pairs[0].remote_replication.mode == "Sync"
    src.modify_volume_pair(volume_id=src_vol, paused_manual=False)

    snap = src.create_snapshot(volume_id=src_vol, name="sdk-snap",
                               enable_remote_replication=True).snapshot
    (status,) = src.list_snapshots(volume_id=src_vol).snapshots[0].remote_statuses
    assert str(status.remote_status) == "Present" and status.volume_pair_uuid == entry.volume_pair_uuid
    (copy,) = dst.list_snapshots(volume_id=dst_vol).snapshots
    assert copy.snapshot_uuid == snap.snapshot_uuid

    src.remove_volume_pair(volume_id=src_vol)
    dst.remove_volume_pair(volume_id=dst_vol)
    assert src.list_volumes(volume_ids=[src_vol]).volumes[0].volume_pairs == []
    src.remove_cluster_pair(cluster_pair_id=started.cluster_pair_id)
    dst.remove_cluster_pair(cluster_pair_id=completed.cluster_pair_id)
    assert src.list_cluster_pairs().cluster_pairs == []


def test_errors_surface_as_api_server_errors(elements):
    with pytest.raises(ApiServerError) as info:
        elements[0].get_account_by_id(account_id=999999)
    assert info.value.error_name == "xUnknownAccount" and info.value.error_code == 500
    with pytest.raises(ApiServerError) as info:
        elements[0].remove_cluster_pair(cluster_pair_id=31337)
    assert info.value.error_name == "xPairingDoesNotExist"


def test_bad_credentials_are_reported_as_such(shared_sim):
    from solidfire.common import ApiConnectionError
    c1 = shared_sim.clusters[0]
    with pytest.raises(ApiConnectionError) as info:
        ElementFactory.create(f"127.0.0.1:{c1.port}", c1.username, "wrong-password",
                              verify_ssl=False, print_ascii_art=False)
    assert "Bad Credentials" in str(info.value)


def test_clone_end_to_end(shared_sim, elements):
    sdk = elements[0]
    harness = shared_sim.clusters[0]
    harness.settings(clone_seconds=60)
    try:
        account = sdk.add_account(username="sdk-rehearsal").account_id
        source = sdk.create_volume(name="sdk-clone-src", account_id=account, total_size=GIB,
                                   enable512e=True).volume_id
        snap = sdk.create_snapshot(volume_id=source, name="sdk-point").snapshot
        made = sdk.clone_volume(volume_id=source, name="sdk-clone", new_account_id=account,
                                access="readWrite", snapshot_id=snap.snapshot_id,
                                attributes={"rehearsal": "sdk"})
        assert isinstance(made.async_handle, int) and isinstance(made.clone_id, int)
        assert made.volume.volume_id == made.volume_id and made.volume.status == "init"
        assert str(made.volume.access) == "readWrite" and made.volume.volume_pairs == []
        assert isinstance(made.volume.volume_uuid, uuid.UUID)
        running = sdk.get_async_result(async_handle=made.async_handle, keep_result=True)
        assert running["status"] == "running" and running["resultType"] == "Clone"
        (job,) = [j for j in sdk.list_sync_jobs().sync_jobs if j.clone_id == made.clone_id]
        assert job.type == "clone" and job.src_volume_id == source
        assert job.snapshot_id == snap.snapshot_id
        listed = {h.async_result_id: h for h in sdk.list_async_results().async_handles}
        assert listed[made.async_handle].completed is False
        harness.advance_clock(60)
        done = sdk.get_async_result(async_handle=made.async_handle)
        assert done["status"] == "complete"
        assert done["result"]["volumeID"] == made.volume_id
        (vol,) = sdk.list_volumes(volume_ids=[made.volume_id]).volumes
        assert vol.status == "active" and vol.attributes == {"rehearsal": "sdk"}
        with pytest.raises(ApiServerError) as info:
            sdk.get_async_result(async_handle=made.async_handle)
        assert info.value.error_name == "xAsyncHandleDoesNotExist"
    finally:
        harness.settings(clone_seconds=0.5)


def test_access_groups(elements):
    sdk = elements[0]
    account = sdk.add_account(username="sdk-vag").account_id
    vol = sdk.create_volume(name="sdk-vag-vol", account_id=account, total_size=GIB,
                            enable512e=True).volume_id
    host = "iqn.1998-01.com.vmware:sdk-esx1-577b283a"
    made = sdk.create_volume_access_group(name="sdk-hosts", initiators=[host], volumes=[vol],
                                          attributes={"rehearsal": "sdk"})
    vag = made.volume_access_group
    assert vag.volume_access_group_id == made.volume_access_group_id
    assert vag.initiators == [host] and vag.volumes == [vol] and vag.deleted_volumes == []
    (listed,) = sdk.list_volume_access_groups(
        volume_access_groups=[vag.volume_access_group_id]).volume_access_groups
    assert listed.name == "sdk-hosts" and listed.attributes == {"rehearsal": "sdk"}
    (volume,) = sdk.list_volumes(volume_ids=[vol]).volumes
    assert volume.volume_access_groups == [vag.volume_access_group_id]
    other = sdk.create_volume(name="sdk-vag-vol2", account_id=account, total_size=GIB,
                              enable512e=True).volume_id
    vag = sdk.add_volumes_to_volume_access_group(
        volume_access_group_id=vag.volume_access_group_id, volumes=[other]).volume_access_group
    assert vag.volumes == [vol, other]
    vag = sdk.remove_volumes_from_volume_access_group(
        volume_access_group_id=vag.volume_access_group_id, volumes=[vol]).volume_access_group
    assert vag.volumes == [other]
    vag = sdk.add_initiators_to_volume_access_group(
        volume_access_group_id=vag.volume_access_group_id,
        initiators=["iqn.1998-01.com.vmware:sdk-esx2-421b281b"]).volume_access_group
    assert len(vag.initiator_ids) == 2
    vag = sdk.modify_volume_access_group(volume_access_group_id=vag.volume_access_group_id,
                                         name="sdk-hosts-2").volume_access_group
    assert vag.name == "sdk-hosts-2"
    initiators = {i.initiator_id: i for i in sdk.list_initiators().initiators}
    assert initiators[vag.initiator_ids[0]].initiator_name == host
    assert initiators[vag.initiator_ids[0]].volume_access_groups == [vag.volume_access_group_id]
    with pytest.raises(ApiServerError) as info:
        sdk.add_volumes_to_volume_access_group(
            volume_access_group_id=vag.volume_access_group_id, volumes=[other])
    assert info.value.error_name == "xAlreadyInVolumeAccessGroup"
    sdk.delete_volume_access_group(volume_access_group_id=vag.volume_access_group_id,
                                   delete_orphan_initiators=True)
    assert vag.initiator_ids[0] not in {i.initiator_id
                                        for i in sdk.list_initiators().initiators}
    assert sdk.list_volumes(volume_ids=[other]).volumes[0].volume_access_groups == []


def test_schedules_and_group_snapshots(elements):
    """The SDK's schedule adaptor (frequency objects, days * 24 + hours) and group snapshot
    models read what the simulator answers."""
    from solidfire.custom.models import (DaysOfWeekFrequency, TimeIntervalFrequency,
                                         Weekday)
    from solidfire.models import Schedule, ScheduleInfo
    sdk = elements[0]
    created = sdk.create_schedule(Schedule(
        name="sdk-interval", frequency=TimeIntervalFrequency(days=1, hours=2, minutes=0),
        schedule_info=ScheduleInfo(volume_ids=[1], snapshot_name="s", retention="30:00:00",
                                   enable_remote_replication=True)))
    schedule = sdk.get_schedule(schedule_id=created.schedule_id).schedule
    assert (schedule.frequency.days, schedule.frequency.hours) == (1, 2)
    assert schedule.schedule_info.volume_ids == [1] and schedule.paused is False
    schedule.paused = True
    assert sdk.modify_schedule(schedule).schedule.paused is True
    sdk.create_schedule(Schedule(
        name="sdk-weekly", schedule_info=ScheduleInfo(volume_ids=[1, 2]),
        frequency=DaysOfWeekFrequency(hours=3, minutes=0, weekdays=[Weekday.from_id(1)])))
    kinds = {s.name: type(s.frequency).__name__ for s in sdk.list_schedules().schedules}
    assert kinds["sdk-interval"] == "TimeIntervalFrequency"
    assert kinds["sdk-weekly"] == "DaysOfWeekFrequency"

    group = sdk.create_group_snapshot(volumes=[1, 2], name="sdk-group")
    assert len(group.members) == 2 and isinstance(group.group_snapshot.group_snapshot_uuid,
                                                  uuid.UUID)
    listed = {g.group_snapshot_id: g for g in sdk.list_group_snapshots().group_snapshots}
    assert listed[group.group_snapshot_id].name == "sdk-group"
    modified = sdk.modify_group_snapshot(group_snapshot_id=group.group_snapshot_id,
                                         expiration_time="2099-01-01T00:00:00Z")
    assert {m.expiration_time for m in modified.group_snapshot.members} \
        == {"2099-01-01T00:00:00Z"}
    sdk.delete_group_snapshot(group_snapshot_id=group.group_snapshot_id, save_members=False)
    assert group.group_snapshot_id not in {
        g.group_snapshot_id for g in sdk.list_group_snapshots().group_snapshots}
