"""The emulator's catalog: a data file of the gateway's models that the vendor's examples and
the gateway's documentation name, media models listed as the gateway lists them, and a user's
own snapshot (``meshapi models --json``) served back as it was recorded."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from meshapi import MeshAPI, NotFoundError
from meshapi.cli import main
from meshapi.testing import FakeClock, Gateway, InProcessTransport, make_model
from meshapi.testing._gateway.catalog import complete_model, cost_of, load_catalog

DOCS = Path(__file__).resolve().parents[3] / "docs" / "gateway"

VENDOR_IDS = [
    # livetests/.env.livetest.example and the live-test workflow
    "openai/gpt-4o-mini", "anthropic/claude-haiku-4.5", "openai/text-embedding-3-small",
    "openai/gpt-realtime-mini", "openai/gpt-image-1", "openai/gpt-4o-mini-audio-preview",
    "byteplus/seedance-1-5-pro-251215", "openai/gpt-audio-mini",
    # the live tests' defaults and models, the README's examples, the SDK's own tests
    "openai/gpt-5-nano", "google/gemini-3-flash-preview", "openai/o4-mini", "openai/gpt-4o",
    "anthropic/claude-sonnet-4.5", "sarvam/bulbul:v2", "sarvam/saaras:v3", "openai/whisper-1",
    "openai/whisper-large-v3", "openai/gpt-4o-realtime-preview", "google/gemini-2.5-flash",
    "google/gemini-2.5-flash-lite", "byteplus/dreamina-seedance-2-0",
    "byteplus/doubao-embedding-vision", "meta-llama/llama-3.3-70b-instruct:free",
    "bytedance/seedance-2-5", "openai/gpt-4.1-mini", "openai/dall-e-3",
    "mistral/mistral-large", "anthropic/claude-sonnet-5",
]  # fmt: skip


@pytest.fixture
def client() -> Iterator[MeshAPI]:
    gateway = Gateway(clock=FakeClock())
    with MeshAPI(
        base_url="http://127.0.0.1", token=gateway.token, transport=InProcessTransport(gateway)
    ) as made:
        yield made


def documented_ids() -> List[str]:
    """Every ``provider/model`` id the gateway's documentation names in code spans."""
    text = "\n".join(path.read_text("utf-8") for path in DOCS.glob("*.md"))
    found = re.findall(r"`([a-z0-9-]+/[A-Za-z0-9._:-]+)`", text)
    known_providers = {"openai", "anthropic", "google", "perplexity", "sarvam", "vertex",
                       "elevenlabs", "byteplus", "mesh"}  # fmt: skip
    return sorted({i for i in found if i.split("/")[0] in known_providers})


def test_the_catalog_is_a_data_file_shipped_with_the_package() -> None:
    shipped = resources.files("meshapi.testing").joinpath("data").joinpath("models.json")
    raw = json.loads(shipped.read_text("utf-8"))
    assert isinstance(raw, list) and len(raw) == len(Gateway().models)
    pyproject = (Path(__file__).resolve().parents[3] / "pyproject.toml").read_text()
    assert 'packages = ["meshapi",' in pyproject  # hatch ships every file under meshapi/


@pytest.mark.parametrize("model_id", VENDOR_IDS)
def test_every_model_the_vendor_names_is_served(client: MeshAPI, model_id: str) -> None:
    info = client.models.get(model_id)
    assert info.id == model_id and info.model_type in ("text", "embedding", "image", "audio",
                                                      "video")  # fmt: skip
    assert info.pricing is not None and info.input_modalities and info.output_modalities
    if info.model_type == "text" and not info.is_free:
        assert Decimal(info.pricing.prompt_usd_per_1m or "0") > 0
        assert info.context_length and info.context_length >= 8_000


def test_every_model_the_gateway_docs_name_is_served() -> None:
    ids = documented_ids()
    assert "openai/gpt-5-nano" in ids and "vertex/imagen-3" in ids and len(ids) > 10
    catalog = {m["id"] for m in Gateway().models}
    assert [i for i in ids if i not in catalog] == []


def test_the_named_models_answer(client: MeshAPI) -> None:
    hi = [{"role": "user", "content": "Count to 3."}]
    for model in ("openai/gpt-5-nano", "google/gemini-3-flash-preview",
                  "openai/gpt-4o-mini-audio-preview"):  # fmt: skip
        reply = client.chat.completions.create(model=model, messages=hi)
        assert reply.model == model and reply.choices[0].message.content
    task = client.videos.generate(
        model="byteplus/seedance-1-5-pro-251215", content=[{"type": "text", "text": "waves"}]
    )
    assert task.model == "byteplus/seedance-1-5-pro-251215"
    vector = client.embeddings.create(model="openai/text-embedding-3-small", input="hi")
    assert len(vector.data[0].embedding) == 1536


