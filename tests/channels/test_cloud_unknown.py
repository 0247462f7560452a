"""Issue 9: a 5xx without a Graph error body, or a connection cut after the request was
written, proves nothing: unknown (PERLU CEK), never retried automatically. Only provable
refusals are retried or failed. Loopback Graph test server, real journal, real CLI."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.graph_server import GraphServer
from test_cloud_cli import send, setup_cli, statuses  # noqa: F401 (fixture)

from tagihlite.channels.base import Reminder
from tagihlite.channels.cloud import CloudChannel, DeliveryUnknown
from tagihlite.core.vocab import JournalState
from tagihlite.settings import Settings

Make = Callable[..., Reminder]


@pytest.fixture
def channel(cloud_settings: Settings) -> Iterator[CloudChannel]:
    ch = CloudChannel(cloud_settings, backoff_base=0.01)
    ch.open()
    yield ch
    ch.close()


@pytest.mark.parametrize(("status", "page", "kind"), [
    (500, b"Internal Server Error", "text/plain"),  # the plain-text 500
    (500, b"", "text/plain"),  # bodiless
    (503, b"", "text/plain"),
    (503, b"upstream connect error", "text/plain"),
    (502, b"<html>Bad Gateway</html>", "text/html"),
])
def test_5xx_without_graph_body_is_unknown_and_sent_once(
        channel: CloudChannel, graph: GraphServer, reminder_factory: Make,
        status: int, page: bytes, kind: str) -> None:
    b = graph.behaviour
    b.fail_next, b.fail_status, b.fail_with_graph_body = 5, status, False
    b.fail_page, b.fail_page_type = page, kind
    with pytest.raises(DeliveryUnknown, match="mungkin sudah terkirim"):
        channel.send(reminder_factory(1))
    assert graph.requests == 1  # never repeated


def test_connection_cut_after_the_request_was_written_is_unknown(
        channel: CloudChannel, graph: GraphServer, reminder_factory: Make) -> None:
    graph.behaviour.cut_next = 3
    with pytest.raises(DeliveryUnknown):
        channel.send(reminder_factory(1))
    assert graph.requests == 1


def test_graph_5xx_is_still_a_provable_refusal_and_retried(
        channel: CloudChannel, graph: GraphServer, reminder_factory: Make) -> None:
    graph.behaviour.fail_next = 1  # with a Graph error body: "not done"
    assert channel.send(reminder_factory(1)).state == JournalState.ACCEPTED
    assert graph.requests == 2 and len(graph.accepted) == 1


def test_cli_plain_text_500_leaves_perlu_cek_not_gagal(setup_cli: Path,  # noqa: F811
                                                        graph: GraphServer) -> None:
    b = graph.behaviour
    b.fail_next, b.fail_status, b.fail_with_graph_body = 1, 500, False
    b.fail_page, b.fail_page_type = b"Internal Server Error", "text/plain"
    proc = send(setup_cli)
    assert "Traceback" not in proc.stderr
    got = [s for s, _ in statuses(setup_cli)]
    assert got[0] == "PERLU CEK" and "GAGAL" not in got  # the run stops after an unknown
    proc = send(setup_cli)  # a second run sends the rest and never the unknown row
    assert [s for s, _ in statuses(setup_cli)] == ["PERLU CEK", "DIKIRIM", "DIKIRIM"]
    assert graph.requests == 3 and len(graph.accepted) == 2  # every row asked for once
