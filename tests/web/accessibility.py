"""Accessibility smoke checks on one rendered page (WCAG 2.1 AA basics)."""

from __future__ import annotations

from tests.web.html_tree import Element, parse

UNLABELLED_INPUT_TYPES = frozenset({"hidden", "submit", "button", "reset", "image"})


def _has_name(element: Element) -> bool:
    return bool(element.get("aria-label").strip() or element.get("aria-labelledby").strip() or element.get("title"))


def accessibility_problems(html: str) -> list[str]:
    root = parse(html)
    problems = []
    htmls = list(root.iter("html"))
    if len(htmls) != 1 or not htmls[0].get("lang").strip():
        problems.append("<html> needs a lang attribute")
    h1s = list(root.iter("h1"))
    if len(h1s) != 1:
        problems.append(f"expected exactly one <h1>, found {len(h1s)}")
    mains = list(root.iter("main"))
    if len(mains) != 1 or mains[0].get("id") != "konten":
        problems.append('expected exactly one <main id="konten">')
    body = next(root.iter("body"), None)
    first_link = next(body.iter("a"), None) if body is not None else None
    if first_link is None or first_link.get("href") != "#konten":
        problems.append('the first link in <body> must be the skip link to "#konten"')
    label_targets = {label.get("for") for label in root.iter("label") if label.get("for")}
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        problems.append(f"duplicate id(s): {', '.join(duplicates)}")
    for control in root.iter("input", "select", "textarea"):
        if control.tag == "input" and control.get("type", "text").lower() in UNLABELLED_INPUT_TYPES:
            continue
        labelled = control.get("id") in label_targets or control.inside("label") or _has_name(control)
        if not labelled:
            name = control.get("name") or control.get("id") or "?"
            problems.append(f"<{control.tag} name={name}> has no label")
    for button in root.iter("button"):
        if not button.all_text().strip() and not _has_name(button):
            problems.append(f"<button name={button.get('name') or '?'}> has no text")
    for image in root.iter("img"):
        if not image.has("alt"):
            problems.append(f"<img src={image.get('src')}> has no alt attribute")
    for link in root.iter("a"):
        if link.has("href") and not link.all_text().strip() and not _has_name(link):
            problems.append(f"<a href={link.get('href')}> has no text")
    return problems
