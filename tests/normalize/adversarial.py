"""Adversarial input shapes shared by the linear-time test and the fuzz suite (issue 10): long runs of one
character class that make a backtracking regex quadratic, each as a function of a size ``n``."""

from __future__ import annotations

from collections.abc import Callable

SENTENCE = "县政府召开常务会议。"

# name -> n -> text (text captures); the runs sit where the line classifiers look: a line's start and end
TEXT_SHAPES: dict[str, Callable[[int], str]] = {
    "spaces-before-line": lambda n: " " * n + SENTENCE,
    "spaces-after-line": lambda n: SENTENCE + " " * n + "x",
    "tabs-and-ideographic-spaces": lambda n: "\t\u3000" * (n // 2) + SENTENCE,
    "blank-lines": lambda n: SENTENCE + "\n" * n + SENTENCE,
    "blank-lines-with-spaces": lambda n: SENTENCE + "\n \n" * (n // 3) + SENTENCE,
    "dots": lambda n: SENTENCE + "." * n + "x",
    "ellipses": lambda n: "…" * n + "x",
    "ascii-punctuation": lambda n: ",:;?!" * (n // 5) + SENTENCE,
    "cjk-punctuation": lambda n: "，。、；：" * (n // 5) + "x",
    "digits": lambda n: "1" * n + "年",
    "digits-and-dashes": lambda n: "1-" * (n // 2) + SENTENCE,
    "brackets-open": lambda n: "(" * n + SENTENCE,
    "brackets-nested": lambda n: "(（" * (n // 4) + "县" + ")）" * (n // 4),
    "bracket-pinyin": lambda n: "区(qū" * (n // 5) + SENTENCE,
    "latin-names": lambda n: " A" * (n // 2) + "图",
    "han-names": lambda n: "张三 " * (n // 3) + "摄",
    "label-colons": lambda n: "编辑:" + " " * n + "x",
    "dashes": lambda n: " -" * (n // 2) + "x",
    "long-han-line": lambda n: "县政府召开常务会议" * (n // 9),
    "many-short-lines": lambda n: "县\n" * (n // 2),
}

# name -> n -> HTML
HTML_SHAPES: dict[str, Callable[[int], str]] = {
    "br-run": lambda n: f"<html><body><p>{SENTENCE}" + "<br>" * (n // 4) + f"{SENTENCE}</p></body></html>",
    "nested-divs": lambda n: "<html><body>" + "<div>" * (n // 5) + SENTENCE + "</div>" * (n // 5)
    + "</body></html>",
    "table-cells": lambda n: "<html><body><table>" + f"<tr><td>{SENTENCE}</td></tr>" * (n // 30)
    + "</table></body></html>",
    "spaces-in-paragraph": lambda n: f"<html><body><p>{' ' * n}{SENTENCE}</p></body></html>",
    "many-paragraphs": lambda n: "<html><body>" + f"<p>{SENTENCE}</p>" * (n // 17) + "</body></html>",
}
