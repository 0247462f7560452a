"""Open a workbook in headless LibreOffice and print its imported VBA modules as JSON.

Run with the system Python that has LibreOffice's ``uno`` module (Debian ``python3-uno``):

    /usr/bin/python3 tests/addin/lo_uno.py BOOK.xlsm PROFILE_DIR

Prints ``{"libraries": {lib: {module: {"type": int, "source": str}}}}`` where ``type`` is
``com.sun.star.script.ModuleType`` (1 normal, 2 class, 3 form, 4 document). Starts its own
soffice with a private profile and always stops it. Not a pytest module: the venv's Python
cannot import ``uno``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]


def _prop(name: str, value: object) -> PropertyValue:
    prop = PropertyValue()
    prop.Name = name
    prop.Value = value
    return prop


def _connect(pipe: str, soffice: subprocess.Popen, timeout: float = 45.0):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + timeout
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            if soffice.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _enable_vba_import(ctx) -> None:
    """Load VBA as executable Basic (the default only keeps it as commented-out text)."""
    provider = ctx.ServiceManager.createInstanceWithContext(
        "com.sun.star.configuration.ConfigurationProvider", ctx
    )
    access = provider.createInstanceWithArguments(
        "com.sun.star.configuration.ConfigurationUpdateAccess",
        (_prop("nodepath", "/org.openoffice.Office.Calc/Filter/Import/VBA"),),
    )
    access.setPropertyValue("Load", True)
    access.setPropertyValue("Executable", True)
    access.commitChanges()


def inspect(book: Path, profile: Path) -> dict:
    pipe = f"tagihlite_{uuid.uuid4().hex}"
    soffice = subprocess.Popen(
        [
            "soffice",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            f"--accept=pipe,name={pipe};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "HOME": str(profile)},
        start_new_session=True,  # own process group: soffice.bin outlives the launcher
    )
    try:
        ctx = _connect(pipe, soffice)
        _enable_vba_import(ctx)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL(
            book.resolve().as_uri(), "_blank", 0, (_prop("Hidden", True),)
        )
        if doc is None:
            raise RuntimeError("LibreOffice could not open the workbook")
        result: dict = {"libraries": {}, "codenames": {}}
        libraries = doc.BasicLibraries
        for lib_name in libraries.getElementNames():
            libraries.loadLibrary(lib_name)
            lib = libraries.getByName(lib_name)
            modules = {}
            for module in lib.getElementNames():
                info = lib.getModuleInfo(module) if lib.hasModuleInfo(module) else None
                modules[module] = {
                    "type": info.ModuleType if info is not None else None,
                    "source": lib.getByName(module),
                }
            result["libraries"][lib_name] = modules
        result["vba_project_name"] = getattr(libraries, "ProjectName", None)
        sheets = doc.Sheets
        for name in sheets.getElementNames():
            result["codenames"][name] = sheets.getByName(name).CodeName
        doc.close(True)
        with contextlib.suppress(Exception):  # the bridge drops as soffice exits
            desktop.terminate()
        return result
    finally:
        with contextlib.suppress(subprocess.TimeoutExpired):
            soffice.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):  # what is left of the group we started
            os.killpg(soffice.pid, signal.SIGKILL)
        soffice.wait()


def main(argv: list[str]) -> int:
    book, profile = Path(argv[1]), Path(argv[2])
    print(json.dumps(inspect(book, profile)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
