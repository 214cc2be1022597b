"""The index / diff / dups / export commands end to end (newsarchive.cli.main), output formats, exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from archive_helpers import article, write_archive

from newsarchive.cli import main
from newsarchive.diff_render import use_color


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return write_archive(tmp_path / "archive", {
        "seeds/000_a.json": [article("suqian"), article("gangzha")],
        "captures/mirror/c-00000.jsonl": [article("suqian", id="mirror-suqian-0", url="http://m.example.com/1")],
    })  # fmt: skip


@pytest.fixture
def new_file(tmp_path: Path) -> Path:
    edited = article("suqian", id="new-suqian-0")
    edited.text = edited.text.replace("管用", "管锚点用")
    edited.text_sha256 = ""
    edited.__post_init__()
    hostile = article("unrelated", id="new-hostile-0", title="<script>alert('x')</script>")
    return write_archive(tmp_path / "new", {"c-00000.jsonl": [edited, hostile]}) / "c-00000.jsonl"


def test_index_command_is_incremental(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["index", str(archive)]) == 0
    assert "2 read" in capsys.readouterr().out
    assert main(["index", str(archive), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert (stats["files_read"], stats["files_unchanged"], stats["records_total"]) == (0, 2, 3)


def test_index_command_progress_lines_and_workers(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--progress off a terminal: plain lines on stderr, no carriage return; --workers 2 builds in a pool."""
    assert main(["index", str(archive), "--progress", "--workers", "2", "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["workers"] == 2
    assert err.splitlines()[-1].startswith("newsarchive index: done") and "\r" not in err
    assert main(["index", str(archive)]) == 0
    assert capsys.readouterr().err == ""  # no progress unless asked for or on a terminal
    with pytest.raises(SystemExit) as exc:
        main(["index", str(archive), "--workers", "0"])
    assert exc.value.code == 2 and "--workers wants a whole number" in capsys.readouterr().err


def test_index_command_reports_a_corrupt_file_and_fails(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (archive / "seeds/001_bad.txt").write_text("原始采集", encoding="utf-8")  # the capture it describes
    (archive / "seeds/001_bad.json").write_text("{", encoding="utf-8")
    assert main(["index", str(archive)]) == 1
    out, err = capsys.readouterr()
    assert "seeds/001_bad.json" in err and "3 in index" in out


def test_diff_json(archive: Path, new_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(new_file), "--against", str(archive / "seeds"), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["diff_format_version"] == 1
    assert doc["summary"] == {
        "articles": 2,
        "identical": 0,
        "metadata-differs": 0,
        "edited": 1,
        "no-match": 1,
    }
    edited, hostile = doc["articles"]
    assert edited["old"]["id"] == "suqian-0" and edited["insertions"] == ["锚点"]
    [change] = edited["changes"]
    assert change["ops"] == [{"op": "insert", "old": "", "new": "锚点", "old_at": 13, "new_at": 13}]
    assert change["new"][13:15] == "锚点" and change["old"].startswith("要按照科学、合理、适度、管用")
    assert hostile["status"] == "no-match" and hostile["old"] is None


def test_diff_html_is_self_contained_and_escaped(archive: Path, new_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    assert main(["diff", str(new_file), "--against", str(archive), "--format", "html", "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<link" not in page and "src=" not in page  # nothing to fetch
    assert page.index("<table>") < page.index("<section")  # the summary table comes first
    assert "<ins>锚点</ins>" in page


def test_diff_text_plain_when_not_a_terminal(
    archive: Path, new_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", str(new_file), "--against", str(archive / "seeds")]) == 0
    out = capsys.readouterr().out
    assert "\x1b[" not in out
    assert "{+锚点+}" in out and "[no earlier match]" in out


def test_diff_text_colour_on_request(
    archive: Path, new_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", str(new_file), "--against", str(archive / "seeds"), "--color", "always"]) == 0
    assert "\x1b[32m{+锚点+}" in capsys.readouterr().out


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_follows_terminal_and_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color(_Tty()) and not use_color(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color(_Tty())
    assert use_color(_Tty(), "always") and not use_color(_Tty(), "never")


def test_diff_missing_input_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(tmp_path / "nope.jsonl"), "--against", str(tmp_path)]) == 2
    assert "nope.jsonl: no such file or folder" in capsys.readouterr().err


def test_dups_command_json(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dups", str(archive), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    [cluster] = doc["clusters"]
    assert {m["id"] for m in cluster["members"]} == {"suqian-0", "mirror-suqian-0"}
    assert cluster["representative"]["id"] == "suqian-0"  # site suqian.gov.cn beats the m.example.com mirror
    assert cluster["representative"]["host"] == "suqian.gov.cn"


def test_export_command(archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "all.jsonl"
    assert main(["export", str(archive), "-o", str(out), "--one-per-cluster"]) == 0
    assert "2 articles written" in capsys.readouterr().out
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2
    assert main(["export", str(archive), "-o", str(tmp_path / "x.csv")]) == 2
    assert "cannot tell the format" in capsys.readouterr().err


def test_diff_against_an_archive_folder_goes_through_its_index(
    archive: Path, new_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", str(new_file), "--against", str(archive), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (archive / "index.sqlite").exists()
    edited = doc["articles"][0]
    assert edited["old"]["id"] in ("suqian-0", "mirror-suqian-0") and edited["insertions"] == ["锚点"]
    assert doc["summary"]["no-match"] == 1


@pytest.fixture
def many_identical(tmp_path: Path) -> tuple[Path, Path]:
    """Twelve articles unchanged and one edited (issue 10 #15: the edit was 2,150 px down the report)."""
    names = ["suqian", "gangzha", "zhumadian", "unrelated"]
    old = [article(names[i % 4], id=f"old{i}-0", text=article(names[i % 4]).text + f"第{i}段。")
           for i in range(12)]
    new = [article(names[i % 4], id=f"new{i}-0", text=article(names[i % 4]).text + f"第{i}段。")
           for i in range(12)]
    new[9].text = new[9].text.replace("第9段。", "第9段有改动。")
    new[9].text_sha256 = ""
    new[9].__post_init__()
    archive = write_archive(tmp_path / "old", {"c-00000.jsonl": old}) / "c-00000.jsonl"
    return write_archive(tmp_path / "new", {"c-00000.jsonl": new}) / "c-00000.jsonl", archive


def test_html_report_puts_the_changes_first_and_collapses_identical_articles(
    many_identical: tuple[Path, Path], tmp_path: Path
) -> None:
    new, old = many_identical
    out = tmp_path / "report.html"
    assert main(["diff", str(new), "--against", str(old), "--format", "html", "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    first_section = page.index("<section")
    assert page.index("new9-0") < page.index("new0-0")  # the edit comes first, in the table too
    assert "<ins>有改动</ins>" in page[first_section:page.index("</section>")]
    assert page.index("<details class='identical'>") < page.index("new0-0", first_section)
    assert "<details class='identical' open" not in page  # collapsed


def test_changes_only_leaves_identical_articles_out(
    many_identical: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new, old = many_identical
    out = tmp_path / "report.html"
    assert main(["diff", str(new), "--against", str(old), "--format", "html", "--changes-only",
                 "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "new9-0" in page and "new0-0" not in page and "11 identical not shown" in page
    assert main(["diff", str(new), "--against", str(old), "--format", "json", "--changes-only"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [a["new"]["id"] for a in doc["articles"]] == ["new9-0"] and doc["summary"]["identical"] == 11
    assert main(["diff", str(new), "--against", str(old), "--changes-only"]) == 0
    text = capsys.readouterr().out
    assert "new9-0" in text and "new0-0" not in text


def test_text_report_never_prints_a_control_character(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = article("suqian", id="x-0", title="标题\x1b]0;pwned\x07\x9b31m")
    new = write_archive(tmp_path / "new", {"c-00000.jsonl": [hostile]}) / "c-00000.jsonl"
    old = write_archive(tmp_path / "old", {"c-00000.jsonl": [article("gangzha")]}) / "c-00000.jsonl"
    assert main(["diff", str(new), "--against", str(old), "--color", "always"]) == 0
    out = capsys.readouterr().out
    assert "\\x1b]0;pwned\\x07\\x9b31m" in out
    assert "\x07" not in out and "\x9b" not in out and "\x1b]" not in out
    assert main(["diff", str(new), "--against", str(old), "--format", "json"]) == 0
    raw = capsys.readouterr().out
    assert "\x9b" not in raw and "\x1b" not in raw
    assert json.loads(raw)["articles"][0]["new"]["title"] == hostile.title  # the same JSON, escaped
