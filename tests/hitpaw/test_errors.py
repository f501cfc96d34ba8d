"""The HitPaw client when things go wrong: plain messages, bounded retries, and coins never spent twice."""

import json
import socket

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from enhancer.hitpaw.client import HitPawClient
from enhancer.hitpaw.errors import ERROR_CODES, HitPawError
from tests.support.payloads import BASE, DATA, JOB_ID, KEY, STATUS, SUBMIT, payload

DOCUMENTED_ERRORS = json.loads((DATA / "error_codes.json").read_text())
GATEWAY_PAGE = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"


def refused(url: str) -> requests.exceptions.ConnectionError:
    """What requests raises when nothing listens: the request never left this machine."""
    reason = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")
    return requests.exceptions.ConnectionError(MaxRetryError(None, url, reason))


def cut_off() -> requests.exceptions.ConnectionError:
    """What requests raises when the server drops the connection after reading the request."""
    return requests.exceptions.ConnectionError(
        ProtocolError("Connection aborted.", ConnectionResetError(104, "Connection reset by peer"))
    )


@pytest.fixture
def client(waits):
    return HitPawClient(KEY, BASE, retries=2, backoff_base=0.5, max_retry_wait=5.0, sleep=waits.append)


def submit(client: HitPawClient):
    return client.submit("https://photos.example.com/cat.jpg", "general_2x", ".jpg")


def failure(call) -> HitPawError:
    with pytest.raises(HitPawError) as caught:
        call()
    return caught.value


# The vendor's error table


def test_it_maps_every_code_in_the_vendors_table():
    assert {row["error_code"] for row in DOCUMENTED_ERRORS} == set(ERROR_CODES)


@pytest.mark.parametrize("row", DOCUMENTED_ERRORS, ids=lambda row: str(row["error_code"]))
def test_it_turns_each_documented_error_into_a_plain_message(api, row):
    api.post(
        SUBMIT, json={"error_code": row["error_code"], "message": row["message"]}, status=row["http_status"]
    )
    client = HitPawClient(KEY, BASE, retries=0)
    error = failure(lambda: submit(client))
    if row["error_code"] == 100500007:  # "operation timeout": HitPaw may have created the task
        assert error.outcome_unknown and error.code == 100500007
        return
    message, transient = ERROR_CODES[row["error_code"]]
    assert error.message == str(error) == message
    assert error.code == row["error_code"]
    assert error.http_status == row["http_status"]
    assert error.transient is transient
    assert not error.outcome_unknown
    assert str(row["error_code"]) not in error.message
    assert message[0].isupper() and message.endswith(".")


@pytest.mark.parametrize("row", DOCUMENTED_ERRORS, ids=lambda row: str(row["error_code"]))
def test_it_counts_only_rate_limits_and_server_errors_as_transient(row):
    expected = row["http_status"] == 429 or row["http_status"] >= 500
    assert ERROR_CODES[row["error_code"]][1] is expected


def test_it_tells_staff_to_top_up_when_the_coins_run_out(client, api):
    api.post(SUBMIT, json=payload("error_coins"), status=402)
    error = failure(lambda: submit(client))
    assert error.message == "The team's HitPaw coin balance has run out. Ask an admin to top up."
    assert error.account_problem
    assert len(api.calls) == 1


def test_it_flags_a_bad_api_key_as_an_account_problem(client, api):
    api.post(SUBMIT, json=payload("error_api_key"), status=400)
    error = failure(lambda: submit(client))
    assert error.account_problem
    assert "key" in error.message


def test_it_does_not_flag_a_problem_with_one_photo_as_an_account_problem(client, api):
    api.post(
        SUBMIT, json={"error_code": 110400009, "message": "The input resolution is over limit"}, status=400
    )
    assert not failure(lambda: submit(client)).account_problem


def test_it_reads_an_error_sent_in_an_envelope_with_a_failing_code(client, api):
    api.post(STATUS, json=payload("error_envelope_coins"))
    error = failure(lambda: client.status(JOB_ID))
    assert error.code == 110402000
    assert error.message == ERROR_CODES[110402000][0]
    assert not error.transient and not error.outcome_unknown
    assert len(api.calls) == 1


@pytest.mark.parametrize("body", [payload("error_envelope_coins"), {"error_code": 110402000, "message": "x"}])
def test_it_reads_hitpaws_error_code_in_a_2xx_answer_to_a_submission_as_its_refusal(client, api, waits, body):
    """HTTP 200 carrying {"code": 110402000}: HitPaw refused (and charged nothing); not "unknown"."""
    api.post(SUBMIT, json=body, status=200)
    error = failure(lambda: submit(client))
    assert error.code == 110402000 and error.account_problem
    assert error.message == ERROR_CODES[110402000][0]
    assert not error.outcome_unknown and not error.transient
    assert len(api.calls) == 1 and waits == []


