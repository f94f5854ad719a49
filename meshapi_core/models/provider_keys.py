"""Provider keys (BYOK), ``/v1/provider-keys/{provider}`` (``docs/gateway/control-plane.md`` §7):
your own upstream credentials, which the gateway uses to call that provider on your account.

Known: the five providers (``aws``, ``azure``, ``azure-foundry``, ``openai``, ``vertex``),
adding, testing and updating per provider, and ``allow_fallback`` (default true: when your key
fails on auth or quota the gateway retries on its own credentials and says so with
``X-BYOK-Fallback-Triggered``; false isolates strictly). Inferred: each provider's credential
fields below (named after the provider's own SDK settings), removal by ``DELETE``, the list
at ``GET /v1/provider-keys``, and every reply's shape (kept as sent). A field this release
does not model travels in ``extra_body``.

Secrets (``api_key``, ``secret_access_key``, ``session_token``, ``service_account_json``)
are :class:`pydantic.SecretStr`: sent in clear, shown nowhere else, not even in a validation
error (see :mod:`meshapi_core.models.secrets`).
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Dict, Literal, Mapping, Optional, Tuple, Type, Union
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, SecretStr, field_validator

from .base import ResponseModel
from .pages import CursorPage
from .secrets import Secret, SecretRequestModel

__all__ = [
    "PROVIDERS",
    "AwsProviderKeyParams",
    "AwsProviderKeyUpdateParams",
    "AzureFoundryProviderKeyParams",
    "AzureFoundryProviderKeyUpdateParams",
    "AzureProviderKeyParams",
    "AzureProviderKeyUpdateParams",
    "OpenAIProviderKeyParams",
    "OpenAIProviderKeyUpdateParams",
    "Provider",
    "ProviderKey",
    "ProviderKeyPage",
    "ProviderKeyTestResult",
    "VertexProviderKeyParams",
    "VertexProviderKeyUpdateParams",
]

Provider = Literal["aws", "azure", "azure-foundry", "openai", "vertex"]
"""The providers whose keys the gateway can hold."""

_REGION = re.compile(r"\A[a-z]{2}(-[a-z]+)+-\d{1,2}\Z")
_ACCESS_KEY_ID = re.compile(r"\A\w{16,128}\Z")


def _https_url(value: Optional[str]) -> Optional[str]:
    if value is None:
        return value
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError("must be an https:// URL, like 'https://my-resource.openai.azure.com'")
    return value


def _json_text(value: Any) -> Any:
    """A service account given as a mapping is sent as its JSON text."""
    if isinstance(value, Mapping):
        return json.dumps(dict(value), separators=(",", ":"))
    if isinstance(value, (str, SecretStr)):
        return value
    raise ValueError("must be the service account's JSON (text or a dict)")


def _json_object(value: Any) -> Any:
    if not isinstance(value, SecretStr):
        return value
    try:
        parsed = json.loads(value.get_secret_value())
    except ValueError:
        raise ValueError("must be the service account's JSON (text or a dict)") from None
    if not isinstance(parsed, dict):
        raise ValueError("must be a JSON object (the service account key file)")
    return value


def _not_empty(value: SecretStr) -> SecretStr:
    if not value.get_secret_value():
        raise ValueError("must not be empty")
    return value


NonEmptySecret = Annotated[Secret, AfterValidator(_not_empty)]
ServiceAccount = Annotated[Union[Secret, Dict[str, Any]], BeforeValidator(_json_text)]
"""The service account's JSON text, or the parsed dict (sent as its JSON text)."""


class _ProviderKeyFields(SecretRequestModel):
    allow_fallback: Optional[bool] = None
    """Let the gateway fall back to its own credentials when yours fail (gateway default:
    true)."""


class OpenAIProviderKeyParams(_ProviderKeyFields):
    """An OpenAI key: ``api_key`` and, optionally, ``organization`` (inferred names)."""

    api_key: NonEmptySecret
    """Your OpenAI API key (a secret: sent, never shown)."""
    organization: Optional[str] = None
    """The OpenAI organization to bill."""


class OpenAIProviderKeyUpdateParams(_ProviderKeyFields):
    """A change to the OpenAI key: only the fields you set are sent."""

    api_key: Optional[NonEmptySecret] = None
    """A new OpenAI API key (a secret: sent, never shown)."""
    organization: Optional[str] = None
    """A new OpenAI organization to bill."""


class _AzureFields(_ProviderKeyFields):
    @field_validator("endpoint", check_fields=False)
    @classmethod
    def _endpoint(cls, value: Optional[str]) -> Optional[str]:
        return _https_url(value)


class AzureProviderKeyParams(_AzureFields):
    """An Azure OpenAI resource: ``api_key``, its https ``endpoint`` and optionally the
    ``api_version`` (inferred names)."""

    api_key: NonEmptySecret
    """The Azure OpenAI resource's key (a secret: sent, never shown)."""
    endpoint: str
    """The resource's ``https://`` endpoint, e.g. ``https://my-resource.openai.azure.com``."""
    api_version: Optional[str] = None
    """The Azure OpenAI API version to call."""


class AzureProviderKeyUpdateParams(_AzureFields):
    """A change to the Azure OpenAI key: only the fields you set are sent."""

    api_key: Optional[NonEmptySecret] = None
    """A new key (a secret: sent, never shown)."""
    endpoint: Optional[str] = None
    """A new ``https://`` endpoint."""
    api_version: Optional[str] = None
    """A new Azure OpenAI API version."""


