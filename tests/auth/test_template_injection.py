"""Known server-side template injection (SSTI) payloads against the message template.

The template lives in the workbook's Template sheet or a file, so whoever edits the
workbook writes Jinja code that TagihLite runs. The sandbox must refuse anything that
reaches for Python internals or burns the machine, with a message a clerk can act on.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tagihlite.core.messages import MessageTemplate, TemplateError, TemplateSource, sample_context
from tagihlite.errors import TagihError

CLEAR = ("tidak diizinkan", "tidak dikenal")

INTERNALS = [
    "{{ name.__class__ }}",
    "{{ name.__class__.__mro__[1].__subclasses__() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ().__class__.__base__.__subclasses__() }}",
    "{{ [].__class__.__base__.__subclasses__()[40]('/etc/passwd').read() }}",
    "{{ amount.__class__.__base__.__subclasses__() }}",
    "{{ amount.real.__class__.__mro__ }}",
    "{{ due_date.__class__.__mro__ }}",
    "{{ name.__init__.__globals__ }}",
    "{{ name.format.__globals__ }}",
    "{{ name.__getattribute__('__class__') }}",
    "{{ name.__dir__() }}",
    "{{ '%s'.__mod__.__self__ }}",
    "{{ amount.__add__.__self__ }}",
    "{{ name.upper.__self__.__class__ }}",
    "{{ name.translate.__self__.__class__.__base__.__subclasses__() }}",
    "{{ '{0.__class__}'.format(name) }}",
    "{{ '{0.__init__.__globals__}'.format(name) }}",
    "{{ name|attr('__class__') }}",
    "{{ name|attr('\\x5f\\x5fclass\\x5f\\x5f') }}",
    "{{ name|attr(['_','_class_','_']|join) }}",
    "{{ (name|attr('__cla'~'ss__')).__mro__ }}",
    "{{ name['__class__'] }}",
    "{% set x = name.__class__ %}{{ x }}",
    "{% for c in ''.__class__.__mro__[1].__subclasses__() %}{{ c }}{% endfor %}",
    "{{ self.__init__.__globals__.__builtins__ }}",
    "{{ self.__class__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ joiner.__init__.__globals__.os.popen('id').read() }}",
    "{{ namespace.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ lipsum.__globals__.__builtins__.__import__('os').popen('id').read() }}",
    "{{ config.items() }}",
    "{{ config.__class__.__init__.__globals__['os'].popen('id').read() }}",
    "{{ request.application.__globals__.__builtins__.__import__('os').popen('id').read() }}",
    "{{ url_for.__globals__.os.popen('id').read() }}",
    "{{ get_flashed_messages.__globals__.__builtins__.open('/etc/passwd').read() }}",
    "{{ cycler }}", "{{ lipsum }}", "{{ joiner }}", "{{ namespace }}", "{{ config }}",
    "{{ request }}", "{{ dict(a=1) }}", "{{ lipsum(1000000) }}", "{{ cycler(1,2).next() }}",
    "{{ namespace(a=1) }}",
    "Halo {{ name }},\n{{ name.__class__.__mro__ }}\nTerima kasih.",  # hidden on line 2
]

RESOURCES = [
    "{{ range(10**9) }}",
    "{{ range(10**9)|list }}",
    "{{ range(99999999)|list|length }}",
    "{{ 'x' * 10**9 }}",
    "{{ 'x' * 100000000 }}",
    "{{ [0] * 100000000 }}",
    "{{ name * 100000000 }}",
    "{{ 9**9**9 }}",
]


def refusal(payload: str) -> str:
    with pytest.raises(TemplateError) as exc:
        MessageTemplate(TemplateSource(payload, "sheet 'Template'"))
    assert isinstance(exc.value, TagihError)
    return str(exc.value)


def test_ordinary_templates_still_work() -> None:
    text = "Yth. {{ name }}, tagihan {{ customer_id }} sebesar {{ amount_rupiah }}."
    out = MessageTemplate(TemplateSource(text, "uji")).render(sample_context())
    assert out.startswith("Yth. ") and "Rp" in out and "{{" not in out


@pytest.mark.parametrize("payload", INTERNALS)
def test_reaching_for_python_internals_is_refused(payload: str) -> None:
    message = refusal(payload)
    assert message.startswith("Template pesan tidak dapat dipakai (sheet 'Template', baris")
    assert any(word in message for word in CLEAR), message
    assert "belum ada pesan yang dikirim" in message


def test_refusal_names_the_line() -> None:
    assert "baris 2" in refusal(INTERNALS[-1])


@pytest.mark.parametrize("payload", RESOURCES)
def test_resource_exhaustion_is_refused(payload: str) -> None:
    message = refusal(payload)
    assert any(word in message for word in CLEAR), message


# -- payloads refused up front by MessageTemplate._refuse_constructs ----------------------


@pytest.mark.parametrize("payload", ["{{ self }}", "Halo {{ self }}"])
def test_self_is_refused(payload: str) -> None:
    message = refusal(payload)  # Jinja itself would render "<TemplateReference ...>"
    assert any(word in message for word in CLEAR)


@pytest.mark.parametrize("payload", ["{% include '/etc/passwd' %}",
                                     "{% import 'os' as os %}{{ os }}",
                                     "{% extends 'base.html' %}",
                                     "{% from 'x' import y %}{{ y }}"])
def test_loading_other_templates_is_refused_with_a_clear_message(payload: str) -> None:
    message = refusal(payload)  # Jinja itself: "TypeError: no loader for ..."
    assert any(word in message for word in CLEAR), message


def test_nested_loops_cannot_burn_the_cpu() -> None:
    # Three loops over a 2000-character literal = 8e9 iterations; a sheet cell holds 32767.
    code = textwrap.dedent("""
        from tagihlite.core.messages import MessageTemplate, TemplateError, TemplateSource
        s = "'" + "x" * 2000 + "'"
        text = ("{% for a in S %}{% for b in S %}{% for c in S %}{% endfor %}{% endfor %}"
                "{% endfor %}ok").replace("S", s)
        try:
            MessageTemplate(TemplateSource(text, "uji"))
        except TemplateError:
            raise SystemExit(3)
    """)
    try:
        result = subprocess.run([sys.executable, "-c", code], timeout=3)
    except subprocess.TimeoutExpired:
        pytest.fail("template ran for more than 3 s")
    assert result.returncode == 3