def test_it_retries_a_passing_error_code_in_a_2xx_answer_to_a_submission(client, api, waits):
    api.post(SUBMIT, json={"code": 100429000, "message": "Too many requests"}, status=200)
    api.post(SUBMIT, json=payload("submit_ok"))
    assert submit(client).job_id == JOB_ID
    assert len(api.calls) == 2


def test_it_reads_operation_timeout_in_a_2xx_answer_to_a_submission_as_outcome_unknown(client, api):
    api.post(SUBMIT, json={"code": 100500007, "message": "Operation timeout"}, status=200)
    error = failure(lambda: submit(client))
    assert error.outcome_unknown and error.code == 100500007
    assert len(api.calls) == 1


def test_it_never_reads_an_unknown_code_in_a_2xx_answer_to_a_submission_as_a_refusal(client, api, waits):
    api.post(SUBMIT, json={"code": 123, "message": "Queued for later"}, status=200)
    error = failure(lambda: submit(client))
    assert error.outcome_unknown and not error.transient
    assert "Queued for later" in error.message
    assert len(api.calls) == 1 and waits == []


@pytest.mark.parametrize("error_code", [None, 0])
def test_it_reads_a_success_carrying_an_empty_error_code_as_success(client, api, error_code):
    api.post(
        SUBMIT,
        json={
            "code": 200,
            "message": "OK",
            "error_code": error_code,
            "data": {"job_id": JOB_ID, "consume_coins": 20},
        },
    )
    api.post(STATUS, json={"error_code": error_code, "data": {"job_id": JOB_ID, "status": "CONVERTING"}})
    accepted = submit(client)
    assert (accepted.job_id, accepted.coins) == (JOB_ID, 20)
    assert client.status(JOB_ID).is_running


def test_it_passes_on_the_vendors_words_for_a_code_it_does_not_know(client, api):
    api.post(SUBMIT, json=payload("error_envelope_bad_request"), status=400)
    error = failure(lambda: submit(client))
    assert error.message == "HitPaw reported a problem: Bad Request"
    assert error.code == 400
    assert not error.transient
    assert len(api.calls) == 1


def test_it_retries_an_unknown_code_that_came_with_a_server_error(client, api):
    api.post(STATUS, json={"error_code": 100599999, "message": "Something new"}, status=503)
    error = failure(lambda: client.status(JOB_ID))
    assert error.transient
    assert len(api.calls) == 3


def test_it_reports_a_task_hitpaw_no_longer_knows(client, api):
    api.post(STATUS, json=payload("error_task_missing"), status=400)
    error = failure(lambda: client.status(JOB_ID))
    assert error.code == 110400002
    assert not error.transient
    assert len(api.calls) == 1


# Retries


@pytest.mark.parametrize("name, status", [("error_rate_limited", 429), ("error_internal", 500)])
def test_it_retries_a_submission_hitpaw_itself_refused_and_then_succeeds(client, api, waits, name, status):
    api.post(SUBMIT, json=payload(name), status=status)
    api.post(SUBMIT, json=payload("submit_ok"))
    assert submit(client).job_id == JOB_ID
    assert len(api.calls) == 2
    assert len(waits) == 1


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_it_gives_up_after_a_bounded_number_of_retries(client, api, waits, status):
    api.post(SUBMIT, json={"error_code": 100500000, "message": "Internal error"}, status=status)
    error = failure(lambda: submit(client))
    assert error.transient and not error.outcome_unknown
    assert len(api.calls) == 3
    assert len(waits) == 2


def test_it_hands_a_refused_submission_straight_back_when_the_caller_retries_them(api, waits):
    client = HitPawClient(KEY, BASE, retry_submissions=False, sleep=waits.append)
    api.post(SUBMIT, json=payload("error_rate_limited"), status=429)
    api.post(STATUS, json=payload("error_internal"), status=500)
    error = failure(lambda: submit(client))
    assert error.transient and not error.outcome_unknown
    assert len(api.calls) == 1 and waits == []
    failure(lambda: client.status(JOB_ID))  # status checks are still retried in place
    assert len(api.calls) == 1 + 3


def test_it_backs_off_exponentially_with_jitter_below_the_cap(api, waits):
    client = HitPawClient(KEY, BASE, retries=5, backoff_base=1.0, max_retry_wait=5.0, sleep=waits.append)
    api.post(STATUS, json=payload("error_internal"), status=500)
    failure(lambda: client.status(JOB_ID))
    assert len(api.calls) == 6
    assert 0.5 <= waits[0] <= 1.0
    assert 1.0 <= waits[1] <= 2.0
    assert 2.0 <= waits[2] <= 4.0
    assert 4.0 <= waits[3] <= 5.0  # 4-8 s of backoff, capped
    assert waits[4] == 5.0  # 8-16 s of backoff, capped