class AzureFoundryProviderKeyParams(_AzureFields):
    """An Azure AI Foundry project: ``api_key`` and its https ``endpoint`` (inferred
    names)."""

    api_key: NonEmptySecret
    """The Azure AI Foundry project's key (a secret: sent, never shown)."""
    endpoint: str
    """The project's ``https://`` endpoint."""


class AzureFoundryProviderKeyUpdateParams(_AzureFields):
    """A change to the Azure AI Foundry key: only the fields you set are sent."""

    api_key: Optional[NonEmptySecret] = None
    """A new key (a secret: sent, never shown)."""
    endpoint: Optional[str] = None
    """A new ``https://`` endpoint."""


class _AwsFields(_ProviderKeyFields):
    @field_validator("region", check_fields=False)
    @classmethod
    def _region(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not _REGION.match(value):
            raise ValueError("must be an AWS region, like 'us-east-1'")
        return value

    @field_validator("access_key_id", check_fields=False)
    @classmethod
    def _access_key_id(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not _ACCESS_KEY_ID.match(value):
            raise ValueError("must be an AWS access key id (16 to 128 letters and digits)")
        return value


class AwsProviderKeyParams(_AwsFields):
    """AWS Bedrock credentials: ``access_key_id``, ``secret_access_key``, ``region`` and an
    optional ``session_token`` (inferred names)."""

    access_key_id: str
    """The AWS access key id (16 to 128 letters and digits)."""
    secret_access_key: NonEmptySecret
    """The AWS secret access key (a secret: sent, never shown)."""
    region: str
    """The Bedrock region, e.g. ``us-east-1``."""
    session_token: Optional[Secret] = None
    """A session token, for temporary credentials (a secret: sent, never shown)."""


class AwsProviderKeyUpdateParams(_AwsFields):
    """A change to the AWS credentials: only the fields you set are sent."""

    access_key_id: Optional[str] = None
    """A new AWS access key id."""
    secret_access_key: Optional[NonEmptySecret] = None
    """A new AWS secret access key (a secret: sent, never shown)."""
    region: Optional[str] = None
    """A new Bedrock region, e.g. ``us-east-1``."""
    session_token: Optional[Secret] = None
    """A new session token (a secret: sent, never shown)."""


class _VertexFields(_ProviderKeyFields):
    @field_validator("service_account_json", check_fields=False)
    @classmethod
    def _service_account(cls, value: Any) -> Any:
        return _json_object(value)


class VertexProviderKeyParams(_VertexFields):
    """Google Vertex AI: the ``service_account_json`` key file (its text, or the parsed
    dict), and optionally ``project_id`` and ``location`` (inferred names)."""

    service_account_json: ServiceAccount
    """The service account key file: its JSON text or the parsed dict (a secret: sent, never
    shown)."""
    project_id: Optional[str] = None
    """The Google Cloud project to bill."""
    location: Optional[str] = None
    """The Vertex AI location (region) to call."""


class VertexProviderKeyUpdateParams(_VertexFields):
    """A change to the Vertex credentials: only the fields you set are sent."""

    service_account_json: Optional[ServiceAccount] = None
    """A new service account key file (a secret: sent, never shown)."""
    project_id: Optional[str] = None
    """A new Google Cloud project."""
    location: Optional[str] = None
    """A new Vertex AI location."""


ProviderKeyParams = Union[
    AwsProviderKeyParams,
    AzureProviderKeyParams,
    AzureFoundryProviderKeyParams,
    OpenAIProviderKeyParams,
    VertexProviderKeyParams,
]
ProviderKeyUpdateParams = Union[
    AwsProviderKeyUpdateParams,
    AzureProviderKeyUpdateParams,
    AzureFoundryProviderKeyUpdateParams,
    OpenAIProviderKeyUpdateParams,
    VertexProviderKeyUpdateParams,
]

PROVIDERS: Dict[str, Tuple[Type[SecretRequestModel], Type[SecretRequestModel]]] = {
    "aws": (AwsProviderKeyParams, AwsProviderKeyUpdateParams),
    "azure": (AzureProviderKeyParams, AzureProviderKeyUpdateParams),
    "azure-foundry": (AzureFoundryProviderKeyParams, AzureFoundryProviderKeyUpdateParams),
    "openai": (OpenAIProviderKeyParams, OpenAIProviderKeyUpdateParams),
    "vertex": (VertexProviderKeyParams, VertexProviderKeyUpdateParams),
}
"""Each provider's params models: ``(add, update)``."""


class ProviderKey(ResponseModel):
    """A stored provider key as the gateway shows it (never its secret); fields beyond
    ``provider`` and ``allow_fallback`` are kept as sent."""

    provider: Optional[str] = None
    """``aws``, ``azure``, ``azure-foundry``, ``openai`` or ``vertex``."""
    allow_fallback: Optional[bool] = None
    """Whether the gateway falls back to its own credentials when this key fails on auth or
    quota."""


class ProviderKeyPage(CursorPage[ProviderKey]):
    """The stored provider keys (the list and its envelope are inferred)."""


class ProviderKeyTestResult(ResponseModel):
    """The answer of ``POST /v1/provider-keys/{provider}/test``; its shape was not
    captured and is kept as sent (``model_extra``)."""
