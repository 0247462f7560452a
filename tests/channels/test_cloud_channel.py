"""The Cloud API channel against a real HTTP server on loopback that behaves like the Graph API."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from support.graph_server import TEST_TOKEN as TOKEN
from support.graph_server import GraphServer

from tagihlite.channels import get_channel
from tagihlite.channels.base import Channel, Outcome, Reminder
from tagihlite.channels.cloud import CloudChannel, DeliveryUnknown
from tagihlite.core.vocab import JournalState
from tagihlite.errors import ChannelStop
from tagihlite.settings import Settings

Make = Callable[..., Reminder]


def cloud_with(settings: Settings, **values: object) -> Settings:
    return replace(settings, cloud=replace(settings.cloud, **values))


@pytest.fixture
def channel(cloud_settings: Settings) -> Iterator[CloudChannel]:
    ch = CloudChannel(cloud_settings, backoff_base=0.01)
    ch.open()
    yield ch
    ch.close()


def test_registry_builds_it_with_the_configured_limits(cloud_settings: Settings) -> None:
    settings = cloud_with(cloud_settings, concurrency=6, messages_per_second=40.0)
    ch = get_channel("cloud", settings)
    assert isinstance(ch, CloudChannel) and isinstance(ch, Channel)
    assert (ch.concurrency, ch.rate_per_second) == (6, 40.0)


def test_accepted_message_is_a_template_with_fields_in_setting_order(
        channel: CloudChannel, graph: GraphServer, reminder_factory: Make) -> None:
    r = reminder_factory(7)
    out = channel.send(r)
    assert len(graph.accepted) == 1
    msg = graph.accepted[0]
    assert out == Outcome(JournalState.ACCEPTED, note=out.note, provider_id=msg.id)
    assert msg.id.startswith("wamid.")
    assert msg.to == r.phone.lstrip("+")
    assert (msg.template, msg.language) == ("pengingat_tagihan", "id")
    assert msg.parameters == tuple(r.fields[f] for f in
                                   ("name", "customer_id", "amount_rupiah", "due_date_text"))
    assert msg.callback_data == r.key


def test_body_parameters_follow_the_setting(cloud_settings: Settings, graph: GraphServer,
                                            reminder_factory: Make) -> None:
    graph.behaviour.templates["tagihan_singkat"] = 2
    settings = cloud_with(cloud_settings, template_name="tagihan_singkat",
                          body_parameters=["period_text", "branch"])
    ch = CloudChannel(settings)
    ch.open()
    try:
        ch.send(reminder_factory(1))
    finally:
        ch.close()
    assert graph.accepted[0].parameters == ("November 2026", "Dumai")


def test_empty_field_is_sent_as_a_dash_not_refused(channel: CloudChannel, graph: GraphServer,
                                                   reminder_factory: Make) -> None:
    r = reminder_factory(1)
    r = replace(r, fields={**r.fields, "due_date_text": ""})
    assert channel.send(r).state == JournalState.ACCEPTED
    assert graph.accepted[0].parameters[3] == "-"


def test_unknown_field_name_stops_before_sending(cloud_settings: Settings, graph: GraphServer,
                                                 reminder_factory: Make) -> None:
    ch = CloudChannel(cloud_with(cloud_settings, body_parameters=["name", "alamat"]))
    ch.open()
    with pytest.raises(ChannelStop, match="alamat"):
        ch.send(reminder_factory(1))
    ch.close()
    assert graph.requests == 0


def test_not_a_whatsapp_number_fails_only_that_row(channel: CloudChannel, graph: GraphServer,
                                                   reminder_factory: Make) -> None:
    bad, good = reminder_factory(1), reminder_factory(2)
    graph.behaviour.number_errors[bad.phone.lstrip("+")] = 131026
    out = channel.send(bad)
    assert out.state == JournalState.FAILED
    assert out.error_code == "131026"
    assert "bukan pengguna WhatsApp" in out.note
    assert channel.send(good).state == JournalState.ACCEPTED
    assert [m.to for m in graph.accepted] == [good.phone.lstrip("+")]


def test_unknown_code_fails_the_row_and_keeps_the_code(channel: CloudChannel, graph: GraphServer,
                                                      reminder_factory: Make) -> None:
    r = reminder_factory(1)
    graph.behaviour.number_errors[r.phone.lstrip("+")] = 135000
    out = channel.send(r)
    assert (out.state, out.error_code) == (JournalState.FAILED, "135000")
    assert "135000" in out.note
    assert graph.requests == 1  # not retried


@pytest.mark.parametrize("code", [131048, 190])
def test_spam_limit_and_bad_token_stop_the_run(code: int, channel: CloudChannel,
                                               graph: GraphServer, reminder_factory: Make) -> None:
    first, second = reminder_factory(1), reminder_factory(2)
    if code == 190:
        graph.behaviour.token = "rotated-" + TOKEN  # our token expired mid-run
    else:
        graph.behaviour.number_errors[first.phone.lstrip("+")] = code
    with pytest.raises(ChannelStop) as err:
        channel.send(first)
    assert str(code) in str(err.value) or "Token" in str(err.value)
    requests = graph.requests
    with pytest.raises(ChannelStop):  # other workers stop too, without touching the API
        channel.send(second)
    assert graph.requests == requests
    assert graph.accepted == []


def test_bad_token_stops_at_open_before_any_message(cloud_settings: Settings,
                                                    graph: GraphServer,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAGIHLITE_CLOUD_TOKEN", "wrong-token")
    ch = CloudChannel(cloud_settings)
    with pytest.raises(ChannelStop, match="Token WhatsApp Cloud API ditolak"):
        ch.open()
    assert graph.requests == 0 and graph.accepted == []


def test_missing_token_and_missing_number_id_stop_at_open(cloud_settings: Settings,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    ch = CloudChannel(cloud_with(cloud_settings, phone_number_id=""))
    with pytest.raises(ChannelStop, match="phone_number_id"):
        ch.open()
    monkeypatch.delenv("TAGIHLITE_CLOUD_TOKEN")
    with pytest.raises(ChannelStop, match="secrets set cloud_token"):
        CloudChannel(cloud_settings).open()


def test_wrong_phone_number_id_stops_at_open(cloud_settings: Settings) -> None:
    ch = CloudChannel(cloud_with(cloud_settings, phone_number_id="999"))
    with pytest.raises(ChannelStop, match="phone_number_id"):
        ch.open()


def test_unreachable_api_stops_at_open(cloud_settings: Settings, graph: GraphServer) -> None:
    graph.stop()
    with pytest.raises(ChannelStop, match="tidak dapat dihubungi"):
        CloudChannel(cloud_settings).open()


def test_unreachable_after_open_retries_then_stops(channel: CloudChannel, graph: GraphServer,
                                                   reminder_factory: Make) -> None:
    graph.stop()  # connection refused: the request never left, retrying is safe
    with pytest.raises(ChannelStop, match="tidak dapat dihubungi"):
        channel.send(reminder_factory(1))


def test_throughput_limit_is_retried_until_accepted_once(cloud_settings: Settings,
                                                         graph: GraphServer,
                                                         reminder_factory: Make) -> None:
    graph.behaviour.rate_per_second = 3
    # Backoff adds up to more than the server's one-second window.
    ch = CloudChannel(cloud_with(cloud_settings, max_retries=6), backoff_base=0.1,
                      backoff_cap=0.5)
    ch.open()
    outs = [ch.send(reminder_factory(i)) for i in range(5)]
    ch.close()
    assert all(o.state == JournalState.ACCEPTED for o in outs)
    assert graph.requests > 5  # some were refused with 130429 and repeated
    assert sorted(m.callback_data for m in graph.accepted) == sorted(
        reminder_factory(i).key for i in range(5))


def test_pair_limit_exhausted_fails_the_row_with_the_code(cloud_settings: Settings,
                                                          graph: GraphServer,
                                                          reminder_factory: Make) -> None:
    ch = CloudChannel(cloud_with(cloud_settings, max_retries=2), backoff_base=0.001)
    ch.open()
    r = reminder_factory(1)
    graph.behaviour.pair_limit = 1
    assert ch.send(r).state == JournalState.ACCEPTED
    out = ch.send(replace(r, key="other|2026-11|2"))
    ch.close()
    assert (out.state, out.error_code) == (JournalState.FAILED, "131056")
    assert graph.requests == 1 + 3  # one accepted + first try and 2 retries


def test_server_errors_are_retried_and_accepted_once(channel: CloudChannel, graph: GraphServer,
                                                     reminder_factory: Make) -> None:
    graph.behaviour.fail_next = 2
    out = channel.send(reminder_factory(1))
    assert out.state == JournalState.ACCEPTED
    assert graph.requests == 3 and len(graph.accepted) == 1


def test_server_errors_beyond_retries_stop_the_run(channel: CloudChannel, graph: GraphServer,
                                                   reminder_factory: Make) -> None:
    graph.behaviour.fail_next = 10
    with pytest.raises(ChannelStop, match="bermasalah"):
        channel.send(reminder_factory(1))
    assert graph.requests == 4 and graph.accepted == []  # max_retries=3


def test_gateway_page_without_graph_error_is_unknown_not_retried(
        channel: CloudChannel, graph: GraphServer, reminder_factory: Make) -> None:
    graph.behaviour.fail_next, graph.behaviour.fail_status = 1, 504
    graph.behaviour.fail_with_graph_body = False
    with pytest.raises(DeliveryUnknown):
        channel.send(reminder_factory(1))
    assert graph.requests == 1


def test_read_timeout_after_acceptance_is_unknown_and_never_repeated(
        cloud_settings: Settings, graph: GraphServer, reminder_factory: Make) -> None:
    r = reminder_factory(1)
    graph.behaviour.hang_numbers.add(r.phone.lstrip("+"))
    graph.behaviour.hang_seconds = 1.5
    ch = CloudChannel(cloud_with(cloud_settings, timeout_seconds=0.3), backoff_base=0.001)
    ch.open()
    with pytest.raises(DeliveryUnknown) as err:
        ch.send(r)
    ch.close()
    assert not isinstance(err.value, ChannelStop)  # the loop must leave it PERLU CEK
    assert graph.requests == 1 and len(graph.accepted) == 1


def test_dropped_connection_after_acceptance_is_unknown(channel: CloudChannel,
                                                        graph: GraphServer,
                                                        reminder_factory: Make) -> None:
    r = reminder_factory(1)
    graph.behaviour.drop_numbers.add(r.phone.lstrip("+"))
    with pytest.raises(DeliveryUnknown):
        channel.send(r)
    assert graph.requests == 1 and len(graph.accepted) == 1
    assert channel.send(reminder_factory(2)).state == JournalState.ACCEPTED  # client recovers


def test_one_channel_is_shared_by_many_worker_threads(cloud_settings: Settings,
                                                      graph: GraphServer,
                                                      reminder_factory: Make) -> None:
    graph.behaviour.latency = 0.005
    ch = CloudChannel(cloud_with(cloud_settings, concurrency=8))
    ch.open()
    reminders = [reminder_factory(i) for i in range(160)]
    outcomes: dict[str, Outcome] = {}

    def work(part: list[Reminder]) -> None:
        for r in part:
            outcomes[r.key] = ch.send(r)

    threads = [threading.Thread(target=work, args=(reminders[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ch.close()
    by_key = {m.callback_data: m.id for m in graph.accepted}
    assert len(graph.accepted) == len(by_key) == 160
    assert {k: o.provider_id for k, o in outcomes.items()} == by_key


def test_close_releases_the_client(cloud_settings: Settings, reminder_factory: Make) -> None:
    ch = CloudChannel(cloud_settings)
    ch.open()
    ch.close()
    with pytest.raises(RuntimeError):
        ch.send(reminder_factory(1))
    ch.close()  # twice is fine


def test_token_never_appears_in_notes_or_errors(cloud_settings: Settings, graph: GraphServer,
                                                reminder_factory: Make) -> None:
    texts: list[str] = []
    ch = CloudChannel(cloud_with(cloud_settings, max_retries=1, timeout_seconds=0.3),
                      backoff_base=0.001)
    ch.open()
    scenarios: list[tuple[str, object]] = [("code", 131026), ("code", 135000),
                                           ("hang", None), ("drop", None), ("code", 131048)]
    for i, (kind, value) in enumerate(scenarios):
        r = reminder_factory(i)
        digits = r.phone.lstrip("+")
        if kind == "code":
            graph.behaviour.number_errors[digits] = value  # type: ignore[assignment]
        else:
            getattr(graph.behaviour, f"{kind}_numbers").add(digits)
        graph.behaviour.hang_seconds = 1.0
        try:
            out = ch.send(r)
            texts += [out.note, repr(out)]
        except Exception as exc:
            texts += [str(exc), repr(exc), repr(exc.__cause__), repr(exc.__context__)]
    ch.close()
    assert len(texts) >= len(scenarios) * 2
    assert not [t for t in texts if TOKEN in t]