def test_media_models_are_listed_as_the_gateway_lists_them(client: MeshAPI) -> None:
    by_type = {kind: [m.id for m in client.models.list(type=kind)]
               for kind in ("image", "audio", "video")}  # fmt: skip
    assert "openai/gpt-image-1" in by_type["image"]
    assert {"sarvam/bulbul:v3", "elevenlabs/scribe_v2", "openai/gpt-realtime-mini"} <= set(
        by_type["audio"]
    )
    assert "byteplus/seedance-1-5-pro-251215" in by_type["video"]
    everything = {m.id for m in client.models.list()}
    assert set(by_type["image"]) | set(by_type["video"]) <= everything
    videos = client.models.search(output_modality=["video"], limit=100)
    assert {m.id for m in videos.data} == set(by_type["video"])
    image = client.models.get("openai/gpt-image-1")
    assert image.supports_image_edit and image.pricing.image_usd_per_image == "0.042"


def test_a_partial_model_takes_the_documented_defaults() -> None:
    info = complete_model({"id": "acme/tiny", "pricing": {"prompt_usd_per_1k": "0.002"}})
    assert (info["name"], info["provider"], info["brand"]) == ("tiny", "acme", "Acme")
    assert (info["model_type"], info["is_free"], info["supports_tools"]) == ("text", False, False)
    assert info["input_modalities"] == ["text"] and info["output_modalities"] == ["text"]
    pricing = info["pricing"]
    assert pricing["prompt_usd_per_1m"] == "2" and pricing["completion_usd_per_1m"] is None
    assert pricing["discount_pct"] == "0" and pricing["prompt_usd_per_1k_discounted"] == "0.002"
    free = complete_model({"id": "acme/free", "is_free": True, "model_type": "image"})
    assert free["pricing"]["prompt_usd_per_1m"] == "0" and free["output_modalities"] == ["image"]
    kept = complete_model({"id": "acme/x", "surprise": {"a": 1}, "context_length": 5})
    assert kept["surprise"] == {"a": 1} and kept["context_window"] == 5


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ("{not json", "not JSON"),
        ('{"models": 3}', "a JSON array of model objects"),
        ('[{"name": "no id"}]', "catalog model #0"),
        ("[1, 2]", "a JSON array of model objects"),
    ],
)
def test_a_bad_catalog_file_is_named(tmp_path: Path, document: str, problem: str) -> None:
    path = tmp_path / "models.json"
    path.write_text(document)
    with pytest.raises(ValueError, match=problem):
        Gateway(catalog=path)


def test_a_catalog_of_ones_own_replaces_the_shipped_one(tmp_path: Path) -> None:
    path = tmp_path / "models.json"
    path.write_text(json.dumps({"data": [{"id": "acme/only", "context_length": 4096}]}))
    gateway = Gateway(catalog=str(path))
    client = MeshAPI(
        base_url="http://127.0.0.1", token=gateway.token, transport=InProcessTransport(gateway)
    )
    assert [m.id for m in client.models.list()] == ["acme/only"]
    assert (
        client.chat.completions.create(
            model="acme/only", messages=[{"role": "user", "content": "hi"}]
        )
        .choices[0]
        .message.content
    )
    with pytest.raises(NotFoundError):
        client.models.get("openai/gpt-4o-mini")
    gateway.add_model("acme/later")
    gateway.reset()  # back to the catalog given, not the shipped one
    assert [m["id"] for m in gateway.models] == ["acme/only"]
    assert [m["id"] for m in Gateway(catalog=[{"id": "x/y"}]).models] == ["x/y"]


def test_models_json_records_a_catalog_that_serves_back_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Record once (``meshapi models --json > FILE``), test offline (``--catalog FILE``)."""
    for name in ("MESHAPI_BASE_URL", "MESHAPI_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    out = io.StringIO()
    assert main(["models", "--json"], stdout=out, stderr=io.StringIO()) == 0
    path = tmp_path / "models.json"
    path.write_text(out.getvalue())
    recorded = Gateway(catalog=path).models
    assert recorded == Gateway().models
    # a snapshot from a gateway that sends fewer fields (0.1.11's fixtures) serves too
    older = [{"id": "openai/gpt-4o-mini", "name": "GPT-4o Mini", "context_length": 128000,
              "is_free": False, "pricing": {"prompt_usd_per_1k": "0.000150",
              "completion_usd_per_1k": "0.000600", "image_usd_per_image": None,
              "discount_pct": None}, "description": None}]  # fmt: skip
    served = Gateway(catalog=older).models[0]
    assert served["pricing"]["prompt_usd_per_1m"] == "0.15" and served["model_type"] == "text"


def test_costs_come_from_the_prices() -> None:
    info: Dict[str, Any] = make_model("acme/m", prompt_per_1m="2", completion_per_1m="8")
    assert cost_of(info, 1_000_000, 500_000) == Decimal("6")
    info["pricing"]["prompt_usd_per_1m_discounted"] = "1"
    assert cost_of(info, 1_000_000, 0) == Decimal("1")
    image = load_catalog([{"id": "a/i", "pricing": {"image_usd_per_image": "0.04"}}])["a/i"]
    assert cost_of(image, 10, 272, images=2) == Decimal("0.08")
    assert cost_of(make_model("a/free", is_free=True), 10**6, 10**6) == 0
    assert cost_of(None, 5, 5) == 0
