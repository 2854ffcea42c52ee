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
from typing import Any, TypeVar, cast

from instructor import ResponseSchema
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


@functools.cache
def schema_text(response_model: type[BaseModel]) -> str:
    """The schema the model is shown, as canonical JSON; built once per response model.

    Building a JSON schema takes milliseconds and every prompt render needs it;
    a class's schema cannot change while the process runs.
    """
    return json.dumps(response_model.model_json_schema(), sort_keys=True, ensure_ascii=False)


def fingerprint(name: str, response_model: type[BaseModel], mode: str) -> str:
    """sha256 over the template source, the schema the model sees, and the mode."""
    digest = hashlib.sha256()
    # the template is read each time: an edited template must change the fingerprint at once
    for part in (template_source(name), schema_text(response_model), mode):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def _compacted(full: dict[str, Any]) -> dict[str, Any]:
    compacted: dict[str, Any] = compact_schema(full)
    if "title" in full:  # instructor names the tool after the root title
        compacted = {"title": full["title"], **compacted}
    return compacted


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
    answers are instances of ``model``. One class per model, for the whole
    process, and already an instructor ``ResponseSchema``: instructor uses it as
    it is instead of wrapping it in a new class on every call, so its tool
    schema cache hits. The compacted schema is built once; each caller gets its
    own copy, since instructor edits the dict it is given.
    """
    compacted_json: str | None = None

    def model_json_schema(cls: type[BaseModel], *args: Any, **kwargs: Any) -> dict[str, Any]:
        nonlocal compacted_json
        full_schema = super(compact, cls).model_json_schema
        if args or kwargs or cls is not compact:  # another flavour, or a subclass: build it
            return _compacted(full_schema(*args, **kwargs))
        if compacted_json is None:
            compacted_json = json.dumps(_compacted(full_schema()), ensure_ascii=False)
        schema: dict[str, Any] = json.loads(compacted_json)
        return schema

    # Created under the model's own name, which pydantic builds into the class at creation:
    # it names the tool, and validation errors sent back in a re-ask say "for ExtractionResponse".
    namespace = {
        "__module__": model.__module__,
        "__qualname__": model.__qualname__,
        "__doc__": model.__doc__,
        "model_json_schema": classmethod(model_json_schema),
    }
    metaclass: Any = type(model)
    compact: Any = metaclass(model.__name__, (model, ResponseSchema), namespace)
    return cast(type[M], compact)
