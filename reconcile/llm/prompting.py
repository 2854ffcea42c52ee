"""Prompt templates (jinja2, sandboxed, strict) and the fingerprint that ties answers to them.

A template in ``reconcile/prompts/`` has two blocks, ``system`` and ``user``;
rendering gives the chat messages. The fingerprint is the sha256 of the template
source, the response schema the model is shown and the instructor mode: any
change to one of them makes recorded answers "stale" and cached answers miss.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"

M = TypeVar("M", bound=BaseModel)


@functools.cache
def environment() -> SandboxedEnvironment:
    # Sandboxed and strict: a template typo fails loudly, and article text rendered
    # into a template can never reach Python objects.
    return SandboxedEnvironment(
        loader=FileSystemLoader(str(PROMPTS_DIR)),
        undefined=StrictUndefined,
        autoescape=False,  # prompts are plain text, not HTML
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def template_names() -> list[str]:
    return sorted(p.name for p in PROMPTS_DIR.glob("*.j2"))


def template_source(name: str) -> str:
    return (PROMPTS_DIR / name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class RenderedPrompt:
    """The chat messages for one call, and the fingerprint of what produced them."""

    template: str
    messages: list[dict[str, str]]
    fingerprint: str


def render(name: str, response_model: type[BaseModel], mode: str, **variables: Any) -> RenderedPrompt:
    """Render the ``system`` and ``user`` blocks of template ``name`` into chat messages."""
    template = environment().get_template(name)
    messages = []
    for role in ("system", "user"):
        block = template.blocks.get(role)
        if block is None:
            raise ValueError(f"prompt template {name} has no {{% block {role} %}}")
        text = "".join(block(template.new_context(dict(variables)))).strip()
        messages.append({"role": role, "content": text})
    return RenderedPrompt(
        template=name, messages=messages, fingerprint=fingerprint(name, response_model, mode)
    )


def fingerprint(name: str, response_model: type[BaseModel], mode: str) -> str:
    """sha256 over the template source, the schema the model sees, and the mode."""
    schema = json.dumps(response_model.model_json_schema(), sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256()
    for part in (template_source(name), schema, mode):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def compact_schema(schema: Any) -> Any:
    """The same schema in fewer tokens: no titles, no ``default: null``, no docstrings of
    nested types, and ``{"anyOf": [{"type": T}, {"type": "null"}]}`` as ``{"type": [T, "null"]}``."""
    if isinstance(schema, list):
        return [compact_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    compacted: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "title" and isinstance(value, str):
            continue
        if key == "default" and value is None:
            continue
        if key == "properties" and isinstance(value, dict):
            # property names are data here, never schema keywords: keep every one
            compacted[key] = {name: compact_schema(sub) for name, sub in value.items()}
        elif key == "$defs" and isinstance(value, dict):
            # nested docstrings document the code, the field descriptions guide the model
            compacted[key] = {
                name: {k: v for k, v in compact_schema(sub).items() if k != "description"}
                for name, sub in value.items()
            }
        else:
            compacted[key] = compact_schema(value)
    options = compacted.get("anyOf")
    if (
        isinstance(options, list)
        and len(options) == 2
        and options[1] == {"type": "null"}
        and isinstance(options[0], dict)
        and set(options[0]) == {"type"}
        and isinstance(options[0]["type"], str)
    ):
        compacted.pop("anyOf")
        compacted["type"] = [options[0]["type"], "null"]
    return compacted


@functools.cache
def llm_facing(model: type[M]) -> type[M]:
    """A thin subclass of ``model`` whose JSON schema is compacted for the LLM.

    Same name (it becomes the tool name), same fields and validation; parsed
    answers are instances of ``model``.
    """

    class Compact(model):  # type: ignore[valid-type,misc]
        @classmethod
        def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
            full = super().model_json_schema(*args, **kwargs)
            compacted: dict[str, Any] = compact_schema(full)
            if "title" in full:  # instructor names the tool after the root title
                compacted = {"title": full["title"], **compacted}
            return compacted

    Compact.__name__ = model.__name__
    Compact.__qualname__ = model.__qualname__
    Compact.__doc__ = model.__doc__
    Compact.__module__ = model.__module__
    return Compact  # type: ignore[return-value]