def test_it_waits_as_long_as_retry_after_asks(api, waits):
    client = HitPawClient(KEY, BASE, retries=2, backoff_base=0.0, sleep=waits.append)
    api.post(SUBMIT, json=payload("error_rate_limited"), status=429, headers={"Retry-After": "3"})
    failure(lambda: submit(client))
    assert waits == [3.0, 3.0]
    assert len(api.calls) == 3


def test_it_waits_at_least_retry_after_even_when_its_own_backoff_is_shorter(api, waits):
    client = HitPawClient(KEY, BASE, retries=1, backoff_base=0.1, sleep=waits.append)
    api.post(STATUS, json=payload("error_internal"), status=503, headers={"Retry-After": "2"})
    api.post(STATUS, json=payload("status_completed"))
    assert client.status(JOB_ID).is_completed
    assert waits == [2.0]


def test_it_does_not_wait_in_line_when_retry_after_is_too_long(client, api, waits):
    api.post(SUBMIT, json=payload("error_rate_limited"), status=429, headers={"Retry-After": "120"})
    error = failure(lambda: submit(client))
    assert error.transient
    assert error.retry_after == 120.0
    assert waits == []
    assert len(api.calls) == 1


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404])
def test_it_never_retries_a_client_error(client, api, waits, status):
    api.post(SUBMIT, json={"error_code": 100400002, "message": "Bad Request"}, status=status)
    api.post(STATUS, json={"error_code": 100400002, "message": "Bad Request"}, status=status)
    assert not failure(lambda: submit(client)).transient
    assert not failure(lambda: client.status(JOB_ID)).transient
    assert len(api.calls) == 2
    assert waits == []


def test_it_never_retries_a_client_error_without_hitpaws_body(client, api):
    api.post(SUBMIT, body="Not Found", status=404)
    error = failure(lambda: submit(client))
    assert not error.transient and not error.outcome_unknown
    assert len(api.calls) == 1


# Coins are money: a submission whose outcome we cannot know is never sent again


def test_it_retries_a_bare_429_on_submit_since_it_means_not_processed(client, api, waits):
    api.post(SUBMIT, body="Too Many Requests", status=429, headers={"Retry-After": "1"})
    api.post(SUBMIT, json=payload("submit_ok"))
    assert submit(client).job_id
    assert len(api.calls) == 2 and waits == [1.0]


def test_it_hands_back_a_bare_429_on_submit_as_a_refusal_nothing_in_flight(api):
    client = HitPawClient(KEY, BASE, retry_submissions=False)
    api.post(SUBMIT, body="Too Many Requests", status=429)
    error = failure(lambda: submit(client))
    assert error.transient and not error.outcome_unknown and error.http_status == 429


@pytest.mark.parametrize("status", [502, 504, 500])
def test_it_marks_a_gateway_error_on_submit_as_outcome_unknown_and_sends_once(client, api, waits, status):
    api.post(SUBMIT, body=GATEWAY_PAGE, status=status, content_type="text/html")
    error = failure(lambda: submit(client))
    assert error.outcome_unknown and not error.transient
    assert error.http_status == status
    assert "an admin should check the HitPaw dashboard" in error.message
    assert len(api.calls) == 1
    assert waits == []


@pytest.mark.parametrize("status", [502, 504])
def test_it_retries_a_gateway_error_on_a_status_check(client, api, status):
    api.post(STATUS, body=GATEWAY_PAGE, status=status, content_type="text/html")
    error = failure(lambda: client.status(JOB_ID))
    assert error.transient and not error.outcome_unknown
    assert len(api.calls) == 3


def test_it_recovers_from_a_gateway_error_on_a_status_check(client, api):
    api.post(STATUS, body=GATEWAY_PAGE, status=502, content_type="text/html")
    api.post(STATUS, json=payload("status_completed"))
    assert client.status(JOB_ID).is_completed
    assert len(api.calls) == 2


def test_it_retries_a_submission_that_could_not_connect(client, api):
    api.post(SUBMIT, body=refused(SUBMIT))
    api.post(SUBMIT, json=payload("submit_ok"))
    assert submit(client).job_id == JOB_ID
    assert len(api.calls) == 2


def test_it_calls_a_refused_connection_transient_not_outcome_unknown(client, api):
    api.post(SUBMIT, body=refused(SUBMIT))
    error = failure(lambda: submit(client))
    assert error.transient and not error.outcome_unknown
    assert "connection refused" in error.message
    assert len(api.calls) == 3


