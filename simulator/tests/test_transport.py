"""HTTP transport, authentication and the JSON-RPC envelope (spec §1, §7 items 1-4)."""

import http.client
import json
import ssl

import pytest
import requests

from element_sim.rpc import SUPPORTED_VERSIONS
from helpers import error_of

UNAUTHORIZED_BODY = ("<html><head><title>401 Unauthorized</title></head>"
                     "<body><h1>401 Unauthorized.</h1></body></html>")


@pytest.fixture(scope="module")
def c1(shared_sim):
    return shared_sim.clusters[0]


def post(cluster, path, body, auth="admin", headers=None):
    """A raw POST: body is sent exactly as given (str or bytes)."""
    if auth == "admin":
        auth = (cluster.username, cluster.password)
    return requests.post(cluster.url + path, data=body, auth=auth, headers=headers or {},
                         verify=cluster.ca_cert, timeout=10)


def test_both_path_forms_answer(c1):
    for path in ("/json-rpc/12.5", "/json-rpc/12.5/"):
        response = post(c1, path, '{"method":"GetClusterInfo","id":1}')
        assert response.status_code == 200
        assert response.json()["result"]["clusterInfo"]["name"] == c1.name


def test_every_supported_version_answers_get_api(c1):
    for version in SUPPORTED_VERSIONS:
        result = c1.rpc("GetAPI", version=version)["result"]
        assert result["currentVersion"] == "12.5"
        assert result["supportedVersions"] == list(SUPPORTED_VERSIONS)
        assert "GetAPI" in result[version]


def test_get_api_lists_methods_by_version(c1):
    at_5 = c1.rpc("GetAPI", version="5.0")["result"]["5.0"]
    at_12 = c1.call("GetAPI")["12.5"]
    assert "StartClusterPairing" not in at_5 and "StartClusterPairing" in at_12
    assert "ListVolumes" not in at_5 and "ListVolumes" in at_12
    replication = {"StartClusterPairing", "CompleteClusterPairing", "ListClusterPairs",
                   "RemoveClusterPair", "StartVolumePairing", "CompleteVolumePairing",
                   "ListActivePairedVolumes", "ModifyVolumePair", "RemoveVolumePair"}
    assert replication <= set(at_12)
    assert not [m for m in at_12 if m.startswith("SimPeer")]  # internal methods stay hidden


@pytest.mark.parametrize("path", ["/json-rpc/12.4", "/json-rpc/13.0", "/json-rpc/", "/json-rpc",
                                  "/", "/api/json-rpc/12.5", "/json-rpc/12.5/x"])
def test_unknown_path_is_404_html(c1, path):
    response = post(c1, path, '{"method":"GetAPI"}')
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<p>" in response.text and "</p>" in response.text
    assert "404 Not Found" in response.text


def test_get_on_json_rpc_path_is_404(c1):
    response = requests.get(c1.url + "/json-rpc/12.5", auth=(c1.username, c1.password),
                            verify=c1.ca_cert, timeout=10)
    assert response.status_code == 404


@pytest.mark.parametrize("auth", [None, ("admin", "wrong-password"), ("nobody", "x")],
                         ids=["missing", "wrong-password", "unknown-user"])
def test_bad_credentials_get_401_html(c1, auth):
    if auth is not None and auth[0] == "admin":
        auth = (c1.username, auth[1])
    response = post(c1, "/json-rpc/12.5", '{"method":"GetAPI"}', auth=auth)
    assert response.status_code == 401
    assert response.text == UNAUTHORIZED_BODY
    assert response.headers["WWW-Authenticate"] == 'Basic realm="SolidFire"'


def test_malformed_authorization_header_is_401(c1):
    for header in ("Bearer abc", "Basic !!!notbase64", "Basic " + "bm9jb2xvbg=="):
        response = post(c1, "/json-rpc/12.5", '{"method":"GetAPI"}', auth=None,
                        headers={"Authorization": header})
        assert response.status_code == 401


@pytest.mark.parametrize("request_id", [42, "abc-1", 0])
def test_id_is_echoed(c1, request_id):
    body = json.dumps({"method": "GetLimits", "id": request_id})
    assert post(c1, "/json-rpc/12.5", body).json()["id"] == request_id


def test_missing_id_answers_null(c1):
    answer = post(c1, "/json-rpc/12.5", '{"method":"GetLimits"}').json()
    assert "id" in answer and answer["id"] is None
    error = post(c1, "/json-rpc/12.5", '{"method":"NoSuchMethod"}').json()
    assert error["id"] is None and error["error"]["name"] == "xUnknownAPIMethod"


def test_unknown_params_and_members_are_ignored_and_reported(c1):
    body = json.dumps({"method": "GetClusterInfo", "params": {"force": True}, "id": 3,
                       "json-rpc": "2.0", "extra": [1]})
    answer = post(c1, "/json-rpc/12.5", body).json()
    assert answer["result"]["clusterInfo"]["uniqueID"] == c1.unique_id
    assert answer["unusedParameters"] == {"force": True}


def test_no_unused_parameters_member_when_all_params_are_known(c1):
    assert "unusedParameters" not in c1.rpc("ListAccounts", {"limit": 1})


