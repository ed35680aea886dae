"""The tools' arguments: one pydantic model per tool, the JSON schema each tool advertises (made
from the same model, so what is advertised is what is checked), and readable validation errors.

Names are camelCase, as in the REST API. Limits and patterns are the REST API's (the same domain
constants), so an argument the REST endpoint would refuse is refused here too, as a tool error."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from convmem.domain import ids
from convmem.domain.memories import CONVERSATION_PATTERN, MAX_CONTENT, SOURCE_PATTERN
from convmem.domain.timefmt import rfc3339_text

DEFAULT_OBSERVATIONS = 20  # REST Recall's defaults (api/recall.py)
DEFAULT_SUMMARIES = 5
MAX_LIMIT = 100
MAX_QUERY = 1024
DEFAULT_SOURCE = "mcp"


def _storable(value: str) -> str:
    # What the REST body screen refuses (api/middleware.py); the MCP endpoint bypasses that screen
    # so that such input is a tool error the session survives rather than an HTTP 400.
    if "\x00" in value:
        raise ValueError("may not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("may not contain unpaired surrogates") from None
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _id_field(prefix: str, description: str) -> Any:
    return Field(pattern=ids.pattern_for(prefix).pattern, description=description)


StoreId = Annotated[str, _id_field(ids.STORE, "Memory store id (mem_store_...), from list_stores.")]
ProfileId = Annotated[str, _id_field(
    ids.PROFILE, "Profile id (mem_profile_...), from find_profile; a merged-away id is followed to its profile.")]
Storable = AfterValidator(_storable)


class ToolArguments(BaseModel):
    # Unknown arguments are refused (a misspelt optional argument would otherwise be ignored
    # silently), and types are not coerced, as in the REST API's request bodies.
    model_config = ConfigDict(extra="forbid", strict=True)


class ListStoresArgs(ToolArguments):
    pass


class FindProfileArgs(ToolArguments):
    storeId: StoreId
    idType: Annotated[str, Field(min_length=2, max_length=30,
                                 description="Identifier type configured in the store, e.g. 'email' or 'phone'."),
                      Storable]
    value: Annotated[str, Field(min_length=1, max_length=255,
                                description="The identifier's value, e.g. 'ada@example.com'; normalised as the "
                                            "store's settings say before matching."),
                     Storable]


class GetProfileArgs(ToolArguments):
    storeId: StoreId
    profileId: ProfileId


class RecallArgs(ToolArguments):
    storeId: StoreId
    profileId: ProfileId
    query: Annotated[str, Field(max_length=MAX_QUERY,
                                description="What to recall, in natural language; without it (and without "
                                            "conversationId) the most recent memories come first."),
                     Storable] | None = None
    conversationId: Annotated[str, Field(pattern=CONVERSATION_PATTERN,
                                         description="A conversation (conv_conversation_...) whose last messages "
                                                     "stand in for the query when no query is given.")] | None = None
    observationsLimit: Annotated[int, Field(ge=0, le=MAX_LIMIT,
                                            description="Most observations to return.")] = DEFAULT_OBSERVATIONS
    summariesLimit: Annotated[int, Field(ge=0, le=MAX_LIMIT,
                                         description="Most conversation summaries to return.")] = DEFAULT_SUMMARIES


class RememberArgs(ToolArguments):
    storeId: StoreId
    profileId: ProfileId
    content: Annotated[str, Field(min_length=1, max_length=MAX_CONTENT,
                                  description="The observation: one self-contained fact about the customer."),
                       Storable, AfterValidator(_not_blank)]
    occurredAt: Annotated[str, Field(max_length=64, description="When it was observed (RFC 3339); default: now."),
                          AfterValidator(rfc3339_text)] | None = None
    source: Annotated[str, Field(min_length=1, max_length=100, pattern=SOURCE_PATTERN,
                                 description="Where the observation comes from.")] = DEFAULT_SOURCE


class ForgetArgs(ToolArguments):
    storeId: StoreId
    profileId: ProfileId
    observationId: Annotated[str, _id_field(ids.OBSERVATION, "Observation id (mem_observation_...), as recall "
                                                             "or remember gave it.")]


class _PlainSchema(GenerateJsonSchema):
    """Schemas a model reads easily: no generated titles, and an optional argument is simply
    optional (absent), not "string or null"."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])


def input_schema(model: type[ToolArguments]) -> dict[str, Any]:
    schema = model.model_json_schema(schema_generator=_PlainSchema)
    schema.pop("title", None)
    schema.pop("description", None)  # the docstring, if any: the tool's description says it
    schema.setdefault("properties", {})
    for prop in schema["properties"].values():
        if "default" in prop and prop["default"] is None:
            del prop["default"]
    return schema


# Field-specific wording for pattern mismatches: a regular expression says little to a model.
_PATTERN_HINTS = {
    "storeId": "must be a memory store id (mem_store_ followed by 26 characters), as list_stores gives",
    "profileId": "must be a profile id (mem_profile_ followed by 26 characters), as find_profile gives",
    "observationId": "must be an observation id (mem_observation_ followed by 26 characters)",
    "conversationId": "must be a conversation id (conv_conversation_ followed by 26 characters)",
    "source": "must be 1 to 100 letters, digits, spaces, '_', '.', '-' or '/'",
}


def describe(error: ValidationError) -> str:
    """One line naming each offending argument and what it must be."""
    parts = []
    for err in error.errors()[:5]:
        name = ".".join(str(p) for p in err.get("loc", ())) or "arguments"
        kind = err.get("type", "")
        if kind == "extra_forbidden":
            parts.append(f"unknown argument '{name}'")
        elif kind == "missing":
            parts.append(f"'{name}' is required")
        elif kind == "string_pattern_mismatch" and name in _PATTERN_HINTS:
            parts.append(f"'{name}' {_PATTERN_HINTS[name]}")
        else:
            message = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
            parts.append(f"'{name}': {message}")
    more = f" (and {len(error.errors()) - 5} more)" if len(error.errors()) > 5 else ""
    return "Invalid arguments: " + "; ".join(parts) + more
