"""The `normalize` command: JSON lines naming their capture, --text, folders, stdin, many files in one
process, and bad input reported per file (the other files still processed, exit status 1)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from normalize.cli import main

ARTICLE = "市委召开会议部署复工复产\n市委书记到企业调研复工复产情况，强调统筹推进疫情防控和经济社会发展。"
TRADITIONAL = "市委召開會議\n市委書記到企業調研復工復產情況，強調統籌推進疫情防控和經濟社會發展。"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


def run(args: list[str], stdin: bytes = b"") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(args, stdout=out, stderr=err, stdin=io.BytesIO(stdin))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def captures(tmp_path: Path) -> Path:
    (tmp_path / "utf8-simplified.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "gb18030-simplified.txt").write_bytes(ARTICLE.encode("gb18030"))
    (tmp_path / "big5-traditional.txt").write_bytes(TRADITIONAL.encode("big5"))
    (tmp_path / "utf16-bom.txt").write_bytes(ARTICLE.encode("utf-16"))
    (tmp_path / "page.html").write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>复工复产</title></head><body>"
        f"<h1>复工复产</h1><div><p>{ARTICLE.splitlines()[1] * 3}</p></div></body></html>", encoding="utf-8")
    return tmp_path


def test_json_lines_name_their_capture(captures: Path) -> None:
    code, out, err = run([str(p) for p in sorted(captures.glob("*.txt"))])
    assert (code, err) == (0, "")
    lines = [json.loads(s) for s in out.splitlines()]
    assert [Path(r["capture"]["file"]).name for r in lines] == [
        "big5-traditional.txt", "gb18030-simplified.txt", "utf16-bom.txt", "utf8-simplified.txt"]
    assert {r["text"] for r in lines} == {ARTICLE.splitlines()[1]}  # every encoding, same clean text
    assert {r["title"] for r in lines} == {"市委召开会议部署复工复产", "市委召开会议"}
    assert "市委书记" in out  # UTF-8 characters, not \\u escapes


def test_text_option_prints_only_clean_text(captures: Path) -> None:
    code, out, _ = run(["--text", str(captures / "big5-traditional.txt")])
    assert code == 0
    assert out == "市委书记到企业调研复工复产情况，强调统筹推进疫情防控和经济社会发展。\n\n"


def test_folder_is_expanded_and_html_detected(captures: Path) -> None:
    code, out, _ = run([str(captures)])
    records = [json.loads(s) for s in out.splitlines()]
    assert code == 0 and len(records) == 5
    html = next(r for r in records if r["capture"]["file"].endswith("page.html"))
    assert "统筹推进疫情防控" in html["text"] and "<p>" not in html["text"]


def test_stdin(captures: Path) -> None:
    code, out, _ = run(["-"], stdin=TRADITIONAL.encode("big5"))
    [record] = [json.loads(s) for s in out.splitlines()]
    assert code == 0 and record["capture"]["file"] == "<stdin>" and record["title"] == "市委召开会议"


def test_bad_input_is_reported_and_the_rest_processed(captures: Path) -> None:
    (captures / "empty.txt").write_bytes(b"")
    (captures / "image.txt").write_bytes(PNG)
    missing = captures / "missing.txt"
    code, out, err = run([str(missing), str(captures / "empty.txt"), str(captures / "image.txt"),
                          str(captures / "utf8-simplified.txt")])
    assert code == 1
    assert len(out.splitlines()) == 1  # the good file still came out
    err_lines = err.splitlines()
    assert len(err_lines) == 3
    assert "missing.txt: cannot read" in err_lines[0]
    assert "empty.txt: empty:" in err_lines[1]
    assert "image.txt:" in err_lines[2]


def test_encoding_override(captures: Path) -> None:
    code, out, _ = run(["--encoding", "big5", "--text", str(captures / "big5-traditional.txt")])
    assert code == 0 and "统筹推进" in out


def test_many_files_in_one_process(tmp_path: Path) -> None:
    """300 captures in one call: one interpreter, heavy modules loaded once."""
    for i in range(300):
        text = ARTICLE if i % 2 else TRADITIONAL
        (tmp_path / f"c{i:03d}.txt").write_bytes(text.encode("gb18030" if i % 3 else "utf-8"))
    proc = subprocess.run([sys.executable, "-m", "normalize", str(tmp_path)], capture_output=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    records = [json.loads(s) for s in proc.stdout.decode("utf-8").splitlines()]
    assert len(records) == 300
    assert len({r["id"] for r in records}) == 300


def test_max_html_chars_refuses_a_larger_page_and_says_how_to_clean_it(captures: Path) -> None:
    """A page over --max-html-chars is reported by name with this command's own fixes; the other files
    are still cleaned, and the same page is cleaned under a larger limit."""
    page, text = str(captures / "page.html"), str(captures / "utf8-simplified.txt")
    code, out, err = run(["--max-html-chars", "100", page, text])
    assert code == 1 and len(out.splitlines()) == 1
    assert "page.html: too-large:" in err and "--max-html-chars N, or --kind text" in err
    code, out, err = run(["--max-html-chars", "1_000_000", page])
    assert (code, err) == (0, "") and json.loads(out)["title"] == "复工复产"


@pytest.mark.parametrize("value", ["0", "-5", "lots"])
def test_max_html_chars_must_be_a_positive_number(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--max-html-chars", value, "-"])
    assert exit_.value.code == 2 and "not a whole number above zero" in capsys.readouterr().err