def test_numeric_and_boolean_strings_are_coerced(c1):
    account_id = c1.call("AddAccount", username="coerce-acct")["accountID"]
    vid = c1.call("CreateVolume", name="coerce-vol", accountID=str(account_id),
                  totalSize="1073741824", enable512e="false")["volumeID"]
    vol = c1.call("ListVolumes", volumeIDs=[str(vid)])["volumes"][0]
    assert vol["enable512e"] is False and vol["totalSize"] == 1073741824
    unpaired = c1.call("ListVolumes", isPaired="false", volumeIDs=[vid])["volumes"]
    assert [v["volumeID"] for v in unpaired] == [vid]
    assert c1.call("ListVolumes", isPaired="true", volumeIDs=[vid])["volumes"] == []
    assert c1.call("ListSnapshots", volumeID=str(vid)) == {"snapshots": []}


def test_wrongly_typed_params_fail(c1):
    assert error_of(c1, "GetAccountByID", accountID="not-a-number") == "xInvalidParameterType"
    assert error_of(c1, "ListVolumes", isPaired="maybe") == "xInvalidParameterType"
    assert error_of(c1, "ListVolumes", volumeIDs=5) == "xInvalidParameterType"


@pytest.mark.parametrize("content_type", [None, "application/json-rpc",
                                          "application/json-rpc; charset=utf-8", "json-rpc",
                                          "application/json", "text/plain",
                                          "application/x-www-form-urlencoded"])
def test_any_content_type_is_accepted(c1, content_type):
    # requests sends no Content-Type at all for a str body, as the official SDK does
    headers = {"Content-Type": content_type} if content_type else {}
    response = post(c1, "/json-rpc/12.5", '{"method":"GetAPI","id":1}', headers=headers)
    assert response.status_code == 200 and "result" in response.json()


@pytest.mark.parametrize("body", ["{not json", "", "[]", '[{"method":"GetAPI"}]', '"text"',
                                  b"\xff\xfe"])
def test_malformed_json_is_an_element_error(c1, body):
    response = post(c1, "/json-rpc/12.5", body)
    assert response.status_code == 200
    answer = response.json()
    assert answer["error"]["name"] == "xInvalidJSON" and answer["error"]["code"] == 500
    assert answer["id"] is None


def test_envelope_errors(c1):
    answer = post(c1, "/json-rpc/12.5", '{"method":"GetAPI","params":[1,2],"id":5}').json()
    assert answer["error"]["name"] == "xInvalidParameterType" and answer["id"] == 5
    answer = post(c1, "/json-rpc/12.5", '{"params":{},"id":6}').json()
    assert answer["error"]["name"] == "xMissingParameter"
    assert "method" in answer["error"]["message"]


def test_unknown_method(c1):
    answer = c1.rpc("DoSomethingElse")
    assert answer["error"]["name"] == "xUnknownAPIMethod"
    assert "method=DoSomethingElse" in answer["error"]["message"]


def test_method_newer_than_path_version(c1):
    answer = c1.rpc("StartClusterPairing", version="5.0")
    assert answer["error"]["name"] == "xUnknownAPIMethod"
    assert "method=StartClusterPairing" in answer["error"]["message"]
    assert c1.rpc("ListVolumes", version="7.4")["error"]["name"] == "xUnknownAPIMethod"
    assert "result" in c1.rpc("ListVolumes", {"limit": 1}, version="8.0")


def test_internal_peer_methods_are_unknown_to_admins(c1):
    answer = c1.rpc("SimPeerView")
    assert answer["error"]["name"] == "xUnknownAPIMethod"


def test_errors_are_compact_json_with_code_500(c1):
    response = post(c1, "/json-rpc/12.5", '{"method":"GetAccountByID","params":{"accountID":999999},"id":9}')
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert '"code":500' in response.text and ", " not in response.text
    assert response.json()["error"] == {"code": 500, "name": "xUnknownAccount",
                                        "message": "xUnknownAccount"}


def test_keep_alive_serves_many_requests_on_one_connection(c1):
    context = ssl.create_default_context(cafile=c1.ca_cert)
    conn = http.client.HTTPSConnection(c1.host, c1.port, context=context, timeout=10)
    auth = requests.auth._basic_auth_str(c1.username, c1.password)
    try:
        for i in range(5):
            conn.request("POST", "/json-rpc/12.5", body=json.dumps({"method": "GetAPI", "id": i}),
                         headers={"Authorization": auth})
            response = conn.getresponse()
            assert response.status == 200 and json.loads(response.read())["id"] == i
            if i == 0:
                first_socket = conn.sock
            assert conn.sock is first_socket  # still the same TCP connection
    finally:
        conn.close()


def test_expect_100_continue_is_honoured(c1):
    """curl sends Expect: 100-continue for large bodies and waits for the interim answer."""
    context = ssl.create_default_context(cafile=c1.ca_cert)
    conn = http.client.HTTPSConnection(c1.host, c1.port, context=context, timeout=10)
    body = json.dumps({"method": "GetAPI", "params": {"pad": "x" * 4000}, "id": 1}).encode()
    try:
        conn.putrequest("POST", "/json-rpc/12.5")
        conn.putheader("Authorization", requests.auth._basic_auth_str(c1.username, c1.password))
        conn.putheader("Content-Length", str(len(body)))
        conn.putheader("Expect", "100-continue")
        conn.endheaders()
        conn.send(body)
        response = conn.getresponse()  # http.client skips the 100 Continue itself
        assert response.status == 200 and "result" in json.loads(response.read())
    finally:
        conn.close()
