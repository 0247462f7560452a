"""Channel registry. Each channel's module (and its heavy dependencies) is imported only
when that channel is chosen, so ``import tagihlite`` stays lean."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from tagihlite.errors import TagihError

if TYPE_CHECKING:
    from tagihlite.channels.base import Channel
    from tagihlite.settings import Settings

# name -> "module:factory"; a factory takes (settings, **options) and returns a Channel.
_REGISTRY = {
    "outbox": "tagihlite.channels.outbox:OutboxChannel",
    "memory": "tagihlite.channels.memory:MemoryChannel",
    "whatsapp-web": "tagihlite.channels.whatsapp_web:WhatsAppWebChannel",
    "cloud": "tagihlite.channels.cloud:CloudChannel",
    "link": "tagihlite.channels.link:LinkChannel",
}


# What the sheet's Saluran column shows (the one place for it), without importing the
# channel modules.
LABELS = {
    "outbox": "Outbox",
    "memory": "Memori (uji)",
    "whatsapp-web": "WhatsApp Web",
    "cloud": "WhatsApp Cloud API",
    "link": "Tautan wa.me",
}


def available() -> tuple[str, ...]:
    return tuple(n for n in _REGISTRY if n != "memory")


def get_channel(name: str, settings: Settings, **options: Any) -> Channel:
    try:
        target = _REGISTRY[name]
    except KeyError:
        raise TagihError(f"Saluran '{name}' tidak dikenal. Pilih salah satu: "
                         f"{', '.join(available())}.") from None
    module_name, factory = target.split(":")
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            raise TagihError(f"Saluran '{name}' belum tersedia di versi ini.") from None
        raise
    return getattr(module, factory)(settings, **options)