def test_it_calls_a_connect_timeout_on_submit_transient(client, api):
    api.post(SUBMIT, body=requests.exceptions.ConnectTimeout("connect timed out"))
    error = failure(lambda: submit(client))
    assert error.transient and not error.outcome_unknown


def test_it_marks_a_read_timeout_on_submit_as_outcome_unknown_and_sends_once(client, api, waits):
    api.post(SUBMIT, body=requests.exceptions.ReadTimeout("read timed out"))
    error = failure(lambda: submit(client))
    assert error.outcome_unknown and not error.transient
    assert "did not answer in time" in error.message
    assert len(api.calls) == 1
    assert waits == []


def test_it_marks_a_connection_cut_after_sending_as_outcome_unknown_and_sends_once(client, api):
    api.post(SUBMIT, body=cut_off())
    error = failure(lambda: submit(client))
    assert error.outcome_unknown and not error.transient
    assert len(api.calls) == 1


@pytest.mark.parametrize("body", [requests.exceptions.ReadTimeout("read timed out"), cut_off()])
def test_it_retries_a_lost_answer_to_a_status_check(client, api, body):
    api.post(STATUS, body=body)
    error = failure(lambda: client.status(JOB_ID))
    assert error.transient and not error.outcome_unknown
    assert len(api.calls) == 3


@pytest.mark.parametrize("body", ["<html>OK</html>", '{"code": 200, "data": {"job_id"', "", "[]"])
def test_it_marks_an_unreadable_success_on_submit_as_outcome_unknown(client, api, body):
    api.post(SUBMIT, body=body, status=200)
    error = failure(lambda: submit(client))
    assert error.outcome_unknown and not error.transient
    assert len(api.calls) == 1


def test_it_marks_an_unreadable_answer_with_another_success_status_as_outcome_unknown(client, api):
    api.post(SUBMIT, body="", status=202)
    error = failure(lambda: submit(client))
    assert error.outcome_unknown
    assert len(api.calls) == 1


def test_it_retries_an_unreadable_answer_to_a_status_check(client, api):
    api.post(STATUS, body="<html>OK</html>", status=200)
    api.post(STATUS, json=payload("status_converting"))
    assert client.status(JOB_ID).is_running
    assert len(api.calls) == 2


def test_it_says_clearly_when_an_accepted_submission_has_no_job_id(client, api):
    api.post(SUBMIT, json=payload("submit_no_job_id"))
    error = failure(lambda: submit(client))
    assert error.outcome_unknown
    assert "no job number" in error.message
    assert len(api.calls) == 1


def test_it_says_clearly_when_a_status_answer_has_no_status(client, api):
    api.post(STATUS, json=payload("status_no_status"))
    error = failure(lambda: client.status(JOB_ID))
    assert error.transient
    assert "had no status" in error.message


# The key stays secret


def test_it_never_puts_the_api_key_in_an_error_message(api):
    client = HitPawClient(KEY, BASE, retries=0)
    api.post(SUBMIT, json=payload("error_api_key"), status=400)
    api.post(SUBMIT, body=GATEWAY_PAGE, status=502)
    api.post(SUBMIT, body=requests.exceptions.ReadTimeout(f"read timed out, headers Apikey: {KEY}"))
    api.post(SUBMIT, body=refused(SUBMIT))
    api.post(SUBMIT, body="not json")
    api.post(SUBMIT, json=payload("submit_no_job_id"))
    api.post(SUBMIT, status=302, headers={"Location": "https://collector.example.net/"})
    api.post(STATUS, json={"error_code": 1, "message": "unknown"}, status=400)
    errors = [failure(lambda: submit(client)) for _ in range(7)]
    errors.append(failure(lambda: client.status(JOB_ID)))
    assert len({error.message for error in errors}) == 8
    for error in errors:
        assert KEY not in str(error)
        assert KEY not in repr(error)
        assert error.__cause__ is None


# The same rules against real sockets on this machine, so the exception shapes above are the real ones


@pytest.fixture
def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_server():
    """A port that accepts connections (the kernel does the handshake) but never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


def test_it_calls_a_really_refused_connection_on_submit_transient(closed_port, waits):
    client = HitPawClient(KEY, f"http://127.0.0.1:{closed_port}", retries=1, sleep=waits.append)
    client.session.trust_env = False  # no proxy from the environment: straight to the local port
    error = failure(lambda: submit(client))
    assert error.transient and not error.outcome_unknown
    assert len(waits) == 1


def test_it_marks_a_real_read_timeout_on_submit_as_outcome_unknown(silent_server, waits):
    client = HitPawClient(KEY, silent_server, read_timeout=0.2, sleep=waits.append)
    client.session.trust_env = False
    error = failure(lambda: submit(client))
    assert error.outcome_unknown and not error.transient
    assert waits == []
