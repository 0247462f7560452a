"""Runs the WhatsApp Web channel in a fresh process for the tests.

pywhatkit, pyautogui and webbrowser keep process-wide state (display connection, FAILSAFE,
the browser list), so every scenario gets its own Python. The one stub: pywhatkit's
import-time internet probe (``requests.get("https://google.com")``), answered "online" or
"offline" as the scenario says, because this machine has no internet.

Usage: ``wa_web_driver.py SCENARIO.json``; prints one JSON object per line.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from typing import Any


def stub_internet_probe(online: bool) -> None:
    import requests

    real_get = requests.get

    def get(url: str, *args: Any, **kwargs: Any) -> requests.Response:
        if url.rstrip("/") in ("https://google.com", "http://google.com"):
            if not online:
                raise requests.ConnectionError("network unreachable (test)")
            resp = requests.Response()
            resp.status_code, resp.url = 200, url
            return resp
        return real_get(url, *args, **kwargs)

    requests.get = get  # type: ignore[assignment]


def say(**event: Any) -> None:
    print(json.dumps(event), flush=True)


def corner() -> None:
    """The clerk throws the mouse into the top-left corner (a separate X client does it)."""
    subprocess.run(["xdotool", "mousemove", "0", "0"], check=True)


def run_channel(spec: dict[str, Any]) -> None:
    from datetime import date

    from tagihlite.channels import get_channel
    from tagihlite.channels.base import Reminder
    from tagihlite.errors import ChannelStop
    from tagihlite.settings import Settings, WhatsAppWebSettings

    settings = Settings(whatsapp_web=WhatsAppWebSettings(**spec.get("whatsapp_web", {})))
    channel = get_channel("whatsapp-web", settings)
    try:
        channel.open()
    except ChannelStop as exc:
        say(event="open_stop", message=str(exc), pywhatkit="pywhatkit" in sys.modules)
        return
    import pyautogui

    say(event="opened", failsafe=pyautogui.FAILSAFE)
    for i, item in enumerate(spec["reminders"]):
        r = Reminder(key=f"K{i}|2026-11|1", customer_id=f"K{i}", period="2026-11", level=1,
                     row=i + 2, name=f"Pelanggan {i}", phone=item["phone"], amount=1000,
                     due_date=date(2026, 12, 1), message=item["message"])
        if spec.get("corner_during") == i:
            threading.Timer(1.0, corner).start()
        if channel.stop_requested:  # what the send loop asks before committing a row
            say(event="stop_requested", index=i)
        try:
            out = channel.send(r)
        except ChannelStop as exc:
            say(event="stop", index=i, message=str(exc))
            break
        say(event="outcome", index=i, state=out.state, note=out.note)
        if spec.get("corner_after") == i:
            corner()
    channel.close()
    say(event="done", failsafe=pyautogui.FAILSAFE)


def run_cli(spec: dict[str, Any]) -> None:
    from tagihlite.cli import main

    say(event="exit", code=main(spec["argv"]))


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as fh:
        spec = json.load(fh)
    stub_internet_probe(spec.get("online", True))
    if spec.get("mode", "channel") == "cli":
        run_cli(spec)
    else:
        run_channel(spec)


if __name__ == "__main__":
    main()
